"""Building blocks of the global (many-series) neural forecasters.

A global forecaster trains one network on windows drawn from every series of
a panel.  This module holds the parts that do not depend on the estimator:

* :func:`series_scale`: per-series centre and scale (standard, robust,
  mean-abs), so that series of very different levels train together;
* :func:`calendar_matrix`: sin/cos encodings of calendar positions of a time
  index (hour of day, day of week...);
* :class:`WindowSampler`: the list of valid windows of all series (series
  of unequal lengths, no padding) and the construction of a mini-batch of
  windows on demand, so that the windows of a whole panel are never
  materialised at once (memory: the per-series feature rows plus one batch).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["CALENDAR_FEATURES", "WindowSampler", "calendar_matrix", "series_scale"]

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


class WindowSampler:
    """Windows of many series, built per mini-batch.

    Parameters
    ----------
    rows : list of ndarray of shape (n_i, F)
        Per series, the network input of every time step (network dtype).
    targets : list of ndarray of shape (n_i, c)
        Per series, the (scaled) values to predict (network dtype).
    window_length : int
        Time steps per window.
    steps : int
        Target steps after the window end (1 recursive, horizon direct).
    ends : list of ndarray of int64
        Per series, the time index of the last step of every usable window
        (``window_length - 1 <= t <= n_i - steps - 1``).

    Attributes
    ----------
    n_samples : int
        Total number of windows.
    """

    def __init__(self, rows: list, targets: list, window_length: int, steps: int, ends: list):
        self.rows = rows
        self.targets = targets
        self.window_length = int(window_length)
        self.steps = int(steps)
        self.ends = ends
        counts = np.array([len(e) for e in ends], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(counts)])
        self.n_samples = int(self.offsets[-1])
        # window number -> window end, for all series at once
        self._all_ends = (np.concatenate(ends).astype(np.int64) if self.n_samples
                          else np.empty(0, dtype=np.int64))
        self.n_features = int(rows[0].shape[1])
        self.n_outputs = int(targets[0].shape[1]) * self.steps
        self.dtype = rows[0].dtype

    def locate(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Series number and window end of the global window numbers ``idx``."""
        series = np.searchsorted(self.offsets, idx, side="right") - 1
        return series, self._all_ends[idx]

    def batch(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inputs ``(B, window_length, F)`` and targets ``(B, steps * c)`` of windows ``idx``."""
        idx = np.asarray(idx, dtype=np.int64)
        series, ends = self.locate(idx)
        w, k = self.window_length, self.steps
        X = np.empty((len(idx), w, self.n_features), dtype=self.dtype)
        Y = np.empty((len(idx), self.n_outputs), dtype=self.dtype)
        for b, (s, t) in enumerate(zip(series, ends)):
            X[b] = self.rows[s][t - w + 1:t + 1]
            Y[b] = self.targets[s][t + 1:t + 1 + k].reshape(-1)
        return X, Y

    def materialise(self) -> tuple[np.ndarray, np.ndarray]:
        """All windows at once (small validation sets only)."""
        return self.batch(np.arange(self.n_samples))
