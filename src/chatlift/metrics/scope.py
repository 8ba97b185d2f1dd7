"""The rows a report looks at: a half-open period in a reporting time zone, filters and a period basis.

Period basis ``start`` (the default): a conversation belongs to the period in
which it started (local to ``timezone``), and so does everything measured about
it: its survey answers, its timings, whether it converted. Basis ``event``: each
metric uses the time of its own event instead (the answer, the first response,
the resolution), as its declaration states. Order values, carts, relationship
surveys without a conversation (NPS) and person-level metrics always use their
own event time (the order, the cart's first add, the answer …).

Time breakdowns (day, week, month, hour, weekday) bucket the same instant that
decides the period, on the wall clock of the reporting time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ibis
import ibis.expr.types as ir

from chatlift.errors import ParameterError
from chatlift.facts.people import KEY, PEOPLE
from chatlift.facts.tables import CONVERSATION_FACTS, SURVEY_FACTS, person
from chatlift.metrics.definitions import TIME_BREAKDOWNS
from chatlift.metrics.local_time import to_local

BREAKDOWNS: dict[str, str] = {
    "channel": "channel",
    "team": "team",
    "agent": "agent_id",
    "segment": "segment",
    "sector": "sector",
    "initiated_by": "initiated_by",
    "cobrowse": "cobrowse",
}
"""Breakdown (and filter) name → conversations column; cobrowse shows as "true"/"false"."""
__all__ = ["ALL_BREAKDOWNS", "BREAKDOWNS", "FILTERS", "WEEKDAYS", "Basis", "Filters", "Period", "Scope", "named_people",
           "person", "utc_bound", "zone"]
ALL_BREAKDOWNS = (*BREAKDOWNS, *TIME_BREAKDOWNS, "chatted")
FILTERS = (*BREAKDOWNS, "tag")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Basis(StrEnum):
    START = "start"
    EVENT = "event"


def zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ParameterError(f"unknown time zone {timezone!r}", hint="use an IANA name such as Europe/Amsterdam") from exc


def utc_bound(day: date, timezone: str) -> datetime:
    """Local midnight starting ``day`` in ``timezone``, as naive UTC (how timestamps are stored).

    >>> utc_bound(date(2025, 3, 30), "Europe/Amsterdam")  # still winter time (+1) at midnight
    datetime.datetime(2025, 3, 29, 23, 0)
    >>> utc_bound(date(2025, 3, 31), "Europe/Amsterdam")  # summer time (+2)
    datetime.datetime(2025, 3, 30, 22, 0)
    """
    local = datetime.combine(day, time(0), tzinfo=zone(timezone))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` in local dates of ``timezone``; ``None`` leaves that side open."""

    start: date | None = None
    end: date | None = None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        zone(self.timezone)
        if self.start and self.end and self.end <= self.start:
            raise ParameterError(f"the period ends ({self.end}) on or before it starts ({self.start})",
                                 hint="--to is exclusive: --from 2025-01-01 --to 2025-02-01 is January")

    def utc_bounds(self) -> tuple[datetime | None, datetime | None]:
        """The period's start and end as naive UTC instants (`utc_bound`); None for an open side."""
        return (utc_bound(self.start, self.timezone) if self.start else None,
                utc_bound(self.end, self.timezone) if self.end else None)

    def contains(self, column: ir.TimestampValue) -> ir.BooleanValue:
        condition: ir.BooleanValue = ibis.literal(True)
        start, end = self.utc_bounds()
        if start:
            condition &= column >= start
        if end:
            condition &= column < end
        return condition

    def previous(self) -> Period:
        """The period of equal length (in days) just before this one.

        >>> Period(date(2025, 3, 1), date(2025, 4, 1)).previous()
        Period(start=datetime.date(2025, 1, 29), end=datetime.date(2025, 3, 1), timezone='UTC')
        """
        if not (self.start and self.end):
            raise ParameterError("comparing with the previous period needs a period with a start and an end",
                                 hint="give both --from and --to")
        return Period(self.start - (self.end - self.start), self.start, self.timezone)


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
                conversations = conversations.filter(ibis.or_(*(conversations.tags.contains(t) for t in allowed)))
            else:
                wanted = [v.lower() for v in allowed] if name == "channel" else list(allowed)  # stored lower case
                conversations = conversations.filter(conversations[name].isin(wanted))
        return conversations


_TABLES = "_chatlift_tables"
"""The attribute of a backend that keeps the tables already looked up on it (backends compare equal by
their database, not their connection, so they cannot key a dictionary; chatlift's schemas do not change
while a file is open)."""


def _nullable(table: ir.Table) -> ir.Table:
    """``table`` with every column typed nullable: Ibis keeps a NOT NULL column's type through aggregates
    that can return null (``min(where=…)``), and a cached copy would then carry a false constraint."""
    return table.cast({name: dtype.copy(nullable=True) for name, dtype in table.schema().items()})


def _named(conversations: ir.Table) -> ir.Table:
    """``conversations`` (or rows carrying their columns) with the breakdown names that differ from columns."""
    return conversations.mutate(agent=conversations.agent_id,
                                cobrowse=conversations.cobrowse.cast("string").lower())


def named_people(backend: ibis.BaseBackend, table: ir.Table) -> ir.Table:
    """``table`` with its people named by ``person`` (customer_id, else visitor_id), never by the fact
    tables' internal ``person_key`` (what per-person metrics group by: `Scope.person_column`)."""
    if KEY not in table.columns:
        return table
    if "person" in table.columns:
        return table.drop(KEY)
    people = backend.table(PEOPLE)
    people = people.select(__key=people[KEY], person=people.person)
    return table.left_join(people, table[KEY] == people.__key).drop(KEY, "__key")


@dataclass(slots=True)
class Scope:
    """The canonical tables restricted to a period and filters, ready for a metric's aggregation.

    Sub-results that several metrics share (attribution, conversions, message
    timings, carts) are built once per scope through `shared` and, by default,
    computed once into temporary tables (Ibis ``cache``, on any backend).
    """

    backend: ibis.BaseBackend
    period: Period
    filters: Filters
    basis: Basis = Basis.START
    by: tuple[str, ...] = ()
    business_hours: Any = None  # a business_hours.BusinessHours, from chatlift.toml
    materialized: bool = True  # keep shared sub-results (timings, attribution) as temporary tables
    facts: bool = False  # read the derived fact tables (chatlift.facts), which are current, over the raw events
    rollups: bool = False  # aggregations may read hourly rollups (chatlift.metrics.rollup): nothing else writes
    # shared sub-results worth a temporary table when several queries read them (kept when not materialized,
    # for `fusion` to decide), and relations with the same rows as another plus columns (wider → narrower)
    materializable: list[Any] = field(default_factory=list)
    widening: dict[Any, Callable[[], ir.Table]] = field(default_factory=dict)
    _memo: dict[Any, Any] = field(default_factory=dict)
    _cached: list[Any] = field(default_factory=list)

    @property
    def filtered(self) -> bool:
        return bool(self.filters.values)

    @property
    def person_column(self) -> str:
        """The column a metric groups people by: the fact tables' integer ``person_key`` when they are read
        (`chatlift.facts.people`; its grouping runs as a counting pass, `chatlift.metrics.dense`), else
        ``person``. Both name the same people."""
        return KEY if self.facts else "person"

    def table(self, name: str) -> ir.Table:
        """A table of the backend; its schema is looked up once per backend (a lookup costs ~10 ms)."""
        tables: dict[str, ir.Table] | None = getattr(self.backend, _TABLES, None)
        if tables is None:
            tables = {}
            setattr(self.backend, _TABLES, tables)
        if name not in tables:
            tables[name] = self.backend.table(name)
        return tables[name]

    def shared(self, key: Any, build: Callable[[], Any], *, materialize: bool = False) -> Any:
        """The result of ``build()``, built once per scope; with ``materialize`` (and `materialized` on),
        computed once into a temporary table of the backend that later queries read. Without
        `materialized`, such a result is listed in `materializable` instead."""
        if key not in self._memo:
            value = build()
            if materialize and self.materialized:
                value = self.keep(value)
            elif materialize:
                self.materializable.append(value.op())
            self._memo[key] = value
        return self._memo[key]

    def keep(self, table: ir.Table) -> ir.Table:
        """``table`` computed into a temporary table (released by `release`)."""
        cached = _nullable(table).cache()
        self._cached.append(cached)
        return cached

    def same_rows(self, wider: Callable[[], ir.Table], narrower: ir.Table) -> ir.Table:
        """Declare that ``wider()`` has the rows and columns of ``narrower`` plus columns, so that an
        aggregation of ``narrower`` may read it instead (built only when a report fuses; the first
        declaration for ``narrower`` holds); returns ``narrower``."""
        self.widening.setdefault(narrower.op(), wider)
        return narrower

    def widened(self) -> dict[Any, Any]:
        """Every declared wider relation, built: narrower node → wider node."""
        built: dict[Any, Any] = {}
        while len(built) < len(self.widening):
            for node, wider in list(self.widening.items()):
                if node not in built:
                    built[node] = wider().op()
        return {node: wider for node, wider in built.items() if wider != node}

    def decided_from_data(self) -> bool:
        """Whether building read the data to decide how (`covers_data`, the data's span for calendars)."""
        return any(key in self._memo for key in ("covers data", "data_span"))

    def release(self) -> None:
        """Drop the temporary tables this scope computed (also done by Ibis when they are collected)."""
        while self._cached:
            self._cached.pop().release()

    def all_conversations(self) -> ir.Table:
        """Every conversation passing the filters (any time), with breakdown names and ``person``."""
        def build() -> ir.Table:
            if self.facts:  # every column of conversations, their person, timings and what follows them
                return self.filters.apply(_named(self.table(CONVERSATION_FACTS)))
            c = self.table("conversations")
            return self.filters.apply(_named(c).mutate(person=person(c)))
        return self.shared("all_conversations", build)

    def conversations(self, event: str | None = None) -> ir.Table:
        """Conversations in scope; with basis ``event``, those whose ``event`` column falls in the period."""
        column = event if self.basis is Basis.EVENT and event else "started_at"
        c = self.all_conversations()
        return self.timed(c.filter(self.period.contains(c[column])), column)

    def surveys(self) -> ir.Table:
        """Answers about conversations in scope (on their survey's default scale), with the conversation's
        ``channel``, ``cobrowse`` and breakdown columns; a metric picks its ``survey``."""
        def build() -> ir.Table:
            if self.facts:  # the answers carry their conversation's columns
                f = self.table(SURVEY_FACTS)
                f = self.filters.apply(_named(f.filter(f.scale.isnull())))
                column = "answered_at" if self.basis is Basis.EVENT else "started_at"
                return self.timed(f.filter(self.period.contains(f[column])), column)
            s = self.table("survey_responses")
            s = s.filter(s.scale.isnull() & s.conversation_id.notnull())
            c = self.all_conversations()
            keep = list(dict.fromkeys(["conversation_id", "channel", "cobrowse",
                                       *(b for b in self.by if b in BREAKDOWNS)]))
            if self.basis is Basis.EVENT:
                joined = s.filter(self.period.contains(s.answered_at)).join(c.select(*keep), "conversation_id")
                return self.timed(joined, "answered_at")
            return s.join(self.timed(c.filter(self.period.contains(c.started_at)), "started_at")
                          .select(*keep, *(b for b in self.by if b in TIME_BREAKDOWNS)), "conversation_id")
        return self.shared("surveys", build)

    def relationship_surveys(self, survey: str) -> ir.Table:
        """Answers to ``survey`` that belong to no conversation, answered in the period (default scale)."""
        s = self.table("survey_responses")
        s = s.filter((s.survey == survey) & s.scale.isnull() & s.conversation_id.isnull())
        return self.timed(s.filter(self.period.contains(s.answered_at)), "answered_at")

    def in_period(self, table: ir.Table, column: str) -> ir.Table:
        """Rows of any table whose ``column`` falls in the period, with the time breakdowns of that column."""
        return self.timed(table.filter(self.period.contains(table[column])), column)

    def business_seconds(self, table: ir.Table, start: str, end: str, out: str) -> ir.Table:
        """``table`` plus ``out``: business seconds from ``start`` to ``end`` on each row's calendar."""
        from chatlift.metrics.business_hours import calendar_of, with_business_seconds

        if self.business_hours is None:
            raise ParameterError("business hours were asked for, but no calendar is configured",
                                 hint="add a [business_hours.calendars.default] table to chatlift.toml "
                                      "(see docs/metrics.md)")
        return with_business_seconds(table, start=start, end=end, calendar=calendar_of(table, self.business_hours),
                                     hours=self.business_hours, span=self.shared("data_span", self._data_span),
                                     out=out)

    def covers_data(self) -> bool:
        """Whether every conversation starts inside the period (then a query need not narrow other tables to
        the period's conversations before joining them)."""
        def build() -> bool:
            if not (self.period.start or self.period.end):
                return True
            c = self.table("conversations")
            row = c.aggregate(low=c.started_at.min(), high=c.started_at.max()).to_pyarrow().to_pylist()[0]
            if row["low"] is None:
                return True
            start, end = self.period.utc_bounds()
            return (start is None or row["low"] >= start) and (end is None or row["high"] < end)
        covered: bool = self.shared("covers data", build)
        return covered

    def _data_span(self) -> tuple[datetime, datetime]:
        """The earliest and latest instant a conversation's timings can hold (for calendar tables)."""
        c, m = self.table("conversations"), self.table("messages")
        row = c.aggregate(low=c.started_at.min(), a=c.resolved_at.max(), b=c.first_response_at.max(),
                          c=c.started_at.max()).to_pyarrow().to_pylist()[0]
        last_message = m.sent_at.max().to_pyarrow().as_py()
        highs = [v for v in (row["a"], row["b"], row["c"], last_message) if v is not None]
        low = row["low"] or datetime(2000, 1, 1)
        return low, max(highs) if highs else low

    def timed(self, table: ir.Table, column: str) -> ir.Table:
        """``table`` with a column per requested time breakdown, from ``column`` on the local wall clock."""
        wanted = [b for b in self.by if b in TIME_BREAKDOWNS]
        if not wanted:
            return table
        local = to_local(table[column], self.period.timezone, *self._span(table, column))
        columns = {
            "day": local.date().cast("string"),
            "week": local.truncate("W").date().cast("string"),
            "month": local.truncate("M").date().cast("string").substr(0, 7),
            "hour": local.hour().cast("string").lpad(2, "0"),
            "weekday": ibis.cases(*((local.day_of_week.index() == i, name) for i, name in enumerate(WEEKDAYS))),
        }
        return table.mutate(**{name: columns[name] for name in wanted})

    def _span(self, table: ir.Table, column: str) -> tuple[datetime, datetime]:
        """Instants the time zone conversion must cover: the period, or the data's range where it is open."""
        start, end = self.period.utc_bounds()
        if start is None or end is None:
            bounds = table.aggregate(low=table[column].min(), high=table[column].max()).to_pyarrow().to_pylist()[0]
            start = start or bounds["low"] or datetime(2000, 1, 1)
            end = end or bounds["high"] or datetime(2000, 1, 2)
        return start - timedelta(days=1), end + timedelta(days=1)
