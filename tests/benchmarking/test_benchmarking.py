"""The benchmark harness: window layout, scores, failures, warnings, tables."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from rnnforecast.baselines import (
    ARIMAForecaster,
    AutoARIMAForecaster,
    Naive2Forecaster,
    NaiveForecaster,
)
from rnnforecast.benchmarking import (
    check_test_part,
    make_forecaster,
    parse_model_list,
    run_benchmark,
)
from rnnforecast.forecasting.base import BaseForecaster
from rnnforecast.metrics import (
    mean_absolute_scaled_error,
    root_mean_squared_error,
    symmetric_mean_absolute_percentage_error,
)


class LastValue(BaseForecaster):
    """Stand-in forecaster: repeats the last value; optionally fails or warns."""

    def __init__(self, fail_after=None, stage="fit", warn=False):
        self.fail_after = fail_after
        self.stage = stage
        self.warn = warn

    def _fit(self, y, X=None):
        if self.warn:
            warnings.warn("stand-in warning", UserWarning)
        if self.stage == "fit" and self.fail_after is not None and len(y) > self.fail_after:
            raise RuntimeError("stand-in fit failure")
        return self

    def _predict(self, h, X=None, y_hist=None, **_):
        y = self._history(y_hist)
        if self.stage == "predict" and self.fail_after is not None and len(y) > self.fail_after:
            raise RuntimeError("stand-in predict failure")
        return np.repeat(y[-1:], h, axis=0)


def _series(n=80, seed=0):
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2001-01-01", periods=n, freq="MS")
    t = np.arange(n)
    return pd.Series(20 + 0.2 * t + 3 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, n), index=idx, name="s")


def test_windows_and_scores_by_hand():
    y = _series()
    res = run_benchmark(y, {"last": LastValue(), "snaive": NaiveForecaster("seasonal_last", 12)},
                        horizon=6, n_windows=3, seasonal_period=12, name="toy")
    assert list(res.table.index) == ["last", "snaive"]
    assert (res.table["status"] == "ok").all()
    assert res.table["n_windows"].tolist() == [3, 3]
    v = y.to_numpy()
    # documented layout: t_i = n - (W - i) * h  ->  62, 68, 74
    sn = res.scores[res.scores["model"] == "snaive"]
    assert sn["train_size"].tolist() == [62, 68, 74]
    assert sn["window"].tolist() == [0, 1, 2]
    mase, smape, rmse = [], [], []
    for t in (62, 68, 74):
        pred = v[t - 12 : t - 6]  # seasonal naive for steps 1..6
        true = v[t : t + 6]
        mase.append(mean_absolute_scaled_error(true, pred, v[:t], seasonal_period=12))
        smape.append(symmetric_mean_absolute_percentage_error(true, pred))
        rmse.append(root_mean_squared_error(true, pred))
    row = res.table.loc["snaive"]
    assert row["mase"] == pytest.approx(np.mean(mase), rel=1e-12)
    assert row["smape"] == pytest.approx(np.mean(smape), rel=1e-12)
    assert row["rmse"] == pytest.approx(np.mean(rmse), rel=1e-12)
    assert (res.table["fit_seconds"] >= 0).all() and (res.table["predict_seconds"] > 0).all()
    fc = res.forecasts[(res.forecasts["model"] == "last") & (res.forecasts["window"] == 2)]
    assert np.allclose(fc["y_pred"], v[73]) and len(fc) == 6
    assert res.failures == {} and res.warnings == []


def test_failure_names_the_window_and_other_models_still_run():
    y = _series()
    res = run_benchmark(y, {"bad": LastValue(fail_after=65), "ok": LastValue()},
                        horizon=6, n_windows=3, seasonal_period=12)
    # windows train on 62, 68, 74 observations: the second one (index 1) fails
    f = res.failures["bad"]
    assert (f.window, f.stage) == (1, "fit")
    assert f.cutoff == y.index[67]
    assert "RuntimeError: stand-in fit failure" in f.error
    status = res.table.loc["bad", "status"]
    assert "window 2/3" in status and "stand-in fit failure" in status
    assert np.isnan(res.table.loc["bad", "mase"])
    assert res.table.loc["ok", "status"] == "ok"
    text = res.format_text()
    assert "FAILED (window 2/3)" in text and "stand-in fit failure" in text
    assert "FAILED" in res.to_markdown()


def test_predict_failure_stage():
    res = run_benchmark(_series(), {"bad": LastValue(fail_after=70, stage="predict")},
                        horizon=6, n_windows=3, seasonal_period=12)
    assert (res.failures["bad"].window, res.failures["bad"].stage) == (2, "predict")


def test_real_arima_failure_is_reported_with_its_window():
    # ARIMA(0,0,0)(0,2,0)[12] needs 2*12 + 2 = 26 observations; the first of the
    # two windows trains on 44 - 2*11 = 22 -> the fit fails there (window 0)
    y = np.sin(np.arange(44.0)) + np.arange(44.0)
    res = run_benchmark(y, {"arima": ARIMAForecaster(order=(0, 0, 0), seasonal_order=(0, 2, 0, 12))},
                        horizon=11, n_windows=2, seasonal_period=1)
    f = res.failures["arima"]
    assert f.window == 0 and f.stage == "fit" and "22" in f.error
    assert res.table.loc["arima", "n_windows"] == 0


def test_warnings_are_collected_with_model_and_window():
    res = run_benchmark(_series(), {"w": LastValue(warn=True)}, horizon=6, n_windows=2, seasonal_period=12)
    assert res.warnings == ["w, window 1: UserWarning: stand-in warning",
                            "w, window 2: UserWarning: stand-in warning"]


def test_best_values_are_marked():
    y = np.arange(1.0, 61.0)  # a line: drift is exact, naive is not
    res = run_benchmark(y, {"naive": NaiveForecaster(), "drift": NaiveForecaster("drift")},
                        horizon=5, n_windows=2, seasonal_period=1)
    assert res.table.loc["drift", "mase"] == pytest.approx(0.0, abs=1e-12)
    assert res.table.loc["naive", "mase"] == pytest.approx(3.0)  # mean |error| 3, naive scale 1
    assert res.best()["mase"] == "drift"
    drift_line = next(line for line in res.format_text().splitlines() if line.startswith("drift"))
    assert "0.000 *" in drift_line
    md_line = next(line for line in res.to_markdown().splitlines() if line.startswith("| drift"))
    assert "**0.000**" in md_line


def test_check_test_part_messages_give_the_numbers():
    with pytest.raises(ValueError, match=r"horizon 51 is longer than the test part of nile: 50 .*100"):
        check_test_part(100, 51, 1, "nile")
    with pytest.raises(ValueError, match=r"3 windows x horizon 20 = 60 .* 50 observations"):
        check_test_part(100, 20, 3, "nile")
    check_test_part(100, 25, 2, "nile")  # exactly fits: no error
    with pytest.raises(ValueError, match="horizon must be an int >= 1"):
        check_test_part(100, 0, 1)


def test_run_benchmark_refuses_too_long_horizon():
    with pytest.raises(ValueError, match="longer than the test part"):
        run_benchmark(np.arange(20.0), {"n": NaiveForecaster()}, horizon=11, n_windows=1)


def test_parse_model_list():
    assert parse_model_list(" arima, lstm ,arima") == ["arima", "lstm"]
    with pytest.raises(ValueError) as info:
        parse_model_list("arima,foo,bar")
    msg = str(info.value)
    assert "'foo'" in msg and "'bar'" in msg
    for name in ("lstm", "gru", "rnn", "arima", "auto_arima", "seasonal_naive", "naive2"):
        assert name in msg
    with pytest.raises(ValueError, match="no model given"):
        parse_model_list(" , ")


def test_make_forecaster_baselines():
    a = make_forecaster("arima", seasonal_period=12)
    assert isinstance(a, ARIMAForecaster) and a.seasonal_order == (0, 1, 1, 12) and a.order == (1, 1, 1)
    assert make_forecaster("arima", seasonal_period=1).seasonal_order == (0, 0, 0, 0)
    aa = make_forecaster("auto_arima", seasonal_period=4)
    assert isinstance(aa, AutoARIMAForecaster) and aa.seasonal_period == 4
    sn = make_forecaster("seasonal_naive", seasonal_period=7)
    assert isinstance(sn, NaiveForecaster) and (sn.strategy, sn.seasonal_period) == ("seasonal_last", 7)
    assert make_forecaster("drift").strategy == "drift"
    assert isinstance(make_forecaster("naive2", seasonal_period=24), Naive2Forecaster)
    with pytest.raises(ValueError, match="unknown model 'xgb'; valid names are"):
        make_forecaster("xgb")
    with pytest.raises(ValueError, match="seasonal_period must be an int >= 1"):
        make_forecaster("arima", seasonal_period=0)


@pytest.mark.parametrize("name, cls", [("lstm", "LSTMForecaster"), ("gru", "GRUForecaster"),
                                       ("rnn", "RNNForecaster")])
def test_make_forecaster_neural(name, cls):
    f = make_forecaster(name, seasonal_period=12, horizon=24, n_train=400, random_state=3)
    assert type(f).__name__ == cls
    assert f.random_state == 3 and f.n_jobs == 1
    # the benchmark runs the defaults: every other parameter is left to the forecaster
    defaults = type(f)().get_params()
    changed = {k for k, v in f.get_params().items() if v != defaults[k]}
    assert changed == {"random_state", "n_jobs"}
    small = make_forecaster(name, seasonal_period=12, horizon=24, n_train=40, quick=True)
    assert small.window_length == 10  # capped at a quarter of the training window
    assert small.hidden_size == 4 and small.max_iter == 3 and small.n_estimators == 1


def test_recurrent_models_get_an_untimed_warm_up():
    y = _series()
    models = {"rnn": make_forecaster("rnn", seasonal_period=12, n_train=62, quick=True), "last": LastValue()}
    res = run_benchmark(y, models, horizon=6, n_windows=2, seasonal_period=12)
    assert list(res.warmup_seconds) == ["rnn"] and res.warmup_seconds["rnn"] > 0
    assert "warm-up" in res.format_text() and "rnn" in res.to_markdown()
    assert res.table.loc["rnn", "status"] == "ok"
    cold = run_benchmark(y, models, horizon=6, n_windows=2, seasonal_period=12, warmup=False)
    assert cold.warmup_seconds == {}
    # the warm-up uses a clone: the scores do not change
    assert cold.table.loc["rnn", "mase"] == res.table.loc["rnn", "mase"]
