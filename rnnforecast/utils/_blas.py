"""One process-wide, reference-counted "BLAS on one thread" switch.

Used by the kernels (:func:`rnnforecast.nn.threads.kernel_threads`) and by the
statsmodels-based baselines.  The limit set through threadpoolctl is
process-wide, so there must be a single counter: blocks that overlap in
several Python threads (joblib's ``threading`` backend, an ARIMA fit beside a
network fit) restore the original limits exactly once, when the last block
ends.

threadpoolctl (3.8 here) lets only one "controlling" Python thread change the
limit of an OpenBLAS built on pthreads -- the first thread that ever set it,
usually the main thread -- and silently ignores every other thread.  A block
entered in a joblib worker thread then left BLAS on all cores: two fits in
joblib's ``threading`` backend ran their GEMMs with two OpenBLAS threads each
and took 1.2-2.5x the time of the same fits one after the other (9-18x on a
busy machine), with forecasts that were not bit-identical to sequential fits
(``benchmarks/threading_backend.py``).  The counter below already serialises every change, so each
change first releases threadpoolctl's control so that the calling thread takes
it, and releases it again afterwards (no thread holds it, and the next thread
that sets a limit -- a user's ``threadpool_limits`` included -- takes it).  A
user's own ``threadpool_limits`` block that overlaps one of these blocks in
another thread shares the same process-wide limit: whichever restores last
wins, as with any two process-wide limits.  With an OpenBLAS built on OpenMP
threadpoolctl limits per thread instead, and this switch limits only the
thread that starts the first block (not the case of the wheels numpy and
SciPy ship).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import scipy.linalg.cython_blas  # noqa: F401  (load SciPy's BLAS so threadpoolctl sees it)
import threadpoolctl
from threadpoolctl import ThreadpoolController

__all__ = ["single_threaded_blas"]

_controller = None
_BLAS_LOCK = threading.Lock()
_BLAS_STATE: dict = {"depth": 0, "limiter": None}


def _get_controller() -> ThreadpoolController:
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


def _release_blas_control() -> None:
    """Let the calling thread change OpenBLAS's limit (recent threadpoolctl guards it per thread).

    Called only under ``_BLAS_LOCK``; a no-op with threadpoolctl versions
    without the guard.
    """
    clear = getattr(getattr(threadpoolctl, "OpenBLASController", None), "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS to one thread while any such block runs in any thread of the process."""
    with _BLAS_LOCK:
        if _BLAS_STATE["depth"] == 0:
            _release_blas_control()
            try:
                _BLAS_STATE["limiter"] = _get_controller().limit(limits=1, user_api="blas")
            finally:
                _release_blas_control()
        _BLAS_STATE["depth"] += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _BLAS_STATE["depth"] -= 1
            if _BLAS_STATE["depth"] == 0:
                _release_blas_control()
                try:
                    _BLAS_STATE["limiter"].restore_original_limits()
                finally:
                    _release_blas_control()
                    _BLAS_STATE["limiter"] = None
