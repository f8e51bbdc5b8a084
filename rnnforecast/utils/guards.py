"""The output guard and the horizon bound shared by every forecaster and estimator.

Nothing a model returns goes out unchecked:

* :func:`check_finite_output` raises a ``ValueError`` naming the model, how
  many values are NaN/inf and what to try, instead of returning them.
* :func:`guard_forecast_method` wraps a public forecasting method
  (``predict``, ``predict_interval``, ``predict_quantiles``): it bounds the
  horizon ``h`` (:func:`check_horizon_limit`) and checks the output.
  :class:`~rnnforecast.forecasting.base.BaseForecaster` applies it to these
  methods of every subclass, so a new forecaster is covered without doing
  anything.
* :func:`horizon_limit` is the switch for long horizons.  ``predict(h)``
  refuses ``h > max(10 * n, 10_000)`` (``n`` observations at fit): a
  recursive forecast costs work proportional to ``h`` and ``predict(10**7)``
  would run for minutes.  A context manager, like
  :func:`sklearn.config_context`, rather than a parameter, so that it
  applies to every forecaster (and to what calls them, such as
  ``backtest`` or a pipeline) without changing any signature.

Examples
--------
>>> import numpy as np
>>> from rnnforecast.utils.guards import check_finite_output, horizon_limit
>>> check_finite_output(np.array([1.0, 2.0]), who="MyForecaster")
>>> check_finite_output(np.array([1.0, np.nan]), who="MyForecaster", advice="refit it")
Traceback (most recent call last):
    ...
ValueError: MyForecaster produced non-finite forecasts (1 of 2 values are NaN or inf); the fitted model is unusable: refit it.
>>> with horizon_limit(None):  # no bound on h inside the block
...     pass
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from numbers import Integral
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_ADVICE",
    "DEFAULT_MIN_HORIZON_LIMIT",
    "HORIZON_HISTORY_FACTOR",
    "check_finite_output",
    "check_horizon_limit",
    "check_plausible_output",
    "get_horizon_limit",
    "guard_forecast_method",
    "horizon_limit",
]

#: ``h`` may be up to this many times the number of observations seen at fit...
HORIZON_HISTORY_FACTOR = 10
#: ... and always at least this large.
DEFAULT_MIN_HORIZON_LIMIT = 10_000

#: What to try when a forecaster's outputs are not finite (its ``_nonfinite_advice``).
DEFAULT_ADVICE = ("check the inputs (values near the float64 limit overflow: rescale them) "
                  "and the model's parameters, then refit")

# "default": the rule above; None: unbounded; an int: that limit.
_LIMIT: contextvars.ContextVar = contextvars.ContextVar("rnnforecast_horizon_limit",
                                                        default="default")

_GUARDED = "__rnnforecast_guarded__"


def get_horizon_limit() -> int | str | None:
    """The horizon limit in force: ``"default"`` (outside any block), an int or None.

    Code that forecasts in other threads or processes (joblib workers do not
    inherit it) passes it on: ``with horizon_limit(value):`` in the worker.

    Examples
    --------
    >>> from rnnforecast.utils.guards import get_horizon_limit, horizon_limit
    >>> get_horizon_limit()
    'default'
    >>> with horizon_limit(None):
    ...     print(get_horizon_limit())
    None
    """
    return _LIMIT.get()


@contextlib.contextmanager
def horizon_limit(limit: int | str | None) -> Iterator[None]:
    """Change the largest horizon ``h`` forecasters accept, inside a ``with`` block.

    Parameters
    ----------
    limit : int >= 1, None or "default"
        The largest ``h`` accepted by ``predict``, ``predict_interval`` and
        ``predict_quantiles`` of every forecaster in the block; None removes
        the bound; ``"default"`` is the rule in force outside any block:
        ``max(10 * n_timesteps_, 10_000)``.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast import NaiveForecaster
    >>> from rnnforecast.utils.guards import horizon_limit
    >>> f = NaiveForecaster().fit(np.arange(5.0))
    >>> f.predict(20_000)
    Traceback (most recent call last):
        ...
    ValueError: h=20000 is more than 10000 steps ahead (max(10 * 5 observations at fit, 10000)) for NaiveForecaster(); such a forecast costs work proportional to h. If you mean it, call it inside `with rnnforecast.utils.guards.horizon_limit(None):` (or pass a larger limit).
    >>> with horizon_limit(None):
    ...     f.predict(20_000).shape
    (20000,)
    """
    if limit is not None and limit != "default" and (
            isinstance(limit, bool) or not isinstance(limit, Integral) or limit < 1):
        raise ValueError(f"limit must be an int >= 1, None or 'default'; got {limit!r}.")
    token = _LIMIT.set(limit if limit is None or limit == "default" else int(limit))
    try:
        yield
    finally:
        _LIMIT.reset(token)


def check_horizon_limit(h: Any, n_history: int, who: Any) -> None:
    """Raise ``ValueError`` when ``h`` exceeds the horizon limit (see :func:`horizon_limit`).

    Anything but an int ``h`` is left to the method's own validation.

    Parameters
    ----------
    h : object
        The requested horizon.
    n_history : int
        Observations seen at fit.
    who : str or object
        The model, for the message (an object is described by its repr, only
        when the limit is exceeded).

    Raises
    ------
    ValueError
        If ``h`` is an int above the limit.

    Examples
    --------
    >>> from rnnforecast.utils.guards import check_horizon_limit
    >>> check_horizon_limit(10_000, n_history=50, who="M")  # max(500, 10000)
    >>> check_horizon_limit(10_001, n_history=50, who="M")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    ValueError: h=10001 is more than 10000 steps ahead (max(10 * 50 observations at fit, 10000)) for M; ...
    """
    if isinstance(h, bool) or not isinstance(h, Integral):
        return
    limit = _LIMIT.get()
    if limit is None:
        return
    if limit == "default":
        limit = max(HORIZON_HISTORY_FACTOR * int(n_history), DEFAULT_MIN_HORIZON_LIMIT)
        rule = (f" (max({HORIZON_HISTORY_FACTOR} * {n_history} observations at fit, "
                f"{DEFAULT_MIN_HORIZON_LIMIT}))")
    else:
        rule = " (set by horizon_limit)"
    if int(h) > limit:
        if not isinstance(who, str):
            who = " ".join(repr(who).split())
        raise ValueError(
            f"h={int(h)} is more than {limit} steps ahead{rule} for {who}; such a forecast "
            "costs work proportional to h. If you mean it, call it inside `with "
            "rnnforecast.utils.guards.horizon_limit(None):` (or pass a larger limit)."
        )


def _float_blocks(values: Any) -> Iterator[np.ndarray]:
    """The floating-point arrays inside an output (array, pandas object or list of them)."""
    if isinstance(values, (list, tuple)):
        for v in values:
            yield from _float_blocks(v)
    elif isinstance(values, pd.DataFrame):
        for _, col in values.items():
            yield from _float_blocks(col)
    elif isinstance(values, pd.Series):
        if pd.api.types.is_float_dtype(values.dtype):  # nullable Float64 too: NA -> NaN
            yield values.to_numpy(dtype=np.float64, na_value=np.nan)
        elif pd.api.types.is_complex_dtype(values.dtype):
            yield values.to_numpy()
    elif isinstance(values, (np.ndarray, np.generic, float)):
        arr = np.asarray(values)
        if arr.dtype.kind in "fc":
            yield arr


def check_finite_output(values: Any, *, who: str, what: str = "forecasts",
                        advice: str = "check the inputs and refit") -> None:
    """Raise ``ValueError`` if ``values`` hold NaN or inf.

    Parameters
    ----------
    values : ndarray, Series, DataFrame or list of them
        A model's output; only floating-point arrays/columns are checked
        (labels, ids and time stamps are not values).
    who : str
        The model (class name or repr), first word of the message.
    what : str, default="forecasts"
        What the values are ("forecasts", "prediction intervals"...).
    advice : str
        What to try, appended to the message.

    Raises
    ------
    ValueError
        "LSTMForecaster produced non-finite forecasts (3 of 24 values are NaN
        or inf); the fitted model is unusable: <advice>."
    """
    bad = total = 0
    for arr in _float_blocks(values):
        total += arr.size
        bad += int(arr.size - np.count_nonzero(np.isfinite(arr)))
    if bad:
        raise ValueError(
            f"{who} produced non-finite {what} ({bad} of {total} values are NaN or inf); "
            f"the fitted model is unusable: {advice}."
        )


def check_plausible_output(raw: np.ndarray, bound: float | None, *, factor: float,
                           who: str, advice: str) -> None:
    """Raise ``ValueError`` for non-finite values or values beyond ``factor * max(bound, 1)``.

    For a network's outputs on the scale it was trained on: ``bound`` is the
    largest absolute training target (None: only finiteness is checked, e.g.
    class logits).  A corrupted weight (1e30) gives outputs far beyond it.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.utils.guards import check_plausible_output
    >>> check_plausible_output(np.array([0.5, -2.0]), 2.5, factor=1e3, who="M", advice="refit")
    >>> check_plausible_output(np.array([7e29]), 2.5, factor=1e3, who="M", advice="refit")
    Traceback (most recent call last):
        ...
    ValueError: M produced implausible outputs: 1 of 1 lie beyond 2.5e+03 on the scale the network was trained on, where the training targets stayed within 2.5; the fitted model is unusable: refit.
    """
    check_finite_output(raw, who=who, what="network outputs", advice=advice)
    if bound is None or raw.size == 0:
        return
    limit = factor * max(bound, 1.0)
    far = int(np.count_nonzero(np.abs(raw) > limit))
    if far:
        raise ValueError(
            f"{who} produced implausible outputs: {far} of {raw.size} lie beyond "
            f"{limit:.3g} on the scale the network was trained on, where the training "
            f"targets stayed within {bound:.3g}; the fitted model is unusable: {advice}."
        )


_WHAT = {"predict": "forecasts", "predict_interval": "prediction intervals",
         "predict_quantiles": "quantile forecasts"}


def guard_forecast_method(method: Callable) -> Callable:
    """Wrap a forecaster's public method: bound ``h``, check the output.

    The wrapped method's first argument after ``self`` is ``h``; the bound
    applies once the model is fitted (``n_timesteps_`` set).  The model's
    ``_nonfinite_advice`` attribute (a sentence), if any, says what to try.
    Wrapping twice is a no-op.
    :class:`~rnnforecast.forecasting.base.BaseForecaster` applies it to
    ``predict``, ``predict_interval`` and ``predict_quantiles`` of every
    subclass.

    Parameters
    ----------
    method : callable
        ``method(self, h, *args, **kwargs)`` returning an array, a pandas
        object or a list of them.

    Returns
    -------
    guarded : callable
        The wrapper (``functools.wraps`` of ``method``).

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.utils.guards import guard_forecast_method
    >>> class Model:
    ...     n_timesteps_ = 3
    ...     @guard_forecast_method
    ...     def predict(self, h):
    ...         return np.full(h, np.nan)
    >>> Model().predict(2)
    Traceback (most recent call last):
        ...
    ValueError: Model produced non-finite forecasts (2 of 2 values are NaN or inf); the fitted model is unusable: check the inputs (values near the float64 limit overflow: rescale them) and the model's parameters, then refit.
    """
    if getattr(method, _GUARDED, False):
        return method
    what = _WHAT.get(method.__name__, "forecasts")

    @functools.wraps(method)
    def guarded(self, h, *args, **kwargs):
        n = getattr(self, "n_timesteps_", None)
        if n is not None:
            check_horizon_limit(h, n, self)
        out = method(self, h, *args, **kwargs)
        check_finite_output(out, who=type(self).__name__, what=what,
                            advice=getattr(self, "_nonfinite_advice", DEFAULT_ADVICE))
        return out

    setattr(guarded, _GUARDED, True)
    return guarded

