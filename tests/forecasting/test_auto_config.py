"""Rules of the automatic configuration (rnnforecast.forecasting.auto_config)."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from rnnforecast.forecasting.auto_config import (
    AutoSettings,
    MIN_WINDOWS,
    auto_settings,
    infer_panel_seasonal_period,
    infer_seasonal_period,
    period_from_freq,
    seasonal_strength_test,
)


def seasonal(n, m, trend=1.0, amp=10.0, noise=1.0, seed=0):
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return 100 + trend * t + amp * np.sin(2 * np.pi * t / m) + noise * rng.normal(size=n)


@pytest.mark.parametrize("freq, m", [("h", 24), ("H", 24), ("D", 7), ("B", 5), ("W-SUN", 52),
                                     ("MS", 12), ("ME", 12), ("M", 12), ("QS-JAN", 4), ("Q", 4),
                                     ("YS", 1), ("YE-DEC", 1), ("30min", 48), ("15min", 96),
                                     ("min", 60), ("2h", 12), ("2MS", 6)])
def test_period_from_freq(freq, m):
    assert period_from_freq(freq) == m


def test_period_from_freq_unknown_and_bad_type():
    assert period_from_freq(None) is None
    assert period_from_freq("not-a-frequency") is None
    assert period_from_freq(pd.offsets.MonthBegin()) == 12
    with pytest.raises(TypeError, match="freq"):
        period_from_freq(12)


@pytest.mark.parametrize("freq, m", [("MS", 12), ("QS", 4), ("h", 24), ("D", 7)])
def test_period_from_frequency_kept_when_data_seasonal(freq, m):
    y = seasonal(12 * m, m)
    assert infer_seasonal_period(y, freq) == m


def test_period_from_data_without_frequency():
    for m in (4, 7, 12, 24):
        assert infer_seasonal_period(seasonal(10 * m, m), None) == m


def test_no_season_in_random_walk_or_trend():
    rng = np.random.default_rng(1)
    walk = np.cumsum(rng.normal(size=300))
    assert infer_seasonal_period(walk, "MS") == 1
    assert infer_seasonal_period(walk, None) == 1
    # A linear trend has high autocorrelations at every lag: not a season.
    assert infer_seasonal_period(5 + 0.3 * np.arange(200) + rng.normal(size=200), None) == 1


def test_yearly_and_short_series_have_no_season():
    y = seasonal(144, 12)
    assert infer_seasonal_period(y, "YS") == 1
    assert infer_seasonal_period(y[:35], "MS") == 1  # fewer than three seasons


def test_constant_series_has_no_season():
    assert infer_seasonal_period(np.full(100, 3.0), None) == 1
    assert seasonal_strength_test(np.full(100, 3.0), 12) == 0.0


def test_non_finite_values_rejected():
    y = seasonal(100, 12)
    y[5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        infer_seasonal_period(y, "MS")
    with pytest.raises(ValueError, match="1-D"):
        infer_seasonal_period(np.ones((10, 2)), None)


def test_panel_period_majority():
    seas = [seasonal(240, 24, seed=k) for k in range(3)]
    rng = np.random.default_rng(0)
    noise = [rng.normal(size=240) for _ in range(2)]
    assert infer_panel_seasonal_period(seas + noise, "h") == 24
    assert infer_panel_seasonal_period(seas + noise, None) == 24
    assert infer_panel_seasonal_period(noise + noise + seas[:1], None) == 1
    with pytest.raises(ValueError, match="at least one"):
        infer_panel_seasonal_period([], None)


def test_monthly_single_series_settings():
    s = auto_settings(lengths=[150], seasonal_period=12, all_positive=True, n_series=1)
    assert isinstance(s, AutoSettings)
    assert (s.seasonal_period, s.horizon, s.scaler, s.residual, s.fallback) == (12, 18, "window_log", True, None)
    assert s.window_length % s.patch_length == 0 and s.window_length % 12 == 0
    assert 150 - s.window_length - s.horizon + 1 >= MIN_WINDOWS
    assert s.n_estimators >= 3 and s.hidden_size <= 32
    assert all(w % s.patch_length == 0 and w >= s.window_length for w in s.member_window_lengths)
    assert all(150 - w - s.horizon + 1 >= MIN_WINDOWS for w in s.member_window_lengths)
    assert len(s.reasons) >= 5 and all(isinstance(r, str) for r in s.reasons)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.horizon = 3


@pytest.mark.parametrize("m, h", [(4, 8), (7, 14), (12, 18), (24, 48), (52, 13)])
def test_m4_horizons(m, h):
    s = auto_settings(lengths=[20 * m], seasonal_period=m, all_positive=True, n_series=1)
    assert s.horizon == h


def test_non_seasonal_horizon_follows_frequency_or_length():
    for n in (40, 114, 300):  # the M4 yearly horizon at any length
        assert auto_settings(lengths=[n], seasonal_period=1, all_positive=True, n_series=1,
                             freq="YS").horizon == 6
    assert auto_settings(lengths=[400], seasonal_period=1, all_positive=True, n_series=1,
                         freq="W-SUN").horizon == 13
    assert auto_settings(lengths=[100], seasonal_period=1, all_positive=True, n_series=1).horizon == 10


def test_non_positive_data_use_series_scaling():
    s = auto_settings(lengths=[200], seasonal_period=1, all_positive=False, n_series=1)
    assert s.scaler == "standard" and s.residual  # residual on the last value


def test_hourly_panel_follows_m4_recipe():
    s = auto_settings(lengths=[700] * 414, seasonal_period=24, all_positive=True, n_series=414)
    assert (s.window_length, s.patch_length, s.horizon) == (168, 24, 48)
    assert s.hidden_size >= 64 and s.batch_size >= 128
    assert s.windows_per_epoch is not None and s.windows_per_epoch <= 414 * 700


def test_short_series_shortens_input_then_drops_season():
    s = auto_settings(lengths=[60], seasonal_period=12, all_positive=True, n_series=1)
    assert s.fallback is None and s.window_length < 36
    assert 60 - s.window_length - s.horizon + 1 >= MIN_WINDOWS
    s = auto_settings(lengths=[30], seasonal_period=12, all_positive=True, n_series=1)
    assert s.seasonal_period == 1 and s.residual  # on the last value, not a season
    assert any("dropped" in r for r in s.reasons)
    assert any("corrects the naive forecast (the last value)" in r for r in s.reasons)


def test_too_short_series_gives_fallback_reason():
    s = auto_settings(lengths=[10], seasonal_period=1, all_positive=True, n_series=1)
    assert s.fallback is not None and "10 observations" in s.fallback
    assert any(r.startswith("fallback") for r in s.reasons)


def test_bigger_data_get_bigger_networks():
    small = auto_settings(lengths=[150], seasonal_period=12, all_positive=True, n_series=1)
    big = auto_settings(lengths=[300] * 1000, seasonal_period=12, all_positive=True, n_series=1000)
    assert big.hidden_size > small.hidden_size
    assert big.batch_size >= small.batch_size


@pytest.mark.parametrize("kwargs, match", [
    (dict(lengths=[], seasonal_period=1, all_positive=True, n_series=0), "lengths"),
    (dict(lengths=[10, 20], seasonal_period=1, all_positive=True, n_series=3), "n_series"),
    (dict(lengths=[0], seasonal_period=1, all_positive=True, n_series=1), "positive"),
    (dict(lengths=[100], seasonal_period=0, all_positive=True, n_series=1), "seasonal_period"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        auto_settings(**kwargs)


def test_false_season_rate_is_low():
    # Noise, random walks and AR(1) series have no season: the corrected test
    # (differences, positive local ACF peak, Bonferroni over the candidates)
    # finds one in at most ~10 % of them (90 % one-sided level).
    rng = np.random.default_rng(5)
    found = []
    for _ in range(100):
        e = rng.normal(size=300)
        ar = np.zeros(300)
        for t in range(1, 300):
            ar[t] = 0.7 * ar[t - 1] + e[t]
        for y in (rng.normal(size=200), 100 + np.cumsum(rng.normal(size=200)), ar):
            found.append(infer_seasonal_period(y, None) > 1)
    assert np.mean(found) <= 0.10


def test_seasonal_detection_rate_is_high():
    # A sine of amplitude 4 (with freq) or 6 (without) in unit noise on a trend.
    seeds = np.random.default_rng(6).integers(0, 10**6, 50)
    with_freq = [infer_seasonal_period(seasonal(120, 12, amp=4.0, seed=int(s)), "MS") == 12 for s in seeds]
    without = [infer_seasonal_period(seasonal(120, 12, amp=6.0, seed=int(s)), None) == 12 for s in seeds]
    assert np.mean(with_freq) >= 0.9
    assert np.mean(without) >= 0.9


def test_training_compute_is_capped_for_long_inputs():
    hourly = auto_settings(lengths=[900] * 400, seasonal_period=24, all_positive=True, n_series=400)
    weekly = auto_settings(lengths=[900] * 400, seasonal_period=1, all_positive=True, n_series=400,
                           freq="W-SUN")
    # hourly: 7 network steps of 24 values; weekly: 13 steps of 4 weeks (one year)
    assert hourly.window_length // hourly.patch_length == 7
    assert (weekly.window_length, weekly.patch_length) == (52, 4)
    assert weekly.max_iter < hourly.max_iter == 30


def test_ensemble_size_follows_training_windows():
    # one short series: a median of 10 (cheap members, lower seed spread); one long series
    # or a small collection: 5; a collection with >= 5000 training windows: 3 (unchanged)
    short = auto_settings(lengths=[150], seasonal_period=12, all_positive=True, n_series=1)
    assert short.n_estimators == 10
    assert any("ensemble of 10" in r for r in short.reasons)
    long_one = auto_settings(lengths=[3000], seasonal_period=1, all_positive=True, n_series=1)
    assert long_one.n_estimators == 5
    small_panel = auto_settings(lengths=[150] * 30, seasonal_period=12, all_positive=True, n_series=30)
    assert small_panel.n_estimators == 5
    hourly = auto_settings(lengths=[700] * 414, seasonal_period=24, all_positive=True, n_series=414)
    assert hourly.n_estimators == 3
    # members spread their input lengths over the base to about twice the base
    yearly = auto_settings(lengths=[100], seasonal_period=1, all_positive=True, n_series=1)
    assert yearly.n_estimators == 10 and len(yearly.member_window_lengths) > 5
    assert min(yearly.member_window_lengths) == yearly.window_length


def test_non_seasonal_members_learn_the_deviation_from_the_last_value():
    # a zero-mean series without season (standard scaling): the members get seasonal_period=1,
    # the residual on the last value; an explicit seasonal_period=None switches it off
    from rnnforecast import LSTMForecaster

    rng = np.random.default_rng(3)
    y = np.cumsum(rng.normal(size=90))
    y -= y.mean()
    fast = dict(hidden_size=4, max_iter=2, n_estimators=2, n_jobs=1, random_state=0)
    f = LSTMForecaster(**fast).fit(y)
    assert f.seasonal_period_ == 1 and f.scaler_kind_ == "standard"
    assert [m.seasonal_period for m in f.estimators_] == [1, 1]
    assert any("the last value" in r for r in f.auto_reasons_)
    g = LSTMForecaster(**fast, seasonal_period=None).fit(y)
    assert [m.seasonal_period for m in g.estimators_] == [None, None]
    assert not np.array_equal(f.predict(5), g.predict(5))


def test_tiny_series_train_for_few_epochs_and_collections_keep_their_budget():
    # ~20 windows: at most 20 passes (not the 150 of the update target); bigger data unchanged
    tiny = auto_settings(lengths=[40], seasonal_period=1, all_positive=True, n_series=1, freq="YS")
    assert tiny.fallback is None and 10 <= tiny.max_iter <= 20
    # its members are short, so the ensemble has more of them (about the same total updates)
    assert tiny.n_estimators == 30
    assert len(set(tiny.member_window_lengths)) > 5
    monthly = auto_settings(lengths=[150], seasonal_period=12, all_positive=True, n_series=1)
    assert monthly.max_iter == 38  # 97 windows, 4 batches of 32 per epoch, ~150 updates
    hourly = auto_settings(lengths=[700] * 414, seasonal_period=24, all_positive=True, n_series=414)
    assert hourly.max_iter == 30 and hourly.windows_per_epoch == 51200
    mid = auto_settings(lengths=[700] * 50, seasonal_period=24, all_positive=True, n_series=50)
    assert mid.max_iter > 20  # a 27,000-window collection is not capped


def test_last_value_residual_leaves_positive_data_and_large_collections_unchanged():
    # with the log window scaling the target is already relative to the last value:
    # the residual on it changes nothing, bit for bit
    from rnnforecast import LSTMForecaster

    rng = np.random.default_rng(4)
    y = 50 + np.cumsum(rng.normal(size=80))
    fast = dict(hidden_size=4, max_iter=2, n_estimators=2, n_jobs=1, random_state=0)
    f = LSTMForecaster(**fast).fit(y)
    g = LSTMForecaster(**fast, seasonal_period=None).fit(y)
    assert f.scaler_kind_ == "window_log" and f.estimators_[0].seasonal_period == 1
    np.testing.assert_array_equal(f.predict(7), g.predict(7))
    # a collection with >= 5000 training windows keeps no residual without a season
    big = auto_settings(lengths=[300] * 40, seasonal_period=1, all_positive=False, n_series=40)
    assert not big.residual and big.n_estimators == 3


def test_weekly_without_season_reads_one_year():
    # no significant season: the input still covers one calendar cycle (52 weeks, in patches of 4)
    # when that is longer than two horizons (26) and the data allow it
    s = auto_settings(lengths=[400] * 50, seasonal_period=1, all_positive=True, n_series=50,
                      freq="W-SUN")
    assert (s.horizon, s.window_length, s.patch_length) == (13, 52, 4)
    assert any("one calendar cycle" in r for r in s.reasons)
    one = auto_settings(lengths=[200], seasonal_period=1, all_positive=True, n_series=1,
                        freq="W-SUN")
    assert (one.window_length, one.patch_length) == (52, 4)
    # a series too short for a whole cycle keeps the rule of two horizons (26, patches of 1)
    short = auto_settings(lengths=[60], seasonal_period=1, all_positive=True, n_series=1,
                          freq="W-SUN")
    assert (short.window_length, short.patch_length, short.fallback) == (26, 1, None)
    assert 60 - short.window_length - short.horizon + 1 >= 12
    # two horizons already exceed the cycle, or no frequency: unchanged
    for freq, w in (("MS", 36), ("QS", 16), ("D", 28), (None, 26)):
        got = auto_settings(lengths=[400], seasonal_period=1, all_positive=True, n_series=1,
                            freq=freq)
        assert (got.window_length, got.patch_length) == (w, 1), freq


def test_collection_needs_one_window_per_typical_series_and_enough_on_average():
    # M4 Weekly's validation split: the 10 % quantile series has 67 points; one network learns
    # from all series, so 67 >= 52 + 13 is enough (it was shortened to 26 for 12 windows each)
    lens = [67] * 40 + [900] * 319
    s = auto_settings(lengths=lens, seasonal_period=1, all_positive=True, n_series=359,
                      freq="W-SUN")
    assert (s.window_length, s.horizon, s.fallback) == (52, 13, None)
    assert max(s.member_window_lengths) <= 67 - 13
    # too few windows on average for a whole cycle: two horizons, as before
    few = auto_settings(lengths=[70] * 10, seasonal_period=1, all_positive=True, n_series=10,
                        freq="W-SUN")
    assert (few.window_length, few.patch_length) == (26, 1)
    assert 70 - max(few.member_window_lengths) - few.horizon + 1 >= 12
    # the pooled rule is for the weekly calendar-cycle input only: other collections keep
    # MIN_WINDOWS windows in their typical series (monthly: 60 - 24 - 18 + 1 = 19 >= 12, while
    # the base input 36 would leave 7)
    monthly = auto_settings(lengths=[60] * 10 + [300] * 90, seasonal_period=12, all_positive=True,
                            n_series=100, freq="MS")
    assert (monthly.window_length, monthly.horizon) == (24, 18)
    tiny = auto_settings(lengths=[10] * 20, seasonal_period=1, all_positive=True, n_series=20)
    assert tiny.fallback is not None and "typical series" in tiny.fallback


@pytest.mark.parametrize("n", [300, 400, 700, 1200, 2100])
def test_small_data_updates_grow_in_proportion_to_the_windows(n):
    # one series (< 2,000 windows, more than two batches): 150 updates up to 100 windows, then
    # 150 * windows / 100 (a fixed number of epochs), at most 1,200
    s = auto_settings(lengths=[n], seasonal_period=24, all_positive=True, n_series=1, freq="h")
    windows = n - s.window_length - s.horizon + 1
    per_epoch = -(-windows // s.batch_size)
    expected = min(1200.0, max(150.0, 150.0 * windows / 100.0))
    assert abs(s.max_iter * per_epoch - expected) <= per_epoch / 2 + 1


def test_small_data_updates_growth_leaves_the_150_point_monthly_case_unchanged():
    s = auto_settings(lengths=[150], seasonal_period=12, all_positive=True, n_series=1, freq="MS")
    windows = 150 - s.window_length - s.horizon + 1
    assert windows < 100
    assert s.max_iter == round(150 / -(-windows // s.batch_size))


def test_season_test_and_acf_of_extreme_magnitudes_match_scaled_data_without_warnings():
    import warnings

    from rnnforecast.metrics.m4 import acf

    t = np.arange(120)
    y = np.sin(2 * np.pi * t / 12) + 0.1 * np.random.default_rng(0).normal(size=120)
    spike = np.zeros(60)
    spike[30] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy overflow warnings were leaking
        np.testing.assert_allclose(acf(spike * 1e300, 3), acf(spike, 3), rtol=1e-12)
        big = seasonal_strength_test(y * 1e308, 12)  # differences beyond float64
        assert big == pytest.approx(seasonal_strength_test(y, 12), rel=1e-9) and big > 0.5
        assert infer_seasonal_period(y * 1e308, None) == 12
