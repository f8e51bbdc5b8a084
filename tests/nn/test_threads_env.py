"""resolve_n_jobs(None) honours the thread limit that process workers set (OMP_NUM_THREADS)."""

import numba
import pytest

from rnnforecast.nn.threads import kernel_threads, resolve_n_jobs
from rnnforecast.utils import _blas

needs_two = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")


@needs_two
def test_none_is_capped_by_omp_num_threads(monkeypatch):
    with kernel_threads(2):
        monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
        assert resolve_n_jobs(None) == 2
        monkeypatch.setenv("OMP_NUM_THREADS", "1")  # what loky and Dask's nanny set in workers
        assert resolve_n_jobs(None) == 1
        with kernel_threads(None) as n:
            assert n == 1 and numba.get_num_threads() == 1
        assert numba.get_num_threads() == 2  # restored
        # a larger limit does not raise the count above Numba's current one
        monkeypatch.setenv("OMP_NUM_THREADS", "64")
        assert resolve_n_jobs(None) == 2


@needs_two
@pytest.mark.parametrize("value", ["", "0", "-3", "abc", "4,2", " "])
def test_invalid_omp_num_threads_is_ignored(monkeypatch, value):
    monkeypatch.setenv("OMP_NUM_THREADS", value)
    with kernel_threads(2):
        assert resolve_n_jobs(None) == 2


@needs_two
def test_explicit_n_jobs_is_not_capped(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert resolve_n_jobs(2) == 2
    assert resolve_n_jobs(-1) == numba.config.NUMBA_NUM_THREADS
    with kernel_threads(2) as n:
        assert n == 2


def test_overlapping_blocks_in_threads_restore_blas_limits_once(monkeypatch):
    # joblib's threading backend runs kernel_threads blocks that overlap in time:
    # A enters, B enters, A leaves, B leaves. The process-wide BLAS limit must be
    # set when the first block starts and restored once, when the last one ends
    # (a limiter per block would restore "1" saved by B after A restored the
    # original, leaving BLAS single-threaded for good).
    import threading

    events = []

    class FakeLimiter:
        def restore_original_limits(self):
            events.append("restore")

    class FakeController:
        def limit(self, *, limits, user_api):
            events.append(("limit", limits, user_api))
            return FakeLimiter()

    monkeypatch.setattr(_blas, "_get_controller", lambda: FakeController())
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a():
        with kernel_threads(1):
            a_in.set()
            b_in.wait(10)
        events.append("A left")
        a_out.set()

    def b():
        a_in.wait(10)
        with kernel_threads(1):
            b_in.set()
            a_out.wait(10)
        events.append("B left")

    ta, tb = threading.Thread(target=a), threading.Thread(target=b)
    ta.start()
    tb.start()
    ta.join(20)
    tb.join(20)
    assert events == [("limit", 1, "blas"), "A left", "restore", "B left"]
    assert _blas._BLAS_STATE == {"depth": 0, "limiter": None}
