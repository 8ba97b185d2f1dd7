"""Reading an API batch: a JSON array or NDJSON payload becomes an Arrow table of text columns.

The table has ``__row`` (the record's 0-based index: its position in the
array, or for NDJSON its line, blank lines skipped but counted), ``__reason``
(why the record is unreadable: not a JSON object, or a line that is not valid
JSON; NULL for a good record) and one text column per declared column. From
there `batch` validates exactly as a JSONL file is validated.

Keys match columns as JSONL keys and CSV headers do: case and surrounding
blanks ignored, one spelling per batch (the first in sort order); keys that
match no column are returned as ignored. A value becomes the text DuckDB's
``from_json(…, 'VARCHAR')`` gives the same value in a JSONL file: strings as
they are, ``true``/``false``, numbers in Python's shortest form (``12.5``,
``1e-07``, the same digits as DuckDB), arrays and objects as compact JSON.
One difference: an integer beyond 64 bits is read as a floating-point number.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import repeat
from typing import Any

import orjson
import pyarrow as pa

from chatlift.domain.schema import Table
from chatlift.errors import InputError, ParameterError
from chatlift.ingest.formats import ROW_COLUMN

REASON = "__reason"  # column: why the record is unreadable, NULL when it is fine


class BatchFormat(StrEnum):
    """How a batch payload is encoded."""

    JSON = "json"  # one JSON array of objects
    NDJSON = "ndjson"  # one JSON object per line


def resolve_batch_format(fmt: BatchFormat | str) -> BatchFormat:
    """``fmt`` as a `BatchFormat`; an unknown name is a ParameterError naming the choices."""
    try:
        return BatchFormat(fmt)
    except ValueError:
        names = ", ".join(f.value for f in BatchFormat)
        raise ParameterError(f"unknown batch format {fmt!r}", hint=f"use one of {names}") from None


def read_payload(payload: bytes, fmt: BatchFormat, table: Table) -> tuple[pa.Table, tuple[str, ...]]:
    """The records of ``payload`` as an Arrow table (see the module docstring), and the ignored keys.

    Raises InputError when a ``json`` payload is not valid JSON or not an array.

    >>> from chatlift.domain.schema import ORDERS
    >>> data, ignored = read_payload(b'{"ORDER_ID": "o1", "note": 1}\\n\\n[1]', BatchFormat.NDJSON, ORDERS)
    >>> data.select(["__row", "order_id"]).to_pylist(), ignored
    ([{'__row': 0, 'order_id': 'o1'}, {'__row': 2, 'order_id': None}], ('note',))
    >>> data["__reason"][1].as_py()
    'not a JSON object: the line is an array; it must be an {…} record'
    """
    rows: list[int] = []
    objects: list[dict[str, Any]] = []  # {} stands in for a broken record
    broken: list[str | None] = []
    if fmt is BatchFormat.JSON:
        for index, value in enumerate(_json_array(payload)):
            rows.append(index)
            _add(value, "the element", objects, broken)
    else:
        for index, line in enumerate(payload.split(b"\n")):
            if not line.strip():
                continue
            rows.append(index)
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                objects.append({})
                broken.append(f"not a JSON object: the line is not valid JSON ({exc})")
                continue
            _add(value, "the line", objects, broken)
    return records_table(rows, objects, broken, table)


_KINDS: dict[type, str] = {
    str: "a string", int: "a number", float: "a number", bool: "true/false", list: "an array", type(None): "null",
}


def _json_array(payload: bytes) -> list[Any]:
    try:
        parsed = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise InputError(
            f"the payload is not valid JSON: {exc}",
            hint="send a JSON array of objects, [{...}, {...}], or one object per line as ndjson",
        ) from None
    if not isinstance(parsed, list):
        kind = "a JSON object" if isinstance(parsed, dict) else _KINDS.get(type(parsed), "not an array")
        raise InputError(
            f"the payload is {kind}, not a JSON array of records",
            hint="wrap the records in [ ] (a single record too): [{...}, {...}]; or send one object per line as ndjson",
        )
    return parsed


def _add(value: Any, where: str, objects: list[dict[str, Any]], broken: list[str | None]) -> None:
    if type(value) is dict:
        objects.append(value)
        broken.append(None)
    else:
        objects.append({})
        broken.append(f"not a JSON object: {where} is {_KINDS.get(type(value), 'no object')}; it must be an {{…}} record")


def _text(value: object) -> str | None:
    """A JSON value as the text DuckDB's ``from_json(…, 'VARCHAR')`` gives for it."""
    if value is None or isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return repr(value)  # shortest round trip with 1e-07 / 1e+16 exponents: DuckDB's digits
    if isinstance(value, int):
        return str(value)
    return orjson.dumps(value).decode()  # arrays and objects as compact JSON


def records_table(
    rows: list[int], objects: list[dict[str, Any]], broken: list[str | None], table: Table
) -> tuple[pa.Table, tuple[str, ...]]:
    """The Arrow table of ``objects`` (see the module docstring) numbered by ``rows``, with ``broken[i]`` as
    record i's reason ({} stands in for a broken record), and the keys that match no column."""
    found: set[str] = set().union(*objects)
    by_key: dict[str, str] = {}
    for key in sorted(found):
        by_key.setdefault(key.strip().lower(), key)
    source_key = {c: by_key.get(c, c) for c in table.column_names}
    columns: dict[str, pa.Array] = {
        ROW_COLUMN: pa.array(rows, pa.int64()),
        REASON: pa.array(broken, pa.string()),
    }
    for column, key in source_key.items():
        values = list(map(dict.get, objects, repeat(key)))
        try:
            columns[column] = pa.array(values, pa.string())  # strings and nulls only: the common case
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            columns[column] = pa.array([_text(v) for v in values], pa.string())
    used = set(source_key.values())
    return pa.table(columns), tuple(sorted(k for k in found if k not in used))
