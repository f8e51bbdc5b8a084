"""rnnforecast.utils.scaled: exact power-of-two scaling, checked against decimal arithmetic."""

from __future__ import annotations

from decimal import Decimal, getcontext

import numpy as np
import pytest
from sklearn.preprocessing import RobustScaler, StandardScaler

from rnnforecast.utils.scaled import (
    add_scaled,
    fit_in_scaled_space,
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
    for make in (StandardScaler, RobustScaler):
        ref, got = make().fit(x), fit_in_scaled_space(make(), x)
        for attr in ("mean_", "var_", "center_", "scale_"):
            if hasattr(ref, attr):
                assert np.array_equal(getattr(got, attr), getattr(ref, attr)), (make, attr)


def test_fitted_scaler_near_the_limits():
    x = np.array([[1.6e308, 2e-300], [-1.6e308, 4e-300], [0.0, 6e-300]])
    s = fit_in_scaled_space(StandardScaler(), x)
    ref_std = [float((sum(v * v for v in _dec(x[:, 0])) / 3).sqrt()),
               float(Decimal(2e-300) * (Decimal(2) / 3).sqrt())]
    np.testing.assert_allclose(s.mean_, [0.0, 4e-300], rtol=1e-15)
    np.testing.assert_allclose(s.scale_, ref_std, rtol=1e-12)
    z = s.transform(x)
    np.testing.assert_allclose(np.std(z, axis=0), [1.0, 1.0], rtol=1e-12)
