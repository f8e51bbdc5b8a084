"""Docstring pieces of the neural forecasters: the class template and the defaults."""

from __future__ import annotations

__all__ = ["_CLASS_DOC", "_DEFAULTS", "_auto_doc"]

_DEFAULTS = dict(hidden_size='"auto"', learning_rate_init='"auto"', max_iter='"auto"',
                 clip_grad_norm="1.0")


def _auto_doc(cls: type) -> type:
    """The shared training docs, with batch_size's "auto" default."""
    cls.__doc__ = cls.__doc__.replace(
        "batch_size : int, default=32", 'batch_size : int or "auto", default="auto"')
    return cls


_CLASS_DOC = """Recurrent-network forecaster: {cell} ({torch}).

    The scaled series (and regressors) are cut into windows of
    ``window_length`` steps; the network reads a window and a linear head
    predicts the next value(s) (see :mod:`rnnforecast.forecasting.neural` for
    the exact layout).  ``fit(y, X=None)``, ``predict(h, X=None, y=None)``
    and ``score`` follow :class:`~rnnforecast.forecasting.BaseForecaster`;
    multivariate ``y`` (one output per series) and exogenous regressors
    ``X`` (their future values are needed at predict) are supported.

    Every parameter documented with ``default="auto"`` is chosen at ``fit``
    from the data (see :mod:`rnnforecast.forecasting.neural`, "Automatic
    configuration"); the chosen values are the fitted attributes
    ``window_length_``, ``horizon_``... and ``auto_reasons_`` says why.

    Parameters
    ----------
    window_length : int or "auto", default="auto"
        Number of past time steps the network reads.  "auto": from the
        seasonal period, the horizon and the series length; the members of
        the ensemble use several input lengths.
    patch_length : int or "auto", default="auto"
        Time steps read as one network step (``window_length`` must be a
        multiple): a window of 168 hourly values with ``patch_length=24`` is
        7 network steps of 24 values, 24 times cheaper to train.
    strategy : {{{{"recursive", "direct", "auto"}}}}, default="auto"
        ``"recursive"``: one-step network, forecasts fed back (any ``h``).
        ``"direct"``: one network predicts the ``horizon`` steps at once.
        "auto": direct, or recursive with future-known covariates.
    horizon : int, None or "auto", default="auto"
        Steps the direct strategy is trained for (required for
        ``"direct"``; unused by ``"recursive"``).  An explicit horizon is
        the largest ``h`` of ``predict``; with "auto" (the M4 horizon of the
        period) a longer ``h`` rolls the block forward.
    seasonal_period : int, None or "auto", default="auto"
        Direct strategy only: the network predicts the deviation from the
        seasonal naive forecast with this period (for 4, 12 and 52, the
        yearly cycles, from the last season's mean plus the seasonal profile
        averaged over the input's last three whole seasons, or as many as it
        holds); also the number of last
        values whose mean is a window's level for the window scalers.
        "auto": the inferred period, when the data are seasonal.
    scaler : {{{{"standard", "robust", "mean_abs", "window", "window_log", "auto"}}}} \
or None, default="auto"
        "auto": ``"window_log"`` for positive series with the direct
        strategy, else ``"standard"``.  Scaling of each series (and, pooled,
        of the regressors), inverted on
        the forecasts: mean/std, median/IQR, mean absolute value, or, for the
        direct strategy and positive series, per window: divided by the
        window's level, then ``x/level - 1`` (``"window"``) or
        ``log(x/level)`` (``"window_log"``), the standardised log level
        being an extra input.
    series_id : {{{{"onehot"}}}} or None, default=None
        Collections only: add a one-hot series identity to the inputs (a
        learned per-series offset of the first layer; zeros for new series).
    calendar_features : list of str or None, default=None
        sin/cos of ``"hour"``, ``"dayofweek"``, ``"dayofmonth"``,
        ``"month"``, ``"dayofyear"`` at the time being forecast (needs a
        DatetimeIndex/PeriodIndex or datetime ``ds``).
    past_covariates : list of str or int, or None, default=None
        Columns of ``X`` (names or positions; covariate columns of a long
        DataFrame) known only up to the present: inputs and auxiliary
        targets, never needed over the horizon.  The other columns are
        future-known.
    {{network}}
    {extra}{{head_dropout}}
    loss : {{{{"mse", "mae", "huber", "pinball", "auto"}}}}, default="auto"
        "auto": MAE, or pinball when ``quantiles`` is set.  Training loss on
        the scaled series (Huber with ``delta=1``;
        ``"pinball"``: a quantile head, one output per level of
        ``quantiles``, the 0.5 quantile being the point forecast).
    quantiles : sequence of float or None, default=None
        Levels of the pinball head (default ``(0.05, 0.5, 0.95)``; must
        include 0.5); only with ``loss="pinball"``.
    learning_rate : {{{{"constant", "cosine", "auto"}}}}, default="auto"
        Step-size schedule: constant ``learning_rate_init``, or a cosine
        decay from it to 5 % of it over ``max_iter`` epochs ("auto": cosine).
    windows_per_epoch : int, None or "auto", default="auto"
        Windows visited per epoch (a fresh random subset each epoch); None:
        all of them.
    n_estimators : int or "auto", default="auto"
        Networks of the ensemble (1: a single network), differing in seed
        (spawned from ``random_state``; None draws one seed at fit) and, with
        ``window_length="auto"``, in input length; the forecast is their
        median.  They are trained through joblib: ``n_jobs`` members at once
        (each on one kernel thread), or the active backend's workers (e.g.
        ``joblib.parallel_backend("dask")``) with ``n_jobs=None``; the result
        is the same for any backend and ``n_jobs``.
    conformal_windows : int, default=50
        Forecast origins of the rolling calibration window of the conformal
        intervals (:meth:`predict_interval`, :meth:`predict_quantiles`).
    {{training}}

    Attributes
    ----------
    {{fitted}}
    window_length_, patch_length_, strategy_, horizon_, seasonal_period_ : int or str
        The values used (``horizon_`` is None for the recursive strategy,
        ``seasonal_period_`` 1 without a season).
    member_window_lengths_ : tuple of int
        Input length of each ensemble member (cycled).
    scaler_kind_ : str or None
        The scaler used.
    n_estimators_ : int
        Networks in the ensemble (0 with a fallback).
    estimators_ : list of forecasters or None
        The fitted members (single networks with every parameter explicit;
        empty with a fallback); None when the forecaster is one network
        itself (every parameter explicit and ``n_estimators=1``), whose
        weights are then ``params_``/``network_`` here.
    fallback_ : str or None
        Why no network was trained (series too short or constant); the
        forecasts are then seasonal naive (``NaiveForecaster``).
    auto_reasons_ : tuple of str
        One line per automatic choice.
    series_scales_ : dict
        One network: series id (0 for a single series) -> ``(center, scale)``,
        float64 arrays of shape (n_channels,) (the columns of a single series;
        (0, 1) with the window scalers and ``scaler=None``); reused when
        forecasting from a new history and by warm starts.
    covariate_scales_ : tuple of ndarray or None
        One network: pooled ``(center, scale)`` of the covariate columns
        (None without covariates).
    series_ids_ : list
        Collection fits: the series ids (``unique_id`` values, or positions
        for a list).
    n_series_ : int
        Collection fits: the number of series.
    n_windows_ : int
        Collection fits: the number of training windows over all series.
    conformal_scores_ : ndarray
        Calibration scores of the conformal intervals, once computed.
    n_targets_, n_exog_, cutoff_, freq_, n_timesteps_
        See :class:`~rnnforecast.forecasting.BaseForecaster` (for a
        collection: ``n_timesteps_`` is the total number of observations,
        ``cutoff_`` is None and ``n_exog_`` counts the future-known
        covariates).

    Notes
    -----
    Minimum history with an explicit ``window_length``: ``window_length + 1``
    observations (``window_length + horizon`` for ``"direct"``) to fit,
    ``window_length`` to forecast from a new history; with "auto", shorter
    series fall back to seasonal naive.  The weights of a single network
    are available in PyTorch layout with :meth:`get_state_dict` (on the
    scaled series).

    See Also
    --------
    {see_also}

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.forecasting.neural import {name}
    >>> y = 10 + np.sin(np.arange(120) * 2 * np.pi / 12)
    >>> f = {name}(hidden_size=4, max_iter=5, n_jobs=1, random_state=0).fit(y)
    >>> f.predict(30).shape  # beyond the trained horizon_: rolled forward
    (30,)
    >>> f.seasonal_period_, f.horizon_, f.n_estimators_ == len(f.estimators_), f.fallback_
    (12, 18, True, None)
    """
