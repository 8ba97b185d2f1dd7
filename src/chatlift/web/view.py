"""What a dashboard page shows: the filters read from its URL, and the reports it asks the library for.

A view's filters live in the query string (``from``, ``to``, ``tz``, ``channel``, ``team``,
``segment``), so a link or a bookmark reproduces it. Without ``from``/``to`` the view covers the
last 28 days of data: up to and including the local day of the latest conversation start.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatlift.errors import ParameterError
from chatlift.metrics import REGISTRY
from chatlift.metrics.definitions import Metric, Unit
from chatlift.reporting import ReportRequest, Skipped, build_request, report_rows, run_request
from chatlift.units import MISSING, change_text, interval_text, value_text
from chatlift.workspace import Workspace

DEFAULT_DAYS = 28  # the default period: four whole weeks, ending with the latest day that has data
FILTER_NAMES = ("channel", "team", "segment")  # the filters the bar offers (the API takes more)


def _date(name: str, text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"{name} = {text!r} is not a date", hint="write dates as YYYY-MM-DD") from None


def _zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParameterError(f"unknown time zone {text!r}", hint="use an IANA name such as Europe/Amsterdam or UTC") \
            from None
    return text


@dataclass(frozen=True, slots=True)
class View:
    """The filters of one page view: a period of local dates ``[start, end)`` in ``timezone``, and
    at most one value each for channel, team and segment."""

    start: date
    end: date
    timezone: str = "UTC"
    channel: str = ""
    team: str = ""
    segment: str = ""
    defaulted: bool = False  # the period was chosen for the reader (no from/to in the URL)

    @classmethod
    def from_query(cls, query: Mapping[str, str], latest: date | None) -> View:
        """The view a query string asks for; ``latest`` is the local day of the latest conversation
        start (None for an empty database), which places the default period."""
        start, end = _date("from", query.get("from")), _date("to", query.get("to"))
        timezone = _zone(query.get("tz") or "UTC")
        defaulted = start is None and end is None
        if end is None:
            end = start + timedelta(days=DEFAULT_DAYS) if start and not defaulted else \
                (latest or date.today()) + timedelta(days=1)
        if start is None:
            start = end - timedelta(days=DEFAULT_DAYS)
        if end <= start:
            raise ParameterError(f"the period ends ({end}) on or before it starts ({start})",
                                 hint="'to' is exclusive: from 2025-01-01 to 2025-02-01 is January")
        picked = {name: (query.get(name) or "").strip() for name in FILTER_NAMES}
        return cls(start, end, timezone, defaulted=defaulted, **picked)

    @property
    def last_day(self) -> date:
        """The last day inside the period (``end`` is exclusive)."""
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def filters(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FILTER_NAMES if getattr(self, name)}

    def filter_texts(self) -> list[str]:
        """The filters as ``name=value`` texts (`reporting.parse_filters`, the API's ``filter=``)."""
        return [f"{name}={value}" for name, value in self.filters().items()]

    def params(self) -> list[tuple[str, str]]:
        """This view as dashboard query parameters."""
        pairs = [("from", self.start.isoformat()), ("to", self.end.isoformat()), ("tz", self.timezone)]
        return pairs + list(self.filters().items())

    @property
    def live_query(self) -> str:
        """The time zone and filters, without the period (the live panel is about today)."""
        return urlencode([("tz", self.timezone), *self.filters().items()])

    @property
    def query(self) -> str:
        """This view's query string, for links between pages."""
        return urlencode(self.params())

    def drill_url(self, metric: str, group: Mapping[str, str]) -> str:
        """The page listing the conversations behind ``metric`` for ``group`` in this view."""
        pairs = [("metric", metric), *(("group", f"{name}={value}") for name, value in group.items())]
        return f"/conversations?{urlencode(pairs + self.params())}"

    def api_query(self, *, period: bool = True, **extra: str | Sequence[str]) -> str:
        """The same period (unless ``period`` is false) and filters as an API query string
        (``filter=channel=chat``), plus ``extra``."""
        pairs = [("from", self.start.isoformat()), ("to", self.end.isoformat())] if period else []
        pairs.append(("tz", self.timezone))
        pairs += [("filter", text) for text in self.filter_texts()]
        for name, value in extra.items():
            pairs += [(name, v) for v in ([value] if isinstance(value, str) else value)]
        return urlencode(pairs)

    def request(self, metrics: Sequence[str], *, by: Sequence[str] = (), compare: bool = False,
                start: date | None = None, end: date | None = None) -> ReportRequest:
        """A report request for ``metrics`` over this view (or over ``start``–``end`` when given).

        The metrics are not *named*: one that cannot run with these options (NPS under a channel
        filter, a metric without this breakdown) is skipped with its reason instead of failing."""
        request = build_request(list(metrics), start=start or self.start, end=end or self.end,
                                timezone=self.timezone, by=list(by), filters=self.filter_texts(), compare=compare,
                                filter_option="filter")
        return dataclasses.replace(request, named=frozenset())


@dataclass(frozen=True, slots=True)
class Figure:
    """One metric's figure for one group, ready to show."""

    metric: Metric
    row: dict[str, Any] | None  # the report row (None: nothing to measure)
    skipped: str | None = None  # why the metric could not run with these options

    @property
    def value(self) -> float | None:
        value = self.row["value"] if self.row else None
        return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)

    @property
    def n(self) -> int:
        return int(self.row["n"]) if self.row and self.row.get("n") is not None else 0

    @property
    def text(self) -> str:
        return value_text(self.metric.unit, self.value) if self.value is not None else MISSING

    @property
    def interval(self) -> str:
        if not self.row:
            return MISSING
        return interval_text(self.metric.unit, self.row.get("lower"), self.row.get("upper"))

    @property
    def change(self) -> str | None:
        """The change since the previous period, or None when it was not asked for or is unknown."""
        if not self.row or self.row.get("change") is None:
            return None
        return change_text(self.metric.unit, self.row["change"])

    @property
    def previous(self) -> str:
        value = self.row.get("previous_value") if self.row else None
        return value_text(self.metric.unit, value) if value is not None else MISSING

    @property
    def trend(self) -> str:
        """``better``, ``worse`` or ``same``: the change read with the metric's direction."""
        change = self.row.get("change") if self.row else None
        if change is None or change == 0 or self.metric.unit is Unit.POINTS and abs(change) < 1e-12:
            return "same"
        return "better" if (change > 0) == self.metric.higher_is_better else "worse"

    @property
    def arrow(self) -> str:
        """▲ for a rise, ▼ for a fall ('' when unchanged); whether that is good is `trend`'s colour."""
        change = self.row.get("change") if self.row else None
        if self.trend == "same" or change is None:
            return ""
        return "▲" if change > 0 else "▼"

    @property
    def reference(self) -> str | None:
        return self.row.get("reference") if self.row else None

    @property
    def reference_source(self) -> str | None:
        return self.row.get("reference_source") if self.row else None


@dataclass(slots=True)
class Report:
    """A report's rows, looked up by metric and group."""

    request: ReportRequest
    rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def figure(self, key: str, **group: str) -> Figure:
        """The figure of metric ``key`` for ``group`` (breakdown name → value)."""
        metric = REGISTRY[key]
        if key in self.skipped:
            return Figure(metric, None, self.skipped[key])
        for row in self.rows:
            if row["metric"] == key and all(str(row.get(b)) == v for b, v in group.items()):
                return Figure(metric, row)
        return Figure(metric, None)

    def groups(self, name: str) -> list[str]:
        """The values of breakdown ``name`` that occur, in order of first appearance."""
        return list(dict.fromkeys(str(r[name]) for r in self.rows if r.get(name) is not None))

    def metric_rows(self, key: str) -> list[dict[str, Any]]:
        return [r for r in self.rows if r["metric"] == key]


def run(ws: Workspace, request: ReportRequest, business_hours: Any = None) -> Report:
    """Run ``request`` through `chatlift.reporting`; when no metric of it can run, every one is skipped."""
    closed = bool(request.period.start and request.period.end)
    reasons = {key: REGISTRY[key].unavailable(request.by, closed_period=closed, filtered=bool(request.filters))
               for key in request.metrics}
    if all(reasons.values()):
        return Report(request, [], {key: str(reason) for key, reason in reasons.items()})
    table, skipped = run_request(ws, request, business_hours)
    return Report(request, report_rows(table, request), _reasons(skipped))


def _reasons(skipped: Sequence[Skipped]) -> dict[str, str]:
    return {s.metric: s.reason for s in skipped}
