"""Pure statistics on sufficient statistics: no I/O, no database, numpy/scipy only.

Experiment read-outs are built from per-arm sums (`ArmMoments`) in steps:

* `estimate_effect` — absolute or relative lift and its standard error
  (delta method, CUPED, ratio metrics);
* `welch_t_test` (fixed horizon), `sequential_test` (always valid) and
  `bayes_normal` (chance to win) — intervals and p-values;
* `srm_test` — sample-ratio mismatch; `adjust` — Holm / Benjamini–Hochberg;
* `power`, `minimum_detectable_effect`, `sample_size_per_arm` — planning.

Dead-ends (too few units, no variance) come back as `StatWarning`s inside results.
"""

from __future__ import annotations

from chatlift.stats.bayes import BayesResult, bayes_normal
from chatlift.stats.corrections import Correction, adjust, benjamini_hochberg, holm
from chatlift.stats.effect import Difference, Effect, estimate_effect, welch_dof
from chatlift.stats.messages import StatWarning
from chatlift.stats.moments import ArmMoments, StatisticKind
from chatlift.stats.power import (
    MetricAssumption,
    lift_standard_error,
    lift_variance,
    minimum_detectable_effect,
    power,
    sample_size_per_arm,
)
from chatlift.stats.sequential import DEFAULT_TUNING, sequential_halfwidth, sequential_rho, sequential_test
from chatlift.stats.srm import SRM_THRESHOLD, SrmResult, srm_test
from chatlift.stats.ttest import Alternative, TestResult, welch_t_test

__all__ = [
    "DEFAULT_TUNING",
    "SRM_THRESHOLD",
    "Alternative",
    "ArmMoments",
    "BayesResult",
    "Correction",
    "Difference",
    "Effect",
    "MetricAssumption",
    "SrmResult",
    "StatWarning",
    "StatisticKind",
    "TestResult",
    "adjust",
    "bayes_normal",
    "benjamini_hochberg",
    "estimate_effect",
    "holm",
    "lift_standard_error",
    "lift_variance",
    "minimum_detectable_effect",
    "power",
    "sample_size_per_arm",
    "sequential_halfwidth",
    "sequential_rho",
    "sequential_test",
    "srm_test",
    "welch_dof",
    "welch_t_test",
]
