"""Cost of the output guard and of the divergence monitor, side by side in one process.

* fit: ``LSTMRegressor.fit`` with the real
  :class:`~rnnforecast.nn.training.DivergenceMonitor` against a no-op stand-in
  (the rest of the training loop unchanged), runs interleaved.
* predict: ``LSTMForecaster.predict`` / ``NaiveForecaster.predict`` through
  the guard (horizon bound + output check) against the unwrapped method.

Prints medians and their ratios, with the machine load (timings on a shared
machine are noisy; the ratios are what to read).

Run from the repository root (the package importable, e.g. ``pip install -e .``)::

    python benchmarks/guard_overhead.py [--repeats 7] [--samples 2000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import cpu_model  # noqa: E402

import rnnforecast.nn.loop as est_base  # noqa: E402
from rnnforecast import LSTMForecaster, LSTMRegressor, NaiveForecaster  # noqa: E402
from rnnforecast.forecasting.base import BaseForecaster  # noqa: E402


class NoMonitor:
    """The monitor's interface, doing nothing."""

    def __init__(self, *args, **kwargs):
        self.target_bound = None

    def observe_batch(self, Y, epoch):
        pass

    def observe_step(self, value):
        pass

    def end_epoch(self, epoch, epoch_loss, params):
        pass

    def verdict(self, params, curve, failure=None, **kwargs):
        if failure is not None:
            raise failure
        return params, None


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def interleaved(a, b, repeats: int) -> tuple[float, float]:
    ta, tb = [], []
    for _ in range(repeats):
        ta.append(timed(a))
        tb.append(timed(b))
    return statistics.median(ta), statistics.median(tb)


def fit_overhead(samples: int, repeats: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(samples, 24, 1))
    y = X[:, -1, 0] + 0.1 * rng.normal(size=samples)
    make = lambda: LSTMRegressor(hidden_size=32, max_iter=3, n_jobs=1,  # noqa: E731
                                 random_state=0)
    real = est_base.DivergenceMonitor
    make().fit(X[:64], y[:64])  # compile / warm up

    def with_monitor():
        est_base.DivergenceMonitor = real
        make().fit(X, y)

    def without_monitor():
        est_base.DivergenceMonitor = NoMonitor
        try:
            make().fit(X, y)
        finally:
            est_base.DivergenceMonitor = real

    return interleaved(with_monitor, without_monitor, repeats)


def predict_overhead(model, h: int, repeats: int, calls: int) -> tuple[float, float]:
    raw = BaseForecaster.predict.__wrapped__
    guarded = lambda: [model.predict(h) for _ in range(calls)]  # noqa: E731
    bare = lambda: [raw(model, h) for _ in range(calls)]  # noqa: E731
    guarded(), bare()
    g, b = interleaved(guarded, bare, repeats)
    return g / calls, b / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}; load average before: {os.getloadavg()}")
    print(f"command: python {' '.join(sys.argv)}")
    with_m, without_m = fit_overhead(args.samples, args.repeats)
    print(f"LSTMRegressor.fit ({args.samples} x 24 x 1, hidden 32, 3 epochs): "
          f"monitor {with_m:.3f} s, none {without_m:.3f} s, ratio {with_m / without_m:.3f}")
    y = 10 + np.sin(np.arange(200) * 2 * np.pi / 24)
    for name, model, calls in [
        ("LSTMForecaster.predict(24)", LSTMForecaster(window_length=24, hidden_size=32,
                                                      max_iter=2, n_jobs=1,
                                                      random_state=0).fit(y), 20),
        ("NaiveForecaster.predict(24)", NaiveForecaster().fit(y), 2000),
    ]:
        g, b = predict_overhead(model, 24, args.repeats, calls)
        print(f"{name}: guarded {g * 1e6:.1f} us, bare {b * 1e6:.1f} us, "
              f"ratio {g / b:.3f}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
