"""Model selection for forecasters with scikit-learn's scorer names.

Why not scikit-learn's own string scorers
-----------------------------------------
``sklearn.model_selection.GridSearchCV(forecaster, grid, scoring="neg_mean_absolute_error",
cv=TimeSeriesSplit(...)).fit(y)`` cannot work: the series ``y`` plays the
role of scikit-learn's ``X``, so each fold calls ``scorer(estimator, y_test)``
without targets, and scikit-learn's string scorers need both
(``score_func(y_true, estimator.predict(X_test))``) -- every fold fails.
A forecaster's score is different in kind: forecast ``len(y_test)`` steps
after the end of the training block, then compare with ``y_test``. That is
what the scorers of :func:`rnnforecast.metrics.make_forecast_scorer` do.

This module maps the metric names a scikit-learn user already knows onto such
forecast scorers (:data:`FORECAST_SCORERS`, :func:`get_forecast_scorer`,
:func:`check_forecast_scoring`), and provides drop-in
:class:`GridSearchCV`, :class:`RandomizedSearchCV`, :func:`cross_validate`
and :func:`cross_val_score` that accept those names (a string, a list, or a
dict whose values are names or scorers). They are scikit-learn's own classes
and functions; the only difference is that ``scoring`` names are resolved here
first. With scikit-learn's classes, pass ``scoring=get_forecast_scorer(name)``
(or a dict of them) instead of the bare string.

Each fold fits on ``y[train]`` (and ``X[train]``) and scores the forecast of
``len(test)`` steps (with ``X[test]`` as future regressors), so the splitter
must make each test block follow its training block directly:
:class:`~sklearn.model_selection.TimeSeriesSplit` with ``gap=0``.  The
classes and functions here check that (:func:`check_forecast_cv`; a
``KFold``, scikit-learn's default for an int or None ``cv``, a shuffled
split or a gap is refused); scikit-learn's own cannot.

=============================================  ==========================================
name                                           value (larger is better)
=============================================  ==========================================
``neg_mean_absolute_error``                    ``-sklearn.metrics.mean_absolute_error``
``neg_mean_squared_error``                     ``-sklearn.metrics.mean_squared_error``
``neg_root_mean_squared_error``                ``-sklearn.metrics.root_mean_squared_error``
``neg_mean_absolute_percentage_error``         ``-sklearn.metrics.mean_absolute_percentage_error``
                                               (a fraction, as in scikit-learn)
``r2``                                         ``sklearn.metrics.r2_score``
``neg_mean_absolute_scaled_error``             ``-MASE`` with ``seasonal_period=1`` (use
                                               ``make_forecast_scorer("mase",
                                               seasonal_period=24)`` (say) for
                                               seasonal scaling)
``neg_symmetric_mean_absolute_percentage_error``  ``-sMAPE`` (M4, 0--200 scale)
=============================================  ==========================================

Several series (2-D ``y``) are scored column by column and averaged, as
scikit-learn's ``multioutput="uniform_average"`` does.

Examples
--------
>>> import numpy as np
>>> from sklearn.model_selection import TimeSeriesSplit
>>> from rnnforecast.baselines import NaiveForecaster
>>> from rnnforecast.model_selection import GridSearchCV
>>> y = np.sin(np.arange(96) * 2 * np.pi / 12) + np.arange(96) / 24
>>> search = GridSearchCV(NaiveForecaster(seasonal_period=12),
...                       {"strategy": ["last", "drift", "seasonal_last"]},
...                       scoring="neg_mean_absolute_error",
...                       cv=TimeSeriesSplit(n_splits=3, test_size=12)).fit(y)
>>> search.best_params_
{'strategy': 'seasonal_last'}
>>> round(float(search.best_score_), 3)  # -MAE: one year of trend (12 / 24)
-0.5
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable

import numpy as np
from sklearn import metrics as skm
from sklearn import model_selection as skms

from rnnforecast.metrics import make_forecast_scorer

__all__ = [
    "FORECAST_SCORERS",
    "GridSearchCV",
    "RandomizedSearchCV",
    "check_forecast_cv",
    "check_forecast_scoring",
    "cross_val_score",
    "cross_validate",
    "get_forecast_scorer",
]

FORECAST_SCORERS: dict[str, Callable[..., float]] = {
    "neg_mean_absolute_error": make_forecast_scorer(skm.mean_absolute_error),
    "neg_mean_squared_error": make_forecast_scorer(skm.mean_squared_error),
    "neg_root_mean_squared_error": make_forecast_scorer(skm.root_mean_squared_error),
    "neg_mean_absolute_percentage_error": make_forecast_scorer(skm.mean_absolute_percentage_error),
    "r2": make_forecast_scorer(skm.r2_score, greater_is_better=True),
    "neg_mean_absolute_scaled_error": make_forecast_scorer("mase", seasonal_period=1),
    "neg_symmetric_mean_absolute_percentage_error": make_forecast_scorer("smape"),
}
"""Forecast scorers by name: ``scorer(forecaster, y_test, X_test=None) -> float``."""


def get_forecast_scorer(name: str) -> Callable[..., float]:
    """The forecast scorer called ``name`` (see :data:`FORECAST_SCORERS`).

    Parameters
    ----------
    name : str
        A key of :data:`FORECAST_SCORERS`, e.g. ``"neg_mean_absolute_error"``.

    Returns
    -------
    callable
        ``scorer(forecaster, y_test, X_test=None) -> float``, usable as
        ``scoring=`` in scikit-learn's own search classes.

    Raises
    ------
    ValueError
        If ``name`` is unknown (the message lists the valid names).

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.baselines import NaiveForecaster
    >>> from rnnforecast.model_selection import get_forecast_scorer
    >>> scorer = get_forecast_scorer("neg_mean_absolute_error")
    >>> scorer(NaiveForecaster().fit(np.array([1.0, 2.0, 3.0])), np.array([4.0, 5.0]))
    -1.5
    """
    if not isinstance(name, str):
        raise TypeError(f"scoring name must be a str; got {type(name).__name__}")
    if name not in FORECAST_SCORERS:
        raise ValueError(f"scoring must be one of {sorted(FORECAST_SCORERS)} (names of forecast "
                         f"scorers), a callable scorer, a list or a dict of those; got {name!r}")
    return FORECAST_SCORERS[name]


def check_forecast_scoring(scoring: Any) -> Any:
    """Resolve scorer names in ``scoring``; everything else is passed through unchanged.

    Parameters
    ----------
    scoring : None, str, callable, list/tuple/set of str, or dict
        As scikit-learn's ``scoring`` parameter. Names are looked up in
        :data:`FORECAST_SCORERS`; a list becomes a dict keyed by the names;
        dict values may be names or callables.

    Returns
    -------
    None, callable or dict
        What scikit-learn's ``scoring`` accepts.

    Raises
    ------
    ValueError
        For an unknown name. TypeError for another kind of value.
    """
    if scoring is None or callable(scoring):
        return scoring
    if isinstance(scoring, str):
        return get_forecast_scorer(scoring)
    if isinstance(scoring, (list, tuple, set)):
        return {name: get_forecast_scorer(name) for name in scoring}
    if isinstance(scoring, Mapping):
        return {key: get_forecast_scorer(value) if isinstance(value, str) else value
                for key, value in scoring.items()}
    raise TypeError(f"scoring must be None, a str, a callable, a list or a dict; "
                    f"got {type(scoring).__name__}")


def check_forecast_cv(cv: Any, y: Any, X: Any = None) -> list[tuple[Any, Any]]:
    """The splits of ``cv`` on ``y``, refused unless each test block directly follows its training block.

    A forecaster forecasts the steps right after the end of its training
    data, so a split whose test block starts later (``TimeSeriesSplit`` with
    ``gap > 0``), earlier (``KFold``, scikit-learn's default for an int or
    None ``cv``) or is shuffled would score the forecasts against other time
    steps without a word.

    Parameters
    ----------
    cv : int, cross-validation generator, iterable or None
        As scikit-learn's ``cv``.
    y : array-like or pandas object
        The series that is split.
    X : array-like or DataFrame, default=None
        Exogenous regressors (handed to the splitter).

    Returns
    -------
    list of (ndarray, ndarray)
        The ``(train, test)`` position arrays, usable as ``cv``.

    Raises
    ------
    ValueError
        For a split whose training or test positions are not contiguous, or
        whose test block does not start right after its training block.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import KFold, TimeSeriesSplit
    >>> len(check_forecast_cv(TimeSeriesSplit(3, test_size=5), np.arange(40.0)))
    3
    >>> check_forecast_cv(KFold(2), np.arange(10.0))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: cv must make each test block start right after its training block ...
    """
    splits = list(skms.check_cv(cv).split(y, X))
    for i, (train, test) in enumerate(splits):
        train, test = np.asarray(train), np.asarray(test)
        if (train.size and test.size and np.all(np.diff(train) == 1) and np.all(np.diff(test) == 1)
                and test[0] == train[-1] + 1):
            continue
        raise ValueError(
            "cv must make each test block start right after its training block (both contiguous): "
            "a forecaster forecasts the steps after the end of its training data. "
            f"Split {i} of cv={cv!r} trains on {_span(train)} and tests on {_span(test)}. "
            "Use sklearn.model_selection.TimeSeriesSplit(n_splits=..., gap=0)."
        )
    return splits


def _span(a: np.ndarray) -> str:
    return f"{a.size} positions from {a.min()} to {a.max()}" if a.size else "no positions"


class _ForecastScoringMixin:
    """``fit(y, X=None)`` with scorer names resolved for the duration of the fit."""

    def fit(self, y: Any, X: Any = None, **params: Any):
        """Run the search on the series ``y`` (and exogenous regressors ``X``).

        Parameters
        ----------
        y : array-like or pandas object
            The series (scikit-learn's ``X``: it is what the splitter splits).
        X : array-like or DataFrame, default=None
            Exogenous regressors aligned with ``y``.
        **params
            Passed on to scikit-learn's ``fit``.

        Returns
        -------
        self
        """
        original, original_cv = self.scoring, self.cv
        self.scoring = check_forecast_scoring(original)
        self.cv = check_forecast_cv(original_cv, y, X)
        try:
            return super().fit(y, X, **params)
        finally:
            self.scoring, self.cv = original, original_cv


class GridSearchCV(_ForecastScoringMixin, skms.GridSearchCV):
    """:class:`sklearn.model_selection.GridSearchCV` accepting forecast scorer names.

    See the module docstring (:mod:`rnnforecast.model_selection`) for the
    names and the fold layout; parameters are scikit-learn's.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import TimeSeriesSplit
    >>> from rnnforecast.baselines import NaiveForecaster
    >>> from rnnforecast.model_selection import GridSearchCV
    >>> y = np.arange(40.0)
    >>> GridSearchCV(NaiveForecaster(), {"strategy": ["last", "drift"]}, cv=TimeSeriesSplit(3, test_size=5),
    ...              scoring="neg_root_mean_squared_error").fit(y).best_params_
    {'strategy': 'drift'}
    """


class RandomizedSearchCV(_ForecastScoringMixin, skms.RandomizedSearchCV):
    """:class:`sklearn.model_selection.RandomizedSearchCV` accepting forecast scorer names.

    See the module docstring (:mod:`rnnforecast.model_selection`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import TimeSeriesSplit
    >>> from rnnforecast.baselines import NaiveForecaster
    >>> from rnnforecast.model_selection import RandomizedSearchCV
    >>> y = np.arange(40.0)
    >>> RandomizedSearchCV(NaiveForecaster(), {"strategy": ["last", "drift"]}, n_iter=2,
    ...                    cv=TimeSeriesSplit(3, test_size=5), scoring="r2",
    ...                    random_state=0).fit(y).best_params_
    {'strategy': 'drift'}
    """


def cross_validate(estimator: Any, y: Any, X: Any = None, *, scoring: Any = None, **kwargs: Any) -> dict:
    """:func:`sklearn.model_selection.cross_validate` for a forecaster, with forecast scorer names.

    Parameters
    ----------
    estimator : forecaster
    y : array-like or pandas object
        The series (split by ``cv``).
    X : array-like or DataFrame, default=None
        Exogenous regressors aligned with ``y``.
    scoring : None, str, callable, list or dict, default=None
        See :func:`check_forecast_scoring`; None uses the forecaster's
        ``score`` (R²).
    **kwargs
        Passed on (``cv``, ``n_jobs``, ``return_train_score``, ...).

    Returns
    -------
    dict
        As scikit-learn's (``test_score`` or ``test_<name>`` arrays, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import TimeSeriesSplit
    >>> from rnnforecast.baselines import NaiveForecaster
    >>> from rnnforecast.model_selection import cross_validate
    >>> res = cross_validate(NaiveForecaster(), np.arange(30.0), cv=TimeSeriesSplit(2, test_size=3),
    ...                      scoring=["neg_mean_absolute_error", "neg_mean_absolute_scaled_error"])
    >>> res["test_neg_mean_absolute_error"], res["test_neg_mean_absolute_scaled_error"]
    (array([-2., -2.]), array([-2., -2.]))
    """
    scoring = check_forecast_scoring(scoring)
    kwargs["cv"] = check_forecast_cv(kwargs.get("cv"), y, X)
    return skms.cross_validate(estimator, y, X, scoring=scoring, **kwargs)


def cross_val_score(estimator: Any, y: Any, X: Any = None, *, scoring: Any = None, **kwargs: Any):
    """:func:`sklearn.model_selection.cross_val_score` for a forecaster, with forecast scorer names.

    Parameters are those of :func:`cross_validate` (``scoring`` a single
    name or callable).

    Returns
    -------
    ndarray of shape (n_splits,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import TimeSeriesSplit
    >>> from rnnforecast.baselines import NaiveForecaster
    >>> from rnnforecast.model_selection import cross_val_score
    >>> cross_val_score(NaiveForecaster(), np.arange(30.0), cv=TimeSeriesSplit(2, test_size=3),
    ...                 scoring="neg_root_mean_squared_error").round(3)
    array([-2.16, -2.16])
    """
    scoring = check_forecast_scoring(scoring)
    kwargs["cv"] = check_forecast_cv(kwargs.get("cv"), y, X)
    return skms.cross_val_score(estimator, y, X, scoring=scoring, **kwargs)
