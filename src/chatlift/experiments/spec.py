"""Experiment definitions: what is tested, on whom, for how long, and how it is read.

Experiments are declared in ``chatlift.toml``, one table per key::

    [experiments.realtime_support]
    description = "2-minute first-response target vs. the usual hour"
    unit = "customer"                          # or "visitor"
    variants = { control = 0.5, realtime = 0.5 }   # weights; the first is control
    start = 2025-03-03
    end = 2025-06-23                           # exposures in [start, end) count
    window_days = 112                          # each unit is measured this long after exposure
    primary = ["goal:trial_started", "revenue"]
    secondary = ["questions", "nps", "conversion"]
    covariate_days = 28                        # CUPED on the same metric over 28 days before exposure
    winsorize = 0.99                           # cap numeric metrics at their 99th percentile
    sequential = true                          # always-valid intervals (look as often as you like)
    alpha = 0.05
    correction = "holm"                        # or "bh", "none"
    bayesian = false

Metric references (strings, or tables ``{ metric = "revenue", kinds = ["purchase"] }``):

* ``conversion`` — the unit placed an order (``kinds``, default purchase and
  quote) within the window: 0/1 per unit;
* ``revenue`` — sum of order amounts (``kinds``, default purchase) within
  the window, zeros included;
* ``questions`` — conversations the unit started within the window;
* ``messages`` — customer messages the unit sent within the window;
* ``goal:NAME`` — the unit reached goal NAME (e.g. ``goal:trial_started``)
  within the window: 0/1 per unit;
* ``nps`` — NPS answers (0–10) within the window coded −100 (0–6), 0 (7–8),
  +100 (9–10); each respondent's value is the mean code of its answers and NPS is
  the mean over respondents (a ratio metric: Σ values / Σ respondents; units
  without an answer add nothing to either sum).

`experiments_from_mapping` turns the ``[experiments]`` table into specs; its
errors name the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chatlift.errors import ConfigError, ExperimentError, close_matches
from chatlift.stats.corrections import Correction
from chatlift.stats.moments import StatisticKind
from chatlift.stats.sequential import DEFAULT_TUNING
from chatlift.stats.ttest import Alternative


class Unit(StrEnum):
    """Who is randomised: matched to the canonical tables by this id."""

    CUSTOMER = "customer"  # unit_id is a customer_id
    VISITOR = "visitor"  # unit_id is a visitor_id


class MetricKind(StrEnum):
    """The per-unit metrics an experiment can read (see the module docstring)."""

    CONVERSION = "conversion"
    REVENUE = "revenue"
    QUESTIONS = "questions"
    MESSAGES = "messages"
    GOAL = "goal"
    NPS = "nps"


STATISTIC: dict[MetricKind, StatisticKind] = {
    MetricKind.CONVERSION: StatisticKind.PROPORTION,
    MetricKind.REVENUE: StatisticKind.MEAN,
    MetricKind.QUESTIONS: StatisticKind.MEAN,
    MetricKind.MESSAGES: StatisticKind.MEAN,
    MetricKind.GOAL: StatisticKind.PROPORTION,
    MetricKind.NPS: StatisticKind.RATIO,
}

DEFAULT_KINDS: dict[MetricKind, tuple[str, ...]] = {
    MetricKind.CONVERSION: ("purchase", "quote"),  # as the catalogue's chat_conversion_rate
    MetricKind.REVENUE: ("purchase",),  # quotes are not revenue yet
}


class ExperimentMetric(BaseModel):
    """One metric read in an experiment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: MetricKind = Field(description="what is measured per unit")
    goal: str | None = Field(default=None, description="goal name, for metric = goal")
    kinds: tuple[str, ...] | None = Field(default=None, description="order kinds (conversion, revenue)")
    inverse: bool = Field(default=False, description="lower is better")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.metric is MetricKind.GOAL and not self.goal:
            raise ValueError("a goal metric needs a goal name, e.g. 'goal:trial_started'")
        if self.metric is not MetricKind.GOAL and self.goal:
            raise ValueError(f"goal is only for goal metrics, not {self.metric}")
        if self.kinds is not None and self.metric not in DEFAULT_KINDS:
            raise ValueError(f"kinds is only for conversion and revenue, not {self.metric}")
        return self

    @property
    def key(self) -> str:
        """The name in results, JSON and URLs: ``revenue``, ``goal:trial_started``."""
        return f"goal:{self.goal}" if self.metric is MetricKind.GOAL else self.metric.value

    @property
    def statistic(self) -> StatisticKind:
        return STATISTIC[self.metric]

    @property
    def order_kinds(self) -> tuple[str, ...]:
        return self.kinds if self.kinds is not None else DEFAULT_KINDS.get(self.metric, ())

    @classmethod
    def parse(cls, value: object) -> ExperimentMetric:
        """A metric from ``"revenue"``, ``"goal:trial_started"`` or a mapping."""
        if isinstance(value, ExperimentMetric):
            return value
        if isinstance(value, str):
            name, _, goal = value.partition(":")
            if name not in MetricKind.__members__.values():
                hint = close_matches(name, [m.value for m in MetricKind])
                raise ValueError(f"unknown metric {value!r}; known: {', '.join(m.value for m in MetricKind)}"
                                 + (f". {hint}" if hint else ""))
            return cls(metric=MetricKind(name), goal=goal or None)
        if isinstance(value, Mapping):
            return cls.model_validate(dict(value))
        raise ValueError(f"a metric is a name or a table, not {value!r}")


class VariantSpec(BaseModel):
    """One arm and its share of the units."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, description="variant key as stored in assignments")
    weight: float = Field(gt=0, description="relative share of units (any positive scale)")


def _utc(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime.combine(value, time())
    return value


class ExperimentSpec(BaseModel):
    """A declared experiment (see the module docstring for every field in TOML)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, description="experiment key as stored in assignments")
    description: str = Field(default="", description="what is tested, in one sentence")
    unit: Unit = Field(default=Unit.CUSTOMER, description="customer or visitor")
    variants: tuple[VariantSpec, ...] = Field(description="arms with weights; the first is control")
    start: datetime = Field(description="first exposure counted (UTC)")
    end: datetime | None = Field(default=None, description="exposures before this instant count (UTC); none: open")
    window_days: float = Field(default=28.0, gt=0, description="days each unit is measured after its first exposure")
    primary: tuple[ExperimentMetric, ...] = Field(min_length=1, description="the metrics that decide")
    secondary: tuple[ExperimentMetric, ...] = Field(default=(), description="metrics read alongside")
    covariate_days: float | None = Field(default=None, gt=0, description="CUPED: the same metric over this many days "
                                                                  "before exposure as covariate")
    winsorize: float | None = Field(default=None, gt=0.5, lt=1, description="cap numeric metrics at this percentile "
                                                                      "of all units (e.g. 0.99)")
    sequential: bool = Field(default=False, description="always-valid intervals for repeated looks")
    sequential_tuning: float = Field(default=DEFAULT_TUNING, gt=0, description="N*: total units where the "
                                                                         "sequential interval is tightest")
    alpha: float = Field(default=0.05, gt=0, lt=0.5, description="significance level (intervals are 1 − alpha)")
    alternative: Alternative = Field(default=Alternative.TWO_SIDED, description="two_sided, greater or less")
    correction: Correction = Field(default=Correction.HOLM, description="p-value correction across metrics × variants")
    bayesian: bool = Field(default=False, description="also report chance to win and risk")

    @field_validator("variants", mode="before")
    @classmethod
    def _variants(cls, value: object) -> object:
        if isinstance(value, Mapping):
            return tuple({"key": k, "weight": w} for k, w in value.items())
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple({"key": k, "weight": 1.0} for k in value)
        return value

    @field_validator("primary", "secondary", mode="before")
    @classmethod
    def _metrics(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            return tuple(ExperimentMetric.parse(v) for v in value)
        return value

    @field_validator("start", "end", mode="before")
    @classmethod
    def _dates(cls, value: object) -> object:
        return _utc(value)

    @field_validator("start", "end", mode="after")
    @classmethod
    def _naive_utc(cls, value: datetime | None) -> datetime | None:
        # Stored timestamps are naive UTC; a parsed "…Z" or "+01:00" string arrives zoned.
        return value.astimezone(UTC).replace(tzinfo=None) if value is not None and value.tzinfo else value

    @model_validator(mode="after")
    def _check(self) -> Self:
        keys = [v.key for v in self.variants]
        if len(keys) < 2:
            raise ValueError("an experiment needs at least two variants (control first)")
        if len(set(keys)) != len(keys):
            raise ValueError(f"variant keys repeat: {keys}")
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"end {self.end} is not after start {self.start}")
        metric_keys = [m.key for m in self.metrics]
        if len(set(metric_keys)) != len(metric_keys):
            raise ValueError(f"a metric is listed twice: {metric_keys}")
        return self

    @property
    def control(self) -> str:
        return self.variants[0].key

    @property
    def metrics(self) -> tuple[ExperimentMetric, ...]:
        """Primary, then secondary metrics."""
        return self.primary + self.secondary

    @property
    def weights(self) -> dict[str, float]:
        return {v.key: v.weight for v in self.variants}

    def metric(self, key: str) -> ExperimentMetric:
        """The metric named ``key`` (``revenue``, ``goal:trial_started``)."""
        for m in self.metrics:
            if m.key == key:
                return m
        known = [m.key for m in self.metrics]
        raise ExperimentError(f"experiment {self.key} has no metric {key!r}",
                              hint=close_matches(key, known) or f"its metrics: {', '.join(known)}")


def experiments_from_mapping(mapping: Mapping[str, Any] | None, source: str | object = "chatlift.toml") -> (
    dict[str, ExperimentSpec]
):
    """Experiment specs from the ``[experiments]`` table of the settings.

    Args:
        mapping: ``{key: {field: value}}`` as read from TOML (None: no experiments).
        source: the file, for messages.

    Raises:
        ConfigError: naming the file, ``experiments.<key>.<field>``, the value and the rule.

    >>> specs = experiments_from_mapping({"x": {"variants": ["a", "b"], "start": date(2025, 1, 1),
    ...                                         "primary": ["conversion"]}})
    >>> specs["x"].control, specs["x"].primary[0].key
    ('a', 'conversion')
    """
    if not mapping:
        return {}
    where = str(source)
    if not isinstance(mapping, Mapping):
        raise ConfigError("experiments must be a table of experiments, [experiments.<key>]", location=where)
    specs: dict[str, ExperimentSpec] = {}
    for key, body in mapping.items():
        if not isinstance(body, Mapping):
            raise ConfigError(f"experiments.{key} must be a table, not {body!r}", location=where,
                              hint=f"write [experiments.{key}] with variants, start and primary below it")
        try:
            specs[key] = ExperimentSpec.model_validate({"key": key, **body})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            value = body.get(str(first["loc"][0])) if first["loc"] else None
            known = [f for f in ExperimentSpec.model_fields if f != "key"]
            hint = None
            if first["type"] == "extra_forbidden" and first["loc"]:
                hint = close_matches(str(first["loc"][0]), known) or f"known fields: {', '.join(known)}"
            message = str(first["msg"]).removeprefix("Value error, ")  # pydantic's prefix for our own checks
            shown = f" = {value!r}" if value is not None else ""
            name = f"experiments.{key}" + (f".{field}" if field else "")
            raise ConfigError(f"{name}{shown}: {message}", location=where, hint=hint) from exc
    return specs


# The demo's randomized experiment (src/chatlift/demo/experiment.py, seed 004): new signups from
# 3 March 2025 for 16 weeks, 50/50, each followed for 16 weeks (112 days) after signup.
DEMO_EXPERIMENT = ExperimentSpec(
    key="realtime_support",
    description="Support with a 2-minute first-response target (realtime) vs. the usual hour (control), "
                "for new signups (seed 004, Intercom's 16-week test).",
    unit=Unit.CUSTOMER,
    variants=(VariantSpec(key="control", weight=0.5), VariantSpec(key="realtime", weight=0.5)),
    start=datetime(2025, 3, 3),
    end=datetime(2025, 6, 23),  # 16 weeks of recruitment
    window_days=112.0,
    primary=(ExperimentMetric(metric=MetricKind.GOAL, goal="trial_started"),
             ExperimentMetric(metric=MetricKind.REVENUE)),
    secondary=(ExperimentMetric(metric=MetricKind.QUESTIONS), ExperimentMetric(metric=MetricKind.NPS),
               ExperimentMetric(metric=MetricKind.CONVERSION)),
)
