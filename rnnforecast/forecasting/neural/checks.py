"""Cross-parameter checks of the neural forecasters.

Functions of the fitted-parameter dict ``p`` (``est._fitted_params_``: the
parameters of the fit, "auto" resolved).
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np

from rnnforecast.forecasting.neural.features import CALENDAR_FEATURES
from rnnforecast.utils.validation import check_quantile_levels

__all__ = ["calendar_names", "check_calendar_index", "check_common",
           "check_past_with_window_scaler", "check_window_values", "covariate_kind",
           "quantile_levels", "series_kind", "split_covariates", "window_mode"]

# Values a window scaler can read without under/overflow in the network dtype
# (squares of window ratios and log levels stay finite well inside these).
_WINDOW_RANGE = {"float32": (1e-30, 1e30), "float64": (1e-300, 1e300)}


def check_common(p: dict) -> None:
    """Cross-parameter checks shared by single-series and collection fits
    (the network parameters are checked by the estimator)."""
    if p["strategy"] == "direct" and p["horizon"] is None:
        raise ValueError(
            "horizon must be set (a positive int) when strategy='direct': the "
            "network predicts the steps 1..horizon at once; got horizon=None."
        )
    w, patch = int(p["window_length"]), int(p["patch_length"])
    if w % patch:
        raise ValueError(
            f"window_length must be a multiple of patch_length (the network reads "
            f"window_length / patch_length steps of patch_length values); got "
            f"window_length={w}, patch_length={patch}."
        )
    if p["strategy"] != "direct" and (p["seasonal_period"] is not None
                                      or window_mode(p) is not None):
        what = (f"scaler={p['scaler']!r}" if window_mode(p) is not None
                else f"seasonal_period={p['seasonal_period']}")
        raise ValueError(
            f"{what} needs strategy='direct' (per-window scaling and the seasonal "
            "residual are defined for the multi-step head); got strategy="
            f"{p['strategy']!r}."
        )
    if p["seasonal_period"] is not None and int(p["seasonal_period"]) > w:
        raise ValueError(
            f"seasonal_period={p['seasonal_period']} exceeds window_length={w}: the "
            "window must hold a whole season."
        )


def check_past_with_window_scaler(p: dict, past: list) -> None:
    if past and window_mode(p) is not None:
        raise ValueError(
            f"scaler={p['scaler']!r} divides each window by the level of its series "
            "channels, which is not defined for standardised past covariates; use "
            f"scaler='standard', 'robust' or 'mean_abs' with past_covariates="
            f"{p['past_covariates']!r}."
        )


def window_mode(p: dict) -> str | None:
    return p["scaler"] if p["scaler"] in ("window", "window_log") else None


def series_kind(p: dict) -> str | None:
    """Scaler of whole series (None when windows are scaled one by one)."""
    return None if window_mode(p) is not None else p["scaler"]


def covariate_kind(p: dict) -> str | None:
    scaler = p["scaler"]
    return "standard" if scaler in ("mean_abs", "window", "window_log") else scaler


def check_window_values(p: dict, arrays: list, ids: list) -> None:
    if window_mode(p) is None:
        return
    low, high = _WINDOW_RANGE[p["dtype"]]
    for uid, v in zip(ids, arrays):
        v = np.asarray(v)
        if not (v > 0).all():
            raise ValueError(
                f"scaler={p['scaler']!r} divides every window by its level, which needs "
                f"positive values; series {uid!r} has values <= 0. Use "
                "scaler='standard' or shift the series."
            )
        if not (low < v.min() and v.max() < high):
            raise ValueError(
                f"scaler={p['scaler']!r} feeds the raw values to the network in "
                f"dtype={p['dtype']!r}, whose range they leave: series {uid!r} has "
                f"values from {v.min():.3g} to {v.max():.3g}. Use scaler='standard' or "
                "rescale the series."
            )


def quantile_levels(p: dict) -> np.ndarray | None:
    """Quantile levels of the pinball head (None for the other losses)."""
    if p["loss"] != "pinball":
        if p["quantiles"] is not None:
            raise ValueError(
                f"quantiles is only used with loss='pinball'; got quantiles="
                f"{p['quantiles']!r} with loss={p['loss']!r}."
            )
        return None
    raw = (0.05, 0.5, 0.95) if p["quantiles"] is None else p["quantiles"]
    q = check_quantile_levels(raw, name="quantiles")
    if not np.any(q == 0.5):
        raise ValueError(
            "quantiles must include 0.5: the median is the point forecast of a "
            f"pinball-loss forecaster; got {raw!r}."
        )
    return q


def calendar_names(p: dict) -> list:
    if p["calendar_features"] is None:
        return []
    names = ([p["calendar_features"]] if isinstance(p["calendar_features"], str)
             else list(p["calendar_features"]))
    bad = [f for f in names if f not in CALENDAR_FEATURES]
    if bad or len(set(names)) != len(names) or not names:
        raise ValueError(
            f"calendar_features must be distinct names among {sorted(CALENDAR_FEATURES)}; "
            f"got {p['calendar_features']!r}."
        )
    return names


def check_calendar_index(infos: list, names: list) -> None:
    if names and any(info.index_kind not in ("datetime", "period") for info in infos):
        raise ValueError(
            f"calendar_features={names} need time stamps: a pandas DatetimeIndex or "
            "PeriodIndex (or datetime 'ds' values in a long DataFrame); got "
            f"{infos[0].describe()}."
        )


def split_covariates(p: dict, columns: Any, m: int) -> tuple[list, list]:
    """Positions of the past-only and of the future-known covariates."""
    if p["past_covariates"] is None:
        return [], list(range(m))
    past = p["past_covariates"]
    entries = [past] if isinstance(past, (str, Integral)) else list(past)
    cols = None if columns is None else list(columns)
    past = []
    for e in entries:
        if isinstance(e, Integral) and not isinstance(e, bool) and (cols is None or e not in cols):
            pos = int(e)
            if not 0 <= pos < m:
                raise ValueError(
                    f"past_covariates entry {e} is not a column position of X, which has "
                    f"{m} column(s)."
                )
        elif cols is not None and e in cols:
            pos = cols.index(e)
        else:
            raise ValueError(
                f"past_covariates entry {e!r} is not a covariate: the covariates are "
                f"{cols if cols is not None else f'{m} unnamed column(s) (use positions)'}."
            )
        if pos in past:
            raise ValueError(f"past_covariates lists the column {e!r} twice.")
        past.append(pos)
    return sorted(past), [j for j in range(m) if j not in past]
