"""Compile the kernels ahead of first use.

Numba compiles a kernel the first time it meets a new combination of argument
types and, with caching on (the default, see
:mod:`rnnforecast._kernels.config`), stores the machine code on disk.  Running
:func:`warmup` once after installation moves that one-off cost out of the first
``fit``.
"""

from __future__ import annotations

import time

import numpy as np

from .network import CELLS, RecurrentNetwork
from .threads import kernel_threads
from .training import SGD, Adam, compute_loss, train_step

DEFAULT_DTYPES = ("float32", "float64")


def warmup(cells=CELLS, dtypes=DEFAULT_DTYPES, bidirectional=(False, True), verbose=False):
    """Compile (or load from the cache) every kernel a training run uses.

    Parameters
    ----------
    cells : iterable of {"rnn", "gru", "lstm"}
    dtypes : iterable of {"float32", "float64"}
    bidirectional : iterable of bool
    verbose : bool
        Print one line per (cell, dtype) with its time.

    Returns
    -------
    dict
        ``(cell, dtype) -> seconds``.
    """
    timings = {}
    rng = np.random.default_rng(0)
    with kernel_threads(None):
        for dtype in dtypes:
            for cell in cells:
                start = time.perf_counter()
                for bi in bidirectional:
                    # two layers with dropout: every kernel of a training step is used
                    net = RecurrentNetwork(cell, 2, 3, num_layers=2, bidirectional=bi, dropout=0.1,
                                           output_size=1, dtype=dtype)
                    params = net.init_params(0)
                    X = rng.standard_normal((4, 3, 2)).astype(dtype)
                    Y = rng.standard_normal((4, 1)).astype(dtype)
                    for opt in (Adam(net.n_params, net.dtype), SGD(net.n_params, net.dtype)):
                        train_step(net, params, opt, X, Y, clip_grad_norm=1.0, clip_grad_value=1.0,
                                   step=1)
                    net.forward(params, X)
                if cell == next(iter(cells)):
                    # the other losses (train_step above used MSE), once per dtype
                    pred = rng.standard_normal((4, 3)).astype(dtype)
                    compute_loss("mae", pred, pred[:, :1].repeat(3, axis=1))
                    compute_loss("huber", pred, pred[:, :1].repeat(3, axis=1))
                    compute_loss("pinball", pred, pred[:, :1], quantiles=[0.1, 0.5, 0.9])
                    compute_loss("cross_entropy", pred, np.array([0, 1, 2, 0], dtype=np.int64))
                timings[(cell, str(np.dtype(dtype)))] = time.perf_counter() - start
                if verbose:
                    print(f"{cell:5s} {np.dtype(dtype)!s:8s} {timings[(cell, str(np.dtype(dtype)))]:6.2f} s",
                          flush=True)
    return timings
