"""Sequence estimators with a scikit-learn interface.

Regressors (:class:`RNNRegressor`, :class:`GRURegressor`,
:class:`LSTMRegressor`) and classifiers (:class:`RNNClassifier`,
:class:`GRUClassifier`, :class:`LSTMClassifier`) whose samples are sequences:
``X`` of shape (n_samples, n_timesteps), (n_samples, n_timesteps,
n_features), or integer token ids with ``embedding_dim``.  Network
parameters carry PyTorch's names, training parameters
:class:`~sklearn.neural_network.MLPRegressor`'s.
"""

from rnnforecast.estimators.classifiers import GRUClassifier, LSTMClassifier, RNNClassifier
from rnnforecast.estimators.regressors import GRURegressor, LSTMRegressor, RNNRegressor
from rnnforecast.nn.training import NonFiniteLossError

__all__ = [
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "NonFiniteLossError",
    "RNNClassifier",
    "RNNRegressor",
]
