"""Valid rows of every table survive CSV, JSONL and Parquet import unchanged (timestamps read back in UTC)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chatlift
from chatlift.domain.schema import ColumnType, table
from chatlift.workspace import Workspace
from tests.ingest.conftest import query

CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))
EST = timezone(timedelta(hours=-5))

Row = dict[str, Any]

# Input rows per table, with Python values; None = absent (empty in CSV, null in JSONL/Parquet).
INPUT: dict[str, list[Row]] = {
    "conversations": [
        {
            "conversation_id": "c1",
            "channel": "chat",
            "started_at": datetime(2025, 3, 1, 10, 0, tzinfo=CET),
            "customer_id": "cu1",
            "visitor_id": "vi1",
            "agent_id": "ag1",
            "team": "Kundendienst Zürich",
            "status": "resolved",
            "first_response_at": datetime(2025, 3, 1, 10, 2, 30, tzinfo=CET),
            "resolved_at": datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
            "initiated_by": "agent",
            "cobrowse": True,
            "segment": "smb",
            "sector": "Bäckerei",
            "tags": ["vip", "größe", "返品"],
        },
        {
            "conversation_id": "c2",
            "channel": "phone",
            "started_at": datetime(2025, 7, 1, 8, 0, tzinfo=EST),
            "customer_id": None,
            "visitor_id": None,
            "agent_id": None,
            "team": None,
            "status": None,
            "first_response_at": None,
            "resolved_at": None,
            "initiated_by": None,
            "cobrowse": None,
            "segment": None,
            "sector": None,
            "tags": None,
        },
    ],
    "messages": [
        {
            "message_id": "m1",
            "conversation_id": "c1",
            "sender": "customer",
            "sent_at": datetime(2025, 3, 1, 10, 0, 5, tzinfo=CET),
            "text": 'Hallo, ich habe "eine" Frage; 日本語 ✓',
        },
        {
            "message_id": "m2",
            "conversation_id": "c1",
            "sender": "agent",
            "sent_at": datetime(2025, 3, 1, 9, 1, 0, 250000, tzinfo=UTC),
            "text": "Line one,\nline two",
        },
        {
            "message_id": "m3",
            "conversation_id": "c2",
            "sender": "bot",
            "sent_at": datetime(2025, 7, 1, 8, 0, 1, tzinfo=EST),
            "text": None,
        },
    ],
    "orders": [
        {
            "order_id": "o1",
            "ordered_at": datetime(2025, 3, 2, 12, 0, tzinfo=UTC),
            "amount": 19.99,
            "currency": "EUR",
            "customer_id": "cu1",
            "visitor_id": None,
            "kind": "quote",
            "items": 3,
        },
        {
            "order_id": "o2",
            "ordered_at": datetime(2025, 8, 2, 0, 30, tzinfo=CEST),
            "amount": 0.0,
            "currency": "JPY",
            "customer_id": None,
            "visitor_id": "vi2",
            "kind": None,
            "items": None,
        },
    ],
    "goals": [
        {
            "goal_id": "g1",
            "name": "trial_started",
            "at": datetime(2025, 3, 3, 9, 0, tzinfo=UTC),
            "customer_id": "cu1",
            "visitor_id": None,
            "value": 49.5,
        },
        {
            "goal_id": "g2",
            "name": "démo_booked",
            "at": datetime(2025, 3, 3, 9, 0, tzinfo=CET),
            "customer_id": None,
            "visitor_id": "vi2",
            "value": None,
        },
    ],
    "cart_events": [
        {
            "cart_id": "k1",
            "at": datetime(2025, 3, 4, 10, 0, tzinfo=UTC),
            "action": "add",
            "customer_id": "cu1",
            "visitor_id": None,
            "quantity": 2,
        },
        {
            "cart_id": "k1",
            "at": datetime(2025, 3, 4, 11, 1, tzinfo=CET),
            "action": "remove",
            "customer_id": "cu1",
            "visitor_id": None,
            "quantity": None,
        },
        {
            "cart_id": "k1",
            "at": datetime(2025, 3, 4, 10, 2, tzinfo=UTC),
            "action": "checkout",
            "customer_id": None,
            "visitor_id": "vi1",
            "quantity": 0,
        },
    ],
    "visits": [
        {
            "visit_id": "v1",
            "visitor_id": "vi1",
            "started_at": datetime(2025, 3, 5, 23, 30, tzinfo=EST),
            "customer_id": "cu1",
            "page": "/preise/äpfel?x=1,2",
            "source": "search",
        },
        {
            "visit_id": "v2",
            "visitor_id": "vi2",
            "started_at": datetime(2025, 3, 5, 0, 0, tzinfo=UTC),
            "customer_id": None,
            "page": None,
            "source": None,
        },
    ],
    "survey_responses": [
        {
            "response_id": "r1",
            "survey": "csat",
            "score": 5,
            "answered_at": datetime(2025, 3, 6, 12, 0, tzinfo=CET),
            "conversation_id": "c1",
            "customer_id": "cu1",
            "comment": "très bien 👍, merci",
            "scale": None,
        },
        {
            "response_id": "r2",
            "survey": "nps",
            "score": 7,
            "answered_at": datetime(2025, 3, 6, 12, 0, tzinfo=UTC),
            "conversation_id": None,
            "customer_id": None,
            "comment": None,
            "scale": "1-7",
        },
        {
            "response_id": "r3",
            "survey": "ces",
            "score": 1,
            "answered_at": datetime(2025, 3, 6, 13, 0, tzinfo=UTC),
            "conversation_id": "c2",
            "customer_id": None,
            "comment": 'Sehr "gut"\nzweite Zeile',
            "scale": None,
        },
    ],
    "subscriptions": [
        {
            "subscription_id": "s1",
            "customer_id": "cu1",
            "started_at": datetime(2025, 1, 1, tzinfo=UTC),
            "ended_at": datetime(2025, 6, 30, 23, 59, 59, tzinfo=CEST),
            "mrr": 29.0,
            "plan": "Pro Ünlimited",
            "trial": False,
        },
        {
            "subscription_id": "s2",
            "customer_id": "cu2",
            "started_at": datetime(2025, 2, 1, tzinfo=CET),
            "ended_at": None,
            "mrr": None,
            "plan": None,
            "trial": True,
        },
        {
            "subscription_id": "s3",
            "customer_id": "cu3",
            "started_at": datetime(2025, 2, 1, tzinfo=UTC),
            "ended_at": None,
            "mrr": 0.5,
            "plan": "basic",
            "trial": None,
        },
    ],
    "assignments": [
        {
            "experiment": "exp1",
            "unit_id": "vi1",
            "variant": "control",
            "assigned_at": datetime(2025, 3, 1, 0, 0, tzinfo=CET),
        },
        {
            "experiment": "exp1",
            "unit_id": "vi2",
            "variant": "treatment",
            "assigned_at": datetime(2025, 3, 1, 0, 0, tzinfo=UTC),
        },
        {
            "experiment": "exp2",
            "unit_id": "vi1",
            "variant": "B",
            "assigned_at": datetime(2025, 3, 2, 0, 0, tzinfo=UTC),
        },
    ],
    "costs": [
        {
            "period_start": datetime(2025, 1, 1, tzinfo=UTC),
            "period_end": datetime(2025, 2, 1, tzinfo=UTC),
            "amount": 1000.0,
            "currency": "EUR",
            "channel": "chat",
            "kind": "staff",
        },
        {
            "period_start": datetime(2025, 1, 1, tzinfo=UTC),
            "period_end": datetime(2025, 2, 1, tzinfo=UTC),
            "amount": 250.5,
            "currency": "EUR",
            "channel": None,
            "kind": None,
        },
        {
            "period_start": datetime(2025, 1, 1, tzinfo=UTC),
            "period_end": datetime(2025, 2, 1, tzinfo=UTC),
            "amount": 99.0,
            "currency": "USD",
            "channel": "chat",
            "kind": "software",
        },
    ],
}

# What the table holds afterwards: every column in declared order, rows ordered by key
# (NULLs last), timestamps as naive UTC, defaults filled in.
EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    "conversations": [
        (
            "c1",
            "chat",
            datetime(2025, 3, 1, 9, 0),
            "cu1",
            "vi1",
            "ag1",
            "Kundendienst Zürich",
            "resolved",
            datetime(2025, 3, 1, 9, 2, 30),
            datetime(2025, 3, 1, 9, 30),
            "agent",
            True,
            "smb",
            "Bäckerei",
            ["vip", "größe", "返品"],
        ),
        (
            "c2",
            "phone",
            datetime(2025, 7, 1, 13, 0),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "customer",
            False,
            None,
            None,
            None,
        ),
    ],
    "messages": [
        ("m1", "c1", "customer", datetime(2025, 3, 1, 9, 0, 5), 'Hallo, ich habe "eine" Frage; 日本語 ✓'),
        ("m2", "c1", "agent", datetime(2025, 3, 1, 9, 1, 0, 250000), "Line one,\nline two"),
        ("m3", "c2", "bot", datetime(2025, 7, 1, 13, 0, 1), None),
    ],
    "orders": [
        ("o1", datetime(2025, 3, 2, 12, 0), 19.99, "EUR", "cu1", None, "quote", 3),
        ("o2", datetime(2025, 8, 1, 22, 30), 0.0, "JPY", None, "vi2", "purchase", None),
    ],
    "goals": [
        ("g1", "trial_started", datetime(2025, 3, 3, 9, 0), "cu1", None, 49.5),
        ("g2", "démo_booked", datetime(2025, 3, 3, 8, 0), None, "vi2", None),
    ],
    "cart_events": [
        ("k1", datetime(2025, 3, 4, 10, 0), "add", "cu1", None, 2),
        ("k1", datetime(2025, 3, 4, 10, 2), "checkout", None, "vi1", 0),
        ("k1", datetime(2025, 3, 4, 10, 1), "remove", "cu1", None, 1),
    ],
    "visits": [
        ("v1", "vi1", datetime(2025, 3, 6, 4, 30), "cu1", "/preise/äpfel?x=1,2", "search"),
        ("v2", "vi2", datetime(2025, 3, 5, 0, 0), None, None, None),
    ],
    "survey_responses": [
        ("r1", "csat", 5, datetime(2025, 3, 6, 11, 0), "c1", "cu1", "très bien 👍, merci", None),
        ("r2", "nps", 7, datetime(2025, 3, 6, 12, 0), None, None, None, "1-7"),
        ("r3", "ces", 1, datetime(2025, 3, 6, 13, 0), "c2", None, 'Sehr "gut"\nzweite Zeile', None),
    ],
    "subscriptions": [
        ("s1", "cu1", datetime(2025, 1, 1), datetime(2025, 6, 30, 21, 59, 59), 29.0, "Pro Ünlimited", False),
        ("s2", "cu2", datetime(2025, 1, 31, 23, 0), None, None, None, True),
        ("s3", "cu3", datetime(2025, 2, 1), None, 0.5, "basic", False),
    ],
    "assignments": [
        ("exp1", "vi1", "control", datetime(2025, 2, 28, 23, 0)),
        ("exp1", "vi2", "treatment", datetime(2025, 3, 1, 0, 0)),
        ("exp2", "vi1", "B", datetime(2025, 3, 2, 0, 0)),
    ],
    "costs": [
        (datetime(2025, 1, 1), datetime(2025, 2, 1), 99.0, "USD", "chat", "software"),
        (datetime(2025, 1, 1), datetime(2025, 2, 1), 1000.0, "EUR", "chat", "staff"),
        (datetime(2025, 1, 1), datetime(2025, 2, 1), 250.5, "EUR", None, None),
    ],
}


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def write_csv(path: Path, rows: list[Row]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(list(rows[0]))
        writer.writerows([_csv_text(v) for v in row.values()] for row in rows)
    return path


def write_jsonl(path: Path, rows: list[Row]) -> Path:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    lines = [json.dumps({k: plain(v) for k, v in row.items()}, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_ARROW = {
    ColumnType.ID: pa.string(),
    ColumnType.TEXT: pa.string(),
    ColumnType.TIMESTAMP: pa.timestamp("us", tz="UTC"),
    ColumnType.MONEY: pa.float64(),
    ColumnType.NUMBER: pa.float64(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.BOOLEAN: pa.bool_(),
    ColumnType.TEXT_LIST: pa.list_(pa.string()),
}


def write_parquet(path: Path, table_name: str, rows: list[Row]) -> Path:
    spec = table(table_name)
    columns = {
        name: pa.array([row[name] for row in rows], _ARROW[spec.column(name).type]) for name in rows[0]
    }
    pq.write_table(pa.table(columns), path)
    return path


WRITERS = ("csv", "jsonl", "parquet")


def write_file(folder: Path, table_name: str, fmt: str, rows: list[Row]) -> Path:
    path = folder / f"{table_name}.{fmt}"
    if fmt == "csv":
        return write_csv(path, rows)
    if fmt == "jsonl":
        return write_jsonl(path, rows)
    return write_parquet(path, table_name, rows)


def read_back(ws: Workspace, table_name: str) -> list[tuple[Any, ...]]:
    spec = table(table_name)
    cols = ", ".join(f'"{c}"' for c in spec.column_names)
    keys = ", ".join(f'"{k}"' for k in spec.key)
    return query(ws, f'SELECT {cols} FROM "{table_name}" ORDER BY {keys}')


@pytest.mark.parametrize("fmt", WRITERS)
@pytest.mark.parametrize("table_name", list(INPUT))
def test_every_table_round_trips(tmp_path: Path, table_name: str, fmt: str) -> None:
    """Hand-made rows (nulls, non-ASCII, tags, offsets) read back as the expected UTC values."""
    path = write_file(tmp_path, table_name, fmt, INPUT[table_name])
    with chatlift.connect(tmp_path / f"{fmt}.duckdb", create=True) as ws:
        [result] = ws.import_files(table_name, [path])
        assert result.format == fmt
        assert (result.rows_read, result.inserted, result.rejected) == (len(INPUT[table_name]),) * 2 + (0,)
        assert result.issues == ()
        assert result.ignored_columns == ()
        assert read_back(ws, table_name) == EXPECTED[table_name]


def test_expected_values_cover_every_table_and_column() -> None:
    """The round-trip data names every column of all ten tables."""
    from chatlift.domain.schema import TABLES

    assert set(INPUT) == {t.name for t in TABLES}
    for t in TABLES:
        for row in INPUT[t.name]:
            assert list(row) == list(t.column_names)
        assert all(len(r) == len(t.columns) for r in EXPECTED[t.name])


# --- property: import then read back is the identity ------------------------------------------------

# Printable text incl. commas, quotes, semicolons, backslashes, newlines and any non-ASCII letter;
# no other control characters. Values have no surrounding blanks (those are trimmed by design).
_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(",;\"'\\\n|#=")),
        st.characters(blacklist_categories=("Cs", "Cc"), max_codepoint=0x1FFFF),
    ),
    min_size=1,
    max_size=20,
).filter(lambda s: s == s.strip())
_OFFSETS = st.sampled_from([UTC, CET, CEST, EST, timezone(timedelta(hours=5, minutes=30))])
_WHEN = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=_OFFSETS)
_AMOUNT = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


@st.composite
def _orders(draw: st.DrawFn) -> list[Row]:
    ids = draw(st.lists(_TEXT, min_size=1, max_size=6, unique=True))
    return [
        {
            "order_id": oid,
            "ordered_at": draw(_WHEN),
            "amount": draw(_AMOUNT),
            "currency": draw(st.sampled_from(["EUR", "USD", "GBP"])),
            "customer_id": draw(st.none() | _TEXT),
        }
        for oid in ids
    ]


@st.composite
def _messages(draw: st.DrawFn) -> list[Row]:
    ids = draw(st.lists(_TEXT, min_size=1, max_size=6, unique=True))
    return [
        {
            "message_id": mid,
            "conversation_id": draw(_TEXT),
            "sender": draw(st.sampled_from(["customer", "agent", "bot", "system"])),
            "sent_at": draw(_WHEN),
            "text": draw(st.none() | _TEXT),
        }
        for mid in ids
    ]


_PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_PROPERTY
@given(rows=_orders(), fmt=st.sampled_from(["csv", "parquet"]))
def test_orders_import_is_identity(
    tmp_path_factory: pytest.TempPathFactory, rows: list[Row], fmt: str
) -> None:
    """Generated orders (awkward ids and texts, any offset) read back exactly, amounts bit for bit."""
    folder = tmp_path_factory.mktemp("orders")
    path = write_file(folder, "orders", fmt, rows)
    with chatlift.connect(folder / "t.duckdb", create=True) as ws:
        [result] = ws.import_files("orders", [path])
        assert (result.inserted, result.rejected) == (len(rows), 0), result.issues
        got = query(ws, "SELECT order_id, ordered_at, amount, currency, customer_id FROM orders")
    want = [
        (r["order_id"], _utc(r["ordered_at"]), r["amount"], r["currency"], r["customer_id"]) for r in rows
    ]
    assert sorted(got) == sorted(want)


@_PROPERTY
@given(rows=_messages(), fmt=st.sampled_from(["csv", "parquet"]))
def test_messages_import_is_identity(
    tmp_path_factory: pytest.TempPathFactory, rows: list[Row], fmt: str
) -> None:
    """Generated messages with commas, quotes, newlines and unicode in ids and text read back exactly."""
    folder = tmp_path_factory.mktemp("messages")
    path = write_file(folder, "messages", fmt, rows)
    with chatlift.connect(folder / "t.duckdb", create=True) as ws:
        [result] = ws.import_files("messages", [path])
        assert (result.inserted, result.rejected) == (len(rows), 0), result.issues
        got = query(ws, "SELECT message_id, conversation_id, sender, sent_at, text FROM messages")
    want = [(r["message_id"], r["conversation_id"], r["sender"], _utc(r["sent_at"]), r["text"]) for r in rows]
    assert sorted(got, key=repr) == sorted(want, key=repr)
