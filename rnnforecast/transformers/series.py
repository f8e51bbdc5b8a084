"""Transformers of a whole series: :class:`LogTransformer`, :class:`Differencer`.

Both take a series of shape ``(n_timesteps,)`` or ``(n_timesteps,
n_series)`` (numpy or pandas; the index is ignored) and return numpy arrays of
the same number of dimensions.  They are meant as steps of a
:class:`rnnforecast.forecasting.ForecastingPipeline`, but are ordinary
scikit-learn transformers too.

Forecast inversion protocol
---------------------------
A plain transformer is inverted with ``inverse_transform`` (fine for
element-wise maps such as a log, a scaler or a power transform).  A transformer
whose inverse depends on the past of the series (differencing) additionally
implements ``inverse_transform_forecast(y_forecast, y_history=None)``: it
maps forecasts of the *transformed* series for the steps right after the end
of ``y_history`` (a series in the *original* space; default: the series seen
at fit) back to the original space.  :class:`ForecastingPipeline` uses
``inverse_transform_forecast`` when a step has it, ``inverse_transform``
otherwise.  A transformer that drops leading rows reports how many through
``_n_dropped_rows()`` (used for minimum-length checks).

Nothing overflows silently: the arithmetic runs in an exactly scaled space
where it can (:mod:`rnnforecast.utils.scaled`), and a result that truly lies
beyond the float64 range (e.g. ``exp`` of a forecast that drifted far on the
log scale) raises a :class:`ValueError` naming the transformer and the method,
instead of returning ``inf``.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from rnnforecast.utils._compat import Interval, _fit_context
from rnnforecast.utils.scaled import add_scaled, halve_pair
from rnnforecast.utils.validation import check_lags, check_series

__all__ = ["Differencer", "LogTransformer"]


_LN2 = float(np.log(2.0))


def _restore_ndim(values: np.ndarray, ndim: int) -> np.ndarray:
    return values[:, 0].copy() if ndim == 1 else values


def _check_finite_result(values: np.ndarray, who: str, hint: str) -> np.ndarray:
    """Refuse a non-finite result of a transformation (an overflow), naming ``who``."""
    finite = np.isfinite(values)
    if finite.all():
        return values
    rows = np.flatnonzero(~finite.reshape(values.shape[0], -1).all(axis=1))
    raise ValueError(
        f"{who} gives {int((~finite).sum())} value(s) beyond the float64 range (about "
        f"+-1.8e308), first in row {int(rows[0])}: the result cannot be represented. {hint}"
    )


class _SeriesTransformer(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Shared input handling: validate, remember the number of series."""

    def _validate(self, y: Any, name: str = "y", reset: bool = False) -> tuple[np.ndarray, int]:
        values, info = check_series(y, name=name, check_index=False)
        if reset:
            self.n_features_in_ = info.n_columns
        elif info.n_columns != self.n_features_in_:
            raise ValueError(
                f"{name} must have {self.n_features_in_} series (columns), as at "
                f"fit; got {info.n_columns}."
            )
        return values, info.ndim


_LOG_HINT = (
    "y is on the log scale (e.g. forecasts of the log-transformed series): a value above "
    "log(1.8e308 + offset) (709.78 for offset=0) maps beyond float64. Check the forecasts "
    "on the log scale (a trend or drift extrapolated over a long horizon grows without "
    "bound) or rescale the series before the log."
)


class LogTransformer(_SeriesTransformer):
    """Natural logarithm ``log(y + offset)``, with exact inverse.

    Parameters
    ----------
    offset : float, default=0.0
        Added before taking the log. Every value of ``y + offset`` must be
        strictly positive: non-positive values are refused (no clipping).

    Attributes
    ----------
    n_features_in_ : int
        Number of series seen at fit.

    Examples
    --------
    >>> import numpy as np
    >>> t = LogTransformer().fit(np.array([1.0, np.e]))
    >>> t.transform(np.array([1.0, np.e]))
    array([0., 1.])
    """

    _parameter_constraints: dict = {"offset": [Real]}

    def __init__(self, offset: float = 0.0):
        self.offset = offset

    def _shifted(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``values + offset`` as ``(s, k)`` with the sum ``s * 2**k`` (no overflow)."""
        a, b, k = halve_pair(values, np.float64(self.offset))
        return a + b, k

    def _check_positive(self, values: np.ndarray, name: str) -> None:
        if not np.isfinite(self.offset):
            raise ValueError(f"offset must be finite; got {self.offset!r}.")
        shifted, _ = self._shifted(values)
        if (shifted <= 0).any():
            bad = np.flatnonzero((shifted <= 0).any(axis=1))
            raise ValueError(
                f"LogTransformer needs {name} + offset > 0; got "
                f"{int((shifted <= 0).sum())} value(s) <= 0 (offset={self.offset}), "
                f"first in row {int(bad[0])} (value {values[bad[0]].min()}). Use "
                "a larger offset or another transformation."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y: Any, X: Any = None) -> "LogTransformer":
        """Check that ``y + offset > 0``.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_series)
        X : None
            Ignored.

        Returns
        -------
        self : LogTransformer
        """
        values, _ = self._validate(y, reset=True)
        self._check_positive(values, "y")
        return self

    def transform(self, y: Any) -> np.ndarray:
        """Return ``log(y + offset)``, float64, same shape as ``y``.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_series)
            Values with ``y + offset > 0``.

        Returns
        -------
        z : ndarray of the shape of ``y``, float64
            ``log(y + offset)``.
        """
        check_is_fitted(self, "n_features_in_")
        values, ndim = self._validate(y)
        self._check_positive(values, "y")
        shifted, k = self._shifted(values)
        return _restore_ndim(np.log(shifted) + k * _LN2, ndim)

    def inverse_transform(self, y: Any) -> np.ndarray:
        """Return ``exp(y) - offset``, float64, same shape as ``y``.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_series)
            Transformed values (e.g. forecasts on the log scale).

        Returns
        -------
        y_orig : ndarray of the shape of ``y``, float64
            ``exp(y) - offset``.
        """
        check_is_fitted(self, "n_features_in_")
        values, ndim = self._validate(y)
        # exp(v) = exp(v - k ln 2) * 2**k: only values above 700 (exp near the
        # float64 limit) are shifted, so that exp(v) - offset is exact elsewhere
        k = np.where(values > 700.0, np.ceil((values - 700.0) / _LN2), 0.0)
        k = np.minimum(k, 4096.0).astype(np.int64)
        what = f"{self!r}.inverse_transform: exp(y) - offset"
        out = add_scaled(np.full_like(values, -float(self.offset)), np.exp(values - k * _LN2), k,
                         what, _LOG_HINT)
        return _restore_ndim(out, ndim)


class Differencer(_SeriesTransformer):
    """Differencing ``z[t] = y[t] - y[t - lag]``, applied once per lag.

    Parameters
    ----------
    lags : int or list of int, default=1
        Lag of each differencing pass, applied in order: ``1`` is a first
        difference, ``[1, 12]`` a first difference followed by a seasonal
        (lag 12) difference, ``[1, 1]`` a second difference.  An int ``L``
        is the single lag ``L`` (``12`` is one seasonal difference, unlike
        :class:`~rnnforecast.transformers.LagTransformer` where it means
        lags ``1..12``).

    Attributes
    ----------
    lags_ : list of int
        The lags used.
    n_features_in_ : int
        Number of series seen at fit.

    Notes
    -----
    ``transform`` drops the first ``sum(lags)`` rows (their differences are
    undefined): the output has ``n_timesteps - sum(lags)`` rows and row ``r``
    corresponds to time ``r + sum(lags)``.

    * ``inverse_transform(z)`` undoes ``transform`` on the series seen at
      fit: it integrates ``z`` from that series' first ``sum(lags)`` values
      and returns ``len(z) + sum(lags)`` rows (so
      ``inverse_transform(transform(y_fit)) == y_fit``).
    * ``inverse_transform_forecast(z_forecast, y_history=None)`` turns
      forecasts of the differenced series for the steps right after the end
      of ``y_history`` (default: the series seen at fit) into forecasts of the
      original series, integrating from the last observed values.

    Examples
    --------
    >>> import numpy as np
    >>> d = Differencer(lags=1).fit(np.array([1.0, 2.0, 4.0]))
    >>> d.transform(np.array([1.0, 2.0, 4.0]))
    array([1., 2.])
    >>> d.inverse_transform_forecast(np.array([1.0, 1.0]))
    array([5., 6.])
    """

    _parameter_constraints: dict = {
        "lags": [Interval(Integral, 1, None, closed="left"), list, tuple],
    }

    def __init__(self, lags: int | list[int] = 1):
        self.lags = lags

    def _resolve_lags(self) -> list[int]:
        return check_lags(self.lags, int_means="one")

    def _n_dropped_rows(self) -> int:
        """Number of leading rows ``transform`` drops (``sum(lags)``)."""
        try:
            return sum(self._resolve_lags())
        except (TypeError, ValueError):
            return 0

    def _check_length(self, n: int, name: str) -> None:
        d = sum(self.lags_)
        if n <= d:
            raise ValueError(
                f"{name} has {n} observations but Differencer(lags={self.lags!r}) "
                f"needs at least {d + 1} (it drops the first {d})."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y: Any, X: Any = None) -> "Differencer":
        """Store the series (its first and last values are needed to invert).

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_series)
        X : None
            Ignored.

        Returns
        -------
        self : Differencer
        """
        self.lags_ = self._resolve_lags()
        values, _ = self._validate(y, reset=True)
        self._check_length(values.shape[0], "y")
        self._y_fit_ = values
        return self

    def _levels(self, values: np.ndarray, name: str = "y") -> list[np.ndarray]:
        """Series after 0, 1, ..., len(lags) differencing passes."""
        levels = [values]
        for lag in self.lags_:
            prev = levels[-1]
            with np.errstate(over="ignore", invalid="ignore"):
                levels.append(prev[lag:] - prev[:-lag])
            _check_finite_result(
                levels[-1], f"{self!r}: differencing {name} (lag {lag})",
                f"The differences of {name} exceed float64: rescale the series (e.g. divide "
                "it by a power of 10) first.")
        return levels

    def _integrated(self, values: np.ndarray, method: str, name: str) -> np.ndarray:
        return _check_finite_result(
            values, f"{self!r}.{method}",
            f"The integrated (cumulated) differences exceed float64: check {name} (differenced "
            "values, e.g. forecasts: a drift cumulates over the horizon) or rescale the series.")

    def transform(self, y: Any) -> np.ndarray:
        """Differenced series.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_series)

        Returns
        -------
        z : ndarray of shape (n_timesteps - sum(lags),) or \
                (n_timesteps - sum(lags), n_series), float64
        """
        check_is_fitted(self, "lags_")
        values, ndim = self._validate(y)
        self._check_length(values.shape[0], "y")
        return _restore_ndim(self._levels(values)[-1], ndim)

    def inverse_transform(self, y: Any) -> np.ndarray:
        """Undo ``transform`` of the fitted series (see class Notes).

        Parameters
        ----------
        y : array-like of shape (n,) or (n, n_series)
            Differenced values, starting at time ``sum(lags)`` of the fitted
            series.

        Returns
        -------
        y_orig : ndarray of shape (n + sum(lags),) or (n + sum(lags), n_series)
        """
        check_is_fitted(self, "lags_")
        z, ndim = self._validate(y)
        levels = self._levels(self._y_fit_)
        with np.errstate(over="ignore", invalid="ignore"):
            for i in range(len(self.lags_) - 1, -1, -1):
                lag = self.lags_[i]
                out = np.empty((z.shape[0] + lag, z.shape[1]))
                out[:lag] = levels[i][:lag]
                for t in range(z.shape[0]):
                    out[t + lag] = z[t] + out[t]
                z = out
        return _restore_ndim(self._integrated(z, "inverse_transform", "y"), ndim)

    def inverse_transform_forecast(self, y_forecast: Any, y_history: Any = None) -> np.ndarray:
        """Integrate forecasts of the differenced series.

        Parameters
        ----------
        y_forecast : array-like of shape (h,) or (h, n_series)
            Forecasts of the differenced series for the ``h`` steps right
            after the end of ``y_history``.
        y_history : array-like of shape (n, n_series), default=None
            The observed series (original space) the forecasts follow; at
            least ``sum(lags)`` rows. Default: the series seen at fit.

        Returns
        -------
        forecast : ndarray of shape (h,) or (h, n_series), float64
            Forecasts in the original space.
        """
        check_is_fitted(self, "lags_")
        f, ndim = self._validate(y_forecast, name="y_forecast")
        if y_history is None:
            hist = self._y_fit_
        else:
            hist, _ = self._validate(y_history, name="y_history")
            if hist.shape[0] < sum(self.lags_):
                raise ValueError(
                    f"y_history has {hist.shape[0]} observations but "
                    f"Differencer(lags={self.lags!r}) needs at least "
                    f"{sum(self.lags_)} to integrate forecasts."
                )
        levels = self._levels(hist, "y_history" if y_history is not None else "y")
        h = f.shape[0]
        with np.errstate(over="ignore", invalid="ignore"):
            for i in range(len(self.lags_) - 1, -1, -1):
                lag = self.lags_[i]
                past = levels[i][-lag:]
                ext = np.vstack([past, np.empty((h, f.shape[1]))])
                for t in range(h):
                    ext[lag + t] = f[t] + ext[t]
                f = ext[lag:]
        f = self._integrated(f, "inverse_transform_forecast", "y_forecast")
        return _restore_ndim(np.ascontiguousarray(f), ndim)
