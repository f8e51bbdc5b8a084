"""ARIMA speed: AutoARIMA against statsforecast's, and the ARIMA wrapper's overhead over statsmodels.

Usage::

    python benchmarks/speed_arima.py auto [--m4-weekly 8] [--m4-hourly 2] [--origins 3]
                                          [--markdown benchmarks/results/speed_arima_auto.md]
    python benchmarks/speed_arima.py overhead [--repeats 5] [--default-blas-repeats 1]
                                              [--markdown benchmarks/results/speed_arima.md]

``auto``: rnnforecast's ``AutoARIMAForecaster(seasonal_period=m)`` and statsforecast's
``AutoARIMA(season_length=m)`` (both with default settings) fit the same
series in the same process, the contender order alternating series by series
(A B, B A, ...) so that the load of the shared machine affects both alike,
and forecast ``h`` steps.  Series: the bundled monthly (co2, elec_equip,
elnino; m = 12, h = 18) and quarterly (macrodata_realgdp; m = 4, h = 8)
series at ``--origins`` forecast origins each (the last h, 2h, ... values
held out; the monthly ones also cut to their last 144 values before the
origin, a typical M4 Monthly length), and the first ``--m4-weekly`` M4 Weekly (m = 1, h = 13) and
``--m4-hourly`` M4 Hourly (m = 24, h = 48) series from ``--m4-path``.  Per
group: median and max fit+forecast seconds of each, the ratio of the
medians (ours / statsforecast; target <= 1.5) and the mean MASE (M4
definition: scaled by the in-sample seasonal naive of period m, m = 1 for
weekly).  Numba compilation of statsforecast is done by a warm-up fit
before timing; BLAS is limited to one thread for both.  statsforecast is a
benchmark-only dependency (it pins pandas < 3, so it was installed with
``pip install --no-deps statsforecast coreforecast utilsforecast fugue triad
adagio pyarrow`` into a separate virtual environment that sees the system
packages).

``overhead``:

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
that the forecasts agree (to 1e-3 relative: the wrapper maximises the
likelihood of ``y / scale_``, so its optimiser path -- and its number of
iterations -- differs slightly from statsmodels' on ``y``).

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


def _markdown_header(versions: str = "") -> list[str]:
    return [
        f"command: `{C.command_line()}`",
        f"date: {C.now()}",
        f"machine: {C.cpu_model()}, {C.cores()} cores, load before start {LOAD_BEFORE}, "
        f"after {C.load()} (the machine is shared: absolute times vary, the ratios are what counts)",
        f"python {sys.version.split()[0]}, numpy {np.__version__}, statsmodels "
        f"{__import__('statsmodels').__version__}{versions}",
        f"environment: {C.env_settings()}",
    ]


def _time(func, *args):
    t0 = time.perf_counter()
    out = func(*args)
    return time.perf_counter() - t0, out


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "auto":
        return _main_auto(argv[1:])
    if argv and argv[0] == "overhead":
        argv = argv[1:]
    return _main_overhead(argv)


def _main_overhead(argv) -> int:
    p = argparse.ArgumentParser(description="Overhead of the ARIMA wrapper over statsmodels")
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
                    # ours fits y / scale_ (scale-equivariant), statsmodels y: the same optimum to the
                    # optimiser tolerance (nile: 2.8e-4 relative)
                    agree &= bool(np.allclose(outs[name][0], ref, rtol=1e-6 if name == "direct_np" else 1e-3,
                                              atol=1e-8 * np.abs(ref).max()))
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
        C.write_markdown(args.markdown, _markdown_header(), [table])
        print(f"Markdown written to {args.markdown}")
    return 0


def _mase(y_test, fc, y_train, m):
    scale = np.mean(np.abs(y_train[m:] - y_train[:-m]))
    return float(np.mean(np.abs(np.asarray(y_test) - np.asarray(fc))) / scale)


def _auto_cases(origins, n_weekly, n_hourly, m4_path):
    """(group, label, y_train, y_test, m)."""
    for name, m, h in (("co2", 12, 18), ("elec_equip", 12, 18), ("elnino", 12, 18), ("macrodata_realgdp", 4, 8)):
        y = load_dataset(name).to_numpy()
        group = "bundled monthly" if m == 12 else "bundled quarterly"
        for k in range(1, origins + 1):
            cut = len(y) - k * h
            yield group, f"{name}@{cut}", y[:cut], y[cut:cut + h], m
            if m == 12:  # the last 12 years only: a typical (M4-like) monthly length
                yield "bundled monthly, last 144", f"{name}[-144:]@{cut}", y[cut - 144:cut], y[cut:cut + h], m
    for subset, count, m in (("weekly", n_weekly, 1), ("hourly", n_hourly, 24)):
        if count and m4_path and os.path.isfile(os.path.join(m4_path, f"{subset.capitalize()}-train.csv")):
            m4 = load_m4(subset, m4_path)
            for i in range(min(count, len(m4.ids))):
                yield f"M4 {subset}", m4.ids[i], m4.train[i], m4.test[i], m


def _fit_ours(y, m, h):
    from rnnforecast.baselines import AutoARIMAForecaster

    f = AutoARIMAForecaster(seasonal_period=m).fit(y)
    return np.asarray(f.predict(h), dtype=float), f"{f.order_}{f.seasonal_order_[:3] if m > 1 else ''}" + (
        "+c" if f.trend_ else "")


def _fit_sf(y, m, h):
    from statsforecast.models import AutoARIMA

    mod = AutoARIMA(season_length=m).fit(y)
    p, q, P, Q, _, d, D = mod.model_["arma"]
    return np.asarray(mod.predict(h)["mean"], dtype=float), f"{(p, d, q)}{(P, D, Q) if m > 1 else ''}"


def _main_auto(argv) -> int:
    p = argparse.ArgumentParser(description="AutoARIMA: rnnforecast vs statsforecast")
    p.add_argument("--origins", type=int, default=3, help="forecast origins per bundled series")
    p.add_argument("--m4-weekly", type=int, default=8, help="number of M4 Weekly series (first ones)")
    p.add_argument("--m4-hourly", type=int, default=2, help="number of M4 Hourly series (first ones)")
    p.add_argument("--m4-path", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                     "..", "shared", "data", "m4"))
    p.add_argument("--markdown", metavar="PATH", help="also write the tables as Markdown")
    args = p.parse_args(argv)
    try:
        import statsforecast
    except ImportError:
        print("statsforecast is not installed (benchmark-only dependency; see the module docstring)",
              file=sys.stderr)
        return 2
    contenders = (("ours", _fit_ours), ("statsforecast", _fit_sf))
    controller = ThreadpoolController()
    rows, per_group = [], {}
    with controller.limit(limits=1, user_api="blas"):
        for m in (1, 4, 12, 24):  # warm-up: statsforecast's numba compilation, our first-call costs
            t = np.arange(3 * max(m, 8) + 20, dtype=float)
            for _, func in contenders:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    func(10 + np.sin(t) + 0.01 * t, m, 2)
        for i, (group, label, y, y_test, m) in enumerate(_auto_cases(args.origins, args.m4_weekly,
                                                                       args.m4_hourly, args.m4_path)):
            h = len(y_test)
            res = {}
            for name, func in (contenders if i % 2 == 0 else contenders[::-1]):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    dt, (fc, desc) = _time(func, y, m, h)
                res[name] = (dt, _mase(y_test, fc, y, m), desc)
            per_group.setdefault(group, []).append(res)
            (to, mo, do), (ts, ms, ds) = res["ours"], res["statsforecast"]
            rows.append([group, label, len(y), m, h, f"{to:.3f}", f"{ts:.3f}", f"{to / ts:.2f}", f"{mo:.3f}",
                         f"{ms:.3f}", do, ds])
            print(f"{label}: ours {to:.3f} s MASE {mo:.3f} {do} | statsforecast {ts:.3f} s MASE {ms:.3f} {ds}"
                  f" | load {C.load()}", flush=True)
    cases = C.Table("AutoARIMA per series: fit + forecast seconds and MASE",
                    ["group", "series@origin", "n", "m", "h", "ours (s)", "statsforecast (s)", "ratio",
                     "ours MASE", "statsforecast MASE", "ours model", "statsforecast model"])
    for r in rows:
        cases.add(*r)
    summary = C.Table("AutoARIMA summary: rnnforecast vs statsforecast (same series, alternating order)",
                      ["group", "series", "ours median s", "ours max s", "statsforecast median s",
                       "statsforecast max s", "ratio of medians (target <= 1.5)", "ours mean MASE",
                       "statsforecast mean MASE"])
    for group, results in per_group.items():
        to = [r["ours"][0] for r in results]
        ts = [r["statsforecast"][0] for r in results]
        mo = np.mean([r["ours"][1] for r in results])
        ms = np.mean([r["statsforecast"][1] for r in results])
        ratio = statistics.median(to) / statistics.median(ts)
        summary.add(group, len(results), f"{statistics.median(to):.3f}", f"{max(to):.3f}",
                    f"{statistics.median(ts):.3f}", f"{max(ts):.3f}",
                    f"{ratio:.2f} ({'met' if ratio <= 1.5 else 'MISSED'})", f"{mo:.3f}", f"{ms:.3f}")
    summary.notes.append(f"machine load (1/5/15 min) before {LOAD_BEFORE}, after {C.load()}: the machine is "
                         "shared with other jobs; the contenders alternate series by series")
    print()
    print(cases.text())
    print()
    print(summary.text())
    if args.markdown:
        C.write_markdown(args.markdown, _markdown_header(f", statsforecast {statsforecast.__version__}"),
                         [summary, cases])
        print(f"Markdown written to {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
