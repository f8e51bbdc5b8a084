"""Loss kernels: value and gradient w.r.t. the prediction, mean reduction.

Each returns the loss as float64 (accumulated in float64, in index order) and
writes the gradient into ``grad``, in the prediction's dtype.  Semantics follow
``torch.nn.MSELoss``, ``L1Loss``, ``HuberLoss`` and ``CrossEntropyLoss``;
:func:`pinball_loss` is the quantile (pinball) loss of quantile regression.
"""

import math

import numpy as np
from numba import njit

from .config import NJIT


@njit(**NJIT)
def mse_loss(pred, target, grad):
    """Mean squared error over all elements of the 2-D arrays ``pred``/``target``."""
    n = pred.size
    scale = pred.dtype.type(2.0 / n)
    total = 0.0
    for i in range(pred.shape[0]):
        for k in range(pred.shape[1]):
            d = pred[i, k] - target[i, k]
            total += np.float64(d) * np.float64(d)
            grad[i, k] = scale * d
    return total / n


@njit(**NJIT)
def mae_loss(pred, target, grad):
    """Mean absolute error; the gradient is sign(pred - target) / n (0 at 0)."""
    n = pred.size
    scale = pred.dtype.type(1.0 / n)
    zero = pred.dtype.type(0.0)
    total = 0.0
    for i in range(pred.shape[0]):
        for k in range(pred.shape[1]):
            d = pred[i, k] - target[i, k]
            total += abs(np.float64(d))
            if d > zero:
                grad[i, k] = scale
            elif d < zero:
                grad[i, k] = -scale
            else:
                grad[i, k] = zero
    return total / n


@njit(**NJIT)
def huber_loss(pred, target, delta, grad):
    """Huber loss with threshold ``delta`` (> 0), like ``torch.nn.HuberLoss``."""
    n = pred.size
    scale = pred.dtype.type(1.0 / n)
    dl = pred.dtype.type(delta)
    total = 0.0
    for i in range(pred.shape[0]):
        for k in range(pred.shape[1]):
            d = pred[i, k] - target[i, k]
            a = abs(d)
            if a < dl:
                total += 0.5 * np.float64(d) * np.float64(d)
                grad[i, k] = scale * d
            else:
                total += delta * (np.float64(a) - 0.5 * delta)
                grad[i, k] = scale * dl if d > 0 else -scale * dl
    return total / n


@njit(**NJIT)
def pinball_loss(pred, target, quantiles, grad):
    """Pinball (quantile) loss, mean over all ``N * S * Q`` elements of ``pred``.

    ``pred`` is (N, S*Q), ``target`` (N, S), ``quantiles`` float64 (Q,) in
    (0, 1); column ``s*Q + j`` of ``pred`` predicts the quantile
    ``quantiles[j]`` of target column ``s``.  With ``u = target - pred`` the
    per-element loss is ``max(q*u, (q-1)*u)``; its derivative w.r.t. ``pred``
    is ``-q`` for ``u > 0``, ``1 - q`` for ``u < 0`` and 0 at ``u == 0`` (the
    subgradient convention of :func:`mae_loss`), divided by ``N * S * Q``.
    """
    N = pred.shape[0]
    S = target.shape[1]
    Q = quantiles.shape[0]
    n = pred.size
    inv_n = 1.0 / n
    zero = pred.dtype.type(0.0)
    total = 0.0
    for i in range(N):
        for s in range(S):
            t = target[i, s]
            for j in range(Q):
                c = s * Q + j
                q = quantiles[j]
                u = t - pred[i, c]
                if u > zero:
                    total += q * np.float64(u)
                    grad[i, c] = -q * inv_n
                elif u < zero:
                    total += (q - 1.0) * np.float64(u)
                    grad[i, c] = (1.0 - q) * inv_n
                else:
                    grad[i, c] = zero
    return total / n


@njit(**NJIT)
def cross_entropy_loss(logits, labels, grad):
    """Softmax cross-entropy, mean over rows; logits (N, C), labels int64 (N,)."""
    N, C = logits.shape
    scale = 1.0 / N
    total = 0.0
    for i in range(N):
        m = np.float64(logits[i, 0])
        for k in range(1, C):
            if logits[i, k] > m:
                m = np.float64(logits[i, k])
        s = 0.0
        for k in range(C):
            s += math.exp(np.float64(logits[i, k]) - m)
        lse = m + math.log(s)
        total += lse - np.float64(logits[i, labels[i]])
        for k in range(C):
            p = math.exp(np.float64(logits[i, k]) - lse)
            grad[i, k] = (p - (1.0 if k == labels[i] else 0.0)) * scale
    return total * scale
