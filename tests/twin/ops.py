"""The twin's other operations: linear head, embedding, losses, dropout, clipping, Adam/SGD.

Loop-level numpy references with PyTorch's conventions (see :mod:`twin`).
"""

import numpy as np


# ---------------------------------------------------------------------------
# heads
# ---------------------------------------------------------------------------


def linear_forward(x, w, b):
    """x (..., D), w (O, D), b (O,) or None -> (..., O), like torch.nn.Linear."""
    y = x @ w.T
    if b is not None:
        y = y + b
    return y


def linear_backward(x, w, dy):
    """Returns (dx, dw, db) for ``linear_forward``; dy (..., O)."""
    D = x.shape[-1]
    O = w.shape[0]
    x2 = x.reshape(-1, D)
    dy2 = dy.reshape(-1, O)
    dx = (dy2 @ w).reshape(x.shape)
    dw = dy2.T @ x2
    db = dy2.sum(axis=0)
    return dx, dw, db


def embedding_forward(ids, table):
    """ids int (B,T) -> (B,T,E): row lookup, like torch.nn.Embedding."""
    B, T = ids.shape
    out = np.zeros((B, T, table.shape[1]), dtype=table.dtype)
    for b in range(B):
        for t in range(T):
            out[b, t] = table[ids[b, t]]
    return out


def embedding_backward(ids, dy, vocab_size):
    """dtable (V,E): rows accumulate the gradients of every position using them."""
    B, T = ids.shape
    dtable = np.zeros((vocab_size, dy.shape[-1]), dtype=dy.dtype)
    for b in range(B):
        for t in range(T):
            dtable[ids[b, t]] += dy[b, t]
    return dtable


# ---------------------------------------------------------------------------
# losses (reduction="mean", like torch)
# ---------------------------------------------------------------------------


def mse_loss(pred, target):
    """(loss, dpred) of torch.nn.MSELoss(): mean((pred-target)**2)."""
    diff = pred - target
    n = diff.size
    loss = np.mean(diff * diff)
    dpred = (2 * diff / n).astype(pred.dtype, copy=False)
    return pred.dtype.type(loss), dpred


def mae_loss(pred, target):
    """(loss, dpred) of torch.nn.L1Loss(): mean|pred-target|; gradient sign (0 at 0)."""
    diff = pred - target
    n = diff.size
    loss = np.mean(np.abs(diff))
    dpred = (np.sign(diff) / n).astype(pred.dtype, copy=False)
    return pred.dtype.type(loss), dpred


def huber_loss(pred, target, delta=1.0):
    """(loss, dpred) of torch.nn.HuberLoss(reduction="mean", delta=delta)."""
    diff = pred - target
    n = diff.size
    ad = np.abs(diff)
    per = np.where(ad < delta, 0.5 * diff * diff, delta * (ad - 0.5 * delta))
    loss = np.mean(per)
    dpred = (np.clip(diff, -delta, delta) / n).astype(pred.dtype, copy=False)
    return pred.dtype.type(loss), dpred


def cross_entropy_loss(logits, labels):
    """(loss, dlogits) of torch.nn.CrossEntropyLoss(): logits (N,C), int labels (N,)."""
    N = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    logsumexp = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    logp = shifted - logsumexp
    loss = 0.0
    for k in range(N):
        loss -= logp[k, labels[k]]
    loss = loss / N
    dlogits = np.exp(logp)
    for k in range(N):
        dlogits[k, labels[k]] -= 1
    dlogits = (dlogits / N).astype(logits.dtype, copy=False)
    return logits.dtype.type(loss), dlogits


def pinball_loss(pred, target, quantiles):
    """(loss, dpred) of the pinball (quantile) loss, mean over all elements of pred.

    pred (N, S*Q), target (N, S), quantiles (Q,); column s*Q + j of pred is the
    quantile quantiles[j] of target column s.  With u = target - pred the loss
    is mean(max(q*u, (q-1)*u)); dpred is -q (u > 0), 1-q (u < 0), 0 (u == 0),
    divided by the number of elements.
    """
    N, S = target.shape
    q = np.asarray(quantiles, dtype=np.float64)
    Q = q.size
    n = N * S * Q
    loss = 0.0
    dpred = np.zeros(pred.shape, dtype=np.float64)
    for s in range(S):
        for j in range(Q):
            c = s * Q + j
            u = target[:, s] - pred[:, c]          # in pred's dtype, like the kernel
            loss += np.sum(np.maximum(q[j] * u.astype(np.float64),
                                      (q[j] - 1) * u.astype(np.float64)))
            dpred[:, c] = np.where(u > 0, -q[j], np.where(u < 0, 1 - q[j], 0.0)) / n
    return pred.dtype.type(loss / n), dpred.astype(pred.dtype)


# ---------------------------------------------------------------------------
# dropout: counter-based generator
# ---------------------------------------------------------------------------

M64 = 2 ** 64
GAMMA = 0x9E3779B97F4A7C15


def splitmix64(z):
    """SplitMix64 output function applied to state z + gamma (Python ints)."""
    z = (z + GAMMA) % M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % M64
    return z ^ (z >> 31)


def dropout_uniform(seed, step, sample, layer, t, unit):
    """A uniform float in [0,1) determined by its counters alone."""
    z = splitmix64(seed % M64)
    for v in (step, sample, layer, t, unit):
        z = splitmix64(z ^ v)
    return (z >> 11) * 2.0 ** -53


def dropout_mask(seed, step, layer, p, shape_BTD, dtype):
    """mask[b,t,u] = (0 if U < p else 1) / (1-p), U = dropout_uniform(seed, step, b, layer, t, u).

    The scale 1/(1-p) is computed in Python float (double) and then cast to
    ``dtype``.  p >= 1 gives an all-zero mask.
    """
    B, T, D = shape_BTD
    mask = np.zeros((B, T, D), dtype=dtype)
    if p >= 1:
        return mask
    scale = 1.0 / (1.0 - p)
    for b in range(B):
        for t in range(T):
            for u in range(D):
                if dropout_uniform(seed, step, b, layer, t, u) >= p:
                    mask[b, t, u] = scale
    return mask


# ---------------------------------------------------------------------------
# gradient clipping and optimisers (in place)
# ---------------------------------------------------------------------------


def clip_grad_norm(grads, max_norm):
    """Like torch.nn.utils.clip_grad_norm_ (L2): returns the total norm (float)
    and scales every grad by max_norm/(norm+1e-6) if that is < 1."""
    total = 0.0
    for g in grads:
        total += float(np.sum(np.asarray(g, dtype=np.float64) ** 2))
    total = total ** 0.5
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            g *= g.dtype.type(coef)
    return total


def clip_grad_value(grads, clip_value):
    """Like torch.nn.utils.clip_grad_value_: clamp every entry to [-c, c] in place."""
    for g in grads:
        np.clip(g, -clip_value, clip_value, out=g)


def adam_step(param, grad, m, v, step, lr, beta1=0.9, beta2=0.999, eps=1e-8,
              weight_decay=0.0):
    """One torch.optim.Adam step (L2 weight decay added to the gradient,
    amsgrad=False); ``step`` counts from 1.  Updates param, m, v in place;
    ``grad`` is not modified."""
    if weight_decay != 0:
        grad = grad + weight_decay * param
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    denom = np.sqrt(v) / (bias_correction2 ** 0.5) + eps
    param -= (step_size * (m / denom)).astype(param.dtype, copy=False)


def sgd_step(param, grad, buf, lr, momentum=0.0, weight_decay=0.0, nesterov=False,
             first=True):
    """One torch.optim.SGD step (dampening=0).  ``buf`` is the momentum buffer,
    updated in place (set to the gradient when ``first``); ignored (may be
    None) when momentum == 0.  Updates param in place; ``grad`` is not modified."""
    if weight_decay != 0:
        grad = grad + weight_decay * param
    if momentum != 0:
        if first:
            buf[...] = grad
        else:
            buf *= momentum
            buf += grad
        if nesterov:
            grad = grad + momentum * buf
        else:
            grad = buf
    param -= (lr * grad).astype(param.dtype, copy=False)
