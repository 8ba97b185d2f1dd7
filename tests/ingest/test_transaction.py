"""One transaction per file: a failure in file 2 keeps file 1 and leaves no trace of file 2."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from chatlift.errors import InputError
from chatlift.workspace import Workspace
from tests.ingest.conftest import count, quarantine, query, write

HEADER = "order_id,ordered_at,amount,currency\n"
FILE1 = HEADER + "o1,2025-01-01T10:00:00Z,1,EUR\no2,2025-01-01T10:00:00Z,2,EUR\n"
# File 2 has good rows, a row that replaces o1, and a bad row: all of it must vanish on failure.
FILE2 = (
    HEADER + "o3,2025-01-01T10:00:00Z,3,EUR\no1,2025-01-01T10:00:00Z,99,EUR\no4,2025-01-01T10:00:00Z,-4,EUR\n"
)


def _only_file1_left(ws: Workspace, file1: Path) -> None:
    assert query(ws, "SELECT order_id, amount FROM orders ORDER BY 1") == [("o1", 1.0), ("o2", 2.0)]
    assert query(ws, "SELECT import_id, source, inserted FROM chatlift_imports") == [(1, str(file1), 2)]
    assert quarantine(ws) == []


def test_failure_after_quarantine_and_log_were_written_rolls_back_file2(
    ws: Workspace, tmp_path: Path
) -> None:
    """The rejected.csv of file 2 cannot be written (a directory is in the way): the last step of its
    transaction, after upsert, quarantine and import-log rows. None of those survive."""
    file1 = write(tmp_path / "a.csv", FILE1)
    file2 = write(tmp_path / "b.csv", FILE2)
    rejects = tmp_path / "rejects"
    (rejects / "b.csv.rejected.csv").mkdir(parents=True)
    with pytest.raises(duckdb.Error):
        ws.import_files("orders", [file1, file2], rejects_dir=rejects)
    _only_file1_left(ws, file1)

    # Nothing half-done blocks the next attempt: the same file imports normally once fixed.
    (rejects / "b.csv.rejected.csv").rmdir()
    [result] = ws.import_files("orders", [file2], rejects_dir=rejects)
    assert (result.import_id, result.inserted, result.updated, result.rejected) == (2, 1, 1, 1)
    assert count(ws, "orders") == 3
    assert [(r[1], r[2], r[3]) for r in quarantine(ws)] == [(str(file2), 3, "amount")]


def test_progress_callback_raising_rolls_back_that_file(ws: Workspace, tmp_path: Path) -> None:
    """An exception from the progress callback (e.g. a closed UI) aborts file 2 only."""
    file1 = write(tmp_path / "a.csv", FILE1)
    file2 = write(tmp_path / "b.csv", FILE2)
    calls: list[tuple[str, int, int]] = []

    def progress(name: str, done: int, total: int) -> None:
        calls.append((name, done, total))
        if name == str(file2):
            raise RuntimeError("display went away")

    with pytest.raises(RuntimeError, match="display went away"):
        ws.import_files("orders", [file1, file2], progress=progress)
    assert calls[-1] == (str(file2), 1000, 1000)
    assert (str(file1), 1000, 1000) in calls
    _only_file1_left(ws, file1)
    assert not (tmp_path / "b.csv.rejected.csv").exists()


def test_corrupt_parquet_as_second_file(ws: Workspace, tmp_path: Path) -> None:
    """A file that is not Parquet at all fails with InputError naming it; file 1 stays imported."""
    file1 = write(tmp_path / "a.csv", FILE1)
    broken = tmp_path / "b.parquet"
    broken.write_bytes(b"PAR1" + b"\x00not really parquet\x00" * 4 + b"PAR1")
    with pytest.raises(InputError) as info:
        ws.import_files("orders", [file1, broken])
    assert info.value.location == str(broken)
    assert "cannot read the file" in info.value.message
    _only_file1_left(ws, file1)


def test_missing_required_column_in_second_file(ws: Workspace, tmp_path: Path) -> None:
    """A whole-file error (no amount column) names the column; earlier files are kept."""
    file1 = write(tmp_path / "a.csv", FILE1)
    file2 = write(tmp_path / "b.csv", "order_id,ordered_at,currency\no9,2025-01-01T10:00:00Z,EUR\n")
    with pytest.raises(InputError, match="missing required column amount for table orders"):
        ws.import_files("orders", [file1, file2])
    _only_file1_left(ws, file1)
