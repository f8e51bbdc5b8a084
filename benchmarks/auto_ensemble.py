"""The automatic settings of :mod:`rnnforecast.forecasting.auto_config`, applied by hand.

Until the forecasters apply :func:`~rnnforecast.forecasting.auto_config.auto_settings`
themselves, the accuracy suite evaluates the rules by passing their values
explicitly to today's forecasters and ensembling by hand: the members differ
in seed and input length, the forecast is their median, and a horizon longer
than the trained one rolls the block forward (the forecasts are appended to
the history and the block is forecast again).

* :class:`AutoEnsembleForecaster` -- one series (a :class:`BaseForecaster`,
  so the backtest harness can clone and refit it).
* :func:`panel_fit_predict` -- one global network per member on a list of series.

``overrides`` (a dict of AutoSettings fields or forecaster parameters) lets the
suite compare a rule with an alternative on the validation split.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from rnnforecast import GRUForecaster, LSTMForecaster, RNNForecaster
from rnnforecast.baselines import AutoARIMAForecaster
from rnnforecast.forecasting.auto_config import (
    auto_settings,
    infer_panel_seasonal_period,
    infer_seasonal_period,
)
from rnnforecast.forecasting import auto_config as AC
from rnnforecast.forecasting.base import BaseForecaster

CELLS = {"lstm": LSTMForecaster, "gru": GRUForecaster, "rnn": RNNForecaster}
_FIELDS = ("seasonal_period", "window_length", "patch_length", "horizon", "scaler", "loss",
           "learning_rate_init", "learning_rate", "hidden_size", "batch_size", "max_iter",
           "windows_per_epoch", "n_estimators", "member_window_lengths")


def settings(series, freq, overrides=None):
    """AutoSettings of a list of series (the rules, then ``overrides`` on top)."""
    overrides = dict(overrides or {})
    rules = overrides.pop("_rules", {})  # tuning: module constants of auto_config, e.g. INPUT_HORIZONS
    saved = {k: getattr(AC, k) for k in rules}
    try:
        for k, v in rules.items():
            setattr(AC, k, tuple(v) if isinstance(v, list) else v)
        return _settings(series, freq, overrides)
    finally:
        for k, v in saved.items():
            setattr(AC, k, v)


def _settings(series, freq, overrides):
    arrays = [np.asarray(s, dtype=np.float64) for s in series]
    if len(arrays) == 1:
        m = infer_seasonal_period(arrays[0], freq)
    else:
        m = infer_panel_seasonal_period(arrays, freq)
    s = auto_settings(lengths=[len(a) for a in arrays], seasonal_period=m,
                      all_positive=all(bool((a > 0).all()) for a in arrays), n_series=len(arrays),
                      freq=freq)
    params = {f: getattr(s, f) for f in _FIELDS}
    params.update(residual=s.residual, fallback=s.fallback, reasons=s.reasons)
    params.update(overrides or {})
    return params


def members(cell, params, seed, n_jobs=1):
    """The unfitted ensemble members: seeds ``seed * 1000 + i``, input lengths cycled."""
    cls = CELLS[cell]
    extra = {k: v for k, v in params.items() if k not in _FIELDS
             and k not in ("residual", "fallback", "reasons")}
    out = []
    lengths = params["member_window_lengths"]
    for i in range(int(params["n_estimators"])):
        w = int(lengths[i % len(lengths)])
        out.append(cls(window_length=w, patch_length=params["patch_length"], strategy="direct",
                       horizon=params["horizon"],
                       seasonal_period=params["seasonal_period"] if params["residual"] else None,
                       scaler=params["scaler"], loss=params["loss"],
                       learning_rate_init=params["learning_rate_init"],
                       learning_rate=params["learning_rate"], hidden_size=params["hidden_size"],
                       batch_size=params["batch_size"], max_iter=params["max_iter"],
                       windows_per_epoch=params["windows_per_epoch"], n_jobs=n_jobs,
                       random_state=seed * 1000 + i, **extra))
    return out


def rolled_median(models, h, history, panel=False):
    """Median over ``models`` of the forecasts of ``h`` steps, rolling each trained block forward."""
    H = int(models[0].horizon)
    hist = [np.asarray(x, dtype=np.float64) for x in history] if panel else np.asarray(history)
    done = 0
    parts = []
    while done < h:
        if panel:
            fc = np.median([np.stack(m.predict(H, y=hist)) for m in models], axis=0)  # (S, H)
            hist = [np.concatenate([x, f]) for x, f in zip(hist, fc)]
        else:
            fc = np.median([m.predict(H, y=hist) for m in models], axis=0)
            hist = np.concatenate([hist, fc])
        parts.append(fc)
        done += H
    out = np.concatenate(parts, axis=-1)
    return out[..., :h]


class AutoEnsembleForecaster(BaseForecaster):
    """Median ensemble with the automatic settings, for one series.

    Parameters
    ----------
    cell : {"lstm", "gru", "rnn"}
    random_state : int
    overrides : dict or None
        Settings replacing the rules' values (see :func:`settings`).
    """

    def __init__(self, cell="lstm", random_state=0, overrides=None):
        self.cell = cell
        self.random_state = random_state
        self.overrides = overrides

    def _fit(self, y, X=None):
        values = y[:, 0]
        freq = getattr(self.freq_, "freqstr", None) if self.freq_ is not None else None
        self.settings_ = settings([values], freq, self.overrides)
        self.fallback_ = self.settings_["fallback"]
        if self.fallback_ is not None:
            m = self.settings_["seasonal_period"]
            self.models_ = [AutoARIMAForecaster(seasonal_period=m).fit(values)]
            return self
        self.models_ = [f.fit(values) for f in members(self.cell, self.settings_, self.random_state)]
        return self

    def _predict(self, h, X=None, y_hist=None):
        hist = self._history(y_hist)[:, 0]
        if self.fallback_ is not None:
            return np.asarray(self.models_[0].predict(h, y=hist)).reshape(h, 1)
        return rolled_median(self.models_, h, hist).reshape(h, 1)


def panel_fit_predict(cell, train, h, seed, freq=None, overrides=None, n_jobs=1):
    """Fit the members on the list ``train`` and forecast ``h`` steps of every series.

    Returns
    -------
    forecasts : ndarray of shape (n_series, h)
    info : dict
        ``params`` (the settings), ``fit_s`` (training seconds, all members).
    """
    params = settings(train, freq, overrides)
    t0 = time.perf_counter()
    models = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in members(cell, params, seed, n_jobs=n_jobs):
            models.append(f.fit(list(train)))
    fit_s = time.perf_counter() - t0
    fc = rolled_median(models, h, list(train), panel=True)
    return fc, {"params": params, "fit_s": fit_s}
