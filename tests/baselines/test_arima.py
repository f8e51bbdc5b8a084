"""ARIMAForecaster compared with calling statsmodels' SARIMAX directly."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from statsmodels.tsa.statespace.sarimax import SARIMAX

import rnnforecast.baselines.arima as arima_mod
from rnnforecast.baselines import ARIMAFitError, ARIMAForecaster
from rnnforecast.metrics import neg_mae_scorer


def _ar1(n: int = 120, phi: float = 0.6, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n)
    y = np.empty(n)
    y[0] = e[0]
    for t in range(1, n):
        y[t] = phi * y[t - 1] + e[t]
    return y + 10.0


@pytest.fixture(scope="module")
def series():
    idx = pd.date_range("2001-01-01", periods=120, freq="MS")
    return pd.Series(_ar1(), index=idx, name="y")


# The wrapper maximises the likelihood of y / scale_ (see the arima module
# docstring), statsmodels that of y: both stop at the optimiser's tolerance, at
# slightly different points of the same optimum, hence the tolerances below
# (the log-likelihoods agree to 1e-5; forecasts to ~1e-5 relative).
RTOL = 2e-4


def test_matches_statsmodels_numpy_and_pandas(series):
    y = series.to_numpy()
    ref = SARIMAX(y, order=(1, 0, 1), trend="c").fit(disp=False)
    f = ARIMAForecaster(order=(1, 0, 1), trend="c").fit(y)
    np.testing.assert_allclose(f.params_, ref.params, rtol=1e-3, atol=1e-4)
    assert f.results_.llf == pytest.approx(ref.llf, abs=1e-5)
    np.testing.assert_allclose(f.predict(6), ref.forecast(6), rtol=RTOL)
    np.testing.assert_allclose(f.predict_interval(6, coverage=0.8), ref.get_forecast(6).conf_int(alpha=0.2), rtol=RTOL)
    assert f.aicc_ == pytest.approx(ref.aicc, abs=1e-4) and f.converged_ and f.fit_method_ == "lbfgs"

    fp = ARIMAForecaster(order=(1, 0, 1), trend="c").fit(series)
    pred = fp.predict(3)
    assert isinstance(pred, pd.Series) and pred.index[0] == pd.Timestamp("2011-01-01")
    np.testing.assert_allclose(pred.to_numpy(), ref.forecast(3), rtol=RTOL)
    iv = fp.predict_interval(3)
    assert list(iv.columns) == ["lower", "upper"] and iv.index.equals(pred.index)
    np.testing.assert_allclose(iv.to_numpy(), ref.get_forecast(3).conf_int(alpha=0.1), rtol=RTOL)


def test_seasonal_and_new_history(series):
    y = series.to_numpy()
    ref = SARIMAX(y, order=(1, 0, 0), seasonal_order=(0, 1, 1, 4)).fit(disp=False)
    f = ARIMAForecaster(order=(1, 0, 0), seasonal_order=(0, 1, 1, 4)).fit(y)
    np.testing.assert_allclose(f.predict(9), ref.forecast(9), rtol=RTOL)
    # forecasting from a new history keeps the fitted parameters
    new = y[:80]
    np.testing.assert_allclose(f.predict(5, y=new), ref.apply(new, refit=False).forecast(5), rtol=RTOL)


def test_exogenous_regressors():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(110, 2))
    y = 2.0 * X[:, 0] - X[:, 1] + _ar1(110, 0.5, 2)
    Xf = rng.normal(size=(4, 2))
    ref = SARIMAX(y, exog=X, order=(1, 0, 0), trend="c").fit(disp=False)
    f = ARIMAForecaster(order=(1, 0, 0), trend="c").fit(y, X)
    np.testing.assert_allclose(f.predict(4, X=Xf), ref.forecast(4, exog=Xf), rtol=RTOL)
    assert f.n_exog_ == 2
    with pytest.raises(ValueError, match="X is required"):
        f.predict(4)
    # new history: X covers history + horizon
    Xall = np.vstack([X[:60], Xf])
    expected = ref.apply(y[:60], exog=X[:60], refit=False).forecast(4, exog=Xf)
    np.testing.assert_allclose(f.predict(4, X=Xall, y=y[:60]), expected, rtol=RTOL)


def test_grid_search_over_order(series):
    cv = TimeSeriesSplit(n_splits=3, test_size=6)
    grid = [(0, 0, 0), (1, 0, 0)]
    gs = GridSearchCV(
        ARIMAForecaster(trend="c"), {"order": grid}, cv=cv, scoring=neg_mae_scorer
    ).fit(series)
    # the same evaluation done by hand with statsmodels
    y = series.to_numpy()
    manual = []
    for order in grid:
        maes = []
        for train, test in cv.split(y):
            fc = SARIMAX(y[train], order=order, trend="c").fit(disp=False).forecast(len(test))
            maes.append(-np.mean(np.abs(y[test] - fc)))
        manual.append(np.mean(maes))
    np.testing.assert_allclose(gs.cv_results_["mean_test_score"], manual, rtol=RTOL)
    assert gs.best_params_ == {"order": grid[int(np.argmax(manual))]}
    assert isinstance(gs.best_estimator_.order, tuple)


def test_univariate_only_and_validation(series):
    with pytest.raises(ValueError, match="ARIMAForecaster forecasts a single series; got y with 2 columns"):
        ARIMAForecaster().fit(np.c_[series, series])
    with pytest.raises(ValueError, match=r"order must be a tuple of 3"):
        ARIMAForecaster(order=(1, 0)).fit(series)
    with pytest.raises(TypeError, match=r"order must contain ints"):
        ARIMAForecaster(order=(1.0, 0, 0)).fit(series)
    with pytest.raises(ValueError, match="seasonal period s >= 2"):
        ARIMAForecaster(seasonal_order=(1, 0, 0, 1)).fit(series)
    with pytest.raises(ValueError, match="trend"):
        ARIMAForecaster(trend="linear").fit(series)
    with pytest.raises(ValueError, match="needs at least"):
        ARIMAForecaster(order=(3, 1, 3)).fit(series.iloc[:6])
    with pytest.raises(NotFittedError):
        ARIMAForecaster().predict(1)


class _NeverConverges(SARIMAX):
    """SARIMAX whose optimiser always reports non-convergence (real estimates kept)."""

    def fit(self, *args, **kwargs):
        res = super().fit(*args, **kwargs)
        res.mle_retvals["converged"] = False
        return res


class _Singular(SARIMAX):
    def fit(self, *args, **kwargs):
        raise np.linalg.LinAlgError("Singular matrix")


def test_nonconvergence_fallback_warns_or_raises(monkeypatch, series):
    monkeypatch.setattr(arima_mod, "SARIMAX", _NeverConverges)
    with pytest.warns(ConvergenceWarning, match=r"ARIMA\(1, 0, 0\).*did not converge.*Nelder-Mead"):
        f = ARIMAForecaster(order=(1, 0, 0), trend="c").fit(series)
    assert f.converged_ is False and f.fit_method_ in ("lbfgs", "lbfgs->nm")
    assert np.all(np.isfinite(f.predict(3)))
    with pytest.raises(ARIMAFitError, match="did not converge"):
        ARIMAForecaster(order=(1, 0, 0), on_failure="raise").fit(series)


def test_numerical_failure_raises(monkeypatch, series):
    monkeypatch.setattr(arima_mod, "SARIMAX", _Singular)
    with pytest.raises(ARIMAFitError, match=r"ARIMA\(2, 1, 0\): numerical failure.*Singular matrix"):
        ARIMAForecaster(order=(2, 1, 0)).fit(series)


def test_no_warnings_on_clean_fit(series):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ARIMAForecaster(order=(1, 0, 0), trend="c").fit(series).predict(2)


def test_fitted_model_keeps_no_per_step_state_space_arrays():
    """A fitted seasonal ARIMA is small (statsmodels' results hold k_states**2 * n arrays:
    ~260 MB for an hourly (1,0,1)(0,1,1)[24] model), so hundreds of them fit in memory."""
    import pickle

    rng = np.random.default_rng(0)
    t = np.arange(700)
    y = 10 + np.sin(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(700)
    f = ARIMAForecaster(order=(1, 0, 1), seasonal_order=(0, 1, 1, 24), maxiter=20).fit(y)
    assert len(pickle.dumps(f)) < 1_000_000
    # results_ is rebuilt from the parameters, and forecasts match it
    res = f.results_
    np.testing.assert_allclose(res.params, f.params_)
    np.testing.assert_allclose(f.predict(5), res.get_forecast(5).predicted_mean)
