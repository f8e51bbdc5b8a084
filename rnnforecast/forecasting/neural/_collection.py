"""Fit and forecast of one network on a collection of series (a ``Panel``).

A mixin of :class:`~rnnforecast.forecasting.neural._recurrent._RecurrentForecaster`:
the collection half of its pipeline (per-series scales, per-series feature
rows, windows drawn from every series, the batched roll-forward).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from rnnforecast.forecasting.neural.checks import (
    calendar_names,
    check_calendar_index,
    check_past_with_window_scaler,
    check_window_values,
    covariate_kind,
    quantile_levels,
    series_kind,
    split_covariates,
)
from rnnforecast.forecasting.neural.features import calendar_matrix, hashable, series_scale
from rnnforecast.forecasting.neural.windows import WindowSampler, make_transform
from rnnforecast.nn.threads import kernel_threads
from rnnforecast.utils.panel import Panel
from rnnforecast.utils.validation import future_index

__all__ = ["CollectionPathMixin"]


class CollectionPathMixin:
    """Collection fit (``_fit_network_panel``) and forecast (``_network_panel``)."""

    def _fit_network_panel(self, panel: Panel) -> None:
        self._check_common()
        self._quantile_levels_ = quantile_levels(self._fitted_params_)
        cal = calendar_names(self._fitted_params_)
        check_calendar_index(panel.infos, cal)
        w, steps = int(self._p("window_length")), self._steps()
        short = [(uid, len(v)) for uid, v in zip(panel.ids, panel.values) if len(v) < w]
        if short:
            raise ValueError(
                f"{len(short)} series of y are shorter than window_length={w} and could "
                f"not be forecast (e.g. series {short[0][0]!r} has {short[0][1]} "
                "observations); drop them or lower window_length."
            )
        past, fut = split_covariates(self._fitted_params_, panel.exog_columns, panel.n_exog)
        if past and panel.kind == "list":
            raise ValueError(
                "past_covariates need the long format (a DataFrame with unique_id, ds, y "
                "and the covariate columns), whose y carries the covariates' history when "
                "forecasting; got a list of series."
            )
        check_past_with_window_scaler(self._fitted_params_, past)
        self._past_idx_, self._future_idx_ = past, fut
        check_window_values(self._fitted_params_, panel.values, panel.ids)
        warm = (self.warm_start and hasattr(self, "params_")
                and getattr(self, "_input_dims_", (None,))[0] == "collection")
        if warm:
            if list(panel.ids) != list(self.series_ids_):
                raise ValueError(
                    "warm_start=True on a collection continues training on the same series "
                    "(their scales and identities are kept); got different series ids. Set "
                    "warm_start=False to train a new network."
                )
        else:
            self._cov_stats_ = None
            if panel.exog is not None:
                pooled = np.vstack(panel.exog)
                kind = covariate_kind(self._fitted_params_)
                stats = [series_scale(pooled[:, j], kind) for j in range(pooled.shape[1])]
                self._cov_stats_ = (np.array([c for c, _ in stats]),
                                    np.array([s for _, s in stats]))
            self.series_ids_ = list(panel.ids)
            self._onehot_index_ = {uid: i for i, uid in enumerate(panel.ids)}
            self._series_stats_ = {uid: series_scale(v, series_kind(self._fitted_params_))
                                   for uid, v in zip(panel.ids, panel.values)}
        dt = self._np_dtype()
        rows, targets, ends = [], [], []
        for i, uid in enumerate(panel.ids):
            hist, feat = self._panel_inputs(panel, i, None, n_extra=0, lead=steps)
            rows.append(np.ascontiguousarray(np.hstack([hist, feat]), dtype=dt))
            targets.append(np.ascontiguousarray(hist, dtype=dt))
            ends.append(np.arange(w - 1, len(panel.values[i]) - steps, dtype=np.int64))
        total = sum(len(e) for e in ends)
        if total == 0:
            raise ValueError(
                f"No series of y is long enough to train on: {self._describe()} needs at "
                f"least {w + steps} observations in some series; the longest has "
                f"{int(panel.lengths.max())}."
            )
        X_val = Y_val = None
        train_ends = ends
        if self._p("early_stopping"):
            train_ends, val_ends = [], []
            for e in ends:
                frac = float(self._p("validation_fraction"))
                n_val = int(np.ceil(frac * len(e))) if len(e) > 1 else 0
                cut = max(len(e) - n_val - (steps - 1), 0)
                train_ends.append(e[:cut])
                val_ends.append(e[len(e) - n_val:] if n_val else e[:0])
            n_val_total = sum(len(e) for e in val_ends)
            if n_val_total < 2 or sum(len(e) for e in train_ends) < 1:
                raise ValueError(
                    "The validation set is too small: early_stopping=True with "
                    f"validation_fraction={self._p('validation_fraction')} holds out "
                    f"{n_val_total} of the {total} windows of the collection; at least 2 "
                    "validation windows and 1 training window are needed."
                )
            X_val, Y_val = WindowSampler(rows, targets, w, steps, val_ends).materialise()
        sampler = WindowSampler(rows, targets, w, steps, train_ends)
        k = targets[0].shape[1]
        dims = ("collection", sampler.n_features, k)
        if self.warm_start and hasattr(self, "params_") and getattr(self, "_input_dims_", None) != dims:
            raise ValueError(
                "warm_start=True needs inputs of the previous fit "
                f"{getattr(self, '_input_dims_', None)}; got {dims}."
            )
        if not (self.warm_start and hasattr(self, "params_")):
            self._transform_ = make_transform(self._fitted_params_, k, steps, panel.values)
        net = self._make_network(self._transform_.n_inputs(sampler.n_features),
                                 steps * k * self._n_quantiles())
        seed = self._draw_seed()
        params = self._initial_params(net, seed, "the new collection or parameters")
        result = self._train(net, params, sampler, None, seed, X_val, Y_val)
        self._set_training_result(net, result)
        self.n_windows_ = sampler.n_samples
        self.n_exog_ = len(fut)
        self.scaler_ = self.exog_scaler_ = None
        self._input_dims_ = dims

    def _panel_keys(self, panel: Panel) -> list:
        """Per series of ``panel``: its training id, or a fresh object for a new series.

        Long format: the ``unique_id`` values.  List format: series are
        identified by position, so a new list is taken to continue the
        training series only when it has as many series; otherwise every
        series of it is new (scaled by its own history, zero identity).
        """
        if (panel is self._panel_ or panel.kind == "long"
                or panel.n_series == len(self.series_ids_)):
            return list(panel.ids)
        return [object() for _ in panel.ids]

    def _series_stats(self, uid: Any, values: np.ndarray) -> tuple[float, float]:
        stats = self._series_stats_.get(uid) if hashable(uid) else None
        return stats if stats is not None else series_scale(values, series_kind(self._fitted_params_))

    def _panel_inputs(self, panel: Panel, i: int, X_future: np.ndarray | None, *,
                      n_extra: int, lead: int, key: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Scaled history channels and per-row features of series ``i``.

        Returns ``hist`` (n_i, 1 + n_past): the scaled series and past-only
        covariates, and ``feat`` (n_i + n_extra, F_rest): per row ``s``, the
        future-known covariates and calendar at ``s + lead`` (zeros where
        unknown) and the one-hot identity.
        """
        uid, y, info = panel.ids[i], panel.values[i], panel.infos[i]
        key = uid if key is None else key
        n = len(y)
        c, s = self._series_stats(key, y)
        parts = [((y - c) / s)[:, None]]
        cov = None
        if panel.exog is not None:
            cc, cs = self._cov_stats_
            cov = (panel.exog[i] - cc) / cs
            if self._past_idx_:
                parts.append(cov[:, self._past_idx_])
        hist = np.hstack(parts)
        n_rows = n + n_extra
        feats = []
        if self._future_idx_ and cov is not None:
            fut = cov[:, self._future_idx_]
            if X_future is not None:
                cc, cs = self._cov_stats_
                fut = np.vstack([fut, (X_future - cc[self._future_idx_]) / cs[self._future_idx_]])
            led = np.zeros((n_rows, fut.shape[1]))
            avail = min(n_rows, fut.shape[0] - lead)
            led[:max(avail, 0)] = fut[lead:lead + max(avail, 0)]
            feats.append(led)
        cal = calendar_names(self._fitted_params_)
        if cal:
            index = info.index.append(future_index(info, n_extra + lead))
            feats.append(calendar_matrix(index, cal)[lead:lead + n_rows])
        if self._p("series_id") == "onehot":
            onehot = np.zeros((n_rows, len(self.series_ids_)))
            pos = self._onehot_index_.get(key) if hashable(key) else None
            if pos is not None:
                onehot[:, pos] = 1.0
            feats.append(onehot)
        feat = np.hstack(feats) if feats else np.empty((n_rows, 0))
        if not (np.isfinite(hist).all() and np.isfinite(feat).all()):
            raise ValueError(
                f"Series {uid!r} (or its covariates) is too large to be represented after "
                "scaling."
            )
        return hist, feat

    def _network_panel(self, h: int, panel: Panel, X_future: list | None) -> np.ndarray:
        """:meth:`_forecast_panel` of one network."""
        check_is_fitted(self, "params_")
        w, steps = int(self._p("window_length")), self._steps()
        S, Q, med = panel.n_series, self._n_quantiles(), self._median_column()
        dt = self._np_dtype()
        direct = self._p("strategy") == "direct"
        if direct and h > steps:
            raise ValueError(
                f"h={h} exceeds horizon={steps}, the number of steps this direct-strategy "
                f"forecaster was trained for; refit with horizon>={h} or use "
                "strategy='recursive'."
            )
        if direct and X_future is not None and h != steps:
            raise ValueError(
                f"With future-known covariates, a direct-strategy forecaster reads them up "
                f"to horizon={steps} steps ahead, so it forecasts h=horizon={steps} steps "
                f"(got h={h}): pass {steps} future periods and keep the first {h}."
            )
        lead = steps if direct else 1
        n_extra = 0 if direct else h
        hists, feats = [], []
        keys = self._panel_keys(panel)
        for i in range(S):
            xf = None if X_future is None else X_future[i]
            hist, feat = self._panel_inputs(panel, i, xf, n_extra=n_extra, lead=lead,
                                            key=keys[i])
            hists.append(hist)
            feats.append(feat)
        k = hists[0].shape[1]
        stats = [self._series_stats(key, y) for key, y in zip(keys, panel.values)]
        lengths = [len(y) for y in panel.values]
        if direct:
            batch = np.stack([np.hstack([hh[n - w:n], ff[n - w:n]])
                              for hh, ff, n in zip(hists, feats, lengths)])
            check_window_values(self._fitted_params_, [b[:, 0] for b in batch], list(panel.ids))
            with kernel_threads(self.n_jobs):
                out = self._network_forecast(np.ascontiguousarray(batch, dtype=dt))[:, :h, 0, :]
        else:
            z_ext = [np.vstack([hh, np.zeros((h, k))]) for hh in hists]
            out = np.empty((S, h, Q))
            with kernel_threads(self.n_jobs):
                for j in range(h):
                    batch = np.stack([np.hstack([z[n + j - w:n + j], ff[n + j - w:n + j]])
                                      for z, ff, n in zip(z_ext, feats, lengths)])
                    raw = self._network_forecast(np.ascontiguousarray(batch, dtype=dt))[:, 0]
                    out[:, j, :] = raw[:, 0, :]
                    for i, n in enumerate(lengths):
                        z_ext[i][n + j] = raw[i, :, med]
        centers = np.array([c for c, _ in stats])[:, None, None]
        scales = np.array([s for _, s in stats])[:, None, None]
        return out * scales + centers
