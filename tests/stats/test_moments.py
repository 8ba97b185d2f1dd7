"""Sufficient statistics: merging, hand-worked estimates, dead-ends as warnings."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatlift.stats import ArmMoments, Difference, StatisticKind, estimate_effect, welch_t_test
from chatlift.stats.moments import estimate

values = st.lists(st.floats(min_value=-1e3, max_value=1e3, allow_nan=False), min_size=2, max_size=40)


def of(xs: list[float]) -> ArmMoments:
    a = np.asarray(xs)
    return ArmMoments(len(a), float(a.sum()), float((a * a).sum()))


@settings(max_examples=60, deadline=None)
@given(values, values)
def test_merge_then_estimate_equals_estimate_of_concatenation(a: list[float], b: list[float]) -> None:
    merged = estimate(of(a) + of(b), StatisticKind.MEAN)
    whole = np.asarray(a + b)
    assert merged.mean == pytest.approx(whole.mean(), abs=1e-6)
    assert merged.variance == pytest.approx(whole.var(ddof=1), rel=1e-6, abs=1e-6)


def test_ratio_estimate_by_hand() -> None:
    # Units (y, d): (1, 2), (3, 2), (2, 4). Ratio 6/8 = 0.75. ȳ = 2, d̄ = 8/3, var y = 1, var d = 4/3,
    # cov = (1·2 + 3·2 + 2·4 − 6·8/3)/2 = 0. Delta method: (1 − 0 + 0.75²·4/3)/(8/3)² = 1.75/7.111 = 0.24609.
    arm = ArmMoments(3, 6, 14, denominator_sum=8, denominator_sum_squares=24, main_denominator_sum_product=16)
    e = estimate(arm, StatisticKind.RATIO)
    assert e.mean == 0.75
    assert e.variance == pytest.approx(1.75 / (64 / 9), rel=1e-12)


def test_absolute_proportion_lift_by_hand() -> None:
    # 30/100 vs 40/100: lift 0.1, se √(0.21/100 + 0.24/100) = √0.0045.
    e = estimate_effect(ArmMoments.proportion(100, 30), ArmMoments.proportion(100, 40), StatisticKind.PROPORTION,
                        difference=Difference.ABSOLUTE)
    assert e.point == pytest.approx(0.1)
    assert e.standard_error == pytest.approx(math.sqrt(0.0045), rel=1e-12)


@pytest.mark.parametrize(("control", "treatment", "code"), [
    (ArmMoments(1, 5, 25), ArmMoments(10, 50, 300), "too_few_units"),
    (ArmMoments(10, 50, 250), ArmMoments(10, 50, 250), "zero_variance"),
    (ArmMoments(10, 0, 0), ArmMoments(10, 5, 10), "zero_baseline"),
])
def test_dead_ends_are_warnings(control: ArmMoments, treatment: ArmMoments, code: str) -> None:
    e = estimate_effect(control, treatment, StatisticKind.MEAN)
    assert not e.valid
    assert [w.code for w in e.warnings] == [code]
    assert math.isnan(welch_t_test(e).p_value)


def test_constant_covariate_falls_back_to_the_unadjusted_estimate() -> None:
    c = ArmMoments(10, 50, 300, covariate_sum=10, covariate_sum_squares=10, main_covariate_sum_product=50)
    t = ArmMoments(10, 60, 400, covariate_sum=10, covariate_sum_squares=10, main_covariate_sum_product=60)
    adjusted = estimate_effect(c, t, StatisticKind.MEAN, use_covariate=True)
    plain = estimate_effect(c, t, StatisticKind.MEAN)
    assert adjusted.theta == 0.0
    assert [w.code for w in adjusted.warnings] == ["covariate_constant"]
    assert adjusted.point == pytest.approx(plain.point)
    assert adjusted.standard_error == pytest.approx(plain.standard_error)
