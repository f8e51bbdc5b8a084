"""The M4 competition's Naive2 benchmark, its seasonality test and the OWA score."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from rnnforecast.metrics.point import _to_float_array
from rnnforecast.utils.scaled import normalise, restore, safe_mean
from rnnforecast.utils.validation import check_int

__all__ = ["acf", "naive2_forecast", "overall_weighted_average", "seasonality_test"]


def acf(x: np.ndarray, nlags: int) -> np.ndarray:
    """Biased sample autocorrelations ``r_1..r_nlags`` (denominator ``n``, mean removed).

    Parameters
    ----------
    x : ndarray of shape (n,), float64
        Finite values (no validation: callers check their input).
    nlags : int
        Number of lags (>= 1).

    Returns
    -------
    ndarray of shape (nlags,), float64
        ``r_k = sum_t (x_t - xbar)(x_{t-k} - xbar) / sum_t (x_t - xbar)**2``;
        zeros for a constant ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.metrics.m4 import acf
    >>> acf(np.array([1.0, -1.0, 1.0, -1.0]), 2)
    array([-0.75,  0.5 ])
    """
    with np.errstate(over="ignore", invalid="ignore"):
        d = x - x.mean()
        denom = float(np.dot(d, d))
    if not np.isfinite(denom):  # squares beyond float64 (|x| ~ 1e154 and more): rescale
        y = x / np.max(np.abs(x))  # autocorrelations do not depend on the scale
        d = y - y.mean()
        denom = float(np.dot(d, d))
    if denom == 0.0:
        return np.zeros(nlags)
    return np.array([np.dot(d[k:], d[:-k]) / denom for k in range(1, nlags + 1)])


def seasonality_test(y: Any, seasonal_period: int) -> bool:
    """M4 seasonality test (90 % one-sided, as in the M4 benchmark code).

    With ``m = seasonal_period``, the series is declared seasonal when
    ``n >= 3m``, ``m > 1`` and
    ``|r_m| > 1.645 * sqrt((1 + 2 * sum_{k=1}^{m-1} r_k**2) / n)``, where
    ``r_k`` is the biased sample autocorrelation at lag ``k``.

    The organisers' R code takes ``r_m`` from R's ``acf`` with its default
    ``lag.max = 10*log10(n)``, so it silently answers "not seasonal" whenever
    ``m > 10*log10(n)`` (e.g. ``m = 24`` and ``n < 252``).  This function does
    not reproduce that artefact; for the M4 Hourly series (``n >= 700``) the
    two agree.

    Parameters
    ----------
    y : array-like of shape (n,)
    seasonal_period : int
        Seasonal period ``m``.

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.metrics import seasonality_test
    >>> t = np.arange(120)
    >>> seasonality_test(10 + np.sin(2 * np.pi * t / 12), seasonal_period=12)
    True
    >>> seasonality_test(np.random.default_rng(0).standard_normal(120), seasonal_period=12)
    False
    """
    m = check_int(seasonal_period, "seasonal_period")
    x = _to_float_array(y, "y")
    if x.ndim != 1:
        raise ValueError(f"y must be 1-D; got shape {x.shape}")
    n = x.shape[0]
    if m == 1 or n < 3 * m:
        return False
    r = acf(normalise(x, axis=None)[0], m)  # scale-invariant; normalised so nothing overflows
    limit = 1.645 * np.sqrt((1.0 + 2.0 * np.sum(r[: m - 1] ** 2)) / n)
    return bool(abs(r[m - 1]) > limit)


def _multiplicative_seasonal_indices(x: np.ndarray, m: int) -> np.ndarray:
    """Classical multiplicative decomposition: seasonal index per phase (mod m), mean 1."""
    n = x.shape[0]
    if m % 2 == 0:
        w = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        w = np.ones(m) / m
    half = (len(w) - 1) // 2
    trend = np.full(n, np.nan)
    trend[half : n - half] = np.convolve(x, w, mode="valid")
    ratio = x / trend
    phase = np.arange(n) % m
    idx = np.array([np.nanmean(ratio[phase == j]) for j in range(m)])
    return idx / idx.mean()


def naive2_forecast(y_train: Any, h: int, seasonal_period: int) -> np.ndarray:
    """M4 "Naive2": naive forecast of the seasonally adjusted series.

    With ``m = seasonal_period``: if :func:`seasonality_test` finds the series
    seasonal (``n >= 3m``), seasonal indices are estimated by classical
    multiplicative decomposition (centred
    ``2 x m`` moving average for even ``m``, plain ``m``-term average for odd
    ``m``; index of phase ``j`` = mean of ``y_t / trend_t`` over ``t = j mod m``,
    normalised to mean 1).  The last seasonally adjusted value is carried
    forward and re-seasonalised.  Otherwise the plain naive (last value)
    forecast is returned.  Phases are counted from the first observation.

    Parameters
    ----------
    y_train : array-like of shape (n,)
        Training series (finite; strictly positive when seasonal).
    h : int
        Forecast horizon (>= 1).
    seasonal_period : int
        Seasonal period ``m`` (1 = non-seasonal).

    Returns
    -------
    ndarray of shape (h,), dtype float64

    Raises
    ------
    ValueError
        If the series is found seasonal but has non-positive values (the
        multiplicative decomposition is then undefined).

    Examples
    --------
    A non-seasonal series gets the last value; a seasonal one the seasonal
    pattern around the last adjusted level:

    >>> import numpy as np
    >>> from rnnforecast.metrics import naive2_forecast
    >>> naive2_forecast([3.0, 1.0, 4.0, 1.0, 5.0], h=3, seasonal_period=1)
    array([5., 5., 5.])
    >>> y = 10 + np.tile([1.0, -1.0, 2.0, -2.0], 6)
    >>> naive2_forecast(y, h=4, seasonal_period=4).round(2)
    array([11.,  9., 12.,  8.])
    """
    h = check_int(h, "h")
    m = check_int(seasonal_period, "seasonal_period")
    x = _to_float_array(y_train, "y_train")
    if x.ndim != 1:
        raise ValueError(f"y_train must be 1-D; got shape {x.shape}")
    n = x.shape[0]
    if not seasonality_test(x, m):
        return np.full(h, x[-1])
    if np.any(x <= 0):
        raise ValueError(
            "y_train is seasonal but contains non-positive values; Naive2's multiplicative "
            "decomposition needs strictly positive data"
        )
    xs, e = normalise(x, axis=None)  # computed in a scaled space, mapped back at the end
    si = _multiplicative_seasonal_indices(xs, m)
    level = xs[-1] / si[(n - 1) % m]
    return restore(level * si[(n + np.arange(h)) % m], e, "the Naive2 forecast")


def overall_weighted_average(
    smape: Any, mase: Any, smape_naive2: Any, mase_naive2: Any
) -> float:
    """M4 Overall Weighted Average (OWA) relative to Naive2.

    ``OWA = (mean(smape) / mean(smape_naive2) + mean(mase) / mean(mase_naive2)) / 2``.

    Each argument may be a scalar or an array of per-series (or per-series-and-
    horizon) values; arrays are averaged over the whole subset first and the
    ratios are taken afterwards, as in the M4 competition.

    Parameters
    ----------
    smape, mase : float or array-like
        sMAPE and MASE of the method.
    smape_naive2, mase_naive2 : float or array-like
        sMAPE and MASE of Naive2 on the same series.

    Returns
    -------
    float

    Examples
    --------
    Half of Naive2's sMAPE and the same MASE give an OWA of 0.75:

    >>> from rnnforecast.metrics import overall_weighted_average
    >>> overall_weighted_average(smape=5.0, mase=1.2, smape_naive2=10.0, mase_naive2=1.2)
    0.75
    """
    means = {}
    for name, v in (
        ("smape", smape),
        ("mase", mase),
        ("smape_naive2", smape_naive2),
        ("mase_naive2", mase_naive2),
    ):
        arr = np.atleast_1d(_scalar_or_array(v, name))
        if np.any(arr < 0):
            raise ValueError(f"{name} must be >= 0 (sMAPE and MASE are never negative); got "
                             f"{int(np.sum(arr < 0))} negative value(s), e.g. {float(arr[arr < 0][0])}")
        means[name] = float(safe_mean(arr))
    for name in ("smape_naive2", "mase_naive2"):
        if means[name] <= 0:
            raise ValueError(f"{name} must average to a positive number; got {means[name]}")
    with np.errstate(over="ignore"):
        r_smape = means["smape"] / means["smape_naive2"]
        r_mase = means["mase"] / means["mase_naive2"]
        owa = 0.5 * (r_smape + r_mase)
        if not np.isfinite(owa):  # the sum overflowed: halve first
            owa = 0.5 * r_smape + 0.5 * r_mase
    if not np.isfinite(owa):
        raise ValueError(
            "OWA is too large to be represented in float64: sMAPE/sMAPE_Naive2 = "
            f"{r_smape:.3g} and MASE/MASE_Naive2 = {r_mase:.3g}; check that smape_naive2 "
            "and mase_naive2 are the Naive2 values of the same series"
        )
    return float(owa)


def _scalar_or_array(v: Any, name: str) -> np.ndarray:
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        arr = np.asarray([float(v)])
        if not np.isfinite(arr[0]):
            raise ValueError(f"{name} must be finite; got {v}")
        return arr
    arr = _to_float_array(v, name)
    return arr.ravel()
