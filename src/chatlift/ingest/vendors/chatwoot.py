"""Chatwoot conversations, as its REST API returns them, each with its messages.

What the file may hold:

* one JSON document: the conversation list's response ``{"data": {"meta": …, "payload": [conversation, …]}}``,
  the same without ``data`` (``{"payload": […]}``), a plain array of conversations, or one conversation
  object (``{"id": …, …}``, as the single-conversation endpoint returns it);
* or JSON Lines (NDJSON): one conversation object per line. The file is first read as one JSON document;
  only when that fails are its lines read.

Anything else (not JSON, not JSON Lines with at least one object, a top level that is a number, a string
or an object of another shape) is an `InputError` naming the file.

Record numbers: a conversation's position in the array (1 = the first), or in JSON Lines its line number
(1 = the first line; blank lines are skipped but counted). Each message carries the number of its
conversation. An array element or a line that is not a JSON object (in JSON Lines also a line that is not
valid JSON) becomes an empty conversation record, which the validation rejects for its missing id, channel
and start under that number: nothing is dropped unseen.

One conversation becomes one ``conversations`` record:

* ``conversation_id`` = ``id`` (the number Chatwoot shows, its ``display_id``), as text;
* ``channel`` from ``meta.channel`` (the inbox type, ``Channel::WebWidget``): ``WebWidget`` → ``chat``;
  ``Email`` → ``email``; ``FacebookPage``, ``TwitterProfile``, ``Instagram``, ``Whatsapp``, ``Telegram``,
  ``Line`` → ``social``; ``Sms``, ``TwilioSms`` → ``sms``; ``Voice`` → ``phone``; ``Api`` → ``api``;
  any other type → its name after ``Channel::``, lower-cased; no channel → missing (rejected);
* ``started_at`` = ``created_at`` (seconds since 1970, UTC);
* ``customer_id`` = ``meta.sender.email``, trimmed and lower-cased; ``visitor_id`` =
  ``chatwoot-contact:<meta.sender.id>`` when the contact has an id;
* ``agent_id`` = ``meta.assignee.email`` (trimmed, lower-cased), else ``meta.assignee.id`` as text;
  ``team`` = ``meta.team.name``;
* ``status``: ``resolved`` → ``resolved``; ``open``, ``pending`` and ``snoozed`` → ``open`` (still
  being worked on); any other value is passed on, and rejected;
* ``first_response_at`` = ``first_reply_created_at``; Chatwoot writes ``0`` when nobody has replied, which
  is read as no reply;
* ``resolved_at`` is left empty: Chatwoot's conversation object does not say when it was resolved;
* ``tags`` = ``labels`` (an empty list is no tags).

Each element of the conversation's ``messages`` (absent = none) becomes one ``messages`` record:

* ``message_id`` = ``id``; ``conversation_id`` = the message's ``conversation_id`` (also the display id),
  else the conversation's ``id``; ``sent_at`` = ``created_at``; ``text`` = ``content``;
* ``sender``: a private message (``private`` true) is an internal note between agents, not a reply to the
  customer, so it is ``system`` and never counts as a first response, whatever its type; otherwise by
  ``message_type``: ``0``/``incoming`` → ``customer``; ``2``/``activity`` (assignments, status changes) →
  ``system``; ``3``/``template`` (automatic greetings, forms) → ``bot``; any other type is passed on as
  text, and rejected;
* an outgoing message (``1``/``outgoing``) is ``agent`` only when Chatwoot itself would count it as a
  human response: its sender is a user (``sender_type`` ``User``, or ``sender.type`` ``user``) and it
  carries neither an automation rule's mark (``content_attributes.automation_rule_id``) nor a campaign's
  (``additional_attributes.campaign_id``). Otherwise it is ``bot``, and never counts as a first response:
  any message with one of those marks (an automation rule's reply has no sender at all), and any message
  sent by something other than a user (``AgentBot``, ``Captain::Assistant`` (the AI assistant), or any
  other ``sender_type`` or ``sender.type``; when the two disagree, the message is not a user's). The one
  assumption: an outgoing message without any sender information (no ``sender_type``, no
  ``sender.type``) and without those marks is ``agent``. Chatwoot writes ``sender_type`` on every
  message it sends itself, so such a message was written elsewhere and echoed into Chatwoot (as replies
  written in a channel's own app are), by a person.

A message element that is not an object, or a ``messages`` value that is not a list, becomes an empty
message record (rejected under the conversation's number).

Note: the list endpoint includes only each conversation's latest message; for the whole history, put the
messages of ``GET …/conversations/{id}/messages`` into each conversation's ``messages``.

Values are translated, not judged: a malformed value (a ``created_at`` that is not a number of seconds,
an unknown status) is passed on unchanged so that the canonical validation rejects the record, naming
the file, the record's number and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatlift.ingest.vendors import Part, Translation, conversations_with_messages, email, unix_time
from chatlift.ingest.vendors.json_input import Shape, obj, present, read_records, tags, text_id

__all__ = ["FIELDS", "translate"]

VENDOR = "chatwoot"

FIELDS: dict[str, dict[str, str]] = {
    "conversations": {
        "conversation_id": "id",
        "channel": "meta.channel",
        "started_at": "created_at",
        "customer_id": "meta.sender.email",
        "visitor_id": "meta.sender.id",
        "agent_id": "meta.assignee.email (else meta.assignee.id)",
        "team": "meta.team.name",
        "status": "status",
        "first_response_at": "first_reply_created_at",
        "tags": "labels",
    },
    "messages": {
        "message_id": "messages[].id",
        "conversation_id": "messages[].conversation_id (else id)",
        "sender": "messages[].message_type (private, sender_type, sender.type, "
                  "content_attributes.automation_rule_id, additional_attributes.campaign_id)",
        "sent_at": "messages[].created_at",
        "text": "messages[].content",
    },
}

CHANNELS: dict[str, str] = {
    "webwidget": "chat",
    "email": "email",
    "facebookpage": "social",
    "twitterprofile": "social",
    "instagram": "social",
    "whatsapp": "social",
    "telegram": "social",
    "line": "social",
    "sms": "sms",
    "twiliosms": "sms",
    "voice": "phone",
    "api": "api",
}

STATUSES: dict[str, str] = {"resolved": "resolved", "open": "open", "pending": "open", "snoozed": "open"}

SHAPE_HINT = (
    "give Chatwoot's conversation list response ({\"data\": {\"payload\": [...]}}), a JSON array of "
    "conversations, or one conversation object per line (JSON Lines)"
)
SHAPE = Shape("a Chatwoot conversation list", "conversation", SHAPE_HINT, lists=("payload",), wrappers=("data",))


def translate(path: Path) -> Translation:
    """The conversations and messages of a Chatwoot file (see the module docstring)."""
    return conversations_with_messages(VENDOR, path, read_records(path, SHAPE).numbered, FIELDS, _conversation,
                                       _add_messages)


# Translating


def _conversation(item: dict[str, Any]) -> dict[str, Any]:
    meta = obj(item.get("meta"))
    sender, assignee, team = obj(meta.get("sender")), obj(meta.get("assignee")), obj(meta.get("team"))
    return {
        "conversation_id": text_id(item.get("id")),
        "channel": _channel(meta.get("channel")),
        "started_at": unix_time(item.get("created_at")),
        "customer_id": email(sender.get("email")),
        "visitor_id": f"chatwoot-contact:{sender['id']}" if present(sender.get("id")) else None,
        "agent_id": email(assignee.get("email")) or text_id(assignee.get("id")),
        "team": team.get("name") or None,
        "status": _status(item.get("status")),
        "first_response_at": _first_reply(item.get("first_reply_created_at")),
        "resolved_at": None,
        "tags": tags(item.get("labels")),
    }


def _add_messages(part: Part, row: int, item: dict[str, Any]) -> None:
    listed = item.get("messages")
    if listed is None:
        return
    if not isinstance(listed, list):
        part.add(row, {})  # rejected: the messages cannot be read
        return
    for message in listed:
        if not isinstance(message, dict):
            part.add(row, {})
            continue
        conversation = message.get("conversation_id")
        part.add(row, {
            "message_id": text_id(message.get("id")),
            "conversation_id": text_id(conversation if present(conversation) else item.get("id")),
            "sender": _sender(message),
            "sent_at": unix_time(message.get("created_at")),
            "text": message.get("content"),
        })


def _channel(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # None: rejected as missing; another type: passed on
    name = value.strip().removeprefix("Channel::").lower()
    return CHANNELS.get(name, name)


def _status(value: Any) -> Any:
    if isinstance(value, str):
        return STATUSES.get(value.strip().lower(), value)
    return value


def _first_reply(value: Any) -> Any:
    """No reply is written as 0 (or left out): then there is none."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "0")):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
        return None
    return unix_time(value)


_TYPES: dict[int | str, str] = {0: "incoming", 1: "outgoing", 2: "activity", 3: "template"}


def _sender(message: dict[str, Any]) -> Any:
    if message.get("private") is True:
        return "system"
    kind = message.get("message_type")
    if isinstance(kind, int) and not isinstance(kind, bool):
        kind = _TYPES.get(kind, kind)
    if kind == "incoming":
        return "customer"
    if kind == "outgoing":
        return "agent" if _human(message) else "bot"
    if kind == "activity":
        return "system"
    if kind == "template":
        return "bot"
    return None if kind is None else str(kind)


def _human(message: dict[str, Any]) -> bool:
    """Whether an outgoing message is a person's reply (Chatwoot's own test, `Message#human_response?`):
    sent by a user, and not by an automation rule or a campaign. No sender information at all: a person
    (the one assumption, see the module docstring)."""
    if present(obj(message.get("content_attributes")).get("automation_rule_id")):
        return False
    if present(obj(message.get("additional_attributes")).get("campaign_id")):
        return False
    senders = [_lower(message.get("sender_type")), _lower(obj(message.get("sender")).get("type"))]
    given = [sender for sender in senders if sender is not None]
    return all(sender == "user" for sender in given)  # none given: a person


def _lower(value: Any) -> Any:
    """A sender type to compare: trimmed and lower-cased text; None when absent."""
    if isinstance(value, str):
        return value.strip().lower() or None
    return value
