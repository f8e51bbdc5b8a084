"""Accuracy suite: the neural forecasters' defaults against ARIMA and naive baselines.

Usage::

    python benchmarks/accuracy.py [--split test|val] [--datasets all] [--windows 3] [--seed 0]
                                  [--seeds 0,1,2,3,4] [--extra all]
                                  [--models lstm,gru,rnn,lstm_single,auto_arima,arima,seasonal_naive,naive2]
                                  [--m4 hourly,weekly] [--m4-every 1] [--m4-models lstm,lstm_recipe]
                                  [--m4-path ../shared/data/m4] [--override JSON] [--cache PATH]
                                  [--markdown benchmarks/results/accuracy.md]

Two parts, scored the same way (MASE scaled by the in-sample seasonal naive
error, sMAPE on the 0-200 scale, fit seconds):

1. **Bundled datasets** (:data:`rnnforecast.datasets.DATASETS`): ``--windows``
   rolling origins (expanding window, refitted at each origin) through
   :func:`rnnforecast.benchmarking.run_benchmark`, the horizon of
   :data:`~rnnforecast.benchmarking.DEFAULT_HORIZONS`.
2. **M4 Hourly and M4 Weekly** (CSV files at ``--m4-path``): the M4 protocol,
   every ``--m4-every``-th series; the neural models are global (one network
   per ensemble member on all the series); sMAPE, MASE (m = 24 hourly, 1
   weekly, as M4) and OWA relative to Naive2 on the same series.

Models: ``lstm``, ``gru``, ``rnn`` are the *defaults* -- ``LSTMForecaster(
random_state=seed)`` once the forecasters configure themselves, until then the
rules of :mod:`rnnforecast.forecasting.auto_config` applied by hand
(:mod:`auto_ensemble`: median of the members, seeds and input lengths from
the rules); ``lstm_single`` is one member only; ``lstm_before`` is
``LSTMForecaster(random_state=seed)`` as it was before the automatic
configuration (recursive, 24 inputs); ``lstm_recipe`` on M4 Hourly is the
hand-tuned recipe of ``benchmarks/m4_hourly.py``; ``lstm_gru`` the defaults'
ensemble doubled with GRU members. Baselines: ``auto_arima``, ``arima``,
``seasonal_naive``, ``naive2`` (:func:`rnnforecast.benchmarking.make_forecaster`).

``--extra all`` (with ``--split val`` only) adds a validation-only set of real
series of other domains and frequencies (statsmodels' macrodata, danish_data,
interest_inflation, fertility, strikes, weekly co2: ``benchmarks/_extra_series.py``);
``--extra pmdarima`` a second family (pmdarima's bundled series: half-hourly
electricity, monthly, quarterly, yearly, and two without a calendar index;
``all,pmdarima`` for both); ``--extra rdata`` a third (daily and hourly weather,
weekly and daily exchange rates, US labour series, R's classic monthly,
quarterly and yearly series; ``all,pmdarima,rdata`` for the three), rows ``x_*``, scored like the bundled datasets on their last ``windows * h``
points, with their own geometric-mean row.  ``--seeds`` runs every model once
per seed: the tables give the mean over the seeds, plus a table of the seed
spread (std/mean of each neural model's MASE, per dataset).  ``--override``
passes parameters to the self-configuring forecasters, and its ``"_rules"``
entry replaces module constants of :mod:`rnnforecast.forecasting.auto_config`
for the run (e.g. ``{"_rules": {"SMALL_DATA_MAX_EPOCHS": 50}}``).
``benchmarks/accuracy_variants.py`` tabulates several saved runs side by side.

``--split val`` scores the last ``windows * h`` points before the test part
(bundled) or the last horizon of each training series (M4) instead: the
split the rules were tuned on.  The summary gives, per dataset, each model's
MASE divided by seasonal naive's and the geometric mean of these ratios
over the datasets.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

LOAD_BEFORE = C.load()

import auto_ensemble as AE  # noqa: E402

from rnnforecast.benchmarking import DEFAULT_HORIZONS, make_forecaster, run_benchmark  # noqa: E402
from rnnforecast.datasets import DATASETS, load_dataset, load_m4  # noqa: E402
from rnnforecast.metrics import (  # noqa: E402
    mean_absolute_scaled_error,
    naive2_forecast,
    overall_weighted_average,
    symmetric_mean_absolute_percentage_error,
)

DEFAULT_MODELS = "lstm,gru,rnn,lstm_single,lstm_before,auto_arima,arima,seasonal_naive,naive2"
DEFAULT_M4_MODELS = "lstm,gru,lstm_recipe"
BASELINES = ("auto_arima", "arima", "seasonal_naive", "naive2")
CACHED = (*BASELINES, "lstm_before")  # deterministic and independent of the rules
M4_PUBLISHED = {
    "hourly": "published M4 Hourly: Naive2 sMAPE 18.383 / MASE 2.395; seasonal naive 13.912 / 1.193 / "
              "OWA 0.627; ES-RNN 9.328 / 0.893 / 0.440; best OWA 0.410",
    "weekly": "published M4 Weekly: Naive2 sMAPE 9.161 / MASE 2.777; ES-RNN sMAPE 7.817; best 6.582",
}


def self_configuring(cell):
    """Whether the forecaster class configures itself (has ``n_estimators``)."""
    return "n_estimators" in AE.CELLS[cell]().get_params()


def bundled_model(name, seed, sp, h, n_train, overrides):
    cell = name.split("_")[0]
    params = {k: v for k, v in (overrides or {}).items() if k != "_rules"}
    auto = cell in AE.CELLS and self_configuring(cell)
    if name in ("lstm", "gru", "rnn"):
        # n_jobs=1: one kernel thread on the shared machine (results do not depend on it)
        return (AE.CELLS[cell](random_state=seed, n_jobs=1, **params) if auto
                else AE.AutoEnsembleForecaster(cell, seed, overrides))
    if name == "lstm_single":
        return (AE.CELLS[cell](random_state=seed, n_jobs=1, **{**params, "n_estimators": 1}) if auto
                else AE.AutoEnsembleForecaster("lstm", seed, {**(overrides or {}), "n_estimators": 1}))
    if name == "lstm_before":
        before = {}
        if self_configuring("lstm"):
            from rnnforecast.forecasting.neural.ensemble import PRE_AUTO_DEFAULTS as before
        return AE.CELLS["lstm"](**before, random_state=seed, n_jobs=1)
    return make_forecaster(name, seasonal_period=sp, horizon=h, n_train=n_train, random_state=seed)


@contextlib.contextmanager
def rules(overrides):
    """Module constants of auto_config replaced for the run (``overrides["_rules"]``, tuning only)."""
    from rnnforecast.forecasting import auto_config as AC

    new = dict((overrides or {}).get("_rules", {}))
    bad = [k for k in new if not hasattr(AC, k)]
    if bad:
        raise ValueError(f"_rules names unknown auto_config constants {bad}")
    saved = {k: getattr(AC, k) for k in new}
    try:
        for k, v in new.items():
            if isinstance(v, dict):  # JSON object keys are strings: "12" -> 12
                v = {int(key) if str(key).isdigit() else key: val for key, val in v.items()}
            setattr(AC, k, tuple(v) if isinstance(v, list) else v)
        yield
    finally:
        for k, v in saved.items():
            setattr(AC, k, v)


def series_sets(datasets, extra, split, windows):
    """``{name: (y, h, seasonal_period)}``: bundled (cut for ``--split val``), then the extra set."""
    out = {}
    for name in datasets:
        y = load_dataset(name)
        h, sp = DEFAULT_HORIZONS[name], DATASETS[name].seasonal_period
        out[name] = (y.iloc[: len(y) - windows * h] if split == "val" else y, h, sp)
    if extra != "none":
        if split != "val":
            raise ValueError("--extra is a validation-only set: use it with --split val")
        from _extra_series import extra_series
        from rnnforecast.forecasting.frequency import period_from_freq

        for name, (y, h) in extra_series(extra).items():
            # no calendar index (pm_heartrate, pm_msft): no seasonal period for MASE
            out[f"x_{name}"] = (y, h, period_from_freq(getattr(y.index, "freqstr", None)) or 1)
    return out


# --------------------------------------------------------------------------- part 1
def cache_key(split, name, windows, seed, model):
    """Key of a cached score; the baselines are deterministic, so seed-free."""
    return f"{split}/{name}/{windows}/{'-' if model in BASELINES else seed}/{model}"


def bundled(sets, models, windows, seed, split, overrides, cache, save=lambda: None):
    rows = {}
    for name, (y, h, sp) in sets.items():
        n_train = len(y) - windows * h
        rows[name] = {}
        todo = {}
        for m in models:
            key = cache_key(split, name, windows, seed, m)
            if m in CACHED and key in cache:
                rows[name][m] = cache[key]
            else:
                todo[m] = bundled_model(m, seed, sp, h, n_train, overrides)
        if todo:
            with warnings.catch_warnings(), rules(overrides):
                warnings.simplefilter("ignore")
                res = run_benchmark(y, todo, horizon=h, n_windows=windows, seasonal_period=sp, name=name)
            for m in todo:
                r = res.table.loc[m]
                rows[name][m] = {"mase": float(r["mase"]), "smape": float(r["smape"]),
                                 "fit_s": float(r["fit_seconds"]), "status": str(r["status"])}
                if m in CACHED:
                    cache[cache_key(split, name, windows, seed, m)] = rows[name][m]
        save()
        print(f"{name} (h={h}, seasonal_period={sp}): " + ", ".join(
            f"{m} {v['mase']:.3f}" for m, v in rows[name].items()), file=sys.stderr, flush=True)
    return rows


# --------------------------------------------------------------------------- part 2
def m4_data(subset, path, every, split):
    m4 = load_m4(subset, path)
    _, train, test = C.m4_cut(m4, every, split)
    return m4, train, test


def m4_recipe(cell, train, h, seed):
    from m4_hourly import RECIPE

    model = AE.CELLS[cell](**RECIPE, max_iter=30, windows_per_epoch=51200, n_jobs=1, random_state=seed)
    t0 = time.perf_counter()
    model.fit(list(train))
    fit_s = time.perf_counter() - t0
    return np.stack(model.predict(h)), fit_s


def m4_forecasts(model, subset, train, h, m, seed, overrides):
    t0 = time.perf_counter()
    if model == "seasonal_naive":
        return np.stack([np.resize(x[-m:], h) for x in train]), time.perf_counter() - t0
    if model == "naive2":
        return np.stack([naive2_forecast(x, h, m) for x in train]), time.perf_counter() - t0
    if model == "lstm_recipe":
        if subset != "hourly":
            raise ValueError("lstm_recipe is the M4 Hourly recipe")
        return m4_recipe("lstm", train, h, seed)
    if model == "lstm_gru":
        f1, i1 = AE.panel_fit_predict("lstm", train, h, seed, overrides=overrides)
        f2, i2 = AE.panel_fit_predict("gru", train, h, seed, overrides=overrides)
        return np.median(np.concatenate([f1[None], f2[None]]), axis=0), i1["fit_s"] + i2["fit_s"]
    cell = model.split("_")[0]
    if model in ("lstm", "gru", "rnn", "lstm_single") and self_configuring(cell):
        extra = {k: v for k, v in (overrides or {}).items() if k != "_rules"}
        extra.update({"n_estimators": 1} if model == "lstm_single" else {})
        f = AE.CELLS[cell](random_state=seed, n_jobs=1, **extra)
        f.fit(list(train))
        fit_s = time.perf_counter() - t0
        print(f"  {model}: fallback_={getattr(f, 'fallback_', None)}, reasons: "
              + "; ".join(getattr(f, "auto_reasons_", ()) or ()), file=sys.stderr)
        return np.stack(f.predict(h)), fit_s
    extra = {"n_estimators": 1} if model == "lstm_single" else {}
    fc, info = AE.panel_fit_predict(cell, train, h, seed, overrides={**(overrides or {}), **extra})
    print(f"  {model} settings: " + ", ".join(f"{k}={v}" for k, v in info["params"].items()
                                             if k != "reasons"), file=sys.stderr)
    return fc, info["fit_s"]


def m4_part(subset, path, every, split, models, seed, overrides):
    m4, train, test = m4_data(subset, path, every, split)
    h, m = m4.horizon, m4.seasonal_period
    out = {}
    others = [x for x in models if x not in ("seasonal_naive", "naive2")
              and (x != "lstm_recipe" or subset == "hourly")]  # the recipe is M4 Hourly's
    for model in ["seasonal_naive", "naive2", *others]:
        with warnings.catch_warnings(), rules(overrides):
            warnings.simplefilter("ignore")
            fc, fit_s = m4_forecasts(model, subset, train, h, m, seed, overrides)
        sm = [symmetric_mean_absolute_percentage_error(y, f) for y, f in zip(test, fc)]
        ms = [mean_absolute_scaled_error(y, f, y_train=x, seasonal_period=m) for y, f, x in zip(test, fc, train)]
        out[model] = {"smape": float(np.mean(sm)), "mase": float(np.mean(ms)), "fit_s": fit_s,
                      "per_series": (sm, ms), "status": "ok"}
        print(f"m4_{subset} {model}: sMAPE {np.mean(sm):.3f} MASE {np.mean(ms):.3f} fit {fit_s:.0f} s",
              file=sys.stderr, flush=True)
    n2 = out["naive2"]["per_series"]
    for model, r in out.items():
        if "per_series" in r:
            r["owa"] = float(overall_weighted_average(r["per_series"][0], r["per_series"][1], *n2))
            del r["per_series"]
    note = (f"m4_{subset}: {len(train)} of {len(m4.ids)} series (every {every}-th), h={h}, MASE m={m}; "
            + M4_PUBLISHED[subset])
    return out, note


# --------------------------------------------------------------------------- summary
def geomean(values):
    v = np.asarray([x for x in values if np.isfinite(x) and x > 0])
    return float(np.exp(np.mean(np.log(v)))) if v.size else float("nan")


def summary_tables(results, models):
    """MASE (ratio to seasonal naive), sMAPE and fit seconds per dataset; geometric-mean ratio."""
    heads = ["dataset", *models]
    t_mase = C.Table("MASE per dataset (in brackets: divided by seasonal naive's; bold = best)", heads)
    t_smape = C.Table("sMAPE per dataset (0-200; M4 rows also OWA relative to Naive2)", heads)
    t_fit = C.Table("Fit seconds per window (bundled) or for the whole collection (M4)", heads)
    ratios = {m: [] for m in models}
    ratio_of = {m: [] for m in models}  # one entry per dataset (NaN when missing)
    for ds, rows in results.items():
        sn0 = rows.get("seasonal_naive", {}).get("mase", np.nan)
        for m in models:
            ratio_of[m].append(rows[m]["mase"] / sn0 if m in rows else np.nan)
        sn = rows.get("seasonal_naive", {}).get("mase", np.nan)
        mase = {m: rows[m]["mase"] for m in models if m in rows and np.isfinite(rows[m]["mase"])}
        best = min(mase, key=mase.get) if mase else None
        cells, scells, fcells = [], [], []
        for m in models:
            if m not in rows or not np.isfinite(rows[m]["mase"]):
                cells.append("-" if m not in rows else f"failed: {rows[m].get('status', '')[:60]}")
                scells.append("-")
                fcells.append("-")
                continue
            r = rows[m]
            ratio = r["mase"] / sn
            ratios[m].append(ratio)
            txt = f"{r['mase']:.3f} ({ratio:.2f})"
            cells.append(f"**{txt}**" if m == best else txt)
            scells.append(f"{r['smape']:.3f}" + (f" / OWA {r['owa']:.3f}" if "owa" in r else ""))
            fcells.append(f"{r['fit_s']:.2f}")
        t_mase.add(ds, *cells)
        t_smape.add(ds, *scells)
        t_fit.add(ds, *fcells)
    groups = {g: [i for i, ds in enumerate(results) if group(ds) == g] for g in GROUPS}
    groups = {g: idx for g, idx in groups.items() if idx}
    for g, idx in (groups.items() if len(groups) > 1 else ()):
        per = {m: [r for i, r in enumerate(ratio_of[m]) if i in idx and np.isfinite(r)] for m in models}
        t_mase.add(f"geometric mean, {GROUPS[g]}",
                   *[f"{geomean(per[m]):.3f} ({len(per[m])})" if per[m] else "-" for m in models])
    t_mase.add("**geometric mean of the ratios**",
               *[f"**{geomean(ratios[m]):.3f}** ({len(ratios[m])} datasets)" for m in models])
    return t_mase, t_smape, t_fit, {m: geomean(ratios[m]) for m in models}


#: Dataset groups of the summary rows: bundled, the extra set (``x_``), M4 (``m4_``).
GROUPS = {"bundled": "bundled", "x": "extra set (validation only)", "m4": "M4"}


def group(dataset):
    return "x" if dataset.startswith("x_") else "m4" if dataset.startswith("m4_") else "bundled"


def seed_spread_table(per_seed, models):
    """std/mean over the seeds of each neural model's MASE, per dataset (``per_seed``: list of results)."""
    neural = [m for m in models if m not in BASELINES]
    t = C.Table(f"Seed spread: std/mean of MASE over {len(per_seed)} seeds (%)", ["dataset", *neural])
    worst = {m: 0.0 for m in neural}
    for ds in per_seed[0]:
        cells = []
        for m in neural:
            v = np.array([r[ds][m]["mase"] for r in per_seed if m in r.get(ds, {})])
            sp = 100 * v.std() / v.mean() if v.size > 1 and np.isfinite(v).all() else np.nan
            worst[m] = max(worst[m], sp) if np.isfinite(sp) else worst[m]
            cells.append(f"{sp:.1f}" if np.isfinite(sp) else "-")
        t.add(ds, *cells)
    t.add("**largest**", *[f"**{worst[m]:.1f}**" for m in neural])
    return t


def mean_over_seeds(per_seed):
    """Scores averaged over the seeds (MASE, sMAPE, fit seconds), per dataset and model."""
    out = {}
    for ds in per_seed[0]:
        out[ds] = {}
        for m in per_seed[0][ds]:
            rows = [r[ds][m] for r in per_seed]
            out[ds][m] = {k: float(np.mean([x[k] for x in rows])) for k in ("mase", "smape", "fit_s")}
            out[ds][m]["status"] = rows[0]["status"]
    return out


def parse_list(text):
    return [x.strip() for x in text.split(",") if x.strip()]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", choices=("test", "val"), default="test")
    p.add_argument("--datasets", default="all", help="comma-separated bundled datasets, 'all' or 'none'")
    p.add_argument("--models", default=DEFAULT_MODELS, help="models on the bundled datasets")
    p.add_argument("--windows", type=int, default=3, help="rolling origins per bundled dataset")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--seeds", default=None, help="comma-separated seeds (e.g. 0,1,2,3,4): scores "
                   "averaged over them and a seed-spread table (replaces --seed)")
    p.add_argument("--extra", default="none", help="validation-only extra real series "
                   "(benchmarks/_extra_series.py): 'none', or comma-separated groups ('all': the "
                   "statsmodels family, 'pmdarima': the pm_* family, 'rdata': the rd_* family of "
                   "daily, hourly, weekly and R's classic series; both need the bench extra) and "
                   "names; --split val")
    p.add_argument("--m4", default="hourly,weekly", help="M4 subsets ('none' to skip)")
    p.add_argument("--m4-every", type=int, default=1, help="every k-th M4 series")
    p.add_argument("--m4-models", default=DEFAULT_M4_MODELS, help="neural models on M4 (the naive "
                   "baselines always run)")
    p.add_argument("--m4-path", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                     "..", "shared", "data", "m4"))
    p.add_argument("--override", default=None, help="JSON dict of settings replacing the rules' values "
                   "(tuning: compare a rule with an alternative on --split val)")
    p.add_argument("--cache", default=None, help="JSON file caching the baselines' bundled scores")
    p.add_argument("--markdown", metavar="PATH", help="write the results as Markdown")
    p.add_argument("--save-json", metavar="PATH", help="write the per-dataset scores as JSON")
    p.add_argument("--add-json", metavar="PATH", action="append", default=[],
                   help="scores of an earlier run (--save-json) to tabulate with this run's, with "
                   "its header lines (e.g. the M4 part run separately)")
    args = p.parse_args(argv)
    overrides = json.loads(args.override) if args.override else None
    cache = {}
    if args.cache and os.path.isfile(args.cache):
        with open(args.cache) as f:
            cache = json.load(f)
    datasets = (list(DATASETS) if args.datasets == "all" else []
                if args.datasets == "none" else parse_list(args.datasets))
    bad = [d for d in datasets if d not in DATASETS]
    if bad:
        p.error(f"unknown dataset(s) {bad}; valid names are {', '.join(DATASETS)}")
    if args.m4_every < 1:
        p.error(f"--m4-every must be >= 1; got {args.m4_every}")
    models = parse_list(args.models)
    t_start = time.perf_counter()
    def save():
        if args.cache:
            with open(args.cache, "w") as f:
                json.dump(cache, f, indent=1)

    try:
        sets = series_sets(datasets, args.extra, args.split, args.windows)
    except ValueError as e:
        p.error(str(e))
    seeds = [int(x) for x in parse_list(args.seeds)] if args.seeds else [args.seed]
    per_seed = [bundled(sets, models, args.windows, sd, args.split, overrides, cache, save)
                for sd in seeds]
    results = mean_over_seeds(per_seed) if len(seeds) > 1 else per_seed[0]
    spread = seed_spread_table(per_seed, models) if len(seeds) > 1 and sets else None
    notes = []
    m4_models = parse_list(args.m4_models)
    for subset in ([] if args.m4 == "none" else parse_list(args.m4)):
        if not os.path.isfile(os.path.join(args.m4_path, f"{subset.capitalize()}-train.csv")):
            notes.append(f"M4 {subset} skipped: no {subset.capitalize()}-train.csv in {args.m4_path}")
            continue
        results[f"m4_{subset}"], note = m4_part(subset, args.m4_path, args.m4_every, args.split,
                                                m4_models, args.seed, overrides)
        notes.append(note)
    earlier = []
    for path in args.add_json:
        with open(path) as f:
            saved = json.load(f)
        results.update(saved["results"])
        earlier += [f"(from {path}) {line}" for line in saved["header"]]
    all_models = list(dict.fromkeys(m for rows in results.values() for m in rows))
    t_mase, t_smape, t_fit, _ = summary_tables(results, all_models)
    total = time.perf_counter() - t_start
    split = ("scores on the test part" if args.split == "test"
             else "validation: the test part is not used")
    defaults = ("the forecasters configure themselves" if self_configuring("lstm")
                else "auto_config rules applied by hand (benchmarks/auto_ensemble.py)")
    header = [f"command: `{C.command_line()}`",
              f"split: **{args.split}** ({split})",
              f"date: {C.now()}; total wall time {total:.0f} s",
              f"machine: {C.cpu_model()}, {C.cores()} cores shared with other jobs, load before start "
              f"{LOAD_BEFORE}, after {C.load()}",
              f"defaults: {defaults}",
              f"overrides: {overrides}",
              f"seeds: {seeds}" + (" (scores: mean over the seeds)" if len(seeds) > 1 else ""), *notes]
    if args.save_json:
        with open(args.save_json, "w") as f:
            json.dump({"results": results, "header": header, "per_seed": per_seed}, f, indent=1)
    header += earlier
    tables = [t_mase, t_smape, t_fit] + ([spread] if spread is not None else [])
    for t in tables:
        print(t.text(), "\n")
    print("\n".join(header))
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("# Accuracy suite: defaults of the neural forecasters against the baselines\n\n")
            for line in header:
                f.write(f"- {line}\n")
            for t in tables:
                f.write("\n" + t.markdown() + "\n")
        print(f"Markdown written to {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
