"""Point forecast accuracy metrics: MAE, RMSE, MAPE, sMAPE and MASE.

Inputs of shape ``(h,)`` or ``(h, k)``; see :mod:`rnnforecast.metrics` for
the definitions and conventions.  All arithmetic runs in an exactly scaled
space (:mod:`rnnforecast.utils.scaled`), so no metric overflows on finite data.
"""

from __future__ import annotations

from typing import Any, Callable, Literal

import numpy as np
import pandas as pd

from rnnforecast.utils._series_checks import check_array_like
from rnnforecast.utils.scaled import halve_pair, normalise, restore, safe_difference, safe_mean
from rnnforecast.utils.validation import check_int

__all__ = [
    "METRICS",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_absolute_scaled_error",
    "root_mean_squared_error",
    "symmetric_mean_absolute_percentage_error",
]

Multioutput = Literal["uniform_average", "raw_values"]


# ---------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------
def _to_float_array(a: Any, name: str) -> np.ndarray:
    """Convert ``a`` to a float64 ndarray of ndim 1 or 2, refusing non-numbers."""
    if hasattr(a, "to_numpy") and not isinstance(a, np.ndarray):
        a = a.to_numpy()
    a = check_array_like(a, name, ragged_hint="")
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


def _check_labels(y_true: Any, y_pred: Any) -> None:
    """Two pandas objects are compared row by row and column by column: their labels must agree.

    The values are compared by position, so a forecast indexed one period off
    (or with its columns in another order) would be scored against the wrong
    observations without a word.
    """
    if not (isinstance(y_true, (pd.Series, pd.DataFrame)) and isinstance(y_pred, (pd.Series, pd.DataFrame))):
        return
    if not y_true.index.equals(y_pred.index):
        raise ValueError(
            "y_true and y_pred are pandas objects with different indexes (the values are compared "
            f"row by row): y_true {_describe_index(y_true.index)}, y_pred {_describe_index(y_pred.index)}. "
            "Align them, e.g. y_pred.reindex(y_true.index), or pass arrays."
        )
    if isinstance(y_true, pd.DataFrame) and isinstance(y_pred, pd.DataFrame) \
            and not y_true.columns.equals(y_pred.columns):
        raise ValueError(
            "y_true and y_pred are DataFrames with different columns (compared column by column): "
            f"{list(y_true.columns)} and {list(y_pred.columns)}. Select the same columns in the same order."
        )


def _describe_index(index: pd.Index) -> str:
    if len(index) == 0:
        return "(empty)"
    return f"[{index[0]} .. {index[-1]}] ({len(index)} labels)"


def _check_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    _check_labels(y_true, y_pred)
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


METRICS: dict[str, Callable[..., Any]] = {
    "mae": mean_absolute_error,
    "rmse": root_mean_squared_error,
    "mape": mean_absolute_percentage_error,
    "smape": symmetric_mean_absolute_percentage_error,
    "mase": mean_absolute_scaled_error,
}
"""Metric short names accepted by :func:`make_forecast_scorer` and the backtester."""
