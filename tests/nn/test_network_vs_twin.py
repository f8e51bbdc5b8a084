"""Every kernel path against its plain-numpy twin (tests/twin/), odd sizes included."""

import itertools

import numpy as np
import pytest

import twin
from twin import naive_forward_backward
from rnnforecast._kernels import optim as kopt
from rnnforecast.nn import RecurrentNetwork
from rnnforecast.nn.threads import kernel_threads
from rnnforecast.nn.training import Adam, SGD, clip_gradients, compute_loss

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=2e-4, atol=2e-5)}


def _data(net, B, T, seed=0, n_out=None):
    rng = np.random.default_rng(seed)
    if net.vocab_size:
        X = rng.integers(0, net.vocab_size, size=(B, T))
    else:
        X = rng.standard_normal((B, T, net.input_size)).astype(net.dtype)
    return rng, X


def _compare_grads(net, grad, ref, tol):
    views = net.layout.views(grad)
    assert set(views) == set(ref["grads"])
    for name, g in views.items():
        np.testing.assert_allclose(g, ref["grads"][name], err_msg=name, **tol)


CASES = [  # cell, nonlinearity, num_layers, bidirectional, (B, T, I, H), chunk
    ("lstm", "tanh", 1, False, (5, 7, 3, 4), None),
    ("lstm", "tanh", 2, True, (5, 1, 2, 3), 2),
    ("lstm", "tanh", 2, True, (7, 6, 4, 2), 3),
    # chunks of 33 and 7 samples: H * nb = 297 gate values, more than one tile of the
    # LSTM kernels' gate loops (256) and a partial one
    ("lstm", "tanh", 1, True, (40, 5, 3, 9), 33),
    # one-sample chunks only: the LSTM kernels' mat-vec path, no stacked weights
    ("lstm", "tanh", 2, True, (3, 5, 2, 4), 1),
    ("gru", "tanh", 1, True, (5, 7, 3, 4), 2),
    ("gru", "tanh", 2, False, (3, 1, 5, 2), None),
    ("gru", "tanh", 3, True, (6, 4, 2, 3), 4),
    ("rnn", "tanh", 2, True, (5, 7, 3, 4), 2),
    ("rnn", "relu", 2, False, (5, 6, 2, 3), 3),
    ("rnn", "relu", 1, True, (2, 1, 3, 2), None),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cell,nl,L,bi,shape,chunk", CASES)
def test_stack_forward_backward_matches_twin(cell, nl, L, bi, shape, chunk, dtype):
    B, T, I, H = shape
    net = RecurrentNetwork(cell, I, H, L, bi, nonlinearity=nl, output_size=0, dtype=dtype)
    params = net.init_params(3)
    rng, X = _data(net, B, T)
    D = net.num_directions
    h0 = rng.standard_normal((L * D, B, H)).astype(dtype)
    c0 = rng.standard_normal((L * D, B, H)).astype(dtype) if cell == "lstm" else None
    dout = rng.standard_normal((B, T, D * H)).astype(dtype)
    dh_n = rng.standard_normal((L * D, B, H)).astype(dtype)
    dc_n = rng.standard_normal((L * D, B, H)).astype(dtype) if cell == "lstm" else None
    tol = TOL[dtype]
    with kernel_threads(2):
        fr = net.forward(params, X, h0=h0, c0=c0, chunk=chunk)
        grad, extras = net.backward(params, fr, dout, dh_n, dc_n, need_input_grad=True)
    ref = naive_forward_backward(net, params, X, h0=h0, c0=c0, doutput=dout, dh_n=dh_n, dc_n=dc_n)
    assert fr.output.dtype == dtype and grad.dtype == dtype
    np.testing.assert_allclose(fr.output, ref["output"], **tol)
    np.testing.assert_allclose(fr.h_n, ref["h_n"], **tol)
    if cell == "lstm":
        np.testing.assert_allclose(fr.c_n, ref["c_n"], **tol)
        np.testing.assert_allclose(extras["c0"], ref["c0"], **tol)
    np.testing.assert_allclose(extras["input"], ref["input"], **tol)
    np.testing.assert_allclose(extras["h0"], ref["h0"], **tol)
    _compare_grads(net, grad, ref, tol)


HEAD_CASES = [  # cell, L, bi, head, loss, out
    ("lstm", 1, False, "last", "mse", 2),
    ("lstm", 2, True, "final_state", "huber", 1),
    ("gru", 2, True, "last", "mae", 3),
    ("gru", 1, False, "sequence", "mse", 2),
    ("rnn", 2, True, "sequence", "huber", 1),
    ("rnn", 1, True, "final_state", "cross_entropy", 3),
    ("lstm", 2, True, "final_state", "cross_entropy", 4),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cell,L,bi,head,loss,O", HEAD_CASES)
def test_heads_and_losses_match_twin(cell, L, bi, head, loss, O, dtype):
    B, T, I, H = 5, 6, 3, 4
    net = RecurrentNetwork(cell, I, H, L, bi, output_size=O, head=head, dtype=dtype)
    params = net.init_params(11)
    rng, X = _data(net, B, T, seed=1)
    if loss == "cross_entropy":
        Y = rng.integers(0, O, size=B)
    else:
        shape = (B, T, O) if head == "sequence" else (B, O)
        Y = rng.standard_normal(shape).astype(dtype)
    with kernel_threads(1):
        fr = net.forward(params, X, chunk=2)
        value, dpred = compute_loss(loss, fr.output, Y, huber_delta=0.7)
        grad, _ = net.backward(params, fr, dpred)
    ref = naive_forward_backward(net, params, X, Y, loss=loss, huber_delta=0.7)
    tol = TOL[dtype]
    np.testing.assert_allclose(fr.output, ref["output"], **tol)
    assert value == pytest.approx(ref["loss"], rel=tol["rtol"], abs=tol["atol"])
    _compare_grads(net, grad, ref, tol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dropout_and_embedding_match_twin(dtype):
    """The seed's classifier shape: embedding -> 2-layer Bi-LSTM -> dropout -> linear on final states."""
    net = RecurrentNetwork("lstm", None, 4, 2, True, dropout=0.3, output_size=3, head="final_state",
                           head_dropout=0.4, vocab_size=9, embedding_dim=5, dtype=dtype)
    params = net.init_params(5)
    rng, X = _data(net, 6, 5, seed=2)
    Y = rng.integers(0, 3, size=6)
    with kernel_threads(2):
        fr = net.forward(params, X, training=True, seed=17, step=4)
        value, dpred = compute_loss("cross_entropy", fr.output, Y)
        grad, _ = net.backward(params, fr, dpred)
    ref = naive_forward_backward(net, params, X, Y, loss="cross_entropy", training=True, seed=17,
                                 step=4)
    tol = TOL[dtype]
    np.testing.assert_allclose(fr.output, ref["output"], **tol)
    _compare_grads(net, grad, ref, tol)
    # dropout really acted: the evaluation-mode output differs
    assert not np.allclose(net.forward(params, X).output, fr.output)


def test_dropout_masks_follow_the_counter_based_generator():
    from rnnforecast._kernels.dropout import dropout_apply, dropout_uniform, splitmix64

    assert int(splitmix64(np.uint64(0))) == twin.splitmix64(0)
    for key in itertools.product([0, 7], [1, 2**40], [0, 3], [0, 1], [0, 5], [0, 9]):
        assert dropout_uniform(*key) == twin.dropout_uniform(*key)
    x = np.ones((5, 3, 5), np.float32)
    expected = twin.dropout_mask(123, 9, 1, 0.25, x.shape, np.float32)
    out = np.empty_like(x)
    dropout_apply(x, 123, 9, 1, 0.25, 2, 0, 3, out)  # chunks of 2 samples, all 3 chunks
    np.testing.assert_array_equal(out, expected)
    # a chunk range writes only its own samples, with the same mask
    part = np.full_like(x, -1.0)
    dropout_apply(x, 123, 9, 1, 0.25, 2, 1, 2, part)
    np.testing.assert_array_equal(part[2:4], expected[2:4])
    assert (part[:2] == -1).all() and (part[4:] == -1).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_clipping_and_optimisers_match_twin(dtype):
    rng = np.random.default_rng(4)
    P = 10_001  # not a multiple of the reduction block
    g0 = (rng.standard_normal(P) * 3).astype(dtype)
    for max_norm, clip_value in [(1.0, None), (None, 0.5), (2.0, 0.8), (1e9, None)]:
        g = g0.copy()
        norm = clip_gradients(g, max_norm, clip_value)
        ref = [g0.copy()]
        if clip_value is not None:
            twin.clip_grad_value(ref, clip_value)
        ref_norm = twin.clip_grad_norm(ref, max_norm) if max_norm is not None else None
        if ref_norm is not None:
            assert norm == pytest.approx(ref_norm, rel=1e-6)
        np.testing.assert_allclose(g, ref[0], **TOL[dtype])
    p = rng.standard_normal(P).astype(dtype)
    adam = Adam(P, dtype, lr=0.01, weight_decay=0.1)
    pa, m, v = p.copy(), np.zeros(P, dtype), np.zeros(P, dtype)
    sgd = SGD(P, dtype, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)
    ps, buf = p.copy(), np.zeros(P, dtype)
    ours_a, ours_s = p.copy(), p.copy()
    for k in range(1, 4):
        g = rng.standard_normal(P).astype(dtype)
        adam.step(ours_a, g)
        twin.adam_step(pa, g, m, v, k, 0.01, weight_decay=0.1)
        sgd.step(ours_s, g)
        twin.sgd_step(ps, g, buf, 0.05, momentum=0.9, weight_decay=0.01, nesterov=True,
                       first=(k == 1))
    np.testing.assert_allclose(ours_a, pa, **TOL[dtype])
    np.testing.assert_allclose(ours_s, ps, **TOL[dtype])


def test_chunk_reduction_is_exact_sum():
    rng = np.random.default_rng(0)
    gbuf = rng.standard_normal((5, 9000))
    out = np.empty(9000)
    kopt.reduce_chunks(gbuf, out)
    expected = gbuf[0].copy()
    for c in range(1, 5):
        expected = expected + gbuf[c]
    np.testing.assert_array_equal(out, expected)
