"""The metric catalogue of PRODUCT.md, declared once (work in progress: five of its metrics so far).

Each aggregation returns the breakdown columns ``by`` plus its estimator's
statistics. Durations are in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.types as ir

from chatlift.errors import ParameterError
from chatlift.metrics.definitions import MEAN, NET_PROMOTER, PROPORTION, Metric, Param, Reference, Unit
from chatlift.metrics.scope import Scope

FINAL_STATUSES = ("resolved", "unresolved", "missed")


def _grouped(table: ir.Table, by: Sequence[str], **stats: ir.Scalar) -> ir.Table:
    return table.group_by(list(by)).aggregate(**stats) if by else table.aggregate(**stats)


def _seconds(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    """``later − earlier`` in seconds, to the microsecond (epoch seconds are whole on some engines)."""
    return later.delta(earlier, unit="microsecond").cast("float64") / 1e6


def _resolution_rate(scope: Scope, by: Sequence[str]) -> ir.Table:
    c = scope.conversations.filter(scope.conversations.status.isin(FINAL_STATUSES))
    return _grouped(c, by, successes=(c.status == "resolved").sum(), n=c.count())


def _first_response_time(scope: Scope, by: Sequence[str]) -> ir.Table:
    c = scope.conversations.filter(scope.conversations.first_response_at.notnull())
    c = c.mutate(__s=_seconds(c.first_response_at, c.started_at))
    return _grouped(c, by, n=c.count(), total=c.__s.sum(), total_sq=(c.__s * c.__s).sum())


def _sla_attainment(scope: Scope, by: Sequence[str], target: float = 120.0) -> ir.Table:
    c = scope.conversations
    due = c.filter(c.first_response_at.notnull() | (c.status == "missed"))
    in_time = due.first_response_at.notnull() & (_seconds(due.first_response_at, due.started_at) <= target)
    return _grouped(due, by, successes=in_time.sum(), n=due.count())


def _csat(scope: Scope, by: Sequence[str]) -> ir.Table:
    s = scope.surveys.filter((scope.surveys.survey == "csat") & scope.surveys.scale.isnull())
    return _grouped(s, by, successes=(s.score >= 4).sum(), n=s.count())


def _nps(scope: Scope, by: Sequence[str]) -> ir.Table:
    if by or scope.filtered:
        raise ParameterError("nps is a relationship survey: it has no channel, team or agent to break down by",
                             hint="report nps without --by and filters")
    s = scope.relationship_surveys
    s = s.filter((s.survey == "nps") & s.scale.isnull())
    return s.aggregate(promoters=(s.score >= 9).sum(), detractors=(s.score <= 6).sum(), n=s.count())


SEED_000 = "seed 000 (Dutch, 'Live-chat, wat vertellen de cijfers?')"

METRICS: tuple[Metric, ...] = (
    Metric(
        key="resolution_rate",
        label="Resolution rate",
        unit=Unit.SHARE,
        higher_is_better=True,
        description="Resolved conversations ÷ conversations with a final status (resolved, unresolved, missed); "
        "open conversations and declined invitations (no status) are left out.",
        estimator=PROPORTION,
        aggregate=_resolution_rate,
        references={"chat": Reference("80–88 %", SEED_000), "phone": Reference("92 %", SEED_000),
                    "email": Reference("63 %", SEED_000), "": Reference("80 %", SEED_000)},
    ),
    Metric(
        key="first_response_time",
        label="First response time (mean)",
        unit=Unit.SECONDS,
        higher_is_better=False,
        description="Mean of first_response_at − started_at in seconds over conversations with a first "
        "agent response.",
        estimator=MEAN,
        aggregate=_first_response_time,
        references={"chat": Reference("42 s", SEED_000)},
    ),
    Metric(
        key="sla_attainment",
        label="SLA attainment",
        unit=Unit.SHARE,
        higher_is_better=True,
        description="Share of conversations that were due a first response (answered by an agent, or missed) "
        "whose first response came within `target` seconds (default 120); missed ones count as late.",
        estimator=PROPORTION,
        aggregate=_sla_attainment,
        params=(Param("target", 120.0, "first-response target in seconds"),),
    ),
    Metric(
        key="csat",
        label="CSAT (top-2-box)",
        unit=Unit.SHARE,
        higher_is_better=True,
        description="Share of CSAT answers 4 or 5 on the default 1–5 scale, among answers about conversations "
        "in scope (answers on another scale are left out).",
        estimator=PROPORTION,
        aggregate=_csat,
        references={"chat": Reference("73–92 %", SEED_000), "phone": Reference("44 %", SEED_000),
                    "email": Reference("61 %", SEED_000), "social": Reference("48 %", SEED_000),
                    "app": Reference("53 %", SEED_000)},
    ),
    Metric(
        key="nps",
        label="Net Promoter Score",
        unit=Unit.NPS,
        higher_is_better=True,
        description="% promoters (9–10) − % detractors (0–6) among NPS answers on the default 0–10 scale "
        "that belong to no conversation and were answered in the period; −100 to 100.",
        estimator=NET_PROMOTER,
        aggregate=_nps,
        breakdowns=(),
    ),
)

REGISTRY: dict[str, Metric] = {m.key: m for m in METRICS}


def metric(key: str) -> Metric:
    try:
        return REGISTRY[key]
    except KeyError:
        raise ParameterError(f"unknown metric {key!r}", hint=f"known metrics: {', '.join(REGISTRY)}") from None
