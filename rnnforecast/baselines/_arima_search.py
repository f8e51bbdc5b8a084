"""The candidate search of :class:`~rnnforecast.baselines.AutoARIMAForecaster`.

Steps 3 and 4 of the algorithm in :mod:`rnnforecast.baselines.auto_arima`:
:class:`CandidateSearch` scores candidate models ``(p, q, P, Q, constant)``
(CSS or exact criterion, one record per fit) along the stepwise or the grid
search; :func:`exact_fits` fits the best-ranked candidates by exact likelihood.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.baselines._arima_scale import _equivariant, _series_shift
from rnnforecast.baselines.arima import ARIMAFitError, _describe, _n_params, _sarimax_fit
from rnnforecast.baselines._css import css_fit, difference, sarimax_start_params

__all__ = ["CandidateSearch", "exact_fits", "neighbours", "results_frame"]

_MAX_REFITS = 3  # refit attempts beyond n_exact: _MAX_REFITS - 1
_FIT_ERRORS = (ARIMAFitError, ValueError, np.linalg.LinAlgError)
_STEPWISE_STARTS = [(2, 2, 1, 1), (0, 0, 0, 0), (1, 0, 1, 0), (0, 1, 0, 1)]
_STEPS = [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, 1), (-1, 1), (1, -1)]


def neighbours(c: tuple, seasonal: bool) -> list[tuple]:
    """Stepwise neighbours of candidate ``c``: (p, q) and (P, Q) moves, the constant toggled."""
    p, q, P, Q, const = c
    out = [(p + dp, q + dq, P, Q, const) for dp, dq in _STEPS]
    if seasonal:
        out.extend((p, q, P + dP, Q + dQ, const) for dP, dQ in _STEPS)
    out.append((p, q, P, Q, not const))
    return out


class CandidateSearch:
    """Scores candidates ``(p, q, P, Q, const)`` with fixed ``d``, ``D`` and scale.

    ``est`` is the :class:`~rnnforecast.baselines.AutoARIMAForecaster` whose
    parameters bound the search.  ``records`` holds one dict per fitted
    candidate (in fitting order), ``cache`` candidate -> criterion and
    ``css_fits`` candidate -> CSS fit (None unless ``approximation``).
    Candidates equivariant to a shift (differenced, or with a constant) are
    fitted to ``y - shift`` (see ``shift_of``), the others to ``y``.
    """

    def __init__(self, est: Any, y: np.ndarray, X: np.ndarray | None, d: int, D: int, scale: float) -> None:
        self.est, self.y, self.X, self.d, self.D = est, y, X, d, D
        self.sp = sp = int(est.seasonal_period)
        self.seasonal = seasonal = sp > 1
        self.n_lost = d + D * sp
        self.n_exog = 0 if X is None else X.shape[1]
        max_P = int(est.max_P) if seasonal else 0
        max_Q = int(est.max_Q) if seasonal else 0
        self.bounds = bounds = (int(est.max_p), int(est.max_q), max_P, max_Q)
        constant_ok = bool(est.allow_constant) and d + D <= 1
        if X is not None and bool(np.any(np.ptp(X, axis=0) == 0)):
            constant_ok = False  # a constant column of X already is the model's constant
        self.constant_ok = constant_ok
        self.crit = est.information_criterion
        self.scale = scale
        # the level of a series far from it, subtracted where exact (arima module docstring, "Level")
        self.shift = _series_shift(y[:, 0], scale, self.n_lost, "c" if constant_ok else None)
        self.records: list[dict[str, Any]] = []
        self.cache: dict[tuple, float] = {}
        self.approx = bool(est.approximation)
        self.css_fits: dict[tuple, Any] | None = None
        if self.approx:
            self.w = w = difference(y[:, 0] / scale, d, D, sp)
            self.w_shifted = difference((y[:, 0] - self.shift) / scale, d, D, sp) if self.shift else w
            self.Xd = None if X is None else difference(X, d, D, sp)
            self.css_shift = 2.0 * w.shape[0] * float(np.log(scale))  # criteria of y, not y / scale
            self.css_fits = {}
            self.n_cond = min(bounds[0] + sp * max(bounds[2], bounds[3]) if seasonal else bounds[0] + bounds[1],
                              w.shape[0] // 4)

    def spec(self, c: tuple) -> tuple[tuple, tuple, str | None]:
        """``(order, seasonal_order, trend)`` of candidate ``c``."""
        p, q, P, Q, const = c
        so = (P, self.D, Q, self.sp) if self.seasonal else (0, 0, 0, 0)
        return (p, self.d, q), so, ("c" if const else None)

    def shift_of(self, c: tuple) -> float:
        """Level subtracted from ``y`` when fitting candidate ``c`` (0.0 unless it is exact)."""
        return self.shift if _equivariant(self.n_lost, self.spec(c)[2]) else 0.0

    def admissible(self, c: tuple) -> bool:
        """Within the bounds, and enough differenced observations for its parameters (+1 for AICc)."""
        p, q, P, Q, const = c
        b = self.bounds
        if min(p, q, P, Q) < 0 or p > b[0] or q > b[1] or P > b[2] or Q > b[3]:
            return False
        if not self.est.stepwise and p + q + P + Q > int(self.est.max_order):
            return False
        if const and not self.constant_ok:
            return False
        order, so, trend = self.spec(c)
        return self.y.shape[0] - self.n_lost > _n_params(order, so, trend, self.n_exog) + 1

    def budget_left(self) -> bool:
        return len(self.cache) < int(self.est.max_models)

    def evaluate(self, c: tuple) -> float:
        """Criterion of candidate ``c`` (cached; ``inf`` for a failed fit), recorded once."""
        if c in self.cache:
            return self.cache[c]
        order, so, trend = self.spec(c)
        t0 = time.perf_counter()
        rec: dict[str, Any] = {"order": order, "seasonal_order": so, "trend": trend}
        try:
            value = self._score(c, order, so, trend, rec)
        except _FIT_ERRORS as exc:
            value = np.inf
            rec.update(ic=np.inf, converged=False, error=f"{type(exc).__name__}: {exc}")
        rec["seconds"] = time.perf_counter() - t0
        self.records.append(rec)
        self.cache[c] = value
        return value

    def _score(self, c: tuple, order: tuple, so: tuple, trend: str | None, rec: dict) -> float:
        p, q, P, Q, const = c
        sp = self.sp
        if self.approx:
            if self.seasonal and ((p >= sp and P) or (q >= sp and Q)):
                raise ValueError(f"{_describe(order, so, trend)}: lags in both the seasonal and "
                                 "non-seasonal parts (not allowed by statsmodels)")
            w = self.w_shifted if self.shift_of(c) else self.w
            fit = css_fit(w, self.Xd, p, q, P, Q, sp, const, self.n_cond)
            value = fit.criteria()[self.crit] + self.css_shift
            if np.isfinite(value):
                self.css_fits[c] = fit
                rec.update(ic=value, converged=True, error=None)
                return value
        # exact likelihood: approximation=False, or a CSS fit that failed
        # (e.g. a constant differenced series, whose CSS variance is 0)
        est = self.est
        res, info = _sarimax_fit(
            self.y[:, 0], self.X, order=order, seasonal_order=so, trend=trend,
            method=est.method, maxiter=int(est.maxiter), on_failure="ignore",
            retry=False, simple_differencing=True, cov_type="none", scale=self.scale, shift=self.shift_of(c),
        )
        value = float(info[self.crit])
        if not np.isfinite(value):
            raise ARIMAFitError(f"{_describe(order, so, trend)}: non-finite {self.crit}")
        rec.update(ic=value, converged=info["converged"], error=None)
        return value

    def _stepwise_starts(self) -> list[tuple]:
        starts = _STEPWISE_STARTS if self.seasonal else [(p, q, 0, 0) for p, q, _, _ in _STEPWISE_STARTS]
        b, constant_ok = self.bounds, self.constant_ok
        candidates: list[tuple] = []
        for s in starts:
            c = (*s, constant_ok)
            if not self.admissible(c):  # shrink towards admissibility
                c = (min(s[0], b[0]), min(s[1], b[1]), min(s[2], b[2]), min(s[3], b[3]), constant_ok)
            if self.admissible(c) and c not in candidates:
                candidates.append(c)
        if constant_ok and (0, 0, 0, 0, False) not in candidates:
            candidates.append((0, 0, 0, 0, False))
        return candidates

    def stepwise(self) -> tuple[tuple | None, float]:
        """Hyndman--Khandakar stepwise search; returns (best candidate, its criterion)."""
        candidates = self._stepwise_starts()
        best, best_ic = None, np.inf
        for c in candidates:
            if not self.budget_left():
                break
            v = self.evaluate(c)
            if v < best_ic:
                best, best_ic = c, v
        if best is None:
            best = candidates[0] if candidates else (0, 0, 0, 0, False)
        improved = True
        while improved and self.budget_left():
            improved = False
            for c in neighbours(best, self.seasonal):
                if c in self.cache or not self.admissible(c):
                    continue
                if not self.budget_left():
                    break
                v = self.evaluate(c)
                if v < best_ic:
                    best, best_ic, improved = c, v, True
                    break
        return best, best_ic

    def grid(self) -> tuple[tuple | None, float]:
        """All admissible candidates in a fixed order; returns (best candidate, its criterion)."""
        b = self.bounds
        grid = itertools.product(
            range(b[0] + 1), range(b[1] + 1), range(b[2] + 1), range(b[3] + 1),
            (False, True) if self.constant_ok else (False,),
        )
        best, best_ic = None, np.inf
        for c in grid:
            if not self.admissible(c):
                continue
            if not self.budget_left():
                break
            v = self.evaluate(c)
            if v < best_ic:
                best, best_ic = c, v
        return best, best_ic

    def ranked(self, best: tuple | None, best_ic: float) -> list[tuple[float, tuple]]:
        """Fitted candidates sorted by criterion; raises when none could be fitted."""
        if best is None or not np.isfinite(best_ic):
            errors = [r["error"] for r in self.records if r["error"]]
            raise ARIMAFitError(
                f"no candidate ARIMA model could be fitted ({len(self.records)} tried"
                + (f"; first error: {errors[0]}" if errors else "")
                + ")"
            )
        return sorted((v, k) for k, v in self.cache.items() if np.isfinite(v))


def exact_fits(search: CandidateSearch, ranked: list[tuple[float, tuple]]) -> tuple[list[tuple], list[str]]:
    """Exact-likelihood fits of the best-ranked candidates (module docstring of auto_arima, step 4).

    The first that succeeds (approximation=False) or the best of the first
    ``n_exact`` that succeed (approximation=True); a candidate whose fit fails
    numerically is replaced by the next one.  Returns the list of (criterion
    used for the choice, order, seasonal_order, trend, results, info) and the
    failure messages; the search's records get their ``ic_exact``.
    """
    est, approx, css_fits = search.est, search.approx, search.css_fits
    want = int(est.n_exact) if approx else 1
    rec_of = {(r["order"], r["seasonal_order"], r["trend"]): r for r in search.records}
    fits: list[tuple] = []
    failures: list[str] = []
    tried = ranked[:want + _MAX_REFITS - 1]
    for value, cand in tried:
        if len(fits) >= want:
            break
        order, so, trend = search.spec(cand)
        start = sarimax_start_params(css_fits[cand], search.sp) if approx and cand in css_fits else None
        try:
            # approximation: conditional ML (on the first d + D * sp values, i.e. the
            # likelihood of the differenced series, as R's arima) -- a much smaller
            # state space than the diffuse one; the forecasts use the full model
            res, info = _sarimax_fit(
                search.y[:, 0], search.X, order=order, seasonal_order=so, trend=trend,
                method=est.method, maxiter=int(est.maxiter),
                on_failure="ignore" if approx else est.on_failure, scale=search.scale, start_params=start,
                shift=search.shift_of(cand), simple_differencing=approx, cov_type="none" if approx else None, retry=not approx,
            )
        except _FIT_ERRORS as exc:
            if est.on_failure == "raise" and "did not converge" in str(exc):
                raise
            failures.append(str(exc))
            continue
        if approx and not info["converged"]:
            res, info = _continue_fit(search, cand, res, info)
        rec_of[(order, so, trend)]["ic_exact"] = info[search.crit]
        fits.append((info[search.crit] if approx else value, order, so, trend, res, info))
    if not fits:
        raise ARIMAFitError(
            f"the {len(tried)} best candidate models all failed when refitted "
            f"on the full series: {failures}"
        )
    return fits, failures


def _continue_fit(search: CandidateSearch, cand: tuple, res: Any, info: dict) -> tuple[Any, dict]:
    """Continue an unconverged conditional-ML fit with ``2 * maxiter`` more iterations from its estimate.

    (Cheaper than the Nelder--Mead retry, which could take seconds on a
    long seasonal series.)  The better of the two fits is returned.
    """
    est = search.est
    order, so, trend = search.spec(cand)
    try:
        res2, info2 = _sarimax_fit(
            search.y[:, 0], search.X, order=order, seasonal_order=so, trend=trend, method=est.method,
            maxiter=2 * int(est.maxiter), on_failure="ignore", scale=search.scale, start_params=res.params,
            shift=search.shift_of(cand),
            simple_differencing=True, cov_type="none", retry=False,
        )
    except _FIT_ERRORS:
        return res, info
    if info2["converged"] or info2["llf"] > info["llf"]:
        return res2, dict(info2, fit_method=f"{info['fit_method']}+{est.method}")
    return res, info


def results_frame(records: list[dict[str, Any]], selected: tuple) -> pd.DataFrame:
    """``search_results_``: one row per fitted candidate; ``selected`` = (order, seasonal_order, trend)."""
    columns = ["order", "seasonal_order", "trend", "ic", "ic_exact", "converged", "seconds", "error"]
    for r in records:
        r.setdefault("ic_exact", np.nan)
    frame = pd.DataFrame({
        c: pd.Series([r[c] for r in records], dtype=object if c in ("order", "seasonal_order", "trend", "error")
                     else None)
        for c in columns
    })
    frame["selected"] = [(r["order"], r["seasonal_order"], r["trend"]) == selected for r in records]
    return frame
