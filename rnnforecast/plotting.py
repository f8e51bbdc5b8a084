"""Plots of forecasts and backtests (matplotlib, the ``plot`` extra).

matplotlib is imported inside the functions, so ``import rnnforecast`` never
needs it; install it with ``pip install rnnforecast[plot]``.  The functions
draw on the given Axes (or a new figure's) and return it; they never call
``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["plot_forecast", "plot_backtest"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is a test dependency
        raise ImportError(
            "rnnforecast.plotting needs matplotlib, which is not installed; install the "
            "'plot' extra: pip install 'rnnforecast[plot]' (or pip install matplotlib)"
        ) from exc
    return plt


def _get_ax(ax: Any) -> Any:
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.5))
    elif not hasattr(ax, "plot"):
        raise TypeError(f"ax must be a matplotlib Axes or None; got {type(ax).__name__}")
    return ax


def _as_series(a: Any, name: str) -> pd.Series:
    """A 1-D pandas Series (numpy input gets a RangeIndex)."""
    if isinstance(a, pd.DataFrame):
        if a.shape[1] != 1:
            raise ValueError(f"{name} must be a single series; got a DataFrame with {a.shape[1]} columns")
        a = a.iloc[:, 0]
    if isinstance(a, pd.Series):
        return a
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one series); got shape {arr.shape}")
    return pd.Series(arr)


def plot_forecast(y: Any, forecast: Any, interval: Any = None, ax: Any = None) -> Any:
    """Plot a series, its forecast and optionally a prediction interval.

    Parameters
    ----------
    y : pandas.Series or array-like of shape (n,)
        Observed series (history, possibly followed by the actual future).
    forecast : pandas.Series or array-like of shape (h,)
        Point forecasts. A pandas forecast is drawn at its own index labels
        (as returned by ``predict``); a numpy forecast is drawn at positions
        ``n, ..., n + h - 1``, i.e. right after a numpy ``y``.
    interval : DataFrame with columns ``lower`` and ``upper``, or array-like \
            of shape (h, 2), default=None
        Prediction interval (as returned by ``predict_interval``), drawn as a
        shaded band.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure is created when None.

    Returns
    -------
    matplotlib.axes.Axes
        With two lines (``y`` and the forecast) and, with ``interval``, one
        filled band.

    Raises
    ------
    ImportError
        If matplotlib is not installed (the ``plot`` extra).
    ValueError
        If the shapes do not match.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from rnnforecast.baselines import NaiveForecaster
    >>> from rnnforecast.plotting import plot_forecast
    >>> y = np.array([1.0, 3.0, 2.0, 4.0, 3.0, 5.0])
    >>> model = NaiveForecaster(strategy="drift").fit(y)
    >>> ax = plot_forecast(y, model.predict(3), model.predict_interval(3, coverage=0.8),
    ...                    ax=Figure().subplots())
    >>> len(ax.lines), len(ax.collections)      # series, forecast; interval band
    (2, 1)
    """
    ax = _get_ax(ax)
    ys = _as_series(y, "y")
    is_pandas_fc = isinstance(forecast, (pd.Series, pd.DataFrame))
    fc = _as_series(forecast, "forecast")
    if not is_pandas_fc:
        if isinstance(ys.index, pd.RangeIndex) or not isinstance(y, (pd.Series, pd.DataFrame)):
            fc.index = pd.RangeIndex(len(ys), len(ys) + len(fc))
        else:
            raise ValueError(
                "forecast must be a pandas Series (indexed by the forecast periods) when y is a "
                "pandas object with a non-integer index; pass the output of predict()"
            )
    ax.plot(ys.index, ys.to_numpy(), color="black", linewidth=1.2, label=str(ys.name or "observed"))
    ax.plot(fc.index, fc.to_numpy(), color="tab:blue", linewidth=1.5, label="forecast")
    if interval is not None:
        if isinstance(interval, pd.DataFrame):
            missing = {"lower", "upper"} - set(map(str, interval.columns))
            if missing:
                raise ValueError(
                    f"interval must have columns 'lower' and 'upper'; got {list(interval.columns)}"
                )
            lower, upper = interval["lower"].to_numpy(float), interval["upper"].to_numpy(float)
        else:
            arr = np.asarray(interval, dtype=np.float64)
            if arr.ndim != 2 or arr.shape[1] != 2:
                raise ValueError(f"interval must have shape (h, 2) = ({len(fc)}, 2); got {arr.shape}")
            lower, upper = arr[:, 0], arr[:, 1]
        if len(lower) != len(fc):
            raise ValueError(f"interval must have one row per forecast step ({len(fc)}); got {len(lower)}")
        ax.fill_between(fc.index, lower, upper, color="tab:blue", alpha=0.2, label="interval")
    ax.legend(loc="best")
    return ax


def _forecast_frames(results: Any) -> pd.DataFrame:
    """Long-format forecasts with a ``model`` column, from any accepted ``results``."""
    if isinstance(results, Mapping):
        if not results:
            raise ValueError("results must not be empty")
        frames = []
        for name, res in results.items():
            f = _forecast_frames(res)
            frames.append(f.assign(model=str(name)))
        return pd.concat(frames, ignore_index=True)
    frame = getattr(results, "forecasts", results)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            "results must be a BacktestResult, a BenchmarkResult, a mapping of names to "
            f"BacktestResult, or a long-format forecasts DataFrame; got {type(results).__name__}"
        )
    missing = {"window", "time", "y_true", "y_pred"} - set(frame.columns)
    if missing:
        raise ValueError(f"the forecasts table lacks the column(s) {sorted(missing)}")
    if "model" not in frame.columns:
        frame = frame.assign(model="forecast")
    return frame


def plot_backtest(results: Any, ax: Any = None, *, window: int = -1, y: Any = None,
                  history: int | None = None) -> Any:
    """Plot one backtest window: the actual values and each model's forecast.

    Parameters
    ----------
    results : BacktestResult, BenchmarkResult, mapping of str to BacktestResult, or DataFrame
        The outcome of :func:`rnnforecast.backtesting.backtest` (one model),
        of :func:`rnnforecast.benchmarking.run_benchmark` (several models),
        a mapping of model names to backtest results, or a long-format
        forecasts table (columns ``window``, ``time``, ``y_true``,
        ``y_pred`` and optionally ``model``). Univariate series only.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure is created when None.
    window : int, default=-1
        Window to draw, as numbered in the results (negative values count
        from the last window).
    y : pandas.Series or array-like, default=None
        The full series. When given, the observed line also shows the
        ``history`` observations before the window (a
        :class:`~rnnforecast.benchmarking.BenchmarkResult` provides it).
    history : int or None, default=None
        Observations shown before the window (default: twice the horizon).

    Returns
    -------
    matplotlib.axes.Axes
        With one line for the actual values and one per model.

    Raises
    ------
    ImportError
        If matplotlib is not installed (the ``plot`` extra).
    ValueError
        Unknown window, or forecasts of several series.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from rnnforecast import NaiveForecaster, backtest
    >>> from rnnforecast.plotting import plot_backtest
    >>> y = np.sin(np.arange(48) * 2 * np.pi / 12)
    >>> results = {"naive": backtest(NaiveForecaster(), y, horizon=6, n_windows=2),
    ...            "seasonal": backtest(NaiveForecaster("seasonal_last", seasonal_period=12), y,
    ...                                 horizon=6, n_windows=2)}
    >>> ax = plot_backtest(results, ax=Figure().subplots(), y=y)
    >>> [line.get_label() for line in ax.lines]
    ['actual', 'naive', 'seasonal']
    """
    frame = _forecast_frames(results)
    if y is None:
        y = getattr(results, "y", None)
    windows = sorted(frame["window"].unique())
    if not windows:
        raise ValueError("results hold no forecasts to plot")
    if not isinstance(window, (int, np.integer)) or isinstance(window, bool):
        raise TypeError(f"window must be an int; got {type(window).__name__}")
    w = windows[window] if window < 0 and -len(windows) <= window else window
    if w not in windows:
        raise ValueError(f"window {window} is not in the results; windows are {windows}")
    sel = frame[frame["window"] == w]
    if "series" in sel.columns and sel["series"].nunique() > 1:
        raise ValueError("plot_backtest draws a single series; the forecasts hold several")
    models = list(dict.fromkeys(sel["model"]))
    first = sel[sel["model"] == models[0]].sort_values("step" if "step" in sel.columns else "time")
    horizon = len(first)

    ax = _get_ax(ax)
    if y is not None:
        ys = _as_series(y, "y")
        times = list(first["time"])
        if isinstance(ys.index, pd.RangeIndex) and not isinstance(y, (pd.Series, pd.DataFrame)):
            end = int(times[-1]) + 1
        else:
            end = int(ys.index.get_loc(times[-1])) + 1
        n_hist = 2 * horizon if history is None else int(history)
        start = max(0, end - horizon - n_hist)
        part = ys.iloc[start:end]
        ax.plot(part.index, part.to_numpy(), color="black", linewidth=1.2, label="actual")
    else:
        ax.plot(first["time"].to_numpy(), first["y_true"].to_numpy(), color="black",
                linewidth=1.2, label="actual")
    for m in models:
        part = sel[sel["model"] == m].sort_values("step" if "step" in sel.columns else "time")
        ax.plot(part["time"].to_numpy(), part["y_pred"].to_numpy(), linewidth=1.4, label=m)
    cutoff = first["cutoff"].iloc[0] if "cutoff" in first.columns else None
    title = f"backtest window {windows.index(w) + 1}/{len(windows)}"
    if cutoff is not None:
        title += f" (forecast origin after {cutoff.date() if isinstance(cutoff, pd.Timestamp) else cutoff})"
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small")
    return ax
