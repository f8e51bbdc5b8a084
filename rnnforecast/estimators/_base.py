"""The scikit-learn part shared by the recurrent sequence regressors and classifiers.

:class:`BaseRecurrentEstimator` validates the inputs and runs an atomic
``fit`` (a fit that fails leaves the estimator exactly as it was); the
network, its training loop, prediction and weights come from
:class:`~rnnforecast.nn.model.RecurrentModelMixin` (see :mod:`rnnforecast.nn.model`
and :mod:`rnnforecast.nn.loop`).

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
:class:`~rnnforecast.nn.training.NonFiniteLossError` when the loss became
NaN/inf) and the model is left as it was.  If the loss became non-finite, or
the last epoch lost what the best one had learned (ten times its loss and
worse than a constant forecast), the weights of the best epoch are restored
with a ``ConvergenceWarning`` naming ``learning_rate_init``.  The outputs of
the fitted network are checked at every prediction: NaN/inf, or values more
than 10 times the largest training target (at least 1) away from 0 (e.g. a
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

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted, validate_data

from rnnforecast.nn.masked import padding_lengths
from rnnforecast.nn.model import (
    NETWORK_CONSTRAINTS,
    TRAINING_CONSTRAINTS,
    RecurrentModelMixin,
)
from rnnforecast.persistence import SaveMixin
from rnnforecast.utils._compat import Interval, StrOptions, _fit_context
from rnnforecast.utils._series_checks import check_array_like
from rnnforecast.utils.fitting import restore_on_error
from rnnforecast.utils.network_input import check_dtype_range, check_n_timesteps

__all__ = ["BaseRecurrentEstimator"]

_POS_INT = Interval(Integral, 1, None, closed="left")


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
        X = check_array_like(X, "X", ragged_hint="Pad the sequences to one length" + (
            "." if tokens else " (left padding with NaN time steps)."))
        if y is not None:
            y = check_array_like(y, "y")
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
        if not reset and n_channels != self.n_channels_in_:
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
        with restore_on_error(self):
            return self._fit(X, y)

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
        # network-ready X: token ids (n, T) or floats (n, T, n_channels)
        self.n_channels_in_ = 1 if X.ndim == 2 else int(X.shape[2])
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
