"""Small example series that ship offline inside statsmodels.

Every loader returns a float64 :class:`pandas.Series` with a regular
:class:`pandas.DatetimeIndex` (``freq`` set, index named ``"date"``).  Nothing
is downloaded: the data come from the CSV files bundled with statsmodels
(checked against statsmodels 0.15).

``elec_equip`` lives in ``statsmodels.datasets.elec_equip`` but is not
re-exported as an attribute of :mod:`statsmodels.datasets`, so it is imported
as a submodule here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

__all__ = [
    "load_co2",
    "load_sunspots",
    "load_nile",
    "load_elnino",
    "load_elec_equip",
    "load_macrodata_realgdp",
    "load_dataset",
    "DatasetInfo",
    "DATASETS",
]


def _sm_frame(name: str) -> pd.DataFrame:
    module = importlib.import_module(f"statsmodels.datasets.{name}")
    return module.load_pandas().data


def _finish(values: np.ndarray, index: pd.DatetimeIndex, name: str) -> pd.Series:
    index = index.rename("date")
    y = pd.Series(np.asarray(values, dtype=np.float64), index=index, name=name)
    if y.index.freq is None:  # pragma: no cover - all loaders build regular indexes
        raise RuntimeError(f"internal error: {name} index has no frequency")
    return y


def load_co2() -> pd.Series:
    """Mauna Loa atmospheric CO2 (ppm), monthly, March 1958 -- December 2001.

    statsmodels ships *weekly* flask measurements (weeks ending Saturday, 59
    of 2284 missing).  They are averaged per calendar month (missing weeks
    ignored); the 5 months without any measurement are filled by linear
    interpolation in time between the neighbouring monthly means.

    Returns
    -------
    pandas.Series of shape (526,), float64, freq ``"MS"``; seasonal period 12.

    Examples
    --------
    >>> from rnnforecast.datasets import load_co2
    >>> y = load_co2()
    >>> y.shape, y.index.freqstr, y.name
    ((526,), 'MS', 'co2')
    >>> str(y.index[0].date()), str(y.index[-1].date())
    ('1958-03-01', '2001-12-01')
    """
    raw = _sm_frame("co2")["co2"]
    monthly = raw.resample("MS").mean()
    monthly = monthly.interpolate(method="linear")
    return _finish(monthly.to_numpy(), monthly.index, "co2")


def load_sunspots() -> pd.Series:
    """Yearly mean sunspot numbers (Wolfer/Zürich), 1700--2008.

    Returns
    -------
    pandas.Series of shape (309,), float64, freq ``"YS-JAN"``.  Non-seasonal in
    the calendar sense (period 1) but with a quasi-periodic ~11-year cycle.

    Examples
    --------
    >>> from rnnforecast.datasets import load_sunspots
    >>> y = load_sunspots()
    >>> y.shape, y.index.freqstr, y.name
    ((309,), 'YS-JAN', 'sunspots')
    >>> str(y.index[0].date()), str(y.index[-1].date())
    ('1700-01-01', '2008-01-01')
    """
    df = _sm_frame("sunspots")
    start = int(df["YEAR"].iloc[0])
    idx = pd.date_range(f"{start}-01-01", periods=len(df), freq="YS")
    return _finish(df["SUNACTIVITY"].to_numpy(), idx, "sunspots")


def load_nile() -> pd.Series:
    """Annual flow of the Nile at Aswan (10^8 m^3), 1871--1970.

    Returns
    -------
    pandas.Series of shape (100,), float64, freq ``"YS-JAN"``; seasonal period 1.

    Examples
    --------
    >>> from rnnforecast.datasets import load_nile
    >>> y = load_nile()
    >>> y.shape, y.index.freqstr, y.name
    ((100,), 'YS-JAN', 'nile')
    >>> str(y.index[0].date()), str(y.index[-1].date())
    ('1871-01-01', '1970-01-01')
    """
    df = _sm_frame("nile")
    start = int(df["year"].iloc[0])
    idx = pd.date_range(f"{start}-01-01", periods=len(df), freq="YS")
    return _finish(df["volume"].to_numpy(), idx, "nile")


def load_elnino() -> pd.Series:
    """Monthly sea-surface temperature (°C) of the El Niño region, 1950--2010.

    statsmodels stores one row per year and one column per month; the table is
    read row by row (January to December of each year) into one series.

    Returns
    -------
    pandas.Series of shape (732,), float64, freq ``"MS"``; seasonal period 12.

    Examples
    --------
    >>> from rnnforecast.datasets import load_elnino
    >>> y = load_elnino()
    >>> y.shape, y.index.freqstr, y.name
    ((732,), 'MS', 'elnino')
    >>> str(y.index[0].date()), str(y.index[-1].date())
    ('1950-01-01', '2010-12-01')
    """
    df = _sm_frame("elnino")
    months = [c for c in df.columns if c != "YEAR"]
    start = int(df["YEAR"].iloc[0])
    values = df[months].to_numpy(dtype=np.float64).reshape(-1)
    idx = pd.date_range(f"{start}-01-01", periods=values.shape[0], freq="MS")
    return _finish(values, idx, "elnino")


def load_elec_equip() -> pd.Series:
    """Euro-area new orders index for electrical equipment (2010 = 100), monthly, 1995-01 -- 2016-05.

    Returns
    -------
    pandas.Series of shape (257,), float64, freq ``"MS"``; seasonal period 12.

    Examples
    --------
    >>> from rnnforecast.datasets import load_elec_equip
    >>> y = load_elec_equip()
    >>> y.shape, y.index.freqstr, y.name
    ((257,), 'MS', 'elec_equip')
    >>> str(y.index[0].date()), str(y.index[-1].date())
    ('1995-01-01', '2016-05-01')
    """
    df = _sm_frame("elec_equip")
    col = df.columns[0]
    idx = pd.date_range(df.index[0], periods=len(df), freq="MS")
    if not (idx == pd.DatetimeIndex(df.index)).all():  # pragma: no cover - data guard
        raise RuntimeError("statsmodels elec_equip data is not a regular monthly series")
    return _finish(df[col].to_numpy(), idx, "elec_equip")


def load_macrodata_realgdp() -> pd.Series:
    """US real GDP (billions of chained 2005 dollars), quarterly, 1959Q1 -- 2009Q3.

    Returns
    -------
    pandas.Series of shape (203,), float64, freq ``"QS-JAN"``; seasonal period 4
    (the data are seasonally adjusted at source).

    Examples
    --------
    >>> from rnnforecast.datasets import load_macrodata_realgdp
    >>> y = load_macrodata_realgdp()
    >>> y.shape, y.index.freqstr, y.name
    ((203,), 'QS-JAN', 'realgdp')
    >>> str(y.index[0].date()), str(y.index[-1].date())
    ('1959-01-01', '2009-07-01')
    """
    df = _sm_frame("macrodata")
    year, quarter = int(df["year"].iloc[0]), int(df["quarter"].iloc[0])
    start = pd.Timestamp(year=year, month=3 * (quarter - 1) + 1, day=1)
    idx = pd.date_range(start, periods=len(df), freq="QS")
    return _finish(df["realgdp"].to_numpy(), idx, "realgdp")


@dataclass(frozen=True)
class DatasetInfo:
    """Registry entry for a bundled dataset.

    Attributes
    ----------
    loader : callable
        Zero-argument function returning the series.
    seasonal_period : int
        Conventional seasonal period (1 = none).
    frequency : str
        pandas frequency alias of the index.
    description : str
        One-line description.

    Examples
    --------
    >>> from rnnforecast.datasets import DATASETS
    >>> info = DATASETS["elec_equip"]
    >>> info.seasonal_period, info.frequency
    (12, 'MS')
    >>> len(info.loader())
    257
    """

    loader: Callable[[], pd.Series]
    seasonal_period: int
    frequency: str
    description: str


DATASETS: dict[str, DatasetInfo] = {
    "co2": DatasetInfo(load_co2, 12, "MS", "Mauna Loa CO2, weekly data averaged to monthly, 1958-2001"),
    "sunspots": DatasetInfo(load_sunspots, 1, "YS-JAN", "Yearly sunspot numbers 1700-2008 (~11-year cycle)"),
    "nile": DatasetInfo(load_nile, 1, "YS-JAN", "Annual Nile flow at Aswan 1871-1970"),
    "elnino": DatasetInfo(load_elnino, 12, "MS", "Monthly El Nino sea-surface temperature 1950-2010"),
    "elec_equip": DatasetInfo(load_elec_equip, 12, "MS", "Euro-area electrical equipment orders, monthly 1995-2016"),
    "macrodata_realgdp": DatasetInfo(load_macrodata_realgdp, 4, "QS-JAN", "US real GDP, quarterly 1959-2009"),
}
"""Name -> :class:`DatasetInfo` for every bundled series."""


def load_dataset(name: str) -> pd.Series:
    """Load a bundled series by name.

    Parameters
    ----------
    name : str
        One of the keys of :data:`DATASETS`.

    Returns
    -------
    pandas.Series
        float64 values with a regular DatetimeIndex.

    Raises
    ------
    ValueError
        If ``name`` is not a known dataset (the message lists the valid names).

    Examples
    --------
    >>> from rnnforecast.datasets import DATASETS, load_dataset
    >>> sorted(DATASETS)
    ['co2', 'elec_equip', 'elnino', 'macrodata_realgdp', 'nile', 'sunspots']
    >>> y = load_dataset("nile")
    >>> len(y), DATASETS["nile"].seasonal_period
    (100, 1)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str; got {type(name).__name__}")
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; valid names are {sorted(DATASETS)}")
    return DATASETS[name].loader()
