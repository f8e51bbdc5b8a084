"""Arithmetic in a scaled space, so finite inputs near the float64 limits give finite results.

Sums, differences and squares of finite float64 numbers overflow to ``inf``
near the top of the range (``1e308 - (-1e308)``, ``mean([1e308, 1e308])``) and
squares underflow to 0 near the bottom (``(1e-300) ** 2``).  The helpers here
divide by a power of two chosen from the operands, compute, and multiply back:

* scaling by a power of two is exact (no rounding), so for ordinary data the
  results are bit-identical to the unscaled formulas;
* a value is carried as ``mantissa * 2**exponent`` (``np.ldexp``) so that the
  scale itself can never overflow;
* a result that truly lies beyond the float64 range raises a
  :class:`ValueError` naming it (:func:`restore`) instead of returning ``inf``.

Examples
--------
>>> import numpy as np
>>> from rnnforecast.utils.scaled import safe_mean, safe_rms
>>> float(safe_mean(np.array([1e308, 1e308])))       # np.mean gives inf
1e+308
>>> round(float(safe_rms(np.array([3e-300, 4e-300]))) / 1e-300, 12)  # sqrt(mean(x**2)) gives 0
3.535533905933
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "add_scaled",
    "halve_pair",
    "normalise",
    "restore",
    "safe_difference",
    "safe_mean",
    "safe_median",
    "safe_rms",
]

#: Values at or above this magnitude are halved before a sum or difference.
_BIG = 2.0 ** 1022
#: A largest magnitude in [_SAFE_LO, _SAFE_HI] needs no scaling: squares and sums
#: of such values stay far inside the float64 range (the fast path).
_SAFE_LO, _SAFE_HI = 2.0 ** -250, 2.0 ** 250


def halve_pair(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Halve, element by element, the pairs ``(a, b)`` whose sum or difference could overflow.

    Parameters
    ----------
    a, b : ndarray of float64 (finite), broadcastable to one shape

    Returns
    -------
    a2, b2 : ndarray of float64
        ``a / 2**k`` and ``b / 2**k`` (exact: only large values are halved).
    k : ndarray of int64
        1 where the pair was halved, else 0; ``a2 - b2``, ``a2 + b2`` and
        ``|a2| + |b2|`` are finite and equal the true results times ``2**-k``.

    Examples
    --------
    >>> import numpy as np
    >>> a2, b2, k = halve_pair(np.array([1e308, 1.0]), np.array([-1e308, 3.0]))
    >>> (a2 - b2).tolist(), k.tolist()
    ([1e+308, -2.0], [1, 0])
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    if a.size == 0 or max(np.max(np.abs(a)), np.max(np.abs(b))) < _BIG:  # the common case
        return a, b, np.zeros(a.shape, dtype=np.int64)
    big = (np.abs(a) >= _BIG) | (np.abs(b) >= _BIG)
    k = big.astype(np.int64)
    return np.ldexp(a, -k), np.ldexp(b, -k), k


def safe_difference(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a - b`` as ``(d, k)`` with ``a - b == d * 2**k`` element by element, ``d`` finite.

    Parameters
    ----------
    a, b : ndarray of float64 (finite), broadcastable

    Returns
    -------
    d : ndarray of float64
    k : ndarray of int64 (0 or 1)

    Examples
    --------
    >>> import numpy as np
    >>> d, k = safe_difference(np.array([1.5e308]), np.array([-1.5e308]))
    >>> float(d[0]), int(k[0])  # 3e308 does not fit in float64; d * 2**k is the truth
    (1.5e+308, 1)
    """
    a2, b2, k = halve_pair(a, b)
    return a2 - b2, k


def normalise(
    v: np.ndarray, k: np.ndarray | int = 0, axis: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Scale ``v * 2**k`` by a power of two: largest magnitude along ``axis`` in [0.5, 1).

    Parameters
    ----------
    v : ndarray of float64 (finite)
    k : int or ndarray of int, default=0
        Per-element exponent: the true values are ``v * 2**k``.
    axis : int or None, default=0
        Axis along which one scale is shared (``None``: one scale for all).

    Returns
    -------
    u : ndarray of float64, shape of ``v``
        ``v * 2**(k - e)``, all of magnitude < 1, or ``v`` itself (``e = 0``)
        when its largest magnitude lies between ``2**-250`` and ``2**250``
        (no scaling needed: squares and sums cannot overflow or underflow
        significantly).  Elements more than ``2**1022`` times smaller than the
        largest one may lose precision or become 0: their share of a sum is
        below the rounding error.
    e : ndarray of int64
        The exponent per position along ``axis`` (kept dims, broadcastable
        against ``v``); 0 where all values are 0.

    Examples
    --------
    >>> import numpy as np
    >>> u, e = normalise(np.array([1e300, -3e299]), axis=None)
    >>> u.round(3).tolist(), int(np.ravel(e)[0])
    ([0.747, -0.224], 997)
    >>> normalise(np.array([3.0, -1.0]), axis=None)  # ordinary values: unchanged
    (array([ 3., -1.]), array([0]))
    """
    v = np.asarray(v, dtype=np.float64)
    k = np.asarray(k, dtype=np.int64)
    if v.size and not k.any():
        top = np.max(np.abs(v), axis=axis, keepdims=True)
        if np.all((top <= _SAFE_HI) & ((top >= _SAFE_LO) | (top == 0.0))):
            return v, np.zeros(top.shape, dtype=np.int64)
    _, ev = np.frexp(np.abs(v))
    ev = np.where(v == 0.0, np.iinfo(np.int32).min, ev + k)
    if v.size == 0:
        e = np.zeros((1,) * v.ndim if axis is None else
                     tuple(1 if i == axis else s for i, s in enumerate(v.shape)), dtype=np.int64)
    else:
        e = np.max(ev, axis=axis, keepdims=True)
    e = np.where(e == np.iinfo(np.int32).min, 0, e).astype(np.int64)
    return np.ldexp(v, k - e), e


def restore(u: np.ndarray | float, e: np.ndarray | int, what: str, hint: str = "") -> np.ndarray:
    """Undo :func:`normalise`: ``u * 2**e``; a result beyond the float64 range raises.

    Parameters
    ----------
    u : ndarray of float64 or float
        Finite values in the scaled space.
    e : int or ndarray of int
        Exponents (broadcastable against ``u``).
    what : str
        What the values are, for the error message (e.g. ``"the RMSE"``).
    hint : str, default=""
        What the user can do, appended to the error message.

    Returns
    -------
    ndarray of float64
        ``u * 2**e``, all finite.

    Raises
    ------
    ValueError
        If a value's magnitude exceeds the largest float64 (about 1.8e308).

    Examples
    --------
    >>> import numpy as np
    >>> restore(np.array([0.75]), 2, "the forecast").tolist()
    [3.0]
    >>> restore(np.array([0.75]), 1025, "the forecast")
    Traceback (most recent call last):
    ...
    ValueError: the forecast is too large to be represented in float64: about 2.7e+308 in magnitude, beyond the largest float64 (1.8e+308).
    """
    with np.errstate(over="ignore"):
        out = np.ldexp(np.asarray(u, dtype=np.float64), np.asarray(e, dtype=np.int64))
    bad = ~np.isfinite(out)
    if bad.any():
        u_b, e_b = np.broadcast_arrays(np.asarray(u, dtype=np.float64), np.asarray(e))
        i = np.flatnonzero(bad.ravel())[0]
        mant, ex = float(u_b.ravel()[i]), int(e_b.ravel()[i])
        size = "not finite"
        if np.isfinite(mant):
            lg = np.log10(abs(mant)) + ex * np.log10(2.0)
            p = int(np.floor(lg))
            size = f"about {10 ** (lg - p):.2g}e+{p} in magnitude"
        raise ValueError(
            f"{what} is too large to be represented in float64: {size}, beyond the "
            f"largest float64 ({np.finfo(np.float64).max:.2g})." + (f" {hint}" if hint else "")
        )
    return out


def safe_mean(x: np.ndarray, axis: int | None = 0, what: str = "the mean") -> np.ndarray:
    """Mean along ``axis`` computed in a scaled space (never overflows for finite ``x``).

    Parameters
    ----------
    x : ndarray of float64 (finite)
    axis : int or None, default=0
    what : str, default="the mean"
        Name used if the result cannot be represented (it always can: the
        mean is at most the largest magnitude).

    Returns
    -------
    ndarray of float64
        ``mean(x, axis)``; bit-identical to ``np.mean`` when that does not
        overflow or underflow.

    Examples
    --------
    >>> import numpy as np
    >>> safe_mean(np.array([[1e308, 1.0], [1.7e308, 3.0]])).tolist()
    [1.35e+308, 2.0]
    """
    u, e = normalise(x, axis=axis)
    return restore(np.mean(u, axis=axis), _squeeze(e, axis), what)


def safe_median(x: np.ndarray, axis: int = 0, what: str = "the median") -> np.ndarray:
    """``np.median`` along ``axis``, recomputed in a scaled space where it overflowed.

    The median of an even count is the mean of the two middle values, whose
    sum overflows near the float64 limit (``median([1e308, 1.2e308])``).

    Parameters
    ----------
    x : ndarray of float64
    axis : int, default=0
    what : str, default="the median"
        Name used if the result cannot be represented (it always can for finite ``x``).

    Returns
    -------
    ndarray of float64
        Bit-identical to ``np.median`` wherever that is finite (or ``x`` is not).

    Examples
    --------
    >>> import numpy as np
    >>> safe_median(np.array([1e308, 1.2e308])).tolist()  # np.median gives inf
    1.1e+308
    """
    with np.errstate(over="ignore"):
        out = np.median(x, axis=axis)
    if np.isfinite(out).all() or not np.isfinite(x).all():
        return out
    u, e = normalise(x, axis=axis)
    return restore(np.median(u, axis=axis), _squeeze(e, axis), what)


def safe_rms(
    v: np.ndarray, k: np.ndarray | int = 0, axis: int | None = 0, what: str = "the RMS"
) -> np.ndarray:
    """Root mean square of ``v * 2**k`` along ``axis``, in a scaled space.

    Parameters
    ----------
    v : ndarray of float64 (finite)
    k : int or ndarray of int, default=0
        Per-element exponents (e.g. from :func:`safe_difference`).
    axis : int or None, default=0
    what : str, default="the RMS"
        Name used if the result is beyond the float64 range.

    Returns
    -------
    ndarray of float64

    Raises
    ------
    ValueError
        If the result cannot be represented in float64.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(safe_rms(np.array([3e200, 4e200]))) / 1e200, 12)  # sqrt(12.5)
    3.535533905933
    """
    u, e = normalise(v, k, axis=axis)
    return restore(np.sqrt(np.mean(u * u, axis=axis)), _squeeze(e, axis), what)


def _squeeze(e: np.ndarray, axis: int | None) -> np.ndarray:
    return e.reshape(()) if axis is None else np.squeeze(e, axis=axis)


def add_scaled(
    a: np.ndarray, m: np.ndarray, e: np.ndarray | int, what: str, hint: str = ""
) -> np.ndarray:
    """``a + m * 2**e`` element by element, without intermediate overflow.

    Parameters
    ----------
    a : ndarray of float64 (finite)
    m : ndarray of float64 (finite), broadcastable against ``a``
    e : int or ndarray of int, broadcastable
        ``m * 2**e`` is the second term (which itself may not fit in float64).
    what, hint : str
        For the error message of :func:`restore` when the sum does not fit.

    Returns
    -------
    ndarray of float64
        Bit-identical to ``a + m * 2**e`` whenever that is finite and normal.

    Examples
    --------
    ``0.75 * 2**1025`` (2.7e308) does not fit in float64, but ``-1e308 + 2.7e308`` does:

    >>> import numpy as np
    >>> out = add_scaled(np.array([-1e308]), np.array([0.75]), 1025, "the bound")
    >>> round(float(out[0]) / 1e308, 6)
    1.69654
    """
    a, m, e = np.broadcast_arrays(np.asarray(a, dtype=np.float64),
                                  np.asarray(m, dtype=np.float64), np.asarray(e, dtype=np.int64))
    low = np.iinfo(np.int32).min
    ea = np.where(a == 0.0, low, np.frexp(a)[1])
    em = np.where(m == 0.0, low, np.frexp(m)[1] + e)
    big = np.maximum(ea, em)
    big = np.where(big == low, 0, big)
    return restore(np.ldexp(a, -big) + np.ldexp(m, e - big), big, what, hint)
