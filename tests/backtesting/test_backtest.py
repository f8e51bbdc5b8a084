"""backtest(): window layout, refit schedule, metrics and error reporting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config
from statsmodels.tsa.statespace.sarimax import SARIMAX

from rnnforecast.backtesting import BacktestResult, BacktestWindowError, backtest
from rnnforecast.baselines import ARIMAForecaster, NaiveForecaster
from rnnforecast.forecasting.base import BaseForecaster


def _series(n: int = 60, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2010-01-01", periods=n, freq="MS")
    return pd.Series(50 + rng.normal(size=n).cumsum(), index=idx, name="y")


def test_expanding_windows_and_metrics_by_hand():
    y = _series()
    res = backtest(NaiveForecaster(), y, horizon=4, n_windows=3, seasonal_period=1)
    assert isinstance(res, BacktestResult)
    scores, fc = res  # unpacking
    # last window ends at the last observation: origins 48, 52, 56
    assert scores["train_size"].tolist() == [48, 52, 56]
    assert scores["cutoff"].tolist() == [y.index[47], y.index[51], y.index[55]]
    assert scores["refit"].all()
    v = y.to_numpy()
    for i, t in enumerate([48, 52, 56]):
        err = v[t : t + 4] - v[t - 1]
        scale = np.mean(np.abs(np.diff(v[:t])))
        row = scores.iloc[i]
        assert row["mae"] == pytest.approx(np.mean(np.abs(err)))
        assert row["rmse"] == pytest.approx(np.sqrt(np.mean(err**2)))
        assert row["smape"] == pytest.approx(np.mean(200 * np.abs(err) / (np.abs(v[t : t + 4]) + abs(v[t - 1]))))
        assert row["mase"] == pytest.approx(np.mean(np.abs(err)) / scale)
    assert len(fc) == 12 and fc["step"].tolist()[:4] == [1, 2, 3, 4]
    assert fc["time"].iloc[0] == y.index[48] and (fc["series"] == "y").all()
    np.testing.assert_array_equal(fc["y_true"].to_numpy(), v[48:60])
    assert set(res.summary().index) == {"mae", "rmse", "smape", "mase", "fit_seconds", "predict_seconds"}


def test_sliding_initial_window_and_step():
    y = np.arange(30.0) ** 1.5
    scores, fc = backtest(NaiveForecaster("mean"), y, horizon=3, initial_window=10, step=5, window="sliding",
                          metrics=("mae",))
    # origins 10, 15, 20, 25 (25 + 3 <= 30); each trains on the last 10 observations
    assert scores["train_size"].tolist() == [10, 10, 10, 10]
    assert scores["cutoff"].tolist() == [9, 14, 19, 24]
    for i, t in enumerate([10, 15, 20, 25]):
        np.testing.assert_allclose(fc.loc[fc["window"] == i, "y_pred"], y[t - 10 : t].mean())


def test_refit_schedule_and_history_forecasts():
    y = _series()
    a, fa = backtest(NaiveForecaster("drift"), y, horizon=3, n_windows=5)
    b, fb = backtest(NaiveForecaster("drift"), y, horizon=3, n_windows=5, refit=2)
    c, fc_ = backtest(NaiveForecaster("drift"), y, horizon=3, n_windows=5, refit=False)
    assert b["refit"].tolist() == [True, False, True, False, True]
    assert c["refit"].tolist() == [True, False, False, False, False]
    assert (c["fit_seconds"].iloc[1:] == 0).all()
    # naive forecasts depend on the history only, so all three agree
    np.testing.assert_allclose(fa["y_pred"], fb["y_pred"])
    np.testing.assert_allclose(fa["y_pred"], fc_["y_pred"])


def test_arima_without_refit_matches_statsmodels_apply():
    y = _series(50, seed=3)
    v = y.to_numpy()
    f = ARIMAForecaster(order=(1, 1, 0))
    scores, fc = backtest(f, y, horizon=2, initial_window=40, refit=False, metrics=("mae",))
    assert not hasattr(f, "results_")  # the forecaster passed in is not fitted
    ref = SARIMAX(v[:40], order=(1, 1, 0)).fit(disp=False)
    for i, t in enumerate(range(40, 49, 2)):
        expected = ref.apply(v[:t], refit=False).forecast(2)
        np.testing.assert_allclose(fc.loc[fc["window"] == i, "y_pred"], expected, rtol=1e-5)


def test_exog_and_parallel_agree():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 1))
    y = 2 * X[:, 0] + rng.normal(scale=0.1, size=40)
    f = ARIMAForecaster(order=(0, 0, 0), trend="c")
    s1, f1 = backtest(f, y, X, horizon=2, n_windows=3, refit=2, metrics=("mae", "rmse"))
    with parallel_config(backend="threading"):  # same code path as processes, without worker start-up
        s2, f2 = backtest(f, y, X, horizon=2, n_windows=3, refit=2, metrics=("mae", "rmse"), n_jobs=2)
    pd.testing.assert_frame_equal(s1.drop(columns=["fit_seconds", "predict_seconds"]),
                                  s2.drop(columns=["fit_seconds", "predict_seconds"]))
    pd.testing.assert_frame_equal(f1, f2)
    assert s1["mae"].max() < 0.5  # the regressor is used


def test_fitted_forecaster_is_not_mutated():
    y = _series()
    f = NaiveForecaster("mean").fit(y.iloc[:20])
    before = f.sigma_.copy()
    backtest(f, y, horizon=3, n_windows=2)
    np.testing.assert_array_equal(f.sigma_, before)
    assert f.n_timesteps_ == 20


def test_callable_metric_and_multivariate():
    y = np.c_[np.arange(20.0), np.arange(20.0) * 2]

    def max_error(a, b):
        return float(np.max(np.abs(a - b)))

    scores, fc = backtest(NaiveForecaster(), y, horizon=2, n_windows=2, metrics=("mae", max_error))
    assert list(scores.columns[4:6]) == ["mae", "max_error"]
    # naive on a line with slopes 1 and 2: errors 1, 2 and 2, 4
    assert scores["mae"].tolist() == [2.25, 2.25] and scores["max_error"].tolist() == [4.0, 4.0]
    assert sorted(fc["series"].unique()) == [0, 1]


def test_too_long_horizon_and_bad_parameters():
    y = np.arange(30.0)
    with pytest.raises(ValueError, match=r"horizon=25 is longer than the 20 observations remaining after initial_window=10"):
        backtest(NaiveForecaster(), y, horizon=25, initial_window=10)
    with pytest.raises(ValueError, match=r"n_windows=10 .* need 41 observations; y has 30 \(at most 6 windows fit\)"):
        backtest(NaiveForecaster(), y, horizon=4, initial_window=10, n_windows=10, step=3)
    with pytest.raises(ValueError, match="need at least 41 observations"):
        backtest(NaiveForecaster(), y, horizon=8, n_windows=5)
    with pytest.raises(ValueError, match="window must be 'expanding' or 'sliding'"):
        backtest(NaiveForecaster(), y, horizon=2, window="rolling")
    with pytest.raises(TypeError, match="horizon must be an int"):
        backtest(NaiveForecaster(), y, horizon=2.0)
    with pytest.raises(ValueError, match="refit must be an int >= 1; got 0"):
        backtest(NaiveForecaster(), y, horizon=2, refit=0)
    with pytest.raises(ValueError, match="unknown metric 'r2'"):
        backtest(NaiveForecaster(), y, horizon=2, metrics=("r2",))
    with pytest.raises(ValueError, match="X must have one row per observation of y"):
        backtest(ARIMAForecaster(), y, np.ones((20, 1)), horizon=2)


class _FailsOnLongHistory(BaseForecaster):
    """Test double: fitting refuses more than ``limit`` observations."""

    def __init__(self, limit=25):
        self.limit = limit

    def _fit(self, y, X=None):
        if y.shape[0] > self.limit:
            raise FloatingPointError("synthetic failure")
        return self

    def _predict(self, h, X=None, y_hist=None, **_):
        return np.tile(self._history(y_hist)[-1], (h, 1))


def test_failing_window_is_reported():
    y = np.arange(40.0)
    with pytest.raises(BacktestWindowError, match=r"fit failed in backtest window 2 \(cutoff 25, 26 training") as info:
        backtest(_FailsOnLongHistory(), y, horizon=5, initial_window=16, metrics=("mae",))
    assert info.value.window == 2 and info.value.stage == "fit"
    assert isinstance(info.value.__cause__, FloatingPointError)
    # a metric that cannot be computed is reported with its window as well
    with pytest.raises(BacktestWindowError, match="metric 'mase' failed in backtest window 0"):
        backtest(NaiveForecaster(), np.ones(20), horizon=2, n_windows=1, metrics=("mase",))
