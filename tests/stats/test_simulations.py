"""Operating characteristics by simulation, with fixed seeds.

Each experiment is drawn with numpy and summarised into per-arm sums, exactly what the
database would hand over; only the statistics run per experiment. Bounds are wide enough
for Monte-Carlo noise (the binomial standard error of a 5 % rate over 2 000 runs is 0.5 %).
"""

from __future__ import annotations

import numpy as np

from chatlift.stats import (
    ArmMoments,
    StatisticKind,
    estimate_effect,
    sequential_test,
    welch_t_test,
)


def arms(values: np.ndarray, covariate: np.ndarray | None = None) -> list[ArmMoments]:
    """ArmMoments for each row of ``values`` (experiments × units)."""
    n = values.shape[1]
    s, ss = values.sum(axis=1), (values * values).sum(axis=1)
    if covariate is None:
        return [ArmMoments(n, float(a), float(b)) for a, b in zip(s, ss, strict=True)]
    xs, xss, xy = covariate.sum(axis=1), (covariate * covariate).sum(axis=1), (values * covariate).sum(axis=1)
    return [ArmMoments(n, float(a), float(b), covariate_sum=float(c), covariate_sum_squares=float(d),
                       main_covariate_sum_product=float(e)) for a, b, c, d, e in zip(s, ss, xs, xss, xy, strict=True)]


def test_a_a_false_positive_rate() -> None:
    # 2 000 A/A experiments, 1 000 units per arm, skewed revenue-like values (log-normal), relative lift.
    # (With 400 units the delta method for a ratio of such skewed means runs a little hot, ≈ 6-6.5 %:
    # a known small-sample property of the normal approximation, not something to tune away.)
    rng = np.random.default_rng(20250303)
    runs, n = 2_000, 1_000
    control = arms(rng.lognormal(2.0, 1.0, (runs, n)))
    treatment = arms(rng.lognormal(2.0, 1.0, (runs, n)))
    rejected = sum(welch_t_test(estimate_effect(c, t, StatisticKind.MEAN)).p_value < 0.05
                   for c, t in zip(control, treatment, strict=True))
    rate = rejected / runs
    assert 0.035 <= rate <= 0.065, rate


def test_a_a_false_positive_rate_proportions() -> None:
    rng = np.random.default_rng(7)
    runs, n = 2_000, 1_000
    c = rng.binomial(n, 0.2, runs)
    t = rng.binomial(n, 0.2, runs)
    rejected = sum(welch_t_test(estimate_effect(ArmMoments.proportion(n, a), ArmMoments.proportion(n, b),
                                                StatisticKind.PROPORTION)).p_value < 0.05
                   for a, b in zip(c, t, strict=True))
    assert 0.035 <= rejected / runs <= 0.065, rejected / runs


def test_interval_covers_a_known_effect() -> None:
    # True relative lift +10 %: treatment values are 1.1 × draws from the control's distribution.
    rng = np.random.default_rng(42)
    runs, n = 2_000, 800
    control = arms(rng.exponential(20.0, (runs, n)))
    treatment = arms(1.1 * rng.exponential(20.0, (runs, n)))
    covered = 0
    for c, t in zip(control, treatment, strict=True):
        result = welch_t_test(estimate_effect(c, t, StatisticKind.MEAN))
        covered += result.lower <= 0.10 <= result.upper
    assert 0.93 <= covered / runs <= 0.97, covered / runs


def test_sequential_interval_survives_daily_peeking() -> None:
    # A/A, 28 daily looks at cumulative data (100 new units per arm per day). Stopping at the first look
    # with p < 0.05: the fixed-horizon Welch test is fooled far more often than 5 %; the always-valid
    # sequential test stays below 5 %.
    rng = np.random.default_rng(99)
    runs, days, per_day = 1_000, 28, 100
    daily_c = rng.normal(5.0, 3.0, (runs, days, per_day))
    daily_t = rng.normal(5.0, 3.0, (runs, days, per_day))

    def cumulative(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return values.sum(axis=2).cumsum(axis=1), (values * values).sum(axis=2).cumsum(axis=1)

    (sc, ssc), (st, sst) = cumulative(daily_c), cumulative(daily_t)
    fixed_stops = sequential_stops = 0
    for run in range(runs):
        fixed_hit = sequential_hit = False
        for day in range(days):
            n = float((day + 1) * per_day)
            effect = estimate_effect(ArmMoments(n, sc[run, day], ssc[run, day]),
                                     ArmMoments(n, st[run, day], sst[run, day]), StatisticKind.MEAN)
            fixed_hit = fixed_hit or welch_t_test(effect).p_value < 0.05
            sequential_hit = sequential_hit or sequential_test(effect, tuning=5_000).p_value < 0.05
            if fixed_hit and sequential_hit:
                break
        fixed_stops += fixed_hit
        sequential_stops += sequential_hit
    assert sequential_stops / runs <= 0.05, sequential_stops / runs
    assert fixed_stops / runs >= 0.15, fixed_stops / runs  # 28 looks: roughly 20-25 % false positives


def test_cuped_narrows_the_interval() -> None:
    # y = x + noise with corr(x, y) ≈ 0.8: CUPED's standard error shrinks by about √(1 − 0.8²) = 0.6.
    rng = np.random.default_rng(5)
    n = 5_000
    x_c, x_t = rng.normal(10, 4, (1, n)), rng.normal(10, 4, (1, n))
    y_c = x_c + rng.normal(0, 3, (1, n))
    y_t = x_t + 0.5 + rng.normal(0, 3, (1, n))
    (c,), (t,) = arms(y_c, x_c), arms(y_t, x_t)
    plain = estimate_effect(c, t, StatisticKind.MEAN)
    adjusted = estimate_effect(c, t, StatisticKind.MEAN, use_covariate=True)
    assert adjusted.theta == np.float64(adjusted.theta) and 0.9 < adjusted.theta < 1.1  # cov/var = 16/16
    assert adjusted.standard_error / plain.standard_error < 0.65
    a, p = welch_t_test(adjusted), welch_t_test(plain)
    assert a.upper - a.lower < 0.65 * (p.upper - p.lower)


def test_cuped_keeps_coverage() -> None:
    rng = np.random.default_rng(11)
    runs, n = 2_000, 500
    x_c, x_t = rng.gamma(2.0, 5.0, (runs, n)), rng.gamma(2.0, 5.0, (runs, n))
    y_c = x_c + rng.normal(0, 5, (runs, n)) + 10
    y_t = 1.1 * (x_t + rng.normal(0, 5, (runs, n)) + 10)  # true relative lift +10 %
    covered = 0
    for c, t in zip(arms(y_c, x_c), arms(y_t, x_t), strict=True):
        result = welch_t_test(estimate_effect(c, t, StatisticKind.MEAN, use_covariate=True))
        covered += result.lower <= 0.10 <= result.upper
    assert 0.93 <= covered / runs <= 0.97, covered / runs
