"""Conditional-sum-of-squares (CSS) fits of seasonal ARMA models, to rank ARIMA candidates fast.

On the differenced series ``w = (1 - B)^d (1 - B^s)^D y`` (and the same
differences of the regressors ``Xd``) the model is

``phi(B) Phi(B^s) (w_t - mu - beta' xd_t) = theta(B) Theta(B^s) e_t``

with ``mu`` present only when the candidate has a constant (a mean when
``d + D = 0``, a drift when ``d + D = 1``).  Given the parameters, the
residuals ``e`` follow from one linear filter (``scipy.signal.lfilter``
with numerator ``phi(B) Phi(B^s)`` and denominator ``theta(B) Theta(B^s)``,
pre-sample values zero); the first ``p + s P`` are dropped (they depend on
the unknown pre-sample values).  The parameters minimise the sum of squared
residuals (``scipy.optimize.least_squares``, Levenberg--Marquardt), ``sigma2``
is their mean square, and the log-likelihood is R's CSS one,
``-n / 2 (log(2 pi sigma2) + 1)`` with ``n = len(w)`` for every candidate (so
candidates with different ``p + s P`` stay comparable).  This
costs a few milliseconds where an exact Kalman-filter likelihood fit costs
tenths of seconds.  As in R's ``auto.arima`` (``approximation=TRUE``), the
information criteria of these fits rank the candidates; the exact
likelihood is used for the final few (see ``auto_arima``).  A fit whose AR or
MA polynomial (non-seasonal or seasonal) has a root within 1.01 of the unit
circle is rejected (criterion ``inf``), like R's ``auto.arima``.

The statsmodels sign convention is used: ``phi(B) = 1 - phi_1 B - ...``,
``theta(B) = 1 + theta_1 B + ...``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.signal import lfilter

__all__ = ["CSSFit", "css_fit", "difference", "sarimax_start_params"]

_MIN_ROOT = 1.01
_BAD = 1e10  # residual used where the filter is unstable


def difference(x: np.ndarray, d: int, D: int, sp: int) -> np.ndarray:
    """``(1 - B)^d (1 - B^sp)^D x`` along axis 0 (length ``n - d - D * sp``)."""
    for _ in range(D):
        x = x[sp:] - x[:-sp]
    for _ in range(d):
        x = x[1:] - x[:-1]
    return x


@dataclass
class CSSFit:
    """Result of :func:`css_fit` (parameters on the differenced series, in its units)."""

    ar: np.ndarray
    ma: np.ndarray
    sar: np.ndarray
    sma: np.ndarray
    mu: float
    beta: np.ndarray
    sigma2: float
    n_used: int  # len(w): the sample size of the likelihood
    k: int  # estimated coefficients, sigma2 excluded
    constant: bool
    ok: bool  # False: non-stationary / non-invertible / failed

    def criteria(self) -> dict[str, float]:
        """``llf``, ``aic``, ``aicc``, ``bic`` of the CSS fit (``inf`` criteria when not ``ok``)."""
        if not self.ok or not (self.sigma2 > 0.0 and np.isfinite(self.sigma2)):
            return {"llf": -np.inf, "aic": np.inf, "aicc": np.inf, "bic": np.inf}
        n, k = self.n_used, self.k + 1
        llf = -0.5 * n * (np.log(2.0 * np.pi * self.sigma2) + 1.0)
        aic = -2.0 * llf + 2.0 * k
        aicc = aic + 2.0 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else np.inf
        return {"llf": llf, "aic": aic, "aicc": aicc, "bic": -2.0 * llf + k * np.log(n)}

    def ar_poly(self, sp: int) -> np.ndarray:
        return _poly(self.ar, self.sar, sp, -1.0)

    def ma_poly(self, sp: int) -> np.ndarray:
        return _poly(self.ma, self.sma, sp, 1.0)


def _poly(coef: np.ndarray, scoef: np.ndarray, sp: int, sign: float) -> np.ndarray:
    """Coefficients (ascending powers of B) of ``(1 + sign * coef(B)) (1 + sign * scoef(B^sp))``."""
    a = np.concatenate(([1.0], sign * coef))
    if scoef.size == 0:
        return a
    s = np.zeros(scoef.size * sp + 1)
    s[0] = 1.0
    s[sp::sp] = sign * scoef
    return np.convolve(a, s)


def _roots_ok(coef: np.ndarray, sign: float) -> bool:
    """All roots of ``1 + sign * (c_1 z + ... + c_k z^k)`` have modulus > 1.01."""
    nz = np.flatnonzero(coef)
    if nz.size == 0:
        return True
    poly = np.concatenate(([1.0], sign * coef[: nz[-1] + 1]))
    if not np.all(np.isfinite(poly)):
        return False
    return bool(np.min(np.abs(np.roots(poly[::-1]))) > _MIN_ROOT)


def css_fit(w: np.ndarray, Xd: np.ndarray | None, p: int, q: int, P: int, Q: int, sp: int,
            constant: bool, n_cond: int = 0) -> CSSFit:
    """Fit a seasonal ARMA(p, q)(P, Q)[sp] (+ mean, + regression) to ``w`` by CSS.

    Parameters
    ----------
    w : ndarray of shape (n,), float64
        Differenced series.
    Xd : ndarray of shape (n, m), float64, or None
        Equally differenced regressors.
    p, q, P, Q, sp : int
        Orders and seasonal period (``sp`` ignored when ``P = Q = 0``).
    constant : bool
        Estimate a mean ``mu`` of ``w``.
    n_cond : int, default=0
        Residuals dropped at the start (at least ``p + sp * P``): a common
        value for all candidates gives them the same sample and lets the
        effect of the zero pre-sample values die out.

    Returns
    -------
    CSSFit
    """
    n = w.shape[0]
    m = 0 if Xd is None else Xd.shape[1]
    ncond = max(p + sp * P, int(n_cond))
    k = p + q + P + Q + int(constant) + m
    n_res = n - ncond
    if n_res <= k + 1:
        return _failed(p, q, P, Q, m, n, k, constant)
    # regression part started at OLS, ARMA part at zero
    cols = ([np.ones(n)] if constant else []) + ([] if Xd is None else list(Xd.T))
    reg0 = np.linalg.lstsq(np.column_stack(cols), w, rcond=None)[0] if cols else np.zeros(0)
    x0 = np.concatenate((reg0, np.zeros(p + q + P + Q)))
    n_reg = reg0.size
    Z = np.column_stack(cols) if cols else None

    def unpack(x: np.ndarray) -> tuple[np.ndarray, ...]:
        arma = x[n_reg:]
        return (arma[:p], arma[p:p + q], arma[p + q:p + q + P], arma[p + q + P:])

    def residuals(x: np.ndarray) -> np.ndarray:
        ar, ma, sar, sma = unpack(x)
        u = w - Z @ x[:n_reg] if n_reg else w
        e = lfilter(_poly(ar, sar, sp, -1.0), _poly(ma, sma, sp, 1.0), u)[ncond:]
        if not np.all(np.isfinite(e)) or np.max(np.abs(e)) > _BAD:
            return np.full(n_res, _BAD)
        return e

    if k == 0:
        x = x0
    else:
        with np.errstate(all="ignore"):
            try:
                x = least_squares(residuals, x0, method="lm", xtol=1e-8, ftol=1e-8,
                                  max_nfev=200 * (k + 1)).x
            except (ValueError, np.linalg.LinAlgError):
                return _failed(p, q, P, Q, m, n, k, constant)
    e = residuals(x)
    ar, ma, sar, sma = unpack(x)
    ok = bool(np.all(np.isfinite(x)) and e[0] != _BAD and _roots_ok(ar, -1.0) and _roots_ok(sar, -1.0)
              and _roots_ok(ma, 1.0) and _roots_ok(sma, 1.0))
    mu = float(x[0]) if constant else 0.0
    beta = x[int(constant):n_reg].copy()
    return CSSFit(ar.copy(), ma.copy(), sar.copy(), sma.copy(), mu, beta,
                  float(np.dot(e, e) / n_res), n, k, constant, ok)


def _failed(p: int, q: int, P: int, Q: int, m: int, n_used: int, k: int, constant: bool) -> CSSFit:
    z = np.zeros
    return CSSFit(z(p), z(q), z(P), z(Q), 0.0, z(m), np.nan, n_used, k, constant, False)


def sarimax_start_params(fit: CSSFit, sp: int) -> np.ndarray:
    """statsmodels SARIMAX start parameters (trend "c" or none) from a CSS fit of the same series.

    Order: intercept (when a constant), regression coefficients, AR, MA,
    seasonal AR, seasonal MA, sigma2.  statsmodels' intercept is the constant of
    the ARMA equation, ``mu * phi(1) Phi(1)``.
    """
    head = [fit.mu * float(np.sum(fit.ar_poly(sp)))] if fit.constant else []
    return np.concatenate((head, fit.beta, fit.ar, fit.ma, fit.sar, fit.sma, [fit.sigma2]))
