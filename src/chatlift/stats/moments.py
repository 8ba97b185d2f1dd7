"""Sufficient statistics of one experiment arm, and the per-unit mean and variance they imply.

An arm is summarised by sums over its units, never by the units themselves,
so the database computes them and nothing else leaves it:

* ``n`` units, ``sum`` and ``sum_squares`` of the per-unit value y;
* for a ratio metric, the per-unit denominator d: ``denominator_sum``,
  ``denominator_sum_squares`` and ``main_denominator_sum_product`` (Σ y·d);
* for CUPED, the pre-period covariate x: ``covariate_sum``,
  ``covariate_sum_squares`` and ``main_covariate_sum_product`` (Σ y·x).

Arms of the same kind add up field by field (`ArmMoments.__add__`), so partial
sums from several queries, days or engines merge exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import assert_never


class StatisticKind(StrEnum):
    """How a per-unit value is summarised."""

    MEAN = "mean"  # any number per unit; variance from the sum of squares (n − 1)
    PROPORTION = "proportion"  # 0/1 per unit; variance p(1 − p)
    RATIO = "ratio"  # Σ numerator / Σ denominator over units; delta-method variance


@dataclass(frozen=True, slots=True)
class ArmMoments:
    """Sums over the units of one arm (see the module docstring)."""

    n: float  # units
    sum: float  # Σ y
    sum_squares: float  # Σ y²
    denominator_sum: float = 0.0  # Σ d (ratio metrics)
    denominator_sum_squares: float = 0.0  # Σ d²
    main_denominator_sum_product: float = 0.0  # Σ y·d
    covariate_sum: float = 0.0  # Σ x (CUPED)
    covariate_sum_squares: float = 0.0  # Σ x²
    main_covariate_sum_product: float = 0.0  # Σ y·x

    def __add__(self, other: ArmMoments) -> ArmMoments:
        return ArmMoments(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @classmethod
    def proportion(cls, n: float, successes: float) -> ArmMoments:
        """Moments of ``successes`` ones among ``n`` 0/1 values (Σ y² = Σ y).

        >>> ArmMoments.proportion(10, 3).sum_squares
        3.0
        """
        return cls(n=n, sum=float(successes), sum_squares=float(successes))


def sample_variance(n: float, total: float, total_squares: float) -> float:
    """Unbiased sample variance (divisor n − 1) from n, Σ y and Σ y²; 0 when n < 2.

    Not clipped at 0: sums that are not from real data can make it negative, and
    the delta-method combinations below must see the same number as the textbook
    formula (GrowthBook's ratio vector has such sums); the final variances are clipped.

    The values 1, 2, 3, 4: (30 − 100/4) / 3 = 5/3.

    >>> round(sample_variance(4, 10, 30), 6)
    1.666667
    """
    if n < 2:
        return 0.0
    return (total_squares - total * total / n) / (n - 1)


def sample_covariance(n: float, sum_x: float, sum_y: float, sum_xy: float) -> float:
    """Unbiased sample covariance (divisor n − 1); 0 when n < 2."""
    if n < 2:
        return 0.0
    return (sum_xy - sum_x * sum_y / n) / (n - 1)


def _clip(variance: float, scale: float) -> float:
    """``variance``, or 0 when it is below the rounding error of Σy² − (Σy)²/n (≈ 1e-10 of E[y²])."""
    return 0.0 if variance <= 1e-10 * abs(scale) else variance


@dataclass(frozen=True, slots=True)
class ArmEstimate:
    """An arm's estimated mean and the variance of one unit's contribution to it.

    ``variance / n`` is the squared standard error of ``mean``. For a ratio
    metric ``variance`` is the delta-method unit variance of Σy/Σd.
    """

    n: float
    mean: float
    variance: float


def estimate(arm: ArmMoments, kind: StatisticKind) -> ArmEstimate:
    """Mean and unit variance of an arm for a statistic ``kind``.

    Ratio: mean m = Σy/Σd; with ȳ, d̄ the per-unit means, the delta method gives
    var = var(y)/d̄² − 2·m·cov(y, d)/d̄² + m²·var(d)/d̄².

    >>> estimate(ArmMoments.proportion(28, 14), StatisticKind.PROPORTION)
    ArmEstimate(n=28, mean=0.5, variance=0.25)
    """
    n = arm.n
    if n <= 0:
        return ArmEstimate(n, math.nan, math.nan)
    match kind:
        case StatisticKind.MEAN:
            return ArmEstimate(n, arm.sum / n, _clip(sample_variance(n, arm.sum, arm.sum_squares),
                                                     arm.sum_squares / n))
        case StatisticKind.PROPORTION:
            p = arm.sum / n
            return ArmEstimate(n, p, p * (1 - p))
        case StatisticKind.RATIO:
            if arm.denominator_sum == 0:
                return ArmEstimate(n, math.nan, math.nan)
            d_bar = arm.denominator_sum / n
            ratio = arm.sum / arm.denominator_sum
            var_y = sample_variance(n, arm.sum, arm.sum_squares)
            var_d = sample_variance(n, arm.denominator_sum, arm.denominator_sum_squares)
            cov = sample_covariance(n, arm.sum, arm.denominator_sum, arm.main_denominator_sum_product)
            variance = (var_y - 2 * ratio * cov + ratio * ratio * var_d) / (d_bar * d_bar)
            return ArmEstimate(n, ratio, _clip(variance, arm.sum_squares / n / (d_bar * d_bar)))
        case _:
            assert_never(kind)


@dataclass(frozen=True, slots=True)
class CupedArm:
    """One arm after CUPED: the adjusted mean ȳ − θ·x̄ and its unit variance.

    ``unadjusted_mean`` is ȳ; relative lifts divide by the control's.
    """

    n: float
    mean: float
    variance: float
    unadjusted_mean: float
    covariate_mean: float
    main_variance: float  # var(y)
    covariate_variance: float  # var(x)
    covariance: float  # cov(y, x)


def pooled_theta(control: ArmMoments, treatment: ArmMoments) -> float:
    """CUPED's θ = cov(y, x) / var(x) over both arms pooled; 0 when x does not vary.

    Pooling (one θ for all arms) keeps the estimator unbiased under randomisation.

    >>> pooled_theta(ArmMoments(2, 3, 5, covariate_sum=3, covariate_sum_squares=5, main_covariate_sum_product=5),
    ...              ArmMoments(2, 7, 25, covariate_sum=7, covariate_sum_squares=25, main_covariate_sum_product=25))
    1.0
    """
    joint = control + treatment
    var_x = sample_variance(joint.n, joint.covariate_sum, joint.covariate_sum_squares)
    if var_x <= 0:
        return 0.0
    return sample_covariance(joint.n, joint.sum, joint.covariate_sum, joint.main_covariate_sum_product) / var_x


def cuped(arm: ArmMoments, theta: float) -> CupedArm:
    """The arm adjusted by ``theta``: mean ȳ − θ·x̄, unit variance var(y) + θ²·var(x) − 2θ·cov(y, x)."""
    n = arm.n
    if n <= 0:
        return CupedArm(n, math.nan, math.nan, math.nan, math.nan, math.nan, math.nan, math.nan)
    var_y = sample_variance(n, arm.sum, arm.sum_squares)
    var_x = sample_variance(n, arm.covariate_sum, arm.covariate_sum_squares)
    cov = sample_covariance(n, arm.sum, arm.covariate_sum, arm.main_covariate_sum_product)
    y_bar, x_bar = arm.sum / n, arm.covariate_sum / n
    variance = _clip(var_y + theta * theta * var_x - 2 * theta * cov,
                     (arm.sum_squares + theta * theta * arm.covariate_sum_squares) / n)
    return CupedArm(n, y_bar - theta * x_bar, variance, y_bar, x_bar, var_y, var_x, cov)
