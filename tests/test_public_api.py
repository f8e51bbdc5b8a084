"""Every name the top-level package advertises resolves, lazily."""

import pathlib
import subprocess
import sys

import pytest

import rnnforecast


@pytest.mark.parametrize("name", rnnforecast.__all__)
def test_exported_name_resolves(name):
    obj = getattr(rnnforecast, name)
    assert obj is not None
    assert name in dir(rnnforecast)


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'LSTMForecasterr'"):
        rnnforecast.LSTMForecasterr  # noqa: B018


def test_import_is_cheap_and_clean():
    code = ("import sys, rnnforecast; "
            "assert 'numba' not in sys.modules and 'statsmodels' not in sys.modules")
    subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", code], check=True)


ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("code", [
    "import rnnforecast",
    "import rnnforecast; from rnnforecast import LSTMForecaster, ARIMAForecaster, backtest",
])
def test_import_raises_no_deprecation_warning(code):
    # DeprecationWarnings (ours or a dependency's, triggered by how we call it) become errors
    proc = subprocess.run([sys.executable, "-W", "error::DeprecationWarning", "-c", code],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


MODEL_CLASSES = ["ForecastingPipeline", "ReductionForecaster", "RNNForecaster", "GRUForecaster",
                 "LSTMForecaster", "LocalForecaster", "RNNRegressor", "GRURegressor", "LSTMRegressor",
                 "RNNClassifier", "GRUClassifier", "LSTMClassifier", "NaiveForecaster",
                 "ARIMAForecaster", "AutoARIMAForecaster"]


@pytest.mark.parametrize("name", MODEL_CLASSES)
def test_every_model_class_can_save_itself(name):
    from rnnforecast.persistence import SaveMixin

    cls = getattr(rnnforecast, name)
    assert issubclass(cls, SaveMixin) and callable(cls.save)


def test_save_and_load_are_exported():
    from rnnforecast import persistence

    assert rnnforecast.load is persistence.load and rnnforecast.save is persistence.save
    assert issubclass(rnnforecast.ModelFileError, ValueError)
