"""The Arrow validation of plain batches (`ingest.arrow_stage`) and the Arrow comparison with stored rows.

A batch whose values are all in a plain form skips the validation SQL. These
tests check (1) by hand, what that path stores for plain records and that it
leaves every other batch to the SQL; (2) against the SQL itself, that any batch
gives the same result, rows and issues with the Arrow path as without it; and
(3) by hand, the counts and the change records of the comparison and write.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chatlift
from chatlift.domain.schema import (
    CONVERSATIONS,
    MESSAGES,
    ORDERS,
    TABLES,
    TABLES_BY_NAME,
    Column,
    ColumnType,
    Table,
)
from chatlift.ingest import batch
from chatlift.ingest.arrow_stage import DUCKDB_BLANKS, typed_batch
from chatlift.ingest.payload import BatchFormat, read_payload
from chatlift.ingest.result import ImportResult
from chatlift.workspace import Workspace
from tests.ingest.conftest import query


def typed(table: Table, records: list[Any]) -> list[dict[str, Any]] | None:
    data, _ = read_payload(orjson.dumps(records), BatchFormat.JSON, table)
    result = typed_batch(data, table)
    return None if result is None else result.to_pylist()


# -- (1) what the Arrow path stores, and what it leaves to the SQL -------------------------------


def test_plain_conversations_are_typed_as_the_validation_rules_say() -> None:
    """Blanks trimmed (a no-break space too), case folded, +01:00 converted to UTC, defaults applied."""
    record = {"conversation_id": " c1\u00a0", "channel": "CHAT", "started_at": "2025-01-02T10:00:00+01:00",
              "customer_id": "", "status": "Resolved", "first_response_at": "2025-01-02 09:00:30.25Z",
              "cobrowse": "yes", "tags": ["vip", " returns "], "team": 7}
    assert typed(CONVERSATIONS, [record]) == [{
        "__row": 0, "conversation_id": "c1", "channel": "chat", "started_at": datetime(2025, 1, 2, 9),
        "customer_id": None, "visitor_id": None, "agent_id": None, "team": "7", "status": "resolved",
        "first_response_at": datetime(2025, 1, 2, 9, 0, 30, 250000), "resolved_at": None,
        "initiated_by": "customer", "cobrowse": True, "segment": None, "sector": None,
        "tags": ["vip", " returns "],
    }]


def test_plain_orders_numbers() -> None:
    """Decimal text and JSON numbers become the same float; whole numbers stay whole; defaults apply."""
    records = [{"order_id": "o1", "ordered_at": "2025-01-01T10:00:00Z", "amount": "12.50", "currency": "eur",
                "items": 3},
               {"order_id": "o2", "ordered_at": "2025-01-01T10:00:00Z", "amount": 0, "currency": "USD"}]
    got = typed(ORDERS, records)
    assert got is not None
    assert [(r["amount"], r["currency"], r["kind"], r["items"]) for r in got] == [
        (12.5, "EUR", "purchase", 3), (0.0, "USD", "purchase", None)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sent_at", "2025-01-01T10:00:00"),  # no offset: the SQL reads it in the time zone, or rejects it
        ("sent_at", "2025-02-30T10:00:00Z"),  # no such day
        ("sent_at", "2025-01-01T10:00:00z"),  # zone letter in lower case
        ("sent_at", "yesterday"),
        ("sender", "robot"),  # not an allowed value
        ("sender", "AGENT\u0130"),  # not ASCII: lower-casing is the SQL's
        ("message_id", None),  # a required value missing
        ("message_id", "\u3000"),  # an ideographic space only: trimmed to nothing, so missing
    ],
)
def test_anything_not_plain_goes_to_the_sql(field: str, value: object) -> None:
    record = {"message_id": "m1", "conversation_id": "c1", "sender": "agent", "sent_at": "2025-01-01T10:00:00Z",
              field: value}
    assert typed(MESSAGES, [record]) is None


def test_a_plain_message_passes() -> None:
    """The counterpart of the cases above: the same record with plain values is typed here.

    DuckDB's trim keeps tabs and newlines, so they stay (a tab-only id is an id).
    """
    record = {"message_id": "\tm1", "conversation_id": "c1", "sender": "Agent", "sent_at": "2025-01-01T10:00:00Z",
              "text": " Hi\n"}
    assert typed(MESSAGES, [record]) == [{"__row": 0, "message_id": "\tm1", "conversation_id": "c1",
                                          "sender": "agent", "sent_at": datetime(2025, 1, 1, 10), "text": "Hi\n"}]


@pytest.mark.parametrize(
    "records",
    [
        [{"order_id": "o1", "ordered_at": "2025-01-01T10:00:00Z", "amount": -1, "currency": "EUR"}],  # minimum
        [{"order_id": "o1", "ordered_at": "2025-01-01T10:00:00Z", "amount": "1e3", "currency": "EUR"}],
        [{"order_id": "o1", "ordered_at": "2025-01-01T10:00:00Z", "amount": 1, "currency": "EURO"}],  # pattern
        [{"order_id": "o1", "ordered_at": "2025-01-01T10:00:00Z", "amount": 1, "currency": "EUR", "items": 2.0}],
        [{"order_id": "o1", "ordered_at": "2025-01-01T10:00:00Z", "amount": 1, "currency": "EUR"}] * 2,  # key twice
        [{"order_id": "o1", "ordered_at": "2025-01-01T10:00:00Z", "amount": 1, "currency": "EUR"}, [1]],  # broken
        [],
    ],
)
def test_orders_that_go_to_the_sql(records: list[Any]) -> None:
    assert typed(ORDERS, records) is None


@pytest.mark.parametrize("tags", ["a;b", '["a", "b"]', ["a", 1], [["a"]], ["a\u0000"]])
def test_lists_other_than_compact_json_arrays_of_strings_go_to_the_sql(tags: object) -> None:
    record = {"conversation_id": "c1", "channel": "chat", "started_at": "2025-01-01T10:00:00Z", "tags": tags}
    assert typed(CONVERSATIONS, [record]) is None


def test_duckdb_blanks_are_exactly_what_duckdb_trim_removes() -> None:
    """Asked of DuckDB for every code point of the basic plane, at the start and at the end."""
    import duckdb
    import pyarrow as pa

    points = [chr(i) for i in range(1, 0x10000) if not 0xD800 <= i < 0xE000]
    con = duckdb.connect()
    con.register("padded", pa.table({"s": pa.array([f"{p}x{p}" for p in points])}))
    trimmed = [r[0] for r in con.sql("SELECT trim(s) FROM padded").fetchall()]
    removed = {p for p, t in zip(points, trimmed, strict=True) if t == "x"}
    assert removed == set(DUCKDB_BLANKS)


# -- (2) the same batch with and without the Arrow path -------------------------------------------


def _pool(column: Column, plain: bool) -> st.SearchStrategy[Any]:
    """Values for ``column``: with ``plain``, forms the Arrow path reads (it may still meet a broken rule);
    otherwise a mix of those and of forms only the SQL reads or rejects."""
    text: list[Any] = ["a1", " a1 ", "A1", "\u00a0b", 17, True]
    odd_text: list[Any] = ["", None, "x\t", "é", 1.5]
    if column.allowed:
        text = [*column.allowed, column.allowed[0].upper(), f" {column.allowed[-1]} "]
        odd_text = ["nope", None, "", "\u0130"]
    if column.pattern:
        text += ["EUR", "usd", "1-10"]
        odd_text += ["EURO", "10"]
    odd: list[Any]
    match column.type:
        case ColumnType.ID | ColumnType.TEXT:
            pool, odd = text, odd_text
        case ColumnType.TIMESTAMP:
            pool = ["2025-01-01T10:00:00Z", "2025-01-01T11:00:00+01:00", "2025-01-01 09:30:00.5Z",
                    "2024-12-31T23:59:59-14:00"]
            odd = ["2025-02-30T10:00:00Z", "2025-01-01T10:00:00", "2025-03-30 02:30:00", "2025-01-01",
                   "2025-01-01T10:00:00z", "0999-01-01T00:00:00Z", None, 5]
        case ColumnType.MONEY | ColumnType.NUMBER | ColumnType.INTEGER:
            plain_numbers = st.one_of(st.integers(0, 10**6), st.sampled_from(["12.50", "007", " 7 ", 0.25]))
            if plain:
                return plain_numbers
            # up to 2**64 - 1, the largest integer orjson writes (whole numbers beyond 2**63 are rejected)
            return st.one_of(plain_numbers, st.integers(-3, 2**64 - 1), st.floats(-1e30, 1e30, allow_nan=False),
                             st.sampled_from(["-0", "1e3", "12,5", "", None, True, 2.0]))
        case ColumnType.BOOLEAN:
            pool, odd = [True, False, "yes", "No", "1", " t "], ["maybe", None, 1]
        case ColumnType.TEXT_LIST:
            pool, odd = [["a", "b"], [], [" a "]], ["a;b", '["x"]', None, [None], ["a", 1]]
    return st.sampled_from(pool if plain else pool + odd)


@st.composite
def _batch(draw: st.DrawFn, table: Table | None = None) -> tuple[str, list[Any]]:
    """Records for ``table`` (default: any table)."""
    table = table or draw(st.sampled_from(TABLES))
    plain = draw(st.booleans())
    keys = st.sampled_from(["k1", "k2", "k3"])
    records = []
    for i in range(draw(st.integers(1, 6))):
        record = {}
        for column in table.columns:
            if column.name in table.key and column.type is ColumnType.ID:
                record[column.name] = f"k{i}" if plain else draw(keys)  # plain: no key twice
            elif (plain and column.required) or draw(st.integers(0, 3)) > 0:
                record[column.name] = draw(_pool(column, plain))
        records.append(record)
    return table.name, records


def _import(
    folder: Path, label: str, name: str, batches: list[bytes], zone: str | None
) -> tuple[list[ImportResult], dict[str, list[Any]]]:
    with chatlift.connect(folder / f"{label}.duckdb", create=True) as ws:
        results = [ws.import_batch(name, b, timezone=zone) for b in batches]
        tables = {t: query(ws, f'SELECT * FROM "{t}" ORDER BY ALL') for t in TABLES_BY_NAME}
        tables["chatlift_changes"] = query(ws, "SELECT * FROM chatlift_changes ORDER BY ALL")
    return results, tables


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=_batch(), second=_batch(), zone=st.sampled_from([None, "Europe/Amsterdam"]))
def test_a_batch_gives_the_same_result_with_and_without_the_arrow_path(
    first: tuple[str, list[Any]], second: tuple[str, list[Any]], zone: str | None
) -> None:
    """Two batches (the second may update the first's rows): counts, issues, every table and change record."""
    name, records = first
    more = second[1] if second[0] == name else records  # the same table: re-sent or changed rows
    batches = [orjson.dumps(records), orjson.dumps(more)]
    with tempfile.TemporaryDirectory() as tmp:
        fast = _import(Path(tmp), "fast", name, batches, zone)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(batch, "typed_batch", lambda data, table: None)
            sql = _import(Path(tmp), "sql", name, batches, zone)

    def summary(r: ImportResult) -> tuple[Any, ...]:
        return (r.rows_read, r.inserted, r.updated, r.unchanged, r.rejected, r.unknown_references,
                r.ignored_columns, [(i.row, i.field, i.value, i.reason) for i in r.issues])

    assert [summary(r) for r in fast[0]] == [summary(r) for r in sql[0]]
    assert fast[1] == sql[1]


# -- (3) the comparison with stored rows, and what it records -------------------------------------


def _message(message_id: str, conversation_id: str, text: str = "hi") -> dict[str, str]:
    return {"message_id": message_id, "conversation_id": conversation_id, "sender": "agent",
            "sent_at": "2025-01-01T10:00:00Z", "text": text}


def _changes(ws: Workspace) -> list[tuple[Any, ...]]:
    rows = query(ws, "SELECT table_name, key FROM chatlift_changes ORDER BY ALL")
    ws.store.con.execute("DELETE FROM chatlift_changes")
    return rows


def test_counts_and_changes_of_new_changed_and_identical_rows(ws: Workspace) -> None:
    """m1 and m2 new; then m1 identical, m2 moved from c1 to c3, m3 new: c3's and c1's facts change."""
    first = ws.import_batch("messages", orjson.dumps([_message("m1", "c1"), _message("m2", "c1")]))
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    assert _changes(ws) == [("messages", "c1")]
    again = ws.import_batch("messages", orjson.dumps([_message("m1", "c1"), _message("m2", "c3"),
                                                      _message("m3", "c2")]))
    assert (again.inserted, again.updated, again.unchanged) == (1, 1, 1)
    # m2's old version (c1) before its delete, the written rows m2 (c3) and m3 (c2); m1 is unchanged.
    assert _changes(ws) == [("messages", "c1"), ("messages", "c2"), ("messages", "c3")]
    assert query(ws, "SELECT message_id, conversation_id FROM messages ORDER BY 1") == [
        ("m1", "c1"), ("m2", "c3"), ("m3", "c2")]
    # Three unknown conversations referenced, none stored.
    assert again.unknown_reference_rows == 3


def test_keys_of_several_columns_with_missing_parts(ws: Workspace) -> None:
    """costs: the key is (period_start, period_end, channel, kind); a missing channel is a key value too."""
    def cost(amount: float, channel: str | None) -> dict[str, Any]:
        return {"period_start": "2025-01-01T00:00:00Z", "period_end": "2025-02-01T00:00:00Z",
                "amount": amount, "currency": "EUR", "channel": channel, "kind": "staff"}

    first = ws.import_batch("costs", orjson.dumps([cost(10, None), cost(20, "chat")]))
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    again = ws.import_batch("costs", orjson.dumps([cost(11, None), cost(20, "chat"), cost(5, "email")]))
    assert (again.inserted, again.updated, again.unchanged) == (1, 1, 1)
    assert query(ws, "SELECT channel, amount FROM costs ORDER BY channel NULLS FIRST") == [
        (None, 11.0), ("chat", 20.0), ("email", 5.0)]


def test_list_values_compare_as_lists(ws: Workspace) -> None:
    """A conversation re-sent with the same tags is unchanged; with other tags, updated."""
    def conversation(tags: list[str]) -> dict[str, Any]:
        return {"conversation_id": "c1", "channel": "chat", "started_at": "2025-01-01T10:00:00Z", "tags": tags}

    ws.import_batch("conversations", orjson.dumps([conversation(["a", "b"])]))
    same = ws.import_batch("conversations", orjson.dumps([conversation(["a", "b"])]))
    other = ws.import_batch("conversations", orjson.dumps([conversation(["b", "a"])]))
    assert (same.unchanged, other.updated) == (1, 1)
    assert query(ws, "SELECT tags FROM conversations") == [(["b", "a"],)]


def test_a_failure_while_the_references_are_checked_rolls_back(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference check runs on a second connection meanwhile; an error in the write is still the one raised."""
    def boom(*args: object, **kwargs: object) -> tuple[int, int, int]:
        raise RuntimeError("disk full")

    payload = orjson.dumps([_message("m1", "c1")])
    with monkeypatch.context() as patch:
        patch.setattr(batch, "_write", boom)
        with pytest.raises(RuntimeError, match="disk full"):
            ws.import_batch("messages", payload)
    assert query(ws, "SELECT count(*) FROM messages") == [(0,)]
    conversation = {"conversation_id": "c1", "channel": "chat", "started_at": "2025-01-01T10:00:00Z"}
    ws.import_batch("conversations", orjson.dumps([conversation]))
    result = ws.import_batch("messages", orjson.dumps([_message("m1", "c1"), _message("m2", "c2")]))
    assert (result.inserted, result.unknown_reference_rows) == (2, 1)  # c2 is not stored, c1 is
