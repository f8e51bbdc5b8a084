"""Conformal prediction intervals (rnnforecast.forecasting.intervals)."""

import pickle
from numbers import Integral

import numpy as np
import pandas as pd
import pytest

from rnnforecast.baselines import NaiveForecaster
from rnnforecast.forecasting import BaseForecaster
from rnnforecast.forecasting.intervals import (
    DEFAULT_CONFORMAL_WINDOWS,
    ConformalIntervalMixin,
    conformal_quantile,
    conformal_scores,
    min_calibration_size,
    scaled_pool,
)
from rnnforecast.forecasting.neural import LSTMForecaster
from rnnforecast.utils._compat import Interval

PHI = 0.7


class AR1(ConformalIntervalMixin, BaseForecaster):
    """Test double: per-column AR(1) with intercept, least squares; counts its fits."""

    _parameter_constraints = {
        "conformal_windows": [Interval(Integral, 1, None, closed="left"), None],
    }
    fits = 0  # class-level, counts the clones' fits too

    def __init__(self, conformal_windows=None):
        self.conformal_windows = conformal_windows

    def _min_history(self):
        return 3

    def _min_predict_history(self):
        return 1

    def _fit(self, y, X=None):
        type(self).fits += 1
        x, z = y[:-1], y[1:]
        xc, zc = x - x.mean(axis=0), z - z.mean(axis=0)
        self.phi_ = (xc * zc).sum(axis=0) / (xc * xc).sum(axis=0)
        self.c_ = z.mean(axis=0) - self.phi_ * x.mean(axis=0)

    def _predict(self, h, X=None, y_hist=None, **_):
        last = self._history(y_hist)[-1]
        out = np.empty((h, last.size))
        for j in range(h):
            last = self.c_ + self.phi_ * last
            out[j] = last
        return out


class LinearExog(BaseForecaster):
    """Test double: y = X @ coef (least squares), forecasts from the regressors only."""

    _supports_exog = True

    def _fit(self, y, X=None):
        self.coef_ = np.linalg.lstsq(X, y, rcond=None)[0]

    def _predict(self, h, X=None, y_hist=None, X_hist=None, **_):
        return X @ self.coef_


# The neural forecasters get their conformal intervals from this mixin.
_LSTMWithIntervals = LSTMForecaster
assert issubclass(LSTMForecaster, ConformalIntervalMixin)


LSTM_SETTINGS = dict(hidden_size=8, max_iter=10, window_length=10, n_jobs=1, random_state=0)


def ar1(n, seed=0, phi=PHI, k=1, mean=0.0):
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal((n + 100, k))
    y = np.zeros((n + 100, k))
    for t in range(1, n + 100):
        y[t] = phi * y[t - 1] + eps[t]
    y = y[100:] + mean  # burn-in
    return y[:, 0] if k == 1 else y


def held_out_coverage(model, y, start, n_origins, h, coverage, hist=50, step=1):
    """Per-step coverage of predict_interval(h, coverage, y=history) over origins."""
    hits = np.zeros(h)
    origins = range(start, start + n_origins * step, step)
    for t in origins:
        band = model.predict_interval(h, coverage=coverage, y=y[t - hist:t])
        truth = y[t:t + h]
        hits += (truth >= band[:, 0]) & (truth <= band[:, 1])
    return hits / len(origins)


# ----------------------------------------------------------------- conformal_scores
def test_scores_by_hand_with_naive_last_value():
    y = np.arange(12, dtype=float) ** 2
    f = NaiveForecaster("last")
    s = conformal_scores(f, y, h=2, n_windows=3)
    assert s.shape == (3, 2, 1) and s.dtype == np.float64
    # C = 3 + 2 - 1 = 4, origins t = 8, 9, 10; forecast = y[t - 1]
    expected = np.array([[y[t] - y[t - 1], y[t + 1] - y[t - 1]] for t in (8, 9, 10)])
    np.testing.assert_array_equal(s[:, :, 0], expected)
    assert not hasattr(f, "_y_info_")  # the forecaster itself is not fitted
    # pandas (positional slicing) and 2-D give the same numbers
    idx = pd.date_range("2000-01", periods=12, freq="MS")
    np.testing.assert_array_equal(conformal_scores(f, pd.Series(y, index=idx), h=2, n_windows=3), s)
    two = np.column_stack([y, -2 * y])
    s2 = conformal_scores(f, pd.DataFrame(two, index=idx, columns=["a", "b"]), h=2, n_windows=3)
    assert s2.shape == (3, 2, 2)
    np.testing.assert_array_equal(s2[..., 0], s[..., 0])
    np.testing.assert_array_equal(s2[..., 1], 2 * s[..., 0])
    np.testing.assert_array_equal(conformal_scores(f, two, h=2, n_windows=3), s2)


@pytest.mark.parametrize("pandas", [False, True])
def test_scores_slice_the_regressors_with_the_history(pandas):
    rng = np.random.default_rng(0)
    n, h, W = 60, 3, 10
    X = rng.standard_normal((n, 2))
    y = X @ np.array([2.0, -1.0]) + 0.1 * rng.standard_normal(n)
    if pandas:
        idx = pd.period_range("2001-01", periods=n, freq="M")
        y_in, X_in = pd.Series(y, index=idx), pd.DataFrame(X, index=idx, columns=["u", "v"])
    else:
        y_in, X_in = y, X
    s = conformal_scores(LinearExog(), y_in, X_in, h=h, n_windows=W)
    n_fit = n - (W + h - 1)
    coef = np.linalg.lstsq(X[:n_fit], y[:n_fit], rcond=None)[0]
    t = np.arange(n_fit, n_fit + W)[:, None] + np.arange(h)[None, :]
    np.testing.assert_allclose(s[:, :, 0], np.abs(y[t] - X[t] @ coef), rtol=1e-12)


def test_scores_too_short_series_says_what_is_needed():
    y = ar1(40)
    with pytest.raises(ValueError, match=r"y has 40 observations .*h=5 and n_windows=50 needs at "
                                         r"least 57: 3 \(the minimum history of AR1\(\)\) \+ 54.*"
                                         r"Lower n_windows"):
        conformal_scores(AR1(), y, h=5, n_windows=50)
    assert conformal_scores(AR1(), y, h=5, n_windows=33).shape == (33, 5, 1)  # 3 + 37 = 40
    with pytest.raises(ValueError, match="needs at least 41"):
        conformal_scores(AR1(), y, h=5, n_windows=34)
    with pytest.raises(ValueError, match="n_windows must be an int >= 1; got 0"):
        conformal_scores(AR1(), y, h=5, n_windows=0)
    with pytest.raises(TypeError, match="n_windows must be an int"):
        conformal_scores(AR1(), y, h=5, n_windows=2.0)
    with pytest.raises(ValueError, match="h must"):
        conformal_scores(AR1(), y, h=0, n_windows=5)


# ----------------------------------------------------------------- conformal_quantile
def test_conformal_quantile_rank():
    scores = np.random.default_rng(0).permutation(np.arange(1.0, 20.0))  # n = 19
    assert conformal_quantile(scores, 0.9) == 18  # ceil(20 * 0.9) = 18
    assert conformal_quantile(scores, 0.95) == 19
    assert conformal_quantile(scores, 0.5) == 10
    with pytest.raises(ValueError, match=r"18 calibration score\(s\) are too few for "
                                         r"coverage=0.95.*needs n >= 19"):
        conformal_quantile(scores[:18], 0.95)
    # (n + 1) * coverage is an integer up to rounding: 10 * (2 * 0.95 - 1) -> rank 9, not 10
    assert conformal_quantile(np.arange(1.0, 10.0), 2 * 0.95 - 1) == 9
    # per position of the trailing axes
    s = np.stack([np.arange(1.0, 20.0), 10 * np.arange(1.0, 20.0)], axis=1)[:, None, :]
    np.testing.assert_array_equal(conformal_quantile(s, 0.9), [[18.0, 180.0]])


def test_min_calibration_size_matches_the_formula():
    assert [min_calibration_size(c) for c in (0.5, 0.8, 0.9, 0.95, 0.99)] == [1, 4, 9, 19, 99]
    for c in np.linspace(0.01, 0.985, 200):
        n_min = min_calibration_size(c)
        assert int(np.ceil(1 / (1 - c))) - 1 <= n_min <= int(np.ceil(1 / (1 - c)))
        conformal_quantile(np.ones(n_min), c)  # enough
        if n_min > 1:
            with pytest.raises(ValueError, match="too few"):
                conformal_quantile(np.ones(n_min - 1), c)


@pytest.mark.parametrize("coverage,exc", [(0.0, ValueError), (1.0, ValueError), (1.5, ValueError),
                                          (float("nan"), ValueError), (True, TypeError),
                                          ("0.9", TypeError), (None, TypeError)])
def test_conformal_quantile_bad_coverage(coverage, exc):
    with pytest.raises(exc, match="coverage must be a float strictly between 0 and 1"):
        conformal_quantile(np.ones(100), coverage)


def test_conformal_quantile_bad_scores():
    with pytest.raises(ValueError, match="at least one calibration score"):
        conformal_quantile(np.empty((0, 3)), 0.5)
    with pytest.raises(ValueError, match="finite"):
        conformal_quantile(np.array([1.0, np.nan, 2.0]), 0.5)


# ----------------------------------------------------------------- scaled_pool
def test_scaled_pool_divides_and_concatenates():
    a = np.arange(6.0).reshape(3, 2)
    b = np.arange(4.0).reshape(2, 2) + 1
    pooled = scaled_pool([a, b], [2.0, np.array([0.5, 4.0])])
    np.testing.assert_array_equal(pooled, np.vstack([a / 2, b / np.array([0.5, 4.0])]))


def test_scaled_pool_gives_per_series_coverage():
    """Locally weighted conformal: one pooled quantile, each series covered at its own scale."""
    rng = np.random.default_rng(3)
    sd = np.array([0.5, 1.0, 10.0])
    cal = [np.abs(rng.standard_normal(400)) * s for s in sd]
    q = conformal_quantile(scaled_pool(cal, sd), 0.9)
    fresh = np.abs(rng.standard_normal((3, 20000))) * sd[:, None]
    coverage = (fresh <= q * sd[:, None]).mean(axis=1)
    np.testing.assert_allclose(coverage, 0.9, atol=0.02)
    # without the scales the small series are over-covered, the large one under-covered
    q_raw = conformal_quantile(np.concatenate(cal), 0.9)
    raw = (fresh <= q_raw).mean(axis=1)
    assert raw[0] > 0.99 and raw[2] < 0.8


@pytest.mark.parametrize("scales,match", [
    ([1.0, 0.0], r"scales\[1\] must be positive and finite"),
    ([1.0, -2.0], r"scales\[1\] must be positive"),
    ([np.nan, 1.0], r"scales\[0\] must be positive and finite"),
    ([1.0, np.inf], "finite"),
    ([1.0], "one entry per series: 2 score arrays but 1 scales"),
    ([1.0, np.ones(3)], r"scales\[1\] of shape \(3,\) does not broadcast"),
])
def test_scaled_pool_bad_scales(scales, match):
    with pytest.raises(ValueError, match=match):
        scaled_pool([np.ones((4, 2)), np.ones((3, 2))], scales)


def test_scaled_pool_bad_scores():
    with pytest.raises(ValueError, match="at least one series"):
        scaled_pool([], [])
    with pytest.raises(ValueError, match=r"scores_list\[1\] has trailing shape \(3,\)"):
        scaled_pool([np.ones((4, 2)), np.ones((4, 3))], [1.0, 1.0])
    with pytest.raises(ValueError, match=r"scores_list\[0\] must be a finite"):
        scaled_pool([np.array([np.nan])], [1.0])
    with pytest.raises(TypeError, match="sequence of per-series score arrays"):
        scaled_pool(np.ones((4, 2)), [1.0] * 4)


# ----------------------------------------------------------------- the mixin, AR(1)
@pytest.fixture(scope="module")
def ar_series():
    return ar1(6000, seed=0)


@pytest.fixture(scope="module")
def ar_model(ar_series):
    return AR1(conformal_windows=1500).fit(ar_series[:3000])


@pytest.mark.parametrize("coverage", [0.8, 0.9])
def test_ar1_held_out_coverage_is_nominal(ar_model, ar_series, coverage):
    # 1495 origins after the training end; over seeds 0-7 the worst step was 0.038 off
    cov = held_out_coverage(ar_model, ar_series, start=3000, n_origins=1495, h=5,
                            coverage=coverage, step=2)
    print(f"AR(1) coverage {coverage}: {np.round(cov, 3)}")
    assert np.all(np.abs(cov - coverage) <= 0.05), cov
    assert ar_model.conformal_scores_.shape == (1500, 5, 1)


def test_ar1_widths_nest_and_grow_with_the_horizon(ar_model):
    b80, b90 = ar_model.predict_interval(5, 0.8), ar_model.predict_interval(5, 0.9)
    assert np.all(b90[:, 0] < b80[:, 0]) and np.all(b80[:, 1] < b90[:, 1])
    width = b90[:, 1] - b90[:, 0]
    assert np.all(np.diff(width[:3]) > 0) and width[4] > width[1], width
    # the h-step error of an AR(1) has variance sum_{i<h} phi^(2i): the widths follow it
    theory = np.sqrt(np.cumsum(PHI ** (2 * np.arange(5))))
    np.testing.assert_allclose(width / width[0], theory / theory[0], rtol=0.1)
    # the half-width at step 1 is about the normal 95% quantile (sigma = 1)
    assert width[0] / 2 == pytest.approx(1.645, rel=0.1)


def test_default_number_of_windows_and_the_cache(ar_series):
    y = ar_series[:300]
    model = AR1().fit(y)
    fits = AR1.fits
    first = model.predict_interval(4)
    assert AR1.fits == fits + 1  # one clone fitted, lazily
    scores = model.conformal_scores_
    assert scores.shape == (DEFAULT_CONFORMAL_WINDOWS, 4, 1)
    # a smaller horizon reuses the scores
    second = model.predict_interval(2, 0.8)
    model.predict_quantiles(3)
    assert AR1.fits == fits + 1 and model.conformal_scores_ is scores
    np.testing.assert_array_equal(model.predict_interval(4), first)
    assert second.shape == (2, 2)
    # a larger one recalibrates (C = windows + h - 1 grows: the clone is fitted on a
    # shorter prefix, so the scores change); later smaller ones reuse the larger
    model.predict_interval(6)
    assert AR1.fits == fits + 2 and model.conformal_scores_.shape == (50, 6, 1)
    scores6 = model.conformal_scores_
    later = model.predict_interval(4)
    assert AR1.fits == fits + 2 and model.conformal_scores_ is scores6
    assert not np.array_equal(later, first)
    half = (later[:, 1] - later[:, 0]) / 2
    np.testing.assert_allclose(half, conformal_quantile(scores6[:, :4], 0.9)[:, 0], rtol=1e-12)
    # a pickled copy keeps its cache
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(copy.predict_interval(4), later)
    assert AR1.fits == fits + 2
    # changing the number of windows recalibrates
    model.set_params(conformal_windows=20)
    model.predict_interval(4)
    assert AR1.fits == fits + 3 and model.conformal_scores_.shape == (20, 4, 1)
    # a refit invalidates the cache, even on the same data and for a smaller h
    model.fit(y)
    model.predict_interval(1)
    assert AR1.fits == fits + 5 and model.conformal_scores_.shape == (20, 1, 1)
    model.fit(ar_series[300:600])
    other = model.predict_interval(1)
    assert not np.array_equal(other, model.fit(y).predict_interval(1))


def test_determinism(ar_series):
    y = ar_series[:400]
    a = AR1(conformal_windows=60).fit(y).predict_quantiles(5, (0.1, 0.5, 0.9))
    b = AR1(conformal_windows=60).fit(y).predict_quantiles(5, (0.1, 0.5, 0.9))
    np.testing.assert_array_equal(a, b)


def test_new_history_reuses_the_scores(ar_model, ar_series):
    base = ar_model.predict_interval(5, 0.9)
    new = ar_series[3000:3100]
    band = ar_model.predict_interval(5, 0.9, y=new)
    point = ar_model.predict(5, y=new)
    np.testing.assert_allclose(band.mean(axis=1), point, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(band[:, 1] - band[:, 0], base[:, 1] - base[:, 0], rtol=1e-12)


def test_too_short_training_series(ar_series):
    model = AR1(conformal_windows=50).fit(ar_series[:40])
    with pytest.raises(ValueError, match=r"y has 40 observations .*conformal_windows=50 needs at "
                                         r"least 56.*Lower conformal_windows"):
        model.predict_interval(4)
    with pytest.raises(ValueError, match="conformal_windows must be an int >= 1; got 0"):
        model.set_params(conformal_windows=0).predict_interval(1)


@pytest.mark.parametrize("coverage,exc", [(0, ValueError), (1.0, ValueError), (-0.1, ValueError),
                                          (float("nan"), ValueError), ("0.9", TypeError),
                                          (np.True_, TypeError)])
def test_bad_coverage(ar_model, coverage, exc):
    with pytest.raises(exc, match="coverage must be a float strictly between 0 and 1"):
        ar_model.predict_interval(3, coverage)


def test_too_many_windows_needed_for_the_coverage(ar_series):
    model = AR1().fit(ar_series[:300])
    with pytest.raises(ValueError, match=r"50 calibration score\(s\) are too few for "
                                         r"coverage=0.99.*conformal_windows >= 99"):
        model.predict_interval(3, 0.99)
    with pytest.raises(ValueError, match="conformal_windows >= 99"):
        model.predict_quantiles(3, (0.005, 0.5))
    assert not hasattr(model, "conformal_scores_")  # refused before calibrating


@pytest.mark.parametrize("quantiles,exc,match", [
    ((0.5, 0.1), ValueError, "increasing order without duplicates"),
    ((0.1, 0.1), ValueError, "increasing order without duplicates"),
    ((0.0, 0.5), ValueError, "every element of quantiles must be a float strictly between 0 and 1"),
    ((0.5, 1.0), ValueError, "strictly between 0 and 1"),
    ((np.nan,), ValueError, "strictly between 0 and 1"),
    ((), ValueError, "must not be empty"),
    (0.5, ValueError, "non-empty 1-D sequence"),
    ([[0.1, 0.9]], ValueError, "non-empty 1-D sequence"),
    ("0.5", TypeError, "non-empty 1-D sequence"),
    (("a", "b"), TypeError, "every element of quantiles"),
])
def test_bad_quantiles(ar_model, quantiles, exc, match):
    with pytest.raises(exc, match=match):
        ar_model.predict_quantiles(3, quantiles)


# ----------------------------------------------------------------- output formats
def _check_formats(model_numpy_1d, model_numpy_2d, model_series, model_frame, h=3, k=2):
    q = (0.05, 0.25, 0.5, 0.75, 0.95)
    # numpy 1-D
    band = model_numpy_1d.predict_interval(h, 0.9)
    qs = model_numpy_1d.predict_quantiles(h, q)
    point = model_numpy_1d.predict(h)
    assert band.shape == (h, 2) and qs.shape == (h, 5) and band.dtype == np.float64
    np.testing.assert_array_equal(qs[:, 2], point)
    np.testing.assert_allclose(qs[:, [0, 4]], band, rtol=1e-12)
    assert np.all(np.diff(qs, axis=1) > 0)
    # numpy 2-D
    band2 = model_numpy_2d.predict_interval(h, 0.9)
    qs2 = model_numpy_2d.predict_quantiles(h, q)
    assert band2.shape == (h, k, 2) and qs2.shape == (h, k, 5)
    np.testing.assert_allclose(qs2[..., [0, 4]], band2, rtol=1e-12)
    np.testing.assert_array_equal(qs2[..., 2], model_numpy_2d.predict(h))
    # Series
    df = model_series.predict_interval(h, 0.9)
    pred = model_series.predict(h)
    assert isinstance(df, pd.DataFrame) and list(df.columns) == ["lower", "upper"]
    assert df.index.equals(pred.index)
    np.testing.assert_allclose(df.to_numpy(), band, rtol=1e-12)
    dq = model_series.predict_quantiles(h, q)
    assert list(dq.columns) == ["q0.05", "q0.25", "q0.5", "q0.75", "q0.95"]
    assert dq.index.equals(pred.index)
    np.testing.assert_allclose(dq.to_numpy(), qs, rtol=1e-12)
    # DataFrame
    dfi = model_frame.predict_interval(h, 0.9)
    cols = list(model_frame.predict(h).columns)
    assert isinstance(dfi.columns, pd.MultiIndex)
    assert list(dfi.columns) == [(c, b) for c in cols for b in ("lower", "upper")]
    np.testing.assert_allclose(dfi[cols[1]].to_numpy(), band2[:, 1, :], rtol=1e-12)
    dfq = model_frame.predict_quantiles(h, (0.1, 0.9))
    assert list(dfq.columns) == [(c, b) for c in cols for b in ("q0.1", "q0.9")]
    assert dfq.index.equals(dfi.index)


def test_output_formats_ar1():
    y2 = ar1(300, seed=1, k=2, mean=5.0)
    idx = pd.date_range("2000-01-01", periods=300, freq="D")
    _check_formats(AR1().fit(y2[:, 0]), AR1().fit(y2), AR1().fit(pd.Series(y2[:, 0], index=idx)),
                   AR1().fit(pd.DataFrame(y2, index=idx, columns=["north", "south"])))


def test_output_formats_with_a_new_pandas_history():
    y = ar1(300, seed=2)
    idx = pd.period_range("1990-01", periods=300, freq="M")
    model = AR1().fit(pd.Series(y[:200], index=idx[:200], name="s"))
    new = pd.Series(y[200:260], index=idx[200:260], name="s")
    band = model.predict_interval(4, 0.8, y=new)
    assert band.index.equals(idx[260:264])
    np.testing.assert_allclose(band.mean(axis=1).to_numpy(), model.predict(4, y=new).to_numpy())


# ----------------------------------------------------------------- the mixin on an LSTM
@pytest.fixture(scope="module")
def lstm_model():
    y = ar1(1520, seed=0)
    model = _LSTMWithIntervals(**LSTM_SETTINGS)
    # read by the mixin whether or not the class has it as a parameter
    model.conformal_windows = 300
    return model.fit(y[:900]), y


@pytest.mark.slow
@pytest.mark.parametrize("coverage", [0.8, 0.9])
def test_lstm_held_out_coverage_is_nominal(lstm_model, coverage):
    model, y = lstm_model
    # seeds 0-4 gave mean coverages 0.77-0.84 (0.8) and 0.885-0.923 (0.9)
    cov = held_out_coverage(model, y, start=900, n_origins=300, h=5, coverage=coverage,
                            hist=20, step=2)
    print(f"LSTM coverage {coverage}: {np.round(cov, 3)}, mean {cov.mean():.3f}")
    assert abs(cov.mean() - coverage) <= 0.05, cov
    assert np.all(np.abs(cov - coverage) <= 0.1), cov
    assert model.conformal_scores_.shape == (300, 5, 1)


@pytest.mark.slow
def test_lstm_intervals_are_deterministic_and_formatted():
    y = ar1(260, seed=6, mean=3.0)
    idx = pd.date_range("2010-01-01", periods=260, freq="W")
    s = pd.Series(y, index=idx, name="load")
    a = _LSTMWithIntervals(**LSTM_SETTINGS).fit(s)
    b = _LSTMWithIntervals(**LSTM_SETTINGS).fit(s)
    ia, ib = a.predict_interval(3, 0.9), b.predict_interval(3, 0.9)
    pd.testing.assert_frame_equal(ia, ib)
    assert list(ia.columns) == ["lower", "upper"] and ia.index.equals(a.predict(3).index)
    assert a.conformal_scores_.shape == (DEFAULT_CONFORMAL_WINDOWS, 3, 1)
    assert np.all(ia["lower"] < a.predict(3)) and np.all(a.predict(3) < ia["upper"])
    qa = a.predict_quantiles(3, (0.05, 0.5, 0.95))
    np.testing.assert_allclose(qa[["q0.05", "q0.95"]].to_numpy(), ia.to_numpy(), rtol=1e-12)
    # the clone kept the parameters: a differently seeded model gives other scores
    c = _LSTMWithIntervals(**dict(LSTM_SETTINGS, random_state=1)).fit(s)
    c.predict_interval(3, 0.9)
    assert not np.array_equal(c.conformal_scores_, a.conformal_scores_)
