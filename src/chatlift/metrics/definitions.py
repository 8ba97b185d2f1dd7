"""What a metric is: one declaration read by the engine, the CLI, the API, the docs and the tests.

A metric's ``aggregate`` turns a `Scope` (the canonical tables as Ibis
expressions, already restricted to the period and filters) into one Ibis
table with the breakdown columns, ``n`` and the metric's *sufficient
statistics*; its `Estimator` turns each row of those into a value and a 95 %
interval. Nothing in a definition is DuckDB-specific, so the same definitions
run on any Ibis backend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import ibis.expr.types as ir

from chatlift.errors import ParameterError
from chatlift.metrics import intervals


class Unit(StrEnum):
    SHARE = "share"  # 0–1, shown as %
    POINTS = "points"  # a difference of two shares, 0–1 scale, shown as percentage points
    SECONDS = "seconds"
    SCORE = "score"  # on a survey's scale
    NPS = "nps"  # −100…100
    MONEY = "money"  # in the orders' currency
    COUNT = "count"  # per person
    RATIO = "ratio"  # ×


UNIT_MEANING: dict[Unit, str] = {
    Unit.SHARE: "share, 0–1 (shown as %; CSV/JSON carry the fraction)",
    Unit.POINTS: "difference of two shares, 0–1 scale (shown in percentage points)",
    Unit.SECONDS: "seconds",
    Unit.SCORE: "score on the survey's scale",
    Unit.NPS: "net promoter score, −100 to 100",
    Unit.MONEY: "money, in the orders' currency",
    Unit.COUNT: "count per person",
    Unit.RATIO: "ratio (×)",
}
"""What a value in each unit means, as the docs and ``chatlift metrics show`` say it."""


def param_text(value: Any) -> str:
    """A parameter value as one writes it in ``--param metric.name=VALUE``.

    >>> param_text(("purchase", "quote")), param_text(()), param_text(7.0), param_text(False)
    ('purchase,quote', '(none)', '7', 'false')
    """
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ",".join(map(str, value)) or "(none)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class Section(StrEnum):
    SALES = "Chat effectiveness"
    EXPERIENCE = "Customer experience"
    SERVICE = "Speed and service"


@dataclass(frozen=True, slots=True)
class Estimator:
    """How sufficient statistics become a value with an interval, and which method that is."""

    method: str  # stated in the docs, e.g. "Wilson score interval"
    columns: tuple[str, ...]  # the statistics ``aggregate`` returns, in the order ``estimate`` takes them
    estimate: Callable[..., intervals.Interval]


PROPORTION = Estimator("Wilson score interval", ("successes", "n"), intervals.wilson)
MEAN = Estimator("Student-t interval of the mean", ("n", "total", "total_sq"), intervals.mean_t)
NET_PROMOTER = Estimator(
    "Student-t interval of the mean of −1/0/+1 scores, × 100", ("promoters", "detractors", "n"), intervals.nps
)
RATIO_OF_MEANS = Estimator(
    "delta-method normal interval of a ratio of two independent means",
    ("n_a", "total_a", "total_sq_a", "n_b", "total_b", "total_sq_b"),
    intervals.ratio_of_means,
)
DIFFERENCE = Estimator(
    "Newcombe hybrid score interval of a difference of two shares (method 10)",
    ("successes_a", "n_a", "successes_b", "n_b"),
    intervals.difference_of_proportions,
)
PRODUCT = Estimator(
    "delta-method normal interval of a share times an independent mean",
    ("successes", "n", "n_b", "total_b", "total_sq_b"),
    intervals.product_of_share_and_mean,
)
RATIO_OF_TOTALS = Estimator(
    "delta-method normal interval of a ratio of two totals over the same units",
    ("n", "total_y", "total_x", "total_sq_y", "total_sq_x", "total_xy"),
    intervals.ratio_of_totals,
)
SCALED_PROPORTION = Estimator("Wilson score interval times the fixed value", ("successes", "n", "scale"),
                              intervals.scaled_wilson)
QUANTILE = Estimator(
    "distribution-free order-statistic interval (ranks nq ∓ z√(nq(1−q)), normal approximation to the binomial)",
    ("value", "lower", "upper"),
    intervals.as_computed,
)

STATISTICS: dict[str, Estimator] = {"mean": MEAN, "median": QUANTILE, "p90": QUANTILE}
"""Estimator per value of a duration metric's ``statistic`` parameter."""


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    default: Any
    description: str
    choices: tuple[Any, ...] = ()  # allowed values, when the parameter is a choice

    def check(self, metric: str, value: Any) -> Any:
        """``value`` converted to the default's type; a clear error when it cannot be."""
        if self.choices:
            if value not in self.choices:
                raise ParameterError(f"{metric}.{self.name} = {value!r} is not allowed",
                                     hint=f"choose one of {', '.join(map(str, self.choices))}")
            return value
        kind = type(self.default)
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("true", "yes", "1", "false", "no", "0"):
                return text in ("true", "yes", "1")
            raise ParameterError(f"{metric}.{self.name} = {value!r} is not true or false",
                                 hint=f"{self.name}: {self.description}")
        if kind is tuple:
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(v).strip() for v in items if str(v).strip())
        try:
            return kind(value)
        except (TypeError, ValueError):
            raise ParameterError(f"{metric}.{self.name} = {value!r} is not a {kind.__name__}",
                                 hint=f"{self.name}: {self.description} (default {self.default!r})") from None


@dataclass(frozen=True, slots=True)
class Reference:
    """A published figure shown beside ours."""

    value: str  # as published, e.g. "73–92 %"
    source: str


TIME_BREAKDOWNS = ("day", "week", "month", "hour", "weekday")
CONVERSATION_BREAKDOWNS = ("channel", "team", "agent", "segment", "sector", "initiated_by", "cobrowse",
                           *TIME_BREAKDOWNS)


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    label: str
    section: Section
    number: int  # its item in PRODUCT.md's catalogue
    unit: Unit
    higher_is_better: bool
    description: str  # the exact definition, with its parameters and their defaults
    estimator: Estimator
    aggregate: Callable[..., ir.Table]  # (scope, by, **params) -> table of by + n + estimator.columns
    params: tuple[Param, ...] = ()
    breakdowns: tuple[str, ...] = CONVERSATION_BREAKDOWNS
    event: str = "the conversation's start"  # what "event time" means for this metric
    references: dict[str, Reference] = field(default_factory=dict)  # per channel ("" = overall)
    note: str = ""  # a caveat shown with the value, e.g. "correlational"
    needs_breakdown: str | None = None  # a breakdown the metric cannot do without (channel_mix: channel)
    needs_closed_period: bool = False  # compares a period's start with its end (churn)
    takes_filters: bool = True  # False when the rows have no conversation to filter on (nps)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def resolve(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """Parameters with defaults filled in and values checked; unknown names are an error."""
        known = {p.name: p for p in self.params}
        values = self.defaults()
        for name, value in (given or {}).items():
            if name not in known:
                raise ParameterError(f"{self.key} has no parameter {name!r}",
                                     hint=f"{self.key} takes: {', '.join(known) or 'no parameters'}")
            values[name] = known[name].check(self.key, value)
        return values

    def unavailable(self, by: Sequence[str], *, closed_period: bool, filtered: bool) -> str | None:
        """Why the metric cannot run with these options (a phrase after its key), or None when it can."""
        blocked = [b for b in by if b not in self.breakdowns]
        if blocked:
            return f"cannot be broken down by {', '.join(blocked)}"
        if self.needs_breakdown and self.needs_breakdown not in by:
            return f"needs the {self.needs_breakdown} breakdown (--by {self.needs_breakdown})"
        if self.needs_closed_period and not closed_period:
            return "compares the start and the end of a period: give both --from and --to"
        if filtered and not self.takes_filters:
            return "has no conversation, channel, team or agent to filter on: report it without filters"
        return None

    def interval_methods(self) -> dict[str, str]:
        """The interval method per value of the ``statistic`` parameter when it has one (else under "")."""
        for param in self.params:
            if param.name == "statistic":
                return {choice: self.estimator_for({"statistic": choice}).method for choice in param.choices}
        return {"": self.estimator.method}

    def estimator_for(self, params: Mapping[str, Any]) -> Estimator:
        statistic = params.get("statistic")
        return STATISTICS[statistic] if statistic is not None else self.estimator
