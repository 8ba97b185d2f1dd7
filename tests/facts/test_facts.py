"""The derived fact tables (`chatlift.facts`) against the raw events they summarize.

Two independent checks: the whole catalogue computed from the fact tables equals the catalogue computed
from the raw events (the definitions' own second path, which groups messages, orders and carts on
every report); and fact tables kept current by incremental refreshes after batches of writes equal the
same tables rebuilt from nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pytest

from chatlift.facts import FACT_TABLES, current
from chatlift.facts.changes import pending
from chatlift.facts.refresh import FACTS
from chatlift.metrics import REGISTRY, Filters, Period, report
from chatlift.workspace import Workspace, connect
from tests.metrics.test_fusion import CASES

YEAR = Period(date(2025, 1, 1), date(2026, 1, 1))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    with connect(Path(tmp_path_factory.mktemp("facts")) / "demo.duckdb", create=True) as ws:
        ws.generate_demo(1200, seed=3)
        yield ws


def _report(ws: Workspace, case: dict[str, Any], *, facts: bool) -> dict[tuple[Any, ...], dict[str, Any]]:
    by = case.get("by", ())
    keys = [k for k, m in REGISTRY.items()
            if not m.unavailable(by, closed_period=True, filtered=bool(case.get("filters")))]
    period = Period(case.get("start", YEAR.start), case.get("end", YEAR.end), case.get("timezone", "UTC"))
    table = report(ws.backend(), keys, period=period, by=by, filters=Filters(case.get("filters", {})),
                   params=case.get("params"), basis=case.get("basis", "start"), compare=case.get("compare", False),
                   facts=facts)
    return {(r["metric"], *(r[b] for b in by)): r for r in table.to_pylist()}


@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "default")
def test_the_catalogue_from_facts_equals_the_catalogue_from_raw_events(demo: Workspace,
                                                                      case: dict[str, Any]) -> None:
    assert demo.facts()
    from_facts, from_events = _report(demo, case, facts=True), _report(demo, case, facts=False)
    assert from_facts.keys() == from_events.keys()
    for group, row in from_facts.items():
        expected = from_events[group]
        for column, value in row.items():
            if isinstance(value, float):
                assert value == pytest.approx(expected[column], rel=1e-9, abs=1e-9), (group, column)
            else:
                assert value == expected[column], (group, column)


def _contents(ws: Workspace, name: str) -> list[tuple[Any, ...]]:
    rows = ws.store.con.execute(f"SELECT * FROM {name}").fetchall()
    return sorted(rows, key=repr)


def _rebuilt(ws: Workspace) -> dict[str, list[tuple[Any, ...]]]:
    """Each fact table computed from nothing by its declaration (not through the refresh)."""
    backend = ws.backend()
    out = {}
    for fact in FACTS:
        columns = ws.store.con.sql(f"SELECT * FROM {fact.name} LIMIT 0").columns
        rows = fact.build(backend, None).select(*columns).to_pyarrow()
        out[fact.name] = sorted(map(tuple, (r.values() for r in rows.to_pylist())), key=repr)
    return out


def _batch(ws: Workspace, table: str, records: list[dict[str, Any]]) -> None:
    result = ws.import_batch(table, orjson.dumps(records), timezone="UTC")
    assert result.rejected == 0, result.issues


@pytest.fixture()
def small(tmp_path: Path) -> Iterator[Workspace]:
    with connect(tmp_path / "small.duckdb", create=True) as ws:
        ws.generate_demo(1000, seed=11)
        yield ws


def _some(ws: Workspace, sql: str) -> list[dict[str, Any]]:
    table: pa.Table = ws.store.con.sql(sql).to_arrow_table()
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in table.to_pylist()]


def test_incremental_refreshes_equal_a_rebuild(small: Workspace) -> None:
    assert current(small.store.con)  # the demo built them
    # a person's conversation moves to another person (old and new person's next conversation change)
    moved = _some(small, "SELECT * EXCLUDE (tags) FROM conversations WHERE customer_id IS NOT NULL "
                         "ORDER BY conversation_id LIMIT 2")
    target_person = moved[1]["customer_id"]
    moved[0]["customer_id"] = target_person
    _batch(small, "conversations", moved[:1])
    # new messages: an agent reply in a conversation without one, and a customer message after a resolution
    unanswered = _some(small, "SELECT c.conversation_id, c.started_at FROM conversations c WHERE NOT EXISTS "
                              "(SELECT 1 FROM messages m WHERE m.conversation_id = c.conversation_id AND "
                              "m.sender = 'agent') AND c.first_response_at IS NULL ORDER BY 1 LIMIT 1")
    resolved = _some(small, "SELECT conversation_id, resolved_at FROM conversations WHERE resolved_at IS NOT NULL "
                            "ORDER BY 1 LIMIT 1")
    _batch(small, "messages", [
        {"message_id": "t-m1", "conversation_id": unanswered[0]["conversation_id"], "sender": "agent",
         "sent_at": unanswered[0]["started_at"]},
        {"message_id": "t-m2", "conversation_id": resolved[0]["conversation_id"], "sender": "customer",
         "sent_at": "2025-12-31T23:00:00"},
    ])
    # an order moves from one person to another, and a new quote right at a conversation's start
    order = _some(small, f"SELECT * FROM orders WHERE customer_id IS NOT NULL AND customer_id <> '{target_person}' "
                         "ORDER BY order_id LIMIT 1")[0]
    order["customer_id"] = target_person
    start = _some(small, f"SELECT started_at, channel FROM conversations WHERE customer_id = '{target_person}' "
                         "ORDER BY started_at LIMIT 1")[0]
    _batch(small, "orders", [order, {"order_id": "t-o1", "ordered_at": start["started_at"], "amount": 12.5,
                                     "currency": "EUR", "customer_id": target_person, "kind": "quote"}])
    # a new conversation for that person before everything else, and a cart that gets checked out
    _batch(small, "conversations", [{"conversation_id": "t-c1", "channel": "chat", "started_at": "2024-06-01T10:00:00",
                                     "customer_id": target_person}])
    _batch(small, "cart_events", [
        {"cart_id": "t-cart", "at": "2025-03-01T10:00:00", "action": "add", "customer_id": target_person,
         "quantity": 2},
        {"cart_id": "t-cart", "at": "2025-03-02T10:00:00", "action": "checkout", "customer_id": target_person},
    ])
    # an earlier visit of that person than anything else, an answer about a conversation that has not changed, and an
    # answer about no conversation (which no fact reads: it must not rebuild the survey facts)
    # and a visit before everything else of a visitor whom nothing else here touches
    visitor = _some(small, f"SELECT visitor_id FROM visits WHERE customer_id IS NULL AND visitor_id NOT IN "
                           f"(SELECT visitor_id FROM conversations WHERE customer_id = '{target_person}' AND "
                           f"visitor_id IS NOT NULL) ORDER BY visit_id LIMIT 1")[0]["visitor_id"]
    _batch(small, "visits", [{"visit_id": "t-v1", "visitor_id": "t-visitor", "customer_id": target_person,
                              "started_at": "2024-05-01T09:00:00"},
                             {"visit_id": "t-v2", "visitor_id": visitor, "started_at": "2020-01-01T00:00:00"}])
    _batch(small, "survey_responses", [
        {"response_id": "t-s1", "survey": "csat", "score": 2, "answered_at": "2025-12-30T10:00:00",
         "conversation_id": resolved[0]["conversation_id"]},
        {"response_id": "t-s2", "survey": "nps", "score": 9, "answered_at": "2025-12-30T10:00:00"},
    ])
    assert pending(small.store.con) > 0 and not current(small.store.con)
    done = small.refresh_facts()
    assert set(done.done) == set(FACT_TABLES)
    assert all(isinstance(v, int) and v > 0 for v in done.done.values()), done.done  # no table rebuilt whole
    assert current(small.store.con)
    expected = _rebuilt(small)
    for name in FACT_TABLES:
        assert _contents(small, name) == expected[name], name
    # what the new rows say, worked out by hand
    con = small.store.con
    first = con.execute("SELECT next_started_at, next_quote_at FROM chatlift_conversation_facts "
                        "WHERE conversation_id = 't-c1'").fetchall()
    assert str(first[0][0]) == start["started_at"].replace("T", " ")  # the person's next conversation
    assert str(first[0][1]) == start["started_at"].replace("T", " ")  # the quote at that start is the next one
    cart = con.execute("SELECT added, checked_out FROM chatlift_cart_facts WHERE cart_id = 't-cart'").fetchall()
    assert cart == [(2.0, 1.0)]
    seen = con.execute("SELECT seen_at, previous_seen_at FROM chatlift_sighting_facts WHERE person = ? "
                       "ORDER BY seen_at LIMIT 2", [target_person]).fetchall()
    assert [(str(a), str(b)) for a, b in seen] == [("2024-05-01 09:00:00", "None"),  # the visit comes first
                                                   ("2024-06-01 10:00:00", "2024-05-01 09:00:00")]  # then t-c1
    seen = con.execute("SELECT seen_at, previous_seen_at FROM chatlift_sighting_facts WHERE person = ? "
                       "ORDER BY seen_at LIMIT 2", [visitor]).fetchall()
    assert str(seen[0]) == "(datetime.datetime(2020, 1, 1, 0, 0), None)" and seen[1][1] == seen[0][0]
    answer = con.execute("SELECT channel, started_at FROM chatlift_survey_facts WHERE response_id = 't-s1'").fetchall()
    assert answer == con.execute("SELECT channel, started_at FROM conversations WHERE conversation_id = ?",
                                 [resolved[0]["conversation_id"]]).fetchall()
    assert con.execute("SELECT count(*) FROM chatlift_survey_facts WHERE response_id = 't-s2'").fetchall() == [(0,)]


def test_an_open_period_from_facts_equals_the_raw_events(demo: Workspace) -> None:
    """People seen before an open start have no earlier sighting to compare with."""
    keys = ["chatter_value_ratio", "clv", "csat", "questions_per_customer"]
    for period in (Period(None, date(2025, 7, 1)), Period(date(2025, 7, 1), None, "America/New_York")):
        got, want = (report(demo.backend(), keys, period=period, facts=f).to_pylist() for f in (True, False))
        assert all(row["n"] > 0 for row in want)
        assert got == [{k: pytest.approx(v, rel=1e-9) if isinstance(v, float) else v for k, v in row.items()}
                       for row in want]
    both = {"clv": {"kinds": ("quote", "purchase")}}  # a buyer's last order of either kind carries both sums
    for period in (YEAR, Period(date(2025, 3, 1), date(2025, 4, 1), "Asia/Tokyo")):
        got, want = (report(demo.backend(), ["clv"], period=period, by=["chatted"], params=both, facts=f).to_pylist()
                     for f in (True, False))
        assert len(want) == 2 and all(row["n"] > 0 for row in want)
        assert got == [{k: pytest.approx(v, rel=1e-9) if isinstance(v, float) else v for k, v in row.items()}
                       for row in want]


def test_re_importing_the_same_rows_records_no_change(small: Workspace) -> None:
    rows = _some(small, "SELECT * FROM orders ORDER BY order_id LIMIT 5")
    _batch(small, "orders", rows)
    assert pending(small.store.con) == 0


def test_a_read_only_workspace_with_pending_changes_reports_from_the_raw_events(tmp_path: Path) -> None:
    path = tmp_path / "ro.duckdb"
    with connect(path, create=True) as ws:
        ws.generate_demo(1000, seed=5)
        expected = ws.report(["chat_conversion_rate", "first_response_time"], start=YEAR.start, end=YEAR.end)
        order = _some(ws, "SELECT * FROM orders ORDER BY order_id LIMIT 1")[0]
        order["amount"] = order["amount"] + 1.0  # changes no figure of the two metrics, but waits for a refresh
        _batch(ws, "orders", [order])
    with connect(path, read_only=True) as ws:
        assert not ws.facts()
        got = ws.report(["chat_conversion_rate", "first_response_time"], start=YEAR.start, end=YEAR.end)
    for row, want in zip(got.to_pylist(), expected.to_pylist(), strict=True):
        assert row == {k: pytest.approx(v, rel=1e-12) if isinstance(v, float) else v for k, v in want.items()}
    with connect(path) as ws:  # a writable open refreshes on the next report
        assert ws.facts() and pending(ws.store.con) == 0
