"""Collections of series in the long format (``unique_id``, ``ds``, ``y`` and covariates).

:func:`read_long` validates a long DataFrame into the fields of a
:class:`~rnnforecast.utils.panel.Panel` (the format's rules are in
:mod:`rnnforecast.utils.panel`); :func:`check_long_future_exog` validates
future covariates in long format.  Both are used through
:mod:`rnnforecast.utils.panel`, which re-exports ``check_long_future_exog``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as pdt

from rnnforecast.utils.long_format import ID_COL, TARGET_COL, TIME_COL, check_unique_columns
from rnnforecast.utils._series_checks import _check_index
from rnnforecast.utils.series import check_exog, check_series, future_index

__all__ = ["adopt_shared_freq", "check_long_future_exog", "read_long"]


def _index_values(ix: pd.Index | None) -> Any:
    if isinstance(ix, pd.RangeIndex):
        return np.asarray(ix, dtype=np.int64)
    return ix


def _long_columns_from_index(df: pd.DataFrame, *, name: str) -> pd.DataFrame:
    """Move ``unique_id``/``ds`` index levels into columns (a frame after ``set_index``)."""
    levels = [n for n in df.index.names if n in (ID_COL, TIME_COL)]
    if not levels:
        return df
    both = [n for n in levels if n in df.columns]
    if both:
        raise ValueError(
            f"{name} has {both} both as index level(s) and as column(s); keep one "
            f"(e.g. {name}.reset_index(drop=True))."
        )
    if len(levels) == df.index.nlevels:
        return df.reset_index()
    return df.reset_index(level=levels)


def read_long(df: pd.DataFrame, *, name: str) -> dict[str, Any]:
    """The fields of a long-format :class:`~rnnforecast.utils.panel.Panel` (validated, sorted by id and time)."""
    df = _long_columns_from_index(df, name=name)
    check_unique_columns(df, name)
    missing = [c for c in (ID_COL, TIME_COL, TARGET_COL) if c not in df.columns]
    if missing:
        raise ValueError(
            f"{name} in long format must have the columns {ID_COL!r}, {TIME_COL!r} and "
            f"{TARGET_COL!r}; missing {missing} (got {list(df.columns)})."
        )
    if len(df) == 0:
        raise ValueError(f"{name} must not be empty; got a DataFrame with 0 rows.")
    if df[ID_COL].isna().any():
        raise ValueError(f"{name}[{ID_COL!r}] must not contain missing values.")
    ds = df[TIME_COL]
    if not (pdt.is_datetime64_any_dtype(ds) or pdt.is_integer_dtype(ds)):
        raise TypeError(
            f"{name}[{TIME_COL!r}] must hold datetimes or integers; got dtype {ds.dtype}."
        )
    if ds.isna().any():
        raise ValueError(f"{name}[{TIME_COL!r}] must not contain missing values.")
    cov_cols = [c for c in df.columns if c not in (ID_COL, TIME_COL, TARGET_COL)]
    try:
        ordered = df.sort_values([ID_COL, TIME_COL], kind="stable")
        dup = ordered.duplicated([ID_COL, TIME_COL])
    except TypeError as exc:  # ids that cannot be hashed or ordered (lists, dicts...)
        raise TypeError(
            f"{name}[{ID_COL!r}] must hold hashable, mutually orderable series ids (e.g. "
            f"strings or ints); got values of type(s) "
            f"{sorted({type(v).__name__ for v in df[ID_COL].head(1000)})} ({exc})."
        ) from None
    if dup.any():
        first = ordered.loc[dup, [ID_COL, TIME_COL]].iloc[0]
        raise ValueError(
            f"{name} has duplicated ({ID_COL!r}, {TIME_COL!r}) rows, e.g. "
            f"{first[ID_COL]!r} at {first[TIME_COL]!r}; each series needs one row per time stamp."
        )
    ids, values, infos, exog = [], [], [], []
    for uid, g in ordered.groupby(ID_COL, sort=False, observed=True):
        index = pd.Index(g[TIME_COL].to_numpy(), name=TIME_COL)
        if pdt.is_integer_dtype(index.dtype):
            index = _as_range_if_regular(index)
        s = pd.Series(g[TARGET_COL].to_numpy(), index=index, name=TARGET_COL)
        # a frequency is inferred from 3 stamps: a shorter series takes the shared one (below)
        arr, info = check_series(s, name=f"{name}[{ID_COL}={uid!r}]", require_freq=False)
        ids.append(uid)
        values.append(arr[:, 0].copy())
        infos.append(info)
        if cov_cols:
            xa, _ = check_exog(g[cov_cols].reset_index(drop=True), n_rows=len(g),
                               name=f"{name}[{ID_COL}={uid!r}] covariates")
            exog.append(xa)
    freqs = {str(inf.freq) if inf.freq is not None else f"step {inf.step}" for inf in infos
             if inf.n_timesteps > 1 and not (inf.index_kind == "datetime" and inf.freq is None)}
    if len(freqs) > 1:
        raise ValueError(f"The series of {name} must share one frequency; got {sorted(freqs)}.")
    infos = adopt_shared_freq(infos, [f"{name}[{ID_COL}={uid!r}]" for uid in ids])
    steps = {inf.step for inf in infos if inf.n_timesteps > 1 and inf.step is not None}
    if len(steps) == 1:
        # a one-row integer series takes the spacing the other series share
        step = steps.pop()
        for j, inf in enumerate(infos):
            if inf.n_timesteps == 1 and inf.step is not None and inf.step != step:
                start = int(inf.index[0])
                index = pd.RangeIndex(start, start + step, step, name=inf.index.name)
                infos[j] = dataclasses.replace(inf, index=index, step=step)
    meta = {"id_col": ID_COL, "time_col": TIME_COL, "target_col": TARGET_COL,
            "id_dtype": df[ID_COL].dtype}
    return dict(ids=ids, values=values, infos=infos, exog=exog if cov_cols else None,
                exog_columns=cov_cols or None, kind="long", meta=meta)


def adopt_shared_freq(infos: list, names: list) -> list:
    """Give series of fewer than 3 time stamps the frequency the other series share.

    pandas infers a frequency from 3 time stamps at least; a series of a
    collection with 1 or 2 stamps on the grid of the frequency every other
    series has is on that grid.  Any other DatetimeIndex without a frequency
    is refused as by :func:`~rnnforecast.utils.series.check_series`.

    Parameters
    ----------
    infos : list of SeriesInfo
        The series' infos, checked with ``require_freq=False``.
    names : list of str
        The series' names for error messages.

    Returns
    -------
    list of SeriesInfo
        ``infos``, the short ones with the shared frequency.

    Raises
    ------
    ValueError
        A DatetimeIndex without a frequency that cannot take a shared one, or
        whose stamps are off the shared frequency's grid.
    """
    shared = {inf.freq for inf in infos if inf.index_kind == "datetime" and inf.freq is not None}
    out = []
    for inf, name in zip(infos, names):
        if inf.index_kind != "datetime" or inf.freq is not None:
            out.append(inf)
            continue
        if inf.n_timesteps >= 3 or len(shared) != 1:
            _check_index(inf.index, name, require_freq=True)  # raises the usual error
        freq = next(iter(shared))
        grid = pd.date_range(inf.index[0], periods=inf.n_timesteps, freq=freq)
        if not (freq.is_on_offset(inf.index[0]) and np.array_equal(grid, inf.index)):
            raise ValueError(
                f"{name} has {inf.n_timesteps} time stamp(s) {[str(t) for t in inf.index]}, "
                f"too few to infer a frequency and not on the grid of the frequency "
                f"{freq.freqstr} that the other series share."
            )
        out.append(dataclasses.replace(inf, freq=freq, index=pd.DatetimeIndex(inf.index, freq=freq)))
    return out


def _as_range_if_regular(index: pd.Index) -> pd.Index:
    """An integer index as a RangeIndex when evenly spaced (else unchanged, refused later)."""
    a = np.asarray(index, dtype=np.int64)
    if len(a) == 1:
        return pd.RangeIndex(a[0], a[0] + 1, name=index.name)
    d = np.diff(a)
    if d[0] > 0 and (d == d[0]).all():
        return pd.RangeIndex(a[0], a[-1] + d[0], d[0], name=index.name)
    return index


def check_long_future_exog(X: Any, panel_ids: list, infos: list, h: int, columns: list,
                           *, name: str = "X") -> list:
    """Validate future covariates in long format: each series' next ``h`` periods.

    Parameters
    ----------
    X : DataFrame
        Long DataFrame with ``unique_id``, ``ds`` (as columns or index levels)
        and the ``columns``; rows for other periods or series are ignored.
    panel_ids : list
        Identifiers of the series to forecast (``Panel.ids``).
    infos : list of SeriesInfo
        Their infos (``Panel.infos``), which give the next ``h`` periods.
    h : int
        Forecast horizon (>= 1).
    columns : list of str
        The future-known covariates needed.
    name : str, default="X"
        Parameter name for error messages.

    Returns
    -------
    arrays : list of ndarray of shape (h, len(columns)), float64
        One array per series of ``panel_ids``, in time order.

    Raises
    ------
    TypeError
        If ``X`` is not a DataFrame.
    ValueError
        Missing columns, or a series without a row for one of its next ``h``
        periods.

    Examples
    --------
    >>> import pandas as pd
    >>> from rnnforecast.utils.panel import check_long_future_exog, check_panel
    >>> panel = check_panel(pd.DataFrame({"unique_id": ["a", "a", "b"], "ds": [0, 1, 0],
    ...                                   "y": [1.0, 2.0, 3.0], "price": [1.0, 1.0, 2.0]}))
    >>> X = pd.DataFrame({"unique_id": ["a", "b", "b"], "ds": [2, 1, 2],
    ...                   "price": [1.5, 2.5, 9.0]})
    >>> check_long_future_exog(X, panel.ids, panel.infos, 1, ["price"])
    [array([[1.5]]), array([[2.5]])]
    """
    if not isinstance(X, pd.DataFrame):
        raise TypeError(
            f"{name} must be a long DataFrame with columns {ID_COL!r}, {TIME_COL!r} and the "
            f"covariates {columns}, as at fit; got {type(X).__name__}."
        )
    X = _long_columns_from_index(X, name=name)
    check_unique_columns(X, name)
    missing = [c for c in [ID_COL, TIME_COL, *columns] if c not in X.columns]
    if missing:
        raise ValueError(f"{name} is missing the columns {missing} (got {list(X.columns)}).")
    out = []
    groups = {uid: g for uid, g in X.groupby(ID_COL, sort=False, observed=True)}
    for uid, info in zip(panel_ids, infos):
        g = groups.get(uid)
        fut = future_index(info, h)
        if g is None:
            raise ValueError(
                f"{name} has no rows for series {uid!r}; its {h} future periods "
                f"({fut[0]} .. {fut[-1]}) are needed."
            )
        g = g.set_index(TIME_COL)
        want = pd.Index(_index_values(fut))
        have = g.index
        absent = want.difference(have)
        if len(absent):
            raise ValueError(
                f"{name} lacks future values for series {uid!r} at {len(absent)} of the {h} "
                f"forecast periods (first missing: {absent[0]}); future-known covariates "
                f"{columns} are needed for every forecast step."
            )
        sub = g.loc[want, columns]
        arr, _ = check_exog(sub.reset_index(drop=True), n_rows=h,
                            name=f"{name}[{ID_COL}={uid!r}]")
        out.append(arr)
    return out
