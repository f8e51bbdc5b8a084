"""Every Numba option used by the kernels, in one place.

Kernels never pass their own options to ``numba.njit``; they use :data:`NJIT`,
:data:`NJIT_INTERNAL` for helpers that only other kernels call (no Python
entry point is generated for those: about 40 ms less compile time each,
measured), or :data:`NJIT_INLINE` for the cell functions called once per
sample and step.  A test checks that no kernel module hard-codes its own flags.

Every kernel is serial and releases the GIL (``nogil=True``); parallel work is
split into batch chunks that :func:`rnnforecast.nn.threads.run_chunks` hands to
a small pool of Python threads.  There is no ``parallel=True`` (``prange``)
kernel: Numba's OpenMP/workqueue layer spin-waits between parallel regions,
which made a fit many times slower when other processes kept the cores busy,
and a ``parallel=True`` function takes about twice as long to compile.

Environment switches (parsed strictly: exactly ``"0"`` or ``"1"``):

``RNNFORECAST_NUMBA_CACHE``
    ``"1"`` (default) caches compiled machine code on disk (Numba's
    ``cache=True``; the location follows ``NUMBA_CACHE_DIR`` when set, else
    ``__pycache__`` beside the kernel sources).  ``"0"`` compiles afresh in
    every process.  Caching does not change the generated code, so the switch
    cannot make a stale cache entry load.

The fastmath flag set deliberately leaves out ``nnan`` and ``ninf``: with those
flags LLVM may assume no value is NaN or infinite, so ``np.isnan`` and
``np.isfinite`` stop telling the truth, and the non-finite-loss checks of the
training loop would be silently removed.
"""

import os

__all__ = ["CACHE", "FASTMATH", "NJIT", "NJIT_INLINE", "NJIT_INTERNAL", "parse_switch"]


def parse_switch(name, default):
    """Read the boolean environment switch ``name`` strictly.

    Parameters
    ----------
    name : str
        Environment variable name.
    default : bool
        Value used when the variable is unset or empty.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If the variable is set to anything other than ``"0"`` or ``"1"``.
    """
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    if raw == "1":
        return True
    if raw == "0":
        return False
    raise ValueError(
        f"Environment variable {name} must be '0' or '1'; got {raw!r} instead."
    )


CACHE = parse_switch("RNNFORECAST_NUMBA_CACHE", True)

# LLVM fast-math flags: reassociation (vectorised reductions), reciprocal
# approximation, no signed zeros and FMA contraction.  No nnan / ninf (see above).
FASTMATH = {"nsz", "arcp", "contract", "reassoc"}

# Keyword arguments for numba.njit.  ``error_model="numpy"`` makes division by
# zero produce inf/nan (detected later) instead of raising inside a kernel.
NJIT = dict(cache=CACHE, fastmath=FASTMATH, nogil=True, error_model="numpy")
# Helpers called only from other kernels: no CPython or C-function wrapper (they
# cannot be called from Python).
NJIT_INTERNAL = dict(NJIT, no_cpython_wrapper=True, no_cfunc_wrapper=True)
# The per-(sample, step) cell functions, inlined into the kernels at Numba IR
# level: called as separate functions from a serial kernel they made the LSTM
# forward pass ~25 % slower at C1 (measured side by side); inlined, the code is
# as fast as the former prange kernels' and compiles no slower.
NJIT_INLINE = dict(NJIT_INTERNAL, inline="always")
