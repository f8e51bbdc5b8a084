"""RecurrentNetwork.predict on the inference kernels: cache of packed weights, threads, checks."""

import gc

import numba
import numpy as np
import pytest

from rnnforecast.nn import RecurrentNetwork
from rnnforecast._kernels import infer as kinfer
from rnnforecast.nn import _predict
from rnnforecast.nn import warmup as W
from rnnforecast.nn.threads import kernel_threads

CASES = [("lstm", dict(num_layers=2)), ("gru", dict(bidirectional=True, head="final_state")),
         ("rnn", dict(nonlinearity="relu", dtype=np.float64))]


def _setup(cell, kw, N=23, T=6, seed=0):
    net = RecurrentNetwork(cell, input_size=2, hidden_size=4, output_size=2, **kw)
    params = net.init_params(seed=seed)
    X = np.random.default_rng(seed).standard_normal((N, T, 2)).astype(net.dtype)
    return net, params, X


@pytest.mark.parametrize("cell,kw", CASES)
def test_fast_path_gives_the_predictions_of_the_batch_path(cell, kw):
    net, params, X = _setup(cell, kw)
    X[4, :3] = np.nan
    rtol = 1e-6 if net.dtype == np.float64 else 1e-4
    ref = net._predict_by_forward(params, X, 1024)
    got = net.predict(params, X)
    np.testing.assert_allclose(got, ref, rtol=rtol, atol=rtol * np.abs(ref).max())
    assert net.predict(params, X, check_input=False).tobytes() == got.tobytes()


@pytest.mark.parametrize("cell,kw", CASES)
def test_a_weight_changed_in_place_changes_the_prediction(cell, kw):
    net, params, X = _setup(cell, kw)
    before = net.predict(params, X)
    assert net.predict(params, X, check_input=False).tobytes() == before.tobytes()  # cached
    i = net.layout.by_name["weight_hh_l0"].offset + 3
    old = params[i]
    params[i] += net.dtype.type(0.5)  # a recurrent weight, in place
    after = net.predict(params, X, check_input=False)
    assert not np.allclose(after, before)
    fresh = RecurrentNetwork(cell, input_size=2, hidden_size=4, output_size=2, **kw)
    assert after.tobytes() == fresh.predict(params.copy(), X).tobytes()  # its own cache
    params[i] = old
    assert net.predict(params, X).tobytes() == before.tobytes()
    other = net.init_params(seed=5)  # another array
    assert not np.allclose(net.predict(other, X), before)


def test_the_cache_holds_a_private_copy_one_entry_per_network_and_forgets_it():
    net, params, X = _setup("lstm", {})
    net.predict(params, X)
    ref, entry = _predict._CACHE[id(net)]
    assert ref() is net
    assert entry.raw.view(net.dtype).tobytes() == params.tobytes()
    assert not np.shares_memory(entry.raw, params)
    assert all(not isinstance(v, _predict.Packed) for v in vars(net).values())  # not saved
    net.predict(net.init_params(seed=9), X)
    assert _predict._CACHE[id(net)][1] is not entry  # replaced, not accumulated
    key = id(net)
    del net, ref
    gc.collect()
    assert key not in _predict._CACHE


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
@pytest.mark.parametrize("cell,kw", CASES)
def test_identical_bytes_at_any_thread_count_and_batching(cell, kw):
    net, params, X = _setup(cell, kw, N=37)
    with kernel_threads(1):
        one = net.predict(params, X)
    with kernel_threads(2):
        two = net.predict(params, X)
        split = np.concatenate([net.predict(params, X[i:i + 1]) for i in range(37)])
    assert one.tobytes() == two.tobytes() == split.tobytes()


def test_read_only_inputs():
    net, params, X = _setup("gru", {})
    ref = net.predict(params, X)
    params.flags.writeable = False
    X.flags.writeable = False
    assert net.predict(params, X).tobytes() == ref.tobytes()
    assert net.predict(params, X, check_input=False).tobytes() == ref.tobytes()


def test_non_finite_recurrent_weights_are_refused_even_after_a_cached_call():
    net, params, X = _setup("lstm", {})
    net.predict(params, X)
    params[net.layout.by_name["weight_ih_l0"].offset] = np.nan
    with pytest.raises(ValueError, match="params contains NaN or infinite values"):
        net.predict(params, X)
    assert np.isnan(net.predict(params, X, check_input=False)).all()  # unchecked, cached
    with pytest.raises(ValueError, match="params contains NaN or infinite values"):
        net.predict(params, X)  # the cached entry was never checked: checked now
    params[net.layout.by_name["weight_ih_l0"].offset] = 0.0
    params[-1] = np.inf  # the head's bias: non-finite outputs, callers check them
    assert np.isinf(net.predict(params, X)).all(axis=0)[1]


def test_bad_X_is_refused_by_the_fast_path():
    net, params, X = _setup("rnn", {})
    X[2, 1, 0] = np.nan  # a NaN after a valid step is not padding
    with pytest.raises(ValueError, match="NaN"):
        net.predict(params, X)
    with pytest.raises(ValueError, match="X must have shape"):
        net.predict(params, X[:, :, :1])


def test_prepare_kernels_compiles_the_inference_kernel_for_any_network():
    # an embedding network predicts on the batch kernels; its fit still prepares the
    # inference kernel of its cell (a stand-in network), so readiness becomes True
    net = RecurrentNetwork("rnn", None, 3, vocab_size=5, embedding_dim=2, output_size=1,
                           dtype=np.float64)
    W.prepare_kernels(net, verbose=0)
    assert W._compiled_in_process("rnn", "float64")
    assert any(sig[0].dtype == numba.float64 for sig in kinfer.rnn_predict.signatures)


def test_packed_weights_start_on_a_cache_line():
    # a start off the 64-byte boundary made a whole process's one-series predictions ~25 %
    # slower (benchmarks/README.md, fourth session)
    base = np.arange(40, dtype=np.float32)
    for off in range(8):  # every 4-byte offset within two cache lines' worth of starts
        a = base[off:off + 17]
        got = _predict._aligned(a)
        assert got.ctypes.data % 64 == 0 and got.flags.c_contiguous
        np.testing.assert_array_equal(got, a)
    for cell in ("lstm", "gru", "rnn"):
        for dtype in (np.float32, np.float64):
            net = RecurrentNetwork(cell, 2, 8, output_size=1, dtype=dtype)
            params = net.init_params(0)
            assert _predict.packed_weights(net, params).packed.ctypes.data % 64 == 0
