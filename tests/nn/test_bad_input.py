"""The network layer validates everything before a kernel sees it."""

import numpy as np
import pytest

from rnnforecast.nn import RecurrentNetwork
from rnnforecast.nn.loop import ArraySource, TrainConfig, train
from rnnforecast.nn.training import Adam, NonFiniteLossError, train_step


@pytest.mark.parametrize("kwargs,exc,match", [
    (dict(cell="transformer"), ValueError, "cell must be one of"),
    (dict(hidden_size=0), ValueError, "hidden_size must be an int >= 1; got 0"),
    (dict(hidden_size=2.5), TypeError, "hidden_size must be an int"),
    (dict(hidden_size=True), TypeError, "hidden_size must be an int"),
    (dict(num_layers=0), ValueError, "num_layers"),
    (dict(input_size=-1), ValueError, "input_size"),
    (dict(dropout=1.0), ValueError, "dropout must be a float in"),
    (dict(dropout="0.1"), TypeError, "dropout"),
    (dict(head_dropout=-0.1), ValueError, "head_dropout"),
    (dict(nonlinearity="sigmoid"), ValueError, "nonlinearity"),
    (dict(cell="lstm", nonlinearity="relu"), ValueError, "only available for cell='rnn'"),
    (dict(head="first"), ValueError, "head must be one of"),
    (dict(dtype=np.float16), TypeError, "dtype must be float32 or float64"),
    (dict(dtype="int32"), TypeError, "dtype must be float32 or float64"),
    (dict(bidirectional=1), TypeError, "bidirectional must be a bool"),
    (dict(vocab_size=5), ValueError, "vocab_size and embedding_dim"),
    (dict(vocab_size=5, embedding_dim=3, input_size=4), ValueError, "input_size must equal"),
])
def test_architecture_errors(kwargs, exc, match):
    base = dict(cell="rnn", input_size=2, hidden_size=3)
    base.update(kwargs)
    with pytest.raises(exc, match=match):
        RecurrentNetwork(**base)


def _net(**kw):
    return RecurrentNetwork("lstm", 2, 3, **kw)


def test_input_errors():
    net = _net()
    p = net.init_params(0)
    good = np.zeros((4, 5, 2), np.float32)
    with pytest.raises(ValueError, match=r"X must have shape \(\*, \*, 2\); got \(4, 5, 3\)"):
        net.forward(p, np.zeros((4, 5, 3), np.float32))
    with pytest.raises(ValueError, match="X must have shape"):
        net.forward(p, np.zeros((4, 5), np.float32))
    with pytest.raises(TypeError, match="X must have dtype float32; got float64"):
        net.forward(p, good.astype(np.float64))
    with pytest.raises(TypeError, match="X must be a numpy.ndarray; got list"):
        net.forward(p, good.tolist())
    bad = good.copy()
    bad[1, 2, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN or infinite"):
        net.forward(p, bad)
    bad[1, 2, 0] = np.inf
    with pytest.raises(ValueError, match="X contains NaN or infinite"):
        net.forward(p, bad)
    with pytest.raises(ValueError, match="at least one sample and one time step"):
        net.forward(p, np.zeros((0, 5, 2), np.float32))
    with pytest.raises(ValueError, match=r"params must have shape"):
        net.forward(p[:-1], good)
    with pytest.raises(ValueError, match=r"h0 must have shape \(1, 4, 3\)"):
        net.forward(p, good, h0=np.zeros((1, 5, 3), np.float32))
    with pytest.raises(ValueError, match="c0 is only used by cell='lstm'"):
        RecurrentNetwork("gru", 2, 3).forward(RecurrentNetwork("gru", 2, 3).init_params(0), good,
                                              c0=np.zeros((1, 4, 3), np.float32))


def test_token_id_errors():
    net = RecurrentNetwork("gru", None, 3, vocab_size=5, embedding_dim=2)
    p = net.init_params(0)
    with pytest.raises(TypeError, match="integer ndarray of token ids"):
        net.forward(p, np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"token ids in X must lie in \[0, 5\); got values in \[0, 5\]"):
        net.forward(p, np.array([[0, 5, 1]]))
    with pytest.raises(ValueError, match=r"got values in \[-1, 2\]"):
        net.forward(p, np.array([[-1, 2, 1]]))


def test_state_dict_errors():
    net = _net(output_size=1)
    sd = net.state_dict(net.init_params(0))
    with pytest.raises(ValueError, match=r"missing \['fc.bias'\]"):
        net.load_state_dict({k: v for k, v in sd.items() if k != "fc.bias"})
    with pytest.raises(ValueError, match=r"unexpected \['weight_ih_l1'\]"):
        net.load_state_dict(dict(sd, weight_ih_l1=sd["weight_ih_l0"]))
    with pytest.raises(ValueError, match=r"state\['weight_hh_l0'\] must have shape \(12, 3\)"):
        net.load_state_dict(dict(sd, weight_hh_l0=np.zeros((3, 12))))
    with pytest.raises(ValueError, match="contains NaN"):
        net.load_state_dict(dict(sd, bias_ih_l0=np.full(12, np.nan)))


def test_non_finite_loss_stops_and_keeps_previous_weights():
    net = RecurrentNetwork("rnn", 1, 4, nonlinearity="relu", dtype=np.float32)
    params = net.init_params(0)
    X = np.ones((8, 5, 1), np.float32)
    Y = np.full((8, 1), 3e38, np.float32)  # squared error overflows float32
    opt = Adam(net.n_params, np.float32)
    before = params.copy()
    with pytest.raises(NonFiniteLossError, match="became (inf|non-finite) at step 1"):
        train_step(net, params, opt, X, Y, step=1)
    assert params.tobytes() == before.tobytes()
    assert opt.t == 0 and not opt.m.any()


def test_train_checks_targets_and_settings():
    net = _net()
    X = np.zeros((4, 5, 2), np.float32)

    def fit(Y, **kw):
        return train(net, net.init_params(0), ArraySource(X, Y), loss="mse", seed=0,
                     config=TrainConfig(**kw))

    with pytest.raises(ValueError, match="same number of samples; got 4 and 3"):
        fit(np.zeros((3, 1)))
    with pytest.raises(ValueError, match="Y contains NaN"):
        fit(np.full((4, 1), np.nan))
    with pytest.raises(ValueError, match="max_iter must be an int >= 1; got 0"):
        fit(np.zeros((4, 1)), max_iter=0)
    with pytest.raises(ValueError, match="solver must be 'adam' or 'sgd'; got 'lbfgs'"):
        fit(np.zeros((4, 1)), solver="lbfgs")


def test_overflowing_forward_pass_is_reported():
    net = RecurrentNetwork("rnn", 1, 4, nonlinearity="relu", dtype=np.float32)
    params = net.init_params(0)
    views = net.layout.views(params)
    views["weight_hh_l0"][:] = 1e30  # the relu state explodes to inf within a few steps
    views["weight_ih_l0"][:] = 1.0
    X = np.ones((8, 6, 1), np.float32)
    opt = Adam(net.n_params, np.float32)
    before = params.copy()
    with pytest.raises(NonFiniteLossError, match="training loss became (inf|nan) at step 3"):
        train_step(net, params, opt, X, np.zeros((8, 1), np.float32), step=3)
    assert params.tobytes() == before.tobytes()
