"""An ensemble's members train inside one single-threaded-BLAS block.

Members in joblib's threading backend otherwise lift and restore the
process-wide BLAS limit while another member is inside a kernel; measured on
2 cores: two default members 20.7 s instead of 1.3 s (benchmarks/README.md).
"""

import numpy as np
from joblib import parallel_config
from threadpoolctl import threadpool_info

from rnnforecast import LSTMForecaster
from rnnforecast.forecasting.neural import ensemble
from rnnforecast.utils import _blas


def _series(n=120):
    t = np.arange(n, dtype=float)
    return 10.0 + np.sin(2 * np.pi * t / 12) + 0.01 * t


def _record_depth(monkeypatch):
    seen = []
    fit_member = ensemble._fit_member

    def spy(*args, **kwargs):
        seen.append((_blas._BLAS_STATE["depth"],
                     [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]))
        return fit_member(*args, **kwargs)

    monkeypatch.setattr(ensemble, "_fit_member", spy)
    return seen


def test_members_start_inside_the_blas_limit(monkeypatch):
    seen = _record_depth(monkeypatch)
    LSTMForecaster(n_estimators=3, max_iter=2, random_state=0, verbose=0).fit(_series())
    assert len(seen) == 3
    for depth, threads in seen:
        assert depth >= 1
        assert threads and all(n == 1 for n in threads)
    assert _blas._BLAS_STATE["depth"] == 0  # restored after the fit


def test_threading_backend_same_forecast_and_limit_held(monkeypatch):
    y = _series()
    ref = LSTMForecaster(n_estimators=2, max_iter=2, random_state=0, verbose=0).fit(y).predict(6)
    seen = _record_depth(monkeypatch)
    with parallel_config(backend="threading"):
        got = LSTMForecaster(n_estimators=2, max_iter=2, random_state=0, n_jobs=2,
                             verbose=0).fit(y).predict(6)
    assert [d >= 1 for d, _ in seen] == [True, True]
    np.testing.assert_array_equal(np.asarray(got), np.asarray(ref))
