"""Helpers shared by every ``fit``: atomic fits and the float64 R² of validation scores.

Examples
--------
>>> import numpy as np
>>> from rnnforecast.utils.fitting import r2_float64, restore_on_error
>>> class Model:
...     pass
>>> m = Model()
>>> m.coef_ = 1.0
>>> try:
...     with restore_on_error(m):
...         m.coef_ = 2.0
...         raise ValueError("training diverged")
... except ValueError:
...     pass
>>> m.coef_
1.0
>>> r2_float64(np.array([1.0, 2.0, 3.0], dtype=np.float32), np.array([1.0, 2.0, 3.0]))
1.0
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np
from sklearn.metrics import r2_score

__all__ = ["r2_float64", "restore_on_error"]


@contextmanager
def restore_on_error(obj: Any) -> Iterator[None]:
    """Leave ``obj`` exactly as it was if the block raises (any exception, then re-raised).

    Used by every ``fit``: a fit that fails leaves a fitted model fitted and an
    unfitted one unfitted.  The attribute dictionary is copied shallowly, as the
    three hand-written copies this replaces did.
    """
    saved = dict(obj.__dict__)
    try:
        yield
    except BaseException:
        obj.__dict__.clear()
        obj.__dict__.update(saved)
        raise


def r2_float64(y_true: np.ndarray, pred: np.ndarray) -> float:
    """R² of ``pred`` against ``y_true`` computed in float64 (validation scores).

    Parameters
    ----------
    y_true : ndarray of shape (n,) or (n, k)
    pred : ndarray of the same shape, float64
    """
    return float(r2_score(y_true.astype(np.float64), pred))
