"""Intervals and quantiles of the neural forecasters: quantile head and conformal.

The single-series conformal machinery is tested in test_intervals.py; here:
collections (pooled, scale-normalised conformal scores), the pinball head,
output formats and errors.
"""

from functools import partial

import numpy as np
import pandas as pd
import pytest

from rnnforecast import LSTMForecaster
from rnnforecast.forecasting.neural.ensemble import PRE_AUTO_DEFAULTS

# The fits below pin the single-network behaviour of the 0.x defaults.
old = partial(dict, PRE_AUTO_DEFAULTS)

SMALL = dict(window_length=8, hidden_size=8, max_iter=10, n_jobs=1, random_state=0)


def ar_panel(n_series=80, n=160, h=4, phi=0.6, seed=0):
    """AR(1) series around different levels and scales; returns long train and test frames."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        scale = 10.0 ** rng.uniform(-1, 2)
        x = np.zeros(n + h)
        for t in range(1, n + h):
            x[t] = phi * x[t - 1] + rng.standard_normal()
        frames.append(pd.DataFrame({"unique_id": f"a{i:03d}", "ds": np.arange(n + h),
                                    "y": 100 * scale + scale * x}))
    df = pd.concat(frames, ignore_index=True)
    from_end = df.groupby("unique_id").cumcount(ascending=False)
    return df[from_end >= h].reset_index(drop=True), df[from_end < h].reset_index(drop=True)


def coverage(frame, test):
    m = test.merge(frame, on=["unique_id", "ds"])
    assert len(m) == len(test)
    return float(np.mean((m["y"] >= m["lower"]) & (m["y"] <= m["upper"])))


def test_conformal_coverage_on_a_collection_of_ar_series():
    h = 4
    train, test = ar_panel(h=h)
    f = LSTMForecaster(**old(**SMALL, conformal_windows=160)).fit(train)   # 2 origins per series
    cov80 = coverage(f.predict_interval(h, coverage=0.8), test)
    cov95 = coverage(f.predict_interval(h, coverage=0.95), test)
    assert abs(cov80 - 0.8) <= 0.06, cov80
    assert abs(cov95 - 0.95) <= 0.04, cov95
    assert f.conformal_scores_.shape == (160, h)
    # intervals are per series: wider for the series with a larger scale
    iv = f.predict_interval(h, coverage=0.8)
    width = (iv["upper"] - iv["lower"]).groupby(iv["unique_id"]).mean()
    spread = train.groupby("unique_id")["y"].std()
    assert np.corrcoef(width, spread.loc[width.index])[0, 1] > 0.9
    # quantiles agree with the intervals and are ordered
    q = f.predict_quantiles(h, [0.1, 0.5, 0.9])
    np.testing.assert_allclose(q["q0.1"], iv["lower"])
    np.testing.assert_allclose(q["q0.9"], iv["upper"])
    np.testing.assert_allclose(q["q0.5"], f.predict(h)["y"])
    assert (q["q0.1"] <= q["q0.5"]).all() and (q["q0.5"] <= q["q0.9"]).all()


def test_collection_calibration_is_cached_and_deterministic():
    train, _ = ar_panel(n_series=12, n=80)
    f = LSTMForecaster(**old(**SMALL, conformal_windows=24)).fit(train)
    a = f.predict_interval(3)
    scores = f.conformal_scores_
    b = f.predict_interval(2)
    assert f.conformal_scores_ is scores                     # reused for a smaller h
    pd.testing.assert_frame_equal(a.groupby("unique_id").head(2).reset_index(drop=True),
                                  b.reset_index(drop=True))
    g = LSTMForecaster(**old(**SMALL, conformal_windows=24)).fit(train)
    pd.testing.assert_frame_equal(g.predict_interval(3), a)
    f.fit(train.assign(y=train["y"] * 2))                    # a refit recalibrates
    c = f.predict_interval(3)
    np.testing.assert_allclose(c["upper"] - c["lower"], 2 * (a["upper"] - a["lower"]), rtol=0.3)


def test_list_collection_intervals_format():
    rng = np.random.default_rng(3)
    series = [50 + np.cumsum(rng.standard_normal(120)) for _ in range(10)]
    f = LSTMForecaster(**old(**SMALL, conformal_windows=30)).fit(series)
    iv = f.predict_interval(5, coverage=0.9)
    assert isinstance(iv, list) and len(iv) == 10
    assert all(a.shape == (5, 2) and (a[:, 0] < a[:, 1]).all() for a in iv)
    q = f.predict_quantiles(5, [0.25, 0.75], y=[s[:100] for s in series[:3]])
    assert len(q) == 3 and q[0].shape == (5, 2)


def test_pinball_head_single_series_and_collection():
    rng = np.random.default_rng(0)
    n = 600
    y = 10 + np.sin(np.arange(n) * 2 * np.pi / 12) + 0.5 * rng.standard_normal(n)
    f = LSTMForecaster(**old(window_length=12, hidden_size=16, max_iter=30, n_jobs=1, random_state=0,
                       loss="pinball", quantiles=[0.1, 0.5, 0.9], strategy="direct",
                       horizon=6)).fit(y[:-60])
    assert f.network_.output_size == 6 * 3
    # held-out coverage of the 0.1-0.9 band from rolling origins
    hits = []
    for t in range(n - 60, n - 6, 3):
        band = f.predict_interval(6, coverage=0.8, y=y[:t])
        hits.extend((y[t:t + 6] >= band[:, 0]) & (y[t:t + 6] <= band[:, 1]))
    assert abs(np.mean(hits) - 0.8) < 0.12, np.mean(hits)
    q = f.predict_quantiles(6, [0.1, 0.5, 0.9])
    np.testing.assert_allclose(q[:, 1], f.predict(6))
    assert (q[:, 0] < q[:, 1]).all() and (q[:, 1] < q[:, 2]).all()
    with pytest.raises(ValueError, match="level 0.05 is not among them"):
        f.predict_interval(6, coverage=0.9)
    s = pd.Series(y[:-60], index=pd.date_range("2000-01", periods=n - 60, freq="MS"))
    qs = LSTMForecaster(**old(**{**SMALL, "max_iter": 2}, loss="pinball")).fit(s).predict_quantiles(
        2, [0.05, 0.95])
    assert list(qs.columns) == ["q0.05", "q0.95"] and qs.index.freq == "MS"


def test_quantile_and_interval_errors():
    y = np.sin(np.arange(200) / 4.0)
    with pytest.raises(ValueError, match="quantiles must include 0.5"):
        LSTMForecaster(**old(**SMALL, loss="pinball", quantiles=[0.1, 0.9])).fit(y)
    with pytest.raises(ValueError, match="quantiles"):
        LSTMForecaster(**old(**SMALL, loss="pinball", quantiles=[0.5, 0.1])).fit(y)
    f = LSTMForecaster(**old(**{**SMALL, "max_iter": 1}, conformal_windows=5)).fit(y)
    with pytest.raises(ValueError, match="conformal_windows"):
        f.predict_interval(2, coverage=0.9)
    with pytest.raises(ValueError, match="coverage"):
        f.predict_interval(2, coverage=1.5)
    X = np.random.default_rng(0).standard_normal((200, 1))
    g = LSTMForecaster(**old(**{**SMALL, "max_iter": 1}, past_covariates=[0])).fit(y, X=X)
    with pytest.raises(ValueError, match="not available with past_covariates"):
        g.predict_interval(2)


def test_calibration_warnings_say_they_come_from_the_calibration_fit():
    # predict_interval refits a clone on the start of the series; a fallback warning of that
    # clone ("the series has 17 observations") must not read as if about the user's 84.
    import warnings

    from rnnforecast.datasets import load_dataset

    y = load_dataset("elec_equip").iloc[:84]
    f = LSTMForecaster(random_state=0, n_jobs=1).fit(y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f.predict_interval(18)
    texts = [str(w.message) for w in caught]
    assert any("17 observations" in t for t in texts)
    assert all(t.startswith("predict_interval (h=18): calibration fit on the first 17 of 84 "
                            "observations") for t in texts if "observations" in t)
