"""clone, get_params/set_params, pickle and joblib round-trips of the estimators and forecasters."""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone

from rnnforecast.estimators import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)
from rnnforecast.forecasting.neural import GRUForecaster, LSTMForecaster, RNNForecaster

SMALL = dict(hidden_size=4, max_iter=3, n_jobs=1, random_state=0)


def data(classifier):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 5, 2))
    y = (X[:, -1, 0] > 0).astype(int) if classifier else X[:, -1, 0] * 10.0 + 3.0
    return X, y


ESTIMATORS = [
    RNNRegressor(nonlinearity="relu", **SMALL),
    GRURegressor(bidirectional=True, **SMALL),
    LSTMRegressor(num_layers=2, dropout=0.1, **SMALL),
    RNNClassifier(**SMALL),
    GRUClassifier(head_dropout=0.2, **SMALL),
    LSTMClassifier(bidirectional=True, head="last", **SMALL),
]


def outputs(est, X):
    if hasattr(est, "predict_proba"):
        return est.predict_proba(X)
    return est.predict(X)


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_estimator_round_trips(est, tmp_path):
    X, y = data(hasattr(est, "predict_proba"))
    fitted = clone(est).fit(X, y)
    expected = outputs(fitted, X)

    # clone: same parameters, unfitted; refitting gives the same model.
    c = clone(fitted)
    assert c.get_params() == est.get_params()
    assert not hasattr(c, "params_")
    np.testing.assert_array_equal(outputs(c.fit(X, y), X), expected)

    # set_params then get_params.
    c.set_params(hidden_size=6, verbose=0)
    assert c.get_params()["hidden_size"] == 6

    # pickle and joblib.
    p = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(outputs(p, X), expected)
    path = tmp_path / "model.joblib"
    joblib.dump(fitted, path)
    j = joblib.load(path)
    np.testing.assert_array_equal(outputs(j, X), expected)
    # memory-mapped (read-only) weights predict the same.
    joblib.dump(fitted, path)
    m = joblib.load(path, mmap_mode="r")
    np.testing.assert_array_equal(outputs(m, X), expected)
    for key, value in j.get_state_dict().items():
        np.testing.assert_array_equal(value, fitted.get_state_dict()[key])


@pytest.mark.parametrize("cls", [RNNForecaster, GRUForecaster, LSTMForecaster])
def test_forecaster_round_trips(cls, tmp_path):
    y = 50.0 + 10.0 * np.sin(np.arange(60) * 2 * np.pi / 12)
    f = cls(window_length=6, hidden_size=4, max_iter=2, n_jobs=1, random_state=0).fit(y)
    expected = f.predict(5)
    assert np.array_equal(clone(f).fit(y).predict(5), expected)
    assert np.array_equal(pickle.loads(pickle.dumps(f)).predict(5), expected)
    joblib.dump(f, tmp_path / "f.joblib")
    g = joblib.load(tmp_path / "f.joblib")
    np.testing.assert_array_equal(g.predict(5), expected)
    np.testing.assert_array_equal(g.predict(5, y=y[:30]), f.predict(5, y=y[:30]))
    assert clone(f).get_params() == f.get_params()


@pytest.mark.parametrize("cls", [RNNForecaster, GRUForecaster, LSTMForecaster])
def test_forecaster_parameter_conventions(cls):
    from sklearn.utils.estimator_checks import (
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_set_params,
    )

    est = cls()
    name = cls.__name__
    check_no_attributes_set_in_init(name, est)
    check_get_params_invariance(name, est)
    check_set_params(name, est)
    assert clone(est).get_params() == est.get_params()
