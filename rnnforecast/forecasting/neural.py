"""Recurrent neural forecasters: RNNForecaster, GRUForecaster, LSTMForecaster.

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

Scaling
-------
``scaler="standard"`` (default) standardises every target series with its
training mean and standard deviation, ``"robust"`` with its median and
interquartile range (a constant series by ``min(1, |level|)``), ``None``
uses the raw values (only for series already of unit scale).  The exogenous
regressors are scaled the same way.  Forecasts are mapped back to the
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
    REGRESSION_LOSS_CONSTRAINT,
    TRAINING_CONSTRAINTS,
    RecurrentModelMixin,
    fill_doc,
)
from rnnforecast.forecasting.base import BaseForecaster
from rnnforecast.nn.threads import kernel_threads
from rnnforecast.transformers.windowing import make_windows
from rnnforecast.utils._compat import Interval, StrOptions

__all__ = ["GRUForecaster", "LSTMForecaster", "RNNForecaster"]

_DEFAULTS = dict(hidden_size="32", learning_rate_init="0.01", max_iter="50",
                 clip_grad_norm="1.0")


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
    scaler = StandardScaler() if kind == "standard" else RobustScaler()
    scaler.fit(values)
    flat = np.ptp(values, axis=0) == 0
    if flat.any():
        level = np.abs(values[0])
        fallback = np.where(level > 0, np.minimum(level, 1.0), 1.0)
        scaler.scale_ = np.where(flat, fallback, scaler.scale_)
    return scaler


class _RecurrentForecaster(RecurrentModelMixin, BaseForecaster):
    """Shared implementation of the neural forecasters (see :class:`LSTMForecaster`)."""

    _parameter_constraints: dict = {
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "strategy": [StrOptions({"recursive", "direct"})],
        "horizon": [Interval(Integral, 1, None, closed="left"), None],
        "scaler": [StrOptions({"standard", "robust"}), None],
        **NETWORK_CONSTRAINTS,
        **REGRESSION_LOSS_CONSTRAINT,
        **TRAINING_CONSTRAINTS,
    }
    _supports_exog = True
    _supports_multivariate = True

    def __init__(
        self,
        *,
        window_length: int = 24,
        strategy: str = "recursive",
        horizon: int | None = None,
        scaler: str | None = "standard",
        hidden_size: int = 32,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        head_dropout: float = 0.0,
        loss: str = "mse",
        solver: str = "adam",
        learning_rate_init: float = 0.01,
        batch_size: int = 32,
        max_iter: int = 50,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        clip_grad_norm: float | None = 1.0,
        dtype: str = "float32",
        n_jobs: int | None = None,
        warm_start: bool = False,
        random_state: Any = None,
        verbose: int = 0,
    ):
        self.window_length = window_length
        self.strategy = strategy
        self.horizon = horizon
        self.scaler = scaler
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.head_dropout = head_dropout
        self.loss = loss
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.clip_grad_norm = clip_grad_norm
        self.dtype = dtype
        self.n_jobs = n_jobs
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------ helpers
    def _steps(self) -> int:
        """Target steps per window (= lead of the regressors)."""
        if self.strategy == "direct" and self.horizon is not None:
            return int(self.horizon)
        return 1

    def _min_history(self) -> int:
        return int(self.window_length) + self._steps()

    def _min_predict_history(self) -> int:
        return int(self.window_length)

    def _describe(self) -> str:
        """Repr plus the numbers behind the minimum history (for error messages)."""
        steps = (f"horizon={self.horizon}" if self.strategy == "direct"
                 else "1 target step")
        return f"{super()._describe()} (window_length={self.window_length} + {steps})"

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

    # ------------------------------------------------------------ fit
    def _fit(self, y: np.ndarray, X: np.ndarray | None = None) -> None:
        if self.strategy == "direct" and self.horizon is None:
            raise ValueError(
                "horizon must be set (a positive int) when strategy='direct': the "
                "network predicts the steps 1..horizon at once; got horizon=None."
            )
        self._check_network_params()
        steps = self._steps()
        w = int(self.window_length)
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
            y_scaler = _fit_scaler(self.scaler, y)
            x_scaler = None if X is None else _fit_scaler(self.scaler, X)
        z = self._scale(y_scaler, y)
        xs = None if X is None else self._scale(x_scaler, X)
        if not np.isfinite(z).all() or (xs is not None and not np.isfinite(xs).all()):
            raise ValueError("y or X is too large to be represented after scaling.")
        inputs, targets = make_windows(self._rows(z, xs, steps), window_length=w,
                                       horizon=steps)
        # make_windows returns the windows of the whole rows; the targets are
        # the first k channels (the scaled series).
        targets = targets[:, :, :k].reshape(targets.shape[0], steps * k)
        dt = self._np_dtype()
        Xw = np.ascontiguousarray(inputs, dtype=dt)
        Yw = np.ascontiguousarray(targets, dtype=dt)
        X_val = Y_val = None
        if self.early_stopping:
            N = Xw.shape[0]
            n_val = int(np.ceil(float(self.validation_fraction) * N))
            n_train = N - n_val - (steps - 1)
            if n_val < 2 or n_train < 1:
                raise ValueError(
                    "The validation set is too small: early_stopping=True with "
                    f"validation_fraction={self.validation_fraction} holds out {n_val} of "
                    f"the {N} training windows (window_length={w}, {steps} step(s) per "
                    "window); at least 2 validation windows and 1 training window "
                    "(before a gap of steps - 1 windows) are needed. Use a longer series "
                    "or a larger validation_fraction."
                )
            X_val, Y_val = Xw[N - n_val:], Yw[N - n_val:]
            Xw, Yw = Xw[:n_train], Yw[:n_train]
        net = self._make_network(k + m, steps * k)
        seed = self._draw_seed()
        params = self._initial_params(net, seed, "the new series or parameters")
        result = self._train_network(net, params, Xw, Yw, loss=self.loss, seed=seed,
                                     X_val=X_val, Y_val=Y_val, val_score=_r2)
        self._set_training_result(net, result)
        self.scaler_ = y_scaler
        self.exog_scaler_ = x_scaler
        self._input_dims_ = (k, m)

    # ------------------------------------------------------------ predict
    def _predict(
        self,
        h: int,
        X: np.ndarray | None = None,
        y_hist: np.ndarray | None = None,
        X_hist: np.ndarray | None = None,
    ) -> np.ndarray:
        check_is_fitted(self, "params_")
        w = int(self.window_length)
        steps = self._steps()
        y = self._history(y_hist)
        Xh = self._exog_history(X_hist)
        n, k = y.shape
        z = self._scale(self.scaler_, y)
        xs = None
        if Xh is not None:
            xs = self._scale(self.exog_scaler_, np.vstack([Xh, X]))
        dt = self._np_dtype()
        if self.strategy == "direct":
            if h > steps:
                raise ValueError(
                    f"h={h} exceeds horizon={steps}, the number of steps this "
                    "direct-strategy forecaster was trained for; refit with "
                    f"horizon>={h} or use strategy='recursive'."
                )
            if xs is not None and h != steps:
                raise ValueError(
                    f"With exogenous regressors, a direct-strategy forecaster reads X "
                    f"up to horizon={steps} steps ahead, so it forecasts h=horizon="
                    f"{steps} steps (got h={h}): pass {steps} future rows of X and "
                    f"keep the first {h} forecasts."
                )
            rows = self._rows(z, xs, steps)[n - w:n]
            window = np.ascontiguousarray(rows[None], dtype=dt)
            out = self._predict_network(window).reshape(steps, k)[:h]
        else:
            z_ext = np.empty((n + h, k))
            z_ext[:n] = z
            out = np.empty((h, k))
            net, params = self.network_, self.params_
            with kernel_threads(self.n_jobs):
                for j in range(h):
                    zs = z_ext[n + j - w:n + j]
                    if xs is not None:
                        zs = np.hstack([zs, xs[n + j - w + 1:n + j + 1]])
                    window = np.ascontiguousarray(zs[None], dtype=dt)
                    out[j] = self._raw_predict(net, params, window)[0]
                    z_ext[n + j] = out[j]
        if self.scaler_ is not None:
            out = self.scaler_.inverse_transform(out)
        return out


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

    Parameters
    ----------
    window_length : int, default=24
        Number of past time steps the network reads.
    strategy : {{{{"recursive", "direct"}}}}, default="recursive"
        ``"recursive"``: one-step network, forecasts fed back (any ``h``).
        ``"direct"``: one network predicts the ``horizon`` steps at once.
    horizon : int or None, default=None
        Steps the direct strategy is trained for (required for
        ``"direct"``; unused by ``"recursive"``).
    scaler : {{{{"standard", "robust"}}}} or None, default="standard"
        Scaling of the series and regressors (inverted on the forecasts).
    {{network}}
    {extra}{{head_dropout}}
    loss : {{{{"mse", "mae", "huber"}}}}, default="mse"
        Training loss on the scaled series (Huber with ``delta=1``).
    {{training}}

    Attributes
    ----------
    {{fitted}}
    scaler_ : StandardScaler, RobustScaler or None
        Fitted scaler of the series.
    exog_scaler_ : StandardScaler, RobustScaler or None
        Fitted scaler of the regressors (None without ``X``).
    n_targets_, n_exog_, cutoff_, freq_, n_timesteps_
        See :class:`~rnnforecast.forecasting.BaseForecaster`.

    Notes
    -----
    Minimum history: ``window_length + 1`` observations
    (``window_length + horizon`` for ``"direct"``) to fit, ``window_length``
    to forecast from a new history.  The defaults (window of 24, 32 hidden
    units, 50 epochs, Adam at 0.01, gradient norm clipped at 1) suit monthly
    series of a few hundred observations; the weights are available in
    PyTorch layout with :meth:`get_state_dict` (on the scaled series).

    See Also
    --------
    {see_also}

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.forecasting.neural import {name}
    >>> y = 10 + np.sin(np.arange(120) * 2 * np.pi / 12)
    >>> f = {name}(window_length=12, hidden_size=8, max_iter=5, n_jobs=1,
    ...     random_state=0).fit(y)
    >>> f.predict(3).shape
    (3,)
    """


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
        window_length: int = 24,
        strategy: str = "recursive",
        horizon: int | None = None,
        scaler: str | None = "standard",
        hidden_size: int = 32,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bidirectional: bool = False,
        dropout: float = 0.0,
        head_dropout: float = 0.0,
        loss: str = "mse",
        solver: str = "adam",
        learning_rate_init: float = 0.01,
        batch_size: int = 32,
        max_iter: int = 50,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        clip_grad_norm: float | None = 1.0,
        dtype: str = "float32",
        n_jobs: int | None = None,
        warm_start: bool = False,
        random_state: Any = None,
        verbose: int = 0,
    ):
        super().__init__(
            window_length=window_length, strategy=strategy, horizon=horizon, scaler=scaler,
            hidden_size=hidden_size, num_layers=num_layers, bidirectional=bidirectional,
            dropout=dropout, head_dropout=head_dropout, loss=loss, solver=solver,
            learning_rate_init=learning_rate_init, batch_size=batch_size, max_iter=max_iter,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, clip_grad_norm=clip_grad_norm,
            dtype=dtype, n_jobs=n_jobs, warm_start=warm_start, random_state=random_state,
            verbose=verbose)
        self.nonlinearity = nonlinearity


@fill_doc(**_DEFAULTS)
class GRUForecaster(_RecurrentForecaster):
    __doc__ = _CLASS_DOC.format(
        cell="GRU", torch="``torch.nn.GRU``", name="GRUForecaster", extra="",
        see_also="RNNForecaster, LSTMForecaster")

    _cell = "gru"


@fill_doc(**_DEFAULTS)
class LSTMForecaster(_RecurrentForecaster):
    __doc__ = _CLASS_DOC.format(
        cell="LSTM", torch="``torch.nn.LSTM``", name="LSTMForecaster", extra="",
        see_also="RNNForecaster, GRUForecaster, rnnforecast.estimators.LSTMRegressor")

    _cell = "lstm"
