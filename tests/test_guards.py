"""The output guard, the horizon bound and the divergence rule (rnnforecast.utils.guards,
rnnforecast.nn.training.DivergenceMonitor) on small doubles and real models."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from rnnforecast import LSTMRegressor, NaiveForecaster, RNNForecaster
from rnnforecast.forecasting import BaseForecaster, LocalForecaster
from rnnforecast.nn.training import (
    DivergenceMonitor,
    NonFiniteLossError,
    TrainingDivergedError,
)
from rnnforecast.utils.guards import check_finite_output, horizon_limit

Y = 10.0 + np.sin(2 * np.pi * np.arange(60) / 12)
try:  # with issue 13's branches merged, unset neural parameters are "auto" (an ensemble)
    from rnnforecast.forecasting.neural.ensemble import PRE_AUTO_DEFAULTS
except ImportError:
    PRE_AUTO_DEFAULTS = {}


class Broken(BaseForecaster):
    """Forecasts NaN from step ``bad`` on."""

    def __init__(self, bad=1):
        self.bad = bad

    def _fit(self, y, X=None):
        pass

    def _predict(self, h, X=None, y_hist=None, **_):
        out = np.full((h, 1), 1.0)
        out[self.bad:] = np.nan
        return out


class IntervalMixin:
    def predict_interval(self, h, coverage=0.9):
        return np.column_stack([self.predict(h) - 1, np.full(h, np.inf)])


class BrokenInterval(IntervalMixin, Broken):
    pass


def test_predict_refuses_non_finite_forecasts_naming_model_and_count():
    f = Broken(bad=1).fit(Y)
    with pytest.raises(ValueError, match=r"Broken produced non-finite forecasts \(2 of 3 "
                                         r"values are NaN or inf\).*unusable"):
        f.predict(3)


def test_score_refuses_non_finite_forecasts():
    with pytest.raises(ValueError, match="non-finite forecasts"):
        Broken(bad=0).fit(Y).score(Y[:3])


def test_interval_methods_of_subclasses_and_mixins_are_guarded():
    f = BrokenInterval(bad=5).fit(Y)
    np.testing.assert_array_equal(f.predict(3), [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"non-finite prediction intervals \(3 of 6"):
        f.predict_interval(3)
    # behind sklearn's available_if, LocalForecaster guards its own method
    assert getattr(LocalForecaster.__dict__["predict_interval"].fn,
                   "__rnnforecast_guarded__", False)


def test_check_finite_output_ignores_labels_and_time_stamps():
    import pandas as pd
    frame = pd.DataFrame({"unique_id": ["a", "b"], "ds": pd.to_datetime(["2024", "2025"]),
                          "y": [1.0, 2.0]})
    check_finite_output(frame, who="M")
    frame.loc[1, "y"] = np.inf
    with pytest.raises(ValueError, match=r"M produced non-finite forecasts \(1 of 2"):
        check_finite_output([frame], who="M")


def test_horizon_bound_default_and_context_manager():
    f = NaiveForecaster().fit(Y)  # 60 observations: limit max(600, 10000) = 10000
    assert f.predict(10_000).shape == (10_000,)
    with pytest.raises(ValueError, match=r"h=10001 is more than 10000 steps ahead.*"
                                         r"horizon_limit\(None\)"):
        f.predict(10_001)
    with pytest.raises(ValueError, match="h=10001"):
        f.predict_interval(10_001)
    with horizon_limit(None):
        assert f.predict(20_000).shape == (20_000,)
    with horizon_limit(5):
        with pytest.raises(ValueError, match=r"h=6 is more than 5 steps ahead \(set by"):
            f.predict(6)
    with pytest.raises(ValueError, match="h=10001"):  # the default is back
        f.predict(10_001)


def test_horizon_limit_reaches_the_workers_of_local_forecaster():
    series = [Y[:20], Y[:30]]  # 20 and 30 observations: inner limits 10000
    f = LocalForecaster(NaiveForecaster(), n_jobs=2, backend="threading").fit(series)
    with pytest.raises(ValueError, match="h=10001"):
        f.predict(10_001)
    with horizon_limit(None):
        assert [len(p) for p in f.predict(10_001)] == [10_001, 10_001]


@pytest.mark.parametrize("limit", [0, -1, 2.5, True, "10"])
def test_horizon_limit_validates_its_argument(limit):
    with pytest.raises(ValueError, match="limit must be an int >= 1, None or 'default'"):
        with horizon_limit(limit):
            pass


# ------------------------------------------------------------------ divergence rule
def monitor(baseline_targets=((1.0,), (-1.0,))):
    m = DivergenceMonitor("mse", 1, np.float64)
    m.observe_batch(np.array(baseline_targets), epoch=0)  # baseline 1.0
    return m


def test_verdict_keeps_weights_of_a_sound_run():
    m = monitor()
    for epoch, loss in enumerate([0.9, 0.5, 0.3]):
        m.end_epoch(epoch, loss, np.full(2, epoch, dtype=float))
    params, message = m.verdict(np.full(2, 2.0), [0.9, 0.5, 0.3])
    np.testing.assert_array_equal(params, [2.0, 2.0])
    assert message is None


def test_verdict_restores_best_epoch_after_blow_up():
    m = monitor()
    curve = [0.9, 0.2, 30.0]
    for epoch, loss in enumerate(curve):
        m.end_epoch(epoch, loss, np.full(2, epoch, dtype=float))
    params, message = m.verdict(np.full(2, 2.0), curve, who="M", learning_rate_init=3.0)
    np.testing.assert_array_equal(params, [1.0, 1.0])  # the end of epoch 2
    assert "exploded from 0.2 (epoch 2) to 30 (epoch 3)" in message
    assert "learning_rate_init (got 3.0)" in message


def test_verdict_restores_best_epoch_after_non_finite_loss():
    m = monitor()
    m.end_epoch(0, 0.5, np.zeros(2))
    failure = NonFiniteLossError("loss nan")
    params, message = m.verdict(np.full(2, 7.0), [0.5], failure)
    np.testing.assert_array_equal(params, [0.0, 0.0])
    assert "non-finite in epoch 2" in message


def test_verdict_raises_when_no_epoch_is_usable():
    m = monitor()
    m.end_epoch(0, 11.0, np.zeros(2))  # > 10 times the constant forecast
    with pytest.raises(TrainingDivergedError, match=r"best epoch's training loss \(11\) is "
                                                    r"more than 10 times 1,.*learning_rate_init"):
        m.verdict(np.zeros(2), [11.0], learning_rate_init=10.0)
    m = monitor()
    with pytest.raises(NonFiniteLossError, match="loss nan"):  # failed in epoch 1
        m.verdict(np.zeros(2), [], NonFiniteLossError("loss nan"))


def test_reference_uses_untrained_loss_when_targets_are_all_zero():
    m = DivergenceMonitor("mae", 1, np.float64)
    m.observe_batch(np.zeros((4, 1)), epoch=0)  # a constant forecast costs 0
    m.observe_step(0.3)  # the untrained network
    assert m.baseline == 0.0
    assert m.usable(0.9) and not m.usable(1.0)  # sqrt(10) * 0.3 = 0.95


def test_linear_losses_use_the_square_root_factor():
    m = DivergenceMonitor("mae", 1, np.float64)
    m.observe_batch(np.array([[0.1], [-0.1]]), epoch=0)  # baseline 0.1
    m.observe_step(0.4)  # untrained: 0.4, the reference
    assert m.usable(1.2) and not m.usable(1.3)  # the lr=10 members of issue 13: 3.6-9.4


def test_verdict_refuses_non_finite_final_weights():
    m = monitor()
    m.end_epoch(0, 0.5, np.zeros(2))
    params, message = m.verdict(np.array([0.0, np.inf]), [0.5])
    np.testing.assert_array_equal(params, [0.0, 0.0])
    assert message is not None


def test_divergence_errors_are_value_errors():
    assert issubclass(TrainingDivergedError, ValueError)
    assert issubclass(NonFiniteLossError, TrainingDivergedError)
    assert issubclass(NonFiniteLossError, FloatingPointError)


# ------------------------------------------------------------------ on real models
def test_huge_learning_rate_fails_fit_and_keeps_previous_model():
    f = RNNForecaster(**{**PRE_AUTO_DEFAULTS, "window_length": 6, "hidden_size": 4,
                         "max_iter": 3, "n_jobs": 1, "random_state": 0}).fit(Y)
    before = f.predict(3)
    f.set_params(learning_rate_init=10.0)
    with pytest.raises(TrainingDivergedError, match="learning_rate_init"):
        f.fit(Y)
    np.testing.assert_array_equal(f.predict(3), before)


def test_exploding_relu_rnn_restores_best_epoch_with_warning():
    # relu, learning_rate_init=1, no clipping: loss [1.2e3, 8.07, 12.0] on this seed
    f = RNNForecaster(**{**PRE_AUTO_DEFAULTS, "nonlinearity": "relu",
                         "learning_rate_init": 1.0, "clip_grad_norm": None,
                         "window_length": 6, "hidden_size": 4, "max_iter": 3, "n_jobs": 1,
                         "random_state": 0})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f.fit(10.0 + np.sin(np.arange(80) * 2 * np.pi / 12)
              + 0.1 * np.random.default_rng(0).normal(size=80))
    restored = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert len(restored) == 1 and "were restored" in str(restored[0].message)
    # the last epoch costs more than 10 times a constant forecast (about 1 here)
    assert f.loss_curve_[-1] > 10 and f.best_loss_ == min(f.loss_curve_) < 10
    assert np.all(np.abs(f.predict(3) - 10) < 5)


def test_estimator_predicts_from_fitted_network_after_set_params():
    X = np.random.default_rng(0).normal(size=(30, 5, 1))
    reg = LSTMRegressor(hidden_size=4, max_iter=2, n_jobs=1, random_state=0).fit(
        X, X[:, -1, 0])
    before = reg.predict(X)
    reg.set_params(dtype="float64", embedding_dim=2, head="last")
    np.testing.assert_array_equal(reg.predict(X), before)


def test_load_state_dict_refuses_values_that_overflow_the_network_dtype():
    X = np.random.default_rng(0).normal(size=(30, 5, 1))
    reg = LSTMRegressor(hidden_size=4, max_iter=2, n_jobs=1, random_state=0).fit(
        X, X[:, -1, 0])
    state = {k: v.astype(np.float64) for k, v in reg.get_state_dict().items()}
    state["weight_ih_l0"][0, 0] = 1e300  # finite in float64, inf in float32
    before = pickle.dumps(reg.params_)
    with pytest.raises(ValueError, match=r"state\['weight_ih_l0'\] holds values too large"):
        reg.load_state_dict(state)
    assert pickle.dumps(reg.params_) == before
