"""Thread control for the kernels.

Inside the kernels, ``np.dot`` calls the BLAS that SciPy ships (Numba links to
``scipy.linalg.cython_blas``), while the kernels run their own threads over
batch chunks.  :func:`kernel_threads` sets Numba's thread count and limits the
BLAS libraries to one thread for the duration of a ``with`` block, restoring
both afterwards (also when the block raises).
"""

from __future__ import annotations

import numbers
import os
from contextlib import contextmanager

import numba
import scipy.linalg.cython_blas  # noqa: F401  (load SciPy's BLAS so threadpoolctl sees it)
from threadpoolctl import ThreadpoolController

_controller = None


def _get_controller():
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


def resolve_n_jobs(n_jobs) -> int:
    """Number of kernel threads for ``n_jobs``.

    ``None`` keeps the current ``numba.get_num_threads()`` (so a caller's
    ``numba.set_num_threads`` is honoured); a positive int asks for that many
    (capped at ``numba.config.NUMBA_NUM_THREADS``); ``-1`` means all,
    ``-2`` all but one, and so on, as in scikit-learn.
    """
    if n_jobs is None:
        return numba.get_num_threads()
    if isinstance(n_jobs, (bool, float)) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None or a non-zero int; got {n_jobs!r} instead.")
    most = numba.config.NUMBA_NUM_THREADS
    n = int(n_jobs) if n_jobs > 0 else most + 1 + int(n_jobs)
    return max(1, min(most, n))


@contextmanager
def kernel_threads(n_jobs=None):
    """Run the enclosed kernels on ``n_jobs`` threads with single-threaded BLAS.

    Yields the number of threads used.
    """
    n = resolve_n_jobs(n_jobs)
    previous = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        with _get_controller().limit(limits=1, user_api="blas"):
            yield n
    finally:
        numba.set_num_threads(previous)


def cpu_count() -> int:
    """Cores available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
