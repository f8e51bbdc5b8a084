"""Error messages name what the user passed: time steps vs features, the float32 range."""

from __future__ import annotations

import numpy as np
import pytest

from rnnforecast import LSTMForecaster
from rnnforecast.estimators import GRUClassifier, LSTMRegressor
from rnnforecast.utils.network_input import check_dtype_range

SMALL = dict(hidden_size=3, max_iter=1, random_state=0)


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    return LSTMRegressor(**SMALL).fit(rng.random((20, 5, 2)), rng.random(20))


@pytest.mark.parametrize("shape", [(4, 6, 2), (4, 6)])
def test_other_number_of_time_steps_is_called_time_steps(fitted, shape):
    with pytest.raises(ValueError, match=r"X has 6 time steps per sequence .* fitted on sequences "
                                         r"of 5 time steps") as info:
        fitted.predict(np.zeros(shape))
    assert "features" not in str(info.value).split(";")[0]


def test_other_number_of_features_is_still_called_features(fitted):
    with pytest.raises(ValueError, match="X has 3 features per time step"):
        fitted.predict(np.zeros((4, 5, 3)))


def test_classifier_time_steps_message():
    rng = np.random.default_rng(1)
    clf = GRUClassifier(**SMALL).fit(rng.random((12, 4)), np.tile([0, 1], 6))
    with pytest.raises(ValueError, match="X has 7 time steps per sequence"):
        clf.predict(rng.random((3, 7)))


def test_float32_overflow_is_reported_as_such_not_as_nan():
    X = np.full((20, 5, 1), 1e300)
    y = np.random.default_rng(2).random(20)
    with pytest.raises(ValueError, match=r"X has values beyond the float32 range \(max \|x\| = "
                                         r"1e\+300 > 3\.4e\+38\); use dtype='float64' or rescale X"):
        LSTMRegressor(**SMALL).fit(X, y)
    pred = LSTMRegressor(**SMALL, dtype="float64").fit(X, y).predict(X[:2])
    assert np.isfinite(pred).all()


def test_forecaster_without_scaler_names_the_float32_range():
    y = np.sin(np.arange(60) / 3) + 10
    X = np.full((60, 1), 1e300)
    with pytest.raises(ValueError, match=r"X has values beyond the float32 range \(max \|x\| = 1e\+300"):
        LSTMForecaster(window_length=5, hidden_size=4, max_iter=2, scaler=None,
                       strategy="recursive").fit(y, X=X)


def test_check_dtype_range_underflow_and_passthrough():
    with pytest.raises(ValueError, match=r"X has nonzero values that are all below the float32 range"):
        check_dtype_range(np.full((3, 1), 1e-300), "float32")
    check_dtype_range(np.array([1e300, np.nan]), "float64")   # float64: nothing to check
    check_dtype_range(np.array([1.0, np.nan]), "float32")     # NaN is left to other checks


def test_forecaster_predict_with_huge_future_exog_names_the_float32_range():
    rng = np.random.default_rng(3)
    y = np.sin(np.arange(60) / 3) + 10
    X = rng.normal(size=(60, 1))
    f = LSTMForecaster(window_length=5, hidden_size=4, max_iter=2, random_state=0,
                       strategy="recursive", scaler="standard").fit(y, X=X)
    with pytest.raises(ValueError, match=r"X has values beyond the float32 range after scaling"):
        f.predict(3, X=np.full((3, 1), 1e300))
    assert np.isfinite(f.predict(3, X=X[:3])).all()
