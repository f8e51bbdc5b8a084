"""Recurrent neural forecasters: RNNForecaster, GRUForecaster, LSTMForecaster.

Automatic configuration (the defaults)
--------------------------------------
The parameters that shape the model default to ``"auto"``: at ``fit`` the
seasonal period is inferred (index frequency and an M4-style seasonality
test), :mod:`rnnforecast.forecasting.auto_config` chooses the input length,
patching, direct horizon, scaling, seasonal residual, loss, learning rate,
network size, epochs and ensemble size, and a value set by the user always
wins.  The forecaster is then a median ensemble of ``n_estimators_`` single
networks (``estimators_``) differing in seed and input length, trained in
parallel through joblib; ``predict(h)`` beyond the trained ``horizon_``
rolls the direct block forward.  Series too short to learn from (or
constant) are forecast by seasonal naive and say so in ``fallback_``.  See
:mod:`rnnforecast.forecasting.neural.ensemble`.  With every parameter explicit
and ``n_estimators=1`` the forecaster is one network, fitted as described
below (``PRE_AUTO_DEFAULTS`` in that module reproduces the former
defaults exactly).  ``predict`` and the intervals use the parameters of the
fit (``set_params`` after ``fit`` changes nothing until the next fit).

How a series becomes training data
----------------------------------
The target (and the exogenous regressors) are scaled (``scaler``), then cut
into windows: a window ending at time ``t`` is the sequence of the
``window_length`` rows ``s = t - window_length + 1 ... t``; row ``s`` holds
the scaled target(s) ``y[s]`` followed by the scaled regressors
``X[s + lead]``, and the training target is ``y[t + 1 ... t + steps]``.

* ``strategy="recursive"`` (``steps = lead = 1``): the network predicts one
  step; forecasts are fed back as inputs for the next steps, so any ``h``
  works.  Row ``s`` carries the regressors of the next time step, so the
  last row of a window holds ``X`` at the time being forecast.
* ``strategy="direct"`` (``steps = lead = horizon``): one multi-output network
  predicts all ``horizon`` steps at once from the last observed window; the
  regressors are led by ``horizon`` steps, so the window holds the future
  regressors up to the last forecast step (all of them when
  ``window_length >= horizon``).  ``h <= horizon``; with regressors,
  ``h == horizon`` (the network reads ``X`` up to ``t + horizon``).

No input of a window depends on a target after ``t`` (no leakage).  With
``early_stopping=True`` the *last* ``validation_fraction`` of the windows are
held out (chronological split), after a gap of ``steps - 1`` windows so that
no validation target is a training target.

Many series (global models)
---------------------------
``fit`` also accepts a collection of series: a list of 1-D arrays/Series or
a long DataFrame with columns ``unique_id``, ``ds``, ``y`` (other columns are
covariates).  One network is trained on windows drawn from every series
(series of unequal length; a series shorter than ``window_length + steps``
contributes no window but can still be forecast if it has
``window_length`` observations).  Each series is scaled with its own
centre and scale (``scaler``); covariates are scaled with one pooled
centre/scale per column.  Windows are built per mini-batch from per-series
feature rows, never materialised for the whole panel;
``windows_per_epoch`` caps the windows visited per epoch (a fresh random
subset each epoch).  Optional inputs: ``series_id="onehot"`` (a one-hot
series identity, i.e. a learned per-series offset of the first layer's gate
pre-activations; unseen series get zeros) and ``calendar_features``
(sin/cos of hour, day of week... at the time being forecast).
``predict(h)`` forecasts every training series in the input format;
``predict(h, y=new_collection)`` forecasts other series (seen ids keep their
training scale, new ids are scaled by their own history).

Covariates
----------
``X`` columns (or the covariate columns of a long DataFrame) are
future-known by default: their values over the forecast horizon are needed
at ``predict``.  Columns named in ``past_covariates`` are only known up to
the present: they are inputs of the window *and* extra outputs of the
network (auxiliary targets), so the recursive strategy feeds back their
forecasts and the direct strategy never needs their future.  ``predict``
then needs only the future-known columns (``X=None`` when there are none).

Scaling
-------
``scaler="standard"`` (default) standardises every target series with its
training mean and standard deviation, ``"robust"`` with its median and
interquartile range (a constant series by ``min(1, |level|)``),
``"mean_abs"`` divides by the mean absolute value (no centring), ``None``
uses the raw values (only for series already of unit scale).  The exogenous
regressors are scaled the same way (pooled over the series of a
collection), except that ``"mean_abs"`` and the window scalers standardise
them.  Forecasts are mapped back to the
original scale.  The scalers are fitted at ``fit`` and reused when
forecasting from a new history (``predict(h, y=...)``) and by warm starts.

The package: :mod:`.forecasters` (the public classes), :mod:`._recurrent`
(their shared implementation and hooks), :mod:`._network` (fit and
forecast of one network: one path, a single series being a collection of
one), :mod:`.checks`
(cross-parameter checks), :mod:`.features` (scaling, calendar),
:mod:`.windows` (window sampler and transforms), :mod:`.intervals`
(quantiles and conformal intervals), :mod:`.ensemble` (automatic
configuration, median ensembles, fallback).
"""

from rnnforecast.forecasting.neural.forecasters import (
    GRUForecaster,
    LSTMForecaster,
    RNNForecaster,
)

__all__ = ["GRUForecaster", "LSTMForecaster", "RNNForecaster"]
