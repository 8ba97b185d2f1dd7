"""Property: for count-type metrics, the counts of a breakdown add up to the total.

Every conversation (answer, cart …) falls in exactly one group of a breakdown,
so for a share the groups' n and successes must sum to the unbroken figure,
whatever the data, breakdown or reporting time zone. Random data spans the
2025 spring DST change so hour and day buckets cross it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatlift.domain.arrow import arrow_schema
from chatlift.domain.schema import TABLES_BY_NAME
from chatlift.workspace import Workspace, connect

ORIGIN = datetime(2025, 3, 28)  # the clocks go forward in Europe on Sunday 30 March
SHARES = ("resolution_rate", "fcr_rate", "sla_attainment", "missed_rate", "proactive", "csat", "ces_easy")
COUNTED = ("first_response_time", "chat_conversion_rate")  # n adds up; the value is not a share of it
BREAKDOWNS = ("channel", "team", "initiated_by", "cobrowse", "day", "weekday", "hour", "week")

conversation = st.fixed_dictionaries({
    "channel": st.sampled_from(["chat", "email", "phone"]),
    "team": st.sampled_from([None, "red", "blue"]),
    "status": st.sampled_from([None, "open", "resolved", "unresolved", "missed"]),
    "initiated_by": st.sampled_from(["customer", "agent", "bot"]),
    "cobrowse": st.booleans(),
    "start": st.integers(0, 4 * 24 * 60),  # minutes after ORIGIN
    "response": st.one_of(st.none(), st.integers(1, 600)),  # seconds after the start
    "person": st.sampled_from([None, "p1", "p2", "p3", "p4"]),
    "csat": st.one_of(st.none(), st.integers(1, 5)),
    "ces": st.one_of(st.none(), st.integers(1, 7)),
    "customer_wrote": st.booleans(),
    "order_after": st.one_of(st.none(), st.integers(0, 10 * 24 * 60)),  # minutes after the start
})


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    with connect(Path(tmp_path_factory.mktemp("sums")) / "sums.duckdb", create=True) as ws:
        yield ws


def _table(name: str, rows: list[dict[str, object]]) -> pa.Table:
    schema = arrow_schema(TABLES_BY_NAME[name])
    return pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in rows], schema=schema)


def _load(ws: Workspace, drawn: list[dict[str, object]]) -> None:
    conversations, messages, surveys, orders = [], [], [], []
    for i, d in enumerate(drawn):
        started = ORIGIN + timedelta(minutes=int(d["start"]))  # type: ignore[call-overload]
        response = None if d["response"] is None else started + timedelta(seconds=int(d["response"]))  # type: ignore[call-overload]
        conversations.append({
            "conversation_id": f"c{i}", "channel": d["channel"], "started_at": started, "team": d["team"],
            "status": d["status"], "initiated_by": d["initiated_by"], "cobrowse": d["cobrowse"],
            "first_response_at": response, "customer_id": d["person"], "tags": [],
        })
        if d["customer_wrote"]:
            messages.append({"message_id": f"m{i}", "conversation_id": f"c{i}", "sender": "customer",
                             "sent_at": started})
        for survey in ("csat", "ces"):
            if d[survey] is not None:
                surveys.append({"response_id": f"{survey}{i}", "survey": survey, "score": float(d[survey]),  # type: ignore[arg-type]
                                "answered_at": started + timedelta(hours=1), "conversation_id": f"c{i}"})
        if d["order_after"] is not None and d["person"] is not None:
            orders.append({"order_id": f"o{i}", "customer_id": d["person"], "amount": 10.0 + i, "currency": "EUR",
                           "kind": "purchase",
                           "ordered_at": started + timedelta(minutes=int(d["order_after"]))})  # type: ignore[call-overload]
    with ws.store.transaction():
        ws.store.truncate()
        for name, rows in (("conversations", conversations), ("messages", messages),
                           ("survey_responses", surveys), ("orders", orders)):
            ws.store.append_arrow(name, _table(name, rows))


def _totals(table: pa.Table) -> dict[str, tuple[int, float]]:
    """Per metric: total n, and total successes (value × n) where the value is a share."""
    out: dict[str, tuple[int, float]] = {}
    for row in table.to_pylist():
        n, succ = out.get(row["metric"], (0, 0.0))
        out[row["metric"]] = (n + row["n"], succ + (row["value"] or 0.0) * row["n"])
    return out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=st.lists(conversation, min_size=0, max_size=25), breakdown=st.sampled_from(BREAKDOWNS),
       timezone=st.sampled_from(["UTC", "Europe/Amsterdam", "America/New_York"]))
def test_counts_over_any_breakdown_add_up_to_the_total(
    workspace: Workspace, drawn: list[dict[str, object]], breakdown: str, timezone: str
) -> None:
    _load(workspace, drawn)
    metrics = [*SHARES, *(m for m in COUNTED if not (m == "chat_conversion_rate" and breakdown == "channel"))]
    total = _totals(workspace.report(metrics, timezone=timezone))
    split = _totals(workspace.report(metrics, timezone=timezone, by=[breakdown]))
    for key in metrics:
        n, successes = total.get(key, (0, 0.0))
        assert split.get(key, (0, 0.0))[0] == n, (key, breakdown)
        if key in SHARES:
            assert split.get(key, (0, 0.0))[1] == pytest.approx(successes, abs=1e-6), (key, breakdown)
