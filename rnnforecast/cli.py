"""Command-line interface: ``rnnforecast <command> [options]`` (or ``python -m rnnforecast``).

Commands
--------
benchmark
    Backtest several models on a bundled dataset or on your own CSV file
    (one series, or the long format ``unique_id, ds, y``) and compare them
    (see :func:`benchmark_command`, :mod:`rnnforecast.benchmarking` and
    :mod:`rnnforecast.benchmark_data`).

Each command lives in two functions: ``add_<command>_parser(subparsers)``
declares its options and ``<command>_command(args)`` runs it and returns
the exit status.  :func:`build_parser` assembles the parser; adding a
command means adding such a pair and registering it in ``build_parser``.
A command reports a usage problem found after parsing (e.g. a horizon
that does not fit the chosen dataset) by raising :class:`UsageError`, which
:func:`main` turns into an argparse error (exit status 2).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rnnforecast._files import (
    OutputPathError,
    check_output_file,
    prepare_output_dir,
    write_bytes,
    write_text,
)

__all__ = ["UsageError", "build_parser", "main", "add_benchmark_parser", "benchmark_command"]

DEFAULT_DATASET = "co2"
DEFAULT_MODELS = "lstm,gru,rnn,arima,auto_arima,seasonal_naive"
DEFAULT_WINDOWS = 3


class UsageError(Exception):
    """A command-line argument that parsed but cannot be used (reported with exit status 2)."""


# --------------------------------------------------------------------------- argument types
def _model_list(text: str) -> list[str]:
    from rnnforecast.benchmarking import parse_model_list

    try:
        return parse_model_list(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _coverage(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1; got {text!r}") from None
    if not (value == 0 or 0 < value < 1):
        raise argparse.ArgumentTypeError(
            f"expected 0 (off) or a coverage strictly between 0 and 1; got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer; got {value}")
    return value


def _seed(text: str) -> int:
    """A seed the neural models accept (``random_state``: 0 to 2**32 - 1), checked up front."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer from 0 to 2**32 - 1; got {text!r}") from None
    if not 0 <= value <= 2**32 - 1:
        raise argparse.ArgumentTypeError(f"expected an integer from 0 to 2**32 - 1; got {value}")
    return value


def _dataset_names() -> list[str]:
    from rnnforecast.datasets import DATASETS

    return sorted(DATASETS)


# --------------------------------------------------------------------------- benchmark
def add_benchmark_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Declare the ``benchmark`` command and its options.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The object returned by ``parser.add_subparsers()``.

    Returns
    -------
    argparse.ArgumentParser
        The command's parser.
    """
    from rnnforecast.benchmarking import DEFAULT_HORIZONS, MODEL_NAMES

    datasets = _dataset_names()
    p = subparsers.add_parser(
        "benchmark",
        help="backtest models on a bundled dataset or your CSV and compare their accuracy and speed",
        description=(
            "Backtest every model on the same rolling windows of a bundled dataset, or of your "
            "own series (--csv FILE: one series, or the long format unique_id, ds, y) (expanding "
            "training window, refitted at each window, test blocks of HORIZON observations at "
            "the end of the series), then print a table of MASE, sMAPE, RMSE and fit/predict "
            "seconds with the best value of each column marked, write it as CSV and Markdown "
            "into OUT and plot the last window's forecasts (PNG). Without options: "
            f"--dataset {DEFAULT_DATASET} --horizon {DEFAULT_HORIZONS[DEFAULT_DATASET]} "
            f"--windows {DEFAULT_WINDOWS} --models {DEFAULT_MODELS} (a few minutes on two cores)."
        ),
        epilog=f"models: {', '.join(MODEL_NAMES)}. datasets: {', '.join(datasets)}.",
    )
    source = p.add_mutually_exclusive_group()
    source.add_argument("--dataset", default=DEFAULT_DATASET, choices=datasets, metavar="NAME",
                        help=f"bundled dataset, one of: {', '.join(datasets)} (default: %(default)s)")
    source.add_argument("--csv", default=None, metavar="FILE",
                        help="your own data instead: a CSV with a header, either one series (a time "
                             "and a value column) or the long format unique_id, ds, y (every series "
                             "is backtested; the table shows means over the series)")
    p.add_argument("--time-col", default=None, metavar="COL",
                   help="--csv: column of the time stamps (default: ds if present, else the first)")
    p.add_argument("--value-col", default=None, metavar="COL",
                   help="--csv: column of the values (default: y if present, else the only other one)")
    p.add_argument("--id-col", default=None, metavar="COL",
                   help="--csv: column of the series ids (default: unique_id if present)")
    p.add_argument("--freq", default=None, metavar="FREQ",
                   help="--csv: pandas frequency of the time stamps, e.g. MS, h, D (default: inferred)")
    p.add_argument("--seasonal-period", type=_positive_int, default=None, metavar="M",
                   help="seasonal period (default: the dataset's, or from the frequency for --csv: "
                        "12 monthly, 4 quarterly, 24 hourly, 7 daily, 52 weekly, 1 yearly)")
    p.add_argument("--horizon", type=_positive_int, default=None, metavar="H",
                   help="forecast horizon (default: per dataset, e.g. "
                        + ", ".join(f"{k} {v}" for k, v in DEFAULT_HORIZONS.items())
                        + "; for --csv the M4 horizon of the frequency: 18 monthly, 8 quarterly, "
                          "48 hourly, 14 daily, 13 weekly, 6 yearly; else twice the seasonal period)")
    p.add_argument("--models", type=_model_list, default=None, metavar="LIST",
                   help=f"comma-separated models among: {', '.join(MODEL_NAMES)} "
                        f"(default: {DEFAULT_MODELS})")
    p.add_argument("--windows", type=_positive_int, default=DEFAULT_WINDOWS, metavar="W",
                   help="number of backtest windows (default: %(default)s)")
    p.add_argument("--out", default="results", metavar="DIR",
                   help="folder for the CSV, Markdown and PNG files (created; existing result files "
                        "are replaced; symbolic links are refused; default: %(default)s)")
    p.add_argument("--seed", type=_seed, default=0, help="seed of the neural models (default: %(default)s)")
    p.add_argument("--quick", action="store_true",
                   help="tiny neural networks trained for a few iterations (smoke test, not a benchmark)")
    p.add_argument("--coverage", type=_coverage, default=0.9, metavar="C",
                   help="nominal coverage of the prediction intervals whose empirical coverage is "
                        "reported (0 < C < 1; 0 turns it off; default: %(default)s)")
    p.add_argument("--no-plot", action="store_true", help="do not write the PNG plot")
    p.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    p.set_defaults(handler=benchmark_command, command_parser=p)
    return p


def benchmark_command(args: argparse.Namespace) -> int:
    """Run ``rnnforecast benchmark``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options (see :func:`add_benchmark_parser`).

    Returns
    -------
    int
        0 when every model ran, 1 when some model failed (its window and
        error are printed and written to the result files).

    Raises
    ------
    UsageError
        If the horizon and windows do not fit in a series' test part, the
        CSV file cannot be used (unreadable, missing or text column,
        duplicated or irregular time stamps), or ``--out`` is unsafe.
    """
    from rnnforecast.benchmarking import parse_model_list

    series, seasonal_period, horizon, name = _benchmark_data(args)
    models = args.models if args.models is not None else parse_model_list(DEFAULT_MODELS)
    stem = f"benchmark_{_file_safe(name)}_h{horizon}"
    _, csv_path, md_path, png_path = _output_paths(args.out, stem, plot=not args.no_plot)
    t0 = time.perf_counter()
    result, plotted = _run_all(series, models, horizon, seasonal_period, name, args)
    elapsed = time.perf_counter() - t0

    try:
        result.to_csv(csv_path)
    except OutputPathError as exc:
        raise UsageError(f"--out: {exc}") from None
    argv = getattr(args, "argv", None)
    command = " ".join(["rnnforecast", *(sys.argv[1:] if argv is None else argv)])
    md = result.to_markdown()
    md += (f"\nCommand: `{command}`; total wall time {elapsed:.1f} s"
           f"{' (--quick: tiny networks, not a benchmark)' if args.quick else ''}.\n")
    written = [csv_path, md_path]
    try:
        write_text(md_path, md)
        if not args.no_plot and len(plotted.forecasts):
            try:
                written.append(_save_plot(plotted, png_path))
            except ImportError as exc:
                print(f"rnnforecast benchmark: no plot written: {exc}", file=sys.stderr)
    except OutputPathError as exc:
        raise UsageError(f"--out: {exc}") from None

    print(result.format_text())
    print(f"\ntotal wall time {elapsed:.1f} s")
    print("wrote " + ", ".join(str(p) for p in written))
    if result.failures:
        for failure in result.failures.values():
            print(f"rnnforecast benchmark: error: {failure}", file=sys.stderr)
        return 1
    return 0


def _benchmark_data(args: argparse.Namespace) -> tuple[dict, int, int, str]:
    """The series (by id), seasonal period, horizon and name the command runs on."""
    from rnnforecast.benchmarking import DEFAULT_HORIZONS, check_test_part, window_origins
    from rnnforecast.datasets import DATASETS, load_dataset

    csv_only = {"--time-col": args.time_col, "--value-col": args.value_col,
                "--id-col": args.id_col, "--freq": args.freq}
    if args.csv is None:
        given = [k for k, v in csv_only.items() if v is not None]
        if given:
            raise UsageError(f"{', '.join(given)} only apply to --csv")
        info = DATASETS[args.dataset]
        seasonal_period = args.seasonal_period or info.seasonal_period
        horizon = args.horizon or DEFAULT_HORIZONS.get(args.dataset, max(2 * seasonal_period, 8))
        series, name = {args.dataset: load_dataset(args.dataset)}, args.dataset
    else:
        from rnnforecast.benchmark_data import (
            CSVInputError,
            horizon_for,
            read_series_csv,
            seasonal_period_for,
        )

        try:
            series = read_series_csv(args.csv, time_col=args.time_col, value_col=args.value_col,
                                     id_col=args.id_col, freq=args.freq)
        except CSVInputError as exc:
            raise UsageError(f"--csv {exc}") from None
        freq = getattr(next(iter(series.values())).index, "freq", None)
        seasonal_period = args.seasonal_period or seasonal_period_for(freq)
        horizon = args.horizon or horizon_for(freq, seasonal_period)
        stem = os.path.splitext(os.path.basename(args.csv))[0]
        name = stem
    for uid, y in series.items():
        label = uid if len(series) == 1 else f"series {uid!r} of {args.csv}"
        try:
            check_test_part(len(y), horizon, args.windows, label)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        first = window_origins(len(y), horizon, args.windows)[0]
        if seasonal_period >= first:  # MASE scales by the seasonal-naive error of each window
            raise UsageError(
                f"--seasonal-period {seasonal_period}: MASE needs training windows longer than the "
                f"seasonal period, and the first window of {label} has {first} observations"
            )
    return series, seasonal_period, horizon, name


def _run_all(series: dict, models: list, horizon: int, seasonal_period: int, name: str,
             args: argparse.Namespace):
    """Benchmark every series; returns the (combined) result and the result to plot."""
    from rnnforecast.benchmarking import run_benchmark

    results = {}
    for uid, y in series.items():
        if len(series) > 1 and not args.no_progress:
            print(f"series {uid!r} ({len(results) + 1}/{len(series)})", file=sys.stderr, flush=True)
        results[uid] = run_benchmark(
            y, models, horizon=horizon, n_windows=args.windows, seasonal_period=seasonal_period,
            name=name if len(series) == 1 else f"{name}: {uid}", random_state=args.seed,
            quick=args.quick, progress=not args.no_progress, progress_file=sys.stderr,
            coverage=args.coverage or None,
        )
    first = next(iter(results.values()))
    if len(results) == 1:
        return first, first
    from rnnforecast.benchmark_data import combine_results

    return combine_results(results, f"{name} ({len(results)} series, means over series)"), first


def _file_safe(name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(name)).strip("._")
    return safe or "series"


def _output_paths(out: str, stem: str, plot: bool) -> tuple[Path, Path, Path, Path]:
    """Create/check the ``--out`` folder and its target files before any work is done.

    Raises :class:`UsageError` for a symbolic link (folder or file), an
    existing non-folder ``--out``, a target that is not a regular file, or a
    folder that cannot be created.
    """
    try:
        folder = prepare_output_dir(out, what="--out")
        paths = [folder / f"{stem}.{ext}" for ext in ("csv", "md", "png")]
        for path in paths if plot else paths[:2]:
            check_output_file(path)
    except OutputPathError as exc:
        raise UsageError(str(exc) if str(exc).startswith("--out") else f"--out: {exc}") from None
    return (folder, *paths)


def _save_plot(result, path: Path) -> Path:
    import io

    import matplotlib

    if not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rnnforecast.plotting import plot_backtest

    fig, ax = plt.subplots(figsize=(10, 4.8))
    try:
        plot_backtest(result, ax=ax, window=-1)
        ax.set_ylabel(result.name)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, dpi=110, format="png")
    finally:
        plt.close(fig)
    return write_bytes(path, buffer.getvalue())


# --------------------------------------------------------------------------- warmup
def add_warmup_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Declare the ``warmup`` command: compile the Numba kernels ahead of first use.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The object returned by ``parser.add_subparsers()``.

    Returns
    -------
    argparse.ArgumentParser
        The command's parser.
    """
    p = subparsers.add_parser(
        "warmup",
        help="compile (or load from the cache) every kernel a fit uses, and report the time",
        description=(
            "Run a tiny training step of every cell in every dtype so that Numba compiles the "
            "kernels and stores them in its on-disk cache (NUMBA_CACHE_DIR, else __pycache__ "
            "beside the package). Later processes load them in about a second. The cells are "
            "split between --jobs worker processes (each compiles its cells in every dtype)."
        ),
    )
    p.add_argument("--cells", default="rnn,gru,lstm", metavar="LIST",
                   help="comma-separated cells (default: %(default)s)")
    p.add_argument("--dtypes", default="float32,float64", metavar="LIST",
                   help="comma-separated dtypes (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="worker processes, the cells split between them (default: the number "
                        "of CPU cores; 1: compile in this process)")
    p.set_defaults(handler=warmup_command, command_parser=p)
    return p


def warmup_command(args: argparse.Namespace) -> int:
    """Compile the kernels; print one line per (cell, dtype) and the total."""
    import time

    from rnnforecast.nn.network import CELLS
    from rnnforecast.nn.warmup import warmup_parallel

    cells = [c.strip() for c in args.cells.split(",") if c.strip()]
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    bad = [c for c in cells if c not in CELLS]
    if bad or not cells:
        raise UsageError(f"--cells must be a comma-separated subset of {', '.join(CELLS)}; "
                         f"got {args.cells!r}")
    bad = [d for d in dtypes if d not in ("float32", "float64")]
    if bad or not dtypes:
        raise UsageError(f"--dtypes must be a comma-separated subset of float32, float64; "
                         f"got {args.dtypes!r}")
    jobs = (os.cpu_count() or 1) if args.jobs is None else args.jobs
    if jobs < 1:
        raise UsageError(f"--jobs must be an integer >= 1; got {args.jobs}")
    start = time.perf_counter()
    warmup_parallel(cells=cells, dtypes=dtypes, jobs=jobs, verbose=True)
    print(f"total {time.perf_counter() - start:.2f} s", flush=True)
    return 0


# --------------------------------------------------------------------------- parser / main
def build_parser() -> argparse.ArgumentParser:
    """The ``rnnforecast`` argument parser, one subparser per command.

    Returns
    -------
    argparse.ArgumentParser
    """
    from rnnforecast import __version__

    parser = argparse.ArgumentParser(
        prog="rnnforecast",
        description="RNN, GRU and LSTM forecasters with Numba kernels, and ARIMA baselines.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    add_benchmark_parser(subparsers)
    add_warmup_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rnnforecast`` console script.

    Parameters
    ----------
    argv : sequence of str, default=None
        Arguments without the program name (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        Exit status. argparse errors exit with status 2 (``SystemExit``).
    """
    parser = build_parser()
    argv_list = None if argv is None else list(argv)
    args = parser.parse_args(argv_list)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    args.argv = argv_list
    try:
        return int(args.handler(args))
    except UsageError as exc:
        args.command_parser.error(str(exc))  # exits with status 2
    return 2  # pragma: no cover - error() exits


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
