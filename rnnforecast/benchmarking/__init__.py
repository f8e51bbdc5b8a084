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

Modules: :mod:`.models` (names, settings, :func:`make_forecaster`),
:mod:`.run` (window layout, :func:`run_benchmark`), :mod:`.result`
(:class:`BenchmarkResult`, :class:`ModelFailure`); every public name is
importable from :mod:`rnnforecast.benchmarking`.
"""

from rnnforecast.benchmarking.models import (
    BENCHMARK_METRICS,
    DEFAULT_HORIZONS,
    MODEL_NAMES,
    NEURAL_MODELS,
    make_forecaster,
    neural_settings,
    parse_model_list,
)
from rnnforecast.benchmarking.result import BenchmarkResult, ModelFailure
from rnnforecast.benchmarking.run import (
    check_test_part,
    run_benchmark,
    size_of_test_part,
    window_origins,
)

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
