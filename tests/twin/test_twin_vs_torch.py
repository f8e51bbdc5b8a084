"""Proves the naive reference twin (tests/twin/) right against torch autograd.

The kernel tests trust ``twin``; this file is what makes that trust earned.
Every expected value here comes from torch (or from a published test vector,
or from an independent re-implementation), never from ``twin`` itself.
"""

import itertools
import zlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from hypothesis import given, settings, strategies as st  # noqa: E402

import twin

TOL = 1e-10
CELLS = [("rnn", "tanh"), ("rnn", "relu"), ("gru", "tanh"), ("lstm", "tanh")]
CELL_IDS = ["rnn_tanh", "rnn_relu", "gru", "lstm"]
TORCH_CLS = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def make_params(cell, input_size, H, num_layers, bidirectional, rng, dtype=np.float64,
                scale=0.7):
    G = twin.GATES[cell]
    nd = 2 if bidirectional else 1
    params = {}
    for k in range(num_layers):
        I_k = input_size if k == 0 else H * nd
        for d in range(nd):
            s = f"_l{k}" + ("_reverse" if d else "")
            params["weight_ih" + s] = rng.uniform(-scale, scale, (G * H, I_k)).astype(dtype)
            params["weight_hh" + s] = rng.uniform(-scale, scale, (G * H, H)).astype(dtype)
            params["bias_ih" + s] = rng.uniform(-scale, scale, (G * H,)).astype(dtype)
            params["bias_hh" + s] = rng.uniform(-scale, scale, (G * H,)).astype(dtype)
    return params


def torch_module(cell, nonlinearity, input_size, H, num_layers, bidirectional, params):
    kwargs = dict(num_layers=num_layers, bidirectional=bidirectional, batch_first=True,
                  dtype=torch.float64)
    if cell == "rnn":
        kwargs["nonlinearity"] = nonlinearity
    mod = TORCH_CLS[cell](input_size, H, **kwargs)
    # strict=True: our key names must be exactly PyTorch's
    mod.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in params.items()}, strict=True)
    return mod


def torch_run(mod, cell, x, h0, c0, dout, dhn, dcn):
    """Run a torch RNN module; return numpy outputs and gradients."""
    xt = torch.tensor(x, requires_grad=True)
    if h0 is None:
        out, state = mod(xt)
        h0t = c0t = None
    else:
        h0t = torch.tensor(h0, requires_grad=True)
        c0t = torch.tensor(c0, requires_grad=True) if cell == "lstm" else None
        out, state = mod(xt, (h0t, c0t) if cell == "lstm" else h0t)
    hn, cn = state if cell == "lstm" else (state, None)
    loss = (out * torch.from_numpy(dout)).sum() + (hn * torch.from_numpy(dhn)).sum()
    if cell == "lstm":
        loss = loss + (cn * torch.from_numpy(dcn)).sum()
    loss.backward()
    res = {
        "out": out.detach().numpy(), "h_n": hn.detach().numpy(),
        "c_n": cn.detach().numpy() if cn is not None else None,
        "grads": {k: p.grad.numpy().copy() for k, p in mod.named_parameters()},
        "input": xt.grad.numpy(),
        "h0": h0t.grad.numpy() if h0t is not None else None,
        "c0": c0t.grad.numpy() if c0t is not None else None,
    }
    return res


def maxerr(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def assert_close(a, b, tol=TOL, what=""):
    e = maxerr(a, b)
    assert e <= tol, f"{what}: max abs error {e:.3e} > {tol:.1e}"


def random_case(cell, B, T, I, H, L, bidir, rng):
    nd = 2 if bidir else 1
    x = rng.standard_normal((B, T, I))
    h0 = rng.standard_normal((L * nd, B, H)) * 0.5
    c0 = rng.standard_normal((L * nd, B, H)) * 0.5
    dout = rng.standard_normal((B, T, nd * H))
    dhn = rng.standard_normal((L * nd, B, H))
    dcn = rng.standard_normal((L * nd, B, H))
    return x, h0, c0, dout, dhn, dcn


def compare_network(cell, nonlinearity, B, T, I, H, L, bidir, with_h0, seed):
    rng = np.random.default_rng(seed)
    params = make_params(cell, I, H, L, bidir, rng)
    x, h0, c0, dout, dhn, dcn = random_case(cell, B, T, I, H, L, bidir, rng)
    if not with_h0:
        h0 = c0 = None
    mod = torch_module(cell, nonlinearity, I, H, L, bidir, params)
    ref = torch_run(mod, cell, x, h0, c0, dout, dhn, dcn)

    out, h_n, c_n, cache = twin.network_forward(
        params, x, cell, L, bidir, h0=h0, c0=c0, nonlinearity=nonlinearity)
    grads = twin.network_backward(cache, dout, dhn, dcn if cell == "lstm" else None)

    assert_close(out, ref["out"], what="out")
    assert_close(h_n, ref["h_n"], what="h_n")
    if cell == "lstm":
        assert_close(c_n, ref["c_n"], what="c_n")
        assert grads["c0"] is not None
    else:
        assert c_n is None and grads["c0"] is None
    assert set(grads) == set(params) | {"input", "h0", "c0"}
    for name in params:
        assert grads[name].shape == params[name].shape
        assert_close(grads[name], ref["grads"][name], what=name)
    assert_close(grads["input"], ref["input"], what="input")
    if with_h0:
        assert_close(grads["h0"], ref["h0"], what="h0")
        if cell == "lstm":
            assert_close(grads["c0"], ref["c0"], what="c0")
    else:
        # default initial state is zeros: the gradient wrt it must equal torch's
        # gradient wrt an explicit zero state
        nd = 2 if bidir else 1
        z = np.zeros((L * nd, B, H))
        ref0 = torch_run(torch_module(cell, nonlinearity, I, H, L, bidir, params),
                         cell, x, z, z.copy(), dout, dhn, dcn)
        assert_close(grads["h0"], ref0["h0"], what="h0 (default zeros)")
        if cell == "lstm":
            assert_close(grads["c0"], ref0["c0"], what="c0 (default zeros)")


# ---------------------------------------------------------------------------
# recurrent networks vs torch autograd (float64, 1e-10)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("T", [5, 1])
@pytest.mark.parametrize("with_h0", [True, False], ids=["h0", "no_h0"])
@pytest.mark.parametrize("bidir", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("L", [1, 2])
@pytest.mark.parametrize("cell,nonlinearity", CELLS, ids=CELL_IDS)
def test_network_matches_torch(cell, nonlinearity, L, bidir, with_h0, T):
    seed = zlib.crc32(repr((cell, nonlinearity, L, bidir, with_h0, T)).encode())
    compare_network(cell, nonlinearity, B=3, T=T, I=2, H=4, L=L, bidir=bidir,
                    with_h0=with_h0, seed=seed)


@settings(max_examples=12, deadline=None)
@given(
    cell_idx=st.integers(0, 3),
    B=st.integers(1, 4), T=st.integers(1, 6), I=st.integers(1, 5), H=st.integers(1, 5),
    L=st.integers(1, 3), bidir=st.booleans(), with_h0=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_network_matches_torch_random_shapes(cell_idx, B, T, I, H, L, bidir, with_h0, seed):
    cell, nonlinearity = CELLS[cell_idx]
    compare_network(cell, nonlinearity, B, T, I, H, L, bidir, with_h0, seed)


@pytest.mark.parametrize("T", [5, 1])
@pytest.mark.parametrize("cell,nonlinearity", CELLS, ids=CELL_IDS)
def test_layer_api_matches_torch_both_directions(cell, nonlinearity, T):
    """layer_forward/layer_backward directly, forward and reverse=True, against
    the two halves of a one-layer bidirectional torch module."""
    B, I, H = 3, 2, 4
    rng = np.random.default_rng(11)
    params = make_params(cell, I, H, 1, True, rng)
    x, h0, c0, dout, dhn, dcn = random_case(cell, B, T, I, H, 1, True, rng)
    mod = torch_module(cell, nonlinearity, I, H, 1, True, params)
    ref = torch_run(mod, cell, x, h0, c0, dout, dhn, dcn)

    dx_total = np.zeros_like(x)
    for d, sfx in enumerate(["_l0", "_l0_reverse"]):
        out, h_n, c_n, cache = twin.layer_forward(
            cell, x, params["weight_ih" + sfx], params["weight_hh" + sfx],
            params["bias_ih" + sfx], params["bias_hh" + sfx], h0[d],
            c0[d] if cell == "lstm" else None, reverse=bool(d), nonlinearity=nonlinearity)
        assert out.shape == (B, T, H)
        assert_close(out, ref["out"][:, :, d * H:(d + 1) * H], what=f"out dir {d}")
        assert_close(h_n, ref["h_n"][d], what=f"h_n dir {d}")
        g = twin.layer_backward(cache, dout[:, :, d * H:(d + 1) * H], dhn[d],
                                 dcn[d] if cell == "lstm" else None)
        assert set(g) == {"dx", "dh0", "dc0", "dw_ih", "dw_hh", "db_ih", "db_hh"}
        for key, name in [("dw_ih", "weight_ih"), ("dw_hh", "weight_hh"),
                          ("db_ih", "bias_ih"), ("db_hh", "bias_hh")]:
            assert_close(g[key], ref["grads"][name + sfx], what=name + sfx)
        assert_close(g["dh0"], ref["h0"][d], what=f"dh0 dir {d}")
        if cell == "lstm":
            assert_close(c_n, ref["c_n"][d], what=f"c_n dir {d}")
            assert_close(g["dc0"], ref["c0"][d], what=f"dc0 dir {d}")
        else:
            assert c_n is None and g["dc0"] is None
        dx_total += g["dx"]
    assert_close(dx_total, ref["input"], what="dx")


@pytest.mark.parametrize("cell,nonlinearity", CELLS, ids=CELL_IDS)
def test_layer_defaults_none_states(cell, nonlinearity):
    """h0/c0/dh_n/dc_n = None mean zeros (compared with a torch run on zeros)."""
    B, T, I, H = 2, 4, 3, 2
    rng = np.random.default_rng(5)
    params = make_params(cell, I, H, 1, False, rng)
    x = rng.standard_normal((B, T, I))
    dout = rng.standard_normal((B, T, H))
    z = np.zeros((1, B, H))
    ref = torch_run(torch_module(cell, nonlinearity, I, H, 1, False, params),
                    cell, x, z, z.copy(), dout, z.copy(), z.copy())
    out, h_n, c_n, cache = twin.layer_forward(
        cell, x, params["weight_ih_l0"], params["weight_hh_l0"], params["bias_ih_l0"],
        params["bias_hh_l0"], None, None, nonlinearity=nonlinearity)
    g = twin.layer_backward(cache, dout)
    assert_close(out, ref["out"], what="out")
    assert_close(g["dx"], ref["input"], what="dx")
    assert_close(g["dh0"], ref["h0"][0], what="dh0")
    assert_close(g["dw_hh"], ref["grads"]["weight_hh_l0"], what="dw_hh")


@pytest.mark.parametrize("bidir", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("L", [2, 3])
@pytest.mark.parametrize("cell,nonlinearity", CELLS, ids=CELL_IDS)
def test_network_with_dropout_masks_matches_torch_composition(cell, nonlinearity, L, bidir):
    """Inter-layer dropout masks: compare with single-layer torch modules chained
    by hand with the same masks multiplied in between."""
    B, T, I, H = 3, 5, 2, 4
    nd = 2 if bidir else 1
    rng = np.random.default_rng(21 + L)
    params = make_params(cell, I, H, L, bidir, rng)
    x, h0, c0, dout, dhn, dcn = random_case(cell, B, T, I, H, L, bidir, rng)
    masks = [twin.dropout_mask(7, 3, k, 0.3, (B, T, nd * H), np.float64) for k in range(L - 1)]
    assert any((m == 0).any() for m in masks)

    # torch, layer by layer
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0, requires_grad=True)
    c0t = torch.tensor(c0, requires_grad=True)
    layer_in = xt
    hns, cns, mods = [], [], []
    for k in range(L):
        sub = {}
        for name, v in params.items():
            if f"_l{k}" in name and (name.endswith(f"_l{k}") or name.endswith(f"_l{k}_reverse")):
                sub[name.replace(f"_l{k}", "_l0")] = v
        mod = torch_module(cell, nonlinearity, I if k == 0 else nd * H, H, 1, bidir, sub)
        mods.append(mod)
        sl = slice(k * nd, (k + 1) * nd)
        if cell == "lstm":
            out, (hn, cn) = mod(layer_in, (h0t[sl], c0t[sl]))
            cns.append(cn)
        else:
            out, hn = mod(layer_in, h0t[sl])
        hns.append(hn)
        layer_in = out * torch.from_numpy(masks[k]) if k < L - 1 else out
    hn_all = torch.cat(hns, 0)
    loss = (out * torch.from_numpy(dout)).sum() + (hn_all * torch.from_numpy(dhn)).sum()
    if cell == "lstm":
        cn_all = torch.cat(cns, 0)
        loss = loss + (cn_all * torch.from_numpy(dcn)).sum()
    loss.backward()

    o, h_n, c_n, cache = twin.network_forward(params, x, cell, L, bidir, h0, c0,
                                               nonlinearity=nonlinearity, dropout_masks=masks)
    g = twin.network_backward(cache, dout, dhn, dcn if cell == "lstm" else None)
    assert_close(o, out.detach().numpy(), what="out")
    assert_close(h_n, hn_all.detach().numpy(), what="h_n")
    if cell == "lstm":
        assert_close(c_n, cn_all.detach().numpy(), what="c_n")
        assert_close(g["c0"], c0t.grad.numpy(), what="c0")
    assert_close(g["input"], xt.grad.numpy(), what="input")
    assert_close(g["h0"], h0t.grad.numpy(), what="h0")
    for k, mod in enumerate(mods):
        for name, p in mod.named_parameters():
            ours = name.replace("_l0", f"_l{k}")
            assert_close(g[ours], p.grad.numpy(), what=ours)


def test_dropout_masks_change_the_result():
    """Guard: the mask is actually applied (all-ones masks vs a real mask differ)."""
    B, T, I, H, L = 2, 3, 2, 3, 2
    rng = np.random.default_rng(0)
    params = make_params("gru", I, H, L, False, rng)
    x = rng.standard_normal((B, T, I))
    ones = [np.ones((B, T, H))]
    mask = [twin.dropout_mask(1, 0, 0, 0.5, (B, T, H), np.float64)]
    a = twin.network_forward(params, x, "gru", L, False)[0]
    b = twin.network_forward(params, x, "gru", L, False, dropout_masks=ones)[0]
    c = twin.network_forward(params, x, "gru", L, False, dropout_masks=mask)[0]
    assert_close(a, b, what="all-ones mask")
    assert maxerr(a, c) > 1e-3


# ---------------------------------------------------------------------------
# float32 stays float32
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("cell,nonlinearity", CELLS, ids=CELL_IDS)
def test_float32_in_float32_out(cell, nonlinearity):
    B, T, I, H, L, bidir = 3, 5, 2, 4, 2, True
    rng = np.random.default_rng(3)
    p64 = make_params(cell, I, H, L, bidir, rng)
    x64, h064, c064, dout64, dhn64, dcn64 = random_case(cell, B, T, I, H, L, bidir, rng)
    f32 = lambda a: a.astype(np.float32)  # noqa: E731
    p32 = {k: f32(v) for k, v in p64.items()}
    nd = 2
    masks64 = [twin.dropout_mask(9, 1, 0, 0.25, (B, T, nd * H), np.float64)]
    masks32 = [twin.dropout_mask(9, 1, 0, 0.25, (B, T, nd * H), np.float32)]
    assert masks32[0].dtype == np.float32

    o32, h32, c32, cache32 = twin.network_forward(
        p32, f32(x64), cell, L, bidir, f32(h064), f32(c064), nonlinearity, masks32)
    g32 = twin.network_backward(cache32, f32(dout64), f32(dhn64), f32(dcn64))
    o64, h64, c64, cache64 = twin.network_forward(
        p64, x64, cell, L, bidir, h064, c064, nonlinearity, masks64)
    g64 = twin.network_backward(cache64, dout64, dhn64, dcn64)

    assert o32.dtype == np.float32 and h32.dtype == np.float32
    assert_close(o32, o64, tol=1e-5, what="out f32")
    assert_close(h32, h64, tol=1e-5, what="h_n f32")
    if cell == "lstm":
        assert c32.dtype == np.float32
        assert_close(c32, c64, tol=1e-5, what="c_n f32")
    for k, v in g32.items():
        if v is None:
            assert k == "c0" and cell != "lstm"
            continue
        assert v.dtype == np.float32, k
        assert_close(v, g64[k], tol=1e-4 * max(1.0, float(np.abs(g64[k]).max())), what=k)

    # the layer-level API directly
    sfx = "_l0_reverse"
    out, hn, cn, cache = twin.layer_forward(
        cell, f32(x64), p32["weight_ih" + sfx], p32["weight_hh" + sfx], p32["bias_ih" + sfx],
        p32["bias_hh" + sfx], f32(h064[1]), f32(c064[1]) if cell == "lstm" else None,
        reverse=True, nonlinearity=nonlinearity)
    assert out.dtype == np.float32 and hn.dtype == np.float32
    assert cn is None or cn.dtype == np.float32
    g = twin.layer_backward(cache, f32(dout64[:, :, H:]), f32(dhn64[1]),
                             f32(dcn64[1]) if cell == "lstm" else None)
    assert all(v.dtype == np.float32 for v in g.values() if v is not None)
    out, hn, cn, cache = twin.layer_forward(
        cell, f32(x64), p32["weight_ih_l0"], p32["weight_hh_l0"], p32["bias_ih_l0"],
        p32["bias_hh_l0"], None, None, nonlinearity=nonlinearity)
    g = twin.layer_backward(cache, f32(dout64[:, :, :H]))
    assert out.dtype == np.float32 and hn.dtype == np.float32
    assert all(v.dtype == np.float32 for v in g.values() if v is not None)

    # without explicit initial states as well
    o32b, h32b, _, cb = twin.network_forward(p32, f32(x64), cell, L, bidir,
                                              nonlinearity=nonlinearity)
    gb = twin.network_backward(cb, f32(dout64))
    assert o32b.dtype == np.float32 and h32b.dtype == np.float32
    assert all(v.dtype == np.float32 for v in gb.values() if v is not None)


def test_float32_heads_losses_optimisers():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    w = rng.standard_normal((2, 5)).astype(np.float32)
    b = rng.standard_normal(2).astype(np.float32)
    y = twin.linear_forward(x, w, b)
    assert y.dtype == np.float32
    assert all(a.dtype == np.float32 for a in twin.linear_backward(x, w, y))
    table = rng.standard_normal((6, 3)).astype(np.float32)
    ids = rng.integers(0, 6, (2, 4))
    e = twin.embedding_forward(ids, table)
    assert e.dtype == np.float32
    assert twin.embedding_backward(ids, e, 6).dtype == np.float32
    pred = rng.standard_normal((4, 3)).astype(np.float32)
    target = rng.standard_normal((4, 3)).astype(np.float32)
    for fn in (twin.mse_loss, twin.mae_loss, twin.huber_loss):
        loss, d = fn(pred, target)
        assert np.asarray(loss).dtype == np.float32 and d.dtype == np.float32
    loss, d = twin.cross_entropy_loss(pred, np.array([0, 2, 1, 2]))
    assert np.asarray(loss).dtype == np.float32 and d.dtype == np.float32
    p = pred.copy()
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    twin.adam_step(p, target, m, v, 1, 1e-2, weight_decay=0.1)
    assert p.dtype == m.dtype == v.dtype == np.float32
    assert maxerr(p, pred) > 0
    buf = np.zeros_like(p)
    twin.sgd_step(p, target, buf, 1e-2, momentum=0.9, weight_decay=0.1)
    assert p.dtype == buf.dtype == np.float32


# ---------------------------------------------------------------------------
# heads and losses vs torch
# ---------------------------------------------------------------------------


def test_linear_matches_torch():
    rng = np.random.default_rng(10)
    for shape in [(7, 5), (3, 4, 5), (2, 3, 4, 5)]:
        x = rng.standard_normal(shape)
        w = rng.standard_normal((3, 5))
        b = rng.standard_normal(3)
        dy = rng.standard_normal(shape[:-1] + (3,))
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        yt = torch.nn.functional.linear(xt, wt, bt)
        (yt * torch.from_numpy(dy)).sum().backward()
        assert_close(twin.linear_forward(x, w, b), yt.detach().numpy(), what="linear y")
        dx, dw, db = twin.linear_backward(x, w, dy)
        assert_close(dx, xt.grad.numpy(), what="linear dx")
        assert_close(dw, wt.grad.numpy(), what="linear dw")
        assert_close(db, bt.grad.numpy(), what="linear db")


def test_embedding_matches_torch():
    rng = np.random.default_rng(12)
    V, E = 7, 3
    table = rng.standard_normal((V, E))
    ids = np.array([[0, 3, 3, 6], [3, 1, 0, 0], [5, 5, 5, 2]])  # repeats accumulate
    dy = rng.standard_normal((3, 4, E))
    tt = torch.tensor(table, requires_grad=True)
    yt = torch.nn.functional.embedding(torch.from_numpy(ids), tt)
    (yt * torch.from_numpy(dy)).sum().backward()
    assert_close(twin.embedding_forward(ids, table), yt.detach().numpy(), what="emb y")
    assert_close(twin.embedding_backward(ids, dy, V), tt.grad.numpy(), what="emb dtable")


def _torch_loss(loss_fn, pred, target):
    pt = torch.tensor(pred, requires_grad=True)
    loss = loss_fn(pt, torch.from_numpy(target))
    loss.backward()
    return loss.item(), pt.grad.numpy()


def _regression_data(rng):
    pred = rng.standard_normal((5, 4, 3)) * 1.5
    target = rng.standard_normal((5, 4, 3)) * 1.5
    # exact ties: diff == 0, diff == +-0.5, diff == +-1 (kinks of L1 / Huber)
    target.flat[0] = pred.flat[0]
    target.flat[1] = pred.flat[1] - 0.5
    target.flat[2] = pred.flat[2] + 0.5
    target.flat[3] = pred.flat[3] - 1.0
    target.flat[4] = pred.flat[4] + 1.0
    return pred, target


@pytest.mark.parametrize("name", ["mse", "mae", "huber0.5", "huber1.0"])
def test_regression_losses_match_torch(name):
    rng = np.random.default_rng(13)
    pred, target = _regression_data(rng)
    if name == "mse":
        ours = twin.mse_loss(pred, target)
        ref = _torch_loss(torch.nn.MSELoss(), pred, target)
    elif name == "mae":
        ours = twin.mae_loss(pred, target)
        ref = _torch_loss(torch.nn.L1Loss(), pred, target)
        assert ours[1].flat[0] == 0.0  # sign(0) = 0, like torch
    else:
        delta = float(name[5:])
        ours = twin.huber_loss(pred, target, delta=delta)
        ref = _torch_loss(torch.nn.HuberLoss(reduction="mean", delta=delta), pred, target)
    assert abs(float(ours[0]) - ref[0]) <= TOL, (float(ours[0]), ref[0])
    assert_close(ours[1], ref[1], what=f"{name} grad")


def test_huber_default_delta_is_one():
    rng = np.random.default_rng(14)
    pred, target = _regression_data(rng)
    ref = _torch_loss(torch.nn.HuberLoss(), pred, target)
    loss, d = twin.huber_loss(pred, target)
    assert abs(float(loss) - ref[0]) <= TOL
    assert_close(d, ref[1], what="huber default grad")


def test_cross_entropy_matches_torch():
    rng = np.random.default_rng(15)
    for N, C in [(6, 4), (1, 2), (9, 7)]:
        logits = rng.standard_normal((N, C)) * 3
        logits[0, 0] += 800.0  # large logit: must stay finite (log-sum-exp)
        labels = rng.integers(0, C, N)
        pt = torch.tensor(logits, requires_grad=True)
        loss = torch.nn.CrossEntropyLoss()(pt, torch.from_numpy(labels))
        loss.backward()
        ours, d = twin.cross_entropy_loss(logits, labels)
        assert np.isfinite(ours)
        assert abs(float(ours) - loss.item()) <= TOL * max(1.0, abs(loss.item()))
        assert_close(d, pt.grad.numpy(), what="ce grad")


# ---------------------------------------------------------------------------
# clipping and optimisers vs torch, over 3 steps
# ---------------------------------------------------------------------------

SHAPES = [(4, 3), (5,), (2, 2, 3)]


@pytest.mark.parametrize("max_norm", [0.1, 1.0, 100.0])
def test_clip_grad_norm_matches_torch(max_norm):
    rng = np.random.default_rng(16)
    clipped_any = False
    for _ in range(3):
        grads = [rng.standard_normal(s) for s in SHAPES]
        tparams = [torch.nn.Parameter(torch.zeros(s, dtype=torch.float64)) for s in SHAPES]
        for p, g in zip(tparams, grads):
            p.grad = torch.tensor(g)
        ref_norm = torch.nn.utils.clip_grad_norm_(tparams, max_norm).item()
        before = [g.copy() for g in grads]
        total = twin.clip_grad_norm(grads, max_norm)
        assert isinstance(total, float)
        assert abs(total - ref_norm) <= TOL
        for g, p in zip(grads, tparams):
            assert_close(g, p.grad.numpy(), what="clipped grad")
        clipped_any |= any(maxerr(a, b) > 0 for a, b in zip(before, grads))
    assert clipped_any == (max_norm < 10)


def test_clip_grad_value_matches_torch():
    rng = np.random.default_rng(17)
    for clip in [0.3, 1.0, 5.0]:
        grads = [rng.standard_normal(s) for s in SHAPES]
        tparams = [torch.nn.Parameter(torch.zeros(s, dtype=torch.float64)) for s in SHAPES]
        for p, g in zip(tparams, grads):
            p.grad = torch.tensor(g)
        torch.nn.utils.clip_grad_value_(tparams, clip)
        twin.clip_grad_value(grads, clip)
        for g, p in zip(grads, tparams):
            assert np.array_equal(g, p.grad.numpy())
            assert np.abs(g).max() <= clip


@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize("lr,betas", [(1e-2, (0.9, 0.999)), (0.3, (0.5, 0.9))])
def test_adam_matches_torch(weight_decay, lr, betas):
    rng = np.random.default_rng(18)
    params = [rng.standard_normal(s) for s in SHAPES]
    tparams = [torch.nn.Parameter(torch.tensor(p)) for p in params]
    opt = torch.optim.Adam(tparams, lr=lr, betas=betas, eps=1e-8, weight_decay=weight_decay)
    ms = [np.zeros_like(p) for p in params]
    vs = [np.zeros_like(p) for p in params]
    start = [p.copy() for p in params]
    for step in range(1, 4):
        grads = [rng.standard_normal(s) for s in SHAPES]
        opt.zero_grad()
        for p, g in zip(tparams, grads):
            p.grad = torch.tensor(g)
        opt.step()
        for p, g, m, v in zip(params, grads, ms, vs):
            g_before = g.copy()
            twin.adam_step(p, g, m, v, step, lr, beta1=betas[0], beta2=betas[1], eps=1e-8,
                            weight_decay=weight_decay)
            assert np.array_equal(g, g_before)  # grad not modified
        for p, tp in zip(params, tparams):
            assert_close(p, tp.detach().numpy(), what=f"adam step {step}")
        for m, v, tp in zip(ms, vs, tparams):
            st_ = opt.state[tp]
            assert_close(m, st_["exp_avg"].numpy(), what="exp_avg")
            assert_close(v, st_["exp_avg_sq"].numpy(), what="exp_avg_sq")
    assert all(maxerr(a, b) > 1e-3 for a, b in zip(params, start))


@pytest.mark.parametrize("momentum,weight_decay,nesterov", [
    (0.0, 0.0, False), (0.0, 0.1, False), (0.9, 0.0, False), (0.9, 0.1, False),
    (0.5, 0.0, True), (0.9, 0.1, True),
])
def test_sgd_matches_torch(momentum, weight_decay, nesterov):
    rng = np.random.default_rng(19)
    lr = 0.1
    params = [rng.standard_normal(s) for s in SHAPES]
    tparams = [torch.nn.Parameter(torch.tensor(p)) for p in params]
    opt = torch.optim.SGD(tparams, lr=lr, momentum=momentum, weight_decay=weight_decay,
                          nesterov=nesterov)
    bufs = [np.zeros_like(p) for p in params]
    start = [p.copy() for p in params]
    for step in range(1, 4):
        grads = [rng.standard_normal(s) for s in SHAPES]
        opt.zero_grad()
        for p, g in zip(tparams, grads):
            p.grad = torch.tensor(g)
        opt.step()
        for p, g, buf in zip(params, grads, bufs):
            g_before = g.copy()
            twin.sgd_step(p, g, buf if momentum else None, lr, momentum=momentum,
                           weight_decay=weight_decay, nesterov=nesterov, first=(step == 1))
            assert np.array_equal(g, g_before)
        for p, tp in zip(params, tparams):
            assert_close(p, tp.detach().numpy(), what=f"sgd step {step}")
        if momentum:
            for buf, tp in zip(bufs, tparams):
                assert_close(buf, opt.state[tp]["momentum_buffer"].numpy(), what="buf")
    assert all(maxerr(a, b) > 1e-3 for a, b in zip(params, start))


# ---------------------------------------------------------------------------
# dropout generator
# ---------------------------------------------------------------------------


def test_splitmix64_published_vector():
    # SplitMix64 (Steele, Lea, Flood 2014; Vigna's splitmix64.c) seeded with 0
    # yields E220A8397B1DCDAF, 6E789E6AA1B965F4, 06C45D188009454F, F88BB8A8724C81EC.
    # twin.splitmix64(z) is the output function on state z + gamma, so the
    # n-th output is splitmix64(n * gamma mod 2**64) (n = 0, 1, ...).
    gamma = 0x9E3779B97F4A7C15
    published = [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F, 0xF88BB8A8724C81EC]
    assert twin.splitmix64(0) == 0xE220A8397B1DCDAF
    assert [twin.splitmix64((n * gamma) % 2**64) for n in range(4)] == published


def _splitmix64_uint64(z):
    """Independent re-implementation with wrapping numpy uint64 arithmetic."""
    z = np.uint64(z)
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return int(z ^ (z >> np.uint64(31)))


def test_dropout_uniform_matches_independent_implementation():
    rng = np.random.default_rng(20)
    counters = [(0, 0, 0, 0, 0, 0), (2**64 - 1, 1, 2, 3, 4, 5), (2**70 + 5, 0, 0, 0, 0, 1)]
    counters += [tuple(int(v) for v in rng.integers(0, 2**62, 6)) for _ in range(20)]
    for seed, *rest in counters:
        z = _splitmix64_uint64(seed % 2**64)
        for v in rest:
            z = _splitmix64_uint64(z ^ v)
        expected = (z >> 11) / 2.0**53
        assert twin.dropout_uniform(seed, *rest) == expected


def test_dropout_uniform_distribution():
    u = np.array([twin.dropout_uniform(12345, 0, s, 1, t, k)
                  for s in range(10) for t in range(100) for k in range(100)])
    assert u.size == 10**5
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.005          # std of the mean ~ 0.0009
    assert abs(u.var() - 1 / 12) < 0.002
    hist, _ = np.histogram(u, bins=10, range=(0, 1))
    assert np.all(np.abs(hist - 10**4) < 500)   # each decile ~ 1e4 +- 95


def test_dropout_uniform_distinct_for_distinct_counters():
    base = (3, 4, 5, 6, 7)
    vals = {}
    for c in itertools.product(range(4), range(3), range(3), range(5), range(6)):
        vals[c] = twin.dropout_uniform(99, *c)
    assert len(set(vals.values())) == len(vals)
    # each single counter (and the seed) matters on its own
    ref = twin.dropout_uniform(1, *base)
    for pos in range(5):
        changed = list(base)
        changed[pos] += 1
        assert twin.dropout_uniform(1, *changed) != ref
    assert twin.dropout_uniform(2, *base) != ref
    # deterministic
    assert twin.dropout_uniform(1, *base) == ref


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5])
def test_dropout_mask(p):
    B, T, D = 8, 40, 64
    mask = twin.dropout_mask(2024, 5, 1, p, (B, T, D), np.float64)
    assert mask.shape == (B, T, D) and mask.dtype == np.float64
    scale = 1 / (1 - p)
    assert np.all((mask == 0) | np.isclose(mask, scale, rtol=0, atol=1e-15))
    keep = (mask != 0).mean()
    assert abs(keep - (1 - p)) < 0.02           # std ~ 0.003
    assert abs(mask.mean() - 1.0) < 0.03        # inverted dropout keeps the mean
    # index mapping: mask[b,t,u] uses (seed, step, sample=b, layer, t, unit=u)
    for b, t, u in [(0, 0, 0), (7, 39, 63), (3, 17, 5), (1, 2, 60)]:
        kept = twin.dropout_uniform(2024, 5, b, 1, t, u) >= p
        assert (mask[b, t, u] != 0) == kept
    # a different step / layer gives a different mask
    assert not np.array_equal(mask, twin.dropout_mask(2024, 6, 1, p, (B, T, D), np.float64))
    assert not np.array_equal(mask, twin.dropout_mask(2024, 5, 0, p, (B, T, D), np.float64))
    m32 = twin.dropout_mask(2024, 5, 1, p, (B, T, D), np.float32)
    assert m32.dtype == np.float32
    assert np.array_equal(m32 != 0, mask != 0)


def test_dropout_mask_edge_probabilities():
    ones = twin.dropout_mask(1, 0, 0, 0.0, (2, 3, 4), np.float64)
    assert np.array_equal(ones, np.ones((2, 3, 4)))
    zeros = twin.dropout_mask(1, 0, 0, 1.0, (2, 3, 4), np.float32)
    assert zeros.dtype == np.float32 and not zeros.any()
