"""Forecast accuracy metrics, the M4 Naive2 benchmark and scikit-learn scorers.

All point metrics take ``y_true`` and ``y_pred`` of the same shape, either
``(h,)`` (one series) or ``(h, k)`` (``k`` series / output columns, scored
column by column and then averaged unless ``multioutput="raw_values"``).
Inputs may be lists, NumPy arrays or pandas Series/DataFrames; pandas inputs
are used positionally (their index is ignored).  Values must be real numbers
and finite: NaN or infinity raises a :class:`ValueError` naming the argument.
Every metric is computed in a scaled space (:mod:`rnnforecast.utils.scaled`:
exact power-of-two scaling), so finite inputs anywhere in the float64 range
(``1e308`` or ``1e-300``) give finite, correct values; a result that truly does
not fit in float64 raises a :class:`ValueError` instead of returning ``inf``.

Definitions follow the M4 competition (Makridakis, Spiliotis and
Assimakopoulos, 2020, and the organisers' published evaluation code):

* ``sMAPE = 200/h * sum |y - yhat| / (|y| + |yhat|)`` -- on the 0--200 scale.
  A term with ``y = yhat = 0`` is defined as 0 (a perfect forecast); the M4
  code would produce NaN there.
* ``MASE = mean|y - yhat| / mean_{t>s}|y_t - y_{t-s}|`` where the denominator
  is the in-sample MAE of the seasonal-naive method with seasonal period
  ``s = seasonal_period`` computed on the training series.
* ``OWA = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2`` where each of the
  four quantities is first averaged over all series (and horizons) of the
  subset, and only then are the ratios taken.

``mean_absolute_percentage_error`` is also reported in percent (0--100 * ...),
unlike :func:`sklearn.metrics.mean_absolute_percentage_error` which returns a
fraction.

Scorers
-------
:func:`make_forecast_scorer` builds callables usable as ``scoring=`` in
:class:`~sklearn.model_selection.GridSearchCV` with rnnforecast forecasters.
scikit-learn fits ``est.fit(y_train[, X_train])`` (the series plays the role
of sklearn's ``X``; exogenous regressors, if any, play the role of sklearn's
``y``) and then calls ``scorer(est, y_test)`` -- or ``scorer(est, y_test,
X_test)`` when exogenous data were passed.  The scorer forecasts
``len(y_test)`` steps after the end of the training series, so the CV
splitter must produce test blocks that start right after the training block
(:class:`~sklearn.model_selection.TimeSeriesSplit` with ``gap=0``).
Ready-made scorers: ``neg_mae_scorer``, ``neg_rmse_scorer``,
``neg_smape_scorer`` and ``neg_mase_scorer`` (MASE scaled with ``seasonal_period=1``).

Examples
--------
>>> import numpy as np
>>> from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
>>> from rnnforecast.baselines import NaiveForecaster
>>> from rnnforecast.metrics import neg_mase_scorer
>>> y = np.sin(np.arange(96) * 2 * np.pi / 12) + np.arange(96) / 24
>>> search = GridSearchCV(NaiveForecaster(seasonal_period=12),
...                       {"strategy": ["last", "drift", "seasonal_last"]},
...                       cv=TimeSeriesSplit(n_splits=3, test_size=12),
...                       scoring=neg_mase_scorer).fit(y)
>>> search.best_params_
{'strategy': 'seasonal_last'}
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Literal

import numpy as np

from rnnforecast.utils.scaled import halve_pair, normalise, restore, safe_difference, safe_mean
from rnnforecast.utils.validation import check_int

__all__ = [
    "mean_absolute_error",
    "root_mean_squared_error",
    "mean_absolute_percentage_error",
    "symmetric_mean_absolute_percentage_error",
    "mean_absolute_scaled_error",
    "naive2_forecast",
    "seasonality_test",
    "overall_weighted_average",
    "make_forecast_scorer",
    "neg_mae_scorer",
    "neg_rmse_scorer",
    "neg_smape_scorer",
    "neg_mase_scorer",
    "METRICS",
]

Multioutput = Literal["uniform_average", "raw_values"]


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------
def _to_float_array(a: Any, name: str) -> np.ndarray:
    """Convert ``a`` to a float64 ndarray of ndim 1 or 2, refusing non-numbers."""
    if hasattr(a, "to_numpy") and not isinstance(a, np.ndarray):
        a = a.to_numpy()
    try:
        arr = np.asarray(a)
    except Exception as exc:  # pragma: no cover - exotic inputs
        raise TypeError(f"{name} must be array-like of real numbers; got {type(a).__name__}") from exc
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{name} must contain real numbers (int or float dtype); got dtype {arr.dtype}"
        )
    if arr.ndim == 0:
        raise ValueError(f"{name} must be 1-D (h,) or 2-D (h, k); got a scalar")
    if arr.ndim > 2:
        raise ValueError(f"{name} must be 1-D (h,) or 2-D (h, k); got shape {arr.shape}")
    arr = arr.astype(np.float64, copy=False)
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must not be empty; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        n_bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} contains {n_bad} NaN or infinite value(s); all values must be finite")
    return arr


def _check_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    yt = _to_float_array(y_true, "y_true")
    yp = _to_float_array(y_pred, "y_pred")
    if yt.ndim == 2 and yp.ndim == 1 and yt.shape[1] == 1:
        yp = yp[:, None]
    elif yt.ndim == 1 and yp.ndim == 2 and yp.shape[1] == 1:
        yt = yt[:, None]
    if yt.shape != yp.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape; got y_true {yt.shape} and y_pred {yp.shape}"
        )
    if yt.ndim == 1:
        yt, yp = yt[:, None], yp[:, None]
    return yt, yp


def _check_multioutput(multioutput: str) -> None:
    if multioutput not in ("uniform_average", "raw_values"):
        raise ValueError(
            f"multioutput must be 'uniform_average' or 'raw_values'; got {multioutput!r}"
        )


def _reduce(per_column: np.ndarray, multioutput: str) -> float | np.ndarray:
    if multioutput == "raw_values":
        return per_column
    return float(safe_mean(per_column))


def _scaled_mean(v: np.ndarray, k: np.ndarray | int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Column means of ``v * 2**k`` as ``(m, e)``: the means are ``m * 2**e``, ``m`` finite."""
    u, e = normalise(v, k, axis=0)
    return np.mean(u, axis=0), e[0]


def _mean_abs_error(yt: np.ndarray, yp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column means of ``|yt - yp|`` as ``(m, e)`` (see :func:`_scaled_mean`); never overflows."""
    d, k = safe_difference(yt, yp)
    return _scaled_mean(np.abs(d), k)


# ---------------------------------------------------------------------------
# point metrics
# ---------------------------------------------------------------------------
def mean_absolute_error(
    y_true: Any, y_pred: Any, *, multioutput: Multioutput = "uniform_average"
) -> float | np.ndarray:
    """Mean absolute error ``mean|y_true - y_pred|``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (h,) or (h, k)
        Observed and forecast values (real, finite).
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"
        Average the per-column errors, or return them as an array of shape (k,).

    Returns
    -------
    float or ndarray of shape (k,)

    Examples
    --------
    >>> from rnnforecast.metrics import mean_absolute_error
    >>> mean_absolute_error([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])
    0.5
    >>> mean_absolute_error([[1, 10], [2, 20]], [[2, 10], [2, 22]], multioutput="raw_values")
    array([0.5, 1. ])
    """
    _check_multioutput(multioutput)
    yt, yp = _check_pair(y_true, y_pred)
    mae, e = _mean_abs_error(yt, yp)
    return _reduce(restore(mae, e, "the MAE"), multioutput)


def root_mean_squared_error(
    y_true: Any, y_pred: Any, *, multioutput: Multioutput = "uniform_average"
) -> float | np.ndarray:
    """Root mean squared error ``sqrt(mean((y_true - y_pred)**2))``, per column.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (h,) or (h, k)
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray of shape (k,)

    Examples
    --------
    >>> from rnnforecast.metrics import root_mean_squared_error
    >>> root_mean_squared_error([0.0, 0.0], [3.0, 4.0])  # sqrt((9 + 16) / 2)
    3.5355339059327378
    """
    _check_multioutput(multioutput)
    yt, yp = _check_pair(y_true, y_pred)
    d, k = safe_difference(yt, yp)
    u, e = normalise(d, k, axis=0)
    return _reduce(restore(np.sqrt(np.mean(u * u, axis=0)), e[0], "the RMSE"), multioutput)


def mean_absolute_percentage_error(
    y_true: Any, y_pred: Any, *, multioutput: Multioutput = "uniform_average"
) -> float | np.ndarray:
    """Mean absolute percentage error ``100 * mean|y_true - y_pred| / |y_true|``.

    Returned in percent (unlike scikit-learn's function, which returns a
    fraction).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (h,) or (h, k)
        ``y_true`` must contain no zeros.
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray of shape (k,)

    Raises
    ------
    ValueError
        If ``y_true`` contains a zero (the percentage error is undefined).

    Examples
    --------
    >>> from rnnforecast.metrics import mean_absolute_percentage_error
    >>> mean_absolute_percentage_error([100.0, 200.0], [110.0, 180.0])  # percent
    10.0
    """
    _check_multioutput(multioutput)
    yt, yp = _check_pair(y_true, y_pred)
    n_zero = int(np.count_nonzero(yt == 0.0))
    if n_zero:
        raise ValueError(
            f"y_true contains {n_zero} zero value(s); MAPE is undefined there "
            "(use symmetric_mean_absolute_percentage_error or mean_absolute_scaled_error)"
        )
    d, k = safe_difference(yt, yp)
    with np.errstate(over="ignore"):
        ratio = np.abs(d) / np.abs(yt)
    if not np.isfinite(ratio).all():
        raise ValueError(
            "MAPE is too large to be represented in float64: an error |y_true - y_pred| is "
            "more than 1.8e308 times |y_true| (y_true is nearly 0 there); use "
            "symmetric_mean_absolute_percentage_error or mean_absolute_scaled_error"
        )
    m, e = _scaled_mean(ratio, k)
    return _reduce(restore(100.0 * m, e, "the MAPE"), multioutput)


def symmetric_mean_absolute_percentage_error(
    y_true: Any, y_pred: Any, *, multioutput: Multioutput = "uniform_average"
) -> float | np.ndarray:
    """sMAPE on the 0--200 scale (M4 definition).

    ``sMAPE = 200/h * sum_t |y_t - yhat_t| / (|y_t| + |yhat_t|)``.  A term with
    ``y_t = yhat_t = 0`` counts as 0.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (h,) or (h, k)
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray of shape (k,)
        Between 0 and 200.

    Examples
    --------
    >>> from rnnforecast.metrics import symmetric_mean_absolute_percentage_error
    >>> round(symmetric_mean_absolute_percentage_error([100.0, 200.0], [110.0, 180.0]), 4)
    10.0251
    >>> symmetric_mean_absolute_percentage_error([1.0], [-1.0])  # the maximum
    200.0
    """
    _check_multioutput(multioutput)
    yt, yp = _check_pair(y_true, y_pred)
    a, b, _ = halve_pair(yt, yp)  # the ratio is unchanged by the halving
    num = np.abs(a - b)
    den = np.abs(a) + np.abs(b)
    ratio = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return _reduce(200.0 * np.mean(ratio, axis=0), multioutput)


def _seasonal_naive_scale(y_train: np.ndarray, period: int) -> tuple[np.ndarray, np.ndarray]:
    """In-sample MAE of the seasonal-naive method per column, as ``(s, e)`` (MAE = ``s * 2**e``)."""
    return _mean_abs_error(y_train[period:], y_train[:-period])


def mean_absolute_scaled_error(
    y_true: Any,
    y_pred: Any,
    y_train: Any,
    seasonal_period: int = 1,
    *,
    multioutput: Multioutput = "uniform_average",
) -> float | np.ndarray:
    """Mean absolute scaled error (M4 definition).

    ``MASE = mean_t|y_t - yhat_t| / ( 1/(n-s) * sum_{t=s+1}^{n} |x_t - x_{t-s}| )``
    where ``x`` is the training series of length ``n`` and ``s = seasonal_period``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (h,) or (h, k)
    y_train : array-like of shape (n,) or (n, k)
        In-sample (training) series, with the same number of columns as
        ``y_true``; ``n`` must exceed ``seasonal_period``.
    seasonal_period : int, default=1
        Seasonal period of the naive scaling forecast (1 = plain naive).
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"

    Returns
    -------
    float or ndarray of shape (k,)

    Raises
    ------
    ValueError
        If ``y_train`` is not longer than ``seasonal_period``, or if the scale
        is zero (a training series that repeats itself exactly every
        ``seasonal_period`` steps).

    Examples
    --------
    The naive in-sample error of ``[1, 2, 4, 7]`` is ``mean(1, 2, 3) = 2``:

    >>> from rnnforecast.metrics import mean_absolute_scaled_error
    >>> mean_absolute_scaled_error([8.0, 9.0], [7.0, 7.0], y_train=[1.0, 2.0, 4.0, 7.0])
    0.75
    """
    _check_multioutput(multioutput)
    period = check_int(seasonal_period, "seasonal_period")
    yt, yp = _check_pair(y_true, y_pred)
    ytr = _to_float_array(y_train, "y_train")
    if ytr.ndim == 1:
        ytr = ytr[:, None]
    if ytr.shape[1] != yt.shape[1]:
        raise ValueError(
            f"y_train must have the same number of columns as y_true; got {ytr.shape[1]} and {yt.shape[1]}"
        )
    if ytr.shape[0] <= period:
        raise ValueError(
            f"y_train must be longer than seasonal_period={period}; "
            f"got {ytr.shape[0]} observations"
        )
    scale, e_scale = _seasonal_naive_scale(ytr, period)
    if np.any(scale == 0.0):
        cols = np.flatnonzero(scale == 0.0).tolist()
        raise ValueError(
            f"MASE scale is zero for column(s) {cols}: y_train is exactly periodic with "
            f"seasonal_period={period}, "
            "so the seasonal-naive in-sample error is 0 and MASE is undefined"
        )
    mae, e_mae = _mean_abs_error(yt, yp)
    mase = restore(
        mae / scale, e_mae - e_scale, "MASE",
        hint="The forecast errors are that many times the in-sample naive error of y_train.",
    )
    return _reduce(mase, multioutput)


# ---------------------------------------------------------------------------
# M4 Naive2
# ---------------------------------------------------------------------------
def _acf(x: np.ndarray, nlags: int) -> np.ndarray:
    """Biased sample autocorrelations r_1..r_nlags (denominator n, mean removed)."""
    d = x - x.mean()
    denom = float(np.dot(d, d))
    if denom == 0.0:
        return np.zeros(nlags)
    return np.array([np.dot(d[k:], d[:-k]) / denom for k in range(1, nlags + 1)])


def seasonality_test(y: Any, seasonal_period: int) -> bool:
    """M4 seasonality test (90 % one-sided, as in the M4 benchmark code).

    With ``m = seasonal_period``, the series is declared seasonal when
    ``n >= 3m``, ``m > 1`` and
    ``|r_m| > 1.645 * sqrt((1 + 2 * sum_{k=1}^{m-1} r_k**2) / n)``, where
    ``r_k`` is the biased sample autocorrelation at lag ``k``.

    The organisers' R code takes ``r_m`` from R's ``acf`` with its default
    ``lag.max = 10*log10(n)``, so it silently answers "not seasonal" whenever
    ``m > 10*log10(n)`` (e.g. ``m = 24`` and ``n < 252``).  This function does
    not reproduce that artefact; for the M4 Hourly series (``n >= 700``) the
    two agree.

    Parameters
    ----------
    y : array-like of shape (n,)
    seasonal_period : int
        Seasonal period ``m``.

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.metrics import seasonality_test
    >>> t = np.arange(120)
    >>> seasonality_test(10 + np.sin(2 * np.pi * t / 12), seasonal_period=12)
    True
    >>> seasonality_test(np.random.default_rng(0).standard_normal(120), seasonal_period=12)
    False
    """
    m = check_int(seasonal_period, "seasonal_period")
    x = _to_float_array(y, "y")
    if x.ndim != 1:
        raise ValueError(f"y must be 1-D; got shape {x.shape}")
    n = x.shape[0]
    if m == 1 or n < 3 * m:
        return False
    r = _acf(normalise(x, axis=None)[0], m)  # scale-invariant; normalised so nothing overflows
    limit = 1.645 * np.sqrt((1.0 + 2.0 * np.sum(r[: m - 1] ** 2)) / n)
    return bool(abs(r[m - 1]) > limit)


def _multiplicative_seasonal_indices(x: np.ndarray, m: int) -> np.ndarray:
    """Classical multiplicative decomposition: seasonal index per phase (mod m), mean 1."""
    n = x.shape[0]
    if m % 2 == 0:
        w = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        w = np.ones(m) / m
    half = (len(w) - 1) // 2
    trend = np.full(n, np.nan)
    trend[half : n - half] = np.convolve(x, w, mode="valid")
    ratio = x / trend
    phase = np.arange(n) % m
    idx = np.array([np.nanmean(ratio[phase == j]) for j in range(m)])
    return idx / idx.mean()


def naive2_forecast(y_train: Any, h: int, seasonal_period: int) -> np.ndarray:
    """M4 "Naive2": naive forecast of the seasonally adjusted series.

    With ``m = seasonal_period``: if :func:`seasonality_test` finds the series
    seasonal (``n >= 3m``), seasonal indices are estimated by classical
    multiplicative decomposition (centred
    ``2 x m`` moving average for even ``m``, plain ``m``-term average for odd
    ``m``; index of phase ``j`` = mean of ``y_t / trend_t`` over ``t = j mod m``,
    normalised to mean 1).  The last seasonally adjusted value is carried
    forward and re-seasonalised.  Otherwise the plain naive (last value)
    forecast is returned.  Phases are counted from the first observation.

    Parameters
    ----------
    y_train : array-like of shape (n,)
        Training series (finite; strictly positive when seasonal).
    h : int
        Forecast horizon (>= 1).
    seasonal_period : int
        Seasonal period ``m`` (1 = non-seasonal).

    Returns
    -------
    ndarray of shape (h,), dtype float64

    Raises
    ------
    ValueError
        If the series is found seasonal but has non-positive values (the
        multiplicative decomposition is then undefined).

    Examples
    --------
    A non-seasonal series gets the last value; a seasonal one the seasonal
    pattern around the last adjusted level:

    >>> import numpy as np
    >>> from rnnforecast.metrics import naive2_forecast
    >>> naive2_forecast([3.0, 1.0, 4.0, 1.0, 5.0], h=3, seasonal_period=1)
    array([5., 5., 5.])
    >>> y = 10 + np.tile([1.0, -1.0, 2.0, -2.0], 6)
    >>> naive2_forecast(y, h=4, seasonal_period=4).round(2)
    array([11.,  9., 12.,  8.])
    """
    h = check_int(h, "h")
    m = check_int(seasonal_period, "seasonal_period")
    x = _to_float_array(y_train, "y_train")
    if x.ndim != 1:
        raise ValueError(f"y_train must be 1-D; got shape {x.shape}")
    n = x.shape[0]
    if not seasonality_test(x, m):
        return np.full(h, x[-1])
    if np.any(x <= 0):
        raise ValueError(
            "y_train is seasonal but contains non-positive values; Naive2's multiplicative "
            "decomposition needs strictly positive data"
        )
    xs, e = normalise(x, axis=None)  # computed in a scaled space, mapped back at the end
    si = _multiplicative_seasonal_indices(xs, m)
    level = xs[-1] / si[(n - 1) % m]
    return restore(level * si[(n + np.arange(h)) % m], e, "the Naive2 forecast")


def overall_weighted_average(
    smape: Any, mase: Any, smape_naive2: Any, mase_naive2: Any
) -> float:
    """M4 Overall Weighted Average (OWA) relative to Naive2.

    ``OWA = (mean(smape) / mean(smape_naive2) + mean(mase) / mean(mase_naive2)) / 2``.

    Each argument may be a scalar or an array of per-series (or per-series-and-
    horizon) values; arrays are averaged over the whole subset first and the
    ratios are taken afterwards, as in the M4 competition.

    Parameters
    ----------
    smape, mase : float or array-like
        sMAPE and MASE of the method.
    smape_naive2, mase_naive2 : float or array-like
        sMAPE and MASE of Naive2 on the same series.

    Returns
    -------
    float

    Examples
    --------
    Half of Naive2's sMAPE and the same MASE give an OWA of 0.75:

    >>> from rnnforecast.metrics import overall_weighted_average
    >>> overall_weighted_average(smape=5.0, mase=1.2, smape_naive2=10.0, mase_naive2=1.2)
    0.75
    """
    means = {}
    for name, v in (
        ("smape", smape),
        ("mase", mase),
        ("smape_naive2", smape_naive2),
        ("mase_naive2", mase_naive2),
    ):
        arr = np.atleast_1d(_scalar_or_array(v, name))
        means[name] = float(safe_mean(arr))
    for name in ("smape_naive2", "mase_naive2"):
        if means[name] <= 0:
            raise ValueError(f"{name} must average to a positive number; got {means[name]}")
    with np.errstate(over="ignore"):
        r_smape = means["smape"] / means["smape_naive2"]
        r_mase = means["mase"] / means["mase_naive2"]
        owa = 0.5 * (r_smape + r_mase)
        if not np.isfinite(owa):  # the sum overflowed: halve first
            owa = 0.5 * r_smape + 0.5 * r_mase
    if not np.isfinite(owa):
        raise ValueError(
            "OWA is too large to be represented in float64: sMAPE/sMAPE_Naive2 = "
            f"{r_smape:.3g} and MASE/MASE_Naive2 = {r_mase:.3g}; check that smape_naive2 "
            "and mase_naive2 are the Naive2 values of the same series"
        )
    return float(owa)


def _scalar_or_array(v: Any, name: str) -> np.ndarray:
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        arr = np.asarray([float(v)])
        if not np.isfinite(arr[0]):
            raise ValueError(f"{name} must be finite; got {v}")
        return arr
    arr = _to_float_array(v, name)
    return arr.ravel()


# ---------------------------------------------------------------------------
# scorers
# ---------------------------------------------------------------------------
METRICS: dict[str, Callable[..., Any]] = {
    "mae": mean_absolute_error,
    "rmse": root_mean_squared_error,
    "mape": mean_absolute_percentage_error,
    "smape": symmetric_mean_absolute_percentage_error,
    "mase": mean_absolute_scaled_error,
}
"""Metric short names accepted by :func:`make_forecast_scorer` and the backtester."""


def _training_series(estimator: Any) -> np.ndarray:
    """Return the training target a fitted forecaster keeps, as a float array."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    # BaseForecaster keeps its (n, k) training history behind ``_history()``
    getter = getattr(estimator, "_history", None)
    if callable(getter):
        return getter()
    for attr in ("y_train_", "_y_train_", "_y_fit_"):
        if hasattr(estimator, attr):
            return getattr(estimator, attr)
    raise TypeError(
        f"{type(estimator).__name__} does not expose its training series; "
        "MASE scoring needs a forecaster that keeps its training history"
    )


def _as_2d_values(a: Any, name: str) -> np.ndarray:
    """Validated (real, finite, non-empty) values as a 2-D float64 array; nothing coerced."""
    arr = _to_float_array(a, name)
    return arr[:, None] if arr.ndim == 1 else arr


class _ForecastScorer:
    """Callable ``scorer(estimator, y_true, X=None) -> float`` (see :func:`make_forecast_scorer`)."""

    def __init__(
        self,
        metric: Callable[..., Any],
        sign: int,
        needs_y_train: bool,
        kwargs: dict[str, Any],
        name: str,
    ) -> None:
        self.metric = metric
        self.sign = sign
        self.needs_y_train = needs_y_train
        self.kwargs = kwargs
        self.name = name

    def __call__(self, estimator: Any, y_true: Any, X: Any = None) -> float:
        yt = _as_2d_values(y_true, "y_true")  # the scorer forecasts len(y_true) steps
        n = yt.shape[0]
        y_pred = estimator.predict(n) if X is None else estimator.predict(n, X=X)
        yp = _as_2d_values(y_pred, "y_pred (the forecasts)")
        if self.needs_y_train:
            y_train = _as_2d_values(_training_series(estimator), "y_train (the training series)")
            value = self.metric(yt, yp, y_train, **self.kwargs)
        else:
            value = self.metric(yt, yp, **self.kwargs)
        return self.sign * float(value)

    def __repr__(self) -> str:
        kw = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"make_forecast_scorer({self.name!r}, greater_is_better={self.sign > 0}{kw})"


def make_forecast_scorer(
    metric: str | Callable[..., Any],
    greater_is_better: bool = False,
    *,
    needs_y_train: bool | None = None,
    **metric_kwargs: Any,
) -> Callable[..., float]:
    """Build a scikit-learn compatible scorer for forecasters.

    The returned callable has signature ``scorer(estimator, y_true, X=None)``:
    it calls ``estimator.predict(len(y_true))`` (``predict(len(y_true), X=X)``
    when exogenous data are given), evaluates ``metric(y_true, y_pred, ...)``
    and returns it, negated when ``greater_is_better`` is False, so that
    larger is always better as :class:`~sklearn.model_selection.GridSearchCV`
    expects.

    Parameters
    ----------
    metric : {"mae", "rmse", "mape", "smape", "mase"} or callable
        Metric name (see :data:`METRICS`) or a function
        ``metric(y_true, y_pred, **metric_kwargs)`` (or
        ``metric(y_true, y_pred, y_train, **metric_kwargs)`` when
        ``needs_y_train``), taking arrays of shape (h, k).
    greater_is_better : bool, default=False
        Whether a larger metric value is better.
    needs_y_train : bool or None, default=None
        Whether the metric also needs the forecaster's training series (as
        MASE does).  None means True for ``"mase"`` and False otherwise.
    **metric_kwargs
        Extra keyword arguments for the metric (e.g. ``seasonal_period=24`` for MASE).

    Returns
    -------
    callable
        ``scorer(estimator, y_true, X=None) -> float``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.baselines import NaiveForecaster
    >>> from rnnforecast.metrics import make_forecast_scorer
    >>> y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    >>> scorer = make_forecast_scorer("mae")
    >>> model = NaiveForecaster().fit(y[:4])     # forecasts 4.0, 4.0
    >>> scorer(model, y[4:])                     # -MAE: larger is better
    -1.5
    """
    if isinstance(metric, str):
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {sorted(METRICS)} or a callable; got {metric!r}")
        name = metric
        if needs_y_train is None:
            needs_y_train = metric == "mase"
        func = METRICS[metric]
    elif callable(metric):
        name = getattr(metric, "__name__", repr(metric))
        func = metric
        needs_y_train = bool(needs_y_train)
    else:
        raise TypeError(f"metric must be a str or a callable; got {type(metric).__name__}")
    if not isinstance(greater_is_better, bool):
        raise TypeError(f"greater_is_better must be a bool; got {type(greater_is_better).__name__}")
    return _ForecastScorer(func, 1 if greater_is_better else -1, needs_y_train, metric_kwargs, name)


neg_mae_scorer = make_forecast_scorer("mae")
"""Scorer returning ``-MAE`` of a ``len(y_test)``-step forecast."""
neg_rmse_scorer = make_forecast_scorer("rmse")
"""Scorer returning ``-RMSE`` of a ``len(y_test)``-step forecast."""
neg_smape_scorer = make_forecast_scorer("smape")
"""Scorer returning ``-sMAPE`` (0--200 scale) of a ``len(y_test)``-step forecast."""
neg_mase_scorer = make_forecast_scorer("mase", seasonal_period=1)
"""Scorer returning ``-MASE`` (scaled by the in-sample naive MAE, ``seasonal_period=1``);
use ``make_forecast_scorer("mase", seasonal_period=24)`` (say) for seasonal scaling."""
