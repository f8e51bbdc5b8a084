"""Thread control for the kernels.

Inside the kernels, ``np.dot`` calls the BLAS that SciPy ships (Numba links to
``scipy.linalg.cython_blas``), while the kernels run their own threads over
batch chunks.  :func:`kernel_threads` sets Numba's thread count and limits the
BLAS libraries to one thread for the duration of a ``with`` block, restoring
both afterwards (also when the block raises).  Numba's thread count is per
Python thread; the BLAS limit is process-wide and reference-counted, so
overlapping blocks in several threads (joblib's ``threading`` backend) restore
the original BLAS limits once, when the last one ends.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterator
from contextlib import contextmanager

import numba

from rnnforecast.utils._blas import single_threaded_blas

def _omp_num_threads() -> int | None:
    """``OMP_NUM_THREADS`` if it is set to a positive int, else ``None``."""
    value = os.environ.get("OMP_NUM_THREADS", "").strip()
    try:
        n = int(value)
    except ValueError:  # unset, empty, or a nested list such as "4,2"
        return None
    return n if n > 0 else None


def resolve_n_jobs(n_jobs: int | None) -> int:
    """Number of kernel threads for ``n_jobs``.

    ``None`` keeps the current ``numba.get_num_threads()`` (so a caller's
    ``numba.set_num_threads`` is honoured), capped at ``OMP_NUM_THREADS``
    when that environment variable is a positive int.  Process-based workers
    set it for the threads they may use: joblib's loky workers (as in
    ``GridSearchCV(..., n_jobs=k)``) get ``cpu_count() // k`` and the workers
    of a Dask cluster started by a nanny get 1, so a model with
    ``n_jobs=None`` does not oversubscribe the cores there.  A positive int
    asks for that many (capped at ``numba.config.NUMBA_NUM_THREADS``, not at
    ``OMP_NUM_THREADS``); ``-1`` means all, ``-2`` all but one, and so on, as
    in scikit-learn.

    Parameters
    ----------
    n_jobs : int or None
        Requested number of threads; 0 is refused.

    Returns
    -------
    n_threads : int
        Between 1 and ``numba.config.NUMBA_NUM_THREADS``.

    Raises
    ------
    ValueError
        ``n_jobs`` is 0 or not an int (bool and float included).

    Examples
    --------
    >>> import numba
    >>> from rnnforecast.nn.threads import resolve_n_jobs
    >>> resolve_n_jobs(1)
    1
    >>> resolve_n_jobs(-1) == numba.config.NUMBA_NUM_THREADS
    True
    >>> 1 <= resolve_n_jobs(None) <= numba.get_num_threads()
    True
    """
    if n_jobs is None:
        n = numba.get_num_threads()
        limit = _omp_num_threads()
        return n if limit is None else max(1, min(n, limit))
    if isinstance(n_jobs, (bool, float)) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None or a non-zero int; got {n_jobs!r} instead.")
    most = numba.config.NUMBA_NUM_THREADS
    n = int(n_jobs) if n_jobs > 0 else most + 1 + int(n_jobs)
    return max(1, min(most, n))


@contextmanager
def kernel_threads(n_jobs: int | None = None) -> Iterator[int]:
    """Run the enclosed kernels on ``n_jobs`` threads with single-threaded BLAS.

    Yields the number of threads used.
    """
    n = resolve_n_jobs(n_jobs)
    previous = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        with single_threaded_blas():
            yield n
    finally:
        numba.set_num_threads(previous)


def cpu_count() -> int:
    """Cores available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
