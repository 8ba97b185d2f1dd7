"""The command line end to end on a real DuckDB file: statuses, output shapes, error rendering."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb

from chatlift.storage.store import SCHEMA_VERSION
from tests.cli.conftest import Run

ORDERS_CSV = """order_id,ordered_at,amount,currency,customer_id
o1,2025-01-05T10:00:00Z,100.00,EUR,cu1
o2,2025-01-05T11:00:00+01:00,12,50,EUR,cu2
o3,2025-01-06T09:30:00Z,49.5,eur,cu3
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_init_creates_the_file_and_refuses_to_overwrite(run: Run, tmp_path: Path) -> None:
    status, _, err = run("init", "--db", "a.duckdb")
    assert status == 0 and (tmp_path / "a.duckdb").is_file()
    assert f"schema version {SCHEMA_VERSION}" in err
    status, _, err = run("init", "--db", "a.duckdb")
    assert status == 1
    assert "Error:" in err and "already exists" in err


def test_import_reports_counts_and_rejects_and_strict_sets_status(run: Run, tmp_path: Path) -> None:
    run("init", "--db", "t.duckdb")
    # Row 2 has an unquoted decimal comma, so the CSV reader sees 6 fields: a malformed record.
    _write(tmp_path / "orders.csv", ORDERS_CSV)
    status, out, _ = run("import", "orders", "orders.csv", "--db", "t.duckdb", "--output", "json")
    assert status == 0
    result = json.loads(out)
    assert (result["rows_read"], result["inserted"], result["rejected"]) == (3, 2, 1)
    assert result["issues"][0]["row"] == 2
    status, out, _ = run("import", "orders", "orders.csv", "--db", "t.duckdb", "--strict", "--output", "json")
    assert status == 1
    again = json.loads(out)
    assert (again["inserted"], again["unchanged"], again["rejected"]) == (0, 2, 1)
    con = duckdb.connect(str(tmp_path / "t.duckdb"), read_only=True)
    assert con.execute("SELECT order_id, currency FROM orders ORDER BY 1").fetchall() == [("o1", "EUR"), ("o3", "EUR")]


def test_import_table_output_lists_issues_with_file_row_and_field(run: Run, tmp_path: Path) -> None:
    run("init", "--db", "t.duckdb")
    _write(tmp_path / "o.csv", 'order_id,ordered_at,amount,currency\no1,2025-01-05T10:00:00Z,"12,50",EUR\n')
    status, _, err = run("import", "orders", "o.csv", "--db", "t.duckdb")
    assert status == 0
    assert "o.csv, row 1, field amount = '12,50'" in err
    assert "decimal comma" in err
    assert (tmp_path / "o.csv.rejected.csv").is_file()


def test_errors_render_as_error_and_hint_with_status_1(run: Run, tmp_path: Path) -> None:
    run("init", "--db", "t.duckdb")
    _write(tmp_path / "o.csv", ORDERS_CSV)
    status, _, err = run("import", "ordres", "o.csv", "--db", "t.duckdb")
    assert status == 1
    assert "Error: unknown table 'ordres'" in err
    assert "Hint: Did you mean orders?" in err
    assert "Traceback" not in err


def test_usage_error_has_status_2(run: Run) -> None:
    status, _, err = run("import")
    assert status == 2
    assert "Missing argument" in err


def test_opening_missing_database_tells_how_to_create_it(run: Run) -> None:
    status, _, err = run("status", "--db", "nowhere.duckdb")
    assert status == 1
    assert "no chatlift database at nowhere.duckdb" in err
    assert "chatlift init" in err


def test_db_setting_precedence_flag_over_env_over_toml(run: Run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _write(tmp_path / "chatlift.toml", 'db = "from_toml.duckdb"\n')
    run("init")
    assert (tmp_path / "from_toml.duckdb").is_file()
    monkeypatch.setenv("CHATLIFT_DB", "from_env.duckdb")
    run("init")
    assert (tmp_path / "from_env.duckdb").is_file()
    run("init", "--db", "from_flag.duckdb")
    assert (tmp_path / "from_flag.duckdb").is_file()


def test_unknown_toml_key_is_named_with_a_close_match(run: Run, tmp_path: Path) -> None:
    _write(tmp_path / "chatlift.toml", 'timezon = "UTC"\n')
    status, _, err = run("init")
    assert status == 1
    assert "unknown setting 'timezon'" in err and "Did you mean timezone?" in err


def test_timezone_from_config_applies_to_import(run: Run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    run("init", "--db", "t.duckdb")
    monkeypatch.setenv("CHATLIFT_TIMEZONE", "America/New_York")
    _write(tmp_path / "g.csv", "goal_id,name,at\ng1,signup,2025-01-15 09:00\n")
    status, _, _ = run("import", "goals", "g.csv", "--db", "t.duckdb")
    assert status == 0
    con = duckdb.connect(str(tmp_path / "t.duckdb"), read_only=True)
    # New York is UTC-5 in January: 09:00 local is 14:00 UTC.
    assert [str(r[0]) for r in con.execute('SELECT "at" FROM goals').fetchall()] == ["2025-01-15 14:00:00"]


def test_every_command_and_option_has_help() -> None:
    import typer.main

    from chatlift.cli.main import app

    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert {"init", "migrate", "status", "import", "demo", "summary", "metrics", "report", "export"} <= set(commands)
    pending = list(commands.items())
    while pending:
        name, command = pending.pop()
        assert command.help, f"command {name} has no help"
        for param in command.params:
            if param.param_type_name == "option":
                assert getattr(param, "help", None), f"{name} {param.opts} has no help"
        pending += [(f"{name} {sub}", c) for sub, c in getattr(command, "commands", {}).items()]


def test_quarantine_lists_issues_as_csv(run: Run, tmp_path: Path) -> None:
    run("init", "--db", "t.duckdb")
    _write(tmp_path / "s.csv", "response_id,survey,score,answered_at\nr1,nps,11,2025-01-01T00:00:00Z\nr2,csat,5,2025-01-01T00:00:00Z\n")
    run("import", "survey_responses", "s.csv", "--db", "t.duckdb")
    status, out, _ = run("quarantine", "--db", "t.duckdb", "--output", "csv")
    assert status == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["table", "file", "row", "field", "value", "reason"]
    assert len(rows) == 2  # one issue: the nps score 11 on 0-10
    assert rows[1][:5] == ["survey_responses", "s.csv", "1", "score", "11"]
    assert rows[1][5].startswith("outside the survey scale 0-10")


def test_migrate_brings_the_fact_tables_up_to_date(run: Run, tmp_path: Path) -> None:
    run("init", "--db", "m.duckdb")
    _write(tmp_path / "orders.csv", ORDERS_CSV)
    run("import", "orders", "orders.csv", "--db", "m.duckdb")
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    con.execute("DROP TABLE chatlift_order_facts")  # as a file from before the fact tables would be
    con.close()
    status, _, err = run("migrate", "--db", "m.duckdb")
    assert status == 0 and "chatlift_order_facts (rebuilt)" in err
    con = duckdb.connect(str(tmp_path / "m.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM chatlift_order_facts").fetchall() == [(0,)]  # no conversations
    assert con.execute("SELECT count(*) FROM chatlift_changes").fetchall() == [(0,)]
    con.close()
    status, _, err = run("migrate", "--db", "m.duckdb")
    assert status == 0 and "nothing to migrate" in err and "Fact tables" not in err
