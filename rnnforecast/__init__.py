"""rnnforecast: RNN, GRU and LSTM forecasters on Numba kernels, with a
scikit-learn interface and ARIMA baselines to compare against.

Public names are imported lazily (PEP 562), so ``import rnnforecast`` stays
cheap; the first use of a name imports its module.
"""

import importlib

__version__ = "0.1.0.dev0"

_EXPORTS = {
    # forecasters
    "BaseForecaster": "rnnforecast.forecasting.base",
    "ForecastingPipeline": "rnnforecast.forecasting.pipeline",
    "ReductionForecaster": "rnnforecast.forecasting.reduction",
    "RNNForecaster": "rnnforecast.forecasting.neural",
    "GRUForecaster": "rnnforecast.forecasting.neural",
    "LSTMForecaster": "rnnforecast.forecasting.neural",
    "LocalForecaster": "rnnforecast.forecasting.local",
    # sequence estimators
    "RNNRegressor": "rnnforecast.estimators",
    "GRURegressor": "rnnforecast.estimators",
    "LSTMRegressor": "rnnforecast.estimators",
    "RNNClassifier": "rnnforecast.estimators",
    "GRUClassifier": "rnnforecast.estimators",
    "LSTMClassifier": "rnnforecast.estimators",
    # transformers
    "make_windows": "rnnforecast.transformers.windowing",
    "SlidingWindowTransformer": "rnnforecast.transformers.windowing",
    "LagTransformer": "rnnforecast.transformers.windowing",
    "LogTransformer": "rnnforecast.transformers.series",
    "Differencer": "rnnforecast.transformers.series",
    # baselines and evaluation
    "NaiveForecaster": "rnnforecast.baselines",
    "Naive2Forecaster": "rnnforecast.baselines",
    "ARIMAForecaster": "rnnforecast.baselines",
    "AutoARIMAForecaster": "rnnforecast.baselines",
    "backtest": "rnnforecast.backtesting",
    "NonFiniteLossError": "rnnforecast.nn.training",
    # safe model files (no pickle)
    "save": "rnnforecast.persistence",
    "load": "rnnforecast.persistence",
    "ModelFileError": "rnnforecast.persistence",
}
_SUBMODULES = {"metrics", "datasets", "baselines", "backtesting", "forecasting", "transformers",
               "estimators", "nn", "plotting", "persistence", "model_selection"}

__all__ = sorted(_EXPORTS) + sorted(_SUBMODULES)


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"rnnforecast.{name}")
    else:
        raise AttributeError(f"module 'rnnforecast' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
