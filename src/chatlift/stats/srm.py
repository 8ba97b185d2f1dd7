"""Sample-ratio mismatch: do the units per arm match the planned weights?

Pearson's chi-square goodness of fit over the arms with a positive weight:
expected_i = N·w_i/Σw, χ² = Σ (n_i − expected_i)² / expected_i with (arms − 1)
degrees of freedom. Arms with weight 0 are left out (as in GrowthBook's
back-end); no units at all gives p = 1. A p-value below `SRM_THRESHOLD` means
the assignment or the exposure logging is broken, and no lift can be trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

SRM_THRESHOLD = 0.001  # GrowthBook's default: a false alarm once in a thousand healthy experiments


@dataclass(frozen=True, slots=True)
class SrmResult:
    """The chi-square check of units per arm against the weights."""

    observed: tuple[float, ...]
    expected: tuple[float, ...]  # 0 for arms with weight 0
    chi_square: float
    dof: int
    p_value: float
    threshold: float

    @property
    def mismatch(self) -> bool:
        """True when the split is too unlikely under the weights (blocks any verdict)."""
        return self.p_value < self.threshold


def srm_test(observed: Sequence[float], weights: Sequence[float], *, threshold: float = SRM_THRESHOLD) -> SrmResult:
    """Chi-square test of ``observed`` units per arm against ``weights`` (any positive scale).

    1 000 vs 1 200 units on a 50/50 split: χ² = 2·100²/1 100 = 18.18, p ≈ 2.0e-5.

    >>> r = srm_test([1000, 1200], [0.5, 0.5])
    >>> round(r.chi_square, 2), r.mismatch
    (18.18, True)
    """
    if len(observed) != len(weights):
        raise ValueError(f"{len(observed)} arms but {len(weights)} weights")
    if any(w < 0 for w in weights):
        raise ValueError(f"weights must not be negative: {list(weights)}")
    used = [i for i, w in enumerate(weights) if w > 0]
    total = sum(observed[i] for i in used)
    weight_sum = sum(weights[i] for i in used)
    expected = [total * weights[i] / weight_sum if i in used else 0.0 for i in range(len(weights))]
    dof = len(used) - 1
    if total <= 0 or dof < 1:
        return SrmResult(tuple(map(float, observed)), tuple(expected), 0.0, max(dof, 0), 1.0, threshold)
    chi = sum((observed[i] - expected[i]) ** 2 / expected[i] for i in used)
    return SrmResult(tuple(map(float, observed)), tuple(expected), chi, dof, float(stats.chi2.sf(chi, dof)),
                     threshold)
