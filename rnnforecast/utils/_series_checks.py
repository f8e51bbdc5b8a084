"""Checks of the parts of one series: value dtypes, finiteness and the time index.

The building blocks of :func:`rnnforecast.utils.series.check_series` and
:func:`~rnnforecast.utils.series.check_exog` (error messages name the
parameter, what was expected and what was got).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from rnnforecast.utils.long_format import is_time_dtype

__all__: list[str] = []


def _type_name(obj: Any) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}".replace(
        "builtins.", ""
    )


def _check_numpy_dtype(dtype: np.dtype, name: str) -> None:
    kind = dtype.kind
    if kind in "iuf":
        return
    what = {
        "b": "boolean",
        "c": "complex",
        "O": "object",
        "U": "string",
        "S": "bytes",
        "M": "datetime64",
        "m": "timedelta64",
        "V": "structured/void",
    }.get(kind, str(dtype))
    raise TypeError(
        f"{name} must hold real numbers (integer or float dtype); got {what} "
        f"dtype {dtype}. Convert it explicitly, e.g. {name}.astype(float), if "
        "the values really are numbers."
    )


def _check_pandas_dtype(dtype: Any, name: str, column: Any = None) -> None:
    where = f"{name}" if column is None else f"{name}[{column!r}]"
    if is_time_dtype(dtype):
        raise TypeError(
            f"{where} must hold real numbers; got time stamps (dtype {dtype}), which are "
            "never used as values. Time stamps belong in the index (e.g. "
            "y.set_index('ds')['y'])."
        )
    if pdt.is_bool_dtype(dtype):
        raise TypeError(
            f"{where} must hold real numbers (integer or float dtype); got "
            f"boolean dtype {dtype}."
        )
    if pdt.is_complex_dtype(dtype):
        raise TypeError(
            f"{where} must hold real numbers (integer or float dtype); got "
            f"complex dtype {dtype}."
        )
    if not pdt.is_numeric_dtype(dtype):
        raise TypeError(
            f"{where} must hold real numbers (integer or float dtype); got "
            f"dtype {dtype}. Convert it explicitly (e.g. pd.to_numeric) if "
            "the values really are numbers."
        )


#: What to do with rows of different lengths, for a series (the default hint).
RAGGED_SERIES_HINT = ("Several series of different lengths go in a list of 1-D numpy arrays "
                      "or pandas Series.")


def check_array_like(obj: Any, name: str, ragged_hint: str = RAGGED_SERIES_HINT) -> Any:
    """Refuse what ``np.asarray`` would silently mangle; return ``obj`` (unmasked, a list as an array).

    A numpy masked array with masked entries is refused (``np.asarray`` keeps
    the hidden values behind the mask, so they would be used as data); one
    without is returned as a plain ndarray.  A nested sequence whose rows have
    different lengths is refused with a message naming ``name`` instead of
    numpy's "inhomogeneous shape" error; a rectangular one is returned as the
    ndarray that check built (``np.asarray(obj)``), so callers do not convert
    the list a second time.

    Parameters
    ----------
    obj : object
        The user's input.
    name : str
        Parameter name for error messages.
    ragged_hint : str, default=RAGGED_SERIES_HINT
        Sentence ending the message about rows of different lengths.

    Returns
    -------
    object
        ``obj``, the data of an unmasked masked array, or ``np.asarray(obj)``
        for a list or tuple.

    Examples
    --------
    >>> import numpy as np
    >>> check_array_like(np.ma.masked_array([1.0, 2.0], mask=[0, 1]), "y")
    Traceback (most recent call last):
    ...
    ValueError: y has 1 masked value(s) (a numpy masked array); masked entries are never used as data or filled in silently: drop or impute them, e.g. y.filled(value), before passing y.
    >>> check_array_like([[1.0, 2.0], [3.0]], "y")
    Traceback (most recent call last):
    ...
    ValueError: y must be a rectangular array-like (every row the same length); got a list whose nested sequences have different lengths. Several series of different lengths go in a list of 1-D numpy arrays or pandas Series.
    """
    if isinstance(obj, np.ma.MaskedArray):
        n_masked = int(np.ma.count_masked(obj))
        if n_masked:
            raise ValueError(
                f"{name} has {n_masked} masked value(s) (a numpy masked array); masked "
                "entries are never used as data or filled in silently: drop or impute "
                f"them, e.g. {name}.filled(value), before passing {name}."
            )
        return np.ma.getdata(obj)
    if isinstance(obj, (list, tuple)):
        try:
            return np.asarray(obj)
        except ValueError:
            raise ValueError(
                f"{name} must be a rectangular array-like (every row the same length); "
                f"got a {type(obj).__name__} whose nested sequences have different "
                f"lengths.{' ' + ragged_hint if ragged_hint else ''}"
            ) from None
    return obj


def _check_finite(values: np.ndarray, name: str) -> None:
    finite = np.isfinite(values)
    if finite.all():
        return
    bad = np.flatnonzero(~finite.all(axis=1) if values.ndim == 2 else ~finite)
    n_nan = int(np.isnan(values).sum())
    n_inf = int(np.isinf(values).sum())
    parts = []
    if n_nan:
        parts.append(f"{n_nan} NaN")
    if n_inf:
        parts.append(f"{n_inf} infinite")
    raise ValueError(
        f"{name} must contain only finite values; got {' and '.join(parts)} "
        f"value(s), first in row {int(bad[0])}. Impute or drop missing values "
        "before fitting (nothing is filled in silently)."
    )


#: Integers of larger magnitude are not all representable in float64.
_EXACT_INT = 2.0**53


def _check_exact_integers(raw: Any, values: np.ndarray, name: str) -> None:
    """Refuse integers that the cast to float64 rounded (beyond 2**53 in magnitude).

    ``raw`` is the user's data (ndarray, Series or DataFrame) and ``values``
    its float64 copy of the same shape (n, k).  Only entries of magnitude at
    least 2**53 are looked at, so ordinary data pay one comparison.
    """
    big = np.abs(values) >= _EXACT_INT
    if not big.any():
        return
    original = raw.to_numpy(dtype=object) if isinstance(raw, (pd.Series, pd.DataFrame)) \
        else np.asarray(raw, dtype=object)
    original = original.reshape(values.shape)
    for i, j in zip(*np.nonzero(big)):
        v = original[i, j]
        if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) \
                and int(values[i, j]) != int(v):
            raise ValueError(
                f"{name} holds the integer {int(v)} (row {i}), which float64 cannot represent "
                f"exactly (it would become {int(values[i, j])}): integers beyond 2**53 in "
                f"magnitude lose digits. Convert {name} explicitly (e.g. {name}.astype(float)) "
                "if the rounding is acceptable, or subtract a common offset first."
            )


def _infer_freq(index: pd.DatetimeIndex) -> Any:
    """``pd.infer_freq`` as an offset (or None), without pandas' deprecation noise."""
    try:
        with pd.option_context("future.infer_freq_returns_offset", True):
            inferred = pd.infer_freq(index)
    except (KeyError, pd.errors.OptionError):  # option absent in this pandas
        inferred = pd.infer_freq(index)
    if inferred is None:
        return None
    return pd.tseries.frequencies.to_offset(inferred)


def _check_index(
    index: pd.Index, name: str, require_freq: bool = True
) -> tuple[Any, int | None]:
    """Validate a pandas index of a series; return ``(freq, step)``."""
    if isinstance(index, pd.MultiIndex):
        raise TypeError(
            f"{name} must have a DatetimeIndex, PeriodIndex or integer index; "
            "got a MultiIndex."
        )
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        kind = type(index).__name__
        if index.hasnans:
            raise ValueError(f"{name} has missing labels (NaT) in its {kind}.")
        if not index.is_unique:
            dup = index[index.duplicated()].unique()[:3]
            raise ValueError(
                f"{name} must have unique index labels; got a {kind} with "
                f"duplicated labels, e.g. {[str(d) for d in dup]}."
            )
        if not index.is_monotonic_increasing:
            raise ValueError(
                f"{name} must be sorted by time (increasing index); got an "
                f"unsorted {kind}. Use {name}.sort_index()."
            )
        if isinstance(index, pd.PeriodIndex):
            return index.freq, None
        freq = index.freq
        if freq is None and len(index) >= 3:
            freq = _infer_freq(index)
        if freq is None and require_freq:
            raise ValueError(
                f"{name} has a DatetimeIndex without a frequency, and none can "
                f"be inferred from its {len(index)} timestamps (irregular "
                "spacing, or fewer than 3 timestamps). Forecast timestamps "
                "would be undefined: give the index a regular frequency, e.g. "
                f"{name}.asfreq('MS') or {name}.resample('D').mean()."
            )
        return freq, None
    if pdt.is_integer_dtype(index.dtype) and not pdt.is_bool_dtype(index.dtype):
        if index.hasnans:  # a nullable Int64 index
            raise ValueError(f"{name} has missing labels (NA) in its integer index.")
        values = np.asarray(index, dtype=np.int64)
        if len(values) < 2:
            return None, 1
        diffs = np.diff(values)
        if (diffs <= 0).any():
            raise ValueError(
                f"{name} must have a strictly increasing index; got an integer "
                "index that is unsorted or has duplicated labels."
            )
        if (diffs != diffs[0]).any():
            raise ValueError(
                f"{name} must have an evenly spaced integer index (so forecast "
                f"labels are defined); got spacings between {int(diffs.min())} "
                f"and {int(diffs.max())}."
            )
        return None, int(diffs[0])
    raise TypeError(
        f"{name} must have a DatetimeIndex, PeriodIndex or integer index "
        f"(RangeIndex); got {type(index).__name__} of dtype {index.dtype}."
    )
