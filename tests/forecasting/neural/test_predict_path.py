"""The predict path of the neural forecasters: work shared by an ensemble's members,
the output index, and the checks that stay on the path.

An ensemble builds its members' inputs once per block (scaled history, window
checks, the transform at the longest input window, which each member slices);
the forecasts must be bit for bit the median of what each member forecasts on
its own.
"""

import numpy as np
import pandas as pd
import pytest

from rnnforecast import GRUForecaster, LSTMForecaster
from rnnforecast.forecasting.neural.windows import WindowTransform

FAST = dict(hidden_size=4, max_iter=3, n_jobs=1, random_state=0)


def monthly(n=150, seed=0, index="datetime", name="y"):
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    values = 100.0 + 0.3 * t + 10.0 * np.sin(2 * np.pi * t / 12) + rng.normal(size=n)
    idx = (pd.date_range("2000-01-01", periods=n, freq="MS", name="date") if index == "datetime"
           else pd.period_range("2000-01", periods=n, freq="M", name="date"))
    return pd.Series(values, index=idx, name=name)


@pytest.fixture(scope="module")
def fitted():
    f = LSTMForecaster(**FAST).fit(monthly())
    assert f.n_estimators_ > 1 and len(set(f.member_window_lengths_)) > 1
    assert f.scaler_kind_ == "window_log" and f.seasonal_period_ == 12
    return f


def _median(values):
    return np.median(np.stack(values), axis=0)


@pytest.mark.parametrize("h", [1, 7, 18])
def test_ensemble_is_bitwise_the_median_of_members_on_their_own(fitted, h):
    # each member alone transforms its own window; the ensemble slices one transform
    want = _median([m.predict(h).to_numpy() for m in fitted.estimators_])
    np.testing.assert_array_equal(fitted.predict(h).to_numpy(), want)


def test_roll_beyond_horizon_is_bitwise_the_members_on_the_extended_history(fitted):
    H = fitted.horizon_
    y = monthly()
    first = _median([m.predict(H).to_numpy() for m in fitted.estimators_])
    extended = pd.concat([y, pd.Series(first, index=fitted.predict(H).index, name="y")])
    second = _median([m.predict(5, y=extended).to_numpy() for m in fitted.estimators_])
    np.testing.assert_array_equal(fitted.predict(H + 5).to_numpy(), np.r_[first, second])


def test_collection_and_new_history_bitwise_the_median_of_members():
    coll = [monthly(n, seed=s).to_numpy() for n, s in ((130, 1), (150, 2), (170, 3))]
    f = GRUForecaster(**FAST).fit(coll)
    got = f.predict(9)
    for i in range(3):
        want = _median([m.predict(9)[i] for m in f.estimators_])
        np.testing.assert_array_equal(got[i], want)
    new = [v[:-10] for v in coll]
    got = f.predict(9, y=new)
    for i in range(3):
        np.testing.assert_array_equal(got[i], _median([m.predict(9, y=new)[i]
                                                       for m in f.estimators_]))


@pytest.mark.parametrize("mode", [None, "window", "window_log"])
@pytest.mark.parametrize("period", [None, 4])
@pytest.mark.parametrize("patch", [1, 2, 4])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transform_of_a_window_tail_is_the_tail_of_the_transform(mode, period, patch, dtype):
    # what lets an ensemble transform the longest window once and slice it per member
    rng = np.random.default_rng(3)
    B, F, k, steps, longest = 3, 3, 2, 5, 24
    X = rng.uniform(0.5, 50.0, (B, longest, F)).astype(dtype)
    T = WindowTransform(k=k, steps=steps, patch_length=patch, mode=mode,
                        level_length=period or 1, seasonal_period=period,
                        level_stats=(1.3, 0.7))
    Xn, _, (level, base) = T.transform(X)
    for w in (8, 12, 16, 24):
        Xw, _, (level_w, base_w) = T.transform(np.ascontiguousarray(X[:, longest - w:]))
        assert Xw.dtype == dtype
        np.testing.assert_array_equal(Xn[:, (longest - w) // patch:], Xw)
        for a, b in ((level, level_w), (base, base_w)):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_array_equal(a, b)


def test_same_as_compares_every_setting():
    T = WindowTransform(k=1, steps=3, mode="window_log", level_length=4, seasonal_period=4,
                        level_stats=(1.0, 2.0))
    assert T.same_as(WindowTransform(k=1, steps=3, mode="window_log", level_length=4,
                                     seasonal_period=4, level_stats=(1.0, 2.0)))
    assert not T.same_as(WindowTransform(k=1, steps=3, mode="window_log", level_length=4,
                                         seasonal_period=4, level_stats=(1.0, 2.5)))
    assert not T.same_as(WindowTransform(k=1, steps=3, mode="window", level_length=4,
                                         seasonal_period=4, level_stats=(1.0, 2.0)))


def test_window_check_names_the_first_member_whose_window_is_invalid(fitted):
    # 1e31 leaves the window scaler's float32 range (1e30) but not float32's; it sits
    # in every input window but the shortest: the first member that reads it
    # (input length 48, the second member) reports its own window
    windows = [m.window_length for m in fitted.estimators_]
    assert windows[0] < 40 <= windows[1] and 40 <= max(windows)
    y = monthly()
    values = y.to_numpy().copy()
    values[-40] = 1e31
    bad = y.copy()
    bad[:] = values
    low = np.min(values[-windows[1]:])
    with pytest.raises(ValueError, match=rf"values from {low:.3g} to 1e\+31"):
        fitted.predict(5, y=bad)
    values[-40] = -1.0
    bad[:] = values
    with pytest.raises(ValueError, match="needs positive values"):
        fitted.predict(5, y=bad)
    # outside every input window: nothing to refuse
    values[-40] = y.iloc[-40]
    values[0] = 1e31
    bad[:] = values
    assert np.isfinite(fitted.predict(5, y=bad)).all()


def test_output_index_is_fresh_for_every_call(fitted):
    first = fitted.predict(4)
    want = pd.date_range(monthly().index[-1], periods=5, freq="MS", name="date")[1:]
    pd.testing.assert_index_equal(first.index, want)
    assert first.index.freq == want.freq
    first.index.name = "renamed"   # the user's copy: the next forecast keeps its own
    first.index.freq = None
    second = fitted.predict(4)
    pd.testing.assert_index_equal(second.index, want)
    assert second.index.freq == want.freq and second.name == "y"


def test_output_index_follows_the_series_time_zone_name_and_kind():
    y = monthly(n=60)
    fc = []
    variants = {
        "naive": y,
        "utc": y.tz_localize("UTC"),
        "paris": y.tz_localize("UTC").tz_convert("Europe/Paris"),  # same instants
        "name_1": y.rename_axis(1),
        "name_true": y.rename_axis(True),                           # True == 1
        "period": y.to_period("M"),
    }
    for key, series in variants.items():
        explicit = dict(window_length=12, strategy="direct", horizon=3, n_estimators=1,
                        scaler="standard", seasonal_period=None)
        f = LSTMForecaster(**{**FAST, **explicit, "max_iter": 1}).fit(series)
        out = f.predict(3)
        fc.append(out)
        want = (pd.period_range(series.index[-1] + 1, periods=3, freq="M",
                                name=series.index.name) if key == "period" else
                pd.date_range(series.index[-1], periods=4, freq="MS",
                              name=series.index.name)[1:])
        pd.testing.assert_index_equal(out.index, want, exact=True)
        assert type(out.index.name) is type(series.index.name)
    assert str(fc[1].index.tz) == "UTC" and str(fc[2].index.tz) == "Europe/Paris"


def test_non_finite_network_outputs_are_still_refused(fitted):
    import copy
    f = copy.deepcopy(fitted)
    member = f.estimators_[2]
    member.params_ = member.params_.copy()
    member.params_[-1] = np.inf  # the head's bias: the network outputs inf
    with pytest.raises(ValueError, match="non-finite|NaN or infinite"):
        f.predict(6)
    np.testing.assert_array_equal(fitted.predict(6).to_numpy(),
                                  _median([m.predict(6).to_numpy() for m in fitted.estimators_]))
