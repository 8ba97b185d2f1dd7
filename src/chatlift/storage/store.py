"""The DuckDB file: creation, schema version, migration and bulk writes.

A chatlift database records its schema version in ``chatlift_meta``. Opening a
file written by an older release migrates it forward (each step in its own
transaction); opening a file from a newer release is refused with a message
that says which release is needed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import duckdb
import pyarrow as pa

from chatlift.domain.schema import TABLES, TABLES_BY_NAME
from chatlift.errors import SchemaVersionError, StoreError
from chatlift.storage.ddl import (
    ACCESS_DDL,
    CHANGES_DDL,
    CHANGES_TABLE,
    FACT_SOURCES,
    META_TABLE,
    duckdb_type,
    quote,
    schema_ddl,
    sql_string,
)

SCHEMA_VERSION = 4  # bump together with a new entry in MIGRATIONS


@dataclass(frozen=True, slots=True)
class Migration:
    """One step that brings a file from ``version - 1`` to ``version``."""

    version: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _add_access_tables(con: duckdb.DuckDBPyConnection) -> None:
    for statement in ACCESS_DDL:
        con.execute(statement)


def record_everything_changed(con: duckdb.DuckDBPyConnection, table_names: Iterable[str]) -> None:
    """Record in ``chatlift_changes`` that every row of those of these canonical tables that the fact tables
    read may have changed (a null key): the next refresh rebuilds the facts that read them whole."""
    for name in table_names:
        if name in FACT_SOURCES:
            con.execute(f"INSERT INTO {CHANGES_TABLE} VALUES ({sql_string(name)}, NULL, NULL)")


def _add_changes_table(con: duckdb.DuckDBPyConnection) -> None:
    for statement in CHANGES_DDL:
        con.execute(statement)
    record_everything_changed(con, FACT_SOURCES)  # the fact tables do not exist yet: built whole at the next refresh


# Steps from older schema versions to SCHEMA_VERSION, in order.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "API keys, dashboard users and sessions", _add_access_tables),
    Migration(3, "changes awaiting the derived fact tables", _add_changes_table),
    Migration(4, "person keys in the derived fact tables (rebuilt at the next refresh)",
              lambda con: record_everything_changed(con, FACT_SOURCES)),
)


def _is_interrupt(exc: BaseException) -> bool:
    """True for DuckDB's report of a query stopped by Ctrl-C."""
    if isinstance(exc, duckdb.InterruptException):
        return True
    return isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower()


class Store:
    """An open chatlift DuckDB file.

    Args:
        path: the database file.
        read_only: open without write access (several readers may share a file).
        create: create the file when it does not exist.
        migrations / schema_version: the migration path; tests pass their own.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        create: bool = False,
        migrations: tuple[Migration, ...] = MIGRATIONS,
        schema_version: int = SCHEMA_VERSION,
    ) -> None:
        self.path = Path(path)
        self._migrations = migrations
        self._target_version = schema_version
        self.migrated_from: int | None = None
        exists = self.path.exists()
        if not exists and not create:
            raise StoreError(
                f"no chatlift database at {self.path}",
                hint=f"create one with `chatlift init --db {self.path}` or `chatlift demo --db {self.path}`",
            )
        if not exists and read_only:
            raise StoreError(f"cannot create {self.path} read-only")
        if exists and self.path.is_dir():
            raise StoreError(f"{self.path} is a directory, not a database file")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot open {self.path}: {exc}",
                hint="is another chatlift process writing to it? Close it, or open read-only.",
            ) from exc
        self.read_only = read_only
        try:
            # Stored timestamps are UTC wall time; casts from TIMESTAMPTZ must land there.
            self.con.execute("SET TimeZone = 'UTC'")
            # chatlift draws its own progress bars (on stderr, only where asked).
            self.con.execute("SET enable_progress_bar = false")
            self._prepare(fresh=not exists)
        except BaseException:
            self.con.close()
            raise

    # -- schema version -------------------------------------------------

    def _prepare(self, *, fresh: bool) -> None:
        if fresh or not self._has_table(META_TABLE):
            if self._user_tables() and not fresh:
                raise StoreError(
                    f"{self.path} is a DuckDB file but not a chatlift database "
                    f"(it has tables {', '.join(sorted(self._user_tables())[:5])} and no {META_TABLE})",
                    hint="point --db at a new file, or at a database made by `chatlift init`",
                )
            self._create_schema()
            return
        version = self.schema_version
        if version > self._target_version:
            raise SchemaVersionError(
                f"{self.path} has schema version {version}; this chatlift release reads up to "
                f"version {self._target_version}",
                hint="upgrade chatlift (pip install --upgrade chatlift) to open this file",
            )
        if version < self._target_version:
            if self.read_only:
                raise SchemaVersionError(
                    f"{self.path} has schema version {version}, older than this release's "
                    f"{self._target_version}",
                    hint=f"run `chatlift migrate --db {self.path}` once, then retry",
                )
            self.migrate()
        self._check_tables()

    def _create_schema(self) -> None:
        with self.transaction():
            for statement in schema_ddl():
                self.con.execute(statement)
            self.con.execute(
                f"INSERT INTO {META_TABLE} VALUES ('schema_version', ?)", [str(self._target_version)]
            )

    @property
    def schema_version(self) -> int:
        row = self.con.execute(
            f"SELECT value FROM {META_TABLE} WHERE key = 'schema_version'"
        ).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: {META_TABLE} has no schema_version")
        return int(row[0])

    def migrate(self) -> list[Migration]:
        """Apply every pending migration in order; return the steps applied."""
        start = self.schema_version
        steps = [m for m in self._migrations if start < m.version <= self._target_version]
        expected = list(range(start + 1, self._target_version + 1))
        if [m.version for m in steps] != expected:
            raise SchemaVersionError(
                f"no migration path from schema version {start} to {self._target_version}",
                hint="this file was written by an unreleased build; re-create it with `chatlift init`",
            )
        for step in steps:
            with self.transaction():
                step.apply(self.con)
                self.con.execute(
                    f"UPDATE {META_TABLE} SET value = ? WHERE key = 'schema_version'",
                    [str(step.version)],
                )
        if steps:
            self.migrated_from = start
        return steps

    def _has_table(self, name: str) -> bool:
        return name in self._user_tables()

    def _user_tables(self) -> set[str]:
        rows = self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main'"
        ).fetchall()
        return {r[0] for r in rows}

    def _check_tables(self) -> None:
        """Fail clearly when a canonical table is missing or its columns differ."""
        rows = self.con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'main'"
        ).fetchall()
        found: dict[str, dict[str, str]] = {}
        for table_name, column_name, data_type in rows:
            found.setdefault(table_name, {})[column_name] = data_type
        for table in TABLES:
            have = found.get(table.name)
            want = {c.name: duckdb_type(c.type) for c in table.columns}
            if have != want:
                raise StoreError(
                    f"{self.path}: table {table.name} does not match schema version "
                    f"{self._target_version} (found columns {have}, expected {want})",
                    hint="the file was changed outside chatlift; re-create it with `chatlift init`",
                )

    # -- writing ----------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """BEGIN … COMMIT; any exception (Ctrl-C included) rolls back."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException as exc:
            with contextlib.suppress(duckdb.Error):
                self.con.execute("ROLLBACK")
            if _is_interrupt(exc):
                # DuckDB turns Ctrl-C during a query into its own error; callers see one kind.
                raise KeyboardInterrupt from exc
            raise
        self.con.execute("COMMIT")

    @contextlib.contextmanager
    def memory_limit(self, limit: str) -> Iterator[None]:
        """Run the block with DuckDB's buffer pool capped at ``limit`` (e.g. ``"2GB"``).

        Long bulk writes otherwise keep every written block cached up to
        DuckDB's default (80 % of RAM); the cap makes it evict instead.
        """
        previous = self.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        self.con.execute(f"SET memory_limit = {sql_string(limit)}")
        try:
            yield
        finally:
            self.con.execute(f"SET memory_limit = {sql_string(str(previous))}")

    def append_arrow(self, table_name: str, data: pa.Table | pa.RecordBatch) -> int:
        """Append Arrow rows to a canonical table (columns matched by name); return the count.

        Used for generated data whose keys are known to be new; imports go
        through `ingest`, which validates and upserts instead.
        """
        table = TABLES_BY_NAME[table_name]
        cols = ", ".join(quote(c) for c in table.column_names)
        self.con.register("_chatlift_append", data)
        try:
            self.con.execute(
                f"INSERT INTO {quote(table_name)} ({cols}) SELECT {cols} FROM _chatlift_append"
            )
            record_everything_changed(self.con, (table_name,))  # appended in bulk: the facts are rebuilt whole
        finally:
            self.con.unregister("_chatlift_append")
        return int(data.num_rows)

    def truncate(self, table_names: tuple[str, ...] | None = None) -> None:
        """Delete every row of the given canonical tables (all when None)."""
        for name in table_names or tuple(TABLES_BY_NAME):
            self.con.execute(f"DELETE FROM {quote(name)}")
            record_everything_changed(self.con, (name,))

    # -- reading ----------------------------------------------------------

    def row_counts(self) -> dict[str, int]:
        """Rows per canonical table, in declaration order."""
        parts = " UNION ALL ".join(
            f"SELECT '{t.name}' AS t, count(*) AS n FROM {quote(t.name)}" for t in TABLES
        )
        counts = dict(self.con.execute(parts).fetchall())
        return {t.name: int(counts[t.name]) for t in TABLES}

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
