"""Benchmark harness shared by ``rnnforecast benchmark`` and ``benchmarks/accuracy.py``.

Every model is backtested on the same rolling origins (expanding training
window, refitted at every origin, non-overlapping test blocks of ``horizon``
observations ending at the last observation) and scored with the M4
definitions of :mod:`rnnforecast.metrics` (MASE scaled by the in-sample
seasonal-naive error of each window's training data, sMAPE on the 0--200
scale) plus RMSE.

Window layout for a series of ``n`` observations, ``W`` windows and horizon
``h`` (``t_i`` = number of training observations of window ``i``)::

    t_i = n - (W - i) * h,   train y[0 : t_i],   test y[t_i : t_i + h]

This is the layout of :func:`rnnforecast.backtesting.backtest` with
``n_windows=W`` (and ``step=h``); the harness calls it window by window so
that progress can be shown and a failure names its window.

The *test part* of a series is its last half (``n // 2`` observations): the
first training window always keeps at least half of the data, so
``W * h <= n // 2`` is required (:func:`check_test_part`).

Model names (:data:`MODEL_NAMES`) map to forecasters through
:func:`make_forecaster`, which also holds every setting the benchmark uses
(fixed ARIMA orders, network sizes, training iterations), so that the CLI and
the benchmark scripts run exactly the same models.
"""

from __future__ import annotations

import math
import numbers
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.backtesting import BacktestWindowError, backtest
from rnnforecast.baselines import (
    ARIMAForecaster,
    AutoARIMAForecaster,
    Naive2Forecaster,
    NaiveForecaster,
)
from rnnforecast.forecasting.base import BaseForecaster

__all__ = [
    "BENCHMARK_METRICS",
    "BenchmarkResult",
    "DEFAULT_HORIZONS",
    "MODEL_NAMES",
    "ModelFailure",
    "NEURAL_MODELS",
    "check_test_part",
    "make_forecaster",
    "neural_settings",
    "parse_model_list",
    "run_benchmark",
    "size_of_test_part",
    "window_origins",
]

NEURAL_MODELS: tuple[str, ...] = ("lstm", "gru", "rnn")
"""Names of the recurrent-network models (classes in :mod:`rnnforecast.forecasting.neural`)."""

MODEL_NAMES: tuple[str, ...] = (
    *NEURAL_MODELS,
    "arima",
    "auto_arima",
    "seasonal_naive",
    "naive",
    "naive2",
    "drift",
)
"""Every model name accepted by :func:`make_forecaster` and the CLI."""

BENCHMARK_METRICS: tuple[str, ...] = ("mase", "smape", "rmse")
"""Metrics of the benchmark tables, in column order."""

DEFAULT_HORIZONS: dict[str, int] = {
    "co2": 24,
    "sunspots": 11,
    "nile": 10,
    "elnino": 24,
    "elec_equip": 12,
    "macrodata_realgdp": 8,
}
"""Forecast horizon used for each bundled dataset when none is given
(two seasonal cycles for the monthly series, one solar cycle for sunspots,
two years for quarterly GDP, ten years for the Nile)."""

_NEURAL_CLASSES = {"lstm": "LSTMForecaster", "gru": "GRUForecaster", "rnn": "RNNForecaster"}


# --------------------------------------------------------------------------- models
def neural_settings(
    name: str,
    *,
    seasonal_period: int,
    horizon: int,
    n_train: int,
    random_state: int | None = 0,
    quick: bool = False,
) -> dict[str, Any]:
    """Constructor arguments of a recurrent model in the benchmark.

    Parameters
    ----------
    name : {"lstm", "gru", "rnn"}
        Cell type.
    seasonal_period : int
        Seasonal period of the data.
    horizon : int
        Forecast horizon (not used by the current settings: the networks
        forecast recursively, one step at a time).
    n_train : int
        Length of the shortest training window the model will see.
    random_state : int or None, default=0
        Seed of the weight initialisation and batch shuffling.
    quick : bool, default=False
        Tiny network and few iterations (smoke tests), instead of the
        benchmark settings.

    Returns
    -------
    dict
        Keyword arguments for the forecaster class.
    """
    if name not in NEURAL_MODELS:
        raise ValueError(f"name must be one of {list(NEURAL_MODELS)}; got {name!r}")
    # input window: two seasonal cycles (at least 8 steps), at most a quarter
    # of the shortest training window so there are enough training samples
    window = max(8, 2 * seasonal_period)
    window = max(2, min(window, n_train // 4))
    # one kernel thread: these networks are too small to gain from two, and
    # two threads collapse (10-40x slower) when another process keeps a core
    # busy, as on a shared 2-core machine; results do not depend on it
    if quick:
        return {
            "window_length": min(window, 12),
            "hidden_size": 4,
            "max_iter": 3,
            "n_jobs": 1,
            "random_state": random_state,
        }
    return {
        "window_length": window,
        "hidden_size": 32,
        "max_iter": 60,
        "n_jobs": 1,
        "random_state": random_state,
    }


def _neural_class(name: str) -> type:
    try:
        from rnnforecast.forecasting import neural
    except ImportError as exc:  # pragma: no cover - the module ships with the package
        raise ImportError(
            f"model {name!r} needs rnnforecast.forecasting.neural, which could not be imported: {exc}"
        ) from exc
    return getattr(neural, _NEURAL_CLASSES[name])


def make_forecaster(
    name: str,
    *,
    seasonal_period: int = 1,
    horizon: int = 1,
    n_train: int | None = None,
    random_state: int | None = 0,
    quick: bool = False,
) -> BaseForecaster:
    """Build the forecaster a benchmark model name stands for.

    ==================  ====================================================
    name                forecaster
    ==================  ====================================================
    ``lstm/gru/rnn``    recurrent network, settings from :func:`neural_settings`
    ``arima``           fixed order: ``ARIMA(1,1,1)(0,1,1)[seasonal_period]`` when
                        ``seasonal_period > 1``, else ``ARIMA(1,1,1)``
    ``auto_arima``      :class:`~rnnforecast.baselines.AutoARIMAForecaster`
                        (stepwise AICc search, seasonal when ``seasonal_period > 1``)
    ``seasonal_naive``  last value of the same season (``seasonal_period``)
    ``naive``           last value
    ``naive2``          M4 Naive2 (:class:`~rnnforecast.baselines.Naive2Forecaster`)
    ``drift``           random walk with drift
    ==================  ====================================================

    Parameters
    ----------
    name : str
        One of :data:`MODEL_NAMES`.
    seasonal_period : int, default=1
        Seasonal period.
    horizon : int, default=1
        Forecast horizon (used by the network settings).
    n_train : int or None, default=None
        Length of the shortest training window (used to cap the networks'
        input window); None means no cap.
    random_state : int or None, default=0
        Seed of the neural models.
    quick : bool, default=False
        Tiny, fast neural models (smoke tests).

    Returns
    -------
    BaseForecaster
        An unfitted forecaster.

    Examples
    --------
    >>> from rnnforecast.benchmarking import make_forecaster
    >>> make_forecaster("arima", seasonal_period=12)
    ARIMAForecaster(order=(1, 1, 1), seasonal_order=(0, 1, 1, 12))
    >>> make_forecaster("lstm", seasonal_period=12, n_train=200).get_params()["window_length"]
    24
    """
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown model {name!r}; valid names are {list(MODEL_NAMES)}")
    if (isinstance(seasonal_period, (bool, np.bool_)) or not isinstance(seasonal_period, numbers.Integral)
            or seasonal_period < 1):
        raise ValueError(f"seasonal_period must be an int >= 1; got {seasonal_period!r}")
    seasonal_period = int(seasonal_period)
    if name in NEURAL_MODELS:
        params = neural_settings(
            name, seasonal_period=seasonal_period, horizon=horizon,
            n_train=10**9 if n_train is None else n_train,
            random_state=random_state, quick=quick,
        )
        return _neural_class(name)(**params)
    if name == "arima":
        if seasonal_period > 1:
            return ARIMAForecaster(order=(1, 1, 1), seasonal_order=(0, 1, 1, seasonal_period))
        return ARIMAForecaster(order=(1, 1, 1))
    if name == "auto_arima":
        return AutoARIMAForecaster(sp=seasonal_period)  # step 6: seasonal_period= once WP3 renames it
    if name == "seasonal_naive":
        return NaiveForecaster(strategy="seasonal_last", seasonal_period=seasonal_period)
    if name == "naive":
        return NaiveForecaster(strategy="last")
    if name == "drift":
        return NaiveForecaster(strategy="drift")
    return Naive2Forecaster(seasonal_period=seasonal_period)


def parse_model_list(text: str) -> list[str]:
    """Split a comma-separated list of model names and check each.

    Parameters
    ----------
    text : str
        E.g. ``"lstm,arima,seasonal_naive"`` (spaces around names allowed).

    Returns
    -------
    list of str
        The names, in the given order, without duplicates.

    Raises
    ------
    ValueError
        Empty list or unknown name (the message lists the valid names).

    Examples
    --------
    >>> from rnnforecast.benchmarking import parse_model_list
    >>> parse_model_list("lstm, arima,lstm,seasonal_naive")
    ['lstm', 'arima', 'seasonal_naive']
    """
    names = [s.strip() for s in str(text).split(",") if s.strip()]
    if not names:
        raise ValueError(f"no model given; valid names are {', '.join(MODEL_NAMES)}")
    unknown = [n for n in names if n not in MODEL_NAMES]
    if unknown:
        raise ValueError(
            f"unknown model{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"valid names are {', '.join(MODEL_NAMES)}"
        )
    return list(dict.fromkeys(names))


# --------------------------------------------------------------------------- windows
def size_of_test_part(n: int) -> int:
    """Number of observations that may be used for testing: the last half, ``n // 2``."""
    return int(n) // 2



def check_test_part(n: int, horizon: int, n_windows: int, name: str = "the series") -> None:
    """Check that ``n_windows`` test blocks of ``horizon`` fit in the test part.

    Parameters
    ----------
    n : int
        Length of the series.
    horizon : int
        Forecast horizon (>= 1).
    n_windows : int
        Number of backtest windows (>= 1).
    name : str, default="the series"
        Used in the messages.

    Raises
    ------
    ValueError
        With the numbers involved, if ``horizon`` is longer than the test
        part or ``n_windows * horizon`` does not fit in it.

    Examples
    --------
    >>> from rnnforecast.benchmarking import check_test_part, window_origins
    >>> check_test_part(100, horizon=10, n_windows=5)      # 50 test observations: fits
    >>> window_origins(100, horizon=10, n_windows=5)       # training sizes of the windows
    [50, 60, 70, 80, 90]
    >>> check_test_part(100, horizon=10, n_windows=6, name="nile")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 6 windows x horizon 10 = 60 observations do not fit in the test part of nile: ...
    """
    for value, label in ((horizon, "horizon"), (n_windows, "windows")):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{label} must be an int >= 1; got {value!r}")
    test = size_of_test_part(n)
    if horizon > test:
        raise ValueError(
            f"horizon {horizon} is longer than the test part of {name}: {test} observations "
            f"(the last half of its {n}; the first training window keeps the other half)"
        )
    if n_windows * horizon > test:
        raise ValueError(
            f"{n_windows} windows x horizon {horizon} = {n_windows * horizon} observations do not fit "
            f"in the test part of {name}: {test} observations (the last half of its {n}); "
            f"use at most {test // horizon} windows or a shorter horizon"
        )


def window_origins(n: int, horizon: int, n_windows: int) -> list[int]:
    """Training sizes ``t_i = n - (n_windows - i) * horizon`` of the windows (see module docstring)."""
    return [n - (n_windows - i) * horizon for i in range(n_windows)]


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ModelFailure:
    """Where and why a model failed in a benchmark.

    Attributes
    ----------
    model : str
    window : int
        0-based window number.
    n_windows : int
        Number of windows of the benchmark.
    cutoff : object
        Label of the last training observation of that window.
    stage : str
        ``"fit"``, ``"predict"`` or ``"score"``.
    error : str
        ``"<ExceptionType>: <message>"`` of the original error.
    """

    model: str
    window: int
    n_windows: int
    cutoff: Any
    stage: str
    error: str

    def __str__(self) -> str:
        return (
            f"{self.model} failed in window {self.window + 1}/{self.n_windows} (0-based window "
            f"{self.window}, training data up to {_fmt_label(self.cutoff)}) at {self.stage}: {self.error}"
        )


@dataclass
class BenchmarkResult:
    """Outcome of :func:`run_benchmark`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per model (index ``model``, in the order run): the mean over
        windows of ``mase``, ``smape``, ``rmse``, ``fit_seconds`` and
        ``predict_seconds``, then ``n_windows`` (windows completed) and
        ``status`` (``"ok"`` or the failure). A failed model's metrics are
        NaN and its ``status`` says which window failed.
    scores : pandas.DataFrame
        Per model and window: ``model``, ``window``, ``cutoff``,
        ``train_size``, the metrics and the timings.
    forecasts : pandas.DataFrame
        Long format: ``model``, ``window``, ``cutoff``, ``step``, ``time``,
        ``series``, ``y_true``, ``y_pred``.
    failures : dict of str to ModelFailure
        Models that failed.
    warnings : list of str
        Warnings raised while fitting or forecasting, prefixed by model and
        window (e.g. ARIMA convergence warnings).
    params : dict of str to str
        ``repr`` of each model's forecaster (its settings).
    horizon, n_windows, seasonal_period : int
        Benchmark settings.
    name : str
        Name of the series.
    y : pandas.Series or ndarray
        The series the models were evaluated on.
    warmup_seconds : dict of str to float
        Wall time of the untimed warm-up fit of each recurrent model
        (Numba compilation, or loading compiled code from the cache).
    coverage : float or None
        Nominal coverage of the prediction intervals scored in the table's
        ``coverage`` column (empirical coverage: the fraction of held-out
        values inside each model's interval, NaN for a model without
        ``predict_interval``); None if intervals were not scored.
    """

    table: pd.DataFrame
    scores: pd.DataFrame
    forecasts: pd.DataFrame
    failures: dict[str, ModelFailure]
    warnings: list[str]
    params: dict[str, str]
    horizon: int
    n_windows: int
    seasonal_period: int
    name: str
    y: Any = field(repr=False, default=None)
    warmup_seconds: dict[str, float] = field(default_factory=dict)
    coverage: float | None = None

    # ------------------------------------------------------------------ output
    def best(self) -> dict[str, str]:
        """Model with the lowest value of each table column (NaN ignored)."""
        out = {}
        for col in (*BENCHMARK_METRICS, "fit_seconds", "predict_seconds"):
            s = self.table[col].dropna()
            if len(s):
                out[col] = str(s.idxmin())
        return out

    def _display_rows(self, bold: bool) -> tuple[list[str], list[list[str]]]:
        headers = ["model", "MASE", "sMAPE", "RMSE", "fit s", "predict s"]
        cols = [*BENCHMARK_METRICS, "fit_seconds", "predict_seconds"]
        if self.coverage is not None:
            headers.append(f"{100 * self.coverage:g}% coverage")
            cols.append("coverage")
        best = self.best()
        rows = []
        for model, row in self.table.iterrows():
            cells = [str(model)]
            if row["status"] != "ok":
                cells += [f"FAILED (window {self.failures[model].window + 1}/{self.n_windows})"] + ["-"] * (len(cols) - 1)
                rows.append(cells)
                continue
            for col in cols:
                if col == "coverage":
                    cells.append("-" if math.isnan(row[col]) else f"{row[col]:.2f}")
                    continue
                text = _fmt_number(row[col], seconds=col.endswith("seconds"))
                if best.get(col) == model:
                    text = f"**{text}**" if bold else f"{text} *"
                cells.append(text)
            rows.append(cells)
        return headers, rows

    def _notes(self) -> list[str]:
        notes = [
            f"{self.n_windows} window(s) x horizon {self.horizon}, expanding training window, "
            f"refitted at every window; metrics and timings are means over the windows "
            f"(fit s / predict s: seconds per window); MASE scaled by the in-sample seasonal "
            f"naive error with period {self.seasonal_period}; sMAPE on the 0-200 scale.",
        ]
        if self.coverage is not None:
            notes.append(
                f"coverage: fraction of the held-out values inside each model's "
                f"{100 * self.coverage:g}% prediction interval (predict_interval), over all windows "
                "and steps; compare with the nominal level ('-': the model has no intervals)."
            )
        if self.warmup_seconds:
            notes.append(
                "untimed warm-up fit (1 epoch) of each recurrent model before its first window, so that "
                "'fit s' excludes Numba compilation / cache loading: "
                + ", ".join(f"{m} {s:.1f} s" for m, s in self.warmup_seconds.items())
            )
        notes += [f"FAILED: {f}" for f in self.failures.values()]
        notes += [f"warning: {w}" for w in self.warnings]
        return notes

    def format_text(self) -> str:
        """The table as aligned plain text; ``*`` marks the best value of each column."""
        headers, rows = self._display_rows(bold=False)
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
        title = f"{self.name}: {len(self.table)} model(s), {self.n_windows} window(s) x horizon {self.horizon}"
        lines = [title, ""]
        lines.append("  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(zip(headers, widths))))
        lines.append("  ".join("-" * w for w in widths))
        for r in rows:
            lines.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
        lines.append("")
        lines.append("* = best (lowest) in its column. " + self._notes()[0])
        lines += self._notes()[1:]
        return "\n".join(lines)

    def to_markdown(self, title: str | None = None, level: int = 2) -> str:
        """The table as Markdown (best value of each column in bold), with notes and settings.

        Parameters
        ----------
        title : str or None, default=None
            Heading; defaults to the series name and settings.
        level : int, default=2
            Heading level.

        Returns
        -------
        str
        """
        headers, rows = self._display_rows(bold=True)
        title = title or f"{self.name}: horizon {self.horizon}, {self.n_windows} window(s)"
        out = [f"{'#' * level} {title}", ""]
        out.append("| " + " | ".join(headers) + " |")
        out.append("|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|")
        out += ["| " + " | ".join(r) + " |" for r in rows]
        out.append("")
        out.append("Bold = best (lowest) in its column. " + self._notes()[0])
        for n in self._notes()[1:]:
            out.append(f"- {n}")
        out.append("")
        out.append("Model settings:")
        out.append("")
        for model, p in self.params.items():
            out.append(f"- `{model}`: `{p}`")
        return "\n".join(out) + "\n"

    def to_csv(self, path: Any) -> None:
        """Write :attr:`table` (full precision, with the ``status`` column) as CSV.

        The file is replaced atomically and never written through a symbolic
        link (:func:`rnnforecast._files.write_text`).
        """
        from rnnforecast._files import write_text

        write_text(path, self.table.to_csv(index=True))


def _fmt_label(label: Any) -> str:
    if isinstance(label, pd.Timestamp):
        return str(label.date()) if label == label.normalize() else str(label)
    return str(label)


def _fmt_number(x: float, seconds: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    if seconds:
        return f"{x:.3f}" if x < 10 else f"{x:.1f}"
    ax = abs(x)
    if ax != 0 and (ax < 1e-3 or ax >= 1e6):
        return f"{x:.3e}"
    return f"{x:.3f}" if ax < 100 else f"{x:.1f}"


# --------------------------------------------------------------------------- harness
def run_benchmark(
    y: Any,
    models: Mapping[str, BaseForecaster] | Sequence[str],
    *,
    horizon: int,
    n_windows: int = 3,
    seasonal_period: int = 1,
    name: str = "series",
    random_state: int | None = 0,
    quick: bool = False,
    progress: bool = False,
    progress_file: Any = None,
    warmup: bool = True,
    coverage: float | None = None,
) -> BenchmarkResult:
    """Backtest several models on the same windows and tabulate their scores.

    Parameters
    ----------
    y : pandas.Series or array-like of shape (n,)
        Univariate series.
    models : mapping of str to forecaster, or sequence of str
        Forecasters by display name, or names from :data:`MODEL_NAMES`
        (built with :func:`make_forecaster`).
    horizon : int
        Forecast horizon of every window.
    n_windows : int, default=3
        Number of windows; ``n_windows * horizon`` must fit in the test part
        (the last half of ``y``, see :func:`check_test_part`).
    seasonal_period : int, default=1
        Seasonal period (MASE scaling and the seasonal models).
    name : str, default="series"
        Name of the series, for tables and messages.
    random_state : int or None, default=0
        Seed of the neural models (when ``models`` holds names).
    quick : bool, default=False
        Tiny neural models (when ``models`` holds names).
    progress : bool, default=False
        Show a tqdm progress bar over models x windows.
    progress_file : file-like, default=None
        Where the bar is written (tqdm's default, stderr, when None).
    warmup : bool, default=True
        Before the first window of each recurrent model (Numba kernels),
        fit a clone for one epoch on the first window's training data,
        untimed, so that the fit times exclude compilation; its wall time
        is reported in ``warmup_seconds``.
    coverage : float or None, default=None
        Also score each model's ``predict_interval`` at this nominal
        coverage: the table gets a ``coverage`` column, the empirical
        coverage over all windows and steps (NaN for models without
        intervals, or where an interval could not be computed; the reason is
        listed in ``warnings``).

    Returns
    -------
    BenchmarkResult

    Notes
    -----
    A model whose fit, forecast or scoring fails in some window is not
    retried: its row in the table has NaN metrics and a ``status`` naming the
    window, and the failure is listed in ``failures``. The other models still
    run.

    Examples
    --------
    >>> from rnnforecast.benchmarking import run_benchmark
    >>> from rnnforecast.datasets import load_nile
    >>> result = run_benchmark(load_nile(), ["naive", "drift"], horizon=10, n_windows=2)
    >>> result.table[["mase", "smape", "n_windows", "status"]].round(3)  # doctest: +NORMALIZE_WHITESPACE
            mase   smape  n_windows status
    model
    naive  0.823  12.490          2     ok
    drift  0.818  12.396          2     ok
    >>> result.best()["mase"]
    'drift'
    """
    n = len(y)
    check_test_part(n, horizon, n_windows, name)
    origins = window_origins(n, horizon, n_windows)
    if isinstance(models, Mapping):
        forecasters = dict(models)
    else:
        names = list(models)
        unknown = [m for m in names if m not in MODEL_NAMES]
        if unknown:
            raise ValueError(f"unknown model(s) {unknown}; valid names are {list(MODEL_NAMES)}")
        forecasters = {
            m: make_forecaster(m, seasonal_period=seasonal_period, horizon=horizon,
                               n_train=origins[0], random_state=random_state, quick=quick)
            for m in names
        }
    if not forecasters:
        raise ValueError("models must not be empty")

    from tqdm.auto import tqdm

    bar = tqdm(total=len(forecasters) * n_windows, disable=not progress, file=progress_file,
               unit="window", leave=True, dynamic_ncols=True)
    score_frames, forecast_frames, rows = [], [], []
    failures: dict[str, ModelFailure] = {}
    caught: list[str] = []
    warmup_seconds: dict[str, float] = {}
    try:
        for model_name, forecaster in forecasters.items():
            model_scores = []
            failure = None
            if warmup and _uses_kernels(forecaster):
                bar.set_description(f"{model_name} warm-up")
                warmup_seconds[model_name] = _warm_up(forecaster, y, origins[0])
            for i, t in enumerate(origins):
                bar.set_description(f"{model_name} window {i + 1}/{n_windows}")
                with warnings.catch_warnings(record=True) as wlist:
                    warnings.simplefilter("always")
                    cov = coverage if hasattr(forecaster, "predict_interval") else None
                    try:
                        try:
                            res = backtest(forecaster, y, horizon=horizon, initial_window=t,
                                           n_windows=1, seasonal_period=seasonal_period,
                                           metrics=BENCHMARK_METRICS,
                                           coverage=cov)
                        except BacktestWindowError as exc:
                            if exc.stage != "interval":
                                raise
                            # no interval here (e.g. too little data to calibrate one):
                            # keep the point scores, coverage NaN, say why
                            cause = exc.__cause__ if exc.__cause__ is not None else exc
                            caught.append(f"{model_name}, window {i + 1}: no prediction interval: "
                                          f"{type(cause).__name__}: {cause}")
                            res = backtest(forecaster, y, horizon=horizon, initial_window=t,
                                           n_windows=1, seasonal_period=seasonal_period,
                                           metrics=BENCHMARK_METRICS)
                    except BacktestWindowError as exc:
                        cause = exc.__cause__ if exc.__cause__ is not None else exc
                        failure = ModelFailure(model_name, i, n_windows, exc.cutoff, exc.stage,
                                               f"{type(cause).__name__}: {cause}")
                caught += _dedupe_warnings(model_name, i, wlist)
                if failure is not None:
                    bar.update(n_windows - i)
                    break
                s = res.scores.assign(window=i)
                f = res.forecasts.assign(window=i)
                s.insert(0, "model", model_name)
                f.insert(0, "model", model_name)
                model_scores.append(s)
                forecast_frames.append(f)
                bar.update(1)
            if model_scores:
                score_frames.append(pd.concat(model_scores, ignore_index=True))
            if failure is not None:
                failures[model_name] = failure
                row = {m: np.nan for m in (*BENCHMARK_METRICS, "fit_seconds", "predict_seconds")}
                if coverage is not None:
                    row["coverage"] = np.nan
                row.update(n_windows=failure.window, status=str(failure))
            else:
                sc = score_frames[-1]
                row = {c: float(sc[c].mean()) for c in (*BENCHMARK_METRICS, "fit_seconds", "predict_seconds")}
                if coverage is not None:
                    row["coverage"] = (float(sc["coverage"].mean()) if "coverage" in sc
                                       and sc["coverage"].notna().any() else np.nan)
                row.update(n_windows=len(sc), status="ok")
            rows.append({"model": model_name, **row})
    finally:
        bar.close()

    table = pd.DataFrame(rows).set_index("model")
    scores = (pd.concat(score_frames, ignore_index=True) if score_frames
              else pd.DataFrame(columns=["model", "window", "cutoff", "train_size", *BENCHMARK_METRICS]))
    forecasts = (pd.concat(forecast_frames, ignore_index=True) if forecast_frames
                 else pd.DataFrame(columns=["model", "window", "cutoff", "step", "time", "series",
                                            "y_true", "y_pred"]))
    params = {m: " ".join(repr(f).split()) for m, f in forecasters.items()}
    return BenchmarkResult(table=table, scores=scores, forecasts=forecasts, failures=failures,
                           warnings=caught, params=params, horizon=horizon, n_windows=n_windows,
                           seasonal_period=seasonal_period, name=name, y=y,
                           warmup_seconds=warmup_seconds, coverage=coverage)


def _uses_kernels(forecaster: Any) -> bool:
    """Whether ``forecaster`` trains a network on the Numba kernels."""
    try:
        from rnnforecast.estimators._base import RecurrentModelMixin
    except ImportError:  # pragma: no cover - ships with the package
        return False
    return isinstance(forecaster, RecurrentModelMixin)


def _warm_up(forecaster: Any, y: Any, n_train: int) -> float:
    """Fit a one-epoch clone on ``y[:n_train]``; return the wall time (errors are left to the real fit)."""
    from sklearn.base import clone

    t0 = time.perf_counter()
    try:
        model = clone(forecaster).set_params(max_iter=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(y.iloc[:n_train] if hasattr(y, "iloc") else np.asarray(y)[:n_train])
    except Exception:  # noqa: BLE001 - the timed fit reports the failure with its window
        pass
    return time.perf_counter() - t0


def _dedupe_warnings(model: str, window: int, wlist: list) -> list[str]:
    seen: dict[str, int] = {}
    for w in wlist:
        msg = f"{w.category.__name__}: {' '.join(str(w.message).split())}"
        seen[msg] = seen.get(msg, 0) + 1
    return [f"{model}, window {window + 1}: {m}" + (f" (x{c})" if c > 1 else "") for m, c in seen.items()]
