"""Importers for the exports of real tools: a vendor's file becomes records of the canonical tables.

Each vendor module reads one kind of export and *translates* it: every record of the file becomes
canonical records (an order, a conversation and its messages), numbered by the record's place in
the file. Translation does not judge values: a missing or malformed value is passed on as it is,
and the canonical validation rejects the record with the usual reason, naming the file, the
record's number and the canonical field (`Translation.fields` says which vendor field that is).
Records that are deliberately not imported (a cancelled order) are counted as *skipped*, each with
its number and why; when such a record withdraws what an earlier export brought in (the order was
paid then, it is refunded now), the stored row is removed. Records are then imported as a batch
(`chatlift.ingest.batch.import_records`): upsert by id, so importing the same export again, or a newer
one that overlaps it, never counts twice; rejected records are quarantined under the file's path.
Ids are the tool's own; ``id_prefix`` (``--id-prefix zendesk:``) keeps two tools, or two accounts,
whose ids overlap from replacing each other's records.

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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chatlift.domain.schema import TABLES_BY_NAME
from chatlift.errors import InputError, close_matches
from chatlift.facts import changes
from chatlift.ingest.batch import import_records
from chatlift.ingest.result import ImportResult
from chatlift.storage.ddl import quote
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
    """A file record deliberately not imported, and why.

    ``withdraws`` = (canonical table, id) when the record says that something an earlier export brought in
    is no longer what it was imported as (an order since refunded or cancelled, a ticket since deleted):
    the stored row of that id is removed (a conversation with its messages), and the removal counted.
    """

    row: int
    reason: str
    withdraws: tuple[str, str] | None = None


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
    """The outcome of importing one vendor file: a result per canonical table, what was skipped, and the
    stored rows removed because the file withdraws them (canonical table -> rows)."""

    translation: Translation
    results: tuple[ImportResult, ...]
    removed: dict[str, int] = field(default_factory=dict)


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


def import_vendor(store: Store, vendor: str, path: Path, *, timezone: str | None = None,
                  id_prefix: str | None = None) -> VendorImport:
    """Translate ``path`` and import each of its tables (one transaction per table), then remove what the
    file withdraws (`Skipped.withdraws`). ``id_prefix`` is put before every id the file brings (see
    `ID_COLUMNS`), so that two tools, or two accounts of one, whose ids overlap do not replace each
    other's records: ``zendesk:`` makes ticket 1005 ``zendesk:1005``."""
    translation = translate(vendor, path)
    if id_prefix:
        _prefix_ids(translation, id_prefix)
    results = tuple(
        import_records(store, TABLES_BY_NAME[part.table], part.records, part.rows, source=str(path),
                       timezone=timezone)
        for part in translation.parts
    )
    return VendorImport(translation, results, _withdraw(store, translation.skipped))


ID_COLUMNS = frozenset({"conversation_id", "message_id", "order_id", "response_id"})
"""The ids a tool assigns (and references to them) that ``id_prefix`` is put before."""


def _prefix_ids(translation: Translation, prefix: str) -> None:
    for part in translation.parts:
        for record in part.records:
            for column in ID_COLUMNS & record.keys():
                value = record[column]
                if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
                    record[column] = f"{prefix}{str(value).strip()}"
    translation.skipped = [
        replace(s, withdraws=(s.withdraws[0], f"{prefix}{s.withdraws[1]}")) if s.withdraws else s
        for s in translation.skipped
    ]


# What goes with a withdrawn row: a conversation's messages.
_DEPENDENTS: dict[str, tuple[str, ...]] = {"conversations": ("messages",)}


def _withdraw(store: Store, skipped: Sequence[Skipped]) -> dict[str, int]:
    """Remove the stored rows that ``skipped`` withdraws, recording them as changed; rows removed per table."""
    ids: dict[str, list[str]] = {}
    for s in skipped:
        if s.withdraws:
            ids.setdefault(s.withdraws[0], []).append(s.withdraws[1])
    removed: dict[str, int] = {}
    if not ids:
        return removed
    con = store.con
    with store.transaction():
        for table_name, keys in ids.items():
            matching = f"{quote(TABLES_BY_NAME[table_name].key[0])} IN (SELECT unnest(?::VARCHAR[]))"
            for target in (*_DEPENDENTS.get(table_name, ()), table_name):
                rows = f"SELECT * FROM {quote(target)} WHERE {matching}"
                count = int(con.execute(f"SELECT count(*) FROM ({rows})", [keys]).fetchall()[0][0])
                if count:
                    changes.record(con, target, rows, [keys])
                    con.execute(f"DELETE FROM {quote(target)} WHERE {matching}", [keys])
                    removed[target] = removed.get(target, 0) + count
    return removed


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
