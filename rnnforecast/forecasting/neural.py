"""Recurrent neural forecasters: RNNForecaster, GRUForecaster, LSTMForecaster.

Automatic configuration (the defaults)
--------------------------------------
The parameters that shape the model default to ``"auto"``: at ``fit`` the
seasonal period is inferred (index frequency and an M4-style seasonality
test), :mod:`rnnforecast.forecasting.auto_config` chooses the input length,
patching, direct horizon, scaling, seasonal residual, loss, learning rate,
network size, epochs and ensemble size, and a value set by the user always
wins.  The forecaster is then a median ensemble of ``n_estimators_`` single
networks (``estimators_``) differing in seed and input length, trained in
parallel through joblib; ``predict(h)`` beyond the trained ``horizon_``
rolls the direct block forward.  Series too short to learn from (or
constant) are forecast by seasonal naive and say so in ``fallback_``.  See
:mod:`rnnforecast.forecasting._ensemble`.  With every parameter explicit
and ``n_estimators=1`` the forecaster is one network, fitted as described
below (``PRE_AUTO_DEFAULTS`` in that module reproduces the former
defaults exactly).  ``predict`` and the intervals use the parameters of the
fit (``set_params`` after ``fit`` changes nothing until the next fit).

How a series becomes training data
----------------------------------
The target (and the exogenous regressors) are scaled (``scaler``), then cut
into windows: a window ending at time ``t`` is the sequence of the
``window_length`` rows ``s = t - window_length + 1 ... t``; row ``s`` holds
the scaled target(s) ``y[s]`` followed by the scaled regressors
``X[s + lead]``, and the training target is ``y[t + 1 ... t + steps]``.

* ``strategy="recursive"`` (``steps = lead = 1``): the network predicts one
  step; forecasts are fed back as inputs for the next steps, so any ``h``
  works.  Row ``s`` carries the regressors of the next time step, so the
  last row of a window holds ``X`` at the time being forecast.
* ``strategy="direct"`` (``steps = lead = horizon``): one multi-output network
  predicts all ``horizon`` steps at once from the last observed window; the
  regressors are led by ``horizon`` steps, so the window holds the future
  regressors up to the last forecast step (all of them when
  ``window_length >= horizon``).  ``h <= horizon``; with regressors,
  ``h == horizon`` (the network reads ``X`` up to ``t + horizon``).

No input of a window depends on a target after ``t`` (no leakage).  With
``early_stopping=True`` the *last* ``validation_fraction`` of the windows are
held out (chronological split), after a gap of ``steps - 1`` windows so that
no validation target is a training target.

Many series (global models)
---------------------------
``fit`` also accepts a collection of series: a list of 1-D arrays/Series or
a long DataFrame with columns ``unique_id``, ``ds``, ``y`` (other columns are
covariates).  One network is trained on windows drawn from every series
(series of unequal length; a series shorter than ``window_length + steps``
contributes no window but can still be forecast if it has
``window_length`` observations).  Each series is scaled with its own
centre and scale (``scaler``); covariates are scaled with one pooled
centre/scale per column.  Windows are built per mini-batch from per-series
feature rows, never materialised for the whole panel;
``windows_per_epoch`` caps the windows visited per epoch (a fresh random
subset each epoch).  Optional inputs: ``series_id="onehot"`` (a one-hot
series identity, i.e. a learned per-series offset of the first layer's gate
pre-activations; unseen series get zeros) and ``calendar_features``
(sin/cos of hour, day of week... at the time being forecast).
``predict(h)`` forecasts every training series in the input format;
``predict(h, y=new_collection)`` forecasts other series (seen ids keep their
training scale, new ids are scaled by their own history).

Covariates
----------
``X`` columns (or the covariate columns of a long DataFrame) are
future-known by default: their values over the forecast horizon are needed
at ``predict``.  Columns named in ``past_covariates`` are only known up to
the present: they are inputs of the window *and* extra outputs of the
network (auxiliary targets), so the recursive strategy feeds back their
forecasts and the direct strategy never needs their future.  ``predict``
then needs only the future-known columns (``X=None`` when there are none).

Scaling
-------
``scaler="standard"`` (default) standardises every target series with its
training mean and standard deviation, ``"robust"`` with its median and
interquartile range (a constant series by ``min(1, |level|)``),
``"mean_abs"`` divides by the mean absolute value (no centring), ``None``
uses the raw values (only for series already of unit scale).  The exogenous
regressors are scaled the same way (pooled over the series of a
collection), except that ``"mean_abs"`` and the window scalers standardise
them.  Forecasts are mapped back to the
original scale.  The scalers are fitted at ``fit`` and reused when
forecasting from a new history (``predict(h, y=...)``) and by warm starts.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.metrics import r2_score
from sklearn.preprocessing import RobustScaler, StandardScaler
from sklearn.utils.validation import check_is_fitted

from rnnforecast.estimators._base import (
    NETWORK_CONSTRAINTS,
    NONLINEARITY_CONSTRAINT,
    TRAINING_CONSTRAINTS,
    RecurrentModelMixin,
    fill_doc,
)
from rnnforecast.forecasting._global import (
    CALENDAR_FEATURES,
    WindowSampler,
    calendar_matrix,
    series_scale,
)
from rnnforecast.forecasting._ensemble import (
    AUTO_PARAMS,
    ensemble_panel,
    ensemble_single,
    fit_ensemble,
    is_auto,
)
from rnnforecast.forecasting._neural_intervals import _QUANTILE_REQUEST, NeuralIntervalMixin
from rnnforecast.forecasting._window_transform import TransformedSource, WindowTransform
from rnnforecast.forecasting.base import BaseForecaster
from rnnforecast.nn.threads import kernel_threads
from rnnforecast.nn.training import check_quantiles
from rnnforecast.utils._compat import Interval, StrOptions
from rnnforecast.utils.panel import Panel
from rnnforecast.utils.network_input import check_dtype_range
from rnnforecast.utils.validation import SeriesInfo, future_index

__all__ = ["GRUForecaster", "LSTMForecaster", "RNNForecaster"]

_AUTO = StrOptions({"auto"})
# Values a window scaler can read without under/overflow in the network dtype
# (squares of window ratios and log levels stay finite well inside these).
_WINDOW_RANGE = {"float32": (1e-30, 1e30), "float64": (1e-300, 1e300)}

_DEFAULTS = dict(hidden_size='"auto"', learning_rate_init='"auto"', max_iter='"auto"',
                 clip_grad_norm="1.0")


def _auto_doc(cls: type) -> type:
    """The shared training docs, with batch_size's "auto" default."""
    cls.__doc__ = cls.__doc__.replace(
        "batch_size : int, default=32", 'batch_size : int or "auto", default="auto"')
    return cls


def _fit_scaler(kind: str | None, values: np.ndarray):
    """Fitted StandardScaler/RobustScaler (or None) for the columns of ``values``.

    scikit-learn scales a constant column by 1, so the network's small errors
    (around 0 on the scaled values) become forecast errors of the same
    absolute size: fine for a level of 5 or 1e9, not for a level of 1e-3.
    A column that takes a single value is therefore scaled by
    ``min(1, |value|)`` (1 if the value is 0) instead.
    """
    if kind is None:
        return None
    if kind == "mean_abs":
        scaler = StandardScaler(with_mean=False).fit(values)
        scaler.scale_ = np.mean(np.abs(values), axis=0)
        flat = ~(scaler.scale_ > 0)
        if flat.any():
            scaler.scale_ = np.where(flat, 1.0, scaler.scale_)
        return scaler
    scaler = StandardScaler() if kind == "standard" else RobustScaler()
    # squares under/overflow for magnitudes beyond ~1e+-154: such columns are
    # standardised in units of their largest value
    c = np.max(np.abs(values), axis=0)
    odd = (c > 0) & ((c < 1e-100) | (c > 1e100)) & (kind == "standard")
    if odd.any():
        unit = np.where(odd, c, 1.0)
        scaler.fit(values / unit)
        scaler.mean_, scaler.scale_ = scaler.mean_ * unit, scaler.scale_ * unit
    else:
        scaler.fit(values)
    flat = np.ptp(values, axis=0) == 0
    if flat.any():
        level = np.abs(values[0])
        fallback = np.where(level > 0, np.minimum(level, 1.0), 1.0)
        scaler.scale_ = np.where(flat, fallback, scaler.scale_)
    return scaler


class _RecurrentForecaster(NeuralIntervalMixin, RecurrentModelMixin, BaseForecaster):
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

    # ------------------------------------------------------------ helpers
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
            <rnnforecast.estimators._base.RecurrentModelMixin.get_state_dict>`.

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

    def _check_cast(self, z, xs, y_scaler, x_scaler) -> None:
        """Refuse values the cast to ``dtype`` would turn into inf/0 (a message naming y or X)."""
        for arr, sc, nm in ((z, y_scaler, "y"), (xs, x_scaler, "X")):
            check_dtype_range(arr, self._np_dtype(), name=nm,
                              when="" if sc is None else " after scaling")

    def _scale(self, scaler, values: np.ndarray) -> np.ndarray:
        return values if scaler is None else scaler.transform(values)

    def _rows(self, z: np.ndarray, xs: np.ndarray | None, lead: int) -> np.ndarray:
        """Per-time-step network inputs ``(z[s], xs[s + lead])`` for every row of ``z``.

        ``xs`` may be longer than ``z`` (future regressors).  Rows whose
        regressors lie beyond ``xs`` get zeros there; they are never inside
        a window that is used.
        """
        if xs is None:
            return z
        led = np.zeros((z.shape[0], xs.shape[1]))
        avail = min(z.shape[0], xs.shape[0] - lead)
        led[:avail] = xs[lead:lead + avail]
        return np.hstack([z, led])

    def _check_common(self) -> None:
        """Cross-parameter checks shared by single-series and collection fits."""
        if self._p("strategy") == "direct" and self._p("horizon") is None:
            raise ValueError(
                "horizon must be set (a positive int) when strategy='direct': the "
                "network predicts the steps 1..horizon at once; got horizon=None."
            )
        w, p = int(self._p("window_length")), int(self._p("patch_length"))
        if w % p:
            raise ValueError(
                f"window_length must be a multiple of patch_length (the network reads "
                f"window_length / patch_length steps of patch_length values); got "
                f"window_length={w}, patch_length={p}."
            )
        if self._p("strategy") != "direct" and (self._p("seasonal_period") is not None
                                          or self._window_mode() is not None):
            what = (f"scaler={self._p('scaler')!r}" if self._window_mode() is not None
                    else f"seasonal_period={self._p('seasonal_period')}")
            raise ValueError(
                f"{what} needs strategy='direct' (per-window scaling and the seasonal "
                "residual are defined for the multi-step head); got strategy="
                f"{self._p('strategy')!r}."
            )
        if self._p("seasonal_period") is not None and int(self._p("seasonal_period")) > w:
            raise ValueError(
                f"seasonal_period={self._p('seasonal_period')} exceeds window_length={w}: the "
                "window must hold a whole season."
            )
        self._check_network_params()

    def _check_past_with_window_scaler(self, past: list) -> None:
        if past and self._window_mode() is not None:
            raise ValueError(
                f"scaler={self._p('scaler')!r} divides each window by the level of its series "
                "channels, which is not defined for standardised past covariates; use "
                f"scaler='standard', 'robust' or 'mean_abs' with past_covariates="
                f"{self._p('past_covariates')!r}."
            )

    def _window_mode(self) -> str | None:
        return self._p("scaler") if self._p("scaler") in ("window", "window_log") else None

    def _series_kind(self) -> str | None:
        """Scaler of whole series (None when windows are scaled one by one)."""
        return None if self._window_mode() is not None else self._p("scaler")

    def _covariate_kind(self) -> str | None:
        scaler = self._p("scaler")
        return "standard" if scaler in ("mean_abs", "window", "window_log") else scaler

    def _check_window_values(self, arrays: list, ids: list) -> None:
        if self._window_mode() is None:
            return
        low, high = _WINDOW_RANGE[self._p("dtype")]
        for uid, v in zip(ids, arrays):
            v = np.asarray(v)
            if not (v > 0).all():
                raise ValueError(
                    f"scaler={self._p('scaler')!r} divides every window by its level, which needs "
                    f"positive values; series {uid!r} has values <= 0. Use "
                    "scaler='standard' or shift the series."
                )
            if not (low < v.min() and v.max() < high):
                raise ValueError(
                    f"scaler={self._p('scaler')!r} feeds the raw values to the network in "
                    f"dtype={self._p('dtype')!r}, whose range they leave: series {uid!r} has "
                    f"values from {v.min():.3g} to {v.max():.3g}. Use scaler='standard' or "
                    "rescale the series."
                )

    def _make_transform(self, k: int, steps: int, arrays: list) -> WindowTransform:
        mode = self._window_mode()
        stats = (0.0, 1.0)
        if mode is not None:
            logs = np.array([np.log(np.mean(a)) for a in arrays])
            sd = float(np.std(logs))
            stats = (float(np.mean(logs)), sd if sd > 1e-8 else 1.0)
        m = None if self._p("seasonal_period") is None else int(self._p("seasonal_period"))
        return WindowTransform(k=k, steps=steps, patch_length=int(self._p("patch_length")),
                               mode=mode,
                               level_length=m or 1, seasonal_period=m, level_stats=stats)

    def _network_forecast(self, X: np.ndarray) -> np.ndarray:
        """Forecasts ``(B, steps, k, Q)`` of raw windows ``X`` (B, w, F), on the
        scale the windows are in (callers set the kernel threads)."""
        T = self._transform_
        Xn, _, state = T.transform(X)
        raw = self._raw_predict(self.network_, self.params_, Xn)
        return T.inverse(raw, state, self._n_quantiles())

    def _quantile_levels(self) -> np.ndarray | None:
        """Quantile levels of the pinball head (None for the other losses)."""
        if self._p("loss") != "pinball":
            if self._p("quantiles") is not None:
                raise ValueError(
                    f"quantiles is only used with loss='pinball'; got quantiles="
                    f"{self._p('quantiles')!r} with loss={self._p('loss')!r}."
                )
            return None
        raw = (0.05, 0.5, 0.95) if self._p("quantiles") is None else self._p("quantiles")
        q = check_quantiles(raw, name="quantiles")
        if not np.any(q == 0.5):
            raise ValueError(
                "quantiles must include 0.5: the median is the point forecast of a "
                f"pinball-loss forecaster; got {raw!r}."
            )
        return q

    def _n_quantiles(self) -> int:
        q = self._quantile_levels_
        return 1 if q is None else len(q)

    def _median_column(self) -> int:
        q = self._quantile_levels_
        return 0 if q is None else int(np.flatnonzero(q == 0.5)[0])

    def _calendar_names(self) -> list:
        if self._p("calendar_features") is None:
            return []
        names = ([self._p("calendar_features")] if isinstance(self._p("calendar_features"), str)
                 else list(self._p("calendar_features")))
        bad = [f for f in names if f not in CALENDAR_FEATURES]
        if bad or len(set(names)) != len(names) or not names:
            raise ValueError(
                f"calendar_features must be distinct names among {sorted(CALENDAR_FEATURES)}; "
                f"got {self._p('calendar_features')!r}."
            )
        return names

    def _check_calendar_index(self, infos: list, names: list) -> None:
        if names and any(info.index_kind not in ("datetime", "period") for info in infos):
            raise ValueError(
                f"calendar_features={names} need time stamps: a pandas DatetimeIndex or "
                "PeriodIndex (or datetime 'ds' values in a long DataFrame); got "
                f"{infos[0].describe()}."
            )

    def _split_covariates(self, columns: Any, m: int) -> tuple[list, list]:
        """Positions of the past-only and of the future-known covariates."""
        if self._p("past_covariates") is None:
            return [], list(range(m))
        past = self._p("past_covariates")
        entries = [past] if isinstance(past, (str, Integral)) else list(past)
        cols = None if columns is None else list(columns)
        past = []
        for e in entries:
            if isinstance(e, Integral) and not isinstance(e, bool) and (cols is None or e not in cols):
                pos = int(e)
                if not 0 <= pos < m:
                    raise ValueError(
                        f"past_covariates entry {e} is not a column position of X, which has "
                        f"{m} column(s)."
                    )
            elif cols is not None and e in cols:
                pos = cols.index(e)
            else:
                raise ValueError(
                    f"past_covariates entry {e!r} is not a covariate: the covariates are "
                    f"{cols if cols is not None else f'{m} unnamed column(s) (use positions)'}."
                )
            if pos in past:
                raise ValueError(f"past_covariates lists the column {e!r} twice.")
            past.append(pos)
        return sorted(past), [j for j in range(m) if j not in past]

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
            return _r2(y_true, point)

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

    # ------------------------------------------------------------ fit (one series)
    def _fit(self, y: np.ndarray, X: np.ndarray | None = None) -> None:
        self._fit_user_params_ = self.get_params(deep=False)
        if self._is_single_network():
            self._fitted_params_ = self.get_params(deep=False)
            self._fit_network(y, X)
            self._set_network_attributes()
        else:
            fit_ensemble(self, y, X)

    def _fit_network(self, y: np.ndarray, X: np.ndarray | None = None) -> None:
        self._check_common()
        if self._p("series_id") is not None:
            raise ValueError(
                f"series_id={self._p('series_id')!r} identifies the series of a collection (a list "
                "of series or a long DataFrame); y is a single series whose columns are "
                "modelled jointly. Use series_id=None, or pass the series as a collection."
            )
        self._quantile_levels_ = self._quantile_levels()
        cal = self._calendar_names()
        info = self._y_info_
        self._check_calendar_index([info], cal)
        m_all = 0 if X is None else X.shape[1]
        past, fut = self._split_covariates(self._X_columns_, m_all)
        self._check_past_with_window_scaler(past)
        self._past_idx_, self._future_idx_ = past, fut
        self._past_fit_ = None
        if past:
            self._past_fit_ = X[:, past].copy()
            y = np.hstack([y, self._past_fit_])
            X = X[:, fut] if fut else None
            # predict needs only the future-known columns
            self._X_fit_ = X
            if self._X_columns_ is not None:
                self._X_columns_ = self._X_columns_[fut] if fut else None
            self.n_exog_ = len(fut)
        steps = self._steps()
        w = int(self._p("window_length"))
        n, k = y.shape
        m = 0 if X is None else X.shape[1]
        warm = self.warm_start and hasattr(self, "params_")
        if warm:
            if (k, m) != self._input_dims_:
                raise ValueError(
                    "warm_start=True needs the numbers of series and exogenous "
                    f"regressors of the previous fit {self._input_dims_}; got ({k}, {m})."
                )
            y_scaler, x_scaler = self.scaler_, self.exog_scaler_
        else:
            self._check_window_values([y[:, j] for j in range(k)], list(range(k)))
            y_scaler = _fit_scaler(self._series_kind(), y)
            x_scaler = None if X is None else _fit_scaler(self._covariate_kind(), X)
        z = self._scale(y_scaler, y)
        xs = None if X is None else self._scale(x_scaler, X)
        if not np.isfinite(z).all() or (xs is not None and not np.isfinite(xs).all()):
            raise ValueError("y or X is too large to be represented after scaling.")
        self._check_cast(z, xs, y_scaler, x_scaler)
        xs = self._with_calendar(xs, info, n, steps, cal)
        # Windows are built per mini-batch (WindowSampler), never all at once:
        # a window ending at t reads rows t-w+1..t and predicts z[t+1..t+steps].
        dt = self._np_dtype()
        rows = np.ascontiguousarray(self._rows(z, xs, steps), dtype=dt)
        ends = np.arange(w - 1, n - steps, dtype=np.int64)
        if not len(ends):
            raise ValueError(
                f"y has {n} observations but {self._describe()} needs at least {w + steps} "
                "to train on."
            )
        targets = np.ascontiguousarray(z, dtype=dt)
        X_val = Y_val = None
        if self._p("early_stopping"):
            N = len(ends)
            n_val = int(np.ceil(float(self._p("validation_fraction")) * N))
            n_train = N - n_val - (steps - 1)
            if n_val < 2 or n_train < 1:
                raise ValueError(
                    "The validation set is too small: early_stopping=True with "
                    f"validation_fraction={self._p('validation_fraction')} holds out {n_val} of "
                    f"the {N} training windows (window_length={w}, {steps} step(s) per "
                    "window); at least 2 validation windows and 1 training window "
                    "(before a gap of steps - 1 windows) are needed. Use a longer series "
                    "or a larger validation_fraction."
                )
            X_val, Y_val = WindowSampler([rows], [targets], w, steps,
                                         [ends[N - n_val:]]).materialise()
            ends = ends[:n_train]
        sampler = WindowSampler([rows], [targets], w, steps, [ends])
        if not warm:
            self._transform_ = self._make_transform(k, steps, [y[:, j] for j in range(k)])
        net = self._make_network(self._transform_.n_inputs(rows.shape[1]),
                                 steps * k * self._n_quantiles())
        seed = self._draw_seed()
        params = self._initial_params(net, seed, "the new series or parameters")
        result = self._train(net, params, sampler, None, seed, X_val, Y_val)
        self._set_training_result(net, result)
        self.n_windows_ = sampler.n_samples
        self.scaler_ = y_scaler
        self.exog_scaler_ = x_scaler
        self._input_dims_ = (k, m)

    def _with_calendar(self, xs: np.ndarray | None, info: SeriesInfo, n: int, n_future: int,
                       cal: list) -> np.ndarray | None:
        """``xs`` (rows from the start of the series) with calendar columns appended.

        The calendar covers ``n + n_future`` periods; ``xs`` is padded with
        zeros up to that length (those rows are never read by a used window).
        """
        if not cal:
            return xs
        index = info.index[:n].append(future_index(info, n_future, info.index[n - 1]))
        C = calendar_matrix(index, cal)
        if xs is None:
            return C
        pad = np.zeros((C.shape[0] - xs.shape[0], xs.shape[1])) if C.shape[0] > xs.shape[0] else None
        base = xs if pad is None else np.vstack([xs, pad])
        return np.hstack([base[:C.shape[0]], C])

    # ------------------------------------------------------------ predict (one series)
    def _predict(
        self,
        h: int,
        X: np.ndarray | None = None,
        y_hist: np.ndarray | None = None,
        X_hist: np.ndarray | None = None,
        y_info: SeriesInfo | None = None,
    ) -> np.ndarray:
        out = self._forecast_single(h, X, y_hist, X_hist, y_info)
        request = _QUANTILE_REQUEST.get()
        if request is not None:  # predict_interval/predict_quantiles of the quantile head
            request["out"] = out[:, :self.n_targets_, :]
        return out[:, :self.n_targets_, self._median_column()]

    def _forecast_single(self, h, X, y_hist, X_hist, y_info) -> np.ndarray:
        """Forecasts ``(h, k_all, Q)`` on the original scale (Q = 1 without quantiles)."""
        check_is_fitted(self, "_fitted_params_")
        if self.estimators_ is not None:
            return ensemble_single(self, h, X, y_hist, X_hist, y_info)
        return self._network_single(h, X, y_hist, X_hist, y_info)

    def _network_single(self, h, X, y_hist, X_hist, y_info) -> np.ndarray:
        """:meth:`_forecast_single` of one network."""
        check_is_fitted(self, "params_")
        w = int(self._p("window_length"))
        steps = self._steps()
        y = self._history(y_hist)
        if self._past_idx_:
            if y_hist is not None:
                raise ValueError(
                    "Forecasting a single series from a new history y is not available "
                    "with past_covariates: the covariates' history would be needed. Refit "
                    "on the new data, or use the long format (a DataFrame with unique_id, "
                    "ds, y and the covariate columns), whose y carries that history."
                )
            y = np.hstack([y, self._past_fit_])
        Xh = self._exog_history(X_hist)
        n, k = y.shape
        Q, med = self._n_quantiles(), self._median_column()
        z = self._scale(self.scaler_, y)
        xs = None
        if Xh is not None:
            xs = self._scale(self.exog_scaler_, np.vstack([Xh, X]))
        self._check_cast(z, xs, self.scaler_, self.exog_scaler_)
        info = self._y_info_ if y_info is None else y_info
        xs = self._with_calendar(xs, info, n, max(h, steps), self._calendar_names())
        dt = self._np_dtype()
        if self._p("strategy") == "direct":
            if h > steps:
                raise ValueError(
                    f"h={h} exceeds horizon={steps}, the number of steps this "
                    "direct-strategy forecaster was trained for; refit with "
                    f"horizon>={h} or use strategy='recursive'."
                )
            if Xh is not None and h != steps:
                raise ValueError(
                    f"With exogenous regressors, a direct-strategy forecaster reads X "
                    f"up to horizon={steps} steps ahead, so it forecasts h=horizon="
                    f"{steps} steps (got h={h}): pass {steps} future rows of X and "
                    f"keep the first {h} forecasts."
                )
            rows = self._rows(z, xs, steps)[n - w:n]
            self._check_window_values([rows[:, j] for j in range(k)], list(range(k)))
            window = np.ascontiguousarray(rows[None], dtype=dt)
            with kernel_threads(self.n_jobs):
                out = self._network_forecast(window)[0, :h]
        else:
            z_ext = np.empty((n + h, k))
            z_ext[:n] = z
            out = np.empty((h, k, Q))
            with kernel_threads(self.n_jobs):
                for j in range(h):
                    zs = z_ext[n + j - w:n + j]
                    if xs is not None:
                        zs = np.hstack([zs, xs[n + j - w + 1:n + j + 1]])
                    window = np.ascontiguousarray(zs[None], dtype=dt)
                    out[j] = self._network_forecast(window)[0, 0]
                    z_ext[n + j] = out[j, :, med]
        if self.scaler_ is not None:
            flat = out.transpose(0, 2, 1).reshape(h * Q, k)
            out = self.scaler_.inverse_transform(flat).reshape(h, Q, k).transpose(0, 2, 1)
        return out

    # ------------------------------------------------------------ fit (collection)
    def _fit_panel(self, panel: Panel) -> None:
        self._fit_user_params_ = self.get_params(deep=False)
        if self._is_single_network():
            self._fitted_params_ = self.get_params(deep=False)
            self._fit_network_panel(panel)
            self._set_network_attributes()
        else:
            fit_ensemble(self, None, None, panel)

    def _fit_network_panel(self, panel: Panel) -> None:
        self._check_common()
        self._quantile_levels_ = self._quantile_levels()
        cal = self._calendar_names()
        self._check_calendar_index(panel.infos, cal)
        w, steps = int(self._p("window_length")), self._steps()
        short = [(uid, len(v)) for uid, v in zip(panel.ids, panel.values) if len(v) < w]
        if short:
            raise ValueError(
                f"{len(short)} series of y are shorter than window_length={w} and could "
                f"not be forecast (e.g. series {short[0][0]!r} has {short[0][1]} "
                "observations); drop them or lower window_length."
            )
        past, fut = self._split_covariates(panel.exog_columns, panel.n_exog)
        if past and panel.kind == "list":
            raise ValueError(
                "past_covariates need the long format (a DataFrame with unique_id, ds, y "
                "and the covariate columns), whose y carries the covariates' history when "
                "forecasting; got a list of series."
            )
        self._check_past_with_window_scaler(past)
        self._past_idx_, self._future_idx_ = past, fut
        self._check_window_values(panel.values, panel.ids)
        warm = (self.warm_start and hasattr(self, "params_")
                and getattr(self, "_input_dims_", (None,))[0] == "collection")
        if warm:
            if list(panel.ids) != list(self.series_ids_):
                raise ValueError(
                    "warm_start=True on a collection continues training on the same series "
                    "(their scales and identities are kept); got different series ids. Set "
                    "warm_start=False to train a new network."
                )
        else:
            self._cov_stats_ = None
            if panel.exog is not None:
                pooled = np.vstack(panel.exog)
                kind = self._covariate_kind()
                stats = [series_scale(pooled[:, j], kind) for j in range(pooled.shape[1])]
                self._cov_stats_ = (np.array([c for c, _ in stats]),
                                    np.array([s for _, s in stats]))
            self.series_ids_ = list(panel.ids)
            self._onehot_index_ = {uid: i for i, uid in enumerate(panel.ids)}
            self._series_stats_ = {uid: series_scale(v, self._series_kind())
                                   for uid, v in zip(panel.ids, panel.values)}
        dt = self._np_dtype()
        rows, targets, ends = [], [], []
        for i, uid in enumerate(panel.ids):
            hist, feat = self._panel_inputs(panel, i, None, n_extra=0, lead=steps)
            rows.append(np.ascontiguousarray(np.hstack([hist, feat]), dtype=dt))
            targets.append(np.ascontiguousarray(hist, dtype=dt))
            ends.append(np.arange(w - 1, len(panel.values[i]) - steps, dtype=np.int64))
        total = sum(len(e) for e in ends)
        if total == 0:
            raise ValueError(
                f"No series of y is long enough to train on: {self._describe()} needs at "
                f"least {w + steps} observations in some series; the longest has "
                f"{int(panel.lengths.max())}."
            )
        X_val = Y_val = None
        train_ends = ends
        if self._p("early_stopping"):
            train_ends, val_ends = [], []
            for e in ends:
                frac = float(self._p("validation_fraction"))
                n_val = int(np.ceil(frac * len(e))) if len(e) > 1 else 0
                cut = max(len(e) - n_val - (steps - 1), 0)
                train_ends.append(e[:cut])
                val_ends.append(e[len(e) - n_val:] if n_val else e[:0])
            n_val_total = sum(len(e) for e in val_ends)
            if n_val_total < 2 or sum(len(e) for e in train_ends) < 1:
                raise ValueError(
                    "The validation set is too small: early_stopping=True with "
                    f"validation_fraction={self._p('validation_fraction')} holds out "
                    f"{n_val_total} of the {total} windows of the collection; at least 2 "
                    "validation windows and 1 training window are needed."
                )
            X_val, Y_val = WindowSampler(rows, targets, w, steps, val_ends).materialise()
        sampler = WindowSampler(rows, targets, w, steps, train_ends)
        k = targets[0].shape[1]
        dims = ("collection", sampler.n_features, k)
        if self.warm_start and hasattr(self, "params_") and getattr(self, "_input_dims_", None) != dims:
            raise ValueError(
                "warm_start=True needs inputs of the previous fit "
                f"{getattr(self, '_input_dims_', None)}; got {dims}."
            )
        if not (self.warm_start and hasattr(self, "params_")):
            self._transform_ = self._make_transform(k, steps, panel.values)
        net = self._make_network(self._transform_.n_inputs(sampler.n_features),
                                 steps * k * self._n_quantiles())
        seed = self._draw_seed()
        params = self._initial_params(net, seed, "the new collection or parameters")
        result = self._train(net, params, sampler, None, seed, X_val, Y_val)
        self._set_training_result(net, result)
        self.n_windows_ = sampler.n_samples
        self.n_exog_ = len(fut)
        self.scaler_ = self.exog_scaler_ = None
        self._input_dims_ = dims

    def _panel_keys(self, panel: Panel) -> list:
        """Per series of ``panel``: its training id, or a fresh object for a new series.

        Long format: the ``unique_id`` values.  List format: series are
        identified by position, so a new list is taken to continue the
        training series only when it has as many series; otherwise every
        series of it is new (scaled by its own history, zero identity).
        """
        if (panel is self._panel_ or panel.kind == "long"
                or panel.n_series == len(self.series_ids_)):
            return list(panel.ids)
        return [object() for _ in panel.ids]

    def _series_stats(self, uid: Any, values: np.ndarray) -> tuple[float, float]:
        stats = self._series_stats_.get(uid) if _hashable(uid) else None
        return stats if stats is not None else series_scale(values, self._series_kind())

    def _panel_inputs(self, panel: Panel, i: int, X_future: np.ndarray | None, *,
                      n_extra: int, lead: int, key: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Scaled history channels and per-row features of series ``i``.

        Returns ``hist`` (n_i, 1 + n_past): the scaled series and past-only
        covariates, and ``feat`` (n_i + n_extra, F_rest): per row ``s``, the
        future-known covariates and calendar at ``s + lead`` (zeros where
        unknown) and the one-hot identity.
        """
        uid, y, info = panel.ids[i], panel.values[i], panel.infos[i]
        key = uid if key is None else key
        n = len(y)
        c, s = self._series_stats(key, y)
        parts = [((y - c) / s)[:, None]]
        cov = None
        if panel.exog is not None:
            cc, cs = self._cov_stats_
            cov = (panel.exog[i] - cc) / cs
            if self._past_idx_:
                parts.append(cov[:, self._past_idx_])
        hist = np.hstack(parts)
        n_rows = n + n_extra
        feats = []
        if self._future_idx_ and cov is not None:
            fut = cov[:, self._future_idx_]
            if X_future is not None:
                cc, cs = self._cov_stats_
                fut = np.vstack([fut, (X_future - cc[self._future_idx_]) / cs[self._future_idx_]])
            led = np.zeros((n_rows, fut.shape[1]))
            avail = min(n_rows, fut.shape[0] - lead)
            led[:max(avail, 0)] = fut[lead:lead + max(avail, 0)]
            feats.append(led)
        cal = self._calendar_names()
        if cal:
            index = info.index.append(future_index(info, n_extra + lead))
            feats.append(calendar_matrix(index, cal)[lead:lead + n_rows])
        if self._p("series_id") == "onehot":
            onehot = np.zeros((n_rows, len(self.series_ids_)))
            pos = self._onehot_index_.get(key) if _hashable(key) else None
            if pos is not None:
                onehot[:, pos] = 1.0
            feats.append(onehot)
        feat = np.hstack(feats) if feats else np.empty((n_rows, 0))
        if not (np.isfinite(hist).all() and np.isfinite(feat).all()):
            raise ValueError(
                f"Series {uid!r} (or its covariates) is too large to be represented after "
                "scaling."
            )
        return hist, feat

    # ------------------------------------------------------------ predict (collection)
    def _predict_panel(self, h: int, panel: Panel, X_future: list | None) -> list:
        out = self._forecast_panel(h, panel, X_future)
        return list(out[:, :, self._median_column()])

    def _forecast_panel(self, h: int, panel: Panel, X_future: list | None) -> np.ndarray:
        """Forecasts ``(n_series, h, Q)`` on the original scale."""
        check_is_fitted(self, "_fitted_params_")
        if self.estimators_ is not None:
            return ensemble_panel(self, h, panel, X_future)
        return self._network_panel(h, panel, X_future)

    def _network_panel(self, h: int, panel: Panel, X_future: list | None) -> np.ndarray:
        """:meth:`_forecast_panel` of one network."""
        check_is_fitted(self, "params_")
        w, steps = int(self._p("window_length")), self._steps()
        S, Q, med = panel.n_series, self._n_quantiles(), self._median_column()
        dt = self._np_dtype()
        direct = self._p("strategy") == "direct"
        if direct and h > steps:
            raise ValueError(
                f"h={h} exceeds horizon={steps}, the number of steps this direct-strategy "
                f"forecaster was trained for; refit with horizon>={h} or use "
                "strategy='recursive'."
            )
        if direct and X_future is not None and h != steps:
            raise ValueError(
                f"With future-known covariates, a direct-strategy forecaster reads them up "
                f"to horizon={steps} steps ahead, so it forecasts h=horizon={steps} steps "
                f"(got h={h}): pass {steps} future periods and keep the first {h}."
            )
        lead = steps if direct else 1
        n_extra = 0 if direct else h
        hists, feats = [], []
        keys = self._panel_keys(panel)
        for i in range(S):
            xf = None if X_future is None else X_future[i]
            hist, feat = self._panel_inputs(panel, i, xf, n_extra=n_extra, lead=lead,
                                            key=keys[i])
            hists.append(hist)
            feats.append(feat)
        k = hists[0].shape[1]
        stats = [self._series_stats(key, y) for key, y in zip(keys, panel.values)]
        lengths = [len(y) for y in panel.values]
        if direct:
            batch = np.stack([np.hstack([hh[n - w:n], ff[n - w:n]])
                              for hh, ff, n in zip(hists, feats, lengths)])
            self._check_window_values([b[:, 0] for b in batch], list(panel.ids))
            with kernel_threads(self.n_jobs):
                out = self._network_forecast(np.ascontiguousarray(batch, dtype=dt))[:, :h, 0, :]
        else:
            z_ext = [np.vstack([hh, np.zeros((h, k))]) for hh in hists]
            out = np.empty((S, h, Q))
            with kernel_threads(self.n_jobs):
                for j in range(h):
                    batch = np.stack([np.hstack([z[n + j - w:n + j], ff[n + j - w:n + j]])
                                      for z, ff, n in zip(z_ext, feats, lengths)])
                    raw = self._network_forecast(np.ascontiguousarray(batch, dtype=dt))[:, 0]
                    out[:, j, :] = raw[:, 0, :]
                    for i, n in enumerate(lengths):
                        z_ext[i][n + j] = raw[i, :, med]
        centers = np.array([c for c, _ in stats])[:, None, None]
        scales = np.array([s for _, s in stats])[:, None, None]
        return out * scales + centers


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _r2(y_true: np.ndarray, raw: np.ndarray) -> float:
    return float(r2_score(y_true.astype(np.float64), raw))


_CLASS_DOC = """Recurrent-network forecaster: {cell} ({torch}).

    The scaled series (and regressors) are cut into windows of
    ``window_length`` steps; the network reads a window and a linear head
    predicts the next value(s) (see :mod:`rnnforecast.forecasting.neural` for
    the exact layout).  ``fit(y, X=None)``, ``predict(h, X=None, y=None)``
    and ``score`` follow :class:`~rnnforecast.forecasting.BaseForecaster`;
    multivariate ``y`` (one output per series) and exogenous regressors
    ``X`` (their future values are needed at predict) are supported.

    Every parameter documented with ``default="auto"`` is chosen at ``fit``
    from the data (see :mod:`rnnforecast.forecasting.neural`, "Automatic
    configuration"); the chosen values are the fitted attributes
    ``window_length_``, ``horizon_``... and ``auto_reasons_`` says why.

    Parameters
    ----------
    window_length : int or "auto", default="auto"
        Number of past time steps the network reads.  "auto": from the
        seasonal period, the horizon and the series length; the members of
        the ensemble use several input lengths.
    patch_length : int or "auto", default="auto"
        Time steps read as one network step (``window_length`` must be a
        multiple): a window of 168 hourly values with ``patch_length=24`` is
        7 network steps of 24 values, 24 times cheaper to train.
    strategy : {{{{"recursive", "direct", "auto"}}}}, default="auto"
        ``"recursive"``: one-step network, forecasts fed back (any ``h``).
        ``"direct"``: one network predicts the ``horizon`` steps at once.
        "auto": direct, or recursive with future-known covariates.
    horizon : int, None or "auto", default="auto"
        Steps the direct strategy is trained for (required for
        ``"direct"``; unused by ``"recursive"``).  An explicit horizon is
        the largest ``h`` of ``predict``; with "auto" (the M4 horizon of the
        period) a longer ``h`` rolls the block forward.
    seasonal_period : int, None or "auto", default="auto"
        Direct strategy only: the network predicts the deviation from the
        seasonal naive forecast with this period; also the number of last
        values whose mean is a window's level for the window scalers.
        "auto": the inferred period, when the data are seasonal.
    scaler : {{{{"standard", "robust", "mean_abs", "window", "window_log", "auto"}}}} \
or None, default="auto"
        "auto": ``"window_log"`` for positive series with the direct
        strategy, else ``"standard"``.  Scaling of each series (and, pooled,
        of the regressors), inverted on
        the forecasts: mean/std, median/IQR, mean absolute value, or, for the
        direct strategy and positive series, per window: divided by the
        window's level, then ``x/level - 1`` (``"window"``) or
        ``log(x/level)`` (``"window_log"``), the standardised log level
        being an extra input.
    series_id : {{{{"onehot"}}}} or None, default=None
        Collections only: add a one-hot series identity to the inputs (a
        learned per-series offset of the first layer; zeros for new series).
    calendar_features : list of str or None, default=None
        sin/cos of ``"hour"``, ``"dayofweek"``, ``"dayofmonth"``,
        ``"month"``, ``"dayofyear"`` at the time being forecast (needs a
        DatetimeIndex/PeriodIndex or datetime ``ds``).
    past_covariates : list of str or int, or None, default=None
        Columns of ``X`` (names or positions; covariate columns of a long
        DataFrame) known only up to the present: inputs and auxiliary
        targets, never needed over the horizon.  The other columns are
        future-known.
    {{network}}
    {extra}{{head_dropout}}
    loss : {{{{"mse", "mae", "huber", "pinball", "auto"}}}}, default="auto"
        "auto": MAE, or pinball when ``quantiles`` is set.  Training loss on
        the scaled series (Huber with ``delta=1``;
        ``"pinball"``: a quantile head, one output per level of
        ``quantiles``, the 0.5 quantile being the point forecast).
    quantiles : sequence of float or None, default=None
        Levels of the pinball head (default ``(0.05, 0.5, 0.95)``; must
        include 0.5); only with ``loss="pinball"``.
    learning_rate : {{{{"constant", "cosine", "auto"}}}}, default="auto"
        Step-size schedule: constant ``learning_rate_init``, or a cosine
        decay from it to 5 % of it over ``max_iter`` epochs ("auto": cosine).
    windows_per_epoch : int, None or "auto", default="auto"
        Windows visited per epoch (a fresh random subset each epoch); None:
        all of them.
    n_estimators : int or "auto", default="auto"
        Networks of the ensemble (1: a single network), differing in seed
        (spawned from ``random_state``; None draws one seed at fit) and, with
        ``window_length="auto"``, in input length; the forecast is their
        median.  They are trained through joblib: ``n_jobs`` members at once
        (each on one kernel thread), or the active backend's workers (e.g.
        ``joblib.parallel_backend("dask")``) with ``n_jobs=None``; the result
        is the same for any backend and ``n_jobs``.
    conformal_windows : int, default=50
        Forecast origins of the rolling calibration window of the conformal
        intervals (:meth:`predict_interval`, :meth:`predict_quantiles`).
    {{training}}

    Attributes
    ----------
    {{fitted}}
    window_length_, patch_length_, strategy_, horizon_, seasonal_period_ : int or str
        The values used (``horizon_`` is None for the recursive strategy,
        ``seasonal_period_`` 1 without a season).
    member_window_lengths_ : tuple of int
        Input length of each ensemble member (cycled).
    scaler_kind_ : str or None
        The scaler used (``scaler_`` is the fitted scaler object).
    n_estimators_ : int
        Networks in the ensemble (0 with a fallback).
    estimators_ : list of forecasters or None
        The fitted members (single networks with every parameter explicit;
        empty with a fallback); None when the forecaster is one network
        itself (every parameter explicit and ``n_estimators=1``), whose
        weights are then ``params_``/``network_`` here.
    fallback_ : str or None
        Why no network was trained (series too short or constant); the
        forecasts are then seasonal naive (``NaiveForecaster``).
    auto_reasons_ : tuple of str
        One line per automatic choice.
    scaler_ : StandardScaler, RobustScaler or None
        Fitted scaler of the series (one series; None for a collection, whose
        scales are per series, and with the window scalers).
    exog_scaler_ : StandardScaler, RobustScaler or None
        Fitted scaler of the regressors (None without ``X`` or for a
        collection).
    series_ids_ : list
        Collection fits: the series ids (``unique_id`` values, or positions
        for a list).
    n_series_ : int
        Collection fits: the number of series.
    n_windows_ : int
        Collection fits: the number of training windows over all series.
    conformal_scores_ : ndarray
        Calibration scores of the conformal intervals, once computed.
    n_targets_, n_exog_, cutoff_, freq_, n_timesteps_
        See :class:`~rnnforecast.forecasting.BaseForecaster` (for a
        collection: ``n_timesteps_`` is the total number of observations,
        ``cutoff_`` is None and ``n_exog_`` counts the future-known
        covariates).

    Notes
    -----
    Minimum history with an explicit ``window_length``: ``window_length + 1``
    observations (``window_length + horizon`` for ``"direct"``) to fit,
    ``window_length`` to forecast from a new history; with "auto", shorter
    series fall back to seasonal naive.  The weights of a single network
    are available in PyTorch layout with :meth:`get_state_dict` (on the
    scaled series).

    See Also
    --------
    {see_also}

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.forecasting.neural import {name}
    >>> y = 10 + np.sin(np.arange(120) * 2 * np.pi / 12)
    >>> f = {name}(hidden_size=4, max_iter=5, n_jobs=1, random_state=0).fit(y)
    >>> f.predict(30).shape  # beyond the trained horizon_: rolled forward
    (30,)
    >>> f.seasonal_period_, f.horizon_, f.n_estimators_ == len(f.estimators_), f.fallback_
    (12, 18, True, None)
    """


@_auto_doc
@fill_doc(**_DEFAULTS)
class RNNForecaster(_RecurrentForecaster):
    __doc__ = _CLASS_DOC.format(
        cell="Elman RNN", torch="``torch.nn.RNN``", name="RNNForecaster",
        extra="{nonlinearity}\n    ", see_also="GRUForecaster, LSTMForecaster")

    _cell = "rnn"
    _parameter_constraints: dict = {
        **_RecurrentForecaster._parameter_constraints,
        **NONLINEARITY_CONSTRAINT,
    }

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
        nonlinearity: str = "tanh",
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
        super().__init__(
            window_length=window_length, patch_length=patch_length, strategy=strategy,
            horizon=horizon, seasonal_period=seasonal_period, scaler=scaler,
            series_id=series_id, calendar_features=calendar_features,
            past_covariates=past_covariates, hidden_size=hidden_size, num_layers=num_layers, bidirectional=bidirectional,
            dropout=dropout, head_dropout=head_dropout, loss=loss, quantiles=quantiles,
            solver=solver, learning_rate_init=learning_rate_init, learning_rate=learning_rate,
            batch_size=batch_size,
            max_iter=max_iter, windows_per_epoch=windows_per_epoch, n_estimators=n_estimators,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, clip_grad_norm=clip_grad_norm,
            conformal_windows=conformal_windows,
            dtype=dtype, n_jobs=n_jobs, warm_start=warm_start, random_state=random_state,
            verbose=verbose)
        self.nonlinearity = nonlinearity


@_auto_doc
@fill_doc(**_DEFAULTS)
class GRUForecaster(_RecurrentForecaster):
    __doc__ = _CLASS_DOC.format(
        cell="GRU", torch="``torch.nn.GRU``", name="GRUForecaster", extra="",
        see_also="RNNForecaster, LSTMForecaster")

    _cell = "gru"


@_auto_doc
@fill_doc(**_DEFAULTS)
class LSTMForecaster(_RecurrentForecaster):
    __doc__ = _CLASS_DOC.format(
        cell="LSTM", torch="``torch.nn.LSTM``", name="LSTMForecaster", extra="",
        see_also="RNNForecaster, GRUForecaster, rnnforecast.estimators.LSTMRegressor")

    _cell = "lstm"
