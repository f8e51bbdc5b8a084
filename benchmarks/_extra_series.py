"""A validation-only extra set of real series for the accuracy suite (``--extra``).

The bundled datasets are six series; rules tuned on them alone risk fitting
those six.  This set widens what the rules are checked on with real series
of other domains, frequencies and lengths that ship with statsmodels (so the
set is available offline), none of them a bundled dataset:

* ``macrodata`` (US, quarterly 1959-2009, 203 points): realcons, realinv,
  cpi, unemp, m1, tbilrate (realgdp is bundled, so it is left out);
* ``danish_data`` (Denmark, quarterly 1974-1987, 55 points: a short series):
  lrm, lry, lpy, ibo, ide;
* ``interest_inflation`` (Germany, quarterly 1972-1998, 107 points): Dp
  (inflation, with negative values), R;
* ``fertility`` (World Bank, yearly 1960-2011, 52 points): every 20th
  country with a complete record, in the file's order (10 series);
* ``strikes`` (yearly-like, 62 points): duration;
* ``co2`` weekly raw (Mauna Loa, 1958-2001, 2284 weeks; 59 missing weeks
  filled by linear interpolation): the last 520 weeks (ten years), so that a
  run stays affordable on the shared machine.

Horizons are the M4 ones of the frequency (quarterly 8, yearly 6, weekly
13); rolling origins take the last ``windows * h`` points of each series.
There is no test part: the set is never used for the final test look, only
to tune (so the whole series is used, not a validation cut).

A second family, ``--extra pmdarima`` (names ``pm_*``; pmdarima is in the
``bench`` extra), adds the classic series bundled with pmdarima, of
frequencies the first family lacks: half-hourly electricity demand
(``taylor``, its last six weeks, 2,016 points, period 48, h = 48), monthly
wine sales (``wineind``) and air passengers, monthly sunspots (the last 50
years, 600 points), quarterly wool production (``woolyrnq``), beer
production (``ausbeer``, its last value is missing in the source and is left
out) and Australian residents (``austres``), yearly lynx trappings (114
years), and two series without a calendar index: a heart rate (150 points,
h = 10) and Microsoft's daily closing price (the last 750 trading days,
h = 10; trading days are not a regular calendar, so no frequency).  The
monthly series get the M4 monthly horizon 18.  Groups: ``all`` (the
statsmodels family above, as before), ``pmdarima``, or both
(``all,pmdarima``); single names also work.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Horizon per pandas frequency prefix (M4: quarterly 8, yearly 6, weekly 13, monthly 18;
#: half-hourly: one day).
_HORIZON = {"QS": 8, "YS": 6, "W": 13, "MS": 18, "30min": 48}
#: Horizon of the series without a calendar index.
_NO_FREQ_HORIZON = 10
#: Groups of names accepted by :func:`extra_series`.
GROUPS = ("all", "pmdarima")


def _quarterly(frame: pd.DataFrame, start: str) -> pd.DatetimeIndex:
    return pd.date_range(start, periods=len(frame), freq="QS-JAN")


def _series() -> dict:
    import statsmodels.api as sm

    out = {}
    mac = sm.datasets.macrodata.load_pandas().data
    idx = _quarterly(mac, "1959-01-01")
    for col in ("realcons", "realinv", "cpi", "unemp", "m1", "tbilrate"):
        out[f"macro_{col}"] = pd.Series(mac[col].to_numpy(float), index=idx)
    dan = sm.datasets.danish_data.load_pandas().data
    for col in ("lrm", "lry", "lpy", "ibo", "ide"):
        out[f"danish_{col}"] = pd.Series(dan[col].to_numpy(float), index=_quarterly(dan, "1974-01-01"))
    ii = sm.datasets.interest_inflation.load_pandas().data
    for col in ("Dp", "R"):
        out[f"interest_{col}"] = pd.Series(ii[col].to_numpy(float), index=_quarterly(ii, "1972-04-01"))
    fert = sm.datasets.fertility.load_pandas().data
    years = [str(y) for y in range(1960, 2012)]
    full = fert.dropna(subset=years)
    yidx = pd.date_range("1960-01-01", periods=len(years), freq="YS-JAN")
    for _, row in full.iloc[::20].iterrows():
        out[f"fertility_{row['Country Code']}"] = pd.Series(row[years].to_numpy(float), index=yidx)
    st = sm.datasets.strikes.load_pandas().data
    out["strikes_duration"] = pd.Series(st["duration"].to_numpy(float),
                                        index=pd.date_range("1950-01-01", periods=len(st), freq="YS-JAN"))
    co2 = sm.datasets.co2.load_pandas().data["co2"].interpolate()
    out["co2_weekly"] = co2.iloc[-520:].astype(float)
    return out


def _pmdarima_series() -> dict:
    try:
        import pmdarima.datasets as pm
    except ImportError as exc:  # the bench extra
        raise ImportError("--extra pmdarima needs pmdarima: pip install -e '.[bench]'") from exc

    def dated(values, start, freq):
        values = np.asarray(values, dtype=float)
        return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq))

    beer = np.asarray(pm.load_ausbeer(), dtype=float)
    if np.isfinite(beer[:-1]).all() and not np.isfinite(beer[-1]):
        beer = beer[:-1]  # the source's last quarter is missing
    sun = np.asarray(pm.load_sunspots(), dtype=float)  # monthly from January 1749
    start = 1749 + (len(sun) - 600) // 12
    return {
        "pm_taylor": dated(pm.load_taylor()[-2016:], "2000-07-17", "30min"),
        "pm_wineind": dated(pm.load_wineind(), "1980-01-01", "MS"),
        "pm_airpassengers": dated(pm.load_airpassengers(), "1949-01-01", "MS"),
        "pm_sunspots_monthly": dated(sun[-600:], f"{start}-{(len(sun) - 600) % 12 + 1:02d}-01", "MS"),
        "pm_woolyrnq": dated(pm.load_woolyrnq(), "1965-01-01", "QS-JAN"),
        "pm_ausbeer": dated(beer, "1956-01-01", "QS-JAN"),
        "pm_austres": dated(pm.load_austres(), "1971-04-01", "QS-JAN"),
        "pm_lynx": dated(pm.load_lynx(), "1821-01-01", "YS-JAN"),
        "pm_heartrate": pd.Series(np.asarray(pm.load_heartrate(), dtype=float)),
        "pm_msft": pd.Series(pm.load_msft()["Close"].to_numpy(float)[-750:]),
    }


def horizon_of(y: pd.Series) -> int:
    """Horizon of an extra series: the M4 one of its frequency, 10 without a frequency."""
    freq = getattr(y.index, "freqstr", None)
    if freq is None:
        return _NO_FREQ_HORIZON
    return _HORIZON[freq if freq in _HORIZON else freq.split("-")[0]]


def extra_series(names: str = "all") -> dict:
    """``{name: (series, horizon)}`` of the extra set.

    ``names``: comma-separated groups (``all``: the statsmodels family, ``pmdarima``: the
    ``pm_*`` family) and single series names.  Raises ValueError naming the unknown names.
    """
    wanted = [x.strip() for x in names.split(",") if x.strip()]
    every = _series()
    if "pmdarima" in wanted or any(x.startswith("pm_") for x in wanted):
        every.update(_pmdarima_series())
    pm_names = [k for k in every if k.startswith("pm_")]
    chosen: list = []
    for x in wanted:
        group = ([k for k in every if not k.startswith("pm_")] if x == "all" else
                 pm_names if x == "pmdarima" else [x])
        bad = [k for k in group if k not in every]
        if bad:
            raise ValueError(f"unknown extra series {bad}; valid are the groups {', '.join(GROUPS)} "
                             f"and the names {', '.join(every)}")
        chosen.extend(k for k in group if k not in chosen)
    out = {}
    for name in chosen:
        y = every[name]
        if not np.isfinite(y.to_numpy()).all():
            raise ValueError(f"extra series {name} has NaN or infinite values")
        out[name] = (y, horizon_of(y))
    return out
