"""ARIMA and AutoARIMA on a series whose level is far from its variation (``1e10 + sin(t)``).

Before the fits subtracted the level of such a series (where the model is
equivariant to a shift) and before ``_series_scale`` stopped treating a
spread of 1e-10 of the level as rounding, ``AutoARIMAForecaster`` forecast
``1e10 + sin`` with errors of 1e4 (1e8 at 1e14), ``ARIMA(2,0,0)`` with a
constant failed with a LinAlgError and ``ARIMA(1,1,1)`` was off by 0.2.
The reference is the same series at level 5 (a few times its variation),
which takes the unshifted path.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rnnforecast.baselines import ARIMAForecaster, AutoARIMAForecaster
from rnnforecast.baselines._arima_scale import _ROUNDING, _series_scale

REF_LEVEL = 5.0
# the optimiser stops at its tolerance, in different places from different starting
# values (differences up to ~2e-3 at the reference level already); at 1e14 the series
# is also rounded to the ulp of its level, 0.016.  The innovation std is 0.1.
TOL = {1e10: 1e-2, 1e14: 0.1}
# rounding to 0.016 adds ~0.2 % to the innovation variance at 1e14: ~0.5 on the AIC
TOL_AIC = {1e10: 0.05, 1e14: 1.0}


def _seasonal(n: int = 120) -> np.ndarray:
    rng = np.random.default_rng(0)
    return np.sin(np.arange(n) * 2 * np.pi / 12) + 0.1 * rng.standard_normal(n)


def _walk(n: int = 120) -> np.ndarray:
    rng = np.random.default_rng(1)
    return np.cumsum(rng.standard_normal(n))


SPECS = {
    "AR(2)+c": (dict(order=(2, 0, 0), trend="c"), _seasonal),
    "ARMA(1,1)+ct": (dict(order=(1, 0, 1), trend="ct"), _seasonal),
    "ARIMA(1,1,1)": (dict(order=(1, 1, 1)), _walk),
    "ARIMA(0,1,1)+drift": (dict(order=(0, 1, 1), trend="c"), _walk),
    "SARIMA(1,0,0)(0,1,1)12": (dict(order=(1, 0, 0), seasonal_order=(0, 1, 1, 12)), _seasonal),
}


def _outputs(model, y: np.ndarray, level: float) -> np.ndarray:
    """Forecasts, 90 % intervals and forecasts from a new history, minus the level."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings are not the subject
        model.fit(y + level)
        hist = y[-60:] + level
        return np.c_[model.predict(4), model.predict_interval(4, coverage=0.9),
                     model.predict(4, y=hist)] - level


@pytest.mark.parametrize("level", [1e10, 1e14])
@pytest.mark.parametrize("name", list(SPECS))
def test_arima_far_from_its_level_forecasts_as_near_it(name, level):
    kw, make_y = SPECS[name]
    y = make_y()
    ref_model = ARIMAForecaster(**kw)
    ref = _outputs(ref_model, y, REF_LEVEL)
    model = ARIMAForecaster(**kw)
    got = _outputs(model, y, level)
    np.testing.assert_allclose(got, ref, atol=TOL[level], rtol=0, err_msg=name)
    assert ref_model.shift_ == 0.0  # ordinary data: the unshifted path
    assert model.shift_ != 0.0
    # parameters of y itself: the same up to the intercept, which carries the level
    names = list(model.results_.param_names)
    other = [i for i, n in enumerate(names) if n != "intercept"]
    np.testing.assert_allclose(model.params_[other], ref_model.params_[other], rtol=1e-2, atol=1e-3)
    if "intercept" in names and kw["order"][1] == 0:
        i = names.index("intercept")
        phi1 = 1.0 - sum(v for n, v in zip(names, model.params_) if n.startswith("ar.L"))
        ref_phi1 = 1.0 - sum(v for n, v in zip(names, ref_model.params_) if n.startswith("ar.L"))
        # the process mean, intercept / phi(1), is the level plus the reference's mean
        assert model.params_[i] / phi1 - level == pytest.approx(ref_model.params_[i] / ref_phi1 - REF_LEVEL,
                                                                abs=TOL[level] * 10)
    # the log-likelihood does not depend on the level
    assert model.aic_ == pytest.approx(ref_model.aic_, abs=TOL_AIC[level])


def test_brief_repro_auto_arima_forecast_errors_are_of_the_variation():
    """The reported case: ``AutoARIMAForecaster().fit(1e10 + sin)`` forecast the level minus 15277."""
    y = _seasonal()
    index = pd.period_range("2000-01", periods=120, freq="M")
    ref_model = AutoARIMAForecaster()
    ref = np.asarray(ref_model.fit(pd.Series(y + REF_LEVEL, index=index)).predict(3)) - REF_LEVEL
    for level in (1e9, 1e10, 1e12, 1e14):
        model = AutoARIMAForecaster()
        got = np.asarray(model.fit(pd.Series(y + level, index=index)).predict(3)) - level
        assert (model.order_, model.trend_) == (ref_model.order_, ref_model.trend_), level
        np.testing.assert_allclose(got, ref, atol=0.05, rtol=0, err_msg=f"level={level}")


@pytest.mark.parametrize("approximation", [True, False])
def test_auto_arima_far_from_its_level_seasonal_and_differenced(approximation):
    kw = dict(seasonal_period=12, max_p=2, max_q=2, max_P=1, max_Q=1, approximation=approximation)
    for make_y in (_seasonal, _walk):
        y = make_y()
        ref_model = AutoARIMAForecaster(**kw)
        ref = _outputs(ref_model, y, REF_LEVEL)
        model = AutoARIMAForecaster(**kw)
        got = _outputs(model, y, 1e10)
        sel = (model.order_, model.seasonal_order_, model.trend_)
        assert sel == (ref_model.order_, ref_model.seasonal_order_, ref_model.trend_)
        np.testing.assert_allclose(got, ref, atol=TOL[1e10], rtol=0, err_msg=f"{make_y.__name__} {sel}")
        assert model.ic_ == pytest.approx(ref_model.ic_, abs=TOL_AIC[1e10])


def test_models_without_mean_or_differencing_are_not_shifted():
    """No constant and no differencing: the model says the mean is 0, a shift would change it.

    They keep the fit of the first scaled version (scale = the level), where
    an AR(1) follows the series; fitted at its variation it forecast 0.
    """
    y = _seasonal() + 1e10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ARIMAForecaster(order=(1, 0, 0)).fit(y)
        assert ARIMAForecaster(order=(1, 0, 0), trend="t").fit(y).shift_ == 0.0
    assert model.shift_ == 0.0
    assert model.scale_ == pytest.approx(1e10, rel=1e-9)
    np.testing.assert_allclose(model.predict(3), 1e10, atol=2.0)


def test_series_scale_of_a_far_level_is_its_variation():
    y = _seasonal()
    for level in (1e10, 1e14):
        assert _series_scale(y + level, rounding=_ROUNDING) == pytest.approx(np.std(y), rel=1e-2)
        # a model that cannot be shifted keeps the level as its scale (its mean is 0)
        assert _series_scale(y + level) == pytest.approx(level, rel=1e-9)
    # constant up to one ulp of rounding: still the level
    c = np.full(50, 1e14)
    c[::3] = np.nextafter(1e14, 2e14)
    assert _series_scale(c, rounding=_ROUNDING) == pytest.approx(1e14, rel=1e-12)
