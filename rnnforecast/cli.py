"""Command-line interface: ``rnnforecast <command> [options]`` (or ``python -m rnnforecast``).

Commands
--------
benchmark
    Backtest several models on a bundled dataset and compare them (see
    :func:`benchmark_command` and :mod:`rnnforecast.benchmarking`).

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
        help="backtest models on a bundled dataset and compare their accuracy and speed",
        description=(
            "Backtest every model on the same rolling windows of a bundled dataset (expanding "
            "training window, refitted at each window, test blocks of HORIZON observations at "
            "the end of the series), then print a table of MASE, sMAPE, RMSE and fit/predict "
            "seconds with the best value of each column marked, write it as CSV and Markdown "
            "into OUT and plot the last window's forecasts (PNG). Without options: "
            f"--dataset {DEFAULT_DATASET} --horizon {DEFAULT_HORIZONS[DEFAULT_DATASET]} "
            f"--windows {DEFAULT_WINDOWS} --models {DEFAULT_MODELS} (a few minutes on two cores)."
        ),
        epilog=f"models: {', '.join(MODEL_NAMES)}. datasets: {', '.join(datasets)}.",
    )
    p.add_argument("--dataset", default=DEFAULT_DATASET, choices=datasets, metavar="NAME",
                   help=f"bundled dataset, one of: {', '.join(datasets)} (default: %(default)s)")
    p.add_argument("--horizon", type=_positive_int, default=None, metavar="H",
                   help="forecast horizon (default: per dataset, e.g. "
                        + ", ".join(f"{k} {v}" for k, v in DEFAULT_HORIZONS.items()) + ")")
    p.add_argument("--models", type=_model_list, default=None, metavar="LIST",
                   help=f"comma-separated models among: {', '.join(MODEL_NAMES)} "
                        f"(default: {DEFAULT_MODELS})")
    p.add_argument("--windows", type=_positive_int, default=DEFAULT_WINDOWS, metavar="W",
                   help="number of backtest windows (default: %(default)s)")
    p.add_argument("--out", default="results", metavar="DIR",
                   help="folder for the CSV, Markdown and PNG files (created; existing result files "
                        "are replaced; symbolic links are refused; default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="seed of the neural models (default: %(default)s)")
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
        If the horizon and windows do not fit in the dataset's test part.
    """
    from rnnforecast.benchmarking import (
        DEFAULT_HORIZONS,
        check_test_part,
        parse_model_list,
        run_benchmark,
    )
    from rnnforecast.datasets import DATASETS, load_dataset

    info = DATASETS[args.dataset]
    horizon = args.horizon
    if horizon is None:
        horizon = DEFAULT_HORIZONS.get(args.dataset, max(2 * info.seasonal_period, 8))
    models = args.models if args.models is not None else parse_model_list(DEFAULT_MODELS)
    y = load_dataset(args.dataset)
    try:
        check_test_part(len(y), horizon, args.windows, args.dataset)
    except ValueError as exc:
        raise UsageError(str(exc)) from None

    stem = f"benchmark_{args.dataset}_h{horizon}"
    out, csv_path, md_path, png_path = _output_paths(args.out, stem, plot=not args.no_plot)
    t0 = time.perf_counter()
    result = run_benchmark(
        y, models, horizon=horizon, n_windows=args.windows, sp=info.seasonal_period,
        name=args.dataset, random_state=args.seed, quick=args.quick,
        progress=not args.no_progress, progress_file=sys.stderr,
        coverage=args.coverage or None,
    )
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
        if not args.no_plot and len(result.forecasts):
            try:
                written.append(_save_plot(result, png_path))
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
            "beside the package). Later processes load them in about a second."
        ),
    )
    p.add_argument("--cells", default="rnn,gru,lstm", metavar="LIST",
                   help="comma-separated cells (default: %(default)s)")
    p.add_argument("--dtypes", default="float32,float64", metavar="LIST",
                   help="comma-separated dtypes (default: %(default)s)")
    p.set_defaults(handler=warmup_command, command_parser=p)
    return p


def warmup_command(args: argparse.Namespace) -> int:
    """Compile the kernels; print one line per (cell, dtype) and the total."""
    import time

    from rnnforecast.nn.network import CELLS
    from rnnforecast.nn.warmup import warmup

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
    start = time.perf_counter()
    warmup(cells=cells, dtypes=dtypes, verbose=True)
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
