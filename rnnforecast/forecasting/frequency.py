"""The calendar seasonal period of a pandas frequency (one freq -> period rule).

:func:`period_from_freq` is used by :mod:`rnnforecast.forecasting.auto_config`
(which re-exports it), the benchmark data readers and the CLI.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["period_from_freq"]


def period_from_freq(freq: str | None) -> int | None:
    """Calendar seasonal period of a pandas frequency string (None: unknown).

    Parameters
    ----------
    freq : str, pandas.DateOffset or None
        pandas frequency alias (``"h"``, ``"D"``, ``"W-SUN"``, ``"MS"``,
        ``"QS-JAN"``, ``"YS"``, ``"15min"``, ``"B"``...) or offset.

    Returns
    -------
    int or None
        Steps per cycle: the day for sub-daily data (the hour for data
        finer than 5 minutes), the week for daily data (5 business days),
        the year for weekly/monthly/quarterly data, 1 for yearly data.
        None when ``freq`` is None or not recognised.

    Examples
    --------
    >>> from rnnforecast.forecasting.auto_config import period_from_freq
    >>> [period_from_freq(f) for f in ("h", "D", "W-SUN", "MS", "QS-JAN", "YS", "30min", "B")]
    [24, 7, 52, 12, 4, 1, 48, 5]
    """
    if freq is None:
        return None
    if isinstance(freq, pd.offsets.BaseOffset):
        off = freq
    elif isinstance(freq, str):
        off = _offset(freq)
    else:
        raise TypeError(f"freq must be a pandas frequency string, DateOffset or None; got "
                        f"{type(freq).__name__}")
    if off is None:
        return None
    n = max(int(off.n), 1)
    name = off.rule_code.split("-")[0].upper()
    per_year = {"Y": 1, "YS": 1, "YE": 1, "A": 1, "AS": 1, "BY": 1, "BYS": 1, "BYE": 1, "BA": 1,
                "Q": 4, "QS": 4, "QE": 4, "BQ": 4, "BQS": 4, "BQE": 4,
                "M": 12, "MS": 12, "ME": 12, "BM": 12, "BMS": 12, "BME": 12,
                "SM": 24, "SMS": 24, "SME": 24, "W": 52}
    if name in per_year:
        base = per_year[name]
        return base // n if base % n == 0 and base // n > 1 else 1
    if name in ("B", "C"):
        return 5 // n if 5 % n == 0 and n < 5 else 1
    try:
        seconds = pd.Timedelta(off).total_seconds()
    except (ValueError, TypeError):
        return None
    if seconds <= 0:
        return None
    if seconds >= 86400:  # daily or multi-day
        days = seconds / 86400
        if days == 7:
            return 52
        return 7 // int(days) if days == int(days) and 7 % int(days) == 0 and days < 7 else 1
    # Sub-daily: the day, else (more than 288 steps a day) the hour, else the minute.
    for cycle in (86400, 3600, 60):
        steps = cycle / seconds
        if steps == int(steps) and 1 < steps <= 288:
            return int(steps)
    return None


_LEGACY = {"H": "h", "T": "min", "S": "s", "L": "ms", "A": "YE", "Y": "YE", "M": "ME", "Q": "QE",
           "SM": "SME", "BM": "BME", "BA": "BYE", "BQ": "BQE", "AS": "YS"}


def _offset(freq: str):
    """pandas DateOffset of ``freq`` (legacy upper-case aliases accepted), None if unknown."""
    try:
        return pd.tseries.frequencies.to_offset(freq)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d*)([A-Za-z]+)(-\w+)?", freq.strip())
    if match is None or match.group(2).upper() not in _LEGACY:
        return None
    try:
        return pd.tseries.frequencies.to_offset(
            match.group(1) + _LEGACY[match.group(2).upper()] + (match.group(3) or ""))
    except ValueError:
        return None
