"""Dropout between layers from a counter-based generator.

The keep/drop decision for one element is a pure function of
(seed, step, sample, layer, t, unit): a SplitMix64 hash chain, so masks never
depend on chunking or thread scheduling and need not be stored.
"""

import numpy as np
from numba import njit

from .config import NJIT

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)


@njit(**NJIT)
def splitmix64(z):
    """SplitMix64 output function applied to state ``z + gamma`` (uint64 in, uint64 out)."""
    z = z + _GAMMA
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(**NJIT)
def dropout_uniform(seed, step, sample, layer, t, unit):
    """A uniform number in [0, 1) keyed on the six non-negative integer arguments."""
    z = splitmix64(np.uint64(seed))
    z = splitmix64(z ^ np.uint64(step))
    z = splitmix64(z ^ np.uint64(sample))
    z = splitmix64(z ^ np.uint64(layer))
    z = splitmix64(z ^ np.uint64(t))
    z = splitmix64(z ^ np.uint64(unit))
    return np.float64(z >> _S11) * 1.1102230246251565e-16


@njit(**NJIT)
def dropout_apply(x, seed, step, layer, p, chunk, c_lo, c_hi, out):
    """``out = x * mask`` for the samples of chunks ``c_lo <= c < c_hi``.

    An element is zeroed with probability ``p`` and kept elements are scaled
    by 1 / (1 - p).  x, out : (B, T, D); ``chunk`` samples per chunk.  Used
    for the forward pass and, applied to the upstream gradient, for the
    backward pass.
    """
    B, T, D = x.shape
    scale = x.dtype.type(1.0 / (1.0 - p))
    zero = x.dtype.type(0.0)
    for b in range(c_lo * chunk, min(B, c_hi * chunk)):
        for t in range(T):
            for u in range(D):
                if dropout_uniform(seed, step, b, layer, t, u) < p:
                    out[b, t, u] = zero
                else:
                    out[b, t, u] = x[b, t, u] * scale
