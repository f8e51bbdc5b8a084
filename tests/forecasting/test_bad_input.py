"""Every kind of bad input is refused with a clear error (one test each)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge

from rnnforecast.forecasting import BaseForecaster, ForecastingPipeline, ReductionForecaster
from rnnforecast.transformers import Differencer


class Last(BaseForecaster):
    """Test double: repeats the last value; univariate only, no exog."""

    _supports_multivariate = False

    def _fit(self, y, X=None):
        pass

    def _predict(self, h, X=None, y_hist=None, **_):
        return np.repeat(self._history(y_hist)[-1:], h, axis=0)


def reducer(**kw):
    return ReductionForecaster(Ridge(), window_length=3, **kw)


Y = np.arange(20.0)
X = np.column_stack([np.sin(np.arange(20.0)), np.cos(np.arange(20.0))])


# ------------------------------------------------------------------ y values
def test_nan_in_y():
    y = Y.copy()
    y[7] = np.nan
    with pytest.raises(ValueError, match=r"y must contain only finite values; got 1 NaN.*row 7"):
        reducer().fit(y)


def test_inf_in_y():
    y = Y.copy()
    y[3] = -np.inf
    with pytest.raises(ValueError, match=r"y must contain only finite.*1 infinite"):
        reducer().fit(y)


def test_nullable_int_with_missing_value():
    y = pd.Series([1, 2, None, 4, 5, 6, 7, 8], dtype="Int64")
    with pytest.raises(ValueError, match="NaN"):
        reducer().fit(y)


def test_nan_in_X():
    Xb = X.copy()
    Xb[5, 1] = np.nan
    with pytest.raises(ValueError, match=r"X must contain only finite values"):
        reducer().fit(Y, Xb)


def test_inf_in_X_at_predict():
    f = reducer().fit(Y, X)
    with pytest.raises(ValueError, match=r"X must contain only finite values"):
        f.predict(2, X=np.array([[0.0, np.inf], [0.0, 0.0]]))


def test_empty_array():
    with pytest.raises(ValueError, match=r"y must not be empty; got 0 observation"):
        reducer().fit(np.array([]))


def test_empty_dataframe():
    with pytest.raises(ValueError, match=r"y must not be empty"):
        reducer().fit(pd.DataFrame())


def test_three_dimensional_y():
    with pytest.raises(ValueError, match=r"y must be 1-D .* or 2-D .*3 dimensions, shape \(4, 5, 2\)"):
        reducer().fit(np.zeros((4, 5, 2)))


def test_scalar_y():
    with pytest.raises(ValueError, match="y must be 1-D"):
        reducer().fit(3.0)


def test_object_dtype_array():
    with pytest.raises(TypeError, match=r"y must hold real numbers.*object"):
        reducer().fit(np.array([1.0, 2.0, 3.0, 4.0, 5.0], dtype=object))


def test_string_values_in_list():
    with pytest.raises(TypeError, match=r"y must hold real numbers.*string"):
        reducer().fit(["1", "2", "3", "4", "5"])


def test_string_series():
    with pytest.raises(TypeError, match=r"y must hold real numbers.*dtype"):
        reducer().fit(pd.Series(["a", "b", "c", "d", "e"]))


def test_complex_dtype():
    with pytest.raises(TypeError, match=r"complex"):
        reducer().fit(Y + 1j)


def test_bool_array():
    with pytest.raises(TypeError, match=r"y must hold real numbers.*boolean"):
        reducer().fit(Y > 5)


def test_bool_series():
    with pytest.raises(TypeError, match=r"boolean"):
        reducer().fit(pd.Series(Y > 5))


def test_bool_column_in_dataframe_names_the_column():
    df = pd.DataFrame({"a": Y, "flag": Y > 3})
    with pytest.raises(TypeError, match=r"y\['flag'\].*boolean"):
        reducer().fit(df)


def test_datetime_values():
    with pytest.raises(TypeError, match="datetime64"):
        reducer().fit(np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"))


def test_string_X():
    with pytest.raises(TypeError, match=r"X must hold real numbers"):
        reducer().fit(Y, np.array([["a"]] * 20))


def test_int_data_is_accepted_as_numbers():
    a = reducer().fit(np.arange(20)).predict(2)
    b = reducer().fit(np.arange(20.0)).predict(2)
    np.testing.assert_array_equal(a, b)


# ------------------------------------------------------------------- indexes
def test_unsorted_datetimeindex():
    idx = pd.date_range("2020-01-01", periods=6, freq="D")[[0, 1, 3, 2, 4, 5]]
    with pytest.raises(ValueError, match=r"y must be sorted by time.*sort_index"):
        Last().fit(pd.Series(np.arange(6.0), index=idx))


def test_duplicated_datetimeindex():
    idx = pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-02", "2020-01-03"])
    with pytest.raises(ValueError, match=r"unique index labels.*2020-01-02"):
        Last().fit(pd.Series(np.arange(4.0), index=idx))


def test_unsorted_periodindex():
    idx = pd.PeriodIndex(["2020-03", "2020-01", "2020-02"], freq="M")
    with pytest.raises(ValueError, match="sorted"):
        Last().fit(pd.Series(np.arange(3.0), index=idx))


def test_datetimeindex_without_inferable_frequency():
    idx = pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-05", "2020-01-09"])
    with pytest.raises(ValueError, match=r"DatetimeIndex without a frequency.*asfreq"):
        Last().fit(pd.Series(np.arange(4.0), index=idx))


def test_unevenly_spaced_integer_index():
    with pytest.raises(ValueError, match="evenly spaced"):
        Last().fit(pd.Series(np.arange(3.0), index=[0, 1, 5]))


def test_string_index():
    with pytest.raises(TypeError, match=r"DatetimeIndex, PeriodIndex or integer index"):
        Last().fit(pd.Series([1.0, 2.0], index=["a", "b"]))


# -------------------------------------------------------------- short history
def test_too_short_history_names_both_numbers():
    f = ReductionForecaster(Ridge(), window_length=24)
    with pytest.raises(
        ValueError,
        match=r"y has 10 observations but ReductionForecaster\(regressor=Ridge\(\), "
        r"window_length=24\) needs at least 25",
    ):
        f.fit(np.arange(10.0))


def test_too_short_history_direct_strategy_counts_the_horizon():
    f = ReductionForecaster(Ridge(), window_length=5, strategy="direct", horizon=4)
    with pytest.raises(ValueError, match="y has 8 observations .* needs at least 9"):
        f.fit(np.arange(8.0))


def test_too_short_history_in_pipeline_counts_dropped_rows():
    pipe = ForecastingPipeline([("d", Differencer([1, 12])), ("m", reducer())])
    # 13 rows dropped + window 3 + 1 target
    with pytest.raises(ValueError, match="y has 16 observations .* needs at least 17"):
        pipe.fit(np.arange(16.0))


# ------------------------------------------------------------------- fitting
def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        reducer().predict(3)


def test_score_before_fit():
    with pytest.raises(NotFittedError):
        reducer().score(Y)


def test_pipeline_predict_before_fit():
    with pytest.raises(NotFittedError):
        ForecastingPipeline([("m", reducer())]).predict(1)


# --------------------------------------------------------------------- h
@pytest.mark.parametrize("h", [True, np.bool_(True), 2.0, "3", None, [2]])
def test_non_integer_horizon(h):
    f = Last().fit(Y)
    with pytest.raises(TypeError, match=r"h must be a positive integer.*got"):
        f.predict(h)


@pytest.mark.parametrize("h", [0, -1, np.int64(-5)])
def test_non_positive_horizon(h):
    f = Last().fit(Y)
    with pytest.raises(ValueError, match=rf"h must be a positive integer.*got {int(h)}"):
        f.predict(h)


# --------------------------------------------------------------------- X
def test_X_missing_at_predict():
    f = reducer().fit(Y, X)
    with pytest.raises(ValueError, match=r"X is required.*2 exogenous regressor\(s\).*3 rows of future values"):
        f.predict(3)


def test_X_wrong_length_at_predict():
    f = reducer().fit(Y, X)
    with pytest.raises(ValueError, match=r"X must have 3 rows \(h=3 future steps\); got 2"):
        f.predict(3, X=np.zeros((2, 2)))


def test_X_wrong_number_of_columns_at_predict():
    f = reducer().fit(Y, X)
    with pytest.raises(ValueError, match=r"X must have 2 column\(s\), as at fit; got 3"):
        f.predict(2, X=np.zeros((2, 3)))


def test_X_other_column_names_at_predict():
    Xdf = pd.DataFrame(X, columns=["a", "b"])
    f = reducer().fit(pd.Series(Y), Xdf)
    with pytest.raises(ValueError, match=r"columns seen at fit"):
        f.predict(2, X=pd.DataFrame(np.zeros((2, 2)), columns=["b", "a"]))


def test_X_at_predict_but_not_at_fit():
    f = reducer().fit(Y)
    with pytest.raises(ValueError, match=r"X was given but .* fitted without exogenous"):
        f.predict(2, X=np.zeros((2, 2)))


def test_X_wrong_length_at_fit():
    with pytest.raises(ValueError, match=r"X must have 20 rows \(one per observation of y\); got 19"):
        reducer().fit(Y, X[:19])


def test_X_one_dimensional_array():
    with pytest.raises(ValueError, match=r"X must be 2-D.*reshape\(-1, 1\)"):
        reducer().fit(Y, np.arange(20.0))


def test_X_index_not_aligned_with_y_at_fit():
    y = pd.Series(Y, index=pd.date_range("2000", periods=20, freq="D"))
    Xdf = pd.DataFrame(X, index=pd.date_range("2001", periods=20, freq="D"))
    with pytest.raises(ValueError, match="X index does not match"):
        reducer().fit(y, Xdf)


def test_X_given_to_forecaster_without_exog_support():
    with pytest.raises(ValueError, match=r"Last does not use exogenous regressors; got X"):
        Last().fit(Y, X)


def test_multivariate_y_to_univariate_forecaster():
    with pytest.raises(ValueError, match=r"Last forecasts a single series; got y with 2 columns"):
        Last().fit(np.zeros((5, 2)))


def test_X_with_new_history_needs_history_rows_too():
    f = reducer().fit(Y, X)
    with pytest.raises(ValueError, match=r"len\(y\)=10 history rows \+ h=2 future rows"):
        f.predict(2, X=np.zeros((2, 2)), y=Y[:10])


# --------------------------------------------------------------- parameters
def test_invalid_window_length():
    with pytest.raises(ValueError, match="'window_length' parameter of ReductionForecaster"):
        ReductionForecaster(Ridge(), window_length=0).fit(Y)


def test_invalid_strategy():
    with pytest.raises(ValueError, match="'strategy' parameter"):
        ReductionForecaster(Ridge(), strategy="multioutput").fit(Y)


def test_regressor_without_predict():
    with pytest.raises(ValueError, match="'regressor' parameter"):
        ReductionForecaster(Differencer()).fit(Y)


def test_float_window_length_is_not_coerced():
    with pytest.raises(TypeError, match="'window_length' parameter"):
        ReductionForecaster(Ridge(), window_length=3.0).fit(Y)
