"""Fit time of a default forecaster on one 150-point monthly series (issue 10: <= 2 s warm, 1 thread).

Usage::

    python benchmarks/fit_time_default.py [--repeats 5] [--compare 5,10] [--cell lstm]

The series is the first 150 months of the bundled ``co2`` dataset.  The
kernels are compiled (and the cache warmed) by a first fit that is not
timed; then ``--repeats`` fits of ``LSTMForecaster(random_state=i, n_jobs=1)``
(ensemble included) are timed with ``time.perf_counter`` (wall) and
``time.process_time`` (CPU of this process).  On a shared machine the CPU
time is the figure to read (wall time includes waiting for the cores).
``--compare`` also times the same fits with other ``n_estimators`` values,
interleaved in the same process, and prints their ratios to the default.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402


def timed_fit(cls, y, **params):
    t0, c0 = time.perf_counter(), time.process_time()
    f = cls(n_jobs=1, **params).fit(y)
    return time.perf_counter() - t0, time.process_time() - c0, f


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--compare", default="", help="other n_estimators values, e.g. 5,20")
    p.add_argument("--cell", default="lstm", choices=("lstm", "gru", "rnn"))
    args = p.parse_args(argv)
    from threadpoolctl import threadpool_limits

    from rnnforecast import GRUForecaster, LSTMForecaster, RNNForecaster
    from rnnforecast.datasets import load_dataset

    cls = {"lstm": LSTMForecaster, "gru": GRUForecaster, "rnn": RNNForecaster}[args.cell]
    y = load_dataset("co2").iloc[:150]
    others = [int(x) for x in args.compare.split(",") if x.strip()]
    print(f"load before: {C.load()}; {C.cpu_model()}, {C.cores()} cores (shared machine)")
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, _, f = timed_fit(cls, y, random_state=0)  # compile / warm the cache
        n_default = f.n_estimators_
        times = {"default": []}
        times.update({n: [] for n in others})
        for i in range(args.repeats):
            times["default"].append(timed_fit(cls, y, random_state=i)[:2])
            for n in others:
                times[n].append(timed_fit(cls, y, random_state=i, n_estimators=n)[:2])
    t = C.Table(f"{cls.__name__} fit of one 150-point monthly series, 1 thread, warm "
                f"(median of {args.repeats})", ["n_estimators", "wall s", "CPU s", "CPU ratio to default"])
    cpu0 = statistics.median(c for _, c in times["default"])
    for key, vals in times.items():
        wall, cpu = statistics.median(w for w, _ in vals), statistics.median(c for _, c in vals)
        label = f"{n_default} (default)" if key == "default" else str(key)
        t.add(label, f"{wall:.2f}", f"{cpu:.2f}", f"{cpu / cpu0:.2f}")
    print(t.text())
    print(f"settings: " + "; ".join(f.auto_reasons_))
    print(f"load after: {C.load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
