"""API batches (JSON array / NDJSON): the same validation, upsert and quarantine as files, rows by 0-based index.

Expected values are worked out by hand from the records in each test; the
reasons are the sentences `ingest.validation` writes.
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
from chatlift.errors import InputError, ParameterError
from chatlift.ingest.result import ImportResult, UnknownReference
from chatlift.workspace import Workspace
from tests.ingest.conftest import count, quarantine, query

T = "2025-01-01T10:00:00Z"


def order(order_id: str, amount: object = 10, **more: object) -> dict[str, object]:
    return {"order_id": order_id, "ordered_at": T, "amount": amount, "currency": "EUR", **more}


def as_json(records: list[Any]) -> bytes:
    return orjson.dumps(records)


def as_ndjson(records: list[Any]) -> bytes:
    return b"\n".join(orjson.dumps(r) for r in records) + b"\n"


def orders(ws: Workspace) -> list[tuple[Any, ...]]:
    return query(ws, "SELECT order_id, ordered_at, amount, currency, kind FROM orders ORDER BY 1")


def test_mixed_batch_keeps_valid_records_and_reports_each_problem_by_index(ws: Workspace) -> None:
    """Records 0 and 3 are stored; 1, 2 and 4 are rejected with every problem named (5 issues)."""
    records = [
        order("o1"),  # 0: fine
        order("o2", amount=-5),  # 1: negative amount
        {"order_id": "o3", "ordered_at": "yesterday", "amount": "12,50", "currency": "euro"},  # 2: three problems
        {"order_id": "o4", "ordered_at": "2025-01-02T10:00:00+01:00", "amount": "7.5", "currency": "usd",
         "kind": "Quote"},  # 3: fine; 09:00 UTC, USD, quote
        {"ordered_at": T, "amount": 1, "currency": "EUR"},  # 4: no id
    ]
    result = ws.import_batch("orders", as_json(records))
    assert (result.rows_read, result.inserted, result.updated, result.unchanged, result.rejected) == (5, 2, 0, 0, 3)
    assert result.accepted == 2
    assert [(i.row, i.field, i.value, i.reason) for i in result.issues] == [
        (1, "amount", "-5", "must be 0 or more"),
        (2, "ordered_at", "yesterday", "not a timestamp: expected ISO 8601 such as 2025-01-31T14:05:00Z"),
        (2, "amount", "12,50",
         "not a number: it uses a decimal comma; write a decimal point instead (e.g. 1234.50, no thousands separator)"),
        (2, "currency", "euro", "must be a three-letter ISO 4217 code such as EUR or USD"),
        (4, "order_id", None, "required id is missing"),
    ]
    assert orders(ws) == [
        ("o1", datetime(2025, 1, 1, 10), 10.0, "EUR", "purchase"),
        ("o4", datetime(2025, 1, 2, 9), 7.5, "USD", "quote"),
    ]
    assert result.format == "json" and result.rejected_file is None


def test_quarantine_and_import_log_rows(ws: Workspace) -> None:
    """Issues go to chatlift_quarantine under the batch's import id and source; one log row per batch."""
    first = ws.import_batch("orders", as_json([order("o1"), order("o2", amount="x")]))
    second = ws.import_batch("orders", as_ndjson([order("o3", currency=None)]), fmt="ndjson")
    assert (first.import_id, first.source, second.import_id, second.source) == (
        1, "api:orders:1", 2, "api:orders:2",
    )
    assert quarantine(ws) == [
        ("orders", "api:orders:1", 1, "amount", "x", "not a number"),
        ("orders", "api:orders:2", 0, "currency", None, "required value is missing"),
    ]
    assert query(ws, "SELECT import_id FROM chatlift_quarantine ORDER BY 1") == [(1,), (2,)]
    assert query(
        ws,
        "SELECT import_id, table_name, source, format, rows_read, inserted, updated, unchanged, rejected, "
        "unknown_references, timezone, finished_at >= started_at FROM chatlift_imports ORDER BY 1",
    ) == [
        (1, "orders", "api:orders:1", "json", 2, 1, 0, 0, 1, 0, None, True),
        (2, "orders", "api:orders:2", "ndjson", 1, 0, 0, 0, 1, 0, None, True),
    ]


def test_an_explicit_source_replaces_its_earlier_issues(ws: Workspace) -> None:
    """Like re-importing a file: the quarantine holds the latest issues of a named source."""
    from chatlift.domain.schema import ORDERS
    from chatlift.ingest import import_batch

    import_batch(ws.store, ORDERS, as_json([order("o1", amount="x"), order("o2", amount="y")]), source="shop")
    again = import_batch(ws.store, ORDERS, as_json([order("o1", amount=1), order("o2", amount="z")]), source="shop")
    assert (again.source, again.inserted, again.rejected) == ("shop", 1, 1)
    assert quarantine(ws) == [("orders", "shop", 1, "amount", "z", "not a number")]


def test_json_array_and_ndjson_give_the_same_result(tmp_path: Path) -> None:
    records: list[Any] = [order("o1"), order("o2", amount=-1), "not an object", order("o1", amount=3)]
    results = []
    for fmt, payload in (("json", as_json(records)), ("ndjson", as_ndjson(records))):
        with chatlift.connect(tmp_path / f"{fmt}.duckdb", create=True) as ws:
            r = ws.import_batch("orders", payload, fmt=fmt)
            results.append(((r.rows_read, r.inserted, r.rejected), [(i.row, i.field) for i in r.issues], orders(ws)))
    assert results[0] == results[1]
    # o1 at 0 loses to o1 at 3; 1 is negative; 2 is not an object: 1 stored, 3 rejected.
    assert results[0][:2] == ((4, 1, 3), [(0, "order_id"), (1, "amount"), (2, "(row)")])


def test_ndjson_blank_lines_are_skipped_but_counted(ws: Workspace) -> None:
    """Lines 0 and 3 hold records (1 is empty, 2 only blanks): the bad record is reported as row 3."""
    payload = orjson.dumps(order("o1")) + b"\n\n   \r\n" + orjson.dumps(order("o2", amount="x")) + b"\n"
    result = ws.import_batch("orders", payload, fmt="ndjson")
    assert (result.rows_read, result.inserted, result.rejected) == (2, 1, 1)
    assert [(i.row, i.field) for i in result.issues] == [(3, "amount")]


def test_a_payload_that_is_not_an_array_is_an_input_error(ws: Workspace) -> None:
    with pytest.raises(InputError) as err:
        ws.import_batch("orders", orjson.dumps(order("o1")))
    assert err.value.message == "the payload is a JSON object, not a JSON array of records"
    assert err.value.hint is not None and "[{...}, {...}]" in err.value.hint
    with pytest.raises(InputError, match="the payload is not valid JSON"):
        ws.import_batch("orders", b'[{"order_id": "o1"')
    with pytest.raises(InputError, match="the payload is a number, not a JSON array"):
        ws.import_batch("orders", b"3")
    assert count(ws, "chatlift_imports") == 0 and count(ws, "orders") == 0


def test_unknown_format_is_a_parameter_error(ws: Workspace) -> None:
    with pytest.raises(ParameterError, match="unknown batch format 'csv'"):
        ws.import_batch("orders", b"[]", fmt="csv")


def test_elements_that_are_not_objects_are_one_issue_each(ws: Workspace) -> None:
    payload = b'[1, "o1", null, [1, 2], true, ' + orjson.dumps(order("o5")) + b"]"
    result = ws.import_batch("orders", payload)
    assert (result.rows_read, result.inserted, result.rejected) == (6, 1, 5)
    assert [(i.row, i.field, i.value, i.reason) for i in result.issues] == [
        (0, "(row)", None, "not a JSON object: the element is a number; it must be an {…} record"),
        (1, "(row)", None, "not a JSON object: the element is a string; it must be an {…} record"),
        (2, "(row)", None, "not a JSON object: the element is null; it must be an {…} record"),
        (3, "(row)", None, "not a JSON object: the element is an array; it must be an {…} record"),
        (4, "(row)", None, "not a JSON object: the element is true/false; it must be an {…} record"),
    ]
    assert [r[0] for r in orders(ws)] == ["o5"]


def test_a_malformed_ndjson_line_is_one_issue_and_the_others_are_imported(ws: Workspace) -> None:
    payload = orjson.dumps(order("o1")) + b'\n{"order_id": "o2", \n' + orjson.dumps(order("o3")) + b"\n"
    result = ws.import_batch("orders", payload, fmt="ndjson")
    assert (result.rows_read, result.inserted, result.rejected) == (3, 2, 1)
    [issue] = result.issues
    assert (issue.row, issue.field, issue.value) == (1, "(row)", None)
    assert issue.reason.startswith("not a JSON object: the line is not valid JSON (")
    assert [r[0] for r in orders(ws)] == ["o1", "o3"]


def test_an_empty_array_imports_nothing_and_is_logged(ws: Workspace) -> None:
    result = ws.import_batch("orders", b"[]")
    assert (result.rows_read, result.inserted, result.rejected) == (0, 0, 0)
    assert query(ws, "SELECT rows_read, format FROM chatlift_imports") == [(0, "json")]


def test_duplicate_keys_in_one_batch_last_wins_earlier_rejected(ws: Workspace) -> None:
    """As in a file: of o1 at 0, 2 and 4 (3 is invalid and does not compete) the record at 4 is stored."""
    records = [
        order("o1", amount=1),  # 0: superseded
        order("o2", amount=2),  # 1
        order("o1", amount=3),  # 2: superseded
        order("o1", amount=-4),  # 3: invalid
        order(" o1 ", amount=5),  # 4: same key once trimmed; wins
    ]
    result = ws.import_batch("orders", as_json(records))
    assert (result.rows_read, result.inserted, result.updated, result.unchanged, result.rejected) == (5, 2, 0, 0, 3)
    duplicate = "duplicate order_id in this batch: a later row with the same key was imported"
    assert [(i.row, i.field, i.value, i.reason) for i in result.issues] == [
        (0, "order_id", "o1", duplicate),
        (2, "order_id", "o1", duplicate),
        (3, "amount", "-4", "must be 0 or more"),
    ]
    assert query(ws, "SELECT order_id, amount FROM orders ORDER BY 1") == [("o1", 5.0), ("o2", 2.0)]


def test_resending_a_batch_changes_nothing(ws: Workspace) -> None:
    payload = as_json([order("o1"), order("o2", amount=20), order("o3", amount=30)])
    first = ws.import_batch("orders", payload)
    second = ws.import_batch("orders", payload)
    assert (first.inserted, first.updated, first.unchanged) == (3, 0, 0)
    assert (second.rows_read, second.inserted, second.updated, second.unchanged) == (3, 0, 0, 3)
    assert count(ws, "orders") == 3
    assert query(ws, "SELECT import_id, inserted, unchanged FROM chatlift_imports ORDER BY 1") == [(1, 3, 0), (2, 0, 3)]


def test_a_changed_record_updates_exactly_that_row(ws: Workspace) -> None:
    ws.import_batch("orders", as_json([order("o1"), order("o2", amount=20), order("o3", amount=30)]))
    again = ws.import_batch(
        "orders", as_json([order("o1"), order("o2", amount=25, currency="usd"), order("o3", amount=30), order("o4")])
    )
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (1, 1, 2, 0)
    assert query(ws, "SELECT order_id, amount, currency FROM orders ORDER BY 1") == [
        ("o1", 10.0, "EUR"), ("o2", 25.0, "USD"), ("o3", 30.0, "EUR"), ("o4", 10.0, "EUR"),
    ]


def test_a_batch_updates_rows_that_a_file_imported(ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "o.jsonl"
    path.write_bytes(as_ndjson([order("o1"), order("o2")]))
    ws.import_files("orders", [path])
    result = ws.import_batch("orders", as_json([order("o1"), order("o2", amount=11)]))
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    assert count(ws, "orders") == 2


def test_timestamps_follow_the_file_rules(ws: Workspace) -> None:
    """Offsets convert to UTC; a naive time is rejected without a zone and read in the zone when given.

    Amsterdam is UTC+1 in January and UTC+2 in July: 14:05 local is 13:05 and 12:05 UTC.
    """
    records = [
        {"order_id": "z", "ordered_at": "2025-01-31T14:05:00+01:00", "amount": 1, "currency": "EUR"},
        {"order_id": "n1", "ordered_at": "2025-01-31T14:05:00", "amount": 1, "currency": "EUR"},
        {"order_id": "n2", "ordered_at": "2025-07-01 14:05:00", "amount": 1, "currency": "EUR"},
    ]
    without = ws.import_batch("orders", as_json(records))
    assert (without.inserted, without.rejected) == (1, 2)
    naive = (
        "timestamp has no UTC offset: pass --timezone (e.g. --timezone Europe/Amsterdam) or write it with an "
        "offset, e.g. 2025-01-31T14:05:00+01:00"
    )
    assert {i.reason for i in without.issues} == {naive}
    with_zone = ws.import_batch("orders", as_json(records), timezone="Europe/Amsterdam")
    assert (with_zone.inserted, with_zone.unchanged, with_zone.rejected) == (2, 1, 0)
    assert query(ws, "SELECT order_id, ordered_at FROM orders ORDER BY 1") == [
        ("n1", datetime(2025, 1, 31, 13, 5)),
        ("n2", datetime(2025, 7, 1, 12, 5)),
        ("z", datetime(2025, 1, 31, 13, 5)),
    ]
    assert query(ws, "SELECT timezone FROM chatlift_imports ORDER BY import_id") == [(None,), ("Europe/Amsterdam",)]


def test_unknown_references_are_counted_and_the_rows_kept(ws: Workspace) -> None:
    """Messages of c1 (stored) and c9 (not): two of three rows point at nothing known."""
    ws.import_batch("conversations", as_json([{"conversation_id": "c1", "channel": "chat", "started_at": T}]))
    messages = [
        {"message_id": f"m{i}", "conversation_id": c, "sender": "customer", "sent_at": T}
        for i, c in enumerate(["c1", "c9", "c9"])
    ]
    result = ws.import_batch("messages", as_json(messages))
    assert result.inserted == 3
    assert result.unknown_references == (UnknownReference("conversation_id", "conversations", 2),)
    assert query(ws, "SELECT unknown_references FROM chatlift_imports WHERE table_name = 'messages'") == [(2,)]


def test_unknown_customers_are_checked_against_every_customer_source(ws: Workspace) -> None:
    """cu1 is known from an order, cu2 from a conversation, cu3 nowhere; a goal without customer is not counted."""
    ws.import_batch("orders", as_json([order("o1", customer_id="cu1")]))
    ws.import_batch("conversations", as_json([{"conversation_id": "c1", "channel": "chat", "started_at": T,
                                               "customer_id": "cu2"}]))
    goals = [{"goal_id": f"g{i}", "name": "signup", "at": T, "customer_id": c} for i, c in enumerate(["cu1", "cu2", "cu3"])]
    goals.append({"goal_id": "g9", "name": "signup", "at": T})
    result = ws.import_batch("goals", as_json(goals))
    assert result.inserted == 4
    assert result.unknown_references == (UnknownReference("customer_id", "customers", 1),)


def test_keys_match_columns_like_headers_and_unknown_keys_are_reported(ws: Workspace) -> None:
    records = [{" Order_ID ": "o1", "OrderedAt": "x", "ordered_at": T, "AMOUNT": 2, "currency": "EUR", "note": "hi"}]
    result = ws.import_batch("orders", as_json(records))
    assert (result.inserted, result.ignored_columns) == (1, ("OrderedAt", "note"))
    assert query(ws, "SELECT order_id, amount FROM orders") == [("o1", 2.0)]


def test_values_of_other_json_types_are_read_as_their_text(ws: Workspace) -> None:
    """A number id is its digits, true is a boolean, a JSON array fills a list column as given.

    (Only ``;``-separated lists are trimmed per value; a JSON array's strings are kept, as in JSONL files.)
    """
    conversation = {"conversation_id": 17, "channel": "CHAT", "started_at": T, "cobrowse": True,
                    "tags": ["vip", " returns "], "team": 1.5}
    result = ws.import_batch("conversations", as_json([conversation]))
    assert result.inserted == 1
    assert query(ws, "SELECT conversation_id, channel, cobrowse, tags, team FROM conversations") == [
        ("17", "chat", True, ["vip", " returns "], "1.5")
    ]


def test_a_failure_rolls_the_whole_batch_back(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error after the rows were written (here: while logging) leaves no row, log or issue behind."""
    from chatlift.ingest import batch

    def boom(*args: object, **kwargs: object) -> tuple[int, str]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(batch, "_log", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        ws.import_batch("orders", as_json([order("o1"), order("o2", amount="x")]))
    assert (count(ws, "orders"), count(ws, "chatlift_imports"), count(ws, "chatlift_quarantine")) == (0, 0, 0)
    monkeypatch.undo()
    # The connection is usable afterwards and the same batch imports normally.
    assert ws.import_batch("orders", as_json([order("o1"), order("o2", amount="x")])).inserted == 1


# -- a batch and a JSONL file with the same records give the same tables ---------------------

_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "order_id": st.sampled_from(["o1", "o2", " o2 ", "O1", "", None, 7]),
    "ordered_at": st.sampled_from(
        [T, "2025-03-30T02:30:00+02:00", "2025-03-30 02:30:00", "2025-01-01", "soon", None, 20250101]
    ),
    "amount": st.one_of(
        st.integers(-(2**63) + 1, 2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(["12,50", " 7.5 ", "1e3", "abc", None, True]),
    ),
    "currency": st.sampled_from(["EUR", "usd", "euro", " gbp ", None, 5, ["EUR"]]),
    "kind": st.sampled_from(["purchase", "QUOTE", "gift", "", None]),
    "items": st.one_of(st.integers(-3, 3), st.sampled_from([2.0, 2.5, "4", None, False])),
    "customer_id": st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=6),
}


@st.composite
def _record(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 19)) == 0:
        return draw(st.sampled_from([1, "text", None, [1]]))
    record: dict[str, Any] = {}
    for name, values in _VALUES.items():
        if draw(st.integers(0, 5)) > 0:
            spelling = draw(st.sampled_from([name, name.upper()])) if name == "amount" else name
            record[spelling] = draw(values)
    if draw(st.booleans()):
        record["note"] = "extra"
    return record


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(_record(), min_size=1, max_size=8),
    ndjson=st.booleans(),
    zone=st.sampled_from([None, "Europe/Amsterdam"]),
)
def test_a_batch_stores_what_the_same_records_in_a_jsonl_file_store(
    records: list[Any], ndjson: bool, zone: str | None
) -> None:
    """Counts, kept rows and issues agree; issue rows differ by one (files count lines from 1)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "orders.jsonl"
        path.write_bytes(as_ndjson(records))
        with chatlift.connect(folder / "file.duckdb", create=True) as ws:
            [from_file] = ws.import_files("orders", [path], timezone=zone)
            file_rows = query(ws, "SELECT * FROM orders ORDER BY order_id")
        with chatlift.connect(folder / "batch.duckdb", create=True) as ws:
            payload = as_ndjson(records) if ndjson else as_json(records)
            from_batch = ws.import_batch("orders", payload, fmt="ndjson" if ndjson else "json", timezone=zone)
            batch_rows = query(ws, "SELECT * FROM orders ORDER BY order_id")

    def counts(r: ImportResult) -> tuple[int, ...]:
        return (r.rows_read, r.inserted, r.updated, r.unchanged, r.rejected, r.unknown_reference_rows)

    assert counts(from_batch) == counts(from_file)
    assert batch_rows == file_rows
    assert from_batch.ignored_columns == from_file.ignored_columns
    # Two reasons are worded for batches: a broken record ("the element is a number …") and a duplicate
    # ("… in this batch"); the others come from the same SQL.
    def reason(text: str, field: str) -> str:
        return "" if field == "(row)" else text.replace("in this batch:", "in this file:")

    assert [(i.row + 1, i.field, i.value, reason(i.reason, i.field)) for i in from_batch.issues] == [
        (i.row, i.field, i.value, reason(i.reason, i.field)) for i in from_file.issues
    ]


def test_whole_numbers_beyond_64_bits_are_rejected_per_record(ws: Workspace) -> None:
    """JSON numbers and strings too large for a whole-number column: those records are quarantined, the rest kept."""
    def order(i: int, items: str) -> str:
        return (f'{{"order_id": "o{i}", "ordered_at": "2025-01-01T10:00:00Z", "amount": 5, "currency": "EUR", '
                f'"items": {items}}}')

    payload = "[" + ", ".join([order(1, "3"), order(2, str(2**63)), order(3, '"-99999999999999999999"'),
                               order(4, str(2**62))]) + "]"
    result = ws.import_batch("orders", payload.encode())
    assert (result.inserted, result.rejected) == (2, 2)
    assert [(i.row, i.field) for i in result.issues] == [(1, "items"), (2, "items")]
    assert all(i.reason.startswith("out of range") for i in result.issues)
    assert query(ws, "SELECT order_id, items FROM orders ORDER BY 1") == [("o1", 3), ("o4", 2**62)]
