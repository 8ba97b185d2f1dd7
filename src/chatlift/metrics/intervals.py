"""Confidence intervals from sufficient statistics (95 % unless asked otherwise).

Each function takes the counts and sums a metric's aggregation returns per
group and gives ``(value, lower, upper)``; ``None`` values where n is too small.
"""

from __future__ import annotations

import math

from scipy import stats

Interval = tuple[float | None, float | None, float | None]
NONE: Interval = (None, None, None)


def z_value(level: float = 0.95) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def wilson(successes: float, n: float, level: float = 0.95) -> Interval:
    """Share ``successes / n`` with the Wilson score interval.

    8 of 10: the textbook example, 0.490 to 0.943 (Newcombe 1998, method 3).

    >>> [round(x, 4) for x in wilson(8, 10)]
    [0.8, 0.4902, 0.9433]
    """
    if n <= 0:
        return NONE
    z = z_value(level)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def mean_t(n: float, total: float, total_sq: float, level: float = 0.95) -> Interval:
    """Mean ``total / n`` with a Student-t interval from the sample variance (n ≥ 2).

    The values 1, 2, 3, 4: mean 2.5, sample variance 5/3, t(0.975, 3) = 3.182, half-width 2.054.

    >>> [round(x, 3) for x in mean_t(4, 10.0, 30.0)]
    [2.5, 0.446, 4.554]
    """
    if n <= 0:
        return NONE
    mean = total / n
    if n < 2:
        return mean, None, None
    var = max(0.0, (total_sq - n * mean * mean) / (n - 1))
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * math.sqrt(var / n)
    return mean, mean - half, mean + half


def nps(promoters: float, detractors: float, n: float, level: float = 0.95) -> Interval:
    """NPS = 100 × (promoters − detractors) / n, interval from the variance of −1/0/+1 scores.

    Five promoters, three passives, two detractors: scores +1×5, 0×3, −1×2 have mean 0.3 and
    sample variance 6.1 / 9; t(0.975, 9) = 2.262.

    >>> [round(x, 2) for x in nps(5, 2, 10)]
    [30.0, -28.89, 88.89]
    """
    if n <= 0:
        return NONE
    p, d = promoters / n, detractors / n
    value = p - d
    if n < 2:
        return 100 * value, None, None
    var = (p + d - value * value) * n / (n - 1)  # sample variance of the −1/0/+1 scores
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * math.sqrt(var / n)
    return 100 * value, 100 * (value - half), 100 * (value + half)
