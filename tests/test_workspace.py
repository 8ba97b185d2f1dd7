"""Workspace.generate_demo: chunked commits, and no partial demo after a failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chatlift.workspace import connect


class Stop(Exception):
    pass


def _stop_at(piece: int):  # type: ignore[no-untyped-def]
    def progress(_: str, done: int, total: int) -> None:
        if done == piece:
            raise Stop

    return progress


def test_failure_after_a_committed_chunk_leaves_no_partial_demo(tmp_path: Path) -> None:
    with connect(tmp_path / "d.duckdb", create=True) as ws:
        # 250 000 conversations are two chunks of people; stop at the first piece of the second
        with pytest.raises(Stop):
            ws.generate_demo(250_000, progress=_stop_at(10))
        assert set(ws.row_counts().values()) == {0}


def test_failure_in_the_first_chunk_keeps_the_data_it_was_to_replace(tmp_path: Path) -> None:
    with connect(tmp_path / "d.duckdb", create=True) as ws:
        before = ws.generate_demo(1_000, seed=1)
        with pytest.raises(Stop):
            ws.generate_demo(1_000, seed=2, replace=True, progress=_stop_at(3))
        after = ws.row_counts()
        assert {k: v for k, v in after.items() if v} == before


def test_progress_counts_every_piece(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    with connect(tmp_path / "d.duckdb", create=True) as ws:
        ws.generate_demo(1_000, progress=lambda _, done, total: seen.append((done, total)))
    assert seen == [(i, 10) for i in range(1, 11)]  # 9 tables of one chunk, then the costs


def test_report_matches_counts_taken_with_sql(tmp_path: Path) -> None:
    """The library entry point computes the catalogue on the workspace's own file."""
    from datetime import date

    with connect(tmp_path / "d.duckdb", create=True) as ws:
        ws.generate_demo(3_000, seed=4)
        table = ws.report(["resolution_rate"], start=date(2025, 3, 1), end=date(2025, 4, 1), by=["channel"])
        expected = {
            channel: (resolved / final, final)
            for channel, resolved, final in ws.store.con.execute(
                "select channel, count(*) filter (where status = 'resolved'), "
                "count(*) filter (where status in ('resolved', 'unresolved', 'missed')) from conversations "
                "where started_at >= '2025-03-01' and started_at < '2025-04-01' group by 1").fetchall()
        }
    got = {r["channel"]: (r["value"], r["n"]) for r in table.to_pylist()}
    assert got.keys() == expected.keys()
    for channel, (value, n) in expected.items():
        assert got[channel] == (pytest.approx(value), n)


def test_kept_reports_are_answered_again_until_the_workspace_writes(tmp_path: Path) -> None:
    from datetime import date

    def batch(status: str) -> bytes:
        return (b'[{"conversation_id": "k1", "channel": "chat", "started_at": "2025-05-05T10:00:00Z", '
                b'"status": "resolved"}, {"conversation_id": "k2", "channel": "chat", '
                b'"started_at": "2025-05-05T11:00:00Z", "status": "' + status.encode() + b'"}]')

    may: dict[str, Any] = {"start": date(2025, 5, 1), "end": date(2025, 6, 1)}
    with connect(tmp_path / "k.duckdb", create=True, keep_reports=2) as ws:
        ws.import_batch("conversations", batch("unresolved"))
        first = ws.report(["resolution_rate"], **may)
        assert ws.report(["resolution_rate"], **may) is first  # kept
        assert first.column("value").to_pylist() == [0.5]  # 1 of 2 resolved
        assert ws.report(["resolution_rate"], **may, by=["channel"]) is not first  # another question
        ws.import_batch("conversations", batch("resolved"))  # k2 now resolved: kept results are stale
        assert ws.report(["resolution_rate"], **may).column("value").to_pylist() == [1.0]
    with connect(tmp_path / "k.duckdb") as ws:  # by default nothing is kept
        assert ws.report(["resolution_rate"], **may) is not ws.report(["resolution_rate"], **may)
