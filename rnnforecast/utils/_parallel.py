"""``joblib.Parallel`` with a backend given by name, working around a joblib bug.

joblib 1.6.0 hands the nesting level it gives a backend created from a name
(``Parallel(backend="dask")``) on to Dask's ``client.submit``, so every task
fails with ``TypeError: Batch.__call__() got an unexpected keyword argument
'nesting_level'``.  The same backend selected through
``joblib.parallel_config(backend=...)`` works, and gives the same defaults
(``n_jobs=None``: the backend's default, 1 for loky/threading and all the
workers of the cluster for Dask), so a name is applied that way.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from joblib import Parallel

try:  # joblib >= 1.3
    from joblib import parallel_config
except ImportError:  # pragma: no cover - older joblib: Parallel(backend=name) directly
    parallel_config = None

__all__ = ["run_parallel"]


def run_parallel(tasks: Iterable, n_jobs: int | None = None, backend: Any = None) -> list:
    """Run joblib ``delayed`` tasks; results in task order.

    Parameters
    ----------
    tasks : iterable of joblib delayed calls
    n_jobs : int or None, default=None
        As for :class:`joblib.Parallel` (None: 1 unless a joblib context or
        the backend's default says otherwise).
    backend : str, joblib backend instance or None, default=None
        None uses joblib's active backend (e.g. the one set by
        ``with joblib.parallel_backend("dask"):``).

    Returns
    -------
    list
        The tasks' results, in order.

    Examples
    --------
    >>> from joblib import delayed
    >>> run_parallel((delayed(pow)(i, 2) for i in range(4)), n_jobs=2, backend="threading")
    [0, 1, 4, 9]
    """
    if isinstance(backend, str) and parallel_config is not None:
        with parallel_config(backend=backend):
            return Parallel(n_jobs=n_jobs)(tasks)
    return Parallel(n_jobs=n_jobs, backend=backend)(tasks)
