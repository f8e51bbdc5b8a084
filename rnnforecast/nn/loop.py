"""The one training loop of the recurrent networks.

:func:`train` runs mini-batch epochs over a batch source, like the
stochastic solvers of :class:`~sklearn.neural_network.MLPRegressor`: each
epoch visits the samples once (or ``samples_per_epoch`` of them) in a random
order, in mini-batches of ``batch_size``; the mean training loss of every
epoch is recorded.  Without validation data, training stops when the training
loss has not improved by at least ``tol`` for more than ``n_iter_no_change``
consecutive epochs; with :class:`Validation` data, the validation score is
recorded after every epoch, training stops when it has not improved by
``tol`` for more than ``n_iter_no_change`` epochs, and the weights of the best
epoch are returned.  :class:`~rnnforecast.nn.training.DivergenceMonitor`
judges the run at the end (see :mod:`rnnforecast.nn.training`).

Every random draw comes from ``seed``: the batch order from
``numpy.random.default_rng([seed, 1])``, the dropout masks from ``(seed,
step)``; the kernels give the same bits at any thread count, so the result
depends on ``seed`` only.  Callbacks (:class:`Callback`) see the start, every
epoch (with its logs) and the end; :class:`ProgressBar` is the tqdm bar.
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from tqdm.auto import tqdm

from rnnforecast.utils.validation import check_int

from .network import RecurrentNetwork
from .threads import kernel_threads
from .training import DivergenceMonitor, NonFiniteLossError, _loss_quantiles
from ._workspace import Workspace
from .training import make_optimizer, train_step
from .warmup import prepare_kernels

__all__ = ["ArraySource", "Callback", "ProgressBar", "TrainConfig", "TrainingResult",
           "Validation", "cosine_lr", "numpy_loss", "train"]

#: Huber threshold, on the scale the network is trained on.
HUBER_DELTA = 1.0
#: learning_rate="cosine" decays the step size to this fraction of learning_rate_init.
COSINE_FLOOR = 0.05


def _check_real(value: Any, name: str, *, positive: bool, allow_none: bool = False) -> Any:
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value) or value < 0 or (positive and value == 0):
        want = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be a finite float {want}"
                         f"{' or None' if allow_none else ''}; got {value!r}")
    return float(value)


@dataclass(frozen=True)
class TrainConfig:
    """Settings of :func:`train` (the estimators' parameters of the same names).

    Parameters
    ----------
    solver : {"adam", "sgd"}, default "adam"
    learning_rate_init : float > 0, default 1e-3
        Step size of the optimiser.
    learning_rate : {"constant", "cosine"}, default "constant"
        Schedule: constant, or a cosine decay from ``learning_rate_init`` to
        5 % of it at the last step.
    batch_size : int >= 1, default 32
        Samples per mini-batch (``min(batch_size, samples per epoch)`` is used).
    max_iter : int >= 1, default 200
        Maximum number of epochs.
    tol : float >= 0, default 1e-4
    n_iter_no_change : int >= 1, default 10
    clip_grad_norm : float > 0 or None, default None
    samples_per_epoch : int >= 1 or None, default None
        Visit only this many samples per epoch (a fresh random subset each
        epoch); None: all of them.
    n_jobs : int or None, default None
        Kernel threads (:func:`~rnnforecast.nn.threads.kernel_threads`).
    verbose : int, bool or None, default 0
        > 0: tqdm progress bar; None: announce a first compilation of the
        kernels on stderr only; 0: silent.

    Examples
    --------
    >>> from rnnforecast.nn.loop import TrainConfig
    >>> TrainConfig(max_iter=5).batch_size
    32
    >>> TrainConfig(max_iter=0)
    Traceback (most recent call last):
        ...
    ValueError: max_iter must be an int >= 1; got 0
    """

    solver: str = "adam"
    learning_rate_init: float = 1e-3
    learning_rate: str = "constant"
    batch_size: int = 32
    max_iter: int = 200
    tol: float = 1e-4
    n_iter_no_change: int = 10
    clip_grad_norm: float | None = None
    samples_per_epoch: int | None = None
    n_jobs: int | None = None
    verbose: Any = 0

    def __post_init__(self) -> None:
        if self.solver not in ("adam", "sgd"):
            raise ValueError(f"solver must be 'adam' or 'sgd'; got {self.solver!r} instead.")
        if self.learning_rate not in ("constant", "cosine"):
            raise ValueError("learning_rate must be 'constant' or 'cosine'; got "
                             f"{self.learning_rate!r} instead.")
        fix = object.__setattr__
        fix(self, "learning_rate_init",
            _check_real(self.learning_rate_init, "learning_rate_init", positive=True))
        fix(self, "tol", _check_real(self.tol, "tol", positive=False))
        fix(self, "clip_grad_norm", _check_real(self.clip_grad_norm, "clip_grad_norm",
                                                positive=True, allow_none=True))
        for name in ("batch_size", "max_iter", "n_iter_no_change"):
            fix(self, name, check_int(getattr(self, name), name))
        fix(self, "samples_per_epoch",
            check_int(self.samples_per_epoch, "samples_per_epoch", allow_none=True))


class TrainingResult:
    """What :func:`train` returns.

    A plain record: the constructor stores its arguments under the same
    names.  The estimators copy it into the fitted attributes ``params_``,
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
        Trained parameters (best validation epoch with validation data).
    loss_curve : list of float
        Mean training loss per epoch.
    validation_scores : list of float or None
        Validation score per epoch (with validation data only).
    best_validation_score : float or None
        Best value of ``validation_scores``.
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


class ArraySource:
    """Batch source over materialised arrays.

    Any object with an int attribute ``n_samples`` and a method
    ``batch(idx) -> (X_batch, Y_batch)`` is a batch source (e.g. windows of
    many series generated per batch); this one slices two arrays.

    Parameters
    ----------
    X : ndarray
        Float (N, T, I) of the network dtype, or int (N, T) token ids.
    Y : ndarray
        Float (N, O) targets, or int (N,) class indices for
        ``loss="cross_entropy"``.
    """

    def __init__(self, X: np.ndarray, Y: np.ndarray):
        self.X, self.Y = X, Y
        self.n_samples = X.shape[0]

    def batch(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.X[idx], self.Y[idx]

    def checked(self, net: RecurrentNetwork, loss: str) -> "ArraySource":
        """A source whose arrays the network accepts (ValueError/TypeError otherwise)."""
        X = net.check_input(self.X)
        Y = np.asarray(self.Y)
        if Y.ndim < 1 or Y.shape[0] != X.shape[0]:
            raise ValueError("X and Y must have the same number of samples; got "
                             f"{X.shape[0]} and {Y.shape[0] if Y.ndim else 'a scalar'}.")
        if loss == "cross_entropy":
            Y = np.ascontiguousarray(Y, dtype=np.int64)
        else:
            Y = np.ascontiguousarray(Y, dtype=net.dtype)
            if not np.isfinite(Y).all():
                raise ValueError("Y contains NaN or infinite values.")
        return ArraySource(X, Y)


@dataclass(frozen=True)
class Validation:
    """Held-out data of :func:`train`: network-ready ``X``, targets ``Y`` and a score.

    ``score(Y, raw_outputs) -> float``, higher is better (R² or accuracy);
    ``raw_outputs`` are :meth:`RecurrentNetwork.predict`'s float64 outputs.
    """

    X: np.ndarray
    Y: np.ndarray
    score: Callable[[np.ndarray, np.ndarray], float]


def numpy_loss(loss: str, pred: np.ndarray, target: np.ndarray,
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
    return float(np.mean(np.where(a < HUBER_DELTA, 0.5 * d * d,
                                  HUBER_DELTA * (a - 0.5 * HUBER_DELTA))))


def cosine_lr(lr0: float, step: int, total_steps: int) -> float:
    """Step size of step ``step`` (0-based): ``lr0`` down to ``COSINE_FLOOR * lr0`` at the last.

    >>> from rnnforecast.nn.loop import cosine_lr
    >>> cosine_lr(0.01, 0, 10), round(cosine_lr(0.01, 9, 10), 12)
    (0.01, 0.0005)
    """
    return lr0 * (COSINE_FLOOR + 0.5 * (1 - COSINE_FLOOR) * (
        1 + math.cos(math.pi * step / max(total_steps - 1, 1))))


class Callback:
    """Hooks of :func:`train` (all optional; the default methods do nothing)."""

    def on_train_begin(self, n_epochs: int) -> None:
        """Before the first epoch; ``n_epochs`` is the most that will run."""

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        """After every epoch; ``logs`` has ``loss`` (and ``val_loss``, ``val_score``)."""

    def on_train_end(self) -> None:
        """After the last epoch, also when training fails."""


class ProgressBar(Callback):
    """tqdm bar over epochs with the losses (disabled unless ``verbose`` is truthy)."""

    def __init__(self, desc: str, verbose: Any):
        self.desc, self.verbose, self.bar = desc, verbose, None

    def on_train_begin(self, n_epochs: int) -> None:
        self.bar = tqdm(total=n_epochs, desc=self.desc, unit="epoch",
                        disable=not self.verbose, leave=True, dynamic_ncols=True)

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        self.bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()}, refresh=False)
        self.bar.update(1)

    def on_train_end(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _Run:
    """State of one :func:`train` call (shared by its steps)."""

    def __init__(self, net, params, source, loss, seed, config, quantiles, who):
        self.net, self.source, self.loss, self.seed = net, source, loss, seed
        self.config, self.quantiles, self.who = config, quantiles, who
        N = int(source.n_samples)
        spe = config.samples_per_epoch
        self.N = N
        self.per_epoch = N if spe is None else min(int(spe), N)
        self.batch = min(int(config.batch_size), self.per_epoch)
        self.total_steps = int(config.max_iter) * -(-self.per_epoch // self.batch)
        self.params = np.array(params, dtype=net.dtype, copy=True)
        self.optimizer = make_optimizer(config.solver, net.n_params, net.dtype,
                                        float(config.learning_rate_init))
        self.order_rng = np.random.default_rng([seed, 1])
        self.workspace = Workspace()  # the steps' large arrays, kept from step to step
        self.monitor = DivergenceMonitor(loss, net.output_size, net.dtype, quantiles,
                                         HUBER_DELTA)
        self.failure: NonFiniteLossError | None = None
        self.curve: list[float] = []
        self.scores: list[float] = []
        self.best_loss, self.best_score, self.best_params = np.inf, -np.inf, None
        self.no_improvement = 0
        self.step = 0


def _run_epoch(run: _Run, epoch: int) -> float | None:
    """One pass of mini-batches; the mean loss, or None when a step failed."""
    cfg = run.config
    order = run.order_rng.permutation(run.N)[:run.per_epoch]
    total = 0.0
    for start in range(0, run.per_epoch, run.batch):
        idx = order[start:start + run.batch]
        if cfg.learning_rate == "cosine":
            run.optimizer.lr = cosine_lr(float(cfg.learning_rate_init), run.step,
                                         run.total_steps)
        run.step += 1
        Xb, Yb = run.source.batch(idx)
        run.monitor.observe_batch(Yb, epoch)
        try:
            value, _ = train_step(run.net, run.params, run.optimizer, Xb, Yb, loss=run.loss,
                                  huber_delta=HUBER_DELTA, clip_grad_norm=cfg.clip_grad_norm,
                                  seed=run.seed, step=run.step, workspace=run.workspace,
                                  **({} if run.quantiles is None
                                     else {"quantiles": run.quantiles}))
        except NonFiniteLossError as err:
            run.failure = NonFiniteLossError(
                f"{run.who}: the training loss became non-finite (NaN or inf) in epoch "
                f"{epoch + 1}: {err} Training diverged; lower learning_rate_init, set "
                "clip_grad_norm, scale the inputs or use dtype='float64'. The estimator was "
                "left as it was before this fit (previous weights kept)."
            )
            run.failure.__cause__ = err
            return None
        run.monitor.observe_step(value)
        total += value * len(idx)
    return total / run.per_epoch


def _validate(run: _Run, validation: Validation, epoch: int, logs: dict) -> None:
    """Score the current weights on the held-out data; keep the best ones."""
    raw = run.net.predict(run.params, validation.X)
    if not np.isfinite(raw).all():
        raise NonFiniteLossError(
            f"{run.who}: the validation predictions became non-finite (NaN or inf) in "
            f"epoch {epoch + 1}; training diverged. Lower learning_rate_init or set "
            "clip_grad_norm. The estimator was left as it was before this fit."
        )
    score = float(validation.score(validation.Y, raw))
    run.scores.append(score)
    logs["val_loss"] = numpy_loss(run.loss, raw, validation.Y, run.quantiles)
    logs["val_score"] = score
    if score < run.best_score + run.config.tol:
        run.no_improvement += 1
    else:
        run.no_improvement = 0
    if score > run.best_score:
        run.best_score, run.best_params = score, run.params.copy()


def _should_stop(run: _Run, epoch_loss: float, validate: bool) -> bool:
    """Count epochs without improvement; True when there were too many."""
    if not validate:
        if epoch_loss > run.best_loss - run.config.tol:
            run.no_improvement += 1
        else:
            run.no_improvement = 0
    run.best_loss = min(run.best_loss, epoch_loss)
    return run.no_improvement > run.config.n_iter_no_change


def _finish(run: _Run, validate: bool, n_threads: int) -> TrainingResult:
    """The weights to keep (:meth:`DivergenceMonitor.verdict`) and the record."""
    params = run.params
    if validate and run.best_params is not None:
        params = run.best_params
    params, message = run.monitor.verdict(params, run.curve, run.failure,
                                          keep_params=validate, who=run.who,
                                          learning_rate_init=run.config.learning_rate_init)
    if message is not None:
        # the frame it named before the move: _finish, train, _train_network, caller, its caller
        warnings.warn(message, ConvergenceWarning, stacklevel=5)
    return TrainingResult(
        params=params,
        loss_curve=run.curve,
        validation_scores=run.scores if validate else None,
        best_validation_score=run.best_score if validate else None,
        best_loss=float(run.best_loss),
        n_iter=len(run.curve),
        n_threads=n_threads,
        target_bound=run.monitor.target_bound,
    )


def train(net: RecurrentNetwork, params: np.ndarray, data: Any, *, loss: str, seed: int,
          config: TrainConfig, quantiles: Any = None, validation: Validation | None = None,
          callbacks: Iterable[Callback] = (), who: str = "model") -> TrainingResult:
    """Train a copy of ``params`` on a batch source.

    Parameters
    ----------
    net : RecurrentNetwork
    params : ndarray of shape (net.n_params,)
        Starting weights (not modified).
    data : ArraySource or batch source
        An :class:`ArraySource` is checked against ``net`` first; any other
        object with ``n_samples`` and ``batch(idx)`` must give network-ready
        batches.
    loss : {"mse", "mae", "huber", "cross_entropy", "pinball"}
    seed : int
        Seeds the batch order and the dropout masks.
    config : TrainConfig
    quantiles : array-like of shape (Q,) or None
        Levels of ``loss="pinball"`` (only then).
    validation : Validation or None
        Held-out data: early stopping on its score, best epoch's weights kept.
    callbacks : iterable of Callback
        Called after the progress bar (which ``config.verbose`` shows).
    who : str
        Name used in messages.

    Returns
    -------
    TrainingResult

    Raises
    ------
    NonFiniteLossError, TrainingDivergedError
        When no epoch is usable (:class:`DivergenceMonitor`); ``params`` is
        never modified.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.nn import RecurrentNetwork
    >>> from rnnforecast.nn.loop import ArraySource, TrainConfig, train
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 6, 1)).astype(np.float32)
    >>> net = RecurrentNetwork("gru", input_size=1, hidden_size=4, output_size=1)
    >>> result = train(net, net.init_params(0), ArraySource(X, X[:, -1]), loss="mse",
    ...                seed=0, config=TrainConfig(learning_rate_init=0.01, max_iter=20,
    ...                                           n_jobs=1))
    >>> result.n_iter, result.loss_curve[-1] < result.loss_curve[0]
    (20, True)
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig; got {type(config).__name__}.")
    quantiles = _loss_quantiles(loss, quantiles)
    source = data.checked(net, loss) if isinstance(data, ArraySource) else data
    run = _Run(net, params, source, loss, seed, config, quantiles, who)
    callbacks = [ProgressBar(who, config.verbose), *callbacks]
    prepare_kernels(net, loss=loss, solver=config.solver, quantiles=quantiles,
                    verbose=config.verbose,  # compile before the bar: no ETA with the JIT in it
                    predict=validation is not None)  # else predict() compiles its kernel
    for cb in callbacks:
        cb.on_train_begin(int(config.max_iter))
    validate = validation is not None
    try:
        with kernel_threads(config.n_jobs) as n_threads:
            for epoch in range(int(config.max_iter)):
                epoch_loss = _run_epoch(run, epoch)
                if epoch_loss is None:
                    break
                run.curve.append(epoch_loss)
                run.monitor.end_epoch(epoch, epoch_loss, run.params)
                logs = {"loss": epoch_loss}
                if validate:
                    _validate(run, validation, epoch, logs)
                stop = _should_stop(run, epoch_loss, validate)
                for cb in callbacks:
                    cb.on_epoch_end(epoch, logs)
                if stop:
                    break
    finally:
        for cb in callbacks:
            cb.on_train_end()
    return _finish(run, validate, n_threads)
