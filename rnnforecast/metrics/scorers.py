"""scikit-learn compatible scorers for forecasters (:func:`make_forecast_scorer`)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from rnnforecast.metrics.point import METRICS, _to_float_array

__all__ = [
    "make_forecast_scorer",
    "neg_mae_scorer",
    "neg_mase_scorer",
    "neg_rmse_scorer",
    "neg_smape_scorer",
]


def _training_series(estimator: Any) -> np.ndarray:
    """Return the training target a fitted forecaster keeps, as a float array."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    # BaseForecaster keeps its (n, k) training history behind ``_history()``
    getter = getattr(estimator, "_history", None)
    if callable(getter):
        return getter()
    for attr in ("y_train_", "_y_train_", "_y_fit_"):
        if hasattr(estimator, attr):
            return getattr(estimator, attr)
    raise TypeError(
        f"{type(estimator).__name__} does not expose its training series; "
        "MASE scoring needs a forecaster that keeps its training history"
    )


def _as_2d_values(a: Any, name: str) -> np.ndarray:
    """Validated (real, finite, non-empty) values as a 2-D float64 array; nothing coerced."""
    arr = _to_float_array(a, name)
    return arr[:, None] if arr.ndim == 1 else arr


class _ForecastScorer:
    """Callable ``scorer(estimator, y_true, X=None) -> float`` (see :func:`make_forecast_scorer`)."""

    def __init__(
        self,
        metric: Callable[..., Any],
        sign: int,
        needs_y_train: bool,
        kwargs: dict[str, Any],
        name: str,
    ) -> None:
        self.metric = metric
        self.sign = sign
        self.needs_y_train = needs_y_train
        self.kwargs = kwargs
        self.name = name

    def __call__(self, estimator: Any, y_true: Any, X: Any = None) -> float:
        yt = _as_2d_values(y_true, "y_true")  # the scorer forecasts len(y_true) steps
        n = yt.shape[0]
        y_pred = estimator.predict(n) if X is None else estimator.predict(n, X=X)
        yp = _as_2d_values(y_pred, "y_pred (the forecasts)")
        if self.needs_y_train:
            y_train = _as_2d_values(_training_series(estimator), "y_train (the training series)")
            value = self.metric(yt, yp, y_train, **self.kwargs)
        else:
            value = self.metric(yt, yp, **self.kwargs)
        return self.sign * float(value)

    def __repr__(self) -> str:
        kw = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"make_forecast_scorer({self.name!r}, greater_is_better={self.sign > 0}{kw})"


def make_forecast_scorer(
    metric: str | Callable[..., Any],
    greater_is_better: bool = False,
    *,
    needs_y_train: bool | None = None,
    **metric_kwargs: Any,
) -> Callable[..., float]:
    """Build a scikit-learn compatible scorer for forecasters.

    The returned callable has signature ``scorer(estimator, y_true, X=None)``:
    it calls ``estimator.predict(len(y_true))`` (``predict(len(y_true), X=X)``
    when exogenous data are given), evaluates ``metric(y_true, y_pred, ...)``
    and returns it, negated when ``greater_is_better`` is False, so that
    larger is always better as :class:`~sklearn.model_selection.GridSearchCV`
    expects.

    Parameters
    ----------
    metric : {"mae", "rmse", "mape", "smape", "mase"} or callable
        Metric name (see :data:`METRICS`) or a function
        ``metric(y_true, y_pred, **metric_kwargs)`` (or
        ``metric(y_true, y_pred, y_train, **metric_kwargs)`` when
        ``needs_y_train``), taking arrays of shape (h, k).
    greater_is_better : bool, default=False
        Whether a larger metric value is better.
    needs_y_train : bool or None, default=None
        Whether the metric also needs the forecaster's training series (as
        MASE does).  None means True for ``"mase"`` and False otherwise.
    **metric_kwargs
        Extra keyword arguments for the metric (e.g. ``seasonal_period=24`` for MASE).

    Returns
    -------
    callable
        ``scorer(estimator, y_true, X=None) -> float``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.baselines import NaiveForecaster
    >>> from rnnforecast.metrics import make_forecast_scorer
    >>> y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    >>> scorer = make_forecast_scorer("mae")
    >>> model = NaiveForecaster().fit(y[:4])     # forecasts 4.0, 4.0
    >>> scorer(model, y[4:])                     # -MAE: larger is better
    -1.5
    """
    if isinstance(metric, str):
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {sorted(METRICS)} or a callable; got {metric!r}")
        name = metric
        if needs_y_train is None:
            needs_y_train = metric == "mase"
        func = METRICS[metric]
    elif callable(metric):
        name = getattr(metric, "__name__", repr(metric))
        func = metric
        needs_y_train = bool(needs_y_train)
    else:
        raise TypeError(f"metric must be a str or a callable; got {type(metric).__name__}")
    if not isinstance(greater_is_better, bool):
        raise TypeError(f"greater_is_better must be a bool; got {type(greater_is_better).__name__}")
    return _ForecastScorer(func, 1 if greater_is_better else -1, needs_y_train, metric_kwargs, name)


neg_mae_scorer = make_forecast_scorer("mae")
"""Scorer returning ``-MAE`` of a ``len(y_test)``-step forecast."""
neg_rmse_scorer = make_forecast_scorer("rmse")
"""Scorer returning ``-RMSE`` of a ``len(y_test)``-step forecast."""
neg_smape_scorer = make_forecast_scorer("smape")
"""Scorer returning ``-sMAPE`` (0--200 scale) of a ``len(y_test)``-step forecast."""
neg_mase_scorer = make_forecast_scorer("mase", seasonal_period=1)
"""Scorer returning ``-MASE`` (scaled by the in-sample naive MAE, ``seasonal_period=1``);
use ``make_forecast_scorer("mase", seasonal_period=24)`` (say) for seasonal scaling."""
