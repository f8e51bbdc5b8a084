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
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numba

from rnnforecast.utils._blas import single_threaded_blas

__all__ = ["cpu_count", "kernel_threads", "resolve_n_jobs", "run_chunks"]


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


# ----------------------------------------------------------------------------- chunk pool
_POOL_LOCK = threading.Lock()
_POOL: dict = {"executor": None}


def _executor() -> ThreadPoolExecutor:
    """The process's kernel thread pool (created on first use)."""
    with _POOL_LOCK:
        if _POOL["executor"] is None:
            workers = max(1, numba.config.NUMBA_NUM_THREADS - 1)
            _POOL["executor"] = ThreadPoolExecutor(workers, thread_name_prefix="rnnforecast-kernel")
        return _POOL["executor"]


def _forget_pool_after_fork() -> None:  # pragma: no cover - runs in forked children
    # the pool's threads do not exist in a forked child; a new pool is made on demand
    global _POOL_LOCK
    _POOL_LOCK = threading.Lock()
    _POOL["executor"] = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_after_fork)


class _ChunkRun:
    """Chunks ``0 .. n-1`` of one kernel call, pulled one at a time by any thread."""

    __slots__ = ("fn", "n", "next", "done", "error", "lock", "finished")

    def __init__(self, fn: Callable[[int, int], object], n: int):
        self.fn = fn
        self.n = n
        self.next = 0
        self.done = 0
        self.error: BaseException | None = None
        self.lock = threading.Lock()
        self.finished = threading.Event()

    def _finish(self, count: int) -> None:
        self.done += count
        if self.done >= self.n:
            self.finished.set()

    def work(self) -> None:
        while True:
            with self.lock:
                c = self.next
                if c >= self.n:
                    return
                self.next = c + 1
            try:
                self.fn(c, c + 1)
            except BaseException as exc:  # re-raised in the calling thread
                with self.lock:
                    if self.error is None:
                        self.error = exc
                    skipped = self.n - self.next  # chunks nobody will start now
                    self.next = self.n
                    self._finish(skipped + 1)
                return
            with self.lock:
                self._finish(1)


def run_chunks(fn: Callable[[int, int], object], n_chunks: int) -> None:
    """Run ``fn(c_lo, c_hi)`` over the chunks ``0 <= c < n_chunks`` on the kernel threads.

    With one kernel thread (see :func:`kernel_threads`) or one chunk this is
    the single call ``fn(0, n_chunks)``.  Otherwise the calling thread and up
    to ``n - 1`` pool threads each call ``fn(c, c + 1)`` for the next chunk
    not yet taken, until none is left; the call returns when every chunk is
    done.  ``fn`` must release the GIL (a ``nogil`` kernel) for the threads to
    overlap, and chunks must write disjoint memory.

    Parameters
    ----------
    fn : callable(int, int)
        Runs the chunks ``c_lo <= c < c_hi``.
    n_chunks : int
        Number of chunks (>= 0).

    Raises
    ------
    BaseException
        The first exception raised by ``fn``; chunks not yet started are then
        skipped.

    Examples
    --------
    >>> from rnnforecast.nn.threads import kernel_threads, run_chunks
    >>> seen = []
    >>> with kernel_threads(2):
    ...     run_chunks(lambda lo, hi: seen.extend(range(lo, hi)), 5)
    >>> sorted(seen)
    [0, 1, 2, 3, 4]
    """
    n_threads = min(numba.get_num_threads(), n_chunks)
    if n_threads <= 1:
        if n_chunks > 0:
            fn(0, n_chunks)
        return
    run = _ChunkRun(fn, n_chunks)
    pool = _executor()
    for _ in range(n_threads - 1):
        pool.submit(run.work)
    run.work()
    run.finished.wait()
    if run.error is not None:
        raise run.error
