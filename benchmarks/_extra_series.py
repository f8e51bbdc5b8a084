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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Horizon per pandas frequency prefix (M4: quarterly 8, yearly 6, weekly 13).
_HORIZON = {"QS": 8, "YS": 6, "W": 13}


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


def extra_series(names: str = "all") -> dict:
    """``{name: (series, horizon)}`` of the extra set (``names``: 'all' or comma-separated).

    Raises ValueError naming the unknown names.
    """
    every = _series()
    if names != "all":
        wanted = [x.strip() for x in names.split(",") if x.strip()]
        bad = [x for x in wanted if x not in every]
        if bad:
            raise ValueError(f"unknown extra series {bad}; valid names are {', '.join(every)}")
        every = {k: every[k] for k in wanted}
    out = {}
    for name, y in every.items():
        if not np.isfinite(y.to_numpy()).all():
            raise ValueError(f"extra series {name} has NaN or infinite values")
        prefix = y.index.freqstr.split("-")[0]
        out[name] = (y, _HORIZON[prefix])
    return out
