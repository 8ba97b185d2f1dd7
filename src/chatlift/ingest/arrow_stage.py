"""The validation of `stage`, computed in Arrow for a batch whose every value is in a plain form.

Planning the validation SQL costs several times more than running it on 1 000
records (about 6 of 9 ms for messages, 20 of 29 ms for conversations), so a
batch is first tried here: each column is typed and checked with
``pyarrow.compute``, which costs about a millisecond. This path accepts only
values whose result it computes exactly as the SQL of `validation` does, and
only batches where every record is good:

* text is trimmed of the characters DuckDB's ``trim`` removes (`DUCKDB_BLANKS`)
  and an empty text is missing; lower/upper case only for ASCII text;
* timestamps only as ``YYYY-MM-DD[T ]hh:mm:ss[.ffffff]`` followed by ``Z`` or
  ``±hh:mm`` (converted to UTC, as the SQL does with any zoned value);
* numbers only as plain decimals of at most 15 digits before and after the
  point (``-12.5``, ``7``), whole numbers without a point;
* true/false values as the SQL accepts them, lists only as JSON arrays of strings;
* no rule about survey scales (tables with one always take the SQL).

Anything else (a broken record, a missing required value, a value in another
form, a value out of range or not allowed, a rule broken, a key twice) returns
None, and the batch goes through the SQL, which then names every problem. So
the result of a batch never depends on which path it took;
``tests/ingest/test_batch_fast.py`` checks both on the same batches.
"""

from __future__ import annotations

from itertools import chain
from typing import assert_never

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from chatlift.domain.schema import Case, Column, ColumnType, NotBefore, ScoreOnScale, Table
from chatlift.ingest.formats import ROW_COLUMN
from chatlift.ingest.payload import REASON

__all__ = ["DUCKDB_BLANKS", "typed_batch"]

DUCKDB_BLANKS = (
    " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
"""The characters DuckDB's ``trim`` removes at either end (space and Unicode spaces, not tab or newline);
``tests/ingest/test_batch_fast.py`` asks DuckDB for them over every code point."""

# "2025-01-31T14:05:00Z", "2025-01-31 14:05:00.25+01:00": the zoned forms whose UTC instant Arrow's
# ISO 8601 parser and DuckDB's TIMESTAMPTZ cast agree on (an impossible day fails Arrow's cast, and then
# the SQL decides). Years 1000-9998 keep the UTC instant inside both types' range.
_TIMESTAMP = (
    r"^[1-9]\d{3}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?"
    r"(Z|[+-](0\d|1[0-4]):[0-5]\d)$"
)
_DECIMAL = r"^-?\d{1,15}(\.\d{1,15})?$"  # exactly representable digits; both engines round the same way
_WHOLE = r"^-?\d{1,15}$"
_TRUE = ("true", "t", "yes", "y", "1")  # as `validation._TRUE` / `_FALSE`
_FALSE = ("false", "f", "no", "n", "0")

_ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    ColumnType.ID: pa.string(),
    ColumnType.TEXT: pa.string(),
    ColumnType.TIMESTAMP: pa.timestamp("us"),
    ColumnType.MONEY: pa.float64(),
    ColumnType.NUMBER: pa.float64(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.BOOLEAN: pa.bool_(),
    ColumnType.TEXT_LIST: pa.list_(pa.string()),
}


def typed_batch(data: pa.Table, table: Table) -> pa.Table | None:
    """``__row`` and the typed value of every column, as `stage.stage_select` yields them for good rows.

    ``data`` is what `payload.read_payload` returns. None when any record is
    rejected or any value is in a form this path does not read (see the module
    docstring): then the SQL validates the batch.
    """
    if data.num_rows == 0 or data[REASON].null_count != data.num_rows:
        return None
    if any(isinstance(rule, ScoreOnScale) for rule in table.rules):
        return None
    columns: dict[str, pa.Array | pa.ChunkedArray] = {ROW_COLUMN: data[ROW_COLUMN]}
    for column in table.columns:
        typed = _typed(column, data[column.name])
        if typed is None:
            return None
        columns[column.name] = typed
    for rule in table.rules:
        match rule:
            case NotBefore(column=col, other=other, strict=strict):
                broken = (pc.less_equal if strict else pc.less)(columns[col], columns[other])
                if _any(broken):
                    return None
            case ScoreOnScale():
                return None
            case _:
                assert_never(rule)
    for column in table.columns:
        if column.default is not None:
            columns[column.name] = pc.fill_null(columns[column.name], _default(column))
    typed_table = pa.table(columns)
    keys = list(zip(*(typed_table[k].to_pylist() for k in table.key), strict=True))
    if len(set(keys)) != len(keys):
        return None  # a key twice: the SQL path marks the earlier rows as duplicates
    return typed_table


def _any(mask: pa.Array | pa.ChunkedArray) -> bool:
    return bool(pc.any(mask).as_py())


def _all(mask: pa.Array | pa.ChunkedArray) -> bool:
    """True when every non-null entry is true (nulls are skipped)."""
    return bool(pc.all(mask).as_py() is not False)


def _typed(column: Column, raw: pa.ChunkedArray) -> pa.Array | pa.ChunkedArray | None:
    """``column``'s typed values (before its default), or None when one is not plainly valid."""
    trimmed = pc.utf8_trim(raw, characters=DUCKDB_BLANKS)
    text = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
    present = text.null_count != len(text)
    if column.required and text.null_count:
        return None
    typed: pa.Array | pa.ChunkedArray
    match column.type:
        case ColumnType.ID | ColumnType.TEXT:
            if column.case is not Case.KEEP and present and not _all(pc.string_is_ascii(text)):
                return None
            typed = _cased(column.case, text)
        case ColumnType.TIMESTAMP:
            if present and not _all(pc.match_substring_regex(text, _TIMESTAMP)):
                return None
            try:
                typed = pc.cast(pc.cast(text, pa.timestamp("us", "UTC")), pa.timestamp("us"))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                return None
        case ColumnType.MONEY | ColumnType.NUMBER | ColumnType.INTEGER:
            whole = column.type is ColumnType.INTEGER
            if present and not _all(pc.match_substring_regex(text, _WHOLE if whole else _DECIMAL)):
                return None
            typed = pc.cast(text, pa.int64() if whole else pa.float64())
            if column.minimum is not None and present and _any(pc.less(typed, column.minimum)):
                return None
        case ColumnType.BOOLEAN:
            if present and not _all(pc.string_is_ascii(text)):
                return None
            low = pc.ascii_lower(text)
            is_true, is_false = pc.is_in(low, pa.array(_TRUE)), pc.is_in(low, pa.array(_FALSE))
            if present and not _all(pc.or_(is_true, pc.or_(is_false, pc.is_null(text)))):
                return None
            typed = pc.if_else(pc.is_null(text), pa.scalar(None, pa.bool_()), is_true)
        case ColumnType.TEXT_LIST:
            lists = _string_lists(text)
            if lists is None:
                return None
            typed = lists
        case _:
            assert_never(column.type)
    if column.allowed and present and not _all(pc.is_in(typed, pa.array(column.allowed))):
        return None
    if column.pattern and present and not _all(pc.match_substring_regex(typed, f"^(?:{column.pattern})$")):
        return None
    return typed


def _cased(case: Case, text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    match case:
        case Case.KEEP:
            return text
        case Case.LOWER:
            return pc.ascii_lower(text)
        case Case.UPPER:
            return pc.ascii_upper(text)
        case _:
            assert_never(case)


def _string_lists(text: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """JSON arrays of strings as lists (what ``from_json(…, '["VARCHAR"]')`` gives); None for any other value.

    Only compact JSON as `payload` writes a JSON array (``["a","b"]``): every value must be exactly
    the serialisation of the list it parses to, so one parse of all values joined reads each one.
    """
    values = text.to_pylist()
    given = [v for v in values if v is not None]
    if not given:
        return pa.array(values, pa.list_(pa.string()))
    joined = "[" + ",".join(given) + "]"
    if "\\u0000" in joined:
        return None  # a NUL character: leave it to the SQL
    try:
        parsed = orjson.loads(joined)
    except orjson.JSONDecodeError:
        return None
    if len(parsed) != len(given) or set(map(type, parsed)) != {list}:
        return None
    if not set(map(type, chain.from_iterable(parsed))) <= {str}:
        return None
    if [orjson.dumps(v).decode() for v in parsed] != given:
        return None
    lists = iter(parsed)
    return pa.array([None if v is None else next(lists) for v in values], pa.list_(pa.string()))


def _default(column: Column) -> pa.Scalar:
    """The column's SQL default literal (``'customer'``, ``false``, ``1``) as an Arrow value of its type."""
    literal = str(column.default)
    value: object
    if literal.startswith("'") and literal.endswith("'"):
        value = literal[1:-1].replace("''", "'")
    elif literal in ("true", "false"):
        value = literal == "true"
    else:
        value = int(literal)
    return pa.scalar(value, _ARROW_TYPES[column.type])
