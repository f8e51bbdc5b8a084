"""One model per series, fitted in parallel on joblib or Dask.

:class:`LocalForecaster` turns any single-series forecaster (ARIMA,
AutoARIMA, naive, a neural forecaster...) into a forecaster of collections of
series: it fits one clone per series with :class:`joblib.Parallel`, so the
same code runs on the cores of one machine (``loky``, ``threading``) or on a
Dask cluster (``backend="dask"`` or ``with joblib.parallel_backend("dask"):``).
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from joblib import delayed
from sklearn.base import clone
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from rnnforecast.forecasting.base import BaseForecaster
from rnnforecast.forecasting.record import ForecastRequest
from rnnforecast.utils._compat import HasMethods
from rnnforecast.utils.guards import get_horizon_limit, guard_forecast_method, horizon_limit
from rnnforecast.utils._parallel import run_parallel
from rnnforecast.utils.panel import Panel
from rnnforecast.utils.validation import SeriesInfo, check_horizon

__all__ = ["LocalForecaster"]


def _kernel_threads(n_jobs: int | None) -> Any:
    """:func:`rnnforecast.nn.threads.kernel_threads`, imported on first use.

    Keeps ``import rnnforecast.forecasting`` free of Numba for the forecasters
    that do not need it (ARIMA, naive).
    """
    from rnnforecast.nn.threads import kernel_threads

    return kernel_threads(n_jobs)


def _with_series(exc: Exception, uid: Any, stage: str, model: Any) -> Exception:
    """``exc`` with the series id in its message, of the same type where possible."""
    msg = f"{stage} failed for series {uid!r} ({type(model).__name__}): {exc}"
    try:
        new = type(exc)(msg)
    except Exception:  # exception types whose constructor needs other arguments
        new = RuntimeError(msg)
    if str(new) != msg:  # pragma: no cover - a constructor that rewrites its message
        new = RuntimeError(msg)
    return new


def _fit_one(forecaster: Any, uid: Any, y: Any, X: Any, inner_n_jobs: int | None) -> Any:
    """Fit a clone of ``forecaster`` to one series (runs in a joblib worker)."""
    model = clone(forecaster)
    try:
        with _kernel_threads(inner_n_jobs):
            if X is None:
                model.fit(y)
            else:
                model.fit(y, X)
    except Exception as exc:
        if uid is None:  # a single series: its own message says it all
            raise
        raise _with_series(exc, uid, "fit", model) from exc
    return model


def _predict_one(
    model: Any, uid: Any, h: int, X: Any, y: Any, inner_n_jobs: int | None,
    interval: bool = False, coverage: Any = None, limit: Any = "default",
) -> np.ndarray:
    """Forecasts (or interval bounds) of one fitted model as float64 numpy.

    ``limit``: the caller's horizon limit (a joblib worker does not inherit it).
    """
    try:
        with _kernel_threads(inner_n_jobs), horizon_limit(limit):
            if interval:
                out = model.predict_interval(h, coverage=coverage, X=X, y=y)
            else:
                out = model.predict(h, X=X, y=y)
    except Exception as exc:
        if uid is None:
            raise
        stage = "predict_interval" if interval else "predict"
        raise _with_series(exc, uid, stage, model) from exc
    return np.asarray(out, dtype=np.float64)


def _series(values: np.ndarray, info: SeriesInfo) -> Any:
    """One panel series as the user gave it: a pandas Series with its index, or numpy."""
    if info.is_pandas:
        return pd.Series(values, index=info.index, name=info.name)
    return values


def _placeholder_index(train: SeriesInfo, n: int) -> pd.Index:
    """An index of ``n`` periods of the training index's kind and frequency.

    Forecasting from a new history of a single series: the base class hands
    ``_predict`` its values only, and the wrapped forecaster (fitted on pandas)
    needs pandas of the same kind. Forecast values do not depend on the labels;
    the output index is rebuilt by the base class from the real history.
    """
    end = train.index[-1]
    if isinstance(train.index, pd.PeriodIndex):
        return pd.period_range(end=end, periods=n, freq=train.freq, name=train.index.name)
    if isinstance(train.index, pd.DatetimeIndex):
        return pd.date_range(end=end, periods=n, freq=train.freq, name=train.index.name)
    step = int(train.step or 1)
    return pd.RangeIndex(int(end) - (n - 1) * step, int(end) + step, step, name=train.index.name)


def _has_predict_interval(self: "LocalForecaster") -> bool:
    return hasattr(self.forecaster, "predict_interval")


class LocalForecaster(BaseForecaster):
    """Fit one clone of a forecaster per series, in parallel (joblib or Dask).

    Given a collection of series (a list of 1-D arrays/Series, or a long
    DataFrame with ``unique_id``, ``ds``, ``y`` and covariate columns), fits
    ``clone(forecaster)`` to each series with :class:`joblib.Parallel`, and
    forecasts each series with its own model. The result is the same as
    fitting each series by hand, for any ``n_jobs`` and ``backend``.

    Parameters
    ----------
    forecaster : forecaster
        Unfitted single-series forecaster (``fit(y, X=None)`` and
        ``predict(h, X=None, y=None)``), e.g. :class:`ARIMAForecaster`,
        :class:`AutoARIMAForecaster`, :class:`NaiveForecaster` or
        :class:`LSTMForecaster`. Cloned, never modified. Its parameters are
        reachable as ``forecaster__<name>`` (``get_params``/``set_params``).
        Covariates are passed through: a forecaster that does not use them
        raises its own error.
    n_jobs : int, default=None
        Number of joblib workers over the series (fits and forecasts). None
        means 1 unless inside a joblib ``parallel_config``/``parallel_backend``
        context, or the default of ``backend`` (all workers of the cluster for
        ``"dask"``); -1 means all cores.
    backend : str, default=None
        joblib backend: ``"loky"`` (processes), ``"threading"``, ``"dask"``
        (needs ``distributed`` and a ``distributed.Client``)... None uses
        joblib's active backend, so ``with joblib.parallel_backend("dask"):``
        runs the fits on a Dask cluster. ``"threading"`` with neural
        forecasters needs a thread-safe Numba threading layer (OpenMP or TBB,
        not ``workqueue``); processes (loky, Dask) have no such constraint.
    inner_n_jobs : int, default=1
        Numba kernel threads of each fit and forecast (BLAS is limited to one
        thread meanwhile); restored afterwards. Keep it at 1 when ``n_jobs``
        workers already use the cores. None: Numba's current thread count,
        capped at ``OMP_NUM_THREADS`` (see
        :func:`rnnforecast.nn.threads.resolve_n_jobs`).

    Attributes
    ----------
    forecasters_ : list of forecasters
        Fitted clones, one per series, aligned with ``ids_`` (collection fit).
    ids_ : list
        Series identifiers seen at fit: ``unique_id`` values (long format) or
        positions ``0 .. n_series - 1`` (list).
    forecaster_ : forecaster
        The fitted clone when fitted on a single series.
    n_series_ : int
        Number of series (collection fit).
    n_targets_, n_exog_, cutoff_, freq_, n_timesteps_
        See :class:`~rnnforecast.forecasting.base.BaseForecaster`.

    Notes
    -----
    ``predict(h)`` forecasts the training series. ``predict(h, y=new)``
    forecasts new histories of series seen at fit without refitting (matched
    by ``unique_id`` in the long format, by position in a list); a series
    that was not seen raises ``ValueError``: a local model cannot forecast a
    series it was not fitted on. With covariates, ``X`` gives their future
    values (long DataFrame with ``unique_id``, ``ds`` and the covariates, or a
    list of ``(h, m)`` arrays).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from rnnforecast.baselines import NaiveForecaster
    >>> from rnnforecast.forecasting.local import LocalForecaster
    >>> df = pd.DataFrame({
    ...     "unique_id": ["a"] * 4 + ["b"] * 3,
    ...     "ds": list(pd.date_range("2024-01-01", periods=4, freq="h"))
    ...           + list(pd.date_range("2024-01-01", periods=3, freq="h")),
    ...     "y": [1.0, 2.0, 3.0, 4.0, 10.0, 20.0, 30.0],
    ... })
    >>> model = LocalForecaster(NaiveForecaster(), n_jobs=2, backend="threading")
    >>> model.fit(df).predict(2)
      unique_id                  ds     y
    0         a 2024-01-01 04:00:00   4.0
    1         a 2024-01-01 05:00:00   4.0
    2         b 2024-01-01 03:00:00  30.0
    3         b 2024-01-01 04:00:00  30.0
    >>> model.ids_
    ['a', 'b']
    >>> [float(np.round(v, 3)) for v in model.predict_interval(1, coverage=0.8)["upper"]]
    [5.282, 42.816]

    A list of two numpy series gives a list of forecasts; ``y=`` forecasts
    new histories of the same series without refitting:

    >>> local = LocalForecaster(NaiveForecaster(), n_jobs=1)
    >>> local.fit([np.array([1.0, 2.0, 3.0]), np.array([5.0, 7.0])]).predict(2)
    [array([3., 3.]), array([7., 7.])]
    >>> local.ids_, len(local.forecasters_)
    ([0, 1], 2)
    >>> local.predict(1, y=[np.array([4.0]), np.array([8.0, 9.0])])
    [array([4.]), array([9.])]
    """

    _parameter_constraints: dict = {
        "forecaster": [HasMethods(["fit", "predict"])],
        "n_jobs": [Integral, None],
        "backend": [str, None],
        "inner_n_jobs": [Integral, None],
    }
    _supports_exog = True
    _supports_multivariate = True
    _supports_panel = True

    def __init__(
        self,
        forecaster: Any,
        *,
        n_jobs: int | None = None,
        backend: str | None = None,
        inner_n_jobs: int | None = 1,
    ) -> None:
        self.forecaster = forecaster
        self.n_jobs = n_jobs
        self.backend = backend
        self.inner_n_jobs = inner_n_jobs

    # ------------------------------------------------------------------ hooks
    def _min_history(self) -> int:
        inner = getattr(self.forecaster, "_min_history", None)
        return int(inner()) if callable(inner) else 1

    def _min_predict_history(self) -> int:
        inner = getattr(self.forecaster, "_min_predict_history", None)
        return int(inner()) if callable(inner) else self._min_history()

    def _check_jobs(self) -> None:
        for name in ("n_jobs", "inner_n_jobs"):
            value = getattr(self, name)
            if value is not None and int(value) == 0:
                raise ValueError(
                    f"{name} must be None or a non-zero int (-1 for all cores); got 0."
                )

    def _parallel(self, tasks: list) -> list:
        return run_parallel(tasks, n_jobs=self.n_jobs, backend=self.backend)

    def _fit(self, y: np.ndarray, X: np.ndarray | None = None) -> "LocalForecaster":
        self._check_jobs()
        for stale in ("forecasters_", "ids_", "n_series_"):
            self.__dict__.pop(stale, None)
        info = self._y_info_
        y_in: Any = y[:, 0] if info.ndim == 1 else y
        if info.is_pandas:
            y_in = (pd.Series(y[:, 0], index=info.index, name=info.name) if info.ndim == 1
                    else pd.DataFrame(y, index=info.index, columns=info.columns))
        self.forecaster_ = _fit_one(self.forecaster, None, y_in, X, self.inner_n_jobs)
        return self

    def _predict(
        self,
        h: int,
        X: np.ndarray | None = None,
        y_hist: np.ndarray | None = None,
        X_hist: np.ndarray | None = None,
        y_info: SeriesInfo | None = None,
        request: ForecastRequest | None = None,
    ) -> np.ndarray:
        check_is_fitted(self, "forecaster_")
        y_in = None
        if y_hist is not None:
            train = self._y_info_
            y_in = y_hist[:, 0] if train.ndim == 1 else y_hist
            if train.is_pandas:
                index = _placeholder_index(train, y_hist.shape[0])
                y_in = (pd.Series(y_in, index=index, name=train.name) if train.ndim == 1
                        else pd.DataFrame(y_in, index=index, columns=train.columns))
        X_in = X
        if X is not None and X_hist is not None:
            X_in = np.vstack([X_hist, X])
        out = _predict_one(self.forecaster_, None, h, X_in, y_in, self.inner_n_jobs)
        return out.reshape(h, -1)

    def _fit_panel(self, panel: Panel) -> "LocalForecaster":
        self._check_jobs()
        self.__dict__.pop("forecaster_", None)
        exog = panel.exog if panel.exog is not None else [None] * panel.n_series
        self.forecasters_ = self._parallel([
            delayed(_fit_one)(self.forecaster, uid, _series(v, info), x, self.inner_n_jobs)
            for uid, v, info, x in zip(panel.ids, panel.values, panel.infos, exog)
        ])
        self.ids_ = list(panel.ids)
        return self

    def _members(self, h: int, panel: Panel, X_future: list | None) -> list[tuple]:
        """Per series of ``panel``: (id, fitted model, X, y) for its forecast."""
        check_is_fitted(self, "forecasters_")
        fut = X_future if X_future is not None else [None] * panel.n_series
        if panel is self._panel_:
            return [(uid, m, x, None) for uid, m, x in zip(self.ids_, self.forecasters_, fut)]
        position = {uid: j for j, uid in enumerate(self.ids_)}
        unseen = [uid for uid in panel.ids if uid not in position]
        if unseen:
            raise ValueError(
                f"y has {len(unseen)} series that {type(self).__name__} was not fitted on "
                f"(e.g. {unseen[0]!r}; fitted on {len(self.ids_)} series with ids such as "
                f"{self.ids_[:3]!r}); a local model forecasts only the series it was fitted "
                "on. Refit it on a collection that includes them, or use a global neural "
                "forecaster (LSTMForecaster, GRUForecaster, RNNForecaster) that can forecast "
                "new series."
            )
        hist = panel.exog if panel.exog is not None else [None] * panel.n_series
        members = []
        for uid, v, info, xh, xf in zip(panel.ids, panel.values, panel.infos, hist, fut):
            x = None if xf is None else (xf if xh is None else np.vstack([xh, xf]))
            members.append((uid, self.forecasters_[position[uid]], x, _series(v, info)))
        return members

    def _predict_panel(self, h: int, panel: Panel, X_future: list | None) -> list:
        return self._parallel([
            delayed(_predict_one)(m, uid, h, x, y, self.inner_n_jobs,
                                  limit=get_horizon_limit())
            for uid, m, x, y in self._members(h, panel, X_future)
        ])

    # ------------------------------------------------------------- public API
    @available_if(_has_predict_interval)
    @guard_forecast_method
    def predict_interval(self, h: int, coverage: float = 0.9, X: Any = None, y: Any = None) -> Any:
        """Prediction intervals from each series' own model.

        Available when the wrapped forecaster has ``predict_interval``.

        Parameters
        ----------
        h : int
            Number of steps ahead (>= 1).
        coverage : float, default=0.9
            Nominal coverage, strictly between 0 and 1 (checked by the
            wrapped forecaster).
        X : array-like, list or DataFrame, default=None
            Future covariates, exactly as for :meth:`predict`.
        y : list or DataFrame, default=None
            New histories of series seen at fit, as for :meth:`predict`.

        Returns
        -------
        interval : DataFrame, list or as the wrapped forecaster's
            Long DataFrame in: a long DataFrame with ``unique_id``, ``ds``,
            ``lower`` and ``upper``. List in: a list with, per series, an
            ``(h, 2)`` array (numpy series) or a DataFrame with columns
            ``lower``/``upper`` indexed by the next ``h`` periods. Fitted on a
            single series: the wrapped forecaster's own output.
        """
        check_is_fitted(self, "_y_info_")
        if getattr(self, "_panel_", None) is None:
            check_is_fitted(self, "forecaster_")
            with _kernel_threads(self.inner_n_jobs):
                return self.forecaster_.predict_interval(h, coverage=coverage, X=X, y=y)
        h = check_horizon(h)
        panel, X_future = self._panel_predict_inputs(h, X, y)
        bounds = self._parallel([
            delayed(_predict_one)(m, uid, h, x, yy, self.inner_n_jobs, True, coverage,
                                  get_horizon_limit())
            for uid, m, x, yy in self._members(h, panel, X_future)
        ])
        return panel.to_output([b.reshape(h, 2) for b in bounds], columns=["lower", "upper"])

