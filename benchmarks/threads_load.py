"""Kernel threads on a busy machine, on a quiet one, and beside PyTorch in one process.

Usage::

    python benchmarks/threads_load.py [--cells lstm] [--seconds 1.0] [--windows 5]
                                      [--hogs N] [--hog-seconds 120] [--no-torch]
                                      [--markdown out.md]

A "fit" here is ``rnnforecast.nn.loop.train`` for one epoch over 1024 samples in batches of
256 at the C2 shapes (B=256, T=48, I=1, H=64, float32): 4 training steps.
Three measurements, each with timed windows that alternate between the two
settings compared (A B B A ...), medians reported:

1. **quiet**: ``n_jobs=2`` against ``n_jobs=1`` (the 2-thread speed-up; target
   >= 1.7x).  Only meaningful when the load average printed is well below the
   core count: the machine this runs on may be shared.
2. **under load**: this script starts ``--hogs`` CPU-bound processes (default
   2x the cores; each ends by itself after ``--hog-seconds`` and all are killed
   in a ``finally``), then compares the default ``n_jobs=None`` with
   ``n_jobs=1``.  Reported as time(default) / time(n_jobs=1); target <= 1.3.
3. **beside PyTorch** (unless ``--no-torch``): each timed fit is preceded by a
   PyTorch LSTM training step at 2 threads in the same process (so both thread
   pools are live), default ``n_jobs`` against ``n_jobs=1``; target <= 1.3.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import sys
import time

import numba
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

LOAD_BEFORE = C.load()

from rnnforecast.nn import RecurrentNetwork  # noqa: E402
from rnnforecast.nn.threads import (cpu_count, kernel_threads, resolve_n_jobs,  # noqa: E402
                                    run_chunks)
from rnnforecast.nn.loop import ArraySource, TrainConfig, train  # noqa: E402

SHAPE = (256, 48, 1, 64)  # C2
N_SAMPLES = 1024
SCALING_TARGET = 1.7
LOAD_TARGET = 1.3


def _hog(seconds):  # pragma: no cover - runs in a child process
    end = time.time() + seconds
    x = 0
    while time.time() < end:
        for _ in range(100_000):
            x += 1


@contextlib.contextmanager
def cpu_hogs(n, seconds):
    """``n`` CPU-bound processes for the ``with`` block (each also ends by itself after
    ``seconds``); started 2 s before the block runs, killed when it ends."""
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_hog, args=(seconds,), daemon=True) for _ in range(n)]
    try:
        for pr in procs:
            pr.start()
        time.sleep(2.0)
        yield
    finally:
        for pr in procs:
            pr.kill()
        for pr in procs:
            pr.join(5)


@numba.njit(nogil=True, cache=False)
def _burn(n):
    s = 0.0
    for i in range(n):
        s += (i % 7) * 0.5
    return s


class Reference:
    """The ideal: 8 equal, independent nogil chunks of pure arithmetic through the same pool,
    so its 2-thread speed-up is what two threads can get on this machine at this moment."""

    def __call__(self, n_jobs):
        t0 = time.perf_counter()
        with kernel_threads(n_jobs):
            run_chunks(lambda lo, hi: _burn(2_000_000 * (hi - lo)), 8)
        return time.perf_counter() - t0, np.zeros(1)


class Fit:
    """One-epoch fits of a C2-shaped network on fixed data."""

    def __init__(self, cell):
        B, T, I, H = SHAPE
        rng = np.random.default_rng(0)
        self.net = RecurrentNetwork(cell, I, H, dtype=np.float32)
        self.X = rng.standard_normal((N_SAMPLES, T, I)).astype(np.float32)
        self.Y = rng.standard_normal((N_SAMPLES, 1)).astype(np.float32)
        self.batch = B

    def __call__(self, n_jobs):
        t0 = time.perf_counter()
        params = train(self.net, self.net.init_params(0), ArraySource(self.X, self.Y), loss="mse",
                       seed=0, config=TrainConfig(max_iter=1, batch_size=self.batch,
                                                  n_jobs=n_jobs)).params
        return time.perf_counter() - t0, params


def compare(fit, settings, seconds, windows, before=None):
    """Median seconds per ``fit(setting)`` for each of ``settings`` (windows alternate
    A B C, C B A, ...), the per-window ratios of the first setting to the second, and
    whether those two gave bit-identical results."""
    times = {s: [] for s in settings}
    results = {}
    for w in range(windows + 1):
        seq = settings if w % 2 == 0 else settings[::-1]
        for s in seq:
            spent, per_fit = 0.0, []
            while spent < (seconds if w else seconds / 4) or not per_fit:
                if before is not None:
                    before()
                dt, params = fit(s)
                per_fit.append(dt)
                spent += dt
                results[s] = params
            if w:
                times[s].append(C.median(per_fit))
    a, b = settings[:2]
    pair = [x / y for x, y in zip(times[a], times[b])]
    same = results[a].tobytes() == results[b].tobytes()
    return {s: C.median(v) for s, v in times.items()}, pair, same


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cells", default="lstm")
    p.add_argument("--seconds", type=float, default=1.0, help="length of one timed window")
    p.add_argument("--windows", type=int, default=5)
    p.add_argument("--hogs", type=int, default=0, help="CPU hog processes (default 2x cores)")
    p.add_argument("--hog-seconds", type=float, default=120.0,
                   help="each hog ends by itself after this long")
    p.add_argument("--no-torch", action="store_true", help="skip the PyTorch measurement")
    p.add_argument("--markdown", metavar="PATH")
    args = p.parse_args(argv)
    cells = [c.strip() for c in args.cells.split(",") if c.strip()]
    cores = cpu_count()
    hogs = args.hogs or 2 * cores
    C.print_header(LOAD_BEFORE)
    print(f"default n_jobs=None resolves to {resolve_n_jobs(None)} kernel threads")
    B, T, I, H = SHAPE
    table = C.Table(f"Fit time (1 epoch, {N_SAMPLES} samples, batch {B}, C2: T={T}, I={I}, H={H},"
                    " float32), medians", ["cell", "situation", "load avg (1 min)", "A", "B",
                                           "A s/fit", "B s/fit", "ratio", "pair ratios",
                                           "same bytes", "target", "status"],
                    notes=["quiet: ratio = B / A = speed-up of 2 threads; meaningful only when "
                           "the ideal speed-up (8 equal nogil chunks of arithmetic through the same "
                           "pool, in windows alternating with ours) is near 2: when it is near 1, "
                           "other processes leave this process one core",
                           f"under load: {hogs} CPU-bound hog processes on {cores} cores; "
                           "ratio = A / B = slow-down of the default against n_jobs=1",
                           "beside torch: a 2-thread PyTorch LSTM training step before every "
                           "fit; ratio = A / B",
                           "same bytes: the fitted parameters of A and B are bit-identical"])
    fits = {cell: Fit(cell) for cell in cells}
    for f in fits.values():
        f(1), f(2)  # compile / load the kernels
    reference = Reference()
    reference(1)
    for cell, fit in fits.items():
        settings = [("ours", 2), ("ours", 1), ("ideal", 2), ("ideal", 1)]
        times, pair, same = compare(lambda s: (fit if s[0] == "ours" else reference)(s[1]),
                                    settings, args.seconds, args.windows)
        ratio = times[("ours", 1)] / times[("ours", 2)]
        ideal = times[("ideal", 1)] / times[("ideal", 2)]
        table.add(cell, f"quiet? (ideal 2-thread speed-up now: {ideal:.2f}x)",
                  f"{os.getloadavg()[0]:.2f}", "n_jobs=2", "n_jobs=1", f"{times[('ours', 2)]:.3f}",
                  f"{times[('ours', 1)]:.3f}", f"{ratio:.2f}x speed-up",
                  f"{min(1 / x for x in pair):.2f}-{max(1 / x for x in pair):.2f}", same,
                  f">= {SCALING_TARGET}x", "met" if ratio >= SCALING_TARGET else "MISSED")
        print(f"  {cell} quiet: 2 threads {ratio:.2f}x faster than 1 (ideal nogil chunks in the "
              f"same windows: {ideal:.2f}x)", flush=True)

    with cpu_hogs(hogs, args.hog_seconds):
        for cell, fit in fits.items():
            times, pair, same = compare(fit, [None, 1], args.seconds, args.windows)
            ratio = times[None] / times[1]
            table.add(cell, f"under load ({hogs} hogs)", f"{os.getloadavg()[0]:.2f}",
                      "n_jobs=None", "n_jobs=1", f"{times[None]:.3f}", f"{times[1]:.3f}",
                      f"{ratio:.2f}x slower", f"{min(pair):.2f}-{max(pair):.2f}", same,
                      f"<= {LOAD_TARGET}x", "met" if ratio <= LOAD_TARGET else "MISSED")
            print(f"  {cell} under load: default/n_jobs=1 = {ratio:.2f}", flush=True)

    if not args.no_torch:
        import torch

        torch.set_num_threads(min(2, cores))
        lstm = torch.nn.LSTM(I, H, batch_first=True)
        opt = torch.optim.Adam(lstm.parameters())
        xt = torch.randn(B, T, I)

        def torch_step():
            opt.zero_grad()
            out, _ = lstm(xt)
            out[:, -1].pow(2).mean().backward()
            opt.step()

        for cell, fit in fits.items():
            times, pair, same = compare(fit, [None, 1], args.seconds, args.windows,
                                        before=torch_step)
            ratio = times[None] / times[1]
            table.add(cell, "beside torch (2 threads)", f"{os.getloadavg()[0]:.2f}",
                      "n_jobs=None", "n_jobs=1", f"{times[None]:.3f}", f"{times[1]:.3f}",
                      f"{ratio:.2f}x slower", f"{min(pair):.2f}-{max(pair):.2f}", same,
                      f"<= {LOAD_TARGET}x", "met" if ratio <= LOAD_TARGET else "MISSED")
            print(f"  {cell} beside torch: default/n_jobs=1 = {ratio:.2f}", flush=True)

    C.finish([table], LOAD_BEFORE, args.markdown)


if __name__ == "__main__":
    main()
