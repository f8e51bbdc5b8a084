"""Hostile inputs, round 2: what ``test_hostile.py`` / ``test_hostile_stats.py`` do not cover.

Each case was a silent wrong result or an error raised late, wrapped or
without naming the input before the fix it pins:

* metrics compared two pandas objects by position although their indexes
  (or DataFrame columns) differ -- a forecast one period off was scored
  against the wrong observations;
* ``rnnforecast.model_selection`` ran splits whose test block does not follow
  its training block (``TimeSeriesSplit(gap=2)``, ``KFold``, the default
  ``cv=None``), scoring forecasts against other time steps;
* ``backtest`` fitted windows before failing with a ``BacktestWindowError``
  (a RuntimeError) on a MASE training window not longer than
  ``seasonal_period`` or on NaN in ``X``;
* integers beyond 2**53 were rounded by the cast to float64 (``2**62 + k``
  became a constant series);
* ``RNNRegressor`` parsed text targets ``"1.5"`` into numbers; a classifier
  given labels ``"a"`` and ``None`` failed inside numpy's sort with a
  message that names neither ``y`` nor the labels;
* ``overall_weighted_average`` accepted negative sMAPE/MASE.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold, TimeSeriesSplit

from rnnforecast import ARIMAForecaster, NaiveForecaster, RNNClassifier, RNNRegressor, backtest
from rnnforecast import metrics as M
from rnnforecast.model_selection import GridSearchCV, cross_val_score, cross_validate

Y = 10.0 + np.sin(np.arange(40) / 2.0)
DAYS = pd.date_range("2024-01-01", periods=40, freq="D")
METRICS = [M.mean_absolute_error, M.root_mean_squared_error, M.symmetric_mean_absolute_percentage_error,
           M.mean_absolute_percentage_error,
           lambda a, b: M.mean_absolute_scaled_error(a, b, y_train=Y)]


def _names(exc: BaseException, *words: str) -> None:
    msg = str(exc)
    for w in words:
        assert re.search(rf"(?<![\w.]){re.escape(w)}(?!\w)", msg), f"{w!r} not named in: {msg}"


# ------------------------------------------------------------------ metrics
@pytest.mark.parametrize("metric", range(len(METRICS)))
def test_metrics_refuse_pandas_pairs_with_different_labels(metric):
    f = METRICS[metric]
    yt = pd.Series([1.0, 2.0, 3.0], index=DAYS[:3])
    yp = pd.Series([1.5, 2.5, 2.0], index=DAYS[1:4])  # one day late
    with pytest.raises(ValueError) as info:
        f(yt, yp)
    _names(info.value, "y_true", "y_pred")
    with pytest.raises(ValueError):
        f(yt, yp.set_axis(DAYS[:3][::-1]))  # same labels, other order
    a = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 4.0, 6.0]})
    with pytest.raises(ValueError) as info:
        f(a, a[["b", "a"]] + 0.5)
    _names(info.value, "y_true", "y_pred")


def test_metrics_on_aligned_pandas_and_on_positional_mixes_are_unchanged():
    yt = pd.Series([1.0, 2.0, 3.0], index=DAYS[:3])
    yp = pd.Series([1.5, 2.5, 2.0], index=DAYS[:3])
    assert M.mean_absolute_error(yt, yp) == pytest.approx(2.0 / 3.0, rel=1e-15)
    assert M.mean_absolute_error(yt, yp.to_numpy()) == pytest.approx(2.0 / 3.0, rel=1e-15)
    assert M.mean_absolute_error(yt.to_frame("a"), yp.to_frame("a")) == pytest.approx(2.0 / 3.0, rel=1e-15)


def test_owa_refuses_negative_errors():
    for args, name in (((1.0, -1.0, 1.0, 1.0), "mase"), (([1.0, -2.0], 1.0, 1.0, 1.0), "smape"),
                       ((1.0, 1.0, -1.0, 1.0), "smape_naive2")):
        with pytest.raises(ValueError) as info:
            M.overall_weighted_average(*args)
        _names(info.value, name)
    assert M.overall_weighted_average(0.0, 0.0, 1.0, 1.0) == 0.0


# ------------------------------------------------------------------ model selection
BAD_CV = {"gap": TimeSeriesSplit(2, test_size=3, gap=2), "kfold": KFold(3),
          "shuffled": KFold(3, shuffle=True, random_state=0), "int": 3, "default": None}


@pytest.mark.parametrize("cv", sorted(BAD_CV))
def test_model_selection_refuses_splits_whose_test_block_does_not_follow_training(cv):
    calls = [
        lambda: GridSearchCV(NaiveForecaster(), {"strategy": ["last", "mean"]}, cv=BAD_CV[cv],
                             scoring="neg_mean_absolute_error").fit(Y),
        lambda: cross_val_score(NaiveForecaster(), Y, cv=BAD_CV[cv]),
        lambda: cross_validate(NaiveForecaster(), Y, cv=BAD_CV[cv], scoring="neg_mean_absolute_error"),
    ]
    for call in calls:
        with pytest.raises(ValueError) as info:
            call()
        _names(info.value, "cv")
        assert "TimeSeriesSplit(n_splits=..., gap=0)" in str(info.value)


def test_model_selection_with_a_contiguous_split_scores_the_next_steps():
    cv = TimeSeriesSplit(2, test_size=3, max_train_size=20)
    got = cross_val_score(NaiveForecaster(), Y, cv=cv, scoring="neg_mean_absolute_error")
    # by hand: the last value of each training block against the next 3 observations
    expected = [-np.mean(np.abs(Y[t:t + 3] - Y[t - 1])) for t in (34, 37)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    search = GridSearchCV(NaiveForecaster(), {"strategy": ["last", "mean"]}, cv=cv,
                          scoring="neg_mean_absolute_error").fit(Y)
    assert search.cv is cv  # the parameter is given back unchanged


# ------------------------------------------------------------------ backtest
@pytest.mark.parametrize("kw", [dict(initial_window=1), dict(seasonal_period=50),
                                dict(initial_window=4, seasonal_period=4)])
def test_backtest_checks_the_mase_training_window_before_fitting(kw):
    with pytest.raises(ValueError) as info:
        backtest(NaiveForecaster(), pd.Series(Y, index=DAYS), horizon=3, **kw)
    _names(info.value, "seasonal_period", "mase")
    # without MASE the same windows are fine; one observation more than the period is enough
    assert len(backtest(NaiveForecaster(), Y, horizon=3, metrics=("mae",), **kw).scores) >= 1
    assert len(backtest(NaiveForecaster(), Y, horizon=3, initial_window=5, seasonal_period=4).scores) == 11


def test_backtest_checks_X_before_fitting():
    X = np.ones((40, 1))
    X[-1, 0] = np.nan  # only the last window's forecast reaches it
    with pytest.raises(ValueError) as info:
        backtest(ARIMAForecaster(order=(1, 0, 0)), Y, X=X, horizon=3, n_windows=2)
    _names(info.value, "X", "NaN")


# ------------------------------------------------------------------ integers beyond 2**53
@pytest.mark.parametrize("kind", ["int64", "uint64", "series", "nullable", "frame"])
def test_integers_that_float64_rounds_are_refused(kind):
    big = np.full(40, 2**62, dtype=np.int64) + np.arange(40)  # float64 makes all of them 2**62
    y = {"int64": big, "uint64": big.astype(np.uint64) * 2, "series": pd.Series(big, index=DAYS),
         "nullable": pd.Series(pd.array(big, dtype="Int64"), index=DAYS),
         "frame": pd.DataFrame({"a": np.arange(40), "b": big}, index=DAYS)}[kind]
    with pytest.raises(ValueError) as info:
        NaiveForecaster().fit(y)
    _names(info.value, "y", "2**53")


def test_integers_float64_represents_exactly_are_accepted():
    y = np.full(40, 2**60, dtype=np.int64) + 1024 * np.arange(40)  # multiples of the float64 spacing
    np.testing.assert_array_equal(NaiveForecaster().fit(y).predict(2), float(y[-1]))
    assert NaiveForecaster().fit(Y.round().astype(np.int64)).predict(1)[0] == round(Y[-1])


# ------------------------------------------------------------------ sequence estimators
XS = np.random.default_rng(0).normal(size=(20, 5, 2))
SMALL = dict(hidden_size=3, max_iter=2, n_jobs=1, random_state=0)


def test_regressor_refuses_text_targets():
    for y in (XS[:, -1, 0].astype(str), np.array([f"{v}" for v in XS[:, -1, 0]], dtype=object)):
        with pytest.raises(TypeError) as info:
            RNNRegressor(**SMALL).fit(XS, y)
        _names(info.value, "y")
    nullable = pd.array(np.arange(20), dtype="Int64")  # numbers held as objects: still numbers
    assert RNNRegressor(**SMALL).fit(XS, nullable).predict(XS[:2]).shape == (2,)


def test_classifier_names_y_for_labels_of_mixed_kinds():
    y = np.array(["a", "b"] * 9 + ["a", None], dtype=object)
    with pytest.raises(TypeError) as info:
        RNNClassifier(**SMALL).fit(XS, y)
    _names(info.value, "y", "NoneType")


# ------------------------------------------------------------------ CLI
def test_cli_refuses_a_seasonal_period_as_long_as_the_first_training_window(capsys, tmp_path):
    """Checked with the other arguments (exit 2), not a traceback of backtest's ValueError."""
    from rnnforecast.cli import main

    argv = ["benchmark", "--dataset", "nile", "--models", "naive", "--windows", "1", "--horizon", "2",
            "--no-progress", "--no-plot", "--out", str(tmp_path)]
    with pytest.raises(SystemExit) as info:
        main(argv + ["--seasonal-period", "98"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "--seasonal-period 98" in err and "98 observations" in err, err
    assert main(argv + ["--seasonal-period", "97"]) == 0
