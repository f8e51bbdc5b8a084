"""Windows of the neural forecasters: the sampler and the per-window transforms.

:class:`WindowSampler` holds the list of valid windows of all series (series
of unequal lengths, no padding) and builds a mini-batch of windows on demand,
so that the windows of a whole panel are never materialised at once (memory:
the per-series feature rows plus one batch).  :class:`WindowTransform` is
applied to every window (and its targets) on the way into the network, and
inverted on the way out:

* **window scaling** (``scaler="window"`` or ``"window_log"``): each window
  is divided by its own level ``s`` = the mean of its last
  ``seasonal_period`` values (the last value without a period), then
  ``x / s - 1`` or ``log(x / s)``; the standardised ``log(s)`` is given to
  the network as an extra input at every step, so the level is not lost.
  Suited to collections of positive series with trends and very different
  levels (the M4 recipe).  The targets are scaled by the same ``s``.  Series
  whose relative changes are tiny (a level far from zero: 1e6 + a signal of
  amplitude 1) would give the network values of ~1e-6, below the precision
  its outputs reach (measured: an error floor of ~4e-4 in these units, which
  the inverse multiplies by the level: a forecast error of ~400 at level 1e6,
  against ~0.1 with whole-series standardisation); so the scaled values are
  further divided by ``value_scale`` = ``min(1, rms / MIN_STEP_SCALE)``,
  ``rms`` the root mean square of the training series' one-step log changes
  (pooled), which brings their typical step to ``MIN_STEP_SCALE`` (0.01) and
  leaves every series with larger steps bit-identical (all 414 M4 Hourly
  series, 336 of the 359 Weekly ones, the pooled collections of both, and 34 of the
  41 validation series of the accuracy suite).  Validation split, the 41
  series of both families, 3 seeds: geometric-mean MASE ratio to seasonal
  naive 0.613 -> 0.612 (co2 0.471 -> 0.463, Danish lrm 0.841 -> 0.815); 60 M4 Weekly
  series fitted one at a time 0.778 -> 0.778 (mean MASE 2.158 -> 2.153); dividing every
  series by its ``rms`` instead (no floor) was much worse (0.704).
* **seasonal residual** (``seasonal_period=m`` with the direct strategy): the
  network predicts the deviation from a seasonal base forecast, so an
  untrained network already forecasts like that base.  The base is seasonal
  naive (the last ``m`` scaled values repeated), except where ``m`` is the
  yearly cycle of quarterly, monthly or weekly data (4, 12, 52:
  :data:`AVERAGED_SEASONS`): there it is the last season's mean plus the
  seasonal profile averaged over the window's last three whole seasons
  (each season's values minus that season's mean; fewer when the window
  holds fewer), the seasonal indices of a classical decomposition over three
  years, which do not copy one year's noise into every forecast.  Intraday
  and daily cycles (24, 48, 7) keep the last cycle: consecutive days differ
  systematically (weekdays, weather), and averaging them was worse.
  Validation split (no test data), 3 seeds: the 18 series of the third
  validation family (``benchmarks/_extra_series.py``, ``rdata``) 0.814 ->
  0.797 geometric-mean MASE ratio to seasonal naive when averaging every
  period (Nottingham temperature 1.03 -> 0.85, UK driver deaths 1.02 ->
  0.81, UK gas 1.03 -> 0.98); the 41 series of the first two families
  0.607 -> 0.598 (El Nino 0.56 -> 0.46, electrical equipment 0.79 -> 0.75,
  wine sales 0.96 -> 0.88) but the half-hourly electricity demand 0.240 ->
  0.252, and 69 M4 Hourly series fitted one at a time 0.695 -> 0.712: hence
  yearly cycles only.  Two seasons were worse than three (0.801, 0.606),
  every season of the window too (0.797, 0.605).  The adopted rule: 0.799
  and 0.597 on those families, M4 Hourly and the half-hourly series
  bit-identical, 60 M4 Weekly series one at a time 0.763 -> 0.758
  (``benchmarks/results/accuracy_val_variants_s6.md``).  It applies to an
  explicit ``seasonal_period`` of 4, 12 or 52 as well.
* **patching** (``patch_length=p``): ``p`` consecutive time steps are read as
  one network step with ``p`` times the features: a window of 168 hourly
  values becomes 7 steps of 24, which is 24 times cheaper to train.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnforecast.forecasting.neural.checks import window_mode

__all__ = ["AVERAGED_SEASONS", "MIN_STEP_SCALE", "TransformedSource", "WindowSampler", "WindowTransform",
           "make_transform", "roll_forward", "value_scale"]

#: Smallest typical step the network sees after window scaling: when the root mean square of
#: the one-step log changes of the training series is below it, the window-scaled values are
#: divided by ``rms / MIN_STEP_SCALE`` (see the module docstring).
MIN_STEP_SCALE = 0.01
#: Seasons averaged into the seasonal residual's base, per seasonal period (the yearly cycle
#: of quarterly, monthly and weekly data); other periods: 1, seasonal naive (see the module
#: docstring).
AVERAGED_SEASONS: dict[int, int] = {4: 3, 12: 3, 52: 3}


class WindowTransform:
    """Transform of network windows ``(B, w, F)`` whose first ``k`` channels are series.

    Parameters
    ----------
    k : int
        Number of series channels (the first ``k`` input features; the
        targets are ``steps * k`` values per window, step-major).
    steps : int
        Target steps per window.
    patch_length : int
        Time steps per network step (divides the window length).
    mode : {None, "window", "window_log"}
        Window scaling (see the module docstring).
    level_length : int
        Number of last values whose mean is the window level.
    seasonal_period : int or None
        Seasonal residual period (None: off).
    level_stats : tuple of float
        Mean and standard deviation of ``log(level)`` over the training
        windows' series (standardises the level input).
    value_scale : float, default=1.0
        Divisor of the window-scaled values and targets (:func:`value_scale`).
    base_seasons : int, default=1
        Whole seasons of the window whose mean seasonal profile, added to
        the last season's mean, is the seasonal residual's base (1:
        seasonal naive; at most the seasons the window holds).
    """

    #: models pickled before the value scale existed load with 1.0 (their behaviour)
    value_scale = 1.0
    #: models pickled before the averaged base existed load with 1 (seasonal naive, their behaviour)
    base_seasons = 1

    def __init__(self, *, k: int, steps: int, patch_length: int = 1, mode: str | None = None,
                 level_length: int = 1, seasonal_period: int | None = None,
                 level_stats: tuple[float, float] = (0.0, 1.0), value_scale: float = 1.0,
                 base_seasons: int = 1):
        self.k = int(k)
        self.steps = int(steps)
        self.patch_length = int(patch_length)
        self.mode = mode
        self.level_length = int(level_length)
        self.seasonal_period = None if seasonal_period is None else int(seasonal_period)
        self.level_stats = (float(level_stats[0]), float(level_stats[1]))
        self.value_scale = float(value_scale)
        self.base_seasons = int(base_seasons)

    @property
    def is_identity(self) -> bool:
        return self.mode is None and self.seasonal_period is None and self.patch_length == 1

    def same_as(self, other: "WindowTransform") -> bool:
        """Whether ``other`` transforms every window exactly as this one."""
        return vars(self) == vars(other)

    def n_inputs(self, n_features: int) -> int:
        """Network input size for windows of ``n_features`` features."""
        extra = self.k if self.mode is not None else 0
        return n_features * self.patch_length + extra

    def _normalise(self, values: np.ndarray, level: np.ndarray) -> np.ndarray:
        ratio = values / level
        return (np.log(ratio) if self.mode == "window_log" else ratio - 1.0) / self.value_scale

    def _season(self, Xk: np.ndarray, m: int) -> np.ndarray:
        """One season of the base ``(B, m, k)`` from the scaled series channels ``(B, w, k)``."""
        B, w, k = Xk.shape
        n = min(self.base_seasons, w // m)
        if n <= 1:
            return Xk[:, w - m:]
        blocks = Xk[:, w - n * m:].reshape(B, n, m, k)
        profile = (blocks - blocks.mean(axis=2, keepdims=True)).mean(axis=1)
        return blocks[:, -1].mean(axis=1, keepdims=True) + profile

    def transform(self, X: np.ndarray, Y: np.ndarray | None = None):
        """Network inputs, targets and the state needed by :meth:`inverse`.

        Parameters
        ----------
        X : ndarray of shape (B, w, F)
        Y : ndarray of shape (B, steps * k) or None

        Returns
        -------
        Xn : ndarray of shape (B, w / patch_length, n_inputs(F)), dtype of X
        Yn : ndarray of shape (B, steps * k) or None
        state : tuple
            ``(level (B, k) or None, base (B, steps, k) or None)``.
        """
        dt = X.dtype
        B, w, F = X.shape
        k = self.k
        Xf = X.astype(np.float64)
        level = base = None
        if self.mode is not None:
            level = Xf[:, w - self.level_length:, :k].mean(axis=1)
            Xf = Xf.copy()
            Xf[:, :, :k] = self._normalise(Xf[:, :, :k], level[:, None, :])
        if self.seasonal_period is not None:
            m = self.seasonal_period
            reps = -(-self.steps // m)
            base = np.tile(self._season(Xf[:, :, :k], m), (1, reps, 1))[:, :self.steps, :]
        p = self.patch_length
        Xn = Xf.reshape(B, w // p, p * F)
        if self.mode is not None:
            mu, sd = self.level_stats
            lev = (np.log(level) - mu) / sd
            Xn = np.concatenate([Xn, np.repeat(lev[:, None, :], w // p, axis=1)], axis=2)
        Yn = None
        if Y is not None:
            Yf = Y.astype(np.float64).reshape(B, self.steps, k)
            if level is not None:
                Yf = self._normalise(Yf, level[:, None, :])
            if base is not None:
                Yf = Yf - base
            Yn = np.ascontiguousarray(Yf.reshape(B, self.steps * k), dtype=dt)
        return np.ascontiguousarray(Xn, dtype=dt), Yn, (level, base)

    def inverse(self, out: np.ndarray, state: tuple, n_quantiles: int = 1) -> np.ndarray:
        """Network outputs ``(B, steps * k * Q)`` back to values ``(B, steps, k, Q)``."""
        level, base = state
        B = out.shape[0]
        z = np.asarray(out, dtype=np.float64).reshape(B, self.steps, self.k, n_quantiles)
        if base is not None:
            z = z + base[:, :, :, None]
        if level is not None:
            lv = level[:, None, :, None]
            z = z * self.value_scale
            z = np.exp(z) * lv if self.mode == "window_log" else (z + 1.0) * lv
        return z


class TransformedSource:
    """Batch source applying a :class:`WindowTransform` to another source's batches."""

    def __init__(self, source, transform: WindowTransform):
        self.source = source
        self.transform = transform
        self.n_samples = source.n_samples

    def batch(self, idx: np.ndarray):
        X, Y = self.source.batch(idx)
        Xn, Yn, _ = self.transform.transform(X, Y)
        return Xn, Yn


def value_scale(arrays: list) -> float:
    """Divisor of the window-scaled values: ``min(1, g / MIN_STEP_SCALE)``, ``g`` the root mean
    square of the one-step log changes of the training series (pooled); 1 when ``g`` is not
    positive and finite."""
    d = [np.diff(np.log(np.asarray(a, dtype=np.float64))) for a in arrays]
    d = np.concatenate(d) if d else np.empty(0)
    g = float(np.sqrt(np.mean(d * d))) if d.size else 0.0
    if not (np.isfinite(g) and g > 0.0):
        return 1.0
    return min(1.0, g / MIN_STEP_SCALE)


def make_transform(p: dict, k: int, steps: int, arrays: list) -> WindowTransform:
    """The :class:`WindowTransform` of the fitted parameters ``p`` for ``k`` series
    channels (``arrays``: the training values, for the level statistics)."""
    mode = window_mode(p)
    stats = (0.0, 1.0)
    scale = 1.0
    if mode is not None:
        logs = np.array([np.log(np.mean(a)) for a in arrays])
        sd = float(np.std(logs))
        stats = (float(np.mean(logs)), sd if sd > 1e-8 else 1.0)
        scale = value_scale(arrays)
    m = None if p["seasonal_period"] is None else int(p["seasonal_period"])
    return WindowTransform(k=k, steps=steps, patch_length=int(p["patch_length"]),
                           mode=mode,
                           level_length=m or 1, seasonal_period=m, level_stats=stats,
                           value_scale=scale, base_seasons=AVERAGED_SEASONS.get(m or 1, 1))


class WindowSampler:
    """Windows of many series, built per mini-batch.

    Parameters
    ----------
    rows : list of ndarray of shape (n_i, F)
        Per series, the network input of every time step (network dtype).
    targets : list of ndarray of shape (n_i, c)
        Per series, the (scaled) values to predict (network dtype).
    window_length : int
        Time steps per window.
    steps : int
        Target steps after the window end (1 recursive, horizon direct).
    ends : list of ndarray of int64
        Per series, the time index of the last step of every usable window
        (``window_length - 1 <= t <= n_i - steps - 1``).

    Attributes
    ----------
    n_samples : int
        Total number of windows.
    """

    def __init__(self, rows: list, targets: list, window_length: int, steps: int, ends: list):
        self.rows = rows
        self.targets = targets
        self.window_length = int(window_length)
        self.steps = int(steps)
        self.ends = ends
        counts = np.array([len(e) for e in ends], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(counts)])
        self.n_samples = int(self.offsets[-1])
        # window number -> window end, for all series at once
        self._all_ends = (np.concatenate(ends).astype(np.int64) if self.n_samples
                          else np.empty(0, dtype=np.int64))
        self.n_features = int(rows[0].shape[1])
        self.n_outputs = int(targets[0].shape[1]) * self.steps
        self.dtype = rows[0].dtype

    def locate(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Series number and window end of the global window numbers ``idx``."""
        series = np.searchsorted(self.offsets, idx, side="right") - 1
        return series, self._all_ends[idx]

    def batch(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inputs ``(B, window_length, F)`` and targets ``(B, steps * c)`` of windows ``idx``."""
        idx = np.asarray(idx, dtype=np.int64)
        series, ends = self.locate(idx)
        w, k = self.window_length, self.steps
        X = np.empty((len(idx), w, self.n_features), dtype=self.dtype)
        Y = np.empty((len(idx), self.n_outputs), dtype=self.dtype)
        for b, (s, t) in enumerate(zip(series, ends)):
            X[b] = self.rows[s][t - w + 1:t + 1]
            Y[b] = self.targets[s][t + 1:t + 1 + k].reshape(-1)
        return X, Y

    def materialise(self) -> tuple[np.ndarray, np.ndarray]:
        """All windows at once (small validation sets only)."""
        return self.batch(np.arange(self.n_samples))


def roll_forward(block: Any, feed: Any, state: Any, h: int, block_len: int) -> np.ndarray:
    """``h`` forecast steps from blocks of ``block_len``, each fed back before the next.

    ``block(state, done, block_len)`` forecasts the block after the ``done``
    steps already forecast, ``(n_series, steps, ...)``; ``feed(state, out,
    done)`` returns the state with that block appended.  The recursive
    strategy rolls blocks of 1 step into the scaled histories; an ensemble
    beyond its direct ``horizon_`` rolls blocks of ``horizon_`` member medians.
    """
    parts, done = [], 0
    while done < h:
        out = block(state, done, block_len)[:, :h - done]
        parts.append(out)
        state = feed(state, out, done)
        done += out.shape[1]
    return np.concatenate(parts, axis=1)
