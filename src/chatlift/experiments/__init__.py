"""Experiments on support: definitions, deterministic assignment, analysis and planning.

* `spec` — `ExperimentSpec` from ``[experiments.<key>]`` in chatlift.toml
  (`experiments_from_mapping`), and the demo's `DEMO_EXPERIMENT`;
* `assignment` — SHA-256 bucketing (`bucket`, `choose_variant`) and the
  first-exposure record (`assign`);
* `sufficient` — per-variant sums computed in the database with Ibis;
* `analysis` — `analyze` → `ExperimentResult` (lifts, intervals, p-values,
  CUPED, sequential, SRM, corrections, Bayesian, verdicts);
* `cumulative` — `cumulative` → `CumulativeResult`: the lifts as of several instants
  (a trend chart) from one query, equal to ``analyze(as_of=…)`` at each;
* `planning` — `plan` → `PlanResult`.

`chatlift.Workspace` wraps these as ``experiments()``, ``assign()``,
``analyze()`` and ``plan()``.
"""

from __future__ import annotations

from chatlift.experiments.analysis import analyze, srm_check
from chatlift.experiments.assignment import Assignment, assign, bucket, choose_variant
from chatlift.experiments.cumulative import CumulativeLift, CumulativeResult, cumulative, weekly_points
from chatlift.experiments.overview import ExperimentSummary
from chatlift.experiments.planning import PlanResult, plan
from chatlift.experiments.results import (
    ArmSummary,
    Comparison,
    ExperimentResult,
    Interval,
    ResultWarning,
    SrmCheck,
)
from chatlift.experiments.spec import (
    DEMO_EXPERIMENT,
    ExperimentMetric,
    ExperimentSpec,
    MetricKind,
    Unit,
    VariantSpec,
    experiments_from_mapping,
)

__all__ = [
    "DEMO_EXPERIMENT",
    "ArmSummary",
    "Assignment",
    "Comparison",
    "CumulativeLift",
    "CumulativeResult",
    "ExperimentMetric",
    "ExperimentResult",
    "ExperimentSpec",
    "ExperimentSummary",
    "Interval",
    "MetricKind",
    "PlanResult",
    "ResultWarning",
    "SrmCheck",
    "Unit",
    "VariantSpec",
    "analyze",
    "assign",
    "bucket",
    "choose_variant",
    "cumulative",
    "experiments_from_mapping",
    "plan",
    "srm_check",
    "weekly_points",
]
