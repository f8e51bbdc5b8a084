"""``rnnforecast benchmark --csv FILE``: one series or the long format, defaults from the
frequency, and a clear error (exit status 2) for every unusable file (issue 12 item 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rnnforecast.cli import main

N = 96
FAST = ["--models", "naive,seasonal_naive", "--windows", "2", "--no-progress"]


def monthly_values(offset=0.0):
    t = np.arange(N)
    return 100 + offset + 10 * np.sin(t * 2 * np.pi / 12) + 0.5 * t + np.cos(t * 0.7)


def seasonal_naive_by_hand(v, h, windows, m):
    """Mean over windows of MASE and sMAPE of the seasonal naive forecast, written out."""
    mase, smape = [], []
    n = len(v)
    for i in range(windows):
        t = n - (windows - i) * h
        train, test = v[:t], v[t:t + h]
        f = np.resize(train[-m:], h)
        mase.append(np.mean(np.abs(test - f)) / np.mean(np.abs(train[m:] - train[:-m])))
        smape.append(np.mean(200 * np.abs(test - f) / (np.abs(test) + np.abs(f))))
    return np.mean(mase), np.mean(smape)


@pytest.fixture
def single(tmp_path):
    path = tmp_path / "sales.csv"
    dates = pd.date_range("2015-01-01", periods=N, freq="MS")
    pd.DataFrame({"month": dates.strftime("%Y-%m-%d"), "sales": monthly_values()}).to_csv(path, index=False)
    return path


@pytest.fixture
def long(tmp_path):
    path = tmp_path / "shops.csv"
    dates = pd.date_range("2015-01-01", periods=N, freq="MS")
    frames = [pd.DataFrame({"unique_id": uid, "ds": dates, "y": monthly_values(off)})
              for uid, off in (("a", 0.0), ("b", 40.0), ("c", 15.0))]
    # shuffled rows: the order of the rows is not data
    pd.concat(frames).sample(frac=1.0, random_state=0).to_csv(path, index=False)
    return path


def test_single_series_with_defaults_from_the_monthly_frequency(single, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["benchmark", "--csv", str(single), *FAST, "--out", str(out)]) == 0
    # monthly: seasonal period 12, M4 horizon 18
    assert sorted(p.name for p in out.iterdir()) == [
        "benchmark_sales_h18.csv", "benchmark_sales_h18.md", "benchmark_sales_h18.png"]
    table = pd.read_csv(out / "benchmark_sales_h18.csv", index_col="model")
    mase, smape = seasonal_naive_by_hand(monthly_values(), 18, 2, 12)
    assert table.loc["seasonal_naive", "mase"] == pytest.approx(mase, rel=1e-12)
    assert table.loc["seasonal_naive", "smape"] == pytest.approx(smape, rel=1e-12)
    assert "period 12" in (out / "benchmark_sales_h18.md").read_text()
    assert "MASE" in capsys.readouterr().out


def test_explicit_columns_period_and_horizon(tmp_path):
    path = tmp_path / "data.csv"
    pd.DataFrame({"id": range(N), "when": pd.date_range("2015-01-01", periods=N, freq="MS"),
                  "other": 1.0, "value": monthly_values()}).to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["benchmark", "--csv", str(path), "--time-col", "when", "--value-col", "value",
                 "--seasonal-period", "6", "--horizon", "12", *FAST, "--no-plot", "--out", str(out)]) == 0
    table = pd.read_csv(out / "benchmark_data_h12.csv", index_col="model")
    mase, _ = seasonal_naive_by_hand(monthly_values(), 12, 2, 6)
    assert table.loc["seasonal_naive", "mase"] == pytest.approx(mase, rel=1e-12)


def test_long_format_means_over_series(long, tmp_path):
    out = tmp_path / "out"
    assert main(["benchmark", "--csv", str(long), *FAST, "--out", str(out)]) == 0
    table = pd.read_csv(out / "benchmark_shops_h18.csv", index_col="model")
    per_series = [seasonal_naive_by_hand(monthly_values(off), 18, 2, 12) for off in (0.0, 40.0, 15.0)]
    assert table.loc["seasonal_naive", "mase"] == pytest.approx(np.mean([m for m, _ in per_series]), rel=1e-12)
    assert table.loc["seasonal_naive", "smape"] == pytest.approx(np.mean([s for _, s in per_series]), rel=1e-12)
    assert table.loc["seasonal_naive", "n_windows"] == 6 and table.loc["naive", "status"] == "ok"
    assert (out / "benchmark_shops_h18.png").read_bytes()[:4] == b"\x89PNG"
    assert "3 series" in (out / "benchmark_shops_h18.md").read_text()


def test_integer_time_column_means_no_seasonality(tmp_path):
    path = tmp_path / "years.csv"
    pd.DataFrame({"year": np.arange(1900, 1900 + 60), "flow": np.linspace(1, 2, 60) ** 2}).to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["benchmark", "--csv", str(path), "--models", "naive,drift", "--windows", "2",
                 "--no-progress", "--no-plot", "--out", str(out)]) == 0
    assert (out / "benchmark_years_h8.csv").exists()  # period 1: horizon max(2, 8)


def _error(argv, capsys) -> str:
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2, err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


def _write(tmp_path, text, name="bad.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _monthly_text(values, dates=None):
    dates = dates if dates is not None else pd.date_range("2015-01-01", periods=len(values), freq="MS")
    return "ds,y\n" + "".join(f"{d:%Y-%m-%d},{v}\n" for d, v in zip(dates, values))


@pytest.mark.parametrize("make, words", [
    (lambda p: p / "missing.csv", ["missing.csv", "file not found"]),
    (lambda p: _write(p, ""), ["bad.csv", "cannot be read as CSV"]),
    (lambda p: _write(p, "just_one_column\n1\n2\n"), ["bad.csv", "at least two columns"]),
])
def test_unreadable_files(tmp_path, capsys, make, words):
    err = _error(["benchmark", "--csv", str(make(tmp_path)), *FAST, "--out", str(tmp_path / "o")], capsys)
    assert all(w in err for w in words), err


def test_missing_column(single, tmp_path, capsys):
    err = _error(["benchmark", "--csv", str(single), "--value-col", "revenue", *FAST], capsys)
    assert "no column 'revenue' (--value-col)" in err and "'sales'" in err


def test_text_value_column(tmp_path, capsys):
    values = [str(v) for v in monthly_values()]
    values[5] = "n/a?"
    err = _error(["benchmark", "--csv", str(_write(tmp_path, _monthly_text(values))), *FAST], capsys)
    assert "holds text" in err and "'n/a?'" in err and "row 6" in err


def test_missing_values(tmp_path, capsys):
    values = [str(v) for v in monthly_values()]
    values[7] = ""
    err = _error(["benchmark", "--csv", str(_write(tmp_path, _monthly_text(values))), *FAST], capsys)
    assert "1 missing or infinite value(s), the first on data row 8" in err


def test_duplicated_time_stamps(tmp_path, capsys):
    dates = list(pd.date_range("2015-01-01", periods=N, freq="MS"))
    dates[10] = dates[9]
    err = _error(["benchmark", "--csv", str(_write(tmp_path, _monthly_text(monthly_values(), dates))), *FAST],
                 capsys)
    assert "duplicated time stamp 2015-10-01" in err


def test_irregular_time_stamps(tmp_path, capsys):
    dates = pd.date_range("2015-01-01", periods=N + 1, freq="MS").delete(30)
    path = _write(tmp_path, _monthly_text(monthly_values(), dates))
    err = _error(["benchmark", "--csv", str(path), *FAST], capsys)
    assert "irregular time stamps (they start with frequency MS)" in err
    assert "expected 2017-07-01 00:00:00 at data row 31, got 2017-08-01 00:00:00" in err
    err = _error(["benchmark", "--csv", str(path), "--freq", "MS", *FAST], capsys)
    assert "for --freq MS: expected 2017-07-01 00:00:00 at data row 31" in err


def test_long_format_problems_name_the_series(long, tmp_path, capsys):
    frame = pd.read_csv(long)
    frame["y"] = frame["y"].astype(object)
    frame.loc[frame.index[frame["unique_id"] == "b"][3], "y"] = "oops"
    path = tmp_path / "shops2.csv"
    frame.to_csv(path, index=False)
    err = _error(["benchmark", "--csv", str(path), *FAST], capsys)
    assert "(series 'b')" in err and "holds text" in err


def test_a_row_without_series_id_is_refused_not_dropped(long, tmp_path, capsys):
    """The last row of series 'b' has no id: dropping it would pass every other check."""
    frame = pd.read_csv(long)
    last_b = frame.index[frame["unique_id"] == "b"][np.argmax(frame.loc[frame["unique_id"] == "b", "ds"])]
    frame.loc[last_b, "unique_id"] = np.nan
    path = tmp_path / "shops_no_id.csv"
    frame.to_csv(path, index=False)
    err = _error(["benchmark", "--csv", str(path), *FAST], capsys)
    assert "id column 'unique_id' has 1 missing value(s)" in err, err
    assert f"data row {last_b + 1}" in err, err


def test_series_too_short_for_the_horizon(tmp_path, capsys):
    path = _write(tmp_path, _monthly_text(monthly_values()[:30]))
    err = _error(["benchmark", "--csv", str(path), *FAST], capsys)
    assert "18" in err and "30" in err


def test_csv_options_need_csv_and_csv_excludes_dataset(single, capsys):
    assert "only apply to --csv" in _error(["benchmark", "--time-col", "x", *FAST], capsys)
    assert "not allowed with argument" in _error(
        ["benchmark", "--csv", str(single), "--dataset", "nile", *FAST], capsys)


def test_several_candidate_value_columns(tmp_path, capsys):
    path = _write(tmp_path, "ds,a,b\n2020-01-01,1,2\n2020-02-01,2,3\n2020-03-01,3,4\n")
    err = _error(["benchmark", "--csv", str(path), *FAST], capsys)
    assert "several candidate value columns ['a', 'b']" in err and "--value-col" in err


@pytest.mark.parametrize("text, words", [
    ("ds,y\n2020-01-01,true\n2020-02-01,false\n2020-03-01,true\n", ["true/false values"]),
    ("ds,y\nfoo,1\nbar,2\nbaz,3\n", ["time column 'ds' cannot be read as dates"]),
    ("ds,y\n", ["got 2 column(s) and 0 row(s)"]),
    ("unique_id,ds,y\na,2020-01-01,1\na,2020-02-01,2\na,2020-03-01,3\n"
     "b,2020-01-01,1\nb,2020-01-02,2\nb,2020-01-03,3\n", ["different frequencies ['D', 'MS']"]),
])
def test_more_unusable_files(tmp_path, capsys, text, words):
    err = _error(["benchmark", "--csv", str(_write(tmp_path, text)), *FAST], capsys)
    assert all(w in err for w in words), err


def test_binary_file_and_folder(tmp_path, capsys):
    path = tmp_path / "bin.csv"
    path.write_bytes(bytes(range(128, 256)) * 20)
    assert "cannot be read as CSV" in _error(["benchmark", "--csv", str(path), *FAST], capsys)
    assert "cannot be read as CSV" in _error(["benchmark", "--csv", str(tmp_path), *FAST], capsys)
