"""Hostile inputs against every public forecaster and estimator (issue 13).

Every case runs under a watchdog (:func:`signal.alarm`, ``CASE_LIMIT_S``) and
its outcome is classified:

* **clear error**: ``ValueError``, ``TypeError`` or ``NotFittedError`` whose
  message names the parameter or the problem (one of the words the case
  lists);
* **correct result**: finite floats, the right length and index, and within
  a generous band around the range of the data.

Anything else fails the test: a silent NaN/inf, an implausible value, a wrong
length or index, any other exception type (an internal error) or a case that
runs past its limit (unbounded work).

The kernels are compiled by a module fixture
before the first case, outside the watchdog.
"""

from __future__ import annotations

import contextlib
import pickle
import re
import signal
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from rnnforecast import (
    ARIMAForecaster,
    AutoARIMAForecaster,
    Differencer,
    ForecastingPipeline,
    GRUClassifier,
    GRUForecaster,
    GRURegressor,
    LocalForecaster,
    LogTransformer,
    LSTMClassifier,
    LSTMForecaster,
    LSTMRegressor,
    NaiveForecaster,
    ReductionForecaster,
    RNNClassifier,
    RNNForecaster,
    RNNRegressor,
)

pytestmark = pytest.mark.filterwarnings("ignore")

#: Seconds a single case may run (fits of tiny models take well under 1 s once
#: the kernels are compiled, which the module's first fixture does outside any limit).
CASE_LIMIT_S = 30
#: Forecasts must lie within the data's range widened by this many times
#: ``max(range, 10% of the largest |value|)`` on each side.
BAND = 3.0

NEURAL = dict(window_length=6, hidden_size=4, max_iter=2, n_jobs=1, random_state=0,
              conformal_windows=10)
try:  # with issue 13's branches merged, unset neural parameters are "auto" (an ensemble)
    from rnnforecast.forecasting.neural.ensemble import PRE_AUTO_DEFAULTS
except ImportError:  # one network per forecaster
    PRE_AUTO_DEFAULTS = {}
#: One network (the weight cases need get_state_dict/load_state_dict).
SINGLE = {**PRE_AUTO_DEFAULTS, **NEURAL}
SMALL_NET = dict(hidden_size=4, max_iter=3, n_jobs=1, random_state=0)


class CaseTimeout(Exception):
    """A case ran past CASE_LIMIT_S."""


_FIRED: list = []


@contextlib.contextmanager
def watchdog(seconds: int = CASE_LIMIT_S):
    def stop(signum, frame):
        _FIRED.append(seconds)
        raise CaseTimeout(f"ran for more than {seconds} s")

    _FIRED.clear()
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module", autouse=True)
def compiled_kernels():
    """Compile (or load from the cache) the kernels the cases use, outside the watchdog."""
    y = base_series()
    X = np.ones((60, 1))
    for cls in (LSTMForecaster, GRUForecaster, RNNForecaster):
        cls(**NEURAL).fit(y)
        cls(**NEURAL).fit(y, X)
        cls(**SINGLE).fit(y).predict_interval(3)
    RNNForecaster(nonlinearity="relu", **NEURAL).fit(y)
    Xs = np.random.default_rng(0).normal(size=(16, 5, 1))
    for cls in (LSTMRegressor, GRURegressor, RNNRegressor):
        cls(**SMALL_NET).fit(Xs, Xs[:, -1, 0])
    for cls in (LSTMClassifier, GRUClassifier, RNNClassifier):
        cls(**SMALL_NET).fit(Xs, np.arange(16) % 2)


# ------------------------------------------------------------------ data
def base_series(n: int = 60) -> np.ndarray:
    t = np.arange(n)
    return 10.0 + np.sin(2 * np.pi * t / 12) + 0.1 * np.random.default_rng(n).normal(size=n)


Y = base_series()


def band(y_ref: np.ndarray, factor: float = BAND) -> tuple[float, float]:
    lo, hi = float(np.min(y_ref)), float(np.max(y_ref))
    width = max(hi - lo, 0.1 * max(abs(lo), abs(hi)))
    return lo - factor * width, hi + factor * width


# ------------------------------------------------------------------ judging
def clear_error(exc: BaseException, names: tuple) -> None:
    """A ValueError/TypeError (NotFittedError included) naming one of ``names``."""
    msg = str(exc)
    if not isinstance(exc, (ValueError, TypeError)):
        pytest.fail(f"internal error: {type(exc).__name__}: {msg}")
    if not any(re.search(rf"(?<![A-Za-z_]){re.escape(w)}(?![A-Za-z_])", msg, re.IGNORECASE)
               for w in names):
        pytest.fail(f"unclear error (names none of {names}): {type(exc).__name__}: {msg}")


def run_case(call, names: tuple, check=None):
    """Run ``call`` under the watchdog: a clear error passes, a result goes to ``check``."""
    try:
        with watchdog():
            out = call()
    except Exception as exc:  # noqa: BLE001 - classified here
        if _FIRED:  # the timeout, possibly masked by what it interrupted
            pytest.fail(f"unbounded: ran for more than {CASE_LIMIT_S} s ({exc!r:.200})")
        clear_error(exc, names)
        return "error"
    if check is not None:
        check(out)
    return "result"


def values_of(out) -> np.ndarray:
    if isinstance(out, (pd.Series, pd.DataFrame)):
        out = out.to_numpy()
    arr = np.asarray(out)
    assert arr.dtype.kind == "f", f"output of dtype {arr.dtype}, expected floats"
    return arr


def check_forecast(h: int, y_ref: np.ndarray, index=None, factor: float = BAND):
    def check(out):
        arr = values_of(out)
        assert arr.shape[0] == h, f"wrong length: {arr.shape[0]} rows for h={h}"
        assert np.isfinite(arr).all(), f"silent non-finite forecasts: {arr.ravel()[:6]}"
        lo, hi = band(y_ref, factor)
        assert ((arr >= lo) & (arr <= hi)).all(), (
            f"implausible forecasts {arr.ravel()[:6]} for data in "
            f"[{np.min(y_ref):.4g}, {np.max(y_ref):.4g}]")
        if index is not None:
            assert isinstance(out, (pd.Series, pd.DataFrame)), "pandas in, pandas out"
            pd.testing.assert_index_equal(out.index, index)
    return check


# ------------------------------------------------------------------ models
FORECASTERS = {
    "naive_last": lambda: NaiveForecaster(),
    "naive_mean": lambda: NaiveForecaster(strategy="mean"),
    "naive_drift": lambda: NaiveForecaster(strategy="drift"),
    "naive_seasonal": lambda: NaiveForecaster(strategy="seasonal_last", seasonal_period=12),
    "arima": lambda: ARIMAForecaster(order=(1, 0, 0)),
    "auto_arima": lambda: AutoARIMAForecaster(max_p=1, max_q=1, max_P=0, max_Q=0,
                                              max_models=4),
    "reduction": lambda: ReductionForecaster(Ridge(), window_length=4),
    "pipeline_log_drift": lambda: ForecastingPipeline(
        [("log", LogTransformer()), ("drift", NaiveForecaster(strategy="drift"))]),
    "pipeline_diff_reduction": lambda: ForecastingPipeline(
        [("diff", Differencer()), ("f", ReductionForecaster(Ridge(), window_length=4))]),
    "local_naive": lambda: LocalForecaster(NaiveForecaster()),
    "lstm": lambda: LSTMForecaster(**NEURAL),
    "gru": lambda: GRUForecaster(**NEURAL),
    "rnn": lambda: RNNForecaster(**NEURAL),
}
NEURAL_NAMES = ("lstm", "gru", "rnn")
NEURAL_CLASSES = {"lstm": LSTMForecaster, "gru": GRUForecaster, "rnn": RNNForecaster}

Y_WORDS = ("y", "NaN", "finite", "observations", "dtype", "numeric")
H_WORDS = ("h",)


def fit_case(y, names=Y_WORDS, h=3, factor=BAND, ref=None):
    """Fit on ``y`` then forecast ``h`` steps: clear error or correct result."""
    def case(make):
        f = make()
        y_ref = np.asarray(y if ref is None else ref, dtype=float) if ref is not None or (
            np.asarray(y).dtype.kind in "fiu") else None
        return run_case(lambda: f.fit(y).predict(h), names,
                        None if y_ref is None else check_forecast(h, y_ref, factor=factor))
    return case


def predict_case(h, names=H_WORDS):
    def case(make):
        f = make().fit(Y)

        def check(out):  # only a plain int h may give a result
            assert isinstance(h, int) and not isinstance(h, bool) and h >= 1, (
                f"h={h!r} gave a result")
            check_forecast(h, Y)(out)
        return run_case(lambda: f.predict(h), names, check)
    return case


def _nan_y():
    y = Y.copy()
    y[5] = np.nan
    return y


def _inf_y():
    y = Y.copy()
    y[-1] = np.inf
    return y


def _irregular():
    idx = pd.DatetimeIndex(pd.date_range("2024-01-01", periods=80, freq="D")[
        np.sort(np.random.default_rng(0).choice(80, 60, replace=False))])
    return pd.Series(Y, index=idx)


def _duplicate_stamp():
    idx = pd.date_range("2024-01-01", periods=60, freq="D").tolist()
    idx[30] = idx[29]
    return pd.Series(Y, index=pd.DatetimeIndex(idx))


def _unsorted():
    s = pd.Series(Y, index=pd.date_range("2024-01-01", periods=60, freq="D"))
    return s.iloc[::-1]


def _nullable_int_index_with_na():
    labels = pd.array(list(range(59)) + [None], dtype="Int64")
    return pd.Series(Y, index=pd.Index(labels))


def case_pandas_index(make):
    s = pd.Series(Y, index=pd.period_range("2020-01", periods=60, freq="M"), name="sales")
    expected = pd.period_range("2025-01", periods=3, freq="M")
    return run_case(lambda: make().fit(s).predict(3), Y_WORDS,
                    check_forecast(3, Y, index=expected))


def case_predict_before_fit(make):
    f = make()
    outcome = run_case(lambda: f.predict(3), ("fitted", "fit"))
    assert outcome == "error", "predict before fit returned a result"


def case_refit_other_length(make):
    f = make().fit(Y)
    y2 = base_series(45)
    return run_case(lambda: f.fit(y2).predict(4), Y_WORDS, check_forecast(4, y2))


def case_failed_refit_keeps_model(make):
    f = make().fit(Y)
    before = f.predict(3)
    outcome = run_case(lambda: f.fit(_nan_y()), Y_WORDS)
    assert outcome == "error", "fit on a series with NaN succeeded"
    np.testing.assert_array_equal(f.predict(3), before)


def case_set_params_after_fit(make):
    f = make().fit(Y)
    before = f.predict(3)
    changes = {"window_length": 3, "strategy": "mean", "order": (2, 0, 0), "seasonal_period": 2,
               "dtype": "float64", "max_p": 2}
    params = f.get_params(deep=False)
    f.set_params(**{k: v for k, v in changes.items() if k in params})
    outcome = run_case(lambda: f.predict(3), ("fit", "refit"), check_forecast(3, Y))
    if outcome == "result":
        np.testing.assert_array_equal(f.predict(3), before,
                                      err_msg="set_params after fit changed the forecasts")


def case_exog_not_supported(make):
    f = make()
    X = np.ones((60, 1))
    if getattr(f, "_supports_exog", False):
        return run_case(lambda: f.fit(Y, X).predict(3), ("X",))
    return run_case(lambda: f.fit(Y, X), ("X", "exogenous"))


def case_new_history_too_short(make):
    f = make().fit(Y)
    return run_case(lambda: f.predict(3, y=Y[:1]), ("y", "observations"),
                    check_forecast(3, Y))


def case_interval_huge_h(make):
    f = make().fit(Y)
    if not hasattr(f, "predict_interval"):
        return "n/a"
    outcome = run_case(lambda: f.predict_interval(10**7), H_WORDS)
    assert outcome == "error", "predict_interval(10**7) was not refused"


def case_interval_coverage_near_one(make):
    """The least calibration size for coverage 1 - 1e-10 is ~1e9: computed, not counted to."""
    f = make().fit(Y)
    if not hasattr(f, "predict_interval"):
        return "n/a"

    def check(out):
        arr = values_of(out)
        assert arr.shape[0] == 3 and np.isfinite(arr).all(), arr
    return run_case(lambda: f.predict_interval(3, coverage=1 - 1e-10),
                    ("coverage", "calibration", "conformal_windows", "windows"), check)


def case_multivariate_nan(make):
    y = np.column_stack([Y, Y[::-1]])
    y[3, 1] = np.nan
    return run_case(lambda: make().fit(y).predict(3), Y_WORDS)


def must_refuse(call, names: tuple, error=(ValueError, TypeError)):
    """A clear error of type ``error`` (never a result, never numpy's own message)."""
    try:
        with watchdog():
            call()
    except Exception as exc:  # noqa: BLE001 - classified here
        if _FIRED:
            pytest.fail(f"unbounded: ran for more than {CASE_LIMIT_S} s ({exc!r:.200})")
        clear_error(exc, names)
        assert isinstance(exc, error), f"{type(exc).__name__} instead of {error}: {exc}"
        return str(exc)
    pytest.fail("the input was accepted")


def case_masked_y(make):
    """A masked entry is missing data: np.asarray would use the value behind the mask."""
    y = np.ma.masked_array(Y, mask=np.arange(60) == 7)
    must_refuse(lambda: make().fit(y).predict(3), ("masked",))


def case_unmasked_masked_array(make):
    """A masked array without masked entries is plain data."""
    y = np.ma.masked_array(Y)
    return run_case(lambda: make().fit(y).predict(3), (), check_forecast(3, Y))


def case_ragged_y(make):
    rows = [[1.0, 2.0]] * 30 + [[3.0]]  # one row shorter: not a rectangular 2-D series
    msg = must_refuse(lambda: make().fit(rows), ("y",), ValueError)
    assert "different lengths" in msg, msg


def case_dict_y(make):
    msg = must_refuse(lambda: make().fit({"a": Y, "b": Y}), ("y",), TypeError)
    assert "dict" in msg and "scalar" not in msg, msg


FORECASTER_CASES = {
    "nan_y": fit_case(_nan_y()),
    "inf_y": fit_case(_inf_y()),
    "empty_y": fit_case(np.array([])),
    "short_y": fit_case(Y[:2], ref=Y[:2]),
    "constant_y": fit_case(np.full(60, 10.0), factor=5.0),  # within 50% of the level
    "constant_tiny": fit_case(np.full(60, 1e-3), factor=5.0),
    "huge_y": fit_case(Y * 1.5e306, names=Y_WORDS + ("overflow", "non-finite", "inf")),
    "tiny_y": fit_case(Y * 1e-9, factor=1.0),
    "negative_y": fit_case(Y - 20.0, names=Y_WORDS + ("positive",)),
    "string_y": fit_case(np.array(["a"] * 60)),
    "complex_y": fit_case(Y + 1j),
    "none_values": fit_case([None] * 60),
    "bool_y": fit_case(np.arange(60) % 2 == 0, ref=[0.0, 1.0]),
    "wrong_dims": fit_case(Y.reshape(3, 4, 5)),
    "irregular_index": fit_case(_irregular(), names=("frequency", "freq", "index", "y")),
    "duplicate_stamp": fit_case(_duplicate_stamp(), names=("duplicate", "index", "y")),
    "unsorted_index": fit_case(_unsorted(), names=("sorted", "increasing", "index", "y")),
    "nullable_int_index_na": fit_case(_nullable_int_index_with_na(), names=("index",)),
    "h_zero": predict_case(0),
    "h_negative": predict_case(-1),
    "h_float": predict_case(2.5),
    "h_string": predict_case("3"),
    "h_none": predict_case(None),
    "h_bool": predict_case(True),
    "h_huge": predict_case(10**7),
    "pandas_index": case_pandas_index,
    "predict_before_fit": case_predict_before_fit,
    "refit_other_length": case_refit_other_length,
    "failed_refit_keeps_model": case_failed_refit_keeps_model,
    "set_params_after_fit": case_set_params_after_fit,
    "exog_not_supported": case_exog_not_supported,
    "new_history_too_short": case_new_history_too_short,
    "interval_huge_h": case_interval_huge_h,
    "interval_coverage_near_one": case_interval_coverage_near_one,
    "multivariate_nan": case_multivariate_nan,
    "masked_y": case_masked_y,
    "unmasked_masked_array": case_unmasked_masked_array,
    "ragged_y": case_ragged_y,
    "dict_y": case_dict_y,
}


@pytest.mark.parametrize("case", sorted(FORECASTER_CASES))
@pytest.mark.parametrize("model", sorted(FORECASTERS))
def test_forecaster(model, case):
    FORECASTER_CASES[case](FORECASTERS[model])


# ------------------------------------------------------------------ neural forecasters
LR_WORDS = ("learning_rate_init", "clip_grad_norm")


def neural_fit_case(**params):
    def case(cls):
        f = cls(**{**NEURAL, **params})
        return run_case(lambda: f.fit(Y).predict(3), LR_WORDS + tuple(params),
                        check_forecast(3, Y))
    return case


def _corrupt_state(f, key, value):
    state = {k: np.array(v, dtype=np.float64) for k, v in f.get_state_dict().items()}
    state[key].flat[0] = value
    return state


def case_load_nan_weights(cls):
    f = cls(**SINGLE).fit(Y)
    before = f.predict(3)
    outcome = run_case(lambda: f.load_state_dict(_corrupt_state(f, "fc.weight", np.nan)),
                       ("NaN", "state"))
    assert outcome == "error", "NaN weights were loaded"
    np.testing.assert_array_equal(f.predict(3), before)


def case_load_inf_weights(cls):
    f = cls(**SINGLE).fit(Y)
    outcome = run_case(lambda: f.load_state_dict(_corrupt_state(f, "weight_hh_l0", np.inf)),
                       ("NaN", "infinite", "state"))
    assert outcome == "error", "inf weights were loaded"


def case_load_wrong_shape(cls):
    f = cls(**SINGLE).fit(Y)
    state = f.get_state_dict()
    state["fc.weight"] = np.zeros((3, 3))
    outcome = run_case(lambda: f.load_state_dict(state), ("shape", "state"))
    assert outcome == "error", "weights of the wrong shape were loaded"


def case_absurd_head_weight(cls):
    f = cls(**SINGLE).fit(Y)
    f.load_state_dict(_corrupt_state(f, "fc.weight", 1e30))
    return run_case(lambda: f.predict(3), ("implausible", "non-finite"), check_forecast(3, Y))


def _tampered_copy(cls, value):
    f = pickle.loads(pickle.dumps(cls(**NEURAL).fit(Y)))  # a saved then corrupted model
    members = getattr(f, "estimators_", None)
    (members[0] if members else f).params_[-1] = value  # one network of an ensemble
    return f


def case_tampered_pickle_predict(cls):
    f = _tampered_copy(cls, np.nan)
    assert run_case(lambda: f.predict(3), ("non-finite", "NaN")) == "error"


def case_tampered_pickle_interval(cls):
    f = _tampered_copy(cls, np.nan)
    assert run_case(lambda: f.predict_interval(3), ("non-finite", "NaN")) == "error"
    assert run_case(lambda: f.predict_quantiles(3), ("non-finite", "NaN")) == "error"


def case_huge_bias_pickle(cls):
    f = _tampered_copy(cls, 1e30)
    return run_case(lambda: f.predict(3), ("implausible", "non-finite"), check_forecast(3, Y))


def case_panel_with_nan(cls):
    bad = Y.copy()
    bad[4] = np.nan
    return run_case(lambda: cls(**NEURAL).fit([Y, bad]).predict(3), Y_WORDS + ("series",))


def case_ensemble_median_near_float64_max(cls):
    """Members forecast about +-1e308: the median of two such values is not their overflowing sum."""
    y = np.concatenate([np.full(30, -1e308), np.full(30, 1e308)])
    f = cls(**{**NEURAL, "n_estimators": 2})
    assert run_case(lambda: f.fit(y).predict(3), Y_WORDS, check_forecast(3, y)) == "result"


def case_n_jobs_0(cls):
    """0 workers means nothing: refused when the parameters are validated, saying what is valid."""
    msg = must_refuse(lambda: cls(**{**NEURAL, "n_jobs": 0}).fit(Y), ("n_jobs",), ValueError)
    assert re.search(r"got 0", msg, re.IGNORECASE) and "-1" in msg, msg


NEURAL_CASES = {
    "lr_10": neural_fit_case(learning_rate_init=10.0),
    "lr_1e6": neural_fit_case(learning_rate_init=1e6),
    "lr_1_no_clip": neural_fit_case(learning_rate_init=1.0, clip_grad_norm=None),
    "lr_1_no_clip_long": neural_fit_case(learning_rate_init=1.0, clip_grad_norm=None,
                                         max_iter=15),
    "sgd_lr_1e12": neural_fit_case(solver="sgd", learning_rate_init=1e12),
    "hidden_size_0": neural_fit_case(hidden_size=0),
    "window_length_huge": neural_fit_case(window_length=10**6),
    "max_iter_0": neural_fit_case(max_iter=0),
    "dropout_1": neural_fit_case(dropout=1.0),
    "batch_size_0": neural_fit_case(batch_size=0),
    "load_nan_weights": case_load_nan_weights,
    "load_inf_weights": case_load_inf_weights,
    "load_wrong_shape": case_load_wrong_shape,
    "absurd_head_weight": case_absurd_head_weight,
    "tampered_pickle_predict": case_tampered_pickle_predict,
    "tampered_pickle_interval": case_tampered_pickle_interval,
    "huge_bias_pickle": case_huge_bias_pickle,
    "panel_with_nan": case_panel_with_nan,
    "n_jobs_0": case_n_jobs_0,
    "ensemble_median_near_float64_max": case_ensemble_median_near_float64_max,
}


@pytest.mark.parametrize("case", sorted(NEURAL_CASES))
@pytest.mark.parametrize("model", NEURAL_NAMES)
def test_neural_forecaster(model, case):
    NEURAL_CASES[case](NEURAL_CLASSES[model])


def test_relu_rnn_with_large_steps_is_not_silently_wrong():
    """The issue's case: relu, learning_rate_init=1, no clipping, data near 10."""
    for seed in range(4):
        f = RNNForecaster(nonlinearity="relu", learning_rate_init=1.0, clip_grad_norm=None,
                          **{**NEURAL, "max_iter": 20, "random_state": seed})
        run_case(lambda: f.fit(Y).predict(6), LR_WORDS + ("implausible",),
                 check_forecast(6, Y))


# ------------------------------------------------------------------ sequence estimators
ESTIMATORS = {
    "lstm_regressor": LSTMRegressor, "gru_regressor": GRURegressor,
    "rnn_regressor": RNNRegressor, "lstm_classifier": LSTMClassifier,
    "gru_classifier": GRUClassifier, "rnn_classifier": RNNClassifier,
}
RNG = np.random.default_rng(0)
XS = RNG.normal(size=(40, 5, 1))
YR = 10.0 + XS[:, -1, 0]
YC = (XS[:, -1, 0] > 0).astype(int)
# sklearn's own messages count: "Expected 2D array, got 1D array instead",
# "could not convert string to float"
X_WORDS = ("X", "NaN", "finite", "features", "dtype", "samples", "shape", "dimension",
           "2D array", "string")


def targets(cls):
    return YC if "Classifier" in cls.__name__ else YR


def check_estimator_output(cls, n):
    def check(out):
        arr = np.asarray(out)
        assert arr.shape[0] == n, f"wrong length: {arr.shape[0]} for {n} samples"
        if "Classifier" in cls.__name__:
            assert set(np.unique(arr)) <= {0, 1}, f"labels outside the classes: {arr[:6]}"
        else:
            check_forecast(n, YR)(arr)
    return check


def est_fit_case(X=XS, y=None, names=X_WORDS, n_pred=3, **params):
    def case(cls):
        est = cls(**{**SMALL_NET, **params})
        yy = targets(cls) if y is None else y
        return run_case(lambda: est.fit(X, yy).predict(XS[:n_pred]),
                        names + tuple(params), check_estimator_output(cls, n_pred))
    return case


def est_predict_case(X, names=X_WORDS):
    def case(cls):
        est = cls(**SMALL_NET).fit(XS, targets(cls))
        return run_case(lambda: est.predict(X), names, check_estimator_output(cls, len(X)))
    return case


def _with(value, where=(3, 2, 0)):
    X = XS.copy()
    X[where] = value
    return X


def est_case_before_fit(cls):
    assert run_case(lambda: cls(**SMALL_NET).predict(XS), ("fitted",)) == "error"


def est_case_set_params_after_fit(cls):
    est = cls(**SMALL_NET).fit(XS, targets(cls))
    before = est.predict(XS)
    est.set_params(dtype="float64", hidden_size=9, head="last", embedding_dim=3)
    run_case(lambda: est.predict(XS), ("fit",), check_estimator_output(cls, len(XS)))
    np.testing.assert_array_equal(est.predict(XS), before)


def est_case_failed_refit(cls):
    est = cls(**SMALL_NET).fit(XS, targets(cls))
    before = est.predict(XS)
    assert run_case(lambda: est.fit(_with(np.nan), targets(cls)), X_WORDS) == "error"
    np.testing.assert_array_equal(est.predict(XS), before)


def est_case_load_nan(cls):
    est = cls(**SMALL_NET).fit(XS, targets(cls))
    state = _corrupt_state(est, "fc.bias", np.nan)
    assert run_case(lambda: est.load_state_dict(state), ("NaN", "state")) == "error"


def est_case_absurd_weight(cls):
    est = cls(**SMALL_NET).fit(XS, targets(cls))
    est.load_state_dict(_corrupt_state(est, "fc.weight", 1e30))
    return run_case(lambda: est.predict(XS), ("implausible", "non-finite"),
                    check_estimator_output(cls, len(XS)))


def est_case_tampered(cls):
    est = pickle.loads(pickle.dumps(cls(**SMALL_NET).fit(XS, targets(cls))))
    est.params_[0] = np.nan
    assert run_case(lambda: est.predict(XS), ("non-finite", "NaN")) == "error"
    if hasattr(est, "predict_proba"):
        assert run_case(lambda: est.predict_proba(XS), ("non-finite", "NaN")) == "error"


def est_case_masked_X(cls):
    X = np.ma.masked_array(XS, mask=np.abs(XS) > 2.0)
    must_refuse(lambda: cls(**SMALL_NET).fit(X, targets(cls)), ("masked",))
    est = cls(**SMALL_NET).fit(XS, targets(cls))
    must_refuse(lambda: est.predict(X), ("masked",))


def est_case_ragged_X(cls):
    X = [x[: 5 - i % 2].tolist() for i, x in enumerate(XS)]  # sequences of 5 and 4 steps
    msg = must_refuse(lambda: cls(**SMALL_NET).fit(X, targets(cls)), ("X",), ValueError)
    assert "different lengths" in msg and "pad" in msg, msg


def est_case_target_scale(cls):
    """Regressors: targets of 1e-300 or 1e200 are standardised, not zeroed or overflowed."""
    if "Classifier" in cls.__name__:
        return "n/a"
    ref = cls(**SMALL_NET).fit(XS, YR).predict(XS[:3])
    for s in (1e-300, 1e200):
        out = run_case(lambda: cls(**SMALL_NET).fit(XS, YR * s).predict(XS[:3]), X_WORDS + ("y",),
                       lambda p: np.testing.assert_allclose(p / s, ref, rtol=1e-5))
        assert out == "result", f"targets scaled by {s} refused"
        est = cls(**SMALL_NET).fit(XS, YR * s)

        def round_trip(state, est=est, s=s):  # exported in y's units: nothing lost to the cast
            other = cls(**SMALL_NET).fit(XS, YR * s).load_state_dict(state)
            np.testing.assert_allclose(other.predict(XS[:3]), est.predict(XS[:3]), rtol=1e-4)
        run_case(lambda: est.get_state_dict(), ("y", "dtype"), round_trip)


ESTIMATOR_CASES = {
    "nan_X": est_fit_case(_with(np.nan)),
    "inf_X": est_fit_case(_with(np.inf)),
    "huge_X": est_fit_case(_with(1e300), names=X_WORDS + ("overflow", "float32")),
    "empty_X": est_fit_case(XS[:0], y=YR[:0]),
    "one_d_X": est_fit_case(XS[:, 0, 0]),
    "four_d_X": est_fit_case(XS[..., None]),
    "string_X": est_fit_case(np.full((40, 5), "a")),
    "y_wrong_length": est_fit_case(y=YR[:10], names=X_WORDS + ("y",)),
    "nan_y": est_fit_case(y=np.where(np.arange(40) == 3, np.nan, YR),
                          names=X_WORDS + ("y",)),
    "lr_10": est_fit_case(learning_rate_init=10.0, names=LR_WORDS),
    "lr_1e6": est_fit_case(learning_rate_init=1e6, names=LR_WORDS),
    "hidden_size_0": est_fit_case(hidden_size=0, names=()),
    "predict_nan": est_predict_case(_with(np.nan)),
    "predict_other_features": est_predict_case(np.ones((3, 5, 2))),
    "predict_empty": est_predict_case(XS[:0]),
    "predict_before_fit": est_case_before_fit,
    "set_params_after_fit": est_case_set_params_after_fit,
    "failed_refit_keeps_model": est_case_failed_refit,
    "load_nan_weights": est_case_load_nan,
    "absurd_head_weight": est_case_absurd_weight,
    "tampered_pickle": est_case_tampered,
    "masked_X": est_case_masked_X,
    "ragged_X": est_case_ragged_X,
    "target_scale": est_case_target_scale,
}


@pytest.mark.parametrize("case", sorted(ESTIMATOR_CASES))
@pytest.mark.parametrize("model", sorted(ESTIMATORS))
def test_estimator(model, case):
    ESTIMATOR_CASES[case](ESTIMATORS[model])


# ------------------------------------------------------------------ long format
DS = pd.date_range("2024-01-01", periods=60, freq="D")
LONG_WORDS = ("unique_id", "id_col")
PANEL_MODELS = {"lstm": lambda: LSTMForecaster(**NEURAL),
                "local_naive": lambda: LocalForecaster(NaiveForecaster())}


def check_long_values(out):
    """Every float column of a long forecast is a plausible value (ds never forecast)."""
    assert isinstance(out, (pd.DataFrame, pd.Series)), type(out)
    frame = out.to_frame() if isinstance(out, pd.Series) else out
    floats = [c for c in frame.columns if frame[c].dtype.kind == "f"]
    assert floats, f"no forecast values in {list(frame.columns)}"
    for c in floats:
        check_forecast(len(frame), Y)(frame[c])


def long_hostile(frame):
    """A clear error naming unique_id, or forecasts in which ds is not a value."""
    def case(make):
        return run_case(lambda: make().fit(frame).predict(3), LONG_WORDS, check_long_values)
    return case


def case_long_ok(make):
    frame = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 30),
                          "ds": np.concatenate([DS[:30], DS[:30]]), "y": Y})

    def check(out):
        assert list(out.columns) == ["unique_id", "ds", "y"], list(out.columns)
        assert out.groupby("unique_id").size().tolist() == [3, 3]
        assert (out["ds"] > DS[29]).all() and (out["ds"] <= DS[32]).all()
        check_forecast(6, Y)(out["y"])
    return run_case(lambda: make().fit(frame).predict(3), Y_WORDS, check)


def _long_two(ids):
    return pd.DataFrame({"unique_id": pd.Series([ids[0]] * 30 + [ids[1]] * 30, dtype=object),
                         "ds": np.concatenate([DS[:30], DS[:30]]), "y": Y})


def case_long_tuple_ids(make):
    """Tuple ids are valid pandas group keys: kept whole, never unpacked into their parts."""
    ids = [("shop", 1), ("shop", 2)]
    f = make()

    def check(out):
        assert out["unique_id"].tolist() == [ids[0]] * 3 + [ids[1]] * 3, out["unique_id"].tolist()
        check_long_values(out)
    run_case(lambda: f.fit(_long_two(ids)).predict(3), Y_WORDS, check)
    if hasattr(f, "predict_interval"):
        run_case(lambda: f.predict_interval(3), Y_WORDS, check)


def case_long_unhashable_ids(make):
    msg = must_refuse(lambda: make().fit(_long_two([["a"], ["b"]])), ("unique_id",), TypeError)
    assert "list" in msg, msg


def case_long_duplicate_columns(make):
    frame = _long_two(["a", "b"]).assign(x=1.0)
    frame.columns = ["unique_id", "ds", "y", "y"]
    msg = must_refuse(lambda: make().fit(frame), ("y",), ValueError)
    assert "duplicated" in msg, msg


def _with_short_series(stamps):
    short = pd.DataFrame({"unique_id": "new", "ds": pd.DatetimeIndex(stamps),
                          "y": Y[:len(stamps)]})
    return pd.concat([_long_two(["a", "b"]), short], ignore_index=True)


def case_long_short_series_on_the_shared_grid(make):
    """1 or 2 daily stamps: too few for pandas to infer 'D', but the other series give it."""
    for stamps in (["2024-03-01"], ["2024-03-01", "2024-03-02"]):
        def check(out, last=pd.Timestamp(stamps[-1])):
            new = out[out["unique_id"] == "new"]
            assert new["ds"].tolist() == [last + pd.Timedelta(days=k) for k in (1, 2, 3)], new
            check_long_values(out)
        outcome = run_case(lambda: make().fit(_with_short_series(stamps)).predict(3), Y_WORDS,
                           check)
        assert outcome == "result", f"{stamps} refused"
    msg = must_refuse(lambda: make().fit(_with_short_series(["2024-03-01", "2024-03-03"])),
                      ("new",), ValueError)
    assert "not on the grid" in msg, msg


def case_list_short_series_on_the_shared_grid(make):
    long_one = pd.Series(Y, index=DS)
    short = pd.Series(Y[:2], index=pd.DatetimeIndex(["2024-03-01", "2024-03-02"]))  # no freq

    def check(out):
        expected = pd.date_range("2024-03-03", periods=3, freq="D")
        pd.testing.assert_index_equal(out[1].index, expected)
        check_forecast(3, Y)(out[1])
    assert run_case(lambda: make().fit([long_one, short]).predict(3), Y_WORDS, check) == "result"


LONG_CASES = {
    "long_without_id": long_hostile(pd.DataFrame({"ds": DS, "y": Y})),
    "long_integer_ds_without_id": long_hostile(pd.DataFrame({"ds": np.arange(60), "y": Y})),
    "long_other_id_name": long_hostile(pd.DataFrame({"id": "a", "ds": DS, "y": Y})),
    "long_id_in_index": long_hostile(
        pd.DataFrame({"unique_id": "a", "ds": DS, "y": Y}).set_index("unique_id")),
    "long_ok": case_long_ok,
    "long_tuple_ids": case_long_tuple_ids,
    "long_duplicate_columns": case_long_duplicate_columns,
    "long_unhashable_ids": case_long_unhashable_ids,
    "long_short_series_on_the_shared_grid": case_long_short_series_on_the_shared_grid,
    "list_short_series_on_the_shared_grid": case_list_short_series_on_the_shared_grid,
}


@pytest.mark.parametrize("case", sorted(LONG_CASES))
@pytest.mark.parametrize("model", sorted(PANEL_MODELS))
def test_long_format(model, case):
    LONG_CASES[case](PANEL_MODELS[model])
