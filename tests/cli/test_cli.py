"""The ``rnnforecast`` command line: parse errors, an end-to-end benchmark run, ``python -m``."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import rnnforecast.benchmarking.run as benchmark_run
from rnnforecast.baselines import ARIMAFitError, ARIMAForecaster
from rnnforecast.cli import build_parser, main
from rnnforecast.datasets import load_dataset
from rnnforecast.metrics import (
    mean_absolute_scaled_error,
    root_mean_squared_error,
    symmetric_mean_absolute_percentage_error,
)

EXPECTED_MODELS = ["lstm", "gru", "rnn", "arima", "auto_arima", "seasonal_naive"]
EXPECTED_DATASETS = ["co2", "elec_equip", "elnino", "macrodata_realgdp", "nile", "sunspots"]


def _exit_code(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    return info.value.code, capsys.readouterr().err


def test_unknown_model_lists_the_valid_names(capsys):
    code, err = _exit_code(["benchmark", "--models", "lstm,prophet"], capsys)
    assert code == 2
    assert "unknown model 'prophet'" in err
    for name in EXPECTED_MODELS:
        assert name in err


def test_unknown_dataset_lists_the_valid_names(capsys):
    code, err = _exit_code(["benchmark", "--dataset", "airline"], capsys)
    assert code == 2
    assert "'airline'" in err
    for name in EXPECTED_DATASETS:
        assert name in err


def test_horizon_longer_than_the_test_part_gives_both_numbers(capsys):
    n = len(load_dataset("nile"))  # 100 observations: test part = last 50
    code, err = _exit_code(["benchmark", "--dataset", "nile", "--horizon", "51"], capsys)
    assert code == 2
    assert "horizon 51" in err and f"test part of nile: {n // 2} observations" in err and str(n) in err


def test_windows_times_horizon_too_long(capsys):
    code, err = _exit_code(["benchmark", "--dataset", "nile", "--horizon", "20", "--windows", "3"], capsys)
    assert code == 2
    assert "3 windows x horizon 20 = 60" in err and "50 observations" in err


@pytest.mark.parametrize("bad", ["0", "-3", "two"])
def test_horizon_must_be_a_positive_int(capsys, bad):
    code, err = _exit_code(["benchmark", "--horizon", bad], capsys)
    assert code == 2 and "--horizon" in err


@pytest.mark.parametrize("bad", ["-1", "4294967296", "1.5"])
def test_seed_outside_the_models_range_is_refused_up_front(capsys, bad):
    """random_state takes 0 .. 2**32 - 1: refused by the parser, not by every neural fit."""
    code, err = _exit_code(["benchmark", "--dataset", "nile", "--seed", bad], capsys)
    assert code == 2 and "--seed" in err and "2**32 - 1" in err, err


def test_parser_has_a_subcommand_per_function():
    parser = build_parser()
    args = parser.parse_args(["benchmark", "--models", "arima, naive2", "--windows", "2"])
    assert args.command == "benchmark"
    assert args.models == ["arima", "naive2"] and args.windows == 2 and args.horizon is None
    assert callable(args.handler)


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "benchmark" in capsys.readouterr().out


def test_python_m_help():
    env = dict(os.environ)
    for args, expected in (([], "benchmark"), (["benchmark"], "--horizon")):
        proc = subprocess.run([sys.executable, "-m", "rnnforecast", *args, "--help"], capture_output=True,
                              text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert expected in proc.stdout


def _seasonal_naive_by_hand(v, horizon, windows, sp):
    """Means over windows of MASE, sMAPE, RMSE of the seasonal naive forecast (layout t_i = n - (W - i) h)."""
    n = len(v)
    scores = []
    for i in range(windows):
        t = n - (windows - i) * horizon
        pred = np.array([v[t - sp + (j % sp)] for j in range(horizon)])
        true = v[t : t + horizon]
        scores.append((mean_absolute_scaled_error(true, pred, v[:t], seasonal_period=sp),
                       symmetric_mean_absolute_percentage_error(true, pred),
                       root_mean_squared_error(true, pred)))
    return np.mean(scores, axis=0)


def test_benchmark_end_to_end(tmp_path, capsys):
    out = tmp_path / "res"
    code = main(["benchmark", "--dataset", "elec_equip", "--horizon", "12", "--windows", "2",
                 "--models", "seasonal_naive,naive2,arima,rnn", "--quick", "--seed", "1", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    files = sorted(p.name for p in out.iterdir())
    assert files == ["benchmark_elec_equip_h12.csv", "benchmark_elec_equip_h12.md",
                     "benchmark_elec_equip_h12.png"]
    assert (out / "benchmark_elec_equip_h12.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    table = pd.read_csv(out / "benchmark_elec_equip_h12.csv", index_col="model")
    assert list(table.index) == ["seasonal_naive", "naive2", "arima", "rnn"]
    assert (table["status"] == "ok").all() and (table["n_windows"] == 2).all()
    assert np.isfinite(table[["mase", "smape", "rmse", "fit_seconds", "predict_seconds"]].to_numpy()).all()
    v = load_dataset("elec_equip").to_numpy()
    mase, smape, rmse = _seasonal_naive_by_hand(v, 12, 2, 12)
    row = table.loc["seasonal_naive"]
    assert row["mase"] == pytest.approx(mase, rel=1e-12)
    assert row["smape"] == pytest.approx(smape, rel=1e-12)
    assert row["rmse"] == pytest.approx(rmse, rel=1e-12)

    md = (out / "benchmark_elec_equip_h12.md").read_text()
    assert "| model | MASE | sMAPE | RMSE | fit s | predict s |" in md
    assert "`rnn`: `RNNForecaster(" in md and "random_state=1" in md
    assert "Command: `rnnforecast benchmark --dataset elec_equip" in md
    assert "warm-up fit (1 epoch) of each recurrent model" in md and "rnn" in md
    # printed table: header, the best MASE is marked, and the progress bar went to stderr
    assert "MASE" in captured.out and "*" in captured.out
    best = table["mase"].idxmin()
    assert any(line.startswith(best) and " *" in line for line in captured.out.splitlines())
    assert "rnn window 2/2" in captured.err and "8/8" in captured.err


class _FailingARIMA(ARIMAForecaster):
    """ARIMA whose fit fails once the training window passes 240 observations."""

    def _fit(self, y, X=None):
        if len(y) > 240:
            raise ARIMAFitError("simulated numerical failure")
        return super()._fit(y, X)


def test_arima_failure_reports_the_window_and_exit_status_1(tmp_path, capsys, monkeypatch):
    real = benchmark_run.make_forecaster

    def fake(name, **kw):
        return _FailingARIMA(order=(1, 1, 0)) if name == "arima" else real(name, **kw)

    monkeypatch.setattr(benchmark_run, "make_forecaster", fake)  # run_benchmark looks it up there
    # elec_equip has 257 observations; with h=12 and 2 windows they train on 233 and 245
    code = main(["benchmark", "--dataset", "elec_equip", "--horizon", "12", "--windows", "2",
                 "--models", "arima,seasonal_naive", "--out", str(tmp_path), "--no-plot", "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1
    assert "arima failed in window 2/2" in captured.err and "simulated numerical failure" in captured.err
    assert "FAILED (window 2/2)" in captured.out
    table = pd.read_csv(tmp_path / "benchmark_elec_equip_h12.csv", index_col="model")
    assert table.loc["seasonal_naive", "status"] == "ok"
    assert "window 2/2" in table.loc["arima", "status"] and table.loc["arima", "n_windows"] == 1
    assert "FAILED" in (tmp_path / "benchmark_elec_equip_h12.md").read_text()


def test_warmup_command_compiles_and_reports(capsys):
    from rnnforecast.cli import main

    assert main(["warmup", "--cells", "rnn", "--dtypes", "float64"]) == 0
    out = capsys.readouterr().out
    assert "rnn" in out and "float64" in out and "total" in out


def test_warmup_rejects_unknown_cells(capsys):
    from rnnforecast.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["warmup", "--cells", "transformer"])
    assert exc.value.code == 2
    assert "rnn, gru, lstm" in capsys.readouterr().err
