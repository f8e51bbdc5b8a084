"""Numba kernels (numpy + numba only; no validation happens here)."""
