"""End-to-end forecast latency: ``predict(h)`` of a fitted default forecaster for one series.

Usage::

    python benchmarks/latency.py [--cells lstm,gru,rnn] [--h 24,48] [--repeats 300]
                                 [--no-single] [--markdown out.md]

Headline: for each cell, the true default forecaster
(``<Cell>Forecaster(random_state=0, n_jobs=1, verbose=0)``: every parameter
``"auto"``, so a median ensemble of 5 direct-strategy networks whose block of
``horizon_`` steps is rolled forward beyond ``horizon_``) is fitted on the
bundled monthly CO2 series, then ``predict(h)`` is called ``--repeats`` times
and the median wall time per call is reported (target <= 1 ms at h = 24).
Nothing is lowered: ``max_iter`` and the rest stay automatic (the fit takes
a few seconds per cell).  ``n_jobs=1`` runs the kernels on one thread.

Per-stage breakdown (medians of the stages called alone, in turn within
every repeat, same process):

* ``networks``: the floor, ``RecurrentNetwork.predict(params, X)`` of every
  member on its own (already transformed) input window, once per block;
* ``ensemble``: ``ensemble.forecast`` (every member's windowing, scaling,
  transform, network call, output checks, the median and the roll) minus
  ``networks``;
* ``output``: ``_to_output`` (the pandas index of the next ``h`` periods and
  the Series);
* ``checks``: the rest of ``predict`` (input checks, the history, the output
  guard that refuses NaN/inf).

The second table (``--no-single`` skips it) keeps the earlier rows: one
explicit network (``ensemble.PRE_AUTO_DEFAULTS``, ``max_iter=5``), recursive (one
forward per step) and direct with ``horizon=h``.  Everything runs in one
process; the load average is printed because the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

LOAD_BEFORE = C.load()

import rnnforecast  # noqa: E402
from rnnforecast import GRUForecaster, LSTMForecaster, RNNForecaster  # noqa: E402
from rnnforecast.datasets import load_co2  # noqa: E402
from rnnforecast.forecasting.neural import ensemble  # noqa: E402

CLASSES = {"lstm": LSTMForecaster, "gru": GRUForecaster, "rnn": RNNForecaster}
TARGET_MS = 1.0
TARGET_H = 24


def median_seconds(fn, repeats):
    fn()  # first call: caches, lazy imports
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def member_windows(model):
    """Per member: its network, weights and transformed input window (the last rows of y)."""
    y = model._y_fit_.astype(model.estimators_[0]._np_dtype())
    out = []
    for m in model.estimators_:
        window = y[len(y) - int(m._p("window_length")):][None]
        out.append((m.network_, m.params_,
                    m._transform_.transform(np.ascontiguousarray(window))[0]))
    return out


def stages(model, h, repeats):
    """Median seconds of predict(h) and of its stages (see the module docstring).

    The stages are timed in turn within each repeat (not one after the other
    over the whole run), so a change of the machine's load during the run
    weighs on all of them alike.
    """
    coll = model._series_collection(None, None, None)
    values = np.zeros((h, 1))
    cutoff = (model._y_info_, model._y_info_.cutoff)
    calls = {"total": lambda: model.predict(h),
             "numeric": lambda: ensemble.forecast(model, coll, h, None),
             "output": lambda: model._to_output(values, cutoff, h)}
    for i, (net, params, Xn) in enumerate(member_windows(model)):
        calls[f"net{i}"] = (lambda net=net, params=params, Xn=Xn: net.predict(params, Xn))
    for fn in calls.values():
        fn()  # first call: caches, lazy imports
    wall = {name: [] for name in calls}
    cpu = []
    for _ in range(repeats):
        for name, fn in calls.items():
            c0 = time.thread_time()
            t0 = time.perf_counter()
            fn()
            wall[name].append(time.perf_counter() - t0)
            if name == "total":
                cpu.append(time.thread_time() - c0)
    med = {name: statistics.median(v) for name, v in wall.items()}
    blocks = -(-h // model.horizon_) if model._roll_forward_ else 1
    floor = sum(v for name, v in med.items() if name.startswith("net")) * blocks
    return {"total": med["total"], "networks": floor, "ensemble": med["numeric"] - floor,
            "output": med["output"], "checks": med["total"] - med["numeric"] - med["output"],
            "blocks": blocks, "best": min(wall["total"]), "cpu": statistics.median(cpu)}


def default_tables(cells, hs, y, repeats):
    head = C.Table(f"predict(h) of a fitted DEFAULT forecaster, one series ({len(y)} monthly "
                   f"CO2 values), 1 kernel thread, median of {repeats} calls",
                   ["cell", "h", "members", "horizon_", "blocks", "predict ms", "fastest ms",
                    "thread CPU ms", "networks ms", "target", "status"],
                   notes=["<Cell>Forecaster(random_state=0, n_jobs=1, verbose=0): every "
                          "parameter automatic (nothing lowered)",
                          "predict ms = median wall time (the target's measure); fastest = "
                          "the quickest call; thread CPU = median CPU time of the calling "
                          "thread (n_jobs=1: all the work; a busy machine's waits excluded)",
                          "networks = every member's RecurrentNetwork.predict on its window, "
                          "times the blocks (the floor)",
                          f"target: <= {TARGET_MS:g} ms at h = {TARGET_H} (issue 11, item 4); "
                          "other h for information"])
    parts = C.Table("Per-stage breakdown of the same calls (ms; each stage timed alone, in "
                    "turn within every repeat)",
                    ["cell", "h", "networks", "ensemble rest", "output index", "checks + rest",
                     "total"],
                    notes=["ensemble rest = ensemble.forecast minus networks (windowing, "
                           "transforms, output checks, median, roll)",
                           "output index = _to_output (pandas index + Series); checks + rest = "
                           "predict minus the two"])
    for cell in cells:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = CLASSES[cell](random_state=0, n_jobs=1, verbose=0).fit(y)
        for h in hs:
            s = stages(model, h, repeats)
            ms = s["total"] * 1e3
            status = ("met" if ms <= TARGET_MS else "MISSED") if h == TARGET_H else "-"
            head.add(cell, h, len(model.estimators_), model.horizon_, s["blocks"], f"{ms:.3f}",
                     f"{s['best'] * 1e3:.3f}", f"{s['cpu'] * 1e3:.3f}",
                     f"{s['networks'] * 1e3:.3f}", f"<= {TARGET_MS:g} ms" if h == TARGET_H
                     else "-", status)
            parts.add(cell, h, *(f"{s[k] * 1e3:.3f}" for k in ("networks", "ensemble", "output",
                                                             "checks", "total")))
            print(f"  {cell} default: predict({h}) {ms:.3f} ms "
                  f"(networks {s['networks'] * 1e3:.3f} ms)", flush=True)
    return [head, parts]


def single_table(cells, h, y, repeats):
    table = C.Table(f"predict({h}) of ONE explicit network (the pre-auto defaults, max_iter=5), "
                    f"1 kernel thread, median of {repeats} calls",
                    ["cell", "strategy", "window", "predict ms", "network forward µs",
                     "forwards per predict"],
                    notes=["network forward = net.forward(params, one window) with input "
                           "checks, the kernel floor of one step",
                           "recursive: one forward per forecast step; direct: one forward"])
    for cell in cells:
        for strategy in ("recursive", "direct"):
            explicit = dict(ensemble.PRE_AUTO_DEFAULTS, max_iter=5, strategy=strategy,
                            horizon=h if strategy == "direct" else None)
            model = CLASSES[cell](**explicit, random_state=0, n_jobs=1, verbose=0).fit(y)
            sec = median_seconds(lambda: model.predict(h), repeats)
            net, params = model.network_, model.params_
            window = np.zeros((1, model.window_length, net.input_size), net.dtype)
            fwd = median_seconds(lambda: net.forward(params, window), repeats)
            table.add(cell, strategy, model.window_length, f"{sec * 1e3:.3f}", f"{fwd * 1e6:.0f}",
                      h if strategy == "recursive" else 1)
            print(f"  {cell} {strategy}: predict({h}) {sec * 1e3:.3f} ms", flush=True)
    return table


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cells", default="lstm,gru,rnn")
    p.add_argument("--h", default="24,48", help="comma-separated horizons (default 24,48)")
    p.add_argument("--repeats", type=int, default=300)
    p.add_argument("--no-single", action="store_true", help="skip the one-network table")
    p.add_argument("--markdown", metavar="PATH")
    args = p.parse_args(argv)
    cells = [c.strip() for c in args.cells.split(",") if c.strip()]
    for c in cells:
        if c not in CLASSES:
            p.error(f"unknown cell {c!r}; choose from {', '.join(CLASSES)}")
    try:
        hs = [int(v) for v in args.h.split(",") if v.strip()]
    except ValueError:
        p.error(f"--h must be comma-separated integers; got {args.h!r}")
    if not hs or min(hs) < 1:
        p.error(f"--h must list horizons >= 1; got {args.h!r}")
    print(f"latency.py  {C.now()}")
    print(f"command: {C.command_line()}")
    print(f"CPU: {C.cpu_model()} ({C.cpu_flags()}), {C.cores()} cores available")
    print(f"load average (1/5/15 min) before: {LOAD_BEFORE}")
    print(f"package: {os.path.dirname(rnnforecast.__file__)} ({rnnforecast.__version__})")
    y = load_co2()
    tables = default_tables(cells, hs, y, args.repeats)
    if not args.no_single:
        tables.append(single_table(cells, hs[0], y, args.repeats))
    C.finish(tables, LOAD_BEFORE, args.markdown)


if __name__ == "__main__":
    main()
