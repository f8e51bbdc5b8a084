"""Parity with PyTorch 2.13 (CPU): same weights -> same outputs and gradients."""

import numpy as np
import pytest
# torch comes with the "bench" extra (.ci/run installs it, and fails on any skip there);
# never a package dependency
torch = pytest.importorskip("torch", reason="the PyTorch parity tests need torch (the 'bench' extra)")

from rnnforecast.nn import RecurrentNetwork  # noqa: E402
from rnnforecast.nn.training import compute_loss  # noqa: E402

TORCH_CELLS = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}


def _torch_module(net, sd, tdtype):
    kw = {"nonlinearity": net.nonlinearity} if net.cell == "rnn" else {}
    m = TORCH_CELLS[net.cell](net.input_size, net.hidden_size, net.num_layers, batch_first=True,
                              bidirectional=net.bidirectional, dtype=tdtype, **kw)
    m.load_state_dict({k: torch.tensor(v) for k, v in sd.items() if not k.startswith("fc.")})
    return m


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-5), (np.float32, 2e-4)])
@pytest.mark.parametrize("cell,nl", [("lstm", "tanh"), ("gru", "tanh"), ("rnn", "tanh"),
                                     ("rnn", "relu")])
@pytest.mark.parametrize("L,bi", [(1, False), (2, False), (1, True), (2, True)])
@pytest.mark.parametrize("with_states", [False, True])
def test_stack_outputs_and_all_gradients(cell, nl, L, bi, with_states, dtype, tol):
    B, T, I, H = 5, 6, 3, 4
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    net = RecurrentNetwork(cell, I, H, L, bi, nonlinearity=nl, output_size=0, dtype=dtype)
    params = net.init_params(7)
    m = _torch_module(net, net.state_dict(params), tdtype)
    rng = np.random.default_rng(1)
    D = net.num_directions
    X = rng.standard_normal((B, T, I)).astype(dtype)
    h0 = rng.standard_normal((L * D, B, H)).astype(dtype) if with_states else None
    c0 = rng.standard_normal((L * D, B, H)).astype(dtype) if with_states and cell == "lstm" else None
    xt = torch.tensor(X, requires_grad=True)
    h0t = torch.tensor(h0 if h0 is not None else np.zeros((L * D, B, H), dtype), requires_grad=True)
    c0t = torch.tensor(c0 if c0 is not None else np.zeros((L * D, B, H), dtype), requires_grad=True)
    if cell == "lstm":
        out_t, (hn_t, cn_t) = m(xt, (h0t, c0t)) if with_states else m(xt)
    else:
        out_t, hn_t = m(xt, h0t) if with_states else m(xt)
    dout = rng.standard_normal(out_t.shape).astype(dtype)
    dhn = rng.standard_normal(hn_t.shape).astype(dtype)
    dcn = rng.standard_normal(hn_t.shape).astype(dtype)
    total = (out_t * torch.tensor(dout)).sum() + (hn_t * torch.tensor(dhn)).sum()
    if cell == "lstm":
        total = total + (cn_t * torch.tensor(dcn)).sum()
    total.backward()

    fr = net.forward(params, X, h0=h0, c0=c0)
    grad, extras = net.backward(params, fr, dout, dhn, dcn if cell == "lstm" else None,
                                need_input_grad=True)

    def close(a, b, what):
        b = b.detach().numpy()
        err = np.abs(a - b).max() / max(np.abs(b).max(), 1.0)
        assert err <= tol, (what, err)

    close(fr.output, out_t, "output")
    close(fr.h_n, hn_t, "h_n")
    if cell == "lstm":
        close(fr.c_n, cn_t, "c_n")
    views = net.layout.views(grad)
    for name, p in m.named_parameters():
        close(views[name], p.grad, name)
    close(extras["input"], xt.grad, "input")
    if with_states:
        close(extras["h0"], h0t.grad, "h0")
        if cell == "lstm":
            close(extras["c0"], c0t.grad, "c0")


def test_full_model_with_head_and_loss_float64():
    """embedding -> 2-layer Bi-LSTM -> linear on final states -> cross-entropy, like the seed."""
    net = RecurrentNetwork("lstm", None, 4, 2, True, output_size=3, head="final_state",
                           vocab_size=11, embedding_dim=5, dtype=np.float64)
    params = net.init_params(2)
    sd = net.state_dict(params)
    emb = torch.nn.Embedding(11, 5, dtype=torch.float64)
    emb.load_state_dict({"weight": torch.tensor(sd["embedding.weight"])})
    lstm = _torch_module(net, {k: v for k, v in sd.items() if k != "embedding.weight"}, torch.float64)
    fc = torch.nn.Linear(8, 3, dtype=torch.float64)
    fc.load_state_dict({"weight": torch.tensor(sd["fc.weight"]), "bias": torch.tensor(sd["fc.bias"])})
    rng = np.random.default_rng(3)
    X = rng.integers(0, 11, size=(6, 7))
    Y = rng.integers(0, 3, size=6)
    _, (hn, _) = lstm(emb(torch.tensor(X)))
    logits = fc(torch.cat([hn[-2], hn[-1]], dim=1))
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(Y))
    loss.backward()
    fr = net.forward(params, X)
    value, dlogits = compute_loss("cross_entropy", fr.output, Y)
    grad, _ = net.backward(params, fr, dlogits)
    assert value == pytest.approx(loss.item(), rel=1e-12)
    views = net.layout.views(grad)
    for prefix, mod in [("embedding.", emb), ("", lstm), ("fc.", fc)]:
        for name, p in mod.named_parameters():
            np.testing.assert_allclose(views[prefix + name], p.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_state_dict_round_trip_with_torch():
    """Weights convert both ways: torch state_dict -> ours -> torch gives the same tensors."""
    m = torch.nn.GRU(3, 5, num_layers=2, bidirectional=True, batch_first=True)
    net = RecurrentNetwork("gru", 3, 5, 2, True, output_size=0, dtype=np.float32)
    params = net.load_state_dict({k: v.detach().numpy() for k, v in m.state_dict().items()})
    back = net.state_dict(params)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(back[k], v.numpy())
    X = np.random.default_rng(0).standard_normal((4, 6, 3)).astype(np.float32)
    with torch.no_grad():
        ref = m(torch.tensor(X))[0].numpy()
    np.testing.assert_allclose(net.forward(params, X).output, ref, rtol=1e-5, atol=1e-6)
