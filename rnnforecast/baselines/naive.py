"""Naive benchmark forecasters.

:class:`NaiveForecaster` implements the four classical benchmarks (last value,
mean, drift, seasonal last value) with normal prediction intervals from the
standard variance formulas (Hyndman & Athanasopoulos, *Forecasting: Principles
and Practice*, 3rd ed., Table 5.2).  :class:`Naive2Forecaster` is the M4
"Naive2" benchmark (point forecasts only).

Every baseline in :mod:`rnnforecast.baselines` provides
``predict_interval(h, coverage=0.9, X=None, y=None)``.  It goes through the
same input validation as :meth:`BaseForecaster.predict` (it calls the base
class's machinery, which then calls the subclass's ``_predict`` hook); the
requested coverage is handed to the hook as a ``ForecastRequest`` and the bounds
come back in its ``Forecast`` record (:mod:`rnnforecast.baselines._intervals`).
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy.stats import norm

from rnnforecast.baselines._intervals import _IntervalForecasterMixin
from rnnforecast.forecasting.base import BaseForecaster
from rnnforecast.metrics import naive2_forecast
from rnnforecast.utils._compat import Interval, StrOptions
from rnnforecast.utils.scaled import add_scaled, normalise, restore, safe_difference, safe_mean

__all__ = ["Naive2Forecaster", "NaiveForecaster"]


#: Minimum history of each strategy's point forecast, as a function of the seasonal period.
_MIN_POINT = {
    "last": lambda period: 1,
    "mean": lambda period: 1,
    "drift": lambda period: 2,
    "seasonal_last": lambda period: period,
}


class NaiveForecaster(_IntervalForecasterMixin, BaseForecaster):
    """Classical benchmark forecasts: last value, mean, drift, seasonal last value.

    Point forecasts ``yhat_{T+j}`` (``j = 1..h``) from a history ``y_1..y_T``:

    * ``"last"`` (naive): ``y_T``;
    * ``"mean"``: ``mean(y_1..y_T)``;
    * ``"drift"``: ``y_T + j * (y_T - y_1) / (T - 1)``;
    * ``"seasonal_last"`` (seasonal naive): ``y_{T - s + 1 + (j - 1) mod s}``
      with ``s = seasonal_period``.

    The forecasts are functions of the history only, so ``predict(h, y=new)``
    equals refitting on ``new``.  Each column of a multivariate ``y`` is
    treated independently.

    Prediction intervals are normal, ``yhat +- z * sigma_h`` with
    ``z = Phi^{-1}((1 + coverage)/2)`` and (FPP3, Table 5.2):

    * last: ``sigma_h = sigma * sqrt(j)``, ``sigma^2 = mean_t (y_t - y_{t-1})^2``;
    * mean: ``sigma_h = sigma * sqrt(1 + 1/T)``, ``sigma`` = sample standard
      deviation of ``y`` (``T - 1`` denominator);
    * drift: ``sigma_h = sigma * sqrt(j (1 + j/(T - 1)))``,
      ``sigma^2 = mean_t (y_t - y_{t-1} - b)^2`` with ``b`` the drift;
    * seasonal_last: ``sigma_h = sigma * sqrt(floor((j - 1)/s) + 1)``,
      ``sigma^2 = mean_t (y_t - y_{t-s})^2``.

    ``sigma`` is computed from the same history as the point forecasts.

    All arithmetic runs in an exactly scaled space (powers of two, see
    :mod:`rnnforecast.utils.scaled`), so finite data anywhere in the float64
    range (``1e308``, ``1e-300``) gives finite, correct forecasts and
    intervals; a forecast or bound that truly exceeds the float64 range
    raises a :class:`ValueError` (never ``inf``).

    Parameters
    ----------
    strategy : {"last", "mean", "drift", "seasonal_last"}, default="last"
        Forecasting rule.
    seasonal_period : int, default=1
        Seasonal period, used only by ``"seasonal_last"``.

    Attributes
    ----------
    strategy_, seasonal_period_ : str, int
        The rule fitted; ``predict`` uses them, so ``set_params`` after
        ``fit`` changes nothing until the next ``fit``.
    sigma_ : ndarray of shape (n_series,)
        One-step residual standard deviation on the training data (NaN-free;
        0 when the training series is too short to have residuals).
    n_targets_, n_exog_, cutoff_, freq_, n_timesteps_
        See :class:`~rnnforecast.forecasting.base.BaseForecaster`.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.baselines import NaiveForecaster
    >>> NaiveForecaster(strategy="drift").fit(np.array([1.0, 2.0, 4.0])).predict(2)
    array([5.5, 7. ])
    """

    _parameter_constraints: dict = {
        "strategy": [StrOptions({"last", "mean", "drift", "seasonal_last"})],
        "seasonal_period": [Interval(numbers.Integral, 1, None, closed="left")],
    }
    _supports_exog = False
    _supports_multivariate = True

    def __init__(self, strategy: str = "last", seasonal_period: int = 1) -> None:
        self.strategy = strategy
        self.seasonal_period = seasonal_period

    # -------------------------------------------------------------- protocol
    def _rule(self) -> tuple[str, int]:
        """``(strategy, seasonal_period)`` as fitted (``set_params`` after fit changes nothing
        until refit)."""
        if hasattr(self, "strategy_"):
            return self.strategy_, self.seasonal_period_
        return self.strategy, int(self.seasonal_period)

    def _min_history(self) -> int:  # for fit: the current parameters
        return _MIN_POINT[self.strategy](int(self.seasonal_period))

    def _min_predict_history(self) -> int:
        strategy, seasonal_period = self._rule()
        return _MIN_POINT[strategy](seasonal_period)

    def _min_interval_history(self) -> int:
        strategy, seasonal_period = self._rule()
        return _MIN_POINT[strategy](seasonal_period) + 1

    def _sigma(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One-step residual standard deviation per column of ``y`` (T, k), as ``(s, e)``.

        The standard deviation is ``s * 2**e`` (``s`` finite, ``e`` an int per
        column): it is computed in a scaled space and may exceed float64.
        """
        T, k = y.shape
        strategy, seasonal_period = self._rule()
        if T < self._min_interval_history():
            return np.zeros(k), np.zeros(k, dtype=np.int64)
        if strategy == "mean":
            u, e = normalise(y, axis=0)
            return np.std(u, axis=0, ddof=1), e[0]
        lag = seasonal_period if strategy == "seasonal_last" else 1
        d, kd = safe_difference(y[lag:], y[:-lag])
        u, e = normalise(d, kd, axis=0)
        if strategy == "drift":
            u = u - u.mean(axis=0)
        return np.sqrt(np.mean(u**2, axis=0)), e[0]

    def _fitted_repr(self) -> str:
        strategy, seasonal_period = self._rule()
        return repr(NaiveForecaster(strategy=strategy, seasonal_period=seasonal_period))

    def _too_large(self, what: str) -> tuple[str, str]:
        return (f"{self._fitted_repr()}: {what}",
                "Rescale y (e.g. divide it by a power of 10) before fitting.")

    def _fit(self, y: np.ndarray, X: np.ndarray | None = None) -> "NaiveForecaster":
        self.strategy_, self.seasonal_period_ = self.strategy, int(self.seasonal_period)
        self.sigma_ = restore(*self._sigma(y), *self._too_large(
            "the residual standard deviation of y (sigma_)"))
        return self

    def _point_forecast(self, y: np.ndarray, h: int) -> np.ndarray:
        """Point forecasts ``(h, k)`` from the history ``y`` (T, k), in a scaled space."""
        T = y.shape[0]
        strategy, seasonal_period = self._rule()
        if strategy == "last":
            return np.tile(y[-1], (h, 1))
        if strategy == "mean":
            return np.tile(safe_mean(y, axis=0), (h, 1))
        if strategy == "drift":
            j = np.arange(1, h + 1, dtype=np.float64)[:, None]
            ends, e = normalise(y[[0, -1]], axis=0)  # scale from the two values used
            slope = (ends[1] - ends[0]) / (T - 1)
            return restore(ends[1] + j * slope, e,
                           *self._too_large(f"the forecast over h={h} steps"))
        return y[T - seasonal_period + (np.arange(h) % seasonal_period)]

    def _forecast(
        self,
        h: int,
        X: np.ndarray | None,
        y_hist: np.ndarray | None,
        X_hist: np.ndarray | None,
        coverage: float | None,
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        y = self._history(y_hist)
        T = y.shape[0]
        mean = np.ascontiguousarray(self._point_forecast(y, h), dtype=np.float64)
        if coverage is None:
            return mean, None
        need = self._min_interval_history()
        if T < need:
            raise ValueError(
                f"y has {T} observations but {self._fitted_repr()} needs at least {need} "
                "to estimate "
                "the residual standard deviation of a prediction interval"
            )
        j = np.arange(1, h + 1, dtype=np.float64)[:, None]
        strategy, seasonal_period = self._rule()
        if strategy == "last":
            scale = np.sqrt(j)
        elif strategy == "mean":
            scale = np.full_like(j, np.sqrt(1.0 + 1.0 / T))
        elif strategy == "drift":
            scale = np.sqrt(j * (1.0 + j / (T - 1)))
        else:
            scale = np.sqrt(np.floor((j - 1) / seasonal_period) + 1.0)
        sigma, e = self._sigma(y)
        # half-width z * sigma * scale = half * 2**e, added to the mean in a scaled space
        half = norm.ppf(0.5 + coverage / 2.0) * sigma[None, :] * scale
        what = f"the {coverage:g} prediction interval over h={h} steps"
        lower = add_scaled(mean, -half, e, *self._too_large(what))
        upper = add_scaled(mean, half, e, *self._too_large(what))
        return mean, (lower, upper)


class Naive2Forecaster(BaseForecaster):
    """The M4 "Naive2" benchmark as a forecaster.

    Naive forecast of the seasonally adjusted series, re-seasonalised; the
    series is adjusted only when the M4 seasonality test finds it seasonal
    (see :func:`rnnforecast.metrics.naive2_forecast`, which this wraps).
    Forecasting from a new history (``predict(h, y=...)``) equals refitting.

    Parameters
    ----------
    seasonal_period : int, default=1
        Seasonal period (1 = plain naive).

    Attributes
    ----------
    n_targets_, n_exog_, cutoff_, freq_, n_timesteps_
        See :class:`~rnnforecast.forecasting.base.BaseForecaster`.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.baselines import Naive2Forecaster
    >>> y = 10 + np.tile([1.0, -1.0, 2.0, -2.0], 6)
    >>> Naive2Forecaster(seasonal_period=4).fit(y).predict(4).round(2)
    array([11.,  9., 12.,  8.])
    """

    _parameter_constraints: dict = {
        "seasonal_period": [Interval(numbers.Integral, 1, None, closed="left")],
    }
    _supports_multivariate = False

    def __init__(self, seasonal_period: int = 1) -> None:
        self.seasonal_period = seasonal_period

    def _fit(self, y: np.ndarray, X: np.ndarray | None = None) -> "Naive2Forecaster":
        return self

    def _predict(
        self, h: int, X: np.ndarray | None = None, y_hist: np.ndarray | None = None, **_: object
    ) -> np.ndarray:
        y = self._history(y_hist)
        return naive2_forecast(y[:, 0], h, int(self.seasonal_period))[:, None]
