"""The kernel calls behind :meth:`RecurrentNetwork.forward` and :meth:`~RecurrentNetwork.backward`.

Functions taking the network first: they read its architecture and run the
Numba kernels of :mod:`rnnforecast._kernels` per layer and direction on the
kernel threads (:func:`~rnnforecast.nn.threads.run_chunks`).  Inputs are
validated by the network before they get here.
"""

from __future__ import annotations

import numpy as np

from .._kernels import dropout as kdrop
from .._kernels import heads as khead
from .._kernels.gru import gru_backward, gru_forward
from .._kernels.lstm import lstm_backward, lstm_forward
from .._kernels.optim import reduce_chunks
from .._kernels.rnn import rnn_backward, rnn_forward
from .layout import GATES, recurrent_names as _names
from .masked import masked_backward
from ._workspace import buffer
from .threads import run_chunks


def check_array(name, a, shape, dtype, finite=True):
    """Check that ``a`` is an ndarray of ``dtype`` with ``shape`` (None = any), finite."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray; got {type(a).__name__} instead.")
    if a.dtype != dtype:
        raise TypeError(f"{name} must have dtype {dtype}; got {a.dtype} instead.")
    if a.ndim != len(shape) or any(s is not None and s != g for s, g in zip(shape, a.shape)):
        want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {want}; got {a.shape} instead.")
    if finite and a.dtype.kind == "f" and not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return np.ascontiguousarray(a)


def forward_kernels(net, params, X, h0, c0, training, seed, step, chunk, ws=None):
    """Forward pass of an unpadded batch on the kernels: (output, h_n, c_n, saved).

    ``ws``: a :class:`~rnnforecast.nn._workspace.Workspace` whose arrays hold the layer outputs
    and saved activations (overwriting those of the previous call), or None for new arrays.
    """
    B, T = X.shape[0], X.shape[1]
    dt = net.dtype
    H = net.hidden_size
    D = net.num_directions
    V = net.layout.views(params)
    saved = {"X": X, "chunk": chunk, "training": training, "seed": seed, "step": step,
             "h0": h0, "c0": c0, "layers": [], "ws": ws}
    nc = -(-B // chunk)
    if net.vocab_size:
        inp = np.empty((B, T, net.embedding_dim), dtype=dt)
        run_chunks(lambda lo, hi: khead.embedding_forward(X, V["embedding.weight"], chunk, lo,
                                                          hi, inp), nc)
    else:
        inp = X
    h_n = buffer(ws, ("h_n",), (net.num_layers * D, B, H), dt)
    c_n = buffer(ws, ("c_n",), h_n.shape, dt) if net.cell == "lstm" else None
    for k in range(net.num_layers):
        out = buffer(ws, ("out", k), (B, T, D * H), dt)
        dirs = []
        for d in range(D):
            w_ih, w_hh, b_ih, b_hh = (V[n] for n in _names(k, d))
            idx = k * D + d
            gates, aux = _forward_direction(net, inp, w_ih, w_hh, b_ih, b_hh, h0, c0, idx, d,
                                            chunk, out, h_n, c_n, ws)
            dirs.append((gates, aux))
        saved["layers"].append((inp, out, dirs))
        if training and net.dropout > 0.0 and k < net.num_layers - 1:
            inp = dropout(out, seed, step, k, net.dropout, chunk)
        else:
            inp = out
    last = inp
    if not net.output_size:
        return last, h_n, c_n, saved
    feat = net.head_features(last, h_n)
    if training and net.head_dropout > 0.0:
        saved["head_raw"] = feat
        feat = dropout(feat, seed, step, net.num_layers, net.head_dropout, chunk)
    saved["feat"] = feat
    feat2 = feat.reshape(-1, feat.shape[2])
    y = buffer(ws, ("y",), (feat2.shape[0], net.output_size), dt)
    khead.linear_forward(feat2, V["fc.weight"], V["fc.bias"], y)
    if net.head == "sequence":
        y = y.reshape(B, T, net.output_size)
    return y, h_n, c_n, saved

def _forward_direction(net, inp, w_ih, w_hh, b_ih, b_hh, h0, c0, idx, d, chunk, out, h_n,
                       c_n, ws=None):
    """Run one direction of one layer on the kernel threads; returns (gates, aux)."""
    B, T = inp.shape[0], inp.shape[1]
    H = net.hidden_size
    dt = net.dtype
    aux = None if net.cell == "rnn" else buffer(ws, ("aux", idx), (B, T, H), dt)
    gates = buffer(ws, ("gates", idx), (B, T, GATES[net.cell] * H), dt)
    if net.cell == "lstm":
        def kernel(lo, hi):
            lstm_forward(inp, w_ih, w_hh, b_ih, b_hh, h0[idx], c0[idx], d == 1, chunk, lo, hi,
                         out, d * H, gates, aux, h_n[idx], c_n[idx])
    elif net.cell == "gru":
        def kernel(lo, hi):
            gru_forward(inp, w_ih, w_hh, b_ih, b_hh, h0[idx], d == 1, chunk, lo, hi, out, d * H,
                        gates, aux, h_n[idx])
    else:
        relu = net.nonlinearity == "relu"

        def kernel(lo, hi):
            rnn_forward(inp, w_ih, w_hh, b_ih, b_hh, h0[idx], relu, d == 1, chunk, lo, hi, out,
                        d * H, gates, h_n[idx])
    run_chunks(kernel, -(-B // chunk))
    return gates, aux


def backward_kernels(net, params, fr, doutput, dh_n, dc_n, need_input_grad):
    """Backward pass on the kernels (see :meth:`RecurrentNetwork.backward`)."""
    s = fr._saved
    if "groups" in s:  # left-padded batch: one backward pass per valid length
        doutput = check_array("doutput", doutput, fr.output.shape, net.dtype, finite=False)
        return masked_backward(net, params, s["X"], s["groups"], doutput, dh_n, dc_n,
                               need_input_grad)
    X, chunk = s["X"], s["chunk"]
    B, T = X.shape[0], X.shape[1]
    dt = net.dtype
    H = net.hidden_size
    D = net.num_directions
    V = net.layout.views(params)
    nc = -(-B // chunk)
    ws = s.get("ws")
    gbuf = buffer(ws, ("gbuf",), (nc, net.layout.size), dt)
    doutput = check_array("doutput", doutput, fr.output.shape, dt)
    L = net.num_layers * D
    dh_n = (buffer(ws, ("dh_n",), (L, B, H), dt, zero=True) if dh_n is None
            else check_array("dh_n", dh_n, (L, B, H), dt).copy())
    if net.cell == "lstm":
        dc_n = (buffer(ws, ("dc_n",), (L, B, H), dt, zero=True) if dc_n is None
                else check_array("dc_n", dc_n, (L, B, H), dt))
    # gradient w.r.t. the last layer's output sequence
    if net.output_size:
        feat = s["feat"]
        R = feat.shape[1]
        dfeat = buffer(ws, ("dfeat",), feat.shape, dt)
        fw, fb = net.layout.by_name["fc.weight"], net.layout.by_name["fc.bias"]
        khead.linear_backward(feat.reshape(B * R, -1), V["fc.weight"],
                              np.ascontiguousarray(doutput.reshape(B * R, -1)), R, chunk, B,
                              gbuf, fw.offset, fb.offset, dfeat.reshape(B * R, -1))
        if "head_raw" in s:
            dfeat = dropout(dfeat, s["seed"], s["step"], net.num_layers, net.head_dropout,
                             chunk)
        if net.head == "sequence":
            dlast = dfeat
        elif net.head == "last":
            dlast = buffer(ws, ("dlast",), (B, T, D * H), dt, zero=True)
            dlast[:, T - 1, :] = dfeat[:, 0, :]
        else:
            dlast = buffer(ws, ("dlast",), (B, T, D * H), dt, zero=True)
            top = (net.num_layers - 1) * D
            for d in range(D):
                dh_n[top + d] += dfeat[:, 0, d * H:(d + 1) * H]
    else:
        dlast = doutput
    dh0 = np.empty((L, B, H), dt)
    dc0 = np.empty((L, B, H), dt) if net.cell == "lstm" else None
    dout = dlast
    dinp = None
    for k in range(net.num_layers - 1, -1, -1):
        inp, out, dirs = s["layers"][k]
        need_dx = k > 0 or need_input_grad or bool(net.vocab_size)
        dinp = (buffer(ws, ("dinp", k), inp.shape, dt, zero=True) if need_dx
                else inp)  # unused buffer when not needed
        for d in range(D):
            _backward_direction(net, V, s, k, d, inp, out, dirs[d], dout, dh_n, dc_n,
                                need_dx, dinp, dh0, dc0, gbuf)
        if k > 0:
            if s["training"] and net.dropout > 0.0:
                dout = dropout(dinp, s["seed"], s["step"], k - 1, net.dropout, chunk)
            else:
                dout = dinp
    if net.vocab_size:
        emb = net.layout.by_name["embedding.weight"]
        run_chunks(lambda lo, hi: khead.embedding_backward(X, dinp, net.vocab_size, chunk, lo,
                                                           hi, gbuf, emb.offset), nc)
    grad = np.empty(net.layout.size, dt)
    reduce_chunks(gbuf, grad)
    extras = {"input": dinp if (need_input_grad and not net.vocab_size) else None,
              "h0": dh0, "c0": dc0}
    return grad, extras


def _backward_direction(net, V, s, k, d, inp, out, saved_dir, dout, dh_n, dc_n, need_dx,
                        dinp, dh0, dc0, gbuf):
    """Backpropagate one direction of layer ``k`` on the kernel threads."""
    chunk = s["chunk"]
    H = net.hidden_size
    w_ih, w_hh = V[_names(k, d)[0]], V[_names(k, d)[1]]
    offs = net.layout.offsets(k, d)
    idx = k * net.num_directions + d
    gates, aux = saved_dir
    h0 = s["h0"][idx]
    if net.cell == "lstm":
        c0 = s["c0"][idx]

        def kernel(lo, hi):
            lstm_backward(inp, w_ih, w_hh, h0, c0, d == 1, chunk, lo, hi, out, d * H, gates,
                          aux, dout, dh_n[idx], dc_n[idx], need_dx, dinp, dh0[idx], dc0[idx],
                          gbuf, offs)
    elif net.cell == "gru":
        def kernel(lo, hi):
            gru_backward(inp, w_ih, w_hh, h0, d == 1, chunk, lo, hi, out, d * H, gates, aux,
                         dout, dh_n[idx], need_dx, dinp, dh0[idx], gbuf, offs)
    else:
        relu = net.nonlinearity == "relu"

        def kernel(lo, hi):
            rnn_backward(inp, w_ih, w_hh, h0, relu, d == 1, chunk, lo, hi, out, d * H, dout,
                         dh_n[idx], need_dx, dinp, dh0[idx], gbuf, offs)
    run_chunks(kernel, gbuf.shape[0])


def dropout(x, seed, step, layer, p, chunk):
    """A new array: ``x`` with the dropout mask of (seed, step, layer) applied, on the kernel
    threads (x is (B, T, D); the mask does not depend on ``chunk``)."""
    out = np.empty_like(x)
    run_chunks(lambda lo, hi: kdrop.dropout_apply(x, seed, step, layer, p, chunk, lo, hi, out),
               -(-x.shape[0] // chunk))
    return out
