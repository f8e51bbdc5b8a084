"""plot_forecast / plot_backtest: returned Axes, number of lines, errors."""

from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

from rnnforecast.backtesting import backtest  # noqa: E402
from rnnforecast.baselines import NaiveForecaster  # noqa: E402
from rnnforecast.plotting import plot_backtest, plot_forecast  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _monthly(n: int = 48) -> pd.Series:
    idx = pd.date_range("2000-01-01", periods=n, freq="MS")
    t = np.arange(n)
    return pd.Series(10 + 0.1 * t + np.sin(2 * np.pi * t / 12), index=idx, name="y")


def test_plot_forecast_numpy_draws_two_lines_after_the_history():
    y = np.arange(10.0)
    ax = plot_forecast(y, np.array([10.0, 11.0, 12.0]))
    lines = ax.get_lines()
    assert len(lines) == 2
    assert list(lines[1].get_xdata()) == [10, 11, 12]
    assert list(lines[1].get_ydata()) == [10.0, 11.0, 12.0]
    assert len(ax.collections) == 0


def test_plot_forecast_pandas_with_interval_on_given_axes():
    y = _monthly()
    f = NaiveForecaster(strategy="seasonal_last", seasonal_period=12).fit(y)
    fc, iv = f.predict(6), f.predict_interval(6, coverage=0.8)
    fig, ax = plt.subplots()
    out = plot_forecast(y, fc, interval=iv, ax=ax)
    assert out is ax
    assert len(ax.get_lines()) == 2
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1
    # the forecast line is drawn at the forecast dates
    xs = matplotlib.dates.num2date(ax.get_lines()[1].get_xdata(orig=False))
    assert xs[0].date() == pd.Timestamp("2004-01-01").date()


def test_plot_forecast_bad_interval_shape():
    with pytest.raises(ValueError, match=r"interval must have shape \(h, 2\)"):
        plot_forecast(np.arange(5.0), np.ones(2), interval=np.ones((2, 3)))


def test_plot_forecast_numpy_forecast_with_date_indexed_y_is_refused():
    with pytest.raises(ValueError, match="forecast must be a pandas Series"):
        plot_forecast(_monthly(), np.ones(3))


def test_plot_backtest_single_result_and_mapping():
    y = _monthly()
    r1 = backtest(NaiveForecaster(), y, horizon=4, n_windows=2)
    r2 = backtest(NaiveForecaster(strategy="drift"), y, horizon=4, n_windows=2)
    ax = plot_backtest(r1)
    assert len(ax.get_lines()) == 2  # actual + one model
    ax = plot_backtest({"naive": r1, "drift": r2}, y=y, history=5)
    lines = ax.get_lines()
    assert len(lines) == 3  # actual + two models
    # actual: 5 history points + the 4 observations of the last window (the series end)
    assert np.array_equal(lines[0].get_ydata(), y.to_numpy()[-9:])
    # drift forecast of the last window, computed by hand
    v = y.to_numpy()
    t = len(v) - 4
    slope = (v[t - 1] - v[0]) / (t - 1)
    assert np.allclose(lines[2].get_ydata(), v[t - 1] + slope * np.arange(1, 5))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["actual", "naive", "drift"]


def test_plot_backtest_first_window_and_bad_window():
    y = np.arange(30.0)
    res = backtest(NaiveForecaster(), y, horizon=3, n_windows=3)
    ax = plot_backtest(res, window=0)
    assert list(ax.get_lines()[0].get_xdata()) == [21, 22, 23]
    with pytest.raises(ValueError, match="window 7 is not in the results"):
        plot_backtest(res, window=7)


def test_plot_backtest_rejects_other_objects():
    with pytest.raises(TypeError, match="results must be"):
        plot_backtest([1, 2, 3])


def test_missing_matplotlib_names_the_plot_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"'plot' extra"):
        plot_forecast(np.arange(5.0), np.ones(2))
