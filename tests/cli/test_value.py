"""`chatlift value` end to end on the small demo: the JSON equals the library; staff cost from options and config."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import chatlift
from tests.cli.conftest import Run
from tests.close import assert_close


@pytest.fixture(scope="module")
def db(small_demo_file: Path) -> Path:
    return small_demo_file  # the value commands only read


def test_churn_and_cohorts(run: Run, db: Path) -> None:
    status, out, _ = run("value", "churn", "--from", "2025-04-01", "--to", "2025-07-01", "--db", str(db),
                         "--format", "json")
    with chatlift.connect(db, read_only=True) as ws:
        expected = ws.churn(date(2025, 4, 1), date(2025, 7, 1)).model_dump(mode="json")
    assert status == 0
    assert_close(json.loads(out), expected)
    status, out, _ = run("value", "cohorts", "--from", "2025-01-01", "--to", "2025-03-01", "--db", str(db))
    assert status == 0 and "2025-01" in out and "2025-02" in out


def test_roi_staff_from_options_and_from_chatlift_toml(run: Run, db: Path, tmp_path: Path) -> None:
    args = ("value", "roi", "--from", "2025-07-01", "--to", "2025-07-15", "--db", str(db), "--format", "json")
    status, out, _ = run(*args, "--agents", "2", "--hours-per-week", "30", "--hourly-rate", "20")
    assert status == 0 and json.loads(out)["cost"] == 2 * 30 * 2 * 20  # two weeks
    (tmp_path / "chatlift.toml").write_text("[staff]\nagents = 4\nhours_per_week = 35\nhourly_rate = 30\n",
                                            encoding="utf-8")
    status, out, _ = run(*args)
    assert status == 0 and json.loads(out)["cost"] == 4 * 35 * 2 * 30
    status, _, err = run(*args, "--agents", "2")
    assert status == 1 and "missing hours_per_week, hourly_rate" in err


def test_clv_table(run: Run, db: Path) -> None:
    status, out, _ = run("value", "clv", "--calibration-end", "2025-10-01", "--db", str(db))
    assert status == 0 and "BG/NBD" in out and "chatted" in out


def test_too_many_churn_periods_is_an_error_not_a_long_wait(run: Run, db: Path) -> None:
    status, _, err = run("value", "churn", "--from", "2000-01-01", "--to", "2025-01-01", "--every", "week",
                         "--db", str(db))
    assert status == 1 and "more than 120 periods" in err and "longer period" in err
