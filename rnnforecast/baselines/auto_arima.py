"""Automatic (seasonal) ARIMA order selection in the Hyndman--Khandakar manner.

Algorithm (Hyndman & Khandakar, 2008, *J. Stat. Software* 27(3), as in R's
``forecast::auto.arima``), on statsmodels' SARIMAX:

1. **Seasonal differencing D** (only when ``seasonal_period > 1`` and ``D`` is None):
   seasonal-strength test.  An STL decomposition (statsmodels ``STL``,
   period ``seasonal_period``, seasonal smoother length 11 as R's ``mstl``) gives ``F_s = max(0, 1 - Var(R) / Var(S + R))``; the series
   is seasonally differenced while ``F_s > 0.64`` (the threshold of R's
   ``nsdiffs(test="seas")``), at most ``max_D`` times.  Fewer than
   ``2 * seasonal_period + 1`` observations: no seasonal differencing.
2. **Differencing d** (when ``d`` is None): KPSS level-stationarity test
   (statsmodels ``kpss``, ``regression="c"``, data-dependent bandwidth of
   Hobijn et al. 1998) on the seasonally differenced series at level
   ``alpha``; difference while the test rejects, at most ``max_d`` times.
   With exogenous regressors both tests run on the residuals of an OLS
   regression of ``y`` on ``[1, X]``.
3. **Stepwise search** (``stepwise=True``): fit the four starting models
   ``(2,d,2)(1,D,1)``, ``(0,d,0)(0,D,0)``, ``(1,d,0)(1,D,0)``, ``(0,d,1)(0,D,1)``
   (seasonal parts dropped when ``seasonal_period == 1``), with a constant when
   ``d + D <= 1`` (a mean if ``d + D = 0``, a drift if 1).  Then repeatedly
   visit the neighbours of the current best model -- ``p``, ``q``, ``P``, ``Q``
   each +-1; ``(p, q)`` and ``(P, Q)`` jointly +-1 in every sign combination;
   the constant toggled -- moving as soon as a neighbour improves the
   information criterion, until no neighbour improves it.  Orders respect
   ``max_p``, ``max_q``, ``max_P``, ``max_Q``.  With ``stepwise=False`` all
   models with ``p + q + P + Q <= max_order`` are fitted in a fixed order
   (as in R, ``max_order`` only bounds the non-stepwise search).  Either way at most
   ``max_models`` distinct models are fitted (the search is deterministic).
4. Candidate models are compared by ``information_criterion`` (default
   AICc), all with the same ``d``, ``D`` and likelihood sample.  With
   ``approximation=True`` (default) the criterion comes from a
   conditional-sum-of-squares fit of the differenced series
   (:mod:`rnnforecast.baselines._css`, milliseconds per candidate, as R's
   ``auto.arima(approximation=TRUE)``).  The ``n_exact`` best candidates
   are then fitted by exact Gaussian maximum likelihood of the differenced
   series (statsmodels SARIMAX with ``simple_differencing=True``, i.e.
   conditional on the first ``d + D * seasonal_period`` values, as R's ``arima``; a much
   smaller state space than the diffuse one), started from their CSS
   estimates; an unconverged fit is continued with ``2 * maxiter`` more
   L-BFGS iterations (instead of the slow Nelder--Mead retry).  The one
   with the best exact criterion is selected and forecasts with the full
   (diffuse) state-space model and these parameters.  With
   ``approximation=False`` every candidate is fitted by exact likelihood on
   the differenced series (no convergence retry) and the best is refitted
   on the undifferenced series exactly like
   :class:`~rnnforecast.baselines.ARIMAForecaster` (the behaviour before
   the approximation existed; about 10x slower).  A candidate whose fit
   fails gets criterion ``inf``.  Should an exact fit fail numerically,
   the next-ranked candidate is fitted instead (at most two replacements,
   recorded in ``refit_failures_``); if all fail,
   :class:`~rnnforecast.baselines.ARIMAFitError` is raised.  Every fit is of
   ``y / scale_``, or of ``(y - shift) / scale_`` for a series far from its
   level where the candidate is differenced or has a constant (see
   :mod:`rnnforecast.baselines.arima`).

Known case: for the logarithm of the classic AirPassengers series (Box &
Jenkins, monthly 1949--1960) R's ``auto.arima`` and the Box--Jenkins analysis
choose the airline model ``(0,1,1)(0,1,1)[12]``; this implementation selects
the same orders (see ``tests/baselines/test_auto_arima.py``).
"""

from __future__ import annotations

import numbers

import numpy as np

from rnnforecast.baselines._arima_scale import _ROUNDING, _equivariant, _scale_rounding
from rnnforecast.baselines.arima import (
    SarimaxState,
    _describe,
    _report_nonconvergence,
    _SarimaxResultsMixin,
    _series_scale,
)
from rnnforecast.baselines._arima_search import CandidateSearch, exact_fits, results_frame
from rnnforecast.baselines._differencing import (
    SEASONAL_STRENGTH_THRESHOLD,
    _seasonal_diff,
    kpss_ndiffs,
    seasonal_strength,
)
from rnnforecast.baselines._intervals import _IntervalForecasterMixin
from rnnforecast.forecasting.base import BaseForecaster
from rnnforecast.utils._blas import single_threaded_blas
from rnnforecast.utils._compat import Interval, StrOptions

__all__ = ["AutoARIMAForecaster", "seasonal_strength", "kpss_ndiffs"]


class AutoARIMAForecaster(_SarimaxResultsMixin, _IntervalForecasterMixin, BaseForecaster):
    """Seasonal ARIMA with automatic order selection (stepwise, AICc).

    See the module docstring for the exact algorithm (KPSS for ``d``,
    seasonal-strength test for ``D``, Hyndman--Khandakar stepwise search).

    Needs at least 10 observations (``2 * seasonal_period + 2`` when seasonal).

    Parameters
    ----------
    seasonal_period : int, default=1
        Seasonal period (1 = non-seasonal search).
    d, D : int or None, default=None
        Fix the differencing orders instead of testing.
    max_p, max_q : int, default=5
        Upper bounds of the non-seasonal AR / MA orders.
    max_P, max_Q : int, default=2
        Upper bounds of the seasonal AR / MA orders.
    max_d : int, default=2
        Maximum number of first differences chosen by the KPSS test.
    max_D : int, default=1
        Maximum number of seasonal differences chosen by the strength test.
    max_order : int, default=5
        Upper bound of ``p + q + P + Q`` in the non-stepwise search.
    information_criterion : {"aicc", "aic", "bic"}, default="aicc"
    stepwise : bool, default=True
        Stepwise search (True) or all admissible models (False).
    max_models : int, default=50
        Cap on the number of candidate models fitted.
    allow_constant : bool, default=True
        Allow a constant (mean or drift) when ``d + D <= 1``.
    alpha : float, default=0.05
        Level of the KPSS test.
    method : {"lbfgs", "bfgs", "nm", "powell"}, default="lbfgs"
        Optimiser for every fit.
    maxiter : int, default=50
        Optimiser iterations per fit.
    on_failure : {"warn", "raise"}, default="warn"
        Behaviour when the final refit does not converge (see
        :class:`~rnnforecast.baselines.ARIMAForecaster`).
    approximation : bool, default=True
        Rank the candidates by conditional-sum-of-squares fits (fast, as R's
        ``auto.arima(approximation=TRUE)``) and fit only the ``n_exact`` best
        by exact likelihood, choosing among those by the exact criterion.
        False: every candidate is fitted by exact likelihood (slow).
    n_exact : int, default=3
        Number of best-ranked candidates fitted by exact likelihood when
        ``approximation=True``.  Each costs an exact fit; on the long bundled
        monthly series of ``benchmarks/speed_arima.py`` 3 gave a mean MASE of
        0.597 against 0.642 with 1 (about 2.8 times the fit time).

    Attributes
    ----------
    order_ : tuple of 3 ints
        Selected ``(p, d, q)``.
    seasonal_order_ : tuple of 4 ints
        Selected ``(P, D, Q, seasonal_period)`` (``(0, 0, 0, 0)`` when ``seasonal_period == 1``).
    trend_ : {"c", None}
        Whether the selected model has a constant.
    d_, D_ : int
        Differencing orders used (tested or fixed).
    seasonal_strength_ : float or None
        ``F_s`` of the strength test (None when not run).
    search_results_ : pandas.DataFrame
        One row per fitted candidate, in fitting order: ``order``,
        ``seasonal_order``, ``trend``, ``ic`` (the criterion of the search:
        of the CSS fit when ``approximation``, else of the exact fit on the
        differenced series; ``inf`` for a failed fit), ``ic_exact`` (of the
        exact fit on the full series; NaN for candidates not refitted),
        ``converged``, ``seconds``, ``error`` (message or None),
        ``selected`` (bool).
    n_models_ : int
        Number of candidates fitted.
    ic_ : float
        Criterion of the selected candidate (its ``ic_exact`` when
        ``approximation``, else its ``ic``).
    refit_failures_ : list of str
        Messages of better-ranked candidates whose full refit failed (usually
        empty).
    scale_ : float
        Every candidate and the final model are fitted to ``y / scale_``
        (see :mod:`rnnforecast.baselines.arima`); criteria, parameters,
        forecasts and intervals are reported in the units of ``y``.
    shift_ : float
        Level subtracted from ``y`` before the final fit: 0.0 unless the
        series is far from its level (``|median(y)| > 1e6 * scale_``) and
        the selected model is differenced or has a constant (see
        :mod:`rnnforecast.baselines.arima`, "Level").
    results_ : statsmodels SARIMAXResults
        Final refit of the selected model on the full series.
    converged_ : bool
        Whether the final refit converged.
    n_targets_, n_exog_, cutoff_, freq_, n_timesteps_
        See :class:`~rnnforecast.forecasting.base.BaseForecaster`.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.baselines import AutoARIMAForecaster
    >>> y = np.cumsum(np.random.default_rng(0).standard_normal(80))
    >>> model = AutoARIMAForecaster(max_p=2, max_q=2).fit(y)
    >>> model.order_, model.seasonal_order_       # a random walk: ARIMA(0, 1, 0)
    ((0, 1, 0), (0, 0, 0, 0))
    >>> model.predict_interval(3, coverage=0.9).shape
    (3, 2)
    """

    _parameter_constraints: dict = {
        "seasonal_period": [Interval(numbers.Integral, 1, None, closed="left")],
        "d": [None, Interval(numbers.Integral, 0, None, closed="left")],
        "D": [None, Interval(numbers.Integral, 0, None, closed="left")],
        "max_p": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_q": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_P": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_Q": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_d": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_D": [Interval(numbers.Integral, 0, None, closed="left")],
        "max_order": [Interval(numbers.Integral, 0, None, closed="left")],
        "information_criterion": [StrOptions({"aicc", "aic", "bic"})],
        "stepwise": ["boolean"],
        "max_models": [Interval(numbers.Integral, 1, None, closed="left")],
        "allow_constant": ["boolean"],
        "alpha": [Interval(numbers.Real, 0.01, 0.1, closed="both")],
        "method": [StrOptions({"lbfgs", "bfgs", "nm", "powell"})],
        "maxiter": [Interval(numbers.Integral, 1, None, closed="left")],
        "on_failure": [StrOptions({"warn", "raise"})],
        "approximation": ["boolean"],
        "n_exact": [Interval(numbers.Integral, 1, None, closed="left")],
    }
    _supports_exog = True
    _supports_multivariate = False

    def __init__(
        self,
        seasonal_period: int = 1,
        d: int | None = None,
        D: int | None = None,
        max_p: int = 5,
        max_q: int = 5,
        max_P: int = 2,
        max_Q: int = 2,
        max_d: int = 2,
        max_D: int = 1,
        max_order: int = 5,
        information_criterion: str = "aicc",
        stepwise: bool = True,
        max_models: int = 50,
        allow_constant: bool = True,
        alpha: float = 0.05,
        method: str = "lbfgs",
        maxiter: int = 50,
        on_failure: str = "warn",
        approximation: bool = True,
        n_exact: int = 3,
    ) -> None:
        self.seasonal_period = seasonal_period
        self.d = d
        self.D = D
        self.max_p = max_p
        self.max_q = max_q
        self.max_P = max_P
        self.max_Q = max_Q
        self.max_d = max_d
        self.max_D = max_D
        self.max_order = max_order
        self.information_criterion = information_criterion
        self.stepwise = stepwise
        self.max_models = max_models
        self.allow_constant = allow_constant
        self.alpha = alpha
        self.method = method
        self.maxiter = maxiter
        self.on_failure = on_failure
        self.approximation = approximation
        self.n_exact = n_exact

    def _min_history(self) -> int:
        sp = int(self.seasonal_period) if isinstance(self.seasonal_period, numbers.Integral) else 1
        return max(10, 2 * sp + 2) if sp > 1 else 10

    def _min_predict_history(self) -> int:
        return 1

    # --------------------------------------------------------------- search
    def _choose_differences(self, y: np.ndarray, X: np.ndarray | None) -> tuple[int, int, float | None]:
        sp = int(self.seasonal_period)
        x = y[:, 0]
        if X is not None:
            A = np.column_stack([np.ones(len(x)), X])
            beta, *_ = np.linalg.lstsq(A, x, rcond=None)
            x = x - A @ beta
        strength = None
        if sp == 1:
            D = 0
        elif self.D is not None:
            D = int(self.D)
        else:
            D = 0
            while D < int(self.max_D):
                xd = _seasonal_diff(x, sp, D)
                if xd.shape[0] < 2 * sp + 1:
                    break
                fs = seasonal_strength(xd, sp)
                if strength is None:
                    strength = fs
                if fs <= SEASONAL_STRENGTH_THRESHOLD:
                    break
                D += 1
        if self.d is not None:
            d = int(self.d)
        else:
            d = kpss_ndiffs(_seasonal_diff(x, sp, D), alpha=float(self.alpha), max_d=int(self.max_d))
        return d, D, strength

    def _choose_orders_setup(self, y: np.ndarray, X: np.ndarray | None) -> tuple[int, int, float | None, float]:
        """Differencing orders (steps 1-2), their strength statistic and the fitting scale."""
        sp = int(self.seasonal_period)
        if sp == 1 and self.D not in (None, 0):
            raise ValueError(f"D={self.D} needs seasonal_period >= 2; got seasonal_period={sp}")
        # tests and fits on y / scale: scale-free results for tiny or huge series
        d, D, strength = self._choose_differences(y / _series_scale(y[:, 0], rounding=_ROUNDING), X)
        # a series far from its level is fitted shifted where a candidate can be (differenced or
        # with a constant): then its scale is its variation (arima module docstring, "Level")
        shiftable = _equivariant(d + D * sp, "c" if self.allow_constant else None)
        scale = _series_scale(y[:, 0], d, D, sp, _scale_rounding(shiftable))
        n = y.shape[0]
        if n - (d + D * sp) < 3:
            raise ValueError(
                f"y has {n} observations; after d={d} and D={D} (seasonal_period={sp}) differences fewer than 3 remain"
            )
        return d, D, strength, scale

    def _fit(self, y: np.ndarray, X: np.ndarray | None = None) -> "AutoARIMAForecaster":
        # The whole search on one BLAS thread, not only the statsmodels fits: otherwise
        # the search's own BLAS calls ran on 1 or 2 threads depending on whether another
        # thread (joblib's threading backend) held the process-wide limit at that moment,
        # and the result changed in the 7th digit with the timing.
        with single_threaded_blas():
            return self._fit_search(y, X)

    def _fit_search(self, y: np.ndarray, X: np.ndarray | None) -> "AutoARIMAForecaster":
        d, D, strength, scale = self._choose_orders_setup(y, X)
        search = CandidateSearch(self, y, X, d, D, scale)
        best, best_ic = search.stepwise() if self.stepwise else search.grid()
        fits, failures = exact_fits(search, search.ranked(best, best_ic))
        value, order, so, trend, res, info = min(fits, key=lambda f: f[0])
        if search.approx and not info["converged"]:
            _report_nonconvergence(_describe(order, so, trend), self.method, 3 * int(self.maxiter), False,
                                   self.on_failure)
        self.order_, self.seasonal_order_, self.trend_ = order, so, trend
        self.d_, self.D_ = d, D
        self.seasonal_strength_ = strength
        self.ic_ = float(value)
        self.refit_failures_ = failures
        self.search_results_ = results_frame(search.records, (order, so, trend))
        self.n_models_ = len(search.records)
        spec = dict(info["spec"], simple_differencing=False)
        self._sarimax_state_ = SarimaxState(y[:, 0], X, spec, res.params, info["scale"], info["shift"])
        self.scale_ = info["scale"]
        self.shift_ = info["shift"]
        self.converged_ = info["converged"]
        self.fit_method_ = info["fit_method"]
        return self

    def _check_forecast_history(self, y_hist: np.ndarray) -> None:
        need = self.d_ + self.D_ * int(self.seasonal_period) + 1
        if y_hist.shape[0] < need:
            raise ValueError(
                f"y has {y_hist.shape[0]} observations but the selected "
                f"{_describe(self.order_, self.seasonal_order_, self.trend_)} needs at least {need} "
                "to forecast from"
            )
