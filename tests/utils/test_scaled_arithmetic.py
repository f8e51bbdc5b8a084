"""rnnforecast.utils.scaled: exact power-of-two scaling, checked against decimal arithmetic."""

from __future__ import annotations

from decimal import Decimal, getcontext

import numpy as np
import pytest

from rnnforecast.utils.scaled import (
    add_scaled,
    restore,
    safe_difference,
    safe_mean,
    safe_rms,
)

getcontext().prec = 60


def _dec(x):
    return [Decimal(float(v)) for v in np.ravel(x)]


@pytest.mark.parametrize("scale", [1.7e308 / 3, 1e150, 1.0, 1e-150, 1e-300])
def test_mean_and_rms_match_exact_decimal(scale):
    x = np.random.default_rng(0).uniform(-3, 3, 25) * scale
    dx = _dec(x)
    mean = sum(dx) / len(dx)
    rms = (sum(v * v for v in dx) / len(dx)).sqrt()
    assert float(safe_mean(x)) == pytest.approx(float(mean), rel=1e-13, abs=0)
    assert float(safe_rms(x)) == pytest.approx(float(rms), rel=1e-13, abs=0)


def test_difference_and_add_beyond_float64_are_carried_exactly():
    d, k = safe_difference(np.array([1.5e308, 1.0]), np.array([-1.5e308, 4.0]))
    assert d.tolist() == [1.5e308, -3.0] and k.tolist() == [1, 0]
    out = add_scaled(np.array([-1.6e308]), d[:1], k[:1], "x")  # -1.6e308 + 3e308
    assert float(out[0]) == pytest.approx(1.4e308, rel=1e-15)
    with pytest.raises(ValueError, match="the sum is too large to be represented in float64"):
        add_scaled(np.array([1.0e308]), d[:1], k[:1], "the sum")
    with pytest.raises(ValueError, match=r"about 2\.7e\+308 in magnitude.*Try this"):
        restore(np.array([0.75]), 1025, "y", hint="Try this.")


def test_ordinary_data_is_bit_identical():
    x = np.random.default_rng(1).normal(size=(40, 3)) * 123.4
    assert np.array_equal(safe_mean(x), x.mean(axis=0))
    assert np.array_equal(safe_rms(x), np.sqrt(np.mean(x * x, axis=0)))
    big = np.ldexp(x, 700)  # the scaled path: exact power-of-two scaling keeps every bit
    assert np.array_equal(safe_mean(big), np.ldexp(x.mean(axis=0), 700))
    assert np.array_equal(safe_rms(big), np.ldexp(np.sqrt(np.mean(x * x, axis=0)), 700))
