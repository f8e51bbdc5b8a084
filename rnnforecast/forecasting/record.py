"""What a forecaster's ``_predict`` hook returns, and what it is asked for.

``BaseForecaster._predict_array`` calls
``self._predict(h, X, y_hist, X_hist=..., y_info=..., request=...)`` (``request`` only when an
interval method asks for more than the mean) and accepts either a :class:`Forecast` or a bare
``(h, k)`` array of means.  ``predict_interval`` of the baselines asks for
``ForecastRequest(coverage=c)`` and reads ``lower``/``upper``; the quantile head of the neural
forecasters is asked for ``ForecastRequest(quantiles=True)`` and fills ``quantiles``/``levels``.
No state is stored on the estimator and no context variable is needed.

Examples
--------
>>> import numpy as np
>>> from rnnforecast.forecasting.record import Forecast, ForecastRequest
>>> request = ForecastRequest(coverage=0.9)
>>> mean = np.zeros((3, 1))
>>> record = Forecast(mean, lower=mean - 1.0, upper=mean + 1.0)
>>> record.mean.shape, float(record.lower[0, 0]), record.quantiles is None
((3, 1), -1.0, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Forecast", "ForecastRequest"]


@dataclass(frozen=True)
class ForecastRequest:
    """What a ``predict_interval``/``predict_quantiles`` call needs besides the mean.

    Parameters
    ----------
    coverage : float or None, default=None
        A central interval of this coverage is wanted (``Forecast.lower``/``upper``).
    quantiles : bool, default=False
        The model's own quantile outputs are wanted (``Forecast.quantiles``/``levels``).

    Examples
    --------
    >>> from rnnforecast.forecasting.record import ForecastRequest
    >>> ForecastRequest(quantiles=True)
    ForecastRequest(coverage=None, quantiles=True)
    """

    coverage: float | None = None
    quantiles: bool = False


@dataclass(frozen=True)
class Forecast:
    """Forecasts of ``h`` steps of ``k`` series, as returned by ``_predict``.

    Parameters
    ----------
    mean : ndarray of shape (h, k), float64
        Point forecasts.
    lower, upper : ndarray of shape (h, k), float64, or None
        Bounds of the central interval asked for by ``ForecastRequest.coverage``.
    quantiles : ndarray of shape (h, k, Q), float64, or None
        The model's quantile forecasts, asked for by ``ForecastRequest.quantiles``.
    levels : ndarray of shape (Q,), float64, or None
        The levels of ``quantiles``, increasing.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.forecasting.record import Forecast
    >>> q = np.stack([np.full((2, 1), v) for v in (1.0, 2.0, 3.0)], axis=-1)
    >>> Forecast(q[:, :, 1], quantiles=q, levels=np.array([0.1, 0.5, 0.9])).quantiles.shape
    (2, 1, 3)
    """

    mean: np.ndarray
    lower: np.ndarray | None = None
    upper: np.ndarray | None = None
    quantiles: np.ndarray | None = None
    levels: np.ndarray | None = None
