"""Machinery shared by the recurrent estimators and the neural forecasters.

* Parameter constraints of the network (PyTorch names) and of the training
  loop (:class:`~sklearn.neural_network.MLPRegressor` names).
* :class:`RecurrentModelMixin`: builds the
  :class:`~rnnforecast.nn.RecurrentNetwork` from the parameters, runs the
  training loop (mini-batches, early stopping, tqdm progress bar, non-finite
  loss handling), predicts, and exports/imports PyTorch ``state_dict``
  weights.  Used by the sequence estimators
  (:mod:`rnnforecast.estimators`) and by the forecasters of
  :mod:`rnnforecast.forecasting.neural`.
* :class:`BaseRecurrentEstimator`: the scikit-learn estimator part shared by
  the regressors and classifiers (input validation, ``fit`` that is atomic:
  a fit that fails leaves the estimator exactly as it was).

Training loop
-------------
Mirrors :class:`~sklearn.neural_network.MLPRegressor`'s stochastic solvers:
each epoch visits the training samples once in a random order, in
mini-batches of ``batch_size``; ``loss_curve_`` holds the mean training loss
of every epoch.  Without early stopping, training stops when the training
loss has not improved by at least ``tol`` for more than ``n_iter_no_change``
consecutive epochs; with ``early_stopping=True`` a ``validation_fraction`` of
the training data is held out, the validation score (R² for regression,
accuracy for classification) is recorded in ``validation_scores_`` after
every epoch, training stops when it has not improved by ``tol`` for more than
``n_iter_no_change`` epochs, and the weights of the best epoch are kept.
No :class:`~sklearn.exceptions.ConvergenceWarning` is issued when
``max_iter`` is reached; compare ``n_iter_`` with ``max_iter``.

Divergence
----------
A fit never leaves a silently exploded model
(:class:`~rnnforecast.nn.training.DivergenceMonitor` has the rule, on the
scale the network is trained on).  If no epoch's training loss came within
ten times (MSE; sqrt(10) for the other losses) the loss of a constant
forecast, ``fit`` raises
:class:`~rnnforecast.nn.training.TrainingDivergedError` (a ``ValueError``;
:class:`NonFiniteLossError` when the loss became NaN/inf) and the model is
left as it was.  If the loss became non-finite, or the last epoch lost what
the best one had learned (ten times its loss and worse than a constant
forecast), the weights of the best epoch are restored with a
``ConvergenceWarning`` naming ``learning_rate_init``.  The outputs of the
fitted network are checked at every prediction: NaN/inf, or values more than
10 times the largest training target (at least 1) away from 0 (e.g. a
corrupted weight), raise a ``ValueError``.

Determinism
-----------
Every random draw (initial weights, validation split, batch order, dropout
masks) comes from one integer seed drawn from ``random_state``, and the
kernels give bit-identical results at any thread count, so the same
``random_state`` gives the same model for any ``n_jobs``.  Predictions are
also independent of how samples are grouped into batches: the recurrent part
runs sample by sample (``chunk=1``) and the linear head is applied in float64.
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real
from typing import Any, Callable

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm.auto import tqdm

from rnnforecast.nn.masked import padding_lengths
from rnnforecast.nn.network import RecurrentNetwork
from rnnforecast.persistence import SaveMixin
from rnnforecast.nn.threads import kernel_threads, resolve_n_jobs
from rnnforecast.nn.training import DivergenceMonitor, TrainingDivergedError
from rnnforecast.nn.training import NonFiniteLossError, make_optimizer, train_step
from rnnforecast.nn.warmup import prepare_kernels
from rnnforecast.utils._compat import Interval, StrOptions, _fit_context
from rnnforecast.utils.network_input import check_dtype_range, check_n_timesteps

__all__ = [
    "BaseRecurrentEstimator",
    "NETWORK_CONSTRAINTS",
    "NonFiniteLossError",
    "RecurrentModelMixin",
    "TRAINING_CONSTRAINTS",
    "TrainingDivergedError",
    "TrainingResult",
]

_POS_INT = Interval(Integral, 1, None, closed="left")
_PROBA = Interval(Real, 0, 1, closed="left")

#: Constraints of the network parameters shared by every class.
NETWORK_CONSTRAINTS: dict = {
    "hidden_size": [_POS_INT],
    "num_layers": [_POS_INT],
    "bidirectional": ["boolean"],
    "dropout": [_PROBA],
    "head_dropout": [_PROBA],
}

#: Constraints of the training parameters shared by every class.
TRAINING_CONSTRAINTS: dict = {
    "solver": [StrOptions({"adam", "sgd"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "batch_size": [_POS_INT],
    "max_iter": [_POS_INT],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [_POS_INT],
    "tol": [Interval(Real, 0, None, closed="left")],
    "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
    "dtype": [StrOptions({"float32", "float64"})],
    "n_jobs": [Integral, None],
    "warm_start": ["boolean"],
    "random_state": ["random_state"],
    "verbose": ["verbose", None],
}

#: Constraints of the ``loss`` of regressors and forecasters.
REGRESSION_LOSS_CONSTRAINT: dict = {"loss": [StrOptions({"mse", "mae", "huber"})]}
#: Constraint of ``nonlinearity`` (plain RNN classes only).
NONLINEARITY_CONSTRAINT: dict = {"nonlinearity": [StrOptions({"tanh", "relu"})]}

# Samples per forward call at prediction time (bounds the memory of the
# buffers; results do not depend on it).
_PREDICT_BATCH = 1024
# Huber threshold, on the scale the network is trained on.
_HUBER_DELTA = 1.0
# learning_rate="cosine" decays the step size to this fraction of learning_rate_init.
_COSINE_FLOOR = 0.05
# Outputs of the fitted network beyond this many times the largest training
# target (on the network's scale) are refused as implausible.
_IMPLAUSIBLE_FACTOR = 10.0


class TrainingResult:
    """What :meth:`RecurrentModelMixin._train_network` returns.

    A plain record: the constructor stores its arguments under the same
    names.  ``fit`` copies it into the fitted attributes ``params_``,
    ``loss_curve_``, ``best_loss_``, ``n_iter_``, ``validation_scores_`` and
    ``best_validation_score_``.

    Parameters
    ----------
    params, loss_curve, validation_scores, best_validation_score, best_loss, \
n_iter, n_threads, target_bound
        Stored as the attributes of the same names (see Attributes).

    Attributes
    ----------
    params : ndarray of shape (n_params,)
        Trained parameters (best validation epoch with early stopping).
    loss_curve : list of float
        Mean training loss per epoch.
    validation_scores : list of float or None
        Validation score per epoch (early stopping only).
    best_validation_score : float or None
        Best value of ``validation_scores`` (early stopping only).
    best_loss : float
        Smallest value of ``loss_curve``.
    n_iter : int
        Number of epochs run.
    n_threads : int
        Number of kernel threads used.
    target_bound : float or None
        Largest absolute training target on the network's scale (None for
        class labels); predictions are judged plausible against it.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.estimators import LSTMRegressor
    >>> X = np.random.default_rng(0).normal(size=(8, 5, 1))
    >>> reg = LSTMRegressor(hidden_size=2, max_iter=3, n_jobs=1, random_state=0)
    >>> reg = reg.fit(X, X[:, -1, 0])  # fit stores its TrainingResult as attributes
    >>> reg.n_iter_, len(reg.loss_curve_), reg.best_loss_ == min(reg.loss_curve_)
    (3, 3, True)
    """

    def __init__(self, params, loss_curve, validation_scores, best_validation_score,
                 best_loss, n_iter, n_threads, target_bound=None):
        self.params = params
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.best_validation_score = best_validation_score
        self.best_loss = best_loss
        self.n_iter = n_iter
        self.n_threads = n_threads
        self.target_bound = target_bound


def _numpy_loss(loss: str, pred: np.ndarray, target: np.ndarray,
                quantiles: np.ndarray | None = None) -> float:
    """Mean loss in float64 (validation only; ``target`` = labels for cross-entropy)."""
    if loss == "pinball":
        Q = len(quantiles)
        u = target.reshape(target.shape[0], -1, 1) - pred.reshape(pred.shape[0], -1, Q)
        return float(np.mean(np.maximum(quantiles * u, (quantiles - 1.0) * u)))
    if loss == "cross_entropy":
        z = pred - pred.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(pred.shape[0]), target].mean())
    d = pred - target.reshape(pred.shape)
    if loss == "mse":
        return float(np.mean(d * d))
    if loss == "mae":
        return float(np.mean(np.abs(d)))
    a = np.abs(d)
    return float(np.mean(np.where(a < _HUBER_DELTA, 0.5 * d * d,
                                  _HUBER_DELTA * (a - 0.5 * _HUBER_DELTA))))


def _as_numpy(value: Any) -> np.ndarray:
    """ndarray from an array-like or a (CPU) torch tensor, without importing torch."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


class _ArraySource:
    """Batch source over materialised arrays (see ``_train_network``)."""

    def __init__(self, X: np.ndarray, Y: np.ndarray):
        self.X, self.Y = X, Y
        self.n_samples = X.shape[0]

    def batch(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.X[idx], self.Y[idx]


def _check_state_entry(key: Any, value: np.ndarray) -> np.ndarray:
    """A loaded weight must be a finite floating-point array (shapes: the network checks)."""
    if value.dtype.kind not in "fiu":
        raise TypeError(
            f"state[{key!r}] must be an array of real numbers; got dtype {value.dtype}."
        )
    if value.dtype.kind == "f" and not np.isfinite(value).all():
        n = int(value.size - np.count_nonzero(np.isfinite(value)))
        raise ValueError(
            f"state[{key!r}] contains {n} NaN or infinite value(s) of {value.size}: the "
            "weights are corrupted. Nothing was loaded."
        )
    return value


class RecurrentModelMixin:
    """Network construction, training loop, prediction and state-dict I/O.

    Expects the host class to have the parameters of
    :data:`NETWORK_CONSTRAINTS` and :data:`TRAINING_CONSTRAINTS` (and, for
    plain RNNs, ``nonlinearity``; optionally ``head``) and a class attribute
    ``_cell`` in ``{"rnn", "gru", "lstm"}``.  Fitted state lives in
    ``network_`` (:class:`~rnnforecast.nn.RecurrentNetwork`) and ``params_``
    (flat parameter vector).

    Examples
    --------
    Shared by the sequence estimators and the neural forecasters; the
    weights round-trip through the PyTorch layout:

    >>> import numpy as np
    >>> from rnnforecast.estimators import LSTMRegressor
    >>> from rnnforecast.estimators._base import RecurrentModelMixin
    >>> X = np.random.default_rng(0).normal(size=(8, 5, 1))
    >>> reg = LSTMRegressor(hidden_size=2, max_iter=2, n_jobs=1, random_state=0)
    >>> reg = reg.fit(X, X[:, -1, 0])
    >>> isinstance(reg, RecurrentModelMixin)
    True
    >>> state = reg.get_state_dict()
    >>> {name: a.shape for name, a in state.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'weight_ih_l0': (8, 1), 'weight_hh_l0': (8, 2), 'bias_ih_l0': (8,),
     'bias_hh_l0': (8,), 'fc.weight': (1, 2), 'fc.bias': (1,)}
    >>> other = LSTMRegressor(hidden_size=2, max_iter=1, n_jobs=1, random_state=1)
    >>> other = other.fit(X, X[:, -1, 0]).load_state_dict(state)
    >>> bool(np.allclose(other.predict(X), reg.predict(X)))
    True
    """

    _cell: str = "lstm"
    #: What to try when the outputs are not finite or implausible.
    _nonfinite_advice: str = (
        "refit with a lower learning_rate_init or a clip_grad_norm, or check the inputs "
        "and any weights loaded with load_state_dict"
    )

    # ------------------------------------------------------------ network
    def _np_dtype(self) -> np.dtype:
        return np.dtype(np.float32 if self.dtype == "float32" else np.float64)

    def _check_network_params(self) -> None:
        """Cross-parameter checks (single parameters are checked by the constraints)."""
        resolve_n_jobs(self.n_jobs)  # raises ValueError naming n_jobs for n_jobs=0
        if self.dropout > 0 and self.num_layers == 1:
            warnings.warn(
                f"dropout={self.dropout} has no effect with num_layers=1: as in "
                "PyTorch, dropout is applied between recurrent layers only (use "
                "head_dropout for dropout before the linear head).",
                UserWarning,
                stacklevel=3,
            )

    def _make_network(self, input_size: int, output_size: int, vocab_size: int = 0,
                      embedding_dim: int = 0) -> RecurrentNetwork:
        return RecurrentNetwork(
            self._cell,
            input_size,
            int(self.hidden_size),
            num_layers=int(self.num_layers),
            bidirectional=bool(self.bidirectional),
            nonlinearity=getattr(self, "nonlinearity", "tanh"),
            dropout=float(self.dropout),
            output_size=output_size,
            head=getattr(self, "head", "final_state"),
            head_dropout=float(self.head_dropout),
            vocab_size=vocab_size,
            embedding_dim=embedding_dim,
            dtype=self._np_dtype(),
        )

    def _draw_seed(self) -> int:
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def _initial_params(self, net: RecurrentNetwork, seed: int, what: str) -> np.ndarray:
        """Previous weights (warm start, same architecture) or fresh ones."""
        previous = getattr(self, "network_", None)
        if not (self.warm_start and previous is not None):
            return net.init_params(seed)
        old = [(b.name, b.shape) for b in previous.layout.blocks]
        new = [(b.name, b.shape) for b in net.layout.blocks]
        if old != new or previous.dtype != net.dtype:
            diff = [f"{k}: {dict(old).get(k)} -> {dict(new).get(k)}"
                    for k in dict.fromkeys([n for n, _ in old + new])
                    if dict(old).get(k) != dict(new).get(k)]
            if previous.dtype != net.dtype:
                diff.append(f"dtype: {previous.dtype} -> {net.dtype}")
            raise ValueError(
                "warm_start=True needs the network of the previous fit, but "
                f"{what} changed it ({'; '.join(diff[:3])}). Set warm_start=False to "
                "train a new network."
            )
        return np.array(self.params_, dtype=net.dtype, copy=True)

    # ------------------------------------------------------------ training
    def _train_network(
        self,
        net: RecurrentNetwork,
        params: np.ndarray,
        X: np.ndarray,
        Y: np.ndarray,
        *,
        loss: str,
        seed: int,
        X_val: np.ndarray | None = None,
        Y_val: np.ndarray | None = None,
        val_score: Callable[[np.ndarray, np.ndarray], float] | None = None,
        samples_per_epoch: int | None = None,
        quantiles: np.ndarray | None = None,
    ) -> TrainingResult:
        """Train ``params`` (a copy is made) on ``(X, Y)``.

        Parameters
        ----------
        net : RecurrentNetwork
        params : ndarray of shape (net.n_params,), dtype of ``net``
            Starting weights (not modified).
        X : ndarray, network-ready, or a batch source
            Float (N, T, I) of the network dtype, or int64 (N, T) token ids;
            or an object with an int attribute ``n_samples`` and a method
            ``batch(idx) -> (X_batch, Y_batch)`` that builds the samples
            ``idx`` on demand (then ``Y`` is None): windows of many series
            are generated per batch instead of being materialised.
        Y : ndarray or None
            Float (N, O) of the network dtype, or int64 (N,) class indices
            for ``loss="cross_entropy"``.
        samples_per_epoch : int or None
            Visit only this many samples per epoch (a fresh random subset
            each epoch, without replacement); None: all of them.
        quantiles : ndarray or None
            Quantile levels of ``loss="pinball"``.
        loss : {"mse", "mae", "huber", "cross_entropy"}
        seed : int
            Seeds the batch order and the dropout masks.
        X_val, Y_val : ndarray or None
            Validation data (early stopping), same kinds as ``X``/``Y``.
        val_score : callable(Y_val, raw_predictions) -> float
            Higher is better (R² or accuracy).

        Raises
        ------
        NonFiniteLossError
            When the loss, the gradient or the validation predictions become
            NaN/inf; ``params`` is left untouched.
        """
        name = type(self).__name__
        if isinstance(X, np.ndarray):
            X = net.check_input(X)  # also checks token ids against vocab_size
            source = _ArraySource(X, Y)
        else:
            source = X
        N = int(source.n_samples)
        per_epoch = N if samples_per_epoch is None else min(int(samples_per_epoch), N)
        batch = min(int(self.batch_size), per_epoch)
        lr0 = float(self.learning_rate_init)
        cosine = getattr(self, "learning_rate", "constant") == "cosine"
        total_steps = int(self.max_iter) * -(-per_epoch // batch)
        params = np.array(params, dtype=net.dtype, copy=True)
        optimizer = make_optimizer(self.solver, net.n_params, net.dtype,
                                   float(self.learning_rate_init))
        order_rng = np.random.default_rng([seed, 1])
        clip = None if self.clip_grad_norm is None else float(self.clip_grad_norm)
        validate = X_val is not None
        monitor = DivergenceMonitor(loss, net.output_size, net.dtype, quantiles, _HUBER_DELTA)
        failure: NonFiniteLossError | None = None
        curve: list[float] = []
        scores: list[float] = []
        best_loss, best_score, best_params = np.inf, -np.inf, None
        no_improvement = 0
        step = 0
        prepare_kernels(net, loss=loss, solver=self.solver, quantiles=quantiles,
                        verbose=self.verbose)  # compile before the bar: no ETA with the JIT in it
        bar = tqdm(total=int(self.max_iter), desc=name, unit="epoch",
                   disable=not self.verbose, leave=True, dynamic_ncols=True)
        try:
            with kernel_threads(self.n_jobs) as n_threads:
                for epoch in range(int(self.max_iter)):
                    order = order_rng.permutation(N)[:per_epoch]
                    total = 0.0
                    for start in range(0, per_epoch, batch):
                        idx = order[start:start + batch]
                        if cosine:  # from lr0 down to _COSINE_FLOOR * lr0 at the last step
                            optimizer.lr = lr0 * (_COSINE_FLOOR + 0.5 * (1 - _COSINE_FLOOR) * (
                                1 + math.cos(math.pi * step / max(total_steps - 1, 1))))
                        step += 1
                        Xb, Yb = source.batch(idx)
                        monitor.observe_batch(Yb, epoch)
                        try:
                            value, _ = train_step(net, params, optimizer, Xb, Yb,
                                                  loss=loss, huber_delta=_HUBER_DELTA,
                                                  clip_grad_norm=clip, seed=seed, step=step,
                                                  **({} if quantiles is None
                                                     else {"quantiles": quantiles}))
                        except NonFiniteLossError as err:
                            failure = NonFiniteLossError(
                                f"{name}: the training loss became non-finite (NaN or "
                                f"inf) in epoch {epoch + 1}: {err} Training diverged; "
                                "lower learning_rate_init, set clip_grad_norm, scale the "
                                "inputs or use dtype='float64'. The estimator was left "
                                "as it was before this fit (previous weights kept)."
                            )
                            failure.__cause__ = err
                            break
                        monitor.observe_step(value)
                        total += value * len(idx)
                    if failure is not None:
                        break
                    epoch_loss = total / per_epoch
                    curve.append(epoch_loss)
                    monitor.end_epoch(epoch, epoch_loss, params)
                    postfix = {"loss": f"{epoch_loss:.4g}"}
                    if validate:
                        raw = net.predict(params, X_val, batch=_PREDICT_BATCH)
                        if not np.isfinite(raw).all():
                            raise NonFiniteLossError(
                                f"{name}: the validation predictions became non-finite "
                                f"(NaN or inf) in epoch {epoch + 1}; training diverged. "
                                "Lower learning_rate_init or set clip_grad_norm. The "
                                "estimator was left as it was before this fit."
                            )
                        score = float(val_score(Y_val, raw))
                        scores.append(score)
                        postfix["val_loss"] = f"{_numpy_loss(loss, raw, Y_val, quantiles):.4g}"
                        postfix["val_score"] = f"{score:.4g}"
                        if score < best_score + self.tol:
                            no_improvement += 1
                        else:
                            no_improvement = 0
                        if score > best_score:
                            best_score, best_params = score, params.copy()
                    else:
                        if epoch_loss > best_loss - self.tol:
                            no_improvement += 1
                        else:
                            no_improvement = 0
                    best_loss = min(best_loss, epoch_loss)
                    bar.set_postfix(postfix, refresh=False)
                    bar.update(1)
                    if no_improvement > self.n_iter_no_change:
                        break
        finally:
            bar.close()
        if validate and best_params is not None:
            params = best_params
        params = self._check_divergence(monitor, params, curve, failure, validate)
        result = TrainingResult(
            params=params,
            loss_curve=curve,
            validation_scores=scores if validate else None,
            best_validation_score=best_score if validate else None,
            best_loss=float(best_loss),
            n_iter=len(curve),
            n_threads=n_threads,
            target_bound=monitor.target_bound,
        )
        return result

    def _check_divergence(self, monitor: DivergenceMonitor, params: np.ndarray,
                          curve: list, failure: NonFiniteLossError | None,
                          validate: bool) -> np.ndarray:
        """The weights to keep after training (:meth:`DivergenceMonitor.verdict`).

        Raises when no epoch is usable; warns (``ConvergenceWarning``) when the
        weights of the best epoch are restored.
        """
        params, message = monitor.verdict(params, curve, failure, keep_params=validate,
                                          who=type(self).__name__,
                                          learning_rate_init=self.learning_rate_init)
        if message is not None:
            warnings.warn(message, ConvergenceWarning, stacklevel=4)
        return params

    def _set_training_result(self, net: RecurrentNetwork, result: TrainingResult) -> None:
        self.network_ = net
        self.params_ = result.params
        self.loss_curve_ = result.loss_curve
        self.best_loss_ = result.best_loss
        self.n_iter_ = result.n_iter
        if result.validation_scores is not None:
            self.validation_scores_ = result.validation_scores
            self.best_validation_score_ = result.best_validation_score
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
        self._n_threads_ = result.n_threads
        self._target_bound_ = result.target_bound

    # ------------------------------------------------------------ prediction
    def _raw_predict(self, net: RecurrentNetwork, params: np.ndarray,
                     X: np.ndarray) -> np.ndarray:  # step 6: callers use _predict_network
        """:meth:`RecurrentNetwork.predict`; fitted weights (``params is self.params_``) checked."""
        fitted = params is getattr(self, "params_", None)
        if fitted:
            self._check_fitted_weights()
        out = net.predict(params, X, batch=_PREDICT_BATCH)
        if fitted:
            self._check_raw_output(out)
        return out

    def _check_fitted_weights(self) -> None:
        """Refuse fitted weights with NaN/inf (e.g. a damaged file)."""
        params = self.params_
        if not np.isfinite(params).all():
            n = int(params.size - np.count_nonzero(np.isfinite(params)))
            raise ValueError(
                f"{type(self).__name__}: the fitted weights params_ contain {n} NaN or "
                "infinite value(s): the model is corrupted (e.g. a damaged file). Refit it "
                "or load valid weights with load_state_dict.")

    def _check_raw_output(self, raw: np.ndarray) -> None:
        """Refuse non-finite or implausible outputs of the fitted network.

        Implausible: more than ``_IMPLAUSIBLE_FACTOR`` times the largest
        absolute training target away from 0, on the scale the network was
        trained on (e.g. a corrupted weight of 1e30).  Class logits are only
        checked for being finite.
        """
        from rnnforecast.utils.guards import check_plausible_output

        check_plausible_output(raw, getattr(self, "_target_bound_", None),
                               factor=_IMPLAUSIBLE_FACTOR, who=type(self).__name__,
                               advice=self._nonfinite_advice)

    def _predict_network(self, X: np.ndarray) -> np.ndarray:
        """Outputs of the fitted network (float64, (N, output_size)), on ``n_jobs`` threads.

        :meth:`RecurrentNetwork.predict` with ``params_``, after checking the
        weights are finite; the outputs are checked by :meth:`_check_raw_output`.
        """
        self._check_fitted_weights()
        with kernel_threads(self.n_jobs):
            out = self.network_.predict(self.params_, X, batch=_PREDICT_BATCH)
        self._check_raw_output(out)
        return out

    # ------------------------------------------------------------ state dict
    def _export_state(self, state: dict) -> dict:
        """Hook: map the internal weights to the exported ones (default: as is)."""
        return state

    def _import_state(self, state: dict) -> dict:
        """Hook: inverse of :meth:`_export_state`."""
        return state

    def get_state_dict(self) -> dict[str, np.ndarray]:
        """Fitted weights in PyTorch ``state_dict`` layout.

        Returns
        -------
        state : dict of str to ndarray
            Copies, in the network dtype, named and shaped as PyTorch names
            them: ``"embedding.weight"`` (``nn.Embedding``, only with an
            embedding), the parameters of ``nn.RNN``/``nn.GRU``/``nn.LSTM``
            without a module prefix (``"weight_ih_l0"``, ``"weight_hh_l0"``,
            ``"bias_ih_l0"``, ``"bias_hh_l0"``, ``"..._reverse"`` for the
            backward direction, ``l1`` for the second layer...) and the
            linear head ``"fc.weight"`` (n_outputs, D * hidden_size),
            ``"fc.bias"``.  Load the recurrent entries into a
            ``torch.nn.LSTM(..., batch_first=True)`` and ``fc.*`` into a
            ``torch.nn.Linear``.
        """
        check_is_fitted(self, "params_")
        return self._export_state(self.network_.state_dict(self.params_))

    def load_state_dict(self, state: dict) -> "RecurrentModelMixin":
        """Replace the fitted weights by PyTorch-layout ones.

        The estimator must be fitted already (the fit fixes the input shape,
        the classes or the target scaling; e.g. fit with ``max_iter=1`` on a
        few samples first), and ``state`` must match its architecture.

        Parameters
        ----------
        state : dict of str to array-like or torch.Tensor
            Names as returned by :meth:`get_state_dict`.  Keys of a whole
            ``torch.nn.Module`` whose recurrent layer is an attribute (e.g.
            ``"lstm.weight_ih_l0"``) are accepted too: the prefix before a
            recurrent parameter name is removed.

        Returns
        -------
        self
        """
        check_is_fitted(self, "params_")
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict of arrays; got {type(state).__name__}.")
        expected = set(self.network_.layout.by_name)
        clean: dict[str, np.ndarray] = {}
        for key, value in state.items():
            name = str(key)
            if name not in expected and "." in name and name.rsplit(".", 1)[1] in expected:
                name = name.rsplit(".", 1)[1]
            if name in clean:
                raise ValueError(f"state has several entries for {name!r} (e.g. {key!r}).")
            clean[name] = _check_state_entry(key, _as_numpy(value))
        with np.errstate(over="ignore", invalid="ignore"):  # overflow: refused below
            params = self.network_.load_state_dict(self._import_state(clean))
        bad = [b.name for b in self.network_.layout.blocks
               if not np.isfinite(params[b.offset:b.stop]).all()]
        if bad:
            raise ValueError(
                f"state[{bad[0]!r}] holds values too large for the network "
                f"(dtype={self.network_.dtype}): they overflow to inf once converted "
                "(and mapped to the network's scale). Nothing was loaded."
            )
        self.params_ = params
        return self


class BaseRecurrentEstimator(SaveMixin, RecurrentModelMixin, BaseEstimator):
    """scikit-learn part of the sequence regressors and classifiers.

    Subclasses define ``_cell``, ``__init__`` and the hooks
    ``_prepare_targets(X, y) -> (X, Y, loss, val_score, stratify)`` (validate
    ``X`` and ``y`` with :meth:`_validate_inputs`, encode the targets for the
    network) and ``_output_size()``.

    Examples
    --------
    >>> from rnnforecast.estimators import GRUClassifier, LSTMRegressor
    >>> from rnnforecast.estimators._base import BaseRecurrentEstimator
    >>> issubclass(LSTMRegressor, BaseRecurrentEstimator)
    True
    >>> issubclass(GRUClassifier, BaseRecurrentEstimator)
    True
    """

    _parameter_constraints: dict = {
        **NETWORK_CONSTRAINTS,
        "head": [StrOptions({"final_state", "last"})],
        "embedding_dim": [_POS_INT, None],
        "vocab_size": [_POS_INT, None],
        **TRAINING_CONSTRAINTS,
    }

    # ------------------------------------------------------------ inputs
    def _validate_inputs(self, X: Any, y: Any = None, *, reset: bool, **y_kwargs: Any):
        """Validate ``X`` (and ``y``); return the network-ready ``X`` (and ``y``)."""
        name = type(self).__name__
        # predict reads the fitted network, never the current parameters
        # (set_params after fit must not change what a fitted model does)
        fitted = None if reset else self.network_
        tokens = self.embedding_dim is not None if reset else fitted.vocab_size > 0
        if tokens:
            dtype: Any = "numeric"
        else:
            dtype = [np.float64, np.float32]
        # NaN may mark left padding of float sequences (checked below).
        finite: Any = True if tokens else "allow-nan"
        if y is None and not reset:
            X = validate_data(self, X, reset=False, dtype=dtype, allow_nd=True,
                              ensure_all_finite=finite)
        else:
            X, y = validate_data(self, X, y, reset=reset, dtype=dtype, allow_nd=True,
                                 ensure_all_finite=finite, **y_kwargs)
        if X.ndim not in (2, 3):
            raise ValueError(
                f"X must be 2-D (n_samples, n_timesteps) or 3-D (n_samples, n_timesteps, "
                f"n_features); got an array of shape {X.shape}."
            )
        if tokens:
            if X.ndim != 2:
                raise ValueError(
                    "With embedding_dim set, X must hold integer token ids of shape "
                    f"(n_samples, n_timesteps); got an array of shape {X.shape}."
                )
            if X.dtype.kind == "f":
                if not np.all(X == np.round(X)):
                    raise ValueError(
                        "With embedding_dim set, X must hold integer token ids; got "
                        "non-integer values."
                    )
            elif X.dtype.kind not in "iu":
                raise TypeError(
                    f"With embedding_dim set, X must hold integer token ids; got dtype "
                    f"{X.dtype}."
                )
            if X.min() < 0:
                raise ValueError(f"Token ids in X must be >= 0; got {X.min()}.")
            X = np.ascontiguousarray(X, dtype=np.int64)
            n_channels = 1
        else:
            n_channels = 1 if X.ndim == 2 else X.shape[2]
            if n_channels < 1:
                raise ValueError(
                    f"X has 0 features per time step (shape={X.shape}); at least 1 is "
                    "required."
                )
            dtype = self._np_dtype() if reset else fitted.dtype
            check_dtype_range(X, dtype, name="X")
            X = np.ascontiguousarray(
                X.reshape(X.shape[0], X.shape[1], n_channels), dtype=dtype
            )
            padding_lengths(X)  # NaN only as left padding, every sample non-empty
        if not X.flags.writeable:
            # e.g. a read-only memmap: the kernels are compiled for writeable
            # arrays, and a read-only one would trigger a new compilation.
            X = X.copy()
        if reset:
            self._new_n_channels = n_channels
        elif n_channels != self.n_channels_in_:
            raise ValueError(
                f"X has {n_channels} features per time step, but {name} is expecting "
                f"{self.n_channels_in_} features per time step as input."
            )
        return (X, y) if y is not None else X

    def _check_predict_input(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "params_")
        # sklearn's n_features_in_ counts time steps (axis 1): say "time steps"
        check_n_timesteps(X, getattr(self, "n_features_in_", None), who=type(self).__name__)
        X = self._validate_inputs(X, reset=False)
        if self.network_.vocab_size and X.max() >= self.vocab_size_:
            raise ValueError(
                f"Token ids in X must lie in [0, vocab_size_={self.vocab_size_}); got "
                f"{X.max()}. Ids unseen at fit have no embedding: set vocab_size to "
                "cover them."
            )
        return X

    # ------------------------------------------------------------ fit
    def _prepare_targets(self, y: Any):  # pragma: no cover - abstract
        raise NotImplementedError

    def _output_size(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _validation_split(self, X, Y, seed, stratify):
        idx = np.arange(X.shape[0])
        try:
            tr, va = train_test_split(idx, test_size=float(self.validation_fraction),
                                      random_state=seed % (2**31 - 1), stratify=stratify)
        except ValueError as err:
            raise ValueError(
                f"early_stopping=True could not hold out validation_fraction="
                f"{self.validation_fraction} of the {X.shape[0]} samples: {err}"
            ) from None
        if va.shape[0] < 2:
            raise ValueError(
                "The validation set is too small: early_stopping=True with "
                f"validation_fraction={self.validation_fraction} holds out {va.shape[0]} of "
                f"{X.shape[0]} samples; at least 2 are needed. Increase "
                "validation_fraction or the number of samples."
            )
        tr, va = np.sort(tr), np.sort(va)
        return X[tr], Y[tr], X[va], Y[va]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> "BaseRecurrentEstimator":
        """Train the network on sequences.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)
            Input sequences, real numbers without inf: a 2-D array is one
            feature per time step.  Sequences may be left padded with NaN
            (whole time steps at the start, at least one valid step), e.g. by
            :class:`~rnnforecast.transformers.SlidingWindowTransformer`: the
            network then reads only their valid steps.  With ``embedding_dim``
            set, integer token ids of shape (n_samples, n_timesteps) instead.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets (regressors) or class labels (classifiers, 1-D).

        Returns
        -------
        self
            The fitted estimator.  If training fails (e.g. the loss becomes
            non-finite), the estimator is left exactly as before the call.
        """
        saved = dict(self.__dict__)
        try:
            return self._fit(X, y)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise

    def _fit(self, X: Any, y: Any) -> "BaseRecurrentEstimator":
        self._check_network_params()
        if self.vocab_size is not None and self.embedding_dim is None:
            raise ValueError(
                f"vocab_size={self.vocab_size} is only used with an embedding; set "
                "embedding_dim too (or vocab_size=None)."
            )
        warm = self.warm_start and hasattr(self, "params_")
        previous_channels = getattr(self, "n_channels_in_", None)
        X, Y, loss, val_score, stratify = self._prepare_targets(X, y)
        self.n_channels_in_ = self._new_n_channels
        del self._new_n_channels
        if warm and previous_channels != self.n_channels_in_:
            raise ValueError(
                f"warm_start=True needs X with {previous_channels} features per time step, "
                f"as in the previous fit; got {self.n_channels_in_}."
            )
        vocab, emb = 0, 0
        if self.embedding_dim is not None:
            needed = int(X.max()) + 1
            if self.vocab_size is not None and needed > self.vocab_size:
                raise ValueError(
                    f"vocab_size={self.vocab_size} is too small: X holds token id "
                    f"{needed - 1}, so vocab_size must be at least {needed}."
                )
            if self.vocab_size is not None:
                vocab = int(self.vocab_size)
            elif warm and getattr(self, "vocab_size_", None):
                vocab = max(needed, int(self.vocab_size_))  # keep the previous table
            else:
                vocab = needed
            emb = int(self.embedding_dim)
            self.vocab_size_ = vocab
        else:
            self.vocab_size_ = None
        input_size = emb if emb else self.n_channels_in_
        net = self._make_network(input_size, self._output_size(), vocab, emb)
        seed = self._draw_seed()
        params = self._initial_params(net, seed, "the new data or parameters")
        X_val = Y_val = None
        if self.early_stopping:
            X, Y, X_val, Y_val = self._validation_split(X, Y, seed, stratify)
        result = self._train_network(net, params, X, Y, loss=loss, seed=seed, X_val=X_val,
                                     Y_val=Y_val, val_score=val_score)
        self._set_training_result(net, result)
        return self

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags


# ---------------------------------------------------------------- docstrings
# Parameter descriptions shared by the docstrings of the public classes
# (substituted with :func:`fill_doc`).
DOC_NETWORK = """\
hidden_size : int, default={hidden_size}
        Number of features of the hidden state (PyTorch's ``hidden_size``).
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Also run every layer backwards in time (outputs concatenated).
    dropout : float in [0, 1), default=0.0
        Dropout on the outputs of every recurrent layer but the last, during
        training (PyTorch's ``dropout``; no effect, with a warning, when
        ``num_layers=1``)."""

DOC_NONLINEARITY = """\
nonlinearity : {{"tanh", "relu"}}, default="tanh"
        Activation of the Elman RNN cell (``torch.nn.RNN``'s ``nonlinearity``)."""

DOC_HEAD = """\
head : {{"final_state", "last"}}, default="final_state"
        Input of the linear head.  ``"final_state"``: the final hidden states
        of the last layer's directions, concatenated
        (``torch.cat((h_n[-2], h_n[-1]), dim=1)`` when bidirectional);
        ``"last"``: the last layer's output at the last time step
        (``out[:, -1, :]``; the same as ``"final_state"`` for a
        unidirectional network).
    head_dropout : float in [0, 1), default=0.0
        Dropout on the input of the linear head, during training."""

DOC_HEAD_DROPOUT = """\
head_dropout : float in [0, 1), default=0.0
        Dropout on the input of the linear head, during training."""

DOC_EMBEDDING = """\
embedding_dim : int or None, default=None
        If set, ``X`` holds integer token ids of shape (n_samples,
        n_timesteps) and an embedding layer (``torch.nn.Embedding``) of this
        width comes first.
    vocab_size : int or None, default=None
        Rows of the embedding table (only with ``embedding_dim``).  None:
        ``max(X) + 1`` at fit (``vocab_size_``); token ids at predict must be
        below it."""

DOC_TRAINING = """\
solver : {{"adam", "sgd"}}, default="adam"
        Optimiser: Adam (``torch.optim.Adam``) or SGD with momentum 0.9
        (``torch.optim.SGD``).
    learning_rate_init : float > 0, default={learning_rate_init}
        Learning rate (constant).
    batch_size : int, default=32
        Samples per mini-batch (``min(batch_size, n_samples)`` is used).
    max_iter : int, default={max_iter}
        Maximum number of epochs (passes over the training samples).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when its
        score has not improved by ``tol`` for more than ``n_iter_no_change``
        epochs, and keep the weights of the best epoch.
    validation_fraction : float in (0, 1), default=0.1
        Share of the training data held out for early stopping.
    n_iter_no_change : int, default=10
        Epochs without improvement (of the training loss, or of the
        validation score with early stopping) tolerated before stopping.
    tol : float >= 0, default=1e-4
        Minimum improvement that counts.
    clip_grad_norm : float > 0 or None, default={clip_grad_norm}
        Clip the global L2 norm of the gradient to this value
        (``torch.nn.utils.clip_grad_norm_``).
    dtype : {{"float32", "float64"}}, default="float32"
        Floating-point type of the network and its training.
    n_jobs : int or None, default=None
        Threads of the kernels.  None: Numba's current thread count, which
        inside a joblib worker (e.g. ``GridSearchCV(n_jobs=k)``) is limited to
        ``cpu_count() // k`` by joblib through ``NUMBA_NUM_THREADS``, so
        nested parallelism does not oversubscribe the cores; -1: all cores.
        Results do not depend on it.
    warm_start : bool, default=False
        Start from the weights of the previous fit (same architecture and
        input shape; the target scaling, classes and scalers of that fit are
        kept) instead of new random weights.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split, the batch order and
        dropout.  An int gives the same model at any ``n_jobs``.
    verbose : int, bool or None, default=None
        > 0 or True: show a tqdm progress bar over epochs with the training loss
        (and validation loss and score with early stopping).  None: no progress
        bar, but a first compilation of the kernels (an empty Numba cache) is
        announced by one line on stderr.  0 or False: print nothing at all."""

DOC_FITTED = """\
network_ : rnnforecast.nn.RecurrentNetwork
        The architecture.
    params_ : ndarray of shape (network_.n_params,)
        Flat trained parameters (network dtype).  Use
        :meth:`get_state_dict` for named, PyTorch-layout arrays.
    loss_curve_ : list of float
        Mean training loss of every epoch.
    best_loss_ : float
        Smallest training loss.
    validation_scores_ : list of float or None
        Validation score of every epoch (None without early stopping).
    best_validation_score_ : float or None
        Best validation score (None without early stopping).
    n_iter_ : int
        Number of epochs run."""


def fill_doc(**values: str) -> Callable[[type], type]:
    """Class decorator: fill ``{network}``, ``{training}``... in the docstring."""

    def decorate(cls: type) -> type:
        pieces = {
            "network": DOC_NETWORK,
            "nonlinearity": DOC_NONLINEARITY,
            "head": DOC_HEAD,
            "head_dropout": DOC_HEAD_DROPOUT,
            "embedding": DOC_EMBEDDING,
            "training": DOC_TRAINING,
            "fitted": DOC_FITTED,
        }
        filled = {k: v.format(**values) for k, v in pieces.items()}
        cls.__doc__ = cls.__doc__.format(**filled)
        return cls

    return decorate
