"""Conformal prediction intervals for any forecaster.

Split conformal prediction with a rolling calibration window, generic over
every forecaster that follows the :class:`~rnnforecast.forecasting.base.BaseForecaster`
contract: the calibration uses only ``sklearn.base.clone``, ``fit(y, X)`` and
``predict(h, X=..., y=new_history)``.

How it works
------------
Let ``n = len(y)`` and ``C = n_windows + h - 1``.  A clone of the forecaster
(same parameters, hence the same ``random_state``) is fitted on the first
``n - C`` observations.  From each of the ``n_windows`` origins
``t = n - C, ..., n - h`` it forecasts ``h`` steps from the history ``y[:t]``
(no refit), and the absolute errors ``|y[t + j] - f_j|`` are the *scores*
(:func:`conformal_scores`).  The interval for a coverage ``c`` is the point
forecast ``+- Q_j``, where ``Q_j`` is the ``ceil((m + 1) c)``-th smallest of the
``m = n_windows`` scores of horizon step ``j`` (:func:`conformal_quantile`):
the finite-sample split-conformal quantile.  Its coverage guarantee holds
when calibration and future errors are exchangeable (a stationary process
and a model that does not drift); the windows overlap and are serially
dependent, so in practice the guarantee is approximate.

Several series (a panel) can share one calibration: :func:`scaled_pool`
divides each series' scores by a per-series scale and pools them ("locally
weighted" conformal); the interval of series ``i`` is then
``forecast_i +- q * scale_i`` with ``q = conformal_quantile(pooled, c)``.

:class:`ConformalIntervalMixin` adds ``predict_interval`` and
``predict_quantiles`` to a forecaster fitted on one (possibly multivariate)
series.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from rnnforecast.utils.validation import check_coverage as _check_coverage
from rnnforecast.utils.validation import check_horizon, future_index

__all__ = [
    "DEFAULT_CONFORMAL_WINDOWS",
    "ConformalIntervalMixin",
    "conformal_quantile",
    "conformal_scores",
    "min_calibration_size",
    "scaled_pool",
]

#: Number of calibration windows of :class:`ConformalIntervalMixin` when the
#: forecaster has no ``conformal_windows`` parameter (or it is None).
DEFAULT_CONFORMAL_WINDOWS = 50

# Relative slack of the conformal rank: (n + 1) * coverage is an integer more
# often than floating point says (e.g. 10 * (2 * 0.95 - 1)), and the rank must
# not jump by one because of a rounding error in the last bit.
_RANK_SLACK = 1e-9


# ----------------------------------------------------------------- validation
def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int >= {minimum}; got {value!r} of type "
            f"{type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value}.")
    return int(value)


def _check_levels(quantiles: Any, name: str = "quantiles") -> list[float]:
    """Quantile levels: non-empty, 1-D, real, strictly inside (0, 1), strictly increasing."""
    if isinstance(quantiles, (str, bytes)) or np.ndim(quantiles) != 1:
        raise ValueError(
            f"{name} must be a non-empty 1-D sequence of floats strictly between 0 "
            f"and 1, e.g. (0.05, 0.5, 0.95); got {quantiles!r}."
        )
    levels = [_check_coverage(q, name=f"every element of {name}") for q in quantiles]
    if not levels:
        raise ValueError(f"{name} must not be empty; got {quantiles!r}.")
    if any(b <= a for a, b in zip(levels, levels[1:])):
        raise ValueError(
            f"{name} must be sorted in increasing order without duplicates; got "
            f"{levels}."
        )
    return levels


def _rank(n: int, coverage: float) -> int:
    """The 1-based conformal rank ``ceil((n + 1) * coverage)``."""
    x = (n + 1) * coverage
    return max(1, math.ceil(x - _RANK_SLACK * x))


def min_calibration_size(coverage: float) -> int:
    """Smallest number of scores for which the conformal quantile exists.

    Parameters
    ----------
    coverage : float
        Nominal coverage, strictly between 0 and 1.

    Returns
    -------
    n_min : int
        The least ``n`` with ``ceil((n + 1) * coverage) <= n``, i.e.
        ``ceil(1 / (1 - coverage)) - 1`` (e.g. 9 for 0.9, 19 for 0.95).

    Examples
    --------
    >>> from rnnforecast.forecasting.intervals import min_calibration_size
    >>> min_calibration_size(0.9), min_calibration_size(0.95), min_calibration_size(0.5)
    (9, 19, 1)
    """
    c = _check_coverage(coverage)
    n = max(1, math.ceil(c / (1.0 - c) * (1 - _RANK_SLACK)))
    while _rank(n, c) > n:
        n += 1
    while n > 1 and _rank(n - 1, c) <= n - 1:
        n -= 1
    return n


def _too_few(n: int, coverage: float, windows_name: str) -> ValueError:
    n_min = min_calibration_size(coverage)
    return ValueError(
        f"{n} calibration score(s) are too few for coverage={coverage}: the "
        f"conformal quantile is the ceil((n+1)*coverage)-th smallest of the n "
        f"scores, which needs n >= {n_min}. Use {windows_name} >= {n_min} "
        "calibration windows, or a lower coverage."
    )


# ----------------------------------------------------------------- slicing
def _is_pandas(a: Any) -> bool:
    return isinstance(a, (pd.Series, pd.DataFrame))


def _head(a: Any, stop: int) -> Any:
    """The first ``stop`` rows (positional for pandas)."""
    return a.iloc[:stop] if _is_pandas(a) else a[:stop]


def _as_rows(values: Any, h: int) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(h, -1)


def _min_histories(forecaster: Any) -> int:
    """Observations the clone needs: to be fitted, and to forecast from a history."""
    fit_min = int(forecaster._min_history()) if hasattr(forecaster, "_min_history") else 1
    pred_min = (int(forecaster._min_predict_history())
                if hasattr(forecaster, "_min_predict_history") else fit_min)
    return max(fit_min, pred_min, 1)


# ----------------------------------------------------------------- functions
def conformal_scores(
    forecaster: Any, y: Any, X: Any = None, *, h: int, n_windows: int
) -> np.ndarray:
    """Absolute forecast errors of a clone over a rolling calibration window.

    Parameters
    ----------
    forecaster : BaseForecaster
        Any forecaster of the :mod:`rnnforecast` contract; it is not modified
        (a clone with the same parameters is fitted).
    y : array-like of shape (n,) or (n, k), Series or DataFrame
        The series (the forecaster's training data, typically).
    X : array-like of shape (n + ..., m), DataFrame or None, default=None
        Exogenous regressors aligned with ``y`` (only for forecasters that use
        them and can forecast from a new history with regressors).
    h : int
        Forecast horizon (>= 1).
    n_windows : int
        Number of calibration origins (>= 1).

    Returns
    -------
    scores : ndarray of shape (n_windows, h, k), float64
        ``scores[w, j, c] = |y[t_w + j, c] - f_{w, j, c}|`` for the origins
        ``t_w = n - C + w`` with ``C = n_windows + h - 1``: the clone is fitted
        on ``y[:n - C]`` and forecasts from the history ``y[:t_w]`` with
        ``predict(h, y=y[:t_w], X=X[:t_w + h])`` (no refit).  ``k`` is 1 for a
        1-D series.

    Raises
    ------
    ValueError
        If ``y`` is shorter than the clone's minimum history plus ``C`` (the
        message gives the number needed), or a calibration forecast is not
        finite.
    TypeError
        If ``h`` or ``n_windows`` is not an int.

    Examples
    --------
    A naive (last value) forecast of a trend misses by 1 at step 1 and by 2
    at step 2, from every origin:

    >>> import numpy as np
    >>> from rnnforecast.baselines import NaiveForecaster
    >>> from rnnforecast.forecasting.intervals import conformal_scores
    >>> scores = conformal_scores(NaiveForecaster(), np.arange(20.0), h=2, n_windows=5)
    >>> scores.shape
    (5, 2, 1)
    >>> scores[0, :, 0]
    array([1., 2.])
    """
    return _scores(forecaster, y, X, h=h, n_windows=n_windows, windows_name="n_windows")


def _scores(forecaster, y, X, *, h, n_windows, windows_name):
    h = check_horizon(h)
    n_windows = _check_int(windows_name, n_windows, 1)
    if not _is_pandas(y):
        y = np.asarray(y)
    if X is not None and not _is_pandas(X):
        X = np.asarray(X)
    n = len(y)
    C = n_windows + h - 1
    m = _min_histories(forecaster)
    if n < m + C:
        who = " ".join(repr(forecaster).split())
        raise ValueError(
            f"y has {n} observations but conformal calibration with h={h} and "
            f"{windows_name}={n_windows} needs at least {m + C}: {m} (the minimum "
            f"history of {who}) + {C} ({windows_name} + h - 1 calibration points). "
            f"Lower {windows_name} (or h), or use a longer series."
        )
    n_fit = n - C
    model = clone(forecaster)
    model.fit(_head(y, n_fit), None if X is None else _head(X, n_fit))
    scores = None
    for w in range(n_windows):
        t = n_fit + w
        pred = model.predict(h, y=_head(y, t), X=None if X is None else _head(X, t + h))
        pred = _as_rows(pred, h)
        truth = _as_rows(y.iloc[t:t + h] if _is_pandas(y) else y[t:t + h], h)
        if scores is None:
            scores = np.empty((n_windows, h, pred.shape[1]))
        err = np.abs(truth - pred)
        if not np.isfinite(err).all():
            raise ValueError(
                f"The calibration forecast of {type(forecaster).__name__} from origin "
                f"{t} (window {w} of {n_windows}) is not finite; conformal scores "
                "need finite forecasts."
            )
        scores[w] = err
    return scores


def conformal_quantile(scores: Any, coverage: float) -> np.ndarray:
    """Finite-sample split-conformal quantile of calibration scores.

    Parameters
    ----------
    scores : array-like of shape (n, ...)
        ``n`` finite calibration scores per position (e.g. the output of
        :func:`conformal_scores`, shape (n_windows, h, k)).
    coverage : float
        Nominal coverage, strictly between 0 and 1.

    Returns
    -------
    q : ndarray of shape scores.shape[1:], float64
        Per position, the ``ceil((n + 1) * coverage)``-th smallest of the
        ``n`` scores (the rank is computed with a relative slack of 1e-9, so
        that a product that is an integer up to rounding is not bumped up).
        ``forecast +- q`` then covers a new exchangeable error with
        probability at least ``coverage``.

    Raises
    ------
    ValueError
        If ``scores`` is empty, not finite, or ``n`` is too small for the
        coverage (``n < ceil(1 / (1 - coverage)) - 1``).

    Examples
    --------
    Ten scores for each of two horizon steps; with ``coverage=0.8`` the
    quantile is the ``ceil(11 * 0.8) = 9``-th smallest of each column:

    >>> import numpy as np
    >>> from rnnforecast.forecasting.intervals import conformal_quantile
    >>> scores = np.arange(1.0, 21.0).reshape(10, 2)
    >>> conformal_quantile(scores, 0.8)
    array([17., 18.])
    >>> conformal_quantile(scores, 0.95)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: 10 calibration score(s) are too few for coverage=0.95: ...
    """
    coverage = _check_coverage(coverage)
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim < 1 or s.shape[0] == 0:
        raise ValueError(
            f"scores must have at least one calibration score along axis 0; got "
            f"shape {s.shape}."
        )
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite; got NaN or infinite values.")
    n = s.shape[0]
    r = _rank(n, coverage)
    if r > n:
        raise _too_few(n, coverage, "n_windows (calibration)")
    return np.partition(s, r - 1, axis=0)[r - 1]


def scaled_pool(scores_list: Sequence[Any], scales: Sequence[Any]) -> np.ndarray:
    """Pool the calibration scores of many series after dividing by their scales.

    "Locally weighted" conformal prediction for a panel: series ``i``'s scores
    are divided by its positive scale ``s_i`` (e.g. the in-sample MAE of a
    naive forecast, or the series' standard deviation), so that the pooled
    scores are comparable.  With ``q = conformal_quantile(pooled, coverage)``
    the interval of series ``i`` is ``forecast_i +- q * s_i``.

    Parameters
    ----------
    scores_list : sequence of array-like, each of shape (n_i, ...)
        Calibration scores per series; all must have the same trailing shape
        (e.g. (h,) or (h, k)).
    scales : sequence of float or array-like
        One positive finite scale per series: a scalar, or an array
        broadcastable to that series' trailing shape (e.g. one per column).

    Returns
    -------
    pooled : ndarray of shape (sum_i n_i, ...), float64
        The normalised scores, series after series.

    Raises
    ------
    ValueError
        If the lists are empty or of different lengths, a scale is not
        positive and finite or does not broadcast, or the trailing shapes
        differ.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.forecasting.intervals import conformal_quantile, scaled_pool
    >>> pooled = scaled_pool([np.array([1.0, 2.0]), np.array([10.0, 30.0, 20.0])],
    ...                      scales=[1.0, 10.0])
    >>> pooled
    array([1., 2., 1., 3., 2.])
    >>> float(conformal_quantile(pooled, 0.5))  # half-width of series i: q * scales[i]
    2.0
    """
    if isinstance(scores_list, np.ndarray) and scores_list.dtype != object:
        raise TypeError(
            "scores_list must be a sequence of per-series score arrays (a list); "
            f"got a single ndarray of shape {scores_list.shape}."
        )
    scores_list = list(scores_list)
    scales = list(np.atleast_1d(scales)) if isinstance(scales, np.ndarray) else list(scales)
    if not scores_list:
        raise ValueError("scores_list must hold the scores of at least one series; got none.")
    if len(scales) != len(scores_list):
        raise ValueError(
            f"scales must have one entry per series: {len(scores_list)} score arrays "
            f"but {len(scales)} scales."
        )
    pooled, trailing = [], None
    for i, (sc, scale) in enumerate(zip(scores_list, scales)):
        s = np.asarray(sc, dtype=np.float64)
        if s.ndim < 1 or not np.isfinite(s).all():
            raise ValueError(
                f"scores_list[{i}] must be a finite array of shape (n_i, ...); got "
                f"shape {s.shape}" + ("" if s.ndim < 1 else " with NaN or infinite values") + "."
            )
        if trailing is None:
            trailing = s.shape[1:]
        elif s.shape[1:] != trailing:
            raise ValueError(
                f"scores_list[{i}] has trailing shape {s.shape[1:]}, but "
                f"scores_list[0] has {trailing}; every series needs the same horizon "
                "and columns."
            )
        a = np.asarray(scale, dtype=np.float64)
        if not (np.isfinite(a).all() and (a > 0).all()):
            raise ValueError(
                f"scales[{i}] must be positive and finite; got {scale!r}."
            )
        try:
            a = np.broadcast_to(a, s.shape[1:])
        except ValueError:
            raise ValueError(
                f"scales[{i}] of shape {a.shape} does not broadcast to the trailing "
                f"shape {s.shape[1:]} of scores_list[{i}]."
            ) from None
        pooled.append(s / a)
    return np.concatenate(pooled, axis=0)


# ----------------------------------------------------------------- the mixin
class ConformalIntervalMixin:
    """Conformal ``predict_interval`` / ``predict_quantiles`` for a forecaster.

    Put it first among the bases of a :class:`~rnnforecast.forecasting.base.BaseForecaster`
    subclass (``class MyForecaster(ConformalIntervalMixin, LSTMForecaster)``).
    The forecaster must be fitted on one (possibly multivariate) series.

    Calibration
        On the first interval request after a fit, :func:`conformal_scores`
        is run on the training data the forecaster keeps (a clone with the
        same parameters is fitted on all but the last
        ``conformal_windows + h - 1`` observations) for the requested ``h``.
        The number of windows is ``self.conformal_windows`` when the class has
        that parameter (or attribute) and it is not None, else
        :data:`DEFAULT_CONFORMAL_WINDOWS` (50).  The same ``random_state``
        gives the same scores, hence identical intervals.
    Cache
        The scores are kept in the fitted attribute ``conformal_scores_``
        (ndarray (n_windows, h, k)) and reused for any horizon up to the
        largest requested so far; a larger ``h`` recalibrates.  The cache is
        keyed by the identity of the training arrays of the fit
        (``self._y_fit_``/``self._X_fit_``, which every ``fit`` replaces; the
        cache holds references to them, so an identity cannot be recycled)
        and by the number of windows: a refit, or a change of
        ``conformal_windows``, recalibrates on the next request.  Until then
        ``conformal_scores_`` still holds the previous fit's scores.
        Changing other parameters with ``set_params`` without refitting does
        not invalidate it.  Because ``C`` grows with ``h``, a calibration for a
        larger ``h`` fits its clone on a shorter prefix: the intervals for a
        given ``h`` can differ slightly depending on whether a larger one was
        requested before.  Request the largest horizon first when the results
        must not depend on the order of the calls.
    New histories
        With ``y=`` (a new history), the stored scores are reused around the
        point forecast from that history.

    Examples
    --------
    The neural forecasters inherit it (through
    :class:`~rnnforecast.forecasting._neural_intervals.NeuralIntervalMixin`):

    >>> import numpy as np
    >>> from rnnforecast import LSTMForecaster
    >>> from rnnforecast.forecasting.intervals import ConformalIntervalMixin
    >>> issubclass(LSTMForecaster, ConformalIntervalMixin)
    True
    >>> y = 10 + np.sin(np.arange(60) * 2 * np.pi / 12)
    >>> f = LSTMForecaster(window_length=6, hidden_size=4, max_iter=2, n_jobs=1,
    ...                    random_state=0, conformal_windows=20).fit(y)
    >>> interval = f.predict_interval(3)  # columns: lower, upper
    >>> interval.shape, bool((interval[:, 0] < interval[:, 1]).all())
    ((3, 2), True)
    >>> f.conformal_scores_.shape  # (conformal_windows, h, n_series)
    (20, 3, 1)
    """

    # ------------------------------------------------------------ internals
    def _conformal_n_windows(self) -> int:
        value = getattr(self, "conformal_windows", None)
        if value is None:
            return DEFAULT_CONFORMAL_WINDOWS
        return _check_int("conformal_windows", value, 1)

    def _conformal_training_data(self) -> tuple[Any, Any]:
        """The training ``y``/``X`` in the kind given to ``fit``."""
        info = self._y_info_
        y = self._y_fit_
        if info.is_pandas:
            if info.ndim == 1:
                y = pd.Series(y[:, 0], index=info.index, name=info.name)
            else:
                y = pd.DataFrame(y, index=info.index, columns=info.columns)
        elif info.ndim == 1:
            y = y[:, 0]
        X = self._X_fit_
        columns = getattr(self, "_X_columns_", None)
        if X is not None and columns is not None:
            X = pd.DataFrame(X, index=info.index if info.is_pandas else None, columns=columns)
        return y, X

    def _conformal_calibration(self, h: int) -> np.ndarray:
        """Scores (n_windows, h, k) for the current fit, computed or from the cache."""
        n_windows = self._conformal_n_windows()
        cache = self.__dict__.get("_conformal_cache_")
        if (cache is not None and cache["y_fit"] is self._y_fit_
                and cache["X_fit"] is self._X_fit_ and cache["n_windows"] == n_windows
                and cache["h"] >= h):
            return cache["scores"][:, :h]
        y, X = self._conformal_training_data()
        scores = _scores(self, y, X, h=h, n_windows=n_windows, windows_name="conformal_windows")
        self.conformal_scores_ = scores
        self._conformal_cache_ = {"y_fit": self._y_fit_, "X_fit": self._X_fit_,
                                  "n_windows": n_windows, "h": h, "scores": scores}
        return scores

    def _check_enough_windows(self, coverage: float) -> None:
        n_windows = self._conformal_n_windows()
        if _rank(n_windows, coverage) > n_windows:
            raise _too_few(n_windows, coverage, "conformal_windows")

    def _format_bands(self, bands: list, labels: list, info: Any, cutoff: Any, h: int) -> Any:
        """Stack (h, k) arrays into the interval/quantile output formats."""
        train = self._y_info_
        k = train.n_columns
        stacked = np.stack([np.asarray(b, dtype=np.float64).reshape(h, k) for b in bands],
                           axis=-1)
        if not train.is_pandas:
            return stacked[:, 0, :] if train.ndim == 1 else stacked
        index = future_index(info, h, cutoff)
        if train.ndim == 1:
            return pd.DataFrame(stacked[:, 0, :], index=index, columns=list(labels))
        columns = pd.MultiIndex.from_product([list(train.columns), list(labels)])
        return pd.DataFrame(stacked.reshape(h, k * len(labels)), index=index, columns=columns)

    # ------------------------------------------------------------ public API
    def predict_interval(self, h: int, coverage: float = 0.9, X: Any = None, y: Any = None) -> Any:
        """Conformal prediction interval for the next ``h`` steps.

        Parameters
        ----------
        h : int
            Number of steps ahead (>= 1).
        coverage : float, default=0.9
            Nominal probability that the interval contains the future value,
            strictly between 0 and 1.  Needs at least
            ``ceil(1 / (1 - coverage)) - 1`` calibration windows (9 for 0.9,
            19 for 0.95, 99 for 0.99).
        X : array-like or DataFrame, default=None
            Future exogenous regressors, exactly as for ``predict``.
        y : array-like or pandas object, default=None
            A new history to forecast from without refitting, as for
            ``predict``; the calibration scores of the fit are reused.

        Returns
        -------
        interval : ndarray or DataFrame
            The point forecast ``+- Q_j`` (:func:`conformal_quantile` of the
            step-``j`` scores, per series):

            * 1-D numpy ``y`` at fit: ndarray of shape (h, 2), columns
              ``[lower, upper]``;
            * 2-D numpy ``y``: ndarray of shape (h, n_series, 2);
            * pandas Series: DataFrame indexed by the next ``h`` periods with
              columns ``["lower", "upper"]``;
            * pandas DataFrame: DataFrame with MultiIndex columns
              ``(series, "lower"/"upper")``.

        Raises
        ------
        ValueError
            For an invalid ``coverage``, too few calibration windows for it,
            or a training series too short for the calibration.
        """
        check_is_fitted(self, "_y_info_")
        h = check_horizon(h)
        coverage = _check_coverage(coverage)
        self._check_enough_windows(coverage)
        record, (info, cutoff) = self._predict_array(h, X, y)
        point = record.mean
        q = conformal_quantile(self._conformal_calibration(h)[:, :h], coverage)
        return self._format_bands([point - q, point + q], ["lower", "upper"], info, cutoff, h)

    def predict_quantiles(
        self, h: int, quantiles: Sequence[float] = (0.05, 0.5, 0.95), X: Any = None,
        y: Any = None,
    ) -> Any:
        """Quantile forecasts from the symmetric conformal bands.

        The level ``q < 0.5`` is the lower end of the central interval of
        coverage ``1 - 2q`` (``point - Q_{1-2q}``), ``q > 0.5`` the upper end
        of the one of coverage ``2q - 1`` (``point + Q_{2q-1}``), and
        ``q = 0.5`` the point forecast.

        Parameters
        ----------
        h : int
            Number of steps ahead (>= 1).
        quantiles : sequence of float, default=(0.05, 0.5, 0.95)
            Levels strictly between 0 and 1, in increasing order, no
            duplicates.
        X : array-like or DataFrame, default=None
            Future exogenous regressors, exactly as for ``predict``.
        y : array-like or pandas object, default=None
            A new history to forecast from without refitting.

        Returns
        -------
        quantiles : ndarray or DataFrame
            * 1-D numpy ``y`` at fit: ndarray (h, Q);
            * 2-D numpy ``y``: ndarray (h, n_series, Q);
            * pandas Series: DataFrame with columns ``"q0.05"``, ``"q0.5"``...
              (``"q" + repr(level)``);
            * pandas DataFrame: MultiIndex columns ``(series, "q0.05")``...

        Raises
        ------
        ValueError
            For invalid levels, too few calibration windows for the most
            extreme level, or a training series too short for the calibration.
        """
        check_is_fitted(self, "_y_info_")
        h = check_horizon(h)
        levels = _check_levels(quantiles)
        coverages = [abs(2.0 * q - 1.0) for q in levels if q != 0.5]
        if coverages:
            self._check_enough_windows(max(coverages))
        record, (info, cutoff) = self._predict_array(h, X, y)
        point = record.mean
        scores = self._conformal_calibration(h)[:, :h] if coverages else None
        bands = []
        for q in levels:
            if q < 0.5:
                bands.append(point - conformal_quantile(scores, 1.0 - 2.0 * q))
            elif q > 0.5:
                bands.append(point + conformal_quantile(scores, 2.0 * q - 1.0))
            else:
                bands.append(point)
        labels = [f"q{q!r}" for q in levels]
        return self._format_bands(bands, labels, info, cutoff, h)
