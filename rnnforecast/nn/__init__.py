"""Network layer: architecture, parameters, validation and training on the kernels."""

from .layout import ParameterLayout
from .network import RecurrentNetwork, default_chunk

__all__ = ["ParameterLayout", "RecurrentNetwork", "default_chunk"]
