"""Tests for the offline statsmodels-backed datasets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.datasets.co2 as sm_co2

from rnnforecast.datasets import DATASETS, load_co2, load_dataset, load_elnino

EXPECTED = {
    # name: (length, first timestamp, last timestamp, freqstr, first value, last value)
    "co2": (526, "1958-03-01", "2001-12-01", "MS", None, None),
    "sunspots": (309, "1700-01-01", "2008-01-01", "YS-JAN", 5.0, 2.9),
    "nile": (100, "1871-01-01", "1970-01-01", "YS-JAN", 1120.0, 740.0),
    "elnino": (732, "1950-01-01", "2010-12-01", "MS", 23.11, 22.07),
    "elec_equip": (257, "1995-01-01", "2016-05-01", "MS", 66.19, 97.86),
    "macrodata_realgdp": (203, "1959-01-01", "2009-07-01", "QS-JAN", 2710.349, None),
}


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_dataset_shape_index_and_values(name):
    y = load_dataset(name)
    n, first, last, freq, v0, v1 = EXPECTED[name]
    assert isinstance(y, pd.Series) and y.dtype == np.float64
    assert len(y) == n
    assert isinstance(y.index, pd.DatetimeIndex) and y.index.freqstr == freq
    assert y.index[0] == pd.Timestamp(first) and y.index[-1] == pd.Timestamp(last)
    assert y.index.is_monotonic_increasing and not y.isna().any()
    assert DATASETS[name].frequency == freq
    if v0 is not None:
        assert y.iloc[0] == v0
    if v1 is not None:
        assert y.iloc[-1] == v1


def test_registry_periods():
    assert {k: v.seasonal_period for k, v in DATASETS.items()} == {
        "co2": 12,
        "sunspots": 1,
        "nile": 1,
        "elnino": 12,
        "elec_equip": 12,
        "macrodata_realgdp": 4,
    }
    assert all(v.description for v in DATASETS.values())


def test_co2_monthly_mean_and_interpolation():
    raw = sm_co2.load_pandas().data["co2"]
    y = load_co2()
    # March 1958 holds a single weekly value (1958-03-29).
    assert y["1958-03-01"] == raw["1958-03-29"]
    # December 2001: mean of its weekly observations
    dec = raw["2001-12-01":"2001-12-31"].dropna()
    assert y["2001-12-01"] == pytest.approx(dec.mean())
    # find a month with no weekly observation at all; it must be the midpoint
    # of its neighbours (linear interpolation between two monthly means)
    counts = raw.resample("MS").count()
    empty = counts[counts == 0].index
    assert len(empty) == 5
    # single missing months (1958-06, 1958-10): midpoint of the neighbouring monthly means
    for month in ["1958-06-01", "1958-10-01"]:
        pos = y.index.get_loc(pd.Timestamp(month))
        assert y.iloc[pos] == pytest.approx((y.iloc[pos - 1] + y.iloc[pos + 1]) / 2)
    # three missing months (1964-02..04): equally spaced between Jan and May 1964
    jan, may = y["1964-01-01"], y["1964-05-01"]
    np.testing.assert_allclose(y["1964-02-01":"1964-04-01"], jan + (may - jan) * np.arange(1, 4) / 4)


def test_elnino_row_major():
    y = load_elnino()
    assert y["1951-01-01"] == 24.19 and y["1950-12-01"] == 21.80


def test_load_dataset_bad_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown dataset 'airline'.*'co2'.*'nile'"):
        load_dataset("airline")
    with pytest.raises(TypeError, match="name must be a str"):
        load_dataset(3)
