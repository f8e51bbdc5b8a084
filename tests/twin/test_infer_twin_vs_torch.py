"""Proves twin.naive_predict (the twin of RecurrentNetwork.predict) right against torch.

Every expected value comes from torch: the module run on each sample's valid
(unpadded) steps, then ``nn.Linear`` in float64 on ``out[:, -1]`` or on the
last layer's final states.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import twin  # noqa: E402
from rnnforecast.nn import RecurrentNetwork  # noqa: E402

TORCH_CLS = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}


def _torch_predict(net, params, X):
    kw = dict(num_layers=net.num_layers, bidirectional=net.bidirectional, batch_first=True,
              dtype=torch.float64)
    if net.cell == "rnn":
        kw["nonlinearity"] = net.nonlinearity
    mod = TORCH_CLS[net.cell](net.input_size, net.hidden_size, **kw)
    state = net.state_dict(params)
    fc = {k: torch.from_numpy(state.pop(k)) for k in ("fc.weight", "fc.bias")}
    mod.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=True)
    D = net.num_directions
    rows = []
    with torch.no_grad():
        for x in X:
            valid = ~np.isnan(x).all(axis=1)
            seq, h_n = mod(torch.from_numpy(x[int(np.argmax(valid)):][None]))
            h_n = h_n[0] if net.cell == "lstm" else h_n
            feat = seq[0, -1] if net.head == "last" else torch.cat(list(h_n[-D:, 0]))
            rows.append(fc["fc.weight"] @ feat + fc["fc.bias"])
    return torch.stack(rows).numpy()


@pytest.mark.parametrize("cell,nl", [("lstm", "tanh"), ("gru", "tanh"), ("rnn", "tanh"),
                                     ("rnn", "relu")])
@pytest.mark.parametrize("head", ["last", "final_state"])
def test_naive_predict_equals_torch(cell, nl, head):
    net = RecurrentNetwork(cell, 3, 4, num_layers=2, bidirectional=True, nonlinearity=nl,
                           output_size=2, head=head, dtype=np.float64)
    params = net.init_params(seed=4) * 2.0
    X = np.random.default_rng(2).standard_normal((5, 6, 3))
    X[2, :3] = np.nan
    got = twin.naive_predict(net, params, X)
    np.testing.assert_allclose(got, _torch_predict(net, params, X), rtol=1e-10, atol=1e-12)
    # the two heads differ when bidirectional (the test can tell them apart)
    other = "final_state" if head == "last" else "last"
    net2 = RecurrentNetwork(cell, 3, 4, num_layers=2, bidirectional=True, nonlinearity=nl,
                            output_size=2, head=other, dtype=np.float64)
    assert not np.allclose(twin.naive_predict(net2, params, X), got)
