"""Forecast accuracy metrics, the M4 Naive2 benchmark and scikit-learn scorers.

Every public name is importable from here; the code lives in :mod:`.point`
(MAE, RMSE, MAPE, sMAPE, MASE, :data:`METRICS`), :mod:`.m4` (seasonality
test, Naive2, OWA) and :mod:`.scorers` (:func:`make_forecast_scorer`).

All point metrics take ``y_true`` and ``y_pred`` of the same shape, either
``(h,)`` (one series) or ``(h, k)`` (``k`` series / output columns, scored
column by column and then averaged unless ``multioutput="raw_values"``).
Inputs may be lists, NumPy arrays or pandas Series/DataFrames; pandas inputs
are used positionally (their index is ignored).  Values must be real numbers
and finite: NaN or infinity raises a :class:`ValueError` naming the argument.
Every metric is computed in a scaled space (:mod:`rnnforecast.utils.scaled`:
exact power-of-two scaling), so finite inputs anywhere in the float64 range
(``1e308`` or ``1e-300``) give finite, correct values; a result that truly does
not fit in float64 raises a :class:`ValueError` instead of returning ``inf``.

Definitions follow the M4 competition (Makridakis, Spiliotis and
Assimakopoulos, 2020, and the organisers' published evaluation code):

* ``sMAPE = 200/h * sum |y - yhat| / (|y| + |yhat|)`` -- on the 0--200 scale.
  A term with ``y = yhat = 0`` is defined as 0 (a perfect forecast); the M4
  code would produce NaN there.
* ``MASE = mean|y - yhat| / mean_{t>s}|y_t - y_{t-s}|`` where the denominator
  is the in-sample MAE of the seasonal-naive method with seasonal period
  ``s = seasonal_period`` computed on the training series.
* ``OWA = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2`` where each of the
  four quantities is first averaged over all series (and horizons) of the
  subset, and only then are the ratios taken.

``mean_absolute_percentage_error`` is also reported in percent (0--100 * ...),
unlike :func:`sklearn.metrics.mean_absolute_percentage_error` which returns a
fraction.

Scorers
-------
:func:`make_forecast_scorer` builds callables usable as ``scoring=`` in
:class:`~sklearn.model_selection.GridSearchCV` with rnnforecast forecasters.
scikit-learn fits ``est.fit(y_train[, X_train])`` (the series plays the role
of sklearn's ``X``; exogenous regressors, if any, play the role of sklearn's
``y``) and then calls ``scorer(est, y_test)`` -- or ``scorer(est, y_test,
X_test)`` when exogenous data were passed.  The scorer forecasts
``len(y_test)`` steps after the end of the training series, so the CV
splitter must produce test blocks that start right after the training block
(:class:`~sklearn.model_selection.TimeSeriesSplit` with ``gap=0``).
Ready-made scorers: ``neg_mae_scorer``, ``neg_rmse_scorer``,
``neg_smape_scorer`` and ``neg_mase_scorer`` (MASE scaled with ``seasonal_period=1``).

Examples
--------
>>> import numpy as np
>>> from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
>>> from rnnforecast.baselines import NaiveForecaster
>>> from rnnforecast.metrics import neg_mase_scorer
>>> y = np.sin(np.arange(96) * 2 * np.pi / 12) + np.arange(96) / 24
>>> search = GridSearchCV(NaiveForecaster(seasonal_period=12),
...                       {"strategy": ["last", "drift", "seasonal_last"]},
...                       cv=TimeSeriesSplit(n_splits=3, test_size=12),
...                       scoring=neg_mase_scorer).fit(y)
>>> search.best_params_
{'strategy': 'seasonal_last'}
"""

from rnnforecast.metrics.m4 import (
    acf,
    naive2_forecast,
    overall_weighted_average,
    seasonality_test,
)
from rnnforecast.metrics.point import (
    METRICS,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_absolute_scaled_error,
    root_mean_squared_error,
    symmetric_mean_absolute_percentage_error,
)
from rnnforecast.metrics.scorers import (
    make_forecast_scorer,
    neg_mae_scorer,
    neg_mase_scorer,
    neg_rmse_scorer,
    neg_smape_scorer,
)


__all__ = [
    "acf",
    "mean_absolute_error",
    "root_mean_squared_error",
    "mean_absolute_percentage_error",
    "symmetric_mean_absolute_percentage_error",
    "mean_absolute_scaled_error",
    "naive2_forecast",
    "seasonality_test",
    "overall_weighted_average",
    "make_forecast_scorer",
    "neg_mae_scorer",
    "neg_rmse_scorer",
    "neg_smape_scorer",
    "neg_mase_scorer",
    "METRICS",
]
