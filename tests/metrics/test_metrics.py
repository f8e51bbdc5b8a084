"""Tests for rnnforecast.metrics: values derived by hand or from sklearn/statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sklearn.metrics as skm
from sklearn.base import BaseEstimator
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from statsmodels.tsa.seasonal import seasonal_decompose
from statsmodels.tsa.stattools import acf as sm_acf

from rnnforecast import metrics as M

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


# --------------------------------------------------------------------------- point metrics
def test_mae_rmse_by_hand():
    y = [1.0, 2.0, 3.0, 4.0]
    f = [2.0, 2.0, 1.0, 8.0]
    # |e| = 1, 0, 2, 4
    assert M.mean_absolute_error(y, f) == pytest.approx(7 / 4)
    assert M.root_mean_squared_error(y, f) == pytest.approx(np.sqrt((1 + 0 + 4 + 16) / 4))


def test_mape_smape_by_hand():
    y = [100.0, 200.0]
    f = [110.0, 150.0]
    assert M.mean_absolute_percentage_error(y, f) == pytest.approx(100 * (0.1 + 0.25) / 2)
    # 200/2 * (10/210 + 50/350)
    assert M.symmetric_mean_absolute_percentage_error(y, f) == pytest.approx(100 * (10 / 210 + 50 / 350))


def test_smape_zero_zero_counts_as_perfect_and_bounds():
    assert M.symmetric_mean_absolute_percentage_error([0.0, 1.0], [0.0, 1.0]) == 0.0
    # opposite signs -> each term is 1 -> 200
    assert M.symmetric_mean_absolute_percentage_error([1.0, -2.0], [-1.0, 2.0]) == pytest.approx(200.0)


def test_mase_by_hand():
    train = [1.0, 3.0, 2.0, 5.0]  # naive |diffs| = 2, 1, 3 -> scale 2
    assert M.mean_absolute_scaled_error([6.0, 7.0], [5.0, 5.0], train) == pytest.approx(1.5 / 2)
    # m = 2: |2-1|, |5-3| -> scale 1.5
    assert M.mean_absolute_scaled_error([6.0, 7.0], [5.0, 5.0], train, seasonal_period=2) == pytest.approx(1.5 / 1.5)


@settings(max_examples=30, deadline=None)
@given(
    y=arrays(np.float64, st.tuples(st.integers(1, 20), st.integers(1, 3)), elements=finite),
    data=st.data(),
)
def test_against_sklearn(y, data):
    f = data.draw(arrays(np.float64, y.shape, elements=finite))
    assert M.mean_absolute_error(y, f) == pytest.approx(skm.mean_absolute_error(y, f), rel=1e-10, abs=1e-9)
    assert M.root_mean_squared_error(y, f) == pytest.approx(
        skm.root_mean_squared_error(y, f), rel=1e-10, abs=1e-9
    )
    raw = M.mean_absolute_error(y, f, multioutput="raw_values")
    np.testing.assert_allclose(raw, skm.mean_absolute_error(y, f, multioutput="raw_values"), atol=1e-9)


@settings(max_examples=30, deadline=None)
@given(y=arrays(np.float64, st.integers(1, 20), elements=st.floats(0.5, 1e4)), data=st.data())
def test_mape_matches_sklearn_times_100(y, data):
    f = data.draw(arrays(np.float64, y.shape, elements=st.floats(-1e4, 1e4)))
    assert M.mean_absolute_percentage_error(y, f) == pytest.approx(
        100 * skm.mean_absolute_percentage_error(y, f), rel=1e-10
    )


@settings(max_examples=40, deadline=None)
@given(y=arrays(np.float64, st.integers(1, 30), elements=finite), data=st.data())
def test_smape_bounded_and_symmetric(y, data):
    f = data.draw(arrays(np.float64, y.shape, elements=finite))
    s = M.symmetric_mean_absolute_percentage_error(y, f)
    assert 0.0 <= s <= 200.0 + 1e-9
    assert s == pytest.approx(M.symmetric_mean_absolute_percentage_error(f, y))


@settings(max_examples=30, deadline=None)
@given(
    train=arrays(np.float64, st.integers(5, 30), elements=st.floats(-100, 100)),
    c=st.floats(0.01, 100.0),
    data=st.data(),
)
def test_mase_scale_invariant(train, c, data):
    if np.all(np.diff(train) == 0):
        return  # constant series: scale undefined, covered by test_mase_zero_scale_raises
    y = data.draw(arrays(np.float64, 4, elements=st.floats(-100, 100)))
    f = data.draw(arrays(np.float64, 4, elements=st.floats(-100, 100)))
    a = M.mean_absolute_scaled_error(y, f, train)
    b = M.mean_absolute_scaled_error(c * y, c * f, c * train)
    assert a == pytest.approx(b, rel=1e-9, abs=1e-12)


def test_multioutput_columns_and_pandas():
    y = pd.DataFrame({"a": [1.0, 2.0], "b": [10.0, 10.0]}, index=[5, 6])
    f = np.array([[1.0, 12.0], [4.0, 10.0]])
    np.testing.assert_allclose(M.mean_absolute_error(y, f, multioutput="raw_values"), [1.0, 1.0])
    train = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 4.0]])  # scales 1 and 2
    np.testing.assert_allclose(
        M.mean_absolute_scaled_error(y, f, train, multioutput="raw_values"), [1.0, 0.5]
    )
    assert M.mean_absolute_scaled_error(y, f, train) == pytest.approx(0.75)
    # (h,) vs (h, 1) accepted
    assert M.mean_absolute_error(pd.Series([1.0, 2.0]), np.array([[1.0], [3.0]])) == 0.5


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "func", [M.mean_absolute_error, M.root_mean_squared_error, M.symmetric_mean_absolute_percentage_error]
)
def test_validation_errors(func):
    with pytest.raises(ValueError, match=r"same shape.*\(3,\).*\(2,\)"):
        func([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="y_pred contains 1 NaN"):
        func([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(ValueError, match="y_true contains 1 NaN or infinite"):
        func([np.inf, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="y_true must not be empty"):
        func([], [])
    with pytest.raises(TypeError, match="y_true must contain real numbers"):
        func(["a", "b"], [1.0, 2.0])
    with pytest.raises(TypeError, match="y_pred must contain real numbers.*bool"):
        func([1.0, 2.0], [True, False])
    with pytest.raises(ValueError, match="multioutput"):
        func([1.0], [1.0], multioutput="variance_weighted")


def test_mape_zero_raises():
    with pytest.raises(ValueError, match="y_true contains 1 zero"):
        M.mean_absolute_percentage_error([0.0, 1.0], [1.0, 1.0])


def test_mase_validation():
    with pytest.raises(ValueError, match="longer than seasonal_period=4; got 4"):
        M.mean_absolute_scaled_error([1.0], [1.0], [1.0, 2.0, 3.0, 4.0], seasonal_period=4)
    with pytest.raises(ValueError, match="scale is zero"):
        M.mean_absolute_scaled_error([1.0], [2.0], [3.0, 3.0, 3.0])
    with pytest.raises(TypeError, match="seasonal_period must be an int"):
        M.mean_absolute_scaled_error([1.0], [2.0], [1.0, 2.0, 3.0], seasonal_period=1.0)
    with pytest.raises(ValueError, match="seasonal_period must be an int >= 1; got 0"):
        M.mean_absolute_scaled_error([1.0], [2.0], [1.0, 2.0, 3.0], seasonal_period=0)
    with pytest.raises(ValueError, match="y_train contains 1 NaN"):
        M.mean_absolute_scaled_error([1.0], [2.0], [1.0, np.nan, 3.0])
    with pytest.raises(ValueError, match="same number of columns"):
        M.mean_absolute_scaled_error([1.0], [2.0], np.ones((4, 2)))


# --------------------------------------------------------------------------- Naive2
def _seasonal_series(n: int, m: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 50 + 0.05 * t + 10 * np.sin(2 * np.pi * t / m) + rng.normal(0, 1, n)


def test_seasonality_test_matches_formula_with_statsmodels_acf():
    for m, seed in [(12, 0), (24, 1), (7, 2)]:
        x = _seasonal_series(10 * m, m, seed)
        r = sm_acf(x, nlags=m, adjusted=False, fft=False)[1:]
        expected = abs(r[m - 1]) > 1.645 * np.sqrt((1 + 2 * np.sum(r[: m - 1] ** 2)) / len(x))
        assert M.seasonality_test(x, m) == expected
        assert expected  # the sinusoid is clearly seasonal
    noise = np.random.default_rng(3).normal(size=120)
    r = sm_acf(noise, nlags=12, adjusted=False, fft=False)[1:]
    assert M.seasonality_test(noise, 12) == bool(abs(r[11]) > 1.645 * np.sqrt((1 + 2 * np.sum(r[:11] ** 2)) / 120))
    # too short (n < 3m) or m == 1 -> never seasonal
    assert not M.seasonality_test(_seasonal_series(35, 12), 12)
    assert not M.seasonality_test(_seasonal_series(60, 12), 1)


@pytest.mark.parametrize("m,n", [(12, 100), (12, 97), (7, 60), (4, 30)])
def test_naive2_matches_statsmodels_multiplicative_decomposition(m, n):
    x = _seasonal_series(n, m, seed=m + n)
    assert M.seasonality_test(x, m)
    dec = seasonal_decompose(x, model="multiplicative", period=m, two_sided=True)
    seasonal = np.asarray(dec.seasonal)
    h = 2 * m + 3
    expected = x[-1] / seasonal[-1] * np.resize(seasonal[-m:], h)
    np.testing.assert_allclose(M.naive2_forecast(x, h, m), expected, rtol=1e-12)


def test_naive2_nonseasonal_is_naive():
    x = np.random.default_rng(0).normal(size=50).cumsum() + 100
    np.testing.assert_array_equal(M.naive2_forecast(x, 5, 1), np.full(5, x[-1]))
    np.testing.assert_array_equal(M.naive2_forecast(x[:20], 5, 12), np.full(5, x[19]))


def test_naive2_errors():
    x = _seasonal_series(100, 12) - 60  # seasonal, with negative values
    with pytest.raises(ValueError, match="non-positive"):
        M.naive2_forecast(x, 3, 12)
    with pytest.raises(ValueError, match="h must be an int >= 1; got 0"):
        M.naive2_forecast([1.0, 2.0], 0, 1)


# --------------------------------------------------------------------------- OWA
def test_owa_averages_then_ratio():
    s, ma = np.array([10.0, 30.0]), np.array([1.0, 3.0])
    s2, ma2 = np.array([40.0, 0.0 + 40.0]), np.array([4.0, 0.0 + 1.0])
    # mean-then-ratio: 0.5 * (20/40 + 2/2.5)
    assert M.overall_weighted_average(s, ma, s2, ma2) == pytest.approx(0.5 * (0.5 + 0.8))
    assert M.overall_weighted_average(20.0, 2.0, 20.0, 2.0) == 1.0
    with pytest.raises(ValueError, match="smape_naive2 must average to a positive"):
        M.overall_weighted_average(1.0, 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="mase contains 1 NaN"):
        M.overall_weighted_average(1.0, [np.nan], 1.0, 1.0)


# --------------------------------------------------------------------------- scorers
class _LastValueStub(BaseEstimator):
    """Minimal forecaster: predicts the last training value and keeps its history."""

    def fit(self, y):
        self.y_train_ = np.asarray(y, dtype=float)
        self.calls_ = []
        return self

    def predict(self, h, X=None):
        self.calls_.append((h, X))
        return np.full(h, self.y_train_[-1])


def test_make_forecast_scorer_values():
    est = _LastValueStub().fit([1.0, 2.0, 4.0])
    y_test = pd.Series([5.0, 7.0])
    assert M.neg_mae_scorer(est, y_test) == pytest.approx(-(1 + 3) / 2)
    assert est.calls_[-1] == (2, None)
    assert M.neg_rmse_scorer(est, y_test) == pytest.approx(-np.sqrt((1 + 9) / 2))
    assert M.neg_smape_scorer(est, y_test) == pytest.approx(-100 * (1 / 9 + 3 / 11))
    assert M.neg_mase_scorer(est, y_test) == pytest.approx(-2.0 / 1.5)
    X = np.zeros((2, 1))
    M.neg_mae_scorer(est, y_test, X)
    assert est.calls_[-1][1] is X
    pos = M.make_forecast_scorer(lambda a, b: float(np.max(np.abs(a - b))), greater_is_better=True)
    assert pos(est, y_test) == 3.0
    assert M.make_forecast_scorer("mase", seasonal_period=2)(est, [4.0]) == 0.0
    assert "mase" in repr(M.neg_mase_scorer)


def test_make_forecast_scorer_errors():
    with pytest.raises(ValueError, match="metric must be one of"):
        M.make_forecast_scorer("r2")
    with pytest.raises(TypeError, match="metric must be a str or a callable"):
        M.make_forecast_scorer(3)
    with pytest.raises(TypeError, match="greater_is_better must be a bool"):
        M.make_forecast_scorer("mae", 1)


# --------------------------------------------------------------------------- extreme scales
# Reference values in exact decimal arithmetic (60 digits), independent of the
# scaled-space code under test.
def _dec_metrics(y, f, train=None, m=1):
    from decimal import Decimal, getcontext

    getcontext().prec = 60
    y = [Decimal(float(v)) for v in y]
    f = [Decimal(float(v)) for v in f]
    n = Decimal(len(y))
    err = [abs(a - b) for a, b in zip(y, f)]
    out = {
        "mae": sum(err) / n,
        "rmse": (sum(e * e for e in err) / n).sqrt(),
        "smape": Decimal(200) / n * sum(e / (abs(a) + abs(b)) for e, a, b in zip(err, y, f)),
        "mape": Decimal(100) / n * sum(e / abs(a) for e, a in zip(err, y)),
    }
    if train is not None:
        t = [Decimal(float(v)) for v in train]
        scale = sum(abs(t[i] - t[i - m]) for i in range(m, len(t))) / Decimal(len(t) - m)
        out["mase"] = out["mae"] / scale
    return {k: float(v) for k, v in out.items()}


@pytest.mark.parametrize("scale", [1e300, 1.7e308 / 4, 1e-300, 1e-310])
def test_metrics_finite_and_correct_at_extreme_scales(scale):
    rng = np.random.default_rng(3)
    base = rng.uniform(-2.0, 2.0, size=12)
    y = base * scale
    f = -base[::-1] * scale  # errors up to ~4 * scale: overflow in the naive formulas
    train = rng.uniform(-2.0, 2.0, size=20) * scale
    ref = _dec_metrics(y, f, train)
    got = {
        "mae": M.mean_absolute_error(y, f),
        "rmse": M.root_mean_squared_error(y, f),
        "smape": M.symmetric_mean_absolute_percentage_error(y, f),
        "mape": M.mean_absolute_percentage_error(y, f),
        "mase": M.mean_absolute_scaled_error(y, f, train),
    }
    rel = 1e-6 if scale < 1e-307 else 1e-12  # subnormal inputs carry fewer digits
    for name, value in got.items():
        assert np.isfinite(value), name
        assert value == pytest.approx(ref[name], rel=rel, abs=0), name


def test_metrics_multioutput_average_does_not_overflow():
    y = np.array([[1.5e308, 1.5e308], [-1.5e308, -1.5e308]])
    f = np.zeros_like(y)
    raw = M.mean_absolute_error(y, f, multioutput="raw_values")
    assert raw.tolist() == [1.5e308, 1.5e308]
    assert M.mean_absolute_error(y, f) == 1.5e308
    assert M.root_mean_squared_error(y, f) == 1.5e308


def test_metrics_tiny_errors_next_to_huge_values():
    # one column: a huge exact forecast and a tiny error; the MAE is the tiny error / 2
    y = np.array([1e300, 1e-300])
    f = np.array([1e300, 3e-300])
    assert M.mean_absolute_error(y, f) == pytest.approx(1e-300, rel=1e-12, abs=0)
    assert M.root_mean_squared_error(y, f) == pytest.approx(2e-300 / np.sqrt(2), rel=1e-12, abs=0)


def test_metrics_unrepresentable_results_raise():
    with pytest.raises(ValueError, match="MAE is too large to be represented in float64"):
        M.mean_absolute_error([1.7e308], [-1.7e308])
    with pytest.raises(ValueError, match="RMSE is too large"):
        M.root_mean_squared_error([1.7e308], [-1.7e308])
    with pytest.raises(ValueError, match="MAPE is too large"):
        M.mean_absolute_percentage_error([1e-300], [1e300])
    with pytest.raises(ValueError, match="MASE is too large"):
        M.mean_absolute_scaled_error([1e300], [-1e300], [0.0, 1e-300])
    with pytest.raises(ValueError, match="OWA is too large"):
        M.overall_weighted_average(1e308, 1.0, 1e-300, 1.0)


def test_naive2_and_seasonality_scale_invariant_at_extremes():
    t = np.arange(48)
    base = 10.0 + np.sin(2 * np.pi * t / 12) + 0.01 * t
    ref = M.naive2_forecast(base, h=12, seasonal_period=12)
    assert M.seasonality_test(base, 12)
    for scale in (1.7e308 / 12, 1e-300):
        assert M.seasonality_test(base * scale, 12)
        got = M.naive2_forecast(base * scale, h=12, seasonal_period=12)
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got / scale, ref, rtol=1e-12)
    assert M.overall_weighted_average([1e308, 1e308], 1.0, 1.0, 1.0) == pytest.approx(5e307)


def test_metrics_bit_identical_to_plain_formulas_on_ordinary_data():
    rng = np.random.default_rng(0)
    y, f = rng.normal(size=(30, 3)) * 100, rng.normal(size=(30, 3)) * 100
    raw = {"multioutput": "raw_values"}
    assert np.array_equal(M.mean_absolute_error(y, f, **raw), np.mean(np.abs(y - f), axis=0))
    assert np.array_equal(M.root_mean_squared_error(y, f, **raw),
                          np.sqrt(np.mean((y - f) ** 2, axis=0)))


def test_scorer_refuses_what_it_would_have_coerced():
    est = _LastValueStub().fit([1.0, 2.0, 4.0])
    with pytest.raises(TypeError, match=r"y_true must contain real numbers .* got dtype <U1"):
        M.neg_mae_scorer(est, np.array(["5", "7"]))
    with pytest.raises(TypeError, match="y_true must contain real numbers"):
        M.neg_mae_scorer(est, [True, False])
    with pytest.raises(ValueError, match="y_true must not be empty"):
        M.neg_mae_scorer(est, [])
    with pytest.raises(ValueError, match="y_true must be 1-D"):
        M.neg_mae_scorer(est, 5.0)
    assert est.calls_ == []  # nothing was forecast for refused input
    assert M.neg_mae_scorer(est, [1e308, -1e308]) == -1e308  # both errors are 1e308 (+-4)
