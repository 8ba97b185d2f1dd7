"""Planning: power, minimum detectable effect and sample size, before an experiment runs.

The model (GrowthBook's power calculator, whose published vectors pin it): a
metric with baseline mean m and unit variance v (a proportion p has
v = p(1 − p)), the same v assumed in every arm, n units per arm, and a lift e.

* Standard error of the lift: relative √(v/n · (1 + (1 + e)²)) / |m|;
  absolute √(2v/n).
* Sequential testing widens it by z_seq/z_{1−α/2}, where z_seq is the
  always-valid half-width in standard errors at N = 2n (see `stats.sequential`).
* Power = 1 − Φ(z − e/se) (+ Φ(−z − e/se) when two-sided), z = z_{1−α/2} or z_{1−α}.
* Minimum detectable effect: the e with e = (z_{1−α/2} + z_{power})·se(e), the
  far tail ignored. Relative: with σ² = v/n and μ = m(1 + e) it is the larger
  root of μ²(1 − z²σ²/m²) − 2mμ + m² − z²σ² = 0; none when n ≤ v·z²/m².
* Sample size per arm: the smallest n whose power reaches the target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import optimize, stats

from chatlift.stats.sequential import sequential_halfwidth


@dataclass(frozen=True, slots=True)
class MetricAssumption:
    """What is assumed about a metric before the experiment: baseline mean and unit variance."""

    mean: float  # baseline (control) mean; for a proportion the rate
    variance: float  # variance of one unit's value

    @classmethod
    def proportion(cls, rate: float) -> MetricAssumption:
        """A 0/1 metric with baseline ``rate`` (variance p(1 − p))."""
        if not 0 < rate < 1:
            raise ValueError(f"a baseline rate must lie strictly between 0 and 1, not {rate}")
        return cls(rate, rate * (1 - rate))

    @classmethod
    def mean_metric(cls, mean: float, standard_deviation: float) -> MetricAssumption:
        """A numeric metric with baseline ``mean`` and unit ``standard_deviation``."""
        if standard_deviation <= 0:
            raise ValueError(f"a standard deviation must be positive, not {standard_deviation}")
        return cls(mean, standard_deviation**2)


def lift_variance(variance_c: float, mean_c: float, n_c: float, variance_t: float, mean_t: float, n_t: float,
                  *, relative: bool) -> float:
    """Variance of the lift estimate (delta method when ``relative``).

    >>> round(lift_variance(2, 7, 4, 0.5, 5, 15, relative=False), 5)
    0.53333
    """
    if relative:
        return variance_t / (mean_c**2 * n_t) + variance_c * mean_t**2 / (mean_c**4 * n_c)
    return variance_t / n_t + variance_c / n_c


def _z(alpha: float, two_sided: bool) -> float:
    return float(stats.norm.ppf(1 - alpha / 2 if two_sided else 1 - alpha))


def sequential_inflation(n_pair: float, *, alpha: float, tuning: float) -> float:
    """Factor by which sequential testing widens an interval at ``n_pair`` units in two arms."""
    return sequential_halfwidth(1.0, n_pair, alpha=alpha, tuning=tuning) / _z(alpha, True)


def lift_standard_error(metric: MetricAssumption, effect: float, n_per_arm: float, *, relative: bool = True,
                        alpha: float = 0.05, sequential_tuning: float | None = None) -> float:
    """Standard error of the lift ``effect`` with ``n_per_arm`` units in each arm (see the module docstring)."""
    se = math.sqrt(lift_variance(metric.variance, metric.mean, n_per_arm, metric.variance,
                                 metric.mean * (1 + effect) if relative else metric.mean + effect, n_per_arm,
                                 relative=relative))
    if sequential_tuning:
        se *= sequential_inflation(2 * n_per_arm, alpha=alpha, tuning=sequential_tuning)
    return se


def power(metric: MetricAssumption, effect: float, n_per_arm: float, *, alpha: float = 0.05,
          two_sided: bool = True, relative: bool = True, sequential_tuning: float | None = None) -> float:
    """Probability of a significant result when the true lift is ``effect``.

    A 10 % conversion rate, +5 % relative lift and 10 000 units per arm: se = √(0.09/10⁴·(1 + 1.05²))/0.1
    = 0.0435, power = 1 − Φ(1.96 − 0.05/0.0435) + Φ(−1.96 − 0.05/0.0435) ≈ 0.21.

    >>> round(power(MetricAssumption.proportion(0.1), 0.05, 10_000), 3)
    0.21
    """
    se = lift_standard_error(metric, effect, n_per_arm, relative=relative, alpha=alpha,
                             sequential_tuning=sequential_tuning)
    z = _z(alpha, two_sided)
    shift = effect / se
    result = float(stats.norm.sf(z - shift))
    if two_sided:
        result += float(stats.norm.cdf(-z - shift))
    return result


def minimum_detectable_effect(metric: MetricAssumption, n_per_arm: float, *, alpha: float = 0.05,
                              target_power: float = 0.8, relative: bool = True,
                              sequential_tuning: float | None = None) -> float | None:
    """The smallest lift detected with ``target_power`` (None when no lift is detectable with so few units).

    >>> round(minimum_detectable_effect(MetricAssumption.proportion(0.5), 1000, relative=False), 4)
    0.0626
    """
    if not alpha < target_power < 1:
        raise ValueError(f"target power must lie between alpha ({alpha}) and 1, not {target_power}")
    z = _z(alpha, True) + float(stats.norm.ppf(target_power))
    variance = metric.variance
    if sequential_tuning:
        variance *= sequential_inflation(2 * n_per_arm, alpha=alpha, tuning=sequential_tuning) ** 2
    sigma2 = variance / n_per_arm
    if not relative:
        return z * math.sqrt(2 * sigma2)
    m = metric.mean
    if m == 0 or n_per_arm <= variance * z * z / (m * m):
        return None
    a = 1 - z * z * sigma2 / (m * m)
    b = -2 * m
    c = m * m - z * z * sigma2
    root = (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
    return (root - m) / m


def sample_size_per_arm(metric: MetricAssumption, effect: float, *, alpha: float = 0.05, target_power: float = 0.8,
                        two_sided: bool = True, relative: bool = True,
                        sequential_tuning: float | None = None) -> int:
    """Units needed in each arm to detect ``effect`` with ``target_power``.

    10 % → 12 % (relative +20 %), α = 0.05 two-sided, 80 % power, the control's variance in
    both arms: n = (1.96 + 0.8416)²·0.09·(1 + 1.2²)/(0.1²·0.2²) = 4 309.1, so 4 310.

    >>> sample_size_per_arm(MetricAssumption.proportion(0.1), 0.2)
    4310
    """
    if effect == 0:
        raise ValueError("a zero effect cannot be detected; give a minimum detectable effect")
    if not alpha < target_power < 1:
        raise ValueError(f"target power must lie between alpha ({alpha}) and 1, not {target_power}")

    def gap(n: float) -> float:
        return power(metric, abs(effect) if not relative else effect, n, alpha=alpha, two_sided=two_sided,
                     relative=relative, sequential_tuning=sequential_tuning) - target_power

    high = 16.0
    while gap(high) < 0:
        high *= 4
        if high > 1e13:
            raise ValueError(f"no sample size below 10^13 units reaches power {target_power} for effect {effect}")
    low = 2.0
    if gap(low) >= 0:
        return 2
    n = float(optimize.brentq(gap, low, high, xtol=1e-6))
    return math.ceil(n - 1e-9)
