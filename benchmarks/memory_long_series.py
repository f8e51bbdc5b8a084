"""Peak memory of fitting one long series (issue 13, cause 8).

One 1e6-point series, ``window_length=168``, 512 windows per epoch: the
windows are built per mini-batch (``WindowSampler``), as for a collection,
so the fit needs the per-time-step rows plus one batch, not every window
(previously 3.9 GiB).  The same data as a 100-series collection is measured
side by side.  Each case runs in a fresh subprocess; it prints the peak
resident memory (``ru_maxrss``) of the process after the imports and after
the fit, and the peak of Python allocations during the fit (``tracemalloc``,
which sees numpy buffers).

Run::

    python benchmarks/memory_long_series.py            # 1e6 points
    python benchmarks/memory_long_series.py --n 200000

Target: the fit of the single series needs <= 300 MiB (traced peak and RSS
added over the imports; the imports alone take ~250 MiB of RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

_CHILD = r"""
import json, resource, sys, tracemalloc
import numpy as np
from rnnforecast import LSTMForecaster
from rnnforecast.forecasting.neural.ensemble import PRE_AUTO_DEFAULTS
n, kind = int(sys.argv[1]), sys.argv[2]
t = np.arange(n)
y = 100 + 10 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(0).normal(size=n)
data = y if kind == "single" else list(y.reshape(100, -1))
kib = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
before = kib()
params = dict(PRE_AUTO_DEFAULTS, window_length=168, hidden_size=16, max_iter=1,
              windows_per_epoch=512, n_jobs=1, random_state=0)
tracemalloc.start()
f = LSTMForecaster(**params).fit(data)
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
f.predict(24)
print(json.dumps({"rss_imports_mib": before / 1024, "rss_peak_mib": kib() / 1024,
                  "traced_peak_mib": peak / 2**20, "windows": int(f.n_windows_)}))
"""


def measure(n: int, kind: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(n), kind], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="series length")
    args = parser.parse_args()
    print(f"machine load (1/5/15 min): {os.getloadavg()}; shared machine")
    rows = {kind: measure(args.n, kind) for kind in ("single", "collection")}
    print(f"{'case':<12}{'windows':>10}{'RSS imports':>14}{'RSS peak':>12}{'fit adds':>12}"
          f"{'traced peak':>14}")
    for kind, r in rows.items():
        r["added"] = r["rss_peak_mib"] - r["rss_imports_mib"]
        print(f"{kind:<12}{r['windows']:>10}{r['rss_imports_mib']:>10.0f} MiB"
              f"{r['rss_peak_mib']:>8.0f} MiB{r['added']:>8.0f} MiB"
              f"{r['traced_peak_mib']:>10.0f} MiB")
    single, coll = rows["single"], rows["collection"]
    print(f"single / collection: RSS added {single['added'] / coll['added']:.2f}, traced peak "
          f"{single['traced_peak_mib'] / coll['traced_peak_mib']:.2f}")
    print(f"target (fit of the single series <= 300 MiB, traced and RSS added): "
          f"{'met' if max(single['added'], single['traced_peak_mib']) <= 300 else 'NOT met'}; "
          f"absolute peak RSS {single['rss_peak_mib']:.0f} MiB includes "
          f"{single['rss_imports_mib']:.0f} MiB of imports (numba/LLVM, pandas, scikit-learn)")


if __name__ == "__main__":
    main()
