"""Reading canonical files into the store: formats, validation, quarantine, upsert."""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chatlift.domain.schema import TABLES_BY_NAME, Table
from chatlift.errors import ConfigError, InputError, ParameterError, close_matches
from chatlift.ingest.batch import import_batch
from chatlift.ingest.formats import FileFormat
from chatlift.ingest.importer import import_file
from chatlift.ingest.payload import BatchFormat
from chatlift.ingest.result import ImportResult, Issue

__all__ = [
    "BatchFormat", "ImportResult", "Issue", "import_batch", "import_file", "resolve_format", "resolve_inputs",
    "resolve_table", "resolve_timezone",
]


def resolve_table(name: str) -> Table:
    """The canonical table ``name``; an unknown name gets the list and a close match."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        hint = close_matches(name, TABLES_BY_NAME) or f"tables: {', '.join(TABLES_BY_NAME)}"
        raise InputError(f"unknown table {name!r}", hint=hint) from None


def resolve_format(name: str | None) -> FileFormat | None:
    """The format forced by ``--format``, or None to go by each file's extension."""
    if not name:
        return None
    formats = [f.value for f in FileFormat]
    if name not in formats:
        raise ParameterError(f"unknown format {name!r}", hint=f"use one of {', '.join(formats)}")
    return FileFormat(name)


def resolve_timezone(name: str | None) -> str | None:
    """Validate an IANA time zone name (None stays None)."""
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r}",
            hint="use an IANA name such as UTC, Europe/Amsterdam or America/New_York",
        ) from None
    return name


def resolve_inputs(patterns: Sequence[str | Path]) -> list[Path]:
    """Expand files and glob patterns, in order, without repeats; a pattern matching nothing is an error."""
    found: list[Path] = []
    for pattern in patterns:
        text = str(pattern)
        matches = sorted(glob.glob(text, recursive=True)) if glob.has_magic(text) else [text]
        if not matches:
            raise InputError(f"no file matches {text!r}", hint="check the path and the quoting of the glob")
        for match in matches:
            path = Path(match)
            if not path.exists():
                raise InputError(f"no such file: {path}", location=str(path))
            if path not in found:
                found.append(path)
    return found
