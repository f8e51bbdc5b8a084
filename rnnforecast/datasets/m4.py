"""Reader for local copies of the M4 competition data (no downloads).

The M4 files are distributed as one CSV per subset and split, e.g.
``Hourly-train.csv`` and ``Hourly-test.csv``: a header row
(``"V1","V2",...``), then one row per series whose first column is the
series id (``H1`` ... ``H414``) and whose remaining columns hold the values,
padded on the right with empty cells (NaN) up to the longest series.

rnnforecast ships no M4 data and never downloads it: pass the folder (or the
training file) that holds your copy, or set the environment variable
``RNNFORECAST_M4_PATH`` to that folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

__all__ = ["load_m4", "M4_SUBSETS", "M4_ENV_VAR"]

M4_ENV_VAR = "RNNFORECAST_M4_PATH"
"""Environment variable consulted by :func:`load_m4` when ``path`` is None."""

#: subset -> (file prefix, forecast horizon h, seasonal period m used by the M4 benchmarks)
M4_SUBSETS: dict[str, tuple[str, int, int]] = {
    "yearly": ("Yearly", 6, 1),
    "quarterly": ("Quarterly", 8, 4),
    "monthly": ("Monthly", 18, 12),
    "weekly": ("Weekly", 13, 1),
    "daily": ("Daily", 14, 1),
    "hourly": ("Hourly", 48, 24),
}


def _read_wide(file: Path, split: str) -> tuple[list[str], list[np.ndarray]]:
    frame = pd.read_csv(file, header=0, index_col=0)
    if frame.shape[1] == 0:
        raise ValueError(f"{file} has no value columns; expected the M4 wide layout (id, V2, V3, ...)")
    values = frame.to_numpy(dtype=np.float64)
    ids = [str(i) for i in frame.index]
    series: list[np.ndarray] = []
    for sid, row in zip(ids, values):
        ok = ~np.isnan(row)
        n = int(ok.sum())
        if n == 0:
            raise ValueError(f"{split} series {sid!r} in {file} has no values")
        if not ok[:n].all():
            raise ValueError(
                f"{split} series {sid!r} in {file} has missing values before its last observation; "
                "M4 files are only padded with NaN on the right"
            )
        series.append(row[:n].copy())
    return ids, series


def load_m4(subset: str = "hourly", path: str | os.PathLike[str] | None = None) -> Bunch:
    """Load one M4 subset from local CSV files.

    Parameters
    ----------
    subset : {"yearly", "quarterly", "monthly", "weekly", "daily", "hourly"}, default="hourly"
        Case-insensitive subset name.
    path : str or path-like or None, default=None
        Folder that contains ``<Subset>-train.csv`` and ``<Subset>-test.csv``
        (or the path of the ``-train.csv`` file itself).  When None, the
        folder named by the ``RNNFORECAST_M4_PATH`` environment variable is
        used; if that is unset too a :class:`ValueError` is raised.

    Returns
    -------
    Bunch
        ``ids`` : list of str, the series ids in file order.
        ``train`` : list of ndarray of shape (n_i,), float64 -- in-sample series.
        ``test`` : list of ndarray of shape (horizon,), float64 -- out-of-sample values.
        ``horizon`` : int -- M4 forecast horizon of the subset.
        ``seasonal_period`` : int -- period ``m`` used by the M4 benchmarks and MASE.
        ``subset`` : str -- normalised subset name.

    Raises
    ------
    ValueError
        Unknown subset, no path given, ids differing between the files, or a
        test series whose length is not the subset's horizon.
    FileNotFoundError
        If a CSV file is missing.

    Examples
    --------
    Two made-up hourly series in the M4 layout (the real files hold 414):

    >>> import tempfile
    >>> from pathlib import Path
    >>> from rnnforecast.datasets import load_m4
    >>> folder = Path(tempfile.mkdtemp())
    >>> header = ",".join(f'"V{i}"' for i in range(1, 51))
    >>> _ = (folder / "Hourly-train.csv").write_text(
    ...     '"V1","V2","V3","V4"\\n"H1",1,2,3\\n"H2",4,5,\\n')
    >>> _ = (folder / "Hourly-test.csv").write_text(
    ...     header + "".join(f'\\n"H{k}",' + ",".join(["7"] * 48) for k in (1, 2)))
    >>> m4 = load_m4("hourly", path=folder)
    >>> m4.ids, [len(s) for s in m4.train], m4.horizon, m4.seasonal_period
    (['H1', 'H2'], [3, 2], 48, 24)
    >>> import shutil; shutil.rmtree(folder)
    """
    if not isinstance(subset, str):
        raise TypeError(f"subset must be a str; got {type(subset).__name__}")
    key = subset.lower()
    if key not in M4_SUBSETS:
        raise ValueError(f"subset must be one of {sorted(M4_SUBSETS)}; got {subset!r}")
    prefix, horizon, m = M4_SUBSETS[key]
    if path is None:
        env = os.environ.get(M4_ENV_VAR)
        if not env:
            raise ValueError(
                f"path is None and the environment variable {M4_ENV_VAR} is not set; "
                "pass the folder holding the M4 CSV files (rnnforecast does not download data)"
            )
        path = env
    p = Path(path)
    folder = p.parent if p.suffix.lower() == ".csv" else p
    train_file = folder / f"{prefix}-train.csv"
    test_file = folder / f"{prefix}-test.csv"
    for f in (train_file, test_file):
        if not f.is_file():
            raise FileNotFoundError(f"M4 file not found: {f}")
    ids, train = _read_wide(train_file, "train")
    test_ids, test = _read_wide(test_file, "test")
    if ids != test_ids:
        raise ValueError(f"series ids differ between {train_file.name} and {test_file.name}")
    bad = [sid for sid, t in zip(ids, test) if t.shape[0] != horizon]
    if bad:
        raise ValueError(
            f"{len(bad)} test series (first: {bad[0]!r}) do not have the {key} horizon of {horizon} values"
        )
    return Bunch(ids=ids, train=train, test=test, horizon=horizon, seasonal_period=m, subset=key)
