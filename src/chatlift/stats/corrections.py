"""Multiple-testing corrections: adjusted p-values, returned in the input order.

* Holm–Bonferroni (controls the family-wise error rate): with the m p-values
  sorted, p'_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)).
* Benjamini–Hochberg (controls the false discovery rate):
  p'_(i) = min_{j ≥ i} min(1, m/j·p_(j)).

NaN p-values (tests that could not be run) stay NaN and do not count in m.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum
from typing import assert_never


class Correction(StrEnum):
    """How p-values across an experiment's metrics are adjusted."""

    HOLM = "holm"  # family-wise error rate (Holm–Bonferroni)
    BH = "bh"  # false discovery rate (Benjamini–Hochberg)
    NONE = "none"  # no adjustment


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values.

    >>> [round(p, 6) for p in holm([0.01, 0.04, 0.03])]
    [0.03, 0.06, 0.06]
    """
    order, m = _order(p_values)
    adjusted = [math.nan] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values.

    >>> [round(p, 6) for p in benjamini_hochberg([0.01, 0.04, 0.03])]
    [0.03, 0.04, 0.04]
    """
    order, m = _order(p_values)
    adjusted = [math.nan] * len(p_values)
    running = 1.0
    for rank in range(m - 1, -1, -1):
        index = order[rank]
        running = min(running, min(1.0, m / (rank + 1) * p_values[index]))
        adjusted[index] = running
    return adjusted


def adjust(p_values: Sequence[float], correction: Correction) -> list[float]:
    """``p_values`` adjusted by ``correction``."""
    match correction:
        case Correction.HOLM:
            return holm(p_values)
        case Correction.BH:
            return benjamini_hochberg(p_values)
        case Correction.NONE:
            return list(p_values)
        case _:
            assert_never(correction)


def _order(p_values: Sequence[float]) -> tuple[list[int], int]:
    order = sorted((i for i, p in enumerate(p_values) if not math.isnan(p)), key=lambda i: p_values[i])
    return order, len(order)
