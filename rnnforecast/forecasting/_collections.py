"""Collections of series (a list, or a long DataFrame) in :class:`BaseForecaster`.

:class:`CollectionMixin` holds the plumbing of ``fit``/``predict`` on a
collection: the checks of the collection and of its covariates, the training
attributes, and the forecasts of the ``_predict_panel`` hook.  A forecaster
opts in with ``_supports_panel = True`` and implements the two hooks
``_fit_panel(panel)`` and ``_predict_panel(h, panel, X_future)`` (one ``(h,)``
forecast per series).

Examples
--------
>>> from rnnforecast.forecasting.base import BaseForecaster
>>> from rnnforecast.forecasting._collections import CollectionMixin
>>> issubclass(BaseForecaster, CollectionMixin)
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rnnforecast.utils.fitting import restore_on_error
from rnnforecast.utils.panel import (
    Panel,
    check_long_future_exog,
    check_panel,
    check_panel_exog,
    is_panel,
)

__all__ = ["CollectionMixin"]


class CollectionMixin:
    """``fit``/``predict`` on a collection of series, for :class:`BaseForecaster`."""

    # ------------------------------------------------------------------ hooks
    def _fit_panel(self, panel: Panel) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement _fit_panel.")

    def _predict_panel(self, h: int, panel: Panel, X_future: list | None) -> list:
        raise NotImplementedError(f"{type(self).__name__} must implement _predict_panel.")

    def _fit_panel_checked(self, y: Any, X: Any) -> Any:
        """``fit`` on a collection of series (list or long DataFrame)."""
        name = type(self).__name__
        if not self._supports_panel:
            raise TypeError(
                f"{name} forecasts one series at a time; got a collection of series "
                f"({type(y).__name__}). Wrap it in LocalForecaster({name}(...)) to fit "
                "one model per series (in parallel), or use a global neural forecaster "
                "(LSTMForecaster, GRUForecaster, RNNForecaster)."
            )
        panel = check_panel(y, X, name="y")
        if panel.exog is not None and not self._supports_exog:
            raise ValueError(
                f"{name} does not use exogenous regressors; got covariates "
                f"{panel.exog_columns or ''} with y. Pass y without them."
            )
        with restore_on_error(self):
            self._panel_ = panel
            self._y_info_ = panel.infos[0]
            self._y_fit_ = None
            self._X_fit_ = None
            self._X_columns_ = panel.exog_columns
            self.n_series_ = panel.n_series
            self.n_targets_ = 1
            self.n_exog_ = panel.n_exog
            self.n_timesteps_ = int(panel.lengths.sum())
            self.cutoff_ = None
            self.freq_ = panel.infos[0].freq
            self._fit_panel(panel)
        return self

    def _panel_predict_inputs(self, h: int, X: Any, y: Any) -> tuple[Panel, list | None]:
        """The panel to forecast from (training or new) and its future covariates."""
        train = self._panel_
        if y is None:
            panel = train
        else:
            if not is_panel(y):
                raise TypeError(
                    f"{type(self).__name__} was fitted on a collection of series; y must "
                    f"be one too (a list of series or a long DataFrame); got "
                    f"{type(y).__name__}."
                )
            X_hist = None
            if train.kind == "list" and X is not None and isinstance(X, (list, tuple)):
                # list format: X covers each new history followed by the future
                X_hist = X
            panel = check_panel(y, name="y")
            if panel.kind != train.kind:
                raise TypeError(
                    f"y must be in the format seen at fit ({train.kind}); got {panel.kind}."
                )
            if train.kind == "long" and panel.exog_columns != train.exog_columns:
                raise ValueError(
                    f"y must have the covariate columns seen at fit "
                    f"{train.exog_columns or []}; got {panel.exog_columns or []}."
                )
            if train.kind == "list" and self.n_exog_:
                if X_hist is None:
                    raise ValueError(
                        f"X is required: {type(self).__name__} was fitted with "
                        f"{self.n_exog_} covariate(s); with a new y, pass a list with, per "
                        "series, its history rows followed by the h future rows."
                    )
                full, _ = check_panel_exog(
                    [np.asarray(x)[: info.n_timesteps] if not hasattr(x, "iloc")
                     else x.iloc[: info.n_timesteps] for x, info in zip(X_hist, panel.infos)],
                    panel.infos, name="X", n_columns=self.n_exog_)
                panel.exog = full
                X = [np.asarray(x)[info.n_timesteps:] if not hasattr(x, "iloc")
                     else x.iloc[info.n_timesteps:] for x, info in zip(X_hist, panel.infos)]
            self._check_panel_kind(panel)
        future_cols = self._future_covariate_names()
        if not self.n_exog_:
            if X is not None:
                raise ValueError(
                    f"X was given but {type(self).__name__} needs no future covariates "
                    "(it was fitted without covariates, or with past-only ones)."
                )
            return panel, None
        if X is None:
            raise ValueError(
                f"X is required: {type(self).__name__} was fitted with covariates "
                f"{train.exog_columns or self.n_exog_}; pass their values for the next "
                f"h={h} periods of every series."
            )
        if train.kind == "long":
            return panel, check_long_future_exog(X, panel.ids, panel.infos, h,
                                                 future_cols, name="X")
        fut, _ = check_panel_exog(X, panel.infos, name="X", future=True, h=h,
                                  n_columns=self.n_exog_)
        return panel, fut

    def _future_covariate_names(self) -> list:
        """Covariates whose future values ``predict`` needs (default: all of them)."""
        return list(self._panel_.exog_columns or [])

    def _check_panel_kind(self, panel: Panel) -> None:
        train = self._panel_
        a, b = train.infos[0], panel.infos[0]
        if (a.is_pandas, a.index_kind) != (b.is_pandas, b.index_kind):
            raise TypeError(
                f"y must hold series of the kind seen at fit ({a.describe()}); got "
                f"{b.describe()}."
            )
        if a.freq is not None and b.freq is not None and str(a.freq) != str(b.freq):
            raise ValueError(f"y must have the frequency seen at fit ({a.freq}); got {b.freq}.")
        need = int(self._min_predict_history())
        short = [(uid, len(v)) for uid, v in zip(panel.ids, panel.values) if len(v) < need]
        if short:
            raise ValueError(
                f"{len(short)} series of y are too short to forecast from: "
                f"{self._describe()} needs at least {need} observations; e.g. series "
                f"{short[0][0]!r} has {short[0][1]}."
            )

    def _checked_panel_forecasts(self, h: int, panel: Panel, X_future: list | None) -> list:
        out = self._predict_panel(h, panel, X_future)
        if len(out) != panel.n_series:
            raise RuntimeError(
                f"{type(self).__name__}._predict_panel returned {len(out)} forecasts for "
                f"{panel.n_series} series."
            )
        return [np.asarray(o, dtype=np.float64).reshape(h) for o in out]
