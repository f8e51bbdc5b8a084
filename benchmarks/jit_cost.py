"""First-call (JIT) cost: time from process start to the end of the first training step.

Usage::

    python benchmarks/jit_cost.py [--cells lstm,gru,rnn] [--warm-runs 1] [--threads N]
                                  [--fit] [--markdown out.md]
    python benchmarks/jit_cost.py --warmup 1,2
    python benchmarks/jit_cost.py --parts [--cells lstm,gru,rnn]


For each cell, a fresh Python process (a subprocess) with ``NUMBA_CACHE_DIR``
pointed at a new, empty temporary folder imports the package and runs one
float32 training step (forward + BPTT + Adam, MSE on a linear head over the last
step) at the C1 shapes (B=64, T=24, I=1, H=32): the *cold* cost, which includes
compiling every kernel.  Then the same program runs again in new processes with
the now-filled cache: the *warm* cost.  Times are wall-clock from just before
the process is started (so Python's own start-up is included) to the end of the
first step; the import of ``rnnforecast.nn`` (with the training module) and the
first step are also shown on their own.

With ``--fit`` the child instead fits a default forecaster of the cell
(``LSTMForecaster(random_state=0, verbose=0)`` etc.) on the bundled monthly CO2
series, the first thing a new user runs: "first step" is then the whole
``fit`` (compilation and every epoch), and the warm row shows what the
training itself costs; the first ``predict(24)`` after it (which compiles
the inference kernel when the cache is cold) is printed below the cell's line.

With ``--warmup J1,J2`` it instead times a cold ``rnnforecast warmup --jobs J``
(wall, and CPU of the command and its worker processes) in a new empty cache
for each J, then checks in a fresh process with that cache that
``kernels_ready`` is True for every cell and dtype and that a default
``LSTMForecaster().fit(y).predict(24)`` compiles no kernel (Numba's
per-kernel cache-miss counters); exit status 1 if not.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPE = (64, 24, 1, 32)  # C1
COLD_TARGET = 8.0
WARMUP_TARGET = 30.0
WARM_TARGET = 1.5
CELLS = ("lstm", "gru", "rnn")

CHILD = r"""
import json, sys, time
t_script = time.time()
import numpy as np
import rnnforecast.nn
from rnnforecast.nn import RecurrentNetwork
from rnnforecast.nn.threads import kernel_threads
from rnnforecast.nn.training import Adam, train_step
t_import = time.time()
cell, B, T, I, H, threads = sys.argv[1], *map(int, sys.argv[2:7])
rng = np.random.default_rng(0)
net = RecurrentNetwork(cell, I, H, dtype=np.float32)
params = net.init_params(0)
opt = Adam(net.n_params, np.float32)
X = rng.standard_normal((B, T, I)).astype(np.float32)
Y = rng.standard_normal((B, 1)).astype(np.float32)
with kernel_threads(threads if threads > 0 else None):
    loss, _ = train_step(net, params, opt, X, Y, loss="mse")
t_end = time.time()
import numba
print(json.dumps({"script": t_script, "import": t_import, "end": t_end, "loss": float(loss),
                  "threads": numba.get_num_threads()}))
"""


CHILD_FIT = r"""
import json, sys, time
t_script = time.time()
import rnnforecast
from rnnforecast import GRUForecaster, LSTMForecaster, RNNForecaster
from rnnforecast.datasets import load_co2
t_import = time.time()
cell = sys.argv[1]
cls = {"lstm": LSTMForecaster, "gru": GRUForecaster, "rnn": RNNForecaster}[cell]
model = cls(random_state=0, verbose=0).fit(load_co2())
t_end = time.time()
model.predict(24)
print(json.dumps({"script": t_script, "import": t_import, "end": t_end,
                  "predict": time.time() - t_end,
                  "loss": float("nan"), "threads": 0}))
"""

# After a cold `rnnforecast warmup`: is everything loaded from the cache, nothing compiled?
CHILD_CHECK = r"""
import json, time
t0 = time.time()
from rnnforecast import LSTMForecaster
from rnnforecast.datasets import load_co2
from rnnforecast.nn.warmup import _kernel_dispatchers, kernels_ready
ready = {f"{c} {d}": kernels_ready(c, d) for c in ("lstm", "gru", "rnn")
         for d in ("float32", "float64")}
t1 = time.time()
LSTMForecaster().fit(load_co2()).predict(24)
t2 = time.time()
compiled = sorted(n for n, d in _kernel_dispatchers().items() if d.stats.cache_misses)
print(json.dumps({"ready": ready, "import": t1 - t0, "fit_predict": t2 - t1,
                  "compiled": compiled}))
"""

# The seconds the compile notice quotes (rnnforecast.nn.warmup._COMPILE_SECONDS): CPU time
# of what a fit compiles for its first cell, for a second cell, and of a first predict.
CHILD_PARTS = r"""
import json, sys, time
import numpy as np
from rnnforecast.nn import RecurrentNetwork
from rnnforecast.nn.warmup import _compile_predict, prepare_kernels
out = {}
for i, cell in enumerate(sys.argv[1].split(",")):
    net = RecurrentNetwork(cell, 1, 8, output_size=1, dtype=np.float32)
    c0 = time.process_time(); w0 = time.time()
    prepare_kernels(net, verbose=0, predict=False)
    c1 = time.process_time(); w1 = time.time()
    _compile_predict(cell, "float32")
    c2 = time.process_time(); w2 = time.time()
    out[cell] = {"fit_part": "first" if i == 0 else "more", "fit_cpu": c1 - c0,
                 "fit_wall": w1 - w0, "predict_cpu": c2 - c1, "predict_wall": w2 - w1}
print(json.dumps(out))
"""


def _child_env():
    """The environment of a child process: this checkout's package, Numba's cache on."""
    env = dict(os.environ)
    env.pop("RNNFORECAST_NUMBA_CACHE", None)  # the default: cache on
    env["PYTHONPATH"] = REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def compile_parts(cells):
    """CPU (and wall) seconds of the compile steps the notice quotes, cold cache, float32."""
    env = _child_env()
    for order in (cells, cells[::-1]):
        env["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="rnnforecast-parts-")
        try:
            _, _, proc = _timed([sys.executable, "-c", CHILD_PARTS, ",".join(order)], env)
        finally:
            shutil.rmtree(env["NUMBA_CACHE_DIR"], ignore_errors=True)
        for cell, r in json.loads(proc.stdout.strip().splitlines()[-1]).items():
            print(f"  {cell:4s} fit kernels ({r['fit_part']:5s}): CPU {r['fit_cpu']:5.2f} s, "
                  f"wall {r['fit_wall']:5.2f} s; inference kernel: CPU {r['predict_cpu']:5.2f} s, "
                  f"wall {r['predict_wall']:5.2f} s", flush=True)


def run_child(cell, cache_dir, threads, fit=False):
    env = _child_env()
    env["NUMBA_CACHE_DIR"] = cache_dir
    B, T, I, H = SHAPE
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    args = [cell] if fit else [cell, str(B), str(T), str(I), str(H), str(threads)]
    proc = subprocess.run([sys.executable, "-c", CHILD_FIT if fit else CHILD, *args], env=env,
                          cwd=REPO, capture_output=True, text=True)
    t1 = time.time()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"child process for {cell} failed:\n{proc.stderr}")
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"total": r["end"] - t0, "startup": r["script"] - t0, "import": r["import"] - r["script"],
            "step": r["end"] - r["import"], "cpu": cpu, "exit": t1 - r["end"], "threads": r["threads"],
            "loss": r["loss"], "predict": r.get("predict", float("nan"))}


def _timed(cmd, env):
    """Run ``cmd``; (wall s, CPU s of it and its children, completed process)."""
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    wall = time.time() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed:\n{proc.stderr}")
    return wall, (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime), proc


def warmup_check(jobs_list):
    """A cold ``rnnforecast warmup --jobs J`` per J, then a fresh process that must compile nothing."""
    env = _child_env()
    ok = True
    for jobs in jobs_list:
        env["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="rnnforecast-warmup-")
        try:
            wall, cpu, proc = _timed([sys.executable, "-m", "rnnforecast", "warmup",
                                      "--jobs", str(jobs)], env)
            print(f"warmup --jobs {jobs}: wall {wall:.2f} s, CPU {cpu:.2f} s "
                  f"(target <= {WARMUP_TARGET:g} s wall; load {C.load()})", flush=True)
            print("  " + proc.stdout.strip().replace("\n", "\n  "))
            _, _, proc = _timed([sys.executable, "-c", CHILD_CHECK], env)
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            good = all(v is True for v in r["ready"].values()) and not r["compiled"]
            ok &= good
            print(f"  fresh process, same cache: kernels_ready all True: "
                  f"{all(v is True for v in r['ready'].values())}; compiled: {r['compiled'] or 'nothing'}; "
                  f"import {r['import']:.2f} s, LSTMForecaster().fit(co2).predict(24) "
                  f"{r['fit_predict']:.2f} s -> {'OK' if good else 'FAILED'}", flush=True)
        finally:
            shutil.rmtree(env["NUMBA_CACHE_DIR"], ignore_errors=True)
    return ok


def cache_files(path):
    n = size = 0
    for root, _, files in os.walk(path):
        for f in files:
            n += 1
            size += os.path.getsize(os.path.join(root, f))
    return n, size


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cells", default=",".join(CELLS))
    p.add_argument("--warm-runs", type=int, default=1,
                   help="warm-cache processes per cell (the median is reported)")
    p.add_argument("--threads", type=int, default=0,
                   help="kernel threads in the child (default: Numba's default)")
    p.add_argument("--fit", action="store_true",
                   help="time a default forecaster's whole fit instead of one training step")
    p.add_argument("--markdown", metavar="PATH", help="also write the table as Markdown")
    p.add_argument("--warmup", metavar="JOBS", default=None,
                   help="instead: time a cold `rnnforecast warmup --jobs J` for each J of this "
                        "comma-separated list, and check that a fresh process then compiles nothing")
    p.add_argument("--parts", action="store_true",
                   help="instead: CPU seconds of each compile step the compile notice quotes")
    args = p.parse_args(argv)
    if args.parts:
        print(f"jit_cost.py --parts  {C.now()}; load average before: {C.load()}")
        compile_parts([c.strip() for c in args.cells.split(",") if c.strip()])
        print(f"load average after: {C.load()}")
        return
    if args.warmup is not None:
        print(f"jit_cost.py  {C.now()}\ncommand: {C.command_line()}\n"
              f"{C.cores()} cores available; load average before: {C.load()}")
        sys.exit(0 if warmup_check([int(j) for j in args.warmup.split(",")]) else 1)
    cells = [c.strip() for c in args.cells.split(",") if c.strip()]
    for c in cells:
        if c not in CELLS:
            p.error(f"unknown cell {c!r}; choose from {', '.join(CELLS)}")
    if args.warm_runs < 1:
        p.error("--warm-runs must be >= 1")

    load_before = C.load()
    C.print_header(load_before)
    B, T, I, H = SHAPE
    title = (f"First training step from process start (float32, C1: B={B}, T={T}, I={I}, H={H})"
             if not args.fit else
             "A default forecaster's whole fit from process start (float32, monthly CO2 series)")
    table = C.Table(
        title,
        ["cell", "cache", "total s", "python start s", "import s",
         "fit s" if args.fit else "first step s", "process CPU s", "target", "status"],
        notes=["total = wall time from just before the subprocess starts to the end of its "
               "first train_step (python start + import + first step)",
               "import = import rnnforecast.nn, rnnforecast.nn.training and .threads "
               "(numpy, numba, scipy's BLAS, threadpoolctl)",
               "cold: NUMBA_CACHE_DIR is a new empty folder; warm: the same folder, filled by "
               "the cold run",
               "process CPU s = user + system CPU time of the whole child process (including "
               "its exit); less sensitive to other load than the wall times"])
    if args.fit:
        table.notes[:2] = ["total = wall time from just before the subprocess starts to the end "
                           "of the forecaster's fit (python start + import + fit)",
                           "import = import rnnforecast and its forecasters and datasets"]
    tmp_root = tempfile.mkdtemp(prefix="rnnforecast-jit-")
    try:
        for cell in cells:
            cache = os.path.join(tmp_root, cell)
            os.makedirs(cache)
            cold = run_child(cell, cache, args.threads, args.fit)
            n, size = cache_files(cache)
            warm_runs = [run_child(cell, cache, args.threads, args.fit)
                         for _ in range(args.warm_runs)]
            warm = {k: C.median([w[k] for w in warm_runs]) for k in
                    ("total", "startup", "import", "step", "cpu")}
            for label, r, tgt in (("cold", cold, COLD_TARGET), ("warm", warm, WARM_TARGET)):
                table.add(cell, label, f"{r['total']:.2f}", f"{r['startup']:.2f}",
                          f"{r['import']:.2f}", f"{r['step']:.2f}", f"{r['cpu']:.2f}",
                          "(info)" if args.fit else f"<= {tgt:g} s",
                          "-" if args.fit else "met" if r["total"] <= tgt else "MISSED")
            if args.fit:
                print(f"  {cell}: first predict(24) after the fit: cold {cold['predict']:.2f} s, "
                      f"warm {warm_runs[0]['predict']:.2f} s", flush=True)
            print(f"  {cell}: cold {cold['total']:.2f} s, warm {warm['total']:.2f} s "
                  f"({n} cache files, {size / 1e6:.1f} MB; {cold['threads']} kernel threads)", flush=True)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    load_after = C.load()
    if args.warm_runs > 1:
        table.notes.append(f"warm: median of {args.warm_runs} processes")
    print()
    print(table.text())
    print(f"\nload average (1/5/15 min) after: {load_after}")
    if args.markdown:
        C.write_markdown(args.markdown,
                         [f"date: {C.now()}", f"command: `{C.command_line()}`",
                          f"CPU: {C.cpu_model()} ({C.cpu_flags()}), {C.cores()} cores available",
                          f"load average (1/5/15 min): before {load_before}, after {load_after}",
                          f"environment: {C.env_settings()}"], [table])
        print(f"Markdown written to {args.markdown}")


if __name__ == "__main__":
    main()
