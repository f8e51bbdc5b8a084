"""The public neural forecasters: RNNForecaster, GRUForecaster, LSTMForecaster.

See :mod:`rnnforecast.forecasting.neural` for the model they fit.
"""

from __future__ import annotations

from typing import Any

from rnnforecast.forecasting.neural._docs import _CLASS_DOC, _DEFAULTS, _auto_doc
from rnnforecast.forecasting.neural._recurrent import _RecurrentForecaster
from rnnforecast.nn.docs import fill_doc
from rnnforecast.nn.model import NONLINEARITY_CONSTRAINT

__all__ = ["GRUForecaster", "LSTMForecaster", "RNNForecaster"]


@_auto_doc
@fill_doc(**_DEFAULTS)
class RNNForecaster(_RecurrentForecaster):
    __doc__ = _CLASS_DOC.format(
        cell="Elman RNN", torch="``torch.nn.RNN``", name="RNNForecaster",
        extra="{nonlinearity}\n    ", see_also="GRUForecaster, LSTMForecaster")

    _cell = "rnn"
    _parameter_constraints: dict = {
        **_RecurrentForecaster._parameter_constraints,
        **NONLINEARITY_CONSTRAINT,
    }

    def __init__(
        self,
        *,
        window_length: int | str = "auto",
        patch_length: int | str = "auto",
        strategy: str = "auto",
        horizon: int | str | None = "auto",
        seasonal_period: int | str | None = "auto",
        scaler: str | None = "auto",
        series_id: str | None = None,
        calendar_features: Any = None,
        past_covariates: Any = None,
        hidden_size: int | str = "auto",
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bidirectional: bool = False,
        dropout: float = 0.0,
        head_dropout: float = 0.0,
        loss: str = "auto",
        quantiles: Any = None,
        solver: str = "adam",
        learning_rate_init: float | str = "auto",
        learning_rate: str = "auto",
        batch_size: int | str = "auto",
        max_iter: int | str = "auto",
        windows_per_epoch: int | str | None = "auto",
        n_estimators: int | str = "auto",
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        clip_grad_norm: float | None = 1.0,
        conformal_windows: int = 50,
        dtype: str = "float32",
        n_jobs: int | None = None,
        warm_start: bool = False,
        random_state: Any = None,
        verbose: int | None = None,
    ):
        super().__init__(
            window_length=window_length, patch_length=patch_length, strategy=strategy,
            horizon=horizon, seasonal_period=seasonal_period, scaler=scaler,
            series_id=series_id, calendar_features=calendar_features,
            past_covariates=past_covariates, hidden_size=hidden_size, num_layers=num_layers, bidirectional=bidirectional,
            dropout=dropout, head_dropout=head_dropout, loss=loss, quantiles=quantiles,
            solver=solver, learning_rate_init=learning_rate_init, learning_rate=learning_rate,
            batch_size=batch_size,
            max_iter=max_iter, windows_per_epoch=windows_per_epoch, n_estimators=n_estimators,
            early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, tol=tol, clip_grad_norm=clip_grad_norm,
            conformal_windows=conformal_windows,
            dtype=dtype, n_jobs=n_jobs, warm_start=warm_start, random_state=random_state,
            verbose=verbose)
        self.nonlinearity = nonlinearity


@_auto_doc
@fill_doc(**_DEFAULTS)
class GRUForecaster(_RecurrentForecaster):
    __doc__ = _CLASS_DOC.format(
        cell="GRU", torch="``torch.nn.GRU``", name="GRUForecaster", extra="",
        see_also="RNNForecaster, LSTMForecaster")

    _cell = "gru"


@_auto_doc
@fill_doc(**_DEFAULTS)
class LSTMForecaster(_RecurrentForecaster):
    __doc__ = _CLASS_DOC.format(
        cell="LSTM", torch="``torch.nn.LSTM``", name="LSTMForecaster", extra="",
        see_also="RNNForecaster, GRUForecaster, rnnforecast.estimators.LSTMRegressor")

    _cell = "lstm"
