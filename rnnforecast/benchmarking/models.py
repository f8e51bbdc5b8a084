"""Benchmark model names and the forecaster each stands for (:func:`make_forecaster`).

Every setting the benchmark uses (fixed ARIMA orders, network sizes, training
iterations) lives here, so that the CLI and the benchmark scripts run exactly
the same models.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from rnnforecast.baselines import (
    ARIMAForecaster,
    AutoARIMAForecaster,
    Naive2Forecaster,
    NaiveForecaster,
)
from rnnforecast.forecasting.base import BaseForecaster

__all__ = [
    "BENCHMARK_METRICS",
    "DEFAULT_HORIZONS",
    "MODEL_NAMES",
    "NEURAL_MODELS",
    "make_forecaster",
    "neural_settings",
    "parse_model_list",
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
        Forecast horizon (not used: the defaults train for the M4 horizon
        of the inferred period and roll the block forward beyond it).
    n_train : int
        Length of the shortest training window the model will see (sizes
        the input of the ``quick`` settings).
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
    if quick:
        # smoke tests: a tiny single network on a short input
        window = max(2, min(max(8, 2 * seasonal_period), n_train // 4, 12))
        return {
            "window_length": window,
            "hidden_size": 4,
            "max_iter": 3,
            "n_estimators": 1,
            "n_jobs": 1,
            "random_state": random_state,
        }
    # the defaults: the forecaster configures itself from the series (season,
    # inputs, horizon, scaling, training budget, ensemble); one thread so the
    # fit seconds compare like with like against the single-core baselines
    return {"n_jobs": 1, "random_state": random_state}


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
    >>> make_forecaster("lstm", seasonal_period=12, n_train=200)  # the defaults, one thread
    LSTMForecaster(n_jobs=1, random_state=0)
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
        return AutoARIMAForecaster(seasonal_period=seasonal_period)
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
