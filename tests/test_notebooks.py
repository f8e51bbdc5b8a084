"""Every notebook in notebooks/ runs top to bottom without errors and shows what it claims.

Each notebook's last code cell prints one line ``RESULT {json}``; the checks below
read it.  The notebooks run in a ``python3`` Jupyter kernel (nbclient), in
``notebooks/`` as working directory, with matplotlib's Agg backend and this
checkout first on the kernel's ``sys.path``.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path

import pytest

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = [
    "01_quickstart.ipynb",
    "02_grid_search_and_pipelines.ipynb",
    "03_rnn_gru_lstm_from_the_inside.ipynb",
    "04_benchmark_vs_arima.ipynb",
    "05_many_series_on_dask.ipynb",
]
CELL_TIMEOUT_S = 300
#: Optional modules a notebook needs (the notebook's test skips with a reason without them).
NEEDS = {"05_many_series_on_dask.ipynb": ("distributed", "the 'dask' extra")}


def _notebook_files() -> list[str]:
    return sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


def test_expected_notebooks_exist():
    found = _notebook_files()
    missing = [name for name in EXPECTED if name not in found]
    assert not missing, f"missing notebooks: {missing}; found {found}"
    # anything else must follow the NN_name.ipynb pattern
    for name in found:
        assert name[:2].isdigit() and name[2] == "_", name


@pytest.mark.parametrize("name", sorted(set(EXPECTED) | set(_notebook_files())))
def test_notebook_is_stored_without_outputs(name):
    path = NOTEBOOKS / name
    if not path.exists():
        pytest.fail(f"{name} is missing")
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: outputs not stripped"
    assert any(c.cell_type == "markdown" for c in nb.cells)


def _run(name: str, monkeypatch) -> dict:
    path = NOTEBOOKS / name
    if not path.exists():
        pytest.fail(f"{name} is missing")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    t0 = time.perf_counter()
    client.execute()  # raises CellExecutionError (with the traceback) if a cell fails
    print(f"{name}: executed in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    lines = [line for cell in nb.cells if cell.cell_type == "code"
             for line in "".join(out["text"] for out in cell.get("outputs", [])
                                 if out.get("output_type") == "stream"
                                 and out.get("name") == "stdout").splitlines()]
    results = [line for line in lines if line.startswith("RESULT ")]
    assert len(results) <= 1, f"{name} printed {len(results)} RESULT lines"
    return json.loads(results[0][len("RESULT "):]) if results else None


def _finite(*values) -> bool:
    return all(isinstance(v, (int, float)) and math.isfinite(v) for v in values)


def check_01(r):
    # the interval has positive width and covers most of the held-out months
    assert r["interval_width"] > 0
    assert r["covered"] >= 0.5, r
    assert r["interval_source"] in ("LSTMForecaster.predict_interval", "ARIMAForecaster.predict_interval")
    assert r["n_windows"] == 3
    assert _finite(r["mase_lstm"], r["mase_arima"])
    # a seasonal ARIMA on CO2 is close to perfect; the LSTM is at least in the same league
    assert 0 < r["mase_arima"] < 2 and 0 < r["mase_lstm"] < 10, r


def check_02(r):
    assert r["n_candidates_lstm"] == 4 and r["n_candidates_pipeline"] == 2 and r["n_splits"] == 3
    assert set(r["best_lstm"]) == {"hidden_size", "window_length"}
    assert r["best_pipeline_lags"] in (1, [1, 12])
    assert r["forecast_index_ok"]
    assert _finite(r["cv_mase_lstm"], r["cv_mase_pipeline"], r["test_mase_lstm"], r["test_mase_pipeline"])
    for key in ("cv_mase_lstm", "cv_mase_pipeline", "test_mase_lstm", "test_mase_pipeline"):
        assert 0 < r[key] < 10, (key, r[key])
    # what the notebook's text says: the log-differenced pipeline beats the plain LSTM
    assert r["cv_mase_pipeline"] < r["cv_mase_lstm"] and r["test_mase_pipeline"] < r["test_mase_lstm"], r


def check_03(r):
    assert r["recurrent_ratio_gru"] == 3.0 and r["recurrent_ratio_lstm"] == 4.0
    # vanishing gradient: the RNN loses (many) orders of magnitude over 100 steps, the LSTM does not
    assert r["grad_ratio_rnn"] < 1e-8, r["grad_ratio_rnn"]
    assert r["grad_ratio_lstm"] > 1e-2, r["grad_ratio_lstm"]
    assert r["lstm_over_rnn"] > 1e3
    # clipping: the unclipped run explodes, the clipped one learns
    assert r["noclip_max_loss"] > 1e3 * r["clip_first_loss"], r
    assert r["clip_last_loss"] < r["clip_first_loss"] / 5, r
    acc = r["accuracy"]
    assert acc["bidirectional, 1 layer"] > 0.9 and acc["bidirectional, 2 layers"] > 0.9, acc
    assert acc["forward, 1 layer"] < 0.6 and acc["forward, 2 layers"] < 0.6, acc


def check_04(r):
    ds = r["datasets"]
    assert set(ds) == {"nile", "elec_equip"}
    assert set(ds["nile"]["mase"]) == {"lstm", "gru", "arima", "naive", "drift"}
    elec = ds["elec_equip"]["mase"]
    assert set(elec) == {"lstm", "lstm_log_diff", "arima", "seasonal_naive", "naive2"}
    for res in ds.values():
        assert all(s == "ok" for s in res["status"].values()), res["status"]
        assert all(n == 2 for n in res["n_windows"].values())
        assert all(_finite(v) and 0 < v < 10 for v in res["mase"].values()), res["mase"]
    # what the notebook's text says: the automatically configured LSTM is ahead of the
    # seasonal models on the seasonal series (measured: 0.23 against ARIMA 0.34, seasonal
    # naive 0.37) and level with ARIMA on the Nile (0.78 and GRU 0.76 against 0.79)
    assert elec["lstm"] < min(elec["arima"], elec["seasonal_naive"], elec["naive2"]), elec
    assert elec["lstm"] < elec["lstm_log_diff"], elec
    nile = ds["nile"]["mase"]
    assert max(nile["lstm"], nile["gru"]) < 1.1 * nile["arima"], nile


def check_05(r):
    assert r["n_series"] == 12
    assert r["forecast_columns"] == ["unique_id", "ds", "y"]
    assert r["interval_columns"] == ["unique_id", "ds", "lower", "upper"]
    assert _finite(r["mase_lstm"], r["mase_arima"], r["mase_seasonal_naive"], r["mase_new_series"])
    # one global network beats seasonal naive on the panel and forecasts an unseen series sensibly
    assert r["mase_lstm"] < r["mase_seasonal_naive"], r
    assert r["mase_new_series"] < 2.0, r
    assert 0.75 <= r["coverage_90"] <= 1.0, r


CHECKS = {"01": check_01, "02": check_02, "03": check_03, "04": check_04, "05": check_05}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(set(EXPECTED) | set(_notebook_files())))
def test_notebook_runs(name, monkeypatch):
    if name in NEEDS:
        module, extra = NEEDS[name]
        pytest.importorskip(module, reason=f"{name} needs {module} ({extra})")
    result = _run(name, monkeypatch)
    check = CHECKS.get(name[:2])
    if check is None:  # a notebook without checks here (e.g. a new 05) only has to run cleanly
        return
    assert result is not None, f"{name} printed no RESULT line"
    check(result)
