"""One path: a single series is fitted and forecast as a collection of one.

``fit(y)`` on one series and the fit of the same series as a collection of
one (a list for plain arrays, a long DataFrame for calendar features and
covariates) train the same network on the same windows, so their forecasts
are equal bit for bit.
"""

import numpy as np
import pandas as pd
import pytest

from rnnforecast import GRUForecaster, LSTMForecaster
from rnnforecast.forecasting.neural.ensemble import PRE_AUTO_DEFAULTS

BASE = dict(PRE_AUTO_DEFAULTS, window_length=12, hidden_size=5, max_iter=4, n_jobs=1,
            random_state=3)


def series(n=150, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 20.0 + 4.0 * np.sin(2 * np.pi * t / 12) + 0.1 * t + rng.standard_normal(n)


def long_frame(y, covariates=None, start="2021-01-04", freq="h"):
    ds = pd.date_range(start, periods=len(y), freq=freq)
    df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": y})
    for name, values in (covariates or {}).items():
        df[name] = values
    return df


@pytest.mark.parametrize("params", [
    dict(strategy="recursive"),
    dict(strategy="direct", horizon=6),
    dict(strategy="direct", horizon=6, loss="pinball", quantiles=(0.1, 0.5, 0.9)),
    dict(strategy="recursive", scaler="robust", early_stopping=True, validation_fraction=0.2),
    dict(strategy="direct", horizon=6, seasonal_period=12, scaler="window"),
], ids=["recursive", "direct", "pinball", "robust-early-stopping", "window-seasonal"])
def test_one_series_equals_a_list_of_one(params):
    y = series()
    single = LSTMForecaster(**{**BASE, **params}).fit(y)
    listed = LSTMForecaster(**{**BASE, **params}).fit([y])
    pred = single.predict(6)
    assert np.isfinite(pred).all()
    np.testing.assert_array_equal(pred, listed.predict(6)[0])
    np.testing.assert_array_equal(single.params_, listed.params_)
    np.testing.assert_array_equal(single.series_scales_[0][0], listed.series_scales_[0][0])
    np.testing.assert_array_equal(single.series_scales_[0][1], listed.series_scales_[0][1])


def test_pinball_quantiles_of_one_series_equal_those_of_a_list_of_one():
    y = series()
    params = {**BASE, "strategy": "direct", "horizon": 6, "loss": "pinball",
              "quantiles": (0.1, 0.5, 0.9)}
    single = GRUForecaster(**params).fit(y).predict_quantiles(6, quantiles=(0.1, 0.5, 0.9))
    listed = GRUForecaster(**params).fit([y]).predict_quantiles(6, quantiles=(0.1, 0.5, 0.9))
    assert np.isfinite(single).all() and single.shape == (6, 3)
    np.testing.assert_array_equal(single, listed[0])


def test_calendar_features_of_one_series_equal_a_long_frame_of_one():
    y = series(200)
    ds = pd.date_range("2021-01-04", periods=len(y), freq="h")
    params = {**BASE, "calendar_features": ["hour", "dayofweek"]}
    single = LSTMForecaster(**params).fit(pd.Series(y, index=ds)).predict(5)
    long = LSTMForecaster(**params).fit(long_frame(y)).predict(5)
    assert np.isfinite(single.to_numpy()).all()
    np.testing.assert_array_equal(single.to_numpy(), long["y"].to_numpy())


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_covariates_of_one_series_equal_a_long_frame_of_one(strategy):
    rng = np.random.default_rng(1)
    n, h = 160, 4
    y = series(n)
    temp = rng.standard_normal(n + h)
    load = 3.0 + rng.standard_normal(n)
    ds = pd.date_range("2021-01-04", periods=n + h, freq="h")
    params = {**BASE, "strategy": strategy, "past_covariates": ["load"],
              "calendar_features": "hour"}
    if strategy == "direct":
        params["horizon"] = h
    X = pd.DataFrame({"temp": temp[:n], "load": load}, index=ds[:n])
    single = LSTMForecaster(**params).fit(pd.Series(y, index=ds[:n]), X)
    pred_single = single.predict(h, X=pd.DataFrame({"temp": temp[n:]}, index=ds[n:]))
    long = LSTMForecaster(**params).fit(long_frame(y, {"temp": temp[:n], "load": load}))
    future = pd.DataFrame({"unique_id": "a", "ds": ds[n:], "temp": temp[n:]})
    pred_long = long.predict(h, X=future)
    assert np.isfinite(pred_single.to_numpy()).all()
    np.testing.assert_array_equal(pred_single.to_numpy(), pred_long["y"].to_numpy())
    assert single.network_.input_size == long.network_.input_size == 2 + 1 + 2


def test_single_series_keeps_its_own_rules():
    y = series()
    with pytest.raises(ValueError, match="series_id='onehot' identifies the series"):
        LSTMForecaster(**BASE, series_id="onehot").fit(y)
    f = LSTMForecaster(**BASE).fit(np.column_stack([y, 2.0 * y + 1.0]))
    assert f.network_.input_size == 2 and f.predict(3).shape == (3, 2)
    assert [a.shape for a in f.series_scales_[0]] == [(2,), (2,)]


def test_warm_start_refuses_to_switch_between_a_series_and_a_collection():
    y = series()
    f = LSTMForecaster(**BASE, warm_start=True).fit(y)
    with pytest.raises(ValueError, match="previous fit, which was on a series; got a collection"):
        f.fit([y, y + 1.0])
    g = LSTMForecaster(**BASE, warm_start=True).fit([y, y + 1.0])
    with pytest.raises(ValueError, match="previous fit, which was on a collection; got a series"):
        g.fit(y)


def test_automatic_ensemble_of_one_series_equals_that_of_a_list_of_one():
    # the members' median and the roll-forward beyond horizon_ are one code path
    y = pd.Series(series(240), index=pd.period_range("2000-01", periods=240, freq="M"))
    params = dict(hidden_size=4, max_iter=2, n_estimators=3, n_jobs=1, random_state=0)
    single = LSTMForecaster(**params).fit(y)
    listed = LSTMForecaster(**params).fit([y])
    assert single.horizon_ is not None and single.n_estimators_ == 3
    h = 2 * single.horizon_ + 1
    pred = single.predict(h).to_numpy()
    assert np.isfinite(pred).all()
    np.testing.assert_array_equal(pred, listed.predict(h)[0].to_numpy())
