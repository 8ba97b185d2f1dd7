"""CSV files are read with RFC 4180 quoting (double quotes), whatever their values look like."""

from __future__ import annotations

from pathlib import Path

from chatlift.workspace import connect


def test_values_wrapped_in_single_quotes_are_kept_as_written(tmp_path: Path) -> None:
    # DuckDB's sniffer took ' for the quote character here and stored 0 and 7 instead of '0' and '7'
    (tmp_path / "c.csv").write_text(
        "conversation_id,channel,started_at\n'0','chat',2025-01-01T10:00:00Z\n'7','email',2025-01-02T10:00:00Z\n",
        encoding="utf-8")
    with connect(tmp_path / "q.duckdb", create=True) as ws:
        [result] = ws.import_files("conversations", [tmp_path / "c.csv"])
        assert (result.inserted, result.rejected) == (2, 0)
        ids = sorted(r[0] for r in ws.store.con.execute("SELECT conversation_id FROM conversations").fetchall())
        channels = sorted(r[0] for r in ws.store.con.execute("SELECT channel FROM conversations").fetchall())
    assert ids == ["'0'", "'7'"] and channels == ["'chat'", "'email'"]
