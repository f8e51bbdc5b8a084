"""Base class of every forecaster in :mod:`rnnforecast`.

How to write a forecaster
-------------------------
Subclass :class:`BaseForecaster` and implement two hooks; never override
``fit``, ``predict`` or ``score`` (they validate input, keep track of indexes
and convert outputs)::

    class MeanForecaster(BaseForecaster):
        _parameter_constraints = {"window": [Interval(Integral, 1, None, closed="left")]}

        def __init__(self, window=3):
            self.window = window            # store parameters only, no checks

        def _min_history(self):             # optional, default 1
            return self.window

        def _fit(self, y, X=None):          # y: float64 (n, k), X: float64 (n, m) or None
            self.level_ = y[-self.window:].mean(axis=0)   # fitted attrs end in "_"
            return self

        def _predict(self, h, X=None, y_hist=None, X_hist=None, y_info=None,
                     request=None):
            # y_hist: None -> forecast after the training data, else a new
            # float64 (n_new, k) history to forecast from (no refitting).
            y = self._history(y_hist)       # training history or y_hist
            return np.tile(y[-self.window:].mean(axis=0), (h, 1))   # (h, k)

The contract, in detail:

* ``__init__`` only stores its arguments under their own names (scikit-learn
  convention, so ``get_params``/``set_params``/``clone`` work).  Parameter
  validation is declarative: list constraints in ``_parameter_constraints``
  (names from :mod:`rnnforecast.utils._compat`: ``Interval``, ``StrOptions``,
  ``HasMethods``...).  They are checked at the start of every ``fit``.  Checks
  that involve several parameters go at the top of ``_fit``.
* ``_fit(self, y, X)`` receives validated data: ``y`` a new float64
  C-contiguous ``(n, k)`` array (``k`` = 1 for a univariate series), ``X`` a
  float64 ``(n, m)`` array or ``None``.  Store what ``_predict`` needs as
  attributes ending in ``_`` (fitted scaler, weights...).  The return value is
  ignored; ``fit`` returns ``self``.
* ``_predict(self, h, X=None, y_hist=None, X_hist=None, y_info=None,
  request=None)`` forecasts the ``h`` steps after the end of the history and
  returns a :class:`~rnnforecast.forecasting.record.Forecast` record, or just
  the ``(h, k)`` array of its means (the base wraps it).  ``X`` is ``None`` or
  the float64 ``(h, m)`` future exogenous values.  ``y_hist`` is ``None``
  (forecast after the training series, available from ``self._history()``)
  or a new validated ``(n_new, k)`` history; ``X_hist`` the float64
  ``(n_new, m)`` regressors over ``y_hist`` (``None`` without a new history
  or without regressors); ``y_info`` the
  :class:`~rnnforecast.utils.validation.SeriesInfo` of the history forecast
  from (index, frequency).  ``X_hist`` and ``y_info`` are always passed as
  keywords.  ``request`` (a
  :class:`~rnnforecast.forecasting.record.ForecastRequest`) is passed only
  when an interval method needs more than the mean, e.g.
  ``ForecastRequest(coverage=0.9)``: the hook then fills ``Forecast.lower``/
  ``upper`` (or ``quantiles``/``levels`` for ``quantiles=True``).  A hook
  that only makes point forecasts may end its signature with ``**_``.
* Class attributes declare capabilities:
  ``_supports_exog = False`` (set True if ``X`` is used; otherwise passing
  ``X`` raises ``ValueError``), ``_supports_multivariate = True`` (set False
  for univariate-only models; ``k > 1`` then raises ``ValueError``).
* ``_min_history()`` returns the minimum number of observations ``fit`` needs
  (default 1); ``_min_predict_history()`` the minimum length of a new history
  passed to ``predict(h, y=...)`` (default: ``_min_history()``).  Too-short
  input raises ``ValueError("y has 10 observations but
  LSTMForecaster(window_length=24) needs at least 25")``.
* Outputs are guarded: ``predict``, ``predict_interval`` and
  ``predict_quantiles`` of every subclass (and of mixins it inherits them
  from) are wrapped by :func:`rnnforecast.utils.guards.guard_forecast_method`
  when the class is created: NaN/inf in the output raise a ``ValueError``
  naming the model (set ``_nonfinite_advice`` to say what to try), and ``h``
  above ``max(10 * n_timesteps_, 10_000)`` is refused unless inside
  ``with rnnforecast.utils.guards.horizon_limit(None):``.
* Helpers: ``self._history(y_hist=None)`` returns ``y_hist`` if given, else the
  ``(n, k)`` training history; ``self._exog_history(X_hist=None)`` the same
  for ``X`` (``None`` if no regressors).  Do not modify these arrays in place.

Fitted attributes set by ``fit`` (in addition to the subclass's):
``n_targets_`` (k), ``n_exog_`` (m, 0 without ``X``), ``cutoff_`` (last
training index label; ``n - 1`` for numpy input), ``freq_`` (pandas
frequency or ``None``), ``n_timesteps_`` (n).

Input/output kinds
------------------
numpy in, numpy out: a 1-D ``y`` gives ``(h,)`` forecasts, a 2-D ``y`` gives
``(h, k)``.  pandas in, pandas out: a Series/DataFrame indexed by the next
``h`` periods (DatetimeIndex or PeriodIndex with the series' frequency, or a
RangeIndex continuing an integer index), with the same name/columns.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.metrics import r2_score
from sklearn.utils.validation import check_is_fitted

from rnnforecast.forecasting._collections import CollectionMixin
from rnnforecast.forecasting._prediction import PredictionMixin
from rnnforecast.forecasting.record import Forecast, ForecastRequest
from rnnforecast.persistence import SaveMixin
from rnnforecast.utils._compat import _fit_context
from rnnforecast.utils.guards import (
    DEFAULT_ADVICE,
    check_finite_output,
    guard_forecast_method,
)
from rnnforecast.utils.fitting import restore_on_error
from rnnforecast.utils.panel import is_panel
from rnnforecast.utils.validation import (
    SeriesInfo,
    check_exog,
    check_horizon,
    check_min_history,
    check_series,
    steps_ahead,
)

__all__ = ["BaseForecaster"]


class BaseForecaster(CollectionMixin, PredictionMixin, SaveMixin, BaseEstimator):
    """Base class for forecasters with a scikit-learn interface.

    See the module docstring for the subclass protocol. Public methods:
    :meth:`fit`, :meth:`predict`, :meth:`score` (R², so that
    ``GridSearchCV(..., cv=TimeSeriesSplit(...)).fit(y)`` works), plus
    scikit-learn's ``get_params``/``set_params``.

    Examples
    --------
    A minimal subclass (the mean of the last ``window`` values), as in the
    module docstring:

    >>> import numpy as np
    >>> import pandas as pd
    >>> from rnnforecast.forecasting.base import BaseForecaster
    >>> class MeanForecaster(BaseForecaster):
    ...     def __init__(self, window=3):
    ...         self.window = window
    ...     def _min_history(self):
    ...         return self.window
    ...     def _fit(self, y, X=None):
    ...         self.level_ = y[-self.window:].mean(axis=0)
    ...     def _predict(self, h, X=None, y_hist=None, **_):
    ...         y = self._history(y_hist)
    ...         return np.tile(y[-self.window:].mean(axis=0), (h, 1))
    >>> f = MeanForecaster(window=2).fit(np.array([1.0, 2.0, 3.0, 5.0]))
    >>> f.predict(3)
    array([4., 4., 4.])
    >>> f.cutoff_, f.n_targets_
    (3, 1)
    >>> f.predict(2, y=np.array([10.0, 20.0]))  # from a new history, no refit
    array([15., 15.])
    >>> MeanForecaster().fit(np.ones((5, 2))).predict(1).shape  # two series
    (1, 2)
    >>> s = pd.Series([1.0, 2.0, 3.0, 5.0], name="sales",
    ...               index=pd.period_range("2024-01", periods=4, freq="M"))
    >>> MeanForecaster(window=2).fit(s).predict(2)
    2024-05    4.0
    2024-06    4.0
    Freq: M, Name: sales, dtype: float64
    """

    _parameter_constraints: dict = {}
    _supports_exog: bool = False
    _supports_multivariate: bool = True
    _supports_panel: bool = False
    #: What to try when the outputs are not finite (end of the guard's message).
    _nonfinite_advice: str = DEFAULT_ADVICE
    #: Public methods whose horizon is bounded and whose output is checked by
    #: :func:`~rnnforecast.utils.guards.guard_forecast_method`, in every subclass.
    _guarded_methods: tuple = ("predict", "predict_interval", "predict_quantiles")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in cls._guarded_methods:
            for klass in cls.__mro__:  # the definition the class resolves to
                if name in klass.__dict__:
                    method = klass.__dict__[name]
                    if inspect.isfunction(method):
                        guarded = guard_forecast_method(method)
                        if guarded is not method:
                            setattr(cls, name, guarded)
                    break

    # ------------------------------------------------------------------ hooks
    def _fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement _fit.")

    def _predict(
        self,
        h: int,
        X: np.ndarray | None = None,
        y_hist: np.ndarray | None = None,
        X_hist: np.ndarray | None = None,
        y_info: SeriesInfo | None = None,
        request: ForecastRequest | None = None,
    ) -> Forecast | np.ndarray:
        raise NotImplementedError(
            f"{type(self).__name__} must implement _predict."
        )

    def _min_history(self) -> int:
        """Minimum number of observations ``fit`` needs (default 1)."""
        return 1

    def _min_predict_history(self) -> int:
        """Minimum length of a new history given to ``predict(h, y=...)``."""
        return self._min_history()

    # ---------------------------------------------------------------- helpers
    def _history(self, y_hist: np.ndarray | None = None) -> np.ndarray:
        """Return ``y_hist`` if given, else the ``(n, k)`` training history."""
        if y_hist is not None:
            return y_hist
        check_is_fitted(self, "_y_fit_")
        return self._y_fit_

    def _exog_history(self, X_hist: np.ndarray | None = None) -> np.ndarray | None:
        """Return ``X_hist`` if given, else the ``(n, m)`` training regressors."""
        if X_hist is not None:
            return X_hist
        check_is_fitted(self, "_y_fit_")
        return self._X_fit_

    # ------------------------------------------------------------- public API
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, y: Any, X: Any = None) -> "BaseForecaster":
        """Fit the forecaster to a time series.

        Parameters
        ----------
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_series), \
                pandas Series or DataFrame
            Target series, real numbers without NaN/inf, in time order. A
            pandas index must be a DatetimeIndex/PeriodIndex with a regular
            (given or inferable) frequency, or an evenly spaced integer index.
        X : array-like of shape (n_timesteps, n_features) or DataFrame, \
                default=None
            Exogenous regressors aligned with ``y`` (only for forecasters
            that support them).

        Returns
        -------
        self : BaseForecaster
            The fitted forecaster.
        """
        if is_panel(y):
            return self._fit_panel_checked(y, X)
        y_arr, info = check_series(y, name="y")
        self._check_capabilities(info, X)
        check_min_history(
            info.n_timesteps, int(self._min_history()), who=self._describe()
        )
        X_arr, X_columns = None, None
        if X is not None:
            X_arr, X_columns = check_exog(
                X,
                n_rows=info.n_timesteps,
                name="X",
                expected_index=info.index,
                context=" (one per observation of y)",
            )
        # A failed fit (e.g. training that diverges) leaves the forecaster as it
        # was: a fitted one keeps its history and model, an unfitted one stays so.
        with restore_on_error(self):
            self._y_info_: SeriesInfo = info
            self._panel_ = None
            self._y_fit_ = y_arr
            self._X_fit_ = X_arr
            self._X_columns_ = X_columns
            self.n_timesteps_ = info.n_timesteps
            self.n_targets_ = info.n_columns
            self.n_exog_ = 0 if X_arr is None else X_arr.shape[1]
            self.cutoff_ = info.cutoff
            self.freq_ = info.freq
            self._fit(y_arr.copy(), None if X_arr is None else X_arr.copy())
        return self

    def predict(self, h: int, X: Any = None, y: Any = None) -> Any:
        """Forecast the next ``h`` steps.

        Parameters
        ----------
        h : int
            Number of steps ahead (>= 1).
        X : array-like of shape (h, n_features) or DataFrame, default=None
            Future exogenous regressors, required if and only if the
            forecaster was fitted with ``X``. When ``y`` is given, ``X`` must
            instead cover the new history followed by the future:
            ``len(y) + h`` rows.
        y : array-like or pandas object, default=None
            A new history to forecast from without refitting (same kind,
            number of series and columns as at fit). Forecasts then start
            right after the end of ``y``.

        Returns
        -------
        y_pred : ndarray of shape (h,) or (h, n_series), Series or DataFrame
            Forecasts, float64, in the same format as the ``y`` given to fit
            (1-D numpy if it was 1-D; pandas indexed by the next ``h``
            periods, with the same name/columns).
        """
        check_is_fitted(self, "_y_info_")
        h = check_horizon(h)
        if getattr(self, "_panel_", None) is not None:
            panel, X_future = self._panel_predict_inputs(h, X, y)
            return panel.to_output(self._checked_panel_forecasts(h, panel, X_future))
        if y is not None and is_panel(y):
            raise TypeError(
                f"y is a collection of series but {type(self).__name__} was fitted on a "
                "single series; fit it on a collection (list or long DataFrame) first."
            )
        record, cutoff_info = self._predict_array(h, X, y)
        return self._to_output(record.mean, cutoff_info, h)

    predict = guard_forecast_method(predict)

    def score(self, y_future: Any, X_future: Any = None) -> float:
        """R² of the forecasts of the observations ``y_future``.

        The forecasts are made from the end of the training series (no
        refitting). For pandas input, ``y_future`` is aligned by index: the
        forecaster predicts up to the last label of ``y_future`` and the
        matching rows are compared, so a gap between the training end and
        ``y_future`` is allowed. For numpy input (or a numpy ``y_future``),
        ``y_future`` is taken to start right after the training end:
        ``len(y_future)`` steps are forecast. With
        ``sklearn.model_selection.TimeSeriesSplit`` (no ``gap``) each test
        fold directly follows its training fold, so both agree.

        Parameters
        ----------
        y_future : array-like or pandas object
            Observed future values, same number of series as at fit.
        X_future : array-like or DataFrame, default=None
            Future regressors (if fitted with ``X``): one row per forecast
            step, i.e. from the first period after the training end up to the
            last label of ``y_future`` (``len(y_future)`` rows without gap).

        Returns
        -------
        score : float
            ``sklearn.metrics.r2_score`` (uniform average over series);
            higher is better.
        """
        check_is_fitted(self, "_y_info_")
        if getattr(self, "_panel_", None) is not None:
            raise TypeError(
                f"score is defined for a forecaster fitted on one series; "
                f"{type(self).__name__} was fitted on a collection. Score its forecasts "
                "with rnnforecast.metrics (e.g. per series, then averaged)."
            )
        y_true, info = check_series(y_future, name="y_future", require_freq=False)
        train = self._y_info_
        if info.n_columns != train.n_columns:
            raise ValueError(
                f"y_future must have {train.n_columns} series (columns), as at "
                f"fit; got {info.n_columns}."
            )
        if info.is_pandas and train.is_pandas:
            steps = steps_ahead(train, info.index, name="y_future")
            h = int(steps[-1])
        elif info.is_pandas and not train.is_pandas:
            raise TypeError(
                "y_future is a pandas object but the forecaster was fitted on "
                "a numpy array, so its index cannot be aligned; pass a numpy "
                "array (taken to start right after the training data)."
            )
        else:
            h = info.n_timesteps
            steps = np.arange(1, h + 1)
        pred = self._predict_array(h, X_future, None, x_name="X_future")[0].mean
        check_finite_output(pred, who=type(self).__name__, advice=self._nonfinite_advice)
        y_pred = pred[steps - 1]
        if info.n_columns == 1:
            return float(r2_score(y_true[:, 0], y_pred[:, 0]))
        return float(r2_score(y_true, y_pred))

    # -------------------------------------------------------------- internals
    def _describe(self) -> str:
        """One-line repr (changed parameters only) for error messages."""
        return " ".join(repr(self).split())

    def _check_capabilities(self, info: SeriesInfo, X: Any) -> None:
        name = type(self).__name__
        if info.n_columns > 1 and not self._supports_multivariate:
            raise ValueError(
                f"{name} forecasts a single series; got y with "
                f"{info.n_columns} columns. Fit one forecaster per column."
            )
        if X is not None and not self._supports_exog:
            raise ValueError(
                f"{name} does not use exogenous regressors; got X. Pass "
                "X=None (nothing is ignored silently)."
            )

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = True
        return tags

