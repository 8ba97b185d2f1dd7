"""Vectorised validation: SQL expressions derived from the column declarations.

For every declared column the importer selects two expressions over the raw
input: the *typed* value that would be stored, and a *reason* that is NULL
when the value is fine and otherwise says in a sentence what is wrong and how
to fix it. DuckDB evaluates them column-at-a-time over the whole file; no
Python runs per row.

Input values arrive as text (CSV, JSONL) or already typed (Parquet). Rules:

* ids: trimmed; empty means missing;
* closed sets and channels: trimmed and lower-cased before the check;
* numbers: a decimal comma (``12,50``) is rejected with a hint, not guessed;
* timestamps: a value with an offset or zone (``…+01:00``, ``…Z``) is
  converted to UTC; a value without one is read in ``--timezone`` and rejected
  when no time zone was given. DST gaps resolve forward (a skipped time is read
  with the offset before the change: 02:30 in a 02:00→03:00 gap is 03:30), folds
  to the second occurrence, in standard time (DuckDB's ICU rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from chatlift.domain.schema import Case, Column, ColumnType, NotBefore, ScoreOnScale, Table
from chatlift.storage.ddl import duckdb_type, quote, sql_string

# A time of day followed by a zone designator: "10:00Z", "10:00:00+02:00",
# "10:00 +0200", "10:00 UTC", "10:00 Europe/Amsterdam". Requiring the time part
# keeps a bare date such as "2024-01-01" (whose "-01" looks like an offset) naive.
_ZONED = r"(?i)\d:\d\d(:\d\d(\.\d*)?)?\s*(z|utc|gmt|[+-]\d\d(:?\d\d)?|[a-z_]+/[a-z_/+-]+)$"

# A blank between the time and a numeric offset ("10:00:00 +0200"), removed before the cast.
_BLANK_BEFORE_OFFSET = r"(\d)\s+([+-]\d\d(:?\d\d)?)$"

# European notation "1.234,50" or "12,5": digits, a comma, digits.
_DECIMAL_COMMA = r"\s*-?[0-9.]*[0-9],[0-9]+\s*"

_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")

TEXT_SOURCE = "VARCHAR"


@dataclass(frozen=True, slots=True)
class ColumnCheck:
    """SQL for one column, in three layers so that DuckDB computes each part once.

    Layer 1 (over the input column) yields ``prepared``: named helper values
    such as the trimmed text. Layer 2 (over the helpers) yields ``typed``, the
    value to store. Layer 3 (over helpers and the typed column, referenced by
    its name) yields ``reason``: NULL when fine, else why the row is rejected.
    """

    column: Column
    prepared: tuple[tuple[str, str], ...]  # (helper name, SQL over the input)
    typed: str  # SQL over the helpers
    reason: str  # SQL over the helpers and the typed column
    raw_text: str  # SQL over the helpers: the input as text, for quarantine


def _case(column: Column, text: str) -> str:
    match column.case:
        case Case.KEEP:
            return text
        case Case.LOWER:
            return f"lower({text})"
        case Case.UPPER:
            return f"upper({text})"
        case _:
            assert_never(column.case)


def _timestamp(t: str, z: str, source_type: str, timezone: str | None) -> tuple[str, str]:
    """(typed, reason) of a timestamp, given helper names for the text ``t`` and zoned flag ``z``."""
    naive_hint = (
        "timestamp has no UTC offset: pass --timezone (e.g. --timezone Europe/Amsterdam) "
        "or write it with an offset, e.g. 2025-01-31T14:05:00+01:00"
    )
    tz = sql_string(timezone) if timezone else None
    if source_type in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        # The session runs in UTC, so the cast yields UTC wall time.
        return f"CAST({t} AS TIMESTAMP)", "NULL"
    if source_type in ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"):
        if tz is None:
            return "CAST(NULL AS TIMESTAMP)", f"CASE WHEN {t} IS NOT NULL THEN {sql_string(naive_hint)} END"
        return f"CAST(timezone({tz}, CAST({t} AS TIMESTAMP)) AS TIMESTAMP)", "NULL"
    # DuckDB reads "10:00+02:00" but not "10:00 +0200" (Shopify's form): without the blank, when the value
    # as it is fails (COALESCE evaluates the second argument only for those rows)
    unblanked = f"regexp_replace({t}, {sql_string(_BLANK_BEFORE_OFFSET)}, '\\1\\2')"
    from_zoned = f"CAST(COALESCE(TRY_CAST({t} AS TIMESTAMPTZ), TRY_CAST({unblanked} AS TIMESTAMPTZ)) AS TIMESTAMP)"
    if tz is None:
        typed = f"CASE WHEN {z} THEN {from_zoned} END"
        naive_case = f"WHEN NOT {z} AND TRY_CAST({t} AS TIMESTAMP) IS NOT NULL THEN {sql_string(naive_hint)} "
    else:
        typed = f"CASE WHEN {z} THEN {from_zoned} ELSE CAST(timezone({tz}, TRY_CAST({t} AS TIMESTAMP)) AS TIMESTAMP) END"
        naive_case = ""
    return typed, naive_case


def _number_reason(t: str, value: str, column: Column, *, integer: bool, whole: str) -> str:
    """Why the number in ``t`` is rejected (NULL when it is not); ``whole`` is true for a finite whole number."""
    kind = "a whole number" if integer else "a number"
    checks = [
        f"WHEN {t} IS NULL THEN NULL",
        (
            f"WHEN {value} IS NULL AND regexp_full_match(CAST({t} AS VARCHAR), {sql_string(_DECIMAL_COMMA)}) "
            f"THEN 'not {kind}: it uses a decimal comma; write a decimal point instead "
            f"(e.g. 1234.50, no thousands separator)'"
        ),
    ]
    if integer:  # a whole number beyond 64 bits: the cast gives no value
        checks.append(f"WHEN {value} IS NULL AND {whole} THEN 'out of range: whole numbers go from "
                      f"-9223372036854775808 to 9223372036854775807'")
    checks += [
        f"WHEN {value} IS NULL THEN 'not {kind}'",
    ]
    if column.minimum is not None:
        checks.append(f"WHEN {value} < {column.minimum!r} THEN 'must be {column.minimum:g} or more'")
    return "CASE " + " ".join(checks) + " END"


_NUMERIC_SOURCES = (
    "DOUBLE", "FLOAT", "REAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT",
    "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT",
)


def column_check(column: Column, source_type: str | None, timezone: str | None, index: int) -> ColumnCheck:
    """The layered SQL that types and checks ``column`` read from an input column.

    ``source_type`` is the DuckDB type of the input column, or None when the
    file lacks the column (then the value is absent: the default applies, or
    the row is rejected when the column is required). ``index`` names the
    helpers (``__t{index}`` …) uniquely within one query.
    """
    name = quote(column.name)
    t, z, d = f"__t{index}", f"__z{index}", f"__d{index}"
    prepared: list[tuple[str, str]] = []
    reason = "NULL"
    if source_type is None:
        prepared.append((t, "CAST(NULL AS VARCHAR)"))
        typed = f"CAST(NULL AS {duckdb_type(column.type)})"
    else:
        textual = source_type == TEXT_SOURCE
        clean = f"NULLIF(trim({name}), '')" if textual else name
        prepared.append((t, clean))
        typed, reason = "NULL", "NULL"
        match column.type:
            case ColumnType.ID | ColumnType.TEXT:
                typed = _case(column, t if textual else f"NULLIF(trim(CAST({t} AS VARCHAR)), '')")
            case ColumnType.TIMESTAMP:
                if textual:
                    prepared.append((z, f"regexp_matches({clean}, {sql_string(_ZONED)})"))
                typed, naive_case = _timestamp(t, z, source_type, timezone)
                if textual:
                    reason = (
                        f"CASE WHEN {t} IS NOT NULL AND {name} IS NULL THEN CASE {naive_case}"
                        f"WHEN true THEN 'not a timestamp: expected ISO 8601 such as 2025-01-31T14:05:00Z' END END"
                    )
                else:
                    reason = naive_case
            case ColumnType.MONEY | ColumnType.NUMBER | ColumnType.INTEGER:
                integer = column.type is ColumnType.INTEGER
                numeric = source_type in _NUMERIC_SOURCES or source_type.startswith("DECIMAL")
                as_double = f"CAST({clean} AS DOUBLE)" if numeric else f"TRY_CAST({clean} AS DOUBLE)"
                prepared.append((d, as_double))
                whole = f"(isfinite({d}) AND {d} = round({d}))"
                typed = f"CASE WHEN {whole} THEN TRY_CAST({d} AS BIGINT) END" if integer \
                    else f"CASE WHEN isfinite({d}) THEN {d} END"
                reason = _number_reason(t, name, column, integer=integer, whole=whole)
            case ColumnType.BOOLEAN:
                if source_type == "BOOLEAN":
                    typed = t
                else:
                    low = f"lower(CAST({t} AS VARCHAR))"
                    trues = ", ".join(sql_string(v) for v in _TRUE)
                    falses = ", ".join(sql_string(v) for v in _FALSE)
                    typed = f"CASE WHEN {low} IN ({trues}) THEN true WHEN {low} IN ({falses}) THEN false END"
                    reason = (
                        f"CASE WHEN {t} IS NOT NULL AND {name} IS NULL "
                        f"THEN 'not true/false (also accepted: yes/no, 1/0)' END"
                    )
            case ColumnType.TEXT_LIST:
                keep = "lambda x: NULLIF(trim(x), '')"
                nonnull = "lambda x: x IS NOT NULL"
                if source_type.endswith("[]"):
                    typed = f"list_filter(list_transform(CAST({t} AS VARCHAR[]), {keep}), {nonnull})"
                else:
                    text = f"CAST({t} AS VARCHAR)"
                    as_json = f"try(from_json({text}, '[\"VARCHAR\"]'))"
                    split = f"list_filter(list_transform(string_split({text}, ';'), {keep}), {nonnull})"
                    typed = f"CASE WHEN {t} IS NULL THEN NULL WHEN starts_with({text}, '[') THEN {as_json} ELSE {split} END"
                    reason = (
                        f"CASE WHEN starts_with({text}, '[') AND {name} IS NULL "
                        f"THEN 'not a list: expected a JSON array of strings or values separated by ;' END"
                    )
            case _:
                assert_never(column.type)
    # Defaults are applied by the caller after the reasons: an unreadable value
    # must be reported, not replaced by the default.
    reasons = [reason] if reason != "NULL" else []
    if column.required:
        what = "id" if column.type is ColumnType.ID else "value"
        reasons.insert(0, f"CASE WHEN {name} IS NULL AND {t} IS NULL THEN 'required {what} is missing' END")
    if column.allowed:
        values = ", ".join(sql_string(v) for v in column.allowed)
        listed = ", ".join(column.allowed)
        reasons.append(f"CASE WHEN {name} NOT IN ({values}) THEN {sql_string('must be one of ' + listed)} END")
    if column.pattern:
        hint = column.pattern_hint or f"the pattern {column.pattern}"
        reasons.append(
            f"CASE WHEN NOT regexp_full_match({name}, {sql_string(column.pattern)}) "
            f"THEN {sql_string('must be ' + hint)} END"
        )
    combined = "NULL" if not reasons else reasons[0] if len(reasons) == 1 else f"coalesce({', '.join(reasons)})"
    return ColumnCheck(
        column=column, prepared=tuple(prepared), typed=typed, reason=combined, raw_text=f"CAST({t} AS VARCHAR)"
    )


@dataclass(frozen=True, slots=True)
class RowRuleCheck:
    """A rule over several typed columns of a row: the field it blames and the reason."""

    field: str
    reason: str  # SQL over the *typed* column names; NULL when fine


def row_rule_checks(table: Table) -> list[RowRuleCheck]:
    """SQL for the table's cross-column rules, evaluated on typed values."""
    checks: list[RowRuleCheck] = []
    for rule in table.rules:
        match rule:
            case NotBefore(column=col, other=other, strict=strict):
                op = "<=" if strict else "<"
                word = "after" if strict else "on or after"
                checks.append(
                    RowRuleCheck(
                        field=col,
                        reason=f"CASE WHEN {quote(col)} {op} {quote(other)} THEN "
                        f"{sql_string(f'must be {word} {other}')} END",
                    )
                )
            case ScoreOnScale(default_scales=scales):
                lo = "CASE " + " ".join(f"WHEN survey = {sql_string(k)} THEN {a}" for k, a, _ in scales) + " END"
                hi = "CASE " + " ".join(f"WHEN survey = {sql_string(k)} THEN {b}" for k, _, b in scales) + " END"
                scale_lo = f"coalesce(TRY_CAST(split_part(scale, '-', 1) AS BIGINT), {lo})"
                scale_hi = f"coalesce(TRY_CAST(split_part(scale, '-', 2) AS BIGINT), {hi})"
                defaults = ", ".join(f"{k} {a}-{b}" for k, a, b in scales)
                checks.append(
                    RowRuleCheck(
                        field="score",
                        reason=(
                            f"CASE WHEN score < {scale_lo} OR score > {scale_hi} THEN "
                            f"'outside the survey scale ' || {scale_lo} || '-' || {scale_hi} || "
                            f"{sql_string(f' (defaults: {defaults}; set `scale` for another)')} END"
                        ),
                    )
                )
            case _:
                assert_never(rule)
    return checks
