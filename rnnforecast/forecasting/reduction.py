"""Forecasting with any scikit-learn regressor: :class:`ReductionForecaster`."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import clone

from rnnforecast.forecasting.base import BaseForecaster
from rnnforecast.forecasting.record import ForecastRequest
from rnnforecast.transformers.windowing import make_windows
from rnnforecast.utils._compat import HasMethods, Interval, StrOptions
from rnnforecast.utils.validation import SeriesInfo

__all__ = ["ReductionForecaster"]


class ReductionForecaster(BaseForecaster):
    """Turn a tabular regressor into a forecaster (reduction to regression).

    Each sample's features are the last ``window_length`` observations of
    every series and of every exogenous regressor, flattened in time order
    (oldest first; at each time the series values then the regressors), plus
    the exogenous regressors **at the target time** (future regressors are
    known by contract: they must be given to ``predict``). The target is the
    value(s) of the series ``j`` steps after the window.

    * ``strategy="recursive"``: one model predicts one step ahead (``j = 1``);
      forecasts are fed back as inputs for the following steps. Any ``h``.
    * ``strategy="direct"``: one clone of ``regressor`` per step
      ``j = 1 ... horizon``, each trained on all windows that have a target
      ``j`` steps ahead and predicting from the last observed window.
      ``h <= horizon`` only.

    With several series (``k > 1``) the regressor is fitted on a 2-D target
    ``(n_samples, k)`` (use e.g. ``MultiOutputRegressor`` for regressors that
    do not support that); with one series, on a 1-D target.

    Parameters
    ----------
    regressor : estimator with ``fit`` and ``predict``
        scikit-learn regressor (or Pipeline); cloned, never modified.
    window_length : int, default=10
        Number of past time steps used as features (>= 1).
    strategy : {"recursive", "direct"}, default="recursive"
        See above.
    horizon : int or None, default=None
        Number of steps the direct strategy is trained for; required when
        ``strategy="direct"``; not used by ``"recursive"``.

    Attributes
    ----------
    regressor_ : estimator
        Fitted clone (``"recursive"``).
    estimators_ : list of estimators
        Fitted clones, ``estimators_[j - 1]`` predicts ``j`` steps ahead
        (``"direct"``).
    window_length_, strategy_, horizon_
        The configuration of the fit, which ``predict`` uses (changing the
        parameters with ``set_params`` takes effect at the next ``fit``).
    n_targets_, n_exog_, cutoff_, freq_, n_timesteps_
        See :class:`~rnnforecast.forecasting.BaseForecaster`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from rnnforecast.forecasting import ReductionForecaster
    >>> f = ReductionForecaster(LinearRegression(), window_length=2)
    >>> f.fit(np.arange(10.0)).predict(3).round(6)
    array([10., 11., 12.])
    """

    _parameter_constraints: dict = {
        "regressor": [HasMethods(["fit", "predict"])],
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "strategy": [StrOptions({"recursive", "direct"})],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
    }
    _supports_exog = True
    _supports_multivariate = True

    def __init__(
        self,
        regressor: Any,
        window_length: int = 10,
        strategy: str = "recursive",
        horizon: int | None = None,
    ):
        self.regressor = regressor
        self.window_length = window_length
        self.strategy = strategy
        self.horizon = horizon

    def _steps_trained(self) -> int:
        return int(self.horizon) if self.strategy == "direct" and self.horizon else 1

    def _min_history(self) -> int:
        # One training sample for the farthest step.
        return int(self.window_length) + self._steps_trained()

    def _min_predict_history(self) -> int:
        # predict reads what was fitted, whatever set_params changed since
        return int(getattr(self, "window_length_", self.window_length))

    def _design(
        self, y: np.ndarray, X: np.ndarray | None, j: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Features and ``j``-step-ahead targets of every training window."""
        w = int(self.window_length)
        inputs, targets = make_windows(y, X, window_length=w, horizon=j)
        features = inputs.reshape(inputs.shape[0], -1)
        if X is not None:
            ends = np.arange(w - 1, y.shape[0] - j)
            features = np.hstack([features, X[ends + j]])
        target = targets[:, j - 1, :]
        return features, (target[:, 0] if y.shape[1] == 1 else target)

    def _fit(self, y: np.ndarray, X: np.ndarray | None = None) -> None:
        if self.strategy == "direct" and self.horizon is None:
            raise ValueError(
                "horizon must be set (a positive int) when strategy='direct': "
                "one model is trained per step 1..horizon; got horizon=None."
            )
        # the configuration predict uses (set_params after fit changes nothing)
        self.window_length_ = int(self.window_length)
        self.strategy_ = self.strategy
        self.horizon_ = None if self.horizon is None else int(self.horizon)
        if self.strategy == "recursive":
            F, T = self._design(y, X, 1)
            self.regressor_ = self._fit_regressor(F, T, y)
        else:
            self.estimators_ = []
            for j in range(1, int(self.horizon) + 1):
                F, T = self._design(y, X, j)
                self.estimators_.append(self._fit_regressor(F, T, y))

    def _fit_regressor(self, F: np.ndarray, T: np.ndarray, y: np.ndarray) -> Any:
        """A fitted clone of the regressor; its numerical failures named for the user."""
        try:
            return clone(self.regressor).fit(F, T)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError) as err:
            big = float(np.max(np.abs(y)))
            hint = (f" y holds values up to {big:.3g}, whose products overflow float64 "
                    "inside the regressor: rescale y (e.g. divide it by its scale)."
                    if big > 1e150 else "")
            raise ValueError(
                f"{type(self).__name__}: the regressor {self.regressor!r} could not be "
                f"fitted on the lagged windows of y: {err}.{hint}"
            ) from err

    def _predict(
        self,
        h: int,
        X: np.ndarray | None = None,
        y_hist: np.ndarray | None = None,
        X_hist: np.ndarray | None = None,
        y_info: SeriesInfo | None = None,
        request: ForecastRequest | None = None,
    ) -> np.ndarray:
        w, strategy, horizon = self.window_length_, self.strategy_, self.horizon_
        y = self._history(y_hist)
        Xh = self._exog_history(X_hist)
        k = y.shape[1]
        if strategy == "direct" and h > horizon:
            raise ValueError(
                f"h={h} exceeds horizon={horizon}, the number of steps "
                "this direct-strategy forecaster was trained for; refit with "
                f"horizon>={h} or use strategy='recursive'."
            )
        y_win = y[-w:]
        x_win = None if Xh is None else Xh[-w:]
        out = np.empty((h, k))

        def features(yw: np.ndarray, xw: np.ndarray | None, step: int) -> np.ndarray:
            win = yw if xw is None else np.hstack([yw, xw])
            row = win.ravel()
            if X is not None:
                row = np.concatenate([row, X[step]])
            return row[None, :]

        if strategy == "direct":
            for j in range(1, h + 1):
                row = features(y_win, x_win, j - 1)
                out[j - 1] = np.asarray(
                    self.estimators_[j - 1].predict(row), dtype=np.float64
                ).reshape(k)
            return out

        y_buf = y_win.copy()
        x_buf = None if x_win is None else x_win.copy()
        for s in range(h):
            pred = np.asarray(
                self.regressor_.predict(features(y_buf, x_buf, s)), dtype=np.float64
            ).reshape(k)
            out[s] = pred
            y_buf = np.vstack([y_buf[1:], pred[None, :]])
            if x_buf is not None:
                x_buf = np.vstack([x_buf[1:], X[s][None, :]])
        return out
