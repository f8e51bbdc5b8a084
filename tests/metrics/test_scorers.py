"""Forecast scorers inside GridSearchCV, checked against a hand-written evaluation loop."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from rnnforecast.baselines import NaiveForecaster
from rnnforecast.datasets import load_elec_equip
from rnnforecast.metrics import make_forecast_scorer, neg_mase_scorer, neg_smape_scorer

from naive_cv import manual_naive_cv_score


@pytest.fixture(scope="module")
def y():
    return load_elec_equip()


def test_grid_search_with_mase_scorer_matchesmanual_naive_cv_score(y):
    cv = TimeSeriesSplit(n_splits=3, test_size=12)
    grid = [{"strategy": ["last", "mean"]}, {"strategy": ["seasonal_last"], "seasonal_period": [12]}]
    mase12 = make_forecast_scorer("mase", seasonal_period=12)
    gs = GridSearchCV(NaiveForecaster(), grid, cv=cv, scoring={"mase1": neg_mase_scorer, "mase12": mase12,
                                                                "smape": neg_smape_scorer}, refit="mase12").fit(y)

    def mase(m):
        return lambda tr, te, f: -np.mean(np.abs(te - f)) / np.mean(np.abs(tr[m:] - tr[:-m]))

    def smape(tr, te, f):
        return -np.mean(200 * np.abs(te - f) / (np.abs(te) + np.abs(f)))

    for k, params in enumerate(gs.cv_results_["params"]):
        strategy, sp = params["strategy"], params.get("seasonal_period", 1)
        assert gs.cv_results_["mean_test_mase1"][k] == pytest.approx(manual_naive_cv_score(y, strategy, sp, cv, mase(1)))
        assert gs.cv_results_["mean_test_mase12"][k] == pytest.approx(manual_naive_cv_score(y, strategy, sp, cv, mase(12)))
        assert gs.cv_results_["mean_test_smape"][k] == pytest.approx(manual_naive_cv_score(y, strategy, sp, cv, smape))
    # the monthly orders series is strongly seasonal
    assert gs.best_params_ == {"strategy": "seasonal_last", "seasonal_period": 12}


def test_scorer_passes_exogenous_test_block():
    """GridSearchCV(...).fit(y, X) hands X's test rows to the scorer as its third argument."""
    from sklearn.model_selection import GridSearchCV
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    from rnnforecast.baselines import ARIMAForecaster
    from rnnforecast.metrics import neg_mae_scorer

    rng = np.random.default_rng(4)
    X = rng.normal(size=(60, 1))
    yv = 1.0 + 2.0 * X[:, 0] + rng.normal(scale=0.2, size=60)
    cv = TimeSeriesSplit(n_splits=2, test_size=5)
    gs = GridSearchCV(ARIMAForecaster(trend="c"), {"order": [(0, 0, 0)]}, cv=cv, scoring=neg_mae_scorer).fit(yv, X)
    manual = []
    for train, test in cv.split(yv):
        fc = SARIMAX(yv[train], exog=X[train], order=(0, 0, 0), trend="c").fit(disp=False).forecast(
            len(test), exog=X[test]
        )
        manual.append(-np.mean(np.abs(yv[test] - fc)))
    # ARIMAForecaster fits y / scale_ (scale-equivariant fits), statsmodels y: same optimum to ~1e-5
    assert gs.cv_results_["mean_test_score"][0] == pytest.approx(np.mean(manual), rel=1e-4)
