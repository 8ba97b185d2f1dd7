"""Zendesk Support tickets, as the Incremental Ticket Export or the List Tickets endpoint returns them.

What the file may hold:

* one JSON document: a page of the Incremental Ticket Export (``GET /api/v2/incremental/tickets.json`` or
  ``…/incremental/tickets/cursor.json``: ``{"tickets": […], "end_time": …, "end_of_stream": …}``), the
  List Tickets response (``GET /api/v2/tickets.json``: ``{"tickets": […], "next_page": …}``), the Show
  Ticket response (``{"ticket": {…}}``), a plain array of tickets, or one ticket object (``{"id": …}``);
* or JSON Lines (NDJSON): one ticket object per line. The file is read as one JSON document first; only
  when that fails are its lines read.

Anything else (not JSON, JSON Lines without a single object, a number, a string, an object with neither
``tickets``, ``ticket`` nor ``id``, a ``tickets`` or a sideload that is not an array) is an `InputError`
naming the file.

Sideloads (``?include=users,groups,metric_sets``) are read from the same document when present:
``users`` (``id``, ``email``, ``role``) turn requester, assignee and comment authors into people,
``groups`` (``id``, ``name``) give team names, ``metric_sets`` (one per ``ticket_id``; a ticket's own
``metric_set`` object counts too) give reply and solve times, and ``comments`` (Ticket Comments API
objects) give messages. JSON Lines has no sideloads, but each ticket line may carry its ``comments``.

Record numbers: a ticket's position in the ``tickets`` array (1 = the first), or in JSON Lines its line
number (1 = the first line; blank lines are skipped but counted). Every message carries the number of its
ticket. An array element or a line that is not a JSON object (in JSON Lines also a line that is not valid
JSON) becomes an empty conversation record, rejected under that number for its missing id, channel and
start.

One ticket becomes one ``conversations`` record:

* ``conversation_id`` = ``id``, as text;
* ``channel`` from ``via.channel``: ``chat`` and ``native_messaging`` (Zendesk messaging) → ``chat``;
  ``email`` and ``web`` (the web form; also their via type names ``mail`` and ``web_form``) → ``email``;
  ``voice`` → ``phone``; ``facebook``, ``twitter``, ``instagram``, ``instagram_dm``, ``whatsapp``,
  ``line``, ``wechat`` → ``social``; ``sms`` → ``sms``; ``mobile_sdk`` → ``app``; any other channel
  (``api``, ``any_channel``, ``mobile``, ``rule`` …) → itself, lower-cased; none → missing (rejected);
* ``started_at`` = ``created_at`` (ISO 8601 with offset, passed on; seconds since 1970 are converted);
* ``customer_id`` = the requester's ``email`` from the ``users`` sideload, trimmed and lower-cased;
  when the sideload does not give it, ``visitor_id`` = ``zendesk-user:<requester_id>`` instead;
* ``agent_id`` = the assignee's ``email`` from ``users`` (trimmed, lower-cased), else ``assignee_id``
  as text; ``team`` = the ``groups`` name of ``group_id``, else ``group_id`` as text;
* ``status``: ``new``, ``open``, ``pending`` and ``hold`` → ``open`` (still being worked on);
  ``solved`` and ``closed`` → ``resolved``; any other value is passed on, and rejected;
* ``first_response_at`` = ``created_at`` plus the metric set's ``reply_time_in_minutes.calendar``
  minutes (the first public agent reply, in clock time; business hours would shift it); none when the
  metric set is absent, has no reply yet, or ``created_at`` cannot be read as a time. A value of another
  kind than a number is passed on, and rejected; so is a number of minutes that leads beyond the calendar
  (year 9999) or is not finite: no time can be computed, and the minutes are passed on as text (``"1e+300"``)
  for the validation to reject rather than the record stored as never answered;
* ``resolved_at`` = the metric set's ``solved_at``, only for a ticket that is solved or closed now: a
  ticket reopened after it was solved keeps the old ``solved_at``, but it is not resolved;
* ``tags`` = ``tags`` (an empty list is no tags).

A ticket that appears several times in the file (the Incremental Ticket Export lists a ticket again each
time it changes, the last time in its newest state) is translated from its last occurrence only: the
earlier ones are skipped, each with the reason ``ticket <id> is repeated: record <n> is its latest
version…``, with the comments they carry (the latest version is the one read, sideloaded comments included).

Skipped, and counted with their record numbers: tickets whose latest version's ``status`` is ``deleted``
(the Incremental Export lists deleted tickets), together with their comments; their sideloaded comments are
listed as skipped too, under their positions in the ``comments`` array. A deleted ticket *withdraws*
(`Skipped.withdraws`) the conversation of its id, ``conversation_id`` as written below: an earlier import
that stored the ticket has it (and its messages) removed.

Each comment becomes one ``messages`` record: the elements of the ticket's ``comments`` array, and the
elements of a ``comments`` sideload whose ``ticket_id`` names a ticket of the file. The Ticket Comments
API (``GET /api/v2/tickets/{id}/comments``) leaves ``ticket_id`` out: add it when putting several
tickets' comments together; comments without it belong to the file's only ticket when it holds one
(a ticket repeated is one ticket). Sideloaded comments go with the ticket's latest version.
A sideloaded comment that names no ticket of the file (or cannot be placed, or is not an object) is
skipped and counted, under its position in the ``comments`` array, with a reason that says so.

* ``message_id`` = ``id``; ``conversation_id`` = the ticket's ``id``; ``sent_at`` = ``created_at``;
  ``text`` = ``body`` (else ``plain_body``);
* ``sender``, in this order: a comment that is not public (``public`` false) is an internal note between
  agents → ``system``, so it never counts as a first response; a comment added by a trigger or an
  automation (``via.channel`` ``rule``) or by Answer Bot (``answer_bot…``) → ``bot``; written by the
  ticket's requester → ``customer``; by a user whose ``users`` role is ``agent`` or ``admin`` →
  ``agent``, ``end-user`` (a CC'd person, say) → ``customer``; by the ticket's assignee → ``agent``.
  An author none of these rules places is not guessed: the sender is left missing, and the message
  rejected.

A ticket's ``comments`` that is not an array, or an element of it that is not an object, becomes an empty
message record (rejected under the ticket's number).

Not mapped: ``initiated_by`` (Zendesk does not say whether the customer or an agent started a ticket; the
default ``customer`` applies), ``segment``, ``sector`` and ``cobrowse`` (no such ticket fields); the ticket's
``satisfaction_rating`` is a survey answer, which this importer does not read. The List
Tickets and Incremental Export responses hold no comments: fetch them with the Ticket Comments API and add
them to each ticket's ``comments`` (or as a ``comments`` sideload with ``ticket_id``) to import messages.

Values are translated, not judged: a malformed value (a ``created_at`` that is no time, an unknown status)
is passed on unchanged so that the canonical validation rejects the record, naming the file, the record's
number and the field.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from chatlift.errors import InputError
from chatlift.ingest.vendors import Part, Skipped, Translation, email, unix_time
from chatlift.ingest.vendors.json_input import Shape, obj, present, read_records, tags, text_id

__all__ = ["FIELDS", "translate"]

VENDOR = "zendesk"

FIELDS: dict[str, dict[str, str]] = {
    "conversations": {
        "conversation_id": "id",
        "channel": "via.channel",
        "started_at": "created_at",
        "customer_id": "requester_id → users[].email",
        "visitor_id": "requester_id (when users gives no e-mail)",
        "agent_id": "assignee_id → users[].email (else assignee_id)",
        "team": "group_id → groups[].name (else group_id)",
        "status": "status",
        "first_response_at": "created_at + metric_sets[].reply_time_in_minutes.calendar",
        "resolved_at": "metric_sets[].solved_at (solved or closed tickets)",
        "tags": "tags",
    },
    "messages": {
        "message_id": "comments[].id",
        "conversation_id": "id (of the comment's ticket)",
        "sender": "comments[].public, via.channel, author_id (requester, users[].role, assignee)",
        "sent_at": "comments[].created_at",
        "text": "comments[].body (else plain_body)",
    },
}

CHANNELS: dict[str, str] = {
    "chat": "chat",
    "native_messaging": "chat",
    "email": "email",
    "mail": "email",
    "web": "email",
    "web_form": "email",
    "voice": "phone",
    "facebook": "social",
    "twitter": "social",
    "instagram": "social",
    "instagram_dm": "social",
    "whatsapp": "social",
    "line": "social",
    "wechat": "social",
    "sms": "sms",
    "mobile_sdk": "app",
}

STATUSES: dict[str, str] = {
    "new": "open", "open": "open", "pending": "open", "hold": "open",
    "solved": "resolved", "closed": "resolved",
}

AGENT_ROLES = ("agent", "admin")

_HINT = (
    "give the response of Zendesk's Incremental Ticket Export or List Tickets ({\"tickets\": [...]}, "
    "sideloads such as users, groups and metric_sets may be included), a JSON array of tickets, "
    "or one ticket object per line (JSON Lines)"
)
SHAPE = Shape("a Zendesk ticket export", "ticket", _HINT, lists=("tickets",), single=("ticket",))


def translate(path: Path) -> Translation:
    """The conversations and messages of a Zendesk tickets file (see the module docstring)."""
    export = _read(path)
    conversations = Part("conversations")
    messages = Part("messages")
    skipped: list[Skipped] = []
    latest = _latest(export)
    attached, loose = _sideloaded_comments(export)
    skipped += loose
    for row, ticket in export.tickets:
        if not isinstance(ticket, dict):
            conversations.add(row, {})
            continue
        ticket_id = ticket.get("id")
        key = _key(ticket_id) if present(ticket_id) else None
        if key is not None and latest[key] != row:
            skipped.append(Skipped(row, f"ticket {ticket_id} is repeated: record {latest[key]} is its latest "
                                        f"version, which is imported instead"))
            continue
        sideloaded = attached.pop(key, []) if key is not None else []
        if _text(ticket.get("status")) == "deleted":
            conversation_id = text_id(ticket_id)  # as `_conversation` writes it
            withdrawn = ("conversations", conversation_id) if conversation_id is not None else None
            skipped.append(Skipped(row, f"ticket {ticket_id} was deleted", withdraws=withdrawn))
            skipped += [Skipped(position, f"element {position} of the \"comments\" sideload (comment "
                                          f"{comment.get('id')}) belongs to ticket {ticket_id}, which was deleted")
                        for position, comment in sideloaded]
            continue
        conversations.add(row, _conversation(ticket, export))
        _add_messages(messages, row, ticket, export)
        for _, comment in sideloaded:
            messages.add(row, _message(comment, ticket, export))
    return Translation(VENDOR, path, [conversations, messages], FIELDS, records_read=len(export.tickets),
                       skipped=skipped)


# Reading the file


class _Export:
    """The tickets of a file, each with its record number, and the sideloads of its document."""

    def __init__(self, tickets: list[tuple[int, Any]], document: dict[str, Any] | None = None,
                 path: Path | None = None) -> None:
        self.tickets = tickets
        side = document or {}
        self.users = _index(path, side, "users", "id")
        self.groups = _index(path, side, "groups", "id")
        self.metric_sets = _index(path, side, "metric_sets", "ticket_id")
        self.comments: list[Any] = _array(path, side, "comments")


def _read(path: Path) -> _Export:
    records = read_records(path, SHAPE)
    return _Export(records.numbered, records.container, path)


def _array(path: Path | None, document: dict[str, Any], name: str) -> list[Any]:
    """A sideload array (absent or null = empty); anything else is not Zendesk's shape."""
    value = document.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"not a Zendesk ticket export: its \"{name}\" sideload is not an array",
                         location=str(path), hint=_HINT)
    return value


def _index(path: Path | None, document: dict[str, Any], name: str, key: str) -> dict[str, dict[str, Any]]:
    """The objects of a sideload by ``key`` (as text); elements without it are of no use for a lookup."""
    return {_key(item[key]): item for item in _array(path, document, name)
            if isinstance(item, dict) and present(item.get(key))}


def _latest(export: _Export) -> dict[str, int]:
    """The record number of each ticket id's last occurrence (its latest version), by id (as text)."""
    return {_key(t.get("id")): row for row, t in export.tickets if isinstance(t, dict) and present(t.get("id"))}


def _sideloaded_comments(export: _Export) -> tuple[dict[str, list[tuple[int, dict[str, Any]]]], list[Skipped]]:
    """The ``comments`` sideload by ticket id (as text), each with its position in the array, and those that
    belong to no ticket of the file."""
    ids = set(_latest(export))
    anonymous = sum(1 for _, t in export.tickets if not (isinstance(t, dict) and present(t.get("id"))))
    holds = len(ids) + anonymous  # tickets, a repeated one counted once
    only = next(iter(ids)) if len(ids) == 1 and not anonymous else None
    attached: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    loose: list[Skipped] = []
    for position, comment in enumerate(export.comments, start=1):
        where = f"element {position} of the \"comments\" sideload"
        if not isinstance(comment, dict):
            loose.append(Skipped(position, f"{where} is not a comment object"))
            continue
        ticket_id = comment.get("ticket_id")
        key = _key(ticket_id) if present(ticket_id) else only
        if key is None:
            loose.append(Skipped(position, f"{where} (comment {comment.get('id')}) has no ticket_id, and the "
                                           f"file holds {holds} tickets"))
        elif key not in ids:
            loose.append(Skipped(position, f"{where} (comment {comment.get('id')}) belongs to ticket "
                                           f"{ticket_id}, which is not in the file"))
        else:
            attached.setdefault(key, []).append((position, comment))
    return attached, loose


# Translating


def _key(value: Any) -> str:
    """A Zendesk id as a lookup key: 123 and "123" are the same user, group or ticket."""
    return str(value).strip()


def _text(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) else None


def _time(value: Any) -> Any:
    """ISO 8601 text is passed on as it is; seconds since 1970 become ISO 8601 UTC."""
    if value is None or isinstance(value, str):
        return value
    return unix_time(value)


def _lookup(index: dict[str, dict[str, Any]], value: Any) -> dict[str, Any]:
    return index.get(_key(value), {}) if present(value) else {}


def _conversation(ticket: dict[str, Any], export: _Export) -> dict[str, Any]:
    requester_id, assignee_id, group_id = ticket.get("requester_id"), ticket.get("assignee_id"), ticket.get("group_id")
    customer = email(_lookup(export.users, requester_id).get("email"))
    metrics = obj(ticket.get("metric_set")) or _lookup(export.metric_sets, ticket.get("id"))
    started = _time(ticket.get("created_at"))
    status = _status(ticket.get("status"))
    return {
        "conversation_id": text_id(ticket.get("id")),
        "channel": _channel(obj(ticket.get("via")).get("channel")),
        "started_at": started,
        "customer_id": customer,
        "visitor_id": f"zendesk-user:{requester_id}" if customer is None and present(requester_id) else None,
        "agent_id": email(_lookup(export.users, assignee_id).get("email")) or text_id(assignee_id),
        "team": _lookup(export.groups, group_id).get("name") or text_id(group_id),
        "status": status,
        "first_response_at": _first_reply(started, metrics.get("reply_time_in_minutes")),
        "resolved_at": _time(metrics.get("solved_at")) if status == "resolved" else None,
        "tags": tags(ticket.get("tags")),
    }


def _channel(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # None: rejected as missing; a via id (a number): passed on
    name = value.strip().lower()
    return CHANNELS.get(name, name)


def _status(value: Any) -> Any:
    if isinstance(value, str):
        return STATUSES.get(value.strip().lower(), value)
    return value


def _first_reply(started: Any, reply_time: Any) -> Any:
    """The creation time plus the calendar minutes to the first reply, in the creation time's offset."""
    minutes = obj(reply_time).get("calendar")
    if minutes is None:
        return None  # no metric set, or no reply yet
    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
        return minutes  # not a number of minutes: rejected
    if not isinstance(started, str):
        return None
    try:
        created = datetime.fromisoformat(started.strip())
    except ValueError:
        return None  # the start itself is rejected
    try:
        return (created + timedelta(minutes=minutes)).isoformat()
    except (OverflowError, ValueError):
        return str(minutes)  # beyond the calendar (or not finite): no time, rejected with the minutes as its value


def _add_messages(part: Part, row: int, ticket: dict[str, Any], export: _Export) -> None:
    listed = ticket.get("comments")
    if listed is None:
        return
    if not isinstance(listed, list):
        part.add(row, {})  # rejected: the comments cannot be read
        return
    for comment in listed:
        part.add(row, _message(comment, ticket, export) if isinstance(comment, dict) else {})


def _message(comment: dict[str, Any], ticket: dict[str, Any], export: _Export) -> dict[str, Any]:
    body = comment.get("body")
    return {
        "message_id": text_id(comment.get("id")),
        "conversation_id": text_id(ticket.get("id")),
        "sender": _sender(comment, ticket, export),
        "sent_at": _time(comment.get("created_at")),
        "text": body if body is not None else comment.get("plain_body"),
    }


def _sender(comment: dict[str, Any], ticket: dict[str, Any], export: _Export) -> str | None:
    if comment.get("public") is False:
        return "system"  # an internal note
    via = _text(obj(comment.get("via")).get("channel")) or ""
    if via == "rule" or via.startswith("answer_bot"):
        return "bot"
    author = comment.get("author_id")
    if not present(author):
        return None
    if present(ticket.get("requester_id")) and _key(author) == _key(ticket["requester_id"]):
        return "customer"
    role = _text(_lookup(export.users, author).get("role"))
    if role in AGENT_ROLES:
        return "agent"
    if role == "end-user":
        return "customer"
    if present(ticket.get("assignee_id")) and _key(author) == _key(ticket["assignee_id"]):
        return "agent"
    return None  # not known who wrote it: rejected rather than guessed
