"""The first compilation is announced (unless verbose=0 is explicit) and done before a fit's
progress bar starts; whether kernels are ready is read from the process and Numba's cache."""

import io
import os
import subprocess
import sys

import numpy as np
import pytest

from rnnforecast._kernels import config as kconfig
from rnnforecast.nn import RecurrentNetwork
from rnnforecast.nn import warmup as W


@pytest.mark.parametrize("verbose", [None, 1, True])
def test_announces_one_line_when_kernels_are_not_ready(monkeypatch, verbose):
    monkeypatch.setattr(W, "kernels_ready", lambda cell, dtype, part="all": False)
    out = io.StringIO()
    assert W.announce_compile("lstm", "float32", verbose, file=out) is True
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert "compiling the LSTM kernels (float32) once, ~" in lines[0]
    assert ("later runs load them from the cache" in lines[0]) == kconfig.CACHE


@pytest.mark.parametrize("verbose", [0, False])
def test_explicit_zero_is_silent(monkeypatch, verbose):
    monkeypatch.setattr(W, "kernels_ready", lambda cell, dtype, part="all": False)
    out = io.StringIO()
    assert W.announce_compile("gru", "float64", verbose, file=out) is False
    assert out.getvalue() == ""


@pytest.mark.parametrize("ready", [True, None])
def test_ready_or_unknown_is_silent(monkeypatch, ready):
    monkeypatch.setattr(W, "kernels_ready", lambda cell, dtype, part="all": ready)
    out = io.StringIO()
    assert W.announce_compile("rnn", "float32", None, file=out) is False
    assert out.getvalue() == ""


def test_default_stream_is_stderr(monkeypatch, capsys):
    monkeypatch.setattr(W, "kernels_ready", lambda cell, dtype, part="all": False)
    W.announce_compile("rnn", "float64")
    captured = capsys.readouterr()
    assert captured.out == "" and "RNN kernels (float64)" in captured.err


@pytest.mark.parametrize("kwargs", [dict(loss="mse", solver="adam"),
                                    dict(loss="pinball", solver="sgd", quantiles=[0.1, 0.9]),
                                    dict(loss="cross_entropy", solver="adam")])
def test_prepare_kernels_compiles_without_touching_the_network(kwargs):
    out = 2 if kwargs["loss"] == "pinball" else 3
    net = RecurrentNetwork("gru", 2, 3, num_layers=2, bidirectional=True, dropout=0.1,
                           output_size=out, dtype=np.float64)
    before = net.init_params(5)
    W.prepare_kernels(net, verbose=0, **kwargs)
    assert W.kernels_ready("gru", "float64") is True
    assert W._compiled_in_process("gru", "float64")
    assert W.prepare_kernels(net, verbose=None, **kwargs) is False  # nothing left to compile
    np.testing.assert_array_equal(net.init_params(5), before)


def test_readiness_is_read_from_the_on_disk_cache():
    W.prepare_kernels(RecurrentNetwork("rnn", 1, 2, dtype=np.float64), verbose=0)  # fill it
    code = ("from rnnforecast.nn import warmup as W; "
            "print(W._compiled_in_process('rnn', 'float64'), W.kernels_ready('rnn', 'float64'))")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [os.getcwd(), env.get("PYTHONPATH")] if p)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["False", str(kconfig.CACHE)]
