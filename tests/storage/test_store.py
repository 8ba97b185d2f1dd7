"""The DuckDB file: creation, schema version checks, migration, refusal of foreign files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from chatlift.domain.schema import TABLES
from chatlift.errors import SchemaVersionError, StoreError
from chatlift.storage.ddl import META_TABLE, duckdb_type
from chatlift.storage.store import SCHEMA_VERSION, Migration, Store


def test_new_file_has_every_declared_table_and_column(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    Store(path, create=True).close()
    con = duckdb.connect(str(path), read_only=True)
    for table in TABLES:
        cols = con.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            [table.name],
        ).fetchall()
        assert [c[0] for c in cols] == list(table.column_names)
        assert [c[1] for c in cols] == [duckdb_type(c.type) for c in table.columns]
        assert [c[2] == "NO" for c in cols] == [c.required for c in table.columns]
    version = con.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'schema_version'").fetchone()
    assert version == (str(SCHEMA_VERSION),)


def test_missing_file_names_the_path_and_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        Store(tmp_path / "absent.duckdb")
    assert "absent.duckdb" in str(info.value)
    assert info.value.hint is not None and "chatlift init" in info.value.hint


def test_newer_file_is_refused_with_upgrade_hint(tmp_path: Path) -> None:
    path = tmp_path / "future.duckdb"
    Store(path, create=True).close()
    con = duckdb.connect(str(path))
    con.execute(f"UPDATE {META_TABLE} SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(SchemaVersionError) as info:
        Store(path)
    assert "99" in str(info.value) and str(SCHEMA_VERSION) in str(info.value)
    assert info.value.hint is not None and "upgrade" in info.value.hint


def _add_note_column(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("ALTER TABLE orders ADD COLUMN note VARCHAR")


def test_older_file_is_migrated_on_open_and_keeps_its_rows(tmp_path: Path) -> None:
    """A v1 file opened by a (test) release at v2 runs the v1→v2 step once, in order."""
    path = tmp_path / "old.duckdb"
    with Store(path, create=True) as store:
        store.con.execute(
            "INSERT INTO orders (order_id, ordered_at, amount, currency) VALUES ('o1', '2025-01-01', 10, 'EUR')"
        )
    step = Migration(version=SCHEMA_VERSION + 1, description="add orders.note", apply=_add_note_column)
    # The test release's declaration does not know `note`, so the table check would object;
    # the migration path itself is what is under test here.
    with pytest.raises(StoreError, match="does not match"):
        Store(path, migrations=(step,), schema_version=SCHEMA_VERSION + 1)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute(f"SELECT value FROM {META_TABLE}").fetchone() == (str(SCHEMA_VERSION + 1),)
    assert con.execute("SELECT order_id, note FROM orders").fetchall() == [("o1", None)]


def test_older_file_read_only_asks_for_migrate(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    Store(path, create=True).close()
    step = Migration(version=SCHEMA_VERSION + 1, description="noop", apply=lambda con: None)
    with pytest.raises(SchemaVersionError) as info:
        Store(path, read_only=True, migrations=(step,), schema_version=SCHEMA_VERSION + 1)
    assert info.value.hint is not None and "chatlift migrate" in info.value.hint


def test_missing_migration_step_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "gap.duckdb"
    Store(path, create=True).close()
    with pytest.raises(SchemaVersionError, match="no migration path"):
        Store(path, migrations=(), schema_version=SCHEMA_VERSION + 1)


def test_failed_migration_rolls_back_that_step(tmp_path: Path) -> None:
    path = tmp_path / "fail.duckdb"
    Store(path, create=True).close()

    def broken(con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("disk on fire")

    step = Migration(version=SCHEMA_VERSION + 1, description="broken", apply=broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        Store(path, migrations=(step,), schema_version=SCHEMA_VERSION + 1)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute(f"SELECT value FROM {META_TABLE}").fetchone() == (str(SCHEMA_VERSION),)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'half_done'").fetchone() == (0,)


def test_foreign_duckdb_file_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE sales (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a chatlift database"):
        Store(path)


def test_changed_table_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "drift.duckdb"
    Store(path, create=True).close()
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE visits DROP COLUMN page")
    con.close()
    with pytest.raises(StoreError, match="table visits does not match"):
        Store(path)


def test_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        Store(tmp_path, create=True)


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    with Store(tmp_path / "tx.duckdb", create=True) as store:
        with pytest.raises(ValueError), store.transaction() as con:
            con.execute("INSERT INTO goals (goal_id, name, \"at\") VALUES ('g1', 'signup', '2025-01-01')")
            raise ValueError("stop")
        assert store.row_counts()["goals"] == 0
