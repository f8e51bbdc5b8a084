"""The shared implementation of the neural forecasters: ``_RecurrentForecaster``.

Parameters, constraints, the state-dict glue and the forecaster hooks
(``_fit``, ``_predict``, ``_fit_panel``, ``_predict_panel``); the fits and
forecasts of one network are in :mod:`._network` (one path: a single series
is a collection of one), the ensembles in :mod:`.ensemble`.
See :mod:`rnnforecast.forecasting.neural` for the model.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from rnnforecast.forecasting.base import BaseForecaster
from rnnforecast.forecasting.neural._network import NetworkPathMixin
from rnnforecast.forecasting.neural.checks import check_common
from rnnforecast.forecasting.neural import ensemble
from rnnforecast.forecasting.neural.ensemble import AUTO_PARAMS, fit_ensemble, is_auto
from rnnforecast.forecasting.neural.features import Collection
from rnnforecast.forecasting.neural.intervals import NeuralIntervalMixin
from rnnforecast.forecasting.neural.windows import TransformedSource
from rnnforecast.forecasting.record import Forecast, ForecastRequest
from rnnforecast.nn.model import NETWORK_CONSTRAINTS, TRAINING_CONSTRAINTS, RecurrentModelMixin
from rnnforecast.utils._compat import Interval, StrOptions
from rnnforecast.utils.fitting import r2_float64
from rnnforecast.utils.panel import Panel
from rnnforecast.utils.validation import SeriesInfo

__all__ = ["_RecurrentForecaster"]

_AUTO = StrOptions({"auto"})


class _RecurrentForecaster(NetworkPathMixin, NeuralIntervalMixin, RecurrentModelMixin,
                           BaseForecaster):
    """Shared implementation of the neural forecasters (see :class:`LSTMForecaster`)."""

    _parameter_constraints: dict = {
        "window_length": [Interval(Integral, 1, None, closed="left"), _AUTO],
        "strategy": [StrOptions({"recursive", "direct", "auto"})],
        "horizon": [Interval(Integral, 1, None, closed="left"), None, _AUTO],
        "patch_length": [Interval(Integral, 1, None, closed="left"), _AUTO],
        "seasonal_period": [Interval(Integral, 1, None, closed="left"), None, _AUTO],
        "scaler": [StrOptions({"standard", "robust", "mean_abs", "window", "window_log",
                               "auto"}), None],
        "series_id": [StrOptions({"onehot"}), None],
        "calendar_features": [str, "array-like", None],
        "past_covariates": [str, Integral, "array-like", None],
        **NETWORK_CONSTRAINTS,
        "hidden_size": [*NETWORK_CONSTRAINTS["hidden_size"], _AUTO],
        "loss": [StrOptions({"mse", "mae", "huber", "pinball", "auto"})],
        "quantiles": ["array-like", None],
        "learning_rate": [StrOptions({"constant", "cosine", "auto"})],
        "windows_per_epoch": [Interval(Integral, 1, None, closed="left"), None, _AUTO],
        "n_estimators": [Interval(Integral, 1, None, closed="left"), _AUTO],
        "conformal_windows": [Interval(Integral, 1, None, closed="left")],
        **TRAINING_CONSTRAINTS,
        **{name: [*TRAINING_CONSTRAINTS[name], _AUTO]
           for name in ("learning_rate_init", "batch_size", "max_iter")},
    }

    _supports_exog = True

    _supports_multivariate = True

    _supports_panel = True

    def __init__(
        self,
        *,
        window_length: int | str = "auto",
        patch_length: int | str = "auto",
        strategy: str = "auto",
        horizon: int | str | None = "auto",
        seasonal_period: int | str | None = "auto",
        scaler: str | None = "auto",
        series_id: str | None = None,
        calendar_features: Any = None,
        past_covariates: Any = None,
        hidden_size: int | str = "auto",
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        head_dropout: float = 0.0,
        loss: str = "auto",
        quantiles: Any = None,
        solver: str = "adam",
        learning_rate_init: float | str = "auto",
        learning_rate: str = "auto",
        batch_size: int | str = "auto",
        max_iter: int | str = "auto",
        windows_per_epoch: int | str | None = "auto",
        n_estimators: int | str = "auto",
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        clip_grad_norm: float | None = 1.0,
        conformal_windows: int = 50,
        dtype: str = "float32",
        n_jobs: int | None = None,
        warm_start: bool = False,
        random_state: Any = None,
        verbose: int | None = None,
    ):
        self.window_length = window_length
        self.patch_length = patch_length
        self.strategy = strategy
        self.horizon = horizon
        self.seasonal_period = seasonal_period
        self.scaler = scaler
        self.series_id = series_id
        self.calendar_features = calendar_features
        self.past_covariates = past_covariates
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.head_dropout = head_dropout
        self.loss = loss
        self.quantiles = quantiles
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.windows_per_epoch = windows_per_epoch
        self.n_estimators = n_estimators
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.clip_grad_norm = clip_grad_norm
        self.conformal_windows = conformal_windows
        self.dtype = dtype
        self.n_jobs = n_jobs
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    def _is_single_network(self) -> bool:
        """Every parameter explicit and one network: fitted without an ensemble."""
        return (not any(is_auto(getattr(self, name)) for name in AUTO_PARAMS)
                and int(self.n_estimators) == 1)

    def _set_network_attributes(self) -> None:
        """Fitted attributes of a single-network fit (as the ensemble sets them)."""
        p = self._fitted_params_
        direct = p["strategy"] == "direct"
        self.window_length_ = int(p["window_length"])
        self.member_window_lengths_ = (self.window_length_,)
        self.patch_length_ = int(p["patch_length"])
        self.strategy_ = p["strategy"]
        self.horizon_ = self._steps() if direct else None
        self.seasonal_period_ = 1 if p["seasonal_period"] is None else int(p["seasonal_period"])
        self.scaler_kind_ = p["scaler"]
        self.n_estimators_ = 1
        self.estimators_ = None
        self.fallback_ = None
        self.auto_reasons_ = ()
        self.fallback_series_ = []
        self._naive_below_ = 0
        self._roll_forward_ = False

    def _member_state(self, what: str) -> Any:
        """The single network's owner: self, or the only member of an ensemble."""
        check_is_fitted(self, "_fitted_params_")
        if self.estimators_ is None:
            return self
        if self.fallback_ is not None:
            raise ValueError(
                f"{type(self).__name__} trained no network ({self.fallback_}; its forecasts "
                f"are seasonal naive), so {what} has no weights to use."
            )
        if len(self.estimators_) != 1:
            raise ValueError(
                f"{type(self).__name__} was fitted as an ensemble of {self.n_estimators_} "
                f"networks (n_estimators_={self.n_estimators_}); {what} applies to one "
                "network: use estimators_[i], or fit with n_estimators=1."
            )
        return self.estimators_[0]

    def get_state_dict(self) -> dict:
        """Fitted weights of the network in PyTorch ``state_dict`` layout.

        Defined for one network: a forecaster with every parameter explicit
        and ``n_estimators=1``, or an automatic one fitted with
        ``n_estimators=1`` (its only member).  For an ensemble, use
        ``estimators_[i].get_state_dict()``.

        Returns
        -------
        state : dict of str to ndarray
            As :meth:`RecurrentModelMixin.get_state_dict
            <rnnforecast.nn.model.RecurrentModelMixin.get_state_dict>`.

        Raises
        ------
        ValueError
            For an ensemble of several networks, or a fallback (no network).

        Examples
        --------
        >>> import numpy as np
        >>> from rnnforecast import LSTMForecaster
        >>> y = 10 + np.sin(np.arange(80) * 2 * np.pi / 12)
        >>> f = LSTMForecaster(hidden_size=4, max_iter=2, n_estimators=1, n_jobs=1,
        ...                    random_state=0).fit(y)
        >>> f.get_state_dict()["weight_hh_l0"].shape
        (16, 4)
        """
        owner = self._member_state("get_state_dict")
        return RecurrentModelMixin.get_state_dict(owner)

    def load_state_dict(self, state: dict) -> "_RecurrentForecaster":
        """Replace the fitted weights of the (single) network.

        Parameters
        ----------
        state : dict of str to array-like or torch.Tensor
            As returned by :meth:`get_state_dict`.

        Returns
        -------
        self

        Examples
        --------
        >>> import numpy as np
        >>> from rnnforecast import LSTMForecaster
        >>> y = 10 + np.sin(np.arange(80) * 2 * np.pi / 12)
        >>> f = LSTMForecaster(hidden_size=4, max_iter=2, n_estimators=1, n_jobs=1,
        ...                    random_state=0).fit(y)
        >>> before = f.predict(3)
        >>> f.load_state_dict(f.get_state_dict()).predict(3).tolist() == before.tolist()
        True
        """
        owner = self._member_state("load_state_dict")
        RecurrentModelMixin.load_state_dict(owner, state)
        return self

    def _steps(self) -> int:
        """Target steps per window (= lead of the regressors)."""
        if self._p("strategy") == "direct" and self._p("horizon") is not None:
            return int(self._p("horizon"))
        return 1

    def _p(self, name: str) -> Any:
        """Value of the parameter ``name`` this model was fitted with ("auto" resolved).

        Set at the start of every fit, so that ``predict`` reads what was
        fitted, never a value changed by ``set_params`` afterwards.
        """
        return self._fitted_params_[name]

    def _np_dtype(self) -> np.dtype:
        return np.dtype(np.float32 if self._p("dtype") == "float32" else np.float64)

    def _min_history(self) -> int:
        if is_auto(self.window_length):
            return 1  # decided at fit: a too-short series falls back (fallback_)
        direct = self.strategy == "direct" and isinstance(self.horizon, Integral)
        return int(self.window_length) + (int(self.horizon) if direct else 1)

    def _min_predict_history(self) -> int:
        if "_fitted_params_" not in self.__dict__:  # not fitted yet: from the parameters
            return 1 if is_auto(self.window_length) else int(self.window_length)
        if self.estimators_ is not None:
            if self._naive_below_:  # a collection: shorter series get seasonal naive
                return 1
            return max([1] + [m._min_predict_history() for m in self.estimators_])
        return int(self._p("window_length"))

    def _describe(self) -> str:
        """Repr plus the numbers behind the minimum history (for error messages)."""
        params = self.get_params(deep=False)
        if is_auto(params["window_length"]):
            return super()._describe()
        steps = (f"horizon={params['horizon']}" if params["strategy"] == "direct"
                 else "1 target step")
        return f"{super()._describe()} (window_length={params['window_length']} + {steps})"

    def _check_common(self) -> None:
        """Cross-parameter checks shared by single-series and collection fits."""
        check_common(self._fitted_params_)
        self._check_network_params()

    def _network_forecast(self, X: np.ndarray) -> np.ndarray:
        """Forecasts ``(B, steps, k, Q)`` of raw windows ``X`` (B, w, F), on the
        scale the windows are in (the network runs on ``n_jobs`` kernel threads)."""
        T = self._transform_
        Xn, _, state = T.transform(X)
        raw = self._predict_network(Xn)
        return T.inverse(raw, state, self._n_quantiles())

    def _n_quantiles(self) -> int:
        q = self._quantile_levels_
        return 1 if q is None else len(q)

    def _median_column(self) -> int:
        q = self._quantile_levels_
        return 0 if q is None else int(np.flatnonzero(q == 0.5)[0])

    def _future_covariate_names(self) -> list:
        cols = self._panel_.exog_columns
        if cols is None:  # unnamed (numpy) covariates of a list of series: positions
            return list(self._future_idx_)
        return [cols[j] for j in self._future_idx_]

    def _val_score(self, n_out: int):
        """R² of the point forecasts (the median column of a pinball head)."""
        Q, med = self._n_quantiles(), self._median_column()

        def score(y_true: np.ndarray, raw: np.ndarray) -> float:
            point = raw.reshape(raw.shape[0], n_out, Q)[:, :, med]
            return r2_float64(y_true, point)

        return score

    def _train(self, net, params, X, Y, seed, X_val=None, Y_val=None):
        q = self._quantile_levels_
        n_out = net.output_size // self._n_quantiles()
        T = self._transform_
        if not T.is_identity:
            if isinstance(X, np.ndarray):
                X, Y, _ = T.transform(X, Y)
            else:
                X = TransformedSource(X, T)
            if X_val is not None:
                X_val, Y_val, _ = T.transform(X_val, Y_val)
        return self._train_network(
            net, params, X, Y, loss=self._p("loss"), seed=seed, X_val=X_val, Y_val=Y_val,
            val_score=self._val_score(n_out), samples_per_epoch=self._p("windows_per_epoch"),
            quantiles=q)

    def _fit(self, y: np.ndarray, X: np.ndarray | None = None) -> None:
        self._fit_user_params_ = self.get_params(deep=False)
        if self._is_single_network():
            self._fitted_params_ = self.get_params(deep=False)
            self._fit_network(y, X)
            self._set_network_attributes()
        else:
            fit_ensemble(self, y, X)

    def _predict(
        self,
        h: int,
        X: np.ndarray | None = None,
        y_hist: np.ndarray | None = None,
        X_hist: np.ndarray | None = None,
        y_info: SeriesInfo | None = None,
        request: ForecastRequest | None = None,
    ) -> Forecast:
        out = self._forecast_single(h, X, y_hist, X_hist, y_info)[:, :self.n_targets_]
        levels = self._quantile_levels_
        # predict_interval/predict_quantiles of the quantile head ask for its quantiles
        wanted = request is not None and request.quantiles and levels is not None
        return Forecast(mean=out[:, :, self._median_column()],
                        quantiles=out if wanted else None, levels=levels if wanted else None)

    def _forecast_single(self, h, X, y_hist, X_hist, y_info) -> np.ndarray:
        """Forecasts ``(h, k_all, Q)`` on the original scale (Q = 1 without quantiles)."""
        check_is_fitted(self, "_fitted_params_")
        if self.estimators_ is not None:
            coll = self._series_collection(y_hist, X_hist, y_info)
            return ensemble.forecast(self, coll, h, None if X is None else [X])[0]
        return self._network_single(h, X, y_hist, X_hist, y_info)

    def _fit_panel(self, panel: Panel) -> None:
        self._fit_user_params_ = self.get_params(deep=False)
        if self._is_single_network():
            self._fitted_params_ = self.get_params(deep=False)
            self._fit_network_panel(panel)
            self._set_network_attributes()
        else:
            fit_ensemble(self, None, None, panel)

    def _predict_panel(self, h: int, panel: Panel, X_future: list | None) -> list:
        out = self._forecast_panel(h, panel, X_future)
        return list(out[:, :, self._median_column()])

    def _forecast_panel(self, h: int, panel: Panel, X_future: list | None) -> np.ndarray:
        """Forecasts ``(n_series, h, Q)`` on the original scale."""
        check_is_fitted(self, "_fitted_params_")
        if self.estimators_ is not None:
            return ensemble.forecast(self, Collection.from_panel(panel), h, X_future)[:, :, 0]
        return self._network_panel(h, panel, X_future)
