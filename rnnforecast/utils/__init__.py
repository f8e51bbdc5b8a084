"""Validation helpers shared by forecasters and transformers."""

from rnnforecast.utils.series import (
    SeriesInfo,
    check_exog,
    check_series,
    future_index,
    steps_ahead,
)
from rnnforecast.utils.validation import check_horizon, check_min_history

__all__ = [
    "SeriesInfo",
    "check_exog",
    "check_horizon",
    "check_min_history",
    "check_series",
    "future_index",
    "steps_ahead",
]
