"""Statistical dead-ends, returned inside results as warnings instead of raised.

Each warning is a stable ``code`` (for programs, tests and the dashboard) and
a sentence for people.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StatWarning:
    """Something that limits or voids a result: a code and a sentence."""

    code: str  # snake_case, stable across releases
    message: str  # one plain-language sentence


TOO_FEW_UNITS = "too_few_units"  # an arm has fewer than two units
ZERO_VARIANCE = "zero_variance"  # no unit-to-unit variation in either arm: no test possible
ZERO_BASELINE = "zero_baseline"  # the control mean is 0: a relative lift is undefined
COVARIATE_CONSTANT = "covariate_constant"  # the CUPED covariate does not vary: no adjustment
SAMPLE_RATIO_MISMATCH = "sample_ratio_mismatch"  # units per arm do not match the planned weights
