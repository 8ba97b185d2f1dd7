"""Unknown references counted from values kept in memory (`chatlift.ingest.known`) equal those read from the database."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

import chatlift
from chatlift.ingest.known import KnownValues
from chatlift.ingest.result import ImportResult


def test_stored_values_are_known_and_others_and_nulls_are_not() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE a (k VARCHAR); INSERT INTO a VALUES ('x'), ('y'), (NULL)")
    con.execute("CREATE TABLE b (k VARCHAR); INSERT INTO b VALUES ('z')")
    known = KnownValues()
    values = pa.chunked_array([["x", "w", None, "z", "y", "x"]])
    assert known.unknown(con, [("a", "k")], values).tolist() == [False, True, False, True, False, False]
    assert known.unknown(con, [("a", "k"), ("b", "k")], values).tolist() == [False, True, False, False, False, False]
    con.execute("INSERT INTO a VALUES ('w')")  # not told: still unknown
    assert known.unknown(con, [("a", "k")], values).tolist()[1] is True
    known.inserted(con, "a", pa.table({"k": ["w"], "other": [1]}))
    assert known.unknown(con, [("a", "k")], values).tolist()[1] is False
    con.execute("DELETE FROM a WHERE k = 'w'")
    known.forget("a")
    assert known.unknown(con, [("a", "k")], values).tolist()[1] is True
    assert known.unknown(con, [("a", "k")], pa.chunked_array([[]], pa.string())).tolist() == []


def _batches(seed: int) -> list[tuple[str, bytes]]:
    """Batches of every table with references, in an order where later ones refer to earlier ones, with
    new, re-sent and changed rows (a changed conversation moves to another customer)."""
    rng = random.Random(seed)
    ids = [f"c{i}" for i in range(12)]
    people = [f"p{i}" for i in range(8)]

    def pick(values: list[str]) -> str | None:
        return rng.choice([*values, None])

    out = []
    for step in range(14):
        n = rng.randint(1, 5)
        table = rng.choice(["conversations", "conversations", "orders", "subscriptions", "messages", "goals",
                            "survey_responses", "visits"])
        records: list[dict[str, Any]]
        match table:
            case "conversations":
                records = [{"conversation_id": rng.choice(ids), "channel": "chat", "customer_id": pick(people),
                            "started_at": "2025-01-01T10:00:00Z"} for _ in range(n)]
            case "orders":
                records = [{"order_id": f"o{rng.randint(0, 9)}", "ordered_at": "2025-01-02T10:00:00Z", "amount": 5,
                            "currency": "EUR", "customer_id": pick(people)} for _ in range(n)]
            case "subscriptions":
                records = [{"subscription_id": f"s{rng.randint(0, 5)}", "customer_id": rng.choice(people),
                            "plan": "basic", "started_at": "2025-01-01T00:00:00Z"} for _ in range(n)]
            case "messages":
                records = [{"message_id": f"m{step}-{i}", "conversation_id": rng.choice(ids), "sender": "agent",
                            "sent_at": "2025-01-01T10:05:00Z"} for i in range(n)]
            case "goals":
                records = [{"goal_id": f"g{step}-{i}", "name": "signup", "at": "2025-01-03T10:00:00Z",
                            "customer_id": pick(people)} for i in range(n)]
            case "survey_responses":
                records = [{"response_id": f"r{step}-{i}", "survey": "csat", "score": 4,
                            "answered_at": "2025-01-03T10:00:00Z", "conversation_id": pick(ids),
                            "customer_id": pick(people)} for i in range(n)]
            case _:
                records = [{"visit_id": f"v{step}-{i}", "visitor_id": "anon", "started_at": "2025-01-03T10:00:00Z",
                            "customer_id": pick(people)} for i in range(n)]
        out.append((table, orjson.dumps(records)))
    return out


def _unknown(result: ImportResult) -> list[tuple[str, str, int]]:
    return [(u.column, u.target, u.rows) for u in result.unknown_references]


def test_a_server_counts_the_same_unknown_references_as_a_reading_import(tmp_path: Path) -> None:
    for seed in range(12):
        batches = _batches(seed)
        with chatlift.connect(tmp_path / f"read{seed}.duckdb", create=True) as reading, \
                chatlift.Workspace(tmp_path / f"kept{seed}.duckdb", create=True, keep_reports=4) as keeping:
            assert keeping._known is not None and reading._known is None
            for table, payload in batches:
                read, kept = reading.import_batch(table, payload), keeping.import_batch(table, payload)
                assert (kept.inserted, kept.updated, kept.unchanged) == (read.inserted, read.updated, read.unchanged)
                assert _unknown(kept) == _unknown(read), (seed, table, payload)
            together = keeping.import_batches("messages", [payload for table, payload in batches if table == "messages"])
            again = [reading.import_batch("messages", payload) for table, payload in batches if table == "messages"]
            assert [_unknown(r) for r in together if isinstance(r, ImportResult)] == [_unknown(r) for r in again]
