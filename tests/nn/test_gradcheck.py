"""Central finite differences in float64 for every parameter block of every cell.

The relative error of a block is max|numerical - analytical| / max|analytical|
over the block; it must be <= 1e-6 (observed values are ~1e-9).
"""

import numpy as np
import pytest

from rnnforecast.nn import RecurrentNetwork
from rnnforecast.nn.training import compute_loss

EPS = 1e-6


def _loss(net, params, X, Y, loss, h0=None, c0=None):
    fr = net.forward(params, X, h0=h0, c0=c0)
    return compute_loss(loss, fr.output, Y)[0]


def _check(net, params, X, Y, loss, h0=None, c0=None):
    fr = net.forward(params, X, h0=h0, c0=c0)
    value, dpred = compute_loss(loss, fr.output, Y)
    grad, extras = net.backward(params, fr, dpred, need_input_grad=not net.vocab_size)
    num = np.empty_like(params)
    for i in range(params.size):
        p = params.copy()
        p[i] += EPS
        up = _loss(net, p, X, Y, loss, h0, c0)
        p[i] -= 2 * EPS
        down = _loss(net, p, X, Y, loss, h0, c0)
        num[i] = (up - down) / (2 * EPS)
    errors = {}
    for b in net.layout.blocks:
        a, n = grad[b.offset:b.stop], num[b.offset:b.stop]
        errors[b.name] = np.abs(a - n).max() / max(np.abs(a).max(), 1e-300)
    return errors, extras


@pytest.mark.parametrize("cell,nl", [("lstm", "tanh"), ("gru", "tanh"), ("rnn", "tanh"),
                                     ("rnn", "relu")])
def test_two_layer_bidirectional_every_block(cell, nl):
    B, T, I, H = 3, 4, 2, 3
    net = RecurrentNetwork(cell, I, H, num_layers=2, bidirectional=True, nonlinearity=nl,
                           output_size=2, head="last", dtype=np.float64)
    rng = np.random.default_rng(0)
    params = net.init_params(1)
    X = rng.standard_normal((B, T, I))
    Y = rng.standard_normal((B, 2))
    L = 4
    h0 = rng.standard_normal((L, B, H)) * 0.5
    c0 = rng.standard_normal((L, B, H)) * 0.5 if cell == "lstm" else None
    errors, extras = _check(net, params, X, Y, "mse", h0, c0)
    assert len(errors) == 4 * 4 + 2
    bad = {k: v for k, v in errors.items() if not v <= 1e-6}
    assert not bad, bad
    # input and initial-state gradients by finite differences too
    for name, arr in [("input", X), ("h0", h0)] + ([("c0", c0)] if c0 is not None else []):
        num = np.empty_like(arr)
        for idx in np.ndindex(arr.shape):
            orig = arr[idx]
            arr[idx] = orig + EPS
            up = _loss(net, params, X, Y, "mse", h0, c0)
            arr[idx] = orig - EPS
            down = _loss(net, params, X, Y, "mse", h0, c0)
            arr[idx] = orig
            num[idx] = (up - down) / (2 * EPS)
        err = np.abs(extras[name] - num).max() / np.abs(num).max()
        assert err <= 1e-6, (name, err)


@pytest.mark.parametrize("head,loss", [("sequence", "huber"), ("final_state", "cross_entropy"),
                                       ("last", "mae")])
def test_heads_and_losses(head, loss):
    net = RecurrentNetwork("gru", 2, 3, num_layers=1, bidirectional=True, output_size=3,
                           head=head, dtype=np.float64)
    rng = np.random.default_rng(2)
    params = net.init_params(3)
    X = rng.standard_normal((4, 5, 2))
    if loss == "cross_entropy":
        Y = rng.integers(0, 3, size=4)
    else:
        Y = rng.standard_normal((4, 5, 3) if head == "sequence" else (4, 3)) * 2
    errors, _ = _check(net, params, X, Y, loss)
    bad = {k: v for k, v in errors.items() if not v <= 1e-6}
    assert not bad, bad


def test_embedding_block():
    net = RecurrentNetwork("lstm", None, 3, num_layers=1, output_size=2, head="final_state",
                           vocab_size=6, embedding_dim=2, dtype=np.float64)
    rng = np.random.default_rng(5)
    params = net.init_params(0)
    X = rng.integers(0, 6, size=(4, 5))
    Y = rng.integers(0, 2, size=4)
    errors, _ = _check(net, params, X, Y, "cross_entropy")
    assert errors["embedding.weight"] <= 1e-6, errors
    assert max(errors.values()) <= 1e-6, errors
