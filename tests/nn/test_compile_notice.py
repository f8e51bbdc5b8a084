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


def _spy_prepare(monkeypatch):
    from rnnforecast.nn import loop
    calls = []
    real = loop.prepare_kernels
    monkeypatch.setattr(loop, "prepare_kernels",
                        lambda net, **kw: calls.append(kw["predict"]) or real(net, **kw))
    return loop, calls


def test_a_fit_compiles_the_inference_kernel_only_when_it_validates(monkeypatch):
    loop, calls = _spy_prepare(monkeypatch)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 4, 1))
    net = RecurrentNetwork("rnn", 1, 3, output_size=1, dtype=np.float64)
    cfg = loop.TrainConfig(max_iter=1, n_jobs=1, verbose=0)
    loop.train(net, net.init_params(0), loop.ArraySource(X, X[:, -1]), loss="mse", seed=0,
               config=cfg)
    val = loop.Validation(X, X[:, -1], lambda Y, raw: -float(((Y - raw) ** 2).mean()))
    loop.train(net, net.init_params(0), loop.ArraySource(X, X[:, -1]), loss="mse", seed=0,
               config=cfg, validation=val)
    assert calls == [False, True]


@pytest.mark.parametrize("predict", [False, True])
def test_prepare_kernels_skips_the_inference_kernel_unless_asked(monkeypatch, predict):
    compiled = []
    monkeypatch.setattr(W, "_compiled_in_process", lambda *a: False)  # as in a fresh process
    monkeypatch.setattr(W, "announce_compile", lambda *a, **k: False)
    monkeypatch.setattr(W, "_compile_predict", lambda cell, dt: compiled.append((cell, dt)))
    W.prepare_kernels(RecurrentNetwork("gru", 1, 2, dtype=np.float64), verbose=0,
                      predict=predict)
    assert compiled == ([("gru", np.dtype("float64"))] if predict else [])


@pytest.mark.parametrize("fit_verbose, printed", [(None, True), (1, True), (0, False)])
def test_first_predict_announces_the_inference_kernel(monkeypatch, capsys, fit_verbose,
                                                        printed):
    from rnnforecast.nn import _predict
    monkeypatch.setattr(_predict, "_SEEN", set())  # as in a fresh process
    monkeypatch.setattr(W, "kernels_ready", lambda cell, dtype, part="all": part != "predict")
    net = RecurrentNetwork("lstm", 1, 2, output_size=1, dtype=np.float32)
    if fit_verbose is not None:  # what a fit's prepare_kernels records
        _predict.set_compile_verbose(net, fit_verbose)
    params, X = net.init_params(0), np.zeros((3, 2, 1), np.float32)
    net.predict(params, X)
    net.predict(params + 1, X)  # packed again: announced once per cell and dtype only
    err = capsys.readouterr().err.splitlines()
    assert len(err) == (1 if printed else 0)
    prefix = "rnnforecast: compiling the LSTM inference kernel (float32) once, ~"
    assert all(line.startswith(prefix) for line in err)


def test_fit_announces_one_line_when_it_compiles_both(monkeypatch):
    monkeypatch.setattr(W, "kernels_ready", lambda cell, dtype, part="all": False)
    monkeypatch.setattr(W, "_compiled_in_process", lambda *a: False)
    out = []
    monkeypatch.setattr(W, "announce_compile",
                        lambda cell, dt, verbose, part="train": out.append(part) or True)
    W.prepare_kernels(RecurrentNetwork("rnn", 1, 2, dtype=np.float64), predict=True)
    assert out == ["train"]
