"""Validation helpers shared by forecasters and transformers."""

from rnnforecast.utils.validation import (
    SeriesInfo,
    check_exog,
    check_horizon,
    check_min_history,
    check_series,
    future_index,
    steps_ahead,
)

__all__ = [
    "SeriesInfo",
    "check_exog",
    "check_horizon",
    "check_min_history",
    "check_series",
    "future_index",
    "steps_ahead",
]
