"""``predict_interval`` of the baselines (naive, ARIMA, AutoARIMA).

The interval goes through the same input validation as
:meth:`~rnnforecast.forecasting.base.BaseForecaster.predict`: it calls the base
class's ``_predict_array`` with ``request=ForecastRequest(coverage=c)``, which
hands the request to the ``_predict`` hook; the hook returns a
:class:`~rnnforecast.forecasting.record.Forecast` whose ``lower``/``upper``
hold the bounds.  No state is stored on the estimator.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from rnnforecast.forecasting.record import Forecast, ForecastRequest
from rnnforecast.utils.validation import SeriesInfo, check_coverage, check_horizon, future_index

__all__ = ["_IntervalForecasterMixin"]


class _IntervalForecasterMixin:
    """Adds ``predict_interval`` to a :class:`BaseForecaster` subclass.

    Subclasses implement ``_forecast(h, X, y_hist, X_hist, coverage)``
    returning ``(mean, bounds)`` where ``mean`` is float64 ``(h, k)`` and
    ``bounds`` is ``None`` when ``coverage`` is None, else a pair of
    ``(h, k)`` arrays ``(lower, upper)``.
    """

    def _forecast(
        self,
        h: int,
        X: np.ndarray | None,
        y_hist: np.ndarray | None,
        X_hist: np.ndarray | None,
        coverage: float | None,
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        raise NotImplementedError

    def _predict(
        self,
        h: int,
        X: np.ndarray | None = None,
        y_hist: np.ndarray | None = None,
        X_hist: np.ndarray | None = None,
        y_info: SeriesInfo | None = None,
        request: ForecastRequest | None = None,
    ) -> Forecast:
        coverage = None if request is None else request.coverage
        mean, bounds = self._forecast(h, X, y_hist, X_hist, coverage)
        if bounds is None:
            return Forecast(mean)
        return Forecast(mean, lower=bounds[0], upper=bounds[1])

    def predict_interval(self, h: int, coverage: float = 0.9, X: Any = None, y: Any = None) -> Any:
        """Prediction interval for the next ``h`` steps.

        Parameters
        ----------
        h : int
            Number of steps ahead (>= 1).
        coverage : float, default=0.9
            Nominal probability that the interval contains the future value,
            strictly between 0 and 1 (central interval: the
            ``(1 - coverage)/2`` and ``(1 + coverage)/2`` quantiles).
        X : array-like or DataFrame, default=None
            Future exogenous regressors, exactly as for :meth:`predict`.
        y : array-like or pandas object, default=None
            A new history to forecast from without refitting, as for
            :meth:`predict`.

        Returns
        -------
        interval : ndarray or DataFrame
            * 1-D numpy ``y`` at fit: ndarray of shape (h, 2), float64, columns
              ``[lower, upper]``;
            * 2-D numpy ``y``: ndarray of shape (h, n_series, 2);
            * pandas Series: DataFrame indexed by the next ``h`` periods with
              columns ``["lower", "upper"]``;
            * pandas DataFrame: DataFrame with MultiIndex columns
              ``(series, "lower"/"upper")``.
        """
        check_is_fitted(self, "_y_info_")
        h = check_horizon(h)
        request = ForecastRequest(coverage=check_coverage(coverage))
        record, (info, cutoff) = self._predict_array(h, X, y, request=request)
        if record.lower is None or record.upper is None:  # pragma: no cover - subclass bug guard
            raise RuntimeError(f"{type(self).__name__}._forecast returned no interval bounds")
        lower, upper = record.lower, record.upper
        train = self._y_info_
        if not train.is_pandas:
            out = np.stack([lower, upper], axis=-1)
            return out[:, 0, :] if train.ndim == 1 else out
        index = future_index(info, h, cutoff)
        if train.ndim == 1:
            return pd.DataFrame({"lower": lower[:, 0], "upper": upper[:, 0]}, index=index)
        k = train.n_columns
        columns = pd.MultiIndex.from_product([list(train.columns), ["lower", "upper"]])
        data = np.stack([lower, upper], axis=-1).reshape(h, 2 * k)
        return pd.DataFrame(data, index=index, columns=columns)
