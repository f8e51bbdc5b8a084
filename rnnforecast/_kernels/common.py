"""Small building blocks shared by the cell kernels.

Every function here takes validated, C-contiguous arrays.  Scalar constants are
made from the array dtype (``x.dtype.type(1.0)``) so float32 maths stays float32.

Copies and sums of whole arrays are written as explicit loops in small
functions (:func:`rows_from`, :func:`rows_into`, :func:`vector_sum`,
:func:`add_into`) rather than as slice assignments (``a[i:j] = b``) or array
expressions (``a + b``) inside the kernels: Numba compiles those through its
broadcasting machinery, which cost ~2.5 s of compile time per LSTM kernel
(measured), for loops that are trivial.
"""

import numpy as np
from numba import njit

from .config import NJIT_INTERNAL


@njit(**NJIT_INTERNAL)
def n_chunks(n, chunk):
    """Number of chunks of ``chunk`` samples that cover ``n`` samples."""
    return (n + chunk - 1) // chunk


@njit(**NJIT_INTERNAL)
def rows_from(src, r0, nr):
    """A new (nr, K) array holding ``src[r0:r0 + nr]`` of the 2-D array ``src``."""
    K = src.shape[1]
    out = np.empty((nr, K), src.dtype)
    for i in range(nr):
        for j in range(K):
            out[i, j] = src[r0 + i, j]
    return out


@njit(**NJIT_INTERNAL)
def rows_into(src, dst, r0):
    """``dst[r0:r0 + n] = src`` for 2-D arrays, src (n, K)."""
    for i in range(src.shape[0]):
        for j in range(src.shape[1]):
            dst[r0 + i, j] = src[i, j]


@njit(**NJIT_INTERNAL)
def vector_sum(a, b):
    """A new 1-D array ``a + b``."""
    out = np.empty_like(a)
    for k in range(a.shape[0]):
        out[k] = a[k] + b[k]
    return out


@njit(**NJIT_INTERNAL)
def add_into(a, b):
    """``a += b`` for 2-D arrays of one shape."""
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            a[i, j] += b[i, j]


@njit(**NJIT_INTERNAL)
def column_sums(a, out):
    """``out[j] = sum_i a[i, j]`` for a 2-D array, rows added in order."""
    for j in range(a.shape[1]):
        out[j] = 0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[j] += a[i, j]


@njit(**NJIT_INTERNAL)
def previous_states(out, col, h0, b0, nb, reverse, hp):
    """Gather the state that entered each time step.

    ``hp[b, t] = out[b0 + b, t - 1, col:col + H]`` (``t + 1`` when ``reverse``),
    or ``h0[b0 + b]`` where the sequence starts.  ``hp`` has shape (nb, T, H).
    """
    T = hp.shape[1]
    H = hp.shape[2]
    for b in range(nb):
        for t in range(T):
            tp = t + 1 if reverse else t - 1
            if tp < 0 or tp >= T:
                for j in range(H):
                    hp[b, t, j] = h0[b0 + b, j]
            else:
                for j in range(H):
                    hp[b, t, j] = out[b0 + b, tp, col + j]


@njit(**NJIT_INTERNAL)
def weight_gradients(dgi, dgh, x2, hp2, row, offs):
    """Write one direction's parameter gradients for one chunk.

    Parameters
    ----------
    dgi : (N, G) gradient of the input-side pre-activations.
    dgh : (N, G) gradient of the hidden-side pre-activations (the same array
        as ``dgi`` except for the GRU's candidate gate).
    x2 : (N, I) layer inputs; hp2 : (N, H) states entering each step.
    row : (P,) this chunk's gradient buffer; offs : int64 (4,) offsets of
        weight_ih, weight_hh, bias_ih, bias_hh inside ``row``.
    """
    G = dgi.shape[1]
    I = x2.shape[1]
    H = hp2.shape[1]
    np.dot(dgi.T, x2, row[offs[0]:offs[0] + G * I].reshape((G, I)))
    np.dot(dgh.T, hp2, row[offs[1]:offs[1] + G * H].reshape((G, H)))
    column_sums(dgi, row[offs[2]:offs[2] + G])
    column_sums(dgh, row[offs[3]:offs[3] + G])


@njit(**NJIT_INTERNAL)
def add_input_gradient(dgi, w_ih, dx, b0, b1):
    """``dx[b0:b1] += (dgi @ w_ih).reshape(nb, T, I)``."""
    nb = b1 - b0
    T = dx.shape[1]
    I = dx.shape[2]
    tmp = np.empty((dgi.shape[0], I), dgi.dtype)
    np.dot(dgi, w_ih, tmp)
    dxc = dx[b0:b1].reshape((nb * T, I))
    for r in range(nb * T):
        for k in range(I):
            dxc[r, k] += tmp[r, k]


# ----------------------------------------------------------------------------- feature-major
# The LSTM kernels keep a chunk's per-step data feature-major, as (features, nb)
# blocks (sample index fastest), so that each gate of all nb samples is one flat
# vectorised loop and the per-step GEMM is ``W @ state`` with both operands
# C-contiguous.  These helpers move data between that layout and the (B, T, F)
# arrays of the layer interface.

@njit(**NJIT_INTERNAL)
def gather_step(src, b0, t, c0, dst):
    """``dst[k, b] = src[b0 + b, t, c0 + k]`` for dst (n, nb), src (B, T, F)."""
    n, nb = dst.shape
    for b in range(nb):
        for k in range(n):
            dst[k, b] = src[b0 + b, t, c0 + k]


@njit(**NJIT_INTERNAL)
def add_step(src, b0, t, c0, dst):
    """``dst[k, b] += src[b0 + b, t, c0 + k]`` for dst (n, nb), src (B, T, F)."""
    n, nb = dst.shape
    for b in range(nb):
        for k in range(n):
            dst[k, b] += src[b0 + b, t, c0 + k]


@njit(**NJIT_INTERNAL)
def scatter_step(src, dst, b0, t, c0):
    """``dst[b0 + b, t, c0 + k] = src[k, b]`` for src (n, nb), dst (B, T, F)."""
    n, nb = src.shape
    for b in range(nb):
        for k in range(n):
            dst[b0 + b, t, c0 + k] = src[k, b]


@njit(**NJIT_INTERNAL)
def rows_to_cols(src, r0, dst):
    """``dst[k, b] = src[r0 + b, k]`` for dst (K, nb), src 2-D."""
    K, nb = dst.shape
    for b in range(nb):
        for k in range(K):
            dst[k, b] = src[r0 + b, k]


@njit(**NJIT_INTERNAL)
def cols_to_rows(src, dst, r0):
    """``dst[r0 + b, k] = src[k, b]`` for src (K, nb), dst 2-D."""
    K, nb = src.shape
    for b in range(nb):
        for k in range(K):
            dst[r0 + b, k] = src[k, b]
