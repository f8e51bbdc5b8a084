"""Parameter validation shared by the whole package (ints, horizons, coverage, quantile
levels, lags, minimum history).

Every message names the parameter, what was expected and what was received.
Series parsing (:func:`check_series`, :func:`check_exog`, :class:`SeriesInfo`,
:func:`future_index`, :func:`steps_ahead`) lives in :mod:`rnnforecast.utils.series`
and is importable from here too.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from rnnforecast.utils.series import (  # re-exported: importable from here too
    ID_COL,
    TARGET_COL,
    TIME_COL,
    SeriesInfo,
    check_exog,
    check_series,
    future_index,
    steps_ahead,
)

__all__ = [
    "ID_COL",
    "TARGET_COL",
    "TIME_COL",
    "SeriesInfo",
    "check_coverage",
    "check_exog",
    "check_horizon",
    "check_int",
    "check_lags",
    "check_min_history",
    "check_quantile_levels",
    "check_series",
    "future_index",
    "steps_ahead",
]


def check_coverage(coverage: Any, name: str = "coverage") -> float:
    """Validate a nominal coverage (or a quantile level): a real number strictly in (0, 1).

    Parameters
    ----------
    coverage : float
    name : str, default="coverage"
        Parameter name for error messages.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        For a bool or a non-real value.
    ValueError
        Outside (0, 1), or NaN.

    Examples
    --------
    >>> from rnnforecast.utils.validation import check_coverage
    >>> check_coverage(0.9)
    0.9
    """
    if isinstance(coverage, (bool, np.bool_)) or not isinstance(coverage, numbers.Real):
        raise TypeError(
            f"{name} must be a float strictly between 0 and 1; got {coverage!r} "
            f"of type {type(coverage).__name__}."
        )
    c = float(coverage)
    if not 0.0 < c < 1.0:  # also refuses NaN
        raise ValueError(f"{name} must be a float strictly between 0 and 1; got {c}.")
    return c


def check_horizon(h: Any, *, name: str = "h") -> int:
    """Validate a forecast horizon.

    Parameters
    ----------
    h : int
        Number of steps to forecast (Python or numpy integer, >= 1).
    name : str, default="h"
        Parameter name for error messages.

    Returns
    -------
    h : int

    Raises
    ------
    TypeError
        If ``h`` is not an integer (bools and floats, even ``3.0``, are
        refused).
    ValueError
        If ``h < 1``.
    """
    if isinstance(h, (bool, np.bool_)) or not isinstance(h, numbers.Integral):
        raise TypeError(
            f"{name} must be a positive integer (number of steps to forecast); "
            f"got {h!r} of type {type(h).__name__}."
        )
    if h < 1:
        raise ValueError(
            f"{name} must be a positive integer (number of steps to forecast); "
            f"got {int(h)}."
        )
    return int(h)


def check_min_history(
    n: int, min_n: int, *, who: str, name: str = "y", what: str = "needs"
) -> None:
    """Refuse a history shorter than ``min_n`` observations.

    Parameters
    ----------
    n : int
        Number of observations received.
    min_n : int
        Minimum number required.
    who : str
        Description of the estimator (e.g. its repr).
    name : str, default="y"
        Parameter name.
    what : str, default="needs"
        Verb phrase, e.g. ``"needs"`` or ``"needs to forecast from"``.
    """
    if n < min_n:
        raise ValueError(
            f"{name} has {n} observations but {who} {what} at least {min_n}."
        )


def check_int(value: Any, name: str, minimum: int = 1, *, allow_none: bool = False) -> int | None:
    """An int parameter ``>= minimum`` (bools refused), or None when ``allow_none``.

    Examples
    --------
    >>> from rnnforecast.utils.validation import check_int
    >>> check_int(3, "n_windows")
    3
    >>> check_int(0, "n_windows")
    Traceback (most recent call last):
        ...
    ValueError: n_windows must be an int >= 1; got 0
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int >= {minimum}{' or None' if allow_none else ''}; "
            f"got {value!r} of type {type(value).__name__}"
        )
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {int(value)}")
    return int(value)


def check_quantile_levels(levels: Any, name: str = "quantiles") -> np.ndarray:
    """Quantile levels: a non-empty 1-D sequence of finite floats in (0, 1), strictly increasing.

    Returns
    -------
    ndarray of shape (Q,), float64, a new C-contiguous array.

    Examples
    --------
    >>> from rnnforecast.utils.validation import check_quantile_levels
    >>> check_quantile_levels([0.1, 0.5, 0.9])
    array([0.1, 0.5, 0.9])
    >>> check_quantile_levels([0.5, 0.1])
    Traceback (most recent call last):
        ...
    ValueError: quantiles must be strictly increasing (sorted in increasing order without duplicates); got [0.5, 0.1].
    """
    shape_text = (f"{name} must be a non-empty 1-D sequence of floats strictly between 0 and 1, "
                  "e.g. (0.05, 0.5, 0.95)")
    if isinstance(levels, (str, bytes)):
        raise TypeError(f"{shape_text}; got {levels!r} (a string).")
    arr = np.asarray(levels)
    if arr.ndim != 1:
        raise ValueError(f"{shape_text}; got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty: a non-empty 1-D sequence of floats strictly "
                         f"between 0 and 1 is needed; got {levels!r}.")
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers: every element of {name} must be a float "
                        f"strictly between 0 and 1; got {levels!r} (dtype {arr.dtype}).")
    arr = np.array(arr, dtype=np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"every element of {name} must be finite, a float strictly between 0 "
                         f"and 1; got {arr.tolist()}.")
    if not ((arr > 0.0) & (arr < 1.0)).all():
        raise ValueError(f"every element of {name} must be a float strictly between 0 and 1; "
                         f"got {arr.tolist()}.")
    if arr.size > 1 and not (np.diff(arr) > 0).all():
        raise ValueError(f"{name} must be strictly increasing (sorted in increasing order without "
                         f"duplicates); got {arr.tolist()}.")
    return arr


def check_lags(lags: Any, *, name: str = "lags", int_means: str = "one",
               distinct: bool = False) -> list[int]:
    """Lags as a list of positive ints, from an int or a sequence of ints.

    Parameters
    ----------
    lags : int or sequence of int
        The parameter's value (bools refused).
    name : str, default="lags"
        Parameter name, for the messages.
    int_means : {"one", "up_to"}, default="one"
        What an int ``L`` stands for: the single lag ``[L]`` (``"one"``, as
        :class:`~rnnforecast.transformers.Differencer`) or the lags
        ``[1, 2, ..., L]`` (``"up_to"``, as
        :class:`~rnnforecast.transformers.LagTransformer`).
    distinct : bool, default=False
        Refuse a sequence with repeated lags.

    Returns
    -------
    list of int
        The lags, in the given order.

    Examples
    --------
    >>> from rnnforecast.utils.validation import check_lags
    >>> check_lags(3), check_lags(3, int_means="up_to"), check_lags([1, 12])
    ([3], [1, 2, 3], [1, 12])
    >>> check_lags([1, 1], distinct=True)
    Traceback (most recent call last):
        ...
    ValueError: lags must be distinct; got [1, 1].
    """
    if int_means not in ("one", "up_to"):
        raise ValueError(f"int_means must be 'one' or 'up_to'; got {int_means!r}")
    if isinstance(lags, (bool, np.bool_)):
        raise TypeError(f"{name} must be a positive int or a list of positive ints; got "
                        f"{lags!r} (bool).")
    if isinstance(lags, numbers.Integral):
        return [int(lags)] if int_means == "one" else list(range(1, int(lags) + 1))
    values = list(lags)
    if not values:
        raise ValueError(f"{name} must not be empty; got [].")
    for lag in values:
        if isinstance(lag, (bool, np.bool_)) or not isinstance(lag, numbers.Integral) or lag < 1:
            raise ValueError(f"{name} must contain positive integers; got {lag!r} in {lags!r}.")
    if distinct and len(set(values)) != len(values):
        raise ValueError(f"{name} must be distinct; got {lags!r}.")
    return [int(lag) for lag in values]
