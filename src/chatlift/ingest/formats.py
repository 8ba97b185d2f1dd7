"""Input formats: how each file type becomes a relation of canonical columns with row numbers.

Row numbers (``row`` in quarantine and in ``*.rejected.csv``) count records:

* CSV: 1 is the first data row after the header (its line number minus one
  when no quoted value spans several lines);
* JSONL: the line number (blank lines are skipped but counted);
* Parquet: the row's position in the file, starting at 1.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import assert_never

import duckdb

from chatlift.domain.schema import Table
from chatlift.errors import InputError
from chatlift.ingest.validation import TEXT_SOURCE
from chatlift.storage.ddl import quote, sql_string


class FileFormat(StrEnum):
    """Supported input formats."""

    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


_SUFFIXES: dict[str, FileFormat] = {
    ".csv": FileFormat.CSV,
    ".tsv": FileFormat.CSV,
    ".txt": FileFormat.CSV,
    ".jsonl": FileFormat.JSONL,
    ".ndjson": FileFormat.JSONL,
    ".json": FileFormat.JSONL,
    ".parquet": FileFormat.PARQUET,
    ".pq": FileFormat.PARQUET,
}

ROW_COLUMN = "__row"
NOT_AN_OBJECT = "not a JSON object: the line is not valid JSON or not an {…} record"


def detect_format(path: Path, override: FileFormat | None = None) -> FileFormat:
    """The format named by ``override``, else by the file's extension (``.gz`` allowed)."""
    if override is not None:
        return override
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".zst"):
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    raise InputError(
        f"cannot tell the format of {path.name} from its extension",
        location=str(path),
        hint="use .csv, .jsonl/.ndjson or .parquet, or pass --format csv|jsonl|parquet",
    )


@dataclass(frozen=True, slots=True)
class Source:
    """A readable input: SQL of a relation with ``__row`` and one column per mapped input column."""

    sql: str
    column_types: dict[str, str]  # canonical column name -> DuckDB type of the input column
    extra_columns: tuple[str, ...]  # input columns that the table does not declare (ignored)
    broken: str = "NULL"  # SQL over the relation: why the whole record is unreadable, NULL when it is fine
    number_rows: bool = False  # rows arrive in file order without numbers; number them once staged


def open_source(con: duckdb.DuckDBPyConnection, path: Path, fmt: FileFormat, table: Table) -> Source:
    """Describe ``path`` and build the SQL that reads it; raises InputError when unreadable."""
    if not path.is_file():
        raise InputError(f"no such file: {path}", location=str(path))
    if path.stat().st_size == 0:
        raise InputError("the file is empty", location=str(path), hint="export the data again")
    literal = sql_string(str(path))
    match fmt:
        case FileFormat.CSV:
            # RFC 4180 quoting: a sniffed quote character can be ' when values start with one
            reader = f"read_csv({literal}, all_varchar=true, header=true, quote='\"', escape='\"', store_rejects=true)"
            names = _describe(con, f"SELECT * FROM {reader}", path)
            types = {n: TEXT_SOURCE for n in names}
            # Numbered after staging (Source.number_rows): a window here would serialise the scan.
            base = f"SELECT CAST(NULL AS BIGINT) AS {ROW_COLUMN}, * FROM {reader}"
            return replace(_mapped(base, types, table, path), number_rows=True)
        case FileFormat.PARQUET:
            reader = f"read_parquet({literal}, file_row_number=true)"
            described = _describe_types(con, f"SELECT * FROM read_parquet({literal})", path)
            base = f"SELECT file_row_number + 1 AS {ROW_COLUMN}, * EXCLUDE (file_row_number) FROM {reader}"
            return _mapped(base, described, table, path)
        case FileFormat.JSONL:
            return _jsonl(con, path, literal, table)
        case _:
            assert_never(fmt)


def _describe(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> list[str]:
    return list(_describe_types(con, sql, path))


def _describe_types(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> dict[str, str]:
    try:
        rows = con.execute(f"DESCRIBE {sql}").fetchall()
    except duckdb.Error as exc:
        raise InputError(f"cannot read the file: {exc}", location=str(path)) from exc
    return {str(r[0]): str(r[1]) for r in rows}


def _mapped(base: str, types: dict[str, str], table: Table, path: Path) -> Source:
    """Map input columns to declared ones (case and surrounding blanks ignored)."""
    by_key: dict[str, str] = {}
    for name in types:
        key = name.strip().lower()
        if key in by_key:
            raise InputError(
                f"columns {by_key[key]!r} and {name!r} both map to {key!r}",
                location=str(path),
                hint="rename or drop one of them",
            )
        by_key[key] = name
    declared = set(table.column_names)
    missing = [c for c in table.required_columns if c not in by_key]
    if missing:
        raise InputError(
            f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"for table {table.name} (found: {', '.join(types) or 'none'})",
            location=str(path),
            hint=f"{table.name} needs {', '.join(table.required_columns)}; see docs/data-model.md",
        )
    selects = [ROW_COLUMN]
    column_types: dict[str, str] = {}
    for col in table.column_names:
        if col in by_key:
            selects.append(f"{quote(by_key[col])} AS {quote(col)}")
            column_types[col] = types[by_key[col]]
    extra = tuple(n for k, n in by_key.items() if k not in declared and n != ROW_COLUMN)
    sql = f"SELECT {', '.join(selects)} FROM ({base})"
    return Source(sql=sql, column_types=column_types, extra_columns=extra)


def _jsonl(con: duckdb.DuckDBPyConnection, path: Path, literal: str, table: Table) -> Source:
    """JSONL read as lines, so one malformed line is quarantined instead of failing the file."""
    lines = (
        f"SELECT row_number() OVER () AS {ROW_COLUMN}, line FROM read_csv({literal}, "
        "columns={'line': 'VARCHAR'}, header=false, delim=E'\\x01', quote='', escape='', "
        "auto_detect=false, strict_mode=false)"
    )
    # DuckDB does not short-circuit AND: json_type() would fail on a malformed line, so guard it with CASE.
    is_object = "CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' ELSE false END"
    try:
        keys = con.execute(
            f"SELECT DISTINCT unnest(json_keys(line)) FROM (SELECT line FROM ({lines}) "
            f"WHERE {is_object} LIMIT 10000)"
        ).fetchall()
    except duckdb.Error as exc:
        raise InputError(f"cannot read the file: {exc}", location=str(path)) from exc
    found = {str(k[0]) for k in keys}
    # Keys match declared columns the way CSV headers do: case and surrounding blanks ignored
    # (decided on the keys of the first 10 000 objects; the first spelling in sort order wins).
    by_key: dict[str, str] = {}
    for key in sorted(found):
        by_key.setdefault(key.strip().lower(), key)
    source_key = {c: by_key.get(c, c) for c in table.column_names}
    struct = ", ".join(f"{sql_string(k)}: 'VARCHAR'" for k in source_key.values())
    typed = f"try(from_json(line, {sql_string('{' + struct.replace(chr(39), chr(34)) + '}')}))"
    columns = ", ".join(f"__obj[{sql_string(k)}] AS {quote(c)}" for c, k in source_key.items())
    sql = (
        f"SELECT {ROW_COLUMN}, __json_ok, {columns} FROM ("
        f"SELECT {ROW_COLUMN}, {is_object} AS __json_ok, "
        f"CASE WHEN {is_object} THEN {typed} END AS __obj "
        f"FROM ({lines}) WHERE NULLIF(trim(line), '') IS NOT NULL)"
    )
    used = set(source_key.values())
    extra = tuple(sorted(k for k in found if k not in used))
    return Source(
        sql=sql,
        column_types={c: TEXT_SOURCE for c in table.column_names},
        extra_columns=extra,
        broken=f"CASE WHEN NOT __json_ok THEN {sql_string(NOT_AN_OBJECT)} END",
    )
