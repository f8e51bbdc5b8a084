"""Parameter descriptions shared by the docstrings of the public recurrent classes.

:func:`fill_doc` substitutes them into a class docstring (``{network}``,
``{training}``, ...), so the estimators and forecasters describe their shared
parameters with one text.
"""

from __future__ import annotations

from typing import Callable

__all__ = ["DOC_EMBEDDING", "DOC_FITTED", "DOC_HEAD", "DOC_HEAD_DROPOUT", "DOC_NETWORK",
           "DOC_NONLINEARITY", "DOC_TRAINING", "fill_doc"]

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
    """Class decorator: fill ``{network}``, ``{training}``... in the docstring.

    Parameters
    ----------
    **values : str
        The defaults quoted by the pieces (``hidden_size``,
        ``learning_rate_init``, ``max_iter``, ``clip_grad_norm``).

    Examples
    --------
    >>> from rnnforecast.nn.docs import fill_doc
    >>> class Model:
    ...     __doc__ = "{network}"
    >>> Model = fill_doc(hidden_size="8", learning_rate_init="0.01", max_iter="5",
    ...                  clip_grad_norm="None")(Model)
    >>> print(Model.__doc__.splitlines()[0])
    hidden_size : int, default=8
    """

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
