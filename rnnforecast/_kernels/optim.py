"""Gradient reduction, clipping and optimiser updates on flat parameter vectors.

These loops are memory-bound and cheap next to the recurrent kernels, so they
run serially: no thread start-up per call, less compile time, and sums whose
order never depends on a thread count.  :func:`sum_of_squares` adds fixed
blocks of ``_BLOCK`` elements, then the block sums, in order.
"""

import math

import numpy as np
from numba import njit

from .config import NJIT

_BLOCK = 4096


@njit(**NJIT)
def reduce_chunks(gbuf, grad):
    """``grad[p] = sum_c gbuf[c, p]`` with the chunks added in order 0, 1, ..."""
    nc, P = gbuf.shape
    nblocks = (P + _BLOCK - 1) // _BLOCK
    for blk in range(nblocks):
        p0 = blk * _BLOCK
        p1 = min(P, p0 + _BLOCK)
        for p in range(p0, p1):
            grad[p] = gbuf[0, p]
        for c in range(1, nc):
            for p in range(p0, p1):
                grad[p] += gbuf[c, p]


@njit(**NJIT)
def sum_of_squares(v):
    """Sum of squares of ``v`` in float64, deterministic at any thread count."""
    P = v.shape[0]
    nblocks = (P + _BLOCK - 1) // _BLOCK
    total = 0.0
    for blk in range(nblocks):
        s = 0.0
        for p in range(blk * _BLOCK, min(P, (blk + 1) * _BLOCK)):
            s += np.float64(v[p]) * np.float64(v[p])
        total += s  # block sums added in block order
    return total


@njit(**NJIT)
def all_finite(v):
    """True when every element of the 1-D array ``v`` is finite."""
    for p in range(v.shape[0]):
        if not np.isfinite(v[p]):
            return False
    return True


@njit(**NJIT)
def scale_inplace(v, coef):
    """``v *= coef`` (coef cast to v's dtype)."""
    c = v.dtype.type(coef)
    for p in range(v.shape[0]):
        v[p] *= c


@njit(**NJIT)
def clip_inplace(v, limit):
    """Clamp every element of ``v`` to [-limit, limit]."""
    hi = v.dtype.type(limit)
    lo = -hi
    for p in range(v.shape[0]):
        if v[p] > hi:
            v[p] = hi
        elif v[p] < lo:
            v[p] = lo


@njit(**NJIT)
def adam_update(param, grad, m, v, lr, beta1, beta2, eps, step, weight_decay):
    """One Adam step in place (``torch.optim.Adam`` semantics, L2 weight decay).

    ``step`` counts from 1; all scalar hyper-parameters are Python floats.
    """
    dt = param.dtype.type
    bc1 = 1.0 - beta1 ** step
    bc2 = 1.0 - beta2 ** step
    step_size = dt(lr / bc1)
    inv_sqrt_bc2 = dt(1.0 / math.sqrt(bc2))
    b1 = dt(beta1)
    b2 = dt(beta2)
    one = dt(1.0)
    e = dt(eps)
    wd = dt(weight_decay)
    for p in range(param.shape[0]):
        g = grad[p] + wd * param[p]
        mp = b1 * m[p] + (one - b1) * g
        vp = b2 * v[p] + (one - b2) * g * g
        m[p] = mp
        v[p] = vp
        param[p] -= step_size * mp / (math.sqrt(vp) * inv_sqrt_bc2 + e)


@njit(**NJIT)
def sgd_update(param, grad, buf, lr, momentum, weight_decay, nesterov, first):
    """One SGD step in place (``torch.optim.SGD`` semantics, no dampening)."""
    dt = param.dtype.type
    a = dt(lr)
    mu = dt(momentum)
    wd = dt(weight_decay)
    use_momentum = momentum != 0.0
    for p in range(param.shape[0]):
        g = grad[p] + wd * param[p]
        if use_momentum:
            if first:
                bp = g
            else:
                bp = mu * buf[p] + g
            buf[p] = bp
            if nesterov:
                g = g + mu * bp
            else:
                g = bp
        param[p] -= a * g
