"""M4 Hourly: one global LSTM (and GRU) over all 414 series against seasonal naive and ARIMA.

Usage::

    python benchmarks/m4_hourly.py [--models lstm,gru,seasonal_naive,naive2,arima]
                                   [--seed 0] [--n-jobs 2] [--epochs 30]
                                   [--windows-per-epoch 51200] [--arima-series 0]
                                   [--coverage 0.9] [--m4-path ../shared/data/m4]
                                   [--markdown benchmarks/results/m4_hourly.md]

The M4 protocol: every model is fitted on the training part of each series
(the neural models: one network on all of them) and forecasts the next 48
hours; sMAPE (0-200 scale), MASE (in-sample seasonal naive, m = 24) and OWA
relative to Naive2, averaged over the series as M4 does
(:mod:`rnnforecast.metrics`).  The neural models use the public
:class:`~rnnforecast.LSTMForecaster` / :class:`~rnnforecast.GRUForecaster`
on the list of series with the settings in :data:`RECIPE` (one fixed seed);
their 90 % conformal intervals (``predict_interval``, calibrated on the last
48 hours of each training series by a second network fitted without them)
are scored by their empirical coverage of the test values.  ARIMA is a fixed
ARIMA(1,0,1)(0,1,1)[24] per series, fitted and forecast in parallel worker
processes with joblib, ``--n-jobs`` at a time (``--arima-series k`` restricts it to
``k`` series spread evenly over the file, and every model is then also
scored on that subset; 0 = all 414).

Printed and written as Markdown: the scores, training and prediction
seconds, peak memory (resident set size of this process), the machine and
the exact command.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see benchmarks/README.md

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

LOAD_BEFORE = C.load()

from rnnforecast import ARIMAForecaster, GRUForecaster, LSTMForecaster  # noqa: E402
from rnnforecast.datasets import load_m4  # noqa: E402
from rnnforecast.metrics import (  # noqa: E402
    mean_absolute_scaled_error,
    naive2_forecast,
    overall_weighted_average,
    symmetric_mean_absolute_percentage_error,
)

H, M = 48, 24
#: Settings of the global networks (found on the last 48 hours of the training
#: series, see benchmarks/results/m4_hourly.md for how).
RECIPE = dict(
    window_length=7 * 24,      # one week of hourly values ...
    patch_length=24,           # ... read as 7 steps of one day each
    strategy="direct",
    horizon=H,
    seasonal_period=M,         # predict the deviation from seasonal naive
    scaler="window_log",       # log(x / mean of the window's last 24 values)
    hidden_size=128,
    loss="mae",
    learning_rate_init=2e-3,
    learning_rate="cosine",
    batch_size=256,
    clip_grad_norm=1.0,
)
ANCHORS = [
    ("Seasonal naive (published)", 13.912, 1.193, 0.627),
    ("M4 benchmark RNN (published)", 14.698, 3.048, 1.036),
    ("ES-RNN, M4 winner (published)", 9.328, 0.893, 0.440),
]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def score(forecasts, tests, trains):
    """sMAPE, MASE (means over series) and OWA of a list of forecasts."""
    sm = [symmetric_mean_absolute_percentage_error(y, f) for y, f in zip(tests, forecasts)]
    ms = [mean_absolute_scaled_error(y, f, y_train=x, seasonal_period=M) for y, f, x in zip(tests, forecasts, trains)]
    n2 = [naive2_forecast(x, H, M) for x in trains]
    sm2 = [symmetric_mean_absolute_percentage_error(y, f) for y, f in zip(tests, n2)]
    ms2 = [mean_absolute_scaled_error(y, f, y_train=x, seasonal_period=M) for y, f, x in zip(tests, n2, trains)]
    return float(np.mean(sm)), float(np.mean(ms)), float(overall_weighted_average(sm, ms, sm2, ms2))


def run_neural(name, cls, train, test, args):
    model = cls(**RECIPE, max_iter=args.epochs, windows_per_epoch=args.windows_per_epoch,
                n_jobs=args.n_jobs, random_state=args.seed, verbose=args.verbose)
    t0 = time.perf_counter()
    model.fit(train)
    fit_s = time.perf_counter() - t0
    rss = peak_rss_mb()
    t0 = time.perf_counter()
    fc = model.predict(H)
    pred_s = time.perf_counter() - t0
    row = {"model": name, "scores": score(fc, test, train), "forecasts": fc, "fit_s": fit_s,
           "predict_s": pred_s,
           "rss_mb": rss, "windows": model.n_windows_, "epochs": model.n_iter_}
    if args.coverage:
        t0 = time.perf_counter()
        iv = model.predict_interval(H, coverage=args.coverage)
        row["interval_s"] = time.perf_counter() - t0
        lo = np.concatenate([a[:, 0] for a in iv])
        hi = np.concatenate([a[:, 1] for a in iv])
        y = np.concatenate(test)
        row["coverage"] = float(np.mean((y >= lo) & (y <= hi)))
        scale = np.concatenate([np.full(H, np.mean(np.abs(x[M:] - x[:-M]))) for x in train])
        row["width"] = float(np.mean((hi - lo) / scale))
    return row


def _arima_forecast(y):
    """Fit the fixed seasonal ARIMA on one series and forecast; the model is dropped here."""
    return ARIMAForecaster(order=(1, 0, 1), seasonal_order=(0, 1, 1, M)).fit(y).predict(H)


def run_arima(train, test, ids, args):
    from joblib import Parallel, delayed

    if args.arima_series and args.arima_series < len(train):
        pick = np.linspace(0, len(train) - 1, args.arima_series).round().astype(int)
    else:
        pick = np.arange(len(train))
    sub_train = [train[i] for i in pick]
    # One fit-and-forecast task per series on the worker processes: only the forecasts
    # come back (LocalForecaster(ARIMAForecaster(...), n_jobs=2) gives the same numbers
    # and keeps the fitted models).
    t0 = time.perf_counter()
    fc = Parallel(n_jobs=args.n_jobs)(delayed(_arima_forecast)(y) for y in sub_train)
    fit_s = time.perf_counter() - t0
    return {"model": "arima" if len(pick) == len(train) else f"arima ({len(pick)} series)",
            "scores": score(fc, [test[i] for i in pick], sub_train), "forecasts": fc,
            "fit_s": fit_s, "rss_mb": peak_rss_mb()}, pick


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default="lstm,gru,seasonal_naive,naive2,arima")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--windows-per-epoch", type=int, default=51200)
    p.add_argument("--arima-series", type=int, default=0)
    p.add_argument("--coverage", type=float, default=0.9)
    p.add_argument("--m4-path", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "shared", "data", "m4"))
    p.add_argument("--markdown", default=None)
    p.add_argument("--verbose", type=int, default=0)
    args = p.parse_args(argv)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    data = load_m4("hourly", path=args.m4_path)
    train, test = list(data.train), list(data.test)
    rows = []
    subset = None
    for m in models:
        print(f"[{time.strftime('%H:%M:%S')}] {m} ...", file=sys.stderr, flush=True)
        if m == "seasonal_naive":
            fc = [np.resize(x[-M:], H) for x in train]
            rows.append({"model": m, "scores": score(fc, test, train), "forecasts": fc})
        elif m == "naive2":
            fc = [naive2_forecast(x, H, M) for x in train]
            rows.append({"model": m, "scores": score(fc, test, train), "forecasts": fc})
        elif m in ("lstm", "gru"):
            cls = LSTMForecaster if m == "lstm" else GRUForecaster
            rows.append(run_neural(m, cls, train, test, args))
        elif m == "arima":
            row, pick = run_arima(train, test, data.ids, args)
            rows.append(row)
            if len(pick) < len(train):  # the other models on the same subset, for comparison
                subset = {"pick": pick, "rows": []}
        else:
            raise SystemExit(f"unknown model {m!r}")
        print(format_row(rows[-1]), file=sys.stderr, flush=True)
    if subset is not None:
        pick = subset["pick"]
        for r in rows:
            if "forecasts" in r:
                subset["rows"].append({"model": r["model"], "scores": score(
                    [r["forecasts"][i] for i in pick], [test[i] for i in pick],
                    [train[i] for i in pick])})
        subset["rows"].append(rows[[r["model"] for r in rows].index(row["model"])])
    text = report(rows, args, argv, subset)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    return 0


def format_row(r):
    s = r["scores"]
    extra = ""
    if "fit_s" in r:
        extra = f" fit {r['fit_s']:.0f} s"
    if "coverage" in r:
        extra += f" coverage {r['coverage']:.3f}"
    return f"{r['model']}: sMAPE {s[0]:.3f} MASE {s[1]:.3f} OWA {s[2]:.3f}{extra}"


def report(rows, args, argv, subset=None):
    cmd = "python benchmarks/m4_hourly.py" + ("" if not argv else " " + " ".join(argv))
    if argv is None:
        cmd = "python benchmarks/m4_hourly.py " + " ".join(sys.argv[1:])
    lines = [
        "# M4 Hourly: global recurrent networks against seasonal naive and ARIMA",
        "",
        f"Command: `{cmd.strip()}`  ",
        f"Machine: {C.cpu_model()}, {C.cores()} cores; load before the run {LOAD_BEFORE}; "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}.",
        "",
        "| model | sMAPE | MASE | OWA | training s | predict s | peak RSS MB | 90 % coverage | width / scale |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = r["scores"]
        fmt = lambda k, f: (f.format(r[k]) if k in r else "")  # noqa: E731
        lines.append(f"| {r['model']} | {s[0]:.3f} | {s[1]:.3f} | {s[2]:.3f} | {fmt('fit_s', '{:.0f}')} "
                     f"| {fmt('predict_s', '{:.1f}')} | {fmt('rss_mb', '{:.0f}')} "
                     f"| {fmt('coverage', '{:.3f}')} | {fmt('width', '{:.2f}')} |")
    for name, a, b, c in ANCHORS:
        lines.append(f"| {name} | {a:.3f} | {b:.3f} | {c:.3f} | | | | | |")
    if subset is not None:
        lines += ["", f"On the {len(subset['pick'])} series ARIMA was run on:", "",
                  "| model | sMAPE | MASE | OWA |", "|---|---|---|---|"]
        for r in subset["rows"]:
            s = r["scores"]
            lines.append(f"| {r['model']} | {s[0]:.3f} | {s[1]:.3f} | {s[2]:.3f} |")
    lines += ["", "Neural settings: `" + ", ".join(f"{k}={v!r}" for k, v in RECIPE.items())
              + f", max_iter={args.epochs}, windows_per_epoch={args.windows_per_epoch}, "
              f"n_jobs={args.n_jobs}, random_state={args.seed}`.", ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
