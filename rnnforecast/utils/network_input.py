"""Checks of data about to be handed to a network: the float range of its dtype, the time steps.

Both give messages about what the user passed, instead of what a later stage
sees: a float64 value beyond the float32 range becomes ``inf`` in the cast to
a float32 network (reported by the network as "NaN or infinite values" the
user never passed), and scikit-learn's ``n_features_in_`` counts the time
steps (axis 1) of sequence input as "features".
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check_dtype_range", "check_n_timesteps"]


def check_dtype_range(values: np.ndarray, dtype: Any, *, name: str = "X", when: str = "") -> None:
    """Refuse values that a cast to a narrower float ``dtype`` (float32) would turn into inf or 0.

    Call it right before casting float64 data to the network's dtype, so that
    an overflow of the cast is not reported later as "NaN or infinite values"
    the user never passed.

    Parameters
    ----------
    values : ndarray of float64
        Data about to be cast.  Non-finite values (e.g. NaN padding) are
        left to the caller's own checks.
    dtype : numpy dtype or str
        Target dtype (e.g. ``"float32"``); nothing is checked for float64 or
        non-float dtypes.
    name : str, default="X"
        Parameter name for error messages.
    when : str, default=""
        When the values were produced, e.g. ``" after scaling"``.

    Raises
    ------
    ValueError
        If a finite value exceeds the largest finite ``dtype`` value, or if
        every nonzero value is below the smallest ``dtype`` value (they
        would all become 0).

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.utils.network_input import check_dtype_range
    >>> check_dtype_range(np.array([[1.0], [2.0]]), "float32")
    >>> check_dtype_range(np.full((3, 1), 1e300), "float32")
    Traceback (most recent call last):
    ...
    ValueError: X has values beyond the float32 range (max |x| = 1e+300 > 3.4e+38); use dtype='float64' or rescale X.
    """
    dt = np.dtype(dtype)
    values = np.asarray(values)
    if values.size == 0 or values.dtype.kind != "f" or dt.kind != "f":
        return
    if dt.itemsize >= values.dtype.itemsize:
        return
    info = np.finfo(dt)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return
    big = float(np.max(np.abs(finite)))
    with np.errstate(over="ignore", under="ignore"):
        cast = finite.astype(dt)
    if not np.isfinite(cast).all():
        raise ValueError(
            f"{name} has values beyond the {dt} range{when} (max |x| = {big:.3g} > "
            f"{float(info.max):.2g}); use dtype='float64' or rescale {name}."
        )
    if big > 0 and not cast.any():
        raise ValueError(
            f"{name} has nonzero values{when} that are all below the {dt} range (max |x| = "
            f"{big:.3g} < {float(info.smallest_subnormal):.2g}): they would all become 0; "
            f"use dtype='float64' or rescale {name}."
        )


def check_n_timesteps(X: Any, expected: int | None, *, who: str, name: str = "X") -> None:
    """Refuse sequences whose number of time steps (axis 1) differs from the fitted one.

    For sequence estimators ``X`` is ``(n_samples, n_timesteps[, n_features])``:
    scikit-learn's ``n_features_in_`` counts axis 1, i.e. time steps, so its
    own message would call them "features".  The message here says time
    steps first, and keeps scikit-learn's wording in parentheses (its
    estimator checks look for it).

    Parameters
    ----------
    X : array-like
        Input about to be validated (an object with a ``shape``, or a
        list/tuple; others are left to the full validation).
    expected : int or None
        Number of time steps seen at fit (None: nothing to check).
    who : str
        The estimator's name, for the message.
    name : str, default="X"
        Parameter name for error messages.

    Raises
    ------
    ValueError
        If ``X`` has at least 2 dimensions and another number of time steps.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.utils.network_input import check_n_timesteps
    >>> check_n_timesteps(np.zeros((4, 6, 2)), 5, who="LSTMRegressor")
    Traceback (most recent call last):
    ...
    ValueError: X has 6 time steps per sequence (axis 1 of shape (4, 6, 2)), but LSTMRegressor was fitted on sequences of 5 time steps; X must be (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features) with the number of time steps seen at fit (in scikit-learn's terms, where axis 1 counts as features: X has 6 features, but LSTMRegressor is expecting 5 features as input).
    """
    if expected is None:
        return
    shape = getattr(X, "shape", None)
    if shape is None and isinstance(X, (list, tuple)):
        try:
            shape = np.shape(X)
        except ValueError:  # ragged nested lists: the full validation reports them
            return
    if shape is None:
        return
    if len(shape) >= 2 and shape[1] != expected:
        raise ValueError(
            f"{name} has {shape[1]} time steps per sequence (axis 1 of shape {tuple(shape)}), "
            f"but {who} was fitted on sequences of {expected} time steps; {name} must be "
            f"(n_samples, n_timesteps) or (n_samples, n_timesteps, n_features) with the number "
            f"of time steps seen at fit (in scikit-learn's terms, where axis 1 counts as "
            f"features: {name} has {shape[1]} features, but {who} is expecting {expected} "
            "features as input)."
        )
