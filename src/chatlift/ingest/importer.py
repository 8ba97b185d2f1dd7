"""Import one file into one canonical table: validate, quarantine, upsert — in one transaction.

Steps, all inside DuckDB:

1. read the file (`formats`) and compute every column's typed value and
   rejection reason (`validation`) into a temporary stage table;
2. rows with any reason are *rejected*: each problem becomes a row of
   ``chatlift_quarantine`` and of ``<file>.rejected.csv``;
3. among the good rows, a key that occurs twice keeps its last row; earlier
   ones are rejected as duplicates (nothing is dropped silently);
4. good rows are compared with the table by key: new keys are *inserted*,
   changed rows *updated* (replaced), identical rows left *unchanged*, so a
   re-import never double-counts;
5. references to conversations/customers that do not exist are counted, the
   rows are kept.

Any exception (Ctrl-C included) rolls the whole file back.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from chatlift.domain.schema import CUSTOMER_SOURCES, CUSTOMERS, Table
from chatlift.facts import changes
from chatlift.ingest.formats import ROW_COLUMN, FileFormat, detect_format, open_source
from chatlift.ingest.result import ImportResult, UnknownReference
from chatlift.ingest.stage import (
    STAGE,
    collect_issues,
    key_match,
    log_import,
    mark_duplicates,
    next_import_id,
    scalar,
    stage_sql,
    store_issues,
)
from chatlift.storage.ddl import QUARANTINE_TABLE, quote, sql_string
from chatlift.storage.store import Store, record_everything_changed

COMPARE = "__chatlift_compare"

Progress = Callable[[float], None]
"""Called with the fraction (0–1) of the file read so far."""


def import_file(
    store: Store,
    table: Table,
    path: Path,
    *,
    fmt: FileFormat | None = None,
    timezone: str | None = None,
    rejects_dir: Path | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``path`` into ``table``; see the module docstring for the steps.

    Args:
        store: the open database (writable).
        table: the canonical table declaration.
        path: CSV, JSONL or Parquet file.
        fmt: force a format instead of reading it from the extension.
        timezone: IANA zone for timestamps written without offset.
        rejects_dir: where ``<file>.rejected.csv`` goes (default: beside the file).
        progress: called with the fraction read while the file is scanned.

    Returns:
        The counts, the issues of rejected rows and unknown references.
    """
    started = time.perf_counter()
    fmt = detect_format(path, fmt)
    con = store.con
    source = open_source(con, path, fmt, table)
    source_name = str(path)
    with store.transaction():
        import_id = next_import_id(con)
        _run_with_progress(con, stage_sql(table, source, timezone), progress)
        if source.number_rows:
            # Rows were staged in file order; numbering them here avoids a serial window.
            # Transaction-local rowids start at a large offset, hence the minimum.
            con.execute(f"UPDATE {STAGE} SET {ROW_COLUMN} = rowid - (SELECT min(rowid) FROM {STAGE}) + 1")
        if fmt is FileFormat.CSV:
            _apply_reader_rejects(con)
        rows_read = scalar(con, f"SELECT count(*) FROM {STAGE}")
        mark_duplicates(con, table)
        issues = collect_issues(con, table, source_name)
        rejected = scalar(con, f"SELECT count(*) FROM {STAGE} WHERE __bad OR __dup")
        inserted, updated, unchanged = _upsert(con, table)
        unknown = _unknown_references(con, table)
        con.execute(
            f"DELETE FROM {QUARANTINE_TABLE} WHERE table_name = ? AND source = ?", [table.name, source_name]
        )
        if issues:
            store_issues(con, import_id, table.name, issues)
        log_import(
            con, import_id=import_id, table_name=table.name, source=source_name, fmt=fmt.value, started=started,
            counts=(rows_read, inserted, updated, unchanged, rejected, sum(u.rows for u in unknown)),
            timezone=timezone,
        )
        rejected_file = _write_rejects(con, table, path, rejects_dir, rejected)
        con.execute(f"DROP TABLE IF EXISTS {STAGE}")
        con.execute(f"DROP TABLE IF EXISTS {COMPARE}")
    return ImportResult(
        table=table.name,
        source=source_name,
        format=fmt.value,
        rows_read=rows_read,
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        rejected=rejected,
        issues=tuple(issues),
        unknown_references=tuple(unknown),
        ignored_columns=source.extra_columns,
        rejected_file=rejected_file,
        import_id=import_id,
        seconds=time.perf_counter() - started,
    )


def _run_with_progress(con: duckdb.DuckDBPyConnection, sql: str, progress: Progress | None) -> None:
    """Run ``sql``; meanwhile report DuckDB's query progress from a watcher thread."""
    if progress is None:
        con.execute(sql)
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.2):
            with contextlib.suppress(Exception):
                fraction = con.query_progress()
                if fraction >= 0:
                    progress(min(fraction / 100.0, 1.0))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        con.execute(sql)
    finally:
        done.set()
        watcher.join()
    progress(1.0)


def _apply_reader_rejects(con: duckdb.DuckDBPyConnection) -> None:
    """Renumber good CSV rows around records the reader rejected and add those as broken rows.

    DuckDB's CSV reader leaves malformed records out (``store_rejects``) and
    reports their line; the remaining rows were numbered without them.
    """
    try:
        rejects = con.execute(
            "SELECT DISTINCT line - 1 AS r, first(coalesce(column_name, '(row)')), first(error_message) "
            "FROM reject_errors GROUP BY line ORDER BY r"
        ).fetchall()
    except duckdb.CatalogException:
        return
    if not rejects:
        return
    bad_rows = [int(r[0]) for r in rejects]
    good = scalar(con, f"SELECT count(*) FROM {STAGE}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE __chatlift_rownum AS SELECT row_number() OVER (ORDER BY r) AS i, r "
        f"FROM range(1, {good + len(bad_rows) + 1}) t(r) WHERE r NOT IN ({', '.join(map(str, bad_rows))})"
    )
    con.execute(f"UPDATE {STAGE} SET {ROW_COLUMN} = m.r FROM __chatlift_rownum m WHERE {STAGE}.{ROW_COLUMN} = m.i")
    con.execute("DROP TABLE __chatlift_rownum")
    values = ", ".join(
        f"({r}, {sql_string(str(field))}, {sql_string('malformed CSV record: ' + str(msg))})"
        for r, field, msg in rejects
    )
    con.execute(
        f"INSERT INTO {STAGE} ({ROW_COLUMN}, __bad, __issues, __dup) "
        f"SELECT r, true, [{{'o': -1, 'field': f, 'value': NULL, 'reason': m}}], false "
        f"FROM (VALUES {values}) v(r, f, m)"
    )
    con.execute("DELETE FROM reject_errors")
    con.execute("DELETE FROM reject_scans")


def _upsert(con: duckdb.DuckDBPyConnection, table: Table) -> tuple[int, int, int]:
    """Write good rows by key; return (inserted, updated, unchanged)."""
    target = quote(table.name)
    cols = ", ".join(quote(c) for c in table.column_names)
    good = "NOT __bad AND NOT __dup"
    if scalar(con, f"SELECT count(*) FROM (SELECT 1 FROM {target} LIMIT 1)") == 0:
        inserted = scalar(con, f"SELECT count(*) FROM {STAGE} WHERE {good}")
        con.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {STAGE} WHERE {good}")
        if inserted:
            record_everything_changed(con, (table.name,))  # a first load: the facts are rebuilt whole
        return inserted, 0, 0
    same = " AND ".join(f"s.{quote(c)} IS NOT DISTINCT FROM t.{quote(c)}" for c in table.column_names)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {COMPARE} AS SELECT s.{ROW_COLUMN}, "
        f"t.__hit IS NOT NULL AS __exists, coalesce({same}, false) AS __same "
        f"FROM (SELECT * FROM {STAGE} WHERE {good}) s "
        f"LEFT JOIN (SELECT *, true AS __hit FROM {target}) t ON {key_match('s', 't', table)}"
    )
    counts = con.execute(
        f"SELECT count(*) FILTER (NOT __exists), count(*) FILTER (__exists AND NOT __same), "
        f"count(*) FILTER (__exists AND __same) FROM {COMPARE}"
    ).fetchone()
    assert counts is not None
    inserted, updated, unchanged = (int(x) for x in counts)
    changed = (
        f"(SELECT s.* FROM {STAGE} s JOIN {COMPARE} c USING ({ROW_COLUMN}) "
        f"WHERE c.__exists AND NOT c.__same)"
    )
    if updated:
        changes.record(con, table.name, f"SELECT t.* FROM {target} t, {changed} s WHERE {key_match('t', 's', table)}")
        con.execute(f"DELETE FROM {target} t USING {changed} s WHERE {key_match('t', 's', table)}")
    if inserted or updated:
        changes.record(con, table.name, f"SELECT s.* FROM {STAGE} s JOIN {COMPARE} c USING ({ROW_COLUMN}) "
                                        f"WHERE NOT (c.__exists AND c.__same)")
        con.execute(
            f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {STAGE} s JOIN {COMPARE} c "
            f"USING ({ROW_COLUMN}) WHERE NOT (c.__exists AND c.__same)"
        )
    return inserted, updated, unchanged


def _unknown_references(con: duckdb.DuckDBPyConnection, table: Table) -> list[UnknownReference]:
    """Count kept rows whose conversation/customer reference matches nothing stored."""
    found: list[UnknownReference] = []
    for col in table.columns:
        if col.references is None:
            continue
        if col.references == CUSTOMERS:
            known = " UNION ALL ".join(
                f"SELECT {quote(c)} AS k FROM {quote(t)} WHERE {quote(c)} IS NOT NULL" for t, c in CUSTOMER_SOURCES
            )
            target_name = CUSTOMERS
        else:
            ref_table, ref_col = col.references.split(".")
            known = f"SELECT {quote(ref_col)} AS k FROM {quote(ref_table)}"
            target_name = ref_table
        n = scalar(
            con,
            f"SELECT count(*) FROM {STAGE} s WHERE NOT __bad AND NOT __dup AND s.{quote(col.name)} IS NOT NULL "
            f"AND NOT EXISTS (SELECT 1 FROM ({known}) k WHERE k.k = s.{quote(col.name)})",
        )
        if n:
            found.append(UnknownReference(column=col.name, target=target_name, rows=n))
    return found


def rejected_path(path: Path, rejects_dir: Path | None) -> Path:
    """``<file>.rejected.csv`` beside the input, or in ``rejects_dir``."""
    folder = rejects_dir if rejects_dir is not None else path.parent
    return folder / f"{path.name}.rejected.csv"


def _write_rejects(
    con: duckdb.DuckDBPyConnection, table: Table, path: Path, rejects_dir: Path | None, rejected: int
) -> str | None:
    """Write one line per issue (file, row, field, value, reason); remove a stale file when none."""
    out = rejected_path(path, rejects_dir)
    if rejected == 0:
        out.unlink(missing_ok=True)
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY (SELECT source AS file, \"row\", field, value, reason FROM {QUARANTINE_TABLE} "
        f"WHERE table_name = {sql_string(table.name)} AND source = {sql_string(str(path))} "
        f"ORDER BY \"row\") TO {sql_string(str(out))} (HEADER, DELIMITER ',')"
    )
    return str(out)
