"""ARIMA and AutoARIMA are scale-equivariant: ``c * y`` forecasts ``c`` times the forecasts of ``y``.

Before the fits were done on ``y / scale_`` (issue 13, cause 2), a constant
series of 1e-3 forecast ``[3e-9, 9e-15, 3e-20]`` and series scaled by 1e-9
or 1e-12 collapsed to about 0.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from statsmodels.tsa.statespace.sarimax import SARIMAX

from rnnforecast.baselines import ARIMAForecaster, AutoARIMAForecaster
from rnnforecast.baselines.arima import _series_scale

SCALES = [1e-12, 1e-9, 1e-3, 1e3, 1e12]
# c * y is rounded, and the optimiser (which stops at its tolerance) amplifies that
# rounding a little
RTOL_ARIMA = 1e-4
RTOL_AUTO = 1e-4


def _series(n: int = 90, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A seasonal AR(1) series around 20 with one regressor; (y, X, X for 4 future steps)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n + 4, 1))
    e = rng.normal(size=n)
    a = np.zeros(n)
    for t in range(1, n):
        a[t] = 0.6 * a[t - 1] + e[t]
    y = 20.0 + 2.0 * np.sin(2 * np.pi * np.arange(n) / 4) + a + 1.5 * X[:n, 0]
    return y, X[:n], X[n:]


def _forecasts(model, y, X=None, Xf=None):
    model.fit(y, X)
    return np.c_[model.predict(4, X=Xf), model.predict_interval(4, X=Xf, coverage=0.9)]


@pytest.mark.parametrize("with_x", [False, True])
def test_arima_forecasts_and_intervals_scale_with_the_data(with_x):
    y, X, Xf = _series()
    kw = dict(X=X, Xf=Xf) if with_x else {}
    make = lambda: ARIMAForecaster(order=(1, 0, 0), seasonal_order=(1, 0, 0, 4), trend="c")  # noqa: E731
    ref_model = make()
    ref = _forecasts(ref_model, y, **kw)
    for c in SCALES:
        m = make()
        got = _forecasts(m, c * y, **kw)
        np.testing.assert_allclose(got, c * ref, rtol=RTOL_ARIMA, err_msg=f"c={c}")
        assert m.scale_ == pytest.approx(c * ref_model.scale_, rel=1e-12)
        # parameters in the units of y: intercept and coefficient times c, sigma2 times c**2
        names = list(ref_model.results_.param_names)
        factor = np.array([c**2 if n == "sigma2" else c if n in ("intercept", "x1") else 1.0 for n in names])
        np.testing.assert_allclose(m.params_ / factor, ref_model.params_, rtol=1e-3, atol=1e-4, err_msg=f"c={c}")
        n_eff = len(y)
        assert m.aic_ == pytest.approx(ref_model.aic_ + 2 * n_eff * np.log(c), abs=1e-4)


@pytest.mark.parametrize("with_x", [False, True])
def test_auto_arima_forecasts_and_intervals_scale_with_the_data(with_x):
    y, X, Xf = _series(seed=1)
    kw = dict(X=X, Xf=Xf) if with_x else {}
    make = lambda: AutoARIMAForecaster(seasonal_period=4, max_p=2, max_q=2, max_P=1, max_Q=1)  # noqa: E731
    ref_model = make()
    ref = _forecasts(ref_model, y, **kw)
    for c in (1e-12, 1e-9, 1e12):
        m = make()
        got = _forecasts(m, c * y, **kw)
        assert (m.order_, m.seasonal_order_, m.trend_) == (ref_model.order_, ref_model.seasonal_order_,
                                                           ref_model.trend_)
        np.testing.assert_allclose(got, c * ref, rtol=RTOL_AUTO, err_msg=f"c={c}")


def test_tiny_series_matches_statsmodels_on_the_unit_series():
    """The 1e-9 and 1e-12 versions give 1e-9 / 1e-12 times statsmodels' forecasts of the unscaled series."""
    y, _, _ = _series(seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SARIMAX(y, order=(2, 0, 0), trend="c").fit(disp=False).forecast(5)
    for c in (1e-9, 1e-12):
        got = ARIMAForecaster(order=(2, 0, 0), trend="c").fit(c * y).predict(5)
        np.testing.assert_allclose(got / c, ref, rtol=1e-4)


@pytest.mark.parametrize("value", [1e-12, 1e-3, 5.0, -3e-9, 1e12])
@pytest.mark.parametrize("spec", [
    dict(order=(1, 0, 0)), dict(order=(1, 0, 0), trend="c"), dict(order=(0, 1, 1)),
    dict(order=(0, 0, 0), trend="c"),
])
def test_constant_series_forecasts_the_constant(value, spec):
    pred = ARIMAForecaster(**spec).fit(np.full(60, value)).predict(3)
    np.testing.assert_allclose(pred, value, rtol=1e-4)


@pytest.mark.parametrize("value", [1e-3, 1e-12])
def test_auto_arima_constant_series_forecasts_the_constant(value):
    for sp in (1, 12):
        pred = AutoARIMAForecaster(seasonal_period=sp).fit(np.full(60, value)).predict(3)
        np.testing.assert_allclose(pred, value, rtol=1e-4)


def test_series_scale():
    rng = np.random.default_rng(0)
    walk = rng.normal(size=200).cumsum() + 1e6
    # the scale of what the model sees: the differenced series for d = 1
    assert _series_scale(walk, d=1) == pytest.approx(np.std(np.diff(walk)), rel=1e-9)
    assert _series_scale(walk, d=1) == pytest.approx(1.0, abs=0.15)
    seasonal = np.tile([1.0, 5.0, 2.0, 8.0], 10) + 0.01 * rng.normal(size=40)
    assert _series_scale(seasonal, D=1, sp=4) == pytest.approx(np.std(seasonal[4:] - seasonal[:-4]))
    assert _series_scale(np.full(30, -4e-7)) == 4e-7  # no variation: the level
    assert _series_scale(np.zeros(30)) == 1.0
    assert _series_scale(np.array([1e300, -1e300, 1e300])) == pytest.approx(np.sqrt(8 / 9) * 1e300, rel=1e-9)


def test_state_stored_without_a_scale_is_read_as_unscaled():
    """A SarimaxState from before the scaled fits (parameters of y itself, no ``scale``) forecasts as then."""
    from rnnforecast.baselines.arima import SarimaxState

    y, _, _ = _series(seed=3)
    f = ARIMAForecaster(order=(1, 0, 0), trend="c").fit(y)
    expected = f.predict(3)
    state = f._sarimax_state_
    old = object.__new__(SarimaxState)
    old.__dict__.update(y=state.y, X=None, spec=state.spec, params=f.params_)
    f._sarimax_state_ = old
    np.testing.assert_allclose(f.predict(3), expected, rtol=1e-8)
    np.testing.assert_allclose(f.results_.params, f.params_)
