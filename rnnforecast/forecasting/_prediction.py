"""Forecasting from a fitted :class:`BaseForecaster`: inputs in, user's format out.

:class:`PredictionMixin` validates the future regressors and an optional new
history, calls the ``_predict`` hook, checks its :class:`Forecast` record and
puts the forecasts back in the format of the training series.

Examples
--------
>>> from rnnforecast.forecasting.base import BaseForecaster
>>> from rnnforecast.forecasting._prediction import PredictionMixin
>>> issubclass(BaseForecaster, PredictionMixin)
True
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from rnnforecast.forecasting.record import Forecast, ForecastRequest
from rnnforecast.utils.validation import (
    SeriesInfo,
    check_exog,
    check_min_history,
    check_series,
    future_index,
)

__all__ = ["PredictionMixin"]

class PredictionMixin:
    """``_predict_array`` and the output helpers of :class:`BaseForecaster`."""

    def _predict_array(
        self, h: int, X: Any, y: Any, *, x_name: str = "X",
        request: ForecastRequest | None = None,
    ) -> tuple[Forecast, tuple[SeriesInfo, Any]]:
        """Validate ``X``/``y``, call ``_predict``; return its :class:`Forecast` and
        ``(info, cutoff)`` of the history forecast from.

        ``request`` (what an interval method needs besides the mean) is passed
        to ``_predict`` only when given, so a hook without a ``request``
        parameter serves ``predict``.
        """
        train = self._y_info_
        y_hist = None
        out_info, cutoff = train, train.cutoff
        if y is not None:
            y_hist, new_info = check_series(y, name="y")
            self._check_same_kind(new_info)
            check_min_history(
                new_info.n_timesteps,
                int(self._min_predict_history()),
                who=self._describe(),
                what="needs to forecast from",
            )
            out_info, cutoff = new_info, new_info.cutoff

        X_fut, X_hist = None, None
        if self.n_exog_ == 0:
            if X is not None:
                raise ValueError(
                    f"{x_name} was given but {type(self).__name__} was fitted "
                    "without exogenous regressors (X=None at fit)."
                )
        else:
            n_hist = 0 if y_hist is None else y_hist.shape[0]
            if X is None:
                what = (
                    f"{h} rows of future values"
                    if y_hist is None
                    else f"{n_hist} + {h} rows (the new history y, then the "
                    "future)"
                )
                raise ValueError(
                    f"{x_name} is required: {type(self).__name__} was fitted "
                    f"with {self.n_exog_} exogenous regressor(s), so it needs "
                    f"{what}; got None."
                )
            expected_index = None
            if out_info.is_pandas:
                fidx = future_index(out_info, h, cutoff)
                expected_index = (
                    fidx if y_hist is None else out_info.index.append(fidx)
                )
            X_all, _ = check_exog(
                X,
                n_rows=n_hist + h,
                name=x_name,
                n_columns=self.n_exog_,
                columns=self._X_columns_,
                expected_index=expected_index,
                context=(
                    f" (h={h} future steps)"
                    if y_hist is None
                    else f" (len(y)={n_hist} history rows + h={h} future rows)"
                ),
            )
            X_fut = X_all[n_hist:]
            if y_hist is not None:
                X_hist = X_all[:n_hist]

        extra = {} if request is None else {"request": request}
        out = self._predict(h, X_fut, y_hist, X_hist=X_hist, y_info=out_info, **extra)
        return self._as_record(out, h), (out_info, cutoff)

    def _as_record(self, out: Any, h: int) -> Forecast:
        """``_predict``'s output as a :class:`Forecast` of float64 ``(h, k)`` arrays."""
        k = self._y_info_.n_columns
        record = out if isinstance(out, Forecast) else Forecast(out)

        def rows(values: Any, what: str) -> np.ndarray | None:
            if values is None:
                return None
            arr = np.asarray(values, dtype=np.float64)
            if arr.shape != (h, k) and not (arr.ndim == 1 and k == 1 and arr.shape[0] == h):
                raise RuntimeError(
                    f"{type(self).__name__}._predict must return {what} of shape "
                    f"(h, n_series) = ({h}, {k}); got {arr.shape}."
                )
            return arr.reshape(h, k)

        return replace(record, mean=rows(record.mean, "an array"),
                       lower=rows(record.lower, "lower bounds"),
                       upper=rows(record.upper, "upper bounds"))

    def _check_same_kind(self, new: SeriesInfo) -> None:
        train = self._y_info_
        if new.is_pandas != train.is_pandas or new.ndim != train.ndim:
            raise TypeError(
                f"y must be of the same kind as at fit ({train.describe()}); "
                f"got {new.describe()}."
            )
        if new.n_columns != train.n_columns:
            raise ValueError(
                f"y must have {train.n_columns} series (columns), as at fit; "
                f"got {new.n_columns}."
            )
        if train.columns is not None and list(new.columns) != list(train.columns):
            raise ValueError(
                f"y must have the columns seen at fit: {list(train.columns)}; "
                f"got {list(new.columns)}."
            )
        if train.is_pandas:
            if new.index_kind != train.index_kind:
                raise TypeError(
                    f"y must have the same kind of index as at fit "
                    f"({type(train.index).__name__}); got "
                    f"{type(new.index).__name__}."
                )
            if train.freq is not None and new.freq != train.freq:
                raise ValueError(
                    f"y must have the frequency seen at fit ({train.freq}); got "
                    f"{new.freq}."
                )

    def _to_output(
        self, values: np.ndarray, cutoff_info: tuple[SeriesInfo, Any], h: int
    ) -> Any:
        info, cutoff = cutoff_info
        train = self._y_info_
        if not train.is_pandas:
            return values[:, 0].copy() if train.ndim == 1 else values
        index = future_index(info, h, cutoff)
        if train.ndim == 1:
            return pd.Series(values[:, 0], index=index, name=train.name)
        return pd.DataFrame(values, index=index, columns=train.columns)
