"""The single-threaded-BLAS block takes effect in any Python thread, not only the main one.

threadpoolctl lets one "controlling" thread change a pthreads OpenBLAS's limit
and silently ignores the others; before the fix a block entered in a joblib
worker thread left BLAS on every core (two fits in joblib's threading backend
ran 1.4x slower than one after the other, 14x beside CPU hogs, and forecast
differently: benchmarks/results/threading_backend.md).
"""

import threading

import numpy as np
import pytest
from joblib import Parallel, delayed
from threadpoolctl import threadpool_info, threadpool_limits

from rnnforecast import LSTMForecaster
from rnnforecast.forecasting.neural import ensemble
from rnnforecast.utils import _blas


def _blas_threads():
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


@pytest.fixture
def two_blas_threads():
    # the main thread sets a limit first and so becomes threadpoolctl's controlling thread,
    # as any earlier threadpool_limits call of a user or a library would make it
    with threadpool_limits(2, user_api="blas"):
        if not _blas_threads() or min(_blas_threads()) < 2:
            pytest.skip(f"the BLAS libraries here cannot run 2 threads: {_blas_threads()}")
        layers = {i.get("threading_layer") for i in threadpool_info() if i["user_api"] == "blas"}
        if "openmp" in layers:
            pytest.skip("an OpenBLAS built on OpenMP is limited per thread by threadpoolctl "
                        "(see rnnforecast/utils/_blas.py); these tests are for the pthreads build")
        yield


def test_block_in_a_worker_thread_limits_blas(two_blas_threads):
    seen = {}

    def work():
        with _blas.single_threaded_blas():
            seen["inside"] = _blas_threads()
        seen["after"] = _blas_threads()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert seen["inside"] and all(n == 1 for n in seen["inside"])
    assert all(n == 2 for n in seen["after"])  # the original limit is back
    assert all(n == 2 for n in _blas_threads())
    assert _blas._BLAS_STATE == {"depth": 0, "limiter": None}


def test_main_thread_can_change_limits_after_a_worker_block(two_blas_threads):
    # the worker hands threadpoolctl's control back: while it is still alive (a pool thread),
    # a limit set in another thread still works
    block_done, release = threading.Event(), threading.Event()

    def work():
        with _blas.single_threaded_blas():
            pass
        block_done.set()
        release.wait(10)

    t = threading.Thread(target=work)
    t.start()
    try:
        assert block_done.wait(10)
        with threadpool_limits(1, user_api="blas"):
            assert all(n == 1 for n in _blas_threads())
        assert all(n == 2 for n in _blas_threads())
    finally:
        release.set()
        t.join()


def test_fits_in_joblib_threads_run_single_threaded_blas(two_blas_threads, monkeypatch):
    seen = []
    fit_member = ensemble._fit_member

    def spy(*args, **kwargs):
        seen.append(_blas_threads())
        return fit_member(*args, **kwargs)

    monkeypatch.setattr(ensemble, "_fit_member", spy)
    t = np.arange(120, dtype=float)
    ys = [10.0 + np.sin(2 * np.pi * t / 12) + 0.01 * k * t for k in (1, 2)]

    def fit(y):
        return LSTMForecaster(n_estimators=2, max_iter=2, random_state=0, verbose=0).fit(y).predict(6)

    got = Parallel(n_jobs=2, backend="threading")(delayed(fit)(y) for y in ys)
    assert len(seen) == 4
    assert all(threads and all(n == 1 for n in threads) for threads in seen), seen
    for y, g in zip(ys, got):
        np.testing.assert_array_equal(np.asarray(g), np.asarray(fit(y)))
