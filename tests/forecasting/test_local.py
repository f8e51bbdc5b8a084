"""LocalForecaster: one clone per series, fitted in parallel with joblib.

Every result is compared with fitting each series by hand (a plain loop over
``clone(forecaster).fit(series)``), and across ``n_jobs``/``backend``.
"""

import numba
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from rnnforecast.baselines import ARIMAForecaster, AutoARIMAForecaster, NaiveForecaster
from rnnforecast.forecasting.base import BaseForecaster
from rnnforecast.forecasting.local import LocalForecaster
from rnnforecast.forecasting.neural import LSTMForecaster
from rnnforecast.nn.threads import kernel_threads

H = 4
LENGTHS = {"b": 48, "a": 40, "c": 55, "d": 44}  # unequal lengths, ids not in sorted order
ARIMA = ARIMAForecaster(order=(1, 0, 0), trend="c")


def make_long(with_covariate=False, seed=0):
    """Hourly long DataFrame (rows shuffled), and the hand-made per-series inputs."""
    rng = np.random.default_rng(seed)
    frames, by_hand = [], {}
    for k, (uid, n) in enumerate(LENGTHS.items()):
        ds = pd.date_range("2024-03-01", periods=n + H, freq="h") + pd.Timedelta(hours=3 * k)
        x = rng.standard_normal(n + H)
        y = 5.0 + k + 0.8 * np.sin(np.arange(n + H) / 4.0) + 0.3 * rng.standard_normal(n + H)
        if with_covariate:
            y = y + 1.5 * x
        frame = pd.DataFrame({"unique_id": uid, "ds": ds, "y": y})
        if with_covariate:
            frame["temp"] = x
        frames.append(frame)
        index = pd.DatetimeIndex(ds[:n], name="ds")
        by_hand[uid] = dict(
            y=pd.Series(y[:n], index=index, name="y"),
            X=pd.DataFrame({"temp": x[:n]}, index=index) if with_covariate else None,
            X_future=(pd.DataFrame({"temp": x[n:]}, index=pd.DatetimeIndex(ds[n:], name="ds"))
                      if with_covariate else None),
            future=ds[n:],
        )
    full = pd.concat(frames, ignore_index=True)
    train = pd.concat([f.iloc[: LENGTHS[f["unique_id"].iloc[0]]] for f in frames])
    train = train.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # any row order
    future = None
    if with_covariate:
        future = pd.concat([f.iloc[LENGTHS[f["unique_id"].iloc[0]]:] for f in frames])
        future = future.drop(columns="y").reset_index(drop=True)
    return train, future, by_hand, full


def fit_by_hand(forecaster, by_hand):
    return {uid: clone(forecaster).fit(d["y"], d["X"]) for uid, d in by_hand.items()}


# ----------------------------------------------------------------- long format
@pytest.mark.parametrize("with_covariate", [False, True])
def test_long_format_equals_fitting_each_series_by_hand(with_covariate):
    train, future, by_hand, _ = make_long(with_covariate)
    model = LocalForecaster(ARIMA, n_jobs=2, backend="threading").fit(train)
    assert model.ids_ == sorted(LENGTHS)
    assert model.n_series_ == 4 and model.n_exog_ == (1 if with_covariate else 0)
    assert [type(f) for f in model.forecasters_] == [ARIMAForecaster] * 4
    assert not hasattr(ARIMA, "results_")  # the template is never fitted

    out = model.predict(H, X=future)
    assert list(out.columns) == ["unique_id", "ds", "y"]
    assert list(out["unique_id"]) == [u for u in sorted(LENGTHS) for _ in range(H)]
    hand = fit_by_hand(ARIMA, by_hand)
    for uid, g in out.groupby("unique_id"):
        expected = hand[uid].predict(H, X=by_hand[uid]["X_future"])
        np.testing.assert_array_equal(g["ds"].to_numpy(), by_hand[uid]["future"].to_numpy())
        np.testing.assert_allclose(g["y"].to_numpy(), expected.to_numpy(), rtol=1e-12, atol=0)
        np.testing.assert_array_equal(model.forecasters_[model.ids_.index(uid)].params_,
                                      hand[uid].params_)

    interval = model.predict_interval(H, coverage=0.8, X=future)
    assert list(interval.columns) == ["unique_id", "ds", "lower", "upper"]
    for uid, g in interval.groupby("unique_id"):
        expected = hand[uid].predict_interval(H, coverage=0.8, X=by_hand[uid]["X_future"])
        np.testing.assert_allclose(g[["lower", "upper"]].to_numpy(), expected.to_numpy(),
                                   rtol=1e-12, atol=0)


def test_forecasts_differ_between_series():
    # guards the comparisons above: a model that mixed the series up would fail
    train, _, _, _ = make_long()
    out = LocalForecaster(ARIMA).fit(train).predict(H)
    firsts = out.groupby("unique_id")["y"].first()
    assert firsts.nunique() == 4


def test_predict_from_new_histories_by_id():
    train, _, by_hand, full = make_long(with_covariate=True)
    model = LocalForecaster(ARIMA, n_jobs=2, backend="threading").fit(train)
    hand = fit_by_hand(ARIMA, by_hand)
    # new histories for two of the series (their full data, i.e. H more rows),
    # given in another order, forecast H steps further with future covariates
    new = full[full["unique_id"].isin(["d", "a"])].iloc[::-1]
    fut_rows = []
    for uid in ["a", "d"]:
        last = full.loc[full["unique_id"] == uid, "ds"].max()
        ds = pd.date_range(last + pd.Timedelta(hours=1), periods=H, freq="h")
        fut_rows.append(pd.DataFrame({"unique_id": uid, "ds": ds, "temp": np.linspace(-1, 1, H)}))
    fut = pd.concat(fut_rows, ignore_index=True)
    out = model.predict(H, X=fut, y=new)
    assert sorted(out["unique_id"].unique()) == ["a", "d"]
    for uid, g in out.groupby("unique_id"):
        s = full[full["unique_id"] == uid]
        y_new = pd.Series(s["y"].to_numpy(), index=pd.DatetimeIndex(s["ds"], name="ds"), name="y")
        X_all = np.vstack([s[["temp"]].to_numpy(), np.linspace(-1, 1, H)[:, None]])
        expected = hand[uid].predict(H, X=X_all, y=y_new)
        np.testing.assert_array_equal(g["ds"].to_numpy(), expected.index.to_numpy())
        np.testing.assert_allclose(g["y"].to_numpy(), expected.to_numpy(), rtol=1e-12, atol=0)
        assert g["ds"].iloc[0] > by_hand[uid]["future"][-1]  # after the new history


def test_unseen_series_id_is_refused():
    train, _, _, full = make_long()
    model = LocalForecaster(NaiveForecaster()).fit(train)
    new = full[full["unique_id"] == "a"].assign(unique_id="zz")
    with pytest.raises(ValueError, match=r"'zz'.*not fitted on|not fitted on.*'zz'") as err:
        model.predict(H, y=new)
    assert "global neural forecaster" in str(err.value) and "Refit" in str(err.value)


# ------------------------------------------------------------------ list format
def test_list_of_pandas_series_gives_a_list_of_series():
    _, _, by_hand, _ = make_long()
    ys = [d["y"] for d in by_hand.values()]
    model = LocalForecaster(ARIMA, n_jobs=2, backend="threading").fit(ys)
    assert model.ids_ == [0, 1, 2, 3]
    out = model.predict(H)
    assert isinstance(out, list) and len(out) == 4
    for got, d in zip(out, by_hand.values()):
        expected = clone(ARIMA).fit(d["y"]).predict(H)
        assert isinstance(got, pd.Series)
        pd.testing.assert_index_equal(got.index, expected.index)
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=0)
    interval = model.predict_interval(H)
    assert isinstance(interval[0], pd.DataFrame) and list(interval[0].columns) == ["lower", "upper"]
    # new histories: the series are matched by position; a fifth one is unseen
    short = [s.iloc[:-5] for s in ys]
    again = model.predict(H, y=short)
    for got, s, d in zip(again, short, by_hand.values()):
        expected = clone(ARIMA).fit(d["y"]).predict(H, y=s)
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12, atol=0)
        assert got.index[0] == s.index[-1] + pd.Timedelta(hours=1)
    with pytest.raises(ValueError, match="not fitted on"):
        model.predict(H, y=[*ys, ys[0]])


def test_list_of_arrays_with_covariates_gives_a_list_of_arrays():
    _, _, by_hand, _ = make_long(with_covariate=True)
    ys = [d["y"].to_numpy() for d in by_hand.values()]
    Xs = [d["X"].to_numpy() for d in by_hand.values()]
    Xf = [d["X_future"].to_numpy() for d in by_hand.values()]
    model = LocalForecaster(ARIMA, n_jobs=2, backend="threading").fit(ys, Xs)
    out = model.predict(H, X=Xf)
    assert isinstance(out, list) and all(isinstance(o, np.ndarray) and o.shape == (H,) for o in out)
    for got, y, X, xf in zip(out, ys, Xs, Xf):
        np.testing.assert_allclose(got, clone(ARIMA).fit(y, X).predict(H, X=xf), rtol=1e-12, atol=0)
    interval = model.predict_interval(H, X=Xf)
    assert all(b.shape == (H, 2) and np.all(b[:, 0] < b[:, 1]) for b in interval)


def test_auto_arima_and_naive_members():
    _, _, by_hand, _ = make_long()
    ys = [d["y"] for d in by_hand.values()][:2]
    for template in (AutoARIMAForecaster(max_p=1, max_q=1, maxiter=20),
                     NaiveForecaster(strategy="drift")):
        out = LocalForecaster(template, n_jobs=2, backend="threading").fit(ys).predict(H)
        for got, y in zip(out, ys):
            np.testing.assert_allclose(got.to_numpy(), clone(template).fit(y).predict(H).to_numpy(),
                                       rtol=1e-12, atol=0)


# ------------------------------------------------------------- single series
@pytest.mark.parametrize("as_pandas", [True, False])
def test_single_series_fits_one_clone(as_pandas):
    _, _, by_hand, _ = make_long(with_covariate=True)
    d = by_hand["a"]
    y, X, Xf = (d["y"], d["X"], d["X_future"]) if as_pandas else (
        d["y"].to_numpy(), d["X"].to_numpy(), d["X_future"].to_numpy())
    model = LocalForecaster(ARIMA).fit(y, X)
    assert isinstance(model.forecaster_, ARIMAForecaster) and not hasattr(model, "forecasters_")
    hand = clone(ARIMA).fit(y, X)
    got, expected = model.predict(H, X=Xf), hand.predict(H, X=Xf)
    assert type(got) is type(expected)
    np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-12, atol=0)
    if as_pandas:
        pd.testing.assert_index_equal(got.index, expected.index)
    # from a new (shorter) history, with X over the history and the future
    y_new = y[:-6]
    X_all = np.vstack([np.asarray(X)[:-6], np.asarray(Xf)])
    got, expected = model.predict(H, X=X_all, y=y_new), hand.predict(H, X=X_all, y=y_new)
    np.testing.assert_allclose(np.asarray(got), np.asarray(expected), rtol=1e-12, atol=0)
    if as_pandas:
        pd.testing.assert_index_equal(got.index, expected.index)
    got = model.predict_interval(H, coverage=0.7, X=Xf)
    np.testing.assert_allclose(np.asarray(got), np.asarray(hand.predict_interval(H, coverage=0.7, X=Xf)),
                               rtol=1e-12, atol=0)
    # refitting on a collection drops the single-series model (and back)
    model.fit([np.asarray(y)], [np.asarray(X)])
    assert not hasattr(model, "forecaster_") and len(model.forecasters_) == 1
    model.fit(y, X)
    assert not hasattr(model, "forecasters_") and hasattr(model, "forecaster_")


# --------------------------------------------------------------- determinism
@pytest.mark.parametrize("n_jobs, backend", [(2, "threading"), (2, "loky"), (-1, None)])
def test_same_forecasts_for_any_n_jobs_and_backend(n_jobs, backend):
    train, future, _, _ = make_long(with_covariate=True)
    serial = LocalForecaster(ARIMA, n_jobs=1).fit(train).predict(H, X=future)
    other = LocalForecaster(ARIMA, n_jobs=n_jobs, backend=backend).fit(train).predict(H, X=future)
    pd.testing.assert_frame_equal(other, serial, check_exact=True)


def test_tiny_lstm_per_series_is_deterministic_across_threads():
    _, _, by_hand, _ = make_long()
    ys = [d["y"] for d in by_hand.values()][:3]
    lstm = LSTMForecaster(hidden_size=4, max_iter=3, window_length=8, random_state=0)
    serial = LocalForecaster(lstm).fit(ys).predict(H)
    threaded = LocalForecaster(lstm, n_jobs=2, backend="threading").fit(ys).predict(H)
    for a, b, y in zip(serial, threaded, ys):
        assert a.to_numpy().tobytes() == b.to_numpy().tobytes()
        np.testing.assert_array_equal(a.to_numpy(), clone(lstm).fit(y).predict(H).to_numpy())


class _ThreadsSeen(BaseForecaster):
    """Records the Numba thread count its fit and predict ran with."""

    def _fit(self, y, X=None):
        self.fit_threads_ = numba.get_num_threads()

    def _predict(self, h, X=None, y_hist=None, **_):
        return np.full((h, 1), float(numba.get_num_threads()))


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs 2 numba threads")
@pytest.mark.parametrize("inner_n_jobs", [1, 2])
def test_inner_n_jobs_sets_the_kernel_threads_of_each_member(inner_n_jobs):
    ys = [np.arange(5.0), np.arange(7.0)]
    with kernel_threads(2):
        other = 3 - inner_n_jobs
        numba.set_num_threads(other)  # a different count in the caller
        model = LocalForecaster(_ThreadsSeen(), inner_n_jobs=inner_n_jobs).fit(ys)
        assert [m.fit_threads_ for m in model.forecasters_] == [inner_n_jobs] * 2
        assert [float(p[0]) for p in model.predict(2)] == [inner_n_jobs] * 2
        assert numba.get_num_threads() == other  # restored


# ------------------------------------------------------------ sklearn protocol
def test_nested_params_clone_and_set_params():
    model = LocalForecaster(ARIMAForecaster(order=(1, 0, 0)), backend="threading")
    params = model.get_params()
    assert params["forecaster__order"] == (1, 0, 0) and params["inner_n_jobs"] == 1
    assert params["backend"] == "threading" and params["n_jobs"] is None
    model.set_params(forecaster__order=(2, 0, 0), forecaster__trend="c")
    twin = clone(model)
    assert twin.forecaster is not model.forecaster
    assert twin.set_params(backend=None) is twin  # serial: nothing to parallelise here
    assert twin.get_params()["forecaster__order"] == (2, 0, 0)
    _, _, by_hand, _ = make_long()
    ys = [d["y"] for d in by_hand.values()][:2]
    twin.fit(ys)
    assert [m.order for m in twin.forecasters_] == [(2, 0, 0)] * 2
    assert [len(m.params_) for m in twin.forecasters_] == [4, 4]  # const, 2 AR, sigma2
    assert not hasattr(model, "forecasters_") and not hasattr(model.forecaster, "results_")


def test_member_errors_name_the_series_and_leave_the_model_unfitted():
    train, _, _, _ = make_long()
    short = pd.concat([train, pd.DataFrame({"unique_id": "tiny", "y": [1.0, 2.0, 4.0, 3.0],
                                            "ds": pd.date_range("2024-01-01", periods=4, freq="h")})])
    model = LocalForecaster(ARIMAForecaster(order=(2, 0, 0), trend="c"), n_jobs=2,
                            backend="threading")
    with pytest.raises(ValueError, match=r"fit failed for series 'tiny' \(ARIMAForecaster\).*4 obs"):
        model.fit(short)
    with pytest.raises(NotFittedError):
        model.predict(H)


def test_covariates_for_a_forecaster_without_exog_raise_its_error():
    train, _, _, _ = make_long(with_covariate=True)
    with pytest.raises(ValueError, match="series 'a'.*NaiveForecaster does not use exogenous"):
        LocalForecaster(NaiveForecaster()).fit(train)


@pytest.mark.parametrize("params, match", [
    ({"n_jobs": 0}, "n_jobs must be None or a non-zero int"),
    ({"inner_n_jobs": 0}, "inner_n_jobs must be None or a non-zero int"),
    ({"n_jobs": 1.5}, "'n_jobs' parameter of LocalForecaster"),
    ({"backend": 3}, "'backend' parameter of LocalForecaster"),
    ({"forecaster": "arima"}, "'forecaster' parameter of LocalForecaster"),
])
def test_invalid_parameters(params, match):
    kwargs = {"forecaster": NaiveForecaster(), **params}
    with pytest.raises(ValueError, match=match):
        LocalForecaster(**kwargs).fit([np.arange(5.0), np.arange(6.0)])


def test_not_fitted_and_interval_availability():
    with pytest.raises(NotFittedError):
        LocalForecaster(NaiveForecaster()).predict(2)
    assert hasattr(LocalForecaster(NaiveForecaster()), "predict_interval")
    assert not hasattr(LocalForecaster(_ThreadsSeen()), "predict_interval")
