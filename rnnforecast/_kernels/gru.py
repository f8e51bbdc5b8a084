"""GRU layer kernels: one direction of one layer, forward and BPTT.

PyTorch's equations and gate order (r, z, n)::

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    h' = (1 - z) * n + z * h

Chunking, gradient buffers and the 1-D step functions as in :mod:`.lstm`.
"""

import numpy as np
from numba import njit

from .activations import sigmoid, tanh
from .common import (add_input_gradient, add_into, previous_states, rows_from, rows_into,
                     weight_gradients)
from .config import NJIT, NJIT_INLINE


@njit(**NJIT_INLINE)
def _cell_forward(g, hh, b_ih, b_hh, h, hidden_n_t, out_t):
    """One step for one sample: g (3H) input projection in, r, z, n out; h (H)
    updated in place; hidden_n_t (H) gets W_hn h + b_hn; out_t (H) written.

    Short loops over one gate slice each, so that LLVM vectorises them.
    """
    H = h.shape[0]
    one = g.dtype.type(1.0)
    for k in range(3 * H):
        hh[k] += b_hh[k]
        g[k] += b_ih[k]
    gr = g[0:H]
    gz = g[H:2 * H]
    gn = g[2 * H:3 * H]
    hr = hh[0:H]
    hz = hh[H:2 * H]
    hn = hh[2 * H:3 * H]
    for j in range(H):
        gr[j] = sigmoid(gr[j] + hr[j])
    for j in range(H):
        gz[j] = sigmoid(gz[j] + hz[j])
    for j in range(H):
        gn[j] = tanh(gn[j] + gr[j] * hn[j])
    for j in range(H):
        h[j] = (one - gz[j]) * gn[j] + gz[j] * h[j]
    for j in range(H):
        hidden_n_t[j] = hn[j]
    for j in range(H):
        out_t[j] = h[j]


@njit(**NJIT_INLINE)
def _cell_backward(dh, dout_t, g, hidden_n_t, hp_t, dgi_t, dght, direct):
    """One backward step for one sample: writes dgi_t, dght (3H) and the direct
    path dh * z into ``direct`` (H); ``dh`` (H) is overwritten with the total
    gradient w.r.t. this step's h."""
    H = dh.shape[0]
    one = g.dtype.type(1.0)
    gr = g[0:H]
    gz = g[H:2 * H]
    gn = g[2 * H:3 * H]
    dr = dght[0:H]
    dz = dght[H:2 * H]
    dn = dgi_t[2 * H:3 * H]
    for j in range(H):
        dh[j] += dout_t[j]
    for j in range(H):
        dn[j] = dh[j] * (one - gz[j]) * (one - gn[j] * gn[j])
    for j in range(H):
        dr[j] = dn[j] * hidden_n_t[j] * gr[j] * (one - gr[j])
    for j in range(H):
        dz[j] = dh[j] * (hp_t[j] - gn[j]) * gz[j] * (one - gz[j])
    for j in range(H):
        direct[j] = dh[j] * gz[j]
    dhn = dght[2 * H:3 * H]
    for j in range(H):
        dhn[j] = dn[j] * gr[j]
    for k in range(2 * H):
        dgi_t[k] = dght[k]


@njit(**NJIT)
def gru_forward(x, w_ih, w_hh, b_ih, b_hh, h0, reverse, chunk, c_lo, c_hi, out, col, gates,
                hidden_n, h_n):
    """Run one GRU direction over a batch.

    Parameters
    ----------
    x : (B, T, I); w_ih : (3H, I); w_hh : (3H, H); b_ih, b_hh : (3H,); h0 : (B, H).
    reverse : bool; chunk : int; c_lo, c_hi : int, the chunks this call runs.
    out : (B, T, D), this direction writes columns col:col+H.
    gates : (B, T, 3H) written: r, z, n.
    hidden_n : (B, T, H) written: W_hn h + b_hn (needed by the backward pass).
    h_n : (B, H) written: final state.
    """
    B, T, I = x.shape
    G = w_ih.shape[0]
    H = G // 3
    for c in range(c_lo, c_hi):
        b0 = c * chunk
        b1 = min(B, b0 + chunk)
        nb = b1 - b0
        gc = gates[b0:b1]
        np.dot(x[b0:b1].reshape((nb * T, I)), w_ih.T, gc.reshape((nb * T, G)))
        h = rows_from(h0, b0, nb)
        hh = np.empty((nb, G), x.dtype)
        for s in range(T):
            t = T - 1 - s if reverse else s
            np.dot(h, w_hh.T, hh)
            for b in range(nb):
                _cell_forward(gc[b, t], hh[b], b_ih, b_hh, h[b], hidden_n[b0 + b, t],
                              out[b0 + b, t, col:col + H])
        rows_into(h, h_n, b0)


@njit(**NJIT)
def gru_backward(x, w_ih, w_hh, h0, reverse, chunk, c_lo, c_hi, out, col, gates, hidden_n,
                 dout, dh_n, need_dx, dx, dh0, gbuf, offs):
    """Backpropagate one GRU direction through time.

    Arguments as in :func:`gru_forward`, plus: dout (B, T, D) gradient w.r.t.
    ``out``; dh_n (B, H); need_dx bool; dx (B, T, I) added to; dh0 (B, H)
    written; gbuf (n_chunks, P) with offsets ``offs`` (written).
    """
    B, T, I = x.shape
    G = w_ih.shape[0]
    H = G // 3
    for c in range(c_lo, c_hi):
        b0 = c * chunk
        b1 = min(B, b0 + chunk)
        nb = b1 - b0
        dgi = np.empty((nb, T, G), x.dtype)
        dgh = np.empty((nb, T, G), x.dtype)
        hp = np.empty((nb, T, H), x.dtype)
        previous_states(out, col, h0, b0, nb, reverse, hp)
        dh = rows_from(dh_n, b0, nb)
        direct = np.empty((nb, H), x.dtype)
        dght = np.empty((nb, G), x.dtype)
        for s in range(T):
            t = s if reverse else T - 1 - s
            for b in range(nb):
                _cell_backward(dh[b], dout[b0 + b, t, col:col + H], gates[b0 + b, t],
                               hidden_n[b0 + b, t], hp[b, t], dgi[b, t], dght[b], direct[b])
                dgh_t = dgh[b, t]
                for k in range(G):
                    dgh_t[k] = dght[b, k]
            np.dot(dght, w_hh, dh)
            add_into(dh, direct)
        rows_into(dh, dh0, b0)
        dgi2 = dgi.reshape((nb * T, G))
        weight_gradients(dgi2, dgh.reshape((nb * T, G)), x[b0:b1].reshape((nb * T, I)),
                         hp.reshape((nb * T, H)), gbuf[c], offs)
        if need_dx:
            add_input_gradient(dgi2, w_ih, dx, b0, b1)
