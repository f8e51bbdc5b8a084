"""(S)ARIMA(X) baseline on statsmodels' state-space ``SARIMAX``.

Estimation and its failure modes
--------------------------------
The model is fitted by exact maximum likelihood (Kalman filter, diffuse
initialisation of the integrated part) with the optimiser ``method``
(default L-BFGS, ``maxiter`` iterations).  If the optimiser reports that it
did not converge, the fit is retried once with Nelder--Mead started from the
last L-BFGS estimate (``max(1000, 10 * maxiter)`` iterations) and the better
of the two (higher log-likelihood) is kept.  If neither converged,
``on_failure="warn"`` (default) keeps that estimate and emits a
:class:`sklearn.exceptions.ConvergenceWarning` naming the model, and
``on_failure="raise"`` raises :class:`ARIMAFitError`.  A numerical failure
inside statsmodels (e.g. a singular matrix) or a non-finite log-likelihood or
parameter always raises :class:`ARIMAFitError`; a NaN is never returned
silently.  statsmodels' own ``ConvergenceWarning`` and its warnings about
replaced starting parameters are caught, because they are handled here.

Scale
-----
The likelihood is maximised for ``y / scale`` (``X`` unchanged), with
``scale`` the standard deviation of the model's differenced series (the
largest ``|y|`` for a series whose differences are all zero, 1 for a series
of zeros; see :func:`_series_scale`).  statsmodels' optimiser, its starting
values and its tolerances are absolute, so a series of magnitude 1e-9 (or
1e12) gave a degenerate fit (forecasts collapsing to 0) where the same series
in units near 1 fits well; in the scaled space every series has innovations
of order 1, so ``c * y`` gives ``c`` times the forecasts and intervals of ``y``
for any ``c > 0``.  Forecasts and intervals are computed in the scaled space
and multiplied by ``scale``; ``params_`` and the information criteria are
reported in the units of ``y`` (intercept, drift and regression coefficients
times ``scale``, ``sigma2`` times ``scale**2``, log-likelihood minus
``n_effective * log(scale)``).  For a stationary model this is exactly
statsmodels' fit of ``y`` up to the optimiser's tolerance; with
differencing the approximate-diffuse prior of statsmodels (variance 1e6) is
applied in the scaled space, i.e. it scales with the data.

Level
-----
A series whose level is far from its variation (``|median(y)| > 1e6 *
scale``, e.g. values ``1e10 + O(1)``) left the mean or intercept to
statsmodels' optimiser and its approximate-diffuse prior (centred at 0) at
1e10 innovation standard deviations: the fits failed or forecast errors of
1e4..1e8.  Such a series is fitted as ``(y - shift) / scale`` with ``shift``
its median, but only where the model is exactly equivariant to a shift:
with differencing (``d + D >= 1``, the shift is differenced away; up to
the approximate-diffuse prior, which is then centred at the data) or with a
constant (``trend`` "c" or "ct", the intercept absorbs it).  Other models
(no differencing and no constant, or ``trend="t"`` alone) say the series has
mean zero, so they are fitted unshifted, as before.  The scale of a
shiftable model treats only a spread below 4 float64 epsilons of the level
as rounding (see :func:`_series_scale`); the other models keep the
threshold 1e-10, below which their scale is the level.  Forecasts and
intervals are shifted back; ``params_`` stay in the units of ``y`` (the
intercept of an undifferenced model gains ``shift * phi(1) * Phi(1)``); the
log-likelihood is unchanged by a shift.  Series nearer their level keep
``shift = 0`` and the unshifted fit bit for bit.

statsmodels' state-space code works on tiny matrices, for which multithreaded
BLAS only adds overhead (and is very slow on a busy machine), so fits and
forecasts run with BLAS limited to one thread (``threadpoolctl``).
"""

from __future__ import annotations

import numbers
import time
import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from statsmodels.tools.sm_exceptions import ConvergenceWarning as SMConvergenceWarning
from statsmodels.tools.sm_exceptions import EstimationWarning
from statsmodels.tsa.statespace.sarimax import SARIMAX

from rnnforecast.baselines._arima_scale import (
    _criteria,
    _equivariant,
    _scale_rounding,
    _series_scale,
    _series_shift,
    _unscale_params,
)
from rnnforecast.baselines._intervals import _IntervalForecasterMixin
from rnnforecast.utils._blas import single_threaded_blas
from rnnforecast.forecasting.base import BaseForecaster
from rnnforecast.utils._compat import Interval, StrOptions

__all__ = ["ARIMAForecaster", "ARIMAFitError", "SarimaxState"]

_TRENDS = {None: 0, "n": 0, "c": 1, "t": 1, "ct": 2}
_METHODS = {"lbfgs", "bfgs", "nm", "powell"}


class ARIMAFitError(RuntimeError):
    """An ARIMA model could not be estimated (numerical failure or non-convergence)."""


def _describe(order: tuple, seasonal_order: tuple, trend: Any) -> str:
    s = f"ARIMA{tuple(order)}"
    if any(seasonal_order[:3]):
        s += f"{tuple(seasonal_order[:3])}[{seasonal_order[3]}]"
    if trend not in (None, "n"):
        s += f" with trend={trend!r}"
    return s


def _check_order(order: Any, name: str, length: int) -> tuple[int, ...]:
    if not isinstance(order, (tuple, list)) or len(order) != length:
        raise ValueError(
            f"{name} must be a tuple of {length} non-negative ints; got {order!r}"
        )
    out = []
    for v in order:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must contain ints; got {order!r} (element {v!r} of type {type(v).__name__})")
        if v < 0:
            raise ValueError(f"{name} must contain non-negative ints; got {order!r}")
        out.append(int(v))
    return tuple(out)


def _check_seasonal_order(seasonal_order: Any) -> tuple[int, int, int, int]:
    so = _check_order(seasonal_order, "seasonal_order", 4)
    if any(so[:3]) and so[3] < 2:
        raise ValueError(
            "seasonal_order=(P, D, Q, s) with P, D or Q > 0 needs a seasonal period s >= 2; "
            f"got {tuple(seasonal_order)!r}"
        )
    return so  # type: ignore[return-value]


def _n_params(order: tuple, seasonal_order: tuple, trend: Any, n_exog: int) -> int:
    p, _, q = order
    P, _, Q, _ = seasonal_order
    return p + q + P + Q + _TRENDS[trend] + n_exog + 1  # +1: innovation variance


def _n_lost(order: tuple, seasonal_order: tuple) -> int:
    return order[1] + seasonal_order[1] * seasonal_order[3]


def _sarimax_fit(
    y: np.ndarray,
    X: np.ndarray | None,
    *,
    order: tuple,
    seasonal_order: tuple,
    trend: Any,
    enforce_stationarity: bool = True,
    enforce_invertibility: bool = True,
    method: str = "lbfgs",
    maxiter: int = 50,
    on_failure: str = "warn",
    retry: bool = True,
    simple_differencing: bool = False,
    cov_type: str | None = None,
    scale: float | None = None,
    start_params: np.ndarray | None = None,
    shift: float | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Fit one SARIMAX model to ``(y - shift) / scale``; return (results, info) -- see the module docstring.

    ``y`` is float64 (n,), ``X`` float64 (n, m) or None; ``scale`` defaults to
    :func:`_series_scale` of ``y`` with the model's differencing, ``shift``
    to :func:`_series_shift`; ``start_params`` (of ``(y - shift) / scale``)
    replace statsmodels' starting values.  ``results``
    is statsmodels' fit of the scaled series.  ``info`` has keys ``converged``
    (bool), ``fit_method`` (str), ``seconds`` (float), ``spec`` (dict),
    ``scale`` (float), ``shift`` (float), ``params`` (ndarray, in the units of ``y``) and
    ``llf``, ``aic``, ``aicc``, ``bic`` (floats, of ``y``).
    """
    label = _describe(order, seasonal_order, trend)
    t0 = time.perf_counter()
    spec = dict(order=order, seasonal_order=seasonal_order, trend=trend,
                enforce_stationarity=enforce_stationarity,
                enforce_invertibility=enforce_invertibility,
                simple_differencing=simple_differencing)
    n_lost = _n_lost(order, seasonal_order)
    if scale is None:
        scale = _series_scale(y, order[1], seasonal_order[1], seasonal_order[3],
                              _scale_rounding(_equivariant(n_lost, trend)))
    if shift is None:
        shift = _series_shift(y, scale, n_lost, trend)
    model = SARIMAX((y - shift) / scale, exog=X, **spec)
    fit_kw: dict[str, Any] = {"disp": False}
    if cov_type is not None:
        fit_kw["cov_type"] = cov_type

    def _run(**kw: Any) -> Any:
        with warnings.catch_warnings():
            # handled below through mle_retvals["converged"] / start-param fallbacks
            warnings.simplefilter("ignore", SMConvergenceWarning)
            warnings.simplefilter("ignore", EstimationWarning)
            warnings.filterwarnings("ignore", message=".*[Nn]on-(stationary|invertible) starting.*")
            warnings.filterwarnings("ignore", message=".*[Tt]oo few observations to estimate starting.*")
            with np.errstate(all="ignore"), single_threaded_blas():
                return model.fit(**fit_kw, **kw)

    try:
        first = {} if start_params is None else {"start_params": np.asarray(start_params, dtype=np.float64)}
        res = _run(method=method, maxiter=maxiter, **first)
        fit_method = method
        converged = bool(res.mle_retvals.get("converged", True)) if res.mle_retvals else True
        if not converged and retry:
            res2 = _run(method="nm", maxiter=max(1000, 10 * maxiter), start_params=res.params)
            c2 = bool(res2.mle_retvals.get("converged", True)) if res2.mle_retvals else True
            if c2 or (np.isfinite(res2.llf) and (not np.isfinite(res.llf) or res2.llf > res.llf)):
                res, converged, fit_method = res2, c2, f"{method}->nm"
    except (np.linalg.LinAlgError, FloatingPointError, OverflowError) as exc:
        raise ARIMAFitError(f"{label}: numerical failure while fitting ({type(exc).__name__}: {exc})") from exc
    params = np.asarray(res.params, dtype=np.float64)
    if not (np.isfinite(res.llf) and np.all(np.isfinite(params))):
        raise ARIMAFitError(
            f"{label}: estimation produced a non-finite log-likelihood or parameters "
            f"(llf={res.llf}, params={params.tolist()})"
        )
    if not converged:
        _report_nonconvergence(label, method, maxiter, retry, on_failure, stacklevel=4)
    info = {"converged": converged, "fit_method": fit_method, "seconds": time.perf_counter() - t0,
            "spec": spec, "scale": float(scale), "shift": float(shift),
            "params": _unscale_params(list(model.param_names), list(model.exog_names or []), params, scale,
                                      shift, n_lost),
            **_criteria(res, scale)}
    return res, info


def _report_nonconvergence(label: str, method: str, maxiter: int, retry: bool, on_failure: str,
                           stacklevel: int = 3) -> None:
    """Raise :class:`ARIMAFitError` or warn (``on_failure``) that a fit did not converge."""
    msg = (
        f"{label}: the likelihood optimiser did not converge ({method}, maxiter={maxiter}"
        + (", then Nelder-Mead" if retry else "")
        + "); the last estimate is used. Increase maxiter or simplify the model."
    )
    if on_failure == "raise":
        raise ARIMAFitError(msg)
    if on_failure == "warn":
        warnings.warn(msg, ConvergenceWarning, stacklevel=stacklevel)


class SarimaxState:
    """What a fitted SARIMAX needs to forecast, without statsmodels' per-step arrays.

    A statsmodels results object keeps the filtered, predicted and smoothed
    state covariances of every time step (``k_states**2 * n`` floats each:
    about 260 MB for an hourly ARIMA(1,0,1)(0,1,1)[24] on 700 observations),
    which made a few hundred fitted models exhaust the memory.  The
    forecasters keep this small object instead -- the model specification, the
    estimated parameters and the training data -- and re-run the Kalman filter
    with the fixed parameters when they forecast (a fraction of the fit time;
    the forecasts are identical).

    Parameters
    ----------
    y : ndarray of shape (n,), float64
        Training series, in its own units.
    X : ndarray of shape (n, m) or None
    spec : dict
        Keyword arguments of ``SARIMAX`` besides the data.
    params : ndarray
        Parameters estimated on ``(y - shift) / scale`` (statsmodels' order).
    scale : float, default=1.0
        The scale the model was fitted in (see the module docstring).
    shift : float, default=0.0
        The level subtracted before fitting (see the module docstring).
    """

    scale = 1.0  # states stored before the scaled fits (parameters of y itself) have no attribute
    shift = 0.0  # nor do states stored before the shifted fits

    def __init__(self, y: np.ndarray, X: np.ndarray | None, spec: dict, params: np.ndarray,
                 scale: float = 1.0, shift: float = 0.0):
        self.y = np.array(y, dtype=np.float64, copy=True)
        self.X = None if X is None else np.array(X, dtype=np.float64, copy=True)
        self.spec = dict(spec)
        self.params = np.array(params, dtype=np.float64, copy=True)
        self.scale = float(scale)
        self.shift = float(shift)

    def _filter(self, endog: np.ndarray, exog: np.ndarray | None, params: np.ndarray) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SMConvergenceWarning)
            warnings.simplefilter("ignore", EstimationWarning)
            with np.errstate(all="ignore"), single_threaded_blas():
                return SARIMAX(endog, exog=exog, **self.spec).filter(params)

    def scaled_results(self, y: np.ndarray | None = None, X: np.ndarray | None = None) -> Any:
        """Filtered results of ``(y - shift) / scale`` (training data or a new history ``y``), as fitted."""
        endog, exog = (self.y, self.X) if y is None else (y, X)
        return self._filter((endog - self.shift) / self.scale, exog, self.params)

    def results(self, y: np.ndarray | None = None, X: np.ndarray | None = None) -> Any:
        """Filtered statsmodels results on the training data (or on a new history ``y``), in the units of ``y``.

        The parameters are mapped back to the units of ``y`` (see the module
        docstring); for series of extreme magnitude statsmodels' absolute
        filter settings can make these results less accurate than the
        forecasts, which are computed in the scaled space.
        """
        endog, exog = (self.y, self.X) if y is None else (y, X)
        model = SARIMAX(endog, exog=exog, **self.spec)
        n_lost = _n_lost(self.spec["order"], self.spec["seasonal_order"])
        params = _unscale_params(list(model.param_names), list(model.exog_names or []), self.params, self.scale,
                                 self.shift, n_lost)
        return self._filter(endog, exog, params)


class _SarimaxResultsMixin:
    """``results_`` rebuilt on access from a :class:`SarimaxState` (see there)."""

    @property
    def results_(self) -> Any:
        """statsmodels ``SARIMAXResults`` of the fitted model (re-filtered on each access)."""
        state = self.__dict__.get("_sarimax_state_")
        if state is None:
            raise AttributeError(f"{type(self).__name__} is not fitted: it has no results_.")
        return state.results()

    def _check_forecast_history(self, y_hist: np.ndarray) -> None:
        """Raise if ``y_hist`` is too short to forecast from (nothing to check by default)."""

    def _forecast(
        self,
        h: int,
        X: np.ndarray | None,
        y_hist: np.ndarray | None,
        X_hist: np.ndarray | None,
        coverage: float | None,
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        """The hook of the interval mixin: mean (h, 1) and optional (lower, upper) bounds.

        Computed in the scaled space the model was fitted in (its
        :class:`SarimaxState`), then multiplied by its scale and shifted back.
        """
        if y_hist is not None:
            self._check_forecast_history(y_hist)
        state = self._sarimax_state_
        res = state.scaled_results(None if y_hist is None else y_hist[:, 0], X_hist)
        scale, shift = state.scale, state.shift
        with np.errstate(all="ignore"), single_threaded_blas():
            fc = res.get_forecast(steps=h, exog=X)
            mean = np.asarray(fc.predicted_mean, dtype=np.float64).reshape(h, 1) * scale + shift
            bounds = None
            if coverage is not None:
                ci = np.asarray(fc.conf_int(alpha=1.0 - coverage), dtype=np.float64) * scale + shift
                bounds = (ci[:, :1].copy(), ci[:, 1:2].copy())
        if not np.all(np.isfinite(mean)) or (bounds is not None and not np.all(np.isfinite(bounds))):
            raise ARIMAFitError("the ARIMA forecast is not finite; the fitted model is numerically unstable")
        return mean, bounds


class ARIMAForecaster(_SarimaxResultsMixin, _IntervalForecasterMixin, BaseForecaster):
    """Seasonal ARIMA with optional exogenous regressors (statsmodels SARIMAX).

    ``phi(B) Phi(B^s) (1 - B)^d (1 - B^s)^D (y_t - beta' x_t) = trend_t + theta(B) Theta(B^s) eps_t``

    Univariate ``y`` only; exogenous regressors ``X`` give a regression with
    SARIMA errors.  Estimation, its fallback on non-convergence and the
    errors raised are described in the module docstring.

    Parameters
    ----------
    order : tuple of 3 ints, default=(1, 0, 0)
        Non-seasonal ``(p, d, q)``.
    seasonal_order : tuple of 4 ints, default=(0, 0, 0, 0)
        Seasonal ``(P, D, Q, s)``; ``s >= 2`` when any of P, D, Q is positive.
    trend : {None, "n", "c", "t", "ct"}, default=None
        Deterministic trend of statsmodels' SARIMAX: None/"n" none, "c"
        constant, "t" linear time trend, "ct" both.  The trend enters the
        differenced equation, so with ``d + D = 1`` ``"c"`` is a drift.  With a
        time trend, ``predict(h, y=new_history)`` counts time from the start
        of ``new_history``.
    enforce_stationarity, enforce_invertibility : bool, default=True
        Restrict the AR / MA parameters to the stationary / invertible region.
    method : {"lbfgs", "bfgs", "nm", "powell"}, default="lbfgs"
        Likelihood optimiser.
    maxiter : int, default=50
        Maximum optimiser iterations of the first attempt.
    on_failure : {"warn", "raise"}, default="warn"
        What to do when the optimiser does not converge even after the
        Nelder--Mead retry: warn and keep the last estimate, or raise
        :class:`ARIMAFitError`.

    Attributes
    ----------
    results_ : statsmodels SARIMAXResults
        The fitted model re-filtered on ``y`` with ``params_``
        (``summary()``, residuals...).
    params_ : ndarray of shape (n_params,)
        Estimated parameters, in statsmodels' order (``results_.param_names``),
        in the units of ``y``.
    scale_ : float
        Scale the likelihood was maximised in (``(y - shift_) / scale_``; see
        the module docstring).
    shift_ : float
        Level subtracted before fitting: 0.0 unless the series is far from
        its level and the model equivariant to a shift (module docstring,
        "Level").
    aic_, aicc_, bic_ : float
        Information criteria of the fit (of ``y``, in its units).
    converged_ : bool
        Whether the optimiser reported convergence.
    fit_method_ : str
        ``method``, or ``"<method>->nm"`` when the Nelder--Mead retry was used.
    n_targets_, n_exog_, cutoff_, freq_, n_timesteps_
        See :class:`~rnnforecast.forecasting.base.BaseForecaster`.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.baselines import ARIMAForecaster
    >>> y = np.sin(np.arange(60) / 3.0) + np.arange(60) * 0.01
    >>> ARIMAForecaster(order=(2, 0, 0), trend="c").fit(y).predict(3).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "order": [tuple, list],
        "seasonal_order": [tuple, list],
        "trend": [None, StrOptions({"n", "c", "t", "ct"})],
        "enforce_stationarity": ["boolean"],
        "enforce_invertibility": ["boolean"],
        "method": [StrOptions(_METHODS)],
        "maxiter": [Interval(numbers.Integral, 1, None, closed="left")],
        "on_failure": [StrOptions({"warn", "raise"})],
    }
    _supports_exog = True
    _supports_multivariate = False

    def __init__(
        self,
        order: tuple[int, int, int] = (1, 0, 0),
        seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 0),
        trend: str | None = None,
        enforce_stationarity: bool = True,
        enforce_invertibility: bool = True,
        method: str = "lbfgs",
        maxiter: int = 50,
        on_failure: str = "warn",
    ) -> None:
        self.order = order
        self.seasonal_order = seasonal_order
        self.trend = trend
        self.enforce_stationarity = enforce_stationarity
        self.enforce_invertibility = enforce_invertibility
        self.method = method
        self.maxiter = maxiter
        self.on_failure = on_failure

    def _min_history(self) -> int:
        try:
            order = _check_order(self.order, "order", 3)
            so = _check_seasonal_order(self.seasonal_order)
            n_trend = _TRENDS.get(self.trend, 0)
        except (TypeError, ValueError):
            return 1  # invalid parameters are reported by _fit
        return _n_lost(order, so) + order[0] + order[2] + so[0] + so[2] + n_trend + 2

    def _min_predict_history(self) -> int:
        # a new history only has to survive differencing (parameters are kept)
        return _n_lost(tuple(self.order), tuple(self.seasonal_order)) + 1

    def _fit(self, y: np.ndarray, X: np.ndarray | None = None) -> "ARIMAForecaster":
        order = _check_order(self.order, "order", 3)
        so = _check_seasonal_order(self.seasonal_order)
        n_lost = _n_lost(order, so)
        n_par = _n_params(order, so, self.trend, 0 if X is None else X.shape[1])
        if y.shape[0] - n_lost < n_par:
            raise ValueError(
                f"y has {y.shape[0]} observations, {n_lost} of which are lost to differencing; "
                f"{_describe(order, so, self.trend)} with {0 if X is None else X.shape[1]} regressor(s) "
                f"has {n_par} parameters, so it needs at least {n_lost + n_par} observations"
            )
        res, info = _sarimax_fit(
            y[:, 0],
            X,
            order=order,
            seasonal_order=so,
            trend=self.trend,
            enforce_stationarity=self.enforce_stationarity,
            enforce_invertibility=self.enforce_invertibility,
            method=self.method,
            maxiter=self.maxiter,
            on_failure=self.on_failure,
        )
        self._sarimax_state_ = SarimaxState(y[:, 0], X, info["spec"], res.params, info["scale"], info["shift"])
        self.params_ = info["params"]
        self.scale_ = info["scale"]
        self.shift_ = info["shift"]
        self.aic_ = info["aic"]
        self.aicc_ = info["aicc"]
        self.bic_ = info["bic"]
        self.converged_ = info["converged"]
        self.fit_method_ = info["fit_method"]
        return self

