"""Same seed -> bit-identical weights at 1 and 2 threads (and at any chunk scheduling)."""

import numba
import numpy as np
import pytest

from rnnforecast.nn import RecurrentNetwork
from rnnforecast.nn.threads import kernel_threads, resolve_n_jobs
from rnnforecast.nn.loop import ArraySource, TrainConfig, train


def _train(cell, n_jobs, dtype):
    net = RecurrentNetwork(cell, 2, 6, num_layers=2, bidirectional=True, dropout=0.2,
                           output_size=1, dtype=dtype)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((37, 9, 2)).astype(dtype)  # 37: not a multiple of the threads
    Y = rng.standard_normal((37, 1)).astype(dtype)
    config = TrainConfig(learning_rate_init=1e-2, max_iter=3, batch_size=16,
                         clip_grad_norm=1.0, n_jobs=n_jobs)
    result = train(net, net.init_params(42), ArraySource(X, Y), loss="mse", seed=42,
                   config=config)
    return result.params, result.loss_curve


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_identical_bytes_at_one_and_two_threads(cell, dtype):
    p1, c1 = _train(cell, 1, dtype)
    p2, c2 = _train(cell, 2, dtype)
    assert p1.tobytes() == p2.tobytes()
    assert c1 == c2
    p3, _ = _train(cell, 2, dtype)
    assert p3.tobytes() == p2.tobytes()
    # and the seed matters (the test could fail)
    net = RecurrentNetwork(cell, 2, 6, num_layers=2, bidirectional=True, output_size=1, dtype=dtype)
    assert net.init_params(42).tobytes() != net.init_params(43).tobytes()


def test_thread_count_is_restored_even_on_error():
    before = numba.get_num_threads()
    with pytest.raises(RuntimeError):
        with kernel_threads(1) as n:
            assert n == 1 and numba.get_num_threads() == 1
            raise RuntimeError("boom")
    assert numba.get_num_threads() == before


def test_resolve_n_jobs(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)  # caps n_jobs=None when set
    most = numba.config.NUMBA_NUM_THREADS
    assert resolve_n_jobs(None) == numba.get_num_threads()
    assert resolve_n_jobs(-1) == most
    assert resolve_n_jobs(1) == 1
    assert resolve_n_jobs(10_000) == most
    for bad in (0, 1.5, True, "2"):
        with pytest.raises(ValueError, match="n_jobs"):
            resolve_n_jobs(bad)


def test_run_chunks_covers_every_chunk_once_at_any_thread_count():
    from rnnforecast.nn.threads import run_chunks

    for n_jobs in (1, 2, 3):
        calls = []
        with kernel_threads(n_jobs):
            run_chunks(lambda lo, hi: calls.append((lo, hi)), 7)
        covered = sorted(c for lo, hi in calls for c in range(lo, hi))
        assert covered == list(range(7)), (n_jobs, calls)
        if resolve_n_jobs(n_jobs) == 1:
            assert calls == [(0, 7)]  # one call, no pool
    with kernel_threads(2):
        run_chunks(lambda lo, hi: calls.append("never"), 0)
    assert "never" not in calls


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
def test_run_chunks_uses_two_threads_and_reraises_errors():
    import threading

    from rnnforecast.nn.threads import run_chunks

    names = set()
    barrier = threading.Barrier(2, timeout=10)

    def work(lo, hi):
        names.add(threading.current_thread().name)
        if lo < 2:
            barrier.wait()  # chunks 0 and 1 must run at the same time on two threads

    with kernel_threads(2):
        run_chunks(work, 4)
    assert len(names) == 2

    def boom(lo, hi):
        if lo == 1:
            raise ZeroDivisionError("chunk 1")

    with kernel_threads(2):
        with pytest.raises(ZeroDivisionError, match="chunk 1"):
            run_chunks(boom, 5)
        run_chunks(lambda lo, hi: None, 3)  # the pool still works after an error


def _two_threads_and_fit_in_child(queue):
    import threading

    from rnnforecast.nn.threads import run_chunks

    barrier = threading.Barrier(2, timeout=20)
    try:
        with kernel_threads(2):
            run_chunks(lambda lo, hi: barrier.wait() if lo < 2 else None, 4)
        concurrent = True
    except threading.BrokenBarrierError:  # the pool's threads did not survive the fork
        concurrent = False
    p, _ = _train("gru", 2, np.float64)
    queue.put((concurrent, p.tobytes()))


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
def test_kernel_pool_works_in_a_forked_child():
    import multiprocessing as mp

    if "fork" not in mp.get_all_start_methods():
        pytest.skip("no fork start method on this platform")
    p_parent, _ = _train("gru", 2, np.float64)  # the parent's pool threads exist now
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_two_threads_and_fit_in_child, args=(queue,))
    child.start()
    try:
        concurrent, got = queue.get(timeout=120)
    finally:
        child.join(30)
    assert child.exitcode == 0
    assert concurrent, "chunks did not run on two threads in the forked child"
    assert got == p_parent.tobytes()
