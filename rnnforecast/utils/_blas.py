"""One process-wide, reference-counted "BLAS on one thread" switch.

Used by the kernels (:func:`rnnforecast.nn.threads.kernel_threads`) and by the
statsmodels-based baselines.  The limit set through threadpoolctl is
process-wide, so there must be a single counter: blocks that overlap in
several Python threads (joblib's ``threading`` backend, an ARIMA fit beside a
network fit) restore the original limits exactly once, when the last block
ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import scipy.linalg.cython_blas  # noqa: F401  (load SciPy's BLAS so threadpoolctl sees it)
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


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS to one thread while any such block runs in any thread of the process."""
    with _BLAS_LOCK:
        if _BLAS_STATE["depth"] == 0:
            _BLAS_STATE["limiter"] = _get_controller().limit(limits=1, user_api="blas")
        _BLAS_STATE["depth"] += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _BLAS_STATE["depth"] -= 1
            if _BLAS_STATE["depth"] == 0:
                _BLAS_STATE["limiter"].restore_original_limits()
                _BLAS_STATE["limiter"] = None
