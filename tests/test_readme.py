"""The README's example runs exactly as written."""

import pathlib
import re

import numpy as np
import pytest
import pandas as pd

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 4  # the first forecast (run here); many series, Dask, Pipeline (below)
    namespace = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)  # noqa: S102 - our own README
    y, forecast, search = namespace["y"], namespace["forecast"], namespace["search"]
    assert isinstance(y.index, pd.DatetimeIndex) and y.index.freqstr == "MS"
    assert isinstance(forecast, pd.Series) and len(forecast) == 24
    expected = pd.date_range(y.index[-1], periods=25, freq="MS")[1:]
    assert forecast.index.equals(expected)
    assert np.isfinite(forecast).all()
    # a CO2 forecast a year out stays within the range the series could reach
    assert abs(forecast.iloc[-1] - y.iloc[-1]) < 15
    assert set(search.best_params_) == {"hidden_size", "window_length"}


def test_readme_commands_are_the_ones_ci_runs():
    text = README.read_text()
    ci = (README.parent / ".ci" / "run").read_text()
    assert "python3 -m pytest" in text and "python3 -m pytest" in ci
    assert 'python3 -m pip install -e ".[test]"' in text


def _other_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)[1:]


@pytest.mark.parametrize("index", range(3))
def test_readme_other_snippets_are_valid_and_their_imports_exist(index):
    """The many-series, Dask and Pipeline snippets need data or a cluster: compile them, run their imports.

    The Dask snippet's imports need the ``dask`` extra: without it that one case skips with the
    reason (CI installs every extra, and turns a skip into a failure).
    """
    blocks = _other_blocks()
    assert len(blocks) == 3
    block = blocks[index]
    compile(block, str(README), "exec")
    if "dask" in block:
        pytest.importorskip("distributed", reason="the README's Dask snippet needs the 'dask' extra")
    imports = "\n".join(line for line in block.splitlines()
                        if line.startswith(("import ", "from ")))
    exec(compile(imports, str(README), "exec"), {})  # noqa: S102 - our own README


def test_readme_many_series_snippet_sets_real_parameters():
    from rnnforecast import LSTMForecaster

    block = _other_blocks()[0]
    names = set(re.findall(r"(\w+)=", block.split("model.fit")[0]))
    assert names <= set(LSTMForecaster().get_params()), names - set(LSTMForecaster().get_params())
