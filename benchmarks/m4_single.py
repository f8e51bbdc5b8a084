"""M4 series fitted one at a time with the defaults: the single-series rules on other frequencies.

Usage::

    python benchmarks/m4_single.py [--subset hourly|weekly] [--split val] [--every 7]
                                   [--offset 0] [--seed 0] [--cell lstm]
                                   [--m4-path ../shared/data/m4] [--markdown PATH]
                                   [--params JSON] [--rules JSON]

Every ``--every``-th series of the M4 subset (from ``--offset``) is fitted alone, as a pandas
Series with a calendar index (hourly ``h``, weekly ``W-SUN``), by ``LSTMForecaster(random_state=
seed)`` (or ``--cell gru|rnn``) with no other argument, and forecast ``h`` steps (48 / 13).
Scored by MASE with M4's scaling (m = 24 hourly, 1 weekly) against seasonal naive (naive for
weekly); reported: the geometric mean of the per-series MASE ratios, the number of series lost
(ratio > 1), the mean MASEs and the fit seconds.  ``--split val`` (default) scores the last
horizon of each training series and never reads the test file's values: the bundled suite of
``accuracy.py`` has no hourly and few weekly series, so this is where the single-series rules meet
those frequencies during tuning.  Tuning only: ``--params`` passes estimator parameters,
``--rules`` replaces constants of :mod:`rnnforecast.forecasting.auto_config` for the run (as
``accuracy.py --override '{"_rules": ...}'``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

LOAD_BEFORE = C.load()

from m4_recipes import data  # noqa: E402

from rnnforecast import GRUForecaster, LSTMForecaster, RNNForecaster  # noqa: E402
from rnnforecast.baselines import NaiveForecaster  # noqa: E402
from rnnforecast.metrics import mean_absolute_scaled_error  # noqa: E402

FREQ = {"hourly": "h", "weekly": "W-SUN"}
CELLS = {"lstm": LSTMForecaster, "gru": GRUForecaster, "rnn": RNNForecaster}


def run(subset, path, split, every, offset, seed, cell, params=None):
    ids, train, test, h, m = data(subset, path, split, 1)
    rows = []
    for i in range(offset, len(ids), every):
        x = np.asarray(train[i], dtype=float)
        y = pd.Series(x, index=pd.date_range(end="2020-01-05", periods=len(x), freq=FREQ[subset]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.process_time()
            model = CELLS[cell](random_state=seed, verbose=0, **(params or {})).fit(y)
            fit_s = time.process_time() - t0
            fc = np.asarray(model.predict(h), dtype=float)
        ours = mean_absolute_scaled_error(test[i], fc, y_train=x, seasonal_period=m)
        naive = NaiveForecaster(strategy="seasonal_last", seasonal_period=m).fit(x).predict(h)
        base = mean_absolute_scaled_error(test[i], np.asarray(naive, dtype=float), y_train=x,
                                          seasonal_period=m)
        rows.append({"id": ids[i], "n": len(x), "window": model.window_length_,
                     "patch": model.patch_length_, "period": model.seasonal_period_,
                     "members": model.n_estimators_, "mase": float(ours),
                     "baseline": float(base), "fit_s": fit_s})
    return rows, h, m


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--subset", choices=tuple(FREQ), default="hourly")
    p.add_argument("--split", choices=("val", "test"), default="val")
    p.add_argument("--every", type=int, default=7)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cell", choices=tuple(CELLS), default="lstm")
    p.add_argument("--m4-path", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "..", "..", "shared", "data", "m4"))
    p.add_argument("--markdown", metavar="PATH")
    p.add_argument("--params", default=None, help="JSON estimator parameters (tuning only)")
    p.add_argument("--rules", default=None, help="JSON auto_config constants (tuning only)")
    args = p.parse_args(argv)
    params = json.loads(args.params) if args.params else None
    if args.rules:
        from accuracy import rules

        with rules({"_rules": json.loads(args.rules)}):
            return _main(args, params)
    return _main(args, params)


def _main(args, params):
    if args.every < 1 or args.offset < 0:
        raise SystemExit("--every must be >= 1 and --offset >= 0")
    print(f"m4_single.py  {C.now()}\ncommand: {C.command_line()}\nload before: {LOAD_BEFORE}")
    rows, h, m = run(args.subset, args.m4_path, args.split, args.every, args.offset, args.seed,
                     args.cell, params)
    exact = [r["id"] for r in rows if r["mase"] == 0 or r["baseline"] == 0]
    if exact:  # a ratio of 0 or inf has no logarithm: such series are reported apart
        print(f"left out of the geometric mean (a MASE of 0): {exact}")
        rows = [r for r in rows if r["id"] not in exact]
    ratio = np.array([r["mase"] / r["baseline"] for r in rows])
    base_name = "seasonal naive" if m > 1 else "naive"
    summary = C.Table(
        f"M4 {args.subset} ({args.split} split), {len(rows)} series fitted one at a time: default "
        f"{CELLS[args.cell].__name__}(random_state={args.seed}), h = {h}, MASE with m = {m}",
        ["series", f"geometric-mean MASE ratio to {base_name}", "series lost", "mean MASE",
         f"mean MASE {base_name}", "mean fit CPU s", "settings (window, patch, period, members)"],
        notes=["ratio < 1: the network beats the baseline",
               f"params: {params}, rules: {args.rules}"])
    settings = sorted({(r["window"], r["patch"], r["period"], r["members"]) for r in rows})
    summary.add(len(rows), f"{np.exp(np.mean(np.log(ratio))):.3f}", int((ratio > 1).sum()),
                f"{np.mean([r['mase'] for r in rows]):.3f}",
                f"{np.mean([r['baseline'] for r in rows]):.3f}",
                f"{np.mean([r['fit_s'] for r in rows]):.2f}", "; ".join(map(str, settings)))
    C.finish([summary], LOAD_BEFORE, args.markdown)


if __name__ == "__main__":
    main()
