"""Forecast scorers by scikit-learn name (``rnnforecast.model_selection``) over every forecaster
family -- neural, naive, ARIMA, pipeline -- checked against metrics written out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV as SklearnGridSearchCV
from sklearn.model_selection import TimeSeriesSplit

from rnnforecast import (
    ARIMAForecaster,
    ForecastingPipeline,
    LogTransformer,
    LSTMForecaster,
    NaiveForecaster,
)
from rnnforecast.datasets import load_elec_equip
from rnnforecast.metrics import make_forecast_scorer
from rnnforecast.model_selection import (
    FORECAST_SCORERS,
    GridSearchCV as ForecastGridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
    cross_validate,
    get_forecast_scorer,
)

from naive_cv import manual_naive_cv_score


@pytest.fixture(scope="module")
def y():
    return load_elec_equip()


NAMES = ["neg_mean_absolute_error", "neg_mean_squared_error", "neg_root_mean_squared_error",
         "neg_mean_absolute_percentage_error", "r2", "neg_mean_absolute_scaled_error",
         "neg_symmetric_mean_absolute_percentage_error"]


def _by_hand(name, train, test, f):
    """Each metric written out (not taken from the code under test)."""
    e = test - f
    values = {
        "neg_mean_absolute_error": -np.mean(np.abs(e)),
        "neg_mean_squared_error": -np.mean(e ** 2),
        "neg_root_mean_squared_error": -np.sqrt(np.mean(e ** 2)),
        "neg_mean_absolute_percentage_error": -np.mean(np.abs(e) / np.abs(test)),
        "r2": 1 - np.sum(e ** 2) / np.sum((test - test.mean()) ** 2),
        "neg_mean_absolute_scaled_error": -np.mean(np.abs(e)) / np.mean(np.abs(np.diff(train))),
        "neg_symmetric_mean_absolute_percentage_error":
            -np.mean(200 * np.abs(e) / (np.abs(test) + np.abs(f))),
    }
    return values[name]


FAMILIES = {
    "neural": lambda: LSTMForecaster(hidden_size=3, max_iter=3, window_length=6, random_state=0, n_jobs=1),
    "naive": lambda: NaiveForecaster(strategy="drift"),
    "arima": lambda: ARIMAForecaster(order=(1, 1, 0)),
    "pipeline": lambda: ForecastingPipeline([("log", LogTransformer()),
                                             ("f", NaiveForecaster(strategy="seasonal_last", seasonal_period=12))]),
}


def test_the_registry_holds_exactly_the_documented_names():
    assert sorted(FORECAST_SCORERS) == sorted(NAMES)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_scorer_name_over_every_family_matches_a_manual_loop(family, y):
    series = y.iloc[:96]
    cv = TimeSeriesSplit(n_splits=2, test_size=6)
    model = FAMILIES[family]()
    gs = ForecastGridSearchCV(model, [{}], scoring=NAMES, refit="neg_mean_absolute_error", cv=cv,
                              error_score="raise").fit(series)
    v = series.to_numpy()
    for name in NAMES:
        manual = []
        for train, test in cv.split(v):
            f = np.asarray(clone(model).fit(series.iloc[train]).predict(len(test)))
            manual.append(_by_hand(name, v[train], v[test], f))
        got = gs.cv_results_[f"mean_test_{name}"][0]
        assert np.isfinite(got) and got == pytest.approx(np.mean(manual), rel=1e-9), name
    # the refitted search scores a held-out block with the refit metric
    assert gs.score(y.iloc[96:102]) == pytest.approx(_by_hand(
        "neg_mean_absolute_error", v, y.to_numpy()[96:102],
        np.asarray(clone(model).fit(series).predict(6))), rel=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_each_name_alone_as_scoring_string(name, y):
    cv = TimeSeriesSplit(n_splits=3, test_size=12)
    grid = {"strategy": ["last", "mean", "seasonal_last"], "seasonal_period": [12]}
    gs = ForecastGridSearchCV(NaiveForecaster(), grid, scoring=name, cv=cv, error_score="raise").fit(y)
    assert gs.scoring == name  # parameters untouched by the fit
    assert np.isfinite(gs.cv_results_["mean_test_score"]).all()
    for k, params in enumerate(gs.cv_results_["params"]):
        expected = manual_naive_cv_score(y, params["strategy"], 12, cv, lambda tr, te, f: _by_hand(name, tr, te, f))
        assert gs.cv_results_["mean_test_score"][k] == pytest.approx(expected, rel=1e-9)
    assert gs.best_params_["strategy"] == "seasonal_last"


def test_cross_validate_and_cross_val_score_take_names(y):
    cv = TimeSeriesSplit(n_splits=2, test_size=12)
    model = FAMILIES["pipeline"]()
    res = cross_validate(model, y, cv=cv, scoring={"mae": "neg_mean_absolute_error",
                                                   "mase12": make_forecast_scorer("mase", seasonal_period=12)})
    scores = cross_val_score(model, y, cv=cv, scoring="neg_mean_absolute_error")
    np.testing.assert_array_equal(res["test_mae"], scores)
    v = y.to_numpy()
    for k, (train, test) in enumerate(cv.split(v)):
        f = np.resize(v[train][-12:], 12)
        assert scores[k] == pytest.approx(-np.mean(np.abs(v[test] - f)), rel=1e-9)
        assert res["test_mase12"][k] == pytest.approx(
            -np.mean(np.abs(v[test] - f)) / np.mean(np.abs(v[train][12:] - v[train][:-12])), rel=1e-9)


def test_names_with_exogenous_regressors():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 1))
    yv = 5.0 + 2.0 * X[:, 0] + rng.normal(scale=0.2, size=60)
    cv = TimeSeriesSplit(n_splits=2, test_size=5)
    gs = RandomizedSearchCV(ARIMAForecaster(trend="c"), {"order": [(0, 0, 0)]}, n_iter=1, cv=cv,
                            scoring="neg_root_mean_squared_error", error_score="raise").fit(yv, X)
    manual = []
    for train, test in cv.split(yv):
        f = ARIMAForecaster(order=(0, 0, 0), trend="c").fit(yv[train], X[train]).predict(len(test), X=X[test])
        manual.append(-np.sqrt(np.mean((yv[test] - f) ** 2)))
    assert gs.cv_results_["mean_test_score"][0] == pytest.approx(np.mean(manual), rel=1e-9)


def test_scikit_learn_search_with_the_resolved_scorer(y):
    cv = TimeSeriesSplit(n_splits=2, test_size=12)
    ours = ForecastGridSearchCV(NaiveForecaster(), {"strategy": ["last", "mean"]}, cv=cv,
                                scoring="neg_mean_absolute_percentage_error").fit(y)
    theirs = SklearnGridSearchCV(NaiveForecaster(), {"strategy": ["last", "mean"]}, cv=cv,
                                 scoring=get_forecast_scorer("neg_mean_absolute_percentage_error")).fit(y)
    np.testing.assert_array_equal(ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"])


def test_unknown_name_lists_the_valid_ones(y):
    with pytest.raises(ValueError, match="neg_mean_absolute_error.*got 'accuracy'"):
        ForecastGridSearchCV(NaiveForecaster(), {"strategy": ["last"]}, scoring="accuracy",
                             cv=TimeSeriesSplit(2, test_size=6)).fit(y)
    with pytest.raises(TypeError, match="scoring must be"):
        cross_val_score(NaiveForecaster(), y, scoring=3.5)
