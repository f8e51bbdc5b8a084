"""Naive, loop-level reference implementations ("the twin") for the kernel tests.

:mod:`twin.cells` (recurrent layers), :mod:`twin.ops` (head, embedding,
losses, dropout, clipping, optimisers), :mod:`twin.model` (a whole network:
:func:`naive_forward_backward`), :mod:`twin.infer` (prediction:
:func:`naive_predict`); every name is re-exported here.

Everything here is deliberately slow and obvious: explicit Python loops over
time steps and layers, numpy only for the per-step matrix products.  No numba,
no torch.  The conventions are exactly PyTorch's:

* parameters in a dict keyed by PyTorch names (``weight_ih_l0``,
  ``bias_hh_l1_reverse``, ``fc.weight``, ``embedding.weight``, ...);
* gate order r,z,n for GRU and i,f,g,o for LSTM;
* batch-first data ``x`` of shape (B, T, I); layer output (B, T, num_dirs*H),
  forward direction in ``[..., :H]`` and reverse direction in ``[..., H:]``;
* ``h0``/``c0``/``h_n``/``c_n`` shaped (num_layers*num_dirs, B, H), indexed
  ``layer*num_dirs + direction``.

The dtype of the inputs is kept (float32 in, float32 out; float64 in, float64
out).  ``tests/twin/test_twin_vs_torch.py`` proves these functions against torch.
"""

from .cells import *  # noqa: F401,F403
from .cells import GATES, _check_cell, _suffix  # noqa: F401
from .infer import naive_predict  # noqa: F401
from .model import naive_forward_backward  # noqa: F401
from .ops import *  # noqa: F401,F403
