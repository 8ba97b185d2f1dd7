"""The treatment effect of one arm against control: point estimate and standard error.

Lift conventions (the same as GrowthBook's gbstats, whose published test
vectors pin them):

* absolute lift = m_t − m_c;
* relative lift = (m_t − m_c) / |ȳ_c|, where m is an arm's (possibly CUPED-
  adjusted) mean and ȳ_c the control's unadjusted mean;
* the variance of an absolute lift is v_t/n_t + v_c/n_c; of a relative lift the
  delta method gives v_t/(ȳ_c²·n_t) + v_c·m_t²/(ȳ_c⁴·n_c) (arms independent);
* with CUPED, θ is pooled over both arms and the relative variance is the delta
  method on (m_t − m_c)/ȳ_c with its gradient taken where the covariate means
  of the arms are equal (their expectation under randomisation);
* degrees of freedom: Welch–Satterthwaite on the unit variances,
  (v_t/n_t + v_c/n_c)² / ((v_t/n_t)²/(n_t − 1) + (v_c/n_c)²/(n_c − 1)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from chatlift.stats.messages import (
    COVARIATE_CONSTANT,
    TOO_FEW_UNITS,
    ZERO_BASELINE,
    ZERO_VARIANCE,
    StatWarning,
)
from chatlift.stats.moments import (
    ArmMoments,
    CupedArm,
    StatisticKind,
    cuped,
    estimate,
    pooled_theta,
    sample_variance,
)


class Difference(StrEnum):
    """How a lift is expressed."""

    ABSOLUTE = "absolute"  # m_t − m_c, in the metric's unit
    RELATIVE = "relative"  # (m_t − m_c) / |ȳ_c|, a fraction (0.18 = +18 %)


@dataclass(frozen=True, slots=True)
class Effect:
    """A lift and its standard error, before any test.

    ``valid`` is false when the data cannot give a standard error (see
    ``warnings``); the numbers are then NaN.
    """

    difference: Difference
    point: float  # the lift
    standard_error: float  # of the lift
    dof: float  # Welch–Satterthwaite degrees of freedom
    control_n: float
    treatment_n: float
    control_mean: float  # unadjusted
    treatment_mean: float  # unadjusted
    theta: float  # CUPED coefficient (0 without CUPED)
    warnings: tuple[StatWarning, ...] = ()

    @property
    def valid(self) -> bool:
        return math.isfinite(self.point) and math.isfinite(self.standard_error) and self.standard_error > 0

    @property
    def total_n(self) -> float:
        return self.control_n + self.treatment_n


def welch_dof(var_c: float, n_c: float, var_t: float, n_t: float) -> float:
    """Welch–Satterthwaite degrees of freedom from unit variances and sizes.

    Equal variances and sizes give n_c + n_t − 2:

    >>> welch_dof(1.0, 10, 1.0, 10)
    18.0
    """
    a, b = var_c / n_c, var_t / n_t
    denominator = a * a / (n_c - 1) + b * b / (n_t - 1)
    if denominator <= 0:
        return math.nan
    return (a + b) ** 2 / denominator


def estimate_effect(
    control: ArmMoments,
    treatment: ArmMoments,
    kind: StatisticKind,
    *,
    difference: Difference = Difference.RELATIVE,
    use_covariate: bool = False,
) -> Effect:
    """The lift of ``treatment`` over ``control`` with its standard error (see the module docstring).

    Args:
        control, treatment: each arm's sufficient statistics.
        kind: mean, proportion or ratio.
        difference: relative (default) or absolute.
        use_covariate: apply CUPED with the arms' covariate sums (mean and proportion metrics).

    Returns:
        An `Effect`; invalid (NaN) with warnings when an arm has < 2 units, nothing
        varies, or a relative lift has a zero baseline.

    28 control units with 14 conversions, 30 treated with 16: lift (16/30 − 0.5)/0.5.

    >>> e = estimate_effect(ArmMoments.proportion(28, 14), ArmMoments.proportion(30, 16),
    ...                     StatisticKind.PROPORTION)
    >>> round(e.point, 5), round(e.standard_error, 4)
    (0.06667, 0.2717)
    """
    warnings: list[StatWarning] = []
    theta = 0.0
    if use_covariate and kind is not StatisticKind.RATIO:
        theta = pooled_theta(control, treatment)
        joint = control + treatment
        if sample_variance(joint.n, joint.covariate_sum, joint.covariate_sum_squares) <= 0:
            warnings.append(StatWarning(COVARIATE_CONSTANT,
                                        "The pre-period covariate is the same for every unit, so CUPED "
                                        "cannot reduce the variance; the result is unadjusted."))
    nan = Effect(difference, math.nan, math.nan, math.nan, control.n, treatment.n,
                 math.nan, math.nan, theta, ())
    if control.n < 2 or treatment.n < 2:
        warnings.append(StatWarning(TOO_FEW_UNITS,
                                    f"Each arm needs at least two units (control {control.n:g}, "
                                    f"treatment {treatment.n:g})."))
        return _with(nan, control, treatment, kind, warnings)

    if use_covariate and kind is not StatisticKind.RATIO:
        a, b = cuped(control, theta), cuped(treatment, theta)
        m_c, m_t, v_c, v_t = a.mean, b.mean, a.variance, b.variance
        base = a.unadjusted_mean
    else:
        ea, eb = estimate(control, kind), estimate(treatment, kind)
        m_c, m_t, v_c, v_t = ea.mean, eb.mean, ea.variance, eb.variance
        base = m_c
    n_c, n_t = control.n, treatment.n

    if not (math.isfinite(m_c) and math.isfinite(m_t)):
        warnings.append(StatWarning(ZERO_BASELINE, "A ratio metric has a zero denominator in one arm."))
        return _with(nan, control, treatment, kind, warnings)
    if v_c <= 0 and v_t <= 0:
        warnings.append(StatWarning(ZERO_VARIANCE,
                                    "Every unit has the same value in both arms, so there is no "
                                    "variation to test against."))
        return _with(nan, control, treatment, kind, warnings)

    match difference:
        case Difference.ABSOLUTE:
            point = m_t - m_c
            variance = v_t / n_t + v_c / n_c
        case Difference.RELATIVE:
            if base == 0:
                warnings.append(StatWarning(ZERO_BASELINE,
                                            "The control mean is 0, so a relative lift is undefined; "
                                            "use the absolute lift."))
                return _with(nan, control, treatment, kind, warnings)
            point = (m_t - m_c) / abs(base)
            if use_covariate and kind is not StatisticKind.RATIO:
                variance = _relative_cuped_variance(cuped(control, theta), cuped(treatment, theta), theta)
            else:
                variance = v_t / (base * base * n_t) + v_c * m_t * m_t / (base**4 * n_c)
        case _:
            assert_never(difference)
    return Effect(difference, point, math.sqrt(variance), welch_dof(v_c, n_c, v_t, n_t), n_c, n_t,
                  _unadjusted(control, kind), _unadjusted(treatment, kind), theta, tuple(warnings))


def _relative_cuped_variance(a: CupedArm, b: CupedArm, theta: float) -> float:
    base2 = a.unadjusted_mean**2
    treated = b.variance / (b.n * base2)
    # ∂/∂ȳ_c of (m_t − m_c)/ȳ_c is −(ȳ_t − θ(x̄_t − x̄_c))/ȳ_c², taken at x̄_t = x̄_c: −ȳ_t/ȳ_c²;
    # ∂/∂x̄_c is θ/ȳ_c. Quadratic form with the control's (var y, cov, var x), over n_c.
    g_y = -b.unadjusted_mean / base2
    g_x = theta / a.unadjusted_mean
    control = (g_y * g_y * a.main_variance + 2 * g_y * g_x * a.covariance + g_x * g_x * a.covariate_variance) / a.n
    return treated + control


def _unadjusted(arm: ArmMoments, kind: StatisticKind) -> float:
    return estimate(arm, kind).mean if arm.n > 0 else math.nan


def _with(base: Effect, control: ArmMoments, treatment: ArmMoments, kind: StatisticKind,
          warnings: list[StatWarning]) -> Effect:
    return Effect(base.difference, base.point, base.standard_error, base.dof, base.control_n, base.treatment_n,
                  _unadjusted(control, kind), _unadjusted(treatment, kind), base.theta, tuple(warnings))
