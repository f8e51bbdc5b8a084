"""Tests that choose the differencing orders of AutoARIMA (see :mod:`rnnforecast.baselines.auto_arima`)."""

from __future__ import annotations

import warnings

import numpy as np
from statsmodels.tools.sm_exceptions import InterpolationWarning
from statsmodels.tsa.seasonal import STL
from statsmodels.tsa.stattools import kpss

__all__ = ["seasonal_strength", "kpss_ndiffs", "SEASONAL_STRENGTH_THRESHOLD"]

SEASONAL_STRENGTH_THRESHOLD = 0.64


def seasonal_strength(x: np.ndarray, sp: int) -> float:
    """Seasonal strength ``F_s = max(0, 1 - Var(R)/Var(S + R))`` from an STL decomposition.

    Parameters
    ----------
    x : ndarray of shape (n,)
        Series with ``n >= 2 * sp + 1``.
    sp : int
        Seasonal period (>= 2).

    Returns
    -------
    float
        In [0, 1]; 0 for a series without variation.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.baselines.auto_arima import seasonal_strength
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(96)
    >>> seasonal_strength(np.sin(2 * np.pi * t / 12) + 0.1 * rng.standard_normal(96), 12) > 0.9
    True
    >>> seasonal_strength(np.zeros(96), 12)
    0.0
    """
    x = np.asarray(x, dtype=np.float64)
    if np.ptp(x) == 0.0:
        return 0.0
    res = STL(x, period=int(sp), seasonal=11).fit()
    resid, seas = np.asarray(res.resid), np.asarray(res.seasonal)
    denom = np.var(resid + seas)
    if denom == 0.0:
        return 0.0
    return float(max(0.0, 1.0 - np.var(resid) / denom))


def kpss_ndiffs(x: np.ndarray, alpha: float = 0.05, max_d: int = 2) -> int:
    """Number of first differences needed for KPSS level stationarity.

    Parameters
    ----------
    x : ndarray of shape (n,)
    alpha : float, default=0.05
        Test level in [0.01, 0.1] (the range of the KPSS p-value table).
    max_d : int, default=2

    Returns
    -------
    int
        Between 0 and ``max_d``.

    Examples
    --------
    A random walk needs one difference, white noise none:

    >>> import numpy as np
    >>> from rnnforecast.baselines.auto_arima import kpss_ndiffs
    >>> rng = np.random.default_rng(0)
    >>> kpss_ndiffs(np.cumsum(rng.standard_normal(80))), kpss_ndiffs(rng.standard_normal(80))
    (1, 0)
    """
    x = np.asarray(x, dtype=np.float64)
    d = 0
    while d < max_d:
        if x.shape[0] < 4 or np.ptp(x) == 0.0:
            break
        pvalue = _kpss_pvalue(x)
        if pvalue >= alpha:
            break
        x = np.diff(x)
        d += 1
    return d


def _kpss_pvalue(x: np.ndarray) -> float:
    """KPSS level-stationarity p-value with R's ``ndiffs`` bandwidth ``trunc(3 sqrt(n) / 13)``."""
    nlags = int(3.0 * np.sqrt(x.shape[0]) / 13.0)
    with warnings.catch_warnings():
        # p-values outside [0.01, 0.1] are clamped to the table ends; that is
        # enough to decide at any alpha in [0.01, 0.1]
        warnings.simplefilter("ignore", InterpolationWarning)
        try:
            return float(kpss(x, regression="c", nlags=nlags, result_object=True).pvalue)
        except TypeError:  # statsmodels < 0.15 has no result_object argument
            return float(kpss(x, regression="c", nlags=nlags)[1])


def _seasonal_diff(x: np.ndarray, sp: int, D: int) -> np.ndarray:
    for _ in range(D):
        x = x[sp:] - x[:-sp]
    return x
