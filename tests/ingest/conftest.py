"""Shared helpers for the importer tests: a fresh workspace on a real DuckDB file, file writers, SQL reads."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import orjson
import pytest

import chatlift
from chatlift.ingest.vendors import VendorImport
from chatlift.workspace import Workspace

T = TypeVar("T")


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    """A new chatlift database in tmp_path, closed after the test."""
    with chatlift.connect(tmp_path / "t.duckdb", create=True) as workspace:
        yield workspace


def write(path: Path, text: str) -> Path:
    """Write ``text`` exactly (UTF-8, no newline translation) and return the path."""
    path.write_bytes(text.encode("utf-8"))
    return path


def query(ws: Workspace, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` on the workspace's own connection."""
    return ws.store.con.execute(sql, params or []).fetchall()


def count(ws: Workspace, table: str) -> int:
    row = ws.store.con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    assert row is not None
    return int(row[0])


def quarantine(ws: Workspace) -> list[tuple[Any, ...]]:
    """(table, source, row, field, value, reason) of every quarantined issue, ordered."""
    return query(
        ws,
        'SELECT table_name, source, "row", field, value, reason FROM chatlift_quarantine '
        'ORDER BY table_name, source, "row", field',
    )


def read_rejects(path: Path) -> list[dict[str, str]]:
    """A ``*.rejected.csv`` parsed as CSV, checking its header."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["file", "row", "field", "value", "reason"]
        return list(reader)


# Importers of other tools' exports (tests/ingest/test_vendor_*.py)


def put(path: Path, data: bytes) -> Path:
    """Write ``data`` as it is and return the path."""
    path.write_bytes(data)
    return path


def as_lines(records: list[Any]) -> bytes:
    """JSON Lines: one record per line."""
    return b"\n".join(orjson.dumps(r) for r in records) + b"\n"


def stored_messages(ws: Workspace) -> list[tuple[Any, ...]]:
    """(message_id, conversation_id, sender, sent_at, text) of every stored message, by id."""
    return query(ws, "SELECT message_id, conversation_id, sender, sent_at, text FROM messages ORDER BY 1")


def issues_of(done: VendorImport) -> list[tuple[str, int, str, str | None]]:
    """(table, record number, field, value) of every issue of a vendor import."""
    return [(r.table, i.row, i.field, i.value) for r in done.results for i in r.issues]


def import_shapes(tmp_path: Path, vendor: str, shapes: dict[str, bytes],
                  read: Callable[[Workspace], T]) -> list[tuple[str, VendorImport, T]]:
    """Import each file of ``shapes`` (name -> content) into a database of its own; per file its name, its
    import and what ``read`` reads back, for tests that every shape of a vendor's export stores the same."""
    out = []
    for name, data in shapes.items():
        with chatlift.connect(tmp_path / f"{name}.duckdb", create=True) as workspace:
            (done,) = workspace.import_vendor(vendor, [put(tmp_path / name, data)])
            out.append((name, done, read(workspace)))
    return out
