from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from chatlift.workspace import connect

CALIBRATION_SEED = 2025


@pytest.fixture(scope="session")
def medium_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The medium demo (300 000 conversations), generated once per test session."""
    path = tmp_path_factory.mktemp("demo") / "medium.duckdb"
    with connect(path, create=True) as ws:
        ws.generate_demo("medium", seed=CALIBRATION_SEED)
    return path


@pytest.fixture(scope="session")
def medium(medium_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the medium demo, reporting in UTC."""
    con = duckdb.connect(str(medium_db), read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    yield con
    con.close()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    rows = con.execute(sql).fetchall()
    assert len(rows) == 1
    return float(rows[0][0])
