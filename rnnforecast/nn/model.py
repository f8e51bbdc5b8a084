"""The scikit-learn bridge of the recurrent networks: parameters, training, prediction, weights.

* Parameter constraints of the network (PyTorch names) and of the training
  loop (:class:`~sklearn.neural_network.MLPRegressor` names).
* :class:`RecurrentModelMixin`: builds the
  :class:`~rnnforecast.nn.RecurrentNetwork` from the host's parameters, trains
  it with :func:`rnnforecast.nn.loop.train` (mini-batches, early stopping,
  tqdm progress bar, divergence handling), predicts with
  :meth:`~rnnforecast.nn.RecurrentNetwork.predict` plus the guards on the
  fitted weights and outputs, and exports/imports PyTorch ``state_dict``
  weights.  Used by the sequence estimators (:mod:`rnnforecast.estimators`)
  and by the forecasters of :mod:`rnnforecast.forecasting.neural`.

Prediction
----------
The outputs of the fitted network are checked at every prediction: NaN/inf,
or values more than 10 times the largest training target (at least 1) away
from 0 (e.g. a corrupted weight), raise a ``ValueError``.  Predictions are
independent of how samples are grouped into batches: the recurrent part runs
sample by sample (``chunk=1``) and the linear head is applied in float64.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any, Callable

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from rnnforecast.nn.loop import ArraySource, TrainConfig, TrainingResult, Validation, train
from rnnforecast.nn.network import RecurrentNetwork
from rnnforecast.nn.threads import kernel_threads, resolve_n_jobs
from rnnforecast.utils._compat import Interval, StrOptions

__all__ = [
    "NETWORK_CONSTRAINTS",
    "NONLINEARITY_CONSTRAINT",
    "OPTIONAL_PARAMS",
    "REGRESSION_LOSS_CONSTRAINT",
    "RecurrentModelMixin",
    "TRAINING_CONSTRAINTS",
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
    # 0 means nothing (joblib: "n_jobs == 0 in Parallel has no meaning")
    "n_jobs": [Interval(Integral, None, -1, closed="right"),
               Interval(Integral, 1, None, closed="left"), None],
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

#: Parameters that only some hosts declare, with the value used when a host has none.
OPTIONAL_PARAMS: dict = {"nonlinearity": "tanh", "head": "final_state", "learning_rate": "constant"}

# Outputs of the fitted network beyond this many times the largest training
# target (on the network's scale) are refused as implausible.
_IMPLAUSIBLE_FACTOR = 10.0


def _as_numpy(value: Any) -> np.ndarray:
    """ndarray from an array-like or a (CPU) torch tensor, without importing torch."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


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
    >>> from rnnforecast.nn.model import RecurrentModelMixin
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

    def _network_options(self) -> dict:
        """:data:`OPTIONAL_PARAMS`, with the host's values for the parameters it declares."""
        params = self.get_params(deep=False)
        return {name: params.get(name, default) for name, default in OPTIONAL_PARAMS.items()}

    def _make_network(self, input_size: int, output_size: int, vocab_size: int = 0,
                      embedding_dim: int = 0) -> RecurrentNetwork:
        options = self._network_options()
        return RecurrentNetwork(
            self._cell,
            input_size,
            int(self.hidden_size),
            num_layers=int(self.num_layers),
            bidirectional=bool(self.bidirectional),
            nonlinearity=options["nonlinearity"],
            dropout=float(self.dropout),
            output_size=output_size,
            head=options["head"],
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
        if isinstance(X, np.ndarray):
            X = ArraySource(X, Y)  # checked by train (also token ids against vocab_size)
        config = TrainConfig(
            solver=self.solver, learning_rate_init=self.learning_rate_init,
            learning_rate=self._network_options()["learning_rate"],
            batch_size=self.batch_size, max_iter=self.max_iter, tol=self.tol,
            n_iter_no_change=self.n_iter_no_change, clip_grad_norm=self.clip_grad_norm,
            samples_per_epoch=samples_per_epoch, n_jobs=self.n_jobs, verbose=self.verbose)
        validation = None if X_val is None else Validation(X_val, Y_val, val_score)
        return train(net, params, X, loss=loss, seed=seed, config=config, quantiles=quantiles,
                     validation=validation, who=type(self).__name__)

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
            out = self.network_.predict(self.params_, X)
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
