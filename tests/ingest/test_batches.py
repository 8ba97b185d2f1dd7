"""Several API batches at once (`chatlift.ingest.batch.import_batches`): the same outcome as one after another."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chatlift
from chatlift.domain.schema import TABLES, TABLES_BY_NAME
from chatlift.errors import ChatliftError, InputError
from chatlift.ingest import batch
from chatlift.ingest.result import ImportResult
from chatlift.workspace import Workspace
from tests.ingest.conftest import query
from tests.ingest.test_batch_fast import _batch

CONVERSATIONS = [{"conversation_id": f"c{i}", "channel": "chat", "started_at": "2025-01-01T10:00:00Z"}
                 for i in range(3)]


def _summary(outcome: ImportResult | ChatliftError) -> tuple[Any, ...]:
    if isinstance(outcome, ChatliftError):
        return ("error", type(outcome).__name__, str(outcome))
    return (outcome.table, outcome.source, outcome.format, outcome.import_id, outcome.rows_read, outcome.inserted,
            outcome.updated, outcome.unchanged, outcome.rejected, outcome.unknown_references,
            outcome.ignored_columns, [(i.row, i.field, i.value, i.reason) for i in outcome.issues])


def _state(ws: Workspace) -> dict[str, list[Any]]:
    tables = {t: query(ws, f'SELECT * FROM "{t}" ORDER BY ALL') for t in TABLES_BY_NAME}
    # what the facts must recompute (a key recorded by two writes is recomputed once)
    tables["chatlift_changes"] = query(ws, "SELECT DISTINCT * FROM chatlift_changes ORDER BY ALL")
    tables["chatlift_imports"] = query(ws, "SELECT import_id, table_name, source, format, rows_read, inserted, updated, "
                                           "unchanged, rejected, unknown_references, timezone FROM chatlift_imports "
                                           "ORDER BY import_id")
    tables["chatlift_quarantine"] = query(ws, "SELECT * FROM chatlift_quarantine ORDER BY ALL")
    return tables


def _one_by_one(ws: Workspace, name: str, payloads: list[bytes], zone: str | None) -> list[ImportResult | ChatliftError]:
    outcomes: list[ImportResult | ChatliftError] = []
    for payload in payloads:
        try:
            outcomes.append(ws.import_batch(name, payload, timezone=zone))
        except ChatliftError as exc:
            outcomes.append(exc)
    return outcomes


def _both_ways(folder: Path, name: str, payloads: list[bytes], zone: str | None = None) -> tuple[Any, Any]:
    """(outcomes, state) of importing ``payloads`` together and one by one, after the same conversations."""
    found = []
    for label, run in (("together", lambda ws: ws.import_batches(name, payloads, timezone=zone)),
                       ("alone", lambda ws: _one_by_one(ws, name, payloads, zone))):
        with chatlift.connect(folder / f"{label}.duckdb", create=True) as ws:
            ws.import_batch("conversations", orjson.dumps(CONVERSATIONS[:2]))
            outcomes = run(ws)
            found.append(([_summary(o) for o in outcomes], _state(ws)))
    return found[0], found[1]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches=st.sampled_from(TABLES).flatmap(
    lambda table: st.lists(st.tuples(_batch(table), st.sampled_from([True, True, False])), min_size=2, max_size=5)),
       zone=st.sampled_from([None, "Europe/Amsterdam"]))
def test_batches_together_give_what_they_give_one_after_another(batches: list[tuple[tuple[str, list[Any]], bool]],
                                                                 zone: str | None) -> None:
    """Plain and other batches, keys new, repeated across batches or changed: every count, issue, import id,
    stored row, change record, log row and quarantined row as when imported one by one. A batch drawn
    ``own`` has keys no other batch has, so that plain batches are written together."""
    name = batches[0][0][0]
    key = TABLES_BY_NAME[name].key
    payloads = [orjson.dumps([{k: f"{v}-{j}" if own and k in key and isinstance(v, str) else v for k, v in r.items()}
                              for r in records])
                for j, ((_, records), own) in enumerate(batches)]
    with tempfile.TemporaryDirectory() as tmp:
        together, alone = _both_ways(Path(tmp), name, payloads, zone)
    assert together == alone


def _messages(first: int, count: int, conversation: str = "c0", text: str = "hi") -> bytes:
    return orjson.dumps([{"message_id": f"m{first + i}", "conversation_id": conversation, "sender": "agent",
                          "sent_at": "2025-01-01T10:00:00Z", "text": text} for i in range(count)])


def test_counts_per_batch_when_written_together(tmp_path: Path) -> None:
    payloads = [
        _messages(0, 3),  # new, c0 is stored
        _messages(3, 2, conversation="c2"),  # new, c2 is not stored: 2 unknown references
        b"[{",  # not JSON: this batch's error only
        _messages(0, 2, text="changed"),  # m0, m1 again, changed: after the first batch, so updated
        _messages(5, 2),
    ]
    together, alone = _both_ways(tmp_path, "messages", payloads)
    assert together == alone
    outcomes, state = together
    assert [o[5:8] for o in outcomes if o[0] != "error"] == [(3, 0, 0), (2, 0, 0), (0, 2, 0), (2, 0, 0)]
    assert [o[9] for o in outcomes if o[0] != "error"][1][0].rows == 2
    assert outcomes[2][:2] == ("error", InputError.__name__)
    assert [(r[0], r[2]) for r in state["chatlift_imports"]][1:] == [
        (2, "api:messages:2"), (3, "api:messages:3"), (4, "api:messages:4"), (5, "api:messages:5")]
    assert len(state["messages"]) == 7


def test_a_failure_writing_together_imports_each_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the shared write fail, each batch is imported on its own, and only a failing one reports it."""
    write = batch._write

    def fails_for_many(con: duckdb.DuckDBPyConnection, table: Any, good: pa.Table, *args: Any) -> Any:
        if good.num_rows > 3:
            raise duckdb.ConstraintException("too many at once")
        return write(con, table, good, *args)

    payloads = [_messages(0, 3), _messages(3, 3), _messages(6, 2)]
    with monkeypatch.context() as patch:
        patch.setattr(batch, "_write", fails_for_many)
        with chatlift.connect(tmp_path / "t.duckdb", create=True) as ws:
            outcomes = ws.import_batches("messages", payloads)
            assert [(o.import_id, o.inserted) for o in outcomes if isinstance(o, ImportResult)] == [
                (1, 3), (2, 3), (3, 2)]
            assert query(ws, "SELECT count(*) FROM messages") == [(8,)]
