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
    if n < 2:
        return total / n, None, None
    mean, var_of_mean = _mean_and_variance_of_mean(n, total, total_sq)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * math.sqrt(var_of_mean)
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


def _mean_and_variance_of_mean(n: float, total: float, total_sq: float) -> tuple[float, float]:
    mean = total / n
    var = max(0.0, (total_sq - n * mean * mean) / (n - 1)) if n > 1 else math.nan
    return mean, var / n


def ratio_of_means(
    n_a: float, total_a: float, total_sq_a: float, n_b: float, total_b: float, total_sq_b: float, level: float = 0.95
) -> Interval:
    """``mean_a / mean_b`` of two independent samples, with a delta-method normal interval.

    Var(R) ≈ R² (Var(mean_a) / mean_a² + Var(mean_b) / mean_b²). Samples a = 2, 4 (mean 3, variance
    of the mean 1) and b = 1, 3 (mean 2, variance of the mean 1): R = 1.5, se = 1.5 √(1/9 + 1/4) = 0.9014.

    >>> [round(x, 4) for x in ratio_of_means(2, 6.0, 20.0, 2, 4.0, 10.0)]
    [1.5, -0.2667, 3.2667]
    """
    if n_a <= 0 or n_b <= 0 or total_b == 0:
        return NONE
    mean_a, var_a = _mean_and_variance_of_mean(n_a, total_a, total_sq_a)
    mean_b, var_b = _mean_and_variance_of_mean(n_b, total_b, total_sq_b)
    ratio = mean_a / mean_b
    if n_a < 2 or n_b < 2 or mean_a == 0:
        return ratio, None, None
    half = z_value(level) * abs(ratio) * math.sqrt(var_a / mean_a**2 + var_b / mean_b**2)
    return ratio, ratio - half, ratio + half


def difference_of_proportions(
    successes_a: float, n_a: float, successes_b: float, n_b: float, level: float = 0.95
) -> Interval:
    """``p_a − p_b`` with Newcombe's hybrid score interval (method 10), built from the two Wilson intervals.

    Newcombe's (1998) worked example, 56/70 − 48/80: 0.2000 with interval 0.0524 to 0.3339.

    >>> [round(x, 4) for x in difference_of_proportions(56, 70, 48, 80)]
    [0.2, 0.0524, 0.3339]
    """
    if n_a <= 0 or n_b <= 0:
        return NONE
    p_a, lower_a, upper_a = wilson(successes_a, n_a, level)
    p_b, lower_b, upper_b = wilson(successes_b, n_b, level)
    assert p_a is not None and lower_a is not None and upper_a is not None
    assert p_b is not None and lower_b is not None and upper_b is not None
    d = p_a - p_b
    return (d, d - math.sqrt((p_a - lower_a) ** 2 + (upper_b - p_b) ** 2),
            d + math.sqrt((upper_a - p_a) ** 2 + (p_b - lower_b) ** 2))


def product_of_share_and_mean(
    successes: float, n: float, n_b: float, total_b: float, total_sq_b: float, level: float = 0.95
) -> Interval:
    """``p × mean`` of a share and an independent mean, with a delta-method normal interval.

    Var(p·m) ≈ m² Var(p) + p² Var(m), Var(p) = p(1 − p)/n. A share of 1/4 and values 80, 120 (mean 100,
    variance of the mean 400): 25 with se = √(100² · 0.046875 + 0.0625 · 400) = √493.75 = 22.22.

    >>> [round(x, 2) for x in product_of_share_and_mean(1, 4, 2, 200.0, 20800.0)]
    [25.0, -18.55, 68.55]
    """
    if n <= 0 or n_b <= 0:
        return NONE
    p = successes / n
    mean_b, var_b = _mean_and_variance_of_mean(n_b, total_b, total_sq_b)
    value = p * mean_b
    if n_b < 2:
        return value, None, None
    half = z_value(level) * math.sqrt(mean_b**2 * p * (1 - p) / n + p * p * var_b)
    return value, value - half, value + half


def scaled_wilson(successes: float, n: float, scale: float, level: float = 0.95) -> Interval:
    """A share times a fixed money value: the Wilson interval scaled by the same value.

    >>> [round(x, 2) for x in scaled_wilson(8, 10, 50.0)]
    [40.0, 24.51, 47.17]
    """
    value, lower, upper = wilson(successes, n, level)
    if value is None or lower is None or upper is None:
        return NONE
    return value * scale, lower * scale, upper * scale


def as_computed(value: float | None, lower: float | None, upper: float | None) -> Interval:
    """Statistics whose interval the database computed already (order statistics of a quantile)."""
    return value, lower, upper


def ratio_of_totals(
    n: float, total_y: float, total_x: float, total_sq_y: float, total_sq_x: float, total_xy: float,
    level: float = 0.95,
) -> Interval:
    """``Σy / Σx`` over n units (e.g. items checked out ÷ items added, over carts), delta-method interval.

    Var(R) ≈ s² / (n x̄²) with s² the sample variance of the residuals y − R·x. Three carts (y, x) =
    (2, 2), (0, 3), (1, 1): R = 3/6 = 0.5, residuals 1, −1.5, 0.5, s² = 3.5/2, Var(R) = 1.75 / (3 · 2²),
    se = 0.3819.

    >>> [round(v, 4) for v in ratio_of_totals(3, 3.0, 6.0, 5.0, 14.0, 5.0)]
    [0.5, -0.2485, 1.2485]
    """
    if n <= 0 or total_x == 0:
        return NONE
    ratio = total_y / total_x
    if n < 2:
        return ratio, None, None
    residual_var = max(0.0, (total_sq_y - 2 * ratio * total_xy + ratio * ratio * total_sq_x) / (n - 1))
    half = z_value(level) * math.sqrt(residual_var / n) / (total_x / n)
    return ratio, ratio - half, ratio + half
