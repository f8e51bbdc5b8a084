"""Prediction intervals and quantiles of the neural forecasters.

Three sources, chosen from how the forecaster was fitted:

* ``loss="pinball"``: the network's own quantile head (levels in
  ``quantiles``); ``predict_interval(coverage=c)`` needs the levels
  ``(1 - c) / 2`` and ``(1 + c) / 2`` among them.
* one series, other losses: split conformal on a rolling calibration window
  (:class:`~rnnforecast.forecasting.intervals.ConformalIntervalMixin`).
* a collection of series, other losses: "locally weighted" split conformal.
  A clone is fitted on every series without its last ``C = r + h - 1``
  values (``r`` origins per series, ``r = ceil(conformal_windows /
  n_series)``); from each of the ``r`` origins it forecasts ``h`` steps; the
  absolute errors are divided by the series' scale ``s_i`` (the in-sample
  mean absolute seasonal difference, lag ``seasonal_period`` or 1) and
  pooled over all series per horizon step.  The interval of series ``i`` is
  ``forecast_i +- q_j * s_i`` with ``q_j`` the conformal quantile of step
  ``j``.  Computed on the first call after a fit (one extra training) and
  cached.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from rnnforecast.forecasting.neural.ensemble import sub_panel
from rnnforecast.forecasting.conformal import calibration_fit
from rnnforecast.forecasting.intervals import (
    ConformalIntervalMixin,
    _check_coverage,
    _rank,
    _too_few,
    conformal_quantile,
    scaled_pool,
)
from rnnforecast.utils.long_format import repeat_id
from rnnforecast.utils.panel import ID_COL, TARGET_COL, TIME_COL, Panel
from rnnforecast.forecasting.record import ForecastRequest
from rnnforecast.utils.validation import check_horizon, check_quantile_levels

__all__ = ["NeuralIntervalMixin"]


def _series_scale(values: np.ndarray, seasonal_period: int) -> float:
    """Mean absolute lag-``seasonal_period`` difference (falls back to lag 1, mean |y|, then 1)."""
    for lag in (seasonal_period, 1):
        if len(values) > lag:
            s = float(np.mean(np.abs(values[lag:] - values[:-lag])))
            if s > 0:
                return s
    s = float(np.mean(np.abs(values)))
    return s if s > 0 else 1.0


def _panel_input(panel: Panel, stops: list, covariates: bool = True) -> Any:
    """The first ``stops[i]`` observations of every series, in the panel's format."""
    if panel.kind == "long":
        frames = []
        for uid, v, info, stop, i in zip(panel.ids, panel.values, panel.infos, stops,
                                         range(panel.n_series)):
            ds = info.index[:stop]
            data = {ID_COL: repeat_id(uid, stop),
                    TIME_COL: np.asarray(ds) if not isinstance(ds, pd.RangeIndex)
                    else np.asarray(ds, dtype=np.int64),
                    TARGET_COL: v[:stop]}
            if covariates and panel.exog is not None:
                for j, c in enumerate(panel.exog_columns):
                    data[c] = panel.exog[i][:stop, j]
            frames.append(pd.DataFrame(data))
        df = pd.concat(frames, ignore_index=True)
        id_dtype = panel.meta.get("id_dtype")
        if id_dtype is not None:
            df[ID_COL] = df[ID_COL].astype(id_dtype)
        return df, None
    ys, Xs = [], ([] if panel.exog is not None else None)
    for i, (v, info, stop) in enumerate(zip(panel.values, panel.infos, stops)):
        ys.append(pd.Series(v[:stop], index=info.index[:stop], name=info.name)
                  if info.is_pandas else v[:stop].copy())
        if Xs is not None:
            Xs.append(panel.exog[i][:stop])
    return ys, Xs


def _future_exog(panel: Panel, starts: list, h: int, columns: list, future_idx: list) -> Any:
    """Future-known covariates of ``h`` periods after ``starts[i]`` in the panel's format."""
    if panel.kind == "long":
        frames = []
        for uid, info, start, i in zip(panel.ids, panel.infos, starts, range(panel.n_series)):
            ds = info.index[start:start + h]
            data = {ID_COL: repeat_id(uid, h),
                    TIME_COL: np.asarray(ds) if not isinstance(ds, pd.RangeIndex)
                    else np.asarray(ds, dtype=np.int64)}
            for j, c in zip(future_idx, columns):
                data[c] = panel.exog[i][start:start + h, j]
            frames.append(pd.DataFrame(data))
        df = pd.concat(frames, ignore_index=True)
        id_dtype = panel.meta.get("id_dtype")
        if id_dtype is not None:
            df[ID_COL] = df[ID_COL].astype(id_dtype)
        return df
    # list format: the new history followed by the future, as predict expects
    return [panel.exog[i][:start + h][:, future_idx] for i, start in enumerate(starts)]


class NeuralIntervalMixin(ConformalIntervalMixin):
    """``predict_interval`` / ``predict_quantiles`` of the neural forecasters.

    See the module docstring for the three sources of the bands (quantile
    head, conformal on one series, pooled conformal on a collection).

    Examples
    --------
    With ``loss="pinball"`` the bands come from the network's quantile head;
    a coverage ``c`` needs the levels ``(1 - c) / 2`` and ``(1 + c) / 2``:

    >>> import numpy as np
    >>> from rnnforecast import LSTMForecaster
    >>> y = 10 + np.sin(np.arange(60) * 2 * np.pi / 12)
    >>> f = LSTMForecaster(window_length=6, hidden_size=4, max_iter=2, n_jobs=1,
    ...                    random_state=0, loss="pinball",
    ...                    quantiles=(0.1, 0.5, 0.9)).fit(y)
    >>> f.predict_interval(2, coverage=0.8).shape
    (2, 2)
    >>> q = f.predict_quantiles(2, quantiles=(0.1, 0.5, 0.9))
    >>> q.shape, bool(np.allclose(q[:, 1], f.predict(2)))  # 0.5: the point forecast
    ((2, 3), True)
    """

    # ------------------------------------------------------------ calibration model
    def _fitted_twin(self) -> Any:
        """An unfitted clone with the parameters of the last fit (not later set_params)."""
        twin = clone(self)
        twin.set_params(**self._fit_user_params_)
        return twin

    def _calibration_model(self) -> Any:
        return self._fitted_twin()

    # ------------------------------------------------------------ single series
    def _single_head_quantiles(self, h: int, X: Any, y: Any):
        """The quantile head's forecasts ``(h, k, Q)`` and ``(info, cutoff)`` of the history."""
        record, (info, cutoff) = self._predict_array(
            h, X, y, request=ForecastRequest(quantiles=True))
        return record.quantiles, info, cutoff

    def _check_single_conformal(self) -> None:
        if getattr(self, "_past_idx_", None):
            raise ValueError(
                "Conformal intervals of a single series forecast from rolling histories, "
                "which is not available with past_covariates. Use loss='pinball' (quantile "
                "head) or the long format (a DataFrame with unique_id, ds, y and the "
                "covariates)."
            )

    # ------------------------------------------------------------ collections
    def _panel_scores(self, h: int) -> np.ndarray:
        """Pooled normalised calibration scores (n, h) of a collection fit (cached)."""
        panel = self._panel_
        r = max(1, math.ceil(int(self.conformal_windows) / panel.n_series))
        cache = self.__dict__.get("_panel_conformal_cache_")
        if (cache is not None and cache.get("panel") is panel and cache["r"] == r
                and cache["h"] >= h):
            return cache["scores"][:, :h]
        C = r + h - 1
        need = max(int(self._min_history()), int(self._min_predict_history()))
        keep = [i for i, v in enumerate(panel.values) if len(v) - C >= need]
        if not keep:
            raise ValueError(
                f"No series is long enough for the conformal calibration: it needs "
                f"{C} values (conformal origins {r} + h {h} - 1) beyond the "
                f"{need} a fit needs. Lower conformal_windows or h."
            )
        sub = sub_panel(panel, keep)
        lengths = [len(v) for v in sub.values]
        y_cal, X_cal = _panel_input(sub, [n - C for n in lengths])
        model = self._fitted_twin()
        model.set_params(warm_start=False)
        calibration_fit(model, y_cal, X_cal,
                        f"predict_interval (h={h}): calibration fit on every series without its "
                        f"last {C} values")
        future_cols = self._future_covariate_names()
        per_series = [np.empty((r, h)) for _ in keep]
        m = int(self.seasonal_period_)
        for o in range(r):
            starts = [n - C + o for n in lengths]
            hist, X_hist = _panel_input(sub, starts)
            X = None
            if future_cols:
                X = _future_exog(sub, starts, h, future_cols, self._future_idx_)
            elif X_hist is not None and sub.kind == "list":
                X = [x[:s + h][:, self._future_idx_] for x, s in zip(sub.exog, starts)]
            fc = model.predict(h, X=X, y=hist)
            if sub.kind == "long":
                fc = [g[TARGET_COL].to_numpy() for _, g in fc.groupby(ID_COL, sort=False)]
            for i, (f, s) in enumerate(zip(fc, starts)):
                per_series[i][o] = np.abs(sub.values[i][s:s + h] - np.asarray(f, dtype=float))
        scales = [_series_scale(v[:n - C], m) for v, n in zip(sub.values, lengths)]
        pooled = scaled_pool(per_series, scales)
        self.conformal_scores_ = pooled
        self._panel_conformal_cache_ = {"panel": panel, "r": r, "h": h, "scores": pooled}
        return pooled

    def _panel_bands(self, h: int, levels: list, X: Any, y: Any):
        panel, X_future = self._panel_predict_inputs(h, X, y)
        out = self._forecast_panel(h, panel, X_future)          # (S, h, Q)
        med = self._median_column()
        if self._quantile_levels_ is not None:
            return panel, [out[:, :, self._head_column(q)] for q in levels]
        point = out[:, :, med]
        extremes = [abs(2.0 * q - 1.0) for q in levels if q != 0.5]
        if not extremes:
            return panel, [point for _ in levels]
        scores = self._panel_scores(h)[:, :h]
        if _rank(scores.shape[0], max(extremes)) > scores.shape[0]:
            raise _too_few(scores.shape[0], max(extremes), "conformal_windows")
        m = int(self.seasonal_period_)
        scales = np.array([_series_scale(v, m) for v in panel.values])[:, None]
        bands = []
        for q in levels:
            if q == 0.5:
                bands.append(point)
                continue
            width = conformal_quantile(scores, abs(2.0 * q - 1.0))[None, :] * scales
            bands.append(point - width if q < 0.5 else point + width)
        return panel, bands

    def _head_column(self, level: float) -> int:
        q = self._quantile_levels_
        hit = np.flatnonzero(np.isclose(q, level, rtol=0, atol=1e-12))
        if not hit.size:
            raise ValueError(
                f"The quantile head of this forecaster (loss='pinball') predicts the levels "
                f"{[float(v) for v in q]}; level {level:g} is not among them. Refit with "
                "quantiles including it, or use another loss for conformal intervals."
            )
        return int(hit[0])

    # ------------------------------------------------------------ public API
    def predict_interval(self, h: int, coverage: float = 0.9, X: Any = None, y: Any = None) -> Any:
        """Prediction interval for the next ``h`` steps.

        From the quantile head with ``loss="pinball"``, else split conformal
        (see :mod:`rnnforecast.forecasting.neural`).

        Parameters
        ----------
        h : int
            Number of steps ahead (>= 1).
        coverage : float, default=0.9
            Nominal probability that the interval contains the future value,
            strictly between 0 and 1.
        X, y : optional
            As for :meth:`predict`.

        Returns
        -------
        interval : ndarray, DataFrame or list
            One series: as :meth:`ConformalIntervalMixin.predict_interval`
            (``(h, 2)`` for 1-D numpy, ``(h, k, 2)`` for 2-D, DataFrames with
            ``lower``/``upper`` columns for pandas).  A collection: its
            format with ``lower`` and ``upper`` values (a long DataFrame with
            columns ``unique_id``, ``ds``, ``lower``, ``upper``; a list of
            ``(h, 2)`` arrays or DataFrames).

        Examples
        --------
        One series (conformal, calibrated on the training series):

        >>> import numpy as np
        >>> from rnnforecast import LSTMForecaster
        >>> y = 10 + np.sin(np.arange(60) * 2 * np.pi / 12)
        >>> f = LSTMForecaster(window_length=6, hidden_size=4, max_iter=2, n_jobs=1,
        ...                    random_state=0, conformal_windows=20).fit(y)
        >>> interval = f.predict_interval(3, coverage=0.9)  # columns: lower, upper
        >>> interval.shape, bool((interval[:, 0] < interval[:, 1]).all())
        ((3, 2), True)

        A list of two series (one global model, pooled calibration):

        >>> g = LSTMForecaster(window_length=6, hidden_size=4, max_iter=2, n_jobs=1,
        ...                    random_state=0, conformal_windows=20).fit([y[:40], y[5:55]])
        >>> [band.shape for band in g.predict_interval(3)]
        [(3, 2), (3, 2)]
        """
        check_is_fitted(self, "_y_info_")
        h = check_horizon(h)
        coverage = _check_coverage(coverage)
        levels = [(1.0 - coverage) / 2.0, (1.0 + coverage) / 2.0]
        if self._panel_ is not None:
            panel, bands = self._panel_bands(h, levels, X, y)
            return panel.to_output([np.column_stack([lo, hi]) for lo, hi in zip(*bands)],
                                   columns=["lower", "upper"])
        if self._quantile_levels_ is not None:
            cols = [self._head_column(q) for q in levels]
            out, info, cutoff = self._single_head_quantiles(h, X, y)
            return self._format_bands([out[:, :, c] for c in cols], ["lower", "upper"],
                                      info, cutoff, h)
        self._check_single_conformal()
        return super().predict_interval(h, coverage=coverage, X=X, y=y)

    def predict_quantiles(self, h: int, quantiles: Any = (0.05, 0.5, 0.95), X: Any = None,
                          y: Any = None) -> Any:
        """Quantile forecasts for the next ``h`` steps.

        From the quantile head with ``loss="pinball"`` (the levels must be
        among ``quantiles`` of the forecaster), else from the symmetric
        conformal bands.

        Parameters
        ----------
        h : int
            Number of steps ahead (>= 1).
        quantiles : sequence of float, default=(0.05, 0.5, 0.95)
            Levels strictly between 0 and 1, increasing, no duplicates.
        X, y : optional
            As for :meth:`predict`.

        Returns
        -------
        quantiles : ndarray, DataFrame or list
            One series: ``(h, Q)`` / ``(h, k, Q)`` arrays or DataFrames with
            columns ``"q0.05"``...; a collection: its format with one value
            column per level.

        Examples
        --------
        One series; the 0.5 level is the point forecast:

        >>> import numpy as np
        >>> from rnnforecast import LSTMForecaster
        >>> y = 10 + np.sin(np.arange(60) * 2 * np.pi / 12)
        >>> f = LSTMForecaster(window_length=6, hidden_size=4, max_iter=2, n_jobs=1,
        ...                    random_state=0, conformal_windows=20).fit(y)
        >>> q = f.predict_quantiles(3, quantiles=(0.1, 0.5, 0.9))
        >>> q.shape, bool(np.allclose(q[:, 1], f.predict(3)))
        ((3, 3), True)

        A list of two series: one ``(h, Q)`` array per series.

        >>> g = LSTMForecaster(window_length=6, hidden_size=4, max_iter=2, n_jobs=1,
        ...                    random_state=0, conformal_windows=20).fit([y[:40], y[5:55]])
        >>> [q.shape for q in g.predict_quantiles(3, quantiles=(0.1, 0.5, 0.9))]
        [(3, 3), (3, 3)]
        """
        check_is_fitted(self, "_y_info_")
        h = check_horizon(h)
        levels = check_quantile_levels(quantiles, "quantiles").tolist()
        labels = [f"q{q!r}" for q in levels]
        if self._panel_ is not None:
            panel, bands = self._panel_bands(h, levels, X, y)
            return panel.to_output([np.column_stack(cols) for cols in zip(*bands)],
                                   columns=labels)
        if self._quantile_levels_ is not None:
            cols = [self._head_column(q) for q in levels]
            out, info, cutoff = self._single_head_quantiles(h, X, y)
            return self._format_bands([out[:, :, c] for c in cols], labels, info, cutoff, h)
        self._check_single_conformal()
        return super().predict_quantiles(h, quantiles=levels, X=X, y=y)
