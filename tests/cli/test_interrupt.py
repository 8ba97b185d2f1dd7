"""A Ctrl-C or a crash in the middle of importing a file leaves the database as it was before that file."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

ROWS = 2_000_000  # large enough that importing takes well over a second on 2 cores


@pytest.fixture(scope="module")
def big_orders(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "orders.csv"
    duckdb.sql(
        f"COPY (SELECT 'o' || i AS order_id, '2025-01-01T10:00:00Z' AS ordered_at, (i % 100) + 0.5 AS amount, "
        f"'EUR' AS currency, 'cu' || i AS customer_id FROM range({ROWS}) t(i)) TO '{path}'"
    )
    return path


def _prepare(tmp_path: Path) -> Path:
    """A database that already holds one imported file (3 orders)."""
    db = tmp_path / "t.duckdb"
    small = tmp_path / "small.csv"
    small.write_text(
        "order_id,ordered_at,amount,currency\n"
        "a1,2025-01-01T00:00:00Z,1,EUR\na2,2025-01-01T00:00:00Z,2,EUR\na3,2025-01-01T00:00:00Z,3,EUR\n"
    )
    for args in (["init", "--db", str(db)], ["import", "orders", str(small), "--db", str(db)]):
        subprocess.run([sys.executable, "-m", "chatlift.cli.main", *args], check=True, capture_output=True)
    return db


def _interrupt_import(db: Path, big: Path, sig: signal.Signals) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatlift.cli.main", "import", "orders", str(big), "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()  # printed just before the transaction starts
    assert "importing" in first
    time.sleep(1.0)
    assert proc.poll() is None, "the import finished before it could be interrupted; make the file larger"
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, first + err)


def _orders(db: Path) -> list[tuple[str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT order_id FROM orders ORDER BY 1").fetchall()
    finally:
        con.close()


def test_ctrl_c_rolls_back_the_file(tmp_path: Path, big_orders: Path) -> None:
    for attempt in range(3):
        folder = tmp_path / f"attempt{attempt}"
        folder.mkdir()
        db = _prepare(folder)
        done = _interrupt_import(db, big_orders, signal.SIGINT)
        if done.returncode != 0:
            break
        # DuckDB drops a Ctrl-C that lands while it finishes a step it cannot interrupt (seen once on a
        # loaded machine); the import then completes whole, which is consistent too. Check that, try again.
        assert len(_orders(db)) == ROWS + 3
    assert done.returncode == 130
    assert "rolled back" in done.stderr
    assert _orders(db) == [("a1",), ("a2",), ("a3",)]


def test_killed_process_leaves_the_previous_state(tmp_path: Path, big_orders: Path) -> None:
    db = _prepare(tmp_path)
    done = _interrupt_import(db, big_orders, signal.SIGKILL)
    assert done.returncode == -signal.SIGKILL
    assert _orders(db) == [("a1",), ("a2",), ("a3",)]
    # and the file is still fully usable: the same import now succeeds
    subprocess.run(
        [sys.executable, "-m", "chatlift.cli.main", "import", "orders", str(big_orders), "--db", str(db)],
        check=True, capture_output=True,
    )
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM orders").fetchone() == (ROWS + 3,)
