"""NaiveForecaster and Naive2Forecaster: forecasts and intervals checked against hand-derived values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from rnnforecast.baselines import Naive2Forecaster, NaiveForecaster

Z90 = 1.6448536269514722  # standard normal 95 % quantile (90 % central interval)
Y = np.array([1.0, 2.0, 4.0, 7.0, 11.0])


def test_point_forecasts_by_hand():
    assert NaiveForecaster("last").fit(Y).predict(3).tolist() == [11.0, 11.0, 11.0]
    assert NaiveForecaster("mean").fit(Y).predict(2).tolist() == [5.0, 5.0]
    # drift (11 - 1) / 4 = 2.5 per step
    np.testing.assert_allclose(NaiveForecaster("drift").fit(Y).predict(3), [13.5, 16.0, 18.5])
    # sp = 2: last season (7, 11) repeated
    assert NaiveForecaster("seasonal_last", seasonal_period=2).fit(Y).predict(5).tolist() == [7.0, 11.0, 7.0, 11.0, 7.0]


def test_new_history_equals_refit():
    new = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])
    for strategy in ("last", "mean", "drift", "seasonal_last"):
        f = NaiveForecaster(strategy, seasonal_period=3)
        a = f.fit(Y).predict(4, y=new)
        b = clone(f).fit(new).predict(4)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(
            f.predict_interval(4, y=new), clone(f).fit(new).predict_interval(4)
        )


def test_pandas_index_and_multivariate():
    idx = pd.date_range("2020-01-01", periods=5, freq="MS")
    y = pd.Series(Y, index=idx, name="sales")
    pred = NaiveForecaster("drift").fit(y).predict(2)
    assert isinstance(pred, pd.Series) and pred.name == "sales"
    assert list(pred.index) == [pd.Timestamp("2020-06-01"), pd.Timestamp("2020-07-01")]
    df = pd.DataFrame({"a": Y, "b": -Y}, index=idx)
    out = NaiveForecaster("last").fit(df).predict(2)
    assert list(out.columns) == ["a", "b"] and out.iloc[0].tolist() == [11.0, -11.0]
    iv = NaiveForecaster("last").fit(df).predict_interval(2)
    assert list(iv.columns) == [("a", "lower"), ("a", "upper"), ("b", "lower"), ("b", "upper")]
    arr = NaiveForecaster("last").fit(np.c_[Y, -Y]).predict_interval(3)
    assert arr.shape == (3, 2, 2)


def test_interval_formulas_by_hand():
    T = len(Y)
    diffs = np.diff(Y)  # 1, 2, 3, 4
    j = np.arange(1, 4)
    # last: sigma^2 = mean(diff^2) = 30/4
    assert np.mean(diffs ** 2) == 30 / 4
    s = np.sqrt(30 / 4)
    iv = NaiveForecaster("last").fit(Y).predict_interval(3, coverage=0.9)
    np.testing.assert_allclose(iv[:, 0], 11 - Z90 * s * np.sqrt(j))
    np.testing.assert_allclose(iv[:, 1], 11 + Z90 * s * np.sqrt(j))
    # mean: sample sd (ddof 1) of Y = sqrt(((16+9+1+4+36))/4)
    s = np.sqrt(66 / 4)
    iv = NaiveForecaster("mean").fit(Y).predict_interval(3)
    np.testing.assert_allclose(iv[:, 1] - 5.0, Z90 * s * np.sqrt(1 + 1 / T) * np.ones(3))
    # drift: residuals diff - 2.5 = -1.5, -0.5, 0.5, 1.5 -> sigma^2 = 5/4
    s = np.sqrt(5 / 4)
    iv = NaiveForecaster("drift").fit(Y).predict_interval(3)
    np.testing.assert_allclose(iv[:, 1] - (11 + 2.5 * j), Z90 * s * np.sqrt(j * (1 + j / (T - 1))))
    # seasonal, seasonal_period=2: y_t - y_{t-2} = 3, 5, 7 -> sigma^2 = 83/3; k = floor((j-1)/2)
    s = np.sqrt(83 / 3)
    iv = NaiveForecaster("seasonal_last", seasonal_period=2).fit(Y).predict_interval(4, coverage=0.8)
    z80 = 1.2815515655446004
    k = np.floor((np.arange(1, 5) - 1) / 2)
    np.testing.assert_allclose(iv[:, 1] - np.array([7.0, 11.0, 7.0, 11.0]), z80 * s * np.sqrt(k + 1))
    np.testing.assert_allclose(NaiveForecaster("seasonal_last", seasonal_period=2).fit(Y).sigma_, [s])


def test_interval_coverage_on_random_walks():
    rng = np.random.default_rng(42)
    walks = rng.normal(size=(160, 3000)).cumsum(axis=0)
    train, test = walks[:150], walks[150:]
    iv = NaiveForecaster("last").fit(train).predict_interval(10, coverage=0.9)
    inside = (test >= iv[..., 0]) & (test <= iv[..., 1])
    coverage = inside.mean(axis=1)
    assert np.all(np.abs(coverage - 0.9) < 0.03), coverage


def test_pandas_interval_frame():
    y = pd.Series(Y, index=pd.period_range("2000", periods=5, freq="Y"))
    iv = NaiveForecaster().fit(y).predict_interval(2, coverage=0.5)
    assert list(iv.columns) == ["lower", "upper"]
    assert list(iv.index) == list(pd.period_range("2005", periods=2, freq="Y"))
    assert (iv["lower"] < 11).all() and (iv["upper"] > 11).all()


def test_errors():
    with pytest.raises(NotFittedError):
        NaiveForecaster().predict(2)
    with pytest.raises(NotFittedError):
        NaiveForecaster().predict_interval(2)
    with pytest.raises(ValueError, match="strategy"):
        NaiveForecaster("median").fit(Y)
    with pytest.raises(ValueError, match="seasonal_period"):
        NaiveForecaster("seasonal_last", seasonal_period=0).fit(Y)
    with pytest.raises(ValueError, match="needs at least 12"):
        NaiveForecaster("seasonal_last", seasonal_period=12).fit(Y)
    with pytest.raises(ValueError, match="does not use exogenous"):
        NaiveForecaster().fit(Y, X=np.ones((5, 1)))
    f = NaiveForecaster().fit(Y)
    with pytest.raises(ValueError, match="coverage must be a float strictly between 0 and 1; got 1.5"):
        f.predict_interval(2, coverage=1.5)
    with pytest.raises(TypeError, match="coverage"):
        f.predict_interval(2, coverage=True)
    with pytest.raises(ValueError, match="needs at least 2 to estimate"):
        NaiveForecaster().fit(Y[:1]).predict_interval(1)


def test_params_and_clone():
    f = NaiveForecaster("seasonal_last", seasonal_period=4)
    assert f.get_params() == {"strategy": "seasonal_last", "seasonal_period": 4}
    g = clone(f.fit(np.arange(10.0)))
    assert not hasattr(g, "sigma_")


# --------------------------------------------------------------------------- extreme scales
STRATEGIES = ["last", "mean", "drift", "seasonal_last"]


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("exponent", [1020, -1000])
def test_extreme_scales_equal_the_scaled_ordinary_forecasts(strategy, exponent):
    """Forecasts and intervals of ``y * 2**p`` are exactly those of ``y`` times ``2**p``.

    ``2**1020`` (about 1.1e307) makes the sums of the mean/drift overflow in the
    plain formulas; ``2**-1000`` (about 1e-301) makes the squares of the interval
    variances underflow to 0.  A power of two scales exactly, so the reference
    is the ordinary-range forecast, checked by hand elsewhere in this module.
    """
    rng = np.random.default_rng(7)
    y = 1.0 + 0.3 * rng.random(60)  # positive, < 1.3: 2**1020 * 1.3 * (1 + drift) fits
    f = NaiveForecaster(strategy, seasonal_period=4)
    ref_point = f.fit(y).predict(5)
    ref_int = f.predict_interval(5, coverage=0.8)
    ref_sigma = f.sigma_.copy()
    big = np.ldexp(y, exponent)
    point = f.fit(big).predict(5)
    interval = f.predict_interval(5, coverage=0.8)
    assert np.isfinite(point).all() and np.isfinite(interval).all()
    np.testing.assert_array_equal(point, np.ldexp(ref_point, exponent))
    np.testing.assert_array_equal(interval, np.ldexp(ref_int, exponent))
    np.testing.assert_array_equal(f.sigma_, np.ldexp(ref_sigma, exponent))
    assert (interval[:, 1] > interval[:, 0]).all()


def test_mean_near_float64_max_is_the_mean():
    y = np.array([1.6e308, 1.7e308, 1.5e308, 1.6e308])
    assert NaiveForecaster("mean").fit(y).predict(1)[0] == pytest.approx(1.6e308, rel=1e-15)


def test_unrepresentable_forecasts_raise_instead_of_inf():
    f = NaiveForecaster("drift").fit(np.array([0.0, 0.5e308, 1e308]))
    assert f.predict(1)[0] == pytest.approx(1.5e308)
    with pytest.raises(ValueError, match=r"NaiveForecaster\(strategy='drift'\): the forecast "
                                         r"over h=2 steps is too large to be represented"):
        f.predict(2)
    g = NaiveForecaster("last").fit(np.array([1.0e308, 1.7e308, 1.0e308, 1.7e308]))
    with pytest.raises(ValueError, match="prediction interval over h=1 steps is too large"):
        g.predict_interval(1, coverage=0.99)
    with pytest.raises(ValueError, match=r"sigma_\) is too large.*Rescale y"):
        NaiveForecaster("last").fit(np.array([-1.7e308, 1.7e308, -1.7e308]))


def test_set_params_after_fit_changes_nothing_until_refit():
    f = NaiveForecaster("drift", seasonal_period=2).fit(Y)
    point, interval = f.predict(3), f.predict_interval(3)
    f.set_params(strategy="seasonal_last", seasonal_period=4)
    np.testing.assert_array_equal(f.predict(3), point)  # still the fitted drift: 13.5, 16, 18.5
    np.testing.assert_array_equal(f.predict_interval(3), interval)
    np.testing.assert_array_equal(f.predict(2, y=np.array([1.0, 3.0])), [5.0, 7.0])
    assert (f.strategy_, f.seasonal_period_) == ("drift", 2)
    f.set_params(strategy="bogus")
    np.testing.assert_array_equal(f.predict(3), point)
    with pytest.raises(ValueError, match="strategy"):
        f.fit(Y)  # the new parameters are validated at the next fit...
    np.testing.assert_array_equal(f.predict(3), point)  # ...which leaves the model as it was
    f.set_params(strategy="seasonal_last", seasonal_period=2).fit(Y)
    assert f.predict(3).tolist() == [7.0, 11.0, 7.0]


def test_naive2_forecaster_continues_an_exact_multiplicative_season():
    s = np.array([0.8, 1.2, 0.9, 1.1])
    y = 10.0 * np.tile(s, 8)  # level 10, period 4
    pred = Naive2Forecaster(seasonal_period=4).fit(y).predict(6)
    assert np.allclose(pred, 10.0 * s[[0, 1, 2, 3, 0, 1]])
    # new history: forecasts restart from its end
    pred2 = Naive2Forecaster(seasonal_period=4).fit(y).predict(2, y=y[:-1])
    assert np.allclose(pred2, 10.0 * s[[3, 0]])
    # non-seasonal period: plain naive
    assert np.allclose(Naive2Forecaster().fit(np.array([3.0, 1.0, 2.0])).predict(2), [2.0, 2.0])


def test_naive2_forecaster_validates_seasonal_period():
    with pytest.raises(ValueError, match="'seasonal_period' parameter of Naive2Forecaster"):
        Naive2Forecaster(seasonal_period=0).fit(np.arange(10.0))
