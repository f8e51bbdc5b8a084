"""rnnforecast: RNN, GRU and LSTM forecasters with Numba kernels."""

__version__ = "0.1.0.dev0"
