"""Series transformers and windowing utilities."""

from rnnforecast.transformers.series import Differencer, LogTransformer
from rnnforecast.transformers.windowing import (
    LagTransformer,
    SlidingWindowTransformer,
    make_windows,
)

__all__ = [
    "Differencer",
    "LagTransformer",
    "LogTransformer",
    "SlidingWindowTransformer",
    "make_windows",
]
