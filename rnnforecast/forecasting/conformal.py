"""Split conformal prediction: calibration scores and their quantiles.

Generic over every forecaster that follows the
:class:`~rnnforecast.forecasting.base.BaseForecaster` contract: the calibration
uses only ``sklearn.base.clone``, ``fit(y, X)`` and
``predict(h, X=..., y=new_history)``.
:class:`~rnnforecast.forecasting.intervals.ConformalIntervalMixin` turns these
functions into ``predict_interval``/``predict_quantiles`` (the functions are
importable from :mod:`rnnforecast.forecasting.intervals` too).

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
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone

from rnnforecast.utils.validation import check_coverage, check_horizon, check_int

__all__ = [
    "calibration_fit",
    "conformal_quantile",
    "conformal_scores",
    "min_calibration_size",
    "scaled_pool",
]

# Relative slack of the conformal rank: (n + 1) * coverage is an integer more
# often than floating point says (e.g. 10 * (2 * 0.95 - 1)), and the rank must
# not jump by one because of a rounding error in the last bit.
_RANK_SLACK = 1e-9


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
    >>> from rnnforecast.forecasting.conformal import min_calibration_size
    >>> min_calibration_size(0.9), min_calibration_size(0.95), min_calibration_size(0.5)
    (9, 19, 1)
    """
    c = check_coverage(coverage)
    # _rank(n, c) - n never grows with n (the rank grows by c < 1 per score, then ceil), so
    # the least n with _rank(n, c) <= n is found by bisection: a step-by-step search from
    # the formula's n took ~1e9 steps for a coverage of 1 - 1e-10 (the slack's scale)
    hi = max(1, math.ceil(c / (1.0 - c)))
    while _rank(hi, c) > hi:
        hi *= 2
    lo = 0  # _rank(0, c) >= 1 > 0: the condition fails at lo, holds at hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _rank(mid, c) <= mid:
            hi = mid
        else:
            lo = mid
    return hi


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
    >>> from rnnforecast.forecasting.conformal import conformal_scores
    >>> scores = conformal_scores(NaiveForecaster(), np.arange(20.0), h=2, n_windows=5)
    >>> scores.shape
    (5, 2, 1)
    >>> scores[0, :, 0]
    array([1., 2.])
    """
    return _scores(forecaster, y, X, h=h, n_windows=n_windows, windows_name="n_windows")


def calibration_fit(model: Any, y: Any, X: Any, context: str) -> Any:
    """``model.fit(y, X)`` for a calibration; its warnings are re-issued with ``context``.

    The calibration clone sees only the start of the user's data, so a warning
    such as "the series has 17 observations" would otherwise speak of data
    the user never passed: each warning is repeated (same category) prefixed
    by ``context``, e.g. "predict_interval: calibration fit on the first 17
    of 84 observations".
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(y, X)
    for w in caught:
        warnings.warn(f"{context}: {w.message}", w.category, stacklevel=3)
    return model


def _scores(forecaster, y, X, *, h, n_windows, windows_name):
    h = check_horizon(h)
    n_windows = check_int(n_windows, windows_name)
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
    model = calibration_fit(clone(forecaster), _head(y, n_fit),
                            None if X is None else _head(X, n_fit),
                            f"predict_interval (h={h}): calibration fit on the first {n_fit} of "
                            f"{n} observations, {C} kept for the calibration forecasts")
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
    >>> from rnnforecast.forecasting.conformal import conformal_quantile
    >>> scores = np.arange(1.0, 21.0).reshape(10, 2)
    >>> conformal_quantile(scores, 0.8)
    array([17., 18.])
    >>> conformal_quantile(scores, 0.95)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: 10 calibration score(s) are too few for coverage=0.95: ...
    """
    coverage = check_coverage(coverage)
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
    >>> from rnnforecast.forecasting.conformal import conformal_quantile, scaled_pool
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
