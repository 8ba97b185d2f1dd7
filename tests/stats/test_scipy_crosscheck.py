"""Welch's t-test and the SRM chi-square against scipy's own implementations (independent code paths)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from chatlift.stats import (
    Alternative,
    ArmMoments,
    Difference,
    StatisticKind,
    estimate_effect,
    srm_test,
    welch_dof,
    welch_t_test,
)


def moments(values: np.ndarray) -> ArmMoments:
    return ArmMoments(float(len(values)), float(values.sum()), float((values * values).sum()))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("alternative", list(Alternative))
def test_welch_matches_scipy(seed: int, alternative: Alternative) -> None:
    rng = np.random.default_rng(seed)
    control = rng.lognormal(1.0, 1.0, 40 + 17 * seed)
    treatment = rng.lognormal(1.2, 0.7, 55 + 5 * seed)
    effect = estimate_effect(moments(control), moments(treatment), StatisticKind.MEAN,
                             difference=Difference.ABSOLUTE)
    ours = welch_t_test(effect, alpha=0.05, alternative=alternative)
    # scipy's alternative is about mean(a) − mean(b); a = treatment.
    expected = stats.ttest_ind_from_stats(
        treatment.mean(), treatment.std(ddof=1), len(treatment), control.mean(), control.std(ddof=1), len(control),
        equal_var=False, alternative=alternative.value.replace("_", "-"),
    )
    raw = stats.ttest_ind(treatment, control, equal_var=False, alternative=alternative.value.replace("_", "-"))
    assert effect.point / effect.standard_error == pytest.approx(expected.statistic, rel=1e-10)
    assert ours.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert ours.p_value == pytest.approx(raw.pvalue, rel=1e-9)
    assert effect.dof == pytest.approx(raw.df, rel=1e-10)
    interval = raw.confidence_interval(0.95)
    for mine, theirs in ((ours.lower, interval.low), (ours.upper, interval.high)):
        assert mine == pytest.approx(theirs, rel=1e-9) or mine == theirs  # ±inf sides of one-sided tests


def test_welch_dof_equals_satterthwaite_by_hand() -> None:
    # var 4 over 10 units and var 9 over 20: (0.4 + 0.45)² / (0.4²/9 + 0.45²/19) = 0.7225 / 0.028436 = 25.408.
    assert welch_dof(4.0, 10, 9.0, 20) == pytest.approx(0.7225 / (0.16 / 9 + 0.2025 / 19), rel=1e-12)


@pytest.mark.parametrize(("observed", "weights"), [
    ([1000, 1200], [0.5, 0.5]),
    ([480, 520, 1010], [1, 1, 2]),
    ([310, 98], [0.75, 0.25]),
    ([5, 17, 2, 40], [0.1, 0.2, 0.3, 0.4]),
])
def test_srm_matches_scipy_chisquare(observed: list[int], weights: list[float]) -> None:
    total = sum(observed)
    expected = [total * w / sum(weights) for w in weights]
    theirs = stats.chisquare(observed, expected)
    ours = srm_test(observed, weights)
    assert ours.chi_square == pytest.approx(theirs.statistic, rel=1e-12)
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-10)
    assert ours.dof == len(observed) - 1
