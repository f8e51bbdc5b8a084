"""Per-window scaling, seasonal residual, patching and the cosine schedule."""

from functools import partial

import numpy as np
import pandas as pd
import pytest

import rnnforecast.nn.loop as loop_module
from rnnforecast import GRUForecaster, LSTMForecaster
from rnnforecast.forecasting.neural.windows import AVERAGED_SEASONS, WindowTransform, make_transform
from rnnforecast.forecasting.neural.ensemble import PRE_AUTO_DEFAULTS

# The fits below pin the single-network behaviour of the 0.x defaults.
old = partial(dict, PRE_AUTO_DEFAULTS)

SMALL = dict(hidden_size=8, max_iter=3, n_jobs=1, random_state=0)


@pytest.mark.parametrize("mode", [None, "window", "window_log"])
@pytest.mark.parametrize("period", [None, 3])
@pytest.mark.parametrize("patch", [1, 2])
def test_transform_inverse_round_trip(mode, period, patch):
    rng = np.random.default_rng(0)
    B, w, F, k, steps = 5, 6, 3, 2, 4
    X = rng.uniform(1, 10, (B, w, F))
    Y = rng.uniform(1, 10, (B, steps * k))
    T = WindowTransform(k=k, steps=steps, patch_length=patch, mode=mode, level_length=period or 1,
                        seasonal_period=period, level_stats=(1.0, 0.5))
    Xn, Yn, state = T.transform(X, Y)
    assert Xn.shape == (B, w // patch, T.n_inputs(F))
    back = T.inverse(Yn, state)[..., 0]
    np.testing.assert_allclose(back.reshape(B, -1), Y, rtol=1e-12)
    if mode is not None:  # the level input is the standardised log level
        level = X[:, w - (period or 1):, :k].mean(axis=1)
        np.testing.assert_allclose(Xn[:, 0, -k:], (np.log(level) - 1.0) / 0.5)
        # scaled series channels: x / level - 1 or log(x / level)
        ratio = X[:, :, :k] / level[:, None, :]
        want = np.log(ratio) if mode == "window_log" else ratio - 1
        got = Xn[:, :, : patch * F].reshape(B, w, F)[:, :, :k]
        np.testing.assert_allclose(got, want)


def test_patching_groups_consecutive_steps_time_major():
    X = np.arange(2 * 4 * 3, dtype=float).reshape(2, 4, 3)
    T = WindowTransform(k=1, steps=1, patch_length=2)
    Xn, _, _ = T.transform(X)
    np.testing.assert_array_equal(Xn[0, 0], np.r_[X[0, 0], X[0, 1]])
    np.testing.assert_array_equal(Xn[1, 1], np.r_[X[1, 2], X[1, 3]])


def test_seasonal_residual_targets_are_deviations_from_seasonal_naive():
    X = np.tile(np.array([1.0, 2.0, 3.0]), 2)[None, :, None]      # w=6, period 3
    Y = np.array([[1.0, 2.0, 3.0, 1.0]])                             # seasonal naive is exact
    T = WindowTransform(k=1, steps=4, seasonal_period=3)
    _, Yn, _ = T.transform(X, Y)
    np.testing.assert_allclose(Yn, 0.0)


def _averaged_base_loops(x, m, n_max, steps):
    """Plain-loop twin of the averaged seasonal base of one window ``x`` (w,)."""
    w = len(x)
    n = min(n_max, w // m)
    seasons = [x[w - (n - j) * m: w - (n - j - 1) * m] for j in range(n)]  # oldest first
    profile = [0.0] * m
    for season in seasons:
        mean = sum(season) / m
        for i in range(m):
            profile[i] += (season[i] - mean) / n
    last_mean = sum(seasons[-1]) / m
    return np.array([last_mean + profile[j % m] for j in range(steps)])


@pytest.mark.parametrize("w, n_max", [(12, 3), (12, 2), (8, 3), (13, 3), (12, 1)])
def test_averaged_seasonal_base_matches_a_plain_loop_twin(w, n_max):
    rng = np.random.default_rng(1)
    m, steps, B, k = 4, 6, 3, 2
    X = rng.normal(size=(B, w, k))
    Y = rng.normal(size=(B, steps * k))
    T = WindowTransform(k=k, steps=steps, seasonal_period=m, base_seasons=n_max)
    _, Yn, (_, base) = T.transform(X, Y)
    for b in range(B):
        for c in range(k):
            want = _averaged_base_loops(X[b, :, c], m, n_max, steps)
            np.testing.assert_allclose(base[b, :, c], want, rtol=1e-12, atol=1e-12)
    if n_max == 1:  # seasonal naive: the last season repeated
        np.testing.assert_array_equal(base[:, :, 0], np.tile(X[:, w - m:, 0], (1, 2))[:, :steps])
    np.testing.assert_allclose(T.inverse(Yn, (None, base))[..., 0].reshape(B, -1), Y, rtol=1e-12)


def test_averaged_base_does_not_copy_one_seasons_noise():
    # a fixed seasonal profile plus noise: averaging three seasons cuts the base's error
    rng = np.random.default_rng(2)
    m, B = 12, 400
    profile = np.sin(2 * np.pi * np.arange(m) / m)
    X = (np.tile(profile, 3) + 0.5 * rng.normal(size=(B, 3 * m)))[:, :, None]
    naive = WindowTransform(k=1, steps=m, seasonal_period=m).transform(X)[2][1][:, :, 0]
    avg = WindowTransform(k=1, steps=m, seasonal_period=m, base_seasons=3).transform(X)[2][1][:, :, 0]
    err_naive = np.sqrt(np.mean((naive - profile) ** 2))
    err_avg = np.sqrt(np.mean((avg - profile) ** 2))
    assert err_avg < 0.7 * err_naive  # theory: sqrt((1/3 + 1/12 - 1/36) / 1) ~ 0.62 of it


@pytest.mark.parametrize("m, want", [(12, 3), (4, 3), (52, 3), (24, 1), (7, 1), (48, 1), (None, 1)])
def test_make_transform_averages_only_yearly_cycles(m, want):
    p = dict(PRE_AUTO_DEFAULTS, strategy="direct", horizon=3, seasonal_period=m, scaler="window_log",
             patch_length=1)
    T = make_transform(p, 1, 3, [np.arange(1.0, 200.0)])
    assert T.base_seasons == want == AVERAGED_SEASONS.get(m or 1, 1)


def test_transforms_pickled_before_the_averaged_base_keep_seasonal_naive():
    T = WindowTransform(k=1, steps=4, seasonal_period=2, base_seasons=3)
    del T.__dict__["base_seasons"]  # as unpickled from a model saved before the attribute
    X = np.array([[1.0, 5.0, 2.0, 7.0, 3.0, 9.0]])[:, :, None]
    base = T.transform(X)[2][1][0, :, 0]
    np.testing.assert_array_equal(base, [3.0, 9.0, 3.0, 9.0])


def test_forecaster_network_reads_patches():
    y = 5 + np.sin(np.arange(300) * 2 * np.pi / 24)
    f = LSTMForecaster(**old(window_length=48, patch_length=24, strategy="direct", horizon=24,
                       seasonal_period=24, scaler="window_log", **SMALL)).fit(y)
    assert f.network_.input_size == 24 + 1          # 24 values per step + the level
    assert f.predict(24).shape == (24,)
    g = GRUForecaster(**old(window_length=48, patch_length=12, **SMALL)).fit(y)
    assert g.network_.input_size == 12


def test_window_log_learns_a_seasonal_collection_of_trending_series():
    """Positive series with trends and levels 1..1e3: per-window log scaling."""
    rng = np.random.default_rng(0)
    series, tests = [], []
    for i in range(8):
        n = 24 * 20 + 24
        t = np.arange(n)
        level = 10.0 ** (i % 4) * (1 + 0.002 * (i + 1) * t)
        y = level * (2 + np.sin(2 * np.pi * t / 24)) * np.exp(0.02 * rng.standard_normal(n))
        series.append(y[:-24])
        tests.append(y[-24:])
    f = LSTMForecaster(**old(window_length=72, patch_length=24, strategy="direct", horizon=24,
                       seasonal_period=24, scaler="window_log", hidden_size=16, max_iter=30,
                       loss="mae", learning_rate="cosine", n_jobs=1, random_state=0)).fit(series)
    pred = f.predict(24)
    rel = np.mean([np.mean(np.abs(p - t) / t) for p, t in zip(pred, tests)])
    naive = np.mean([np.mean(np.abs(s[-24:] - t) / t) for s, t in zip(series, tests)])
    assert rel < 0.05
    assert rel < naive      # beats seasonal naive, which misses the trend


def test_window_options_need_direct_positive_and_compatible_lengths():
    y = np.abs(np.sin(np.arange(200))) + 1
    with pytest.raises(ValueError, match="needs strategy='direct'"):
        LSTMForecaster(**old(scaler="window_log", **SMALL)).fit(y)
    with pytest.raises(ValueError, match="needs strategy='direct'"):
        LSTMForecaster(**old(seasonal_period=12, **SMALL)).fit(y)
    with pytest.raises(ValueError, match="multiple of patch_length"):
        LSTMForecaster(**old(window_length=24, patch_length=5, **SMALL)).fit(y)
    with pytest.raises(ValueError, match="seasonal_period=48 exceeds window_length=24"):
        LSTMForecaster(**old(strategy="direct", horizon=3, seasonal_period=48, **SMALL)).fit(y)
    with pytest.raises(ValueError, match="needs positive values; series 1 has values <= 0"):
        LSTMForecaster(**old(strategy="direct", horizon=3, scaler="window", **SMALL)).fit(
            [y, y - 1.5])
    with pytest.raises(ValueError, match="needs positive values"):
        LSTMForecaster(**old(strategy="direct", horizon=3, scaler="window_log", **SMALL)).fit(
            pd.Series(-y))


def test_cosine_schedule_decays_from_lr_to_five_percent(monkeypatch):
    seen = []
    real = loop_module.train_step

    def spy(net, params, optimizer, *a, **kw):
        seen.append(optimizer.lr)
        return real(net, params, optimizer, *a, **kw)

    monkeypatch.setattr(loop_module, "train_step", spy)
    y = np.sin(np.arange(200) / 3.0)
    LSTMForecaster(**old(window_length=8, learning_rate="cosine", learning_rate_init=0.01,
                   batch_size=64, max_iter=4, hidden_size=4, n_jobs=1, random_state=0)).fit(y)
    assert len(seen) == 4 * 3
    assert seen[0] == pytest.approx(0.01)
    assert seen[-1] == pytest.approx(0.0005)
    assert np.all(np.diff(seen) < 0)
    seen.clear()
    LSTMForecaster(**old(window_length=8, learning_rate_init=0.01, batch_size=64, max_iter=2,
                   hidden_size=4, n_jobs=1, random_state=0)).fit(y)
    assert set(seen) == {0.01}


@pytest.mark.parametrize("mode", ["window", "window_log"])
def test_value_scale_divides_the_scaled_values_and_round_trips(mode):
    rng = np.random.default_rng(1)
    X = rng.uniform(1, 10, (4, 6, 1))
    Y = rng.uniform(1, 10, (4, 3))
    plain = WindowTransform(k=1, steps=3, mode=mode, seasonal_period=1)
    scaled = WindowTransform(k=1, steps=3, mode=mode, seasonal_period=1, value_scale=0.25)
    Xp, Yp, _ = plain.transform(X, Y)
    Xs, Ys, state = scaled.transform(X, Y)
    np.testing.assert_allclose(Xs[:, :, 0], Xp[:, :, 0] / 0.25)   # series channel
    np.testing.assert_array_equal(Xs[:, :, 1], Xp[:, :, 1])         # level input unchanged
    np.testing.assert_allclose(Ys, Yp / 0.25)
    np.testing.assert_allclose(scaled.inverse(Ys, state)[..., 0].reshape(4, 3), Y, rtol=1e-12)


def test_value_scale_floors_the_typical_step_only_for_tiny_changes():
    from rnnforecast.forecasting.neural.windows import MIN_STEP_SCALE, value_scale

    t = np.arange(200)
    wide = 10 + np.sin(2 * np.pi * t / 12)                 # log steps ~ 0.05
    assert value_scale([wide]) == 1.0
    tiny = 1e6 + np.sin(2 * np.pi * t / 12)                # log steps ~ 5e-7
    d = np.diff(np.log(tiny))
    assert value_scale([tiny]) == pytest.approx(np.sqrt(np.mean(d * d)) / MIN_STEP_SCALE)
    assert value_scale([np.full(50, 3.0)]) == 1.0           # constant: no steps at all
    assert value_scale([wide, tiny]) == 1.0                 # pooled over a collection


def test_large_level_positive_series_forecast_like_standardised_ones():
    # A signal of amplitude 1 on a level of 1e6: with log window scaling alone the network's
    # error floor in log units (~4e-4) came back multiplied by the level (~400 here).
    t = np.arange(120)
    y = 10 + np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 0.1, 120)
    err = {}
    for off in (0.0, 1e6):
        f = LSTMForecaster(random_state=0, n_jobs=1).fit(y[:108] + off)
        assert f.scaler_kind_ == "window_log"
        err[off] = np.mean(np.abs(np.asarray(f.predict(12)) - off - y[108:]))
    assert err[1e6] < 2 * err[0.0] + 0.05 and err[1e6] < 0.5
