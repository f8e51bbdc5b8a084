"""The BaseForecaster contract: input kinds, output kinds, indexes, score."""

import numpy as np
import pandas as pd
import pytest
from numbers import Integral
from sklearn.base import clone

from rnnforecast.forecasting import BaseForecaster
from rnnforecast.forecasting.record import Forecast, ForecastRequest
from rnnforecast.utils._compat import Interval


class Drift(BaseForecaster):
    """Test double: last value + step * slope (slope = mean first difference).

    Forecasts differ at every step, so a misaligned comparison is detectable.
    """

    _parameter_constraints = {"window": [Interval(Integral, 2, None, closed="left")]}

    def __init__(self, window=2):
        self.window = window

    def _min_history(self):
        return self.window

    def _fit(self, y, X=None):
        self.seen_dtype_ = y.dtype
        self.seen_flags_ = (y.flags["C_CONTIGUOUS"], y.ndim)

    def _predict(self, h, X=None, y_hist=None, **_):
        y = self._history(y_hist)[-self.window :]
        slope = (y[-1] - y[0]) / (len(y) - 1)
        steps = np.arange(1, h + 1)[:, None]
        return y[-1] + steps * slope


class ExogEcho(BaseForecaster):
    """Test double: forecast = first exogenous column (+ records X_hist)."""

    _supports_exog = True

    def _fit(self, y, X=None):
        self.fit_X_shape_ = None if X is None else X.shape

    def _predict(self, h, X=None, y_hist=None, X_hist=None, **_):
        self.last_X_hist_ = X_hist
        return np.repeat(X[:, :1], self._history(y_hist).shape[1], axis=1)


def monthly_series(n=30, start="2000-01-01"):
    idx = pd.date_range(start, periods=n, freq="MS")
    return pd.Series(np.arange(n, dtype=float) * 2.0 + 1.0, index=idx, name="sales")


# --------------------------------------------------------------- numpy in/out
def test_numpy_1d_in_gives_1d_out():
    y = np.array([1.0, 2.0, 3.0, 5.0])
    pred = Drift().fit(y).predict(3)
    # window=2 -> slope = 5 - 3 = 2, last = 5
    np.testing.assert_allclose(pred, [7.0, 9.0, 11.0])
    assert pred.shape == (3,)
    assert isinstance(pred, np.ndarray)


def test_numpy_2d_in_gives_2d_out():
    y = np.column_stack([np.arange(5.0), 10 * np.arange(5.0)])
    pred = Drift().fit(y).predict(2)
    assert pred.shape == (2, 2)
    np.testing.assert_allclose(pred, [[5.0, 50.0], [6.0, 60.0]])


def test_numpy_2d_single_column_stays_2d():
    y = np.arange(6.0).reshape(-1, 1)
    assert Drift().fit(y).predict(4).shape == (4, 1)


def test_subclass_receives_float64_c_contiguous_2d():
    y = np.asfortranarray(np.arange(12, dtype=np.int32).reshape(6, 2))
    f = Drift().fit(y)
    assert f.seen_dtype_ == np.float64
    assert f.seen_flags_ == (True, 2)


def test_fitted_attributes_numpy():
    f = Drift().fit(np.arange(7.0))
    assert f.n_targets_ == 1
    assert f.n_exog_ == 0
    assert f.cutoff_ == 6
    assert f.freq_ is None
    assert f.n_timesteps_ == 7


def test_list_input_is_accepted_like_an_array():
    np.testing.assert_allclose(Drift().fit([1, 2, 3]).predict(1), [4.0])


# --------------------------------------------------------------- pandas in/out
def test_series_datetimeindex_forecast_index_continues():
    y = monthly_series(30)
    pred = Drift().fit(y).predict(4)
    expected_index = pd.DatetimeIndex(
        ["2002-07-01", "2002-08-01", "2002-09-01", "2002-10-01"]
    )
    assert isinstance(pred, pd.Series)
    assert pred.name == "sales"
    assert list(pred.index) == list(expected_index)
    assert pred.index.freqstr == "MS"
    # last value 59, slope 2
    np.testing.assert_allclose(pred.to_numpy(), [61.0, 63.0, 65.0, 67.0])


def test_fitted_attributes_pandas():
    y = monthly_series(30)
    f = Drift().fit(y)
    assert f.cutoff_ == pd.Timestamp("2002-06-01")
    assert f.freq_ == pd.offsets.MonthBegin()


def test_dataframe_periodindex_forecast_index_continues():
    idx = pd.period_range("2010Q1", periods=8, freq="Q")
    y = pd.DataFrame({"a": np.arange(8.0), "b": np.arange(8.0) * -1}, index=idx)
    pred = Drift().fit(y).predict(3)
    assert isinstance(pred, pd.DataFrame)
    assert list(pred.columns) == ["a", "b"]
    assert isinstance(pred.index, pd.PeriodIndex)
    assert list(pred.index.astype(str)) == ["2012Q1", "2012Q2", "2012Q3"]
    np.testing.assert_allclose(pred["a"], [8.0, 9.0, 10.0])
    np.testing.assert_allclose(pred["b"], [-8.0, -9.0, -10.0])


def test_rangeindex_continues():
    y = pd.Series(np.arange(5.0), name=None)
    pred = Drift().fit(y).predict(2)
    assert list(pred.index) == [5, 6]
    assert pred.name is None


def test_evenly_spaced_integer_index_continues_with_its_step():
    y = pd.Series([1.0, 2.0, 3.0], index=pd.Index([10, 12, 14]))
    pred = Drift().fit(y).predict(2)
    assert list(pred.index) == [16, 18]


def test_datetimeindex_without_freq_but_inferable():
    y = monthly_series(12)
    y.index = pd.DatetimeIndex(list(y.index))  # drop the freq attribute
    assert y.index.freq is None
    pred = Drift().fit(y).predict(2)
    assert list(pred.index) == [pd.Timestamp("2001-01-01"), pd.Timestamp("2001-02-01")]


def test_daily_series_with_timezone():
    idx = pd.date_range("2021-03-01", periods=5, freq="D", tz="Europe/Paris")
    y = pd.Series(np.arange(5.0), index=idx)
    pred = Drift().fit(y).predict(2)
    assert pred.index[0] == pd.Timestamp("2021-03-06", tz="Europe/Paris")
    assert str(pred.index.tz) == "Europe/Paris"


# ----------------------------------------------------------- predict(y=new)
def test_predict_from_new_numpy_history():
    f = Drift().fit(np.arange(10.0))
    pred = f.predict(2, y=np.array([100.0, 110.0]))
    np.testing.assert_allclose(pred, [120.0, 130.0])
    # the training history is unchanged afterwards
    np.testing.assert_allclose(f.predict(1), [10.0])


def test_predict_from_new_pandas_history_continues_its_index():
    y = monthly_series(30)
    f = Drift().fit(y.iloc[:20])
    new = y.iloc[5:25]
    pred = f.predict(2, y=new)
    assert list(pred.index) == [pd.Timestamp("2002-02-01"), pd.Timestamp("2002-03-01")]
    last = y.iloc[24]
    np.testing.assert_allclose(pred.to_numpy(), [last + 2.0, last + 4.0])
    assert pred.name == "sales"


def test_predict_new_history_of_other_kind_is_refused():
    f = Drift().fit(monthly_series(10))
    with pytest.raises(TypeError, match="same kind"):
        f.predict(2, y=np.arange(10.0))


def test_predict_new_history_with_other_columns_is_refused():
    y = pd.DataFrame({"a": np.arange(6.0), "b": np.arange(6.0)})
    f = Drift().fit(y)
    with pytest.raises(ValueError, match="columns"):
        f.predict(1, y=y.rename(columns={"b": "c"}))


def test_predict_new_history_with_other_frequency_is_refused():
    f = Drift().fit(monthly_series(10))
    daily = pd.Series(np.arange(10.0), index=pd.date_range("2000", periods=10, freq="D"))
    with pytest.raises(ValueError, match="frequency"):
        f.predict(1, y=daily)


def test_predict_new_history_too_short_names_both_numbers():
    f = Drift(window=5).fit(np.arange(10.0))
    with pytest.raises(ValueError, match=r"y has 3 observations but Drift\(window=5\)"):
        f.predict(1, y=np.arange(3.0))


# ---------------------------------------------------------------------- score
def _r2(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return 1 - ((y_true - y_pred) ** 2).sum() / ((y_true - y_true.mean()) ** 2).sum()


def test_score_numpy_forecasts_right_after_training():
    y = np.array([0.0, 1.0, 2.0, 3.0, 5.0, 6.0, 9.0])
    f = Drift().fit(y[:4])  # forecasts 4, 5, 6
    expected = _r2(y[4:], [4.0, 5.0, 6.0])
    assert f.score(y[4:]) == pytest.approx(expected)


def test_score_pandas_with_gap_is_aligned_by_index():
    # A straight line is forecast exactly by Drift at every horizon, so the
    # score is 1 only if the forecasts are matched to the right dates.
    y = monthly_series(40)
    f = Drift().fit(y.iloc[:30])
    assert f.score(y.iloc[34:40]) == pytest.approx(1.0)
    # Bend the future so a positional (misaligned) comparison would differ.
    bent = y.copy()
    bent.iloc[30:] += np.arange(10) ** 2
    steps = np.arange(5, 11)  # 2002-11 .. 2003-04 are 5..10 steps ahead
    preds = 59.0 + 2.0 * steps
    assert f.score(bent.iloc[34:40]) == pytest.approx(_r2(bent.iloc[34:40], preds))


def test_score_pandas_labels_off_grid_or_in_the_past_are_refused():
    y = monthly_series(40)
    f = Drift().fit(y.iloc[:30])
    with pytest.raises(ValueError, match="after the end"):
        f.score(y.iloc[20:25])
    off = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2003-01-15", "2003-02-15"]))
    with pytest.raises(ValueError, match="grid"):
        f.score(off)
    # a short future without an inferable frequency is fine when on the grid
    on = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2002-08-01", "2002-10-01"]))
    assert np.isfinite(f.score(on))


def test_score_multivariate_is_uniform_average():
    y = np.column_stack([np.arange(10.0), np.arange(10.0) ** 2])
    f = Drift().fit(y[:6])
    pred = f.predict(4)
    expected = (_r2(y[6:, 0], pred[:, 0]) + _r2(y[6:, 1], pred[:, 1])) / 2
    assert f.score(y[6:]) == pytest.approx(expected)


def test_score_pandas_future_for_numpy_fit_is_refused():
    f = Drift().fit(np.arange(10.0))
    with pytest.raises(TypeError, match="y_future"):
        f.score(monthly_series(3))


# ----------------------------------------------------------------- exogenous
def test_exog_numpy_and_predict_from_new_history_with_exog():
    y = np.arange(8.0)
    X = np.column_stack([np.arange(8.0) * 10, np.ones(8)])
    f = ExogEcho().fit(y, X)
    assert f.fit_X_shape_ == (8, 2)
    assert f.n_exog_ == 2
    Xf = np.array([[1.0, 0.0], [2.0, 0.0]])
    np.testing.assert_allclose(f.predict(2, X=Xf), [1.0, 2.0])
    assert f.last_X_hist_ is None
    Xall = np.vstack([X[:4], Xf])
    np.testing.assert_allclose(f.predict(2, X=Xall, y=y[:4]), [1.0, 2.0])
    np.testing.assert_allclose(f.last_X_hist_, X[:4])


def test_exog_dataframe_index_must_match_forecast_periods():
    y = monthly_series(12)
    X = pd.DataFrame({"x": np.arange(12.0)}, index=y.index)
    f = ExogEcho().fit(y, X)
    fut_idx = pd.date_range("2001-01-01", periods=2, freq="MS")
    pred = f.predict(2, X=pd.DataFrame({"x": [5.0, 6.0]}, index=fut_idx))
    np.testing.assert_allclose(pred.to_numpy(), [5.0, 6.0])
    wrong = pd.DataFrame({"x": [5.0, 6.0]}, index=fut_idx + pd.offsets.MonthBegin(3))
    with pytest.raises(ValueError, match="X index"):
        f.predict(2, X=wrong)
    # a default RangeIndex is taken positionally
    pred = f.predict(2, X=pd.DataFrame({"x": [7.0, 8.0]}))
    np.testing.assert_allclose(pred.to_numpy(), [7.0, 8.0])


class Recorder(BaseForecaster):
    """Test double: returns a Forecast record and remembers the keywords it got."""

    _supports_exog = True

    def _fit(self, y, X=None):
        self.calls_ = []

    def _predict(self, h, X=None, y_hist=None, X_hist=None, y_info=None, request=None):
        self.calls_.append({"X_hist": X_hist, "y_info": y_info, "request": request})
        mean = np.arange(float(h))  # (h,) is accepted for one series
        if request is None or request.coverage is None:
            return Forecast(mean)
        return Forecast(mean, lower=mean - request.coverage, upper=mean + request.coverage)


def test_hook_gets_x_hist_and_y_info_always_and_request_only_when_asked():
    y = pd.Series(np.arange(6.0), index=pd.period_range("2020-01", periods=6, freq="M"))
    X = np.ones((9, 1))
    f = Recorder().fit(y, X[:6])
    np.testing.assert_array_equal(f.predict(3, X=X[6:]), [0.0, 1.0, 2.0])
    call = f.calls_[-1]
    assert call["X_hist"] is None and call["request"] is None
    assert call["y_info"].cutoff == pd.Period("2020-06", freq="M")
    new = pd.Series([5.0, 6.0], index=pd.period_range("2021-01", periods=2, freq="M"))
    f.predict(1, X=np.array([[7.0], [8.0], [9.0]]), y=new)
    call = f.calls_[-1]
    np.testing.assert_array_equal(call["X_hist"], [[7.0], [8.0]])
    assert call["y_info"].cutoff == pd.Period("2021-02", freq="M")
    record, (info, cutoff) = f._predict_array(2, X[6:8], None,
                                              request=ForecastRequest(coverage=0.5))
    assert f.calls_[-1]["request"] == ForecastRequest(coverage=0.5)
    assert cutoff == pd.Period("2020-06", freq="M")
    for arr, expected in ((record.mean, [0.0, 1.0]), (record.lower, [-0.5, 0.5]),
                          (record.upper, [0.5, 1.5])):
        assert arr.shape == (2, 1) and arr.dtype == np.float64
        np.testing.assert_array_equal(arr[:, 0], expected)


def test_hook_without_request_parameter_serves_predict():
    class Old(BaseForecaster):
        def _fit(self, y, X=None):
            pass

        def _predict(self, h, X=None, y_hist=None, X_hist=None, y_info=None):
            return np.full((h, 1), 2.0)

    np.testing.assert_array_equal(Old().fit(np.arange(3.0)).predict(2), [2.0, 2.0])


def test_record_bounds_of_the_wrong_shape_are_a_runtime_error():
    class BadBounds(Recorder):
        def _predict(self, h, X=None, y_hist=None, X_hist=None, y_info=None, request=None):
            mean = np.zeros((h, 1))
            return Forecast(mean, lower=np.zeros((h + 1, 1)), upper=mean)

    f = BadBounds().fit(np.arange(3.0))
    with pytest.raises(RuntimeError, match=r"lower bounds of shape \(h, n_series\) = \(2, 1\)"):
        f._predict_array(2, None, None, request=ForecastRequest(coverage=0.9))


# ----------------------------------------------------------------- misc
def test_wrong_shape_from_subclass_hook_is_a_runtime_error():
    class Broken(BaseForecaster):
        def _fit(self, y, X=None):
            pass

        def _predict(self, h, X=None, y_hist=None, **_):
            return np.zeros((h + 1, 1))

    with pytest.raises(RuntimeError, match="must return an array of shape"):
        Broken().fit(np.arange(3.0)).predict(2)


def test_numpy_integer_horizon_accepted():
    np.testing.assert_allclose(Drift().fit(np.arange(4.0)).predict(np.int64(2)), [4.0, 5.0])


def test_init_only_stores_params_and_clone_works():
    f = Drift(window=3)
    assert f.get_params() == {"window": 3}
    g = clone(f.fit(np.arange(10.0)))
    assert g.get_params() == {"window": 3}
    assert not hasattr(g, "cutoff_")


def test_refit_replaces_previous_state():
    f = Drift().fit(monthly_series(10))
    f.fit(np.arange(5.0))
    pred = f.predict(2)
    assert isinstance(pred, np.ndarray)
    np.testing.assert_allclose(pred, [5.0, 6.0])


# -------------------------------------------------- scikit-learn conventions
def _all_estimators():
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import StandardScaler

    from rnnforecast.forecasting import ForecastingPipeline, ReductionForecaster
    from rnnforecast.transformers import (
        Differencer,
        LagTransformer,
        LogTransformer,
        SlidingWindowTransformer,
    )

    return [
        Drift(),
        ReductionForecaster(Ridge()),
        ForecastingPipeline([("s", StandardScaler()), ("m", ReductionForecaster(Ridge()))]),
        Differencer(),
        LogTransformer(),
        LagTransformer(),
        SlidingWindowTransformer(),
    ]


@pytest.mark.parametrize("est", _all_estimators(), ids=lambda e: type(e).__name__)
def test_sklearn_parameter_conventions(est):
    from sklearn.utils.estimator_checks import (
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_set_params,
    )

    name = type(est).__name__
    check_no_attributes_set_in_init(name, est)
    check_get_params_invariance(name, est)
    check_set_params(name, est)
    assert clone(est).get_params(deep=False).keys() == est.get_params(deep=False).keys()


def test_gridsearch_on_series_with_rangeindex():
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

    from rnnforecast.forecasting import ReductionForecaster

    y = pd.Series(np.sin(np.arange(100) / 5))
    gs = GridSearchCV(
        ReductionForecaster(Ridge()),
        {"window_length": [3, 5]},
        cv=TimeSeriesSplit(n_splits=3, test_size=5),
        error_score="raise",
    ).fit(y)
    assert list(gs.predict(2).index) == [100, 101]


def test_global_pandas_transform_output_does_not_break_pipelines():
    import sklearn
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import StandardScaler

    from rnnforecast.forecasting import ForecastingPipeline, ReductionForecaster

    y = pd.Series(np.sin(np.arange(60) / 5))
    pipe = ForecastingPipeline([("s", StandardScaler()), ("m", ReductionForecaster(Ridge()))])
    expected = pipe.fit(y).predict(3)
    with sklearn.config_context(transform_output="pandas"):
        got = clone(pipe).fit(y).predict(3)
    pd.testing.assert_series_equal(got, expected)


def test_failed_fit_leaves_the_forecaster_as_it_was():
    import numpy as np
    from sklearn.exceptions import NotFittedError

    from rnnforecast.forecasting.base import BaseForecaster

    class Flaky(BaseForecaster):
        def __init__(self, fail=False):
            self.fail = fail

        def _fit(self, y, X):
            self.level_ = y[-1].copy()
            if self.fail:
                raise FloatingPointError("diverged")

        def _predict(self, h, X, y_hist, **_):
            return np.repeat(self.level_[None, :], h, axis=0)

    f = Flaky().fit(np.arange(10.0))
    before = f.predict(3)
    f.fail = True
    with pytest.raises(FloatingPointError):
        f.fit(np.arange(100.0, 150.0))
    np.testing.assert_array_equal(f.predict(3), before)
    assert f.n_timesteps_ == 10
    fresh = Flaky(fail=True)
    with pytest.raises(FloatingPointError):
        fresh.fit(np.arange(10.0))
    with pytest.raises(NotFittedError):
        fresh.predict(2)
