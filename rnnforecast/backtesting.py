"""Rolling-origin evaluation (time-series cross-validation) of forecasters.

:func:`backtest` moves a forecast origin through the series.  At window ``i``
the forecaster is trained on the observations before the origin ``t_i`` and
forecasts the next ``horizon`` observations, which are then scored.

Window layout (``n`` = length of ``y``, positions are 0-based, ``t_i`` = number
of observations before origin ``i``)::

    expanding:  train y[0 : t_i]              test y[t_i : t_i + horizon]
    sliding:    train y[t_i - L : t_i]        test y[t_i : t_i + horizon]

with ``t_i = t_0 + i * step`` and ``L = t_0`` (the sliding window keeps the
length of the first training window).  ``t_0`` and the number of windows
come from ``initial_window`` / ``n_windows``:

* only ``initial_window``: ``t_0 = initial_window``, as many windows as fit;
* only ``n_windows`` (default 5 when neither is given): the last window ends
  at the last observation, ``t_0 = n - horizon - (n_windows - 1) * step``;
* both: ``t_0 = initial_window`` and exactly ``n_windows`` windows, which must
  fit in the data.

Refitting: with ``refit=True`` a fresh clone of the forecaster is fitted at
every window; with ``refit=k`` (int) at windows ``0, k, 2k, ...``; with
``refit=False`` only at window 0.  In between, the last fitted clone forecasts
from the new history with ``predict(horizon, y=history)`` (and, with
exogenous regressors, ``X`` covering the history and the horizon).  The
forecaster passed in is never fitted or modified.

Parallelism: with ``n_jobs`` set, the groups of windows that share one fit
are run in parallel by :mod:`joblib` (so with ``refit=False`` there is a
single group and nothing to parallelise), on ``backend`` (default: joblib's
active backend, so ``with joblib.parallel_backend("dask"):`` runs the windows
on a Dask cluster).  The results do not depend on ``n_jobs`` or ``backend``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd
from joblib import delayed
from sklearn.base import clone

from rnnforecast.utils._parallel import run_parallel
from rnnforecast._backtest_plan import _Args, _check_backtest_args, _origins
from rnnforecast.utils.validation import check_exog, check_series

__all__ = ["backtest", "BacktestResult", "BacktestWindowError"]


class BacktestWindowError(RuntimeError):
    """Fitting, forecasting or scoring failed in one backtest window.

    Raised by :func:`backtest` from the original exception (its
    ``__cause__``).

    Parameters
    ----------
    message : str
        Error message (names the window, its cutoff and the original error).
    window, cutoff, stage
        Stored as the attributes of the same names.

    Attributes
    ----------
    window : int
        0-based window number.
    cutoff : object
        Label (pandas) or position (numpy) of the last training observation.
    stage : str
        ``"fit"``, ``"predict"`` or ``"score"``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast import NaiveForecaster, backtest
    >>> from rnnforecast.backtesting import BacktestWindowError
    >>> class Broken(NaiveForecaster):
    ...     def _fit(self, y, X=None):
    ...         raise RuntimeError("boom")
    >>> try:
    ...     backtest(Broken(), np.arange(20.0), horizon=2, n_windows=2)
    ... except BacktestWindowError as err:
    ...     print(err.window, err.stage, type(err.__cause__).__name__)
    0 fit RuntimeError
    """

    def __init__(self, message: str, window: int, cutoff: Any, stage: str) -> None:
        super().__init__(message)
        self.window = window
        self.cutoff = cutoff
        self.stage = stage


@dataclass
class BacktestResult:
    """Outcome of :func:`backtest`.

    Unpacks as ``scores, forecasts = backtest(...)``.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per window: ``window`` (int), ``cutoff`` (label of the last
        training observation), ``train_size`` (int), ``refit`` (bool: fitted
        at this window), one float column per metric, ``fit_seconds`` (0 when
        not refitted) and ``predict_seconds``.
    forecasts : pandas.DataFrame
        Long format, one row per window, forecast step and series:
        ``window``, ``cutoff``, ``step`` (1..horizon), ``time`` (index label of
        the forecast target, or its position for numpy input), ``series``
        (column name, the Series name, or the column number), ``y_true``,
        ``y_pred``.
    metric_names : list of str
        Names of the metric columns of ``scores``, in order.

    Parameters
    ----------
    scores, forecasts, metric_names
        Stored as the attributes of the same names (built by
        :func:`backtest`).

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast import NaiveForecaster, backtest
    >>> result = backtest(NaiveForecaster(), np.arange(30.0), horizon=3, n_windows=4,
    ...                   metrics=("mae", "rmse"))
    >>> result.summary()[["mae", "rmse"]]
    mae     2.000000
    rmse    2.160247
    dtype: float64
    >>> len(result.scores), len(result.forecasts)
    (4, 12)
    """

    scores: pd.DataFrame
    forecasts: pd.DataFrame
    metric_names: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        yield self.scores
        yield self.forecasts

    def summary(self) -> pd.Series:
        """Mean of each metric (and of the timings) over the windows.

        Returns
        -------
        pandas.Series
            Indexed by metric name, then ``fit_seconds`` and ``predict_seconds``.
        """
        cols = [*self.metric_names, "fit_seconds", "predict_seconds"]
        return self.scores[cols].mean()


# --------------------------------------------------------------------------- helpers
def _take(a: Any, start: int, stop: int) -> Any:
    if a is None:
        return None
    if isinstance(a, (pd.Series, pd.DataFrame)):
        return a.iloc[start:stop]
    return a[start:stop]


def _as_2d(a: Any) -> np.ndarray:
    if isinstance(a, (pd.Series, pd.DataFrame)):
        a = a.to_numpy()
    arr = np.asarray(a, dtype=np.float64)
    return arr[:, None] if arr.ndim == 1 else arr


def _run_group(
    forecaster: Any,
    y: Any,
    X: Any,
    windows: list[tuple[int, int, int]],
    horizon: int,
    metric_list: list[tuple[str, Callable[..., Any], bool]],
    seasonal_period: int,
    cutoff_labels: list[Any],
    coverage: float | None = None,
) -> list[tuple[dict[str, Any], Any]]:
    """Fit at the first window of the group, predict from new histories after that."""
    out = []
    model = None
    for i, start, t in windows:
        cutoff = cutoff_labels[i]
        y_hist = _take(y, start, t)
        y_true = _take(y, t, t + horizon)
        fit_seconds = 0.0
        refit = model is None
        if refit:
            model = clone(forecaster)
            t0 = time.perf_counter()
            try:
                model.fit(y_hist, _take(X, start, t)) if X is not None else model.fit(y_hist)
            except Exception as exc:
                raise BacktestWindowError(
                    f"fit failed in backtest window {i} (cutoff {cutoff}, {t - start} training "
                    f"observations): {type(exc).__name__}: {exc}",
                    i, cutoff, "fit",
                ) from exc
            fit_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        try:
            if refit:
                pred = model.predict(horizon, X=_take(X, t, t + horizon))
            else:
                pred = model.predict(horizon, X=_take(X, start, t + horizon), y=y_hist)
        except Exception as exc:
            raise BacktestWindowError(
                f"predict failed in backtest window {i} (cutoff {cutoff}): {type(exc).__name__}: {exc}",
                i, cutoff, "predict",
            ) from exc
        predict_seconds = time.perf_counter() - t0
        yt = _as_2d(y_true)
        row: dict[str, Any] = {"window": i, "cutoff": cutoff, "train_size": t - start, "refit": refit}
        row.update(_score_window(yt, _as_2d(pred), _as_2d(y_hist), metric_list, seasonal_period,
                                 i, cutoff))
        row["fit_seconds"] = fit_seconds
        row["predict_seconds"] = predict_seconds
        if coverage is not None:
            t0 = time.perf_counter()
            try:
                if refit:
                    band = model.predict_interval(horizon, coverage=coverage,
                                                  X=_take(X, t, t + horizon))
                else:
                    band = model.predict_interval(horizon, coverage=coverage,
                                                  X=_take(X, start, t + horizon), y=y_hist)
            except Exception as exc:
                raise BacktestWindowError(
                    f"predict_interval failed in backtest window {i} (cutoff {cutoff}): "
                    f"{type(exc).__name__}: {exc}",
                    i, cutoff, "interval",
                ) from exc
            lower, upper = _bounds(band, horizon)
            row["coverage"] = float(np.mean((yt >= lower) & (yt <= upper)))
            row["interval_seconds"] = time.perf_counter() - t0
        out.append((row, pred))
    return out


def _score_window(
    yt: np.ndarray,
    yp: np.ndarray,
    y_hist: np.ndarray,
    metric_list: list[tuple[str, Callable[..., Any], bool]],
    seasonal_period: int,
    i: int,
    cutoff: Any,
) -> dict[str, float]:
    """Every metric of window ``i`` (arrays ``(h, k)``; ``y_hist`` scales MASE)."""
    scores = {}
    for name, func, needs_train in metric_list:
        try:
            value = (func(yt, yp, y_hist, seasonal_period=seasonal_period) if needs_train
                     else func(yt, yp))
        except Exception as exc:
            raise BacktestWindowError(
                f"metric {name!r} failed in backtest window {i} (cutoff {cutoff}): "
                f"{type(exc).__name__}: {exc}",
                i, cutoff, "score",
            ) from exc
        scores[name] = float(value)
    return scores


def _bounds(band: Any, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds ``(h, k)`` of any ``predict_interval`` output."""
    a = band.to_numpy() if hasattr(band, "to_numpy") else np.asarray(band)
    a = np.asarray(a, dtype=np.float64).reshape(horizon, -1, 2)
    return a[:, :, 0], a[:, :, 1]


def backtest(
    forecaster: Any,
    y: Any,
    X: Any = None,
    *,
    horizon: int,
    n_windows: int | None = None,
    initial_window: int | None = None,
    step: int | None = None,
    window: str = "expanding",
    refit: bool | int = True,
    metrics: Sequence[str | Callable[..., Any]] = ("mae", "rmse", "smape", "mase"),
    seasonal_period: int = 1,
    n_jobs: int | None = None,
    backend: str | None = None,
    coverage: float | None = None,
) -> BacktestResult:
    """Rolling-origin evaluation of a forecaster (see the module docstring).

    Parameters
    ----------
    forecaster : BaseForecaster
        Unfitted (or fitted: it is cloned, never modified) forecaster.
    y : array-like of shape (n,) or (n, k), pandas Series or DataFrame
        Series to evaluate on.
    X : array-like of shape (n, m) or DataFrame, default=None
        Exogenous regressors aligned with ``y``.
    horizon : int
        Number of steps forecast and scored at each origin (>= 1).
    n_windows : int, default=None
        Number of forecast origins (5 when ``initial_window`` is also None).
    initial_window : int, default=None
        Number of training observations at the first origin.
    step : int, default=None
        Distance between consecutive origins; defaults to ``horizon``
        (non-overlapping test blocks).
    window : {"expanding", "sliding"}, default="expanding"
        Training window that grows, or that keeps the first window's length.
    refit : bool or int, default=True
        Refit at every window (True), every ``refit`` windows (int), or only
        at the first window (False).
    metrics : sequence of str or callables, default=("mae", "rmse", "smape", "mase")
        Names from :data:`rnnforecast.metrics.METRICS` or functions
        ``f(y_true, y_pred) -> float`` taking float64 arrays of shape (h, k).
        ``"mase"`` is scaled by the seasonal-naive MAE (period ``seasonal_period``) of each
        window's training data.
    seasonal_period : int, default=1
        Seasonal period for MASE.
    n_jobs : int, default=None
        Number of joblib workers over groups of windows (None = sequential
        unless a joblib ``parallel_config`` says otherwise, or the default of
        ``backend``: all the workers of a Dask cluster for ``"dask"``).
    backend : str, default=None
        joblib backend for the windows: ``"loky"`` (processes),
        ``"threading"``, ``"dask"`` (needs ``distributed`` and a running
        ``distributed.Client``)...  None uses joblib's active backend (loky
        unless inside ``joblib.parallel_backend(...)``/``parallel_config``).
    coverage : float, default=None
        If given (strictly between 0 and 1), the forecaster's
        ``predict_interval(horizon, coverage=coverage)`` is also called in
        every window and the fraction of the held-out values inside the
        interval is recorded in a ``coverage`` column (its time in
        ``interval_seconds``): the empirical coverage, to compare with the
        nominal one.

    Returns
    -------
    BacktestResult
        ``.scores`` (one row per window) and ``.forecasts`` (long format);
        unpacks as ``scores, forecasts``.

    Raises
    ------
    ValueError
        Bad parameters, too little data (the message gives the numbers), or
        ``X`` not of the same length as ``y``.
    BacktestWindowError
        A window's fit, forecast or scoring failed; the message and the
        ``window``/``cutoff``/``stage`` attributes say which.

    Examples
    --------
    Three windows of two steps at the end of a 20-point series, each refitted
    on everything before its origin:

    >>> import numpy as np
    >>> from rnnforecast import NaiveForecaster, backtest
    >>> y = np.arange(1.0, 21.0)
    >>> scores, forecasts = backtest(NaiveForecaster(), y, horizon=2, n_windows=3,
    ...                              metrics=("mae", "mase"))
    >>> scores[["window", "train_size", "mae", "mase"]]
       window  train_size  mae  mase
    0       0          14  1.5   1.5
    1       1          16  1.5   1.5
    2       2          18  1.5   1.5
    >>> forecasts[["window", "step", "y_true", "y_pred"]].head(2)
       window  step  y_true  y_pred
    0       0     1    15.0    14.0
    1       0     2    16.0    14.0

    With ``coverage=0.8`` the forecaster's 80 % prediction intervals are
    scored too: a ``coverage`` column holds the fraction of the held-out
    values inside them.

    >>> scores, _ = backtest(NaiveForecaster(), y, horizon=2, n_windows=3,
    ...                      metrics=("mae",), coverage=0.8)
    >>> scores[["window", "mae", "coverage"]]
       window  mae  coverage
    0       0  1.5       0.5
    1       1  1.5       0.5
    2       2  1.5       0.5
    """
    args = _check_backtest_args(forecaster, horizon, n_windows, initial_window, step,
                                seasonal_period, window, refit, metrics, coverage)
    _, info = check_series(y, name="y")
    n = info.n_timesteps
    if X is not None and len(X) != n:
        raise ValueError(f"X must have one row per observation of y ({n}); got {len(X)} rows")
    if X is not None:  # NaN, text...: found before any fit, not in the window that reaches it
        check_exog(X, n_rows=n)
    origins, groups, cutoff_labels = _origins(info, args)
    results = _score_groups(forecaster, y, X, groups, cutoff_labels, args, n_jobs, backend)
    rows = [row for group_result in results for row, _ in group_result]
    preds = [pred for group_result in results for _, pred in group_result]
    return _assemble(y, info, rows, preds, origins, args)


def _score_groups(
    forecaster: Any,
    y: Any,
    X: Any,
    groups: list[list[tuple[int, int, int]]],
    cutoff_labels: list[Any],
    args: _Args,
    n_jobs: int | None,
    backend: str | None,
) -> list[list[tuple[dict[str, Any], Any]]]:
    """Run the groups of windows, in this process or on joblib workers; results in window order."""
    def group_args(group: list[tuple[int, int, int]]) -> tuple:
        return (forecaster, y, X, group, args.horizon, args.metric_list, args.seasonal_period,
                cutoff_labels, args.coverage)

    if n_jobs is None and backend is None and len(groups) == 1:
        return [_run_group(*group_args(groups[0]))]
    return run_parallel((delayed(_run_group)(*group_args(g)) for g in groups),
                        n_jobs=n_jobs, backend=backend)


def _assemble(
    y: Any, info: Any, rows: list[dict[str, Any]], preds: list[Any], origins: list[int], args: _Args
) -> BacktestResult:
    """The scores table (one row per window) and the long-format forecasts."""
    horizon, metric_names = args.horizon, [m for m, _, _ in args.metric_list]
    scores = pd.DataFrame(rows, columns=["window", "cutoff", "train_size", "refit",
                                         *metric_names, "fit_seconds", "predict_seconds",
                                         *(["coverage", "interval_seconds"]
                                           if args.coverage is not None else [])])
    if info.columns is not None:
        series_names = list(info.columns)
    elif info.is_pandas:
        series_names = [info.name if info.name is not None else 0]
    else:
        series_names = list(range(info.n_columns))
    frames = []
    for row, pred, t in zip(rows, preds, origins):
        yt = _as_2d(_take(y, t, t + horizon))
        yp = _as_2d(pred)
        times = list(info.index[t : t + horizon]) if info.is_pandas else list(range(t, t + horizon))
        for j, name in enumerate(series_names):
            frames.append(pd.DataFrame({
                "window": row["window"],
                "cutoff": [row["cutoff"]] * horizon,
                "step": np.arange(1, horizon + 1),
                "time": times,
                "series": [name] * horizon,
                "y_true": yt[:, j],
                "y_pred": yp[:, j],
            }))
    forecasts = pd.concat(frames, ignore_index=True)
    return BacktestResult(scores=scores, forecasts=forecasts, metric_names=metric_names)
