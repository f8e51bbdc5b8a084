"""The one place where private scikit-learn helpers are imported.

Every other module of :mod:`rnnforecast` imports these names from here, so a
scikit-learn release that moves or renames one of them needs a fix in this
file only.  Each import has a small fallback for older/newer releases where
that is cheap to provide.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sklearn.utils._param_validation import (  # noqa: F401  (re-exported)
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.metaestimators import _BaseComposition  # noqa: F401

try:  # scikit-learn >= 1.3
    from sklearn.base import _fit_context
except ImportError:  # pragma: no cover - fallback for other releases

    def _fit_context(*, prefer_skip_nested_validation: bool) -> Callable:
        """Validate ``estimator``'s parameters, then run ``fit``."""

        def decorator(fit_method: Callable) -> Callable:
            @functools.wraps(fit_method)
            def wrapper(estimator: Any, *args: Any, **kwargs: Any) -> Any:
                validate_parameter_constraints(
                    estimator._parameter_constraints,
                    estimator.get_params(deep=False),
                    caller_name=estimator.__class__.__name__,
                )
                return fit_method(estimator, *args, **kwargs)

            return wrapper

        return decorator


try:  # scikit-learn >= 1.2
    from sklearn.utils._set_output import _get_output_config
except ImportError:  # pragma: no cover

    def _get_output_config(method: str, estimator: Any = None) -> dict:
        """Fallback: always the default (numpy) output."""
        return {"dense": "default"}


def get_transform_output(estimator: Any) -> str:
    """Return the dense output container configured for ``estimator.transform``.

    Parameters
    ----------
    estimator : estimator instance
        A transformer (possibly configured through ``set_output``).

    Returns
    -------
    container : str
        ``"default"`` (numpy), ``"pandas"`` or ``"polars"``.
    """
    return _get_output_config("transform", estimator)["dense"]


__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_BaseComposition",
    "_fit_context",
    "get_transform_output",
    "validate_parameter_constraints",
]
