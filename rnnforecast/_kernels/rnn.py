"""Vanilla (Elman) RNN layer kernels, tanh or relu, forward and BPTT.

PyTorch's equation: ``h' = act(W_ih x + b_ih + W_hh h + b_hh)``.
Chunking, gradient buffers and the 1-D step functions as in :mod:`.lstm`.
"""

import numpy as np
from numba import njit

from .activations import tanh
from .common import (add_input_gradient, previous_states, rows_from, rows_into, vector_sum,
                     weight_gradients)
from .config import NJIT, NJIT_INLINE


@njit(**NJIT_INLINE)
def _cell_forward(p, hh, bias, relu, h, out_t):
    """One step for one sample: h (H) updated in place, out_t (H) written."""
    zero = p.dtype.type(0.0)
    H = h.shape[0]
    if relu:
        for j in range(H):
            h[j] = max(p[j] + hh[j] + bias[j], zero)
    else:
        for j in range(H):
            h[j] = tanh(p[j] + hh[j] + bias[j])
    for j in range(H):
        out_t[j] = h[j]


@njit(**NJIT_INLINE)
def _cell_backward(dh, dout_t, h_t, relu, dgt, dg_t):
    """One backward step for one sample: dgt, dg_t (H) get the pre-activation gradient."""
    one = h_t.dtype.type(1.0)
    zero = h_t.dtype.type(0.0)
    H = dh.shape[0]
    if relu:
        for j in range(H):
            dgt[j] = dh[j] + dout_t[j] if h_t[j] > zero else zero
    else:
        for j in range(H):
            dgt[j] = (dh[j] + dout_t[j]) * (one - h_t[j] * h_t[j])
    for j in range(H):
        dg_t[j] = dgt[j]


@njit(**NJIT)
def rnn_forward(x, w_ih, w_hh, b_ih, b_hh, h0, relu, reverse, chunk, c_lo, c_hi, out, col, pre,
                h_n):
    """Run one RNN direction over a batch.

    Parameters
    ----------
    x : (B, T, I); w_ih : (H, I); w_hh : (H, H); b_ih, b_hh : (H,); h0 : (B, H).
    relu : bool, relu instead of tanh; reverse : bool; chunk : int;
    c_lo, c_hi : int, the chunks this call runs.
    out : (B, T, D), this direction writes columns col:col+H.
    pre : (B, T, H) scratch for the input projection.
    h_n : (B, H) written: final state.
    """
    B, T, I = x.shape
    H = w_ih.shape[0]
    bias = vector_sum(b_ih, b_hh)
    for c in range(c_lo, c_hi):
        b0 = c * chunk
        b1 = min(B, b0 + chunk)
        nb = b1 - b0
        pc = pre[b0:b1]
        np.dot(x[b0:b1].reshape((nb * T, I)), w_ih.T, pc.reshape((nb * T, H)))
        h = rows_from(h0, b0, nb)
        hh = np.empty((nb, H), x.dtype)
        for s in range(T):
            t = T - 1 - s if reverse else s
            np.dot(h, w_hh.T, hh)
            for b in range(nb):
                _cell_forward(pc[b, t], hh[b], bias, relu, h[b], out[b0 + b, t, col:col + H])
        rows_into(h, h_n, b0)


@njit(**NJIT)
def rnn_backward(x, w_ih, w_hh, h0, relu, reverse, chunk, c_lo, c_hi, out, col, dout, dh_n,
                 need_dx, dx, dh0, gbuf, offs):
    """Backpropagate one RNN direction through time.

    Arguments as in :func:`rnn_forward`, plus: dout (B, T, D); dh_n (B, H);
    need_dx bool; dx (B, T, I) added to; dh0 (B, H) written; gbuf (n_chunks, P)
    with offsets ``offs`` (written).
    """
    B, T, I = x.shape
    H = w_ih.shape[0]
    for c in range(c_lo, c_hi):
        b0 = c * chunk
        b1 = min(B, b0 + chunk)
        nb = b1 - b0
        dg = np.empty((nb, T, H), x.dtype)
        hp = np.empty((nb, T, H), x.dtype)
        previous_states(out, col, h0, b0, nb, reverse, hp)
        dh = rows_from(dh_n, b0, nb)
        dgt = np.empty((nb, H), x.dtype)
        for s in range(T):
            t = s if reverse else T - 1 - s
            for b in range(nb):
                _cell_backward(dh[b], dout[b0 + b, t, col:col + H], out[b0 + b, t, col:col + H],
                               relu, dgt[b], dg[b, t])
            np.dot(dgt, w_hh, dh)
        rows_into(dh, dh0, b0)
        dg2 = dg.reshape((nb * T, H))
        weight_gradients(dg2, dg2, x[b0:b1].reshape((nb * T, I)), hp.reshape((nb * T, H)),
                         gbuf[c], offs)
        if need_dx:
            add_input_gradient(dg2, w_ih, dx, b0, b1)
