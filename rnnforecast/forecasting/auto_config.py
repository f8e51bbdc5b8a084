"""Automatic configuration of the neural forecasters (rules, no network code).

Deviations from the interface note (fields and names are as agreed):
for data that are not all positive the scaler is ``"standard"``
(whole-series standardisation), not ``"window"``: the per-window scalers
divide each window by its level, which needs positive values (see
:mod:`rnnforecast.forecasting.neural.windows`).  :func:`auto_settings` takes an extra keyword
``freq`` (default None), used only when the data show no season: for the horizon, and for
the calendar-cycle input of weekly data (:data:`CALENDAR_CYCLE_PATCH`).

Every function here is pure (numpy/pandas only) and documents why it
chooses what it chooses; :class:`AutoSettings.reasons` repeats the reasons
for the fitted model.  The rules follow the M4 competition and the
forecasting literature rather than constants fitted to the bundled data:

* **Seasonal period** -- the calendar period of the index frequency
  (hourly 24, daily 7, weekly 52, monthly 12, quarterly 4, yearly 1; as in
  Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed.,
  sec. 2.1 and 12.1), kept only when the data show it: the M4 seasonality
  test (Makridakis et al. 2020, the Naive2 benchmark: ``|r_m| > 1.645 *
  sqrt((1 + 2 sum_{k<m} r_k^2) / n)``, needing ``n >= 3m``) is applied to the
  *first differences* (of the logs for positive data), so that a trend,
  whose autocorrelations are high at every lag, is not mistaken for a
  season; the lag-``m`` autocorrelation must be positive and above the one
  half a season earlier, a peak after a trough (Wang, Smith & Hyndman 2006,
  *Characteristic-based clustering for time series data*).  Without a
  frequency, the candidates 4, 5, 7, 12, 24, 52 are tested at a
  Bonferroni-corrected level (90 % over the six tests) and the significant
  one with the largest autocorrelation wins.  So weekly data get 52 only
  with three years of history and a visible yearly cycle (M4 scores weekly
  data with m = 1).  A collection takes the period most of its series
  show; :func:`auto_settings` drops it when the typical series (the 10 %
  length quantile) holds fewer than three seasons.
* **Horizon** trained by the direct multi-output head: the M4 horizons per
  period (quarterly 8, daily 14, monthly 18, hourly 48, weekly 13; yearly 6),
  with ``max(6, min(13, n / 10))`` for non-seasonal data without a known
  frequency; ``predict(h)`` beyond it rolls the block forward.  Yearly data
  with a yearly index get 6 at any length (:data:`FREQUENCY_HORIZONS`; until
  2026-11-30 they fell through to the length rule, 11 for 114 years).
  Validation, the two yearly series longer than 60 points: sunspots (val
  split) MASE ratio to seasonal naive 0.579 -> 0.513, lynx (114 years, an
  extra check set from pmdarima's bundled data, 3 origins, 3 seeds) MASE
  0.841 -> 0.672.
* **Input length**: N-BEATS (Oreshkin et al. 2020) uses look-backs of 2h to
  7h; the base length here is two horizons rounded up to whole seasons
  (hourly: one week, the weekly cycle of hourly data, as the M4 Hourly
  recipe of this package), shortened when the data are short so that the
  series (a collection's typical series, its 10 % length quantile) keeps
  at least ``MIN_WINDOWS`` training windows.  Without a significant season
  the input still spans one calendar cycle of the frequency when that is
  longer than two horizons and the data allow it
  (:data:`CALENDAR_CYCLE_PATCH`: weekly data read 52 weeks in patches of 4
  instead of 26 single weeks; M4 Weekly is scored without a season, yet a
  year of history carries its yearly pattern).  For that input a
  collection, whose one network learns from the windows of every series,
  needs only one whole window in its typical series and ``MIN_WINDOWS``
  windows per series on average (M4 Weekly's typical validation series,
  67 weeks, would have cut it to 26 weeks); other collections keep the
  typical-series rule (the pooled rule is validated on M4 Weekly only).
  Validation split of M4 Weekly (359 series, default LSTM, seed 0): OWA
  0.848 -> 0.746 with fit time 309 -> 192 s CPU (52 single weeks: 0.749,
  456 s); 30 of its series fitted one at a time: geometric-mean MASE ratio
  to naive 0.759 -> 0.720, series lost to naive 9 -> 7.
  Ensemble members use input lengths spread between the base and about
  twice the base where the data allow (N-BEATS ensembles over look-backs
  and seeds).
* **Scaling**: per-window level normalisation with logs for positive data
  (ES-RNN, Smyl 2020: each window divided by its level, log taken),
  whole-series standardisation otherwise.
* **Residual target**: the network learns the deviation from seasonal
  naive when a season exists (ES-RNN's de-seasonalisation; an untrained
  network forecasts like seasonal naive; for the yearly cycle of quarterly,
  monthly and weekly data the base averages the seasonal profile of the
  input's last three years:
  :data:`~rnnforecast.forecasting.neural.windows.AVERAGED_SEASONS`), and from the last value without
  one (:data:`NONSEASONAL_RESIDUAL`; with the log window scaling of
  positive data the target is already relative to the last value, so this
  changes only standardised series: on the validation split sunspots'
  MASE went 2.20 -> 2.09-2.15 and Danish lpy's 0.90 -> 0.34-0.37).
* **Loss** MAE (scale-free after window scaling, close to the sMAPE/MASE
  objectives of M4; ES-RNN trains on a pinball loss at the median), Adam
  with a cosine learning-rate decay.
* **Capacity and training length** from the number of training windows:
  small networks and about 150 updates for one short series (on the
  validation split, 150 beat 300 and 600 on four of the six bundled series:
  short training keeps the ensemble close to the seasonal-naive base; so that a
  default fit of one 150-point monthly series stays within about 2 s,
  ensemble included), growing for one series in proportion to its windows
  beyond 100 (a fixed number of passes over the data, about 40 epochs of
  batches of 32) up to 1,200 updates (:data:`SMALL_UPDATES_GROWTH`: a
  700-point hourly series, ~490 windows, gets ~735).  Validation, flat 150
  -> square-root growth up to 600 (third session): 69 M4 Hourly series fitted one at a time
  (``benchmarks/m4_single.py``), geometric-mean MASE ratio to seasonal naive
  0.790 -> 0.728 (series lost 29 -> 25); 60 M4 Weekly series 0.796 -> 0.778
  (22 -> 20); the 31-series suite 0.622 -> 0.622 (flat 300: 0.743 / 0.782 /
  0.623; flat 600 hourly 0.703 but the suite 0.641; growth from 200
  windows: 0.761 / 0.787 / 0.622).  Square root -> proportional up to 1,200
  (fifth session; :data:`SMALL_UPDATES_EXPONENT`): M4 Hourly 0.728 -> 0.695
  (mean MASE 0.963 -> 0.926, 25 -> 25 lost), M4 Weekly 0.778 -> 0.763 (2.158
  -> 2.116, 20 -> 21), the 41 validation series of both families 0.612 ->
  0.607 (3 seeds; the half-hourly taylor series 0.39 -> 0.24, the other 40
  within noise: 6 better, 7 worse, 27 unchanged, having < 100 windows),
  at twice the fit time of such series (hourly: 1.2 -> 2.6 s CPU); larger networks and a capped number of
  windows per epoch for panels (the M4 Hourly recipe: hidden 128, batches of 256, Adam
  2e-3, 30 epochs of 51,200 windows); a member's training never exceeds
  that recipe's compute (:data:`TRAINING_BUDGET` window-steps).  A tiny
  series, whose windows fill only one or two batches, gets at most
  :data:`SMALL_DATA_MAX_EPOCHS` passes over them: 150 updates on the ~20
  windows of a 35-point yearly series were 150 full passes, which fitted
  noise; with the residual target an untrained network forecasts (seasonal)
  naive, so less training shrinks towards it.  On the validation split's 19
  tiny series (nile and the short yearly/quarterly extra series; 3 seeds),
  at most 200 (before) / 80 / 50 / 30 / 20 epochs gave geometric-mean MASE
  ratios to naive of 0.760 / 0.725 / 0.710 / 0.697 / 0.665 and 8 / 7 / 6 /
  4 / 2 series lost to naive; the same cap of 20 on a series of 5 batches
  (elec_equip, 132 windows) made it worse (ratio 0.84 -> about 1.0),
  hence the condition on the batches.
* **Ensemble size** (:data:`ENSEMBLE_SIZES`): a median over 10 members
  when the data give fewer than 2,000 training windows (one short series:
  each member costs about 0.1 s, and on the validation split the median of
  10 cut the largest spread of the accuracy over seeds from 17 % to 12 %;
  N-BEATS ensembles 180 members), up to :data:`MAX_SMALL_ENSEMBLE` when the
  epoch cap makes members short (the ensemble then spends about
  :data:`SMALL_ENSEMBLE_UPDATES` updates, as 10 members of 150 do: on the
  19 tiny validation series 30 members cut the largest seed spread from
  19.6 % to 11.4 % and the geometric-mean ratio from 0.686 to 0.674), 5 for
  one longer series or a small collection, 3 for larger collections, whose
  members are each a long training run.
* **Fallback** when even the shortest input and horizon leave the typical
  series fewer than ``MIN_WINDOWS`` training windows: the reason is
  returned and the caller fits a statistical forecaster instead (and says
  so).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from rnnforecast.forecasting.frequency import period_from_freq
from rnnforecast.metrics.m4 import acf as _acf

__all__ = [
    "AutoSettings",
    "MIN_WINDOWS",
    "auto_settings",
    "infer_panel_seasonal_period",
    "infer_seasonal_period",
    "period_from_freq",
    "seasonal_strength_test",
]

#: Periods tried when the index carries no frequency.
CANDIDATE_PERIODS: tuple[int, ...] = (4, 5, 7, 12, 24, 52)
#: Critical value when all candidates are tested: 90 % one-sided, Bonferroni over the candidates.
CANDIDATE_Z = NormalDist().inv_cdf(1.0 - 0.10 / len(CANDIDATE_PERIODS))
#: M4 horizons per seasonal period (quarterly, business daily, daily, monthly, hourly, weekly).
M4_HORIZONS: dict[int, int] = {4: 8, 5: 10, 7: 14, 12: 18, 24: 48, 52: 13}
#: M4 horizon per calendar period of the index frequency, for data without a significant
#: season (yearly data: period 1, horizon 6).
FREQUENCY_HORIZONS: dict[int, int] = {**M4_HORIZONS, 1: 6}
#: Fewest training windows a single series must give the network.
MIN_WINDOWS = 12
#: Windows visited per epoch at most (a fresh random subset each epoch).
MAX_WINDOWS_PER_EPOCH = 51200
#: Base input length in horizons (N-BEATS: 2 to 7).
INPUT_HORIZONS = 2
#: Ensemble members for < 2,000 training windows (one short series), for one series or
#: < 5,000 windows, and for larger collections.
ENSEMBLE_SIZES = (10, 5, 3)
#: Updates of a whole ensemble of short members (< 2,000 training windows; tiny series: members
#: of 20-40 updates), and the most members it may be split into; members of more updates (a
#: longer series, SMALL_UPDATES_GROWTH) stay ENSEMBLE_SIZES[0] = 10.
SMALL_ENSEMBLE_UPDATES = 1500
MAX_SMALL_ENSEMBLE = 30
#: Gradient updates per member for < 2,000, < 20,000 and more training windows.
TARGET_UPDATES = (150, 1500, 6000)
#: (reference windows, most updates): one series with fewer than 2,000 training windows: a
#: member's updates grow as (windows / reference) ** SMALL_UPDATES_EXPONENT times
#: TARGET_UPDATES[0] beyond the reference (None: a flat TARGET_UPDATES[0]; small collections
#: keep it flat).
SMALL_UPDATES_GROWTH = (100, 1200)
#: 1: proportional to the windows (a fixed number of epochs); the third session's rule was 0.5
#: with at most 600 updates.
SMALL_UPDATES_EXPONENT = 1.0
#: Most window-steps (windows visited x network steps per window) of one member's training.
TRAINING_BUDGET = 30 * MAX_WINDOWS_PER_EPOCH * 7
#: Most epochs (passes over the windows) when the data fill only one or two batches
#: (at least 10 epochs are always run).
SMALL_DATA_MAX_EPOCHS = 20
#: Input of data without a significant season: one calendar cycle of the index frequency when
#: that is longer than two horizons and the data give enough windows for it (in practice weekly
#: data: 52 weeks, not 26), read in patches of the given length (weekly: 4 weeks, about a month).
CALENDAR_CYCLE_PATCH: dict[int, int] = {52: 4}
#: Whether non-seasonal data (one series, or < 5,000 training windows) also get the residual
#: target (deviation from the last value).
NONSEASONAL_RESIDUAL = True


def _check_values(values, name: str = "values") -> np.ndarray:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one series); got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values; clean the series first")
    return x


def seasonal_strength_test(values, seasonal_period: int, z: float = 1.645) -> float:
    """Lag-``m`` autocorrelation of the differenced series if it marks a season, else 0.

    Parameters
    ----------
    values : array-like of shape (n,)
        One series (finite values).
    seasonal_period : int
        Candidate period ``m`` (>= 2).
    z : float, default=1.645
        Critical value of the one-sided test (1.645: M4's 90 % level).

    Returns
    -------
    float
        ``r_m`` of the first differences (of the logs when every value is
        positive: growth rates, whose seasonality is multiplicative as in
        ES-RNN) when ``n >= 3m``,
        ``r_m > z * sqrt((1 + 2 * sum_{k<m} r_k^2) / n)`` (M4's 90 %
        test, one-sided: a season correlates positively) and ``r_m`` is
        above the autocorrelation half a season earlier (``r_m >
        r_{floor(m/2)}``: a peak after a trough, as in the period detection
        of Wang, Smith & Hyndman 2006), so that the decaying
        autocorrelations of an autoregressive series are not taken for a
        season; 0.0 otherwise (not seasonal at ``m``).

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.forecasting.auto_config import seasonal_strength_test
    >>> t = np.arange(120)
    >>> seasonal_strength_test(t + 5 * np.sin(2 * np.pi * t / 12), 12) > 0.5
    True
    >>> seasonal_strength_test(np.cumsum(np.random.default_rng(0).normal(size=120)), 12)
    0.0
    """
    x = _check_values(values)
    m = int(seasonal_period)
    if m < 2 or x.shape[0] < 3 * m:
        return 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        d = np.diff(np.log(x) if (x > 0).all() else x)
    if not np.all(np.isfinite(d)):  # differences of values near +-1.8e308 overflow
        d = np.diff(x / np.max(np.abs(x)))  # autocorrelations do not depend on the scale
    r = _acf(d, m)
    limit = z * np.sqrt((1.0 + 2.0 * np.sum(r[: m - 1] ** 2)) / d.shape[0])
    above_trough = r[m - 1] > r[m // 2 - 1]
    return float(r[m - 1]) if r[m - 1] > limit and above_trough else 0.0


def infer_seasonal_period(values, freq: str | None) -> int:
    """Seasonal period of one series (1 = no season).

    Parameters
    ----------
    values : array-like of shape (n,)
        The series (finite values).
    freq : str or None
        pandas frequency string of its index, or None (RangeIndex / numpy).

    Returns
    -------
    int
        The calendar period of ``freq`` (:func:`period_from_freq`) when
        :func:`seasonal_strength_test` finds it in the data; without a known
        frequency, the significant candidate of :data:`CANDIDATE_PERIODS`
        (at the Bonferroni-corrected level :data:`CANDIDATE_Z`) with the
        largest autocorrelation; 1 when nothing is significant or
        the series is shorter than three seasons.

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.forecasting.auto_config import infer_seasonal_period
    >>> t = np.arange(144)
    >>> y = 100 + t + 10 * np.sin(2 * np.pi * t / 12)
    >>> infer_seasonal_period(y, "MS"), infer_seasonal_period(y, None), infer_seasonal_period(y, "YS")
    (12, 12, 1)
    >>> infer_seasonal_period(y[:30], "MS")  # shorter than three seasons
    1
    """
    x = _check_values(values)
    known = period_from_freq(freq)
    if known is not None:
        return known if known > 1 and seasonal_strength_test(x, known) > 0 else 1
    scores = {m: seasonal_strength_test(x, m, CANDIDATE_Z) for m in CANDIDATE_PERIODS}
    best = max(scores, key=lambda m: (scores[m], -m))
    return best if scores[best] > 0 else 1


def infer_panel_seasonal_period(series, freq: str | None) -> int:
    """One seasonal period for a collection of series (1 = no season).

    A candidate period (the calendar period of ``freq``, or each of
    :data:`CANDIDATE_PERIODS` without one) is kept when at least half of
    the series long enough to be tested (``n >= 3m``) are significantly
    seasonal at it (:func:`seasonal_strength_test`); without a frequency the
    kept candidate with the largest mean autocorrelation (0 for the series
    not seasonal at it) wins.

    Parameters
    ----------
    series : list of array-like of shape (n_i,)
    freq : str or None

    Returns
    -------
    int

    Examples
    --------
    >>> import numpy as np
    >>> from rnnforecast.forecasting.auto_config import infer_panel_seasonal_period
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(24 * 10)
    >>> panel = [50 + 10 * np.sin(2 * np.pi * t / 24 + k) + rng.normal(size=t.size) for k in range(5)]
    >>> infer_panel_seasonal_period(panel, None), infer_panel_seasonal_period(panel, "h")
    (24, 24)
    >>> infer_panel_seasonal_period([rng.normal(size=300) for _ in range(5)], None)
    1
    """
    arrays = [_check_values(s, f"series[{i}]") for i, s in enumerate(series)]
    if not arrays:
        raise ValueError("series must hold at least one series; got an empty collection")
    known = period_from_freq(freq)
    if known is not None:
        candidates, z = ((known,) if known > 1 else ()), 1.645
    else:
        candidates, z = CANDIDATE_PERIODS, CANDIDATE_Z
    best, best_score = 1, 0.0
    for m in candidates:
        tested = [x for x in arrays if x.shape[0] >= 3 * m]
        if not tested:
            continue
        r = np.array([seasonal_strength_test(x, m, z) for x in tested])
        if np.mean(r > 0) >= 0.5 and r.mean() > best_score:
            best, best_score = m, float(r.mean())
    return best


def _too_few_windows(lens: np.ndarray, n_ref: int, w: int, h: int, pooled: bool = False) -> bool:
    """Whether input ``w`` and horizon ``h`` leave too few training windows.

    The typical series (``n_ref``: the series, or a collection's 10 % length quantile) gives
    fewer than ``MIN_WINDOWS``.  ``pooled`` (a collection's calendar-cycle input, the case
    validated on M4 Weekly): one network learns from the windows of every series, so the typical
    series need only hold one whole window, with ``MIN_WINDOWS`` windows per series on average.
    """
    if not pooled or lens.size == 1:
        return n_ref - w - h + 1 < MIN_WINDOWS
    total = int(np.maximum(lens - w - h + 1, 0).sum())
    return n_ref - w - h + 1 < 1 or total < MIN_WINDOWS * lens.size


@dataclass(frozen=True)
class AutoSettings:
    """Settings chosen by :func:`auto_settings` (see the module docstring for the rules).

    Attributes
    ----------
    seasonal_period : int
        1 = none.
    window_length : int
        Input length in time steps (multiple of ``patch_length``).
    patch_length : int
    horizon : int
        Trained direct horizon (``predict(h > horizon)`` rolls the block forward).
    scaler : str
        ``"window_log"`` for all-positive data, else ``"standard"``.
    residual : bool
        Learn the deviation from seasonal naive (from the last value when
        ``seasonal_period == 1``; see :data:`NONSEASONAL_RESIDUAL`).
    loss : str
    learning_rate_init : float
    learning_rate : str
    hidden_size : int
    batch_size : int
    max_iter : int
        Epochs.
    windows_per_epoch : int or None
    n_estimators : int
        Ensemble size.
    member_window_lengths : tuple of int
        One input length per member (cycled), multiples of ``patch_length``.
    fallback : str or None
        None, or why the network cannot learn these series (too short).
    reasons : tuple of str
        One line per choice.
    """

    seasonal_period: int
    window_length: int
    patch_length: int
    horizon: int
    scaler: str
    residual: bool
    loss: str
    learning_rate_init: float
    learning_rate: str
    hidden_size: int
    batch_size: int
    max_iter: int
    windows_per_epoch: int | None
    n_estimators: int
    member_window_lengths: tuple
    fallback: str | None
    reasons: tuple


def _round_up(value: int, multiple: int) -> int:
    return -(-int(value) // multiple) * multiple


def _horizon(seasonal_period: int, n_ref: int, freq_period: int | None) -> tuple[int, str]:
    m = seasonal_period
    if m in M4_HORIZONS:
        return M4_HORIZONS[m], f"horizon {M4_HORIZONS[m]}: the M4 horizon for seasonal period {m}"
    if m > 1:
        h = min(2 * m, 48)
        return h, f"horizon {h}: two seasons (at most 48)"
    if freq_period is not None and freq_period in FREQUENCY_HORIZONS:
        h = FREQUENCY_HORIZONS[freq_period]
        return h, f"horizon {h}: the M4 horizon of the data's frequency (no significant season)"
    h = int(max(6, min(13, n_ref // 10)))
    return h, (f"horizon {h}: a tenth of the typical length {n_ref}, between the M4 yearly (6) "
               "and weekly (13) horizons")


def auto_settings(*, lengths, seasonal_period: int, all_positive: bool, n_series: int,
                  freq: str | None = None) -> AutoSettings:
    """Settings for the neural forecasters from the period, the lengths and the sign of the data.

    Parameters
    ----------
    lengths : list of int
        Length of every training series (one entry per series).
    seasonal_period : int
        From :func:`infer_seasonal_period` / :func:`infer_panel_seasonal_period`
        (1 = none).
    all_positive : bool
        Whether every value of every series is > 0 (log window scaling).
    n_series : int
        Number of series (``len(lengths)``).
    freq : str or None, default=None
        Frequency of the index when known: only used when the data show no
        season, to pick the M4 horizon (e.g. yearly 6, weekly 13) and the
        calendar-cycle input of weekly data (52 weeks in patches of 4).

    Returns
    -------
    AutoSettings

    Examples
    --------
    >>> from rnnforecast.forecasting.auto_config import auto_settings
    >>> s = auto_settings(lengths=[150], seasonal_period=12, all_positive=True, n_series=1)
    >>> s.seasonal_period, s.horizon, s.window_length, s.scaler, s.residual, s.fallback
    (12, 18, 36, 'window_log', True, None)
    >>> auto_settings(lengths=[10], seasonal_period=1, all_positive=True, n_series=1).fallback
    'the series has 10 observations; the network needs at least 18 (input 6 + horizon 1 + 12 training windows)'
    """
    lens = np.asarray(lengths, dtype=np.int64).reshape(-1)
    if lens.size == 0 or lens.size != int(n_series):
        raise ValueError(f"lengths must hold one length per series (n_series={n_series}); "
                         f"got {lens.size} length(s)")
    if (lens < 1).any():
        raise ValueError(f"lengths must be positive; got minimum {int(lens.min())}")
    m = int(seasonal_period)
    if m < 1:
        raise ValueError(f"seasonal_period must be a positive int (1 = none); got {seasonal_period!r}")
    reasons = []
    # Reference length: the series that most of the panel is at least as long as.
    n_ref = int(np.quantile(lens, 0.1, method="lower")) if lens.size > 1 else int(lens[0])
    freq_period = period_from_freq(freq)
    h, why = _horizon(m, int(np.median(lens)), freq_period)
    reasons.append(why)

    # Season dropped when fewer than three seasons (the M4 test's minimum) fit in the data.
    if m > 1 and n_ref < 3 * m:
        reasons.append(f"seasonal period {m} dropped: the typical series ({n_ref} points) holds fewer "
                       "than three seasons")
        m = 1
    p = m if m >= 24 else 1
    base = 7 * m if m == 24 else (_round_up(INPUT_HORIZONS * h, m) if m > 1 else INPUT_HORIZONS * h)
    cycle = (m == 1 and freq_period in CALENDAR_CYCLE_PATCH and freq_period > base
             and not _too_few_windows(lens, n_ref, int(freq_period), h, pooled=True))
    pooled = cycle and lens.size > 1
    if cycle:
        base, p = int(freq_period), CALENDAR_CYCLE_PATCH[freq_period]
    base = _round_up(base, p)
    w_min = max(m, p, 6) if m > 1 else _round_up(6, p)

    # Shorten the input (then the horizon) until the data give enough training windows.
    w = base
    while w > w_min and _too_few_windows(lens, n_ref, w, h, pooled):
        w = max(w_min, _round_up(w // 2, max(m, p)))
    w = max(w, w_min)
    while h > 1 and _too_few_windows(lens, n_ref, w, h, pooled):
        h = max(1, h // 2)
    fallback = None
    if _too_few_windows(lens, n_ref, w, h, pooled):  # never when pooled: the cycle fitted
        need = w + h + MIN_WINDOWS - 1
        who = "the series has" if lens.size == 1 else "the typical series (10 % quantile) has"
        fallback = (f"{who} {n_ref} observations; the network needs at least {need} "
                    f"(input {w} + horizon {h} + {MIN_WINDOWS} training windows)")
        reasons.append("fallback: " + fallback)
    if w != base:
        reasons.append(f"input length {w} (shortened from {base} so that the series give at least "
                       f"{MIN_WINDOWS} training windows" + (" per series on average)"
                                                            if pooled else ")"))
    else:
        reasons.append(f"input length {w}: " + ("one week of hourly values" if m == 24
                                                 else "one calendar cycle of the frequency (no "
                                                 "significant season)" if cycle
                                                 else "two horizons, whole seasons"))
    if p > 1:
        reasons.append(f"patch length {p}: " + (f"{p} time steps per network step" if cycle
                                                else "one season per network step"))
    scaler = "window_log" if all_positive else "standard"
    reasons.append("scaler 'window_log': positive data, each window divided by its level (ES-RNN)"
                   if all_positive else "scaler 'standard': the data are not all positive")

    # Member input lengths: from the base to about twice the base (N-BEATS), within the data.
    step = max(m, p)
    longest = w
    while longest + step <= 2 * w and not _too_few_windows(lens, n_ref, longest + step, h,
                                                                        pooled):
        longest += step
    windows = np.maximum(lens - w - h + 1, 0)
    total = int(windows.sum())
    small = lens.size == 1 or total < 5000
    # Large collections keep the settings their M4 runs measured (no residual without a season).
    residual = m > 1 or (NONSEASONAL_RESIDUAL and small)
    if m > 1:
        from rnnforecast.forecasting.neural.windows import AVERAGED_SEASONS  # no import cycle

        n_avg = AVERAGED_SEASONS.get(m, 1)
        reasons.append(f"seasonal residual: the network corrects seasonal naive (period {m})"
                       if n_avg <= 1 else
                       f"seasonal residual: the network corrects the last season's level plus the "
                       f"seasonal profile averaged over up to {n_avg} seasons of its input (as many "
                       f"whole seasons as the input holds; period {m})")
    elif residual:
        reasons.append("residual: the network corrects the naive forecast (the last value)")

    hidden = 16 if total < 2000 else 32 if total < 20000 else 64 if total < 200000 else 128
    batch = 32 if total < 20000 else 256
    wpe = None if total <= MAX_WINDOWS_PER_EPOCH else MAX_WINDOWS_PER_EPOCH
    per_epoch = max(1, -(-min(total, wpe or total) // batch))
    target_updates = TARGET_UPDATES[0 if total < 2000 else 1 if total < 20000 else 2]
    if total < 2000 and lens.size == 1 and SMALL_UPDATES_GROWTH:
        ref, most = SMALL_UPDATES_GROWTH
        growth = float(total / ref) ** float(SMALL_UPDATES_EXPONENT)
        target_updates = int(np.clip(target_updates * growth, target_updates, most))
    epochs = round(target_updates / per_epoch)
    # Compute cap: at most TRAINING_BUDGET window-steps (windows visited x network steps per
    # window), the M4 Hourly recipe's 30 epochs x 51,200 windows x 7 steps.
    visited = min(total, wpe or total) * (w // p)
    most = SMALL_DATA_MAX_EPOCHS if per_epoch <= 2 else 200  # one or two batches per epoch
    epochs = int(np.clip(min(epochs, TRAINING_BUDGET // max(visited, 1)), 10, most))
    lr = 5e-3 if total < 20000 else 2e-3
    reasons.append(f"{total} training windows: hidden size {hidden}, batch {batch}, {epochs} epochs"
                   + (f" of {wpe} windows" if wpe else "") + f", Adam {lr:g} with cosine decay, MAE loss")
    n_est = ENSEMBLE_SIZES[0 if total < 2000 else 1 if small else 2]
    if total < 2000:  # small data: about SMALL_ENSEMBLE_UPDATES updates, more members when short
        n_est = int(np.clip(SMALL_ENSEMBLE_UPDATES // (epochs * per_epoch), n_est, MAX_SMALL_ENSEMBLE))
    cand = np.unique(np.linspace(w, longest, n_est).astype(int) // step * step)
    members = tuple(int(c) for c in cand if c >= w) or (w,)
    reasons.append(f"ensemble of {n_est} (median) over seeds and input lengths {members}")
    return AutoSettings(
        seasonal_period=m, window_length=int(w), patch_length=int(p), horizon=int(h), scaler=scaler,
        residual=residual, loss="mae", learning_rate_init=lr, learning_rate="cosine",
        hidden_size=hidden, batch_size=batch, max_iter=epochs, windows_per_epoch=wpe,
        n_estimators=n_est, member_window_lengths=members, fallback=fallback, reasons=tuple(reasons))
