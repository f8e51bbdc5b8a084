"""Hand-written naive forecasts scored over cross-validation splits: the reference of the scorer tests."""

from __future__ import annotations

import numpy as np


def manual_naive_cv_score(y, strategy, sp, cv, score):
    """Mean of ``score(train, test, forecast)`` over ``cv.split(y)``, naive forecasts written out by hand.

    ``strategy``: ``"last"``, ``"mean"`` or ``"seasonal_last"`` (period ``sp``).
    """
    v = y.to_numpy()
    out = []
    for train, test in cv.split(v):
        tr, te = v[train], v[test]
        h = len(te)
        if strategy == "last":
            f = np.full(h, tr[-1])
        elif strategy == "mean":
            f = np.full(h, tr.mean())
        else:  # seasonal_last
            f = np.resize(tr[-sp:], h)
        out.append(score(tr, te, f))
    return np.mean(out)
