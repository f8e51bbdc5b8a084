"""RNNRegressor / GRURegressor / LSTMRegressor: learning, options, errors.

Networks are tiny and most fits use ``n_jobs=1`` (one kernel thread is the
fastest for such small batches, and keeps the suite fast on shared cores).
"""

import re

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import r2_score

from rnnforecast.estimators import (
    GRURegressor,
    LSTMRegressor,
    NonFiniteLossError,
    RNNRegressor,
)

FAST = dict(hidden_size=4, max_iter=3, n_jobs=1, random_state=0)


def noisy_sine(n, T=20, seed=0, noise=0.1):
    """Windows of sine waves with random phase; target: the next value.

    Inputs and target carry Gaussian noise of std ``noise``, so the best
    possible R² is about ``1 - noise**2 / 0.5`` = 0.98.
    """
    rng = np.random.default_rng(seed)
    phase = rng.uniform(0, 2 * np.pi, n)
    clean = np.sin(phase[:, None] + 0.3 * np.arange(T + 1)[None, :])
    noisy = clean + noise * rng.standard_normal(clean.shape)
    return noisy[:, :T], noisy[:, T]


@pytest.fixture(scope="module")
def sine():
    return noisy_sine(400), noisy_sine(200, seed=1)


# ------------------------------------------------------------------ learning
def test_lstm_regressor_learns_noisy_sine(sine):
    (X, y), (X_test, y_test) = sine
    reg = LSTMRegressor(hidden_size=8, max_iter=30, learning_rate_init=0.01, n_jobs=1,
                        random_state=0).fit(X, y)
    r2 = r2_score(y_test, reg.predict(X_test))
    # Persistence (last input value) reaches about 0.87 here, the noise
    # ceiling is about 0.98; measured 0.97 with this seed.
    r2_persistence = r2_score(y_test, X_test[:, -1])
    assert r2 > 0.95
    assert r2 > r2_persistence + 0.05
    assert reg.score(X_test, y_test) == pytest.approx(r2)
    assert reg.n_iter_ == len(reg.loss_curve_) <= 30
    assert reg.loss_curve_[-1] < reg.loss_curve_[0]
    assert reg.best_loss_ == min(reg.loss_curve_)
    assert reg.validation_scores_ is None


@pytest.mark.parametrize("cls", [RNNRegressor, GRURegressor])
def test_rnn_and_gru_regressors_learn(cls, sine):
    (X, y), (X_test, y_test) = sine
    reg = cls(hidden_size=8, max_iter=15, learning_rate_init=0.02, n_jobs=1,
              random_state=0).fit(X, y)
    assert reg.score(X_test, y_test) > 0.9


def test_multi_output_and_3d_input():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 6, 2))
    Y = np.stack([X[:, -1, 0], X[:, -1, 1] * 100.0 + 5.0, X[:, -2, 0]], axis=1)
    reg = LSTMRegressor(hidden_size=8, max_iter=40, learning_rate_init=0.02, n_jobs=1,
                        random_state=0).fit(X, Y)
    pred = reg.predict(X)
    assert pred.shape == (120, 3) and pred.dtype == np.float64
    assert reg.n_outputs_ == 3 and reg.n_features_in_ == 6 and reg.n_channels_in_ == 2
    # Internal target standardisation: the second output is on its own scale.
    np.testing.assert_allclose(reg.y_mean_, Y.mean(axis=0))
    np.testing.assert_allclose(reg.y_scale_, Y.std(axis=0))
    assert r2_score(Y, pred, multioutput="raw_values").min() > 0.8


def test_column_vector_y_gives_1d_predictions():
    X, y = noisy_sine(50, T=5)
    a = LSTMRegressor(**FAST).fit(X, y).predict(X)
    b = LSTMRegressor(**FAST).fit(X, y[:, None]).predict(X)
    assert a.shape == b.shape == (50,)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("loss", ["mae", "huber"])
def test_other_losses_train(loss):
    X, y = noisy_sine(100, T=8)
    reg = GRURegressor(hidden_size=6, max_iter=10, learning_rate_init=0.02, loss=loss,
                       n_jobs=1, random_state=0).fit(X, y)
    assert reg.loss_curve_[-1] < 0.6 * reg.loss_curve_[0]


def test_rnn_relu_and_sgd_and_float64():
    X, y = noisy_sine(100, T=8)
    reg = RNNRegressor(hidden_size=6, max_iter=10, nonlinearity="relu", solver="sgd",
                       learning_rate_init=0.01, dtype="float64", n_jobs=1,
                       random_state=0).fit(X, y)
    assert reg.network_.dtype == np.float64 and reg.params_.dtype == np.float64
    assert reg.network_.nonlinearity == "relu"
    assert reg.loss_curve_[-1] < reg.loss_curve_[0]


def test_tol_stopping_and_early_stopping():
    X, y = noisy_sine(200, T=8)
    reg = LSTMRegressor(hidden_size=6, max_iter=200, tol=10.0, n_iter_no_change=2,
                        n_jobs=1, random_state=0).fit(X, y)
    # Nothing improves by 10: the epochs 2, 3, 4 count as no improvement.
    assert reg.n_iter_ == 4
    es = LSTMRegressor(hidden_size=6, max_iter=200, early_stopping=True, tol=10.0,
                       n_iter_no_change=1, validation_fraction=0.2, n_jobs=1,
                       random_state=0).fit(X, y)
    assert es.n_iter_ == 3 == len(es.validation_scores_)
    assert es.best_validation_score_ == max(es.validation_scores_)


def test_early_stopping_keeps_best_epoch():
    X, y = noisy_sine(200, T=8)
    es = LSTMRegressor(hidden_size=6, max_iter=6, early_stopping=True, learning_rate_init=0.02,
                       n_jobs=1, random_state=0).fit(X, y)
    best = int(np.argmax(es.validation_scores_))
    # Re-train for exactly the best number of epochs without stopping early:
    # same validation split, batches and weights.
    again = LSTMRegressor(hidden_size=6, max_iter=best + 1, early_stopping=True,
                          learning_rate_init=0.02, n_iter_no_change=100, n_jobs=1,
                          random_state=0).fit(X, y)
    np.testing.assert_array_equal(es.predict(X), again.predict(X))


def test_early_stopping_validation_too_small():
    X, y = noisy_sine(10, T=4)
    with pytest.raises(ValueError, match="validation set is too small"):
        LSTMRegressor(early_stopping=True, validation_fraction=0.1, **FAST).fit(X, y)


def test_warm_start_continues_from_previous_weights():
    X, y = noisy_sine(100, T=8)
    reg = LSTMRegressor(hidden_size=6, max_iter=5, learning_rate_init=0.02, n_jobs=1,
                        random_state=0, warm_start=True).fit(X, y)
    first = reg.loss_curve_
    reg.fit(X, y)
    assert reg.loss_curve_[0] < first[0]
    cold = LSTMRegressor(hidden_size=6, max_iter=5, learning_rate_init=0.02, n_jobs=1,
                         random_state=0).fit(X, y)
    assert cold.loss_curve_ == first
    with pytest.raises(ValueError, match="warm_start"):
        reg.set_params(hidden_size=7).fit(X, y)


# ------------------------------------------------------------------ determinism
def test_same_random_state_same_model_at_any_thread_count():
    X, y = noisy_sine(64, T=6)
    kw = dict(hidden_size=6, max_iter=2, bidirectional=True, num_layers=2, dropout=0.2,
              random_state=3)
    a = LSTMRegressor(n_jobs=1, **kw).fit(X, y)
    b = LSTMRegressor(n_jobs=2, **kw).fit(X, y)
    np.testing.assert_array_equal(a.params_, b.params_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    c = LSTMRegressor(n_jobs=1, **{**kw, "random_state": 4}).fit(X, y)
    assert not np.array_equal(a.predict(X), c.predict(X))


def test_predictions_do_not_depend_on_batch_composition():
    X, y = noisy_sine(50, T=6)
    reg = GRURegressor(**FAST).fit(X, y)
    full = reg.predict(X)
    parts = np.concatenate([reg.predict(X[i:i + 7]) for i in range(0, 50, 7)])
    np.testing.assert_array_equal(full, parts)


# ------------------------------------------------------------------ verbose
def test_verbose_shows_progress_bar(capsys):
    X, y = noisy_sine(40, T=4)
    LSTMRegressor(verbose=1, early_stopping=True, validation_fraction=0.25, **FAST).fit(X, y)
    captured = capsys.readouterr()
    assert "LSTMRegressor" in captured.err
    assert "3/3" in captured.err
    assert re.search(r"loss=\d", captured.err)
    assert re.search(r"val_loss=\d", captured.err)


def test_verbose_zero_prints_nothing(capsys):
    X, y = noisy_sine(40, T=4)
    LSTMRegressor(verbose=0, early_stopping=True, validation_fraction=0.25, **FAST).fit(X, y)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# ------------------------------------------------------------------ non-finite loss
def test_divergence_raises_clear_error_and_keeps_previous_weights():
    X, y = noisy_sine(64, T=6)
    reg = LSTMRegressor(hidden_size=6, max_iter=3, n_jobs=1, random_state=0,
                        warm_start=True).fit(X, y)
    before_state = reg.get_state_dict()
    before_pred = reg.predict(X)
    before_curve = list(reg.loss_curve_)
    reg.set_params(solver="sgd", learning_rate_init=1e12)
    with pytest.raises(NonFiniteLossError, match="non-finite") as info:
        reg.fit(X, y)
    assert isinstance(info.value, FloatingPointError)
    assert "previous weights kept" in str(info.value)
    for key, value in reg.get_state_dict().items():
        np.testing.assert_array_equal(value, before_state[key])
    np.testing.assert_array_equal(reg.predict(X), before_pred)
    assert reg.loss_curve_ == before_curve


def test_divergence_on_unfitted_estimator_leaves_it_unfitted():
    X, y = noisy_sine(64, T=6)
    reg = RNNRegressor(solver="sgd", learning_rate_init=1e12, **FAST)
    with pytest.raises(NonFiniteLossError, match="non-finite"):
        reg.fit(X, y)
    with pytest.raises(NotFittedError):
        reg.predict(X)
    assert not hasattr(reg, "n_features_in_")


# ------------------------------------------------------------------ bad input
def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        LSTMRegressor().predict(np.zeros((2, 3)))
    with pytest.raises(NotFittedError):
        LSTMRegressor().get_state_dict()


@pytest.mark.parametrize(
    "X, y, exc, match",
    [
        (np.array([[1.0, np.nan], [1.0, 2.0]]), [1.0, 2.0], ValueError, "NaN"),
        (np.array([[1.0, np.inf], [1.0, 2.0]]), [1.0, 2.0], ValueError, "infinity"),
        (np.ones((2, 3)), [1.0, np.nan], ValueError, "NaN"),
        (np.ones((2, 3)), [1.0, np.inf], ValueError, "infinity"),
        (np.ones(3), [1.0, 2.0, 3.0], ValueError, "2D array"),
        (np.ones((2, 3, 1, 1)), [1.0, 2.0], ValueError, "2-D .* or 3-D"),
        (np.array([["a", "b"], ["c", "d"]]), [1.0, 2.0], ValueError, "string|numeric"),
        (np.ones((3, 4)), [1.0, 2.0], ValueError, "inconsistent numbers of samples"),
        (np.ones((2, 0)), [1.0, 2.0], ValueError, "0 feature"),
        (np.ones((2, 3, 0)), [1.0, 2.0], ValueError, "0 features per time step"),
    ],
)
def test_bad_fit_input(X, y, exc, match):
    with pytest.raises(exc, match=match):
        LSTMRegressor(**FAST).fit(X, y)


def test_bad_predict_input():
    X, y = noisy_sine(20, T=5)
    reg = LSTMRegressor(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="X has 4 time steps per sequence .* LSTMRegressor was "
                                         "fitted on sequences of 5 time steps"):
        reg.predict(X[:, :4])
    with pytest.raises(ValueError, match="NaN"):
        reg.predict(np.full((1, 5), np.nan))
    with pytest.raises(ValueError, match="2 features per time step, but LSTMRegressor is "
                                         "expecting 1"):
        reg.predict(np.ones((1, 5, 2)))
    with pytest.raises(ValueError, match="2D array"):
        reg.predict(np.ones(5))


@pytest.mark.parametrize(
    "param, value, exc",
    [
        ("hidden_size", 0, ValueError),
        ("hidden_size", 2.5, TypeError),
        ("num_layers", 0, ValueError),
        ("bidirectional", "yes", TypeError),
        ("dropout", 1.0, ValueError),
        ("head_dropout", -0.1, ValueError),
        ("head", "mean", ValueError),
        ("embedding_dim", 0, ValueError),
        ("loss", "cross_entropy", ValueError),
        ("solver", "lbfgs", ValueError),
        ("learning_rate_init", 0.0, ValueError),
        ("batch_size", 0, ValueError),
        ("max_iter", 0, ValueError),
        ("validation_fraction", 1.0, ValueError),
        ("n_iter_no_change", 0, ValueError),
        ("tol", -1.0, ValueError),
        ("clip_grad_norm", 0.0, ValueError),
        ("dtype", "float16", ValueError),
        ("n_jobs", 0, ValueError),
        ("n_jobs", 1.5, TypeError),
        ("random_state", "seed", ValueError),
        ("verbose", -1, ValueError),
    ],
)
def test_bad_parameters_name_the_parameter(param, value, exc):
    X, y = noisy_sine(10, T=3)
    with pytest.raises(exc, match=param):
        LSTMRegressor(**{**FAST, param: value}).fit(X, y)


def test_nonlinearity_is_validated_and_rnn_only():
    X, y = noisy_sine(10, T=3)
    with pytest.raises(ValueError, match="nonlinearity"):
        RNNRegressor(nonlinearity="sigmoid", **FAST).fit(X, y)
    assert "nonlinearity" not in LSTMRegressor().get_params()
    with pytest.raises(TypeError):
        LSTMRegressor(nonlinearity="relu")


def test_dropout_with_one_layer_warns():
    X, y = noisy_sine(10, T=3)
    with pytest.warns(UserWarning, match="dropout=0.3 has no effect with num_layers=1"):
        LSTMRegressor(dropout=0.3, **FAST).fit(X, y)


def test_vocab_size_needs_embedding_dim():
    X, y = noisy_sine(10, T=3)
    with pytest.raises(ValueError, match="vocab_size=10 is only used with an embedding"):
        LSTMRegressor(vocab_size=10, **FAST).fit(X, y)


def test_token_regression_with_embedding():
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 12, size=(150, 5))
    y = (tokens[:, -1] % 3).astype(float)
    reg = GRURegressor(hidden_size=8, embedding_dim=4, max_iter=40, learning_rate_init=0.02,
                       n_jobs=1, random_state=0).fit(tokens, y)
    assert reg.vocab_size_ == tokens.max() + 1
    assert reg.score(tokens, y) > 0.9


# ------------------------------------------------------------------ PyTorch layout
def test_state_dict_reproduces_predictions_in_torch():
    torch = pytest.importorskip("torch")
    X, y = noisy_sine(30, T=6)
    y = 1000.0 + 50.0 * y  # the target scaling is folded into fc.*
    reg = LSTMRegressor(hidden_size=5, num_layers=2, bidirectional=True, max_iter=2,
                        head="last", n_jobs=1, random_state=0).fit(X, y)
    state = reg.get_state_dict()
    lstm = torch.nn.LSTM(1, 5, num_layers=2, bidirectional=True, batch_first=True).double()
    fc = torch.nn.Linear(10, 1).double()
    lstm.load_state_dict({k: torch.from_numpy(v.astype(np.float64))
                          for k, v in state.items() if not k.startswith("fc.")})
    fc.load_state_dict({k[3:]: torch.from_numpy(v.astype(np.float64))
                        for k, v in state.items() if k.startswith("fc.")})
    with torch.no_grad():
        out, _ = lstm(torch.from_numpy(X[:, :, None]))
        expected = fc(out[:, -1, :]).numpy().ravel()
    np.testing.assert_allclose(reg.predict(X), expected, rtol=1e-5)


def test_load_state_dict_round_trip_and_errors():
    X, y = noisy_sine(30, T=6)
    a = LSTMRegressor(hidden_size=5, max_iter=2, n_jobs=1, random_state=0).fit(X, 3 * y + 1)
    b = LSTMRegressor(hidden_size=5, max_iter=1, n_jobs=1, random_state=1).fit(X, 3 * y + 1)
    assert not np.allclose(a.predict(X), b.predict(X))
    b.load_state_dict(a.get_state_dict())
    np.testing.assert_allclose(b.predict(X), a.predict(X), rtol=1e-5, atol=1e-5)
    state = a.get_state_dict()
    del state["fc.bias"]
    with pytest.raises(ValueError, match="missing"):
        b.load_state_dict(state)
    with pytest.raises(NotFittedError):
        LSTMRegressor().load_state_dict(a.get_state_dict())
