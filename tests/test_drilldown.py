"""The records behind a number: as many as the report's n, and exactly the ones an independent query picks."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

import chatlift
from chatlift.drilldown import parse_group, records_behind
from chatlift.errors import ParameterError
from chatlift.metrics import REGISTRY
from chatlift.reporting import build_request

MARCH: dict[str, Any] = {"start": date(2025, 3, 1), "end": date(2025, 4, 1), "timezone": "UTC"}
NO_DRILLDOWN = {"chat_order_value", "other_order_value", "order_value_uplift", "cobrowse", "channel_mix"}


@pytest.fixture(scope="module")
def demo(small_demo_file: Path) -> Path:
    return small_demo_file  # only read


def _first_group(ws: chatlift.Workspace, key: str, by: list[str]) -> tuple[dict[str, str], int]:
    rows = ws.report([key], **MARCH, by=by).to_pylist()
    row = next(r for r in rows if all(r[b] is not None for b in by))
    return {b: row[b] for b in by}, row["n"]


@pytest.mark.parametrize("key", sorted(set(REGISTRY) - NO_DRILLDOWN))
def test_the_records_are_as_many_as_n(demo: Path, key: str) -> None:
    metric = REGISTRY[key]
    by = ["agent"] if "agent" in metric.breakdowns else []
    with chatlift.connect(demo, read_only=True) as ws:
        group, n = _first_group(ws, key, by)
        found = records_behind(ws, build_request([key], **MARCH, by=by), key, group, limit=3)
    assert found.total == n
    assert found.rows.num_rows == min(3, n)


@pytest.mark.parametrize("key", sorted(NO_DRILLDOWN - {"channel_mix"}))
def test_metrics_whose_n_is_no_count_of_records_say_so(demo: Path, key: str) -> None:
    with chatlift.connect(demo, read_only=True) as ws, pytest.raises(ParameterError, match="has no drill-down"):
        records_behind(ws, build_request([key], **MARCH), key, {})


def test_resolution_rate_lists_the_finished_conversations_of_the_agent(demo: Path) -> None:
    with chatlift.connect(demo, read_only=True) as ws:
        group, _ = _first_group(ws, "resolution_rate", ["agent"])
        found = records_behind(ws, build_request(["resolution_rate"], **MARCH, by=["agent"]), "resolution_rate", group)
    con = duckdb.connect(str(demo), read_only=True)
    expected = [r[0] for r in con.execute(
        "SELECT conversation_id FROM conversations WHERE agent_id = ? AND status IN ('resolved', 'unresolved', "
        "'missed') AND started_at >= '2025-03-01' AND started_at < '2025-04-01' ORDER BY started_at, conversation_id",
        [group["agent"]]).fetchall()]
    con.close()
    assert found.unit == "conversations"
    assert found.rows.column("conversation_id").to_pylist() == expected
    assert set(found.rows.column("agent_id").to_pylist()) == {group["agent"]}


def test_chat_conversion_lists_the_matchable_chats_of_a_channel_filter(demo: Path) -> None:
    with chatlift.connect(demo, read_only=True) as ws:
        request = build_request(["chat_conversion_rate"], **MARCH, filters=["segment=smb"])
        found = records_behind(ws, request, "chat_conversion_rate", {})
        (row,) = ws.report(["chat_conversion_rate"], **MARCH, filters={"segment": ("smb",)}).to_pylist()
    con = duckdb.connect(str(demo), read_only=True)
    expected = {r[0] for r in con.execute(
        "SELECT conversation_id FROM conversations WHERE channel = 'chat' AND segment = 'smb' "
        "AND coalesce(customer_id, visitor_id) IS NOT NULL "
        "AND started_at >= '2025-03-01' AND started_at < '2025-04-01'").fetchall()}
    con.close()
    assert set(found.rows.column("conversation_id").to_pylist()) == expected
    assert found.total == row["n"] == len(expected)
    # the converted flag of the listed chats gives the report's rate
    converted = found.rows.column("converted").to_pylist()
    assert sum(bool(c) for c in converted) / len(converted) == pytest.approx(row["value"])


def test_groups_are_checked() -> None:
    assert parse_group(["agent=a", "channel=chat"]) == {"agent": "a", "channel": "chat"}
    for bad in (["agent"], ["agent=a", "agent=b"], ["=x"]):
        with pytest.raises(ParameterError, match="NAME=VALUE"):
            parse_group(bad)


def test_drillable_is_decided_from_the_definitions(demo: Path) -> None:
    from chatlift.drilldown import drillable

    with chatlift.connect(demo, read_only=True) as ws:
        assert {k for k in REGISTRY if not drillable(ws, k)} == NO_DRILLDOWN


def test_under_basis_event_conversations_started_before_the_period_are_listed_too(demo: Path) -> None:
    with chatlift.connect(demo, read_only=True) as ws:
        request = build_request(["resolution_time"], **MARCH, basis="event")
        found = records_behind(ws, request, "resolution_time", {})
        (row,) = ws.report(["resolution_time"], **MARCH, basis="event").to_pylist()
    started = found.rows.column("started_at").to_pylist()
    assert found.total == row["n"] == found.rows.num_rows
    assert min(started) < datetime(2025, 3, 1)  # resolved in March, started in February
    resolved = found.rows.column("resolved_at").to_pylist()
    assert all(datetime(2025, 3, 1) <= r < datetime(2025, 4, 1) for r in resolved)


def test_questions_per_customer_lists_the_people_by_name(demo: Path) -> None:
    """The per-person sample is grouped by the facts' integer key; the records name the people."""
    with chatlift.connect(demo, read_only=True) as ws:
        assert ws.facts()
        request = build_request(["questions_per_customer"], **MARCH)
        found = records_behind(ws, request, "questions_per_customer", {})
    con = duckdb.connect(str(demo), read_only=True)
    expected = sorted(r[0] for r in con.execute(
        "SELECT DISTINCT coalesce(customer_id, visitor_id) FROM conversations WHERE started_at >= '2025-03-01' "
        "AND started_at < '2025-04-01' AND coalesce(customer_id, visitor_id) IS NOT NULL").fetchall())
    con.close()
    assert found.unit == "people" and found.total == len(expected)
    assert found.rows.column_names == ["person"]
    assert found.rows.column("person").to_pylist() == expected
