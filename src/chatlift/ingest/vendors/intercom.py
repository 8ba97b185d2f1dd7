"""Intercom conversations as its REST API (version 2.x) returns them, each with its opening message and parts.

What the file may hold (the ``/conversations`` endpoints):

* one JSON document: a page of ``GET /conversations`` or of ``POST /conversations/search``
  (``{"type": "conversation.list", "conversations": […], "pages": …}``), a plain array of conversation
  objects, or a single conversation as ``GET /conversations/{id}`` returns it (``{"type": "conversation",
  …}``, with its ``conversation_parts``);
* or JSON Lines: one conversation object per line. The file is read as one JSON document first; only when
  that fails is it read line by line.

Anything else (not JSON, no line holding a JSON object, a top level that is a number or a string, an object
that is neither a list page nor a conversation, a ``conversations`` value that is not an array) is an
`InputError` naming the file.

Record numbers: a conversation's position in the ``conversations`` array or the plain array (1 = the
first), or in JSON Lines its line number (1 = the first line; blank lines are passed over but counted).
The messages of a conversation carry its number. An element or a line that is not a JSON object (in JSON
Lines also a line that is not valid JSON) becomes an empty conversation, rejected under its number for
the missing id, channel and start. No conversation is skipped.

One conversation becomes one ``conversations`` record:

* ``conversation_id`` = ``id``, as text;
* ``started_at`` = ``created_at`` (seconds since 1970, UTC);
* ``channel`` from ``source.type``, the channel the conversation came in on: ``conversation`` (the
  Messenger, on a website or in an app) → ``chat``; ``email`` → ``email``; ``facebook``, ``instagram``,
  ``twitter``, ``whatsapp`` → ``social``; ``phone_call`` → ``phone``; ``phone_switch`` (a caller whom
  Switch moved from the phone line to a text channel) → ``phone``, where the customer reached out;
  ``sms`` → ``sms``; ``push`` (a mobile push message) → ``app``; any other type → itself, lower-cased;
  no source type → missing (rejected);
* ``initiated_by`` from ``source.delivered_as``: ``customer_initiated`` → ``customer``;
  ``admin_initiated`` (a teammate wrote to the customer) → ``agent``; ``automated`` (Series and other
  outbound messages), ``campaigns_initiated`` (legacy auto messages) and ``operator_initiated`` (a custom
  bot) → ``bot``: nobody wrote those by hand. Without ``delivered_as`` the table's default applies
  (``customer``); any other value is passed on, and rejected;
* the customer: the author of ``source`` when it is a ``user``, ``lead`` or ``contact``, else the first of
  ``contacts.contacts`` (an outbound conversation's author is the teammate or bot that sent it).
  ``customer_id`` = its ``email``, trimmed and lower-cased; when no e-mail address is given,
  ``visitor_id`` = ``intercom-contact:<id>`` (users and leads share Intercom's contact ids). The
  contact's ``external_id`` (your own user id) is not used: it is not an e-mail address and would not
  match the same person in other tools;
* ``agent_id`` = ``admin_assignee_id``, as text; ``team`` = ``team_assignee_id``, as text (the API gives
  ids, not names);
* ``status`` from ``state``: ``open`` and ``snoozed`` → ``open``; ``closed`` → ``resolved``; any other
  value is passed on, and rejected;
* ``first_response_at`` = ``statistics.first_admin_reply_at``: Intercom's first reply that a human
  teammate made visible to the customer after the customer first wrote (notes and bots do not count);
  without statistics it is left empty, and derived from the messages;
* ``resolved_at`` = ``statistics.last_close_at`` when ``state`` is ``closed``: a conversation closed,
  reopened and closed again was resolved at its last close. An open or snoozed conversation has no
  resolution time, even when it was closed once before;
* ``tags`` = the ``name`` of each tag in ``tags.tags`` (none = no tags).

Not mapped: ``cobrowse``, ``segment`` and ``sector`` (a conversation does not say them); Intercom's own
durations (``statistics.time_to_admin_reply`` …), which leave out office hours, are not used: the times
above are stored instead and the durations follow from them.

Messages: the opening message ``source`` and each element of ``conversation_parts.conversation_parts``
become ``messages`` records (``conversation_id`` = the conversation's ``id``):

* the opening message: ``message_id`` = ``source.id`` as text, ``source-<conversation id>`` when it has
  none; ``sent_at`` = the conversation's ``created_at`` (the source has no time of its own);
  ``text`` = ``body``;
* a part: ``message_id`` = ``id``, ``sent_at`` = ``created_at``, ``text`` = ``body``;
* ``sender`` by ``part_type``: a ``comment`` (a message written in the conversation) is by its
  ``author.type``: ``user``, ``lead`` or ``contact`` → ``customer``; ``admin`` → ``agent``; ``bot`` and
  ``team`` (bots and campaigns write in a team's name) → ``bot``; an author marked ``from_ai_agent``
  (Fin) → ``bot`` whatever its type; any other author type is passed on, and rejected. A ``note`` (and
  ``note_and_reopen`` …, any part type beginning with ``note``) is ``system``, body or not: an internal
  note between teammates that the customer never sees must not count as a first response. Every other
  part type (``assignment``, ``open``, ``close``, ``snoozed``, ``unsnoozed`` and the rest) records an
  action: without a body (none, or only white space) it is ``system``; with one it is also a message the
  customer sees (a teammate closing, assigning or reopening with a reply), so it is by its author like a
  comment (an admin's close with a reply → ``agent``, a bot's → ``bot``). A part without a ``part_type``
  has no sender (rejected). The opening message is by its author in the same way, except that an
  ``automated``, ``campaigns_initiated`` or ``operator_initiated`` one is by a ``bot`` even when a
  teammate's name is on it.

Bodies are stored as Intercom gives them: HTML unless the conversation was retrieved with
``display_as=plaintext``. The list and search endpoints leave ``conversation_parts`` out; for the whole
history, export each conversation with ``GET /conversations/{id}``. A part element that is not an
object, or a ``source`` or ``conversation_parts`` that is not an object, becomes an empty message record
(rejected under the conversation's number).

Values are translated, not judged: a malformed value (a ``created_at`` that is not a number of seconds,
an unknown state) is passed on unchanged so that the canonical validation rejects the record, naming the
file, the record's number and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatlift.ingest.vendors import Part, Translation, conversations_with_messages, email, unix_time
from chatlift.ingest.vendors.json_input import Shape, obj, present, read_records, tags, text_id

__all__ = ["FIELDS", "translate"]

VENDOR = "intercom"

FIELDS: dict[str, dict[str, str]] = {
    "conversations": {
        "conversation_id": "id",
        "channel": "source.type",
        "started_at": "created_at",
        "initiated_by": "source.delivered_as",
        "customer_id": "source.author.email (else contacts.contacts[0].email)",
        "visitor_id": "source.author.id (else contacts.contacts[0].id), when there is no e-mail",
        "agent_id": "admin_assignee_id",
        "team": "team_assignee_id",
        "status": "state",
        "first_response_at": "statistics.first_admin_reply_at",
        "resolved_at": "statistics.last_close_at (when state is closed)",
        "tags": "tags.tags[].name",
    },
    "messages": {
        "message_id": "source.id (else source-<id>); conversation_parts.conversation_parts[].id",
        "conversation_id": "id",
        "sender": "source.author.type (source.delivered_as); part_type, body, author.type, author.from_ai_agent",
        "sent_at": "created_at; conversation_parts.conversation_parts[].created_at",
        "text": "source.body; conversation_parts.conversation_parts[].body",
    },
}

CHANNELS: dict[str, str] = {
    "conversation": "chat",
    "email": "email",
    "facebook": "social",
    "instagram": "social",
    "twitter": "social",
    "whatsapp": "social",
    "phone_call": "phone",
    "phone_switch": "phone",
    "sms": "sms",
    "push": "app",
}

INITIATORS: dict[str, str] = {
    "customer_initiated": "customer",
    "admin_initiated": "agent",
    "automated": "bot",
    "campaigns_initiated": "bot",
    "operator_initiated": "bot",
}

STATUSES: dict[str, str] = {"open": "open", "snoozed": "open", "closed": "resolved"}

CUSTOMER_TYPES = ("user", "lead", "contact")
AUTHORS: dict[str, str] = {
    "user": "customer", "lead": "customer", "contact": "customer", "admin": "agent", "bot": "bot", "team": "bot",
}

_HINT = (
    "give Intercom's conversation list or search response ({\"type\": \"conversation.list\", "
    "\"conversations\": [...]}), a JSON array of conversations, one conversation, or one conversation "
    "object per line (JSON Lines)"
)
SHAPE = Shape("an Intercom conversation list", "conversation", _HINT, lists=("conversations",), is_record=lambda d: d.get("type") == "conversation" or "id" in d)


def translate(path: Path) -> Translation:
    """The conversations and messages of an Intercom file (see the module docstring)."""
    return conversations_with_messages(VENDOR, path, read_records(path, SHAPE).numbered, FIELDS, _conversation,
                                       _add_messages)


# Translating


def _conversation(item: dict[str, Any]) -> dict[str, Any]:
    source = obj(item.get("source"))
    statistics = obj(item.get("statistics"))
    mail, contact_id = _customer(item, source)
    state = item.get("state")
    closed = isinstance(state, str) and state.strip().lower() == "closed"
    return {
        "conversation_id": text_id(item.get("id")),
        "channel": _channel(source.get("type")),
        "started_at": unix_time(item.get("created_at")),
        "initiated_by": _mapped(source.get("delivered_as"), INITIATORS),
        "customer_id": mail,
        "visitor_id": f"intercom-contact:{contact_id}" if mail is None and contact_id is not None else None,
        "agent_id": text_id(item.get("admin_assignee_id")),
        "team": text_id(item.get("team_assignee_id")),
        "status": _mapped(state, STATUSES),
        "first_response_at": unix_time(statistics.get("first_admin_reply_at")),
        "resolved_at": unix_time(statistics.get("last_close_at")) if closed else None,
        "tags": _tags(item.get("tags")),
    }


def _customer(item: dict[str, Any], source: dict[str, Any]) -> tuple[str | None, str | None]:
    """(e-mail, contact id) of the customer: the source's author when a contact wrote it, else the first
    contact of the conversation."""
    people: list[dict[str, Any]] = []
    author = obj(source.get("author"))
    if author.get("type") in CUSTOMER_TYPES:
        people.append(author)
    contacts = item.get("contacts")
    listed = contacts.get("contacts") if isinstance(contacts, dict) else contacts
    if isinstance(listed, list) and listed:
        people.append(obj(listed[0]))
    mail = next((m for m in (email(p.get("email")) for p in people) if m), None)
    contact_id = next((i for i in (text_id(p.get("id")) for p in people) if i), None)
    return mail, contact_id


def _channel(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # None: rejected as missing; another type: passed on
    name = value.strip().lower()
    return CHANNELS.get(name, name)


def _mapped(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return names.get(value.strip().lower(), value)
    return value


def _tags(value: Any) -> Any:
    if value is None:
        return None
    listed = value.get("tags") if isinstance(value, dict) else value
    if listed is None:
        return None
    if not isinstance(listed, list):
        return value  # not Intercom's tag list: passed on
    return tags([tag.get("name") if isinstance(tag, dict) else tag for tag in listed])


def _add_messages(part: Part, row: int, item: dict[str, Any]) -> None:
    conversation_id = text_id(item.get("id"))
    source = item.get("source")
    if isinstance(source, dict):
        delivered = source.get("delivered_as")
        automatic = isinstance(delivered, str) and INITIATORS.get(delivered.strip().lower()) == "bot"
        message_id = text_id(source.get("id"))
        if message_id is None and conversation_id is not None:
            message_id = f"source-{conversation_id}"
        part.add(row, {
            "message_id": message_id,
            "conversation_id": conversation_id,
            "sender": "bot" if automatic else _author(source.get("author")),
            "sent_at": unix_time(item.get("created_at")),
            "text": source.get("body"),
        })
    elif source is not None:
        part.add(row, {})  # rejected: the opening message cannot be read
    parts = item.get("conversation_parts")
    if parts is None:
        return
    listed = parts.get("conversation_parts") if isinstance(parts, dict) else None
    if not isinstance(listed, list):
        part.add(row, {})  # rejected: the parts cannot be read
        return
    for element in listed:
        if not isinstance(element, dict):
            part.add(row, {})
            continue
        part.add(row, {
            "message_id": text_id(element.get("id")),
            "conversation_id": conversation_id,
            "sender": _part_sender(element),
            "sent_at": unix_time(element.get("created_at")),
            "text": element.get("body"),
        })


def _part_sender(element: dict[str, Any]) -> Any:
    kind = element.get("part_type")
    if kind == "comment":
        return _author(element.get("author"))
    if not present(kind):
        return None  # no part type: rejected as missing
    if _is_note(kind) or not _has_body(element.get("body")):
        return "system"
    return _author(element.get("author"))  # an action with a reply the customer sees


def _is_note(kind: Any) -> bool:
    """An internal note (``note``, ``note_and_reopen`` …): never seen by the customer."""
    return isinstance(kind, str) and kind.strip().lower().startswith("note")


def _has_body(body: Any) -> bool:
    """Whether a part carries text for the customer: more than white space."""
    return isinstance(body, str) and bool(body.strip())


def _author(value: Any) -> Any:
    """Who wrote a message, from its author object."""
    author = obj(value)
    if author.get("from_ai_agent") is True:
        return "bot"
    kind = author.get("type")
    if isinstance(kind, str):
        return AUTHORS.get(kind.strip().lower(), kind)
    return kind  # None: rejected as missing
