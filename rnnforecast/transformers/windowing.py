"""Turn time series into supervised-learning samples.

Conventions of :func:`make_windows` (leakage-free)
---------------------------------------------------
A window *ending at time t* holds the inputs for times ``t - window_length +
1 ... t``: the target channels followed by the exogenous columns, **both only
up to time t** (the exogenous value at a target time is *not* in the
window). Its targets are ``y[t + 1 ... t + horizon]``. So no input of a window
depends on any value after ``t``.

Windows are aligned to the **end** of the series: the last window's final
target is the last observation, and windows go back from there every
``step`` observations, so the most recent data is always used; leading
observations that do not fill a whole step are left out. Windows are
returned in chronological order.

* :func:`make_windows` builds ``(inputs, targets)`` arrays for neural networks.
* :class:`SlidingWindowTransformer` is the scikit-learn side: one window per
  row of a table ``X`` (3-D output, left padded with NaN), for a recurrent
  estimator in a plain :class:`~sklearn.pipeline.Pipeline`; its windows end
  at the row of their target (see its leakage rule).
* :class:`LagTransformer` builds the flat lag matrix a tabular regressor
  consumes (2-D output, ``get_feature_names_out``, ``set_output``).
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from rnnforecast.utils._compat import (
    Interval,
    _fit_context,
    get_transform_output,
    validate_parameter_constraints,
)
from rnnforecast.utils._series_checks import check_array_like
from rnnforecast.utils.validation import check_exog, check_lags, check_series

__all__ = ["LagTransformer", "SlidingWindowTransformer", "make_windows"]

_POSITIVE_INT = [Interval(Integral, 1, None, closed="left")]


def _window_ends(n: int, window_length: int, horizon: int, step: int) -> np.ndarray:
    """Positions ``t`` of the last input of each window, chronological."""
    last = n - horizon - 1
    first = window_length - 1
    if last < first:
        raise ValueError(
            f"y has {n} observations but window_length={window_length} and "
            f"horizon={horizon} need at least {window_length + horizon} "
            "for one window."
        )
    return np.arange(last, first - 1, -step)[::-1]


def make_windows(
    y: Any,
    X: Any = None,
    *,
    window_length: int,
    horizon: int = 1,
    step: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into (input window, future targets) pairs.

    Parameters
    ----------
    y : array-like of shape (n_timesteps,) or (n_timesteps, n_channels), \
            Series or DataFrame
        Target series (validated like a forecaster's ``y``; the index is not
        used).
    X : array-like of shape (n_timesteps, n_exog) or DataFrame, default=None
        Exogenous regressors aligned with ``y``.
    window_length : int
        Number of time steps in each input window (>= 1).
    horizon : int, default=1
        Number of future target steps per window (>= 1).
    step : int, default=1
        Distance between the ends of consecutive windows (>= 1).

    Returns
    -------
    inputs : ndarray of shape (n_windows, window_length, n_channels + n_exog), \
            dtype float64
        ``inputs[i, j]`` holds ``y[t_i - window_length + 1 + j]`` followed by
        ``X`` at the same time, where ``t_i`` is the end of window ``i``.
    targets : ndarray of dtype float64
        Shape ``(n_windows, horizon)`` for 1-D ``y`` or a Series, and
        ``(n_windows, horizon, n_channels)`` for 2-D ``y`` or a DataFrame
        (even with one column): ``targets[i, j] = y[t_i + 1 + j]``.

    Notes
    -----
    ``n_windows = (n_timesteps - window_length - horizon) // step + 1``; the
    last window ends at ``n_timesteps - horizon - 1`` (see module docstring).

    Examples
    --------
    >>> import numpy as np
    >>> inputs, targets = make_windows(np.arange(6.0), window_length=3, horizon=2)
    >>> inputs[:, :, 0]
    array([[0., 1., 2.],
           [1., 2., 3.]])
    >>> targets
    array([[3., 4.],
           [4., 5.]])
    """
    validate_parameter_constraints(
        {"window_length": _POSITIVE_INT, "horizon": _POSITIVE_INT, "step": _POSITIVE_INT},
        {"window_length": window_length, "horizon": horizon, "step": step},
        caller_name="make_windows",
    )
    values, info = check_series(y, name="y", check_index=False)
    n, k = values.shape
    if X is not None:
        X_values, _ = check_exog(
            X, n_rows=n, name="X", context=" (one per observation of y)"
        )
        features = np.hstack([values, X_values])
    else:
        features = values
    ends = _window_ends(n, window_length, horizon, step)
    input_pos = ends[:, None] + np.arange(-window_length + 1, 1)[None, :]
    target_pos = ends[:, None] + np.arange(1, horizon + 1)[None, :]
    inputs = np.ascontiguousarray(features[input_pos])
    targets = values[target_pos]
    if info.ndim == 1:
        targets = targets[:, :, 0]
    return inputs, np.ascontiguousarray(targets)


def _channel_names(info: Any, prefix: str = "y") -> list[str]:
    if info.columns is not None:
        return [str(c) for c in info.columns]
    if info.name is not None:
        return [str(info.name)]
    if info.n_columns == 1:
        return [prefix]
    return [f"{prefix}{i}" for i in range(info.n_columns)]


class SlidingWindowTransformer(TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """One input window per row of a table, for a recurrent estimator in a Pipeline.

    Row ``t`` of the output is the window *ending at row t*: the rows
    ``t - window_length + 1, ..., t`` of ``X``, in time order.  The first
    ``window_length - 1`` rows lack part of their history, which is marked by
    left padding with NaN (whole time steps).  The row count never changes,
    so the transformer fits in a plain :class:`sklearn.pipeline.Pipeline`
    (``fit(X, y)`` with ``y`` passed through untouched) and in
    ``cross_val_score``/``GridSearchCV`` with ``TimeSeriesSplit``; the
    recurrent estimators (:class:`~rnnforecast.estimators.LSTMRegressor`,
    the classifiers...) read a left-padded window as a shorter sequence, as a
    packed sequence in PyTorch.

    Leakage rule: the window of row ``t`` uses rows ``<= t`` of ``X`` only,
    and ``y[t]`` is the target of row ``t``.  Whatever ``X[t]`` holds is
    therefore known when ``y[t]`` is predicted; to forecast the next value
    of a series from its past, shift the target: ``y[t] = series[t + 1]``
    (e.g. ``X = series[:-1, None]``, ``y = series[1:]``), never put
    ``series[t]`` in ``X[t]`` with ``y[t] = series[t]``.  Rows are read in
    the given order, which must be chronological with equal spacing.

    Each call to :meth:`transform` windows the rows it receives on their
    own: the first rows of a test fold are padded, not filled from the
    training rows (transforming is stateless, so a fold never sees another
    fold's rows).  For forecasters' (window, future targets) pairs of a
    series, see :func:`make_windows`.

    Parameters
    ----------
    window_length : int, default=10
        Number of time steps per window (>= 1).

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of ``X`` seen at fit (features per time step).
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X`` seen at fit (only then).

    Notes
    -----
    The output is 3-D ``(n_rows, window_length, n_features)``, so
    ``set_output(transform="pandas")`` is not available; use
    :class:`LagTransformer` for a tabular (2-D) layout.  Scale ``X`` before
    this step (e.g. ``StandardScaler``): scalers work on 2-D tables.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.transformers import SlidingWindowTransformer
    >>> X = np.arange(4.0).reshape(-1, 1)
    >>> SlidingWindowTransformer(window_length=3).fit_transform(X)[:, :, 0]
    array([[nan, nan,  0.],
           [nan,  0.,  1.],
           [ 0.,  1.,  2.],
           [ 1.,  2.,  3.]])

    In a Pipeline, forecasting the next value of a series from its last 12
    values (the target is shifted, see the leakage rule):

    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from rnnforecast.estimators import LSTMRegressor
    >>> series = np.sin(np.arange(101) / 4)
    >>> X, y = series[:-1, None], series[1:]
    >>> pipe = make_pipeline(StandardScaler(), SlidingWindowTransformer(window_length=12),
    ...                      LSTMRegressor(hidden_size=8, max_iter=5, random_state=0))
    >>> pipe.fit(X, y).predict(X).shape
    (100,)
    """

    _parameter_constraints: dict = {"window_length": _POSITIVE_INT}

    def __init__(self, window_length: int = 10):
        self.window_length = window_length

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> "SlidingWindowTransformer":
        """Record the number (and names) of the columns of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features)
            Rows in time order, finite values.
        y : None or array-like of shape (n_timesteps,)
            Ignored (passed through by a Pipeline).

        Returns
        -------
        self : SlidingWindowTransformer
        """
        validate_data(self, check_array_like(X, "X", ragged_hint=""), reset=True, dtype=np.float64)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Window ending at every row, left padded with NaN.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_features)
            Rows in time order, finite values, the columns seen at fit.

        Returns
        -------
        windows : ndarray of shape (n_timesteps, window_length, n_features), \
                dtype float64
            ``windows[t, j] = X[t - window_length + 1 + j]``, NaN where that
            row index is negative.
        """
        check_is_fitted(self, "n_features_in_")
        values = validate_data(self, check_array_like(X, "X", ragged_hint=""), reset=False,
                               dtype=np.float64)
        n, k = values.shape
        w = int(self.window_length)
        padded = np.full((n + w - 1, k), np.nan)
        padded[w - 1:] = values
        pos = np.arange(n)[:, None] + np.arange(w)[None, :]
        return np.ascontiguousarray(padded[pos])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names along the last axis of the windows (the input columns).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Column names to use; default: ``feature_names_in_`` if seen at
            fit, else ``"x0", "x1", ...``.

        Returns
        -------
        names : ndarray of str, shape (n_features_in_,)
        """
        check_is_fitted(self, "n_features_in_")
        if input_features is None:
            if hasattr(self, "feature_names_in_"):
                return np.asarray(self.feature_names_in_, dtype=object)
            return np.asarray([f"x{i}" for i in range(self.n_features_in_)], dtype=object)
        names = [str(c) for c in input_features]
        if len(names) != self.n_features_in_:
            raise ValueError(
                f"input_features must have {self.n_features_in_} names; got {len(names)}."
            )
        return np.asarray(names, dtype=object)


class LagTransformer(TransformerMixin, BaseEstimator):
    """Lagged copies of a series as a tabular feature matrix.

    Row ``r`` of the output describes time ``t`` and holds ``y[t - lag]``
    for every lag (and every channel), so it can be paired with the target
    ``y[t]`` without leakage (lag 0 is not allowed).

    Parameters
    ----------
    lags : int or list of int, default=1
        An int ``L`` means lags ``1, 2, ..., L`` (unlike
        :class:`~rnnforecast.transformers.Differencer`, where it is the single
        lag ``L``); a list gives the lags explicitly (positive, distinct;
        output in the given order).
    dropna : bool, default=True
        If True, leading rows where a lag is undefined (the first
        ``max(lags)`` time steps) are dropped: the output has
        ``n_timesteps - max(lags)`` rows and row ``r`` corresponds to time
        ``r + max(lags)`` (pandas output keeps those index labels). If False,
        all ``n_timesteps`` rows are kept and undefined lags are NaN.

    Attributes
    ----------
    lags_ : list of int
        The lags used.
    n_features_in_ : int
        Number of channels seen at fit.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame seen at fit (only then).
    channel_names_ : list of str
        Names used to build output names: DataFrame columns, a Series' name,
        ``"y"`` for one unnamed channel, ``"y0", "y1", ...`` otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> LagTransformer(lags=2).fit_transform(np.arange(5.0))
    array([[1., 0.],
           [2., 1.],
           [3., 2.]])
    """

    _parameter_constraints: dict = {
        "lags": [Interval(Integral, 1, None, closed="left"), list, tuple],
        "dropna": ["boolean"],
    }

    def __init__(self, lags: int | list[int] = 1, dropna: bool = True):
        self.lags = lags
        self.dropna = dropna

    def _resolve_lags(self) -> list[int]:
        return check_lags(self.lags, int_means="up_to", distinct=True)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, y: Any, X: Any = None) -> "LagTransformer":
        """Record lags and channel names.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_channels)
            The series.
        X : None
            Ignored (scikit-learn pipeline convention).

        Returns
        -------
        self : LagTransformer
        """
        self.lags_ = self._resolve_lags()
        _, info = check_series(y, name="y", check_index=False)
        self.n_features_in_ = info.n_columns
        self.channel_names_ = _channel_names(info)
        if info.columns is not None:
            self.feature_names_in_ = np.asarray([str(c) for c in info.columns], dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return self

    def transform(self, y: Any) -> np.ndarray:
        """Lag matrix.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_channels)

        Returns
        -------
        lagged : ndarray of shape (n_rows, len(lags) * n_channels), float64
            Columns ordered lag-major: for each lag, every channel.
            ``n_rows = n_timesteps - max(lags)`` if ``dropna`` else
            ``n_timesteps``.
        """
        check_is_fitted(self, "lags_")
        values, info = check_series(y, name="y", check_index=False)
        n, k = values.shape
        if k != self.n_features_in_:
            raise ValueError(
                f"y must have {self.n_features_in_} channel(s), as at fit; got {k}."
            )
        max_lag = max(self.lags_)
        if self.dropna and n <= max_lag:
            raise ValueError(
                f"y has {n} observations but lags up to {max_lag} with "
                f"dropna=True need at least {max_lag + 1}."
            )
        out = np.full((n, len(self.lags_) * k), np.nan)
        for j, lag in enumerate(self.lags_):
            out[lag:, j * k : (j + 1) * k] = values[: n - lag]
        start = max_lag if self.dropna else 0
        out = out[start:]
        if info.index is not None and get_transform_output(self) == "pandas":
            # Return the row labels of the kept time steps (sklearn's wrapper
            # would otherwise reuse the untrimmed input index).
            return pd.DataFrame(
                out, index=info.index[start:], columns=self.get_feature_names_out()
            )
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output names ``"{channel}_lag_{lag}"``, e.g. ``"y_lag_1"``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Channel names to use instead of those seen at fit (one per
            channel).

        Returns
        -------
        names : ndarray of str, shape (len(lags) * n_channels,)
            Lag after lag, channels within a lag.
        """
        check_is_fitted(self, "lags_")
        names = self.channel_names_
        if input_features is not None:
            names = [str(c) for c in input_features]
            if len(names) != self.n_features_in_:
                raise ValueError(
                    f"input_features must have {self.n_features_in_} names; got "
                    f"{len(names)}."
                )
        return np.asarray(
            [f"{c}_lag_{lag}" for lag in self.lags_ for c in names], dtype=object
        )
