"""Buffers of the training step kept from one step to the next.

A training run allocates the same multi-megabyte arrays at every step (each
layer's outputs, the saved gate activations, the per-chunk gradient buffers).
Fresh arrays of that size are mapped page by page and unmapped again when
freed, and in a threaded process every unmapping stalls the other cores: at
the C2 shapes an LSTM fit's two kernel threads reached 1.41-1.47x the
one-thread speed with fresh arrays and 1.59-1.70x with these arrays kept
(``benchmarks/threads_load.py`` at load 1.6-3, ``benchmarks/README.md``; 1.69x
on a quiet machine, 1.75x for the kernel step alone in ``benchmarks/speed.py``).
Keeping the LSTM backward kernel's own per-chunk arrays too (gate gradients,
stacked inputs) was tried and dropped: no measurable change when quiet, and
~8 % slower at one thread when each chunk had its own buffer (colder memory
than the one malloc hands back chunk after chunk).
A :class:`Workspace` hands out the same array for the same role, shape and
dtype on every call; the caller guarantees that the arrays of the previous
step are no longer read (the training loop does: each step's forward result
and gradient are consumed before the next step starts).
"""

from __future__ import annotations

import numpy as np

__all__ = ["Workspace", "buffer"]


class Workspace:
    """Arrays reused across the steps of one training run, keyed by role, shape and dtype."""

    __slots__ = ("_arrays",)

    def __init__(self) -> None:
        self._arrays: dict = {}

    def get(self, role: tuple, shape: tuple, dtype, zero: bool = False) -> np.ndarray:
        """The array of ``role`` with ``shape`` and ``dtype`` (uninitialised, or zeros)."""
        key = (role, tuple(int(s) for s in shape), np.dtype(dtype).str)
        a = self._arrays.get(key)
        if a is None:
            a = np.zeros(shape, dtype) if zero else np.empty(shape, dtype)
            self._arrays[key] = a
        elif zero:
            a.fill(0)
        return a


def buffer(ws: Workspace | None, role: tuple, shape: tuple, dtype, zero: bool = False) -> np.ndarray:
    """A new array without a workspace, else the workspace's array for ``role``."""
    if ws is None:
        return np.zeros(shape, dtype) if zero else np.empty(shape, dtype)
    return ws.get(role, shape, dtype, zero)
