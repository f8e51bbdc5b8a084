"""Losses, gradient clipping, optimisers, one training step and the divergence rule.

The training loop is :func:`rnnforecast.nn.loop.train`.

Everything here works on the flat parameter vector of a
:class:`~rnnforecast.nn.network.RecurrentNetwork`.  A step whose loss or
gradient is not finite raises :class:`NonFiniteLossError` *before* the
parameters are touched, so the previous weights stay intact.
"""

from __future__ import annotations

import math

import numpy as np

from .._kernels import losses as kloss
from .._kernels import optim as kopt
from ..utils.validation import check_quantile_levels

LOSSES = ("mse", "mae", "huber", "cross_entropy", "pinball")


class TrainingDivergedError(FloatingPointError, ValueError):
    """Training diverged: the fitted network would be unusable.

    Raised by the ``fit`` of the neural estimators and forecasters when the
    loss exploded and no epoch gave usable weights (the model is then left
    as it was before the fit).  A :class:`ValueError` (a bad parameter value,
    usually ``learning_rate_init``, caused it) and a
    :class:`FloatingPointError`.

    Examples
    --------
    >>> from rnnforecast.nn.training import NonFiniteLossError, TrainingDivergedError
    >>> issubclass(TrainingDivergedError, ValueError)
    True
    >>> issubclass(NonFiniteLossError, TrainingDivergedError)
    True
    """


class NonFiniteLossError(TrainingDivergedError):
    """Training produced a non-finite loss or gradient; parameters were left unchanged.

    Raised by :func:`train_step` (hence by every ``fit`` of the neural
    estimators and forecasters) before the parameters are updated.  A
    subclass of :class:`TrainingDivergedError`, hence of
    :class:`FloatingPointError` and :class:`ValueError`.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.nn import RecurrentNetwork
    >>> from rnnforecast.nn.training import NonFiniteLossError, make_optimizer, train_step
    >>> net = RecurrentNetwork("rnn", input_size=1, hidden_size=2, dtype=np.float64)
    >>> params = net.init_params(seed=0)
    >>> before = params.copy()
    >>> opt = make_optimizer("adam", net.n_params, net.dtype, 0.01)
    >>> X, Y = np.zeros((2, 3, 1)), np.array([[np.inf], [0.0]])
    >>> try:
    ...     train_step(net, params, opt, X, Y)
    ... except NonFiniteLossError as exc:
    ...     print(exc)  # doctest: +NORMALIZE_WHITESPACE
    training loss became inf at step 0; the parameters were left at their
    values before this step.
    >>> np.array_equal(params, before)
    True
    >>> issubclass(NonFiniteLossError, FloatingPointError)
    True
    """



def compute_loss(loss, pred, target, huber_delta=1.0, quantiles=None):
    """Loss value (float) and its gradient w.r.t. ``pred``.

    Parameters
    ----------
    loss : {"mse", "mae", "huber", "cross_entropy", "pinball"}
        Loss function (mean over all elements, or over samples for
        "cross_entropy").
    pred : ndarray of shape (N, O) or (N, T, O)
        Network outputs, float32 or float64.
    target : ndarray
        Like ``pred`` (float), or int64 (N,) class labels for
        "cross_entropy" (``pred`` then holds logits (N, C)).  For "pinball",
        ``target`` has the shape of ``pred`` except that its last axis is
        ``S = O / Q`` (a (N,) target is taken as (N, 1)).
    huber_delta : float, default=1.0
        Threshold (> 0) of the "huber" loss; unused by the other losses.
    quantiles : array-like of shape (Q,) or None
        Quantile levels of the "pinball" loss (required for it, refused for
        the other losses): finite, strictly inside (0, 1), strictly
        increasing.  Output ``s*Q + j`` of the last axis of ``pred`` predicts
        the quantile ``quantiles[j]`` of target ``s``.

    Returns
    -------
    value : float
        Mean loss (float64).
    grad : ndarray like ``pred``
        Gradient of ``value`` w.r.t. ``pred``, in ``pred``'s dtype.

    Raises
    ------
    ValueError
        For an unknown ``loss``, missing/invalid ``quantiles`` or a
        ``pred``/``target`` shape mismatch of the pinball loss.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.nn.training import compute_loss
    >>> pred, target = np.array([[1.0], [2.0]]), np.array([[0.0], [2.0]])
    >>> value, grad = compute_loss("mse", pred, target)
    >>> value
    0.5
    >>> grad.ravel()
    array([1., 0.])

    Pinball loss: one output per quantile level for a single target.

    >>> value, grad = compute_loss("pinball", np.array([[1.0, 2.0, 3.0]]), np.array([2.5]),
    ...                            quantiles=[0.1, 0.5, 0.9])
    >>> round(value, 4), grad.shape
    (0.15, (1, 3))
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r} instead.")
    q = _loss_quantiles(loss, quantiles)
    if q is not None:
        return _pinball(pred, target, q)
    p2 = pred.reshape(pred.shape[0], -1) if pred.ndim != 2 else pred
    grad = np.empty_like(p2)
    if loss == "cross_entropy":
        value = kloss.cross_entropy_loss(p2, target, grad)
    else:
        t2 = target.reshape(p2.shape)
        if loss == "mse":
            value = kloss.mse_loss(p2, t2, grad)
        elif loss == "mae":
            value = kloss.mae_loss(p2, t2, grad)
        else:
            value = kloss.huber_loss(p2, t2, float(huber_delta), grad)
    return value, grad.reshape(pred.shape)


def _loss_quantiles(loss, quantiles):
    """Validated quantile levels for ``loss="pinball"``; None for the other losses."""
    if loss == "pinball":
        if quantiles is None:
            raise ValueError("loss='pinball' needs the quantile levels: pass quantiles, e.g. "
                             "quantiles=[0.1, 0.5, 0.9]; got None.")
        return check_quantile_levels(quantiles)
    if quantiles is not None:
        raise ValueError(f"quantiles is only used by loss='pinball'; got quantiles={quantiles!r} "
                         f"with loss={loss!r}. Pass quantiles=None.")
    return None


def _pinball(pred, target, q):
    """Shape-checked call of the pinball kernel with validated levels ``q``."""
    Q = q.size
    pred = np.asarray(pred)
    target = np.asarray(target)
    if pred.dtype not in (np.float32, np.float64):
        raise TypeError(f"pred must be float32 or float64 for loss='pinball'; got dtype "
                        f"{pred.dtype}.")
    if pred.ndim < 2 or pred.shape[0] == 0 or pred.shape[-1] % Q:
        raise ValueError(f"loss='pinball' with Q={Q} quantiles needs pred of shape (N, S*Q) or "
                         f"(N, T, S*Q) with N >= 1 (last axis a multiple of {Q}); got pred of "
                         f"shape {pred.shape}.")
    if target.ndim == 1 and pred.ndim == 2:
        target = target.reshape(-1, 1)
    expected = pred.shape[:-1] + (pred.shape[-1] // Q,)
    if target.shape != expected:
        raise ValueError(f"loss='pinball' with Q={Q} quantiles needs pred with S*Q columns "
                         f"where target has S: for pred of shape {pred.shape} target must have "
                         f"shape {expected}; got target of shape {target.shape}.")
    N = pred.shape[0]
    p2 = np.ascontiguousarray(pred.reshape(N, -1))
    t2 = np.ascontiguousarray(target.reshape(N, -1), dtype=p2.dtype)
    grad = np.empty_like(p2)
    value = kloss.pinball_loss(p2, t2, q, grad)
    return value, grad.reshape(pred.shape)


def clip_gradients(grad, clip_grad_norm=None, clip_grad_value=None) -> float:
    """Clip ``grad`` in place; returns the global L2 norm before clipping.

    By value first (``torch.nn.utils.clip_grad_value_``), then by global norm
    (``clip_grad_norm_``: scale by ``max_norm / (norm + 1e-6)`` when below 1).
    """
    if clip_grad_value is not None:
        kopt.clip_inplace(grad, float(clip_grad_value))
    norm = math.sqrt(kopt.sum_of_squares(grad))
    if clip_grad_norm is not None:
        coef = float(clip_grad_norm) / (norm + 1e-6)
        if coef < 1.0:
            kopt.scale_inplace(grad, coef)
    return norm


class Adam:
    """Adam (``torch.optim.Adam`` semantics, L2 ``weight_decay``) on a flat vector."""

    def __init__(self, n_params, dtype, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                 weight_decay=0.0):
        self.lr, self.beta1, self.beta2, self.eps = float(lr), float(beta1), float(beta2), float(eps)
        self.weight_decay = float(weight_decay)
        self.m = np.zeros(n_params, dtype=dtype)
        self.v = np.zeros(n_params, dtype=dtype)
        self.t = 0

    def step(self, params, grad):
        self.t += 1
        kopt.adam_update(params, grad, self.m, self.v, self.lr, self.beta1, self.beta2, self.eps,
                         self.t, self.weight_decay)


class SGD:
    """SGD with momentum (``torch.optim.SGD`` semantics, no dampening)."""

    def __init__(self, n_params, dtype, lr=1e-2, momentum=0.9, weight_decay=0.0, nesterov=False):
        self.lr, self.momentum = float(lr), float(momentum)
        self.weight_decay, self.nesterov = float(weight_decay), bool(nesterov)
        self.buf = np.zeros(n_params, dtype=dtype)
        self.t = 0

    def step(self, params, grad):
        self.t += 1
        kopt.sgd_update(params, grad, self.buf, self.lr, self.momentum, self.weight_decay,
                        self.nesterov, self.t == 1)


def make_optimizer(solver, n_params, dtype, learning_rate, **kwargs):
    """``Adam`` for ``solver="adam"``, ``SGD`` for ``"sgd"``."""
    if solver == "adam":
        return Adam(n_params, dtype, lr=learning_rate, **kwargs)
    if solver == "sgd":
        return SGD(n_params, dtype, lr=learning_rate, **kwargs)
    raise ValueError(f"solver must be 'adam' or 'sgd'; got {solver!r} instead.")


def train_step(net, params, optimizer, X, Y, *, loss="mse", huber_delta=1.0, clip_grad_norm=None,
               clip_grad_value=None, seed=0, step=0, quantiles=None, workspace=None):
    """One optimisation step in place on ``params``; returns (loss, gradient norm).

    ``X``/``Y`` must be validated already.  ``quantiles`` (the levels of
    ``loss="pinball"``) is passed to :func:`compute_loss`; the network then
    has ``S * Q`` outputs for ``S`` targets.  ``workspace`` (a
    :class:`~rnnforecast.nn._workspace.Workspace`) keeps the step's large arrays for the next
    step.  Raises :class:`NonFiniteLossError`
    (parameters untouched) when the loss or the gradient is not finite.
    """
    fr = net.forward(params, X, training=True, seed=seed, step=step, check_input=False,
                     workspace=workspace)
    value, dpred = compute_loss(loss, fr.output, Y, huber_delta, quantiles)
    if not math.isfinite(value):
        raise NonFiniteLossError(f"training loss became {value} at step {step}; the parameters "
                                 "were left at their values before this step.")
    grad, _ = net.backward(params, fr, dpred)
    if not kopt.all_finite(grad):
        raise NonFiniteLossError(f"the gradient became non-finite at step {step} (loss {value:.6g});"
                                 " the parameters were left at their values before this step.")
    norm = clip_gradients(grad, clip_grad_norm, clip_grad_value)
    optimizer.step(params, grad)
    return value, norm


class DivergenceMonitor:
    """Watches a training run and judges whether it diverged.

    The rule, on the scale the network is trained on:

    * *baseline*: the loss of a constant zero output over the samples of the
      first epoch (the targets' centre for standardised targets, the level
      of the window for window scalers, uniform probabilities for
      cross-entropy): what a sane constant forecast costs.
    * *reference*: ``max(baseline, min(initial, 1))`` where ``initial`` is
      the loss of the untrained network on the first mini-batch; the floor
      matters only when the targets are (nearly) all zero, where a constant
      forecast costs nothing and the untrained network little, and is
      capped at 1, the variance of standardised targets.
    * *usable* loss: finite and at most ``factor * reference``, where
      ``factor`` is 10 for ``"mse"`` and ``sqrt(10)`` for the losses linear
      in the error (``"mae"``, ``"huber"``, ``"pinball"``,
      ``"cross_entropy"``): errors about three times those of a constant
      forecast.  A sound run's first epoch costs at most about the
      reference, while ``learning_rate_init=10`` gives from tens to 1e11
      times it.
    * *no usable weights*: the best epoch loss is not usable: training
      diverged from the start; the fit must fail.
    * *blow-up*: the last epoch's loss is not usable, or exceeds ``factor``
      times the best one *and* the baseline: training went well, then
      exploded; the weights of the best epoch should be restored.

    It also records ``target_bound``, the largest absolute training target
    (float targets only), against which predictions are judged plausible.

    Parameters
    ----------
    loss : str
        As for :func:`compute_loss`.
    output_size : int
        Outputs of the network.
    dtype : numpy dtype
        Of the network.
    quantiles : ndarray or None
        Levels of ``loss="pinball"``.
    huber_delta : float, default=1.0

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.nn.training import DivergenceMonitor
    >>> m = DivergenceMonitor("mse", 1, np.float64)
    >>> m.observe_batch(np.array([[1.0], [-1.0]]), epoch=0)  # baseline: mean(y**2) = 1
    >>> m.observe_step(1.3)  # loss of the untrained network on the first batch
    >>> m.end_epoch(0, 0.5, np.zeros(3))
    >>> m.end_epoch(1, 40.0, np.ones(3))
    >>> m.baseline, m.usable(m.best_loss), m.blew_up(40.0), m.best_epoch
    (1.0, True, True, 0)
    >>> m.usable(11.0)  # more than 10 times a constant forecast
    False
    """

    def __init__(self, loss, output_size, dtype, quantiles=None, huber_delta=1.0):
        self.loss, self.output_size, self.dtype = loss, int(output_size), dtype
        self.quantiles, self.huber_delta = quantiles, huber_delta
        self.factor = 10.0 if loss == "mse" else math.sqrt(10.0)
        self.initial_loss = None
        self._baseline_total, self._baseline_n = 0.0, 0
        self.best_loss, self.best_epoch, self.best_params = math.inf, None, None
        self.target_bound = None if loss == "cross_entropy" else 0.0

    def observe_batch(self, Y, epoch):
        """Record a batch of targets (before its training step)."""
        if epoch == 0:
            zeros = np.zeros((Y.shape[0], self.output_size), dtype=self.dtype)
            value, _ = compute_loss(self.loss, zeros, Y, self.huber_delta, self.quantiles)
            self._baseline_total += float(value) * Y.shape[0]
            self._baseline_n += Y.shape[0]
        if self.target_bound is not None and Y.size:
            self.target_bound = max(self.target_bound, float(np.max(np.abs(Y))))

    def observe_step(self, value):
        """Record a training step's loss (the first one is the untrained network's)."""
        if self.initial_loss is None:
            self.initial_loss = float(value)

    def end_epoch(self, epoch, epoch_loss, params):
        """Record an epoch's mean loss and the parameters at its end."""
        if math.isfinite(epoch_loss) and epoch_loss < self.best_loss:
            self.best_loss, self.best_epoch = float(epoch_loss), int(epoch)
            self.best_params = np.array(params, copy=True)

    @property
    def baseline(self):
        """Loss of a constant zero output (mean over the first epoch's samples)."""
        return self._baseline_total / self._baseline_n if self._baseline_n else math.nan

    def _reference(self):
        init = self.initial_loss
        floor = min(init, 1.0) if init is not None and math.isfinite(init) else 1.0
        b = self.baseline
        return max(b, floor) if math.isfinite(b) else max(floor, 1e-12)

    def usable(self, value):
        """Whether a loss ``value`` is within ``factor`` times the reference loss."""
        return math.isfinite(value) and value <= self.factor * self._reference()

    def blew_up(self, final_loss):
        """Whether the last epoch lost what the best one had learned."""
        return (not self.usable(final_loss)) or (
            final_loss > self.factor * self.best_loss
            and final_loss > (self.baseline if math.isfinite(self.baseline) else 1.0))

    def verdict(self, params, curve, failure=None, *, keep_params=False, who="model",
                learning_rate_init=None):
        """The weights to keep after training, and a warning to give (or None).

        Parameters
        ----------
        params : ndarray
            Weights at the end of training (or of the best validation epoch).
        curve : list of float
            Mean training loss of every completed epoch.
        failure : NonFiniteLossError or None
            The error that stopped training, if any.
        keep_params : bool, default=False
            Return ``params`` rather than the best training epoch's weights
            when restoring (early stopping already chose its best epoch).
        who : str
            The model, for the messages.
        learning_rate_init : float or None
            Quoted in the messages.

        Returns
        -------
        params : ndarray
            ``params``, or a copy of the best epoch's weights after a
            non-finite loss/weights or a blow-up (see the class docstring).
        warning : str or None
            What happened, when weights were restored.

        Raises
        ------
        NonFiniteLossError, TrainingDivergedError
            When no epoch gave usable weights.
        """
        lr = learning_rate_init
        if failure is None and not np.isfinite(params).all():
            failure = NonFiniteLossError(
                f"{who}: the weights became non-finite (NaN or inf) in the last training "
                "step. Training diverged; lower learning_rate_init or set clip_grad_norm. "
                "The estimator was left as it was before this fit (previous weights kept).")
        if not self.usable(self.best_loss):
            if failure is not None:
                raise failure
            raise TrainingDivergedError(
                f"{who}: training diverged: the best epoch's training loss "
                f"({self.best_loss:.3g}) is more than {self.factor:.3g} times "
                f"{self._reference():.3g}, the loss of a constant forecast or of the "
                "untrained network (on the scale the network is trained on), so the "
                "weights are unusable. Lower "
                f"learning_rate_init (got {lr}), set clip_grad_norm, or scale the inputs. "
                "The estimator was left as it was before this fit.")
        final = curve[-1] if curve and failure is None else math.inf
        if not self.blew_up(final):
            return params, None
        what = (f"the training loss became non-finite in epoch {len(curve) + 1}, which "
                "stopped training" if failure is not None else
                f"the training loss exploded from {self.best_loss:.3g} (epoch "
                f"{self.best_epoch + 1}) to {final:.3g} (epoch {len(curve)})")
        message = (f"{who}: {what}; the weights of the best epoch ({self.best_epoch + 1}) "
                   f"were restored. Lower learning_rate_init (got {lr}) or set "
                   "clip_grad_norm.")
        if keep_params:
            return params, message
        return np.array(self.best_params, dtype=params.dtype, copy=True), message
