"""Empirical coverage of prediction intervals in backtest and the benchmark harness."""

import numpy as np
import pytest

from rnnforecast import ARIMAForecaster, LSTMForecaster, NaiveForecaster, backtest
from rnnforecast.baselines import Naive2Forecaster
from rnnforecast.benchmarking import run_benchmark
from rnnforecast.cli import main


def random_walk(n=300, seed=0):
    return np.cumsum(np.random.default_rng(seed).standard_normal(n))


def test_backtest_coverage_is_the_fraction_inside_the_interval():
    y = random_walk()
    f = NaiveForecaster()
    res = backtest(f, y, horizon=5, n_windows=4, coverage=0.8)
    assert {"coverage", "interval_seconds"} <= set(res.scores.columns)
    for (_, row), (_, g) in zip(res.scores.iterrows(), res.forecasts.groupby("window")):
        t = int(row["train_size"])
        band = NaiveForecaster().fit(y[:t]).predict_interval(5, coverage=0.8)
        inside = (y[t:t + 5] >= band[:, 0]) & (y[t:t + 5] <= band[:, 1])
        assert row["coverage"] == pytest.approx(inside.mean())


def test_backtest_coverage_of_a_well_specified_model_is_near_nominal():
    # a random walk: the naive model's Gaussian interval is right, so over many
    # one-step windows about 90 % of the values fall inside
    y = random_walk(n=700, seed=1)
    res = backtest(NaiveForecaster(), y, horizon=1, n_windows=300, coverage=0.9)
    assert abs(res.scores["coverage"].mean() - 0.9) < 0.05


def test_backtest_coverage_errors():
    y = random_walk(100)
    with pytest.raises(ValueError, match="coverage must be a float strictly between 0 and 1"):
        backtest(NaiveForecaster(), y, horizon=2, n_windows=2, coverage=1.0)
    with pytest.raises(TypeError, match="needs a forecaster with predict_interval"):
        backtest(Naive2Forecaster(seasonal_period=4), y, horizon=2, n_windows=2, coverage=0.9)


def test_run_benchmark_reports_coverage_next_to_accuracy():
    y = random_walk(240, seed=2)
    models = {"naive": NaiveForecaster(), "naive2": Naive2Forecaster(seasonal_period=1),
              # too little data for 50 conformal windows: point scores kept, coverage NaN
              "lstm": LSTMForecaster(window_length=8, hidden_size=4, max_iter=2, n_jobs=1,
                                     conformal_windows=500, random_state=0),
              "arima": ARIMAForecaster(order=(0, 1, 0))}
    res = run_benchmark(y, models, horizon=6, n_windows=2, coverage=0.9, warmup=False)
    table = res.table
    assert "coverage" in table.columns and res.coverage == 0.9
    assert 0 <= table.loc["naive", "coverage"] <= 1 and 0 <= table.loc["arima", "coverage"] <= 1
    assert np.isnan(table.loc["naive2", "coverage"])
    assert np.isnan(table.loc["lstm", "coverage"]) and table.loc["lstm", "status"] == "ok"
    assert any("lstm, window 1: no prediction interval" in w for w in res.warnings)
    text = res.format_text()
    assert "90% coverage" in text
    assert "coverage" not in run_benchmark(y, {"naive": NaiveForecaster()}, horizon=6,
                                           n_windows=2).table.columns


def test_cli_coverage_option(tmp_path, capsys):
    code = main(["benchmark", "--dataset", "nile", "--models", "naive,drift", "--windows", "2",
                 "--out", str(tmp_path), "--no-plot", "--no-progress", "--coverage", "0.8"])
    assert code == 0
    assert "80% coverage" in capsys.readouterr().out
    code = main(["benchmark", "--dataset", "nile", "--models", "naive", "--windows", "2",
                 "--out", str(tmp_path), "--no-plot", "--no-progress", "--coverage", "0"])
    assert code == 0
    assert "% coverage" not in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["benchmark", "--coverage", "1.5"])
