"""Hostile inputs on the statistical side: metrics, naive baselines, transformers, long format.

Every case ends in exactly one of two outcomes, decided in advance by the case:

* a clear error: ``ValueError``/``TypeError`` whose message names the parameter;
* a finite, correct result, compared with an independent computation in exact
  decimal arithmetic (60 digits, :mod:`decimal`) -- never with the code under test.

Anything else (another exception type, NaN/inf, a wrong value, an error where a
result was expected or the reverse) fails.  Inputs: NaN, inf, empty, short,
constant, huge (1e300 and near the float64 maximum), tiny (1e-300), wrong dtypes
(strings, object, bool, complex), wrong dimensions, irregular and duplicated
time stamps.
"""

from __future__ import annotations

import re
from decimal import Decimal, getcontext

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from rnnforecast import metrics as M
from rnnforecast.backtesting import backtest
from rnnforecast.baselines import NaiveForecaster
from rnnforecast.transformers import Differencer, LogTransformer
from rnnforecast.utils.panel import check_panel

getcontext().prec = 60
BASE = 10.0 + np.sin(np.arange(24) / 3.0) + 0.05 * np.arange(24)  # positive, trending
ERROR = "error"


def _series(kind):
    """A hostile 1-D input of each kind (values, or a pandas Series for index kinds)."""
    y = BASE.copy()
    if kind == "ordinary":
        return y
    if kind == "nan":
        y[3] = np.nan
        return y
    if kind == "inf":
        y[5] = np.inf
        return y
    if kind == "empty":
        return np.array([], dtype=float)
    if kind == "short":
        return y[:1]
    if kind == "constant":
        return np.full(24, 5.0)
    if kind == "huge":
        return y * 1e300
    if kind == "near_max":
        return y / y.max() * 1.7e308
    if kind == "tiny":
        return y * 1e-300
    if kind == "strings":
        return np.array([str(v) for v in y])
    if kind == "object":
        return y.astype(object)
    if kind == "bool":
        return y > 10.5
    if kind == "complex":
        return y + 1j
    if kind == "3d":
        return y.reshape(2, 3, 4)
    if kind == "scalar":
        return np.float64(3.0)
    stamps = pd.date_range("2024-01-01", periods=24, freq="D")
    if kind == "irregular":
        return pd.Series(y, index=stamps.delete([4, 9, 10]).append(pd.DatetimeIndex(
            ["2024-02-01", "2024-02-03", "2024-02-07"])))
    if kind == "duplicated":
        return pd.Series(y, index=stamps[:12].append(stamps[:12]))
    raise AssertionError(kind)


KINDS = ["ordinary", "nan", "inf", "empty", "short", "constant", "huge", "near_max", "tiny",
         "strings", "object", "bool", "complex", "3d", "scalar", "irregular", "duplicated"]
BAD_ALWAYS = {"nan", "inf", "empty", "strings", "object", "bool", "complex", "3d", "scalar"}


def _dec(values):
    return [Decimal(float(v)) for v in np.ravel(np.asarray(values, dtype=float))]


def _as_float(d):
    return float(d)


def _outcome(call, expected, param):
    """Run ``call``; check it gives ``expected`` (ERROR, or an array of reference values).

    A reference beyond the float64 range (``float`` of the exact decimal is
    inf) cannot be returned: an error is expected then.
    """
    if not isinstance(expected, str) and not np.isfinite(np.asarray(expected, float)).all():
        expected = ERROR
    if isinstance(expected, str):
        with pytest.raises((ValueError, TypeError)) as info:
            call()
        assert re.search(rf"(?<![\w.]){re.escape(param)}(?!\w)", str(info.value)), (
            f"the message does not name {param!r}: {info.value}")
        return
    got = np.asarray(call(), dtype=float)
    assert np.isfinite(got).all(), got
    ref = np.asarray(expected, dtype=float)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-9, atol=0)


# --------------------------------------------------------------------------- metrics
def _metric_refs(yt, yp, tr, m=1):
    yt, yp, tr = _dec(yt), _dec(yp), _dec(tr)
    n = Decimal(len(yt))
    err = [abs(a - b) for a, b in zip(yt, yp)]
    out = {"mae": sum(err) / n,
           "rmse": (sum(e * e for e in err) / n).sqrt(),
           "smape": Decimal(200) / n * sum(e / (abs(a) + abs(b)) if a or b else Decimal(0)
                                            for e, a, b in zip(err, yt, yp))}
    out["mape"] = (Decimal(100) / n * sum(e / abs(a) for e, a in zip(err, yt))
                   if all(a != 0 for a in yt) else ERROR)
    scale = (sum(abs(tr[i] - tr[i - m]) for i in range(m, len(tr))) / Decimal(len(tr) - m)
             if len(tr) > m else Decimal(0))
    out["mase"] = out["mae"] / scale if scale > 0 else ERROR
    return {k: v if v is ERROR else _as_float(v) for k, v in out.items()}


METRIC_FUNCS = {
    "mae": lambda yt, yp, tr: M.mean_absolute_error(yt, yp),
    "rmse": lambda yt, yp, tr: M.root_mean_squared_error(yt, yp),
    "smape": lambda yt, yp, tr: M.symmetric_mean_absolute_percentage_error(yt, yp),
    "mape": lambda yt, yp, tr: M.mean_absolute_percentage_error(yt, yp),
    "mase": lambda yt, yp, tr: M.mean_absolute_scaled_error(yt, yp, tr),
}


METRIC_POSITIONS = [(m, p) for m in METRIC_FUNCS for p in ("y_true", "y_pred")] + [
    ("mase", "y_train")]


@pytest.mark.parametrize("metric, position", METRIC_POSITIONS)
@pytest.mark.parametrize("kind", KINDS)
def test_metrics(metric, position, kind):
    hostile = _series(kind)
    values = hostile.to_numpy() if isinstance(hostile, pd.Series) else hostile
    ordinary = BASE * 0.97 + 0.1
    args = {"y_true": ordinary, "y_pred": ordinary[::-1].copy(), "y_train": BASE}
    if position != "y_train" and kind not in BAD_ALWAYS:
        # the other argument gets the same length and scale, so the pair stays comparable
        other = "y_pred" if position == "y_true" else "y_true"
        args[other] = (values[::-1] * 0.9).copy() if kind != "constant" else values + 1.0
    args[position] = hostile  # a pandas Series (irregular/duplicated index) is used positionally
    if kind in BAD_ALWAYS:
        expected = ERROR
    else:
        expected = _metric_refs(args["y_true"], args["y_pred"], args["y_train"])[metric]
    _outcome(lambda: METRIC_FUNCS[metric](args["y_true"], args["y_pred"], args["y_train"]),
             expected, position)


@pytest.mark.parametrize("position", ["y_true", "y_pred", "y_train"])
def test_metrics_refuse_masked_entries_and_ragged_rows(position):
    """The value behind a mask is not data; a ragged nested list is no (h, k) array."""
    args = {"y_true": BASE, "y_pred": BASE + 1.0, "y_train": BASE}
    args[position] = np.ma.masked_array(BASE, mask=np.arange(24) == 5)
    _outcome(lambda: M.mean_absolute_scaled_error(**args), ERROR, position)
    args[position] = [[1.0, 2.0]] * 23 + [[3.0]]
    _outcome(lambda: M.mean_absolute_scaled_error(**args), ERROR, position)
    args[position] = np.ma.masked_array(BASE)  # nothing masked: plain data
    ref = _metric_refs(args["y_true"], args["y_pred"], args["y_train"])["mase"]
    _outcome(lambda: M.mean_absolute_scaled_error(**args), ref, position)


@pytest.mark.parametrize("kind", KINDS)
def test_naive2_and_owa(kind):
    hostile = _series(kind)
    values = hostile.to_numpy() if isinstance(hostile, pd.Series) else hostile
    if kind in BAD_ALWAYS:
        _outcome(lambda: M.naive2_forecast(values, h=3, seasonal_period=4), ERROR, "y_train")
    else:
        # BASE is not seasonal at m = 4: Naive2 is the naive (last value) forecast
        assert not M.seasonality_test(values, 4)
        _outcome(lambda: M.naive2_forecast(values, h=3, seasonal_period=4), [values[-1]] * 3, "y_train")
    if kind in BAD_ALWAYS - {"scalar"}:  # a scalar is a valid OWA argument
        _outcome(lambda: M.overall_weighted_average(values, 1.0, 1.0, 1.0), ERROR, "smape")
        return
    d = _dec(values)
    owa = (sum(d) / len(d) / Decimal(2) + Decimal(1)) / 2  # smape_naive2 = 2, mase ratio 1
    _outcome(lambda: M.overall_weighted_average(values, 1.0, 2.0, 1.0), _as_float(owa), "smape")


# --------------------------------------------------------------------------- naive baselines
def _naive_refs(y, strategy, h, coverage, sp=4):
    """Point forecasts and interval bounds by FPP3 Table 5.2, in exact decimals."""
    d = _dec(y)
    T = len(d)
    j = range(1, h + 1)
    if strategy == "last":
        mean = [d[-1]] * h
    elif strategy == "mean":
        mean = [sum(d) / T] * h
    elif strategy == "drift":
        mean = [d[-1] + k * (d[-1] - d[0]) / (T - 1) for k in j]
    else:
        mean = [d[T - sp + (k - 1) % sp] for k in j]
    if strategy == "mean":
        mu = sum(d) / T
        sigma = (sum((v - mu) ** 2 for v in d) / (T - 1)).sqrt()
        scale = [(1 + Decimal(1) / T).sqrt()] * h
    else:
        lag = sp if strategy == "seasonal_last" else 1
        diffs = [d[t] - d[t - lag] for t in range(lag, T)]
        if strategy == "drift":
            b = sum(diffs) / len(diffs)
            diffs = [x - b for x in diffs]
        sigma = (sum(x * x for x in diffs) / len(diffs)).sqrt()
        if strategy == "last":
            scale = [Decimal(k).sqrt() for k in j]
        elif strategy == "drift":
            scale = [(k * (1 + Decimal(k) / (T - 1))).sqrt() for k in j]
        else:
            scale = [Decimal((k - 1) // sp + 1).sqrt() for k in j]
    z = Decimal(float(norm.ppf(0.5 + coverage / 2)))
    lower = [m - z * sigma * s for m, s in zip(mean, scale)]
    upper = [m + z * sigma * s for m, s in zip(mean, scale)]
    return [float(m) for m in mean], np.column_stack([[float(v) for v in lower],
                                                      [float(v) for v in upper]])


MIN_POINT = {"last": 1, "mean": 1, "drift": 2, "seasonal_last": 4}
MIN_INTERVAL = {"last": 2, "mean": 2, "drift": 3, "seasonal_last": 5}


@pytest.mark.parametrize("strategy", ["last", "mean", "drift", "seasonal_last"])
@pytest.mark.parametrize("kind", KINDS)
def test_naive_forecaster(strategy, kind):
    y = _series(kind)
    f = NaiveForecaster(strategy, seasonal_period=4)
    bad_index = kind in ("irregular", "duplicated")
    if kind in BAD_ALWAYS or bad_index or len(y) < MIN_POINT[strategy]:
        _outcome(lambda: f.fit(y), ERROR, "y")
        return
    if len(y) < MIN_INTERVAL[strategy]:
        _outcome(lambda: f.fit(y).predict(5), [float(y[-1])] * 5, "y")  # one value: last = mean
        _outcome(lambda: f.predict_interval(5, coverage=0.9), ERROR, "y")
        return
    mean, bounds = _naive_refs(y, strategy, h=5, coverage=0.9)
    _outcome(lambda: f.fit(y).predict(5), mean, "y")
    _outcome(lambda: f.predict_interval(5, coverage=0.9), bounds, "y")


def test_naive_forecasts_beyond_float64_are_errors_not_inf():
    y = np.linspace(0.0, 1.7e308, 24)  # a drift that leaves the float64 range at step 2
    f = NaiveForecaster("drift").fit(y)
    _outcome(lambda: f.predict(1), [float(_dec(y)[-1] + (_dec(y)[-1] - _dec(y)[0]) / 23)],
             "h")
    _outcome(lambda: f.predict(2), ERROR, "h")


# --------------------------------------------------------------------------- transformers
@pytest.mark.parametrize("kind", KINDS)
def test_log_transformer(kind):
    y = _series(kind)
    t = LogTransformer()
    if kind in BAD_ALWAYS:
        _outcome(lambda: t.fit(y), ERROR, "y")
        return
    values = y.to_numpy() if isinstance(y, pd.Series) else y
    ref = [float(v.ln()) for v in _dec(values)]
    _outcome(lambda: t.fit_transform(y), ref, "y")
    # the inverse of the transform gives the data back (exp of the exact logs)
    _outcome(lambda: t.inverse_transform(t.transform(y)), values, "y")
    # a forecast far up the log scale: beyond float64 is an error naming the transformer
    _outcome(lambda: t.inverse_transform(np.array([800.0])), ERROR, "LogTransformer()")


@pytest.mark.parametrize("kind", KINDS)
def test_differencer(kind):
    y = _series(kind)
    d = Differencer(lags=1)
    if kind in BAD_ALWAYS or len(y) < 2:
        _outcome(lambda: d.fit(y), ERROR, "y")
        return
    values = y.to_numpy() if isinstance(y, pd.Series) else y
    dv = _dec(values)
    _outcome(lambda: d.fit_transform(y), [float(b - a) for a, b in zip(dv[:-1], dv[1:])], "y")
    step = Decimal(float(values[-1])) / 10
    ref = [float(dv[-1] + k * step) for k in (1, 2, 3)]
    _outcome(lambda: d.inverse_transform_forecast(np.full(3, float(step))), ref, "y_forecast")


# --------------------------------------------------------------------------- long format
def _long_frame(kind):
    y = _series(kind)
    n = 24
    ds = pd.date_range("2024-01-01", periods=n, freq="D")
    if isinstance(y, pd.Series):
        values, ds = y.to_numpy(), y.index
    elif np.ndim(y) != 1:
        values = np.ravel(y)[:n] if np.ndim(y) else np.full(n, y)
        return pd.DataFrame({"unique_id": "a", "ds": ds[:len(values)], "y": list(values)}), None
    else:
        values = y
    return (pd.DataFrame({"unique_id": ["a"] * len(values), "ds": ds[:len(values)],
                          "y": values}), values)


@pytest.mark.parametrize("layout", ["columns", "id_in_index", "no_id", "other_id_name"])
@pytest.mark.parametrize("kind", KINDS)
def test_long_format_parser(layout, kind):
    df, values = _long_frame(kind)
    if layout == "id_in_index":
        df = df.set_index("unique_id")
    elif layout == "no_id":
        df = df.drop(columns="unique_id")
    elif layout == "other_id_name":
        df = df.rename(columns={"unique_id": "series"})
    if layout in ("no_id", "other_id_name"):
        # not the long format: a clear error that names what is missing
        _outcome(lambda: NaiveForecaster().fit(df), ERROR, "unique_id")
        return
    if kind in BAD_ALWAYS - {"3d", "scalar"} or kind in ("irregular", "duplicated", "short"):
        # a single daily time stamp has no inferable frequency: refused like any series
        _outcome(lambda: check_panel(df), ERROR, "y")
        return
    if kind in ("3d", "scalar"):  # flattened / repeated into a valid column: read as is
        values = df["y"].to_numpy(dtype=float)
    _outcome(lambda: check_panel(df).values[0], values, "y")


# --------------------------------------------------------------------------- one series only
ONE_SERIES_CALLS = {
    "log": lambda y: LogTransformer().fit(y),
    "differencer": lambda y: Differencer().fit(y),
    "backtest": lambda y: backtest(NaiveForecaster(), y, horizon=2, n_windows=2),
}


def _collections():
    long = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 24), "ds": np.tile(np.arange(24), 2),
                         "y": np.concatenate([BASE, BASE + 1.0])})
    return {"list": [BASE, BASE + 1.0], "tuple": (BASE, BASE + 1.0),
            "series_list": [pd.Series(BASE), pd.Series(BASE + 1.0)], "long": long}


@pytest.mark.parametrize("call", sorted(ONE_SERIES_CALLS))
@pytest.mark.parametrize("kind", sorted(_collections()))
def test_a_collection_is_not_read_as_one_series(call, kind):
    """np.asarray([a, b]) is 2 time steps of 24 series: a collection is refused instead."""
    with pytest.raises(TypeError) as info:
        ONE_SERIES_CALLS[call](_collections()[kind])
    msg = str(info.value)
    assert re.search(r"(?<!\w)y(?!\w)", msg) and "single series" in msg, msg
