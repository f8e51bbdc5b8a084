"""The twin's recurrent cells: per-layer and whole-stack forward/backward of RNN/GRU/LSTM.

Deliberately slow and obvious: explicit Python loops over time steps and
layers, numpy only for the per-step matrix products; PyTorch's conventions
(see :mod:`twin`).
"""

import numpy as np

GATES = {"rnn": 1, "gru": 3, "lstm": 4}


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------


def sigmoid(a):
    """Logistic function without overflow warnings; keeps the dtype of ``a``."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


def _suffix(layer, direction):
    return f"_l{layer}" + ("_reverse" if direction == 1 else "")


def _check_cell(cell, nonlinearity):
    if cell not in GATES:
        raise ValueError(f"unknown cell {cell!r}")
    if cell == "rnn" and nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"unknown nonlinearity {nonlinearity!r}")


# ---------------------------------------------------------------------------
# one layer, one direction
# ---------------------------------------------------------------------------


def layer_forward(cell, x, w_ih, w_hh, b_ih, b_hh, h0, c0=None, reverse=False,
                  nonlinearity="tanh"):
    """One recurrent layer in one direction.

    cell in {"rnn","gru","lstm"}; x (B,T,I); h0 (B,H); c0 (B,H) for lstm
    (None means zeros).  ``reverse=True`` walks t = T-1 .. 0; out[:, t] is
    always the state produced at time t.

    Returns out (B,T,H), h_n (B,H), c_n (B,H) or None, cache.
    """
    _check_cell(cell, nonlinearity)
    B, T, _ = x.shape
    H = w_hh.shape[1]
    dtype = x.dtype
    if h0 is None:
        h0 = np.zeros((B, H), dtype=dtype)
    if cell == "lstm" and c0 is None:
        c0 = np.zeros((B, H), dtype=dtype)

    out = np.zeros((B, T, H), dtype=dtype)
    order = list(range(T - 1, -1, -1)) if reverse else list(range(T))
    steps = []  # one record per processed time step, in processing order

    h = np.array(h0, dtype=dtype)
    c = np.array(c0, dtype=dtype) if cell == "lstm" else None
    for t in order:
        x_t = x[:, t, :]
        gi = x_t @ w_ih.T + b_ih          # (B, G*H)
        gh = h @ w_hh.T + b_hh            # (B, G*H)
        rec = {"t": t, "x": x_t, "h_prev": h}
        if cell == "rnn":
            a = gi + gh
            if nonlinearity == "tanh":
                h_new = np.tanh(a)
            else:
                h_new = np.maximum(a, 0).astype(dtype, copy=False)
            rec.update(h_new=h_new)
        elif cell == "gru":
            r = sigmoid(gi[:, 0:H] + gh[:, 0:H])
            z = sigmoid(gi[:, H:2 * H] + gh[:, H:2 * H])
            ghn = gh[:, 2 * H:3 * H]
            n = np.tanh(gi[:, 2 * H:3 * H] + r * ghn)
            h_new = (1 - z) * n + z * h
            rec.update(r=r, z=z, n=n, ghn=ghn)
        else:  # lstm
            g = gi + gh
            i = sigmoid(g[:, 0:H])
            f = sigmoid(g[:, H:2 * H])
            gg = np.tanh(g[:, 2 * H:3 * H])
            o = sigmoid(g[:, 3 * H:4 * H])
            c_new = f * c + i * gg
            tc = np.tanh(c_new)
            h_new = o * tc
            rec.update(c_prev=c, i=i, f=f, g=gg, o=o, tc=tc)
            c = c_new
        out[:, t, :] = h_new
        steps.append(rec)
        h = h_new

    cache = {
        "cell": cell, "nonlinearity": nonlinearity, "reverse": reverse,
        "x": x, "w_ih": w_ih, "w_hh": w_hh, "steps": steps, "H": H,
    }
    return out, h, (c if cell == "lstm" else None), cache


def layer_backward(cache, dout, dh_n=None, dc_n=None):
    """Backpropagation through time for one ``layer_forward`` call.

    dout (B,T,H): gradient of the loss wrt ``out``; dh_n/dc_n: gradients wrt
    the final states (None means zero).

    Returns dict with keys dx, dh0, dc0 (None for non-lstm), dw_ih, dw_hh,
    db_ih, db_hh.
    """
    cell = cache["cell"]
    x, w_ih, w_hh, H = cache["x"], cache["w_ih"], cache["w_hh"], cache["H"]
    dtype = x.dtype
    B = x.shape[0]

    dx = np.zeros_like(x)
    dw_ih = np.zeros_like(w_ih)
    dw_hh = np.zeros_like(w_hh)
    db_ih = np.zeros(w_ih.shape[0], dtype=dtype)
    db_hh = np.zeros(w_hh.shape[0], dtype=dtype)

    dh = np.zeros((B, H), dtype=dtype) if dh_n is None else np.array(dh_n, dtype=dtype)
    dc = None
    if cell == "lstm":
        dc = np.zeros((B, H), dtype=dtype) if dc_n is None else np.array(dc_n, dtype=dtype)

    for rec in reversed(cache["steps"]):
        t = rec["t"]
        dh = dh + dout[:, t, :]           # total gradient reaching h_t
        h_prev = rec["h_prev"]
        if cell == "rnn":
            h_new = rec["h_new"]
            if cache["nonlinearity"] == "tanh":
                da = dh * (1 - h_new * h_new)
            else:
                da = dh * (h_new > 0)
            dgi = da
            dgh = da
            dh_prev = np.zeros_like(dh)
        elif cell == "gru":
            r, z, n, ghn = rec["r"], rec["z"], rec["n"], rec["ghn"]
            dn = dh * (1 - z)
            dz = dh * (h_prev - n)
            dh_prev = dh * z                       # direct path h' = ... + z*h
            dn_pre = dn * (1 - n * n)
            dr = dn_pre * ghn
            dr_pre = dr * r * (1 - r)
            dz_pre = dz * z * (1 - z)
            dgi = np.concatenate([dr_pre, dz_pre, dn_pre], axis=1)
            dgh = np.concatenate([dr_pre, dz_pre, dn_pre * r], axis=1)
        else:  # lstm
            i, f, g, o, tc, c_prev = rec["i"], rec["f"], rec["g"], rec["o"], rec["tc"], rec["c_prev"]
            do = dh * tc
            dc_tot = dc + dh * o * (1 - tc * tc)
            di = dc_tot * g
            df = dc_tot * c_prev
            dg = dc_tot * i
            dc = dc_tot * f                         # gradient to c_{t-1}
            dgi = np.concatenate([
                di * i * (1 - i),
                df * f * (1 - f),
                dg * (1 - g * g),
                do * o * (1 - o),
            ], axis=1)
            dgh = dgi
            dh_prev = np.zeros_like(dh)

        dx[:, t, :] = dgi @ w_ih
        dw_ih += dgi.T @ rec["x"]
        db_ih += dgi.sum(axis=0)
        dw_hh += dgh.T @ h_prev
        db_hh += dgh.sum(axis=0)
        dh = dh_prev + dgh @ w_hh

    return {
        "dx": dx, "dh0": dh, "dc0": dc if cell == "lstm" else None,
        "dw_ih": dw_ih, "dw_hh": dw_hh, "db_ih": db_ih, "db_hh": db_hh,
    }


# ---------------------------------------------------------------------------
# stacked (and optionally bidirectional) network
# ---------------------------------------------------------------------------


def network_forward(params, x, cell, num_layers, bidirectional, h0=None, c0=None,
                    nonlinearity="tanh", dropout_masks=None):
    """Stacked (bi)directional recurrent network, like torch.nn.RNN/GRU/LSTM.

    dropout_masks: None or list of num_layers-1 arrays (B,T,num_dirs*H),
    already scaled (0 or 1/(1-p)), multiplied onto the output of layer k
    before it feeds layer k+1.  h0/c0: (num_layers*num_dirs,B,H) or None
    (zeros).  Returns out (B,T,num_dirs*H), h_n, c_n (None for non-lstm), cache.
    """
    _check_cell(cell, nonlinearity)
    nd = 2 if bidirectional else 1
    B, T, _ = x.shape
    H = params["weight_hh_l0"].shape[1]
    dtype = x.dtype
    if dropout_masks is not None and len(dropout_masks) != num_layers - 1:
        raise ValueError("dropout_masks needs num_layers-1 entries")
    if h0 is None:
        h0 = np.zeros((num_layers * nd, B, H), dtype=dtype)
    if cell == "lstm" and c0 is None:
        c0 = np.zeros((num_layers * nd, B, H), dtype=dtype)

    h_n = np.zeros((num_layers * nd, B, H), dtype=dtype)
    c_n = np.zeros((num_layers * nd, B, H), dtype=dtype) if cell == "lstm" else None
    layer_caches = []
    layer_in = x
    out = None
    for k in range(num_layers):
        if k > 0 and dropout_masks is not None:
            layer_in = layer_in * dropout_masks[k - 1]
        out = np.zeros((B, T, nd * H), dtype=dtype)
        dir_caches = []
        for d in range(nd):
            s = _suffix(k, d)
            idx = k * nd + d
            o_d, hn_d, cn_d, cache_d = layer_forward(
                cell, layer_in,
                params["weight_ih" + s], params["weight_hh" + s],
                params["bias_ih" + s], params["bias_hh" + s],
                h0[idx], c0[idx] if cell == "lstm" else None,
                reverse=(d == 1), nonlinearity=nonlinearity,
            )
            out[:, :, d * H:(d + 1) * H] = o_d
            h_n[idx] = hn_d
            if cell == "lstm":
                c_n[idx] = cn_d
            dir_caches.append(cache_d)
        layer_caches.append(dir_caches)
        layer_in = out

    cache = {
        "cell": cell, "num_layers": num_layers, "nd": nd, "H": H,
        "layers": layer_caches, "dropout_masks": dropout_masks,
        "x_shape": x.shape, "dtype": dtype,
    }
    return out, h_n, c_n, cache


def network_backward(cache, dout, dh_n=None, dc_n=None):
    """Backward pass of ``network_forward``.

    Returns dict: every parameter name -> gradient, plus "input" (B,T,I),
    "h0" (always an array: gradient wrt the initial hidden state, zeros or
    given) and "c0" (None for non-lstm).
    """
    cell, L, nd, H = cache["cell"], cache["num_layers"], cache["nd"], cache["H"]
    dtype = cache["dtype"]
    B = cache["x_shape"][0]
    grads = {}
    dh0 = np.zeros((L * nd, B, H), dtype=dtype)
    dc0 = np.zeros((L * nd, B, H), dtype=dtype) if cell == "lstm" else None

    d_layer_out = np.asarray(dout)
    for k in range(L - 1, -1, -1):
        d_layer_in = None
        for d in range(nd):
            s = _suffix(k, d)
            idx = k * nd + d
            g = layer_backward(
                cache["layers"][k][d],
                d_layer_out[:, :, d * H:(d + 1) * H],
                None if dh_n is None else dh_n[idx],
                None if (dc_n is None or cell != "lstm") else dc_n[idx],
            )
            grads["weight_ih" + s] = g["dw_ih"]
            grads["weight_hh" + s] = g["dw_hh"]
            grads["bias_ih" + s] = g["db_ih"]
            grads["bias_hh" + s] = g["db_hh"]
            dh0[idx] = g["dh0"]
            if cell == "lstm":
                dc0[idx] = g["dc0"]
            # both directions read the same layer input: gradients add up
            d_layer_in = g["dx"] if d_layer_in is None else d_layer_in + g["dx"]
        if k > 0 and cache["dropout_masks"] is not None:
            d_layer_in = d_layer_in * cache["dropout_masks"][k - 1]
        d_layer_out = d_layer_in

    grads["input"] = d_layer_out
    grads["h0"] = dh0
    grads["c0"] = dc0
    return grads
