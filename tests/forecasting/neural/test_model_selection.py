"""Grid and randomized search over the neural forecasters.

``GridSearchCV(forecaster, grid, cv=TimeSeriesSplit(...)).fit(y)`` calls
``fit(y_train)`` and ``score(y_test)``; the results are compared with a
hand-written loop over the same splits that scores with ``predict`` and
``r2_score``.  With ``n_jobs=2`` the search runs in joblib (loky) worker
processes, where joblib sets ``NUMBA_NUM_THREADS=cpu_count() // 2``; the
forecasters' ``n_jobs=None`` resolves to that, so the workers do not
oversubscribe the cores.
"""

import itertools
import os

import joblib
from functools import partial

import numpy as np
import pandas as pd
import pytest
from scipy.stats import loguniform, randint
from sklearn.base import clone
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, TimeSeriesSplit
from sklearn.preprocessing import StandardScaler

from rnnforecast.forecasting import ForecastingPipeline
from rnnforecast.forecasting.neural import GRUForecaster, LSTMForecaster
from rnnforecast.forecasting.neural.ensemble import PRE_AUTO_DEFAULTS

# The fits below pin the single-network behaviour of the 0.x defaults.
old = partial(dict, PRE_AUTO_DEFAULTS)

H = 6
SMALL = dict(window_length=6, hidden_size=4, max_iter=4, n_jobs=1, random_state=0)


def series(n=90):
    idx = pd.date_range("2000-01-01", periods=n, freq="MS")
    t = np.arange(n)
    return pd.Series(100 + 0.2 * t + 5 * np.sin(2 * np.pi * t / 12), index=idx, name="y")


def hand_search(estimator, grid, y, cv):
    """(params, mean test R²) for every combination, by an explicit loop."""
    keys = sorted(grid)
    results = []
    for values in itertools.product(*(grid[k] for k in keys)):
        params = dict(zip(keys, values))
        scores = []
        for train, test in cv.split(np.arange(len(y))):
            est = clone(estimator).set_params(**params).fit(y.iloc[train])
            pred = np.asarray(est.predict(len(test)))
            scores.append(r2_score(y.iloc[test].to_numpy(), pred))
        results.append((params, float(np.mean(scores))))
    return results


def assert_same_as_hand(search, hand):
    best_params, best_score = max(hand, key=lambda r: r[1])
    assert search.best_params_ == best_params
    assert search.best_score_ == pytest.approx(best_score, rel=1e-12, abs=1e-12)
    by_params = {tuple(sorted(p.items())): s for p, s in hand}
    for params, score in zip(search.cv_results_["params"],
                             search.cv_results_["mean_test_score"]):
        assert score == pytest.approx(by_params[tuple(sorted(params.items()))], rel=1e-12,
                                      abs=1e-12)


def test_gridsearch_equals_hand_loop():
    y = series()
    grid = {"hidden_size": [2, 4], "learning_rate_init": [0.01, 0.1]}
    cv = TimeSeriesSplit(n_splits=3, test_size=H)
    gs = GridSearchCV(LSTMForecaster(**old(**SMALL)), grid, cv=cv, error_score="raise").fit(y)
    assert_same_as_hand(gs, hand_search(LSTMForecaster(**old(**SMALL)), grid, y, cv))
    pred = gs.predict(H)
    assert pred.index[0] == pd.Timestamp("2007-07-01")
    assert gs.best_estimator_.hidden_size == gs.best_params_["hidden_size"]


def _threads_used(estimator, X, y=None):
    # Scorer: the number of kernel threads the fit in this process used.
    return float(estimator._n_threads_)


def _r2(estimator, X, y=None):
    return estimator.score(X)


def test_parallel_search_limits_numba_threads_in_workers():
    y = series()
    grid = {"hidden_size": [2, 4]}
    cv = TimeSeriesSplit(n_splits=3, test_size=H)
    est = LSTMForecaster(**old(**{**SMALL, "n_jobs": None}))  # resolve in each process
    gs = GridSearchCV(est, grid, cv=cv, n_jobs=2, refit=False, error_score="raise",
                      scoring={"r2": _r2, "threads": _threads_used}).fit(y)
    # joblib gives each of its 2 workers max(cpu_count() // 2, 1) threads
    # through NUMBA_NUM_THREADS (unless the variable is set already).
    expected = int(os.environ.get("NUMBA_NUM_THREADS", max(joblib.cpu_count() // 2, 1)))
    np.testing.assert_array_equal(gs.cv_results_["mean_test_threads"], expected)
    # Same scores as a sequential loop in this process (any thread count).
    hand = hand_search(LSTMForecaster(**old(**SMALL)), grid, y, cv)
    by_params = {p["hidden_size"]: s for p, s in hand}
    for params, score in zip(gs.cv_results_["params"], gs.cv_results_["mean_test_r2"]):
        assert score == pytest.approx(by_params[params["hidden_size"]], rel=1e-12, abs=1e-12)


def test_randomized_search():
    y = series()
    dist = {"hidden_size": randint(2, 6), "learning_rate_init": loguniform(1e-3, 1e-1)}
    rs = RandomizedSearchCV(GRUForecaster(**old(**SMALL)), dist, n_iter=3,
                            cv=TimeSeriesSplit(n_splits=3, test_size=H), random_state=0,
                            error_score="raise").fit(y)
    assert 2 <= rs.best_params_["hidden_size"] < 6
    assert 1e-3 <= rs.best_params_["learning_rate_init"] <= 1e-1
    assert np.all(np.isfinite(rs.cv_results_["mean_test_score"]))
    assert rs.best_score_ == max(rs.cv_results_["mean_test_score"])
    assert rs.predict(H).shape == (H,)


def test_nested_gridsearch_over_pipeline():
    y = series()
    pipe = ForecastingPipeline([
        ("scale", StandardScaler()),
        ("model", LSTMForecaster(**old(scaler=None, **SMALL))),
    ])
    grid = {"model__hidden_size": [2, 4]}
    cv = TimeSeriesSplit(n_splits=3, test_size=H)
    gs = GridSearchCV(pipe, grid, cv=cv, error_score="raise").fit(y)
    assert_same_as_hand(gs, hand_search(pipe, grid, y, cv))
    best = gs.best_estimator_.named_steps["model"]
    assert best.hidden_size == gs.best_params_["model__hidden_size"]
    assert best.network_.hidden_size == best.hidden_size
    assert gs.predict(H).shape == (H,)
