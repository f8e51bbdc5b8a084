"""Forward-only inference kernels: one sample at a time, mat-vec without BLAS.

Prediction of a fitted network runs each sample on its own (so its result
does not depend on what else is in the batch).  For one row the training
kernels' per-step ``np.dot`` (a BLAS call on a 1 x H matrix) and their saved
activations cost more than the arithmetic; these kernels keep everything in
small 1-D buffers and compute ``gates = W^T z`` in *axpy* form: for each input
row ``k``, ``gates[:] += WT[k, :] * z[k]``, eight rows per pass (in an order
that alternates from step to step, see :func:`_matvec`), which LLVM
vectorises without reassociating a reduction.  That needs the transposed
weights, contiguous; they are packed once per parameter vector by the caller
(:mod:`rnnforecast.nn._predict`), never per call.

Packed weights.  ``packed`` is one flat array of the network dtype holding, for
each layer ``k`` and direction ``d`` (block ``b = k * D + d``, starting at
``offs[b]``), with ``I_k`` the layer's input width (``input_size`` for k = 0,
``D * H`` above) and ``G`` = gates * H:

* ``W`` (I_k + H, G), C order: rows ``0 .. I_k-1`` are ``weight_ih.T``, rows
  ``I_k ..`` are ``weight_hh.T`` (so ``z = [x_t, h]`` needs one pass, the input
  projection folded into the recurrent one);
* ``bias`` (2G,): LSTM and RNN ``bias_ih + bias_hh`` then zeros; GRU
  ``bias_ih`` then ``bias_hh`` (its candidate gate needs them apart).

Left padding: a sample whose first steps are NaN (validated by the caller)
starts at its first non-NaN step, in both directions, as the masked path of
:mod:`rnnforecast.nn.masked` does.  The head is applied in float64 on the
last step's output (``final_state=False``) or on the final states of the last
layer's directions (``final_state=True``).  The cell maths use the training
kernels' activation helpers, so results agree with them to rounding.
"""

import numpy as np
from numba import njit

from .activations import sigmoid, tanh
from .config import NJIT, NJIT_INLINE, NJIT_INTERNAL
from .lstm import lstm_cell


@njit(**NJIT_INTERNAL)
def same_bits(a, b):
    """Whether the 1-D uint32 arrays ``a`` and ``b`` (one length) are equal, bit for bit.

    Blocks of 1024 elements, each reduced with a vectorised OR of XORs.
    """
    n = a.shape[0]
    for lo in range(0, n, 1024):
        ab = a[lo:min(n, lo + 1024)]
        bb = b[lo:min(n, lo + 1024)]
        acc = 0
        for i in range(ab.shape[0]):
            acc |= ab[i] ^ bb[i]
        if acc != 0:
            return False
    return True


@njit(**NJIT)
def params_unchanged(a, b):
    """Python entry of :func:`same_bits` (the packed-weight cache's check)."""
    return same_bits(a, b)


@njit(**NJIT_INLINE)
def _rows8(W, z, g, k):
    """``g += W[k:k+8].T @ z[k:k+8]``: one pass over ``g`` for eight rows of W."""
    z0, z1, z2, z3 = z[k], z[k + 1], z[k + 2], z[k + 3]
    z4, z5, z6, z7 = z[k + 4], z[k + 5], z[k + 6], z[k + 7]
    w0, w1, w2, w3 = W[k], W[k + 1], W[k + 2], W[k + 3]
    w4, w5, w6, w7 = W[k + 4], W[k + 5], W[k + 6], W[k + 7]
    for j in range(g.shape[0]):
        g[j] += ((w0[j] * z0 + w1[j] * z1 + w2[j] * z2 + w3[j] * z3)
                 + (w4[j] * z4 + w5[j] * z5 + w6[j] * z6 + w7[j] * z7))


@njit(**NJIT_INLINE)
def _row(W, z, g, k):
    """``g += W[k] * z[k]``."""
    wk = W[k]
    zk = z[k]
    for j in range(g.shape[0]):
        g[j] += wk[j] * zk


@njit(**NJIT_INLINE)
def _matvec(W, z, g, k0, k1, rev):
    """``g += W[k0:k1].T @ z[k0:k1]`` for W (R, G) C-contiguous, z (R,), g (G,).

    Rows in groups of eight (one load and one store of ``g`` per eight
    multiply-adds), the last ``(k1 - k0) % 8`` rows one by one.  ``rev``
    walks the rows from the last to the first: callers alternate it from step
    to step, so that a step starts on the rows the previous one ended with,
    which are still in the L1 cache when W is larger than it (the LSTM's W at
    H = 64 is 65 KB): the LSTM kernel measured ~15 % faster (the mat-vec
    alone ~30 %) than with one order at every step.  The order of the sums
    is fixed by ``rev``, so results stay deterministic.  Loops with a
    negative step, rows of a 2-D slice taken inside the kernel, or this
    function left out of line made LLVM's vectorised loop fall back to
    scalar code (3-4x slower, measured), hence its present form.
    """
    n = k1 - k0
    ng = n // 8
    if rev:
        for i in range(n - 8 * ng):
            _row(W, z, g, k1 - 1 - i)
        for q in range(ng):
            _rows8(W, z, g, k0 + 8 * (ng - 1 - q))
    else:
        for q in range(ng):
            _rows8(W, z, g, k0 + 8 * q)
        for k in range(k0 + 8 * ng, k1):
            _row(W, z, g, k)


@njit(**NJIT_INLINE)
def _block(packed, off, R, G):
    """The weight matrix (R, G) and bias (2G,) of the block starting at ``off``."""
    W = packed[off:off + R * G].reshape((R, G))
    bias = packed[off + R * G:off + (R + 2) * G]
    return W, bias


@njit(**NJIT_INLINE)
def _first_valid(x):
    """First time step of ``x`` (T, I) whose first feature is not NaN (left padding)."""
    T = x.shape[0]
    t0 = 0
    while t0 < T - 1 and x[t0, 0] != x[t0, 0]:
        t0 += 1
    return t0


@njit(**NJIT_INLINE)
def _load_input(src, t, z, I):
    """``z[:I] = src[t]``."""
    for i in range(I):
        z[i] = src[t, i]


@njit(**NJIT_INLINE)
def _store(h, dst, t, col, feat, fcol):
    """``dst[t, col:col+H] = h`` and ``feat[fcol:fcol+H] = h`` (the latest state)."""
    for j in range(h.shape[0]):
        dst[t, col + j] = h[j]
    for j in range(h.shape[0]):
        feat[fcol + j] = h[j]


@njit(**NJIT_INTERNAL)
def _head(seq_last, feat, final_state, w, b, out_row):
    """``out_row = f @ w.T + b`` in float64, f the final states (``feat``) or ``seq_last``."""
    f = feat if final_state else seq_last
    for o in range(w.shape[0]):
        s = 0.0
        for j in range(w.shape[1]):
            s += np.float64(f[j]) * w[o, j]
        out_row[o] = s + b[o]


@njit(**NJIT_INLINE)
def _lstm_steps(src, W, bias, reverse, t0, dst, col, z, g, c, relu, feat):
    """One LSTM direction of one sample over steps ``t0 .. T-1`` (reversed if ``reverse``).

    src (T, I) layer input; W (I+H, 4H), bias (>= 4H) packed; dst (T, D*H):
    columns col:col+H written; z (>= I+H,) scratch, z[I:I+H] holds h;
    g (4H,), c (H,) scratch; ``relu`` unused; feat (D*H,): columns
    col:col+H get the final h.
    """
    T, I = src.shape
    H = c.shape[0]
    h = z[I:I + H]
    for j in range(H):
        h[j] = 0
        c[j] = 0
    gi = g[0:H]
    gf = g[H:2 * H]
    gg = g[2 * H:3 * H]
    go = g[3 * H:4 * H]
    for s in range(T - t0):
        t = T - 1 - s if reverse else t0 + s
        _load_input(src, t, z, I)
        for k in range(4 * H):
            g[k] = bias[k]
        _matvec(W, z, g, 0, I + H, s % 2 == 1)
        lstm_cell(gi, gf, gg, go, c, h)
        _store(h, dst, t, col, feat, col)


@njit(**NJIT_INLINE)
def _gru_steps(src, W, bias, reverse, t0, dst, col, z, g, hh, relu, feat):
    """One GRU direction of one sample (arguments as :func:`_lstm_steps`; W (I+H, 3H),
    bias (6H,) = bias_ih, bias_hh; g (3H,) and hh (3H,) scratch)."""
    T, I = src.shape
    G = hh.shape[0]
    H = G // 3
    one = g.dtype.type(1.0)
    h = z[I:I + H]
    for j in range(H):
        h[j] = 0
    gr = g[0:H]
    gz = g[H:2 * H]
    gn = g[2 * H:3 * H]
    hr = hh[0:H]
    hz = hh[H:2 * H]
    hn = hh[2 * H:3 * H]
    for s in range(T - t0):
        t = T - 1 - s if reverse else t0 + s
        _load_input(src, t, z, I)
        for k in range(G):
            g[k] = bias[k]
        for k in range(G):
            hh[k] = bias[G + k]
        _matvec(W, z, g, 0, I, False)
        _matvec(W, z, hh, I, I + H, s % 2 == 1)
        for j in range(H):
            gr[j] = sigmoid(gr[j] + hr[j])
        for j in range(H):
            gz[j] = sigmoid(gz[j] + hz[j])
        for j in range(H):
            gn[j] = tanh(gn[j] + gr[j] * hn[j])
        for j in range(H):
            h[j] = (one - gz[j]) * gn[j] + gz[j] * h[j]
        _store(h, dst, t, col, feat, col)


@njit(**NJIT_INLINE)
def _rnn_steps(src, W, bias, reverse, t0, dst, col, z, g, aux, relu, feat):
    """One Elman RNN direction of one sample (arguments as :func:`_lstm_steps`; W (I+H, H),
    bias (>= H); g (H,) scratch; ``aux`` unused; ``relu``: relu instead of tanh)."""
    T, I = src.shape
    H = g.shape[0]
    zero = g.dtype.type(0.0)
    h = z[I:I + H]
    for j in range(H):
        h[j] = 0
    for s in range(T - t0):
        t = T - 1 - s if reverse else t0 + s
        _load_input(src, t, z, I)
        for k in range(H):
            g[k] = bias[k]
        _matvec(W, z, g, 0, I + H, s % 2 == 1)
        if relu:
            for j in range(H):
                h[j] = max(g[j], zero)
        else:
            for j in range(H):
                h[j] = tanh(g[j])
        _store(h, dst, t, col, feat, col)


@njit(**NJIT_INLINE)
def _predict(steps, G, n_aux, X, packed, offs, H, D, final_state, relu, head_w, head_b, chunk,
             c_lo, c_hi, out):
    """The samples of chunks ``c_lo <= c < c_hi`` through the stack, one direction of one
    layer at a time with ``steps`` (a ``_*_steps`` function; G gates * H, ``n_aux`` the
    length of its ``aux`` scratch), then the head."""
    N, T, I0 = X.shape
    L = offs.shape[0] // D
    seqs = np.empty((2, T, D * H), X.dtype)
    z = np.empty(max(I0, D * H) + H, X.dtype)
    g = np.empty(G, X.dtype)
    aux = np.empty(n_aux, X.dtype)
    feat = np.empty(D * H, X.dtype)
    for n in range(c_lo * chunk, min(N, c_hi * chunk)):
        src = X[n]
        t0 = _first_valid(src)
        for k in range(L):
            dst = seqs[k % 2]
            R = src.shape[1] + H
            for d in range(D):
                W, bias = _block(packed, offs[k * D + d], R, G)
                steps(src, W, bias, d == 1, t0, dst, d * H, z, g, aux, relu, feat)
            src = dst
        _head(src[T - 1], feat, final_state, head_w, head_b, out[n])


@njit(**NJIT)
def lstm_predict(X, packed, offs, H, D, final_state, relu, head_w, head_b, chunk, c_lo, c_hi,
                 out):
    """Head outputs of an LSTM stack for the samples of chunks ``c_lo <= c < c_hi``.

    Parameters
    ----------
    X : (N, T, I) input, C-contiguous, left padding with NaN allowed.
    packed : (P,) packed weights; offs : int64 (L * D,) block offsets (module docstring).
    H, D : int, hidden size and number of directions.
    final_state : bool, the head sees the final states (else the last step's output).
    relu : bool, unused (:func:`rnn_predict` takes the same arguments).
    head_w : float64 (O, D*H); head_b : float64 (O,).
    chunk : int, samples per chunk; c_lo, c_hi : int, the chunks this call runs.
    out : float64 (N, O) written for those samples.
    """
    _predict(_lstm_steps, 4 * H, H, X, packed, offs, H, D, final_state, relu, head_w, head_b,
             chunk, c_lo, c_hi, out)


@njit(**NJIT)
def gru_predict(X, packed, offs, H, D, final_state, relu, head_w, head_b, chunk, c_lo, c_hi,
                out):
    """As :func:`lstm_predict`, for a GRU stack."""
    _predict(_gru_steps, 3 * H, 3 * H, X, packed, offs, H, D, final_state, relu, head_w,
             head_b, chunk, c_lo, c_hi, out)


@njit(**NJIT)
def rnn_predict(X, packed, offs, H, D, final_state, relu, head_w, head_b, chunk, c_lo, c_hi,
                out):
    """As :func:`lstm_predict`, for an Elman RNN stack (``relu``: relu instead of tanh)."""
    _predict(_rnn_steps, H, 1, X, packed, offs, H, D, final_state, relu, head_w, head_b, chunk,
             c_lo, c_hi, out)
