"""The rows a report looks at: a half-open period in a reporting time zone, plus filters.

Period basis is the conversation's start: a conversation belongs to the period
in which it started (local to ``timezone``), and so do the survey answers about
it. Relationship surveys without a conversation (NPS) belong to the period in
which they were answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ibis
import ibis.expr.types as ir

from chatlift.errors import ParameterError

BREAKDOWNS: dict[str, str] = {
    "channel": "channel",
    "team": "team",
    "agent": "agent_id",
    "segment": "segment",
    "sector": "sector",
}
"""Breakdown (and filter) name → conversations column."""
FILTERS = (*BREAKDOWNS, "tag")


def utc_bound(day: date, timezone: str) -> datetime:
    """Local midnight starting ``day`` in ``timezone``, as naive UTC (how timestamps are stored).

    >>> utc_bound(date(2025, 3, 30), "Europe/Amsterdam")  # still winter time (+1) at midnight
    datetime.datetime(2025, 3, 29, 23, 0)
    >>> utc_bound(date(2025, 3, 31), "Europe/Amsterdam")  # summer time (+2)
    datetime.datetime(2025, 3, 30, 22, 0)
    """
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ParameterError(f"unknown time zone {timezone!r}", hint="use an IANA name such as Europe/Amsterdam") from exc
    local = datetime.combine(day, time(0), tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` in local dates of ``timezone``; ``None`` leaves that side open."""

    start: date | None = None
    end: date | None = None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ParameterError(f"the period ends ({self.end}) on or before it starts ({self.start})",
                                 hint="--to is exclusive: --from 2025-01-01 --to 2025-02-01 is January")

    def contains(self, column: ir.TimestampValue) -> ir.BooleanValue:
        condition: ir.BooleanValue = ibis.literal(True)
        if self.start:
            condition &= column >= utc_bound(self.start, self.timezone)
        if self.end:
            condition &= column < utc_bound(self.end, self.timezone)
        return condition


@dataclass(frozen=True, slots=True)
class Scope:
    """The canonical tables restricted to a period and filters, ready for a metric's aggregation."""

    conversations: ir.Table  # with a column per breakdown name
    surveys: ir.Table  # answers about conversations in scope, with the conversation's breakdown columns
    relationship_surveys: ir.Table  # answers without a conversation, answered in the period
    filtered: bool = False


@dataclass(frozen=True, slots=True)
class Filters:
    """Keep conversations whose column is one of the given values (``tag``: carries one of the tags)."""

    values: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.values) - set(FILTERS))
        if unknown:
            raise ParameterError(f"unknown filter {', '.join(unknown)}", hint=f"filter on {', '.join(FILTERS)}")

    def apply(self, conversations: ir.Table) -> ir.Table:
        for name, allowed in self.values.items():
            if name == "tag":
                conversations = conversations.filter(
                    conversations.tags.filter(lambda tag, wanted=list(allowed): tag.isin(wanted)).length() > 0
                )
            else:
                conversations = conversations.filter(conversations[BREAKDOWNS[name]].isin(list(allowed)))
        return conversations


def make_scope(backend: ibis.BaseBackend, period: Period, filters: Filters) -> Scope:
    c = backend.table("conversations")
    c = filters.apply(c.filter(period.contains(c.started_at)))
    c = c.mutate(**{name: c[column] for name, column in BREAKDOWNS.items() if name != column})
    s = backend.table("survey_responses")
    about = s.filter(s.conversation_id.notnull())
    surveys = about.join(c.select("conversation_id", *BREAKDOWNS), "conversation_id")
    relationship = s.filter(s.conversation_id.isnull() & period.contains(s.answered_at))
    return Scope(c, surveys, relationship, filtered=bool(filters.values))
