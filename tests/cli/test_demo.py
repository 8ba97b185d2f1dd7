"""`chatlift demo` and `chatlift summary` end to end, in process, on a real DuckDB file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.cli.conftest import Run


def test_demo_writes_data_and_prints_the_headline(run: Run, tmp_path: Path) -> None:
    status, out, err = run("demo", "--size", "2000", "--seed", "5", "--db", "d.duckdb")
    assert status == 0, err
    con = duckdb.connect(str(tmp_path / "d.duckdb"), read_only=True)
    chats, purchases = con.execute(
        "select (select count(*) from conversations where channel = 'chat'), "
        "(select count(*) from orders where kind = 'purchase')").fetchall()[0]
    con.close()
    assert f"of {chats:,} chats" in out
    assert f"Purchases: {purchases:,} worth" in out and out.rstrip().endswith("EUR")
    assert "Wrote" in err


def test_demo_refuses_to_mix_with_existing_data_unless_replaced(run: Run, tmp_path: Path) -> None:
    assert run("demo", "--size", "1000", "--db", "d.duckdb", "--no-summary")[0] == 0
    status, _, err = run("demo", "--size", "1000", "--db", "d.duckdb", "--no-summary")
    assert status == 1 and "already holds data" in err and "--replace" in err
    status, _, err = run("demo", "--size", "1000", "--seed", "9", "--db", "d.duckdb", "--replace", "--no-summary")
    assert status == 0, err
    con = duckdb.connect(str(tmp_path / "d.duckdb"), read_only=True)
    # replaced, not appended: ids are unique and there is one set of costs (12 months × 5 channels × staff)
    assert con.execute("select count(*) - count(distinct conversation_id) from conversations").fetchall() == [(0,)]
    assert con.execute("select count(*) from costs where kind = 'staff'").fetchall() == [(60,)]


def test_summary_of_the_demo(run: Run) -> None:
    run("demo", "--size", "1000", "--db", "d.duckdb", "--no-summary")
    status, out, _ = run("summary", "--db", "d.duckdb")
    assert status == 0
    assert "chat" in out and "published CSAT" in out and "NPS:" in out


def test_bad_size_is_a_clear_error(run: Run) -> None:
    status, _, err = run("demo", "--size", "huge", "--db", "d.duckdb")
    assert status == 1
    assert "unknown demo size 'huge'" in err and "Hint:" in err
