"""Reading DataFrames: the long format needs unique_id/ds/y; time stamps are never values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnforecast.baselines import NaiveForecaster
from rnnforecast.forecasting import LocalForecaster
from rnnforecast.transformers import LogTransformer
from rnnforecast.utils.panel import check_panel, is_panel
from rnnforecast.utils.validation import check_exog, check_series

NEEDS = r"needs the columns 'unique_id' \(series identifier\), 'ds' \(time stamp\) and 'y'"


def _long(ds_kind="datetime", n=6):
    ds = (pd.date_range("2024-01-01", periods=n, freq="D") if ds_kind == "datetime"
          else np.arange(n))
    return pd.DataFrame({"unique_id": ["a"] * n + ["b"] * n, "ds": list(ds) * 2,
                         "y": np.r_[np.arange(float(n)), 10.0 + 2 * np.arange(float(n))]})


@pytest.mark.parametrize("ds_kind", ["datetime", "integer"])
def test_ds_and_y_without_unique_id_is_refused_everywhere(ds_kind):
    df = _long(ds_kind).drop(columns="unique_id")
    # an integer ds would otherwise be read as a second value column
    for call in (lambda: NaiveForecaster().fit(df),
                 lambda: LocalForecaster(NaiveForecaster()).fit(df),
                 lambda: LogTransformer().fit(df),
                 lambda: check_series(df)):
        with pytest.raises(ValueError, match=r"y has a 'ds' column \(time stamps\).*" + NEEDS):
            call()
    with pytest.raises(ValueError, match=r"set_index\('ds'\)"):
        check_series(df)


def test_id_column_with_another_name_is_named_with_the_rename():
    df = _long().rename(columns={"unique_id": "store"})
    with pytest.raises(ValueError, match=r"non-numeric column 'store' identifies the series, "
                                         r"rename it: y\.rename\(columns=\{'store': 'unique_id'\}\)"):
        LocalForecaster(NaiveForecaster()).fit(df)


@pytest.mark.parametrize("as_strings", [False, True])
def test_datetime_like_column_under_another_name_is_never_a_value(as_strings):
    dates = pd.date_range("2024-01-01", periods=6, freq="D")
    df = pd.DataFrame({"date": dates.astype(str) if as_strings else dates,
                       "sales": np.arange(6.0)})
    with pytest.raises(ValueError, match=r"datetime-like column\(s\) \['date'\].*set_index\('date'\)"):
        NaiveForecaster().fit(df)
    X = pd.DataFrame({"when": dates, "temp": np.ones(6)})
    with pytest.raises(ValueError, match=r"X has datetime-like column\(s\) \['when'\]"):
        check_exog(X, n_rows=6)
    with pytest.raises(TypeError, match=r"y must hold real numbers; got time stamps"):
        check_series(pd.Series(dates))


def test_unique_id_without_y_says_to_rename_the_target():
    df = _long().rename(columns={"y": "value"})
    with pytest.raises(ValueError, match=r"has a 'unique_id' column but no 'y' column.*rename the "
                                         r"target column to 'y'"):
        LocalForecaster(NaiveForecaster()).fit(df)


@pytest.mark.parametrize("index", [["unique_id"], ["unique_id", "ds"], ["ds"]])
def test_unique_id_or_ds_in_the_index_is_accepted_and_nothing_is_lost(index):
    df = _long()
    moved = df.set_index(index)
    assert is_panel(moved)
    ref, got = check_panel(df), check_panel(moved)
    assert got.ids == ref.ids == ["a", "b"]
    for a, b in zip(got.values, ref.values):
        np.testing.assert_array_equal(a, b)
    f_ref = LocalForecaster(NaiveForecaster("drift")).fit(df).predict(2)
    f_got = LocalForecaster(NaiveForecaster("drift")).fit(moved).predict(2)
    pd.testing.assert_frame_equal(f_got, f_ref)
    # drift of series b: last 20, slope 2
    assert f_got.loc[f_got["unique_id"] == "b", "y"].tolist() == [22.0, 24.0]


def test_a_level_both_in_the_index_and_the_columns_is_ambiguous():
    df = _long()
    both = df.set_index(pd.Index(df["unique_id"].to_numpy(), name="unique_id"))
    with pytest.raises(ValueError, match=r"\['unique_id'\] both as index level\(s\) and as column"):
        check_panel(both)


def test_wide_numeric_frames_still_read_as_one_multivariate_series():
    wide = pd.DataFrame({"a": np.arange(5.0), "b": np.arange(5.0) * 2},
                        index=pd.date_range("2024", periods=5, freq="D"))
    values, info = check_series(wide)
    assert values.shape == (5, 2) and list(info.columns) == ["a", "b"]


def test_future_covariates_with_unique_id_and_ds_in_the_index():
    from rnnforecast.utils.panel import check_long_future_exog

    panel = check_panel(_long("integer").assign(price=1.0))
    X = pd.DataFrame({"unique_id": ["a", "a", "b", "b"], "ds": [6, 7, 6, 7],
                      "price": [1.5, 2.5, 3.5, 4.5]})
    ref = check_long_future_exog(X, panel.ids, panel.infos, 2, ["price"])
    got = check_long_future_exog(X.set_index(["unique_id", "ds"]), panel.ids, panel.infos, 2,
                                 ["price"])
    assert [a.ravel().tolist() for a in got] == [a.ravel().tolist() for a in ref] == [
        [1.5, 2.5], [3.5, 4.5]]


def test_global_forecaster_reads_unique_id_from_the_index_identically():
    from rnnforecast import LSTMForecaster

    df = _long(n=60)  # long enough for a network (not a short-series fallback)
    kw = dict(window_length=3, hidden_size=4, max_iter=2, random_state=0, n_jobs=1,
              strategy="recursive")
    ref = LSTMForecaster(**kw).fit(df).predict(2)
    got = LSTMForecaster(**kw).fit(df.set_index("unique_id")).predict(2)
    pd.testing.assert_frame_equal(got, ref)
    assert np.isfinite(got["y"]).all() and list(got["unique_id"]) == ["a", "a", "b", "b"]
    with pytest.raises(ValueError, match=r"y has a 'ds' column .* no 'unique_id' column"):
        LSTMForecaster(**kw).fit(df.drop(columns="unique_id"))


def test_a_series_named_ds_is_never_read_as_values():
    df = _long("integer")
    with pytest.raises(ValueError, match=r"y is a Series named 'ds'.*never used as values"):
        NaiveForecaster().fit(df["ds"])
    assert NaiveForecaster().fit(df.set_index("ds")["y"].iloc[:6]).predict(1).tolist() == [5.0]
