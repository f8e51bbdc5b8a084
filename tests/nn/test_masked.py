"""Left-padded (masked) batches in :class:`RecurrentNetwork`.

A sample whose first steps are all-NaN must behave as a packed sequence of
its valid steps: checked against central finite differences (float64),
against a plain-numpy reference run sample by sample on the trimmed
sequences (``tests/twin.py``), against PyTorch's ``pack_padded_sequence``
with the same weights, and for bit-identical results at 1 and 2 threads.
"""

import numba
import numpy as np
import pytest

from twin import naive_forward_backward
from rnnforecast.nn import RecurrentNetwork
from rnnforecast.nn.masked import padding_lengths
from rnnforecast.nn.training import compute_loss

CELLS = [("lstm", "tanh"), ("gru", "tanh"), ("rnn", "tanh"), ("rnn", "relu")]
EPS = 1e-6


def padded_batch(lengths, T, I, dtype=np.float64, seed=0):
    """Random (B, T, I) batch; sample b has its first T - lengths[b] steps NaN."""
    X = np.random.default_rng(seed).standard_normal((len(lengths), T, I)).astype(dtype)
    for b, L in enumerate(lengths):
        X[b, :T - L] = np.nan
    return X


def trimmed(X, b, L):
    return np.ascontiguousarray(X[b:b + 1, X.shape[1] - L:])


# ----------------------------------------------------------------- padding_lengths
def test_padding_lengths_values():
    X = padded_batch([4, 1, 3, 4], T=4, I=2)
    np.testing.assert_array_equal(padding_lengths(X), [4, 1, 3, 4])
    assert padding_lengths(np.zeros((2, 3, 1))) is None


@pytest.mark.parametrize("where, value, match", [
    ((1, 2, 0), np.nan, r"sample 1, time step 2 is partly NaN"),
    ((0, 0, 0), np.inf, r"infinity at sample 0, time step 0"),
    ((2, 1, slice(None)), np.nan, r"sample 2, time step 1 is NaN after a valid time step"),
    ((1, slice(None), slice(None)), np.nan, r"sample 1 has no valid time step"),
])
def test_bad_nan_layouts_are_refused(where, value, match):
    net = RecurrentNetwork("gru", 2, 3, dtype=np.float64)
    X = np.ones((3, 4, 2))
    X[where] = value
    with pytest.raises(ValueError, match="X contains NaN or infinite values"):
        net.forward(net.init_params(0), X)
    with pytest.raises(ValueError, match=match):
        padding_lengths(X)
    with pytest.raises(ValueError, match=match):  # also without input validation
        net.forward(net.init_params(0), X, check_input=False)


# ------------------------------------------------------------ trimming equivalence
@pytest.mark.parametrize("cell,nl", CELLS)
@pytest.mark.parametrize("bi", [False, True])
def test_padded_sample_equals_its_trimmed_sequence(cell, nl, bi):
    net = RecurrentNetwork(cell, 2, 3, num_layers=2, bidirectional=bi, nonlinearity=nl,
                           output_size=0, dtype=np.float64)
    params = net.init_params(1)
    lengths = [5, 2, 5, 1, 3, 2]
    X = padded_batch(lengths, T=5, I=2)
    h0 = np.random.default_rng(2).standard_normal((2 * net.num_directions, 6, 3))
    c0 = 0.5 * h0 if cell == "lstm" else None
    fr = net.forward(params, X, h0=h0, c0=c0, chunk=1)
    for b, L in enumerate(lengths):
        one = net.forward(params, trimmed(X, b, L), h0=h0[:, b:b + 1],
                          c0=None if c0 is None else c0[:, b:b + 1], chunk=1)
        np.testing.assert_array_equal(fr.output[b, 5 - L:], one.output[0])
        np.testing.assert_array_equal(fr.output[b, :5 - L], 0.0)  # pad_packed's padding
        np.testing.assert_array_equal(fr.h_n[:, b], one.h_n[:, 0])
        if cell == "lstm":
            np.testing.assert_array_equal(fr.c_n[:, b], one.c_n[:, 0])


def test_equal_padding_equals_the_trimmed_batch_bit_for_bit():
    net = RecurrentNetwork("lstm", 1, 4, output_size=1, head="final_state", dtype=np.float32)
    params = net.init_params(0)
    X = padded_batch([3] * 10, T=6, I=1, dtype=np.float32)
    fr = net.forward(params, X)
    ref = net.forward(params, np.ascontiguousarray(X[:, 3:]))
    np.testing.assert_array_equal(fr.output, ref.output)
    grad, _ = net.backward(params, fr, np.ones_like(fr.output))
    ref_grad, _ = net.backward(params, ref, np.ones_like(ref.output))
    np.testing.assert_array_equal(grad, ref_grad)


# ------------------------------------------------------------------ gradients
def _fd_check(net, params, X, Y, training=False):
    def loss_at(p):
        return compute_loss("mse", net.forward(p, X, training=training, seed=3, step=5).output,
                            Y)[0]

    fr = net.forward(params, X, training=training, seed=3, step=5)
    _, dpred = compute_loss("mse", fr.output, Y)
    grad, extras = net.backward(params, fr, dpred, need_input_grad=True)
    num = np.empty_like(params)
    for i in range(params.size):
        p = params.copy()
        p[i] += EPS
        up = loss_at(p)
        p[i] -= 2 * EPS
        num[i] = (up - loss_at(p)) / (2 * EPS)
    errors = {b.name: np.abs(grad[b.offset:b.stop] - num[b.offset:b.stop]).max()
              / max(np.abs(grad[b.offset:b.stop]).max(), 1e-300) for b in net.layout.blocks}
    return errors, extras


@pytest.mark.parametrize("cell,nl", CELLS)
@pytest.mark.parametrize("head", ["last", "final_state"])
def test_masked_gradients_by_central_differences(cell, nl, head):
    net = RecurrentNetwork(cell, 2, 3, num_layers=2, bidirectional=True, nonlinearity=nl,
                           output_size=2, head=head, dtype=np.float64)
    params = net.init_params(4)
    X = padded_batch([4, 2, 1, 4, 3], T=4, I=2, seed=5)
    Y = np.random.default_rng(6).standard_normal((5, 2))
    errors, extras = _fd_check(net, params, X, Y)
    bad = {k: v for k, v in errors.items() if not v <= 1e-6}
    assert not bad, bad
    assert np.all(extras["input"][np.isnan(X)] == 0.0)  # padded steps get no gradient
    # input gradient at a valid step, by central differences too
    b, t, i = 1, 3, 1
    Xp, Xm = X.copy(), X.copy()
    Xp[b, t, i] += EPS
    Xm[b, t, i] -= EPS
    num = (compute_loss("mse", net.forward(params, Xp).output, Y)[0]
           - compute_loss("mse", net.forward(params, Xm).output, Y)[0]) / (2 * EPS)
    assert extras["input"][b, t, i] == pytest.approx(num, rel=1e-6, abs=1e-10)


def test_masked_gradients_with_dropout_by_central_differences():
    """Dropout masks of the groups are keyed consistently in forward and backward."""
    net = RecurrentNetwork("gru", 2, 3, num_layers=2, dropout=0.4, output_size=1,
                           head="sequence", head_dropout=0.3, dtype=np.float64)
    params = net.init_params(0)
    X = padded_batch([4, 2, 3, 2], T=4, I=2, seed=1)
    Y = np.random.default_rng(2).standard_normal((4, 4, 1))
    errors, _ = _fd_check(net, params, X, Y, training=True)
    bad = {k: v for k, v in errors.items() if not v <= 1e-6}
    assert not bad, bad


@pytest.mark.parametrize("cell,nl", CELLS)
@pytest.mark.parametrize("head", ["last", "final_state", "sequence"])
def test_masked_batch_against_numpy_reference(cell, nl, head):
    """Output, states and every gradient = the naive twin run sample by sample, trimmed."""
    B, T, I, H, O = 5, 5, 2, 3, 2
    net = RecurrentNetwork(cell, I, H, num_layers=2, bidirectional=True, nonlinearity=nl,
                           output_size=O, head=head, dtype=np.float64)
    params = net.init_params(7)
    lengths = [5, 3, 1, 3, 4]
    X = padded_batch(lengths, T, I, seed=8)
    rng = np.random.default_rng(9)
    doutput = rng.standard_normal((B, T, O) if head == "sequence" else (B, O))
    dh_n = rng.standard_normal((4, B, H))
    fr = net.forward(params, X)
    grad, extras = net.backward(params, fr, doutput, dh_n=dh_n, need_input_grad=True)
    total = {name: 0.0 for name in net.layout.by_name}
    for b, L in enumerate(lengths):
        dout_b = doutput[b:b + 1, T - L:] if head == "sequence" else doutput[b:b + 1]
        ref = naive_forward_backward(net, params, trimmed(X, b, L), doutput=dout_b,
                                     dh_n=dh_n[:, b:b + 1])
        got_out = fr.output[b:b + 1, T - L:] if head == "sequence" else fr.output[b:b + 1]
        np.testing.assert_allclose(got_out, ref["output"], rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(fr.h_n[:, b:b + 1], ref["h_n"], rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(extras["input"][b, T - L:], ref["input"][0], rtol=1e-10,
                                   atol=1e-12)
        np.testing.assert_allclose(extras["h0"][:, b:b + 1], ref["h0"], rtol=1e-10, atol=1e-12)
        for name, g in ref["grads"].items():
            total[name] = total[name] + g
    views = net.layout.views(grad)
    for name, g in total.items():
        np.testing.assert_allclose(views[name], g, rtol=1e-10, atol=1e-12, err_msg=name)


def test_masked_backward_checks_doutput_shape():
    net = RecurrentNetwork("rnn", 1, 2, output_size=1, dtype=np.float64)
    params = net.init_params(0)
    fr = net.forward(params, padded_batch([2, 1], T=2, I=1))
    with pytest.raises(ValueError, match=r"doutput must have shape \(2, 1\)"):
        net.backward(params, fr, np.ones((3, 1)))


# ------------------------------------------------------------------ PyTorch
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-9), (np.float32, 2e-4)])
@pytest.mark.parametrize("cell,nl", CELLS)
@pytest.mark.parametrize("bi", [False, True])
def test_parity_with_torch_packed_sequences(cell, nl, bi, dtype, tol):
    torch = pytest.importorskip("torch")
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    B, T, I, H, L = 6, 7, 3, 4, 2
    net = RecurrentNetwork(cell, I, H, L, bi, nonlinearity=nl, output_size=0, dtype=dtype)
    params = net.init_params(11)
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    kw = {"nonlinearity": nl} if cell == "rnn" else {}
    module = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[cell](
        I, H, L, batch_first=True, bidirectional=bi, dtype=tdtype, **kw)
    module.load_state_dict({k: torch.tensor(v) for k, v in net.state_dict(params).items()})
    lengths = np.array([7, 3, 1, 5, 7, 2])
    X = padded_batch(lengths, T, I, dtype=dtype, seed=12)
    right = np.zeros_like(X)  # torch packs right-padded sequences
    for b, n in enumerate(lengths):
        right[b, :n] = X[b, T - n:]
    xt = torch.tensor(right, requires_grad=True)
    packed = pack_padded_sequence(xt, torch.tensor(lengths), batch_first=True,
                                  enforce_sorted=False)
    out_p, state = module(packed)
    out_t, _ = pad_packed_sequence(out_p, batch_first=True, total_length=T)
    hn_t, cn_t = state if cell == "lstm" else (state, None)
    rng = np.random.default_rng(13)
    D = 2 if bi else 1
    dout = rng.standard_normal((B, T, D * H)).astype(dtype)
    dhn = rng.standard_normal((L * D, B, H)).astype(dtype)
    dout_right = np.zeros_like(dout)
    for b, n in enumerate(lengths):
        dout_right[b, :n] = dout[b, T - n:]
    total = (out_t * torch.tensor(dout_right)).sum() + (hn_t * torch.tensor(dhn)).sum()
    if cell == "lstm":
        total = total + (cn_t * torch.tensor(dhn)).sum()
    total.backward()

    fr = net.forward(params, X)
    grad, extras = net.backward(params, fr, dout, dhn, dhn if cell == "lstm" else None,
                                need_input_grad=True)

    def close(a, b, what):
        err = np.abs(a - b).max() / max(np.abs(b).max(), 1.0)
        assert err <= tol, (what, err)

    out_ref = out_t.detach().numpy()
    gx_ref = xt.grad.numpy()
    for b, n in enumerate(lengths):
        close(fr.output[b, T - n:], out_ref[b, :n], "output")
        close(extras["input"][b, T - n:], gx_ref[b, :n], "input gradient")
    close(fr.h_n, hn_t.detach().numpy(), "h_n")
    if cell == "lstm":
        close(fr.c_n, cn_t.detach().numpy(), "c_n")
    views = net.layout.views(grad)
    for name, p in module.named_parameters():
        close(views[name], p.grad.numpy(), name)


# ------------------------------------------------------------------ threads
def test_masked_gradients_bit_identical_at_1_and_2_threads():
    net = RecurrentNetwork("lstm", 2, 8, num_layers=2, bidirectional=True, output_size=1,
                           dtype=np.float32)
    params = net.init_params(0)
    rng = np.random.default_rng(1)
    lengths = rng.integers(1, 13, size=70)
    X = padded_batch(lengths, T=12, I=2, dtype=np.float32, seed=2)
    Y = rng.standard_normal((70, 1)).astype(np.float32)
    results = []
    previous = numba.get_num_threads()
    try:
        for n in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(n)
            fr = net.forward(params, X, training=True, seed=0, step=1)
            _, dpred = compute_loss("mse", fr.output, Y)
            results.append((fr.output, net.backward(params, fr, dpred)[0]))
    finally:
        numba.set_num_threads(previous)
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
