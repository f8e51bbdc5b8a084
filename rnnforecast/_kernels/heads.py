"""Linear head and embedding kernels.

The linear head maps features (N, D) to outputs (N, O): ``y = f @ W.T + b``.
Rows belong to samples in blocks of ``rows_per_sample`` (1 for a head on the
last step, T for a head on every step), so the backward pass can split rows by
the same sample chunks as the recurrent kernels and stay deterministic.
"""

import numpy as np
from numba import njit

from .common import column_sums, n_chunks
from .config import NJIT


@njit(**NJIT)
def linear_forward(feat, w, b, y):
    """``y = feat @ w.T + b``; feat (N, D), w (O, D), b (O,), y (N, O) written."""
    np.dot(feat, w.T, y)
    for i in range(y.shape[0]):
        for k in range(y.shape[1]):
            y[i, k] += b[k]


@njit(**NJIT)
def linear_backward(feat, w, dy, rows_per_sample, chunk, n_samples, gbuf, off_w, off_b, dfeat):
    """Gradients of the linear head.

    Parameters
    ----------
    feat : (N, D) with N = n_samples * rows_per_sample; w : (O, D); dy : (N, O).
    gbuf : (n_chunks, P); the weight gradient is written at ``off_w`` and the
        bias gradient at ``off_b`` of each chunk's row.
    dfeat : (N, D) written: ``dy @ w``.
    """
    O = w.shape[0]
    D = w.shape[1]
    for c in range(n_chunks(n_samples, chunk)):
        r0 = c * chunk * rows_per_sample
        r1 = min(n_samples, (c + 1) * chunk) * rows_per_sample
        row = gbuf[c]
        np.dot(dy[r0:r1].T, feat[r0:r1], row[off_w:off_w + O * D].reshape((O, D)))
        column_sums(dy[r0:r1], row[off_b:off_b + O])
        np.dot(dy[r0:r1], w, dfeat[r0:r1])


@njit(**NJIT)
def embedding_forward(ids, table, chunk, c_lo, c_hi, out):
    """``out[b, t] = table[ids[b, t]]`` for the samples of chunks ``c_lo <= c < c_hi``.

    ids int64 (B, T), table (V, E), out (B, T, E); ``chunk`` samples per chunk.
    """
    B, T = ids.shape
    E = table.shape[1]
    for b in range(c_lo * chunk, min(B, c_hi * chunk)):
        for t in range(T):
            k = ids[b, t]
            for e in range(E):
                out[b, t, e] = table[k, e]


@njit(**NJIT)
def embedding_backward(ids, dy, vocab_size, chunk, c_lo, c_hi, gbuf, off):
    """Embedding-table gradient of the chunks ``c_lo <= c < c_hi``.

    Each chunk's block ``gbuf[c, off:off + V*E]`` (viewed as (V, E)) is zeroed,
    then ``dy[b, t]`` (dy has shape (B, T, E)) is added to row ``ids[b, t]``.
    """
    B, T = ids.shape
    E = dy.shape[2]
    for c in range(c_lo, c_hi):
        b0 = c * chunk
        b1 = min(B, b0 + chunk)
        row = gbuf[c]
        for k in range(off, off + vocab_size * E):
            row[k] = 0
        for b in range(b0, b1):
            for t in range(T):
                base = off + ids[b, t] * E
                for e in range(E):
                    row[base + e] += dy[b, t, e]
