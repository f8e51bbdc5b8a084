"""Collections of series ("panels"): validation and output in the user's format.

Two input formats are accepted wherever a forecaster takes many series:

* a **list** (or tuple) of univariate series: 1-D arrays or pandas Series
  (of possibly different lengths); regressors as a list of the same length
  holding ``(n_i, m)`` arrays or DataFrames;
* the **long format** used across the ecosystem (statsforecast,
  neuralforecast, mlforecast): a DataFrame with columns ``unique_id``
  (series identifier), ``ds`` (time stamp: datetime or integer) and ``y``
  (target); any other column is a covariate (regressor).  Rows may come in
  any order; they are sorted by ``(unique_id, ds)`` (stable, nothing is
  dropped).  Within a series, time stamps must be unique and regularly
  spaced; all series must share one frequency.  ``unique_id`` (and ``ds``)
  may also be index levels, e.g. after ``df.set_index("unique_id")``: they are
  moved back into columns (nothing is lost; the rest of the index is not
  used).  A frame without ``unique_id`` is not a collection: read as one
  series, a ``ds`` or datetime-like column is refused with a message naming
  what the long format needs (:mod:`rnnforecast.utils.long_format`); an
  identifier column with another name must be renamed to ``unique_id``.

Every series is validated like a single series (:func:`check_series`:
real numbers, no NaN/inf, regular index) and error messages name the series.
Outputs mirror the input: a list in gives a list out (arrays, or pandas
Series indexed by the next periods), a long DataFrame in gives a long
DataFrame out (``unique_id``, ``ds`` and value columns).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd

from rnnforecast.utils.long_format import ID_COL, TARGET_COL, TIME_COL, repeat_id
from rnnforecast.utils.panel_long import (
    _index_values,
    adopt_shared_freq,
    check_long_future_exog,
    read_long,
)
from rnnforecast.utils.series import (
    check_exog,
    check_series,
    future_index,
    is_series_list,
)

__all__ = [
    "ID_COL",
    "TARGET_COL",
    "TIME_COL",
    "Panel",
    "check_long_future_exog",
    "check_panel",
    "check_panel_exog",
    "is_panel",
]

@dataclass
class Panel:
    """A validated collection of univariate series.

    Attributes
    ----------
    ids : list
        Series identifiers, in order (``unique_id`` values for the long
        format, ``0 .. n_series - 1`` for a list).
    values : list of ndarray of shape (n_i,), dtype float64
        The series.
    infos : list of SeriesInfo
        What :func:`check_series` learnt about each series (index, frequency).
    exog : list of ndarray of shape (n_i, m), dtype float64, or None
        Covariates aligned with each series.
    exog_columns : list or None
        Covariate names (long format or DataFrames in a list).
    kind : {"list", "long"}
        The input format (outputs are given back in it).
    meta : dict
        Column names and the ``unique_id`` dtype of the long format (used to
        rebuild outputs); empty for a list.

    Parameters
    ----------
    ids, values, infos, exog, exog_columns, kind, meta
        Stored as the attributes of the same names.  Build a panel with
        :func:`check_panel` rather than by hand.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.utils.panel import check_panel
    >>> panel = check_panel([np.arange(5.0), np.arange(3.0)])
    >>> panel.kind, panel.ids, panel.n_series, panel.lengths.tolist(), panel.n_exog
    ('list', [0, 1], 2, [5, 3], 0)
    >>> panel.to_output([np.zeros(2), np.ones(2)])  # one (h,) result per series
    [array([0., 0.]), array([1., 1.])]
    """

    ids: list
    values: list
    infos: list
    exog: list | None = None
    exog_columns: list | None = None
    kind: str = "list"
    meta: dict = field(default_factory=dict)

    @property
    def n_series(self) -> int:
        """Number of series."""
        return len(self.values)

    @property
    def lengths(self) -> np.ndarray:
        """int64 array of the series lengths."""
        return np.array([len(v) for v in self.values], dtype=np.int64)

    @property
    def n_exog(self) -> int:
        """Number of covariates (0 without)."""
        return 0 if self.exog is None else int(self.exog[0].shape[1])

    def future_indexes(self, h: int) -> list:
        """Per series: the index of the next ``h`` periods (None for numpy series).

        Parameters
        ----------
        h : int
            Number of future periods (>= 1).

        Returns
        -------
        indexes : list of pandas.Index or None
            One entry per series, in the order of :attr:`ids`.

        Examples
        --------
        >>> import pandas as pd
        >>> from rnnforecast.utils.panel import check_panel
        >>> panel = check_panel([pd.Series([1.0, 2.0, 3.0])])
        >>> panel.future_indexes(2)
        [RangeIndex(start=3, stop=5, step=1)]
        """
        return [future_index(info, h) if info.is_pandas else None for info in self.infos]

    def to_output(self, values: Sequence[np.ndarray], columns: Sequence[str] | None = None) -> Any:
        """Per-series results ``(h,)`` or ``(h, c)`` in the panel's format.

        Parameters
        ----------
        values : list of ndarray of shape (h,) or (h, c)
            One array per series, in the order of :attr:`ids`.
        columns : list of str, optional
            Names of the ``c`` value columns (default ``["y"]`` for 1-D
            values).

        Returns
        -------
        list of ndarray / pandas objects, or DataFrame
            List input: arrays (numpy series) or Series/DataFrames indexed by
            the next periods.  Long input: a DataFrame with ``unique_id``,
            ``ds`` and the value columns, sorted by series then time.
        """
        h = int(np.asarray(values[0]).shape[0])
        arrays = [np.asarray(v, dtype=np.float64) for v in values]
        if columns is None:
            columns = [self.meta.get("target_col", TARGET_COL)]
        if self.kind == "long":
            idx = self.future_indexes(h)
            frames = []
            for uid, ix, a in zip(self.ids, idx, arrays):
                a2 = a.reshape(h, -1)
                data = {self.meta.get("id_col", ID_COL): repeat_id(uid, h),
                        self.meta.get("time_col", TIME_COL): _index_values(ix)}
                for j, c in enumerate(columns):
                    data[c] = a2[:, j]
                frames.append(pd.DataFrame(data))
            out = pd.concat(frames, ignore_index=True)
            id_dtype = self.meta.get("id_dtype")
            if id_dtype is not None:
                out[self.meta.get("id_col", ID_COL)] = out[self.meta.get("id_col", ID_COL)].astype(id_dtype)
            return out
        out_list = []
        for info, a in zip(self.infos, arrays):
            if not info.is_pandas:
                out_list.append(a)
                continue
            ix = future_index(info, h)
            if a.ndim == 1:
                out_list.append(pd.Series(a, index=ix, name=info.name))
            else:
                out_list.append(pd.DataFrame(a, index=ix, columns=list(columns)))
        return out_list


def is_panel(obj: Any) -> bool:
    """Whether ``obj`` is a collection of series rather than one series.

    True for a list/tuple whose first element is an ndarray or a pandas
    object (a list of lists is one 2-D array-like, i.e. one multivariate
    series) and for a DataFrame with a ``y`` column and ``unique_id`` as a
    column or an index level.

    Parameters
    ----------
    obj : object
        Anything given as ``y``.

    Returns
    -------
    bool
        Whether ``obj`` is handled as a collection (see :func:`check_panel`).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from rnnforecast.utils.panel import is_panel
    >>> is_panel([np.arange(3.0), np.arange(4.0)]), is_panel(np.arange(3.0))
    (True, False)
    >>> is_panel([1.0, 2.0])  # a list of numbers is one series
    False
    >>> is_panel(pd.DataFrame({"unique_id": ["a"], "ds": [0], "y": [1.0]}))
    True
    >>> is_panel(pd.DataFrame({"unique_id": ["a"], "ds": [0], "y": [1.0]}).set_index("unique_id"))
    True
    """
    if isinstance(obj, pd.DataFrame):
        return TARGET_COL in obj.columns and (
            ID_COL in obj.columns or ID_COL in list(obj.index.names))
    return is_series_list(obj)


def _series_name(ids: list, i: int, name: str) -> str:
    return f"{name}[{ids[i]!r}]" if ids is not None else f"{name}[{i}]"


def check_panel(y: Any, X: Any = None, *, name: str = "y") -> Panel:
    """Validate a collection of series (list or long DataFrame).

    Parameters
    ----------
    y : list of array-like/Series, or DataFrame in long format
        See the module docstring.
    X : list of array-like/DataFrame, default=None
        Covariates for a list ``y`` (one ``(n_i, m)`` entry per series).  For
        the long format the covariates are the extra columns of ``y`` and
        ``X`` must be None.
    name : str, default="y"
        Parameter name for error messages.

    Returns
    -------
    panel : Panel
        The validated series (float64 copies), ids, indexes and covariates.

    Raises
    ------
    TypeError
        Unsupported container or dtypes (names the series).
    ValueError
        Empty collection, missing columns, NaN/inf, duplicated or irregular
        time stamps, mixed frequencies, covariates that do not match.

    Examples
    --------
    A long DataFrame: rows are sorted by ``(unique_id, ds)``; ``price`` is a
    covariate.

    >>> import numpy as np
    >>> import pandas as pd
    >>> from rnnforecast.utils.panel import check_panel
    >>> df = pd.DataFrame({"unique_id": ["b", "b", "a", "a", "a"],
    ...                    "ds": [0, 1, 0, 1, 2],
    ...                    "y": [5.0, 6.0, 1.0, 2.0, 3.0],
    ...                    "price": [1.0, 1.0, 2.0, 2.0, 2.0]})
    >>> panel = check_panel(df)
    >>> panel.kind, panel.ids, panel.lengths.tolist(), panel.exog_columns
    ('long', ['a', 'b'], [3, 2], ['price'])
    >>> panel.values[0]
    array([1., 2., 3.])
    >>> panel.to_output([np.zeros(2), np.ones(2)])
      unique_id  ds    y
    0         a   3  0.0
    1         a   4  0.0
    2         b   2  1.0
    3         b   3  1.0

    A list of series, with one covariate array per series:

    >>> panel = check_panel([np.arange(5.0), np.arange(3.0)],
    ...                     X=[np.ones((5, 1)), np.zeros((3, 1))])
    >>> panel.kind, panel.n_series, panel.n_exog
    ('list', 2, 1)
    """
    if isinstance(y, pd.DataFrame):
        if X is not None:
            raise ValueError(
                f"With a long-format DataFrame {name}, covariates are its extra columns "
                f"(besides {ID_COL!r}, {TIME_COL!r}, {TARGET_COL!r}); X must be None, got "
                f"{type(X).__name__}."
            )
        return _check_long(y, name=name)
    if not isinstance(y, (list, tuple)):
        raise TypeError(
            f"{name} must be a list of series or a long DataFrame with columns "
            f"{ID_COL!r}, {TIME_COL!r}, {TARGET_COL!r}; got {type(y).__name__}."
        )
    if len(y) == 0:
        raise ValueError(f"{name} must contain at least one series; got an empty {type(y).__name__}.")
    values, infos = [], []
    for i, s in enumerate(y):
        arr, info = check_series(s, name=f"{name}[{i}]", require_freq=False)
        if info.n_columns != 1:
            raise ValueError(
                f"{name}[{i}] must be a univariate series (1-D array or Series); got "
                f"{info.n_columns} columns. Put each series in its own list entry."
            )
        values.append(arr[:, 0].copy())
        infos.append(info)
    kinds = {(inf.is_pandas, inf.index_kind) for inf in infos}
    if len(kinds) > 1:
        raise TypeError(
            f"The series of {name} must all be numpy arrays or all pandas Series with the "
            f"same kind of index; got a mix: {sorted(str(k) for k in kinds)}."
        )
    freqs = {str(inf.freq) for inf in infos if inf.freq is not None}
    if len(freqs) > 1:
        raise ValueError(
            f"The series of {name} must share one frequency; got {sorted(freqs)}."
        )
    infos = adopt_shared_freq(infos, [f"{name}[{i}]" for i in range(len(infos))])
    exog, exog_cols = None, None
    if X is not None:
        exog, exog_cols = check_panel_exog(X, infos, name="X", future=False)
    return Panel(ids=list(range(len(values))), values=values, infos=infos, exog=exog,
                 exog_columns=exog_cols, kind="list")


def check_panel_exog(X: Any, infos: list, *, name: str = "X", future: bool = False,
                     h: int | None = None, n_columns: int | None = None,
                     columns: list | None = None) -> tuple[list, list | None]:
    """Validate a list of per-series covariates.

    ``future=False``: one row per observation of each series (``infos[i]``);
    ``future=True``: ``h`` rows per series, for the next ``h`` periods.

    Parameters
    ----------
    X : list of array-like or DataFrame
        One ``(n_rows, m)`` entry per series.
    infos : list of SeriesInfo
        The series' infos (``Panel.infos``); a pandas series' index must
        match the rows of its covariates.
    name : str, default="X"
        Parameter name for error messages.
    future : bool, default=False
        Whether the entries are future values (``h`` rows each) instead of
        one row per observation.
    h : int or None, default=None
        Number of future rows (with ``future=True``).
    n_columns : int or None, default=None
        Required number of columns (default: that of the first entry).
    columns : list or None, default=None
        Required column names for DataFrames (default: those of the first
        DataFrame).

    Returns
    -------
    arrays : list of ndarray of shape (n_rows, m), float64
        The validated covariates, one per series.
    columns : list or None
        The column names, if the entries are DataFrames.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from rnnforecast.utils.panel import check_panel, check_panel_exog
    >>> panel = check_panel([np.arange(5.0), np.arange(3.0)])
    >>> arrays, cols = check_panel_exog([np.ones((5, 1)), np.zeros((3, 1))], panel.infos)
    >>> [a.shape for a in arrays], cols
    ([(5, 1), (3, 1)], None)
    >>> future = [pd.DataFrame({"t": [1.0, 2.0]}), pd.DataFrame({"t": [3.0, 4.0]})]
    >>> arrays, cols = check_panel_exog(future, panel.infos, future=True, h=2)
    >>> [a.shape for a in arrays], cols
    ([(2, 1), (2, 1)], ['t'])
    """
    if not isinstance(X, (list, tuple)):
        raise TypeError(
            f"{name} must be a list with one (n_i, m) array or DataFrame per series "
            f"(as y is a list); got {type(X).__name__}."
        )
    if len(X) != len(infos):
        raise ValueError(f"{name} must have one entry per series ({len(infos)}); got {len(X)}.")
    out, cols = [], None
    for i, (x, info) in enumerate(zip(X, infos)):
        n_rows = h if future else info.n_timesteps
        what = f" (h={h} future periods of series {i})" if future else f" (one per observation of series {i})"
        expected = None
        if info.is_pandas:
            expected = future_index(info, h) if future else info.index
        arr, c = check_exog(x, n_rows=n_rows, name=f"{name}[{i}]",
                            n_columns=n_columns if n_columns is not None else
                            (out[0].shape[1] if out else None),
                            columns=columns if columns is not None else cols,
                            expected_index=expected, context=what)
        if cols is None and c is not None:
            cols = list(c)
        out.append(arr)
    return out, cols


def _check_long(df: pd.DataFrame, *, name: str) -> Panel:
    return Panel(**read_long(df, name=name))
