"""The float32 activation approximations against float64 references."""

import math

import numpy as np
from numba import njit

from rnnforecast._kernels.activations import sigmoid, tanh
from rnnforecast._kernels.config import NJIT


@njit(**NJIT)
def _apply(x, t_out, s_out):
    for i in range(x.shape[0]):
        t_out[i] = tanh(x[i])
        s_out[i] = sigmoid(x[i])


def _run(x):
    t, s = np.empty_like(x), np.empty_like(x)
    _apply(x, t, s)
    return t, s


def test_float32_tanh_and_sigmoid_error():
    x = np.concatenate([np.linspace(-20, 20, 400_001), [-1e30, 1e30, 0.0, -0.0, 1e-30]])
    with np.errstate(over="ignore"):
        ref_s = 1 / (1 + np.exp(-x.astype(np.float32).astype(np.float64)))
    t, s = _run(x.astype(np.float32))
    ref_t = np.tanh(x.astype(np.float32).astype(np.float64))
    assert t.dtype == np.float32
    assert np.abs(t - ref_t).max() < 4e-7
    assert np.abs(s - ref_s).max() < 4e-7
    assert np.all(np.abs(t) <= 1) and np.all((s >= 0) & (s <= 1))
    # monotone up to the error bound (the tail near saturation wobbles by a few ulp)
    assert np.all(np.diff(t[:400_001]) >= -4e-7)


def test_float64_uses_libm_exactly():
    x = np.linspace(-30, 30, 10_001)
    t, s = _run(x)
    np.testing.assert_array_max_ulp(t, np.array([math.tanh(v) for v in x]), maxulp=1)
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-x)), rtol=1e-15, atol=1e-300)


def test_nan_propagates():
    t, s = _run(np.array([np.nan], np.float32))
    # min/max clamping must not turn NaN into a finite number
    assert np.isnan(t[0]) and np.isnan(s[0])
