"""Chain series transformers and a forecaster: :class:`ForecastingPipeline`."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import Bunch

from rnnforecast.forecasting.base import BaseForecaster
from rnnforecast.forecasting.record import ForecastRequest
from rnnforecast.utils._compat import _BaseComposition
from rnnforecast.utils.validation import SeriesInfo

__all__ = ["ForecastingPipeline"]


def _is_passthrough(step: Any) -> bool:
    return step is None or (isinstance(step, str) and step == "passthrough")


class ForecastingPipeline(BaseForecaster, _BaseComposition):
    """Transform a series, forecast it, and map the forecasts back.

    ``fit(y, X)`` fits every transformer on the series in order (each on the
    output of the previous one, applied to the ``(n_timesteps, n_series)``
    array), then fits the final forecaster on the transformed series (and on
    ``X``, unchanged except that its leading rows are dropped when a
    transformer such as :class:`~rnnforecast.transformers.Differencer` drops
    leading rows). ``predict(h)`` forecasts the transformed series and inverts
    every transformer in reverse order: with ``inverse_transform_forecast``
    (e.g. a Differencer integrating from the last observed values) if the
    step has it, else with ``inverse_transform`` (element-wise maps:
    :class:`~rnnforecast.transformers.LogTransformer`, ``StandardScaler``,
    ``PowerTransformer``, ``FunctionTransformer`` with an ``inverse_func``).

    Like :class:`sklearn.pipeline.Pipeline`, the steps are fitted in place,
    and nested parameters are addressed as ``<step name>__<parameter>``, so
    ``set_params(model__window_length=12)`` and grid searches over
    ``model__...`` work.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        Transformers (objects with ``fit``, ``transform`` and an inverse as
        above; or ``"passthrough"``/``None``) followed by a final
        :class:`~rnnforecast.forecasting.BaseForecaster`. Names must be
        unique and must not contain ``"__"``.

    Attributes
    ----------
    named_steps : sklearn.utils.Bunch
        Steps by name.
    n_targets_, n_exog_, cutoff_, freq_, n_timesteps_
        See :class:`~rnnforecast.forecasting.BaseForecaster`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from rnnforecast.forecasting import ForecastingPipeline, ReductionForecaster
    >>> from rnnforecast.transformers import Differencer
    >>> pipe = ForecastingPipeline([
    ...     ("diff", Differencer(lags=1)),
    ...     ("model", ReductionForecaster(Ridge(), window_length=3)),
    ... ])
    >>> pipe.fit(np.arange(20.0)).predict(3).round(6)
    array([20., 21., 22.])
    """

    _parameter_constraints: dict = {"steps": [list]}
    _supports_exog = True
    _supports_multivariate = True

    def __init__(self, steps: list[tuple[str, Any]]):
        self.steps = steps

    # ------------------------------------------------------------ composition
    def get_params(self, deep: bool = True) -> dict:
        """Parameters, including ``<step>__<param>`` ones when ``deep``.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of the steps.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return self._get_params("steps", deep=deep)

    def set_params(self, **params: Any) -> "ForecastingPipeline":
        """Set parameters; ``<step>`` replaces a step, ``<step>__<p>`` a nested one.

        Parameters
        ----------
        **params : dict
            ``steps``, a step name (replaces that step) or
            ``<step>__<param>`` (sets a parameter of a step).

        Returns
        -------
        self : ForecastingPipeline
            The pipeline.
        """
        self._set_params("steps", **params)
        return self

    @property
    def named_steps(self) -> Bunch:
        """Steps by name (``pipe.named_steps.model``)."""
        return Bunch(**dict(self.steps))

    @property
    def _final_estimator(self) -> Any:
        return self.steps[-1][1]

    def _transformers(self) -> list[tuple[str, Any]]:
        return list(self.steps[:-1])

    def _validate_steps(self) -> None:
        if not self.steps or not all(
            isinstance(s, tuple) and len(s) == 2 for s in self.steps
        ):
            raise ValueError(
                "steps must be a non-empty list of (name, estimator) tuples; got "
                f"{self.steps!r}."
            )
        names = [name for name, _ in self.steps]
        for name in names:
            if not isinstance(name, str):
                raise TypeError(f"steps names must be strings; got {name!r}.")
        self._validate_names(names)
        final = self._final_estimator
        if not isinstance(final, BaseForecaster):
            raise TypeError(
                "The last step of steps must be a forecaster (a BaseForecaster "
                f"subclass); got {final!r} of type {type(final).__name__}."
            )
        for name, t in self._transformers():
            if _is_passthrough(t):
                continue
            if not (hasattr(t, "fit") and hasattr(t, "transform")):
                raise TypeError(
                    f"Step {name!r} must be a transformer with fit and transform "
                    f"(or 'passthrough'); got {t!r}."
                )
            if not (
                hasattr(t, "inverse_transform_forecast")
                or hasattr(t, "inverse_transform")
            ):
                raise TypeError(
                    f"Step {name!r} ({type(t).__name__}) has no inverse_transform, "
                    "so forecasts could not be mapped back to the original scale."
                )
            if (
                isinstance(t, FunctionTransformer)
                and t.func is not None
                and t.inverse_func is None
            ):
                raise ValueError(
                    f"Step {name!r} is a FunctionTransformer with func but no "
                    "inverse_func; its inverse_transform would be the identity "
                    "and the forecasts would stay on the transformed scale. "
                    "Give inverse_func."
                )

    def _min_history(self) -> int:
        self._validate_steps()
        return self._dropped_rows() + int(
            getattr(self._final_estimator, "_min_history", lambda: 1)()
        )

    def _min_predict_history(self) -> int:
        self._validate_steps()
        return self._dropped_rows() + int(
            getattr(self._final_estimator, "_min_predict_history", lambda: 1)()
        )

    def _dropped_rows(self) -> int:
        total = 0
        for _, t in self._transformers():
            counter = getattr(t, "_n_dropped_rows", None)
            if callable(counter):
                total += int(counter())
        return total

    # ------------------------------------------------------------------ hooks
    @staticmethod
    def _as_2d(values: Any, name: str, k: int) -> np.ndarray:
        arr = np.asarray(values, dtype=np.float64)
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1)
        if arr.ndim != 2 or arr.shape[1] != k:
            raise ValueError(
                f"Step {name!r} must return an array of shape (n, {k}); got "
                f"shape {arr.shape}."
            )
        return np.ascontiguousarray(arr)

    def _transform_history(
        self, y: np.ndarray, fit: bool
    ) -> tuple[np.ndarray, list[np.ndarray | None]]:
        """Run ``y`` through the transformers; keep inputs needed to invert."""
        z = y
        k = y.shape[1]
        inputs: list[np.ndarray | None] = []
        for name, t in self._transformers():
            if _is_passthrough(t):
                inputs.append(None)
                continue
            out = t.fit_transform(z) if fit else t.transform(z)
            out = self._as_2d(out, name, k)
            if out.shape[0] > z.shape[0]:
                raise ValueError(
                    f"Step {name!r} returned more rows ({out.shape[0]}) than it "
                    f"was given ({z.shape[0]})."
                )
            inputs.append(z if hasattr(t, "inverse_transform_forecast") else None)
            z = out
        return z, inputs

    def _fit(self, y: np.ndarray, X: np.ndarray | None = None) -> None:
        self._validate_steps()
        z, inputs = self._transform_history(y, fit=True)
        self._step_inputs_ = inputs
        X_z = None if X is None else X[X.shape[0] - z.shape[0] :]
        self._final_estimator.fit(z, X_z)

    def _predict(
        self,
        h: int,
        X: np.ndarray | None = None,
        y_hist: np.ndarray | None = None,
        X_hist: np.ndarray | None = None,
        y_info: SeriesInfo | None = None,
        request: ForecastRequest | None = None,
    ) -> np.ndarray:
        final = self._final_estimator
        k = self.n_targets_
        if y_hist is None:
            inputs = self._step_inputs_
            pred = final.predict(h, X=X)
        else:
            z, inputs = self._transform_history(y_hist, fit=False)
            X_in = None
            if X is not None:
                X_in = np.vstack([X_hist[X_hist.shape[0] - z.shape[0] :], X])
            pred = final.predict(h, X=X_in, y=z)
        pred = self._as_2d(pred, self.steps[-1][0], k)
        for (name, t), hist in zip(
            reversed(self._transformers()), reversed(inputs), strict=True
        ):
            if _is_passthrough(t):
                continue
            if hasattr(t, "inverse_transform_forecast"):
                pred = t.inverse_transform_forecast(pred, hist)
            else:
                pred = t.inverse_transform(pred)
            pred = self._as_2d(pred, name, k)
        return pred
