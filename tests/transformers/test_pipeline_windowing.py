"""SlidingWindowTransformer + recurrent estimators in plain scikit-learn Pipelines.

A table ``X`` (n_timesteps, n_features) with per-step targets ``y``: one
window per row (left padded with NaN), read by the estimators as
variable-length sequences; cross-validated with ``TimeSeriesSplit`` and
tuned over ``window_length`` with ``GridSearchCV``.
"""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rnnforecast.estimators import GRUClassifier, GRURegressor, LSTMRegressor, RNNRegressor
from rnnforecast.nn import RecurrentNetwork
from rnnforecast.transformers import SlidingWindowTransformer

FAST = dict(hidden_size=8, learning_rate_init=0.02, max_iter=40, batch_size=16, n_jobs=1,
            random_state=0)


def lagged_problem(n=160, lag=2, seed=0):
    """y[t] = 2 * x[t - lag] (+ a second, irrelevant column); needs a window > lag."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.standard_normal(n), rng.standard_normal(n)])
    y = np.zeros(n)
    y[lag:] = 2.0 * X[:-lag, 0]
    return X, y


def test_pipeline_fits_a_table_and_keeps_the_row_count():
    X, y = lagged_problem()
    pipe = make_pipeline(SlidingWindowTransformer(window_length=4), LSTMRegressor(**FAST))
    pred = pipe.fit(X, y).predict(X)
    assert pred.shape == (160,)
    assert pipe[-1].n_features_in_ == 4 and pipe[-1].n_channels_in_ == 2
    assert pipe.score(X, y) > 0.9
    # a window of 1 step cannot see x[t - 2]: the window is what the model learns from
    short = make_pipeline(SlidingWindowTransformer(window_length=1), LSTMRegressor(**FAST))
    assert short.fit(X, y).score(X, y) < 0.3


def test_pipeline_with_a_scaler_before_the_windows():
    X, y = lagged_problem()
    X = X * [1000.0, 0.001] + 50.0
    pipe = make_pipeline(StandardScaler(), SlidingWindowTransformer(window_length=4),
                         GRURegressor(**FAST))
    assert pipe.fit(X, y).score(X, y) > 0.9


def test_cross_val_score_with_time_series_split():
    X, y = lagged_problem(n=200)
    pipe = make_pipeline(StandardScaler(), SlidingWindowTransformer(window_length=4),
                         RNNRegressor(**FAST))
    scores = cross_val_score(pipe, X, y, cv=TimeSeriesSplit(n_splits=3), error_score="raise")
    assert scores.shape == (3,)
    assert np.all(scores > 0.5), scores


def test_grid_search_over_the_window_length():
    X, y = lagged_problem(n=200, lag=3)
    pipe = make_pipeline(SlidingWindowTransformer(), GRURegressor(**FAST))
    search = GridSearchCV(pipe, {"slidingwindowtransformer__window_length": [2, 5]},
                          cv=TimeSeriesSplit(n_splits=2), error_score="raise").fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > 0.5 > scores[0], scores  # lag 3 needs more than 2 steps
    assert search.best_params_ == {"slidingwindowtransformer__window_length": 5}
    assert search.predict(X[:7]).shape == (7,)


def test_classifier_pipeline():
    X, y = lagged_problem(n=200, lag=1)
    labels = np.where(y > 0, "up", "down")
    pipe = make_pipeline(SlidingWindowTransformer(window_length=3), GRUClassifier(**FAST))
    pipe.fit(X, labels)
    assert list(pipe.classes_) == ["down", "up"]
    assert pipe.predict_proba(X).shape == (200, 2)
    assert pipe.score(X, labels) > 0.9


def test_no_leakage_from_later_rows():
    """The prediction of row t depends on rows <= t of X only."""
    X, y = lagged_problem(n=60)
    pipe = make_pipeline(SlidingWindowTransformer(window_length=5),
                         LSTMRegressor(**{**FAST, "max_iter": 3})).fit(X, y)
    before = pipe.predict(X)
    t = 30
    X2 = X.copy()
    X2[t + 1:] = 100.0
    after = pipe.predict(X2)
    np.testing.assert_array_equal(after[:t + 1], before[:t + 1])
    assert np.all(after[t + 1:] != before[t + 1:])


# --------------------------------------------------- padded rows in the estimators
def _fitted_on_windows(dtype="float64", **kw):
    X, y = lagged_problem(n=80)
    W = SlidingWindowTransformer(window_length=6).fit_transform(X)
    params = {**FAST, "max_iter": 5, "dtype": dtype, **kw}
    return W, y, LSTMRegressor(**params).fit(W, y)


def test_padded_row_prediction_equals_its_trimmed_sequence():
    W, _, reg = _fitted_on_windows(bidirectional=True)
    state = reg.get_state_dict()  # target scaling folded into the head
    net = RecurrentNetwork("lstm", 2, 8, bidirectional=True, output_size=0, dtype=np.float64)
    body = net.load_state_dict({k: v for k, v in state.items() if not k.startswith("fc.")})
    pred = reg.predict(W)
    for t in range(6):  # rows 0..4 are padded, row 5 is full
        seq = np.ascontiguousarray(W[t:t + 1, 5 - t:])
        assert not np.isnan(seq).any()
        h_n = net.forward(body, seq).h_n
        feat = np.concatenate([h_n[0], h_n[1]], axis=1)
        expected = feat @ state["fc.weight"].T + state["fc.bias"]
        assert pred[t] == pytest.approx(expected[0, 0], rel=1e-12, abs=1e-12)


def test_predictions_do_not_depend_on_the_other_rows_of_the_batch():
    W, _, reg = _fitted_on_windows(dtype="float32")
    pred = reg.predict(W)
    for t in (0, 2, 5, 40):
        np.testing.assert_array_equal(reg.predict(W[t:t + 1]), pred[t:t + 1])
    np.testing.assert_array_equal(reg.predict(W[::-1]), pred[::-1])


def test_masked_training_bit_identical_at_1_and_2_threads():
    W, y, one = _fitted_on_windows(dtype="float32", n_jobs=1, batch_size=8)
    _, _, two = _fitted_on_windows(dtype="float32", n_jobs=2, batch_size=8)
    np.testing.assert_array_equal(one.params_, two.params_)
    np.testing.assert_array_equal(one.predict(W), two.predict(W))
    assert one.loss_curve_ == two.loss_curve_


@pytest.mark.parametrize("where, match", [
    ((3, 4, slice(None)), "NaN after a valid time step"),
    ((10, 2, 0), "partly NaN"),
    ((3, slice(None), slice(None)), "no valid time step"),
])
def test_nan_outside_a_left_padding_is_refused(where, match):
    W, y, reg = _fitted_on_windows()
    bad = W.copy()
    bad[where] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or infinite values.*" + match):
        LSTMRegressor(**FAST).fit(bad, y)
    with pytest.raises(ValueError, match=match):
        reg.predict(bad)
    with pytest.raises(ValueError, match=match):
        GRUClassifier(**FAST).fit(bad, y > 0)


def test_nan_in_the_table_is_refused_by_the_transformer():
    X, y = lagged_problem(n=40)
    X[10, 1] = np.nan
    pipe = make_pipeline(SlidingWindowTransformer(window_length=3), LSTMRegressor(**FAST))
    with pytest.raises(ValueError, match="Input X contains NaN"):
        pipe.fit(X, y)


@pytest.mark.parametrize("method", ["fit", "transform"])
def test_masked_entries_are_refused_by_the_transformer(method):
    """np.asarray keeps the value behind a mask: it would enter the windows as data."""
    table = np.arange(40.0).reshape(20, 2)
    masked = np.ma.masked_array(table, mask=table == 7.0)
    t = SlidingWindowTransformer(window_length=3).fit(table)
    with pytest.raises(ValueError, match="X has 1 masked value"):
        getattr(t, method)(masked)
    np.testing.assert_array_equal(t.transform(np.ma.masked_array(table)), t.transform(table))


def test_dataframe_input_and_pandas_output_config():
    import pandas as pd
    import sklearn

    X, y = lagged_problem(n=60)
    df = pd.DataFrame(X, columns=["a", "b"])
    params = {**FAST, "max_iter": 2}
    expected = make_pipeline(StandardScaler(), SlidingWindowTransformer(window_length=3),
                             LSTMRegressor(**params)).fit(X, y).predict(X)
    with sklearn.config_context(transform_output="pandas"):
        pipe = make_pipeline(StandardScaler(), SlidingWindowTransformer(window_length=3),
                             LSTMRegressor(**params)).fit(df, pd.Series(y))
        got = pipe.predict(df)
    np.testing.assert_array_equal(got, expected)
    assert list(pipe[1].get_feature_names_out()) == ["a", "b"]
