"""The conversations behind a number: ``/conversations?metric=KEY&group=agent=agt_003&<filters>``.

The list is `chatlift.drilldown.records_behind`: exactly the records (conversations, or survey
answers for CSAT …) counted in the metric's ``n`` for that group, in the view's period and filters;
the page links to the same list as CSV (``/v1/drilldown.csv``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chatlift.drilldown import parse_group, records_behind
from chatlift.metrics import REGISTRY
from chatlift.reporting import known_metric
from chatlift.web.view import View, run
from chatlift.workspace import Workspace

SHOWN = 1000  # rows listed on the page; the CSV has them all

COLUMNS: tuple[tuple[str, str], ...] = (
    ("conversation_id", "Conversation"), ("started_at", "Started"), ("channel", "Channel"), ("agent_id", "Agent"),
    ("team", "Team"), ("status", "Status"), ("first_response_seconds", "First response"),
    ("resolution_seconds", "Resolution"), ("converted", "Converted"), ("attributed_revenue", "Attributed revenue"),
    ("csat", "CSAT"), ("ces", "CES"),
)
"""The columns listed on the page: (export column, heading)."""


def behind(ws: Workspace, view: View, metric: str, groups: Sequence[str], business_hours: Any) -> dict[str, Any]:
    key = known_metric(metric)
    group = parse_group(list(groups), option="group")
    request = view.request([key], by=list(group))
    figure = run(ws, request, business_hours).figure(key, **group)
    records = records_behind(ws, request, key, group, business_hours=business_hours, limit=SHOWN)
    zone = ZoneInfo(view.timezone)
    rows = []
    for record in records.rows.to_pylist():
        for name, value in record.items():
            if isinstance(value, datetime):
                record[name] = value.replace(tzinfo=UTC).astimezone(zone)
        rows.append(record)
    if records.unit == "conversations":
        columns = COLUMNS
    else:  # survey answers, carts …: their own columns
        columns = tuple((name, name.replace("_", " ")) for name in records.rows.column_names)
    csv_query = view.api_query(metric=key, group=[f"{name}={value}" for name, value in group.items()])
    return {"metric": REGISTRY[key], "group": group, "figure": figure, "count": records.total, "unit": records.unit,
            "rows": rows, "shown": SHOWN, "columns": columns, "conversations": records.unit == "conversations",
            "csv_url": f"/v1/drilldown.csv?{csv_query}",
            "back": f"/agents?{view.query}" if set(group) & {"agent", "team"} else f"/channels?{view.query}"}
