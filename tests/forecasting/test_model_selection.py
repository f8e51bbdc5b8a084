"""scikit-learn model selection works unchanged on forecasters.

``GridSearchCV(forecaster, grid, cv=TimeSeriesSplit(...)).fit(y)`` calls
``fit(y_train)`` and ``score(y_test)``; the results are compared with a
hand-written loop over the same splits that scores with ``predict`` and
``r2_score`` directly.
"""

import itertools
import pickle

import numpy as np
import pandas as pd
import pytest
from scipy.stats import randint, uniform
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, TimeSeriesSplit
from sklearn.preprocessing import StandardScaler

from rnnforecast.forecasting import ForecastingPipeline, ReductionForecaster
from rnnforecast.transformers import Differencer, LogTransformer

H = 12


def co2_monthly():
    import statsmodels.api as sm

    y = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().ffill()
    assert y.index.freqstr == "MS"
    return y


def hand_search(estimator, grid, y, cv, X=None):
    """Mean test R² per parameter combination, by explicit loop."""
    keys = sorted(grid)
    results = []
    for values in itertools.product(*(grid[k] for k in keys)):
        params = dict(zip(keys, values))
        scores = []
        for train, test in cv.split(np.arange(len(y))):
            est = clone(estimator).set_params(**params)
            if X is None:
                est.fit(y.iloc[train])
            else:
                est.fit(y.iloc[train], X.iloc[train])
            # TimeSeriesSplit(gap=g): the test fold starts g + 1 steps after
            # the training end.
            steps = test[-1] - train[-1]
            Xf = None if X is None else X.iloc[train[-1] + 1 : test[-1] + 1]
            pred = np.asarray(est.predict(int(steps), X=Xf))[-len(test):]
            scores.append(r2_score(y.iloc[test].to_numpy(), pred))
        results.append((params, float(np.mean(scores))))
    return results


def assert_same_as_hand(gs, hand):
    best_params, best_score = max(hand, key=lambda r: r[1])
    assert gs.best_params_ == best_params
    assert gs.best_score_ == pytest.approx(best_score, rel=1e-12)
    by_params = {tuple(sorted(p.items())): s for p, s in hand}
    for params, score in zip(gs.cv_results_["params"], gs.cv_results_["mean_test_score"]):
        assert score == pytest.approx(by_params[tuple(sorted(params.items()))], rel=1e-12)


def test_gridsearch_reduction_equals_hand_loop():
    y = co2_monthly().iloc[-240:]
    grid = {"window_length": [6, 12, 24], "regressor__alpha": [0.01, 100.0]}
    cv = TimeSeriesSplit(n_splits=3, test_size=H)
    gs = GridSearchCV(ReductionForecaster(Ridge()), grid, cv=cv, error_score="raise").fit(y)
    assert_same_as_hand(gs, hand_search(ReductionForecaster(Ridge()), grid, y, cv))
    # the refitted best estimator forecasts in pandas
    pred = gs.predict(H)
    assert isinstance(pred, pd.Series)
    assert pred.index[0] == pd.Timestamp("2002-01-01")


def test_gridsearch_pipeline_model_params_equals_hand_loop():
    y = co2_monthly().iloc[-240:]
    pipe = ForecastingPipeline(
        [
            ("log", LogTransformer()),
            ("diff", Differencer(lags=12)),
            ("scale", StandardScaler()),
            ("model", ReductionForecaster(Ridge(), window_length=12)),
        ]
    )
    grid = {"model__window_length": [3, 12], "model__regressor__alpha": [0.1, 10.0]}
    cv = TimeSeriesSplit(n_splits=3, test_size=H)
    gs = GridSearchCV(pipe, grid, cv=cv, error_score="raise").fit(y)
    assert_same_as_hand(gs, hand_search(pipe, grid, y, cv))
    assert gs.best_estimator_.named_steps["model"].window_length == gs.best_params_["model__window_length"]


def test_gridsearch_with_gap_uses_index_alignment():
    # With gap=3 each test fold starts 4 steps after its training fold; the
    # pandas index survives sklearn's CV indexing, so score() aligns by date.
    y = co2_monthly().iloc[-200:]
    grid = {"window_length": [6, 12]}
    cv = TimeSeriesSplit(n_splits=3, test_size=H, gap=3)
    gs = GridSearchCV(ReductionForecaster(Ridge()), grid, cv=cv, error_score="raise").fit(y)
    assert_same_as_hand(gs, hand_search(ReductionForecaster(Ridge()), grid, y, cv))


def test_gridsearch_with_exogenous_regressors():
    y = co2_monthly().iloc[-180:]
    month = y.index.month.to_numpy()
    X = pd.DataFrame(
        {"sin": np.sin(2 * np.pi * month / 12), "cos": np.cos(2 * np.pi * month / 12)},
        index=y.index,
    )
    grid = {"window_length": [3, 6]}
    cv = TimeSeriesSplit(n_splits=3, test_size=H)
    gs = GridSearchCV(ReductionForecaster(Ridge()), grid, cv=cv, error_score="raise").fit(y, X)
    assert_same_as_hand(gs, hand_search(ReductionForecaster(Ridge()), grid, y, cv, X=X))


def test_gridsearch_numpy_input():
    y = co2_monthly().to_numpy()[-150:]
    cv = TimeSeriesSplit(n_splits=3, test_size=H)
    gs = GridSearchCV(
        ReductionForecaster(Ridge()), {"window_length": [4, 8]}, cv=cv, error_score="raise"
    ).fit(y)
    hand = hand_search(ReductionForecaster(Ridge()), {"window_length": [4, 8]}, pd.Series(y), cv)
    assert_same_as_hand(gs, hand)
    assert gs.predict(3).shape == (3,)


def test_randomized_search():
    y = co2_monthly().iloc[-200:]
    dist = {"window_length": randint(3, 25), "regressor__alpha": uniform(0.01, 10.0)}
    rs = RandomizedSearchCV(
        ReductionForecaster(Ridge()),
        dist,
        n_iter=4,
        cv=TimeSeriesSplit(n_splits=3, test_size=H),
        random_state=0,
        error_score="raise",
    ).fit(y)
    assert 3 <= rs.best_params_["window_length"] < 25
    assert np.all(np.isfinite(rs.cv_results_["mean_test_score"]))
    assert rs.best_score_ == max(rs.cv_results_["mean_test_score"])
    assert len(rs.predict(H)) == H


def test_search_result_pickles_and_predicts_identically():
    y = co2_monthly().iloc[-150:]
    gs = GridSearchCV(
        ReductionForecaster(Ridge()),
        {"window_length": [6, 12]},
        cv=TimeSeriesSplit(n_splits=3, test_size=H),
        error_score="raise",
    ).fit(y)
    again = pickle.loads(pickle.dumps(gs))
    pd.testing.assert_series_equal(again.predict(H), gs.predict(H))
    refit = clone(gs.best_estimator_).fit(y)
    pd.testing.assert_series_equal(refit.predict(H), gs.predict(H))
