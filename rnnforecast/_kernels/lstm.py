"""LSTM layer kernels: one direction of one layer, forward and BPTT.

PyTorch's equations and gate order (i, f, g, o)::

    i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of (W_ih x + b_ih + W_hh h + b_hh)
    c' = f * c + i * g
    h' = o * tanh(c')

The batch is split into chunks of ``chunk`` samples (a number fixed by the
caller, independent of the thread count).  The kernels are serial and release
the GIL (``nogil``): one call runs the chunks ``c_lo <= c < c_hi``, each over
its whole sequence, and the caller's thread pool
(:func:`rnnforecast.nn.threads.run_chunks`) spreads the chunks over threads.
A chunk writes only its own rows of the outputs; its parameter gradients go
to its own row of ``gbuf`` and are reduced later in chunk order, so results
are bit-identical at any thread count and any assignment of chunks to threads.

Inside a chunk of ``nb`` samples the per-step data are *feature-major*:
(features, nb) blocks, the sample index fastest.  One step is one GEMM
``[W_ih | b_ih + b_hh | W_hh] @ [x_t; 1; h]`` of C-contiguous operands
((G, I + 1 + H) @ (I + 1 + H, nb), ~1.3x the rate of ``h @ W_hh.T`` at nb = 32,
measured), and each gate of all nb samples is one flat loop over ``H * nb``
contiguous values, which LLVM vectorises.  The backward pass mirrors it
(``W_hh.T @ dgates`` with a contiguous copy of ``W_hh.T``), keeps every step's
gate gradients as (G, T, nb) and gets all weight and bias gradients of a chunk
from ONE GEMM against the stacked inputs and states ``[x_t; 1; h_{t-1}]``.

One-sample chunks (``chunk=1``, or a last chunk of one sample) take a mat-vec
path instead: the input projection of all steps as one GEMM, then
``h @ W_hh.T`` per step, with the weights as given (no stacked or transposed
copy per call).  At B = 1 it is still a little slower than the former
per-sample kernels (forward 0.8-0.9x, backward 0.75-0.85x, measured side by side).

Saved for the backward pass, in each chunk's rows of the (B, T, .) buffers:
``gates[b0:b1]`` holds the activations as (T, 4H, nb) and ``cells[b0:b1]``
the cell states as (T, H, nb) (only these kernels read them).
"""

import numpy as np
from numba import njit

from .activations import sigmoid, tanh
from .common import add_step, cols_to_rows, gather_step, rows_to_cols, scatter_step, vector_sum
from .config import NJIT, NJIT_INLINE


# Every helper here is inlined into the two kernels (``NJIT_INLINE``): compiled as
# separate functions they cost ~0.5-0.8 s more of cold compile time per dtype
# (measured), at the same speed.

# Values per tile of the gate loops: a tile of every array a step touches stays
# in the L1 cache (at H * nb = 2048 untiled loops stream ~90 KB through L2 a few
# times per step; the untiled forward pass, with a separate pre-activation
# buffer, was ~1.3x slower at C2, measured side by side).
_TILE = 256


@njit(**NJIT_INLINE)
def _gate_tiles(a, N, k0, k1):
    """The tile ``k0:k1`` of each of the four gate blocks of a (4N) step vector."""
    return a[k0:k1], a[N + k0:N + k1], a[2 * N + k0:2 * N + k1], a[3 * N + k0:3 * N + k1]


@njit(**NJIT_INLINE)
def lstm_cell(ai, af, ag, ao, c, h):
    """One LSTM cell update over n values: the i, f, g, o pre-activations (n each) become their
    activations in place, the cell state c (n) is updated in place and h (n) = o * tanh(c).

    Shared by the training kernels (a tile of a chunk's flat gate vector) and the one-sample
    inference kernel (:mod:`rnnforecast._kernels.infer`); short loops with few arrays each
    let LLVM vectorise.
    """
    n = c.shape[0]
    for k in range(n):
        ai[k] = sigmoid(ai[k])
    for k in range(n):
        af[k] = sigmoid(af[k])
    for k in range(n):
        ag[k] = tanh(ag[k])
    for k in range(n):
        ao[k] = sigmoid(ao[k])
    for k in range(n):
        c[k] = af[k] * c[k] + ai[k] * ag[k]
    for k in range(n):
        h[k] = ao[k] * tanh(c[k])


@njit(**NJIT_INLINE)
def _gates_forward(a, c, cells_t, h):
    """One step for all samples of a chunk, flat over N = H * nb values per gate.

    a (4N): the pre-activations (i, f, g, o blocks) in, the activations out;
    c (N) cell state updated in place; cells_t (N) and h (N) written.  The
    loops run tile by tile; short loops with few arrays each let LLVM vectorise.
    """
    N = c.shape[0]
    for k0 in range(0, N, _TILE):
        k1 = min(N, k0 + _TILE)
        n = k1 - k0
        ai, af, ag, ao = _gate_tiles(a, N, k0, k1)
        ct = c[k0:k1]
        lstm_cell(ai, af, ag, ao, ct, h[k0:k1])
        cl = cells_t[k0:k1]
        for k in range(n):
            cl[k] = ct[k]


@njit(**NJIT_INLINE)
def _gates_backward(dh, a, c_t, c_prev, dc, dg):
    """One backward step for all samples of a chunk, flat over N = H * nb values.

    dh (N) total gradient w.r.t. this step's h; a (4N) activations; c_t, c_prev
    (N) cell states; dc (N) updated in place (becomes the gradient w.r.t.
    c_prev); dg (4N) written with the pre-activation gradients.  Tile by tile,
    as :func:`_gates_forward`.
    """
    N = dh.shape[0]
    one = a.dtype.type(1.0)
    for k0 in range(0, N, _TILE):
        k1 = min(N, k0 + _TILE)
        n = k1 - k0
        ai, af, ag, ao = _gate_tiles(a, N, k0, k1)
        di, df, dn, do = _gate_tiles(dg, N, k0, k1)
        dht = dh[k0:k1]
        dct = dc[k0:k1]
        ctt = c_t[k0:k1]
        cpt = c_prev[k0:k1]
        for k in range(n):
            tc = tanh(ctt[k])
            do[k] = dht[k] * tc * ao[k] * (one - ao[k])
            dct[k] += dht[k] * ao[k] * (one - tc * tc)
        for k in range(n):
            di[k] = dct[k] * ag[k] * ai[k] * (one - ai[k])
        for k in range(n):
            df[k] = dct[k] * cpt[k] * af[k] * (one - af[k])
        for k in range(n):
            dn[k] = dct[k] * ai[k] * (one - ag[k] * ag[k])
        for k in range(n):
            dct[k] *= af[k]


@njit(**NJIT_INLINE)
def _stacked_weights(w_ih, b_ih, b_hh, w_hh):
    """A new (G, I + 1 + H) array ``[W_ih | b_ih + b_hh | W_hh]``."""
    G, I = w_ih.shape
    H = w_hh.shape[1]
    w = np.empty((G, I + 1 + H), w_ih.dtype)
    for g in range(G):
        for i in range(I):
            w[g, i] = w_ih[g, i]
        w[g, I] = b_ih[g] + b_hh[g]
        for j in range(H):
            w[g, I + 1 + j] = w_hh[g, j]
    return w


@njit(**NJIT_INLINE)
def _add_two(a, b, c):
    """``a += b + c`` for 1-D arrays of one length."""
    for k in range(a.shape[0]):
        a[k] += b[k] + c[k]


@njit(**NJIT_INLINE)
def _wide(B, chunk, c_lo, c_hi):
    """Whether one of the chunks ``c_lo <= c < c_hi`` holds more than one sample."""
    return chunk > 1 and (c_lo < c_hi - 1 or min(B, c_hi * chunk) - (c_hi - 1) * chunk > 1)


@njit(**NJIT_INLINE)
def _transposed(a):
    """A new C-contiguous copy of ``a.T`` for a 2-D array."""
    n, m = a.shape
    t = np.empty((m, n), a.dtype)
    for i in range(n):
        for j in range(m):
            t[j, i] = a[i, j]
    return t


@njit(**NJIT_INLINE)
def _stacked_rows(x, out, col, h0, b0, reverse, z):
    """``z[t * nb + b] = [x[b0 + b, t]; 1; h entering step t]`` for z (T * nb, I + 1 + H).

    The state entering step t is ``out[b0 + b, t -/+ 1, col:col + H]``, or
    ``h0[b0 + b]`` where the sequence starts.  Sample by sample, so that the
    (B, T, .) inputs are read in memory order.
    """
    T = x.shape[1]
    I = x.shape[2]
    H = z.shape[1] - I - 1
    nb = z.shape[0] // T
    one = z.dtype.type(1.0)
    for b in range(nb):
        for t in range(T):
            r = t * nb + b
            for i in range(I):
                z[r, i] = x[b0 + b, t, i]
            z[r, I] = one
            tp = t + 1 if reverse else t - 1
            if tp < 0 or tp >= T:
                for j in range(H):
                    z[r, I + 1 + j] = h0[b0 + b, j]
            else:
                for j in range(H):
                    z[r, I + 1 + j] = out[b0 + b, tp, col + j]


@njit(**NJIT_INLINE)
def _store_step(src, dst, t):
    """``dst[:, t, :] = src`` for src (F, nb), dst (F, T, nb): whole rows of nb values."""
    F, nb = src.shape
    for f in range(F):
        for b in range(nb):
            dst[f, t, b] = src[f, b]


@njit(**NJIT_INLINE)
def _write_gradients(dw, I, row, offs):
    """Split dw (G, I + 1 + H), the gradient of the stacked weights, into
    ``row`` at the offsets ``offs`` of weight_ih, weight_hh, bias_ih, bias_hh."""
    G, K = dw.shape
    H = K - I - 1
    for g in range(G):
        for i in range(I):
            row[offs[0] + g * I + i] = dw[g, i]
        for j in range(H):
            row[offs[1] + g * H + j] = dw[g, I + 1 + j]
        row[offs[2] + g] = dw[g, I]
        row[offs[3] + g] = dw[g, I]


@njit(**NJIT_INLINE)
def _add_input_gradient(dxr, dx, b0):
    """``dx[b0 + b, t] += dxr[t * nb + b]`` for dxr (T * nb, I)."""
    T = dx.shape[1]
    I = dx.shape[2]
    nb = dxr.shape[0] // T
    for b in range(nb):
        for t in range(T):
            for i in range(I):
                dx[b0 + b, t, i] += dxr[t * nb + b, i]


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
    gates : (B, T, 4H) written: the gate activations, each chunk's rows as
        (T, 4H, nb) (see the module docstring).
    cells : (B, T, H) written: the cell states, each chunk's rows as (T, H, nb).
    h_n, c_n : (B, H) written: the final states.
    """
    B, T, I = x.shape
    G = w_ih.shape[0]
    H = G // 4
    K = I + 1 + H
    # [W_ih | b_ih + b_hh | W_hh] for chunks of more than one sample; one-sample
    # chunks use the weights as they are (no per-call copy)
    w = _stacked_weights(w_ih, b_ih, b_hh, w_hh) if _wide(B, chunk, c_lo, c_hi) else w_hh
    bias = vector_sum(b_ih, b_hh)
    hh = np.empty((1, G), x.dtype)
    one = x.dtype.type(1.0)
    for c in range(c_lo, c_hi):
        b0 = c * chunk
        b1 = min(B, b0 + chunk)
        nb = b1 - b0
        N = H * nb
        acts = gates[b0:b1].reshape((T, G * nb))
        cs = cells[b0:b1].reshape((T, N))
        z = np.empty((K, nb), x.dtype)  # [x_t; 1; h]
        for b in range(nb):
            z[I, b] = one
        h = z[I + 1:]
        rows_to_cols(h0, b0, h)
        cst = np.empty((H, nb), x.dtype)
        rows_to_cols(c0, b0, cst)
        if nb == 1:  # as for one sample: x @ W_ih.T for all steps, then mat-vecs per step
            np.dot(x[b0], w_ih.T, acts)
        for s in range(T):
            t = T - 1 - s if reverse else s
            if nb == 1:
                np.dot(h.reshape((1, H)), w_hh.T, hh)
                _add_two(acts[t], hh[0], bias)
            else:
                gather_step(x, b0, t, 0, z[0:I])
                np.dot(w, z, acts[t].reshape((G, nb)))
            _gates_forward(acts[t], cst.reshape(N), cs[t], h.reshape(N))
            scatter_step(h, out, b0, t, col)
        cols_to_rows(h, h_n, b0)
        cols_to_rows(cst, c_n, b0)


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
    # W_hh.T for chunks of more than one sample (one-sample chunks use W_hh as it is)
    w_hh_t = _transposed(w_hh) if _wide(B, chunk, c_lo, c_hi) else w_hh
    for c in range(c_lo, c_hi):
        b0 = c * chunk
        b1 = min(B, b0 + chunk)
        nb = b1 - b0
        N = H * nb
        acts = gates[b0:b1].reshape((T, G * nb))
        cs = cells[b0:b1].reshape((T, N))
        dh = np.empty((H, nb), x.dtype)
        rows_to_cols(dh_n, b0, dh)
        dc = np.empty((H, nb), x.dtype)
        rows_to_cols(dc_n, b0, dc)
        c_start = np.empty((H, nb), x.dtype)
        rows_to_cols(c0, b0, c_start)
        # every step's gate gradients: (G, T, nb), or (T, G) for one sample (its
        # step rows are then the contiguous vectors of the mat-vec path)
        one = nb == 1
        dg = np.empty((0, 0, 0) if one else (G, T, nb), x.dtype)
        dg1 = np.empty((T, G) if one else (0, 0), x.dtype)
        dgt = np.empty((G, nb), x.dtype)
        for s in range(T):
            t = s if reverse else T - 1 - s
            tp = t + 1 if reverse else t - 1
            add_step(dout, b0, t, col, dh)
            c_prev = c_start.reshape(N) if (tp < 0 or tp >= T) else cs[tp]
            dg_t = dg1[t] if one else dgt.reshape(G * nb)
            _gates_backward(dh.reshape(N), acts[t], cs[t], c_prev, dc.reshape(N), dg_t)
            if one:  # dg_t.T @ W_hh, a mat-vec for OpenBLAS
                np.dot(dg_t.reshape((1, G)), w_hh, dh.reshape((1, H)))
            else:
                np.dot(w_hh_t, dgt, dh)
                _store_step(dgt, dg, t)
        cols_to_rows(dh, dh0, b0)
        cols_to_rows(dc, dc0, b0)
        z = np.empty((T * nb, I + 1 + H), x.dtype)  # [x_t; 1; h_{t-1}], rows (t, b)
        _stacked_rows(x, out, col, h0, b0, reverse, z)
        dw = np.empty((G, I + 1 + H), x.dtype)
        if one:
            np.dot(dg1.T, z, dw)
        else:
            np.dot(dg.reshape((G, T * nb)), z, dw)
        _write_gradients(dw, I, gbuf[c], offs)
        if need_dx:
            dxr = np.empty((T * nb, I), x.dtype)  # rows (t, b)
            if one:
                np.dot(dg1, w_ih, dxr)
            else:
                np.dot(dg.reshape((G, T * nb)).T, w_ih, dxr)
            _add_input_gradient(dxr, dx, b0)
