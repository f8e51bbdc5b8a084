"""The pinball (quantile) loss: kernel against its twin, finite differences, the
quantile property, an end-to-end quantile network, and input validation."""

import numpy as np
import pytest

import twin
from twin import naive_forward_backward
from rnnforecast._kernels import losses as kloss
from rnnforecast.nn import RecurrentNetwork
from rnnforecast.nn.threads import kernel_threads
from rnnforecast.nn.training import (
    LOSSES,
    Adam,
    compute_loss,
    train_step,
)
from rnnforecast.nn.loop import ArraySource, TrainConfig, train
from rnnforecast.utils.validation import check_quantile_levels

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=2e-4, atol=2e-5)}
EPS = 1e-6


def _data(N, S, Q, dtype, seed=0, ties=True):
    rng = np.random.default_rng(seed)
    pred = (rng.standard_normal((N, S * Q)) * 2).astype(dtype)
    target = (rng.standard_normal((N, S)) * 2).astype(dtype)
    quantiles = np.sort(rng.uniform(0.02, 0.98, size=Q))
    if ties:  # exact zeros of u = target - pred exercise the subgradient convention
        pred[0, 0] = target[0, 0]
        pred[N - 1, S * Q - 1] = target[N - 1, S - 1]
    return pred, target, quantiles


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("N,S,Q", [(1, 1, 1), (7, 3, 5), (13, 2, 3), (5, 1, 4), (3, 4, 1)])
def test_kernel_matches_twin(N, S, Q, dtype):
    pred, target, quantiles = _data(N, S, Q, dtype, seed=N * 100 + S * 10 + Q)
    grad = np.full_like(pred, np.nan)
    value = kloss.pinball_loss(pred, target, quantiles, grad)
    ref_value, ref_grad = twin.pinball_loss(pred, target, quantiles)
    assert isinstance(value, float) and grad.dtype == dtype
    np.testing.assert_allclose(value, float(ref_value), **TOL[dtype])
    np.testing.assert_allclose(grad, ref_grad, **TOL[dtype])
    # the subgradient is 0 at u == 0, like mae_loss
    assert grad[0, 0] == 0 and grad[N - 1, S * Q - 1] == 0
    # the public path gives the same
    v2, g2 = compute_loss("pinball", pred, target, quantiles=list(quantiles))
    assert v2 == value
    np.testing.assert_array_equal(g2, grad)


def test_kernel_values_by_hand():
    # u = target - pred: +2 (q=0.25 -> 0.5), -2 (q=0.25 -> 1.5), 0 -> 0, mean over 3
    pred = np.array([[0.0], [4.0], [2.0]])
    target = np.array([[2.0], [2.0], [2.0]])
    grad = np.empty_like(pred)
    value = kloss.pinball_loss(pred, target, np.array([0.25]), grad)
    assert value == pytest.approx((0.5 + 1.5 + 0.0) / 3, abs=1e-15)
    np.testing.assert_allclose(grad[:, 0], [-0.25 / 3, 0.75 / 3, 0.0], atol=1e-15)
    # q = 0.5 is half the absolute error, with half its gradient
    g_mae = np.empty_like(pred)
    mae = kloss.mae_loss(pred, target, g_mae)
    value = kloss.pinball_loss(pred, target, np.array([0.5]), grad)
    assert value == pytest.approx(mae / 2, abs=1e-15)
    np.testing.assert_allclose(grad, g_mae / 2, atol=1e-15)


def test_sequence_shaped_pred_keeps_column_order():
    """(N, T, S*Q) pred and (N, T, S) target: column (t*S + s)*Q + j of the flattened pred."""
    rng = np.random.default_rng(3)
    N, T, S, Q = 4, 3, 2, 3
    pred = rng.standard_normal((N, T, S * Q))
    target = rng.standard_normal((N, T, S))
    q = [0.1, 0.5, 0.9]
    value, grad = compute_loss("pinball", pred, target, quantiles=q)
    ref_value, ref_grad = twin.pinball_loss(pred.reshape(N, -1), target.reshape(N, -1), q)
    assert grad.shape == pred.shape
    np.testing.assert_allclose(value, ref_value, rtol=1e-12)
    np.testing.assert_allclose(grad.reshape(N, -1), ref_grad, rtol=1e-12)
    # a 1-D target is one series
    v1, _ = compute_loss("pinball", pred[:, 0, :3], target[:, 0, 0], quantiles=q)
    v2, _ = compute_loss("pinball", pred[:, 0, :3], target[:, 0, :1], quantiles=q)
    assert v1 == v2


def test_gradient_matches_central_differences_float64():
    pred, target, quantiles = _data(9, 3, 4, np.float64, seed=7, ties=False)
    cols = np.arange(pred.shape[1]) // quantiles.size
    assert np.abs(target[:, cols] - pred).min() > 1e-3  # no kink within reach of EPS
    value, grad = compute_loss("pinball", pred, target, quantiles=quantiles)
    num = np.empty_like(pred)
    for idx in np.ndindex(pred.shape):
        p = pred.copy()
        p[idx] += EPS
        up = compute_loss("pinball", p, target, quantiles=quantiles)[0]
        p[idx] -= 2 * EPS
        down = compute_loss("pinball", p, target, quantiles=quantiles)[0]
        num[idx] = (up - down) / (2 * EPS)
    err = np.abs(num - grad).max() / np.abs(grad).max()
    assert err <= 1e-6, err


@pytest.mark.parametrize("head", ["last", "sequence"])
def test_network_gradient_matches_central_differences_float64(head):
    S, Q = 2, 3
    quantiles = [0.1, 0.5, 0.9]
    net = RecurrentNetwork("gru", 2, 3, num_layers=1, bidirectional=True, output_size=S * Q,
                           head=head, dtype=np.float64)
    rng = np.random.default_rng(8)
    params = net.init_params(4)
    X = rng.standard_normal((4, 5, 2))
    out = net.forward(params, X).output
    Y = rng.standard_normal(out.shape[:-1] + (S,)) * 2
    u = np.repeat(Y, Q, axis=-1) - out
    assert np.abs(u).min() > 1e-4  # perturbations of 1e-6 cannot cross a kink
    fr = net.forward(params, X)
    _, dpred = compute_loss("pinball", fr.output, Y, quantiles=quantiles)
    grad, _ = net.backward(params, fr, dpred)
    num = np.empty_like(params)
    for i in range(params.size):
        p = params.copy()
        p[i] += EPS
        up = compute_loss("pinball", net.forward(p, X).output, Y, quantiles=quantiles)[0]
        p[i] -= 2 * EPS
        down = compute_loss("pinball", net.forward(p, X).output, Y, quantiles=quantiles)[0]
        num[i] = (up - down) / (2 * EPS)
    for b in net.layout.blocks:
        a, n = grad[b.offset:b.stop], num[b.offset:b.stop]
        err = np.abs(a - n).max() / max(np.abs(a).max(), 1e-300)
        assert err <= 1e-6, (b.name, err)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("head", ["last", "sequence"])
def test_network_with_pinball_matches_twin(head, dtype):
    quantiles = [0.05, 0.3, 0.5, 0.95]
    net = RecurrentNetwork("lstm", 3, 4, 2, True, output_size=2 * 4, head=head, dtype=dtype)
    params = net.init_params(11)
    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 6, 3)).astype(dtype)
    shape = (5, 6, 2) if head == "sequence" else (5, 2)
    Y = rng.standard_normal(shape).astype(dtype)
    with kernel_threads(1):
        fr = net.forward(params, X, chunk=2)
        value, dpred = compute_loss("pinball", fr.output, Y, quantiles=quantiles)
        grad, _ = net.backward(params, fr, dpred)
    ref = naive_forward_backward(net, params, X, Y, loss="pinball", quantiles=quantiles)
    tol = TOL[dtype]
    assert value == pytest.approx(ref["loss"], rel=tol["rtol"], abs=tol["atol"])
    for name, g in net.layout.views(grad).items():
        np.testing.assert_allclose(g, ref["grads"][name], err_msg=name, **tol)


# ----------------------------------------------------------------- the quantile property


def _constant_loss(c, y, q):
    pred = np.full((y.size, 1), c)
    return compute_loss("pinball", pred, y.reshape(-1, 1), quantiles=[q])[0]


@pytest.mark.parametrize("q", [0.1, 0.25, 0.5, 0.8, 0.95])
def test_loss_over_a_constant_is_minimal_at_the_empirical_quantile(q):
    y = np.random.default_rng(0).exponential(size=301)  # skewed on purpose
    best = np.quantile(y, q, method="inverted_cdf")
    at_best = _constant_loss(best, y, q)
    # the loss is piecewise linear with kinks at the samples: its minimum over
    # the real line is attained at a sample, so comparing with all of them (and
    # a grid in between) is exhaustive
    candidates = np.concatenate([y, np.linspace(y.min() - 1, y.max() + 1, 2001)])
    losses = np.array([_constant_loss(c, y, q) for c in candidates])
    assert at_best <= losses.min() + 1e-12
    # a visibly wrong constant is worse (the test can fail)
    assert _constant_loss(np.quantile(y, min(q + 0.1, 0.99)), y, q) > at_best + 1e-6


def test_gradient_steps_on_constants_recover_the_empirical_quantiles():
    rng = np.random.default_rng(1)
    y = rng.standard_normal((2001, 2)) * np.array([1.0, 3.0]) + np.array([0.0, 5.0])
    quantiles = np.array([0.1, 0.5, 0.9])
    Q = quantiles.size
    c = np.zeros(2 * Q)
    for t in range(4000):
        pred = np.broadcast_to(c, (y.shape[0], c.size)).copy()
        _, g = compute_loss("pinball", pred, y, quantiles=quantiles)
        # mean subgradient per constant (the loss averages over N*S*Q elements)
        c -= 2.0 / np.sqrt(t + 1.0) * g.sum(axis=0) * (y.shape[1] * Q)
    expected = np.quantile(y, quantiles, axis=0).T.ravel()  # column s*Q + j
    np.testing.assert_allclose(c, expected, atol=0.02)


# ----------------------------------------------------------------- end to end


def _windows(series, w):
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], w)[..., None]
    Y = series[w:, None]
    return np.ascontiguousarray(X), np.ascontiguousarray(Y)


@pytest.mark.slow
def test_quantile_network_covers_the_noise_band():
    rng = np.random.default_rng(0)
    n, w, sigma = 2400, 12, 0.3
    t = np.arange(n)
    series = np.sin(2 * np.pi * t / 20) + sigma * rng.standard_normal(n)
    X, Y = _windows(series, w)
    X, Y = X.astype(np.float32), Y.astype(np.float32)
    n_train = 1800
    quantiles = [0.1, 0.5, 0.9]
    net = RecurrentNetwork("gru", 1, 8, output_size=3, head="last", dtype=np.float32)
    params = net.init_params(0)
    opt = Adam(net.n_params, net.dtype, lr=0.01)
    step = 0
    with kernel_threads(1):
        for epoch in range(12):
            order = np.random.default_rng((0, epoch)).permutation(n_train)
            for start in range(0, n_train, 32):
                idx = np.sort(order[start:start + 32])
                step += 1
                train_step(net, params, opt, X[idx], Y[idx], loss="pinball", quantiles=quantiles,
                           clip_grad_norm=1.0, step=step)
        out = net.forward(params, X[n_train:]).output.astype(np.float64)
    y = Y[n_train:, 0].astype(np.float64)
    coverage = np.mean((y >= out[:, 0]) & (y <= out[:, 2]))
    below = np.mean(y < out[:, 0])
    assert abs(coverage - 0.8) <= 0.1, coverage
    assert abs(below - 0.1) <= 0.07, below
    # the band's width is that of the noise: 2 * 1.2816 * sigma
    width = np.median(out[:, 2] - out[:, 0])
    assert 0.6 * 2 * 1.2816 * sigma < width < 1.5 * 2 * 1.2816 * sigma, width
    assert np.mean(out[:, 0] <= out[:, 1]) > 0.95 and np.mean(out[:, 1] <= out[:, 2]) > 0.95


def test_train_passes_the_quantiles_through():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((64, 4, 1))
    Y = X[:, -1, :] + 0.1 * rng.standard_normal((64, 1))
    net = RecurrentNetwork("rnn", 1, 4, output_size=2, dtype=np.float64)

    def fit(loss, quantiles, epochs):
        config = TrainConfig(learning_rate_init=0.02, max_iter=epochs, n_iter_no_change=epochs,
                             n_jobs=1)
        return train(net, net.init_params(0), ArraySource(X, Y), loss=loss, seed=0,
                     quantiles=quantiles, config=config)

    curve = fit("pinball", [0.25, 0.75], 15).loss_curve
    assert curve[-1] < 0.6 * curve[0]
    with pytest.raises(ValueError, match="quantiles"):
        fit("pinball", None, 1)
    with pytest.raises(ValueError, match="only used by loss='pinball'"):
        fit("mae", [0.5], 1)


# ----------------------------------------------------------------- validation


def test_pinball_is_a_known_loss():
    assert "pinball" in LOSSES


@pytest.mark.parametrize("quantiles,exc,match", [
    (None, ValueError, "needs the quantile levels"),
    ([], ValueError, "non-empty 1-D"),
    ([[0.1, 0.9]], ValueError, r"1-D.*shape \(1, 2\)"),
    ([0.1, np.nan], ValueError, "finite"),
    ([0.0, 0.5], ValueError, "strictly between 0 and 1"),
    ([0.5, 1.0], ValueError, "strictly between 0 and 1"),
    ([0.9, 0.1], ValueError, "strictly increasing"),
    ([0.5, 0.5], ValueError, "strictly increasing"),
    ("0.5", TypeError, "sequence of floats"),
    ([True, False], TypeError, "real numbers"),
    (["a"], TypeError, "real numbers"),
])
def test_bad_quantiles(quantiles, exc, match):
    pred, target = np.zeros((3, 2)), np.zeros((3, 1))
    with pytest.raises(exc, match=match):
        compute_loss("pinball", pred, target, quantiles=quantiles)


def test_check_quantile_levels_names_the_parameter_and_returns_float64():
    out = check_quantile_levels((1e-3, 0.5))
    assert out.dtype == np.float64 and out.flags.c_contiguous
    with pytest.raises(ValueError, match="every element of levels must be a float strictly"):
        check_quantile_levels([2.0], name="levels")


def test_bad_shapes_and_misuse():
    q = [0.1, 0.5, 0.9]
    with pytest.raises(ValueError, match=r"target must have shape \(4, 2\); got target of shape "
                                         r"\(4, 3\)"):
        compute_loss("pinball", np.zeros((4, 6)), np.zeros((4, 3)), quantiles=q)
    with pytest.raises(ValueError, match="last axis a multiple of 3"):
        compute_loss("pinball", np.zeros((4, 5)), np.zeros((4, 2)), quantiles=q)
    with pytest.raises(ValueError, match="multiple of 3"):
        compute_loss("pinball", np.zeros(6), np.zeros(2), quantiles=q)
    with pytest.raises(TypeError, match="float32 or float64"):
        compute_loss("pinball", np.zeros((2, 3), dtype=int), np.zeros((2, 1)), quantiles=q)
    with pytest.raises(ValueError, match="only used by loss='pinball'"):
        compute_loss("mse", np.zeros((2, 3)), np.zeros((2, 3)), quantiles=q)
    net = RecurrentNetwork("rnn", 1, 2, output_size=3, dtype=np.float64)
    params = net.init_params(0)
    before = params.copy()
    opt = Adam(net.n_params, net.dtype)
    X, Y = np.zeros((2, 3, 1)), np.zeros((2, 2))
    with pytest.raises(ValueError, match="S\\*Q columns"):
        train_step(net, params, opt, X, Y, loss="pinball", quantiles=q)
    with pytest.raises(ValueError, match="strictly increasing"):
        train_step(net, params, opt, X, Y[:, :1], loss="pinball", quantiles=[0.9, 0.1, 0.5])
    np.testing.assert_array_equal(params, before)  # nothing was updated
