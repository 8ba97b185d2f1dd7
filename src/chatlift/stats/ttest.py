"""Fixed-horizon Welch t-test on an `Effect`: interval and p-value.

Valid when the data are looked at once, at the planned end; for repeated
looks use `chatlift.stats.sequential`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from scipy import special

from chatlift.stats.effect import Effect


class Alternative(StrEnum):
    """The alternative hypothesis about the lift."""

    TWO_SIDED = "two_sided"  # lift ≠ 0
    GREATER = "greater"  # lift > 0 (treatment greater)
    LESS = "less"  # lift < 0


@dataclass(frozen=True, slots=True)
class TestResult:
    """An interval for the lift and a p-value against lift = 0.

    One-sided intervals have an infinite side; ``p_value`` is NaN when the
    effect is invalid.
    """

    method: str  # "welch_t" or "sequential"
    alternative: Alternative
    alpha: float
    lower: float
    upper: float
    p_value: float


# scipy.special's Student-t CDF (stdtr) and quantile (stdtrit) are what scipy.stats.t evaluates, without
# building a distribution object per call (1.7 ms → a few µs: simulations call this 10⁵ times).
def welch_t_test(effect: Effect, *, alpha: float = 0.05,
                 alternative: Alternative = Alternative.TWO_SIDED) -> TestResult:
    """Welch's t-test of ``effect`` (Welch–Satterthwaite degrees of freedom).

    t = lift / se; two-sided p = 2·(1 − F_t(|t|)); interval lift ± t_{1−α/2}·se
    (one-sided: t_{1−α} on one side, the other open).

    >>> from chatlift.stats.effect import Difference
    >>> e = Effect(Difference.ABSOLUTE, 1.0, 0.5, 100.0, 50, 50, 0.0, 1.0, 0.0)
    >>> round(welch_t_test(e).p_value, 4)
    0.0482
    """
    if not effect.valid or not math.isfinite(effect.dof):
        return TestResult("welch_t", alternative, alpha, math.nan, math.nan, math.nan)
    t = effect.point / effect.standard_error
    dof = effect.dof
    match alternative:
        case Alternative.TWO_SIDED:
            half = float(special.stdtrit(dof, 1 - alpha / 2)) * effect.standard_error
            return TestResult("welch_t", alternative, alpha, effect.point - half, effect.point + half,
                              float(2 * special.stdtr(dof, -abs(t))))
        case Alternative.GREATER:
            half = float(special.stdtrit(dof, 1 - alpha)) * effect.standard_error
            return TestResult("welch_t", alternative, alpha, effect.point - half, math.inf, float(special.stdtr(dof, -t)))
        case Alternative.LESS:
            half = float(special.stdtrit(dof, 1 - alpha)) * effect.standard_error
            return TestResult("welch_t", alternative, alpha, -math.inf, effect.point + half, float(special.stdtr(dof, t)))
        case _:
            assert_never(alternative)
