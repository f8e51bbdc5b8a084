"""Scalar activations, specialised by dtype at compile time.

float64 uses libm (``math.tanh``, ``math.exp``): exact enough for float64
finite-difference checks and PyTorch parity.  float32 uses a rational
approximation of tanh (odd degree-9 numerator over even degree-8 denominator in
x, input clamped to [-9, 9]) that needs only multiplies, adds, one divide and
min/max, so LLVM vectorises the gate loops (the pip build of llvmlite has no
vector libm).  Its error against float64 ``np.tanh`` is below 4e-7 absolute
over the real line (checked in ``tests/kernels/test_activations.py``); the
coefficients were fitted for minimal relative error on [0, 9] for this module.
sigmoid(x) = 0.5 + 0.5 * tanh(x / 2) in float32.
"""

import math

import numpy as np
from numba import types
from numba.extending import overload

from .config import NJIT

_P1, _P2, _P3, _P4 = (0.13384039690089153, 0.003499066377484209, 2.0662403914751235e-05,
                      1.3421361119703157e-08)
_Q1, _Q2, _Q3, _Q4 = (0.46717361186992357, 0.02589047456521122, 0.0003291152745788147,
                      7.805369066972456e-07)
_CLAMP = 9.0


def tanh(x):
    """tanh of a scalar (Python fallback; kernels get the dtype-specific version)."""
    return math.tanh(x)


def sigmoid(x):
    """Logistic function of a scalar (Python fallback)."""
    return 1.0 / (1.0 + math.exp(-x))


def _is_f32(x):
    return isinstance(x, types.Float) and x.bitwidth == 32


@overload(tanh, jit_options=NJIT)
def _tanh_impl(x):
    if _is_f32(x):
        p1, p2, p3, p4 = (np.float32(v) for v in (_P1, _P2, _P3, _P4))
        q1, q2, q3, q4 = (np.float32(v) for v in (_Q1, _Q2, _Q3, _Q4))
        hi = np.float32(_CLAMP)
        one = np.float32(1.0)

        def impl(x):
            xc = min(max(x, -hi), hi)
            s = xc * xc
            num = xc * (one + s * (p1 + s * (p2 + s * (p3 + s * p4))))
            den = one + s * (q1 + s * (q2 + s * (q3 + s * q4)))
            r = num / den
            return min(max(r, -one), one)
        return impl

    def impl(x):
        return math.tanh(x)
    return impl


@overload(sigmoid, jit_options=NJIT)
def _sigmoid_impl(x):
    if _is_f32(x):
        half = np.float32(0.5)

        def impl(x):
            return half + half * tanh(half * x)
        return impl
    if isinstance(x, types.Float):
        def impl(x):
            return 1.0 / (1.0 + math.exp(-x))
        return impl
    return None
