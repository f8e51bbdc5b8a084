"""The automatic configuration of the neural forecasters ("auto" defaults), their
ensembles, the roll-forward beyond the trained horizon, the statistical fallback, and
forecasts that depend only on what was fitted (not on set_params after fit)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_backend

from rnnforecast.baselines import NaiveForecaster
from rnnforecast.forecasting.neural.ensemble import PRE_AUTO_DEFAULTS, member_seeds
from rnnforecast.forecasting.neural import GRUForecaster, LSTMForecaster

# Small networks and few epochs keep these fits fast; the automatic rules still
# choose the period, horizon, input lengths, scaler and ensemble.
FAST = dict(hidden_size=4, max_iter=3, n_jobs=1, random_state=0)


def monthly(n=120, level=100.0, amp=10.0, seed=0):
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    values = level + 0.3 * t + amp * np.sin(2 * np.pi * t / 12) + rng.normal(size=n)
    return pd.Series(values, index=pd.period_range("2000-01", periods=n, freq="M"), name="y")


@pytest.fixture(scope="module")
def fitted():
    return LSTMForecaster(**FAST).fit(monthly())


def test_auto_choices_are_fitted_attributes(fitted):
    f = fitted
    assert f.seasonal_period_ == 12                       # monthly frequency, seasonal data
    assert f.strategy_ == "direct" and f.horizon_ == 18   # the M4 monthly horizon
    assert f.scaler_kind_ == "window_log"                 # positive data
    assert f.fallback_ is None and f.auto_reasons_
    assert f.n_estimators_ == len(f.estimators_) > 1
    assert f.window_length_ == f.member_window_lengths_[0]
    assert all(w % f.patch_length_ == 0 and w >= 12 for w in f.member_window_lengths_)
    # the members are single networks with every parameter explicit
    assert [m.window_length for m in f.estimators_[:len(f.member_window_lengths_)]] == list(
        f.member_window_lengths_)
    assert all(m.n_estimators == 1 and m.estimators_ is None for m in f.estimators_)
    assert len({m.random_state for m in f.estimators_}) == f.n_estimators_
    # the parameters themselves are untouched
    assert f.window_length == "auto" and f.n_estimators == "auto"
    # a yearly cycle: the residual's base averages the window's last three years
    assert all(m._transform_.base_seasons == 3 for m in f.estimators_)


def test_daily_cycles_keep_the_seasonal_naive_base():
    t = np.arange(24 * 30)
    rng = np.random.default_rng(0)
    y = pd.Series(50 + 10 * np.sin(2 * np.pi * t / 24) + rng.normal(size=t.size),
                  index=pd.date_range("2020-01-01", periods=t.size, freq="h"))
    f = LSTMForecaster(**FAST).fit(y)
    assert f.seasonal_period_ == 24 and f.estimators_[0]._fitted_params_["seasonal_period"] == 24
    assert all(m._transform_.base_seasons == 1 for m in f.estimators_)


def test_forecast_is_median_of_members(fitted):
    f = fitted
    members = np.stack([m.predict(6) for m in f.estimators_])
    np.testing.assert_allclose(f.predict(6).to_numpy(), np.median(members, axis=0))


def test_predict_beyond_horizon_rolls_the_block_forward(fitted):
    f = fitted
    H = f.horizon_
    long = f.predict(H + 5)
    assert long.shape == (H + 5,) and np.isfinite(long).all()
    np.testing.assert_array_equal(long.to_numpy()[:H], f.predict(H).to_numpy())
    # the steps after H are the block forecast from the history extended by the first block
    extended = pd.concat([f._conformal_training_data()[0], f.predict(H)])
    np.testing.assert_allclose(long.to_numpy()[H:], f.predict(5, y=extended).to_numpy())
    assert long.index[0] == pd.Period("2010-01", freq="M")


def test_explicit_values_win_over_auto():
    y = monthly()
    f = LSTMForecaster(**FAST, window_length=24, horizon=6, n_estimators=2, scaler="standard").fit(y)
    assert f.window_length_ == 24 and f.member_window_lengths_ == (24,)
    assert f.horizon_ == 6 and f.n_estimators_ == 2 and f.scaler_kind_ == "standard"
    assert all(m.hidden_size == 4 and m.max_iter == 3 for m in f.estimators_)
    # an explicit horizon is not rolled forward: it is the limit, as before
    with pytest.raises(ValueError, match="h=7 exceeds horizon=6"):
        f.predict(7)


def test_explicit_single_configuration_is_the_old_fit():
    y = monthly()
    a = LSTMForecaster(**{**PRE_AUTO_DEFAULTS, **FAST}).fit(y)
    assert a.estimators_ is None and a.n_estimators_ == 1 and a.params_ is not None
    b = LSTMForecaster(**{**PRE_AUTO_DEFAULTS, **FAST, "n_estimators": "auto"}).fit(y)
    # the single configuration as a one-member "ensemble" is the same network
    c = LSTMForecaster(**{**PRE_AUTO_DEFAULTS, **FAST, "n_estimators": 1,
                          "max_iter": "auto"}).fit(y)
    assert c.n_estimators_ == 1 and len(c.estimators_) == 1
    assert b.n_estimators_ > 1
    d = LSTMForecaster(**{**PRE_AUTO_DEFAULTS, **FAST, "max_iter": c.estimators_[0].max_iter})
    np.testing.assert_array_equal(c.predict(5), d.fit(y).predict(5))


def test_set_params_after_fit_does_not_change_forecasts():
    y = monthly()
    for params in ({**PRE_AUTO_DEFAULTS, **FAST, "window_length": 12}, FAST):
        f = LSTMForecaster(**params).fit(y)
        before = f.predict(5).to_numpy()
        f.set_params(window_length=6, dtype="float64", strategy="recursive", horizon=None,
                     seasonal_period=None, scaler="robust", patch_length=2, n_estimators=1)
        np.testing.assert_array_equal(f.predict(5).to_numpy(), before)
        assert f.predict(5, y=y.iloc[:-3]).shape == (5,)
        interval = f.predict_interval(3, coverage=0.8)   # calibrated with the fitted setup
        assert interval.shape == (3, 2)


def test_ensemble_identical_for_any_backend_and_n_jobs():
    y = monthly(n=90)
    kw = dict(FAST, n_estimators=3)
    ref = GRUForecaster(**kw).fit(y).predict(20).to_numpy()
    for n_jobs in (2, -1):
        for backend in ("threading", "loky"):
            with parallel_backend(backend):
                out = GRUForecaster(**{**kw, "n_jobs": n_jobs}).fit(y).predict(20).to_numpy()
            np.testing.assert_array_equal(out, ref)


def test_member_seeds_spawned_from_random_state():
    assert member_seeds(7, 1) == [7]
    a, b = member_seeds(7, 4), member_seeds(7, 4)
    assert a == b and len(set(a)) == 4
    assert member_seeds(8, 4) != a
    assert member_seeds(None, 3) != member_seeds(None, 3)   # fresh entropy at each fit
    rs = np.random.RandomState(0)
    assert member_seeds(rs, 2) != member_seeds(rs, 2)       # one draw of the generator each


def test_unseeded_fit_draws_seeds_at_fit():
    y = monthly(n=90)
    f = LSTMForecaster(**{**FAST, "random_state": None, "n_estimators": 2}).fit(y)
    seeds = [m.random_state for m in f.estimators_]
    assert all(isinstance(s, int) for s in seeds) and len(set(seeds)) == 2


def test_too_short_series_falls_back_to_seasonal_naive_and_says_so():
    y = monthly(n=10)
    with pytest.warns(UserWarning, match="fallback"):
        f = LSTMForecaster(**FAST).fit(y)
    assert isinstance(f.fallback_, str) and f.estimators_ == []
    expected = NaiveForecaster(strategy="seasonal_last", seasonal_period=f.seasonal_period_).fit(y).predict(7) \
        if f.seasonal_period_ > 1 else NaiveForecaster().fit(y).predict(7)
    np.testing.assert_array_equal(f.predict(7).to_numpy(), expected.to_numpy())
    with pytest.raises(ValueError, match="trained no network"):
        f.get_state_dict()
    np.testing.assert_array_equal(f.predict(3, y=y.iloc[:-1]).to_numpy(),
                                  NaiveForecaster().fit(y.iloc[:-1]).predict(3).to_numpy()
                                  if f.seasonal_period_ == 1 else
                                  NaiveForecaster(strategy="seasonal_last",
                                                  seasonal_period=f.seasonal_period_).fit(
                                      y.iloc[:-1]).predict(3).to_numpy())


@pytest.mark.parametrize("value", [5.0, 1e-3, 0.0, -4.0])
def test_constant_series_forecasts_the_constant(value):
    with pytest.warns(UserWarning, match="constant"):
        f = LSTMForecaster(**FAST).fit(np.full(100, value))
    np.testing.assert_array_equal(f.predict(30), np.full(30, value))


def test_values_not_all_positive_switch_log_scaling_off():
    y = monthly() - 150.0            # crosses zero
    f = LSTMForecaster(**FAST).fit(y)
    assert f.scaler_kind_ == "standard" and np.isfinite(f.predict(24)).all()
    g = LSTMForecaster(**FAST).fit(monthly())
    with pytest.raises(ValueError, match="positive values"):
        g.predict(3, y=y)            # a window-scaled model refuses values <= 0


def test_collection_defaults_and_roll_forward():
    ys = [monthly(n=100 + 10 * i, level=50.0 * (i + 1), seed=i).reset_index(drop=True)
          for i in range(4)]
    f = LSTMForecaster(**FAST).fit(ys)
    assert f.fallback_ is None and f.n_estimators_ == len(f.estimators_)
    out = f.predict(f.horizon_ + 4)
    assert len(out) == 4 and all(o.shape == (f.horizon_ + 4,) for o in out)
    first = f.predict(f.horizon_)
    for a, b in zip(out, first):
        np.testing.assert_array_equal(np.asarray(a)[:f.horizon_], np.asarray(b))
    bands = f.predict_interval(3, coverage=0.8)
    assert all(np.all(np.asarray(b)[:, 0] <= np.asarray(b)[:, 1]) for b in bands)


def test_no_warning_for_a_normal_default_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LSTMForecaster(**FAST).fit(monthly())


def test_warm_start_continues_every_member():
    y = monthly(n=90)
    f = LSTMForecaster(**{**FAST, "n_estimators": 2, "warm_start": True}).fit(y)
    first = [m.params_.copy() for m in f.estimators_]
    curves = [list(m.loss_curve_) for m in f.estimators_]
    f.fit(y)
    for m, p, c in zip(f.estimators_, first, curves):
        assert not np.array_equal(m.params_, p)
        assert m.loss_curve_[0] < c[0]          # continued from the trained weights
    with pytest.raises(ValueError, match="n_estimators=3"):
        f.set_params(n_estimators=3).fit(y)
    assert len(f.estimators_) == 2              # a failed fit leaves the model as it was


def test_short_series_of_a_collection_get_seasonal_naive():
    # 19 series of 120 months and one of 20 (shorter than every input window)
    ys = [monthly(n=120, seed=i).to_numpy() for i in range(19)] + [monthly(n=20).to_numpy()]
    with pytest.warns(UserWarning, match="1 of 20 series are shorter than the input window"):
        f = LSTMForecaster(**FAST).fit(ys)
    assert f.fallback_ is None and f.fallback_series_ == [19]
    assert f.series_ids_ == list(range(20))
    assert all(m.series_ids_ == list(range(19)) for m in f.estimators_)
    out = f.predict(f.horizon_ + 3)
    naive = NaiveForecaster(strategy="seasonal_last" if f.seasonal_period_ > 1 else "last",
                            seasonal_period=f.seasonal_period_).fit(ys[19]).predict(f.horizon_ + 3)
    np.testing.assert_array_equal(out[19], naive)
    alone = f.predict(f.horizon_ + 3, y=ys[:19])     # the networks' part is the same
    for a, b in zip(out[:19], alone):
        np.testing.assert_array_equal(a, b)


def test_state_dict_of_a_single_network_and_not_of_an_ensemble(fitted):
    with pytest.raises(ValueError, match="ensemble of"):
        fitted.get_state_dict()
    y = monthly()
    f = LSTMForecaster(**{**FAST, "n_estimators": 1}).fit(y)
    state = f.get_state_dict()
    np.testing.assert_array_equal(state["fc.bias"],
                                  f.estimators_[0].get_state_dict()["fc.bias"])
    before = f.predict(3).to_numpy()
    state["fc.bias"] = state["fc.bias"] + 0.5
    assert not np.array_equal(f.load_state_dict(state).predict(3).to_numpy(), before)


@pytest.mark.parametrize("factor", [1e-200, 1e-20, 1e20, 1e200])
def test_tiny_and_huge_magnitudes_are_forecast_on_their_scale(factor):
    y = monthly(n=100).to_numpy() * factor
    for data in (y, [y, 1.5 * y]):
        f = LSTMForecaster(**FAST).fit(data)
        out = np.asarray(f.predict(5) if data is y else f.predict(5)[0])
        assert np.all((out > 0.5 * y.min()) & (out < 2 * y.max())), (factor, out)
        if abs(np.log10(factor)) > 30:
            assert f.scaler_kind_ == "standard"     # window scaling would leave float32


def test_explicit_horizon_longer_than_the_series_is_a_clear_error():
    with pytest.raises(ValueError, match=r"y has 60 observations but .*needs at least"):
        LSTMForecaster(**FAST, horizon=100).fit(monthly(n=60))


def test_pickled_ensemble_forecasts_the_same(fitted):
    import pickle

    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict(25).to_numpy(), fitted.predict(25).to_numpy())
    assert again.auto_reasons_ == fitted.auto_reasons_


def test_constant_series_of_a_collection_and_constant_histories():
    ys = [monthly(n=100, seed=i).to_numpy() for i in range(3)] + [np.full(100, 7.0)]
    with pytest.warns(UserWarning, match="1 of 4 series are shorter .* or constant"):
        f = LSTMForecaster(**FAST).fit(ys)
    assert f.fallback_series_ == [3] and all(m.series_ids_ == [0, 1, 2] for m in f.estimators_)
    np.testing.assert_array_equal(f.predict(30)[3], np.full(30, 7.0))
    g = LSTMForecaster(**FAST).fit(monthly(n=100).to_numpy())
    np.testing.assert_array_equal(g.predict(30, y=np.full(80, 2.5)), np.full(30, 2.5))


def test_early_stopping_validates_every_member_on_the_tail():
    y = monthly(n=120)
    f = LSTMForecaster(**{**FAST, "max_iter": 5, "n_estimators": 2}, early_stopping=True).fit(y)
    for m in f.estimators_:
        assert m.early_stopping and len(m.validation_scores_) == m.n_iter_
    # the tail: of the N windows, the last ceil(0.1 N) validate; the horizon - 1 before
    # them are dropped (their targets would be validation targets); the rest train
    N = 120 - f.window_length_ - f.horizon_ + 1
    n_val = int(np.ceil(0.1 * N))
    assert f.estimators_[0].n_windows_ == N - n_val - (f.horizon_ - 1)
