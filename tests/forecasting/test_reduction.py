"""ReductionForecaster: recursive and direct strategies, exogenous regressors."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rnnforecast.forecasting import ReductionForecaster


def co2_monthly():
    import statsmodels.api as sm

    y = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().ffill()
    assert y.index.freqstr == "MS"
    return y


def lag_design(y, w, j):
    """Hand-built design: row for window ending at t -> y[t-w+1..t], target y[t+j]."""
    rows, targets = [], []
    for t in range(w - 1, len(y) - j):
        rows.append([y[s] for s in range(t - w + 1, t + 1)])
        targets.append(y[t + j])
    return np.array(rows), np.array(targets)


def test_recursive_matches_hand_written_loop():
    y = co2_monthly().to_numpy()[-200:]
    w, h = 12, 8
    F, T = lag_design(y, w, 1)
    model = Ridge(alpha=0.3).fit(F, T)
    window = list(y[-w:])
    expected = []
    for _ in range(h):
        nxt = model.predict(np.array([window[-w:]]))[0]
        expected.append(nxt)
        window.append(nxt)
    pred = ReductionForecaster(Ridge(alpha=0.3), window_length=w).fit(y).predict(h)
    np.testing.assert_allclose(pred, expected, rtol=1e-10)


def test_direct_matches_hand_written_per_step_models():
    y = co2_monthly().to_numpy()[-150:]
    w, H = 6, 4
    last = np.array([y[-w:]])
    expected = []
    for j in range(1, H + 1):
        F, T = lag_design(y, w, j)
        expected.append(Ridge(alpha=2.0).fit(F, T).predict(last)[0])
    f = ReductionForecaster(Ridge(alpha=2.0), window_length=w, strategy="direct", horizon=H).fit(y)
    assert len(f.estimators_) == H
    np.testing.assert_allclose(f.predict(H), expected, rtol=1e-10)
    np.testing.assert_allclose(f.predict(2), expected[:2], rtol=1e-10)


def test_linear_trend_continued_exactly():
    y = 2.0 - 0.25 * np.arange(25)
    for strategy in ["recursive", "direct"]:
        f = ReductionForecaster(LinearRegression(), window_length=3, strategy=strategy, horizon=5)
        np.testing.assert_allclose(f.fit(y).predict(5), 2.0 - 0.25 * np.arange(25, 30), atol=1e-9)


def test_direct_h_beyond_horizon_is_refused():
    f = ReductionForecaster(Ridge(), window_length=24, strategy="direct", horizon=12).fit(co2_monthly())
    assert len(f.predict(12)) == 12
    with pytest.raises(ValueError, match=r"h=13 exceeds horizon=12.*strategy='recursive'"):
        f.predict(13)


def test_direct_without_horizon_is_refused():
    with pytest.raises(ValueError, match=r"horizon must be set.*strategy='direct'"):
        ReductionForecaster(Ridge(), window_length=3, strategy="direct").fit(np.arange(20.0))


def test_recursive_ignores_horizon():
    y = np.sin(np.arange(50.0) / 4)
    a = ReductionForecaster(Ridge(), window_length=5).fit(y).predict(20)
    b = ReductionForecaster(Ridge(), window_length=5, horizon=3).fit(y).predict(20)
    np.testing.assert_array_equal(a, b)


def test_exogenous_regressor_at_target_time_is_used():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 1))
    y = 3.0 * X[:, 0] + 1.0  # depends only on the contemporaneous regressor
    for strategy in ["recursive", "direct"]:
        f = ReductionForecaster(LinearRegression(), window_length=2, strategy=strategy, horizon=6)
        f.fit(y[:50], X[:50])
        np.testing.assert_allclose(f.predict(6, X=X[50:56]), y[50:56], atol=1e-8)


def test_exogenous_pandas_and_new_history():
    rng = np.random.default_rng(1)
    idx = pd.date_range("2020-01-01", periods=80, freq="D")
    X = pd.DataFrame({"temp": rng.normal(size=80)}, index=idx)
    y = pd.Series(np.r_[0.0, 0.5 * X["temp"].to_numpy()[:-1]] + 2 * X["temp"], index=idx, name="load")
    f = ReductionForecaster(LinearRegression(), window_length=3).fit(y.iloc[:60], X.iloc[:60])
    pred = f.predict(5, X=X.iloc[60:65])
    assert list(pred.index) == list(idx[60:65])
    np.testing.assert_allclose(pred.to_numpy(), y.iloc[60:65].to_numpy(), atol=1e-8)
    pred2 = f.predict(5, X=X.iloc[20:75], y=y.iloc[20:70])
    assert list(pred2.index) == list(idx[70:75])
    np.testing.assert_allclose(pred2.to_numpy(), y.iloc[70:75].to_numpy(), atol=1e-8)


def test_multivariate_target():
    t = np.arange(40.0)
    y = np.column_stack([t, 2 * t + 1])
    f = ReductionForecaster(LinearRegression(), window_length=2).fit(y)
    pred = f.predict(3)
    assert pred.shape == (3, 2)
    np.testing.assert_allclose(pred, np.column_stack([t[-3:] + 3, 2 * (t[-3:] + 3) + 1]), atol=1e-8)


def test_predict_from_new_history_matches_manual_recursion():
    y = co2_monthly().to_numpy()
    f = ReductionForecaster(Ridge(), window_length=4).fit(y[:300])
    new = y[300:350]
    window = list(new[-4:])
    expected = []
    for _ in range(3):
        nxt = f.regressor_.predict(np.array([window[-4:]]))[0]
        expected.append(nxt)
        window.append(nxt)
    np.testing.assert_allclose(f.predict(3, y=new), expected, rtol=1e-12)


def test_new_history_shorter_than_window_is_refused():
    f = ReductionForecaster(Ridge(), window_length=10).fit(np.arange(30.0))
    with pytest.raises(ValueError, match="y has 9 observations but .* needs to forecast from at least 10"):
        f.predict(1, y=np.arange(9.0))


def test_regressor_is_cloned_not_modified():
    reg = Ridge()
    ReductionForecaster(reg, window_length=3).fit(np.arange(20.0))
    assert not hasattr(reg, "coef_")


def test_sklearn_pipeline_as_regressor():
    y = co2_monthly()
    f = ReductionForecaster(make_pipeline(StandardScaler(), Ridge(alpha=0.1)), window_length=12)
    pred = f.fit(y.iloc[:-12]).predict(12)
    assert f.score(y.iloc[-12:]) > 0.5
    assert pred.index[0] == y.index[-12]


def test_clone_and_pickle_give_identical_predictions():
    y = co2_monthly()
    f = ReductionForecaster(Ridge(alpha=0.5), window_length=12, strategy="direct", horizon=6).fit(y)
    pd.testing.assert_series_equal(clone(f).fit(y).predict(6), f.predict(6))
    pd.testing.assert_series_equal(pickle.loads(pickle.dumps(f)).predict(6), f.predict(6))
