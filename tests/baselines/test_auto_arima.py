"""AutoARIMAForecaster: known AirPassengers case, search bookkeeping, tests for d and D."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnforecast.baselines import ARIMAForecaster
from rnnforecast.baselines.auto_arima import AutoARIMAForecaster, kpss_ndiffs, seasonal_strength

# Box & Jenkins (1976) series G: international airline passengers (thousands),
# monthly 1949-01 .. 1960-12 (public-domain data, R's `AirPassengers`).
AIRPASSENGERS = np.array([
    112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118,
    115, 126, 141, 135, 125, 149, 170, 170, 158, 133, 114, 140,
    145, 150, 178, 163, 172, 178, 199, 199, 184, 162, 146, 166,
    171, 180, 193, 181, 183, 218, 230, 242, 209, 191, 172, 194,
    196, 196, 236, 235, 229, 243, 264, 272, 237, 211, 180, 201,
    204, 188, 235, 227, 234, 264, 302, 293, 259, 229, 203, 229,
    242, 233, 267, 269, 270, 315, 364, 347, 312, 274, 237, 278,
    284, 277, 317, 313, 318, 374, 413, 405, 355, 306, 271, 306,
    315, 301, 356, 348, 355, 422, 465, 467, 404, 347, 305, 336,
    340, 318, 362, 348, 363, 435, 491, 505, 404, 359, 310, 337,
    360, 342, 406, 396, 420, 472, 548, 559, 463, 407, 362, 405,
    417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432,
], dtype=float)


@pytest.fixture(scope="module")
def log_air():
    idx = pd.date_range("1949-01-01", periods=144, freq="MS")
    return pd.Series(np.log(AIRPASSENGERS), index=idx, name="log_passengers")


@pytest.fixture(scope="module")
def air_model(log_air):
    return AutoARIMAForecaster(seasonal_period=12).fit(log_air)


def test_airpassengers_selects_airline_model(air_model):
    assert AIRPASSENGERS.sum() == 40363  # data integrity
    f = air_model
    assert (f.d_, f.D_) == (1, 1)
    assert f.order_ == (0, 1, 1) and f.seasonal_order_ == (0, 1, 1, 12) and f.trend_ is None
    # R: arima(log(AirPassengers), c(0,1,1), seasonal=c(0,1,1)) gives
    # ma1 = -0.4018, sma1 = -0.5569, sigma^2 = 0.001348, log likelihood = 244.7
    np.testing.assert_allclose(f.results_.params, [-0.4018, -0.5569, 0.001348], atol=5e-4)
    assert f.results_.llf == pytest.approx(244.7, abs=0.05)
    assert f.converged_


def test_search_record(air_model):
    sr = air_model.search_results_
    assert list(sr.columns) == ["order", "seasonal_order", "trend", "ic", "ic_exact", "converged", "seconds", "error",
                                "selected"]
    assert len(sr) == air_model.n_models_ <= air_model.max_models
    assert sr["selected"].sum() == 1
    best = sr.loc[sr["selected"]].iloc[0]
    # approximation=True: CSS criteria rank the candidates, the n_exact best are refitted
    # by exact likelihood and the best exact criterion wins
    assert sr["ic_exact"].notna().sum() == air_model.n_exact == 3
    assert set(sr.loc[sr["ic_exact"].notna(), "ic"]) == set(sr["ic"].nsmallest(3))
    assert best["ic_exact"] == sr["ic_exact"].min() == air_model.ic_
    # the four Hyndman-Khandakar starting models come first (no constant since d + D = 2)
    assert list(sr["order"][:4]) == [(2, 1, 2), (0, 1, 0), (1, 1, 0), (0, 1, 1)]
    assert list(sr["seasonal_order"][:4]) == [(1, 1, 1, 12), (0, 1, 0, 12), (1, 1, 0, 12), (0, 1, 1, 12)]
    assert sr["trend"].isna().all()


def test_forecast_and_interval(air_model, log_air):
    ref = ARIMAForecaster(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12)).fit(log_air)
    pred = air_model.predict(12)
    assert pred.index[0] == pd.Timestamp("1961-01-01")
    np.testing.assert_allclose(pred.to_numpy(), ref.predict(12).to_numpy(), rtol=1e-6)
    iv = air_model.predict_interval(12, coverage=0.95)
    assert ((iv["lower"] < pred) & (pred < iv["upper"])).all()


def test_model_cap_and_reproducibility(log_air):
    y = np.diff(log_air.to_numpy(), 12)  # seasonally differenced, fitted as non-seasonal
    a = AutoARIMAForecaster(max_models=3).fit(y)
    b = AutoARIMAForecaster(max_models=3).fit(y)
    assert a.n_models_ == 3 == len(a.search_results_)
    cols = ["order", "seasonal_order", "trend", "ic"]
    pd.testing.assert_frame_equal(a.search_results_[cols], b.search_results_[cols])
    assert a.order_ == b.order_ and a.seasonal_order_ == b.seasonal_order_


def test_exhaustive_search_counts_models():
    rng = np.random.default_rng(3)
    y = rng.normal(size=80) + 5.0
    f = AutoARIMAForecaster(d=0, max_p=1, max_q=1, stepwise=False).fit(y)
    # p, q in {0, 1} x constant in {no, yes}
    assert f.n_models_ == 8
    assert set(f.search_results_["trend"].fillna("none")) == {"none", "c"}
    # white noise around 5: the constant must be kept
    assert f.trend_ == "c"


def test_differencing_tests():
    rng = np.random.default_rng(7)
    noise = rng.normal(size=200)
    walk = noise.cumsum()
    assert kpss_ndiffs(noise) == 0
    assert kpss_ndiffs(walk) == 1
    assert kpss_ndiffs(walk.cumsum()) == 2
    assert kpss_ndiffs(np.ones(50)) == 0
    t = np.arange(120)
    assert seasonal_strength(10 * np.sin(2 * np.pi * t / 12) + rng.normal(size=120), 12) > 0.9
    assert seasonal_strength(rng.normal(size=120), 12) < 0.64
    assert AutoARIMAForecaster().fit(walk[:120]).d_ == 1


def test_exogenous_regressor():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(100, 1))
    y = 3.0 * X[:, 0] + rng.normal(scale=0.3, size=100) + 1.0
    f = AutoARIMAForecaster(max_p=1, max_q=1).fit(y, X)
    assert f.results_.params[list(f.results_.param_names).index("x1")] == pytest.approx(3.0, abs=0.2)
    assert f.predict(2, X=rng.normal(size=(2, 1))).shape == (2,)
    with pytest.raises(ValueError, match="X is required"):
        f.predict(2)


def test_validation():
    with pytest.raises(ValueError, match="D=1 needs seasonal_period >= 2"):
        AutoARIMAForecaster(D=1).fit(np.arange(30.0))
    with pytest.raises(ValueError, match="information_criterion"):
        AutoARIMAForecaster(information_criterion="hqic").fit(np.arange(30.0))
    with pytest.raises(ValueError, match="single series"):
        AutoARIMAForecaster().fit(np.ones((30, 2)))


def test_exact_search_without_approximation(log_air):
    """approximation=False: every candidate by exact likelihood, the best one refitted."""
    y = np.diff(log_air.to_numpy(), 12)
    f = AutoARIMAForecaster(approximation=False, max_p=2, max_q=2).fit(y)
    sr = f.search_results_
    best = sr.loc[sr["selected"]].iloc[0]
    assert best["ic"] == sr["ic"].min() == f.ic_
    assert sr["ic_exact"].notna().sum() == 1 and f.converged_
    # the approximate search refits the n_exact best by CSS and keeps the best exact criterion,
    # which is as good as the exact search's (to 2 units)
    g = AutoARIMAForecaster(max_p=2, max_q=2, n_exact=2).fit(y)
    gs = g.search_results_
    assert set(gs.loc[gs["ic_exact"].notna(), "ic"]) == set(gs["ic"].nsmallest(2))
    assert gs.loc[gs["selected"], "ic_exact"].iloc[0] == gs["ic_exact"].min() == g.ic_
    assert g.ic_ <= sr["ic_exact"].min() + 2.0


@pytest.mark.parametrize("approximation", [True, False])
def test_refit_failure_falls_back_to_next_candidate(monkeypatch, approximation):
    import rnnforecast.baselines._arima_search as aa  # the search and its exact fits live here

    rng = np.random.default_rng(11)
    y = rng.normal(size=90).cumsum()
    kw = dict(max_models=6, approximation=approximation, n_exact=1)
    first = AutoARIMAForecaster(**kw).fit(y)
    sr = first.search_results_
    ranked = sr[np.isfinite(sr["ic"])].sort_values("ic", kind="stable")
    best, second = ranked.iloc[0], ranked.iloc[1]

    real_fit = aa._sarimax_fit

    def failing_fit(y, X, **kw):
        # the search's exact fits (approximation=False) are on the differenced series
        refit = approximation or not kw.get("simple_differencing")
        if refit and kw["order"] == best["order"] and kw["trend"] == best["trend"]:
            raise aa.ARIMAFitError("synthetic refit failure")
        return real_fit(y, X, **kw)

    monkeypatch.setattr(aa, "_sarimax_fit", failing_fit)
    f = AutoARIMAForecaster(**kw).fit(y)
    assert f.refit_failures_ == ["synthetic refit failure"]
    assert (f.order_, f.trend_) == (second["order"], second["trend"])
    assert f.search_results_.loc[f.search_results_["selected"], "ic"].iloc[0] == second["ic"]
    assert f.ic_ == (f.search_results_["ic_exact"].min() if approximation else second["ic"])


def test_unconverged_exact_fit_is_continued_then_reported(log_air):
    """approximation=True: an unconverged exact fit gets 2 * maxiter more L-BFGS iterations; if the
    selected model still has not converged, on_failure applies (warn or raise)."""
    from sklearn.exceptions import ConvergenceWarning

    from rnnforecast.baselines import ARIMAFitError

    y = log_air.to_numpy()
    with pytest.warns(ConvergenceWarning, match=r"did not converge \(lbfgs, maxiter=3\)"):
        f = AutoARIMAForecaster(seasonal_period=12, maxiter=1, max_p=1, max_q=1, max_P=1, max_Q=1).fit(y)
    assert f.fit_method_ == "lbfgs+lbfgs" and not f.converged_
    assert np.all(np.isfinite(f.predict(3)))
    with pytest.raises(ARIMAFitError, match="did not converge"):
        AutoARIMAForecaster(seasonal_period=12, maxiter=1, max_p=1, max_q=1, max_P=1, max_Q=1, on_failure="raise").fit(y)
    # enough iterations: converged, no continuation
    g = AutoARIMAForecaster(seasonal_period=12, max_p=1, max_q=1, max_P=1, max_Q=1).fit(y)
    assert g.converged_ and g.fit_method_ == "lbfgs"
