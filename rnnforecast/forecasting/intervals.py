"""Conformal prediction intervals for any forecaster.

:class:`ConformalIntervalMixin` adds ``predict_interval`` and
``predict_quantiles`` to a forecaster fitted on one (possibly multivariate)
series.  The split-conformal functions it uses (:func:`conformal_scores`,
:func:`conformal_quantile`, :func:`min_calibration_size`, :func:`scaled_pool`)
live in :mod:`rnnforecast.forecasting.conformal` and are importable from here
too; that module's docstring explains the method.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from rnnforecast.forecasting.conformal import (
    _rank,
    _scores,
    _too_few,
    conformal_quantile,
    conformal_scores,
    min_calibration_size,
    scaled_pool,
)
from rnnforecast.utils.validation import check_coverage as _check_coverage
from rnnforecast.utils.validation import (
    check_horizon,
    check_int,
    check_quantile_levels,
    future_index,
)

__all__ = [
    "DEFAULT_CONFORMAL_WINDOWS",
    "ConformalIntervalMixin",
    "conformal_quantile",
    "conformal_scores",
    "min_calibration_size",
    "scaled_pool",
]

#: Number of calibration windows of :class:`ConformalIntervalMixin` when the
#: forecaster has no ``conformal_windows`` parameter (or it is None).
DEFAULT_CONFORMAL_WINDOWS = 50


# ----------------------------------------------------------------- the mixin
class ConformalIntervalMixin:
    """Conformal ``predict_interval`` / ``predict_quantiles`` for a forecaster.

    Put it first among the bases of a :class:`~rnnforecast.forecasting.base.BaseForecaster`
    subclass (``class MyForecaster(ConformalIntervalMixin, LSTMForecaster)``).
    The forecaster must be fitted on one (possibly multivariate) series.

    Calibration
        On the first interval request after a fit, :func:`conformal_scores`
        is run on the training data the forecaster keeps (a clone with the
        same parameters is fitted on all but the last
        ``conformal_windows + h - 1`` observations) for the requested ``h``.
        The number of windows is ``self.conformal_windows`` when the class has
        that parameter (or attribute) and it is not None, else
        :data:`DEFAULT_CONFORMAL_WINDOWS` (50).  The same ``random_state``
        gives the same scores, hence identical intervals.
    Cache
        The scores are kept in the fitted attribute ``conformal_scores_``
        (ndarray (n_windows, h, k)) and reused for any horizon up to the
        largest requested so far; a larger ``h`` recalibrates.  The cache is
        keyed by the identity of the training arrays of the fit
        (``self._y_fit_``/``self._X_fit_``, which every ``fit`` replaces; the
        cache holds references to them, so an identity cannot be recycled)
        and by the number of windows: a refit, or a change of
        ``conformal_windows``, recalibrates on the next request.  Until then
        ``conformal_scores_`` still holds the previous fit's scores.
        Changing other parameters with ``set_params`` without refitting does
        not invalidate it.  Because ``C`` grows with ``h``, a calibration for a
        larger ``h`` fits its clone on a shorter prefix: the intervals for a
        given ``h`` can differ slightly depending on whether a larger one was
        requested before.  Request the largest horizon first when the results
        must not depend on the order of the calls.
    New histories
        With ``y=`` (a new history), the stored scores are reused around the
        point forecast from that history.

    Examples
    --------
    The neural forecasters inherit it (through
    :class:`~rnnforecast.forecasting.neural.intervals.NeuralIntervalMixin`):

    >>> import numpy as np
    >>> from rnnforecast import LSTMForecaster
    >>> from rnnforecast.forecasting.intervals import ConformalIntervalMixin
    >>> issubclass(LSTMForecaster, ConformalIntervalMixin)
    True
    >>> y = 10 + np.sin(np.arange(60) * 2 * np.pi / 12)
    >>> f = LSTMForecaster(window_length=6, hidden_size=4, max_iter=2, n_jobs=1,
    ...                    random_state=0, conformal_windows=20).fit(y)
    >>> interval = f.predict_interval(3)  # columns: lower, upper
    >>> interval.shape, bool((interval[:, 0] < interval[:, 1]).all())
    ((3, 2), True)
    >>> f.conformal_scores_.shape  # (conformal_windows, h, n_series)
    (20, 3, 1)
    """

    # ------------------------------------------------------------ internals
    def _conformal_n_windows(self) -> int:
        value = getattr(self, "conformal_windows", None)
        if value is None:
            return DEFAULT_CONFORMAL_WINDOWS
        return check_int(value, "conformal_windows")

    def _conformal_training_data(self) -> tuple[Any, Any]:
        """The training ``y``/``X`` in the kind given to ``fit``."""
        info = self._y_info_
        y = self._y_fit_
        if info.is_pandas:
            if info.ndim == 1:
                y = pd.Series(y[:, 0], index=info.index, name=info.name)
            else:
                y = pd.DataFrame(y, index=info.index, columns=info.columns)
        elif info.ndim == 1:
            y = y[:, 0]
        X = self._X_fit_
        columns = getattr(self, "_X_columns_", None)
        if X is not None and columns is not None:
            X = pd.DataFrame(X, index=info.index if info.is_pandas else None, columns=columns)
        return y, X

    def _calibration_model(self) -> Any:
        """The forecaster whose clone is calibrated (hook: one with the fitted parameters)."""
        return self

    def _conformal_calibration(self, h: int) -> np.ndarray:
        """Scores (n_windows, h, k) for the current fit, computed or from the cache."""
        n_windows = self._conformal_n_windows()
        cache = self.__dict__.get("_conformal_cache_")
        if (cache is not None and cache["y_fit"] is self._y_fit_
                and cache["X_fit"] is self._X_fit_ and cache["n_windows"] == n_windows
                and cache["h"] >= h):
            return cache["scores"][:, :h]
        y, X = self._conformal_training_data()
        scores = _scores(self._calibration_model(), y, X, h=h, n_windows=n_windows,
                         windows_name="conformal_windows")
        self.conformal_scores_ = scores
        self._conformal_cache_ = {"y_fit": self._y_fit_, "X_fit": self._X_fit_,
                                  "n_windows": n_windows, "h": h, "scores": scores}
        return scores

    def _check_enough_windows(self, coverage: float) -> None:
        n_windows = self._conformal_n_windows()
        if _rank(n_windows, coverage) > n_windows:
            raise _too_few(n_windows, coverage, "conformal_windows")

    def _format_bands(self, bands: list, labels: list, info: Any, cutoff: Any, h: int) -> Any:
        """Stack (h, k) arrays into the interval/quantile output formats."""
        train = self._y_info_
        k = train.n_columns
        stacked = np.stack([np.asarray(b, dtype=np.float64).reshape(h, k) for b in bands],
                           axis=-1)
        if not train.is_pandas:
            return stacked[:, 0, :] if train.ndim == 1 else stacked
        index = future_index(info, h, cutoff)
        if train.ndim == 1:
            return pd.DataFrame(stacked[:, 0, :], index=index, columns=list(labels))
        columns = pd.MultiIndex.from_product([list(train.columns), list(labels)])
        return pd.DataFrame(stacked.reshape(h, k * len(labels)), index=index, columns=columns)

    # ------------------------------------------------------------ public API
    def predict_interval(self, h: int, coverage: float = 0.9, X: Any = None, y: Any = None) -> Any:
        """Conformal prediction interval for the next ``h`` steps.

        Parameters
        ----------
        h : int
            Number of steps ahead (>= 1).
        coverage : float, default=0.9
            Nominal probability that the interval contains the future value,
            strictly between 0 and 1.  Needs at least
            ``ceil(1 / (1 - coverage)) - 1`` calibration windows (9 for 0.9,
            19 for 0.95, 99 for 0.99).
        X : array-like or DataFrame, default=None
            Future exogenous regressors, exactly as for ``predict``.
        y : array-like or pandas object, default=None
            A new history to forecast from without refitting, as for
            ``predict``; the calibration scores of the fit are reused.

        Returns
        -------
        interval : ndarray or DataFrame
            The point forecast ``+- Q_j`` (:func:`conformal_quantile` of the
            step-``j`` scores, per series):

            * 1-D numpy ``y`` at fit: ndarray of shape (h, 2), columns
              ``[lower, upper]``;
            * 2-D numpy ``y``: ndarray of shape (h, n_series, 2);
            * pandas Series: DataFrame indexed by the next ``h`` periods with
              columns ``["lower", "upper"]``;
            * pandas DataFrame: DataFrame with MultiIndex columns
              ``(series, "lower"/"upper")``.

        Raises
        ------
        ValueError
            For an invalid ``coverage``, too few calibration windows for it,
            or a training series too short for the calibration.
        """
        check_is_fitted(self, "_y_info_")
        h = check_horizon(h)
        coverage = _check_coverage(coverage)
        self._check_enough_windows(coverage)
        record, (info, cutoff) = self._predict_array(h, X, y)
        point = record.mean
        q = conformal_quantile(self._conformal_calibration(h)[:, :h], coverage)
        return self._format_bands([point - q, point + q], ["lower", "upper"], info, cutoff, h)

    def predict_quantiles(
        self, h: int, quantiles: Sequence[float] = (0.05, 0.5, 0.95), X: Any = None,
        y: Any = None,
    ) -> Any:
        """Quantile forecasts from the symmetric conformal bands.

        The level ``q < 0.5`` is the lower end of the central interval of
        coverage ``1 - 2q`` (``point - Q_{1-2q}``), ``q > 0.5`` the upper end
        of the one of coverage ``2q - 1`` (``point + Q_{2q-1}``), and
        ``q = 0.5`` the point forecast.

        Parameters
        ----------
        h : int
            Number of steps ahead (>= 1).
        quantiles : sequence of float, default=(0.05, 0.5, 0.95)
            Levels strictly between 0 and 1, in increasing order, no
            duplicates.
        X : array-like or DataFrame, default=None
            Future exogenous regressors, exactly as for ``predict``.
        y : array-like or pandas object, default=None
            A new history to forecast from without refitting.

        Returns
        -------
        quantiles : ndarray or DataFrame
            * 1-D numpy ``y`` at fit: ndarray (h, Q);
            * 2-D numpy ``y``: ndarray (h, n_series, Q);
            * pandas Series: DataFrame with columns ``"q0.05"``, ``"q0.5"``...
              (``"q" + repr(level)``);
            * pandas DataFrame: MultiIndex columns ``(series, "q0.05")``...

        Raises
        ------
        ValueError
            For invalid levels, too few calibration windows for the most
            extreme level, or a training series too short for the calibration.
        """
        check_is_fitted(self, "_y_info_")
        h = check_horizon(h)
        levels = check_quantile_levels(quantiles).tolist()
        coverages = [abs(2.0 * q - 1.0) for q in levels if q != 0.5]
        if coverages:
            self._check_enough_windows(max(coverages))
        record, (info, cutoff) = self._predict_array(h, X, y)
        point = record.mean
        scores = self._conformal_calibration(h)[:, :h] if coverages else None
        bands = []
        for q in levels:
            if q < 0.5:
                bands.append(point - conformal_quantile(scores, 1.0 - 2.0 * q))
            elif q > 0.5:
                bands.append(point + conformal_quantile(scores, 2.0 * q - 1.0))
            else:
                bands.append(point)
        labels = [f"q{q!r}" for q in levels]
        return self._format_bands(bands, labels, info, cutoff, h)
