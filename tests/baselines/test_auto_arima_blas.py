"""AutoARIMA's whole order search runs on one BLAS thread.

Before, only the statsmodels fits did; the search's own BLAS calls ran on one
or two threads depending on whether another thread held the process-wide
limit, so a fit in joblib's threading backend could differ from the same fit
alone in the 7th digit (seen once in a full test run).
"""

import numpy as np
from threadpoolctl import threadpool_info

from rnnforecast.baselines import AutoARIMAForecaster
from rnnforecast.baselines import auto_arima as aa


def test_search_runs_with_blas_limited_to_one_thread(monkeypatch):
    seen = []
    original = aa.CandidateSearch

    class Spy(original):
        def stepwise(self):
            seen.append([i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"])
            return super().stepwise()

    monkeypatch.setattr(aa, "CandidateSearch", Spy)
    y = np.sin(np.arange(80) / 3.0) + 0.05 * np.arange(80)
    AutoARIMAForecaster(max_p=1, max_q=1, maxiter=20).fit(y)
    assert len(seen) == 1 and seen[0] and all(n == 1 for n in seen[0])
