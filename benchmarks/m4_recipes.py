"""M4 Hourly and Weekly: the defaults on the full sets, and ensemble recipes.

Usage::

    python benchmarks/m4_recipes.py --subset hourly|weekly --split val|test
        [--run default | --run member --cell lstm --params JSON --seed 0]
        [--every 1] [--n-jobs 2] [--tag NAME] [--no-score] [--cache DIR] [--json PATH]
    python benchmarks/m4_recipes.py --subset hourly --split val --ensemble TAG1,TAG2,...
        [--combine median|mean] [--name NAME] [--json PATH]
    python benchmarks/m4_recipes.py --markdown benchmarks/results/m4_recipes.md

``--run default`` fits ``LSTMForecaster(random_state=seed, n_jobs=...)`` with
no recipe argument on the whole collection, passed as a long DataFrame
(``unique_id``, ``ds``, ``y``; ``ds`` hourly or weekly timestamps, so the
frequency is known as it is for a user's data) and forecasts the M4
horizon.  ``--run member`` fits one network (``n_estimators=1``) with the
explicit settings ``--params`` (JSON; a recipe) on the list of series.

Each run records sMAPE (0-200), MASE (M4: m = 24 hourly, 1 weekly), OWA
relative to Naive2 on the same series, the training wall seconds and the
process CPU seconds of the fit (``time.process_time()``: all threads of
the process; run the default with ``--n-jobs 1`` so that its members train
one after the other in this process and their CPU time is counted: with
``--n-jobs`` > 1 they train in joblib's loky worker processes, which
``process_time`` does not see -- the scores are the same.  joblib's
threading backend is not used: on 2 busy cores two members training in
threads at once took 37x the CPU time of the same two members one after the
other, measured on 2026-11-30), the load average, and saves the
forecasts to ``--cache`` so that ``--ensemble`` can score the median (or mean) of
several runs' forecasts (ensemble cost: the sum of the members' seconds)
without training again.  Results are appended to ``--json``.  On the test
split the members of an ensemble run with ``--no-score`` (forecasts cached,
score not computed), so that only the final configuration is looked at.

``--split val`` scores the last horizon of each training series (the
training series cut before it): recipes are chosen there; ``--split test``
is the M4 test set.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see benchmarks/README.md

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

from rnnforecast import GRUForecaster, LSTMForecaster  # noqa: E402
from rnnforecast.datasets import load_m4  # noqa: E402
from rnnforecast.metrics import (  # noqa: E402
    mean_absolute_scaled_error,
    naive2_forecast,
    overall_weighted_average,
    symmetric_mean_absolute_percentage_error,
)

CELLS = {"lstm": LSTMForecaster, "gru": GRUForecaster}
FREQ = {"hourly": "h", "weekly": "W-SUN"}
HERE = os.path.dirname(os.path.abspath(__file__))


def data(subset, path, split, every):
    m4 = load_m4(subset, path)
    idx, train, test = C.m4_cut(m4, every, split)
    return [m4.ids[i] for i in idx], train, test, m4.horizon, m4.seasonal_period


def long_frame(ids, train, freq):
    """The collection as a long DataFrame; every series ends at the same timestamp."""
    end = pd.Timestamp("2020-01-05")
    parts = [pd.DataFrame({"unique_id": uid, "ds": pd.date_range(end=end, periods=len(x), freq=freq),
                           "y": x}) for uid, x in zip(ids, train)]
    return pd.concat(parts, ignore_index=True)


def score(fc, test, train, h, m):
    sm = [symmetric_mean_absolute_percentage_error(y, f) for y, f in zip(test, fc)]
    ms = [mean_absolute_scaled_error(y, f, y_train=x, seasonal_period=m)
          for y, f, x in zip(test, fc, train)]
    n2 = [naive2_forecast(x, h, m) for x in train]
    sm2 = [symmetric_mean_absolute_percentage_error(y, f) for y, f in zip(test, n2)]
    ms2 = [mean_absolute_scaled_error(y, f, y_train=x, seasonal_period=m)
           for y, f, x in zip(test, n2, train)]
    return {"smape": float(np.mean(sm)), "mase": float(np.mean(ms)),
            "owa": float(overall_weighted_average(sm, ms, sm2, ms2))}


def fit_default(ids, train, h, subset, args):
    model = LSTMForecaster(random_state=args.seed, n_jobs=args.n_jobs)
    df = long_frame(ids, train, FREQ[subset])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w0, c0 = time.perf_counter(), time.process_time()
        model.fit(df)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    out = model.predict(h)
    fc = [out.loc[out["unique_id"] == uid].sort_values("ds").iloc[:, -1].to_numpy() for uid in ids]
    info = {"settings": {k: v for k, v in model._fitted_params_.items()},
            "member_window_lengths": list(model.member_window_lengths_),
            "fallback": model.fallback_, "fallback_series": len(model.fallback_series_),
            "reasons": list(model.auto_reasons_), "warnings": [str(w.message) for w in caught]}
    return np.stack(fc), wall, cpu, info


def fit_member(train, h, args):
    params = json.loads(args.params or "{}")
    model = CELLS[args.cell](**params, n_estimators=1, n_jobs=args.n_jobs, random_state=args.seed)
    w0, c0 = time.perf_counter(), time.process_time()
    model.fit(list(train))
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return np.stack(model.predict(h)), wall, cpu, {"cell": args.cell, "params": params,
                                                    "seed": args.seed}


def append(path, record):
    rows = []
    if os.path.isfile(path):
        with open(path) as f:
            rows = json.load(f)
    rows.append(record)
    with open(path, "w") as f:
        json.dump(rows, f, indent=1, default=str)


def report(path, out):
    """All runs of ``path`` as Markdown tables, one per subset and split."""
    with open(path) as f:
        rows = json.load(f)
    lines = ["# M4 Hourly and Weekly: defaults on the full sets and ensemble recipes", "",
             f"Runs of `benchmarks/m4_recipes.py` recorded in `{os.path.relpath(path)}`. Machine: "
             f"{C.cpu_model()}, {C.cores()} cores shared with other jobs (load before/after each run "
             "in the JSON). Training s: wall seconds of `fit`; CPU s: `time.process_time()` of the "
             "fit (all threads of the process); an ensemble's seconds are the sum of its members'.", ""]
    for subset in ("hourly", "weekly"):
        for split in ("val", "test"):
            sel = [r for r in rows if r["subset"] == subset and r["split"] == split
                   and r["owa"] is not None]  # members cached without a score are left out
            if not sel:
                continue
            lines += [f"## M4 {subset}, {split} split ({sel[0]['n_series']} series)", "",
                      "| run | sMAPE | MASE | OWA | training s | CPU s | load before | command |",
                      "|---|---|---|---|---|---|---|---|"]
            for r in sel:
                lines.append(f"| {r['name']} | {r['smape']:.3f} | {r['mase']:.3f} | {r['owa']:.3f} | "
                             f"{r['fit_wall_s']:.0f} | {r['fit_cpu_s']:.0f} | {r['load_before']} | "
                             f"`{r['command']}` |")
            lines.append("")
    with open(out, "w") as f:
        f.write("\n".join(lines))
    print(f"Markdown written to {out}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--subset", choices=("hourly", "weekly"), default="hourly")
    p.add_argument("--split", choices=("val", "test"), default="val")
    p.add_argument("--run", choices=("default", "member"), default=None)
    p.add_argument("--cell", choices=tuple(CELLS), default="lstm")
    p.add_argument("--params", default=None, help="JSON settings of a member")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--every", type=int, default=1)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--tag", default=None, help="name of the run (forecasts cached under it)")
    p.add_argument("--ensemble", default=None, help="comma-separated tags: score their median")
    p.add_argument("--combine", choices=("median", "mean"), default="median",
                   help="how --ensemble combines the runs' forecasts")
    p.add_argument("--name", default=None, help="name of the ensemble row")
    p.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "rnnforecast_m4_cache"),
                   help="folder of the runs' forecasts")
    p.add_argument("--json", default=os.path.join(HERE, "results", "m4_runs.json"))
    p.add_argument("--m4-path", default=os.path.join(HERE, "..", "..", "shared", "data", "m4"))
    p.add_argument("--no-score", action="store_true", help="cache the forecasts without scoring "
                   "them (members of an ensemble scored once on the test split)")
    p.add_argument("--markdown", default=None, help="only write the runs of --json as Markdown")
    args = p.parse_args(argv)
    if args.markdown:
        return report(args.json, args.markdown) or 0
    load_before = C.load()
    ids, train, test, h, m = data(args.subset, args.m4_path, args.split, args.every)
    os.makedirs(args.cache, exist_ok=True)

    def key(tag):
        return os.path.join(args.cache, f"{args.subset}_{args.split}_{args.every}_{tag}.npz")

    record = {"subset": args.subset, "split": args.split, "n_series": len(train), "every": args.every,
              "command": C.command_line(), "date": C.now(), "load_before": load_before}
    if args.ensemble:
        tags = [t.strip() for t in args.ensemble.split(",") if t.strip()]
        loaded = [np.load(key(t)) for t in tags]
        combine = np.mean if args.combine == "mean" else np.median
        fc = combine(np.stack([d["forecasts"] for d in loaded]), axis=0)
        record.update(name=args.name or f"{args.combine}(" + "+".join(tags) + ")", members=tags,
                      fit_wall_s=float(sum(float(d["wall"]) for d in loaded)),
                      fit_cpu_s=float(sum(float(d["cpu"]) for d in loaded)))
    else:
        if args.run is None or args.tag is None:
            p.error("--run and --tag are needed unless --ensemble is given")
        if args.run == "default":
            fc, wall, cpu, info = fit_default(ids, train, h, args.subset, args)
        else:
            fc, wall, cpu, info = fit_member(train, h, args)
        np.savez(key(args.tag), forecasts=fc, wall=wall, cpu=cpu)
        record.update(name=args.tag, run=args.run, n_jobs=args.n_jobs, fit_wall_s=wall,
                      fit_cpu_s=cpu, **info)
    record["load_after"] = C.load()
    if args.no_score:  # a member of a test ensemble: its own test score is not looked at
        record.update(smape=None, mase=None, owa=None)
        append(args.json, record)
        print(f"{record['name']} [{args.subset}/{args.split}]: forecasts cached, not scored; fit wall "
              f"{record['fit_wall_s']:.0f} s, CPU {record['fit_cpu_s']:.0f} s", flush=True)
        return 0
    record.update(score(fc, test, train, h, m))
    append(args.json, record)
    print(f"{record['name']} [{args.subset}/{args.split}, {len(train)} series]: sMAPE "
          f"{record['smape']:.3f} MASE {record['mase']:.3f} OWA {record['owa']:.3f}; fit wall "
          f"{record['fit_wall_s']:.0f} s, CPU {record['fit_cpu_s']:.0f} s; load {load_before} -> "
          f"{record['load_after']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
