"""The user's own data for ``rnnforecast benchmark --csv FILE``.

:func:`read_series_csv` reads one series (a time column and a value column)
or a long-format file (``unique_id, ds, y``: one row per series and time
stamp) and checks it: readable file, existing columns, numeric values without
gaps, unique and regularly spaced time stamps (the frequency inferred or
given). :func:`seasonal_period_for` and :func:`horizon_for` give the defaults
the command uses when ``--seasonal-period`` or ``--horizon`` are not given,
and :func:`combine_results` merges the per-series results of a long-format
file into one table (means over the series).

Every problem raises :class:`CSVInputError` (a ``ValueError``) naming the
file and, where it applies, the column, series and row.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.forecasting.auto_config import M4_HORIZONS, period_from_freq

__all__ = ["CSVInputError", "combine_results", "horizon_for", "read_series_csv",
           "seasonal_period_for"]

class CSVInputError(ValueError):
    """A CSV file that cannot be benchmarked (the message names the file and the problem)."""


def seasonal_period_for(freq: pd.offsets.BaseOffset | None) -> int:
    """Seasonal period implied by a frequency (1 when none is implied).

    The rule of the neural forecasters' automatic configuration
    (:func:`rnnforecast.forecasting.auto_config.period_from_freq`): yearly 1,
    quarterly 4, monthly 12, weekly 52, daily 7, business-daily 5, hourly 24,
    for a sub-daily step the steps per day (per hour for very fine steps); a
    multiple of a period (e.g. ``2MS``) divides it when it can.

    Parameters
    ----------
    freq : pandas offset or None

    Returns
    -------
    int

    Examples
    --------
    >>> from pandas.tseries.frequencies import to_offset
    >>> [seasonal_period_for(to_offset(f)) for f in ("MS", "QE", "h", "30min", "D", "W-SUN", "YS")]
    [12, 4, 24, 48, 7, 52, 1]
    >>> seasonal_period_for(None)
    1
    """
    return period_from_freq(freq) or 1


def horizon_for(freq: pd.offsets.BaseOffset | None, seasonal_period: int) -> int:
    """Default horizon: the M4 horizon of the frequency, else ``max(2 * seasonal_period, 8)``.

    Examples
    --------
    >>> from pandas.tseries.frequencies import to_offset
    >>> horizon_for(to_offset("MS"), 12), horizon_for(to_offset("h"), 24), horizon_for(None, 1)
    (18, 48, 8)
    """
    period = period_from_freq(freq)
    if period is not None and abs(getattr(freq, "n", 1) or 1) == 1:
        if period in M4_HORIZONS:
            return M4_HORIZONS[period]
        if period == 1:
            return 6  # yearly: the M4 yearly horizon
    return max(2 * int(seasonal_period), 8)


def _read(path: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise CSVInputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CSVInputError(f"{path}: cannot be read as CSV: {' '.join(str(exc).split())}") from None
    if frame.shape[1] < 2 or len(frame) == 0:
        raise CSVInputError(f"{path}: expected a header and rows with at least two columns (time, "
                            f"value); got {frame.shape[1]} column(s) and {len(frame)} row(s)")
    return frame


def _column(frame: pd.DataFrame, name: str, path: str, option: str) -> pd.Series:
    if name not in frame.columns:
        raise CSVInputError(f"{path}: no column {name!r} ({option}); the columns are "
                            f"{[str(c) for c in frame.columns]}")
    return frame[name]


def _check_numeric(frame: pd.DataFrame, value_col: str, id_col: str | None, path: str) -> None:
    """Refuse a value column holding text (booleans too), naming the first offending row."""
    col = frame[value_col]
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return
    where = "" if id_col is None else f" (series {frame[id_col].iloc[0]!r})"
    if pd.api.types.is_bool_dtype(col):
        raise CSVInputError(f"{path}: value column {value_col!r}{where} holds true/false values; "
                            "expected numbers")
    bad = (pd.to_numeric(col, errors="coerce").isna() & col.notna()).to_numpy()
    if not bad.any():
        bad = np.ones(len(col), dtype=bool)
    row = int(np.flatnonzero(bad)[0])
    where = "" if id_col is None else f" (series {frame[id_col].iloc[row]!r})"
    raise CSVInputError(f"{path}: value column {value_col!r}{where} holds text, e.g. "
                        f"{col.iloc[row]!r} on data row {row + 1}; expected numbers")


def _values(col: pd.Series, path: str, where: str) -> np.ndarray:
    values = col.to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        raise CSVInputError(f"{path}: value column {col.name!r}{where} has {int(bad.sum())} missing "
                            f"or infinite value(s), the first on data row "
                            f"{int(col.index[np.flatnonzero(bad)[0]]) + 1}")
    return values


def _time_index(col: pd.Series, path: str, where: str) -> pd.Index:
    if pd.api.types.is_integer_dtype(col):  # years or step numbers
        return pd.Index(col.to_numpy(), name=col.name)
    try:
        with warnings.catch_warnings():  # unparseable stamps raise below; no format noise
            warnings.filterwarnings("ignore", message="Could not infer format")
            stamps = pd.to_datetime(col)
    except (ValueError, TypeError) as exc:
        raise CSVInputError(f"{path}: time column {col.name!r}{where} cannot be read as dates "
                            f"({' '.join(str(exc).split())[:160]})") from None
    return pd.DatetimeIndex(stamps, name=col.name)


def _regular(index: pd.Index, path: str, where: str, freq: str | None, rows: np.ndarray) -> pd.Index:
    """``index`` with its frequency set; ``rows`` are the file's data row numbers of its entries."""
    dup = index.duplicated()
    if dup.any():
        raise CSVInputError(f"{path}: duplicated time stamp {index[dup][0]}{where}")
    if not isinstance(index, pd.DatetimeIndex):
        steps = np.diff(index.to_numpy())
        if freq is not None:
            raise CSVInputError(f"{path}: --freq applies to dates; the time column holds integers")
        if len(steps) and (steps <= 0).any() or len(set(steps.tolist())) > 1:
            raise CSVInputError(f"{path}: the integer time column{where} is not evenly spaced and "
                                "increasing")
        return index
    from rnnforecast.utils._series_checks import _infer_freq

    given = freq
    if freq is None:
        freq = _infer_freq(index) if len(index) >= 3 else None
        if freq is None:  # describe the first break of the spacing the series starts with
            freq = _infer_freq(index[:3]) if len(index) >= 3 else None
            if freq is None:
                raise CSVInputError(f"{path}: irregular time stamps{where}: no frequency fits "
                                    f"{[str(t) for t in index[:3]]}; fill the gaps or pass --freq")
    try:
        expected = pd.date_range(index[0], periods=len(index), freq=freq)
    except ValueError as exc:
        raise CSVInputError(f"{path}: --freq {given!r} is not a pandas frequency ({exc})") from None
    wrong = np.flatnonzero(expected != index)
    if len(wrong):
        first = int(wrong[0])
        how = f"for --freq {given}" if given is not None else f"(they start with frequency {freq.freqstr})"
        raise CSVInputError(f"{path}: irregular time stamps{where} {how}: expected {expected[first]} "
                            f"at data row {rows[first]}, got {index[first]}. Fill the gaps (nothing "
                            "is filled in silently)")
    return expected.rename(index.name)


def _series(frame, time_col, value_col, path, where, freq) -> pd.Series:
    frame = frame.sort_values(time_col, kind="stable")
    values = _values(frame[value_col], path, where)
    index = _regular(_time_index(frame[time_col], path, where), path, where, freq,
                     frame.index.to_numpy() + 1)
    return pd.Series(values, index=index, name=str(value_col))


def read_series_csv(path: str | os.PathLike[str], *, time_col: str | None = None,
                    value_col: str | None = None, id_col: str | None = None,
                    freq: str | None = None) -> dict[str, pd.Series]:
    """Read and check one series or a long-format file of series.

    Parameters
    ----------
    path : str or path-like
        CSV file with a header row.
    time_col, value_col : str or None, default=None
        Columns of the time stamps and the values. Defaults: ``ds`` and ``y``
        when present, else the first column (time) and the only other column
        (value).
    id_col : str or None, default=None
        Column of the series ids of a long-format file; default ``unique_id``
        when present (else the file holds one series).
    freq : str or None, default=None
        pandas frequency of the time stamps (e.g. ``"MS"``, ``"h"``); inferred
        when None. Integer time columns (years, step numbers) must be evenly
        spaced.

    Returns
    -------
    dict of str to pandas.Series
        Series by id (a single entry named after the file for one series),
        each float64, sorted by time, with a regular index.

    Raises
    ------
    CSVInputError
        Unreadable file, missing column, text or missing values, duplicated
        or irregular time stamps.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "sales.csv")
    >>> _ = open(path, "w").write("month,sales\\n2024-01-01,3\\n2024-02-01,4\\n2024-03-01,5\\n")
    >>> s = read_series_csv(path)["sales"]
    >>> s.index.freqstr, s.tolist()
    ('MS', [3.0, 4.0, 5.0])
    """
    path = os.fspath(path)
    frame = _read(path)
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if id_col is None and "unique_id" in columns:
        id_col = "unique_id"
    if time_col is None:
        time_col = "ds" if "ds" in columns else columns[0]
    _column(frame, time_col, path, "--time-col")
    if id_col is not None:
        missing = _column(frame, id_col, path, "--id-col").isna().to_numpy()
        if missing.any():  # groupby would drop these rows silently
            raise CSVInputError(f"{path}: id column {id_col!r} has {int(missing.sum())} missing "
                                f"value(s), the first on data row {int(np.flatnonzero(missing)[0]) + 1}; "
                                "every row needs the id of its series")
    if value_col is None:
        rest = [c for c in columns if c not in (time_col, id_col)]
        if "y" in rest:
            value_col = "y"
        elif len(rest) == 1:
            value_col = rest[0]
        else:
            raise CSVInputError(f"{path}: several candidate value columns {rest}; choose one with "
                                "--value-col")
    _column(frame, value_col, path, "--value-col")
    _check_numeric(frame, value_col, id_col, path)
    if id_col is None:
        name = os.path.splitext(os.path.basename(path))[0] if value_col == "y" else value_col
        return {name: _series(frame, time_col, value_col, path, "", freq).rename(name)}
    out = {}
    for uid, part in frame.groupby(id_col, sort=False):
        out[str(uid)] = _series(part, time_col, value_col, path, f" (series {uid!r})", freq).rename(str(uid))
    freqs = {s.index.freqstr if isinstance(s.index, pd.DatetimeIndex) else None for s in out.values()}
    if len(freqs) > 1:
        raise CSVInputError(f"{path}: the series have different frequencies {sorted(map(str, freqs))}")
    return out


def combine_results(results: dict[str, Any], name: str) -> Any:
    """Merge per-series :class:`~rnnforecast.benchmarking.BenchmarkResult` objects into one.

    The table holds, per model, the mean over series of each series' means
    (every series has the same number of windows, so this is the mean over
    all windows of all series); ``n_windows`` counts the windows of all
    series. A model that failed on some series is marked failed, the series
    named. ``scores`` and ``forecasts`` gain a ``unique_id`` column.

    Parameters
    ----------
    results : dict of str to BenchmarkResult
        By series id, all with the same models and settings.
    name : str
        Name of the combined result.

    Returns
    -------
    BenchmarkResult
    """
    from rnnforecast.benchmarking import BenchmarkResult, ModelFailure

    first = next(iter(results.values()))
    failures: dict[str, ModelFailure] = {}
    for uid, res in results.items():
        for model, f in res.failures.items():
            failures.setdefault(model, ModelFailure(f.model, f.window, f.n_windows, f.cutoff, f.stage,
                                                    f"series {uid!r}: {f.message}"))
    tables = pd.concat([r.table for r in results.values()], keys=list(results), names=["unique_id"])
    numeric = [c for c in tables.columns if c not in ("status", "n_windows")]
    table = tables[numeric].groupby(level="model", sort=False).mean()
    table["n_windows"] = tables["n_windows"].groupby(level="model", sort=False).sum()
    table["status"] = [str(failures[m]) if m in failures else "ok" for m in table.index]
    table.loc[list(failures), numeric] = np.nan

    def stacked(attr: str) -> pd.DataFrame:
        frames = [getattr(r, attr).assign(unique_id=uid) for uid, r in results.items()]
        return pd.concat(frames, ignore_index=True)

    return BenchmarkResult(
        table=table, scores=stacked("scores"), forecasts=stacked("forecasts"), failures=failures,
        warnings=[f"series {uid!r}: {w}" for uid, r in results.items() for w in r.warnings],
        params=first.params, horizon=first.horizon, n_windows=first.n_windows,
        seasonal_period=first.seasonal_period,
        name=name, y=None,
        warmup_seconds={m: sum(r.warmup_seconds.get(m, 0.0) for r in results.values())
                        for m in first.warmup_seconds},
        coverage=first.coverage)
