"""A/B: this tree's LSTM kernels against another checkout's, one thread, in one process.

Usage::

    python benchmarks/ab_kernels.py --other /path/to/other/checkout [--configs C1,C2]
                                    [--seconds 0.3] [--windows 10]

The other checkout's ``rnnforecast/_kernels`` package is loaded under another
name beside this tree's, and the forward and the backward pass of one LSTM
direction (float32, chunks of 32 samples, BLAS and kernels on one thread) run
in alternating timed windows (this, other, other, this, ...); the medians of
each pass, their ratios, the per-window pair ratios and whether the two trees
produce bit-identical gradients are printed with the load average.  Run it
with this tree first on ``sys.path`` (``PYTHONPATH=$PWD`` from the checkout's
root when the package is installed from elsewhere).  Kernels
with and without the chunk-range arguments (``c_lo, c_hi``, since 2026-11-30)
are both understood.  Used to check that the serial chunk kernels are as
fast as the former ``prange`` ones at one thread.
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

LOAD_BEFORE = C.load()

import rnnforecast._kernels.lstm as this_lstm  # noqa: E402
from rnnforecast.nn.threads import kernel_threads  # noqa: E402

CONFIGS = {"C1": (64, 24, 1, 32), "C2": (256, 48, 1, 64), "C3": (256, 96, 8, 128),
           "C4": (128, 48, 1, 256)}
CHUNK = 32


def load_other(path):
    """The other checkout's ``_kernels.lstm`` module, imported as ``other_kernels.lstm``."""
    pkg = os.path.join(path, "rnnforecast", "_kernels")
    spec = importlib.util.spec_from_file_location("other_kernels", os.path.join(pkg, "__init__.py"),
                                                  submodule_search_locations=[pkg])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["other_kernels"] = mod
    spec.loader.exec_module(mod)
    import other_kernels.lstm as lstm  # noqa: E402

    return lstm


def forward(module, shape, data):
    """One forward pass with ``module``'s kernels; returns the arrays the backward pass needs."""
    B, T, I, H = shape
    x, w_ih, w_hh, b_ih, b_hh, h0, c0 = data[:7]
    nc = -(-B // CHUNK)
    ranged = "c_lo" in inspect.signature(module.lstm_forward.py_func).parameters
    rng = (0, nc) if ranged else ()
    out, cells = np.empty((B, T, H), np.float32), np.empty((B, T, H), np.float32)
    gates = np.empty((B, T, 4 * H), np.float32)
    module.lstm_forward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, False, CHUNK, *rng, out, 0, gates,
                        cells, np.empty((B, H), np.float32), np.empty((B, H), np.float32))
    return rng, out, gates, cells


def backward(module, shape, data, saved):
    """One backward pass with ``module``'s kernels over ``saved``; returns the gradient buffer."""
    B, T, I, H = shape
    x, w_ih, w_hh, b_ih, b_hh, h0, c0, dout, dh_n, dc_n = data
    rng, out, gates, cells = saved
    P = 4 * H * (I + H + 2)
    offs = np.array([0, 4 * H * I, 4 * H * (I + H), 4 * H * (I + H + 1)], np.int64)
    gbuf = np.empty((-(-B // CHUNK), P), np.float32)
    module.lstm_backward(x, w_ih, w_hh, h0, c0, False, CHUNK, *rng, out, 0, gates, cells, dout,
                         dh_n, dc_n, False, np.zeros((B, T, I), np.float32),
                         np.empty((B, H), np.float32), np.empty((B, H), np.float32), gbuf, offs)
    return gbuf


def step(module, shape, data):
    """One forward + backward pass with ``module``'s kernels; returns the gradient buffer."""
    return backward(module, shape, data, forward(module, shape, data))


def timed(fn, seconds):
    """Seconds per call of ``fn`` over one window of at least ``seconds``."""
    t0, n = time.perf_counter(), 0
    while time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return (time.perf_counter() - t0) / n


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--other", required=True, help="root of the other checkout")
    p.add_argument("--configs", default="C1,C2")
    p.add_argument("--seconds", type=float, default=0.3)
    p.add_argument("--windows", type=int, default=10)
    args = p.parse_args(argv)
    other = load_other(os.path.abspath(args.other))
    print(f"ab_kernels.py  {C.now()}")
    print(f"command: {C.command_line()}")
    print(f"CPU: {C.cpu_model()} ({C.cpu_flags()}), {C.cores()} cores available")
    print(f"load average (1/5/15 min) before: {LOAD_BEFORE}")
    table = C.Table("One LSTM direction, float32, 1 thread (medians of alternating windows)",
                    ["config (B,T,I,H)", "pass", "this ms", "other ms", "other / this",
                     "pair ratios", "same bits"],
                    notes=["other / this > 1: this tree is faster; 'forward + backward' is "
                           "the sum of the two passes' medians"])
    for cfg in [c.strip().upper() for c in args.configs.split(",") if c.strip()]:
        shape = CONFIGS[cfg]
        B, T, I, H = shape
        r = np.random.default_rng(0)

        def f(*s):
            return (0.3 * r.standard_normal(s)).astype(np.float32)

        data = (f(B, T, I), f(4 * H, I), f(4 * H, H), f(4 * H), f(4 * H), f(B, H), f(B, H),
                f(B, T, H), f(B, H), f(B, H))
        mods = {"this": this_lstm, "other": other}
        times = {(n, p): [] for n in mods for p in ("forward", "backward")}
        with kernel_threads(1):
            same = step(this_lstm, shape, data).tobytes() == step(other, shape, data).tobytes()
            saved = {n: forward(m, shape, data) for n, m in mods.items()}
            for w in range(args.windows):
                for n in (("this", "other") if w % 2 == 0 else ("other", "this")):
                    m = mods[n]
                    times[(n, "forward")].append(
                        timed(lambda: forward(m, shape, data), args.seconds / 2))
                    times[(n, "backward")].append(
                        timed(lambda: backward(m, shape, data, saved[n]), args.seconds / 2))
        totals = {}
        for p in ("forward", "backward"):
            a, b = C.median(times[("this", p)]), C.median(times[("other", p)])
            totals[p] = (a, b)
            pair = [o / t for o, t in zip(times[("other", p)], times[("this", p)])]
            table.add(f"{cfg} {shape}", p, f"{a * 1e3:.2f}", f"{b * 1e3:.2f}", f"{b / a:.3f}",
                      f"{min(pair):.2f}-{max(pair):.2f}", same)
        a = totals["forward"][0] + totals["backward"][0]
        b = totals["forward"][1] + totals["backward"][1]
        pair = [(of + ob) / (tf + tb) for of, ob, tf, tb in
                zip(times[("other", "forward")], times[("other", "backward")],
                    times[("this", "forward")], times[("this", "backward")])]
        table.add(f"{cfg} {shape}", "forward + backward", f"{a * 1e3:.2f}", f"{b * 1e3:.2f}",
                  f"{b / a:.3f}", f"{min(pair):.2f}-{max(pair):.2f}", same)
        print(f"  {cfg}: other/this forward {totals['forward'][1] / totals['forward'][0]:.3f}, "
              f"backward {totals['backward'][1] / totals['backward'][0]:.3f}, "
              f"both {b / a:.3f}", flush=True)
    C.finish([table], LOAD_BEFORE)


if __name__ == "__main__":
    main()
