"""Several fits at once in joblib's threading backend, against the same fits one after the other.

Usage::

    python benchmarks/threading_backend.py [--fits 2] [--windows 5] [--hogs N]
                                           [--hog-seconds 120] [--markdown out.md]

Each "fit" is ``LSTMForecaster(random_state=0, n_estimators=2, verbose=0).fit(y)`` on its own
1,500-point series (default ``n_jobs``).  Settings, timed in windows that alternate
(A B C D, D C B A, ...), medians reported:

* ``threads``: the ``--fits`` fits under ``Parallel(n_jobs=--fits, backend="threading")``;
* ``sequential``: the same fits one after the other in the main thread;
* ``threads, old BLAS switch`` / ``sequential, old BLAS switch``: the same with the
  single-threaded-BLAS block as it was before the fix (``_blas._release_blas_control``
  replaced by a no-op, so a block entered in a worker thread is ignored by threadpoolctl
  and OpenBLAS keeps all its threads), in the same process and windows.

Before any timing the main thread fits once, which also makes it threadpoolctl's
"controlling" thread, as in any session that fitted something before.  The ratio reported
is time(threads) / time(sequential): on 2 cores and 2 fits, about 0.5-1.0 is expected
(each fit has single-threaded parts), above 1 means the threads get in each other's way.
Then the same under load: ``--hogs`` CPU-bound processes (default 2x the cores).
Forecasts of every setting are compared bit for bit with the sequential ones of the current
code (before the fix, fits in threads ran multi-threaded GEMMs and their forecasts differed).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

LOAD_BEFORE = C.load()

from joblib import Parallel, delayed  # noqa: E402

from rnnforecast import LSTMForecaster  # noqa: E402
from rnnforecast.nn.threads import cpu_count  # noqa: E402
from rnnforecast.utils import _blas  # noqa: E402
from threads_load import cpu_hogs  # noqa: E402


def _series(n_fits):
    rng = np.random.default_rng(0)
    return [np.abs(50 + np.cumsum(rng.normal(size=1500))) + 10 for _ in range(n_fits)]


def _fit(y):
    return np.asarray(LSTMForecaster(random_state=0, n_estimators=2, verbose=0).fit(y).predict(12))


def _run(setting, ys):
    mode, old = setting
    saved = _blas._release_blas_control
    if old:
        # as before the fix: the main thread, which fitted first, controls threadpoolctl's limit
        _blas._get_controller().limit(limits=1, user_api="blas").restore_original_limits()
        _blas._release_blas_control = lambda: None
    try:
        t0 = time.perf_counter()
        if mode == "threads":
            out = Parallel(n_jobs=len(ys), backend="threading")(delayed(_fit)(y) for y in ys)
        else:
            out = [_fit(y) for y in ys]
        return time.perf_counter() - t0, out
    finally:
        _blas._release_blas_control = saved
        _blas._release_blas_control()  # nobody controls it now (as after any block since the fix)


def _measure(ys, windows, table, situation):
    settings = [("threads", False), ("sequential", False), ("threads", True), ("sequential", True)]
    times = {s: [] for s in settings}
    outs = {}
    for w in range(windows + 1):
        for s in (settings if w % 2 == 0 else settings[::-1]):
            dt, out = _run(s, ys)
            outs[s] = out
            if w:  # window 0 warms up
                times[s].append(dt)
    ref = outs[("sequential", False)]

    def same(old):
        return all(all(a.tobytes() == b.tobytes() for a, b in zip(outs[(mode, old)], ref))
                   for mode in ("threads", "sequential"))
    med = {s: C.median(v) for s, v in times.items()}
    for old in (False, True):
        ratio = med[("threads", old)] / med[("sequential", old)]
        table.add(situation, f"{os.getloadavg()[0]:.2f}", "before the fix" if old else "now",
                  f"{med[('threads', old)]:.3f}", f"{med[('sequential', old)]:.3f}",
                  f"{ratio:.2f}", same(old))
        print(f"  {situation}, {'old' if old else 'now'}: threads/sequential = {ratio:.2f}",
              flush=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--fits", type=int, default=2)
    p.add_argument("--windows", type=int, default=5)
    p.add_argument("--hogs", type=int, default=0, help="CPU hog processes (default 2x cores)")
    p.add_argument("--hog-seconds", type=float, default=120.0)
    p.add_argument("--markdown", metavar="PATH")
    args = p.parse_args(argv)
    cores = cpu_count()
    hogs = args.hogs or 2 * cores
    C.print_header(LOAD_BEFORE)
    ys = _series(args.fits)
    _fit(ys[0])  # compile/load the kernels; the main thread becomes threadpoolctl's controller
    table = C.Table(f"{args.fits} default LSTMForecaster fits (n_estimators=2, 1,500 points each): "
                    "joblib threading backend against one after the other, medians",
                    ["situation", "load avg (1 min)", "BLAS switch", "threads s", "sequential s",
                     "threads / sequential", "same forecasts"],
                    notes=["threads / sequential > 1: the fits slow each other down",
                           "same forecasts: both settings of the row give forecasts bit-identical "
                           "to the sequential fits of the current code",
                           "before the fix: single-threaded-BLAS blocks entered in a worker "
                           "thread were ignored by threadpoolctl (only its controlling thread "
                           "may change a pthreads OpenBLAS's limit)",
                           f"under load: {hogs} CPU-bound hog processes on {cores} cores"])
    _measure(ys, args.windows, table, "quiet")
    with cpu_hogs(hogs, args.hog_seconds):
        _measure(ys, args.windows, table, f"under load ({hogs} hogs)")
    C.finish([table], LOAD_BEFORE, args.markdown)


if __name__ == "__main__":
    main()
