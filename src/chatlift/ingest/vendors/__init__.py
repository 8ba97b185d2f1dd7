"""Importers for the exports of real tools: a vendor's file becomes records of the canonical tables.

Each vendor module reads one kind of export and *translates* it: every record of the file becomes
canonical records (an order, a conversation and its messages), numbered by the record's place in
the file. Translation does not judge values: a missing or malformed value is passed on as it is,
and the canonical validation rejects the record with the usual reason, naming the file, the
record's number and the canonical field (`Translation.fields` says which vendor field that is).
Records that are deliberately not imported (a cancelled order) are counted as *skipped*, each with
its number and why. Records are then imported as a batch (`chatlift.ingest.batch.import_records`):
upsert by id, so importing the same export again, or a newer one that overlaps it, never counts
twice; rejected records are quarantined under the file's path.

People: tools that know a customer's e-mail address use it, trimmed and lower-cased, as
``customer_id``, so that a chat in one tool and an order in a shop match the same person.

Vendors: helpdesks ``chatwoot``, ``intercom``, ``livechat`` and ``zendesk`` (conversations, tickets or chats
with their messages, as each one's REST API returns them, JSON or JSON Lines; LiveChat ratings too), and
shops ``shopify`` (the orders export CSV) and ``woocommerce`` (orders from its REST API, JSON). How the JSON
files are read: `json_input`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chatlift.domain.schema import TABLES_BY_NAME
from chatlift.errors import InputError, close_matches
from chatlift.ingest.batch import import_records
from chatlift.ingest.result import ImportResult
from chatlift.storage.store import Store

__all__ = ["VENDORS", "Part", "Skipped", "Translation", "VendorImport", "import_vendor", "translate"]


@dataclass(slots=True)
class Part:
    """The records of one canonical table, each with the number of the file record it came from."""

    table: str
    records: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)

    def add(self, row: int, record: dict[str, Any]) -> None:
        self.records.append(record)
        self.rows.append(row)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file record deliberately not imported, and why."""

    row: int
    reason: str


@dataclass(slots=True)
class Translation:
    """What a vendor file holds in canonical terms, in the order its tables are imported."""

    vendor: str
    path: Path
    parts: list[Part]
    fields: dict[str, dict[str, str]]  # canonical table -> canonical column -> the vendor's field
    records_read: int = 0  # records in the file (a multi-line order is one)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class VendorImport:
    """The outcome of importing one vendor file: a result per canonical table, and what was skipped."""

    translation: Translation
    results: tuple[ImportResult, ...]


Translator = Callable[[Path], Translation]


VENDORS: tuple[str, ...] = ("chatwoot", "intercom", "livechat", "shopify", "woocommerce", "zendesk")  # each the name of its module here


def translate(vendor: str, path: Path) -> Translation:
    """Read ``path`` as ``vendor``'s export; an unknown vendor or an unreadable file is an InputError."""
    if vendor not in VENDORS:
        hint = close_matches(vendor, VENDORS) or f"vendors: {', '.join(VENDORS)}"
        raise InputError(f"unknown vendor {vendor!r}", hint=hint)
    if not path.is_file():
        raise InputError(f"no such file: {path}", location=str(path))
    translator: Translator = importlib.import_module(f"{__name__}.{vendor}").translate
    return translator(path)


def import_vendor(store: Store, vendor: str, path: Path, *, timezone: str | None = None) -> VendorImport:
    """Translate ``path`` and import each of its tables (one transaction per table)."""
    translation = translate(vendor, path)
    results = tuple(
        import_records(store, TABLES_BY_NAME[part.table], part.records, part.rows, source=str(path),
                       timezone=timezone)
        for part in translation.parts
    )
    return VendorImport(translation, results)


def conversations_with_messages(
    vendor: str, path: Path, numbered: Sequence[tuple[int, Any]], fields: dict[str, dict[str, str]],
    conversation: Callable[[dict[str, Any]], dict[str, Any]], add_messages: Callable[[Part, int, dict[str, Any]], None],
) -> Translation:
    """The usual translation of a helpdesk's conversations: each numbered object becomes a conversation
    record (`conversation`) and its messages (`add_messages`, given the messages part, the number and the
    object); a value that is not an object becomes an empty conversation record, rejected under its number."""
    conversations, messages = Part("conversations"), Part("messages")
    for row, item in numbered:
        if not isinstance(item, dict):
            conversations.add(row, {})
            continue
        conversations.add(row, conversation(item))
        add_messages(messages, row, item)
    return Translation(vendor, path, [conversations, messages], fields, records_read=len(conversations.records))


def email(value: object) -> str | None:
    """An e-mail address as a person id: trimmed and lower-cased; None when empty."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text or None


def unix_time(value: object) -> object:
    """Seconds since 1970 (int, float or digits) as ISO 8601 UTC text; anything else is passed on unchanged
    for the validation to reject."""
    seconds = value.strip() if isinstance(value, str) else value
    numeric = isinstance(seconds, int | float) and not isinstance(seconds, bool)
    if isinstance(seconds, str) and seconds.replace(".", "", 1).isdigit():
        numeric = True
    if not numeric:
        return value
    try:
        return datetime.fromtimestamp(float(seconds), UTC).isoformat()  # type: ignore[arg-type]
    except (OverflowError, OSError, ValueError):
        return value


def require_columns(path: Path, found: Sequence[str], needed: Sequence[str], vendor: str) -> None:
    """An export without the columns a translation needs is not that vendor's export: say which are missing."""
    missing = [c for c in needed if c not in found]
    if missing:
        raise InputError(
            f"not a {vendor} export: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            location=str(path),
            hint=f"export it again from {vendor}, or import canonical files with `chatlift import`",
        )
