"""What a metric is: one declaration read by the engine, the CLI, the API, the docs and the tests.

A metric's ``aggregate`` turns a `Scope` (the canonical tables as Ibis
expressions, already restricted to the period and filters) into one Ibis
table with the breakdown columns plus the metric's *sufficient statistics*;
its `Estimator` turns each row of those into a value and a 95 % interval.
Nothing in a definition is DuckDB-specific, so the same definitions run on
any Ibis backend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import ibis.expr.types as ir

from chatlift.metrics import intervals


class Unit(StrEnum):
    SHARE = "share"  # 0-1, shown as %
    SECONDS = "seconds"
    SCORE = "score"  # on a survey's scale
    NPS = "nps"  # -100..100


@dataclass(frozen=True, slots=True)
class Estimator:
    """How sufficient statistics become a value with an interval, and which method that is."""

    method: str  # stated in the docs, e.g. "Wilson score interval"
    columns: tuple[str, ...]  # the statistics ``aggregate`` returns, in the order ``estimate`` takes them
    estimate: Callable[..., intervals.Interval]
    n_column: str  # the count shown as the value's n


PROPORTION = Estimator("Wilson score interval", ("successes", "n"), intervals.wilson, "n")
MEAN = Estimator("Student-t interval of the mean", ("n", "total", "total_sq"), intervals.mean_t, "n")
NET_PROMOTER = Estimator(
    "Student-t interval of the mean of −1/0/+1 scores, × 100", ("promoters", "detractors", "n"), intervals.nps, "n"
)


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    default: Any
    description: str


@dataclass(frozen=True, slots=True)
class Reference:
    """A published figure shown beside ours."""

    value: str  # as published, e.g. "73–92 %"
    source: str


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    label: str
    unit: Unit
    higher_is_better: bool
    description: str  # the exact definition, with its parameters and their defaults
    estimator: Estimator
    aggregate: Callable[..., ir.Table]  # (scope, by, **params) -> table of by + estimator.columns
    params: tuple[Param, ...] = ()
    breakdowns: tuple[str, ...] = ("channel", "team", "agent", "segment", "sector")
    references: dict[str, Reference] = field(default_factory=dict)  # per channel ("" = overall)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}
