"""The naive twin of a whole :class:`RecurrentNetwork` (embedding, stack, head, loss).

Built only from :mod:`twin.cells` and :mod:`twin.ops`; used to check the kernels end to end.
"""

import numpy as np

from . import cells, ops


def naive_forward_backward(net, params, X, Y=None, loss="mse", huber_delta=1.0, training=False,
                           seed=0, step=0, h0=None, c0=None, doutput=None, dh_n=None, dc_n=None,
                           quantiles=None):
    """Output, h_n, c_n, loss value and gradients of ``net`` computed by the twin.

    Either ``Y`` (with ``loss``) or ``doutput`` gives the upstream gradient;
    ``quantiles`` are the levels of ``loss="pinball"``.
    Returns a dict with "output", "h_n", "c_n", "loss", "grads" (name -> array),
    "input", "h0", "c0".
    """
    P = net.state_dict(params)
    B, T = X.shape[0], X.shape[1]
    D, H, L = net.num_directions, net.hidden_size, net.num_layers
    dt = net.dtype
    if net.vocab_size:
        x = ops.embedding_forward(X, P["embedding.weight"])
    else:
        x = X
    masks = None
    if training and net.dropout > 0 and L > 1:
        masks = [ops.dropout_mask(seed, step, k, net.dropout, (B, T, D * H), dt)
                 for k in range(L - 1)]
    out, h_n, c_n, cache = cells.network_forward(
        P, x, net.cell, L, net.bidirectional, h0=h0, c0=c0, nonlinearity=net.nonlinearity,
        dropout_masks=masks)
    res = {"h_n": h_n, "c_n": c_n}
    if net.output_size:
        if net.head == "sequence":
            feat = out
        elif net.head == "last":
            feat = out[:, -1:, :]
        else:
            top = h_n[(L - 1) * D:]
            feat = np.concatenate(list(top), axis=1)[:, None, :]
        hmask = None
        if training and net.head_dropout > 0:
            hmask = ops.dropout_mask(seed, step, L, net.head_dropout, feat.shape, dt)
            feat_in = feat * hmask
        else:
            feat_in = feat
        y = ops.linear_forward(feat_in, P["fc.weight"], P["fc.bias"])
        output = y if net.head == "sequence" else y[:, 0, :]
    else:
        output = out
    res["output"] = output
    if doutput is None:
        if loss == "mse":
            value, doutput = ops.mse_loss(output, Y)
        elif loss == "mae":
            value, doutput = ops.mae_loss(output, Y)
        elif loss == "huber":
            value, doutput = ops.huber_loss(output, Y, huber_delta)
        elif loss == "pinball":
            value, doutput = ops.pinball_loss(output.reshape(B, -1), Y.reshape(B, -1), quantiles)
            doutput = doutput.reshape(output.shape)
        else:
            value, doutput = ops.cross_entropy_loss(output, Y)
        res["loss"] = float(value)
    grads = {}
    dh_n = np.zeros_like(h_n) if dh_n is None else dh_n.copy()
    if net.output_size:
        dy = doutput if net.head == "sequence" else doutput[:, None, :]
        dfeat, dw, db = ops.linear_backward(feat_in, P["fc.weight"], dy)
        grads["fc.weight"], grads["fc.bias"] = dw, db
        if hmask is not None:
            dfeat = dfeat * hmask
        dout = np.zeros_like(out)
        if net.head == "sequence":
            dout = dfeat
        elif net.head == "last":
            dout[:, -1:, :] = dfeat
        else:
            for d in range(D):
                dh_n[(L - 1) * D + d] += dfeat[:, 0, d * H:(d + 1) * H]
    else:
        dout = doutput
    g = cells.network_backward(cache, dout, dh_n, dc_n)
    for name in P:
        if name in g:
            grads[name] = g[name]
    if net.vocab_size:
        grads["embedding.weight"] = ops.embedding_backward(X, g["input"], net.vocab_size)
    res.update(grads=grads, input=g["input"], h0=g["h0"], c0=g["c0"])
    return res
