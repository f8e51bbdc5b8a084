"""Ensemble members trained on a real Dask cluster (2 worker processes) give the
serial ensemble bit for bit (joblib ``parallel_backend("dask")``)."""

import distributed  # the "dask" extra (CI installs it): no skip if it is missing
import numpy as np
import pytest
from joblib import parallel_backend

from rnnforecast.forecasting.neural import LSTMForecaster


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


def test_ensemble_on_dask_equals_serial(client):
    t = np.arange(96)
    y = 50 + 0.2 * t + 5 * np.sin(2 * np.pi * t / 12)
    kw = dict(hidden_size=4, max_iter=3, n_estimators=3, random_state=0)
    serial = LSTMForecaster(**kw, n_jobs=1).fit(y)
    with parallel_backend("dask"):
        on_dask = LSTMForecaster(**kw).fit(y)      # n_jobs=None: every Dask worker
    assert [m.random_state for m in on_dask.estimators_] == [
        m.random_state for m in serial.estimators_]
    np.testing.assert_array_equal(on_dask.predict(30), serial.predict(30))
