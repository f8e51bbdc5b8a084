"""`rnnforecast warmup --jobs N`: worker processes split by cell; after a cold warmup a fresh
process finds every kernel in the cache and compiles nothing."""

import json
import os
import subprocess
import sys

import pytest

from rnnforecast.cli import main
from rnnforecast.nn import warmup as W

CHECK = r"""
import json, sys
import numpy as np
from rnnforecast import GRUForecaster, RNNForecaster
from rnnforecast.nn.warmup import _kernel_dispatchers, kernels_ready
y = np.sin(np.arange(60.0) / 3)
for cls in (RNNForecaster, GRUForecaster):
    cls(max_iter=2, random_state=0, verbose=0).fit(y).predict(3)
print(json.dumps({"ready": [kernels_ready(c, "float32") for c in ("rnn", "gru")],
                  "compiled": sorted(n for n, d in _kernel_dispatchers().items()
                                     if d.stats.cache_misses)}))
"""


def test_groups_split_by_cell_costliest_first():
    assert W._groups(["rnn", "gru", "lstm"], 2) == [["lstm"], ["gru", "rnn"]]
    assert W._groups(["rnn", "gru", "lstm"], 8) == [["lstm"], ["gru"], ["rnn"]]
    assert W._groups(["gru", "rnn"], 1) == [["gru", "rnn"]]


def test_conflicts_are_orders_that_are_not_prefixes():
    a = {"k.head": ["f32", "f64"], "k.lstm": ["f32"]}
    b = {"k.head": ["f32"], "k.gru": ["f32"]}
    c = {"k.head": ["f64"]}
    assert W._conflicts([a, b]) == []
    assert W._conflicts([a, b, c]) == ["k.head"]


def test_bad_jobs_are_refused(capsys):
    with pytest.raises(SystemExit):
        main(["warmup", "--jobs", "0"])
    assert "--jobs" in capsys.readouterr().err
    with pytest.raises(ValueError, match="jobs must be an int >= 1; got 0"):
        W.warmup_parallel(["rnn", "gru"], jobs=0)


@pytest.mark.slow
def test_cold_parallel_warmup_leaves_nothing_to_compile(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    env.pop("RNNFORECAST_NUMBA_CACHE", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [root, env.get("PYTHONPATH")] if p)
    res = subprocess.run([sys.executable, "-m", "rnnforecast", "warmup", "--cells", "rnn,gru",
                          "--dtypes", "float32", "--jobs", "2"], env=env, cwd=root,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert [ln.split()[:2] for ln in lines[:2]] == [["gru", "float32"], ["rnn", "float32"]]
    assert "recompiled" not in res.stdout
    res = subprocess.run([sys.executable, "-c", CHECK], env=env, cwd=root, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "compiling" not in res.stderr
    assert json.loads(res.stdout.splitlines()[-1]) == {"ready": [True, True], "compiled": []}
