"""Reading a vendor's JSON export: one JSON document (an API response, an array, one record) or JSON Lines.

Every JSON importer reads its file the same way: first as one JSON document (a UTF-8 byte-order mark
is ignored); when that fails, as JSON Lines, one record per line. Record numbers are the record's
position in the document's array (1 = the first) or, in JSON Lines, its line number (blank lines are
skipped but counted). A value that is not an object (an array element, a line that is not valid JSON)
is kept in its place: the importer turns it into an empty record, which the validation rejects under
that number. A line that is a whole API page (``{"tickets": [...]}``) is refused; a line that wraps one
record (``{"ticket": {...}}``) is that record. A file that is neither, or a document of another shape, is an `InputError` naming the
file and the shape the importer expects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from chatlift.errors import InputError


@dataclass(frozen=True, slots=True)
class Shape:
    """Where a vendor's JSON document keeps its records."""

    what: str  # what the file should be, for errors: "a Chatwoot conversation list"
    noun: str  # one record, for errors: "conversation"
    hint: str  # what to give instead
    lists: tuple[str, ...] = ()  # keys of the top-level object holding the array of records
    wrappers: tuple[str, ...] = ()  # keys of an object that wraps the one holding the array ({"data": …})
    single: tuple[str, ...] = ()  # keys holding one record object ({"ticket": {…}})
    is_record: Callable[[dict[str, Any]], bool] = lambda document: "id" in document  # a bare record


@dataclass(frozen=True, slots=True)
class Records:
    """The records of a file, each with its number, and the object that listed them (for sideloads)."""

    numbered: list[tuple[int, Any]]
    container: dict[str, Any] | None = None


def read_records(path: Path, shape: Shape) -> Records:
    """The records of ``path`` (see the module docstring)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc}", location=str(path)) from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        return Records(_lines(path, data, shape))
    return _unwrap(path, document, shape)


def _unwrap(path: Path, document: Any, shape: Shape) -> Records:
    def refuse(why: str) -> InputError:
        return InputError(f"not {shape.what}: {why}", location=str(path), hint=shape.hint)

    if isinstance(document, list):
        return Records(list(enumerate(document, start=1)))
    if not isinstance(document, dict):
        raise refuse(f"the file is a JSON {kind(document)}")
    for key in shape.wrappers:
        inner = document.get(key)
        if isinstance(inner, dict) and any(k in inner for k in shape.lists):
            document = inner
            break
    for key in shape.lists:
        if key in document:
            listed = document[key]
            if not isinstance(listed, list):
                raise refuse(f'its "{key}" is not an array')
            return Records(list(enumerate(listed, start=1)), document)
    for key in shape.single:
        if key in document:
            one = document[key]
            if not isinstance(one, dict):
                raise refuse(f'its "{key}" is not an object')
            return Records([(1, one)], document)
    if shape.is_record(document):
        return Records([(1, document)])  # one record (or a JSON Lines file of one line)
    if "code" in document and "message" in document:  # a REST API's error answer, saved as the export
        raise refuse(f"the file holds an API error ({document['code']}: {document['message']})")
    keys = " or ".join(f'"{k}"' for k in (*shape.lists, *shape.single, "id"))
    raise refuse(f"a JSON object without {keys}")


def _lines(path: Path, data: bytes, shape: Shape) -> list[tuple[int, Any]]:
    """JSON Lines; a line that is not valid JSON is read as None (a broken record)."""
    out: list[tuple[int, Any]] = []
    objects = 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict) and not shape.is_record(value):
            value = _line_record(path, number, value, shape)
        objects += isinstance(value, dict)
        out.append((number, value))
    if not objects:
        raise InputError(f"not JSON: neither one JSON document nor JSON Lines with a {shape.noun} object per line",
                         location=str(path), hint=shape.hint)
    return out


def _line_record(path: Path, number: int, value: dict[str, Any], shape: Shape) -> Any:
    """A line holding one record wrapped as a single-record response is that record; a line holding a whole
    page of records is refused (its records would share one number, and its sideloads be lost)."""
    for key in shape.single:
        if isinstance(value.get(key), dict):
            return value[key]
    for key in (*shape.lists, *shape.wrappers):
        if key in value:
            raise InputError(
                f"line {number} is a whole page of records (its \"{key}\"), not one {shape.noun}",
                location=str(path), hint=f"join the pages' {shape.noun}s into one JSON array, or write one "
                                         f"{shape.noun} object per line")
    return value


def kind(value: Any) -> str:
    """What a JSON value that is not an object or array is, in words."""
    if isinstance(value, bool):
        return "true/false value"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "null"


def obj(value: Any) -> dict[str, Any]:
    """A nested object, or {} when it is absent (or not an object)."""
    return value if isinstance(value, dict) else {}


def present(value: Any) -> bool:
    """Neither null nor empty text."""
    return value is not None and value != ""


def text_id(value: Any) -> str | None:
    """An id as text (``123`` and ``"123"`` alike); None when absent."""
    return str(value) if present(value) else None


def tags(value: Any) -> Any:
    """A list of labels as the ``tags`` value: an empty list is no tags (as an empty CSV cell is); anything
    else is passed on (a list is stored as its labels, see `chatlift.ingest.payload`)."""
    if isinstance(value, list) and not value:
        return None
    return value
