"""The steps every import shares, whatever the input: stage, flag duplicates, collect issues, log.

A *source* (a file read by `formats`, or an API batch read by `batch`) is SQL
of a relation with ``__row`` and one column per canonical column. Staging
turns it into the temporary table ``__chatlift_stage``: the typed values, a
``__bad`` flag and, for bad rows, the list of their issues (`validation`
supplies the expressions, so a file and a batch are validated by the same SQL).
"""

from __future__ import annotations

import time

import duckdb

from chatlift.domain.schema import Table
from chatlift.ingest.formats import ROW_COLUMN, Source
from chatlift.ingest.result import Issue
from chatlift.ingest.validation import column_check, row_rule_checks
from chatlift.storage.ddl import IMPORTS_TABLE, QUARANTINE_TABLE, quote, sql_string

STAGE = "__chatlift_stage"
ROW_FIELD = "(row)"  # the field named when a whole record is broken


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    """The first column of the first row of ``sql`` as an int (0 for no row or NULL)."""
    rows = con.execute(sql, params or []).fetchall()  # fetched to the end: the connection is free again
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def next_import_id(con: duckdb.DuckDBPyConnection) -> int:
    """The id of the import about to be logged (one more than the largest so far)."""
    return scalar(con, f"SELECT coalesce(max(import_id), 0) + 1 FROM {IMPORTS_TABLE}")


def stage_sql(table: Table, source: Source, timezone: str | None) -> str:
    """CREATE the stage table from `stage_select`, with ``__dup`` false (see `mark_duplicates`)."""
    return f"CREATE OR REPLACE TEMP TABLE {STAGE} AS {stage_select(table, source, timezone)}"


def stage_select(table: Table, source: Source, timezone: str | None) -> str:
    """SELECT the staged rows: typed columns, ``__bad``, for bad rows the list of their issues, ``__dup``.

    Layered (see `validation.ColumnCheck`) so every expression runs once per
    value; the issues of a row are one list column (NULL for good rows) so that
    good rows cost nothing extra to store.
    """
    checks = [column_check(c, source.column_types.get(c.name), timezone, i) for i, c in enumerate(table.columns)]
    helpers = [f"{expr} AS {alias}" for chk in checks for alias, expr in chk.prepared]
    broken = source.broken
    layer1 = f"SELECT {ROW_COLUMN}, CAST({broken} AS VARCHAR) AS __broken, {', '.join(helpers)} FROM ({source.sql})"
    typed = ", ".join(f"{chk.typed} AS {quote(chk.column.name)}" for chk in checks)
    layer2 = f"SELECT *, {typed} FROM ({layer1})"
    rules = row_rule_checks(table)
    reasons = [f"{chk.reason} AS __r{i}" for i, chk in enumerate(checks)]
    reasons += [f"{rule.reason} AS __rr{j}" for j, rule in enumerate(rules)]
    layer3 = f"SELECT *, {', '.join(reasons)} FROM ({layer2})"
    entries = [f"{{'o': -1, 'field': {sql_string(ROW_FIELD)}, 'value': NULL, 'reason': __broken}}"]
    for i, chk in enumerate(checks):
        entries.append(
            f"{{'o': {i}, 'field': {sql_string(chk.column.name)}, 'value': {chk.raw_text}, 'reason': __r{i}}}"
        )
    for j, rule in enumerate(rules):
        idx = table.column_names.index(rule.field)
        value = f"CAST({quote(rule.field)} AS VARCHAR)"
        entries.append(f"{{'o': {idx}, 'field': {sql_string(rule.field)}, 'value': {value}, 'reason': __rr{j}}}")
    bad = " OR ".join(
        ["__broken IS NOT NULL", *(f"__r{i} IS NOT NULL" for i in range(len(checks))),
         *(f"__rr{j} IS NOT NULL" for j in range(len(rules)))]
    )
    # A broken record (malformed JSON line) reports only that, not every missing field.
    issues = (
        f"CASE WHEN __broken IS NOT NULL THEN [{entries[0]}] "
        f"ELSE list_filter([{', '.join(entries[1:])}], lambda e: e.reason IS NOT NULL) END"
    )
    final_cols = []
    for chk in checks:
        name = quote(chk.column.name)
        default = chk.column.default
        final_cols.append(f"coalesce({name}, {default}) AS {name}" if default is not None else name)
    return (
        f"SELECT {ROW_COLUMN}, {', '.join(final_cols)}, "
        f"({bad}) AS __bad, CASE WHEN {bad} THEN {issues} END AS __issues, false AS __dup FROM ({layer3})"
    )


def key_match(left: str, right: str, table: Table) -> str:
    """SQL that is true when rows ``left`` and ``right`` have the same key (NULL parts equal too)."""
    return " AND ".join(f"{left}.{quote(k)} IS NOT DISTINCT FROM {right}.{quote(k)}" for k in table.key)


def duplicate_count(con: duckdb.DuckDBPyConnection, table: Table) -> int:
    """Good staged rows whose key another good staged row has too, minus one per key."""
    keys = ", ".join(quote(k) for k in table.key)
    return scalar(con, f"SELECT count(*) - count(DISTINCT ({keys},)) FROM {STAGE} WHERE NOT __bad")


def mark_duplicates(con: duckdb.DuckDBPyConnection, table: Table, dupes: int | None = None) -> None:
    """Among good rows, a key seen again later loses: it is flagged ``__dup``.

    ``dupes`` is `duplicate_count` when the caller has it already.
    """
    if dupes is None:
        dupes = duplicate_count(con, table)
    if dupes == 0:
        return
    keys = ", ".join(quote(k) for k in table.key)
    con.execute(
        f"UPDATE {STAGE} SET __dup = true WHERE {ROW_COLUMN} IN (SELECT {ROW_COLUMN} FROM ("
        f"SELECT {ROW_COLUMN}, row_number() OVER (PARTITION BY {keys} ORDER BY {ROW_COLUMN} DESC) AS rn "
        f"FROM {STAGE} WHERE NOT __bad) WHERE rn > 1)"
    )


def collect_issues(con: duckdb.DuckDBPyConnection, table: Table, source: str, unit: str = "file") -> list[Issue]:
    """Every problem of every rejected row, ordered by row, then by the field's column position.

    ``unit`` names the input in the duplicate message ("file" or "batch").
    """
    key_value = " || '/' || ".join(f"coalesce(CAST({quote(k)} AS VARCHAR), '')" for k in table.key)
    key_name = "+".join(table.key)
    duplicate = f"duplicate {key_name} in this {unit}: a later row with the same key was imported"
    rows = con.execute(
        f"SELECT {ROW_COLUMN}, e.o, e.field, e.value, e.reason FROM "
        f"(SELECT {ROW_COLUMN}, unnest(__issues) AS e FROM {STAGE} WHERE __bad) "
        f"UNION ALL SELECT {ROW_COLUMN}, -2, {sql_string(key_name)}, {key_value}, {sql_string(duplicate)} "
        f"FROM {STAGE} WHERE __dup ORDER BY 1, 2"
    ).fetchall()
    return [Issue(source=source, row=int(r[0]), field=str(r[2]), value=r[3], reason=str(r[4])) for r in rows]


def store_issues(con: duckdb.DuckDBPyConnection, import_id: int, table_name: str, issues: list[Issue]) -> None:
    """Append the issues to ``chatlift_quarantine`` under ``import_id``."""
    import pyarrow as pa

    batch = pa.table(
        {
            "import_id": pa.array([import_id] * len(issues), pa.int64()),
            "table_name": pa.array([table_name] * len(issues)),
            "source": pa.array([i.source for i in issues]),
            "row": pa.array([i.row for i in issues], pa.int64()),
            "field": pa.array([i.field for i in issues]),
            "value": pa.array([i.value for i in issues], pa.string()),
            "reason": pa.array([i.reason for i in issues]),
        }
    )
    con.register("__chatlift_issues", batch)
    try:
        con.execute(f"INSERT INTO {QUARANTINE_TABLE} SELECT * FROM __chatlift_issues")
    finally:
        con.unregister("__chatlift_issues")


def log_import(
    con: duckdb.DuckDBPyConnection,
    *,
    import_id: int,
    table_name: str,
    source: str,
    fmt: str,
    started: float,
    counts: tuple[int, int, int, int, int, int],
    timezone: str | None,
) -> None:
    """Write the ``chatlift_imports`` row; ``started`` is a `time.perf_counter` reading.

    ``counts`` = (rows_read, inserted, updated, unchanged, rejected, unknown reference rows).
    """
    con.execute(
        f"INSERT INTO {IMPORTS_TABLE} VALUES (?, ?, ?, ?, now()::TIMESTAMP - to_microseconds(?), "
        "now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?)",
        [import_id, table_name, source, fmt, int((time.perf_counter() - started) * 1e6), *counts, timezone],
    )
