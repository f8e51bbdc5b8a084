"""RNNForecaster / GRUForecaster / LSTMForecaster: learning, strategies, regressors, errors.

Most fits use tiny networks and ``n_jobs=1`` (one kernel thread is fastest
for such small batches and keeps the suite fast on shared cores).
"""

import re

from functools import partial

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import r2_score

from rnnforecast.datasets import load_co2
from rnnforecast.estimators import NonFiniteLossError
from rnnforecast.forecasting.neural import GRUForecaster, LSTMForecaster, RNNForecaster
from rnnforecast.nn.threads import kernel_threads
from rnnforecast.forecasting.neural.ensemble import PRE_AUTO_DEFAULTS

# The fits below pin the single-network behaviour of the 0.x defaults.
old = partial(dict, PRE_AUTO_DEFAULTS)

TINY = dict(window_length=6, hidden_size=4, max_iter=3, n_jobs=1, random_state=0)


def seasonal(n=80, period=12, level=50.0, amp=10.0, start="2000-01"):
    idx = pd.period_range(start, periods=n, freq="M")
    return pd.Series(level + amp * np.sin(np.arange(n) * 2 * np.pi / period), index=idx,
                     name="y")


# ------------------------------------------------------------------ learning
@pytest.fixture(scope="module")
def co2_split():
    y = load_co2()  # statsmodels' weekly co2, monthly means (526 months)
    return y.iloc[:-24], y.iloc[-24:]


def test_lstm_forecaster_beats_trivial_baselines_on_co2(co2_split):
    train, test = co2_split
    f = LSTMForecaster(random_state=0, n_jobs=1).fit(train)
    pred = f.predict(24)
    mae = np.abs(pred.to_numpy() - test.to_numpy()).mean()
    last = np.abs(train.iloc[-1] - test.to_numpy()).mean()
    slope = (train.iloc[-1] - train.iloc[0]) / (len(train) - 1)
    drift = np.abs(train.iloc[-1] + slope * np.arange(1, 25) - test.to_numpy()).mean()
    mean = np.abs(train.mean() - test.to_numpy()).mean()
    # Measured (ppm): LSTM 0.74 (0.41-1.73 over random_state 0-4),
    # last value 2.42, drift 1.91, mean 31.9.
    assert mae < last
    assert mae < drift
    assert mae < mean
    assert pred.index.equals(test.index)
    # the defaults: an ensemble of networks, each trained for at most its max_iter epochs
    assert f.n_estimators_ == len(f.estimators_) > 1
    assert all(len(m.loss_curve_) == m.n_iter_ <= m.max_iter for m in f.estimators_)


def test_default_parameters_fit_a_400_point_monthly_series(co2_split):
    train, _ = co2_split
    series = train.iloc[-400:]
    # n_jobs=None uses Numba's current thread count; one thread here.
    with kernel_threads(1):
        pred = LSTMForecaster().fit(series).predict(24)
    assert pred.shape == (24,) and np.isfinite(pred).all()
    assert pred.index[0] == series.index[-1] + series.index.freq
    # On the series' scale (random weights: a loose band around the last
    # two years, whose range is 7 ppm).
    recent = series.iloc[-24:]
    assert recent.min() - 10 < pred.min() and pred.max() < recent.max() + 10


def test_future_regressors_are_used_recursive_and_direct():
    # y is a linear function of a white-noise regressor at the same time:
    # only the regressor at the forecast time explains it.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((310, 1))
    y = 2.0 * x[:, 0] + 5.0
    rec = LSTMForecaster(**old(window_length=6, hidden_size=8, max_iter=30, n_jobs=1,
                         random_state=0)).fit(y[:300], x[:300])
    assert r2_score(y[300:], rec.predict(10, X=x[300:])) > 0.9  # measured 0.96
    direct = LSTMForecaster(**old(window_length=6, hidden_size=8, max_iter=30, strategy="direct",
                            horizon=5, n_jobs=1, random_state=0)).fit(y[:300], x[:300])
    assert r2_score(y[300:305], direct.predict(5, X=x[300:305])) > 0.7  # measured 0.87


# ------------------------------------------------------------------ strategies
def test_direct_strategy():
    y = seasonal()
    f = GRUForecaster(**old(strategy="direct", horizon=4, **TINY)).fit(y)
    assert f.network_.output_size == 4
    full = f.predict(4)
    np.testing.assert_array_equal(f.predict(2).to_numpy(), full.to_numpy()[:2])
    with pytest.raises(ValueError, match="h=5 exceeds horizon=4"):
        f.predict(5)
    with pytest.raises(ValueError, match="horizon must be set"):
        LSTMForecaster(**old(strategy="direct", **TINY)).fit(y)


def test_direct_with_regressors_needs_h_equal_horizon():
    y = seasonal()
    X = pd.DataFrame({"t": np.arange(84.0)}, index=pd.period_range("2000-01", periods=84,
                                                                   freq="M"))
    f = LSTMForecaster(**old(strategy="direct", horizon=4, **TINY)).fit(y, X.iloc[:80])
    assert f.predict(4, X=X.iloc[80:]).shape == (4,)
    with pytest.raises(ValueError, match="forecasts h=horizon=4 steps"):
        f.predict(3, X=X.iloc[80:83])


def test_minimum_history_names_both_numbers():
    with pytest.raises(ValueError, match=r"y has 20 observations but LSTMForecaster\(.*\) "
                                         r"\(window_length=24 \+ 1 target step\) needs at "
                                         r"least 25"):
        LSTMForecaster(**PRE_AUTO_DEFAULTS).fit(np.arange(20.0))
    with pytest.raises(ValueError, match=r"y has 6 observations but .*window_length=6 \+ 1 "
                                         r"target step\) needs at least 7"):
        LSTMForecaster(**old(**TINY)).fit(np.arange(6.0))
    with pytest.raises(ValueError, match=r"y has 8 observations but .*window_length=6 \+ "
                                         r"horizon=3\) needs at least 9"):
        LSTMForecaster(**old(strategy="direct", horizon=3, **TINY)).fit(np.arange(8.0))
    f = LSTMForecaster(**old(**TINY)).fit(np.arange(7.0))  # one window is enough
    assert f.predict(2).shape == (2,)
    with pytest.raises(ValueError, match="y has 5 observations .* at least 6"):
        f.predict(2, y=np.arange(5.0))


def test_predict_from_new_history():
    y = seasonal(100)
    f = LSTMForecaster(**old(**TINY)).fit(y.iloc[:80])
    np.testing.assert_array_equal(f.predict(5, y=y.iloc[:80]).to_numpy(),
                                  f.predict(5).to_numpy())
    new = f.predict(5, y=y.iloc[:90])
    assert str(new.index[0]) == "2007-07"
    assert not np.allclose(new.to_numpy(), f.predict(5).to_numpy())
    # The scale fitted on the training series is reused, not refitted.
    center, scale = (a.copy() for a in f.series_scales_[0])
    np.testing.assert_array_equal(center, [y.iloc[:80].mean()])
    np.testing.assert_array_equal(scale, [y.iloc[:80].std(ddof=0)])
    tripled = f.predict(5, y=y.iloc[:90] * 3)
    np.testing.assert_array_equal(f.series_scales_[0][0], center)
    np.testing.assert_array_equal(f.series_scales_[0][1], scale)
    # reused scale: tripling the history does not triple the forecasts
    assert not np.allclose(tripled.to_numpy(), 3 * new.to_numpy())


def test_multivariate_series_and_pandas_output():
    y = seasonal(60)
    df = pd.DataFrame({"a": y, "b": -2.0 * y + 7.0})
    f = RNNForecaster(**old(**TINY)).fit(df)
    pred = f.predict(3)
    assert list(pred.columns) == ["a", "b"] and pred.shape == (3, 2)
    assert str(pred.index[0]) == "2005-01"
    assert f.network_.input_size == 2 and f.network_.output_size == 2


@pytest.mark.parametrize("scaler", ["standard", "robust"])
@pytest.mark.parametrize("level", [5.0, 1e9, 1e-3, 0.0])
def test_constant_series(scaler, level):
    y = np.full(60, level)
    pred = LSTMForecaster(**old(scaler=scaler, **{**TINY, "max_iter": 20})).fit(y).predict(4)
    assert np.isfinite(pred).all()
    # A constant level is scaled by min(1, |level|): the network's small
    # error is relative for tiny levels, absolute for large ones.
    np.testing.assert_allclose(pred, level, rtol=0.02, atol=0.02 if level == 0 else 0)


def test_series_of_scale_1e9():
    y = 1e9 * (3.0 + np.sin(np.arange(120) * 2 * np.pi / 12))
    f = LSTMForecaster(**old(window_length=12, hidden_size=8, max_iter=20, n_jobs=1,
                       random_state=0)).fit(y[:108])
    pred = f.predict(12)
    assert np.isfinite(pred).all()
    assert np.abs(pred - y[108:]).mean() < 0.5e9  # the seasonal swing is 2e9


def test_scaler_none_on_unit_scale_data():
    y = np.sin(np.arange(60) * 2 * np.pi / 12)
    f = LSTMForecaster(**old(scaler=None, **TINY)).fit(y)
    center, scale = f.series_scales_[0]
    assert center.tolist() == [0.0] and scale.tolist() == [1.0]
    assert f.covariate_scales_ is None and np.isfinite(f.predict(3)).all()


# ------------------------------------------------------------------ training options
def test_early_stopping_is_chronological():
    y = np.sin(np.arange(80) * 2 * np.pi / 12)
    kw = {**TINY, "scaler": None}  # so that the scaling does not depend on the length
    f = LSTMForecaster(**old(early_stopping=True, validation_fraction=0.2, **kw)).fit(y)
    assert len(f.validation_scores_) == f.n_iter_
    # The same model, fitted on the series minus the held-out tail
    # (validation windows: the last 20% of the 74 windows = 15), gets the
    # same training losses: its windows are the first 59.
    g = LSTMForecaster(**old(**kw)).fit(y[:80 - 15])
    assert g.loss_curve_ == f.loss_curve_
    with pytest.raises(ValueError, match="validation set is too small"):
        LSTMForecaster(**old(early_stopping=True, **TINY)).fit(y[:12])


def test_same_random_state_same_forecast_at_any_thread_count():
    y = seasonal(60)
    kw = {**TINY, "num_layers": 2, "dropout": 0.2}
    a = LSTMForecaster(**old(**{**kw, "n_jobs": 1})).fit(y).predict(6)
    b = LSTMForecaster(**old(**{**kw, "n_jobs": 2})).fit(y).predict(6)
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())


def test_verbose(capsys):
    y = seasonal(40)
    LSTMForecaster(**old(verbose=1, **TINY)).fit(y)
    err = capsys.readouterr().err
    assert "LSTMForecaster" in err and re.search(r"loss=\d", err)
    LSTMForecaster(**old(verbose=0, **TINY)).fit(y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_divergence_raises_and_keeps_previous_weights():
    y = seasonal(60)
    f = LSTMForecaster(**old(warm_start=True, **TINY)).fit(y)
    state = f.get_state_dict()
    pred = f.predict(3)
    f.set_params(solver="sgd", learning_rate_init=1e12, clip_grad_norm=None)
    with pytest.raises(NonFiniteLossError, match="non-finite"):
        f.fit(y)
    for key, value in f.get_state_dict().items():
        np.testing.assert_array_equal(value, state[key])
    np.testing.assert_array_equal(f.predict(3).to_numpy(), pred.to_numpy())


def test_warm_start_continues_training():
    y = seasonal(60)
    f = LSTMForecaster(**old(warm_start=True, **TINY)).fit(y)
    first = f.loss_curve_[0]
    f.fit(y)
    assert f.loss_curve_[0] < first


# ------------------------------------------------------------------ bad input
def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        LSTMForecaster().predict(3)


@pytest.mark.parametrize(
    "param, value",
    [
        ("window_length", 0),
        ("strategy", "multioutput"),
        ("horizon", 0),
        ("scaler", "minmax"),
        ("hidden_size", 0),
        ("loss", "quantile"),
        ("learning_rate_init", -1.0),
        ("dtype", "int8"),
    ],
)
def test_bad_parameters_name_the_parameter(param, value):
    with pytest.raises(ValueError, match=param):
        LSTMForecaster(**old(**{**TINY, param: value})).fit(np.arange(30.0))


@pytest.mark.parametrize(
    "y, match",
    [
        (np.r_[np.arange(20.0), np.nan], "NaN"),
        (np.r_[np.arange(20.0), np.inf], "inf"),
        (np.array(["a"] * 20), "y"),
        (np.ones((20, 2, 2)), "1-D .* or 2-D"),
    ],
)
def test_bad_series(y, match):
    with pytest.raises((ValueError, TypeError), match=match):
        LSTMForecaster(**old(**TINY)).fit(y)


def test_regressors_required_at_predict():
    y = seasonal(40)
    X = pd.DataFrame({"x": np.arange(40.0)}, index=y.index)
    f = LSTMForecaster(**old(**TINY)).fit(y, X)
    with pytest.raises(ValueError, match="X is required"):
        f.predict(3)
    with pytest.raises(ValueError, match="NaN"):
        f.predict(1, X=pd.DataFrame({"x": [np.nan]}, index=pd.period_range("2003-05", periods=1,
                                                                        freq="M")))


def test_rnn_nonlinearity_and_state_dict():
    y = seasonal(50)
    f = RNNForecaster(**old(nonlinearity="relu", bidirectional=True, **TINY)).fit(y)
    assert f.network_.nonlinearity == "relu"
    assert "nonlinearity" not in LSTMForecaster().get_params()
    state = f.get_state_dict()
    assert state["weight_hh_l0_reverse"].shape == (4, 4)
    assert state["fc.weight"].shape == (1, 8)
    g = RNNForecaster(**old(nonlinearity="relu", bidirectional=True,
                      **{**TINY, "random_state": 1})).fit(y)
    assert not np.array_equal(g.predict(3).to_numpy(), f.predict(3).to_numpy())
    g.load_state_dict(state)  # same scaler (same series): same forecasts
    np.testing.assert_array_equal(g.predict(3).to_numpy(), f.predict(3).to_numpy())
    with pytest.raises(ValueError, match="nonlinearity"):
        RNNForecaster(**old(nonlinearity="gelu", **TINY)).fit(y)
