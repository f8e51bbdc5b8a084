"""The same fits on a real Dask cluster (2 worker processes) give the serial results.

A ``distributed.LocalCluster`` with nannies, like a multi-machine cluster:
tasks are pickled to separate processes that import ``rnnforecast`` and load
the Numba kernels from the disk cache. Covers ``LocalForecaster`` (joblib
``parallel_backend("dask")`` and ``backend="dask"``), ``GridSearchCV`` over a
neural forecaster, ``backtest(backend="dask")`` and the thread limit inside
workers (``resolve_n_jobs(None)`` honours the nanny's ``OMP_NUM_THREADS=1``).
"""

import os

import joblib
import numba
import numpy as np
import pandas as pd
import pytest

# the "dask" extra; .ci/run installs it and fails on any skip there
distributed = pytest.importorskip(
    "distributed", reason="the dask tests need distributed (the 'dask' extra)")
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit  # noqa: E402

from rnnforecast.backtesting import backtest
from rnnforecast.baselines import ARIMAForecaster
from rnnforecast.forecasting.local import LocalForecaster
from rnnforecast.forecasting.neural import LSTMForecaster
from rnnforecast.nn.threads import resolve_n_jobs

H = 4
ARIMA = ARIMAForecaster(order=(1, 0, 0), trend="c")
LSTM = LSTMForecaster(hidden_size=4, max_iter=3, window_length=8, random_state=0)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def long_panel(seed=0):
    rng = np.random.default_rng(seed)
    frames = []
    for k, n in enumerate([36, 45, 40, 50]):
        ds = pd.date_range("2024-05-01", periods=n, freq="h") + pd.Timedelta(hours=k)
        y = 3.0 + k + np.sin(np.arange(n) / 3.0) + 0.2 * rng.standard_normal(n)
        frames.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


def ran_on_workers(client, fn):
    """Run ``fn()``; return its result and how many tasks the cluster ran meanwhile."""
    with distributed.get_task_stream(client) as stream:
        out = fn()
    return out, len(stream.data)


@pytest.mark.parametrize("template", [ARIMA, LSTM], ids=["arima", "lstm"])
def test_local_forecaster_on_dask_equals_serial(client, template):
    df = long_panel()
    serial = LocalForecaster(template, n_jobs=1).fit(df).predict(H)
    if isinstance(template, ARIMAForecaster):  # a covariate-free model: check it is not trivial
        assert serial.groupby("unique_id")["y"].first().nunique() == 4

    def under_context():
        with joblib.parallel_backend("dask"):
            return LocalForecaster(template).fit(df).predict(H)

    in_context, n_tasks = ran_on_workers(client, under_context)
    assert n_tasks >= 2  # fits and forecasts ran on the cluster
    by_name, n_tasks = ran_on_workers(
        client, lambda: LocalForecaster(template, backend="dask").fit(df).predict(H))
    assert n_tasks >= 2
    for got in (in_context, by_name):
        pd.testing.assert_frame_equal(got, serial, check_exact=True)
    # and both equal fitting the series one by one
    first = df[df["unique_id"] == "s0"]
    y0 = pd.Series(first["y"].to_numpy(), index=pd.DatetimeIndex(first["ds"], name="ds"), name="y")
    np.testing.assert_array_equal(serial["y"].to_numpy()[:H], clone(template).fit(y0).predict(H))


def series(n=60):
    t = np.arange(n)
    return pd.Series(10 + 0.1 * t + np.sin(2 * np.pi * t / 12),
                     index=pd.date_range("2001-01-01", periods=n, freq="MS"), name="y")


def test_grid_search_on_dask_equals_serial(client):
    y = series()
    grid = {"hidden_size": [2, 4], "window_length": [6, 8]}
    cv = TimeSeriesSplit(n_splits=2, test_size=H)
    est = LSTMForecaster(max_iter=3, random_state=0)
    serial = GridSearchCV(est, grid, cv=cv, error_score="raise").fit(y)

    def on_dask():
        with joblib.parallel_backend("dask"):
            return GridSearchCV(est, grid, cv=cv, n_jobs=-1, error_score="raise").fit(y)

    dask_gs, n_tasks = ran_on_workers(client, on_dask)
    assert n_tasks >= 4
    assert dask_gs.best_params_ == serial.best_params_
    np.testing.assert_array_equal(dask_gs.cv_results_["mean_test_score"],
                                  serial.cv_results_["mean_test_score"])
    assert len(set(serial.cv_results_["mean_test_score"])) > 1  # the grid matters


def test_backtest_on_dask_equals_serial(client):
    y = series()
    kw = dict(horizon=H, n_windows=3, metrics=("mae", "rmse"))
    serial = backtest(ARIMA, y, **kw)
    (scores, forecasts), n_tasks = ran_on_workers(
        client, lambda: tuple(backtest(ARIMA, y, backend="dask", **kw)))
    assert n_tasks >= 3
    pd.testing.assert_frame_equal(forecasts, serial.forecasts, check_exact=True)
    cols = ["window", "cutoff", "train_size", "refit", "mae", "rmse"]
    pd.testing.assert_frame_equal(scores[cols], serial.scores[cols], check_exact=True)


def test_workers_run_one_kernel_thread(client):
    # The nanny starts each worker with OMP_NUM_THREADS=1; Numba itself would use
    # every core of the machine, so n_jobs=None models are capped by resolve_n_jobs.
    assert client.submit(os.getenv, "OMP_NUM_THREADS", pure=False).result() == "1"
    numba_threads = client.submit(numba.get_num_threads, pure=False).result()
    assert numba_threads == numba.config.NUMBA_NUM_THREADS
    assert client.submit(resolve_n_jobs, None, pure=False).result() == 1
    assert client.submit(resolve_n_jobs, -1, pure=False).result() == numba_threads


def test_ensemble_on_dask_equals_serial(client):
    t = np.arange(96)
    y = 50 + 0.2 * t + 5 * np.sin(2 * np.pi * t / 12)
    kw = dict(hidden_size=4, max_iter=3, n_estimators=3, random_state=0)
    serial = LSTMForecaster(**kw, n_jobs=1).fit(y)
    with distributed.get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        on_dask = LSTMForecaster(**kw).fit(y)      # n_jobs=None: every Dask worker
    assert len(stream.data) >= 1                   # the members ran on the cluster
    assert [m.random_state for m in on_dask.estimators_] == [
        m.random_state for m in serial.estimators_]
    np.testing.assert_array_equal(on_dask.predict(30), serial.predict(30))
