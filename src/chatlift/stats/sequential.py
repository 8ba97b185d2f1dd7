"""Always-valid (sequential) intervals and p-values for teams that look every day.

The asymptotic confidence sequence of Waudby-Smith et al. (2023,
arXiv:2103.06476v7, eq. 9 and its one-sided form), as GrowthBook uses it:
with N units in the two arms together, s² = N·se² and a tuning parameter N*
(the sample size at which the sequence is tightest),

    ρ² = (−2 ln α + ln(−2 ln α + 1)) / N*          (α → 2α when one-sided)
    half-width = s · √( 2 (Nρ² + 1) / (N²ρ²) · ln(√(Nρ² + 1) / α) )
    one-sided:   s · √( 2 (Nρ² + 1) / (N²ρ²) · ln(1 + √(Nρ² + 1) / (2α)) )

and the two-sided always-valid p-value is min(1, 1/E) with the e-value
E = exp(ρ²·N·(lift/se)² / (2(Nρ² + 1))) / √(Nρ² + 1) (eq. 155, reparameterised).
The interval holds at every look with probability ≥ 1 − α, however often one looks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import assert_never

from scipy import optimize

from chatlift.stats.effect import Effect
from chatlift.stats.ttest import Alternative, TestResult

DEFAULT_TUNING = 5000.0  # N*: GrowthBook's default; tightest around 5 000 units in total


def sequential_rho(alpha: float, tuning: float, *, two_sided: bool = True) -> float:
    """ρ of the mixture for level ``alpha`` and tuning parameter N*.

    α = 0.05, N* = 1000: √((5.9915 + ln 6.9915)/1000) = √(7.9362/1000).

    >>> round(sequential_rho(0.05, 1000), 5)
    0.08909
    """
    a = alpha if two_sided else 2 * alpha
    return math.sqrt((-2 * math.log(a) + math.log(-2 * math.log(a) + 1)) / tuning)


def sequential_halfwidth(standard_error: float, n: float, *, alpha: float = 0.05, tuning: float = DEFAULT_TUNING,
                         two_sided: bool = True) -> float:
    """Half-width of the always-valid interval for an estimate with ``standard_error`` from ``n`` units."""
    rho = sequential_rho(alpha, tuning, two_sided=two_sided)
    s = standard_error * math.sqrt(n)
    nr2 = n * rho * rho
    if two_sided:
        log_term = math.log(math.sqrt(nr2 + 1) / alpha)
    else:
        log_term = math.log(1 + math.sqrt(nr2 + 1) / (2 * alpha))
    return s * math.sqrt(2 * (nr2 + 1) / (nr2 * n) * log_term)


def sequential_test(effect: Effect, *, alpha: float = 0.05, tuning: float = DEFAULT_TUNING,
                    alternative: Alternative = Alternative.TWO_SIDED) -> TestResult:
    """Always-valid interval and p-value of ``effect`` (see the module docstring).

    One-sided p-values are the smallest α whose one-sided interval excludes 0
    (found by root finding, clipped to [1e-5, 0.4999] as the interval is only
    defined for α < 0.5).
    """
    if not effect.valid:
        return TestResult("sequential", alternative, alpha, math.nan, math.nan, math.nan)
    n, point, se = effect.total_n, effect.point, effect.standard_error
    match alternative:
        case Alternative.TWO_SIDED:
            half = sequential_halfwidth(se, n, alpha=alpha, tuning=tuning)
            rho = sequential_rho(alpha, tuning)
            nr2 = n * rho * rho
            log_e = rho * rho * n * (point / se) ** 2 / (2 * (nr2 + 1)) - 0.5 * math.log(nr2 + 1)
            p = 1.0 if log_e <= 0 else min(1.0, math.exp(-log_e))
            return TestResult("sequential", alternative, alpha, point - half, point + half, p)
        case Alternative.GREATER:
            half = sequential_halfwidth(se, n, alpha=alpha, tuning=tuning, two_sided=False)
            bound = _one_sided_p(lambda a: point - sequential_halfwidth(se, n, alpha=a, tuning=tuning,
                                                                          two_sided=False))
            return TestResult("sequential", alternative, alpha, point - half, math.inf, bound)
        case Alternative.LESS:
            half = sequential_halfwidth(se, n, alpha=alpha, tuning=tuning, two_sided=False)
            bound = _one_sided_p(lambda a: -(point + sequential_halfwidth(se, n, alpha=a, tuning=tuning,
                                                                            two_sided=False)))
            return TestResult("sequential", alternative, alpha, -math.inf, point + half, bound)
        case _:
            assert_never(alternative)


def _one_sided_p(margin: Callable[[float], float]) -> float:
    """Smallest α in [1e-5, 0.4999] with ``margin(α) ≥ 0`` (margin grows with α)."""
    low, high = 1e-5, 0.4999
    if margin(low) > 0:
        return low
    if margin(high) < 0:
        return high
    return float(optimize.brentq(margin, low, high, xtol=1e-12))
