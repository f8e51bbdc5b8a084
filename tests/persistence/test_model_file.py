"""Safe model files (``model.save`` / ``rnnforecast.load``): bit-identical round trips of every
model family, and refusal of tampered, corrupted, newer or unsafe files (issue 12 item 3)."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge

import rnnforecast
from rnnforecast import (
    ARIMAForecaster,
    AutoARIMAForecaster,
    Differencer,
    ForecastingPipeline,
    GRUForecaster,
    LocalForecaster,
    LogTransformer,
    LSTMClassifier,
    LSTMForecaster,
    LSTMRegressor,
    ModelFileError,
    NaiveForecaster,
    ReductionForecaster,
    RNNForecaster,
    RNNRegressor,
)

TINY = dict(hidden_size=3, max_iter=3, window_length=6, random_state=0, n_jobs=1, conformal_windows=10)


def monthly(n=60, offset=10.0):
    t = np.arange(n)
    return pd.Series(np.sin(t / 2.0) + offset + t / 30.0, name="sales",
                     index=pd.date_range("2020-01-01", periods=n, freq="MS"))


def long_frame():
    rows = []
    for uid, off in (("a", 10.0), ("b", 20.0), ("c", 15.0)):
        s = monthly(48, off)
        rows.append(pd.DataFrame({"unique_id": uid, "ds": s.index, "y": s.to_numpy()}))
    return pd.concat(rows, ignore_index=True)


CASES = {
    "lstm": (lambda: LSTMForecaster(**TINY), monthly),
    "gru_quarterly_period_index": (
        lambda: GRUForecaster(**TINY),
        lambda: pd.Series(np.cos(np.arange(40) / 3) + 5,
                          index=pd.period_range("2000Q1", periods=40, freq="Q"))),
    "rnn_numpy_two_series": (lambda: RNNForecaster(**TINY),
                             lambda: np.column_stack([monthly().to_numpy(), monthly().to_numpy()[::-1]])),
    "lstm_global_long_format": (lambda: LSTMForecaster(**TINY), long_frame),
    "naive_drift": (lambda: NaiveForecaster(strategy="drift"), monthly),
    "naive_seasonal": (lambda: NaiveForecaster(strategy="seasonal_last", seasonal_period=12), monthly),
    "arima": (lambda: ARIMAForecaster(order=(1, 1, 0)), monthly),
    "auto_arima": (lambda: AutoARIMAForecaster(max_p=2, max_q=1), monthly),
    "pipeline": (lambda: ForecastingPipeline([("log", LogTransformer()), ("diff", Differencer()),
                                              ("f", NaiveForecaster(strategy="drift"))]), monthly),
    "reduction": (lambda: ReductionForecaster(Ridge(alpha=0.5), window_length=5), monthly),
    "local": (lambda: LocalForecaster(ARIMAForecaster(order=(1, 0, 0))), long_frame),
}


def assert_identical(a, b):
    if isinstance(a, (pd.Series, pd.DataFrame)):
        assert type(a) is type(b)
        if isinstance(a, pd.Series):
            pd.testing.assert_series_equal(a, b, check_exact=True)
        else:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())
    else:
        np.testing.assert_array_equal(a, b, strict=True)


@pytest.mark.parametrize("case", sorted(CASES))
def test_forecasters_round_trip_bit_identically(case, tmp_path):
    make, data = CASES[case]
    model = make().fit(data())
    path = tmp_path / f"{case}.rnnf"
    model.save(path)
    loaded = rnnforecast.load(path)
    assert type(loaded) is type(model)
    assert loaded.get_params(deep=False).keys() == model.get_params(deep=False).keys()
    assert repr(loaded) == repr(model)
    assert_identical(loaded.predict(7), model.predict(7))
    if hasattr(model, "predict_interval"):
        assert_identical(loaded.predict_interval(7, coverage=0.8), model.predict_interval(7, coverage=0.8))
    # a loaded model keeps working: it can forecast from a new history and be refitted
    if case in ("lstm", "naive_drift", "arima", "pipeline"):
        new = data().iloc[:50]
        assert_identical(loaded.predict(3, y=new), model.predict(3, y=new))
        refit_loaded, refit_model = loaded.fit(data().iloc[:55]), make().fit(data().iloc[:55])
        assert_identical(refit_loaded.predict(3), refit_model.predict(3))


@pytest.mark.parametrize("est", [RNNRegressor(hidden_size=3, max_iter=3, random_state=0),
                                 LSTMRegressor(hidden_size=3, max_iter=3, random_state=1, num_layers=2),
                                 LSTMClassifier(hidden_size=3, max_iter=3, random_state=0,
                                                bidirectional=True)],
                         ids=lambda e: type(e).__name__)
def test_sequence_estimators_round_trip(est, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 5, 2))
    y = (X[:, -1, 0] > 0).astype(int) if "Classifier" in type(est).__name__ else X[:, -1, 0] * 3
    est.fit(X, y)
    est.save(tmp_path / "m.rnnf")
    loaded = rnnforecast.load(tmp_path / "m.rnnf")
    assert_identical(loaded.predict(X), est.predict(X))
    if hasattr(est, "predict_proba"):
        assert_identical(loaded.predict_proba(X), est.predict_proba(X))
        assert_identical(loaded.classes_, est.classes_)


def test_unfitted_model_round_trips_unfitted(tmp_path):
    rnnforecast.save(LSTMForecaster(hidden_size=7), tmp_path / "u.rnnf")
    loaded = rnnforecast.load(tmp_path / "u.rnnf")
    assert loaded.get_params()["hidden_size"] == 7
    with pytest.raises(NotFittedError):
        loaded.predict(2)


def test_file_layout_is_json_plus_npz_without_object_arrays(tmp_path):
    model = NaiveForecaster().fit(monthly())
    model.save(tmp_path / "m.rnnf")
    with zipfile.ZipFile(tmp_path / "m.rnnf") as zf:
        assert sorted(zf.namelist()) == ["arrays.npz", "model.json"]
        header = json.loads(zf.read("model.json"))
        npz = zf.read("arrays.npz")
    assert header["format"] == "rnnforecast.model" and header["format_version"] == 1
    assert header["versions"]["rnnforecast"] == rnnforecast.__version__
    assert header["class"] == "rnnforecast.baselines.naive:NaiveForecaster"
    with np.load(io.BytesIO(npz), allow_pickle=False) as files:
        arrays = [files[k] for k in files.files]
    assert arrays and all(a.dtype != object for a in arrays)
    assert any(np.array_equal(a, monthly().to_numpy()[:, None]) for a in arrays)  # the history


# ----------------------------------------------------------------------------- tampering
def _digest(header: dict, npz: bytes) -> str:
    body = {k: v for k, v in header.items() if k != "sha256"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()
    return hashlib.sha256(text + b"\0" + npz).hexdigest()


def _rewrite(path, header_fn=None, arrays_fn=None, fix_checksum=True, extra=None):
    with zipfile.ZipFile(path) as zf:
        header = json.loads(zf.read("model.json"))
        with np.load(io.BytesIO(zf.read("arrays.npz")), allow_pickle=False) as files:
            arrays = {k: files[k] for k in files.files}
    if header_fn:
        header_fn(header)
    if arrays_fn:
        arrays_fn(arrays)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    npz = buf.getvalue()
    if fix_checksum:
        header["sha256"] = _digest(header, npz)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("model.json", json.dumps(header))
        zf.writestr("arrays.npz", npz)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)


def _find(node, pred):
    """Yield every dict node of the JSON tree for which ``pred`` holds."""
    if isinstance(node, dict):
        if pred(node):
            yield node
        for v in node.values():
            yield from _find(v, pred)
    elif isinstance(node, list):
        for v in node:
            yield from _find(v, pred)


def _params_node(header):
    for obj in _find(header["model"], lambda n: n.get("$t") == "object"):
        for key, value in obj["state"]:
            if key == "params_":
                return value
    raise AssertionError("no params_ in the file")


@pytest.fixture(scope="module")
def lstm_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("m") / "lstm.rnnf"
    LSTMForecaster(**TINY).fit(monthly()).save(path)
    return path


@pytest.fixture
def copy(lstm_file, tmp_path):
    target = tmp_path / "copy.rnnf"
    target.write_bytes(lstm_file.read_bytes())
    return target


def _refused(path, *words):
    with pytest.raises(ModelFileError) as info:
        rnnforecast.load(path)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message, message
    return message


def test_edited_description_fails_the_checksum(copy):
    _rewrite(copy, header_fn=lambda h: h["model"]["state"].__setitem__(0, ["window_length", 5]),
             fix_checksum=False)
    _refused(copy, "checksum mismatch")


def test_flipped_byte_in_the_weights_fails_the_checksum(copy):
    def flip(arrays):
        key = max(arrays, key=lambda k: arrays[k].size)
        arrays[key] = arrays[key].copy()
        arrays[key].flat[0] += 1
    _rewrite(copy, arrays_fn=flip, fix_checksum=False)
    _refused(copy, "checksum mismatch")


def test_newer_format_version_is_refused(copy):
    _rewrite(copy, header_fn=lambda h: h.__setitem__("format_version", 2))
    _refused(copy, "format version 2", "upgrade rnnforecast")


@pytest.mark.parametrize("version", [0, "1", None])
def test_unknown_format_version_is_refused(copy, version):
    _rewrite(copy, header_fn=lambda h: h.__setitem__("format_version", version))
    _refused(copy, "unknown format version")


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_weights_are_refused_even_with_a_valid_checksum(copy, bad):
    def poison(header_arrays):
        header, arrays = header_arrays
        node = _params_node(header)
        node["finite"] = False  # even a file that claims its weights may be non-finite
        arrays[node["key"]] = arrays[node["key"]].copy()
        arrays[node["key"]][3] = bad
    state = {}
    _rewrite(copy, header_fn=lambda h: state.setdefault("h", h),
             arrays_fn=lambda a: poison((state["h"], a)))
    _refused(copy, "params_", "NaN or infinite")


def test_array_shape_differing_from_the_description_is_refused(copy):
    state = {}

    def shorten(arrays):
        key = _params_node(state["h"])["key"]
        arrays[key] = arrays[key][:-1]
    _rewrite(copy, header_fn=lambda h: state.setdefault("h", h), arrays_fn=shorten)
    _refused(copy, "shape mismatch")


def test_weights_not_matching_the_network_are_refused(copy):
    state = {}

    def shorten(arrays):
        node = _params_node(state["h"])
        arrays[node["key"]] = arrays[node["key"]][:-1]
        node["shape"] = [node["shape"][0] - 1]
    _rewrite(copy, header_fn=lambda h: state.setdefault("h", h), arrays_fn=shorten)
    _refused(copy, "does not match the network", "shape mismatch")


def test_class_outside_the_packages_is_refused(copy):
    def swap(h):
        next(_find(h["model"], lambda n: n.get("$t") == "object"))["class"] = "os:system"
        h["class"] = "os:system"
    _rewrite(copy, header_fn=swap)
    _refused(copy, "'os:system'", "refusing")


def test_object_array_in_the_npz_is_refused(copy):
    def add_object(arrays):
        arrays["a0"] = np.array([{"x": 1}], dtype=object)
    _rewrite(copy, arrays_fn=add_object)
    _refused(copy, "without pickle")


def test_extra_member_is_refused(copy):
    _rewrite(copy, extra={"evil.py": "print('hi')"})
    _refused(copy, "expected the members")


def test_pickle_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "ran.txt"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(Evil()))
    _refused(path, "not an rnnforecast model file")
    assert not marker.exists()


def test_missing_file_and_truncated_file(tmp_path, lstm_file):
    _refused(tmp_path / "nope.rnnf", "cannot be read")
    cut = tmp_path / "cut.rnnf"
    cut.write_bytes(lstm_file.read_bytes()[:200])
    _refused(cut, "not an rnnforecast model file")


# ----------------------------------------------------------------------------- save refusals
def test_state_that_needs_pickle_is_refused_at_save_naming_the_place(tmp_path):
    model = LSTMForecaster(random_state=np.random.RandomState(0))
    with pytest.raises(TypeError, match=r"LSTMForecaster.random_state: cannot save an object of type "
                                        r"numpy.random.mtrand.RandomState"):
        model.save(tmp_path / "m.rnnf")
    assert not (tmp_path / "m.rnnf").exists()


def test_save_refuses_non_finite_weights(tmp_path):
    model = NaiveForecaster().fit(monthly())
    reg = Ridge().fit(np.ones((5, 1)), np.arange(5.0))
    reg.coef_ = np.array([np.nan])
    with pytest.raises(ModelFileError, match="coef_: the weights hold NaN"):
        rnnforecast.save(reg, tmp_path / "r.rnnf")
    assert not (tmp_path / "r.rnnf").exists()
    with pytest.raises(TypeError, match="estimator"):
        rnnforecast.save([model], tmp_path / "list.rnnf")


def test_save_never_writes_through_a_symlink(tmp_path):
    outside = tmp_path / "precious.txt"
    outside.write_text("keep")
    (tmp_path / "m.rnnf").symlink_to(outside)
    with pytest.raises(ModelFileError, match="symbolic link"):
        NaiveForecaster().fit(monthly()).save(tmp_path / "m.rnnf")
    assert outside.read_text() == "keep"


def test_malformed_descriptions_are_model_file_errors(copy):
    _rewrite(copy, header_fn=lambda h: h.__setitem__(
        "model", {"$t": "object", "class": "rnnforecast.forecasting.neural:LSTMForecaster"}))
    _refused(copy, "malformed model description")
    _rewrite(copy, header_fn=lambda h: h.__setitem__("model", {"$t": "nonsense"}))
    _refused(copy, "unknown entry type 'nonsense'")
    deep = []
    for _ in range(900):
        deep = [deep]
    _rewrite(copy, header_fn=lambda h: h.__setitem__("model", deep))
    _refused(copy)
