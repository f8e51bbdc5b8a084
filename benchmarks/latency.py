"""End-to-end forecast latency: ``predict(24)`` of a fitted forecaster for one series.

Usage::

    python benchmarks/latency.py [--cells lstm,gru,rnn] [--h 24] [--repeats 200]
                                 [--markdown out.md]

For each cell, a default forecaster (``<Cell>Forecaster(random_state=0)``, only
``max_iter`` lowered to 5 because training quality does not matter here) is
fitted on the bundled monthly CO2 series, once with the default recursive
strategy and once with ``strategy="direct", horizon=h``; then ``predict(h)``
is called ``--repeats`` times and the median wall time per call is reported
(target <= 1 ms), next to the median time of the network's forward pass on
one window alone (``net.forward`` with its input checks), which is the floor
the forecaster adds its own work to (windowing, scaling, pandas index).
Everything runs in one process on one kernel thread (``n_jobs=1``); the load
average is printed because the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

LOAD_BEFORE = C.load()

from rnnforecast import GRUForecaster, LSTMForecaster, RNNForecaster  # noqa: E402
from rnnforecast.datasets import load_co2  # noqa: E402

CLASSES = {"lstm": LSTMForecaster, "gru": GRUForecaster, "rnn": RNNForecaster}
TARGET_MS = 1.0


def median_seconds(fn, repeats):
    fn()  # first call: caches, lazy imports
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cells", default="lstm,gru,rnn")
    p.add_argument("--h", type=int, default=24)
    p.add_argument("--repeats", type=int, default=200)
    p.add_argument("--markdown", metavar="PATH")
    args = p.parse_args(argv)
    cells = [c.strip() for c in args.cells.split(",") if c.strip()]
    for c in cells:
        if c not in CLASSES:
            p.error(f"unknown cell {c!r}; choose from {', '.join(CLASSES)}")
    print(f"latency.py  {C.now()}")
    print(f"command: {C.command_line()}")
    print(f"CPU: {C.cpu_model()} ({C.cpu_flags()}), {C.cores()} cores available")
    print(f"load average (1/5/15 min) before: {LOAD_BEFORE}")
    y = load_co2()
    h = args.h
    table = C.Table(f"predict({h}) of a fitted forecaster, one series ({len(y)} monthly CO2 "
                    "values), 1 kernel thread, median of "
                    f"{args.repeats} calls",
                    ["cell", "strategy", "window", "predict ms", "network forward µs",
                     "forwards per predict", "target", "status"],
                    notes=["network forward = net.forward(params, one window) with input "
                           "checks, the kernel floor of one step",
                           "recursive: one forward per forecast step; direct: one forward"])
    for cell in cells:
        for strategy in ("recursive", "direct"):
            extra = {"strategy": "direct", "horizon": h} if strategy == "direct" else {}
            model = CLASSES[cell](random_state=0, max_iter=5, n_jobs=1, verbose=0, **extra)
            model.fit(y)
            sec = median_seconds(lambda: model.predict(h), args.repeats)
            net, params = model.network_, model.params_
            window = np.zeros((1, model.window_length, net.input_size), net.dtype)
            fwd = median_seconds(lambda: net.forward(params, window), args.repeats)
            ms = sec * 1e3
            table.add(cell, strategy, model.window_length, f"{ms:.3f}", f"{fwd * 1e6:.0f}",
                      h if strategy == "recursive" else 1, f"<= {TARGET_MS:g} ms",
                      "met" if ms <= TARGET_MS else "MISSED")
            print(f"  {cell} {strategy}: predict({h}) {ms:.3f} ms, forward {fwd * 1e6:.0f} µs",
                  flush=True)
    C.finish([table], LOAD_BEFORE, args.markdown)


if __name__ == "__main__":
    main()
