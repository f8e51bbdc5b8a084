"""Sequence regressors: :class:`RNNRegressor`, :class:`GRURegressor`, :class:`LSTMRegressor`.

Plain scikit-learn regressors whose samples are sequences: ``X`` of shape
(n_samples, n_timesteps) (one feature per step) or (n_samples, n_timesteps,
n_features), or integer token ids with ``embedding_dim``.  Float sequences of
different lengths are left padded with NaN (whole time steps at the start,
at least one valid step): the network reads only the valid steps, with its
state unchanged over the padding, as PyTorch reads a packed sequence.  So
``make_pipeline(SlidingWindowTransformer(window_length=w), LSTMRegressor())``
fits a table ``X`` of shape (n_timesteps, n_features) with one target per
row (see :class:`~rnnforecast.transformers.SlidingWindowTransformer` for the
leakage rule).  The network reads
the sequence and a linear head maps its final state to the ``n_outputs``
targets (e.g. ``n_outputs = horizon`` for direct multi-step forecasting).

Target scaling
--------------
Unlike :class:`~sklearn.neural_network.MLPRegressor`, the targets are
standardised internally (per output: minus the training mean, divided by the
training standard deviation, 1 for a constant output) and predictions are
mapped back, so targets of any scale train well with the default learning
rate; ``y_mean_`` and ``y_scale_`` hold the statistics and ``loss_curve_`` is
on the standardised scale.  The inputs ``X`` are *not* scaled: bring them to
unit scale yourself (e.g. ``StandardScaler`` in a ``Pipeline`` for 2-D
``X``).  :meth:`get_state_dict` folds the target scaling into the head, so
the exported weights compute the predictions on the original scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin

from rnnforecast.estimators._base import BaseRecurrentEstimator
from rnnforecast.nn.docs import fill_doc
from rnnforecast.nn.model import NONLINEARITY_CONSTRAINT, REGRESSION_LOSS_CONSTRAINT
from rnnforecast.utils._series_checks import check_array_like
from rnnforecast.utils.fitting import r2_float64
from rnnforecast.utils.guards import check_finite_output
from rnnforecast.utils.network_input import check_dtype_range
from rnnforecast.utils.scaled import normalise

__all__ = ["GRURegressor", "LSTMRegressor", "RNNRegressor"]

_DEFAULTS = dict(hidden_size="32", learning_rate_init="0.001", max_iter="200",
                 clip_grad_norm="None")


def _check_numeric_targets(y: Any) -> Any:
    """Refuse text targets, which scikit-learn's validation would parse into numbers silently;
    return ``y`` as :func:`check_array_like` leaves it (a list already converted)."""
    y = check_array_like(y, "y")
    arr = np.asarray(y)
    text = arr.dtype.kind in "US" or (
        arr.dtype.kind == "O" and any(isinstance(v, (str, bytes)) for v in arr.ravel()))
    if text:
        raise TypeError(
            f"y must hold real numbers (the regression targets); got text (dtype {arr.dtype}). "
            "Convert it explicitly, e.g. y.astype(float), if the values really are numbers."
        )
    return y

class _RecurrentRegressor(RegressorMixin, BaseRecurrentEstimator):
    """Shared implementation of the sequence regressors (see :class:`LSTMRegressor`)."""

    _parameter_constraints: dict = {
        **BaseRecurrentEstimator._parameter_constraints,
        **REGRESSION_LOSS_CONSTRAINT,
    }

    def __init__(
        self,
        *,
        hidden_size: int = 32,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        head: str = "final_state",
        head_dropout: float = 0.0,
        embedding_dim: int | None = None,
        vocab_size: int | None = None,
        loss: str = "mse",
        solver: str = "adam",
        learning_rate_init: float = 1e-3,
        batch_size: int = 32,
        max_iter: int = 200,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        clip_grad_norm: float | None = None,
        dtype: str = "float32",
        n_jobs: int | None = None,
        warm_start: bool = False,
        random_state: Any = None,
        verbose: int | None = None,
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.head = head
        self.head_dropout = head_dropout
        self.embedding_dim = embedding_dim
        self.vocab_size = vocab_size
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

    # ------------------------------------------------------------ hooks
    def _prepare_targets(self, X: Any, y: Any):
        y = _check_numeric_targets(y)
        X, y = self._validate_inputs(X, y, reset=True, multi_output=True, y_numeric=True)
        y2 = np.asarray(y, dtype=np.float64).reshape(y.shape[0], -1)
        k = y2.shape[1]
        if self.warm_start and hasattr(self, "params_"):
            if k != self.n_outputs_:
                raise ValueError(
                    f"warm_start=True needs y with {self.n_outputs_} output(s), as in the "
                    f"previous fit; got {k}."
                )
            mean, scale = self.y_mean_, self.y_scale_
            Y = (y2 - mean) / scale
        else:
            # in a space scaled by a power of two when squares would under/overflow (|y| of
            # 1e-300 or 1e200); ordinary targets are not scaled (e = 0: bit-identical)
            u, e = normalise(y2, axis=0)
            mean_u, scale_u = u.mean(axis=0), u.std(axis=0)
            scale_u = np.where(np.isfinite(scale_u) & (scale_u > 0), scale_u, 1.0)
            Y = (u - mean_u) / scale_u
            mean, scale = np.ldexp(mean_u, e[0]), np.ldexp(scale_u, e[0])
        Y = Y.astype(self._np_dtype())
        if not np.isfinite(Y).all():
            raise ValueError("y is too large to be represented after standardisation.")
        self.n_outputs_ = k
        self.y_mean_ = mean
        self.y_scale_ = scale
        return X, np.ascontiguousarray(Y), self.loss, r2_float64, None

    def _output_size(self) -> int:
        return int(self.n_outputs_)

    def _export_state(self, state: dict) -> dict:
        dt = state["fc.weight"].dtype
        head = {"fc.weight": state["fc.weight"] * self.y_scale_[:, None],
                "fc.bias": state["fc.bias"] * self.y_scale_ + self.y_mean_}
        for key, values in head.items():  # in y's units: 1e-300 or 1e200 does not fit float32
            check_dtype_range(values, dt, name="y",
                              when=f" in the exported output layer ({key} in y's units)")
            state[key] = values.astype(dt)
        return state

    def _import_state(self, state: dict) -> dict:
        state = dict(state)
        if "fc.weight" in state and "fc.bias" in state:
            w = np.asarray(state["fc.weight"], dtype=np.float64)
            b = np.asarray(state["fc.bias"], dtype=np.float64)
            if w.shape[:1] == self.y_scale_.shape and b.shape == self.y_scale_.shape:
                state["fc.weight"] = w / self.y_scale_[:, None]
                state["fc.bias"] = (b - self.y_mean_) / self.y_scale_
        return state

    # ------------------------------------------------------------ public API
    def predict(self, X: Any) -> np.ndarray:
        """Predict the targets of sequences.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)
            As at fit (same number of time steps and features; integer token
            ids with ``embedding_dim``); float sequences may be left padded
            with NaN.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs), float64
            1-D when the model has a single output.
        """
        X = self._check_predict_input(X)
        raw = self._predict_network(X)
        pred = raw * self.y_scale_ + self.y_mean_
        check_finite_output(pred, who=type(self).__name__, what="predictions",
                            advice=self._nonfinite_advice)
        return pred.ravel() if self.n_outputs_ == 1 else pred

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


_CLASS_DOC = """{cell} sequence regressor with a scikit-learn interface.

    A {torch} network (stacked, optionally bidirectional, optionally after
    an embedding) reads each input sequence; a linear head maps its final
    state to the targets.  Trained with mini-batch Adam/SGD on the
    standardised targets (see :mod:`rnnforecast.estimators.regressors`).

    Parameters
    ----------
    {{network}}
    {extra}{{head}}
    {{embedding}}
    loss : {{{{"mse", "mae", "huber"}}}}, default="mse"
        Training loss (``torch.nn.MSELoss``, ``L1Loss``, ``HuberLoss`` with
        ``delta=1`` on the standardised targets).
    {{training}}

    Attributes
    ----------
    {{fitted}}
    n_outputs_ : int
        Number of targets.
    y_mean_, y_scale_ : ndarray of shape (n_outputs_,)
        Target standardisation: the network predicts ``(y - y_mean_) /
        y_scale_``.
    n_features_in_ : int
        ``X.shape[1]`` as scikit-learn counts features: the number of time
        steps.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X`` (time steps), if given.
    n_channels_in_ : int
        Features per time step (1 for 2-D ``X`` or token ids).
    vocab_size_ : int or None
        Rows of the embedding table (None without embedding).

    See Also
    --------
    {see_also}

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.estimators import {name}
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 8))
    >>> y = X[:, -3:].sum(axis=1)
    >>> reg = {name}(hidden_size=8, max_iter=20, learning_rate_init=0.01,
    ...     n_jobs=1, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    """


@fill_doc(**_DEFAULTS)
class RNNRegressor(_RecurrentRegressor):
    __doc__ = _CLASS_DOC.format(
        cell="Elman RNN", torch="``torch.nn.RNN``", name="RNNRegressor",
        extra="{nonlinearity}\n    ",
        see_also="GRURegressor, LSTMRegressor, RNNClassifier")

    _cell = "rnn"
    _parameter_constraints: dict = {
        **_RecurrentRegressor._parameter_constraints,
        **NONLINEARITY_CONSTRAINT,
    }

    def __init__(
        self,
        *,
        hidden_size: int = 32,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bidirectional: bool = False,
        dropout: float = 0.0,
        head: str = "final_state",
        head_dropout: float = 0.0,
        embedding_dim: int | None = None,
        vocab_size: int | None = None,
        loss: str = "mse",
        solver: str = "adam",
        learning_rate_init: float = 1e-3,
        batch_size: int = 32,
        max_iter: int = 200,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        clip_grad_norm: float | None = None,
        dtype: str = "float32",
        n_jobs: int | None = None,
        warm_start: bool = False,
        random_state: Any = None,
        verbose: int | None = None,
    ):
        super().__init__(
            hidden_size=hidden_size, num_layers=num_layers, bidirectional=bidirectional,
            dropout=dropout, head=head, head_dropout=head_dropout,
            embedding_dim=embedding_dim, vocab_size=vocab_size, loss=loss, solver=solver,
            learning_rate_init=learning_rate_init, batch_size=batch_size, max_iter=max_iter,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, clip_grad_norm=clip_grad_norm,
            dtype=dtype, n_jobs=n_jobs, warm_start=warm_start, random_state=random_state,
            verbose=verbose)
        self.nonlinearity = nonlinearity


@fill_doc(**_DEFAULTS)
class GRURegressor(_RecurrentRegressor):
    __doc__ = _CLASS_DOC.format(
        cell="GRU", torch="``torch.nn.GRU``", name="GRURegressor", extra="",
        see_also="RNNRegressor, LSTMRegressor, GRUClassifier")

    _cell = "gru"


@fill_doc(**_DEFAULTS)
class LSTMRegressor(_RecurrentRegressor):
    __doc__ = _CLASS_DOC.format(
        cell="LSTM", torch="``torch.nn.LSTM``", name="LSTMRegressor", extra="",
        see_also="RNNRegressor, GRURegressor, LSTMClassifier, "
                 "rnnforecast.forecasting.LSTMForecaster")

    _cell = "lstm"
