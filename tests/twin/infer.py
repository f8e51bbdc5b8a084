"""The twin of :meth:`RecurrentNetwork.predict` (the inference kernels of ``_kernels/infer.py``).

Sample by sample: the left padding (leading all-NaN steps) is dropped, the
sample's valid steps run through :func:`twin.cells.network_forward` with
PyTorch's (untransposed) weights, and the head is applied in float64 to the
last step's output (head "last") or to the last layer's final states
(head "final_state").  Deliberately slow and obvious.
"""

import numpy as np

from . import cells


def naive_predict(net, params, X):
    """Head outputs (N, output_size), float64, of ``net`` with ``params`` on float X (N, T, I)."""
    P = net.state_dict(params)
    L, D, H = net.num_layers, net.num_directions, net.hidden_size
    w = P["fc.weight"].astype(np.float64)
    b = P["fc.bias"].astype(np.float64)
    out = np.empty((X.shape[0], net.output_size), dtype=np.float64)
    for n in range(X.shape[0]):
        valid = ~np.isnan(X[n]).all(axis=1)
        t0 = int(np.argmax(valid))
        x = X[n, t0:][None]
        seq, h_n, _, _ = cells.network_forward(P, x, net.cell, L, net.bidirectional,
                                               nonlinearity=net.nonlinearity)
        if net.head == "last":
            feat = seq[0, -1]
        else:
            feat = np.concatenate([h_n[(L - 1) * D + d, 0] for d in range(D)])
        assert feat.shape == (D * H,)
        out[n] = w @ feat.astype(np.float64) + b
    return out
