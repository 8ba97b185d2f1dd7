"""DuckDB DDL derived from the table declarations, plus chatlift's own system tables."""

from __future__ import annotations

from typing import assert_never

from chatlift.domain.schema import TABLES, Column, ColumnType, Table


def duckdb_type(column_type: ColumnType) -> str:
    """The DuckDB type that stores ``column_type`` (timestamps: UTC, no zone)."""
    match column_type:
        case ColumnType.ID | ColumnType.TEXT:
            return "VARCHAR"
        case ColumnType.TIMESTAMP:
            return "TIMESTAMP"
        case ColumnType.MONEY | ColumnType.NUMBER:
            return "DOUBLE"
        case ColumnType.INTEGER:
            return "BIGINT"
        case ColumnType.BOOLEAN:
            return "BOOLEAN"
        case ColumnType.TEXT_LIST:
            return "VARCHAR[]"
        case _:
            assert_never(column_type)


def quote(identifier: str) -> str:
    """A DuckDB identifier in double quotes (``at`` and ``text`` are keywords)."""
    return '"' + identifier.replace('"', '""') + '"'


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def column_ddl(column: Column) -> str:
    null = " NOT NULL" if column.required else ""
    return f"{quote(column.name)} {duckdb_type(column.type)}{null}"


def create_table(table: Table) -> str:
    """``CREATE TABLE`` for a canonical table.

    No PRIMARY KEY: an ART index on tens of millions of rows costs memory and
    import speed, and the importer already guarantees one row per key.
    """
    cols = ",\n  ".join(column_ddl(c) for c in table.columns)
    return f"CREATE TABLE {quote(table.name)} (\n  {cols}\n)"


META_TABLE = "chatlift_meta"
IMPORTS_TABLE = "chatlift_imports"
QUARANTINE_TABLE = "chatlift_quarantine"

SYSTEM_DDL: tuple[str, ...] = (
    f"CREATE TABLE {META_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
    # One row per imported file (or API batch): what came in and what happened to it.
    f"""CREATE TABLE {IMPORTS_TABLE} (
  import_id BIGINT NOT NULL,
  table_name VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  format VARCHAR NOT NULL,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP NOT NULL,
  rows_read BIGINT NOT NULL,
  inserted BIGINT NOT NULL,
  updated BIGINT NOT NULL,
  unchanged BIGINT NOT NULL,
  rejected BIGINT NOT NULL,
  unknown_references BIGINT NOT NULL,
  timezone VARCHAR
)""",
    # One row per problem found in a rejected input row.
    f"""CREATE TABLE {QUARANTINE_TABLE} (
  import_id BIGINT NOT NULL,
  table_name VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  "row" BIGINT NOT NULL,
  field VARCHAR NOT NULL,
  value VARCHAR,
  reason VARCHAR NOT NULL
)""",
)


API_KEYS_TABLE = "chatlift_api_keys"
USERS_TABLE = "chatlift_users"
SESSIONS_TABLE = "chatlift_sessions"

# Who may use the HTTP API and the dashboard (schema version 2). Secrets are stored only as hashes.
ACCESS_DDL: tuple[str, ...] = (
    f"""CREATE TABLE {API_KEYS_TABLE} (
  key_id VARCHAR PRIMARY KEY,
  role VARCHAR NOT NULL,
  label VARCHAR,
  secret_hash VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  revoked_at TIMESTAMP
)""",
    f"""CREATE TABLE {USERS_TABLE} (
  username VARCHAR PRIMARY KEY,
  role VARCHAR NOT NULL,
  password_hash VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL
)""",
    f"""CREATE TABLE {SESSIONS_TABLE} (
  session_hash VARCHAR PRIMARY KEY,
  username VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL
)""",
)


CHANGES_TABLE = "chatlift_changes"
FACT_SOURCES = ("conversations", "messages", "orders", "cart_events", "visits", "survey_responses")
"""The canonical tables the derived fact tables read (chatlift.facts)."""

# Keys written since the derived fact tables were refreshed (schema version 3; see chatlift.facts.changes).
# A null key means every row of the table.
CHANGES_DDL: tuple[str, ...] = (
    f"CREATE TABLE IF NOT EXISTS {CHANGES_TABLE} (table_name VARCHAR NOT NULL, key VARCHAR, person VARCHAR)",
)


def schema_ddl() -> list[str]:
    """Every statement that creates a current-version database from nothing."""
    return [*SYSTEM_DDL, *ACCESS_DDL, *CHANGES_DDL, *(create_table(t) for t in TABLES)]
