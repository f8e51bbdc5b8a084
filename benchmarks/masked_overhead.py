"""Cost of left-padded (masked) batches in a training step, side by side.

Usage::

    python benchmarks/masked_overhead.py [--cell lstm] [--batch 32] [--length 24]
                                         [--hidden 32] [--seconds 0.3] [--windows 5]

One float32 training step (forward, backward, MSE, Adam) of a one-layer
network on four batches of the same shape, timed in alternating windows in
one process (median rate of each reported as a ratio to the unpadded batch):

* ``unpadded``: no NaN (the plain kernel path, plus the NaN check);
* ``pipeline``: what a ``SlidingWindowTransformer`` batch near the start of a
  series holds: 2 rows padded (3 groups of lengths);
* ``same-length``: every row padded by the same amount (1 group, trimmed);
* ``all-distinct``: every row a different length (``batch`` groups), the
  worst case.

It also times the NaN check alone (``padding_lengths``) against the step.
The machine load is printed: on a shared machine compare the ratios, not
the absolute times.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

from rnnforecast.nn import RecurrentNetwork  # noqa: E402
from rnnforecast.nn.masked import padding_lengths  # noqa: E402
from rnnforecast.nn.threads import kernel_threads  # noqa: E402
from rnnforecast.nn.training import make_optimizer, train_step  # noqa: E402


def batches(B, T, I, rng):
    X = rng.standard_normal((B, T, I)).astype(np.float32)
    pipeline = X.copy()
    pipeline[0, :T - 3] = np.nan
    pipeline[1, :T - 10] = np.nan
    same = X.copy()
    same[:, :T // 4] = np.nan
    distinct = X.copy()
    for b, L in enumerate(np.linspace(1, T, B).astype(int)):
        distinct[b, :T - L] = np.nan
    return {"unpadded": X, "pipeline": pipeline, "same-length": same, "all-distinct": distinct}


def rate(fn, seconds):
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cell", default="lstm", choices=["lstm", "gru", "rnn"])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--length", type=int, default=24)
    p.add_argument("--features", type=int, default=2)
    p.add_argument("--hidden", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seconds", type=float, default=0.3)
    p.add_argument("--windows", type=int, default=5)
    a = p.parse_args(argv)
    print(f"{C.command_line()}\nload before: {C.load()}; cores: {C.cores()}; {C.cpu_model()}")
    B, T, I, H = a.batch, a.length, a.features, a.hidden
    net = RecurrentNetwork(a.cell, I, H, output_size=1, head="final_state", dtype=np.float32)
    params = net.init_params(0)
    opt = make_optimizer("adam", net.n_params, net.dtype, 1e-3)
    rng = np.random.default_rng(0)
    Y = rng.standard_normal((B, 1)).astype(np.float32)
    data = batches(B, T, I, rng)
    rates = {k: [] for k in data}
    check = []
    with kernel_threads(a.threads):
        for X in data.values():  # compile and warm up
            train_step(net, params, opt, X, Y)
        for w in range(a.windows):
            order = list(data) if w % 2 == 0 else list(data)[::-1]
            for k in order:
                rates[k].append(rate(lambda X=data[k]: train_step(net, params, opt, X, Y),
                                     a.seconds))
            check.append(rate(lambda: padding_lengths(data["unpadded"]), a.seconds / 3))
    base = C.median(rates["unpadded"])
    print(f"{a.cell}, float32, B={B}, T={T}, I={I}, H={H}, {a.threads} thread(s); "
          f"median of {a.windows} windows of {a.seconds} s")
    print(f"{'batch':<14}{'steps/s':>10}{'time vs unpadded':>20}")
    for k, r in rates.items():
        print(f"{k:<14}{C.median(r):>10.1f}{base / C.median(r):>19.2f}x")
    print(f"NaN check alone: {1e6 / C.median(check):.1f} us = "
          f"{100 * base / C.median(check):.2f} % of an unpadded step")
    print(f"load after: {C.load()}")


if __name__ == "__main__":
    main()
