"""make_windows, SlidingWindowTransformer and LagTransformer.

Property tests (hypothesis) check shapes, alignment and the absence of
leakage against an explicit loop written here from the documented convention.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.linear_model import Ridge

from rnnforecast.transformers import LagTransformer, SlidingWindowTransformer, make_windows

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def window_problems(draw):
    w = draw(st.integers(1, 6))
    horizon = draw(st.integers(1, 4))
    step = draw(st.integers(1, 4))
    n = draw(st.integers(w + horizon, w + horizon + 25))
    k = draw(st.integers(1, 3))
    m = draw(st.integers(0, 2))
    y = draw(arrays(np.float64, (n, k), elements=finite))
    X = draw(arrays(np.float64, (n, m), elements=finite)) if m else None
    return y, X, w, horizon, step


def expected_windows(y, X, w, horizon, step):
    """Reference: explicit loop from the documented convention."""
    n = y.shape[0]
    feats = y if X is None else np.hstack([y, X])
    ends = []
    t = n - horizon - 1  # last window's final target is the last observation
    while t >= w - 1:
        ends.append(t)
        t -= step
    ends.reverse()
    inputs = [[feats[s] for s in range(t - w + 1, t + 1)] for t in ends]
    targets = [[y[t + j] for j in range(1, horizon + 1)] for t in ends]
    return ends, np.array(inputs), np.array(targets)


@settings(max_examples=60, deadline=None)
@given(window_problems())
def test_make_windows_matches_explicit_loop(problem):
    y, X, w, horizon, step = problem
    inputs, targets = make_windows(y, X, window_length=w, horizon=horizon, step=step)
    ends, exp_in, exp_tg = expected_windows(y, X, w, horizon, step)
    n_feat = y.shape[1] + (0 if X is None else X.shape[1])
    assert inputs.shape == (len(ends), w, n_feat)
    assert targets.shape == (len(ends), horizon, y.shape[1])
    assert len(ends) == (y.shape[0] - w - horizon) // step + 1
    np.testing.assert_array_equal(inputs, exp_in)
    np.testing.assert_array_equal(targets, exp_tg)
    assert inputs.dtype == np.float64 and targets.dtype == np.float64


@settings(max_examples=60, deadline=None)
@given(window_problems())
def test_target_is_the_value_right_after_the_last_input(problem):
    y, X, w, horizon, step = problem
    n, k = y.shape
    # Encode time in the values so positions can be read back.
    coded = np.arange(n, dtype=float)[:, None] + 1000.0 * np.arange(k)[None, :]
    inputs, targets = make_windows(coded, X, window_length=w, horizon=horizon, step=step)
    last_input_time = inputs[:, -1, 0]
    np.testing.assert_array_equal(targets[:, 0, 0], last_input_time + 1)
    np.testing.assert_array_equal(np.diff(inputs[:, :, 0], axis=1), 1.0)
    # the final target of the last window is the last observation
    assert targets[-1, -1, 0] == n - 1
    # consecutive windows are `step` apart
    np.testing.assert_array_equal(np.diff(last_input_time), step)


@settings(max_examples=60, deadline=None)
@given(window_problems(), st.data())
def test_no_future_value_leaks_into_inputs(problem, data):
    y, X, w, horizon, step = problem
    n = y.shape[0]
    t = data.draw(st.integers(0, n - 2))
    y2 = y.copy()
    y2[t + 1 :] += 12345.0
    X2 = None
    if X is not None:
        X2 = X.copy()
        X2[t + 1 :] -= 777.0
    in1, _ = make_windows(y, X, window_length=w, horizon=horizon, step=step)
    in2, _ = make_windows(y2, X2, window_length=w, horizon=horizon, step=step)
    ends, _, _ = expected_windows(y, X, w, horizon, step)
    unaffected = np.array(ends) <= t
    np.testing.assert_array_equal(in1[unaffected], in2[unaffected])
    # and windows ending after t do see the change (the check is not vacuous)
    if (~unaffected).any():
        assert not np.array_equal(in1[~unaffected], in2[~unaffected])


def test_make_windows_small_example_by_hand():
    y = np.array([10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0])
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0], [6.0]])
    inputs, targets = make_windows(y, X, window_length=2, horizon=2, step=2)
    # windows end at t = 4 and t = 2 (n - horizon - 1 = 4, back by 2)
    np.testing.assert_array_equal(
        inputs, [[[11.0, 1.0], [12.0, 2.0]], [[13.0, 3.0], [14.0, 4.0]]]
    )
    np.testing.assert_array_equal(targets, [[13.0, 14.0], [15.0, 16.0]])


def test_target_layout_follows_input_dimensions():
    s = pd.Series(np.arange(10.0), index=pd.date_range("2000", periods=10, freq="D"))
    _, t1 = make_windows(s, window_length=3, horizon=2)
    assert t1.shape == (6, 2)
    _, t2 = make_windows(s.to_frame(), window_length=3, horizon=2)
    assert t2.shape == (6, 2, 1)
    _, t3 = make_windows(np.arange(10.0).reshape(-1, 1), window_length=3, horizon=2)
    assert t3.shape == (6, 2, 1)


def test_make_windows_too_short():
    with pytest.raises(ValueError, match="y has 4 observations but window_length=3 and horizon=2 need at least 5"):
        make_windows(np.arange(4.0), window_length=3, horizon=2)


def test_make_windows_invalid_parameters():
    with pytest.raises(ValueError, match="window_length"):
        make_windows(np.arange(4.0), window_length=0)
    with pytest.raises(TypeError, match="step"):
        make_windows(np.arange(4.0), window_length=1, step=1.5)


def test_make_windows_rejects_nan():
    with pytest.raises(ValueError, match="finite"):
        make_windows(np.array([1.0, np.nan, 3.0]), window_length=1)


# ------------------------------------------------------ SlidingWindowTransformer
def expected_row_windows(X, w):
    """Reference: window of row t = rows t-w+1..t, NaN rows before the start."""
    n, k = X.shape
    out = np.full((n, w, k), np.nan)
    for t in range(n):
        for j in range(w):
            s = t - w + 1 + j
            if s >= 0:
                out[t, j] = X[s]
    return out


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 7), st.integers(1, 20), st.integers(1, 3), st.data())
def test_sliding_window_transformer_matches_explicit_loop(w, n, k, data):
    X = data.draw(arrays(np.float64, (n, k), elements=finite))
    out = SlidingWindowTransformer(window_length=w).fit_transform(X)
    assert out.shape == (n, w, k)
    np.testing.assert_array_equal(out, expected_row_windows(X, w))
    # no leakage: changing rows after t leaves the window of row t unchanged
    t = data.draw(st.integers(0, n - 1))
    X2 = X.copy()
    X2[t + 1:] += 1.0
    out2 = SlidingWindowTransformer(window_length=w).fit(X).transform(X2)
    np.testing.assert_array_equal(out2[: t + 1], out[: t + 1])


def test_sliding_window_transformer_small_example_by_hand():
    X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    out = SlidingWindowTransformer(window_length=2).fit_transform(X, np.zeros(3))
    nan = np.nan
    np.testing.assert_array_equal(out, [[[nan, nan], [1, 10]],
                                        [[1, 10], [2, 20]],
                                        [[2, 20], [3, 30]]])


def test_sliding_window_transformer_feature_names_from_pandas():
    df = pd.DataFrame({"load": np.arange(8.0), "temp": np.arange(8.0)})
    tr = SlidingWindowTransformer(window_length=2).fit(df)
    assert list(tr.get_feature_names_out()) == ["load", "temp"]
    assert tr.transform(df).shape == (8, 2, 2)
    tr = SlidingWindowTransformer(window_length=2).fit(df.to_numpy())
    assert list(tr.get_feature_names_out()) == ["x0", "x1"]
    assert list(tr.get_feature_names_out(["a", "b"])) == ["a", "b"]
    with pytest.raises(ValueError, match="input_features must have 2 names; got 1"):
        tr.get_feature_names_out(["a"])


def test_sliding_window_transformer_column_mismatch():
    tr = SlidingWindowTransformer(window_length=2).fit(np.zeros((8, 1)))
    with pytest.raises(ValueError, match="2 features, but SlidingWindowTransformer is expecting 1"):
        tr.transform(np.zeros((8, 2)))


@pytest.mark.parametrize("bad, match", [
    (np.array([[1.0], [np.nan], [3.0]]), "NaN"),
    (np.array([[1.0], [np.inf], [3.0]]), "infinity"),
    (np.arange(5.0), "2D array"),
    (np.array([["a"], ["b"]]), "string|numeric|convert"),
])
def test_sliding_window_transformer_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        SlidingWindowTransformer(window_length=2).fit(bad)
    tr = SlidingWindowTransformer(window_length=2).fit(np.zeros((3, 1)))
    with pytest.raises(ValueError, match=match):
        tr.transform(bad)


def test_sliding_window_transformer_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SlidingWindowTransformer().transform(np.zeros((3, 1)))


def test_sliding_window_transformer_validates_params_at_fit():
    with pytest.raises(ValueError, match="window_length"):
        SlidingWindowTransformer(window_length=0).fit(np.zeros((8, 1)))
    with pytest.raises(ValueError, match="window_length"):
        SlidingWindowTransformer(window_length=2.5).fit(np.zeros((8, 1)))


# ----------------------------------------------------------------- LagTransformer
@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(1, 6), min_size=1, max_size=4, unique=True),
    st.integers(1, 3),
    st.data(),
)
def test_lag_transformer_rows_hold_past_values(lags, k, data):
    n = data.draw(st.integers(max(lags) + 1, max(lags) + 15))
    y = data.draw(arrays(np.float64, (n, k), elements=finite))
    out = LagTransformer(lags=lags).fit_transform(y)
    max_lag = max(lags)
    assert out.shape == (n - max_lag, len(lags) * k)
    for r in range(out.shape[0]):
        t = r + max_lag
        expected = [y[t - lag, c] for lag in lags for c in range(k)]
        np.testing.assert_array_equal(out[r], expected)


def test_lag_transformer_int_lags_and_names():
    y = pd.Series(np.arange(6.0), name=None)
    tr = LagTransformer(lags=3).fit(y)
    assert list(tr.get_feature_names_out()) == ["y_lag_1", "y_lag_2", "y_lag_3"]
    np.testing.assert_array_equal(tr.transform(y), [[2.0, 1.0, 0.0], [3.0, 2.0, 1.0], [4.0, 3.0, 2.0]])


def test_lag_transformer_dataframe_names():
    df = pd.DataFrame({"a": np.arange(5.0), "b": np.arange(5.0)})
    tr = LagTransformer(lags=[2, 1]).fit(df)
    assert list(tr.get_feature_names_out()) == ["a_lag_2", "b_lag_2", "a_lag_1", "b_lag_1"]


def test_lag_transformer_set_output_pandas_keeps_the_right_index():
    idx = pd.date_range("2020-01-01", periods=6, freq="D")
    y = pd.Series(np.arange(6.0) * 10, index=idx, name="v")
    out = LagTransformer(lags=2).set_output(transform="pandas").fit_transform(y)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["v_lag_1", "v_lag_2"]
    assert list(out.index) == list(idx[2:])
    assert out.loc["2020-01-05", "v_lag_1"] == 30.0
    assert out.loc["2020-01-05", "v_lag_2"] == 20.0


def test_lag_transformer_set_output_pandas_from_numpy():
    out = LagTransformer(lags=1).set_output(transform="pandas").fit_transform(np.arange(4.0))
    assert list(out.columns) == ["y_lag_1"]
    np.testing.assert_array_equal(out["y_lag_1"], [0.0, 1.0, 2.0])


def test_lag_transformer_dropna_false_keeps_rows_with_nan():
    out = LagTransformer(lags=2, dropna=False).fit_transform(np.arange(4.0))
    assert out.shape == (4, 2)
    assert np.isnan(out[0]).all() and np.isnan(out[1, 1])
    np.testing.assert_array_equal(out[3], [2.0, 1.0])


def test_lag_transformer_feeds_a_tabular_regressor():
    y = np.sin(np.arange(60.0) / 3)
    Xlag = LagTransformer(lags=4).fit_transform(y)
    model = Ridge(alpha=1e-6).fit(Xlag, y[4:])
    assert model.score(Xlag, y[4:]) > 0.99


@pytest.mark.parametrize("lags", [0, [1, 0], [1, 1], [], True, [2.5]])
def test_lag_transformer_bad_lags(lags):
    with pytest.raises((TypeError, ValueError), match="lags"):
        LagTransformer(lags=lags).fit(np.arange(10.0))


def test_lag_transformer_too_short_at_transform():
    tr = LagTransformer(lags=5).fit(np.arange(10.0))
    with pytest.raises(ValueError, match="y has 5 observations but lags up to 5"):
        tr.transform(np.arange(5.0))
