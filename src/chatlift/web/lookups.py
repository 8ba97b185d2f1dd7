"""What pages read besides reports: the data's latest day, the filter bar's choices, survey comments
and score counts, and sums over the per-conversation rows (`Workspace.conversations`).

Survey answers go through the metric engine's `Scope`, so a comment or a score count belongs to a
view exactly when the CSAT/CES/NPS metrics of that view count the answer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import ibis
import pyarrow as pa

from chatlift.metrics import Filters, Period
from chatlift.metrics.scope import Scope
from chatlift.web.view import FILTER_NAMES, View
from chatlift.workspace import Workspace

COMMENTS = 25  # the latest comments shown


def latest_day(ws: Workspace, timezone: str) -> date | None:
    """The local day (in ``timezone``) of the latest conversation start; None without conversations."""
    row = ws.store.con.execute("SELECT max(started_at) FROM conversations").fetchone()
    if row is None or row[0] is None:
        return None
    latest: datetime = row[0]
    return latest.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).date()


def choices(ws: Workspace) -> dict[str, list[str]]:
    """The values each filter of the bar can take (those present in the conversations)."""
    found: dict[str, list[str]] = {}
    for name in FILTER_NAMES:
        rows = ws.store.con.execute(
            f"SELECT DISTINCT {name} FROM conversations WHERE {name} IS NOT NULL ORDER BY 1").fetchall()
        found[name] = [str(r[0]) for r in rows]
    return found


@contextmanager
def scope_of(ws: Workspace, view: View) -> Iterator[Scope]:
    """The metric engine's scope for ``view`` (its temporary tables are dropped afterwards)."""
    scope = Scope(ws.backend(), Period(view.start, view.end, view.timezone),
                  Filters({name: (value,) for name, value in view.filters().items()}), facts=ws.facts())
    try:
        yield scope
    finally:
        scope.release()


@dataclass(frozen=True, slots=True)
class Comment:
    answered_at: datetime  # local to the view's time zone
    survey: str
    score: int
    channel: str | None  # None: a relationship survey (NPS), about no conversation
    text: str


def comments(ws: Workspace, view: View, limit: int = COMMENTS) -> list[Comment]:
    """The latest survey comments of the view, newest first: answers about conversations that started in
    the period and pass the filters, and (without filters) relationship NPS answers given in the period."""
    zone = ZoneInfo(view.timezone)
    with scope_of(ws, view) as scope:
        found: list[dict[str, Any]] = []
        tables = [scope.surveys()]
        if not view.filters():
            nps = scope.relationship_surveys("nps")
            tables.append(nps.mutate(channel=ibis.null("string")))
        for s in tables:
            s = s.filter(s.comment.notnull() & (s.comment.strip() != ""))
            s = s.select("answered_at", "survey", "score", "channel", "comment", "response_id")
            found += s.order_by([ibis.desc("answered_at"), ibis.desc("response_id")]).limit(limit) \
                .to_pyarrow().to_pylist()
    found.sort(key=lambda r: (r["answered_at"], r["response_id"]), reverse=True)
    return [Comment(r["answered_at"].replace(tzinfo=UTC).astimezone(zone), r["survey"], int(r["score"]),
                    r["channel"], r["comment"]) for r in found[:limit]]


SCALES = {"csat": range(1, 6), "ces": range(1, 8), "nps": range(11)}  # each survey's default scale


def score_counts(ws: Workspace, view: View) -> dict[str, dict[int, int]]:
    """Answers per score for CSAT and CES (about conversations in the view, as the metrics count them)
    and NPS (relationship answers given in the period; empty under filters, as NPS cannot be filtered)."""
    counts: dict[str, dict[int, int]] = {survey: dict.fromkeys(scale, 0) for survey, scale in SCALES.items()}
    with scope_of(ws, view) as scope:
        s = scope.surveys()
        rows = s.group_by(["survey", "score"]).aggregate(n=s.count()).to_pyarrow().to_pylist()
        if not view.filters():
            nps = scope.relationship_surveys("nps")
            rows += [{"survey": "nps", **r} for r in
                     nps.group_by("score").aggregate(n=nps.count()).to_pyarrow().to_pylist()]
    for r in rows:
        if r["survey"] in counts and r["score"] in counts[r["survey"]]:
            counts[r["survey"]][int(r["score"])] += int(r["n"])
    return counts


def conversation_rows(ws: Workspace, view: View, business_hours: Any = None) -> pa.Table:
    """The per-conversation rows of the view (`Workspace.conversations`)."""
    return ws.conversations(start=view.start, end=view.end, timezone=view.timezone,
                            filters={name: (value,) for name, value in view.filters().items()},
                            business_hours=business_hours)


def grain(view: View) -> str:
    """The time breakdown a trend over the view's period reads best in: day up to two months, week up
    to about a year, else month."""
    if view.days <= 62:
        return "day"
    return "week" if view.days <= 371 else "month"


def bucket(moment: datetime, unit: str, zone: ZoneInfo) -> str:
    """The day, week (its Monday) or month of a UTC instant on the local clock, as the engine names them.

    >>> bucket(datetime(2025, 3, 2, 23, 30), "week", ZoneInfo("Europe/Amsterdam"))
    '2025-03-03'
    """
    local = moment.replace(tzinfo=UTC).astimezone(zone).date()
    if unit == "week":
        return (local - timedelta(days=local.weekday())).isoformat()
    if unit == "month":
        return local.isoformat()[:7]
    return local.isoformat()


def revenue_by_channel(rows: pa.Table, view: View, unit: str) -> tuple[list[str], dict[str, list[float]]]:
    """Attributed revenue per time bucket (of the conversation's start) and channel: the buckets of the
    whole period in order, and per channel one sum per bucket."""
    zone = ZoneInfo(view.timezone)
    buckets = list(dict.fromkeys(bucket(datetime.combine(view.start + timedelta(days=i), datetime.min.time())
                                        .replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None), unit, zone)
                                 for i in range(view.days)))
    sums: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(buckets, 0.0))
    for started, channel, revenue in zip(rows.column("started_at").to_pylist(), rows.column("channel").to_pylist(),
                                         rows.column("attributed_revenue").to_pylist(), strict=True):
        key = bucket(started, unit, zone)
        if revenue and key in buckets:
            sums[str(channel)][key] += float(revenue)
    return buckets, {channel: [per[b] for b in buckets] for channel, per in sorted(sums.items())}


DURATION_BINS: tuple[tuple[float, str], ...] = (
    (60, "< 1 min"), (120, "1–2 min"), (300, "2–5 min"), (900, "5–15 min"), (1800, "15–30 min"),
    (3600, "30–60 min"), (4 * 3600, "1–4 h"), (24 * 3600, "4–24 h"), (float("inf"), "≥ 1 day"),
)
"""Duration bins: each holds durations below its bound and at or above the previous bound."""


def duration_counts(values: Sequence[float | None]) -> list[tuple[str, int]]:
    """How many durations fall in each of `DURATION_BINS` (empty values are left out).

    >>> duration_counts([30, 61, 59.9, None, 90_000])[:3], duration_counts([90_000])[-1]
    ([('< 1 min', 2), ('1–2 min', 1), ('2–5 min', 0)], ('≥ 1 day', 1))
    """
    counts: Counter[str] = Counter()
    for value in values:
        if value is None:
            continue
        counts[next(label for bound, label in DURATION_BINS if value < bound)] += 1
    return [(label, counts[label]) for _, label in DURATION_BINS]
