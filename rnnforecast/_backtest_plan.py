"""The settings of :func:`rnnforecast.backtesting.backtest`: validation and window layout.

:func:`_check_backtest_args` validates the parameters into :class:`_Args`;
:func:`_origins` places the windows (origins, refit groups, cutoff labels).
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from rnnforecast.metrics import METRICS
from rnnforecast.utils.validation import check_int

__all__: list[str] = []


def _resolve_metrics(metrics: Any) -> list[tuple[str, Callable[..., Any], bool]]:
    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    if not isinstance(metrics, Sequence) or len(metrics) == 0:
        raise ValueError(f"metrics must be a non-empty sequence of names or callables; got {metrics!r}")
    out: list[tuple[str, Callable[..., Any], bool]] = []
    for m in metrics:
        if isinstance(m, str):
            if m not in METRICS:
                raise ValueError(f"unknown metric {m!r}; valid names are {sorted(METRICS)} (or pass a callable)")
            out.append((m, METRICS[m], m == "mase"))
        elif callable(m):
            out.append((getattr(m, "__name__", repr(m)), m, False))
        else:
            raise TypeError(f"metrics must contain str or callables; got {type(m).__name__}")
    names = [n for n, _, _ in out]
    if len(set(names)) != len(names):
        raise ValueError(f"metric names must be unique; got {names}")
    return out


def _compute_origins(
    n: int, horizon: int, n_windows: int | None, initial_window: int | None, step: int
) -> list[int]:
    if initial_window is not None:
        remaining = n - initial_window
        if horizon > remaining:
            raise ValueError(
                f"horizon={horizon} is longer than the {max(remaining, 0)} observations remaining after "
                f"initial_window={initial_window} (y has {n} observations)"
            )
        max_windows = (remaining - horizon) // step + 1
        if n_windows is None:
            n_windows = max_windows
        elif n_windows > max_windows:
            last_end = initial_window + (n_windows - 1) * step + horizon
            raise ValueError(
                f"n_windows={n_windows} windows with initial_window={initial_window}, step={step} and "
                f"horizon={horizon} need {last_end} observations; y has {n} (at most {max_windows} windows fit)"
            )
        t0 = initial_window
    else:
        if n_windows is None:
            n_windows = 5
        t0 = n - horizon - (n_windows - 1) * step
        if t0 < 1:
            need = horizon + (n_windows - 1) * step + 1
            raise ValueError(
                f"n_windows={n_windows} windows with step={step} and horizon={horizon} need at least "
                f"{need} observations (one to train on); y has {n}"
            )
    return [t0 + i * step for i in range(n_windows)]


class _Args(NamedTuple):
    """The validated settings of a :func:`backtest` call."""

    horizon: int
    n_windows: int | None
    initial_window: int | None
    step: int
    window: str
    seasonal_period: int
    refit_every: int | None
    metric_list: list[tuple[str, Callable[..., Any], bool]]
    coverage: float | None


def _check_backtest_args(
    forecaster: Any,
    horizon: Any,
    n_windows: Any,
    initial_window: Any,
    step: Any,
    seasonal_period: Any,
    window: Any,
    refit: Any,
    metrics: Any,
    coverage: Any,
) -> _Args:
    """Validate :func:`backtest`'s parameters (messages name the parameter and the value)."""
    if not (hasattr(forecaster, "fit") and hasattr(forecaster, "predict")):
        raise TypeError(f"forecaster must have fit and predict methods; got {type(forecaster).__name__}")
    horizon = check_int(horizon, "horizon")
    n_windows = check_int(n_windows, "n_windows", allow_none=True)
    initial_window = check_int(initial_window, "initial_window", allow_none=True)
    step = horizon if step is None else check_int(step, "step")
    seasonal_period = check_int(seasonal_period, "seasonal_period")
    if window not in ("expanding", "sliding"):
        raise ValueError(f"window must be 'expanding' or 'sliding'; got {window!r}")
    if isinstance(refit, (bool, np.bool_)):
        refit_every = 1 if refit else None
    else:
        refit_every = check_int(refit, "refit")
    metric_list = _resolve_metrics(metrics)
    if coverage is not None:
        if isinstance(coverage, (bool, np.bool_)) or not isinstance(coverage, (int, float, np.number)) \
                or not 0 < float(coverage) < 1:
            raise ValueError(f"coverage must be a float strictly between 0 and 1 or None; got {coverage!r}")
        if not hasattr(forecaster, "predict_interval"):
            raise TypeError(
                f"coverage={coverage} needs a forecaster with predict_interval; "
                f"{type(forecaster).__name__} has none"
            )
        coverage = float(coverage)
    return _Args(horizon, n_windows, initial_window, step, window, seasonal_period, refit_every,
                 metric_list, coverage)


def _origins(info: Any, args: _Args) -> tuple[list[int], list[list[tuple[int, int, int]]], list[Any]]:
    """Window origins, the windows grouped by refit (``(i, start, t)``) and the cutoff labels."""
    origins = _compute_origins(info.n_timesteps, args.horizon, args.n_windows, args.initial_window,
                               args.step)
    L = origins[0]
    scaled = [name for name, _, needs_train in args.metric_list if needs_train]
    if scaled and L <= args.seasonal_period:
        # found before any fit, not as a failure of window 0 after it
        raise ValueError(
            f"metric {scaled[0]!r} is scaled by the seasonal-naive error of each training window, "
            f"which needs more than seasonal_period={args.seasonal_period} observations; the first "
            f"window trains on {L} (initial_window={args.initial_window}, n_windows={args.n_windows}, "
            f"y has {info.n_timesteps}). Use a longer training window or a smaller seasonal_period."
        )
    starts = [0 if args.window == "expanding" else t - L for t in origins]
    if info.is_pandas:
        cutoff_labels = [info.index[t - 1] for t in origins]
    else:
        cutoff_labels = [t - 1 for t in origins]
    groups: list[list[tuple[int, int, int]]] = []
    for i, (s, t) in enumerate(zip(starts, origins)):
        if not groups or (args.refit_every is not None and i % args.refit_every == 0):
            groups.append([])
        groups[-1].append((i, s, t))
    return origins, groups, cutoff_labels
