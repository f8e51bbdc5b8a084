"""The inference kernels (``_kernels/infer.py``) against the batch kernels and the numpy twin."""

import itertools

import numpy as np
import pytest

import twin
from rnnforecast._kernels import infer as kinfer
from rnnforecast.nn import RecurrentNetwork
from rnnforecast.nn import _predict

CELLS = [("lstm", "tanh"), ("gru", "tanh"), ("rnn", "tanh"), ("rnn", "relu")]
CELL_IDS = ["lstm", "gru", "rnn_tanh", "rnn_relu"]
RTOL = {np.float64: 1e-6, np.float32: 1e-4}


def _net(cell, nl, dtype, num_layers, bidirectional, head, input_size=3, H=5, O=2):
    return RecurrentNetwork(cell, input_size, H, num_layers=num_layers,
                            bidirectional=bidirectional, nonlinearity=nl, output_size=O,
                            head=head, dtype=dtype)


def _params(net, seed):
    # weights ~ U(-1/sqrt(H), 1/sqrt(H)) scaled up so the gates leave the linear range
    p = net.init_params(seed) * net.dtype.type(2.5)
    return np.ascontiguousarray(p, dtype=net.dtype)


def _kernel(net, params, X):
    """The kernel alone: packed weights, then one call per chunk."""
    return _predict.predict_packed(_predict._pack(net, params), X)


def _by_forward(net, params, X):
    """The batch kernels (``net.forward``), head applied in float64 to their features."""
    body = net._headless()
    views = net.layout.views(params)
    rec = np.concatenate([views[b.name].ravel() for b in body.layout.blocks])
    fr = body.forward(rec, X)
    feat = body.head_features(fr.output, fr.h_n)[:, 0, :].astype(np.float64)
    return feat @ views["fc.weight"].astype(np.float64).T + views["fc.bias"]


def _close(got, ref, dtype):
    rtol = RTOL[dtype]
    np.testing.assert_allclose(got, ref, rtol=rtol, atol=rtol * np.abs(ref).max())


@pytest.mark.parametrize("cell,nl", CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("num_layers,bidirectional", [(1, False), (2, False), (1, True),
                                                      (2, True)])
def test_kernel_equals_batch_path_and_twin(cell, nl, dtype, num_layers, bidirectional):
    rng = np.random.default_rng(7)
    for head, B, T in itertools.product(("last", "final_state"), (1, 5), (1, 7)):
        net = _net(cell, nl, dtype, num_layers, bidirectional, head)
        params = _params(net, seed=B * 10 + T)
        X = rng.standard_normal((B, T, net.input_size)).astype(dtype)
        got = _kernel(net, params, X)
        assert got.dtype == np.float64 and got.shape == (B, 2)
        _close(got, _by_forward(net, params, X), dtype)
        _close(got, twin.naive_predict(net, params, X), dtype)


@pytest.mark.parametrize("cell,nl", CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_left_padding_equals_the_trimmed_sequences(cell, nl, dtype):
    net = _net(cell, nl, dtype, 2, True, "final_state")
    params = _params(net, seed=3)
    X = np.random.default_rng(1).standard_normal((4, 6, 3)).astype(dtype)
    X[1, :2] = np.nan
    X[3, :5] = np.nan  # one valid step
    got = _kernel(net, params, X)
    _close(got, twin.naive_predict(net, params, X), dtype)
    for n, t0 in ((1, 2), (3, 5)):  # the kernel on the valid steps alone: the same bits
        assert got[n].tobytes() == _kernel(net, params, X[n:n + 1, t0:])[0].tobytes()
    # and the padding matters (the test can fail): the padded steps taken as zeros
    Z = np.nan_to_num(X)
    assert not np.allclose(_kernel(net, params, Z)[[1, 3]], got[[1, 3]])


def test_kernel_matches_at_the_benchmark_shape():
    # B=1, T=48, I=1, H=64: all three matrix-vector loops (8-row passes + remainder) used
    for cell in ("lstm", "gru", "rnn"):
        net = RecurrentNetwork(cell, 1, 64, output_size=1)
        params = net.init_params(0)
        X = np.random.default_rng(0).standard_normal((1, 48, 1)).astype(np.float32)
        _close(_kernel(net, params, X), _by_forward(net, params, X), np.float32)


def test_params_unchanged_compares_every_bit():
    a = np.arange(3000, dtype=np.float32)
    assert kinfer.params_unchanged(a.view(np.uint32), a.copy().view(np.uint32))
    for i in (0, 1023, 1024, 2999):  # first, block edges, last
        b = a.copy()
        b[i] = -b[i] if b[i] else np.float32(-0.0)  # a sign bit alone
        assert not kinfer.params_unchanged(a.view(np.uint32), b.view(np.uint32))
    ro = a.copy()
    ro.flags.writeable = False
    assert kinfer.params_unchanged(ro.view(np.uint32), a.view(np.uint32))
