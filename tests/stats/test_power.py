"""Planning formulas against hand-worked textbook numbers."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from chatlift.stats import MetricAssumption, minimum_detectable_effect, power, sample_size_per_arm


def test_absolute_sample_size_matches_the_textbook_formula() -> None:
    # Two-sample z-test, σ = 10, δ = 2, α = 0.05 two-sided, 80 % power:
    # n = 2σ²(z₀.₉₇₅ + z₀.₈)²/δ² = 2·100·7.849/4 = 392.4 → 393 (the far tail adds < 0.001 of power).
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    by_hand = math.ceil(2 * 100 * z * z / 4)
    assert sample_size_per_arm(MetricAssumption.mean_metric(50, 10), 2.0, relative=False) == by_hand == 393


def test_sample_size_reaches_the_power_and_one_less_does_not() -> None:
    metric = MetricAssumption.proportion(0.05)
    n = sample_size_per_arm(metric, 0.1)
    assert power(metric, 0.1, n) >= 0.8 > power(metric, 0.1, n - 1)


def test_mde_inverts_sample_size() -> None:
    metric = MetricAssumption.mean_metric(20, 35)
    mde = minimum_detectable_effect(metric, 10_000, relative=False)
    assert mde is not None
    # The absolute MDE ignores the far tail, so its power is 0.8 up to that tail's ≈ 1e-6.
    assert power(metric, mde, 10_000, relative=False) == pytest.approx(0.8, abs=1e-5)


def test_too_few_units_have_no_relative_mde() -> None:
    assert minimum_detectable_effect(MetricAssumption.proportion(0.01), 50) is None


def test_sequential_needs_more_units() -> None:
    metric = MetricAssumption.proportion(0.2)
    assert sample_size_per_arm(metric, 0.05, sequential_tuning=5_000) > sample_size_per_arm(metric, 0.05)
