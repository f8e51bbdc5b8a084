"""Forecasters with a scikit-learn interface.

:class:`BaseForecaster` (in :mod:`rnnforecast.forecasting.base`) is the base
class of every forecaster; see that module's docstring for how to write one.
"""

from rnnforecast.forecasting.base import BaseForecaster
from rnnforecast.forecasting.local import LocalForecaster
from rnnforecast.forecasting.pipeline import ForecastingPipeline
from rnnforecast.forecasting.reduction import ReductionForecaster

__all__ = ["BaseForecaster", "ForecastingPipeline", "LocalForecaster", "ReductionForecaster"]
