"""Statistical baselines: naive benchmarks (incl. M4 Naive2), ARIMA and automatic ARIMA.

Every forecaster here follows :class:`rnnforecast.forecasting.base.BaseForecaster`
(``fit(y, X=None)``, ``predict(h, X=None, y=None)``) and adds
``predict_interval(h, coverage=0.9, X=None, y=None)`` (except
:class:`Naive2Forecaster`, point forecasts only).
"""

from rnnforecast.baselines.arima import ARIMAFitError, ARIMAForecaster
from rnnforecast.baselines.auto_arima import AutoARIMAForecaster
from rnnforecast.baselines.naive import Naive2Forecaster, NaiveForecaster

__all__ = ["ARIMAFitError", "ARIMAForecaster", "AutoARIMAForecaster", "Naive2Forecaster",
           "NaiveForecaster"]
