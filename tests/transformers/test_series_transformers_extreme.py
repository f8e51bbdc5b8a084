"""LogTransformer / Differencer near the float64 limits: finite and exact, or a clear error."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnnforecast.baselines import NaiveForecaster
from rnnforecast.forecasting import ForecastingPipeline
from rnnforecast.transformers import Differencer, LogTransformer


def test_log_transform_of_a_sum_beyond_float64_is_finite_and_exact():
    y = np.array([1.7e308, 1e300])
    t = LogTransformer(offset=1e308).fit(y)
    z = t.transform(y)
    # log(y + c) = log(y) + log1p(c / y), with no overflowing sum
    ref = [math.log(v) + math.log1p(1e308 / v) for v in y]
    np.testing.assert_allclose(z, ref, rtol=1e-15)
    back = t.inverse_transform(z)
    assert np.isfinite(back).all()
    assert back[0] == pytest.approx(1.7e308, rel=1e-12)


def test_log_inverse_near_the_limit_is_exact_and_beyond_it_raises():
    t = LogTransformer().fit(np.array([1.0, 2.0]))
    ok = t.inverse_transform(np.array([709.5]))
    assert ok[0] == pytest.approx(math.exp(709.5), rel=1e-13)
    with pytest.raises(ValueError, match=r"LogTransformer\(\)\.inverse_transform: exp\(y\) - offset "
                                         r"is too large to be represented in float64"):
        t.inverse_transform(np.array([1.0, 710.0]))


def test_log_then_drift_pipeline_raises_instead_of_inf():
    y = np.geomspace(1e200, 1e300, 50)
    pipe = ForecastingPipeline([("log", LogTransformer()), ("f", NaiveForecaster("drift"))]).fit(y)
    short = pipe.predict(3)
    np.testing.assert_allclose(np.log10(short), [300 + 100 / 49 * j for j in (1, 2, 3)], rtol=1e-12)
    with pytest.raises(ValueError, match="LogTransformer.*inverse_transform"):
        pipe.predict(30)


def test_differencer_overflow_in_transform_and_inverse_raises():
    d = Differencer()
    with pytest.raises(ValueError, match=r"Differencer\(\): differencing y \(lag 1\).*rescale"):
        d.fit_transform(np.array([-1.7e308, 1.7e308, 0.0]))
    d.fit(np.array([0.0, 1e308, 1.5e308]))
    np.testing.assert_array_equal(d.inverse_transform_forecast(np.array([2e307])), [1.7e308])
    with pytest.raises(ValueError, match=r"Differencer\(\)\.inverse_transform_forecast gives 1 "
                                         r"value\(s\) beyond the float64 range.*first in row 1"):
        d.inverse_transform_forecast(np.array([2e307, 2e307]))
    with pytest.raises(ValueError, match=r"Differencer\(\)\.inverse_transform gives"):
        d.inverse_transform(np.array([1.7e308, 1.7e308]))
