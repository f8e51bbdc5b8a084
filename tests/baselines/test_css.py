"""Conditional-sum-of-squares fits used to rank AutoARIMA candidates (rnnforecast.baselines._css)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from statsmodels.tsa.statespace.sarimax import SARIMAX

from rnnforecast.baselines._css import css_fit, difference, sarimax_start_params


def _sarma(n: int, phi: float, theta: float, Theta: float, sp: int, seed: int) -> np.ndarray:
    """(1 - phi B) w_t = (1 + theta B)(1 + Theta B^sp) e_t, by the explicit recursion."""
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n + 100)
    w = np.zeros(n + 100)
    for t in range(sp + 1, n + 100):
        w[t] = phi * w[t - 1] + e[t] + theta * e[t - 1] + Theta * e[t - sp] + theta * Theta * e[t - sp - 1]
    return w[100:]


def test_difference():
    x = np.arange(30.0) ** 2
    np.testing.assert_array_equal(difference(x, 1, 0, 4), np.diff(x))
    np.testing.assert_array_equal(difference(x, 0, 1, 4), x[4:] - x[:-4])
    np.testing.assert_array_equal(difference(x, 2, 1, 4), np.diff(x[4:] - x[:-4], 2))


def test_recovers_seasonal_arma_and_residuals_follow_the_recursion():
    w = _sarma(600, 0.5, 0.4, -0.6, 4, seed=0)
    fit = css_fit(w, None, 1, 1, 0, 1, 4, constant=False)
    assert fit.ok
    np.testing.assert_allclose([fit.ar[0], fit.ma[0], fit.sma[0]], [0.5, 0.4, -0.6], atol=0.08)
    # sigma2 is the mean square of the residuals of the explicit recursion (pre-sample zeros)
    phi, theta, Theta = fit.ar[0], fit.ma[0], fit.sma[0]
    e = np.zeros_like(w)
    for t in range(len(w)):
        e[t] = (w[t] - (phi * w[t - 1] if t >= 1 else 0.0) - (theta * e[t - 1] if t >= 1 else 0.0)
                - (Theta * e[t - 4] if t >= 4 else 0.0) - (theta * Theta * e[t - 5] if t >= 5 else 0.0))
    assert fit.sigma2 == pytest.approx(np.mean(e[1:] ** 2), rel=1e-9)
    crit = fit.criteria()
    n, k = len(w), 4
    assert crit["llf"] == pytest.approx(-0.5 * n * (np.log(2 * np.pi * fit.sigma2) + 1))
    assert crit["aic"] == pytest.approx(-2 * crit["llf"] + 2 * k)
    assert crit["bic"] == pytest.approx(-2 * crit["llf"] + k * np.log(n))


def test_close_to_exact_likelihood_and_a_good_start():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 1))
    w = 2.0 + 1.5 * X[:, 0] + _sarma(300, 0.6, -0.3, 0.0, 1, seed=2)
    fit = css_fit(w, X, 1, 1, 0, 0, 1, constant=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SARIMAX(w, exog=X, order=(1, 0, 1), trend="c")
        ml = model.fit(disp=False)
    start = sarimax_start_params(fit, 1)
    assert len(start) == len(ml.params)
    # the CSS estimate is near the maximum likelihood one, intercept = mu * (1 - phi)
    np.testing.assert_allclose(start, ml.params, atol=0.1)
    assert start[0] == pytest.approx(fit.mu * (1 - fit.ar[0]))
    assert model.loglike(start) > ml.llf - 2.0


def test_nonstationary_or_too_short_is_rejected():
    walk = np.random.default_rng(3).normal(size=200).cumsum().cumsum()  # I(2)
    fit = css_fit(walk, None, 1, 0, 0, 0, 1, constant=False)
    assert fit.ar[0] > 1 / 1.01 and not fit.ok  # root within 1.01 of the unit circle
    assert fit.criteria()["aicc"] == np.inf
    short = css_fit(walk[:5], None, 2, 2, 0, 0, 1, constant=True)
    assert not short.ok and short.criteria()["aic"] == np.inf
