"""`chatlift experiment` end to end on the small demo (its built-in realtime_support experiment)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

import chatlift
from chatlift.experiments import bucket
from tests.cli.conftest import Run
from tests.close import assert_close


@pytest.fixture
def db(small_demo_file: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.duckdb"  # assign writes
    shutil.copy(small_demo_file, copy)
    return copy


def test_list_counts_units_per_variant(run: Run, db: Path) -> None:
    status, out, _ = run("experiment", "list", "--db", str(db), "--format", "json")
    (found,) = json.loads(out)
    con = duckdb.connect(str(db), read_only=True)
    expected = dict(con.execute("SELECT variant, count(*) FROM assignments GROUP BY variant").fetchall())
    con.close()
    assert status == 0 and found["key"] == "realtime_support" and found["builtin"]
    assert found["variants"] == expected


def test_assign_records_the_first_exposure_once(run: Run, db: Path) -> None:
    status, out, _ = run("experiment", "assign", "realtime_support", "cu_new_1", "cu_new_2", "--db", str(db),
                         "--format", "json")
    first = json.loads(out)
    # the variant follows from the documented hash: SHA-256 of "key:unit", first 8 bytes / 2^64, 50/50 split
    assert [a["variant"] for a in first] == ["control" if bucket("realtime_support", u) < 0.5 else "realtime"
                                             for u in ("cu_new_1", "cu_new_2")]
    assert all(a["new"] for a in first)
    status, out, _ = run("experiment", "assign", "realtime_support", "cu_new_1", "--db", str(db), "--format", "json")
    (again,) = json.loads(out)
    assert not again["new"] and again["assigned_at"] == first[0]["assigned_at"]
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute("SELECT count(*) FROM assignments WHERE unit_id IN ('cu_new_1', 'cu_new_2')").fetchone()
    con.close()
    assert stored == (2,)
    status, out, _ = run("experiment", "assign", "realtime_support", "cu_new_3", "--dry-run", "--db", str(db))
    assert status == 0 and "not recorded" in out
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM assignments WHERE unit_id = 'cu_new_3'").fetchone() == (0,)
    con.close()


def test_analyze_prints_the_library_result(run: Run, db: Path) -> None:
    status, out, _ = run("experiment", "analyze", "realtime_support", "--db", str(db), "--format", "json",
                         "--sequential", "--correction", "bh")
    document = json.loads(out)
    with chatlift.connect(db, read_only=True) as ws:
        expected = ws.analyze("realtime_support", sequential=True, correction="bh").model_dump(mode="json")
    assert status == 0
    assert_close(document, expected)
    assert document["method"] == "sequential" and document["correction"] == "bh"
    status, out, _ = run("experiment", "analyze", "realtime_support", "--db", str(db))
    assert status == 0 and "Verdict:" in out and "Sample ratio" in out
    assert "Fixed-horizon test" in out  # the peeking note when sequential is off


def test_unknown_experiment_and_plan(run: Run, db: Path) -> None:
    status, _, err = run("experiment", "analyze", "realtime_suport", "--db", str(db))
    assert status == 1 and "realtime_support" in err
    status, out, _ = run("experiment", "plan", "--baseline", "0.1", "--mde", "0.2", "--daily-units", "500",
                         "--format", "json")
    planned = json.loads(out)
    expected = chatlift.Workspace.plan(baseline=0.1, mde=0.2, daily_units=500).model_dump(mode="json")
    assert status == 0 and planned == expected
    assert planned["days"] == -(-planned["total_units"] // 500)  # whole days of 500 units


def test_experiments_declared_in_chatlift_toml_are_known(run: Run, db: Path, tmp_path: Path) -> None:
    (tmp_path / "chatlift.toml").write_text(
        '[experiments.proactive_invite]\nunit = "visitor"\nvariants = { control = 0.5, invite = 0.5 }\n'
        'start = 2025-09-01\nprimary = ["conversion"]\n', encoding="utf-8")
    status, out, _ = run("experiment", "list", "--db", str(db), "--format", "json")
    found = {e["key"]: e for e in json.loads(out)}
    assert status == 0 and found["proactive_invite"]["declared"] and not found["proactive_invite"]["builtin"]
    status, out, _ = run("experiment", "assign", "proactive_invite", "v-1", "--db", str(db), "--format", "json")
    (assigned,) = json.loads(out)
    assert assigned["variant"] == ("control" if bucket("proactive_invite", "v-1") < 0.5 else "invite")
    (tmp_path / "chatlift.toml").write_text('[experiments.bad]\nunit = "robot"\n', encoding="utf-8")
    status, _, err = run("experiment", "list", "--db", str(db))
    assert status == 1 and "chatlift.toml" in err and "bad" in err
