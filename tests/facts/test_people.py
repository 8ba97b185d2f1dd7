"""Person keys (`chatlift.facts.people`): one per person, dense, never changed, carried by the facts; and a
version 3 file (facts without keys) gains them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import pytest

from chatlift.facts.people import KEY, PEOPLE
from chatlift.facts.tables import CONVERSATION_FACTS, HISTORY_FACTS
from chatlift.metrics import Period, report
from chatlift.storage.ddl import META_TABLE
from chatlift.storage.store import SCHEMA_VERSION
from chatlift.workspace import Workspace, connect

EVERY_PERSON = ("SELECT DISTINCT coalesce(customer_id, visitor_id) FROM conversations UNION "
                "SELECT DISTINCT coalesce(customer_id, visitor_id) FROM orders")


@pytest.fixture()
def small(tmp_path: Path, demo_1500_file: Path) -> Iterator[Workspace]:
    path = tmp_path / "small.duckdb"
    shutil.copy(demo_1500_file, path)
    with connect(path) as ws:
        assert ws.facts()
        yield ws


def _keys(ws: Workspace) -> dict[str, int]:
    return dict(ws.store.con.execute(f"SELECT person, {KEY} FROM {PEOPLE}").fetchall())


def _facts_agree(ws: Workspace) -> None:
    """Every fact row's key is its person's (null exactly without a person)."""
    con = ws.store.con
    for table in (CONVERSATION_FACTS, HISTORY_FACTS):
        wrong = con.execute(f"SELECT count(*) FROM {table} f LEFT JOIN {PEOPLE} p ON p.person = f.person "
                            f"WHERE f.{KEY} IS DISTINCT FROM p.{KEY}").fetchall()
        assert wrong == [(0,)], table
        unkeyed = con.execute(f"SELECT count(*) FROM {table} WHERE ({KEY} IS NULL) <> (person IS NULL)").fetchall()
        assert unkeyed == [(0,)], table


def test_every_person_has_one_dense_key(small: Workspace) -> None:
    keys = _keys(small)
    people = {r[0] for r in small.store.con.execute(EVERY_PERSON).fetchall()} - {None}
    assert set(keys) == people and len(people) > 300
    assert sorted(keys.values()) == list(range(len(people)))  # 0 … n-1, each once
    _facts_agree(small)


def test_new_people_get_the_next_keys_and_nobody_else_changes(small: Workspace) -> None:
    before = _keys(small)
    known = next(iter(before))
    records = [{"conversation_id": "t-c1", "channel": "chat", "started_at": "2025-05-01T10:00:00",
                "visitor_id": "t-zz-visitor"},
               {"conversation_id": "t-c2", "channel": "email", "started_at": "2025-05-01T11:00:00",
                "customer_id": known}]
    assert small.import_batch("conversations", orjson.dumps(records), timezone="UTC").rejected == 0
    order = [{"order_id": "t-o1", "ordered_at": "2025-05-02T10:00:00", "amount": 10.0, "currency": "EUR",
              "customer_id": "t-aa-customer", "kind": "purchase"}]
    assert small.import_batch("orders", orjson.dumps(order), timezone="UTC").rejected == 0
    done = small.refresh_facts()
    assert done.people == 2
    assert isinstance(done.done[CONVERSATION_FACTS], int)  # recomputed in part, not rebuilt
    after = _keys(small)
    assert {p: k for p, k in after.items() if p in before} == before
    n = len(before)
    assert {p: k for p, k in after.items() if p not in before} == {"t-aa-customer": n, "t-zz-visitor": n + 1}
    _facts_agree(small)
    # a refresh with nobody new adds no key
    records[1]["channel"] = "chat"
    assert small.import_batch("conversations", orjson.dumps(records[1:]), timezone="UTC").rejected == 0
    assert small.refresh_facts().people == 0 and _keys(small) == after


def test_a_version_3_file_gains_person_keys(tmp_path: Path, demo_1500_file: Path) -> None:
    path = tmp_path / "v3.duckdb"
    shutil.copy(demo_1500_file, path)
    with connect(path) as ws:
        assert ws.facts()
    con = duckdb.connect(str(path))  # what version 3 wrote: facts without keys, no people
    for table in (CONVERSATION_FACTS, HISTORY_FACTS):
        con.execute(f"ALTER TABLE {table} DROP COLUMN {KEY}")
    con.execute(f"DROP TABLE {PEOPLE}")
    con.execute(f"UPDATE {META_TABLE} SET value = '3' WHERE key = 'schema_version'")
    con.close()
    with connect(path) as ws:
        assert ws.store.migrated_from == 3 and ws.store.schema_version == SCHEMA_VERSION
        assert ws.facts()
        _facts_agree(ws)
        period = Period(date(2025, 1, 1), date(2026, 1, 1))
        keys = ["questions_per_customer", "chatter_value_ratio"]
        got = report(ws.backend(), keys, period=period, facts=True).to_pylist()
        want = report(ws.backend(), keys, period=period, facts=False).to_pylist()
        assert [r["value"] for r in got] == pytest.approx([r["value"] for r in want], rel=1e-12)


def test_a_bulk_load_gives_keys_to_its_new_people(small: Workspace) -> None:
    """Rows appended in bulk are recorded as "the whole table changed" (no person listed): the refresh
    then looks at everyone."""
    before = _keys(small)
    orders = pa.Table.from_pylist([
        {"order_id": "t-bulk-1", "ordered_at": datetime(2025, 6, 1, 12), "amount": 30.0, "currency": "EUR",
         "customer_id": "t-bulk-customer", "visitor_id": None, "kind": "purchase", "items": 1}])
    small.store.append_arrow("orders", orders)
    done = small.refresh_facts()
    assert done.people == 1 and done.done[HISTORY_FACTS] == "whole"
    after = _keys(small)
    assert after == {**before, "t-bulk-customer": len(before)}
    _facts_agree(small)
