"""Fit and forecast of one network: one path for one series and for many.

A mixin of :class:`~rnnforecast.forecasting.neural._recurrent._RecurrentForecaster`.
A single series is fitted and forecast as a collection of one
(:class:`~rnnforecast.forecasting.neural.features.Collection`): its columns
are target channels of one series, scaled one by one; the past-only
covariates become extra target channels, the future-known covariates and the
calendar per-row features.  Every series is scaled with its own centre and
scale per channel (``series_scales_``), the covariates with one pooled centre
and scale per column (``covariate_scales_``).
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
from rnnforecast.forecasting.neural.features import (
    Collection,
    ForecastInputs,
    calendar_matrix,
    channel_scales,
    hashable,
)
from rnnforecast.forecasting.neural.windows import WindowSampler, make_transform, roll_forward
from rnnforecast.nn.threads import kernel_threads
from rnnforecast.utils.network_input import check_dtype_range
from rnnforecast.utils.panel import Panel
from rnnforecast.utils.validation import future_index

__all__ = ["NetworkPathMixin"]


class NetworkPathMixin:
    """``_fit_collection`` and ``_forecast`` (and their single-series/panel entry points)."""

    # ------------------------------------------------------------ entry points
    def _fit_network(self, y: np.ndarray, X: np.ndarray | None = None) -> None:
        """Fit one network on the single series ``y`` (n, k) with regressors ``X``."""
        self._fit_collection(Collection.from_series(y, X, self._y_info_, self._X_columns_))
        past, fut = self._past_idx_, self._future_idx_
        self._past_fit_ = X[:, past].copy() if past else None
        if past:  # predict needs only the future-known columns
            self._X_fit_ = X[:, fut] if fut else None
            if self._X_columns_ is not None:
                self._X_columns_ = self._X_columns_[fut] if fut else None

    def _fit_network_panel(self, panel: Panel) -> None:
        self._fit_collection(Collection.from_panel(panel))

    def _series_collection(self, y_hist, X_hist, y_info) -> Collection:
        """The single series to forecast from (the training one, or the new history
        ``y_hist``), with the covariates' history (past-only and future-known)."""
        y = self._history(y_hist)
        past, fut = self._past_idx_, self._future_idx_
        if past and y_hist is not None:
            raise ValueError(
                "Forecasting a single series from a new history y is not available "
                "with past_covariates: the covariates' history would be needed. Refit "
                "on the new data, or use the long format (a DataFrame with unique_id, "
                "ds, y and the covariate columns), whose y carries that history."
            )
        Xh = self._exog_history(X_hist)
        exog = None
        if past or Xh is not None:
            exog = np.empty((len(y), len(past) + len(fut)))
            if past:
                exog[:, past] = self._past_fit_
            if fut:
                exog[:, fut] = Xh
        return Collection.from_series(y, exog, self._y_info_ if y_info is None else y_info)

    def _network_single(self, h, X, y_hist, X_hist, y_info) -> np.ndarray:
        """Forecasts ``(h, k_all, Q)`` of one network for the single series."""
        check_is_fitted(self, "params_")
        coll = self._series_collection(y_hist, X_hist, y_info)
        return self._forecast(coll, h, None if X is None else [X])[0]

    def _network_panel(self, h: int, panel: Panel, X_future: list | None) -> np.ndarray:
        """Forecasts ``(n_series, h, Q)`` of one network for the series of ``panel``."""
        check_is_fitted(self, "params_")
        return self._forecast(Collection.from_panel(panel), h, X_future)[:, :, 0, :]

    # ------------------------------------------------------------ fit
    def _check_collection(self, coll: Collection, w: int) -> tuple[list, list]:
        """Checks of a collection fit; the past-only and future-known covariate positions."""
        p = self._fitted_params_
        if coll.kind == "series" and p["series_id"] is not None:
            raise ValueError(
                f"series_id={p['series_id']!r} identifies the series of a collection (a list "
                "of series or a long DataFrame); y is a single series whose columns are "
                "modelled jointly. Use series_id=None, or pass the series as a collection."
            )
        self._quantile_levels_ = quantile_levels(p)
        check_calendar_index(coll.infos, calendar_names(p))
        short = [(uid, len(v)) for uid, v in zip(coll.ids, coll.values) if len(v) < w]
        if short and coll.kind != "series":  # a single series: the count of windows below
            raise ValueError(
                f"{len(short)} series of y are shorter than window_length={w} and could "
                f"not be forecast (e.g. series {short[0][0]!r} has {short[0][1]} "
                "observations); drop them or lower window_length."
            )
        past, fut = split_covariates(p, coll.exog_columns, coll.n_exog)
        if past and coll.kind == "list":
            raise ValueError(
                "past_covariates need the long format (a DataFrame with unique_id, ds, y "
                "and the covariate columns), whose y carries the covariates' history when "
                "forecasting; got a list of series."
            )
        check_past_with_window_scaler(p, past)
        check_window_values(p, coll.channels(), coll.labels())
        return past, fut

    def _fit_scales(self, coll: Collection, warm: bool) -> None:
        """Per-series and covariate scales (kept by a warm start on the same series)."""
        if warm:
            if list(coll.ids) != list(self._series_keys_):
                raise ValueError(
                    "warm_start=True on a collection continues training on the same series "
                    "(their scales and identities are kept); got different series ids. Set "
                    "warm_start=False to train a new network."
                )
            return
        self.covariate_scales_ = None
        if coll.exog is not None:
            pooled = np.vstack(coll.exog)
            kind = covariate_kind(self._fitted_params_)
            stats = [channel_scales(pooled[:, [j]], kind) for j in range(pooled.shape[1])]
            self.covariate_scales_ = (np.concatenate([c for c, _ in stats]),
                                      np.concatenate([s for _, s in stats]))
        self._series_keys_ = list(coll.ids)
        if coll.kind != "series":
            self.series_ids_ = list(coll.ids)
        self._onehot_index_ = {uid: i for i, uid in enumerate(coll.ids)}
        kind = series_kind(self._fitted_params_)
        self.series_scales_ = {uid: channel_scales(v, kind) for uid, v in zip(coll.ids, coll.values)}

    def _split_windows(self, ends: list, steps: int, total: int) -> tuple[list, list | None]:
        """Training and validation window ends (the last windows of every series)."""
        if not self._p("early_stopping"):
            return ends, None
        frac = float(self._p("validation_fraction"))
        train_ends, val_ends = [], []
        for e in ends:
            n_val = int(np.ceil(frac * len(e))) if len(e) > 1 else 0
            cut = max(len(e) - n_val - (steps - 1), 0)
            train_ends.append(e[:cut])
            val_ends.append(e[len(e) - n_val:] if n_val else e[:0])
        n_val_total = sum(len(e) for e in val_ends)
        if n_val_total < 2 or sum(len(e) for e in train_ends) < 1:
            raise ValueError(
                "The validation set is too small: early_stopping=True with "
                f"validation_fraction={frac} holds out {n_val_total} of the {total} windows "
                f"(window_length={self._p('window_length')}, {steps} step(s) per window); at "
                "least 2 validation windows and 1 training window (before a gap of steps - 1 "
                "windows) are needed. Use longer series or a larger validation_fraction."
            )
        return train_ends, val_ends

    def _fit_collection(self, coll: Collection) -> None:
        """Fit one network on the windows of every series of ``coll``."""
        self._check_common()
        w, steps = int(self._p("window_length")), self._steps()
        past, fut = self._check_collection(coll, w)
        self._past_idx_, self._future_idx_ = past, fut
        fit_kind = "series" if coll.kind == "series" else "collection"
        warm = self.warm_start and hasattr(self, "params_")
        if warm and getattr(self, "_fit_kind_", None) != fit_kind:
            raise ValueError(
                f"warm_start=True continues the previous fit, which was on a "
                f"{getattr(self, '_fit_kind_', None)}; got a {fit_kind}. Set "
                "warm_start=False to train a new network."
            )
        self._fit_scales(coll, warm)
        dt = self._np_dtype()
        rows, targets, ends = [], [], []
        for i in range(coll.n_series):
            hist, feat = self._series_inputs(coll, i, None, n_extra=0, lead=steps)
            rows.append(np.ascontiguousarray(np.hstack([hist, feat]), dtype=dt))
            targets.append(np.ascontiguousarray(hist, dtype=dt))
            ends.append(np.arange(w - 1, len(coll.values[i]) - steps, dtype=np.int64))
        total = sum(len(e) for e in ends)
        if total == 0:
            n = max(len(v) for v in coll.values)
            raise ValueError(
                f"y has {n} observations but {self._describe()} needs at least {w + steps} "
                "to train on." if coll.kind == "series" else
                f"No series of y is long enough to train on: {self._describe()} needs at "
                f"least {w + steps} observations in some series; the longest has {n}."
            )
        train_ends, val_ends = self._split_windows(ends, steps, total)
        X_val = Y_val = None
        if val_ends is not None:
            X_val, Y_val = WindowSampler(rows, targets, w, steps, val_ends).materialise()
        sampler = WindowSampler(rows, targets, w, steps, train_ends)
        k = targets[0].shape[1]
        dims = (sampler.n_features, k)
        if warm and getattr(self, "_input_dims_", None) != dims:
            raise ValueError(
                "warm_start=True needs inputs of the previous fit (features, channels) "
                f"{getattr(self, '_input_dims_', None)}; got {dims}."
            )
        if not warm:
            self._transform_ = make_transform(self._fitted_params_, k, steps, coll.channels())
        net = self._make_network(self._transform_.n_inputs(sampler.n_features),
                                 steps * k * self._n_quantiles())
        seed = self._draw_seed()
        params = self._initial_params(net, seed, f"the new {fit_kind} or parameters")
        result = self._train(net, params, sampler, None, seed, X_val, Y_val)
        self._set_training_result(net, result)
        self.n_windows_ = sampler.n_samples
        self.n_exog_ = len(fut)
        self._fit_kind_ = fit_kind
        self._input_dims_ = dims

    # ------------------------------------------------------------ inputs
    def _keys_for(self, coll: Collection) -> list:
        """Per series of ``coll``: its training key, or a fresh object for a new series.

        A single series always has the training key.  Long format: the
        ``unique_id`` values.  List format: series are identified by
        position, so a new list is taken to continue the training series
        only when it has as many series; otherwise every series of it is new
        (scaled by its own history, zero identity).
        """
        if coll.kind in ("series", "long") or coll.n_series == len(self._series_keys_):
            return list(coll.ids)
        return [object() for _ in coll.ids]

    def _scales_for(self, key: Any, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        stats = self.series_scales_.get(key) if hashable(key) else None
        if stats is None:
            stats = channel_scales(values, series_kind(self._fitted_params_))
        return stats

    def _series_inputs(self, coll: Collection, i: int, X_future: np.ndarray | None, *,
                       n_extra: int, lead: int, key: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Scaled history channels and per-row features of series ``i``.

        Returns ``hist`` (n_i, c + n_past): the scaled target channels and
        past-only covariates, and ``feat`` (n_i + n_extra, F_rest): per row
        ``s``, the future-known covariates and calendar at ``s + lead``
        (zeros where unknown) and the one-hot identity.
        """
        uid, y, info = coll.ids[i], coll.values[i], coll.infos[i]
        key = uid if key is None else key
        n = len(y)
        c, s = self._scales_for(key, y)
        parts = [(y - c) / s]
        cov = None
        if coll.exog is not None:
            cc, cs = self.covariate_scales_
            cov = (coll.exog[i] - cc) / cs
            if self._past_idx_:
                parts.append(cov[:, self._past_idx_])
        hist = np.hstack(parts)
        n_rows = n + n_extra
        feats = []
        fut = None
        if self._future_idx_ and cov is not None:
            fut = cov[:, self._future_idx_]
            if X_future is not None:
                cc, cs = self.covariate_scales_
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
            onehot = np.zeros((n_rows, len(self._series_keys_)))
            pos = self._onehot_index_.get(key) if hashable(key) else None
            if pos is not None:
                onehot[:, pos] = 1.0
            feats.append(onehot)
        feat = np.hstack(feats) if feats else np.empty((n_rows, 0))
        if not (np.isfinite(hist).all() and np.isfinite(feat).all()):
            what = "y or X is" if coll.kind == "series" else f"Series {uid!r} (or its covariates) is"
            raise ValueError(f"{what} too large to be represented after scaling.")
        self._check_cast(hist, fut, coll)
        return hist, feat

    def _check_cast(self, hist: np.ndarray, fut: np.ndarray | None, coll: Collection) -> None:
        """Refuse values the cast to ``dtype`` would turn into inf/0 (a message naming y or X)."""
        scaled = series_kind(self._fitted_params_) is not None
        check_dtype_range(hist, self._np_dtype(), name="y", when=" after scaling" if scaled else "")
        if fut is not None:
            scaled = covariate_kind(self._fitted_params_) is not None
            check_dtype_range(fut, self._np_dtype(), name="X",
                              when=" after scaling" if scaled else "")

    # ------------------------------------------------------------ forecast
    def _check_direct_h(self, h: int, steps: int, has_future: bool) -> None:
        if h > steps:
            raise ValueError(
                f"h={h} exceeds horizon={steps}, the number of steps this direct-strategy "
                f"forecaster was trained for; refit with horizon>={h} or use "
                "strategy='recursive'."
            )
        if has_future and h != steps:
            raise ValueError(
                f"With future-known covariates (X), a direct-strategy forecaster reads them "
                f"up to horizon={steps} steps ahead, so it forecasts h=horizon={steps} steps "
                f"(got h={h}): pass {steps} future rows and keep the first {h} forecasts."
            )

    def _forecast(self, coll: Collection, h: int, X_future: list | None) -> np.ndarray:
        """Forecasts ``(n_series, h, k_all, Q)`` of one network, on the original scale."""
        inputs = self._forecast_inputs(coll, h, X_future)
        with kernel_threads(self.n_jobs):
            return inputs.unscale(self._forecast_scaled(inputs, h))

    def _forecast_inputs(self, coll: Collection, h: int,
                         X_future: list | None) -> ForecastInputs:
        """The checked, scaled inputs of a forecast of ``h`` steps (no network call).

        They depend on the fitted scales, covariate positions, strategy and
        horizon, never on the weights or the window length: the members of an
        ensemble (fitted on the same series with the same parameters but
        those two) share them, so an ensemble builds them once per block.
        """
        steps = self._steps()
        direct = self._p("strategy") == "direct"
        if direct:
            self._check_direct_h(h, steps, X_future is not None and bool(self._future_idx_))
        lead = steps if direct else 1
        keys = self._keys_for(coll)
        hists, feats = [], []
        for i in range(coll.n_series):
            xf = None if X_future is None else X_future[i]
            hist, feat = self._series_inputs(coll, i, xf, n_extra=0 if direct else h, lead=lead,
                                             key=keys[i])
            hists.append(hist)
            feats.append(feat)
        centers, scales = self._channel_scales(coll, keys)
        return ForecastInputs(hists=hists, feats=feats, lengths=[len(y) for y in coll.values],
                              n_channels=coll.values[0].shape[1], labels=coll.labels(),
                              centers=centers, scales=scales)

    def _forecast_scaled(self, inputs: ForecastInputs, h: int,
                         windows: tuple | None = None) -> np.ndarray:
        """This network's forecasts ``(n_series, h, k_all, Q)`` of ``inputs``, on their scale.

        Direct: one network call on the last ``window_length`` rows of every
        series; ``windows``, the result of :meth:`_direct_windows` for
        ``inputs`` and a window length at least this network's (built once
        for the members of an ensemble), gives them.  Recursive: one call per
        step, each step's median fed back.
        """
        w = int(self._p("window_length"))
        if self._p("strategy") == "direct":
            Xn, state = self._direct_windows(inputs, [w]) if windows is None else windows
            # a copy: the shared windows stay intact whatever the network does with its input
            Xn = Xn[:, Xn.shape[1] - w // self._transform_.patch_length:].copy()
            return self._transform_.inverse(self._network_outputs(Xn), state,
                                            self._n_quantiles())[:, :h]
        hists, feats, lengths = inputs.hists, inputs.feats, inputs.lengths
        dt, med, k = self._np_dtype(), self._median_column(), hists[0].shape[1]

        def step(z_ext: list, j: int, _: int) -> np.ndarray:
            batch = np.stack([np.hstack([z[n + j - w:n + j], ff[n + j - w:n + j]])
                              for z, ff, n in zip(z_ext, feats, lengths)])
            return self._network_forecast(np.ascontiguousarray(batch, dtype=dt))[:, :1]

        def feed(z_ext: list, raw: np.ndarray, j: int) -> list:
            for i, n in enumerate(lengths):
                z_ext[i][n + j] = raw[i, 0, :, med]
            return z_ext

        z_ext = [np.vstack([hh, np.zeros((h, k))]) for hh in hists]
        return roll_forward(step, feed, z_ext, h, 1)

    def _network_outputs(self, Xn: np.ndarray) -> np.ndarray:
        """``_predict_network`` (weights checked, outputs checked) on network inputs ``Xn``,
        inside the caller's ``kernel_threads(n_jobs)`` block: :meth:`_forecast` and an
        ensemble's predict enter it once, not once per network call."""
        self._check_fitted_weights()
        # The windows were checked (finite, shapes) and the weights just now; the
        # outputs are checked below, so the network skips its own input checks.
        Xn = np.ascontiguousarray(Xn, dtype=self.params_.dtype)
        raw = self.network_.predict(self.params_, Xn, check_input=False)
        self._check_raw_output(raw)
        return raw

    def _direct_windows(self, inputs: ForecastInputs, lengths: list) -> tuple:
        """Network inputs of the last ``max(lengths)`` rows of every series, and their state.

        Returns ``(Xn (S, max(lengths) / patch_length, n_inputs), state)``
        (:meth:`WindowTransform.transform`).  The windows of every length in
        ``lengths`` are checked first (an error names the first invalid one
        in that order).  The transform of a window's tail is the tail of its
        transform (the level and the seasonal base are read from the last
        rows, the rest row by row), so the members of an ensemble with
        shorter windows and the same transform slice these.
        """
        w = max(lengths)
        batch = np.stack([np.hstack([hh[n - w:n], ff[n - w:n]])
                          for hh, ff, n in zip(inputs.hists, inputs.feats, inputs.lengths)])
        try:  # the longest window holds the others: one check when all are valid
            self._check_windows(batch, inputs)
        except ValueError:  # the message of the first invalid one, in the order given
            for length in lengths:
                self._check_windows(batch[:, w - length:], inputs)
            raise
        Xn, _, state = self._transform_.transform(
            np.ascontiguousarray(batch, dtype=self._np_dtype()))
        return Xn, state

    def _check_windows(self, batch: np.ndarray, inputs: ForecastInputs) -> None:
        """The window scalers' checks of the target channels of ``batch`` (S, w, F)."""
        c = inputs.n_channels
        check_window_values(self._fitted_params_, [b[:, j] for b in batch for j in range(c)],
                            inputs.labels)

    def _channel_scales(self, coll: Collection, keys: list) -> tuple[np.ndarray, np.ndarray]:
        """Centre and scale ``(n_series, k_all)`` of every output channel."""
        centers, scales = [], []
        for key, y in zip(keys, coll.values):
            c, s = self._scales_for(key, y)
            if self._past_idx_:
                cc, cs = self.covariate_scales_
                c = np.concatenate([c, cc[self._past_idx_]])
                s = np.concatenate([s, cs[self._past_idx_]])
            centers.append(c)
            scales.append(s)
        return np.array(centers), np.array(scales)
