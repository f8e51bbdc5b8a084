"""LSTM layer kernels: one direction of one layer, forward and BPTT.

PyTorch's equations and gate order (i, f, g, o)::

    i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of (W_ih x + b_ih + W_hh h + b_hh)
    c' = f * c + i * g
    h' = o * tanh(c')

The batch is split into chunks of ``chunk`` samples (a number fixed by the
caller, independent of the thread count).  The kernels are serial and release
the GIL (``nogil``): one call runs the chunks ``c_lo <= c < c_hi``, each over
its whole sequence with one GEMM per time step, and the caller's thread pool
(:func:`rnnforecast.nn.threads.run_chunks`) spreads the chunks over threads.
A chunk writes only its own rows of the outputs; its parameter gradients go
to its own row of ``gbuf`` and are reduced later in chunk order, so results
are bit-identical at any thread count and any assignment of chunks to threads.  The per-(sample, step) gate maths lives
in small functions on 1-D contiguous slices so that LLVM vectorises it.
"""

import numpy as np
from numba import njit

from .activations import sigmoid, tanh
from .common import (add_input_gradient, previous_states, rows_from, rows_into, vector_sum,
                     weight_gradients)
from .config import NJIT, NJIT_INLINE


@njit(**NJIT_INLINE)
def _cell_forward(g, hh, bias, c, cells_t, h, out_t):
    """One step for one sample: g (4H) pre-activations in, activations out;
    c, h (H) states updated in place; cells_t, out_t (H) written.

    Short loops over one gate slice each (few arrays per loop) let LLVM
    vectorise them; one fused loop over everything stays scalar.
    """
    H = c.shape[0]
    for k in range(4 * H):
        g[k] = g[k] + hh[k] + bias[k]
    gi = g[0:H]
    gf = g[H:2 * H]
    gg = g[2 * H:3 * H]
    go = g[3 * H:4 * H]
    for j in range(H):
        gi[j] = sigmoid(gi[j])
    for j in range(H):
        gf[j] = sigmoid(gf[j])
    for j in range(H):
        gg[j] = tanh(gg[j])
    for j in range(H):
        go[j] = sigmoid(go[j])
    for j in range(H):
        c[j] = gf[j] * c[j] + gi[j] * gg[j]
    for j in range(H):
        h[j] = go[j] * tanh(c[j])
    for j in range(H):
        cells_t[j] = c[j]
    for j in range(H):
        out_t[j] = h[j]


@njit(**NJIT_INLINE)
def _cell_backward(dh, dout_t, g, c_t, c_prev, dc, dgt, dg_t):
    """One backward step for one sample.

    dh (H) gradient from the step after (overwritten: it becomes the total
    gradient w.r.t. this step's h); dout_t (H) from the output; g (4H)
    activations; c_t, c_prev (H) cell states; dc (H) updated in place; dgt and
    dg_t (4H) written with the pre-activation gradients.
    """
    H = dh.shape[0]
    one = g.dtype.type(1.0)
    gi = g[0:H]
    gf = g[H:2 * H]
    gg = g[2 * H:3 * H]
    go = g[3 * H:4 * H]
    di = dgt[0:H]
    df = dgt[H:2 * H]
    dn = dgt[2 * H:3 * H]
    do = dgt[3 * H:4 * H]
    for j in range(H):
        dh[j] += dout_t[j]
    for j in range(H):
        tc = tanh(c_t[j])
        do[j] = dh[j] * tc * go[j] * (one - go[j])
        dc[j] += dh[j] * go[j] * (one - tc * tc)
    for j in range(H):
        di[j] = dc[j] * gg[j] * gi[j] * (one - gi[j])
    for j in range(H):
        df[j] = dc[j] * c_prev[j] * gf[j] * (one - gf[j])
    for j in range(H):
        dn[j] = dc[j] * gi[j] * (one - gg[j] * gg[j])
    for j in range(H):
        dc[j] *= gf[j]
    for k in range(4 * H):
        dg_t[k] = dgt[k]


@njit(**NJIT)
def lstm_forward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse, chunk, c_lo, c_hi, out, col,
                 gates, cells, h_n, c_n):
    """Run one LSTM direction over a batch.

    Parameters
    ----------
    x : (B, T, I) layer input.
    w_ih : (4H, I); w_hh : (4H, H); b_ih, b_hh : (4H,).
    h0, c0 : (B, H) initial states.
    reverse : bool, process t = T-1 ... 0.
    chunk : int, samples per chunk.
    c_lo, c_hi : int, this call runs the chunks ``c_lo <= c < c_hi``.
    out : (B, T, D) output; this direction writes ``out[:, :, col:col+H]``.
    gates : (B, T, 4H) written: the gate activations (i, f, g, o).
    cells : (B, T, H) written: the cell states.
    h_n, c_n : (B, H) written: the final states.
    """
    B, T, I = x.shape
    G = w_ih.shape[0]
    H = G // 4
    bias = vector_sum(b_ih, b_hh)
    for c in range(c_lo, c_hi):
        b0 = c * chunk
        b1 = min(B, b0 + chunk)
        nb = b1 - b0
        gc = gates[b0:b1]
        np.dot(x[b0:b1].reshape((nb * T, I)), w_ih.T, gc.reshape((nb * T, G)))
        h = rows_from(h0, b0, nb)
        cs = rows_from(c0, b0, nb)
        hh = np.empty((nb, G), x.dtype)
        for s in range(T):
            t = T - 1 - s if reverse else s
            np.dot(h, w_hh.T, hh)
            for b in range(nb):
                _cell_forward(gc[b, t], hh[b], bias, cs[b], cells[b0 + b, t], h[b],
                              out[b0 + b, t, col:col + H])
        rows_into(h, h_n, b0)
        rows_into(cs, c_n, b0)


@njit(**NJIT)
def lstm_backward(x, w_ih, w_hh, h0, c0, reverse, chunk, c_lo, c_hi, out, col, gates, cells,
                  dout, dh_n, dc_n, need_dx, dx, dh0, dc0, gbuf, offs):
    """Backpropagate one LSTM direction through time.

    Parameters
    ----------
    x, w_ih, w_hh, h0, c0, reverse, chunk, c_lo, c_hi, out, col, gates, cells
        As given to / produced by :func:`lstm_forward`.
    dout : (B, T, D) gradient of the loss w.r.t. ``out`` (columns col:col+H used).
    dh_n, dc_n : (B, H) gradients w.r.t. the final states.
    need_dx : bool, whether to add the input gradient into ``dx``.
    dx : (B, T, I) input gradient, *added to* (both directions share it).
    dh0, dc0 : (B, H) written: gradients w.r.t. the initial states.
    gbuf : (n_chunks, P) per-chunk parameter gradients; ``offs`` (int64, 4) gives
        the offsets of weight_ih, weight_hh, bias_ih, bias_hh (written, not added).
    """
    B, T, I = x.shape
    G = w_ih.shape[0]
    H = G // 4
    for c in range(c_lo, c_hi):
        b0 = c * chunk
        b1 = min(B, b0 + chunk)
        nb = b1 - b0
        dg = np.empty((nb, T, G), x.dtype)
        hp = np.empty((nb, T, H), x.dtype)
        previous_states(out, col, h0, b0, nb, reverse, hp)
        dh = rows_from(dh_n, b0, nb)
        dc = rows_from(dc_n, b0, nb)
        dgt = np.empty((nb, G), x.dtype)
        for s in range(T):
            t = s if reverse else T - 1 - s
            tp = t + 1 if reverse else t - 1
            for b in range(nb):
                c_prev = c0[b0 + b] if (tp < 0 or tp >= T) else cells[b0 + b, tp]
                _cell_backward(dh[b], dout[b0 + b, t, col:col + H], gates[b0 + b, t],
                               cells[b0 + b, t], c_prev, dc[b], dgt[b], dg[b, t])
            np.dot(dgt, w_hh, dh)
        rows_into(dh, dh0, b0)
        rows_into(dc, dc0, b0)
        dg2 = dg.reshape((nb * T, G))
        weight_gradients(dg2, dg2, x[b0:b1].reshape((nb * T, I)), hp.reshape((nb * T, H)),
                         gbuf[c], offs)
        if need_dx:
            add_input_gradient(dg2, w_ih, dx, b0, b1)
