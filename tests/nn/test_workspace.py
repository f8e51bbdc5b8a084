"""Training steps that keep their large arrays in a Workspace are bit-identical to fresh ones."""

import numpy as np
import pytest

from rnnforecast.nn import RecurrentNetwork
from rnnforecast.nn._workspace import Workspace, buffer
from rnnforecast.nn.threads import kernel_threads
from rnnforecast.nn.training import make_optimizer, train_step

CASES = [
    dict(cell="lstm", num_layers=2, bidirectional=True, dropout=0.3, head="last"),
    dict(cell="gru", num_layers=2, bidirectional=False, dropout=0.2, head="sequence"),
    dict(cell="rnn", num_layers=1, bidirectional=True, head="final_state"),
    dict(cell="lstm", num_layers=1, head="last"),
]


def _steps(net, X, Y, workspace, n_jobs, n_steps=4):
    params = net.init_params(3)
    opt = make_optimizer("adam", net.n_params, net.dtype, 1e-2)
    with kernel_threads(n_jobs):
        for step in range(n_steps):
            # alternate batch sizes so that buffers of two shapes live in the workspace
            b = X.shape[0] if step % 2 == 0 else X.shape[0] - 5
            train_step(net, params, opt, X[:b], Y[:b], loss="mae", clip_grad_norm=1.0,
                       seed=7, step=step, workspace=workspace)
    return params


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['cell']}-{c['head']}")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_workspace_steps_are_bit_identical(case, dtype):
    kw = dict(case)
    cell = kw.pop("cell")
    net = RecurrentNetwork(cell, 2, 6, output_size=3, dtype=dtype, **kw)
    rng = np.random.default_rng(0)
    T = 7
    X = rng.standard_normal((37, T, 2)).astype(dtype)
    Y = rng.standard_normal((37, T, 3) if case["head"] == "sequence" else (37, 3)).astype(dtype)
    fresh = _steps(net, X, Y, None, 1)
    for n_jobs in (1, 2):
        kept = _steps(net, X, Y, Workspace(), n_jobs)
        np.testing.assert_array_equal(kept, fresh)


def test_workspace_reuses_arrays_and_zeroes_on_request():
    ws = Workspace()
    a = ws.get(("x", 0), (3, 4), np.float32)
    a[:] = 5.0
    assert ws.get(("x", 0), (3, 4), np.float32) is a
    assert ws.get(("x", 0), (3, 5), np.float32) is not a  # another shape: another array
    assert ws.get(("x", 1), (3, 4), np.float32) is not a  # another role
    z = ws.get(("x", 0), (3, 4), np.float32, zero=True)
    assert z is a and not z.any()
    fresh = buffer(None, ("x", 0), (3, 4), np.float32)
    assert fresh is not a and fresh.shape == (3, 4)


def test_forward_with_workspace_overwrites_the_previous_saved_arrays():
    net = RecurrentNetwork("lstm", 1, 4, output_size=1, dtype=np.float64)
    p = net.init_params(0)
    rng = np.random.default_rng(1)
    ws = Workspace()
    f1 = net.forward(p, rng.standard_normal((8, 5, 1)), training=True, workspace=ws)
    f2 = net.forward(p, rng.standard_normal((8, 5, 1)), training=True, workspace=ws)
    assert f2._saved["layers"][0][1] is f1._saved["layers"][0][1]  # the same output array
    g1 = net.forward(p, rng.standard_normal((8, 5, 1)), training=True)
    g2 = net.forward(p, rng.standard_normal((8, 5, 1)), training=True)
    assert g2._saved["layers"][0][1] is not g1._saved["layers"][0][1]
