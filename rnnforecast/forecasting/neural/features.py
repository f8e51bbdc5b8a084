"""Input features of the neural forecasters: scaling and calendar.

A global forecaster trains one network on windows drawn from every series of
a panel.  This module holds the feature parts that do not depend on the
estimator (the windows are in :mod:`rnnforecast.forecasting.neural.windows`):

* :func:`series_scale`: per-series centre and scale (standard, robust,
  mean-abs), so that series of very different levels train together;
* :func:`calendar_matrix`: sin/cos encodings of calendar positions of a time
  index (hour of day, day of week...);
* :func:`fit_scaler`: the scikit-learn scaler of a single series' columns;
* :func:`hashable`: whether a series id can key the per-series tables.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.preprocessing import RobustScaler, StandardScaler

__all__ = ["CALENDAR_FEATURES", "calendar_matrix", "fit_scaler", "hashable", "series_scale"]

#: Calendar features and their periods (in units of the calendar field).
CALENDAR_FEATURES = {
    "hour": 24.0,
    "dayofweek": 7.0,
    "dayofmonth": 31.0,
    "month": 12.0,
    "dayofyear": 366.0,
}


def series_scale(values: np.ndarray, kind: str | None) -> tuple[float, float]:
    """Centre and scale of one series for the scaler ``kind``.

    Parameters
    ----------
    values : ndarray of shape (n,), float64
    kind : {"standard", "robust", "mean_abs"} or None
        ``"standard"``: mean and standard deviation; ``"robust"``: median and
        interquartile range; ``"mean_abs"``: no centring, mean absolute
        value (keeps the sign and the zero of the series: suited to
        positive series of very different levels); None: (0, 1).

    Returns
    -------
    center, scale : float
        A scale of 0 (a constant series) is replaced by ``min(1, |level|)``
        (1 for a level of 0), as for single series.
    """
    if kind is None:
        return 0.0, 1.0
    if kind == "standard":
        c = float(np.max(np.abs(values)))
        if c > 0 and not 1e-100 <= c <= 1e100:  # squares would under/overflow
            u = values / c
            center, scale = float(np.mean(u)) * c, float(np.std(u)) * c
        else:
            center, scale = float(np.mean(values)), float(np.std(values))
    elif kind == "robust":
        q1, med, q3 = np.percentile(values, [25.0, 50.0, 75.0])
        center, scale = float(med), float(q3 - q1)
    elif kind == "mean_abs":
        center, scale = 0.0, float(np.mean(np.abs(values)))
    else:  # pragma: no cover - guarded by the parameter constraints
        raise ValueError(f"unknown scaler {kind!r}")
    if not scale > 0:
        level = abs(float(values[0]))
        scale = min(level, 1.0) if level > 0 else 1.0
        if kind == "robust" and np.ptp(values) > 0:
            # IQR of 0 but not constant (mostly one value): use the range instead
            scale = float(np.ptp(values))
    return center, scale


def calendar_matrix(index: pd.Index, features: Sequence[str]) -> np.ndarray:
    """sin/cos encodings of calendar positions.

    Parameters
    ----------
    index : DatetimeIndex or PeriodIndex of length n
    features : sequence of str
        Names from :data:`CALENDAR_FEATURES`.

    Returns
    -------
    ndarray of shape (n, 2 * len(features)), float64
        For each feature, ``sin(2 pi v / period)`` and ``cos(...)``, with
        ``v`` the hour (0-23), day of week (0-6), day of month (0-30), month
        (0-11) or day of year (0-365).
    """
    if isinstance(index, pd.PeriodIndex):
        index = index.to_timestamp()
    idx = pd.DatetimeIndex(index)
    cols = []
    for f in features:
        if f == "hour":
            v = idx.hour.to_numpy()
        elif f == "dayofweek":
            v = idx.day_of_week.to_numpy()
        elif f == "dayofmonth":
            v = idx.day.to_numpy() - 1
        elif f == "month":
            v = idx.month.to_numpy() - 1
        else:
            v = idx.day_of_year.to_numpy() - 1
        angle = 2.0 * np.pi * v.astype(np.float64) / CALENDAR_FEATURES[f]
        cols.extend([np.sin(angle), np.cos(angle)])
    return np.column_stack(cols) if cols else np.empty((len(idx), 0))


def fit_scaler(kind: str | None, values: np.ndarray):
    """Fitted StandardScaler/RobustScaler (or None) for the columns of ``values``.

    scikit-learn scales a constant column by 1, so the network's small errors
    (around 0 on the scaled values) become forecast errors of the same
    absolute size: fine for a level of 5 or 1e9, not for a level of 1e-3.
    A column that takes a single value is therefore scaled by
    ``min(1, |value|)`` (1 if the value is 0) instead.
    """
    if kind is None:
        return None
    if kind == "mean_abs":
        scaler = StandardScaler(with_mean=False).fit(values)
        scaler.scale_ = np.mean(np.abs(values), axis=0)
        flat = ~(scaler.scale_ > 0)
        if flat.any():
            scaler.scale_ = np.where(flat, 1.0, scaler.scale_)
        return scaler
    scaler = StandardScaler() if kind == "standard" else RobustScaler()
    # squares under/overflow for magnitudes beyond ~1e+-154: such columns are
    # standardised in units of their largest value
    c = np.max(np.abs(values), axis=0)
    odd = (c > 0) & ((c < 1e-100) | (c > 1e100)) & (kind == "standard")
    if odd.any():
        unit = np.where(odd, c, 1.0)
        scaler.fit(values / unit)
        scaler.mean_, scaler.scale_ = scaler.mean_ * unit, scaler.scale_ * unit
    else:
        scaler.fit(values)
    flat = np.ptp(values, axis=0) == 0
    if flat.any():
        level = np.abs(values[0])
        fallback = np.where(level > 0, np.minimum(level, 1.0), 1.0)
        scaler.scale_ = np.where(flat, fallback, scaler.scale_)
    return scaler


def hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
