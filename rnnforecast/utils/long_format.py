"""The long format's column names, and the refusal of frames that only look like it.

A collection of series in long format is a DataFrame with the columns
``unique_id`` (series identifier), ``ds`` (time stamp) and ``y`` (target); see
:mod:`rnnforecast.utils.panel`.  A DataFrame read as *one* (possibly
multivariate) series must hold values only: time stamps are never values.
:func:`check_not_long_format` refuses, with a message that says what the long
format needs, a frame with a ``ds`` column or any datetime-like column
(datetime, period or timedelta dtype, or strings of dates), and a frame with a
``unique_id`` column or index level but no ``y`` column.  An identifier under
another name is not guessed: the message names the non-numeric column that may
be it and says to rename it to ``unique_id``.

Examples
--------
>>> import pandas as pd
>>> from rnnforecast.utils.long_format import check_not_long_format
>>> df = pd.DataFrame({"store": ["a", "a"], "ds": pd.date_range("2024", periods=2),
...                    "y": [1.0, 2.0]})
>>> check_not_long_format(df, "y")
Traceback (most recent call last):
...
ValueError: y has a 'ds' column (time stamps), which are never used as values; got columns ['store', 'ds', 'y']. The long format (a collection of series) needs the columns 'unique_id' (series identifier), 'ds' (time stamp) and 'y' (target); y has no 'unique_id' column. If the non-numeric column 'store' identifies the series, rename it: y.rename(columns={'store': 'unique_id'}).
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt

__all__ = ["ID_COL", "TARGET_COL", "TIME_COL", "check_not_long_format", "check_not_time_column",
           "check_unique_columns", "is_time_dtype", "looks_like_time", "repeat_id"]

#: Column names of the long format: series identifier, time stamp, target.
ID_COL, TIME_COL, TARGET_COL = "unique_id", "ds", "y"


def repeat_id(uid: Any, n: int) -> np.ndarray:
    """An object array holding the series id ``uid`` ``n`` times (an id column).

    ``np.repeat(np.array([uid], dtype=object), n)`` would unpack a tuple id
    (a valid pandas group key) into its parts.

    Parameters
    ----------
    uid : hashable
        A series identifier, a tuple included.
    n : int
        Number of rows.

    Returns
    -------
    ndarray of shape (n,), dtype object

    Examples
    --------
    >>> repeat_id(("shop", 1), 2).tolist()
    [('shop', 1), ('shop', 1)]
    """
    out = np.empty(n, dtype=object)
    out.fill(uid)
    return out


def check_unique_columns(df: pd.DataFrame, name: str) -> None:
    """Refuse a DataFrame with duplicated column names (which column would be meant?).

    Parameters
    ----------
    df : DataFrame
    name : str
        Parameter name for error messages.

    Examples
    --------
    >>> check_unique_columns(pd.DataFrame([[1, 2]], columns=["y", "y"]), "y")
    Traceback (most recent call last):
    ...
    ValueError: y must have unique column names; got duplicated ['y'].
    """
    if not df.columns.is_unique:
        raise ValueError(
            f"{name} must have unique column names; got duplicated "
            f"{list(df.columns[df.columns.duplicated()].unique())}."
        )


def is_time_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a datetime (tz-aware or not), timedelta or period dtype.

    Parameters
    ----------
    dtype : numpy or pandas dtype

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> is_time_dtype(np.dtype("datetime64[ns]")), is_time_dtype(np.dtype(float))
    (True, False)
    """
    return bool(pdt.is_datetime64_any_dtype(dtype) or pdt.is_timedelta64_dtype(dtype)
                or isinstance(dtype, pd.PeriodDtype))


def looks_like_time(col: pd.Series) -> bool:
    """Whether a column holds time stamps: a time dtype, or (in its first 20 values) dates.

    Parameters
    ----------
    col : pandas.Series

    Returns
    -------
    bool
        True for a datetime/period/timedelta dtype, for objects that are all
        timestamps/periods/dates, and for strings that all parse as dates and
        contain a date separator (``-``, ``/`` or ``:``).

    Examples
    --------
    >>> import pandas as pd
    >>> looks_like_time(pd.Series(["2024-01-01", "2024-01-02"]))
    True
    >>> looks_like_time(pd.Series(["a", "b"]))
    False
    """
    if is_time_dtype(col.dtype):
        return True
    if not (pdt.is_object_dtype(col.dtype) or pdt.is_string_dtype(col.dtype)):
        return False
    head = col.dropna().head(20)
    if len(head) == 0:
        return False
    if all(isinstance(v, (pd.Timestamp, pd.Period, datetime.date)) for v in head):
        return True
    if not all(isinstance(v, str) and any(c.isdigit() for c in v) and any(c in v for c in "-/:")
               for v in head):
        return False
    try:
        pd.to_datetime(head, format="mixed")
    except (ValueError, TypeError, OverflowError):
        return False
    return True


def check_not_long_format(df: pd.DataFrame, name: str) -> None:
    """Refuse a DataFrame read as one series that holds time stamps or a ``unique_id``.

    Parameters
    ----------
    df : pandas.DataFrame
        The frame about to be read as a (multivariate) series.
    name : str
        Parameter name for error messages.

    Raises
    ------
    TypeError
        A frame in the long format (``unique_id`` and ``y``; callers that take
        collections read it before): one series is expected.
    ValueError
        With a ``ds`` or datetime-like column, or a ``unique_id`` column or
        index level; the message says what the long format needs.
    """
    cols = list(df.columns)
    times = [c for c in cols if c == TIME_COL or looks_like_time(df[c])]
    in_index = ID_COL in [n for n in df.index.names if n is not None]
    if not times and ID_COL not in cols and not in_index:
        return
    need = (f"The long format (a collection of series) needs the columns {ID_COL!r} (series "
            f"identifier), {TIME_COL!r} (time stamp) and {TARGET_COL!r} (target)")
    if (ID_COL in cols or in_index) and TARGET_COL in cols:
        raise TypeError(
            f"{name} must be a single series here; got a collection of series in the long "
            f"format (columns {cols}). Pass one series at a time, e.g. "
            f"{name}[{name}[{ID_COL!r}] == some_id].set_index({TIME_COL!r})[{TARGET_COL!r}]."
        )
    if ID_COL in cols or in_index:
        where = "column" if ID_COL in cols else "index level"
        raise ValueError(
            f"{name} has a {ID_COL!r} {where} but no {TARGET_COL!r} column, so it is not "
            f"read as the long format; got columns {cols}. {need}: rename the target "
            f"column to {TARGET_COL!r}."
        )
    others = [c for c in cols if c not in times and c != TARGET_COL
              and not pdt.is_numeric_dtype(df[c].dtype)]
    what = f"a {TIME_COL!r} column" if TIME_COL in times else f"datetime-like column(s) {times}"
    msg = (f"{name} has {what} (time stamps), which are never used as values; got columns "
           f"{cols}. {need}; {name} has no {ID_COL!r} column.")
    if others:
        msg += (f" If the non-numeric column {others[0]!r} identifies the series, rename it: "
                f"{name}.rename(columns={{{others[0]!r}: {ID_COL!r}}}).")
    else:
        msg += (f" Add a {ID_COL!r} column for a collection, or for a single series put the "
                f"time stamps in the index: {name}.set_index({times[0]!r}).")
    raise ValueError(msg)


def check_not_time_column(s: pd.Series, name: str) -> None:
    """Refuse a Series named ``ds``: the long format's time stamps are never values.

    Parameters
    ----------
    s : pandas.Series
        The Series about to be read as values.
    name : str
        Parameter name for error messages.

    Raises
    ------
    ValueError
        If ``s.name == "ds"``.

    Examples
    --------
    >>> import pandas as pd
    >>> check_not_time_column(pd.Series([1.0, 2.0], name="y"), "y")
    >>> check_not_time_column(pd.Series([0, 1], name="ds"), "y")
    Traceback (most recent call last):
    ...
    ValueError: y is a Series named 'ds', the long format's time stamps, which are never used as values; pass the target column (e.g. df.set_index('ds')['y']).
    """
    if s.name == TIME_COL:
        raise ValueError(
            f"{name} is a Series named {TIME_COL!r}, the long format's time stamps, which are "
            f"never used as values; pass the target column (e.g. "
            f"df.set_index({TIME_COL!r})[{TARGET_COL!r}])."
        )
