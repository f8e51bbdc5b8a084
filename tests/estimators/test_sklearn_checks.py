"""scikit-learn's own estimator checks on the six sequence estimators.

The estimators are checked with small networks (``hidden_size=8``) so that
the whole suite runs in seconds.  A 2-D ``X`` is read as one feature per time
step, which is how the checks' tabular data reach the networks.  The learning
rate (0.02) and the number of epochs (50) are chosen so that the checks that
test the training score pass with a margin (``check_regressors_train``
needs R² > 0.5, measured 0.73-0.83 over seeds; ``check_classifiers_train``
needs accuracy > 0.83, measured 0.94-0.95).  ``n_jobs=1``: the checks fit
hundreds of tiny networks, for which one kernel thread is fastest.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from rnnforecast.estimators import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RNNClassifier,
    RNNRegressor,
)

SMALL = dict(hidden_size=8, max_iter=50, learning_rate_init=0.02, n_jobs=1)

ESTIMATORS = [
    RNNRegressor(**SMALL),
    GRURegressor(**SMALL),
    LSTMRegressor(**SMALL),
    RNNClassifier(**SMALL),
    GRUClassifier(**SMALL),
    LSTMClassifier(**SMALL),
]


_NAN_AS_PADDING = (
    "NaN marks left padding: check_estimators_nan_inf sets X[0, 0] = NaN, which is a valid "
    "left-padded sequence (its first step missing), so fit rightly accepts it; NaN anywhere "
    "else is refused (tests/nn/test_masked.py, tests/estimators/test_regressors.py)"
)


def expected_failed_checks(estimator):
    """Checks expected to fail, each with its reason (float inputs: NaN is left padding)."""
    if estimator.embedding_dim is None:
        return {"check_estimators_nan_inf": _NAN_AS_PADDING}
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check, monkeypatch):
    if getattr(check, "func", check).__name__ == "check_array_api_input":
        # The estimators do not declare array-API support, so scikit-learn
        # only checks that enabling array-API dispatch with NumPy inputs
        # changes nothing.  It skips that check unless SCIPY_ARRAY_API is
        # set; set it for this check only (NumPy inputs need nothing from
        # SciPy's array-API mode) so the check runs instead of skipping.
        monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    check(estimator)


def test_checks_cover_every_estimator():
    names = {type(e).__name__ for e in ESTIMATORS}
    assert names == {
        "RNNRegressor", "GRURegressor", "LSTMRegressor",
        "RNNClassifier", "GRUClassifier", "LSTMClassifier",
    }
    assert all(set(expected_failed_checks(e)) == {"check_estimators_nan_inf"}
               for e in ESTIMATORS)
    with pytest.raises(TypeError):
        ESTIMATORS[0].__class__(5)  # parameters are keyword-only
