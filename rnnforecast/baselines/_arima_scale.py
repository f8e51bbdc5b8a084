"""Scale and level of the series an ARIMA model is fitted to (see :mod:`rnnforecast.baselines.arima`).

Every fit is of ``(y - shift) / scale``: :func:`_series_scale` and
:func:`_series_shift` choose the two numbers, :func:`_unscale_params` and
:func:`_criteria` map the fitted parameters and criteria back to the units of
``y``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["_criteria", "_equivariant", "_scale_rounding", "_series_scale", "_series_shift",
           "_unscale_params", "_ROUNDING"]

# relative spread below which a series is constant up to rounding (see _series_scale):
# for models that can be shifted, and (the threshold of the first scaled fits) for the others
_ROUNDING = 4.0 * float(np.finfo(np.float64).eps)
_ROUNDING_UNSHIFTED = 1e-10


def _equivariant(n_lost: int, trend: Any) -> bool:
    """Whether the model is equivariant to a shift of ``y``: differenced, or with a constant."""
    return n_lost > 0 or trend in ("c", "ct")


def _scale_rounding(shiftable: bool) -> float:
    """The rounding threshold of :func:`_series_scale` for a model that is fitted shifted
    (:func:`_equivariant`) or not."""
    return _ROUNDING if shiftable else _ROUNDING_UNSHIFTED


def _series_scale(y: np.ndarray, d: int = 0, D: int = 0, sp: int = 0,
                  rounding: float = _ROUNDING_UNSHIFTED) -> float:
    """Scale of ``y`` for fitting: std of the ``d``/``D``-differenced series (arima module docstring).

    Differences that are all zero (or zero up to rounding: a spread below
    ``rounding`` times the largest ``|y|``) fall back to the largest
    ``|y|``, an all-zero series to 1.  Models that are fitted shifted
    (:func:`_equivariant`) pass ``_ROUNDING``, 4 float64 epsilons: with 1e-10,
    ``1e10 + sin(t)`` counted as constant and was fitted as
    ``1 + 1e-10 sin(t)``, its forecasts off by 1e4; it is now fitted at its
    variation and shifted (see "Level" there).  The other models keep 1e-10:
    without a mean they cannot be shifted, and at their variation the level
    is 1e10 innovations away from their zero mean (forecasts of 0).
    Homogeneous: ``_series_scale(c * y) == c * _series_scale(y)`` up to
    rounding for ``c > 0``.
    """
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        big = float(np.max(np.abs(y))) if y.size else 0.0
        x = y
        for _ in range(D):
            x = x[sp:] - x[:-sp]
        for _ in range(d):
            x = np.diff(x)
        if x.size > 1 and np.all(np.isfinite(x)):
            m = float(np.max(np.abs(x)))
            spread = m * float(np.std(x / m)) if m > 0.0 else 0.0
        else:
            spread = 0.0
    if np.isfinite(spread) and spread > rounding * big:
        return spread
    if np.isfinite(big) and big > 0.0:
        return big
    return 1.0


# |median(y)| / scale beyond which a shift-equivariant model is fitted to y - median(y)
_FAR_LEVEL = 1e6


def _series_shift(y: np.ndarray, scale: float, n_lost: int, trend: Any) -> float:
    """Level subtracted from ``y`` before fitting (arima module docstring, "Level"); 0.0 for most series.

    ``median(y)`` when it exceeds ``_FAR_LEVEL * scale`` in absolute value and
    the model is equivariant to a shift (``n_lost = d + D * s > 0`` or
    ``trend`` in {"c", "ct"}), else 0.0.
    """
    if not _equivariant(n_lost, trend):
        return 0.0
    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        level = float(np.median(y)) if y.size else 0.0
    return level if np.isfinite(level) and abs(level) > _FAR_LEVEL * scale else 0.0


def _unscale_params(names: list[str], exog_names: list[str], params: np.ndarray, scale: float,
                    shift: float = 0.0, n_lost: int = 0) -> np.ndarray:
    """Parameters fitted on ``(y - shift) / scale`` expressed in the units of ``y`` (statsmodels' order).

    Without differencing (``n_lost == 0``) the intercept of ``y`` is that of
    ``y - shift`` plus ``shift * phi(1) * Phi(1)``; with differencing the
    shift does not enter the model.
    """
    out = np.array(params, dtype=np.float64, copy=True)
    for i, name in enumerate(names):
        if name == "sigma2":
            out[i] *= scale * scale
        elif name in ("intercept", "drift") or name.startswith("trend.") or name in exog_names:
            out[i] *= scale
    if shift != 0.0 and n_lost == 0 and "intercept" in names:
        ar = np.array([v for n, v in zip(names, out) if n.startswith("ar.L")])
        sar = np.array([v for n, v in zip(names, out) if n.startswith("ar.S.L")])
        out[names.index("intercept")] += shift * (1.0 - np.sum(ar)) * (1.0 - np.sum(sar))
    return out


def _criteria(res: Any, scale: float) -> dict[str, float]:
    """Log-likelihood and information criteria of ``y`` from a fit of ``y / scale``."""
    shift = float(res.nobs_effective) * float(np.log(scale))
    return {"llf": float(res.llf) - shift, "aic": float(res.aic) + 2.0 * shift,
            "aicc": float(res.aicc) + 2.0 * shift, "bic": float(res.bic) + 2.0 * shift}
