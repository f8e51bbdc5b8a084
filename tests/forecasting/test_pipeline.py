"""Series transformers (LogTransformer, Differencer) and ForecastingPipeline."""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.preprocessing import FunctionTransformer, PowerTransformer, StandardScaler

from rnnforecast.forecasting import BaseForecaster, ForecastingPipeline, ReductionForecaster
from rnnforecast.transformers import Differencer, LogTransformer


class Last(BaseForecaster):
    """Test double: repeats the last value of each series."""

    def _fit(self, y, X=None):
        self.fit_y_ = y.copy()

    def _predict(self, h, X=None, y_hist=None, **_):
        return np.repeat(self._history(y_hist)[-1:], h, axis=0)


def co2_monthly():
    import statsmodels.api as sm

    y = sm.datasets.co2.load_pandas().data["co2"].resample("MS").mean().ffill()
    assert y.index.freqstr == "MS"
    return y


# ------------------------------------------------------------- LogTransformer
def test_log_transformer_values_and_inverse():
    y = np.array([1.0, np.e, np.e**2])
    t = LogTransformer().fit(y)
    np.testing.assert_allclose(t.transform(y), [0.0, 1.0, 2.0])
    np.testing.assert_allclose(t.inverse_transform([0.0, 1.0]), [1.0, np.e])


def test_log_transformer_offset():
    t = LogTransformer(offset=1.0).fit(np.array([0.0, 3.0]))
    np.testing.assert_allclose(t.transform(np.array([0.0, 3.0])), [0.0, np.log(4.0)])
    np.testing.assert_allclose(t.inverse_transform([np.log(4.0)]), [3.0])


def test_log_transformer_refuses_non_positive_values():
    with pytest.raises(ValueError, match=r"y \+ offset > 0.*1 value\(s\) <= 0.*row 2"):
        LogTransformer().fit(np.array([1.0, 2.0, 0.0]))
    t = LogTransformer().fit(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="offset > 0"):
        t.transform(np.array([-1.0]))


def test_log_transformer_keeps_2d_shape():
    y = np.ones((4, 2))
    assert LogTransformer().fit_transform(y).shape == (4, 2)


# ----------------------------------------------------------------- Differencer
def test_differencer_first_difference_by_hand():
    d = Differencer(lags=1).fit(np.array([1.0, 2.0, 4.0, 7.0]))
    np.testing.assert_array_equal(d.transform(np.array([1.0, 2.0, 4.0, 7.0])), [1.0, 2.0, 3.0])
    # integrate forecasts of the differences from the last value 7
    np.testing.assert_array_equal(d.inverse_transform_forecast(np.array([1.0, -2.0])), [8.0, 6.0])


def test_differencer_seasonal_forecast_inversion_matches_formula():
    rng = np.random.default_rng(0)
    y = rng.normal(size=40).cumsum() + 5 * np.sin(np.arange(40) * 2 * np.pi / 12)
    d = Differencer(lags=[1, 12]).fit(y)
    assert d.transform(y).shape == (40 - 13,)
    # Zero forecasts of the doubly differenced series mean
    # y[T+j] - y[T+j-12] = y[T] - y[T-12] (same seasonal step as the last one).
    h = 15
    fc = d.inverse_transform_forecast(np.zeros(h))
    ext = list(y)
    T = len(y) - 1
    for j in range(1, h + 1):
        ext.append(ext[T + j - 12] + (y[T] - y[T - 12]))
    np.testing.assert_allclose(fc, ext[len(y):])


def test_differencer_second_difference_of_a_quadratic():
    t = np.arange(10.0)
    y = t**2
    d = Differencer(lags=[1, 1]).fit(y)
    np.testing.assert_allclose(d.transform(y), np.full(8, 2.0))
    np.testing.assert_allclose(d.inverse_transform_forecast(np.full(3, 2.0)), [100.0, 121.0, 144.0])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=3),
    st.integers(1, 2),
    st.data(),
)
def test_differencer_inverse_transform_round_trip(lags, k, data):
    n = data.draw(st.integers(sum(lags) + 1, sum(lags) + 20))
    y = data.draw(arrays(np.float64, (n, k), elements=st.floats(-1e3, 1e3)))
    d = Differencer(lags=lags).fit(y)
    z = d.transform(y)
    assert z.shape == (n - sum(lags), k)
    np.testing.assert_allclose(d.inverse_transform(z), y, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=3), st.data())
def test_differencer_forecast_inversion_continues_the_series(lags, data):
    """Differencing a longer series and inverting its tail gives the tail back."""
    n = data.draw(st.integers(sum(lags) + 1, sum(lags) + 20))
    h = data.draw(st.integers(1, 8))
    full = data.draw(arrays(np.float64, (n + h,), elements=st.floats(-1e3, 1e3)))
    d = Differencer(lags=lags).fit(full[:n])
    z_future = d.transform(full)[-h:]
    np.testing.assert_allclose(d.inverse_transform_forecast(z_future), full[n:], atol=1e-6)
    np.testing.assert_allclose(
        d.inverse_transform_forecast(z_future, full[:n]), full[n:], atol=1e-6
    )


def test_differencer_too_short():
    with pytest.raises(ValueError, match=r"y has 3 observations but Differencer\(lags=\[1, 2\]\) needs at least 4"):
        Differencer(lags=[1, 2]).fit(np.arange(3.0))


def test_differencer_bad_lags():
    with pytest.raises(ValueError, match="lags"):
        Differencer(lags=[1, 0]).fit(np.arange(10.0))
    with pytest.raises(TypeError, match="lags"):
        Differencer(lags=True).fit(np.arange(10.0))


# ------------------------------------------------------------------- pipeline
def test_pipeline_differencer_continues_a_linear_trend():
    y = 3.0 + 0.5 * np.arange(30)
    pipe = ForecastingPipeline(
        [("diff", Differencer()), ("model", ReductionForecaster(LinearRegression(), window_length=2))]
    )
    pred = pipe.fit(y).predict(4)
    np.testing.assert_allclose(pred, 3.0 + 0.5 * np.arange(30, 34), atol=1e-8)


def test_pipeline_with_differencer_and_last_value_is_drift_free_naive():
    y = np.array([1.0, 4.0, 6.0, 7.0])
    pipe = ForecastingPipeline([("diff", Differencer()), ("model", Last())])
    # last difference 1 repeated, integrated from 7
    np.testing.assert_allclose(pipe.fit(y).predict(3), [8.0, 9.0, 10.0])
    # the final forecaster saw the differenced series
    np.testing.assert_allclose(pipe.named_steps.model.fit_y_[:, 0], [3.0, 2.0, 1.0])


@pytest.mark.parametrize(
    "transformer",
    [
        StandardScaler(),
        PowerTransformer(),
        FunctionTransformer(np.log, np.exp),
        LogTransformer(offset=2.0),
    ],
)
def test_pipeline_inverts_plain_sklearn_transformers(transformer):
    rng = np.random.default_rng(1)
    y = np.exp(rng.normal(size=(30, 2)))
    pipe = ForecastingPipeline([("t", transformer), ("model", Last())]).fit(y)
    np.testing.assert_allclose(pipe.predict(2), np.repeat(y[-1:], 2, axis=0), rtol=1e-9)


def test_pipeline_steps_invert_in_reverse_order():
    y = np.array([2.0, 3.0, 5.0, 9.0])
    pipe = ForecastingPipeline(
        [("log", LogTransformer()), ("diff", Differencer()), ("model", Last())]
    ).fit(y)
    # last log-difference log(9/5) repeated: 9 * 9/5, 9 * (9/5)**2
    np.testing.assert_allclose(pipe.predict(2), [9 * 1.8, 9 * 1.8**2])


def test_pipeline_pandas_in_pandas_out():
    y = co2_monthly()
    pipe = ForecastingPipeline(
        [("diff", Differencer([1, 12])), ("model", ReductionForecaster(Ridge(), window_length=12))]
    ).fit(y)
    pred = pipe.predict(6)
    assert isinstance(pred, pd.Series)
    assert pred.name == "co2"
    assert list(pred.index) == list(pd.date_range("2002-01-01", periods=6, freq="MS"))
    # sensible values: within a few ppm of the last year's level
    assert np.all(np.abs(pred.to_numpy() - y.iloc[-12:].mean()) < 5)


def test_pipeline_predict_from_new_history():
    y = np.array([1.0, 4.0, 6.0, 7.0, 20.0, 21.0, 25.0])
    pipe = ForecastingPipeline([("diff", Differencer()), ("model", Last())]).fit(y[:4])
    # new history ends 21, 25: last difference 4, integrated from 25
    np.testing.assert_allclose(pipe.predict(2, y=y[3:]), [29.0, 33.0])
    # the fitted history is still used without y
    np.testing.assert_allclose(pipe.predict(1), [8.0])


def test_pipeline_predict_from_new_pandas_history_index():
    y = co2_monthly()
    pipe = ForecastingPipeline([("diff", Differencer()), ("model", Last())]).fit(y.iloc[:200])
    pred = pipe.predict(2, y=y.iloc[100:300])
    assert pred.index[0] == y.index[300]
    last, diff = y.iloc[299], y.iloc[299] - y.iloc[298]
    np.testing.assert_allclose(pred.to_numpy(), [last + diff, last + 2 * diff])


def test_pipeline_with_exog_trims_X_after_differencing():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 1))
    y = 10.0 + np.cumsum(2.0 * X[:, 0])  # diff(y)[t] = 2 X[t]
    pipe = ForecastingPipeline(
        [("diff", Differencer()), ("model", ReductionForecaster(LinearRegression(), window_length=1))]
    ).fit(y[:30], X[:30])
    pred = pipe.predict(10, X=X[30:])
    np.testing.assert_allclose(pred, y[30:], atol=1e-8)
    # from a new history with exog covering history + future
    pred2 = pipe.predict(5, X=X[10:40], y=y[10:35])
    np.testing.assert_allclose(pred2, y[35:40], atol=1e-8)


def test_pipeline_get_set_params_and_clone():
    pipe = ForecastingPipeline(
        [("scale", StandardScaler()), ("model", ReductionForecaster(Ridge(), window_length=5))]
    )
    params = pipe.get_params(deep=True)
    assert params["model__window_length"] == 5
    assert params["model__regressor__alpha"] == 1.0
    assert params["scale__with_mean"] is True
    pipe.set_params(model__window_length=7, model__regressor__alpha=0.5)
    assert pipe.named_steps["model"].window_length == 7
    assert pipe.named_steps["model"].regressor.alpha == 0.5
    pipe.set_params(scale="passthrough")
    y = np.sin(np.arange(40.0))
    fitted = pipe.fit(y)
    c = clone(fitted)
    assert c.get_params()["model__window_length"] == 7
    assert not hasattr(c, "cutoff_")
    np.testing.assert_allclose(c.fit(y).predict(3), fitted.predict(3))


def test_pipeline_pickle_round_trip():
    y = co2_monthly().iloc[-120:]
    pipe = ForecastingPipeline(
        [("log", LogTransformer()), ("diff", Differencer(12)), ("model", ReductionForecaster(Ridge(), window_length=6))]
    ).fit(y)
    again = pickle.loads(pickle.dumps(pipe))
    pd.testing.assert_series_equal(again.predict(5), pipe.predict(5))


def test_pipeline_final_step_must_be_a_forecaster():
    with pytest.raises(TypeError, match="last step of steps must be a forecaster"):
        ForecastingPipeline([("scale", StandardScaler()), ("reg", Ridge())]).fit(np.arange(10.0))


def test_pipeline_duplicate_names():
    with pytest.raises(ValueError, match="unique"):
        ForecastingPipeline([("a", StandardScaler()), ("a", Last())]).fit(np.arange(10.0))


def test_pipeline_transformer_without_inverse():
    class NoInverse:
        def fit(self, y, X=None):
            return self

        def transform(self, y):
            return y

        def get_params(self, deep=True):
            return {}

    with pytest.raises(TypeError, match="has no inverse_transform"):
        ForecastingPipeline([("t", NoInverse()), ("m", Last())]).fit(np.arange(10.0))


def test_pipeline_function_transformer_without_inverse_func_is_refused():
    with pytest.raises(ValueError, match="inverse_func"):
        ForecastingPipeline([("t", FunctionTransformer(np.log)), ("m", Last())]).fit(np.arange(1.0, 10.0))


def test_pipeline_steps_must_be_a_list_of_pairs():
    with pytest.raises(ValueError, match="steps"):
        ForecastingPipeline([Last()]).fit(np.arange(10.0))
