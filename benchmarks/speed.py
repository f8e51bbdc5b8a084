"""Training-step throughput and inference latency of the kernels against PyTorch.

Usage::

    python benchmarks/speed.py [--cells lstm,gru,rnn] [--configs C1,C2,C3,C4]
                               [--threads 1,2] [--seconds 0.5] [--windows 5]
                               [--phases] [--inference-only] [--markdown out.md]

Each contender (our kernels, PyTorch) runs in the same process; short timed
windows of the two alternate (A B B A A B ...), and the median window rate of
each is reported.  Our kernels always run inside ``kernel_threads(n)`` (Numba at
n threads, BLAS at 1 thread); PyTorch runs with ``torch.set_num_threads(n)``.
See benchmarks/README.md for the method and the targets.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

LOAD_BEFORE = C.load()  # before anything heavy is imported or compiled

import numba  # noqa: E402
import torch  # noqa: E402
from threadpoolctl import ThreadpoolController  # noqa: E402

from rnnforecast.nn import RecurrentNetwork  # noqa: E402
from rnnforecast.nn.threads import kernel_threads  # noqa: E402
from rnnforecast.nn.training import Adam, clip_gradients, compute_loss, train_step  # noqa: E402
from rnnforecast._kernels import optim as kopt  # noqa: E402

# (B, T, I, H)
CONFIGS = {"C1": (64, 24, 1, 32), "C2": (256, 48, 1, 64), "C3": (256, 96, 8, 128),
           "C4": (128, 48, 1, 256)}
TRAIN_TARGET = {"C1": 3.0, "C2": 3.0, "C3": 1.5, "C4": 1.5}
#: Issue 11's training-step targets for the LSTM (the other cells keep TRAIN_TARGET).
LSTM_TRAIN_TARGET = {"C1": 2.5, "C2": 2.5, "C3": 1.5, "C4": 1.2}
INFER_SHAPE = (1, 48, 1, 64)
INFER_TARGET = 10.0  # GRU and RNN: ratio to torch
INFER_LSTM_US = 30.0  # LSTM: µs per call
PEAK_CONFIG = "C4"
PEAK_TARGET = 0.60
SCALING_CONFIG = "C2"
SCALING_TARGET = 1.7
GATES = {"lstm": 4, "gru": 3, "rnn": 1}
GEMM_N = 2048
TORCH_CLS = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
FLOP_FORMULA = ("FLOPs per training step = 2*N*G*(3H + 2I), N = B*T, G = gates*H: forward input "
                "projection 2NGI + forward W_hh 2NGH + backward dh 2NGH + weight gradients "
                "2NG(H + I); elementwise work, the head and the (unneeded) input gradient "
                "not counted")


def train_target(cell, cfg):
    """Training-step target (ratio to torch) of ``cell`` at config ``cfg``."""
    return (LSTM_TRAIN_TARGET if cell == "lstm" else TRAIN_TARGET)[cfg]


def step_flops(cell, B, T, I, H):
    G = GATES[cell] * H
    return 2.0 * B * T * G * (3 * H + 2 * I)


def mark(value, target):
    return "met" if value >= target else "MISSED"


# ----------------------------------------------------------------------------- contenders
class Ours:
    """Our network, parameters, Adam state and a fixed float32 batch."""

    name = "ours"

    def __init__(self, cell, B, T, I, H, seed=0):
        rng = np.random.default_rng(seed)
        self.net = RecurrentNetwork(cell, I, H, dtype=np.float32)
        self.params = self.net.init_params(seed)
        self.opt = Adam(self.net.n_params, np.float32, lr=1e-3)
        self.X = rng.standard_normal((B, T, I)).astype(np.float32)
        self.Y = rng.standard_normal((B, 1)).astype(np.float32)
        self.x1 = rng.standard_normal((1, T, I)).astype(np.float32)

    def context(self, threads):
        return kernel_threads(threads)

    def train(self):
        return train_step(self.net, self.params, self.opt, self.X, self.Y, loss="mse")[0]

    def infer(self):
        """The fitted hot path: inputs already validated, packed weights cached."""
        return self.net.predict(self.params, self.x1, check_input=False)

    def phases(self):
        """One training step split into timed phases (as ``train_step`` does it)."""
        t0 = time.perf_counter()
        fr = self.net.forward(self.params, self.X, training=True, check_input=False)
        t1 = time.perf_counter()
        _, dpred = compute_loss("mse", fr.output, self.Y)
        t2 = time.perf_counter()
        grad, _ = self.net.backward(self.params, fr, dpred)
        t3 = time.perf_counter()
        kopt.all_finite(grad)
        clip_gradients(grad)
        t4 = time.perf_counter()
        self.opt.step(self.params, grad)
        t5 = time.perf_counter()
        return {"forward": t1 - t0, "loss": t2 - t1, "backward": t3 - t2, "checks+norm": t4 - t3,
                "optimizer": t5 - t4}


class _OursVariant:
    """Another one-series inference call on the network, weights and input of an :class:`Ours`."""

    def __init__(self, ours: Ours):
        self.ours = ours

    def context(self, threads):
        return self.ours.context(threads)


class OursChecked(_OursVariant):
    """``predict`` with its default input checks (a public call), for information."""

    name = "ours (checked)"

    def infer(self):
        return self.ours.net.predict(self.ours.params, self.ours.x1)


class OursForward(_OursVariant):
    """``net.forward(params, X)`` on the batch (training) kernels: what this table timed
    before the inference kernels, for comparison."""

    name = "ours (forward)"

    def infer(self):
        return self.ours.net.forward(self.ours.params, self.ours.x1).output


class Torch:
    """torch.nn.{LSTM,GRU,RNN} + nn.Linear + torch.optim.Adam on the same data and weights."""

    name = "torch"

    def __init__(self, cell, ours: Ours):
        B, T, I = ours.X.shape
        H = ours.net.hidden_size
        self.rnn = TORCH_CLS[cell](I, H, batch_first=True)
        self.fc = torch.nn.Linear(H, 1)
        state = ours.net.state_dict(ours.params)
        with torch.no_grad():
            for name, p in self.rnn.named_parameters():
                p.copy_(torch.from_numpy(state[name]))
            self.fc.weight.copy_(torch.from_numpy(state["fc.weight"]))
            self.fc.bias.copy_(torch.from_numpy(state["fc.bias"]))
        self.opt = torch.optim.Adam(list(self.rnn.parameters()) + list(self.fc.parameters()),
                                    lr=1e-3)
        self.X = torch.from_numpy(ours.X.copy())
        self.Y = torch.from_numpy(ours.Y.copy())
        self.x1 = torch.from_numpy(ours.x1.copy())

    @contextlib.contextmanager
    def context(self, threads):
        torch.set_num_threads(threads)
        yield threads

    def train(self):
        self.opt.zero_grad(set_to_none=True)
        out, _ = self.rnn(self.X)
        loss = torch.nn.functional.mse_loss(self.fc(out[:, -1, :]), self.Y)
        loss.backward()
        self.opt.step()
        return loss.item()

    def infer(self):
        with torch.no_grad():
            out, _ = self.rnn(self.x1)
            return self.fc(out[:, -1, :])

    def phases(self):
        t0 = time.perf_counter()
        self.opt.zero_grad(set_to_none=True)
        out, _ = self.rnn(self.X)
        t1 = time.perf_counter()
        loss = torch.nn.functional.mse_loss(self.fc(out[:, -1, :]), self.Y)
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        loss.item()
        t4 = time.perf_counter()
        self.opt.step()
        t5 = time.perf_counter()
        return {"forward": t1 - t0, "loss": t2 - t1, "backward": t3 - t2, "checks+norm": t4 - t3,
                "optimizer": t5 - t4}


# ----------------------------------------------------------------------------- timing
def window(fn, seconds, min_calls=1):
    """Calls per second of ``fn`` over one window of at least ``seconds``."""
    n = 0
    t0 = time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds and n >= min_calls:
            return n / elapsed


def alternate(contenders, method, threads, seconds, windows):
    """Median calls/s of ``getattr(c, method)`` for each contender, with windows alternating
    A B C, C B A, A B C, ... after one untimed warm-up window each.  Also returns the
    per-window ratios of the first contender to the second."""
    rates = [[] for _ in contenders]
    order = list(range(len(contenders)))
    for w in range(windows + 1):
        seq = order if w % 2 == 0 else order[::-1]
        for i in seq:
            c = contenders[i]
            with c.context(threads):
                r = window(getattr(c, method),
                           (seconds if w else seconds / 4) * getattr(c, "window_scale", 1.0))
            if w:
                rates[i].append(r)
    pair = [a / b for a, b in zip(rates[0], rates[1])]
    return [C.median(r) for r in rates], pair


def cpu_per_call(contenders, method, seconds, windows):
    """Median CPU time per call (s) of the calling thread (``time.thread_time``) for each
    contender, windows alternating as in :func:`alternate`: less sensitive than wall time
    to other processes taking the cores, but only meaningful at one thread."""
    per = [[] for _ in contenders]
    for w in range(windows):
        seq = range(len(contenders)) if w % 2 == 0 else range(len(contenders) - 1, -1, -1)
        for i in seq:
            fn = getattr(contenders[i], method)
            n = 0
            t0 = time.perf_counter()
            c0 = time.thread_time()
            while time.perf_counter() - t0 < seconds:
                fn()
                n += 1
            per[i].append((time.thread_time() - c0) / n)
    return [C.median(p) for p in per]


@numba.njit(cache=False, nogil=True)
def _gemm(a, b, out):
    np.dot(a, b, out)


_CONTROLLER = ThreadpoolController()


class Gemm:
    """The reference: a float32 GEMM_N x GEMM_N ``np.dot`` inside an njit function (Numba calls
    SciPy's OpenBLAS, the library the kernels use) with BLAS limited to ``threads``."""

    name = "gemm"
    window_scale = 0.5  # its windows are half as long as the contenders'

    def __init__(self):
        rng = np.random.default_rng(0)
        self.a = rng.standard_normal((GEMM_N, GEMM_N)).astype(np.float32)
        self.b = rng.standard_normal((GEMM_N, GEMM_N)).astype(np.float32)
        self.out = np.empty((GEMM_N, GEMM_N), np.float32)
        self.flops = 2.0 * GEMM_N ** 3

    def context(self, threads):
        return _CONTROLLER.limit(limits=threads, user_api="blas")

    def train(self):
        _gemm(self.a, self.b, self.out)


def blas_description():
    rows = []
    for info in ThreadpoolController().info():
        rows.append("{prefix} {version} ({user_api}{arch}) {path}".format(
            prefix=info.get("prefix"), version=info.get("version"), user_api=info.get("user_api"),
            arch=", " + info["architecture"] if info.get("architecture") else "",
            path=os.path.basename(info.get("filepath", ""))))
    return "; ".join(rows)


# ----------------------------------------------------------------------------- main
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cells", default="lstm,gru,rnn")
    p.add_argument("--configs", default="C1,C2,C3,C4")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--seconds", type=float, default=0.5, help="length of one timed window")
    p.add_argument("--windows", type=int, default=5, help="timed windows per contender")
    p.add_argument("--phases", action="store_true",
                   help="also time forward / loss / backward / optimizer separately")
    p.add_argument("--markdown", metavar="PATH", help="also write the tables as Markdown")
    p.add_argument("--inference-only", action="store_true",
                   help="only the one-series inference table (no training configs)")
    a = p.parse_args(argv)
    if a.inference_only:
        a.configs = ""
    a.cells = [c.strip() for c in a.cells.split(",") if c.strip()]
    a.configs = [c.strip().upper() for c in a.configs.split(",") if c.strip()]
    a.threads = [int(t) for t in a.threads.split(",") if t.strip()]
    for c in a.cells:
        if c not in GATES:
            p.error(f"unknown cell {c!r}; choose from {', '.join(GATES)}")
    for c in a.configs:
        if c not in CONFIGS:
            p.error(f"unknown config {c!r}; choose from {', '.join(CONFIGS)}")
    if any(t < 1 for t in a.threads) or a.seconds <= 0 or a.windows < 1:
        p.error("threads, seconds and windows must be positive")
    return a


def needed_share(args, results, gemm_rates):
    """Table: the FLOP rate each 1-thread training target asks for, as a share of the GEMM
    rate measured in the same run (above 100 %: no kernel can meet it against this torch)."""
    t = C.Table("FLOP rate the training targets need (1 thread), against the GEMM rate",
                ["cell", "config", "MFLOP/sample", "torch GFLOP/s", "target", "needed GFLOP/s",
                 "needed % of GEMM", "ours % of GEMM"],
                notes=[FLOP_FORMULA, "GEMM: the rate of the FLOP table above (1 thread, same "
                       "run); needed = target x torch's rate, a lower bound (elementwise work "
                       "not counted)"])
    for cfg in args.configs:
        B, T, I, H = CONFIGS[cfg]
        for cell in args.cells:
            if (cell, cfg, 1) not in results or (cell, 1) not in gemm_rates:
                continue
            so, st = results[(cell, cfg, 1)]
            f = step_flops(cell, B, T, I, H) / B
            ref = gemm_rates[(cell, 1)]
            tgt = train_target(cell, cfg)
            need = tgt * st * f / 1e9
            t.add(cell, f"{cfg} ({B},{T},{I},{H})", f"{f / 1e6:.2f}", f"{st * f / 1e9:.1f}",
                  f">= {tgt:g}x", f"{need:.1f}", f"{need / ref:.0%}", f"{so * f / 1e9 / ref:.0%}")
    return t


def main(argv=None):
    args = parse_args(argv)
    started = time.perf_counter()
    C.print_header(LOAD_BEFORE)
    print(f"numpy {np.__version__}, numba {numba.__version__}, torch {torch.__version__}, "
          f"python {sys.version.split()[0]}")

    # JIT warm-up of every selected cell (compile or cache load), training and inference.
    t0 = time.perf_counter()
    for cell in args.cells:
        o = Ours(cell, 8, 4, 1, 8)
        with kernel_threads(max(args.threads)):
            o.train()
            o.infer()
    print(f"warm-up of our kernels (JIT compile or cache load): {time.perf_counter() - t0:.1f} s")
    print("kernel threads: serial nogil chunk kernels on rnnforecast's Python thread pool; "
          "BLAS/OpenMP libraries: "
          f"{blas_description()}")
    print(f"windows: {args.windows} timed (+1 warm-up) of {args.seconds:g} s per contender, "
          "alternating; figures are medians\n")

    tables = []
    train = C.Table("Training step throughput (float32, forward + BPTT + Adam)",
                    ["cell", "config (B,T,I,H)", "threads", "ours samples/s", "torch samples/s",
                     "ratio", "pair ratios min-max", "target", "status"],
                    notes=["ratio = median ours samples/s / median torch samples/s (>1: ours "
                           "faster)", "loss at the first step checked against torch"])
    results = {}  # (cell, cfg, threads) -> (ours samples/s, torch samples/s)
    loss_diffs = []
    phase_rows = []
    gemm_rates = {}  # (cell, threads) -> GEMM GFLOP/s measured in the same windows
    reference = Gemm() if PEAK_CONFIG in args.configs else None
    for cfg in args.configs:
        B, T, I, H = CONFIGS[cfg]
        for cell in args.cells:
            ours = Ours(cell, B, T, I, H)
            theirs = Torch(cell, ours)
            with kernel_threads(args.threads[0]):
                l0 = ours.train()
            l1 = theirs.train()
            loss_diffs.append(abs(l0 - l1) / max(abs(l1), 1e-30))
            for n in args.threads:
                contenders = [ours, theirs]
                if cfg == PEAK_CONFIG:
                    contenders.append(reference)
                rates, pair = alternate(contenders, "train", n, args.seconds, args.windows)
                ro, rt = rates[:2]
                if cfg == PEAK_CONFIG:
                    gemm_rates[(cell, n)] = rates[2] * reference.flops / 1e9
                results[(cell, cfg, n)] = (ro * B, rt * B)
                ratio = ro / rt
                tgt = train_target(cell, cfg)
                train.add(cell, f"{cfg} ({B},{T},{I},{H})", n, f"{ro * B:,.0f}", f"{rt * B:,.0f}",
                          f"{ratio:.2f}x", f"{min(pair):.2f}-{max(pair):.2f}", f">= {tgt:g}x",
                          mark(ratio, tgt))
                print(f"  {cell:4s} {cfg} threads={n}: ours {ro * B:10,.0f}  torch {rt * B:10,.0f}"
                      f"  ratio {ratio:5.2f}x  ({mark(ratio, tgt)} >= {tgt:g}x)", flush=True)
                if args.phases:
                    for c in (ours, theirs):
                        with c.context(n):
                            c.phases()
                            reps = [c.phases() for _ in range(max(3, args.windows))]
                        ph = {k: C.median([r[k] for r in reps]) for k in reps[0]}
                        total = sum(ph.values())
                        phase_rows.append([cell, cfg, n, c.name] + [f"{ph[k] * 1e3:.2f}"
                                                                     for k in ph]
                                          + [f"{total * 1e3:.2f}"])
    if loss_diffs:
        train.notes.append(f"largest relative difference of the first-step loss ours vs torch: "
                           f"{max(loss_diffs):.1e}")
        tables.append(train)

    if args.phases:
        ph = C.Table("Per-phase time of one training step (ms, medians)",
                     ["cell", "config", "threads", "who", "forward", "loss", "backward",
                      "checks+norm", "optimizer", "total"],
                     notes=["ours: net.forward / compute_loss / net.backward / all_finite + "
                            "clip_gradients / Adam.step; torch: zero_grad + rnn forward / head + "
                            "mse / backward / loss.item() / Adam.step"])
        for r in phase_rows:
            ph.add(*r)
        tables.append(ph)

    # Achieved FLOP rate at C4 against the GEMM rate of the BLAS the kernels call.
    if PEAK_CONFIG in args.configs:
        B, T, I, H = CONFIGS[PEAK_CONFIG]
        note = [FLOP_FORMULA,
                f"GEMM = float32 {GEMM_N}x{GEMM_N} np.dot inside @njit (SciPy's OpenBLAS, as the "
                "kernels call it) with BLAS at the row's thread count, timed in windows "
                "alternating with the two contenders' (median)",
                "the target applies at 1 thread; other rows are for information"]
        fl = C.Table(f"Achieved FLOP rate at {PEAK_CONFIG} ({B},{T},{I},{H})",
                     ["cell", "threads", "GFLOP/step", "GEMM GFLOP/s", "ours GFLOP/s",
                      "ours % of GEMM", "torch GFLOP/s", "torch % of GEMM", "target", "status"],
                     notes=note)
        for cell in args.cells:
            f = step_flops(cell, B, T, I, H)
            for n in args.threads:
                so, st = results[(cell, PEAK_CONFIG, n)]
                go, gt = so / B * f / 1e9, st / B * f / 1e9
                ref = gemm_rates[(cell, n)]
                frac_o, frac_t = go / ref, gt / ref
                fl.add(cell, n, f"{f / 1e9:.2f}", f"{ref:.1f}", f"{go:.1f}", f"{frac_o:.0%}",
                       f"{gt:.1f}",
                       f"{frac_t:.0%}", f">= {PEAK_TARGET:.0%}" if n == 1 else "(info)",
                       mark(frac_o, PEAK_TARGET) if n == 1 else "-")
        tables.append(fl)
        tables.append(needed_share(args, results, gemm_rates))

    # One-series inference latency.
    B, T, I, H = INFER_SHAPE
    inf = C.Table(f"One-series inference latency (B={B}, T={T}, I={I}, H={H}), µs per call",
                  ["cell", "threads", "ours µs", "ours checked µs", "forward µs", "torch µs",
                   "ratio", "pair ratios min-max", "target", "status", "CPU µs ours / torch"],
                  notes=["ours: net.predict(params, X, check_input=False), the path of a fitted "
                         "model (inputs validated once, packed weights cached and compared bit "
                         "for bit with params on every call); ours checked: net.predict(params, "
                         "X) with its input checks; forward: net.forward(params, X) on the batch "
                         "(training) kernels, what this table timed before 2026-11-30's "
                         "inference kernels; torch: module + nn.Linear on out[:, -1] under "
                         "torch.no_grad()",
                         "ratio = torch µs / ours µs (>1: ours faster); targets: LSTM <= "
                         f"{INFER_LSTM_US:g} µs, GRU and RNN >= {INFER_TARGET:g}x torch",
                         "the four contenders' windows alternate; pair ratios are ours vs "
                         "torch",
                         "CPU µs: CPU time of the calling thread per call (time.thread_time, "
                         "alternating windows, medians), 1-thread rows only: less sensitive to "
                         "a busy machine than the wall-clock columns; not a target"])
    for cell in args.cells:
        ours = Ours(cell, B, T, I, H)
        theirs = Torch(cell, ours)
        others = [OursChecked(ours), OursForward(ours)]
        for n in args.threads:
            (ro, rt, rc, rf), pair = alternate([ours, theirs] + others, "infer", n,
                                               args.seconds / 2, args.windows)
            ratio = ro / rt
            if cell == "lstm":
                target, ok = f"<= {INFER_LSTM_US:g} µs", mark(INFER_LSTM_US, 1e6 / ro)
            else:
                target, ok = f">= {INFER_TARGET:g}x", mark(ratio, INFER_TARGET)
            cpu = "-"
            if n == 1:
                with ours.context(1), theirs.context(1):
                    co, ct = cpu_per_call([ours, theirs], "infer", args.seconds / 2,
                                          args.windows)
                cpu = f"{co * 1e6:,.1f} / {ct * 1e6:,.0f}"
            inf.add(cell, n, f"{1e6 / ro:,.1f}", f"{1e6 / rc:,.1f}", f"{1e6 / rf:,.1f}",
                    f"{1e6 / rt:,.0f}", f"{ratio:.2f}x", f"{min(pair):.2f}-{max(pair):.2f}",
                    target, ok, cpu)
            print(f"  inference {cell:4s} threads={n}: ours {1e6 / ro:7.1f} µs  checked "
                  f"{1e6 / rc:7.1f} µs  forward {1e6 / rf:7.1f} µs  torch {1e6 / rt:7.1f} µs  "
                  f"ratio {ratio:5.2f}x  ({ok} {target}); CPU µs ours / torch {cpu}", flush=True)
    tables.append(inf)

    # Thread scaling at C2.
    if SCALING_CONFIG in args.configs and 1 in args.threads and 2 in args.threads:
        B, T, I, H = CONFIGS[SCALING_CONFIG]
        sc = C.Table(f"Thread scaling at {SCALING_CONFIG} ({B},{T},{I},{H}): 2-thread / "
                     "1-thread training throughput",
                     ["cell", "ours", "torch", "target", "status"],
                     notes=["from the training table's medians (1- and 2-thread runs are "
                            "separate, so load changes between them show up here)"])
        for cell in args.cells:
            o1, t1 = results[(cell, SCALING_CONFIG, 1)]
            o2, t2 = results[(cell, SCALING_CONFIG, 2)]
            sc.add(cell, f"{o2 / o1:.2f}x", f"{t2 / t1:.2f}x", f">= {SCALING_TARGET:g}x",
                   mark(o2 / o1, SCALING_TARGET))
        tables.append(sc)

    load_after = C.load()
    print()
    for t in tables:
        print(t.text() + "\n")
    print(f"load average (1/5/15 min) after: {load_after}")
    print(f"total time: {time.perf_counter() - started:.0f} s")
    if args.markdown:
        header = [f"date: {C.now()}", f"command: `{C.command_line()}`",
                  f"CPU: {C.cpu_model()} ({C.cpu_flags()}), {C.cores()} cores available",
                  f"load average (1/5/15 min): before {LOAD_BEFORE}, after {load_after}",
                  f"environment: {C.env_settings()}",
                  f"numpy {np.__version__}, numba {numba.__version__} (kernel threads: "
                  f"rnnforecast's Python thread pool), torch {torch.__version__}",
                  f"windows: {args.windows} x {args.seconds:g} s per contender, alternating; "
                  "medians"]
        C.write_markdown(args.markdown, header, tables)
        print(f"Markdown written to {args.markdown}")


if __name__ == "__main__":
    main()
