"""Global neural forecasters: one network over a collection of series.

Covers the input/output formats (list, long DataFrame), per-series scaling,
windows drawn per batch across series of unequal length, forecasts for new
series, series identity and calendar inputs, past-only and future-known
covariates, determinism and the error messages.
"""

from functools import partial

import numpy as np
import pandas as pd
import pytest

from rnnforecast import GRUForecaster, LSTMForecaster, RNNForecaster
from rnnforecast.forecasting.neural.features import calendar_matrix, series_scale
from rnnforecast.forecasting.neural.windows import WindowSampler
from rnnforecast.metrics import mean_absolute_scaled_error
from rnnforecast.forecasting.neural.ensemble import PRE_AUTO_DEFAULTS

# The fits below pin the single-network behaviour of the 0.x defaults.
old = partial(dict, PRE_AUTO_DEFAULTS)

SMALL = dict(window_length=24, hidden_size=16, max_iter=8, n_jobs=1, random_state=0,
             learning_rate_init=0.01)


def seasonal_panel(n_series=6, base_len=150, levels=(1.0, 100.0, 1e4), seed=0, freq="h",
                   noise=0.2):
    """Hourly series with a daily cycle, of unequal lengths and very different levels."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        n = base_len + 17 * i
        ds = pd.date_range("2021-01-01", periods=n, freq=freq)
        t = np.arange(n)
        level = levels[i % len(levels)]
        y = level * (3 + np.sin(2 * np.pi * (t + 3 * i) / 24) + noise * rng.standard_normal(n))
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


def split_last(df, h):
    """Training part and the last ``h`` rows of every series (sorted by id, time)."""
    df = df.sort_values(["unique_id", "ds"], kind="stable")
    from_end = df.groupby("unique_id").cumcount(ascending=False)
    return (df[from_end >= h].reset_index(drop=True), df[from_end < h].reset_index(drop=True))


# ----------------------------------------------------------------- building blocks
def test_series_scale_kinds():
    v = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    assert series_scale(v, "standard") == pytest.approx((v.mean(), v.std()))
    q1, med, q3 = np.percentile(v, [25, 50, 75])
    assert series_scale(v, "robust") == pytest.approx((med, q3 - q1))
    assert series_scale(v, "mean_abs") == pytest.approx((0.0, np.abs(v).mean()))
    assert series_scale(v, None) == (0.0, 1.0)
    assert series_scale(np.full(4, 1e-3), "standard") == pytest.approx((1e-3, 1e-3))
    assert series_scale(np.zeros(4), "mean_abs") == (0.0, 1.0)


def test_calendar_matrix_is_periodic():
    idx = pd.date_range("2024-01-01", periods=24 * 14, freq="h")
    C = calendar_matrix(idx, ["hour", "dayofweek"])
    assert C.shape == (len(idx), 4)
    np.testing.assert_allclose(C[:24, :2], C[24:48, :2])     # daily cycle of the hour
    np.testing.assert_allclose(C[:, 2:], np.roll(C[:, 2:], 24 * 7, axis=0))  # weekly
    np.testing.assert_allclose(C[:, 0] ** 2 + C[:, 1] ** 2, 1.0)


def test_window_sampler_builds_the_right_windows():
    rows = [np.arange(10.0).reshape(10, 1), 100 + np.arange(6.0).reshape(6, 1)]
    w, steps = 3, 2
    ends = [np.arange(w - 1, len(r) - steps) for r in rows]
    s = WindowSampler(rows, rows, w, steps, ends)
    assert s.n_samples == (10 - 3 - 2 + 1) + (6 - 3 - 2 + 1)
    X, Y = s.batch(np.array([0, s.n_samples - 1]))
    np.testing.assert_array_equal(X[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(Y[0], [3, 4])
    np.testing.assert_array_equal(X[1, :, 0], [101, 102, 103])
    np.testing.assert_array_equal(Y[1], [104, 105])
    # no window crosses a series boundary or reads past the end
    Xa, Ya = s.materialise()
    for x, y in zip(Xa[:, :, 0], Ya):
        assert np.all(np.diff(x) == 1) and y[0] == x[-1] + 1 and y[1] == x[-1] + 2


# ----------------------------------------------------------------- formats
def test_long_in_long_out_and_list_in_list_out():
    df = seasonal_panel()
    f = LSTMForecaster(**old(**SMALL)).fit(df)
    out = f.predict(5)
    assert list(out.columns) == ["unique_id", "ds", "y"]
    assert len(out) == 5 * df["unique_id"].nunique()
    for uid, g in out.groupby("unique_id"):
        last = df.loc[df.unique_id == uid, "ds"].max()
        expected = pd.date_range(last, periods=6, freq="h")[1:]
        assert list(g["ds"]) == list(expected)
    assert f.series_ids_ == sorted(df["unique_id"].unique())

    series = [g["y"].to_numpy() for _, g in df.groupby("unique_id")]
    fl = LSTMForecaster(**old(**SMALL)).fit(series)
    out_l = fl.predict(5)
    assert isinstance(out_l, list) and len(out_l) == len(series)
    assert all(isinstance(o, np.ndarray) and o.shape == (5,) for o in out_l)
    # the same data in both formats gives the same model and forecasts
    np.testing.assert_array_equal(fl.params_, f.params_)
    np.testing.assert_allclose(np.concatenate(out_l), out["y"].to_numpy())

    pandas_list = [pd.Series(g["y"].to_numpy(), index=pd.DatetimeIndex(g["ds"], freq="h"))
                   for _, g in df.groupby("unique_id")]
    out_p = LSTMForecaster(**old(**SMALL)).fit(pandas_list).predict(3)
    assert all(isinstance(o, pd.Series) and o.index.freq == "h" for o in out_p)


def test_unsorted_long_input_is_sorted_not_lost():
    df = seasonal_panel(n_series=3)
    shuffled = df.sample(frac=1.0, random_state=1)
    a = LSTMForecaster(**old(**SMALL)).fit(df).predict(4)
    b = LSTMForecaster(**old(**SMALL)).fit(shuffled).predict(4)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("cls", [RNNForecaster, GRUForecaster, LSTMForecaster])
def test_every_cell_fits_a_collection(cls):
    df = seasonal_panel(n_series=3)
    out = cls(**old(**{**SMALL, "max_iter": 2})).fit(df).predict(2)
    assert np.isfinite(out["y"]).all() and len(out) == 6


# ----------------------------------------------------------------- learning across series
def test_global_model_learns_shared_pattern_across_levels():
    """Series of levels 1 .. 1e4 train together; every series is forecast well."""
    df = seasonal_panel(n_series=6, base_len=200)
    h = 24
    train, test = split_last(df, h)
    f = LSTMForecaster(**old(**{**SMALL, "max_iter": 20}, scaler="standard")).fit(train)
    pred = f.predict(h)
    for uid in df["unique_id"].unique():
        y_tr = train.loc[train.unique_id == uid, "y"].to_numpy()
        y_te = test.loc[test.unique_id == uid, "y"].to_numpy()
        y_hat = pred.loc[pred.unique_id == uid, "y"].to_numpy()
        # MASE against the in-sample seasonal naive (seasonal_period=24): the cycle is learnt
        mase = mean_absolute_scaled_error(y_te, y_hat, y_train=y_tr, seasonal_period=24)
        assert mase < 1.0, (uid, mase)


def test_unscaled_levels_hurt_which_shows_scaling_matters():
    df = seasonal_panel(n_series=6, base_len=200)
    h = 24
    train, test = split_last(df, h)
    errs = {}
    for scaler in ("mean_abs", None):
        pred = LSTMForecaster(**old(**{**SMALL, "max_iter": 15}, scaler=scaler)).fit(train).predict(h)
        small = pred.unique_id.isin(["s0", "s3"])  # level-1 series
        errs[scaler] = np.mean(np.abs(pred.loc[small, "y"].to_numpy()
                                      - test.loc[test.unique_id.isin(["s0", "s3"]), "y"].to_numpy()))
    assert errs["mean_abs"] < 0.5 * errs[None]


def test_forecast_new_series_never_seen():
    df = seasonal_panel(n_series=4, base_len=200)
    f = LSTMForecaster(**old(**{**SMALL, "max_iter": 20}, series_id="onehot")).fit(df)
    rng = np.random.default_rng(5)
    n, h = 120, 24
    t = np.arange(n + h)
    truth = 50 * (3 + np.sin(2 * np.pi * t / 24) + 0.2 * rng.standard_normal(n + h))
    new = pd.DataFrame({"unique_id": "new", "ds": pd.date_range("2022-01-01", periods=n,
                                                                  freq="h"), "y": truth[:n]})
    out = f.predict(h, y=new)
    assert list(out["unique_id"].unique()) == ["new"]
    assert out["ds"].iloc[0] == pd.Timestamp("2022-01-01") + pd.Timedelta(hours=n)
    mase = mean_absolute_scaled_error(truth[n:], out["y"].to_numpy(), y_train=truth[:n], seasonal_period=24)
    assert mase < 1.5
    # a seen id keeps its training scale and identity: same forecast as from the fit
    seen = df[df.unique_id == "s1"]
    a = f.predict(3, y=seen)
    b = f.predict(3)
    np.testing.assert_allclose(a["y"].to_numpy(), b.loc[b.unique_id == "s1", "y"].to_numpy())


def test_windows_are_generated_per_batch_and_capped_per_epoch(monkeypatch):
    df = seasonal_panel(n_series=4)
    sizes = []
    original = WindowSampler.batch

    def spy(self, idx):
        sizes.append(len(idx))
        return original(self, idx)

    monkeypatch.setattr(WindowSampler, "batch", spy)
    f = LSTMForecaster(**old(**{**SMALL, "max_iter": 3}, batch_size=16, windows_per_epoch=64)).fit(df)
    assert max(sizes) <= 16
    assert sum(sizes) == 3 * 64           # 3 epochs of 64 windows, never all windows at once
    assert f.n_windows_ > 64


def test_determinism_and_threads():
    df = seasonal_panel(n_series=3)
    a = LSTMForecaster(**old(**SMALL)).fit(df)
    b = LSTMForecaster(**old(**{**SMALL, "n_jobs": 2})).fit(df)
    np.testing.assert_array_equal(a.params_, b.params_)
    pd.testing.assert_frame_equal(a.predict(6), b.predict(6))


def test_direct_strategy_on_collection_and_early_stopping():
    df = seasonal_panel(n_series=4, base_len=200)
    f = LSTMForecaster(**old(**{**SMALL, "max_iter": 15}, strategy="direct", horizon=12,
                       early_stopping=True, validation_fraction=0.2,
                       calendar_features=["hour"])).fit(df)
    assert f.validation_scores_ and f.best_validation_score_ > 0.5
    out = f.predict(12)
    assert len(out) == 48
    with pytest.raises(ValueError, match="exceeds horizon=12"):
        f.predict(13)


def test_calendar_features_carry_the_cycle():
    """A pure hour-of-day pattern: with the calendar input a short window suffices."""
    df = seasonal_panel(n_series=3, base_len=240)
    h = 24
    train, test = split_last(df, h)
    params = {**SMALL, "window_length": 2, "max_iter": 25}
    err = {}
    for cal in (None, ["hour"]):
        pred = LSTMForecaster(**old(**params, calendar_features=cal, scaler="standard")).fit(train).predict(h)
        err[str(cal)] = np.mean(np.abs(pred["y"].to_numpy() - test["y"].to_numpy())
                                / test.groupby("unique_id")["y"].transform(lambda v: v.abs().mean()))
    assert err["['hour']"] < 0.5 * err["None"]


# ----------------------------------------------------------------- covariates
def driven_panel(n_series=4, n=300, seed=0, past=False):
    """y driven by a covariate x: y_t = 2 x_t (future-known) or y_t = 2 x_{t-1} (past)."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        x = np.zeros(n)
        for t in range(1, n):
            x[t] = 0.8 * x[t - 1] + rng.standard_normal()
        driver = np.r_[0.0, x[:-1]] if past else x
        y = 10 + 2 * driver + 0.1 * rng.standard_normal(n)
        frames.append(pd.DataFrame({"unique_id": i, "ds": np.arange(n), "y": y, "x": x}))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_future_known_covariate_is_used(strategy):
    df = driven_panel()
    h = 6
    train, test = split_last(df, h)
    kw = {**SMALL, "window_length": 8, "max_iter": 20, "strategy": strategy,
          "horizon": h if strategy == "direct" else None}
    with_x = LSTMForecaster(**old(**kw)).fit(train)
    future = test[["unique_id", "ds", "x"]]
    pred = with_x.predict(h, X=future)
    without = LSTMForecaster(**old(**kw)).fit(train[["unique_id", "ds", "y"]]).predict(h)
    e_with = np.mean(np.abs(pred["y"].to_numpy() - test["y"].to_numpy()))
    e_without = np.mean(np.abs(without["y"].to_numpy() - test["y"].to_numpy()))
    assert e_with < 0.5 * e_without
    # a missing future value is a clear error, not a silent zero
    with pytest.raises(ValueError, match="lacks future values for series 0"):
        with_x.predict(h, X=future.iloc[1:])
    with pytest.raises(ValueError, match="X is required"):
        with_x.predict(h)


@pytest.mark.parametrize("strategy", ["recursive", "direct"])
def test_past_covariate_needs_no_future_values(strategy):
    df = driven_panel(past=True)
    h = 4
    train, test = split_last(df, h)
    kw = {**SMALL, "window_length": 8, "max_iter": 20, "strategy": strategy,
          "horizon": h if strategy == "direct" else None}
    f = LSTMForecaster(**old(**kw, past_covariates=["x"])).fit(train)
    pred = f.predict(h)                   # no X: x is past-only
    base = LSTMForecaster(**old(**kw)).fit(train[["unique_id", "ds", "y"]]).predict(h)
    # the first step depends on the last observed x only: known, so far better
    first = pred.groupby("unique_id").head(1)["y"].to_numpy()
    first_base = base.groupby("unique_id").head(1)["y"].to_numpy()
    truth = test.groupby("unique_id").head(1)["y"].to_numpy()
    assert np.mean(np.abs(first - truth)) < 0.5 * np.mean(np.abs(first_base - truth))
    with pytest.raises(ValueError, match="needs no future covariates"):
        f.predict(h, X=test[["unique_id", "ds", "x"]])


def test_past_and_future_covariates_on_a_single_series():
    """y_t = 5 + 2 x_t + 3 p_(t-1): x future-known, p past-only."""
    rng = np.random.default_rng(1)
    n = 400
    x = rng.standard_normal(n)
    p = np.zeros(n)
    for t in range(1, n):
        p[t] = 0.8 * p[t - 1] + rng.standard_normal()
    y = 5 + 2 * x + 3 * np.r_[0.0, p[:-1]] + 0.05 * rng.standard_normal(n)
    assert abs(p[-2]) > 1.0          # the last known p matters for the forecast
    Xdf = pd.DataFrame({"x": x, "p": p})
    kw = {**SMALL, "window_length": 6, "max_iter": 30}
    f = LSTMForecaster(**old(**kw, past_covariates=["p"])).fit(y[:-1], X=Xdf.iloc[:-1])
    assert f.n_exog_ == 1
    pred = f.predict(1, X=Xdf[["x"]].iloc[-1:].reset_index(drop=True))
    blind = LSTMForecaster(**old(**kw)).fit(y[:-1], X=Xdf[["x"]].iloc[:-1]).predict(
        1, X=Xdf[["x"]].iloc[-1:].reset_index(drop=True))
    assert abs(pred[0] - y[-1]) < 0.3 * abs(blind[0] - y[-1])
    with pytest.raises(ValueError, match="must have 1 column"):
        f.predict(1, X=Xdf.iloc[-1:].reset_index(drop=True))
    with pytest.raises(ValueError, match="not available with past_covariates"):
        f.predict(1, y=y[:-1], X=Xdf[["x"]])


# ----------------------------------------------------------------- errors
def test_collection_errors_are_clear():
    df = seasonal_panel(n_series=3)
    with pytest.raises(ValueError, match="shorter than window_length=24"):
        LSTMForecaster(**old(**SMALL)).fit([np.ones(100), np.ones(10)])
    with pytest.raises(ValueError, match="need time stamps"):
        LSTMForecaster(**old(**SMALL, calendar_features=["hour"])).fit([np.ones(100), np.ones(80)])
    with pytest.raises(ValueError, match="calendar_features must be distinct names"):
        LSTMForecaster(**old(**SMALL, calendar_features=["hour", "minute"])).fit(df)
    with pytest.raises(ValueError, match="past_covariates entry 'z' is not a covariate"):
        LSTMForecaster(**old(**SMALL, past_covariates=["z"])).fit(df.assign(x=1.0))
    with pytest.raises(ValueError, match="series_id='onehot' identifies the series"):
        LSTMForecaster(**old(**SMALL, series_id="onehot")).fit(np.ones(100))
    with pytest.raises(ValueError, match="quantiles is only used with loss='pinball'"):
        LSTMForecaster(**old(**SMALL, quantiles=[0.1, 0.5])).fit(df)
    with pytest.raises(ValueError, match="duplicated"):
        LSTMForecaster(**old(**SMALL)).fit(pd.concat([df, df.iloc[:1]]))
    with pytest.raises(ValueError, match="missing"):
        LSTMForecaster(**old(**SMALL)).fit(df.rename(columns={"ds": "time"}).assign(unique_id=df.unique_id))
    f = LSTMForecaster(**old(**{**SMALL, "max_iter": 1})).fit(df)
    with pytest.raises(TypeError, match="must be one too"):
        f.predict(3, y=np.ones(50))
    with pytest.raises(ValueError, match="too short to forecast from"):
        f.predict(3, y=df.groupby("unique_id").head(10))
    with pytest.raises(TypeError, match="score is defined for a forecaster fitted on one series"):
        f.score(df)


def test_single_series_forecasters_refuse_collections_with_a_pointer():
    from rnnforecast import ARIMAForecaster

    with pytest.raises(TypeError, match="LocalForecaster"):
        ARIMAForecaster(order=(1, 0, 0)).fit([np.ones(30), np.ones(40)])


def test_failed_collection_fit_leaves_the_forecaster_as_it_was():
    df = seasonal_panel(n_series=3)
    f = LSTMForecaster(**old(**{**SMALL, "max_iter": 2})).fit(df)
    before = f.predict(3)
    with pytest.raises(ValueError):
        f.fit([np.ones(100), np.ones(5)])
    pd.testing.assert_frame_equal(f.predict(3), before)


# ----------------------------------------------------------------- review regressions
def test_list_of_series_with_numpy_covariates_predicts_and_has_intervals():
    rng = np.random.default_rng(0)
    ys, Xs = [], []
    for n in (120, 140):
        x = rng.standard_normal((n + 3, 2))
        ys.append(5 + 2 * x[:n, 0] + 0.1 * rng.standard_normal(n))
        Xs.append(x)
    f = LSTMForecaster(**old(**{**SMALL, "window_length": 6, "max_iter": 2},
                       conformal_windows=20)).fit(ys, [x[:len(y)] for x, y in zip(Xs, ys)])
    out = f.predict(3, X=[x[len(y):] for x, y in zip(Xs, ys)])
    assert len(out) == 2 and out[0].shape == (3,)
    iv = f.predict_interval(3, X=[x[len(y):] for x, y in zip(Xs, ys)])
    assert iv[1].shape == (3, 2)


def test_a_new_list_of_another_length_is_scaled_by_its_own_history():
    t = np.arange(200)
    small = 10 + np.sin(t / 3.0)
    large = 1000 + 100 * np.sin(t / 3.0)
    f = LSTMForecaster(**old(**{**SMALL, "window_length": 6, "max_iter": 5})).fit([small, large])
    alone = f.predict(3, y=[large])[0]
    assert np.all(alone > 500)        # not on the scale of training series 0 (level 10)
    both = f.predict(3, y=[small, large])
    np.testing.assert_allclose(both[1], f.predict(3)[1])   # same length: positional ids


def test_window_scaler_refuses_past_covariates():
    df = driven_panel(n_series=2, past=True).assign(y=lambda d: d["y"] + 50)
    with pytest.raises(ValueError, match="not defined for standardised past covariates"):
        LSTMForecaster(**old(**SMALL, strategy="direct", horizon=3, scaler="window",
                       past_covariates=["x"])).fit(df)


def test_intervals_after_switching_between_collection_and_single_series():
    df = seasonal_panel(n_series=3)
    f = LSTMForecaster(**old(**{**SMALL, "max_iter": 1}, conformal_windows=12)).fit(df)
    f.predict_interval(2)
    y = df[df.unique_id == "s0"]["y"].to_numpy()
    assert f.fit(y).predict_interval(2).shape == (2, 2)
    assert len(f.fit(df).predict_interval(2)) == 6


def test_a_list_of_lists_is_one_multivariate_series():
    data = np.random.default_rng(0).standard_normal((60, 2)).tolist()
    f = LSTMForecaster(**old(**{**SMALL, "window_length": 5, "max_iter": 1})).fit(data)
    assert f.n_targets_ == 2 and f.predict(2).shape == (2, 2)


def test_warm_start_on_a_collection_keeps_scales_and_needs_the_same_series():
    df = seasonal_panel(n_series=3)
    f = LSTMForecaster(**old(**{**SMALL, "max_iter": 2}, warm_start=True)).fit(df)
    stats = {uid: (c.copy(), s.copy()) for uid, (c, s) in f.series_scales_.items()}
    f.fit(df[df["ds"] < df["ds"].max() - pd.Timedelta(hours=10)])
    assert list(f.series_scales_) == list(stats)
    for uid, (c, s) in f.series_scales_.items():
        np.testing.assert_array_equal(c, stats[uid][0])
        np.testing.assert_array_equal(s, stats[uid][1])
    with pytest.raises(ValueError, match="same series"):
        f.fit(df.replace({"unique_id": {"s0": "other"}}))


def test_one_row_integer_series_takes_the_shared_spacing():
    df = pd.DataFrame({"unique_id": ["a"] * 30 + ["b"], "ds": list(range(0, 210, 7)) + [700],
                       "y": np.r_[np.sin(np.arange(30.0)), 0.5]})
    out = LSTMForecaster(**old(**{**SMALL, "window_length": 1, "max_iter": 1})).fit(df).predict(2)
    assert list(out.loc[out.unique_id == "b", "ds"]) == [707, 714]
