"""Overhead of rnnforecast's ARIMA wrapper over calling statsmodels directly.

Usage::

    python benchmarks/speed_arima.py [--repeats 5] [--default-blas-repeats 1]
                                     [--markdown benchmarks/results/speed_arima.md]

For each case (same data, same orders) two contenders fit the model and
forecast ``h`` steps:

* ``direct``: what a statsmodels user writes,
  ``SARIMAX(y, order=..., seasonal_order=..., trend=...).fit(disp=False, method="lbfgs", maxiter=50)``
  then ``res.forecast(h)``, with ``y`` the same pandas Series;
* ``direct (numpy)``: the same with ``y.to_numpy()``, which skips
  statsmodels' pandas date handling (the wrapper also hands SARIMAX a numpy
  array and builds the output index itself), i.e. the least work statsmodels
  can do; the stricter comparison;
* ``ours``: ``ARIMAForecaster(order=..., seasonal_order=..., trend=...).fit(y).predict(h)``
  (input validation, pandas index handling, warning filters, convergence
  check, its own BLAS thread limit, output as a pandas Series).

The overhead is measured with BLAS limited to one thread for the whole timed
loop (as a user with ``OPENBLAS_NUM_THREADS=1`` would run), so that both do
the same numerical work and only the wrapper's own cost differs.  Both run in
the same process and alternate (A B B A A B ...); the reported time of each
is the median over ``--repeats`` repetitions, and the overhead is
``median(ours) / median(direct)`` (target: <= 1.2), also given against
``direct (numpy)``.  The cases are chosen so
that the L-BFGS fit converges (otherwise the wrapper would retry with
Nelder--Mead and the two would not do the same work); the script checks
that the forecasts agree.

A last column times ``direct`` once more with the BLAS threads left at their
default (``--default-blas-repeats`` runs, median), which is how statsmodels
runs unless told otherwise: the wrapper limits BLAS to one thread because
the state-space code works on tiny matrices, for which threads only add
overhead (a lot of it on a busy machine).
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

from statsmodels.tsa.statespace.sarimax import SARIMAX  # noqa: E402
from threadpoolctl import ThreadpoolController  # noqa: E402

from rnnforecast.baselines import ARIMAForecaster  # noqa: E402
from rnnforecast.datasets import load_dataset, load_m4  # noqa: E402

TARGET = 1.2


def _cases(m4_path: str | None):
    """(label, y as pandas Series, order, seasonal_order, trend, h)."""
    cases = [
        ("nile ARIMA(1,1,1)", load_dataset("nile"), (1, 1, 1), (0, 0, 0, 0), None, 10),
        ("sunspots ARIMA(2,0,1)+c", load_dataset("sunspots"), (2, 0, 1), (0, 0, 0, 0), "c", 11),
        ("realgdp ARIMA(1,1,0)+c", load_dataset("macrodata_realgdp"), (1, 1, 0), (0, 0, 0, 0), "c", 8),
        ("elec_equip ARIMA(1,1,1)(0,1,1)[12]", load_dataset("elec_equip"), (1, 1, 1), (0, 1, 1, 12), None, 12),
        ("co2 ARIMA(1,1,1)(0,1,1)[12]", load_dataset("co2"), (1, 1, 1), (0, 1, 1, 12), None, 24),
        ("elnino ARIMA(2,0,0)(0,1,1)[12]", load_dataset("elnino"), (2, 0, 0), (0, 1, 1, 12), None, 24),
    ]
    if m4_path is not None:
        import pandas as pd

        m4 = load_m4("hourly", m4_path)
        y = pd.Series(m4.train[0], index=pd.RangeIndex(len(m4.train[0])), name=m4.ids[0])
        cases.append((f"M4 {m4.ids[0]} ARIMA(1,0,1)(0,1,1)[24]", y, (1, 0, 1), (0, 1, 1, 24), None, 48))
    return cases


def _direct(y, order, seasonal_order, trend, h):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = SARIMAX(y, order=order, seasonal_order=seasonal_order, trend=trend).fit(
            disp=False, method="lbfgs", maxiter=50
        )
        fc = res.forecast(h)
    return np.asarray(fc, dtype=float), bool(res.mle_retvals.get("converged", True))


def _direct_np(y, order, seasonal_order, trend, h):
    return _direct(y.to_numpy(), order, seasonal_order, trend, h)


def _ours(y, order, seasonal_order, trend, h):
    f = ARIMAForecaster(order=order, seasonal_order=seasonal_order, trend=trend)
    fc = f.fit(y).predict(h)
    return np.asarray(fc, dtype=float), bool(f.converged_)


def _time(func, *args):
    t0 = time.perf_counter()
    out = func(*args)
    return time.perf_counter() - t0, out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=5, help="alternating repetitions per case")
    p.add_argument("--default-blas-repeats", type=int, default=1,
                   help="repetitions of 'direct' with default BLAS threads (0: skip)")
    p.add_argument("--m4-path", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                     "..", "shared", "data", "m4"),
                   help="folder with the M4 Hourly CSV files (the M4 case is skipped when missing)")
    p.add_argument("--markdown", metavar="PATH", help="also write the table as Markdown")
    args = p.parse_args(argv)
    m4_path = args.m4_path if os.path.isfile(os.path.join(args.m4_path, "Hourly-train.csv")) else None
    controller = ThreadpoolController()

    headers = ["case", "n", "direct (median s)", "direct, numpy (median s)", "ours (median s)",
               "ours / direct", "ours / direct numpy", "forecasts agree", "target <= 1.2"]
    if args.default_blas_repeats:
        headers.append("direct, default BLAS threads (s)")
    table = C.Table("ARIMA fit + forecast: rnnforecast ARIMAForecaster vs statsmodels SARIMAX called directly",
                    headers)
    ratios, ratios_np = [], []
    contenders = (("direct", _direct), ("direct_np", _direct_np), ("ours", _ours))
    for label, y, order, so, trend, h in _cases(m4_path):
        times = {name: [] for name, _ in contenders}
        agree = True
        with controller.limit(limits=1, user_api="blas"):
            # warm-up (first-call costs) outside the timed runs
            for _, func in contenders:
                func(y, order, so, trend, h)
            for r in range(args.repeats):
                order_r = contenders if r % 2 == 0 else contenders[::-1]
                outs = {}
                for name, func in order_r:
                    dt, out = _time(func, y, order, so, trend, h)
                    times[name].append(dt)
                    outs[name] = out
                if not all(c for _, c in outs.values()):
                    print(f"{label}: a fit did not converge ({ {k: c for k, (_, c) in outs.items()} }); "
                          "the timings are not comparable", file=sys.stderr)
                ref = outs["direct"][0]
                for name in ("direct_np", "ours"):
                    agree &= bool(np.allclose(outs[name][0], ref, rtol=1e-6, atol=1e-8 * np.abs(ref).max()))
        md, mn, mo = (statistics.median(times[k]) for k in ("direct", "direct_np", "ours"))
        ratio, ratio_np = mo / md, mo / mn
        ratios.append(ratio)
        ratios_np.append(ratio_np)
        cells = [label, len(y), f"{md:.4f}", f"{mn:.4f}", f"{mo:.4f}", f"{ratio:.3f}", f"{ratio_np:.3f}",
                 "yes" if agree else "NO", "met" if max(ratio, ratio_np) <= TARGET else "MISSED"]
        msg = f"{label}: direct {md:.4f} s, direct numpy {mn:.4f} s, ours {mo:.4f} s"
        if args.default_blas_repeats:
            dd = statistics.median(_time(_direct, y, order, so, trend, h)[0]
                                   for _ in range(args.default_blas_repeats))
            cells.append(f"{dd:.3f} ({dd / mo:.1f}x ours)")
            msg += f"; direct with default BLAS threads {dd:.3f} s"
        table.add(*cells)
        print(msg, flush=True)

    geo = float(np.exp(np.mean(np.log(ratios))))
    geo_np = float(np.exp(np.mean(np.log(ratios_np))))
    table.notes.append(f"overhead against the direct call on the same pandas Series: geometric mean "
                       f"{geo:.3f}, worst case {max(ratios):.3f} (target <= {TARGET})")
    table.notes.append(f"overhead against the direct call on a numpy array: geometric mean {geo_np:.3f}, "
                       f"worst case {max(ratios_np):.3f} (target <= {TARGET})")
    table.notes.append(f"median of {args.repeats} alternating repetitions per contender (order A B C, C B A, "
                       "...), BLAS limited to one thread for all; one warm-up call of each before timing")
    print()
    print(table.text())
    if args.markdown:
        header = [
            f"command: `{C.command_line()}`",
            f"date: {C.now()}",
            f"machine: {C.cpu_model()}, {C.cores()} cores, load before start {LOAD_BEFORE}, "
            f"after {C.load()} (the machine is shared: absolute times vary, the ratios are what counts)",
            f"python {sys.version.split()[0]}, numpy {np.__version__}, statsmodels "
            f"{__import__('statsmodels').__version__}",
            f"environment: {C.env_settings()}",
        ]
        C.write_markdown(args.markdown, header, [table])
        print(f"Markdown written to {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
