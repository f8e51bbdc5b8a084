"""The benchmark harness: window layout of the test part and :func:`run_benchmark`."""

from __future__ import annotations

import numbers
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.backtesting import BacktestWindowError, backtest
from rnnforecast.benchmarking.models import BENCHMARK_METRICS, MODEL_NAMES, make_forecaster
from rnnforecast.benchmarking.result import BenchmarkResult, ModelFailure
from rnnforecast.forecasting.base import BaseForecaster

__all__ = ["check_test_part", "run_benchmark", "size_of_test_part", "window_origins"]


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
    origins, forecasters = _prepare(y, models, horizon, n_windows, seasonal_period, name,
                                    random_state, quick)
    from tqdm.auto import tqdm

    bar = tqdm(total=len(forecasters) * n_windows, disable=not progress, file=progress_file,
               unit="window", leave=True, dynamic_ncols=True)
    runs = {}
    try:
        for model_name, forecaster in forecasters.items():
            runs[model_name] = _run_model(model_name, forecaster, y, origins, bar, horizon=horizon,
                                          seasonal_period=seasonal_period, coverage=coverage,
                                          warmup=warmup)
    finally:
        bar.close()
    return _collect(runs, forecasters, coverage, horizon=horizon, n_windows=n_windows,
                    seasonal_period=seasonal_period, name=name, y=y)


def _prepare(
    y: Any,
    models: Mapping[str, BaseForecaster] | Sequence[str],
    horizon: int,
    n_windows: int,
    seasonal_period: int,
    name: str,
    random_state: int | None,
    quick: bool,
) -> tuple[list[int], dict[str, BaseForecaster]]:
    """Check the window layout; return the windows' training sizes and the forecasters by name."""
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
    return origins, forecasters


@dataclass
class _ModelRun:
    """What one model produced over the windows (scores/forecasts of the windows it finished)."""

    scores: list[pd.DataFrame] = field(default_factory=list)
    forecasts: list[pd.DataFrame] = field(default_factory=list)
    failure: ModelFailure | None = None
    messages: list[str] = field(default_factory=list)
    warmup_seconds: float | None = None


def _run_model(
    model_name: str,
    forecaster: Any,
    y: Any,
    origins: list[int],
    bar: Any,
    *,
    horizon: int,
    seasonal_period: int,
    coverage: float | None,
    warmup: bool,
) -> _ModelRun:
    """Every window of one model, in order; stops at the first failed window."""
    run = _ModelRun()
    n_windows = len(origins)
    if warmup and _uses_kernels(forecaster):
        bar.set_description(f"{model_name} warm-up")
        run.warmup_seconds = _warm_up(forecaster, y, origins[0])
    for i, t in enumerate(origins):
        bar.set_description(f"{model_name} window {i + 1}/{n_windows}")
        res, run.failure, messages = _fit_and_score_window(
            model_name, forecaster, y, i, t, n_windows, horizon=horizon,
            seasonal_period=seasonal_period, coverage=coverage)
        run.messages += messages
        if run.failure is not None:
            bar.update(n_windows - i)
            break
        for frames, frame in ((run.scores, res.scores), (run.forecasts, res.forecasts)):
            frame = frame.assign(window=i)
            frame.insert(0, "model", model_name)
            frames.append(frame)
        bar.update(1)
    return run


def _fit_and_score_window(
    model_name: str,
    forecaster: Any,
    y: Any,
    i: int,
    t: int,
    n_windows: int,
    *,
    horizon: int,
    seasonal_period: int,
    coverage: float | None,
) -> tuple[Any, ModelFailure | None, list[str]]:
    """Backtest window ``i`` (``t`` training observations): ``(result, failure, messages)``.

    An interval that cannot be computed leaves the point scores (coverage NaN)
    and a message saying why; any other failure gives a :class:`ModelFailure`
    (result None).  Warnings raised meanwhile are returned as messages.
    """
    res, failure, messages = None, None, []
    settings = dict(horizon=horizon, initial_window=t, n_windows=1,
                    seasonal_period=seasonal_period, metrics=BENCHMARK_METRICS)
    with warnings.catch_warnings(record=True) as wlist:
        warnings.simplefilter("always")
        cov = coverage if hasattr(forecaster, "predict_interval") else None
        try:
            try:
                res = backtest(forecaster, y, coverage=cov, **settings)
            except BacktestWindowError as exc:
                if exc.stage != "interval":
                    raise
                # no interval here (e.g. too little data to calibrate one):
                # keep the point scores, coverage NaN, say why
                cause = exc.__cause__ if exc.__cause__ is not None else exc
                messages.append(f"{model_name}, window {i + 1}: no prediction interval: "
                                f"{type(cause).__name__}: {cause}")
                res = backtest(forecaster, y, **settings)
        except BacktestWindowError as exc:
            cause = exc.__cause__ if exc.__cause__ is not None else exc
            failure = ModelFailure(model_name, i, n_windows, exc.cutoff, exc.stage,
                                   f"{type(cause).__name__}: {cause}")
    messages += _dedupe_warnings(model_name, i, wlist)
    return res, failure, messages


_TABLE_COLUMNS = (*BENCHMARK_METRICS, "fit_seconds", "predict_seconds")


def _table_row(run: _ModelRun, coverage: float | None) -> dict[str, Any]:
    """One model's row of the table: means over its windows, or NaN and the failure."""
    if run.failure is not None:
        row: dict[str, Any] = {c: np.nan for c in _TABLE_COLUMNS}
        if coverage is not None:
            row["coverage"] = np.nan
        row.update(n_windows=run.failure.window, status=str(run.failure))
        return row
    sc = pd.concat(run.scores, ignore_index=True)
    row = {c: float(sc[c].mean()) for c in _TABLE_COLUMNS}
    if coverage is not None:
        row["coverage"] = (float(sc["coverage"].mean()) if "coverage" in sc
                           and sc["coverage"].notna().any() else np.nan)
    row.update(n_windows=len(sc), status="ok")
    return row


def _collect(
    runs: dict[str, _ModelRun],
    forecasters: dict[str, BaseForecaster],
    coverage: float | None,
    **settings: Any,
) -> BenchmarkResult:
    """Assemble the :class:`BenchmarkResult` of every model's run."""
    table = pd.DataFrame([{"model": m, **_table_row(r, coverage)} for m, r in runs.items()])
    score_frames = [pd.concat(r.scores, ignore_index=True) for r in runs.values() if r.scores]
    forecast_frames = [f for r in runs.values() for f in r.forecasts]
    scores = (pd.concat(score_frames, ignore_index=True) if score_frames
              else pd.DataFrame(columns=["model", "window", "cutoff", "train_size", *BENCHMARK_METRICS]))
    forecasts = (pd.concat(forecast_frames, ignore_index=True) if forecast_frames
                 else pd.DataFrame(columns=["model", "window", "cutoff", "step", "time", "series",
                                            "y_true", "y_pred"]))
    return BenchmarkResult(
        table=table.set_index("model"), scores=scores, forecasts=forecasts,
        failures={m: r.failure for m, r in runs.items() if r.failure is not None},
        warnings=[w for r in runs.values() for w in r.messages],
        params={m: " ".join(repr(f).split()) for m, f in forecasters.items()},
        warmup_seconds={m: r.warmup_seconds for m, r in runs.items() if r.warmup_seconds is not None},
        coverage=coverage, **settings,
    )


def _uses_kernels(forecaster: Any) -> bool:
    """Whether ``forecaster`` trains a network on the Numba kernels."""
    try:
        from rnnforecast.nn.model import RecurrentModelMixin
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
