"""Side-by-side table of several ``benchmarks/accuracy.py --save-json`` runs (tuning variants).

Usage::

    python benchmarks/accuracy_variants.py NAME=PATH [NAME=PATH ...] [--model lstm]
                                           [--seeds 0,1,2] [--markdown PATH]

For each run (typically the same ``--split val --extra all`` suite with a
different ``--override``), one column: the model's MASE ratio to seasonal
naive per dataset, the geometric mean of the ratios per group (bundled, the
extra set) and overall, the number of datasets where it loses to seasonal
naive, the largest seed spread (std/mean of MASE over the seeds, %) and the
mean fit seconds per window.  ``--seeds`` restricts every run to the seeds
listed (so runs with 5 and 3 seeds compare on the same seeds).  The
baselines (seasonal naive, ARIMA) are columns of the first run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402
from accuracy import GROUPS, geomean, group  # noqa: E402


def load_run(path, seeds=None):
    """``(per_seed results, seeds)`` of a saved run, restricted to ``seeds`` when given."""
    with open(path) as f:
        saved = json.load(f)
    per_seed = saved.get("per_seed") or [saved["results"]]
    line = next((x for x in saved["header"] if x.startswith("seeds: ")), "seeds: [0]")
    run_seeds = json.loads(line.split("seeds: ", 1)[1].split(" (")[0])
    if seeds is None:
        return per_seed, run_seeds
    missing = [s for s in seeds if s not in run_seeds]
    if missing:
        raise ValueError(f"{path} has seeds {run_seeds}; --seeds asks for {missing} too")
    return [per_seed[run_seeds.index(s)] for s in seeds], list(seeds)


def column(per_seed, model):
    """Per dataset: mean MASE ratio to seasonal naive over the seeds, seed spread, fit seconds."""
    out = {}
    for ds in per_seed[0]:
        if model not in per_seed[0][ds]:
            continue
        mase = np.array([r[ds][model]["mase"] for r in per_seed])
        sn = per_seed[0][ds]["seasonal_naive"]["mase"]
        spread = 100 * mase.std() / mase.mean() if mase.size > 1 else np.nan
        fit = float(np.mean([r[ds][model]["fit_s"] for r in per_seed]))
        out[ds] = (float(mase.mean() / sn), float(spread), fit)
    return out


def table(runs, model, only=None):
    names = list(runs)
    cols = {n: column(runs[n], model) for n in names}
    if only is not None:  # rows: the datasets of run `only` (runs on a subset compare on it)
        keep = set(cols[only])
        cols = {n: {ds: v for ds, v in c.items() if ds in keep} for n, c in cols.items()}
    first = runs[names[0]]
    base = {b: {ds: v for ds, v in column(first, b).items() if ds in cols[names[0]]}
            for b in ("arima", "auto_arima") if b in first[0][next(iter(first[0]))]}
    heads = ["dataset", *names, *base]
    t = C.Table(f"MASE of {model} divided by seasonal naive's (mean over the seeds)", heads)
    datasets = list(cols[names[0]])
    for ds in datasets:
        t.add(ds, *[f"{cols[n][ds][0]:.3f}" if ds in cols[n] else "-" for n in names],
              *[f"{base[b][ds][0]:.3f}" for b in base])
    everything = {**cols, **base}
    for g, label in GROUPS.items():
        in_g = [ds for ds in datasets if group(ds) == g]
        if in_g:
            t.add(f"geometric mean, {label}",
                  *[f"{geomean([everything[n][ds][0] for ds in in_g if ds in everything[n]]):.3f}"
                    for n in [*names, *base]])
    t.add("**geometric mean, all**",
          *[f"**{geomean([v[0] for v in everything[n].values()]):.3f}**" for n in [*names, *base]])
    t.add("datasets lost to seasonal naive (ratio > 1)",
          *[str(sum(v[0] > 1 for v in everything[n].values())) for n in [*names, *base]])
    t.add("largest seed spread (%)", *[f"{np.nanmax([v[1] for v in cols[n].values()]):.1f}"
                                       for n in names], *["-" for _ in base])
    t.add("mean fit seconds per window", *[f"{np.mean([v[2] for v in cols[n].values()]):.2f}"
                                           for n in names], *["-" for _ in base])
    return t


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", metavar="NAME=PATH")
    p.add_argument("--model", default="lstm")
    p.add_argument("--seeds", default=None)
    p.add_argument("--markdown", metavar="PATH")
    p.add_argument("--datasets-of", default=None, metavar="NAME",
                   help="only the datasets of run NAME (when it covers a subset)")
    p.add_argument("--append", action="store_true", help="append to --markdown")
    args = p.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else None
    runs, notes = {}, []
    for item in args.runs:
        if "=" not in item:
            p.error(f"runs must be NAME=PATH; got {item!r}")
        name, path = item.split("=", 1)
        runs[name], used = load_run(path, seeds)
        with open(path) as f:
            hdr = json.load(f)["header"]
        notes.append(f"{name}: `{path}`, seeds {used}; " + "; ".join(
            x for x in hdr if x.startswith(("command", "overrides", "date", "machine"))))
    if args.datasets_of is not None and args.datasets_of not in runs:
        p.error(f"--datasets-of must name one of the runs {list(runs)}; got {args.datasets_of!r}")
    t = table(runs, args.model, args.datasets_of)
    print(t.text())
    print("\n".join(notes))
    if args.markdown:
        with open(args.markdown, "a" if args.append else "w") as f:
            f.write("\n" if args.append else "# Accuracy variants on the validation split\n\n")
            f.write(f"- command: `{C.command_line()}`\n")
            f.write("".join(f"- {n}\n" for n in notes) + "\n" + t.markdown() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
