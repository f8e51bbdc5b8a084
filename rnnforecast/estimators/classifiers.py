"""Sequence classifiers: :class:`RNNClassifier`, :class:`GRUClassifier`, :class:`LSTMClassifier`.

Plain scikit-learn classifiers whose samples are sequences (``X`` of shape
(n_samples, n_timesteps[, n_features]) or, with ``embedding_dim``, integer
token ids).  Float sequences of different lengths are left padded with NaN
(whole time steps; e.g. the windows of
:class:`~rnnforecast.transformers.SlidingWindowTransformer` in a
``Pipeline``): the network reads only their valid steps, as PyTorch reads a
packed sequence.  A linear head maps the network's final state to one logit per
class; training minimises the softmax cross-entropy
(``torch.nn.CrossEntropyLoss``), also for two classes.

A typical PyTorch text classifier ::

    class LSTMClassifier(nn.Module):
        def __init__(self, vocab_size, embed_dim, hidden_dim, output_dim):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_dim)
            self.lstm = nn.LSTM(embed_dim, hidden_dim, num_layers=2,
                                bidirectional=True, dropout=0.3, batch_first=True)
            self.dropout = nn.Dropout(0.3)
            self.fc = nn.Linear(hidden_dim * 2, output_dim)

        def forward(self, x):
            _, (hidden, _) = self.lstm(self.embedding(x))
            return self.fc(self.dropout(torch.cat((hidden[-2], hidden[-1]), dim=1)))

is ``LSTMClassifier(hidden_size=hidden_dim, num_layers=2, bidirectional=True,
dropout=0.3, head_dropout=0.3, embedding_dim=embed_dim, vocab_size=vocab_size)``
(``output_dim`` is the number of classes found at fit), with the same
``state_dict`` (the ``lstm.`` prefix aside; see :meth:`load_state_dict`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from rnnforecast.estimators._base import BaseRecurrentEstimator
from rnnforecast.nn.docs import fill_doc
from rnnforecast.nn.model import NONLINEARITY_CONSTRAINT

__all__ = ["GRUClassifier", "LSTMClassifier", "RNNClassifier"]

_DEFAULTS = dict(hidden_size="32", learning_rate_init="0.001", max_iter="200",
                 clip_grad_norm="None")


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _accuracy(y_true: np.ndarray, raw: np.ndarray) -> float:
    return float(np.mean(np.argmax(raw, axis=1) == y_true))


class _RecurrentClassifier(ClassifierMixin, BaseRecurrentEstimator):
    """Shared implementation of the sequence classifiers (see :class:`LSTMClassifier`)."""

    _parameter_constraints: dict = dict(BaseRecurrentEstimator._parameter_constraints)

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
        X, y = self._validate_inputs(X, y, reset=True)
        try:
            check_classification_targets(y)
            classes, y_idx = np.unique(y, return_inverse=True)
        except TypeError as exc:  # labels that cannot be ordered, e.g. strings and None
            kinds = sorted({type(v).__name__ for v in np.ravel(y)})
            raise TypeError(
                "y must hold class labels of one comparable kind (all numbers or all strings); "
                f"got labels of types {kinds} ({exc})."
            ) from None
        name = type(self).__name__
        if classes.shape[0] < 2:
            raise ValueError(
                f"{name} needs samples of at least 2 classes; got one class "
                f"({classes[0]!r})."
            )
        if self.warm_start and hasattr(self, "params_"):
            if classes.shape != self.classes_.shape or np.any(classes != self.classes_):
                raise ValueError(
                    "warm_start=True needs y with the classes of the previous fit "
                    f"{list(self.classes_)}; got {list(classes)}."
                )
        self.classes_ = classes
        Y = np.ascontiguousarray(y_idx.reshape(-1), dtype=np.int64)
        counts = np.bincount(Y)
        stratify = Y if counts.min() >= 2 else None
        return X, Y, "cross_entropy", _accuracy, stratify

    def _output_size(self) -> int:
        return int(self.classes_.shape[0])

    # ------------------------------------------------------------ public API
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (softmax of the logits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)
            As at fit (integer token ids with ``embedding_dim``); float
            sequences may be left padded with NaN.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), float64
            Columns in the order of ``classes_``; rows sum to 1.
        """
        X = self._check_predict_input(X)
        return _softmax(self._predict_network(X))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes), float64
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or \
                (n_samples, n_timesteps, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


_CLASS_DOC = """{cell} sequence classifier with a scikit-learn interface.

    A {torch} network (stacked, optionally bidirectional, optionally after
    an embedding) reads each input sequence; a linear head maps its final
    state to one logit per class, trained with the softmax cross-entropy
    (see :mod:`rnnforecast.estimators.classifiers`).

    Parameters
    ----------
    {{network}}
    {extra}{{head}}
    {{embedding}}
    {{training}}

    Attributes
    ----------
    {{fitted}}
    classes_ : ndarray of shape (n_classes,)
        Class labels (sorted); the head has one output per class.
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
    >>> tokens = rng.integers(0, 50, size=(100, 12))
    >>> labels = (tokens[:, -1] >= 25).astype(int)
    >>> clf = {name}(hidden_size=8, embedding_dim=4, max_iter=5,
    ...     n_jobs=1, random_state=0).fit(tokens, labels)
    >>> clf.predict_proba(tokens[:3]).shape
    (3, 2)
    """


@fill_doc(**_DEFAULTS)
class RNNClassifier(_RecurrentClassifier):
    __doc__ = _CLASS_DOC.format(
        cell="Elman RNN", torch="``torch.nn.RNN``", name="RNNClassifier",
        extra="{nonlinearity}\n    ",
        see_also="GRUClassifier, LSTMClassifier, RNNRegressor")

    _cell = "rnn"
    _parameter_constraints: dict = {
        **_RecurrentClassifier._parameter_constraints,
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
            embedding_dim=embedding_dim, vocab_size=vocab_size, solver=solver,
            learning_rate_init=learning_rate_init, batch_size=batch_size, max_iter=max_iter,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, clip_grad_norm=clip_grad_norm,
            dtype=dtype, n_jobs=n_jobs, warm_start=warm_start, random_state=random_state,
            verbose=verbose)
        self.nonlinearity = nonlinearity


@fill_doc(**_DEFAULTS)
class GRUClassifier(_RecurrentClassifier):
    __doc__ = _CLASS_DOC.format(
        cell="GRU", torch="``torch.nn.GRU``", name="GRUClassifier", extra="",
        see_also="RNNClassifier, LSTMClassifier, GRURegressor")

    _cell = "gru"


@fill_doc(**_DEFAULTS)
class LSTMClassifier(_RecurrentClassifier):
    __doc__ = _CLASS_DOC.format(
        cell="LSTM", torch="``torch.nn.LSTM``", name="LSTMClassifier", extra="",
        see_also="RNNClassifier, GRUClassifier, LSTMRegressor")

    _cell = "lstm"
