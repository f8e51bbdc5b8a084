"""Series parsing shared by every forecaster and series transformer.

The functions here turn user input into plain ``float64`` C-contiguous
``(n_timesteps, n_columns)`` arrays and record, in a :class:`SeriesInfo`,
everything needed to give results back in the user's format (numpy or pandas,
1-D or 2-D, index, frequency, name, columns).

Nothing is silently coerced: integer and float data (numpy or pandas,
including pandas nullable numeric dtypes without missing values) is converted
to ``float64``; boolean, complex, string, object, categorical and datetime
data is refused with a :class:`TypeError`; NaN/inf, empty input, arrays with
more than two dimensions and badly ordered indexes are refused with a
:class:`ValueError`.  Every message names the parameter, what was expected and
what was received.

Time stamps are never values: a DataFrame with a ``ds`` column, a ``unique_id``
column or a datetime-like column (datetime, period, timedelta, or strings of
dates) is refused with a :class:`ValueError` that explains the long format
(columns ``unique_id``, ``ds``, ``y``; see :mod:`rnnforecast.utils.panel`) and,
when a non-numeric column could be the series identifier under another name,
says to rename it to ``unique_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from rnnforecast.utils._series_checks import (
    _type_name,
    _check_numpy_dtype,
    _check_pandas_dtype,
    _check_exact_integers,
    _check_finite,
    _check_index,
    check_array_like,
)
from rnnforecast.utils.long_format import (
    ID_COL,
    TARGET_COL,
    TIME_COL,
    check_not_long_format,
    check_not_time_column,
    check_unique_columns,
)

__all__ = [
    "ID_COL",
    "TARGET_COL",
    "TIME_COL",
    "SeriesInfo",
    "check_exog",
    "check_series",
    "future_index",
    "is_series_list",
    "steps_ahead",
]


@dataclass(frozen=True)
class SeriesInfo:
    """What :func:`check_series` learnt about a series, to rebuild outputs.

    Attributes
    ----------
    is_pandas : bool
        Whether the input was a pandas Series/DataFrame.
    ndim : int
        1 for a 1-D array or a Series, 2 for a 2-D array or a DataFrame.
    n_timesteps : int
        Number of observations (rows).
    n_columns : int
        Number of series (columns); 1 for 1-D input.
    index : pandas.Index or None
        The pandas index (``None`` for numpy input).
    freq : pandas.DateOffset or None
        Frequency of a DatetimeIndex/PeriodIndex (given or inferred).
    step : int or None
        Spacing of an integer index (``None`` otherwise).
    name : hashable or None
        ``Series.name`` (``None`` otherwise).
    columns : pandas.Index or None
        ``DataFrame.columns`` (``None`` otherwise).
    """

    is_pandas: bool
    ndim: int
    n_timesteps: int
    n_columns: int
    index: pd.Index | None = None
    freq: Any = None
    step: int | None = None
    name: Any = None
    columns: pd.Index | None = None

    @property
    def cutoff(self) -> Any:
        """Last index label (pandas) or last position ``n - 1`` (numpy)."""
        if self.index is not None:
            return self.index[-1]
        return self.n_timesteps - 1

    @property
    def index_kind(self) -> str | None:
        """``"datetime"``, ``"period"``, ``"integer"`` or ``None`` (numpy)."""
        if self.index is None:
            return None
        if isinstance(self.index, pd.DatetimeIndex):
            return "datetime"
        if isinstance(self.index, pd.PeriodIndex):
            return "period"
        return "integer"

    def describe(self) -> str:
        """Short human-readable description used in error messages."""
        if not self.is_pandas:
            return f"a {self.ndim}-D numpy array"
        kind = "Series" if self.ndim == 1 else "DataFrame"
        return f"a pandas {kind} with a {type(self.index).__name__}"


def check_series(
    y: Any, *, name: str = "y", check_index: bool = True, require_freq: bool = True
) -> tuple[np.ndarray, SeriesInfo]:
    """Validate a (possibly multivariate) time series.

    Parameters
    ----------
    y : array-like of shape (n_timesteps,) or (n_timesteps, n_series), \
            pandas Series or DataFrame
        Real-valued observations in time order. Lists are accepted like
        arrays.
    name : str, default="y"
        Name of the parameter, used in error messages.
    check_index : bool, default=True
        Validate the pandas index (sorted, unique, frequency known). Set to
        False for inputs whose index is irrelevant (e.g. sklearn transformers
        applied column-wise).
    require_freq : bool, default=True
        Refuse a DatetimeIndex whose frequency is neither set nor inferable.
        Set to False for future observations that are aligned to the training
        series' grid instead (e.g. ``score``).

    Returns
    -------
    values : ndarray of shape (n_timesteps, n_series), dtype float64
        C-contiguous copy of the data (always a new array).
    info : SeriesInfo
        Kind, shape, index, frequency, name and columns of ``y``.

    Raises
    ------
    TypeError
        Non-numeric, boolean or complex data; unsupported index type;
        sparse input.
    ValueError
        Empty input, more than 2 dimensions, NaN/inf, unsorted or
        duplicated DatetimeIndex/PeriodIndex, DatetimeIndex without a
        frequency.
    """
    if y is None:
        raise ValueError(f"{name} is required; got None.")
    if hasattr(y, "toarray") or hasattr(y, "tocsr"):
        raise TypeError(f"{name} must be dense; got sparse {_type_name(y)}.")
    if isinstance(y, (str, bytes)):
        raise TypeError(f"{name} must be an array-like of numbers; got {type(y).__name__}.")
    if is_series_list(y):  # np.asarray would read each series as a time step
        raise TypeError(
            f"{name} must be a single series here; got a collection of {len(y)} series (a "
            f"{type(y).__name__} of {type(y[0]).__name__}). Pass one series at a time."
        )

    if isinstance(y, pd.Series):
        check_not_time_column(y, name)
        _check_pandas_dtype(y.dtype, name)
        values = y.to_numpy(dtype=np.float64, na_value=np.nan).reshape(-1, 1)
        ndim, index, sname, columns = 1, y.index, y.name, None
    elif isinstance(y, pd.DataFrame):
        check_not_long_format(y, name)
        if y.shape[1] == 0 or y.shape[0] == 0:
            raise ValueError(
                f"{name} must not be empty; got a DataFrame of shape {y.shape}."
            )
        check_unique_columns(y, name)
        for col, dt in y.dtypes.items():
            _check_pandas_dtype(dt, name, col)
        values = y.to_numpy(dtype=np.float64, na_value=np.nan)
        ndim, index, sname, columns = 2, y.index, None, y.columns
    else:
        arr = np.asarray(check_array_like(y, name))
        if arr.ndim == 0 and arr.dtype.kind == "O":
            raise TypeError(
                f"{name} must be an array-like of numbers (array, list, pandas Series or "
                f"DataFrame); got {_type_name(y)}."
            )
        if arr.ndim == 0:
            raise ValueError(
                f"{name} must be 1-D (n_timesteps,) or 2-D (n_timesteps, "
                f"n_series); got a scalar ({arr!r})."
            )
        if arr.ndim > 2:
            raise ValueError(
                f"{name} must be 1-D (n_timesteps,) or 2-D (n_timesteps, "
                f"n_series); got an array with {arr.ndim} dimensions, shape "
                f"{arr.shape}."
            )
        _check_numpy_dtype(arr.dtype, name)
        ndim, index, sname, columns = arr.ndim, None, None, None
        values = arr.reshape(-1, 1) if arr.ndim == 1 else arr

    n, k = values.shape
    if n == 0 or k == 0:
        raise ValueError(
            f"{name} must not be empty; got {n} observation(s) of {k} series."
        )
    values = np.array(values, dtype=np.float64, order="C", copy=True)
    _check_finite(values, name)
    _check_exact_integers(y if index is not None else arr, values, name)

    freq, step = None, None
    if index is not None and check_index:
        freq, step = _check_index(index, name, require_freq)
    info = SeriesInfo(
        is_pandas=index is not None,
        ndim=ndim,
        n_timesteps=n,
        n_columns=k,
        index=index,
        freq=freq,
        step=step,
        name=sname,
        columns=columns,
    )
    return values, info


def is_series_list(obj: Any) -> bool:
    """Whether ``obj`` is a list/tuple of series (its first element an ndarray or pandas object).

    A list of lists stays one 2-D array-like (one multivariate series).

    Examples
    --------
    >>> is_series_list([np.arange(3.0), np.arange(4.0)]), is_series_list([[1.0], [2.0]])
    (True, False)
    """
    return (isinstance(obj, (list, tuple)) and len(obj) > 0
            and isinstance(obj[0], (np.ndarray, pd.Series, pd.DataFrame)))


def _is_default_range(index: pd.Index) -> bool:
    return (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
    )


def check_exog(
    X: Any,
    *,
    n_rows: int,
    name: str = "X",
    n_columns: int | None = None,
    columns: pd.Index | None = None,
    expected_index: pd.Index | None = None,
    context: str = "",
) -> tuple[np.ndarray, pd.Index | None]:
    """Validate exogenous regressors.

    Parameters
    ----------
    X : array-like of shape (n_rows, n_features), DataFrame or Series
        Exogenous regressors. A 1-D numpy array is refused (ambiguous: reshape
        it with ``X.reshape(-1, 1)``); a pandas Series is one named column.
    n_rows : int
        Required number of rows.
    name : str, default="X"
        Parameter name for error messages.
    n_columns : int, optional
        Required number of columns (the number seen at fit).
    columns : pandas.Index, optional
        Column names seen at fit; a DataFrame ``X`` must have the same.
    expected_index : pandas.Index, optional
        If given and ``X`` is pandas with an index other than the default
        ``RangeIndex(0, n)``, ``X.index`` must equal it.
    context : str, default=""
        Explanation appended to the row-count error.

    Returns
    -------
    values : ndarray of shape (n_rows, n_features), dtype float64
    columns : pandas.Index or None
        Column names when ``X`` is a DataFrame or a named Series.
    """
    if isinstance(X, np.ndarray) and X.ndim == 1:
        raise ValueError(
            f"{name} must be 2-D (n_timesteps, n_features); got a 1-D array of "
            f"shape {X.shape}. Use {name}.reshape(-1, 1) for a single regressor."
        )
    if isinstance(X, pd.Series):
        X = X.to_frame(name=0 if X.name is None else X.name)
    values, info = check_series(X, name=name, check_index=False)
    if info.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_timesteps, n_features); got a 1-D "
            f"array-like of length {info.n_timesteps}. Use a 2-D array with "
            "one column for a single regressor."
        )
    if values.shape[0] != n_rows:
        raise ValueError(
            f"{name} must have {n_rows} rows{context}; got {values.shape[0]}."
        )
    if n_columns is not None and values.shape[1] != n_columns:
        raise ValueError(
            f"{name} must have {n_columns} column(s), as at fit; got "
            f"{values.shape[1]}."
        )
    if columns is not None and info.columns is not None:
        if list(info.columns) != list(columns):
            raise ValueError(
                f"{name} must have the columns seen at fit, in the same order: "
                f"{list(columns)}; got {list(info.columns)}."
            )
    if (
        expected_index is not None
        and info.index is not None
        and not _is_default_range(info.index)
        and not info.index.equals(expected_index)
    ):
        raise ValueError(
            f"{name} index does not match the time points it must describe: "
            f"expected labels from {expected_index[0]} to {expected_index[-1]} "
            f"({len(expected_index)} rows); got {info.index[0]} to "
            f"{info.index[-1]}. (An X with a default RangeIndex is taken "
            "positionally.)"
        )
    return values, info.columns


def future_index(info: SeriesInfo, h: int, cutoff: Any = None) -> pd.Index:
    """Index of the ``h`` periods following ``cutoff``.

    Parameters
    ----------
    info : SeriesInfo
        Description of a pandas series (``info.is_pandas`` must be True).
    h : int
        Number of periods.
    cutoff : label, optional
        Last observed label (default ``info.cutoff``).

    Returns
    -------
    index : DatetimeIndex, PeriodIndex or RangeIndex of length h
        With the series' frequency (datetime/period) or spacing (integer).
    """
    if cutoff is None:
        cutoff = info.cutoff
    kind = info.index_kind
    if kind in ("datetime", "period"):
        return _calendar_index(info, h, cutoff)
    if kind == "integer":
        step = info.step or 1
        start = int(cutoff) + step
        return pd.RangeIndex(
            start, start + step * h, step, name=info.index.name
        )
    raise ValueError("future_index needs pandas series information.")


# Calendar indexes by (index kind and dtype, cutoff, frequency, h, name): the stamps of
# a calendar frequency (months, quarters, weeks) take ~0.1 ms to build, a tenth of a
# neural forecaster's whole predict; a few recent ones are kept.
_CALENDAR_INDEXES: dict = {}
_MAX_CALENDAR_INDEXES = 32


def _build_calendar_index(info: SeriesInfo, h: int, cutoff: Any) -> pd.Index:
    if info.index_kind == "datetime":
        idx = pd.date_range(start=cutoff, periods=h + 1, freq=info.freq)[1:]
        return pd.DatetimeIndex(idx, freq=info.freq, name=info.index.name)
    return pd.period_range(start=cutoff + 1, periods=h, freq=info.freq, name=info.index.name)


def _calendar_index(info: SeriesInfo, h: int, cutoff: Any) -> pd.Index:
    """:func:`future_index` of a datetime or period index, built once per distinct request.

    The key holds the types of the cutoff, frequency and name besides their
    values (``True == 1``) and the index dtype (time zone, unit).  A shallow
    copy is returned: renaming the returned index or setting its ``freq``
    never changes the remembered one.
    """
    name = info.index.name
    key = (info.index_kind, str(info.index.dtype), type(cutoff), cutoff, type(info.freq),
           info.freq, int(h), type(name), name)
    try:
        index = _CALENDAR_INDEXES.get(key)
    except TypeError:  # an unhashable part (e.g. a list as the index name)
        return _build_calendar_index(info, h, cutoff)
    if index is None:
        index = _build_calendar_index(info, h, cutoff)
        if len(_CALENDAR_INDEXES) >= _MAX_CALENDAR_INDEXES:
            _CALENDAR_INDEXES.clear()
        _CALENDAR_INDEXES[key] = index
    return index.copy()


def steps_ahead(info: SeriesInfo, labels: pd.Index, *, name: str = "y") -> np.ndarray:
    """Positions (1 = first period after the cutoff) of future ``labels``.

    Parameters
    ----------
    info : SeriesInfo
        Description of the training series (pandas).
    labels : pandas.Index
        Sorted labels of the future observations.
    name : str, default="y"
        Parameter name for error messages.

    Returns
    -------
    steps : ndarray of shape (len(labels),), dtype int64
        Each label's horizon; all >= 1.

    Raises
    ------
    ValueError
        If a label is not after the cutoff or is not on the series' grid.
    """
    kind = info.index_kind
    cutoff = info.cutoff
    if kind == "datetime":
        if not isinstance(labels, pd.DatetimeIndex):
            raise TypeError(
                f"{name} must have a DatetimeIndex like the training series; "
                f"got {type(labels).__name__}."
            )
        last = labels[-1]
        if last <= cutoff:
            h = 0
        else:
            h = len(pd.date_range(start=cutoff, end=last, freq=info.freq)) - 1
    elif kind == "period":
        if not isinstance(labels, pd.PeriodIndex) or labels.freq != info.freq:
            raise TypeError(
                f"{name} must have a PeriodIndex with frequency {info.freq} "
                f"like the training series; got {type(labels).__name__}"
                f"{'' if not hasattr(labels, 'freq') else ' with freq ' + str(labels.freq)}."
            )
        h = max(int((labels[-1] - cutoff).n), 0)
    else:
        if not (pdt.is_integer_dtype(labels.dtype) and not pdt.is_bool_dtype(labels.dtype)):
            raise TypeError(
                f"{name} must have an integer index like the training series; "
                f"got {type(labels).__name__} of dtype {labels.dtype}."
            )
        step = info.step or 1
        h = max((int(labels[-1]) - int(cutoff)) // step, 0)
    if h < 1:
        raise ValueError(
            f"{name} must lie after the end of the training series "
            f"({cutoff}); its last label is {labels[-1]}."
        )
    fidx = future_index(info, h)
    pos = fidx.get_indexer(labels)
    if (pos < 0).any():
        bad = labels[pos < 0][:3]
        raise ValueError(
            f"{name} labels must be future periods on the training series' "
            f"grid (after {cutoff}, frequency/step "
            f"{info.freq if info.freq is not None else info.step}); got "
            f"labels not on it, e.g. {[str(b) for b in bad]}."
        )
    return pos.astype(np.int64) + 1
