"""Fit and forecast of one network on a single series (the ``y``/``X`` arrays).

A mixin of :class:`~rnnforecast.forecasting.neural._recurrent._RecurrentForecaster`:
the single-series half of its pipeline (scikit-learn scalers, feature rows of
one series, the recursive roll-forward of one series).
"""

from __future__ import annotations

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
from rnnforecast.forecasting.neural.features import calendar_matrix, fit_scaler
from rnnforecast.forecasting.neural.windows import WindowSampler, make_transform
from rnnforecast.nn.threads import kernel_threads
from rnnforecast.utils.network_input import check_dtype_range
from rnnforecast.utils.validation import SeriesInfo, future_index

__all__ = ["SeriesPathMixin"]


class SeriesPathMixin:
    """Single-series fit (``_fit_network``) and forecast (``_network_single``)."""

    def _check_cast(self, z, xs, y_scaler, x_scaler) -> None:
        """Refuse values the cast to ``dtype`` would turn into inf/0 (a message naming y or X)."""
        for arr, sc, nm in ((z, y_scaler, "y"), (xs, x_scaler, "X")):
            check_dtype_range(arr, self._np_dtype(), name=nm,
                              when="" if sc is None else " after scaling")

    def _scale(self, scaler, values: np.ndarray) -> np.ndarray:
        return values if scaler is None else scaler.transform(values)

    def _rows(self, z: np.ndarray, xs: np.ndarray | None, lead: int) -> np.ndarray:
        """Per-time-step network inputs ``(z[s], xs[s + lead])`` for every row of ``z``.

        ``xs`` may be longer than ``z`` (future regressors).  Rows whose
        regressors lie beyond ``xs`` get zeros there; they are never inside
        a window that is used.
        """
        if xs is None:
            return z
        led = np.zeros((z.shape[0], xs.shape[1]))
        avail = min(z.shape[0], xs.shape[0] - lead)
        led[:avail] = xs[lead:lead + avail]
        return np.hstack([z, led])

    def _fit_network(self, y: np.ndarray, X: np.ndarray | None = None) -> None:
        self._check_common()
        if self._p("series_id") is not None:
            raise ValueError(
                f"series_id={self._p('series_id')!r} identifies the series of a collection (a list "
                "of series or a long DataFrame); y is a single series whose columns are "
                "modelled jointly. Use series_id=None, or pass the series as a collection."
            )
        self._quantile_levels_ = quantile_levels(self._fitted_params_)
        cal = calendar_names(self._fitted_params_)
        info = self._y_info_
        check_calendar_index([info], cal)
        m_all = 0 if X is None else X.shape[1]
        past, fut = split_covariates(self._fitted_params_, self._X_columns_, m_all)
        check_past_with_window_scaler(self._fitted_params_, past)
        self._past_idx_, self._future_idx_ = past, fut
        self._past_fit_ = None
        if past:
            self._past_fit_ = X[:, past].copy()
            y = np.hstack([y, self._past_fit_])
            X = X[:, fut] if fut else None
            # predict needs only the future-known columns
            self._X_fit_ = X
            if self._X_columns_ is not None:
                self._X_columns_ = self._X_columns_[fut] if fut else None
            self.n_exog_ = len(fut)
        steps = self._steps()
        w = int(self._p("window_length"))
        n, k = y.shape
        m = 0 if X is None else X.shape[1]
        warm = self.warm_start and hasattr(self, "params_")
        if warm:
            if (k, m) != self._input_dims_:
                raise ValueError(
                    "warm_start=True needs the numbers of series and exogenous "
                    f"regressors of the previous fit {self._input_dims_}; got ({k}, {m})."
                )
            y_scaler, x_scaler = self.scaler_, self.exog_scaler_
        else:
            check_window_values(self._fitted_params_, [y[:, j] for j in range(k)], list(range(k)))
            y_scaler = fit_scaler(series_kind(self._fitted_params_), y)
            x_scaler = None if X is None else fit_scaler(covariate_kind(self._fitted_params_), X)
        z = self._scale(y_scaler, y)
        xs = None if X is None else self._scale(x_scaler, X)
        if not np.isfinite(z).all() or (xs is not None and not np.isfinite(xs).all()):
            raise ValueError("y or X is too large to be represented after scaling.")
        self._check_cast(z, xs, y_scaler, x_scaler)
        xs = self._with_calendar(xs, info, n, steps, cal)
        # Windows are built per mini-batch (WindowSampler), never all at once:
        # a window ending at t reads rows t-w+1..t and predicts z[t+1..t+steps].
        dt = self._np_dtype()
        rows = np.ascontiguousarray(self._rows(z, xs, steps), dtype=dt)
        ends = np.arange(w - 1, n - steps, dtype=np.int64)
        if not len(ends):
            raise ValueError(
                f"y has {n} observations but {self._describe()} needs at least {w + steps} "
                "to train on."
            )
        targets = np.ascontiguousarray(z, dtype=dt)
        X_val = Y_val = None
        if self._p("early_stopping"):
            N = len(ends)
            n_val = int(np.ceil(float(self._p("validation_fraction")) * N))
            n_train = N - n_val - (steps - 1)
            if n_val < 2 or n_train < 1:
                raise ValueError(
                    "The validation set is too small: early_stopping=True with "
                    f"validation_fraction={self._p('validation_fraction')} holds out {n_val} of "
                    f"the {N} training windows (window_length={w}, {steps} step(s) per "
                    "window); at least 2 validation windows and 1 training window "
                    "(before a gap of steps - 1 windows) are needed. Use a longer series "
                    "or a larger validation_fraction."
                )
            X_val, Y_val = WindowSampler([rows], [targets], w, steps,
                                         [ends[N - n_val:]]).materialise()
            ends = ends[:n_train]
        sampler = WindowSampler([rows], [targets], w, steps, [ends])
        if not warm:
            self._transform_ = make_transform(self._fitted_params_, k, steps, [y[:, j] for j in range(k)])
        net = self._make_network(self._transform_.n_inputs(rows.shape[1]),
                                 steps * k * self._n_quantiles())
        seed = self._draw_seed()
        params = self._initial_params(net, seed, "the new series or parameters")
        result = self._train(net, params, sampler, None, seed, X_val, Y_val)
        self._set_training_result(net, result)
        self.n_windows_ = sampler.n_samples
        self.scaler_ = y_scaler
        self.exog_scaler_ = x_scaler
        self._input_dims_ = (k, m)

    def _with_calendar(self, xs: np.ndarray | None, info: SeriesInfo, n: int, n_future: int,
                       cal: list) -> np.ndarray | None:
        """``xs`` (rows from the start of the series) with calendar columns appended.

        The calendar covers ``n + n_future`` periods; ``xs`` is padded with
        zeros up to that length (those rows are never read by a used window).
        """
        if not cal:
            return xs
        index = info.index[:n].append(future_index(info, n_future, info.index[n - 1]))
        C = calendar_matrix(index, cal)
        if xs is None:
            return C
        pad = np.zeros((C.shape[0] - xs.shape[0], xs.shape[1])) if C.shape[0] > xs.shape[0] else None
        base = xs if pad is None else np.vstack([xs, pad])
        return np.hstack([base[:C.shape[0]], C])

    def _network_single(self, h, X, y_hist, X_hist, y_info) -> np.ndarray:
        """:meth:`_forecast_single` of one network."""
        check_is_fitted(self, "params_")
        w = int(self._p("window_length"))
        steps = self._steps()
        y = self._history(y_hist)
        if self._past_idx_:
            if y_hist is not None:
                raise ValueError(
                    "Forecasting a single series from a new history y is not available "
                    "with past_covariates: the covariates' history would be needed. Refit "
                    "on the new data, or use the long format (a DataFrame with unique_id, "
                    "ds, y and the covariate columns), whose y carries that history."
                )
            y = np.hstack([y, self._past_fit_])
        Xh = self._exog_history(X_hist)
        n, k = y.shape
        Q, med = self._n_quantiles(), self._median_column()
        z = self._scale(self.scaler_, y)
        xs = None
        if Xh is not None:
            xs = self._scale(self.exog_scaler_, np.vstack([Xh, X]))
        self._check_cast(z, xs, self.scaler_, self.exog_scaler_)
        info = self._y_info_ if y_info is None else y_info
        xs = self._with_calendar(xs, info, n, max(h, steps), calendar_names(self._fitted_params_))
        dt = self._np_dtype()
        if self._p("strategy") == "direct":
            if h > steps:
                raise ValueError(
                    f"h={h} exceeds horizon={steps}, the number of steps this "
                    "direct-strategy forecaster was trained for; refit with "
                    f"horizon>={h} or use strategy='recursive'."
                )
            if Xh is not None and h != steps:
                raise ValueError(
                    f"With exogenous regressors, a direct-strategy forecaster reads X "
                    f"up to horizon={steps} steps ahead, so it forecasts h=horizon="
                    f"{steps} steps (got h={h}): pass {steps} future rows of X and "
                    f"keep the first {h} forecasts."
                )
            rows = self._rows(z, xs, steps)[n - w:n]
            check_window_values(self._fitted_params_, [rows[:, j] for j in range(k)], list(range(k)))
            window = np.ascontiguousarray(rows[None], dtype=dt)
            with kernel_threads(self.n_jobs):
                out = self._network_forecast(window)[0, :h]
        else:
            z_ext = np.empty((n + h, k))
            z_ext[:n] = z
            out = np.empty((h, k, Q))
            with kernel_threads(self.n_jobs):
                for j in range(h):
                    zs = z_ext[n + j - w:n + j]
                    if xs is not None:
                        zs = np.hstack([zs, xs[n + j - w + 1:n + j + 1]])
                    window = np.ascontiguousarray(zs[None], dtype=dt)
                    out[j] = self._network_forecast(window)[0, 0]
                    z_ext[n + j] = out[j, :, med]
        if self.scaler_ is not None:
            flat = out.transpose(0, 2, 1).reshape(h * Q, k)
            out = self.scaler_.inverse_transform(flat).reshape(h, Q, k).transpose(0, 2, 1)
        return out
