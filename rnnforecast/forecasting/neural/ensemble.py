"""Automatic configuration, ensembles and the statistical fallback of the neural forecasters.

The neural forecasters' parameters default to ``"auto"``.  At ``fit``:

1. **Resolve** (:func:`resolve`): the seasonal period is inferred from the
   index frequency and the data
   (:func:`~rnnforecast.forecasting.auto_config.infer_seasonal_period`), the
   rules of :func:`~rnnforecast.forecasting.auto_config.auto_settings` give a
   value to every ``"auto"`` parameter; a value set by the user always wins.
2. **Members** (:func:`fit_ensemble`): ``n_estimators`` forecasters of the
   same class with every parameter explicit (one network each), differing in
   seed (``numpy.random.SeedSequence(random_state).spawn``) and, when
   ``window_length="auto"``, in input length; trained through joblib
   (``n_jobs``; threads, loky or Dask via ``joblib.parallel_backend``).  Each
   member's result depends only on its parameters and seed, so the ensemble
   is bit-identical for any backend and ``n_jobs``.
3. **Combine** (:func:`forecast`): the median of the members' forecasts
   (their inputs, which do not depend on the weights or the window length,
   are built once per block).  With ``horizon="auto"`` the direct block is
   rolled forward for ``h > horizon_`` (the forecast is appended to the
   history, and each window is re-scaled by its own level).
4. **Fallback**: when the series are too short for the network
   (``AutoSettings.fallback``) or constant, no network is trained: the
   forecaster forecasts with
   :class:`~rnnforecast.baselines.NaiveForecaster` (``"seasonal_last"`` with
   the inferred period, else ``"last"``), reports why in ``fallback_`` and
   warns once.  Never ARIMA.
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from numbers import Integral
from typing import Any

import numpy as np
from joblib import delayed
from sklearn.base import clone
from sklearn.utils import check_random_state

from rnnforecast.baselines.naive import NaiveForecaster
from rnnforecast.forecasting.auto_config import (
    auto_settings,
    infer_panel_seasonal_period,
    infer_seasonal_period,
)
from rnnforecast.forecasting.neural.features import Collection
from rnnforecast.forecasting.neural.windows import roll_forward
from rnnforecast.nn.threads import kernel_threads
from rnnforecast.utils._blas import single_threaded_blas
from rnnforecast.utils._parallel import run_parallel
from rnnforecast.utils.panel import Panel
from rnnforecast.utils.scaled import safe_median

__all__ = ["AUTO_PARAMS", "PRE_AUTO_DEFAULTS", "fit_ensemble", "forecast", "is_auto", "resolve",
           "sub_panel"]

#: Parameters that accept ``"auto"`` (their default).
AUTO_PARAMS = (
    "window_length", "patch_length", "strategy", "horizon", "seasonal_period", "scaler",
    "loss", "learning_rate_init", "learning_rate", "hidden_size", "batch_size", "max_iter",
    "windows_per_epoch", "n_estimators",
)
#: The defaults before "auto" (one recursive network on standardised series):
#: ``LSTMForecaster(**PRE_AUTO_DEFAULTS)`` fits exactly as the 0.x defaults did.
PRE_AUTO_DEFAULTS = dict(
    window_length=24, patch_length=1, strategy="recursive", horizon=None, seasonal_period=None,
    scaler="standard", loss="mse", learning_rate_init=0.01, learning_rate="constant",
    hidden_size=32, batch_size=32, max_iter=50, windows_per_epoch=None, n_estimators=1,
)
_WINDOW_SCALERS = ("window", "window_log")
# What BaseForecaster.fit sets before calling _fit/_fit_panel; members start from it.
_BASE_STATE = ("_y_info_", "_panel_", "_y_fit_", "_X_fit_", "_X_columns_", "n_timesteps_",
               "n_targets_", "n_exog_", "cutoff_", "freq_", "n_series_")
# Fitted by the first member and needed by the ensemble's predict/intervals.
_SHARED_STATE = ("_X_fit_", "_X_columns_", "n_exog_", "_past_idx_", "_future_idx_", "_past_fit_",
                 "_quantile_levels_", "series_ids_", "n_windows_")


def is_auto(value: Any) -> bool:
    """Whether a parameter value is the string ``"auto"``."""
    return isinstance(value, str) and value == "auto"


def _round_up(value: int, multiple: int) -> int:
    return -(-int(value) // int(multiple)) * int(multiple)


def _period(params: dict, values: list, freq: Any, reasons: list) -> int:
    """Seasonal period: explicit, else inferred (1 = none)."""
    sp = params["seasonal_period"]
    if not is_auto(sp):
        return 1 if sp is None else int(sp)
    freq = None if freq is None else str(freq)
    m = (infer_seasonal_period(values[0], freq) if len(values) == 1
         else infer_panel_seasonal_period(values, freq))
    reasons.append(f"seasonal period {m} inferred from "
                   + (f"the frequency {freq!r} and the data" if freq else "the data")
                   + (" (1: no season)" if m == 1 else ""))
    return int(m)


def resolve(est: Any, values: list, freq: Any, n_series: int, has_past: bool,
            has_future: bool = False) -> dict:
    """Explicit parameters for the members of ``est`` (``"auto"`` values replaced).

    Parameters
    ----------
    est : _RecurrentForecaster
    values : list of ndarray of shape (n_i,)
        Every series (a multivariate series: every column).
    freq : str or None
        Frequency of the index.
    n_series : int
        Number of series of a collection (1 for one series).
    has_past : bool
        Whether past-only covariates are used (they rule out the window scalers).
    has_future : bool, default=False
        Whether future-known covariates are used (the recursive strategy then
        forecasts any ``h``).

    Returns
    -------
    dict
        ``params`` (explicit parameters of member 0), ``windows`` (input
        length per member), ``n_estimators``, ``seasonal_period``,
        ``fallback`` (None or the reason) and ``reasons`` (tuple of str).
    """
    p = est.get_params(deep=False)
    reasons: list = []
    m = _period(p, values, freq, reasons)
    lengths = [len(v) for v in values]
    positive = all(bool(np.all(v > 0)) for v in values)
    kwargs = dict(lengths=lengths if n_series > 1 else [max(lengths)], seasonal_period=m,
                  all_positive=positive, n_series=max(n_series, 1))
    try:
        s = auto_settings(**kwargs, freq=None if freq is None else str(freq))
    except TypeError:  # a rules module without the freq keyword
        s = auto_settings(**kwargs)
    reasons.extend(s.reasons)
    m = int(s.seasonal_period) if is_auto(p["seasonal_period"]) else m
    r = dict(p)
    pick = {name: (getattr(s, name) if is_auto(p[name]) else p[name])
            for name in ("learning_rate_init", "learning_rate", "hidden_size", "batch_size",
                         "max_iter", "windows_per_epoch")}
    r.update(pick)
    if is_auto(p["strategy"]):
        r["strategy"] = "recursive" if has_future else "direct"
        if has_future:
            reasons.append("strategy 'recursive': future covariates are read step by step, "
                           "so any h can be forecast")
    direct = r["strategy"] == "direct"
    if is_auto(p["horizon"]):
        r["horizon"] = int(s.horizon) if direct else None
    if is_auto(p["loss"]):
        r["loss"] = "pinball" if p["quantiles"] is not None else s.loss
    if is_auto(p["scaler"]):
        scaler = s.scaler if direct else "standard"
        extreme = not all(1e-30 < np.min(v) and np.max(v) < 1e30 for v in values)
        if scaler in _WINDOW_SCALERS and (not positive or has_past or extreme):
            scaler = "standard"
            reasons.append("scaler 'standard': " + ("past covariates" if has_past else
                                                    "values <= 0" if not positive else
                                                    "values beyond float32's range"))
        r["scaler"] = scaler
    if is_auto(p["seasonal_period"]):
        fits = is_auto(p["window_length"]) or m <= int(p["window_length"])
        r["seasonal_period"] = m if (direct and s.residual and fits) else None
    windows, fallback = _input_lengths(p, r, s, lengths, n_series)
    n_est = int(s.n_estimators) if is_auto(p["n_estimators"]) else int(p["n_estimators"])
    r["n_estimators"] = 1
    r["window_length"] = windows[0]
    constant = all(np.ptp(v) == 0 for v in values)
    if constant and fallback is None:
        fallback = "every series is constant"
    return {"params": r, "windows": windows, "n_estimators": n_est, "seasonal_period": m,
            "fallback": fallback, "reasons": tuple(reasons)}


def _input_lengths(p: dict, r: dict, s: Any, lengths: list, n_series: int) -> tuple:
    """Members' input lengths and the fallback reason; sets ``r["patch_length"]``.

    Every window is a multiple of the patch and holds a whole season (when
    the seasonal residual is on); in a collection no window is longer than
    the typical series (10 % quantile of the lengths, auto_config's
    reference): the shorter series are left to seasonal naive.
    """
    auto_window = is_auto(p["window_length"])
    windows = (list(s.member_window_lengths or (s.window_length,)) if auto_window
               else [int(p["window_length"])])
    if is_auto(p["patch_length"]):
        patch = int(s.patch_length)
        r["patch_length"] = patch if all(w % patch == 0 for w in windows) else 1
    patch = int(r["patch_length"])
    season = int(r["seasonal_period"]) if r["seasonal_period"] is not None else 1
    fallback = s.fallback
    if not auto_window:
        return windows, fallback
    need = _round_up(season, patch)
    windows = [_round_up(max(w, need), patch) for w in windows]
    if n_series > 1 and fallback is None:
        typical = int(np.quantile(lengths, 0.1, method="lower"))
        cap = (typical // patch) * patch
        if cap < need:
            fallback = (f"the typical series (10 % quantile) has {typical} observations, "
                        f"fewer than one input window of {need}")
        windows = sorted({min(w, cap) for w in windows})
    return windows, fallback


def member_seeds(random_state: Any, n: int) -> list:
    """One ``random_state`` per member.

    One member keeps ``random_state`` as given (the same network as an
    explicit single fit).  Several: seeds spawned from
    ``SeedSequence(random_state)`` (an int), from one draw of a
    ``RandomState``, or from fresh entropy for None (drawn once, at fit).
    """
    if n == 1:
        return [random_state]
    if random_state is None:
        entropy = np.random.SeedSequence().entropy
    elif isinstance(random_state, Integral):
        entropy = int(random_state)
    else:
        entropy = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    children = np.random.SeedSequence(entropy).spawn(n)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def _fit_member(member: Any, state: dict, y: Any, X: Any, panel: Any) -> Any:
    """Fit one member on the data its parent validated (no re-validation)."""
    member.__dict__.update(state)
    if panel is None:
        member._fit(y, X)
    else:
        member._fit_panel(panel)
    return member


def _values(y: Any, panel: Any) -> list:
    if panel is not None:
        return list(panel.values)
    return [y[:, j] for j in range(y.shape[1])]


def _n_past(past: Any) -> int:
    if past is None:
        return 0
    return 1 if isinstance(past, (str, Integral)) else len(list(past))


def fit_ensemble(est: Any, y: Any, X: Any, panel: Any = None) -> None:
    """Resolve ``est``'s parameters, fit its members (or its fallback), set fitted attributes."""
    has_past = est.past_covariates is not None
    freq = est._y_info_.freq
    freq = None if freq is None else str(getattr(freq, "freqstr", freq))
    n_series = 1 if panel is None else panel.n_series
    n_cov = (0 if X is None else X.shape[1]) if panel is None else panel.n_exog
    has_future = n_cov > _n_past(est.past_covariates)
    cfg = resolve(est, _values(y, panel), freq, n_series, has_past, has_future)
    params, windows = cfg["params"], cfg["windows"]
    est._fitted_params_ = params
    est.seasonal_period_ = cfg["seasonal_period"]
    est.auto_reasons_ = cfg["reasons"]
    est.fallback_ = cfg["fallback"]
    est._roll_forward_ = is_auto(est.horizon) and params["strategy"] == "direct"
    est.window_length_ = int(params["window_length"])
    est.member_window_lengths_ = tuple(windows)
    est.patch_length_ = int(params["patch_length"])
    est.strategy_ = params["strategy"]
    est.horizon_ = int(params["horizon"]) if params["strategy"] == "direct" else None
    est.scaler_kind_ = params["scaler"]
    est.fallback_series_ = []
    est._naive_below_ = 0
    if est.fallback_ is not None:
        _set_fallback(est, panel, X)
        return
    full = panel
    if panel is not None and is_auto(est.window_length):
        panel = _split_short_series(est, panel, max(windows))
    n = cfg["n_estimators"]
    # members in parallel: n_jobs workers (None: joblib's default, or the active
    # backend's, e.g. every Dask worker); an explicit n_jobs > 1 gives each
    # member one kernel thread (kernels are bit-identical at any thread count)
    parallel = n > 1 and est.n_jobs not in (None, 1)
    members = _new_members(est, params, windows, n, 1 if parallel else est.n_jobs)
    state = {k: est.__dict__[k] for k in _BASE_STATE if k in est.__dict__}
    # BLAS single-threaded from before the members start until all have finished (one
    # switch for all members instead of one per member; every member's kernels also hold it).
    with single_threaded_blas():
        fitted = run_parallel((delayed(_fit_member)(mb, state, y, X, panel) for mb in members),
                              n_jobs=est.n_jobs if n > 1 else 1)
    est.estimators_ = list(fitted)
    est.n_estimators_ = n
    first = est.estimators_[0]
    for name in _SHARED_STATE:
        if name in first.__dict__:
            setattr(est, name, first.__dict__[name])
    est._fitted_params_ = dict(first._fitted_params_, n_estimators=n)
    if full is not None:
        est.series_ids_ = list(full.ids)


def sub_panel(panel: Panel, keep: list) -> Panel:
    """The series ``keep`` (positions) of ``panel``, same ids and format."""
    return Panel(ids=[panel.ids[i] for i in keep], values=[panel.values[i] for i in keep],
                 infos=[panel.infos[i] for i in keep],
                 exog=None if panel.exog is None else [panel.exog[i] for i in keep],
                 exog_columns=panel.exog_columns, kind=panel.kind, meta=panel.meta)


def _learnable(est: Any, values: np.ndarray) -> bool:
    """Whether the network forecasts this history (else seasonal naive).

    Not when it is shorter than the longest input window of an automatic
    collection fit, nor constant (its forecast is the constant).
    """
    return len(values) >= est._naive_below_ and bool(np.ptp(values) > 0)


def _split_short_series(est: Any, panel: Panel, window: int) -> Panel:
    """Series shorter than the longest input ``window``, or constant: seasonal naive."""
    est._naive_below_ = window
    keep = [i for i, v in enumerate(panel.values) if _learnable(est, v)]
    est.fallback_series_ = [uid for i, uid in enumerate(panel.ids) if i not in keep]
    if est.fallback_series_:
        warnings.warn(
            f"{type(est).__name__}: {len(est.fallback_series_)} of {panel.n_series} series are "
            f"shorter than the input window ({window}) or constant and are forecast by "
            "seasonal naive "
            f"(NaiveForecaster, period {est.seasonal_period_}"
            + ("; their covariates are not used" if panel.exog is not None else "")
            + "). See fallback_series_.", UserWarning, stacklevel=4)
    return panel if len(keep) == panel.n_series else sub_panel(panel, keep)


def _new_members(est: Any, params: dict, windows: list, n: int, n_jobs: Any) -> list:
    """Unfitted members; with ``warm_start``, copies of the previous members."""
    previous = est.__dict__.get("estimators_")
    if est.warm_start and previous:
        if len(previous) != n:
            raise ValueError(
                f"warm_start=True continues training the {len(previous)} networks of the "
                f"previous fit, but this fit asks for n_estimators={n}. Set warm_start=False "
                "to train a new ensemble."
            )
        members = [copy.deepcopy(m) for m in previous]
        for m in members:
            m.set_params(**{**params, "window_length": m.window_length,
                            "random_state": m.random_state, "n_jobs": n_jobs})
        return members
    seeds = member_seeds(est.random_state, n)
    members = []
    for i in range(n):
        member = clone(est)
        member.set_params(**{**params, "window_length": windows[i % len(windows)],
                             "random_state": seeds[i], "n_jobs": n_jobs})
        members.append(member)
    return members


def _set_fallback(est: Any, panel: Any, X: Any) -> None:
    if X is not None or (panel is not None and panel.exog is not None):
        raise ValueError(
            f"{type(est).__name__} cannot train a network on these series "
            f"({est.fallback_}) and its fallback (seasonal naive) does not use covariates; "
            "pass longer series, or drop the covariates."
        )
    warnings.warn(
        f"{type(est).__name__}: {est.fallback_}; forecasting with the seasonal naive "
        f"fallback (NaiveForecaster, period {est.seasonal_period_}) instead of a network. "
        "See fallback_.", UserWarning, stacklevel=4)
    est.estimators_ = []
    est.n_estimators_ = 0
    est._past_idx_, est._future_idx_ = [], []
    est._quantile_levels_ = None
    if panel is not None:
        est.series_ids_ = list(panel.ids)


def naive_forecast(values: np.ndarray, seasonal_period: int, h: int) -> np.ndarray:
    """Seasonal naive (last value when ``seasonal_period == 1`` or too short) ``(h, k)``."""
    values = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    seasonal = seasonal_period > 1 and len(values) >= seasonal_period
    model = NaiveForecaster(strategy="seasonal_last" if seasonal else "last",
                            seasonal_period=seasonal_period if seasonal else 1)
    return np.asarray(model.fit(values).predict(h)).reshape(h, -1)


def _check_roll(est: Any, h: int, has_exog: bool) -> None:
    what = None
    if has_exog:
        what = "future covariates X"
    elif est._p("calendar_features") is not None:
        what = "calendar_features"
    elif est._past_idx_:
        what = "past_covariates"
    if what is not None:
        raise ValueError(
            f"h={h} exceeds horizon_={est.horizon_}, the block this forecaster was trained "
            f"for; rolling the block forward is not available with {what}. Refit with "
            f"horizon>={h}."
        )


def _shared_windows(members: list, inputs: Any) -> tuple | None:
    """The direct members' windows, transformed once at the longest input length
    (None: recursive members, or transforms that differ, each builds its own)."""
    first = members[0]
    if first._p("strategy") != "direct" or not all(
            m._transform_.same_as(first._transform_) for m in members[1:]):
        return None
    return first._direct_windows(inputs, [int(m._p("window_length")) for m in members])


def forecast(est: Any, coll: Collection, h: int, X_future: Any) -> np.ndarray:
    """Median forecasts ``(n_series, h, c, Q)`` of the members (target channels only).

    Series the networks do not forecast (a fallback fit, or a constant or
    too short history) get seasonal naive, the same for every quantile.
    """
    if est.fallback_ is not None:
        return np.stack([naive_forecast(v, est.seasonal_period_, h) for v in coll.values])[..., None]
    keep = [i for i, v in enumerate(coll.values) if _learnable(est, v)]
    if len(keep) < coll.n_series:
        out = np.empty((coll.n_series, h, coll.values[0].shape[1], est._n_quantiles()))
        kept = set(keep)
        for i, v in enumerate(coll.values):
            if i not in kept:  # only the series the networks do not forecast
                out[i] = naive_forecast(v, est.seasonal_period_, h)[..., None]
        if keep:
            sub_future = None if X_future is None else [X_future[i] for i in keep]
            out[keep] = forecast(est, coll.subset(keep), h, sub_future)
        return out
    c = coll.values[0].shape[1]
    members = est.estimators_

    def block(steps: int, part: Collection) -> np.ndarray:
        # the members share their inputs (same scales, covariates, strategy:
        # see _forecast_inputs), built once; each runs only its own network
        inputs = members[0]._forecast_inputs(part, steps, X_future)
        windows = _shared_windows(members, inputs)
        out = np.stack([m._forecast_scaled(inputs, steps, windows) for m in members])
        return safe_median(inputs.unscale(out)[..., :c, :], axis=0, what="the median forecast")

    if not est._roll_forward_ or h <= est.horizon_:
        with kernel_threads(members[0].n_jobs):  # entered once, not once per network call
            return block(h, coll)
    _check_roll(est, h, X_future is not None)
    med = est._median_column()

    def from_values(values: list, done: int, steps: int) -> np.ndarray:
        # each block's median forecast extends the histories (no covariates)
        return block(steps, dataclasses.replace(coll, values=values, exog=None))

    def feed(values: list, out: np.ndarray, done: int) -> list:
        return [np.concatenate([v, o[:, :, med]]) for v, o in zip(values, out)]

    with kernel_threads(members[0].n_jobs):
        return roll_forward(from_values, feed, list(coll.values), h, est.horizon_)
