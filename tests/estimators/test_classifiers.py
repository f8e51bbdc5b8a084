"""RNNClassifier / GRUClassifier / LSTMClassifier: the seed's text classifier, learning, errors."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from rnnforecast.estimators import GRUClassifier, LSTMClassifier, RNNClassifier

VOCAB, EMBED, HIDDEN, N_CLASSES = 30, 6, 5, 3


def seed_classifier(**overrides):
    """The seed's ``LSTMClassifier(vocab_size, embed_dim, hidden_dim, output_dim)``
    (2-layer bidirectional LSTM, dropout 0.3, dropout before the head on
    ``cat(hidden[-2], hidden[-1])``) as one constructor call."""
    params = dict(hidden_size=HIDDEN, num_layers=2, bidirectional=True, dropout=0.3,
                  head_dropout=0.3, embedding_dim=EMBED, vocab_size=VOCAB)
    params.update(overrides)
    return LSTMClassifier(**params)


def token_data(n=120, T=7, seed=0):
    """Random token sequences whose class is their *first* token modulo 3.

    The first token is the one a forward LSTM sees longest ago, so the task
    needs memory (or the backward direction)."""
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, VOCAB, size=(n, T))
    return tokens, tokens[:, 0] % N_CLASSES


def test_seed_classifier_shapes():
    tokens, labels = token_data()
    clf = seed_classifier(max_iter=1, n_jobs=1, random_state=0).fit(tokens, labels)
    state = clf.get_state_dict()
    H, E = HIDDEN, EMBED
    expected = {"embedding.weight": (VOCAB, E), "fc.weight": (N_CLASSES, 2 * H),
                "fc.bias": (N_CLASSES,)}
    for sfx in ("", "_reverse"):
        expected.update({
            f"weight_ih_l0{sfx}": (4 * H, E), f"weight_hh_l0{sfx}": (4 * H, H),
            f"bias_ih_l0{sfx}": (4 * H,), f"bias_hh_l0{sfx}": (4 * H,),
            f"weight_ih_l1{sfx}": (4 * H, 2 * H), f"weight_hh_l1{sfx}": (4 * H, H),
            f"bias_ih_l1{sfx}": (4 * H,), f"bias_hh_l1{sfx}": (4 * H,),
        })
    assert {k: v.shape for k, v in state.items()} == expected
    assert all(v.dtype == np.float32 for v in state.values())
    proba = clf.predict_proba(tokens[:4])
    assert proba.shape == (4, N_CLASSES) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.predict(tokens[:4]).shape == (4,)
    assert clf.vocab_size_ == VOCAB and clf.n_channels_in_ == 1 and clf.n_features_in_ == 7


def test_seed_classifier_matches_pytorch_model():
    torch = pytest.importorskip("torch")
    from torch import nn

    class TorchLSTMClassifier(nn.Module):  # the seed's model
        def __init__(self, vocab_size, embed_dim, hidden_dim, output_dim):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_dim)
            self.lstm = nn.LSTM(embed_dim, hidden_dim, num_layers=2, bidirectional=True,
                                dropout=0.3, batch_first=True)
            self.dropout = nn.Dropout(0.3)
            self.fc = nn.Linear(hidden_dim * 2, output_dim)

        def forward(self, x):
            _, (hidden, _) = self.lstm(self.embedding(x))
            return self.fc(self.dropout(torch.cat((hidden[-2], hidden[-1]), dim=1)))

    torch.manual_seed(0)
    model = TorchLSTMClassifier(VOCAB, EMBED, HIDDEN, N_CLASSES).eval()
    tokens, labels = token_data()
    clf = seed_classifier(max_iter=1, n_jobs=1, random_state=0).fit(tokens, labels)
    # The whole module's state_dict loads as is ("lstm." prefix removed).
    clf.load_state_dict(model.state_dict())
    with torch.no_grad():
        expected = torch.softmax(model(torch.from_numpy(tokens)), dim=1).numpy()
    np.testing.assert_allclose(clf.predict_proba(tokens), expected, rtol=1e-4, atol=1e-6)
    # ... and the exported weights load back into the PyTorch model.
    state = clf.get_state_dict()
    recurrent = {k: torch.from_numpy(v) for k, v in state.items()
                 if not k.startswith(("fc.", "embedding."))}
    model.lstm.load_state_dict(recurrent)
    np.testing.assert_array_equal(model.lstm.weight_hh_l1_reverse.detach().numpy(),
                                  state["weight_hh_l1_reverse"])


def test_seed_classifier_learns():
    tokens, labels = token_data(n=300)
    test_tokens, test_labels = token_data(n=200, seed=1)
    clf = seed_classifier(max_iter=25, learning_rate_init=0.02, n_jobs=1,
                          random_state=0).fit(tokens, labels)
    # Chance level is 1/3; measured 1.0 with this seed.
    assert clf.score(test_tokens, test_labels) > 0.85


@pytest.mark.parametrize("cls", [RNNClassifier, GRUClassifier, LSTMClassifier])
def test_classifiers_on_float_sequences_with_string_labels(cls):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((150, 6, 2))
    names = np.array(["down", "up"])
    y = names[(X[:, -1, 0] + X[:, -2, 1] > 0).astype(int)]
    clf = cls(hidden_size=8, max_iter=30, learning_rate_init=0.02, n_jobs=1,
              random_state=0).fit(X, y)
    assert list(clf.classes_) == ["down", "up"]
    assert clf.score(X, y) > 0.9
    proba = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))


def test_early_stopping_uses_accuracy():
    tokens, labels = token_data(n=200)
    clf = GRUClassifier(hidden_size=8, embedding_dim=4, max_iter=8, early_stopping=True,
                        validation_fraction=0.2, learning_rate_init=0.02, n_jobs=1,
                        random_state=0).fit(tokens, labels)
    scores = np.asarray(clf.validation_scores_)
    assert len(scores) == clf.n_iter_
    # Accuracy on 40 held-out samples: multiples of 1/40 in [0, 1].
    np.testing.assert_allclose(scores * 40, np.round(scores * 40), atol=1e-9)
    assert clf.best_validation_score_ == scores.max()


def test_warm_start_needs_same_classes():
    tokens, labels = token_data(n=60)
    clf = LSTMClassifier(hidden_size=4, embedding_dim=3, max_iter=1, warm_start=True,
                         n_jobs=1, random_state=0).fit(tokens, labels)
    with pytest.raises(ValueError, match="classes of the previous fit"):
        clf.fit(tokens, labels % 2)


# ------------------------------------------------------------------ bad input
def test_one_class_is_refused():
    tokens, _ = token_data(n=10)
    with pytest.raises(ValueError, match="at least 2 classes; got one class"):
        seed_classifier(max_iter=1).fit(tokens, np.zeros(10))


def test_continuous_targets_are_refused():
    X = np.random.default_rng(0).standard_normal((10, 4))
    with pytest.raises(ValueError, match="Unknown label type"):
        LSTMClassifier(max_iter=1).fit(X, X[:, 0])


def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        LSTMClassifier().predict_proba(np.zeros((2, 3)))
    with pytest.raises(NotFittedError):
        GRUClassifier().predict(np.zeros((2, 3)))


@pytest.mark.parametrize(
    "X, match, exc",
    [
        (np.array([[1.5, 2.0]]), "integer token ids; got non-integer", ValueError),
        (np.array([[-1, 2]]), "Token ids in X must be >= 0", ValueError),
        (np.ones((1, 2, 1), dtype=int), "token ids of shape \\(n_samples, n_timesteps\\)",
         ValueError),
        (np.array([[True, False]]), "integer token ids; got dtype bool", TypeError),
        (np.array([[1, np.nan]]), "NaN", ValueError),
    ],
)
def test_bad_token_input(X, match, exc):
    y = np.arange(X.shape[0]) % 2
    X2 = np.concatenate([X, X]) if X.shape[0] == 1 else X
    y2 = np.array([0, 1]) if X.shape[0] == 1 else y
    with pytest.raises(exc, match=match):
        seed_classifier(max_iter=1, vocab_size=None).fit(X2, y2)


def test_token_ids_out_of_vocabulary():
    tokens, labels = token_data(n=20)
    with pytest.raises(ValueError, match="vocab_size=10 is too small.*at least 30"):
        seed_classifier(vocab_size=10, max_iter=1).fit(tokens, labels)
    clf = seed_classifier(vocab_size=None, max_iter=1, n_jobs=1).fit(tokens, labels)
    assert clf.vocab_size_ == tokens.max() + 1
    with pytest.raises(ValueError, match="must lie in \\[0, vocab_size_=30\\)"):
        clf.predict(tokens + 1)


def test_float_token_ids_with_integral_values_are_accepted():
    tokens, labels = token_data(n=20)
    a = seed_classifier(max_iter=1, n_jobs=1, random_state=0).fit(tokens, labels)
    b = seed_classifier(max_iter=1, n_jobs=1, random_state=0).fit(tokens.astype(float),
                                                                  labels)
    np.testing.assert_array_equal(a.predict_proba(tokens), b.predict_proba(tokens))
