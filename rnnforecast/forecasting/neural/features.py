"""Input features of the neural forecasters: scaling and calendar.

A global forecaster trains one network on windows drawn from every series of
a panel.  This module holds the feature parts that do not depend on the
estimator (the windows are in :mod:`rnnforecast.forecasting.neural.windows`):

* :func:`series_scale`: per-series centre and scale (standard, robust,
  mean-abs), so that series of very different levels train together;
* :func:`calendar_matrix`: sin/cos encodings of calendar positions of a time
  index (hour of day, day of week...);
* :func:`channel_scales`: :func:`series_scale` of every column;
* :class:`Collection`: the series a network is fitted on or forecasts, one
  series being a collection of one (a single fit path and forecast path);
* :class:`ForecastInputs`: a collection's scaled history and per-row
  features, ready for the networks, and the scales that undo the scaling;
* :func:`hashable`: whether a series id can key the per-series tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

__all__ = ["CALENDAR_FEATURES", "Collection", "ForecastInputs", "calendar_matrix",
           "channel_scales", "hashable", "series_scale"]

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
        A constant series (or a scale of 0) is scaled by ``min(1, |level|)``
        (1 for a level of 0).
    """
    center, scale = channel_scales(np.asarray(values, dtype=np.float64)[:, None], kind)
    return float(center[0]), float(scale[0])


def channel_scales(values: np.ndarray, kind: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Centre and scale of every column of ``values`` (n, c) for the scaler ``kind``.

    As :func:`series_scale` column by column (reductions along axis 0, so a
    multivariate series gets the numbers scikit-learn's scalers gave it).

    Returns
    -------
    center, scale : ndarray of shape (c,), float64
    """
    n_channels = values.shape[1]
    if kind is None:
        return np.zeros(n_channels), np.ones(n_channels)
    if kind == "standard":
        big = np.max(np.abs(values), axis=0)
        odd = (big > 0) & ~((1e-100 <= big) & (big <= 1e100))  # squares would under/overflow
        unit = np.where(odd, big, 1.0)
        u = values / unit
        center, scale = np.mean(u, axis=0) * unit, np.std(u, axis=0) * unit
    elif kind == "robust":
        q1, med, q3 = np.percentile(values, [25.0, 50.0, 75.0], axis=0)
        center, scale = med, q3 - q1
    elif kind == "mean_abs":
        center, scale = np.zeros(n_channels), np.mean(np.abs(values), axis=0)
    else:  # pragma: no cover - guarded by the parameter constraints
        raise ValueError(f"unknown scaler {kind!r}")
    # a scale of 0, or a constant column's spread (a rounding residue of the mean;
    # "mean_abs" keeps the level of a constant column), is replaced by
    # min(1, |level|); a robust IQR of 0 of a column that is not constant
    # (mostly one value) by its range
    spread = np.ptp(values, axis=0)
    level = np.abs(values[0])
    fallback = np.where(level > 0, np.minimum(level, 1.0), 1.0)
    if kind == "robust":
        fallback = np.where(spread > 0, spread, fallback)
    usable = (scale > 0) & ((spread > 0) | (kind == "mean_abs"))
    return np.asarray(center, dtype=np.float64), np.where(usable, scale, fallback)


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


def hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@dataclass
class Collection:
    """The series a network is fitted on or forecasts: one series or many.

    A single series (``kind="series"``, possibly multivariate: its columns
    are channels modelled jointly) is a collection of one, with the id 0.

    Attributes
    ----------
    ids : list
        Series identifiers (training keys of the per-series scales).
    values : list of ndarray of shape (n_i, c), float64
        Target channels of every series (``c = 1`` for a list or a long frame).
    infos : list of SeriesInfo
        Index information of every series (calendar features).
    exog : list of ndarray of shape (n_i, m), float64, or None
        All covariates (past-only and future-known) of every series.
    exog_columns : list or None
        Covariate names, if known.
    kind : {"series", "list", "long"}
        Where the series came from.
    """

    ids: list
    values: list
    infos: list
    exog: list | None
    exog_columns: Any
    kind: str

    @classmethod
    def from_series(cls, y: np.ndarray, X: np.ndarray | None, info: Any,
                    columns: Any = None) -> "Collection":
        """One series ``y`` (n, c) with covariates ``X`` (n, m) or None."""
        return cls(ids=[0], values=[y], infos=[info], exog=None if X is None else [X],
                   exog_columns=None if columns is None else list(columns), kind="series")

    @classmethod
    def from_panel(cls, panel: Any) -> "Collection":
        """The series of a :class:`~rnnforecast.utils.panel.Panel` (one channel each)."""
        return cls(ids=list(panel.ids), values=[v[:, None] for v in panel.values],
                   infos=list(panel.infos), exog=panel.exog, exog_columns=panel.exog_columns,
                   kind=panel.kind)

    @property
    def n_series(self) -> int:
        return len(self.ids)

    @property
    def n_exog(self) -> int:
        return 0 if self.exog is None else int(self.exog[0].shape[1])

    def subset(self, keep: list) -> "Collection":
        """The series ``keep`` (positions), same format."""
        return Collection(ids=[self.ids[i] for i in keep], values=[self.values[i] for i in keep],
                          infos=[self.infos[i] for i in keep],
                          exog=None if self.exog is None else [self.exog[i] for i in keep],
                          exog_columns=self.exog_columns, kind=self.kind)

    def labels(self) -> list:
        """Per target channel of every series, the name used in messages."""
        if self.kind == "series":
            return list(range(self.values[0].shape[1]))
        return [uid for uid, v in zip(self.ids, self.values) for _ in range(v.shape[1])]

    def channels(self) -> list:
        """Every target channel of every series, 1-D (in the order of :meth:`labels`)."""
        return [v[:, j] for v in self.values for j in range(v.shape[1])]


@dataclass
class ForecastInputs:
    """What the networks read to forecast a :class:`Collection`, built once per forecast.

    Attributes
    ----------
    hists : list of ndarray of shape (n_i, k_all), float64
        Scaled target channels (and past-only covariates) of every series.
    feats : list of ndarray of shape (n_i + n_extra, F_rest), float64
        Per-row features (future-known covariates, calendar, identity).
    lengths : list of int
        ``n_i``, the history length of every series.
    n_channels : int
        Target channels per series (the first ``n_channels`` of ``k_all``).
    labels : list
        Name of every target channel of every series, for messages.
    centers, scales : ndarray of shape (n_series, k_all), float64
        What :meth:`unscale` maps the network's scale back with.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.forecasting.neural.features import ForecastInputs
    >>> inputs = ForecastInputs(hists=[np.zeros((3, 1))], feats=[np.zeros((3, 0))],
    ...                         lengths=[3], n_channels=1, labels=[0],
    ...                         centers=np.array([[10.0]]), scales=np.array([[2.0]]))
    >>> inputs.unscale(np.ones((1, 2, 1, 1))).ravel().tolist()  # (S, h, k_all, Q)
    [12.0, 12.0]
    """

    hists: list
    feats: list
    lengths: list
    n_channels: int
    labels: list
    centers: np.ndarray
    scales: np.ndarray

    def unscale(self, out: np.ndarray) -> np.ndarray:
        """Forecasts ``(..., n_series, h, k_all, Q)`` on the scale of the series.

        Leading axes (e.g. one per ensemble member) are broadcast: each value
        is ``out * scale + center``, the same arithmetic for any number of them.
        """
        return out * self.scales[:, None, :, None] + self.centers[:, None, :, None]
