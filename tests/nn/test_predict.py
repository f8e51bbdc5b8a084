"""RecurrentNetwork.predict: the headless forward + float64 head, batch-independent."""

import numpy as np
import pytest

from rnnforecast.nn import RecurrentNetwork

CASES = [
    ("lstm", dict(num_layers=2, bidirectional=True, head="final_state")),
    ("gru", dict(head="last")),
    ("rnn", dict(nonlinearity="relu", head="final_state", dtype=np.float64)),
]


def _old_formula(net, params, X):
    """What the estimators computed before predict existed: the recurrent prefix of
    ``params`` on a head-less twin (sample by sample), then the head in float64."""
    body = RecurrentNetwork(net.cell, net.input_size, net.hidden_size,
                            num_layers=net.num_layers, bidirectional=net.bidirectional,
                            nonlinearity=net.nonlinearity, output_size=0, head=net.head,
                            vocab_size=net.vocab_size, embedding_dim=net.embedding_dim,
                            dtype=net.dtype)
    fr = body.forward(np.array(params[:body.n_params]), X, chunk=1)
    feat = body.head_features(fr.output, fr.h_n)[:, 0, :].astype(np.float64)
    fc_w = params[body.n_params:body.n_params + net.output_size * feat.shape[1]]
    fc_b = params[body.n_params + fc_w.size:]
    return feat @ fc_w.reshape(net.output_size, -1).astype(np.float64).T + fc_b.astype(np.float64)


@pytest.mark.parametrize("cell,kw", CASES)
def test_predict_equals_the_old_formula(cell, kw):
    # float input runs on the mat-vec kernels (rnnforecast._kernels.infer), whose sums
    # are ordered differently from the batch kernels' BLAS products: equal to rounding
    net = RecurrentNetwork(cell, input_size=2, hidden_size=3, output_size=2, **kw)
    params = net.init_params(seed=1)
    X = np.random.default_rng(0).normal(size=(50, 7, 2)).astype(net.dtype)
    X[3, :2] = np.nan  # left padding: the sample starts at its first valid step
    out = net.predict(params, X)
    assert out.dtype == np.float64 and out.shape == (50, 2)
    rtol = 1e-6 if net.dtype == np.float64 else 1e-4
    np.testing.assert_allclose(out, _old_formula(net, params, X), rtol=rtol, atol=rtol * 1e-2)


@pytest.mark.parametrize("cell,kw", CASES)
def test_predict_does_not_depend_on_the_batching(cell, kw):
    # float32 networks (the estimators' default): the float64 head products of
    # float32 features are exact.  With dtype=float64 the BLAS head product of
    # N rows may differ in the last bit from that of one row (known, not pinned).
    kw = {**kw, "dtype": np.float32}
    net = RecurrentNetwork(cell, input_size=2, hidden_size=3, output_size=1, **kw)
    params = net.init_params(seed=2)
    X = np.random.default_rng(1).normal(size=(50, 5, 2)).astype(net.dtype)
    full = net.predict(params, X)
    one_by_one = np.concatenate([net.predict(params, X[i:i + 1]) for i in range(50)])
    assert full.tobytes() == one_by_one.tobytes()
    assert full.tobytes() == net.predict(params, X, batch=7).tobytes()


def test_predict_accepts_read_only_params_and_leaves_them_alone():
    net = RecurrentNetwork("lstm", input_size=1, hidden_size=4, output_size=1)
    params = net.init_params(seed=0)
    before = params.copy()
    params.flags.writeable = False
    X = np.random.default_rng(2).normal(size=(6, 4, 1)).astype(np.float32)
    out = net.predict(params, X)
    assert np.isfinite(out).all()
    assert params.tobytes() == before.tobytes()


def test_predict_with_embedding():
    net = RecurrentNetwork("gru", input_size=None, hidden_size=3, output_size=2, vocab_size=6,
                           embedding_dim=2, head="final_state")
    params = net.init_params(seed=0)
    X = np.random.default_rng(3).integers(0, 6, size=(9, 4))
    out = net.predict(params, X)
    assert out.tobytes() == _old_formula(net, params, X).tobytes()


def test_predict_refuses_bad_inputs():
    net = RecurrentNetwork("gru", input_size=2, hidden_size=3, output_size=1)
    params = net.init_params(seed=0)
    X = np.zeros((2, 3, 2), np.float32)
    with pytest.raises(TypeError, match="X must be a numpy.ndarray"):
        net.predict(params, X.tolist())
    with pytest.raises(TypeError, match="X must have dtype float32"):
        net.predict(params, X.astype(np.float64))
    with pytest.raises(ValueError, match="batch must be an int >= 1"):
        net.predict(params, X, batch=0)
    with pytest.raises(ValueError, match="params must have shape"):
        net.predict(params[:-1], X)
    seq = RecurrentNetwork("gru", input_size=2, hidden_size=3, output_size=1, head="sequence")
    with pytest.raises(ValueError, match="head='sequence'"):
        seq.predict(seq.init_params(seed=0), X)
