"""LiveChat chat archives, as the Agent Chat API v3.5 ``list_archives`` method returns them.

The importer reads what ``POST https://api.livechatinc.com/v3.5/agent/action/list_archives`` answers
(pages may be joined into one array or written one chat per line). What the file may hold:

* one JSON document: a ``list_archives`` response ``{"chats": [chat, …], "found_chats": …, "next_page_id": …}``,
  a plain array of chats, or one chat object (``{"id": …, "thread": …}``, as ``get_chat`` returns it);
* or JSON Lines (NDJSON): one chat object per line. The file is first read as one JSON document; only
  when that fails are its lines read.

Anything else (not JSON, not JSON Lines with at least one object, a top level that is a number, a string
or an object without ``chats`` or ``id``, a ``chats`` that is not an array) is an `InputError` naming the file.

Record numbers: a chat's position in the array (1 = the first), or in JSON Lines its line number (1 = the
first line; blank lines are skipped but counted). Every conversation, message and rating taken from a
chat carries that chat's number. An array element or a line that is not a JSON object (in JSON Lines also
a line that is not valid JSON) becomes an empty conversation record, which the validation rejects for
its missing id, channel and start under that number. A chat without any thread holds nothing to import:
it is skipped, with its number and id.

Conversations are threads. A LiveChat chat is the lasting channel between one customer and the business;
each time it is started again (the customer comes back days later) LiveChat opens a new *thread* with its
own id, events, agents, tags and rating. So every thread becomes one conversation, and
``conversation_id`` is the *thread* id (``K600PKZON8``), not the chat id.
``list_archives`` returns a chat once per thread (the same chat id may come back with another ``thread``);
a chat object holding a ``threads`` array instead is read the same way, each element a conversation.

People: the chat's ``users`` list holds its customer (``type`` ``customer``) and its agents (``type``
``agent``); a user's ``id`` is what events name as ``author_id``. LiveChat identifies a human agent by
e-mail address (the agent's ``id`` is that address). Bots take part in chats as agents too, but LiveChat
gives them no e-mail address (their id is a generated hexadecimal string): an agent user with neither an
``email`` nor an address as ``id`` is read as a bot.

One thread becomes one ``conversations`` record:

* ``conversation_id`` = ``thread.id``; ``channel`` = ``chat``;
* ``started_at`` = ``thread.created_at`` (RFC 3339 in UTC, passed on as written; seconds since 1970 would
  be read as UTC);
* ``customer_id`` = the customer user's ``email``, trimmed and lower-cased; ``visitor_id`` =
  ``livechat-customer:<id>`` with the customer user's id (LiveChat's own customer id);
* ``agent_id`` = the e-mail address of the thread's human agent, trimmed and lower-cased: among the agents
  the thread lists in ``user_ids`` (all the chat's agents when it lists none), the author of the thread's
  last message to the customer, else the first of them; bots are never the agent;
* ``team`` = the first group id of ``thread.access.group_ids`` (else of the chat's ``access``), as text;
  group ``0`` is LiveChat's general group (every agent may see the chat);
* ``status``: ``thread.active`` false (the thread was closed and archived) → ``resolved``; true → ``open``;
  any other value is passed on, and rejected. LiveChat records no outcome beyond closed, so a closed
  thread counts as resolved, whoever closed it;
* ``resolved_at`` = ``created_at`` of the closed thread's last system message that ends a chat
  (``system_message_type`` ``manual_archived_agent``, ``manual_archived_customer``,
  ``archived_customer_disconnected``, ``customer_banned``, ``system_archived`` or any ``routing.archived_…``);
  a thread object has no end time of its own, so without such a message (an export filtered to some
  event types, or a thread with ``restricted_access``) it is left empty;
* ``initiated_by`` = ``agent`` when the thread was opened by accepting a greeting (a proactive invitation:
  ``thread.properties.lc2.greeting_id`` is set); otherwise left out (the default, customer);
* ``tags`` = ``thread.tags`` (an empty list is no tags);
* ``first_response_at`` is left empty: it is derived from the messages.

Each element of ``thread.events`` becomes one ``messages`` record (a thread with ``restricted_access`` has
no events, so no messages):

* ``message_id`` = the event's ``id``; ``conversation_id`` = the thread id; ``sent_at`` = ``created_at``;
  ``text`` = ``text`` (files and rich messages have none: left empty);
* ``sender``: an event shown to agents only (``visibility`` ``agents``: an internal note) is ``system``,
  never a reply to the customer, whatever its type; ``system_message`` → ``system``; ``form``,
  ``filled_form`` (pre- and post-chat surveys) and ``custom`` events are not part of the exchange →
  ``system``; ``message``, ``file`` and ``rich_message`` by their author: the customer → ``customer``, a
  human agent → ``agent``, a bot → ``bot``; an automatic welcome message (event property
  ``lc2.welcome_message`` true) is a greeting sent in an agent's name, not a reply → ``bot``. An author
  who is not among the chat's users is passed on as its id, and any other event type as its name: both
  are rejected.

A ``thread`` that is not an object (or ``threads`` that is not an array) becomes an empty conversation
record, and an event that is not an object (or ``events`` that is not an array) an empty message
record: both are rejected under the chat's number.

Ratings: LiveChat's chat rating is thumbs down or up, stored on the thread as ``properties.rating.score``
(``0`` bad, ``1`` good; a property value wrapped as ``{"value": …}`` is read too) with an optional
``comment``. A rated thread gives one ``survey_responses`` record with ``survey`` ``csat``, ``scale``
``0-1`` and ``score`` as given (not stretched onto 1–5: a thumb is no five-point answer, so CSAT figures on
the default scale leave these answers out, and they are stored as given); ``response_id`` =
``livechat-rating:<thread id>``; ``conversation_id`` = the thread id; ``customer_id`` as for the
conversation; ``comment`` = ``rating.comment``; ``answered_at`` = ``created_at`` of the thread's last
``rating.chat_rated`` system message. The property itself carries no time: a rating without that message
is skipped (its time is unknown), and so is a comment without a score, each with the chat's number.

Not in the export, left empty: ``first_response_at`` (derived), ``cobrowse``, ``segment``, ``sector``.
Values are translated, not judged: a malformed value (a ``created_at`` that is not a time, a score other
than 0 or 1) is passed on unchanged so that the canonical validation rejects the record, naming the file,
the record's number and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatlift.ingest.vendors import Part, Skipped, Translation, email, unix_time
from chatlift.ingest.vendors.json_input import Shape, obj, present, read_records, tags, text_id

__all__ = ["FIELDS", "translate"]

VENDOR = "livechat"

FIELDS: dict[str, dict[str, str]] = {
    "conversations": {
        "conversation_id": "thread.id",
        "channel": "(chat)",
        "started_at": "thread.created_at",
        "customer_id": "users[type customer].email",
        "visitor_id": "users[type customer].id",
        "agent_id": "users[type agent].email (the thread's last replying agent)",
        "team": "thread.access.group_ids[0] (else access.group_ids[0])",
        "status": "thread.active",
        "resolved_at": "thread.events[system_message ending the chat].created_at",
        "initiated_by": "thread.properties.lc2.greeting_id",
        "tags": "thread.tags",
    },
    "messages": {
        "message_id": "thread.events[].id",
        "conversation_id": "thread.id",
        "sender": "thread.events[].type, visibility, author_id (users[].type)",
        "sent_at": "thread.events[].created_at",
        "text": "thread.events[].text",
    },
    "survey_responses": {
        "response_id": "thread.id (livechat-rating:…)",
        "survey": "(csat)",
        "score": "thread.properties.rating.score",
        "scale": "(0-1)",
        "answered_at": "thread.events[rating.chat_rated].created_at",
        "conversation_id": "thread.id",
        "customer_id": "users[type customer].email",
        "comment": "thread.properties.rating.comment",
    },
}

REPLIES = ("message", "file", "rich_message")  # events written by a person (or a bot) to the chat
NOT_EXCHANGE = ("form", "filled_form", "custom")
ENDINGS = ("manual_archived_agent", "manual_archived_customer", "archived_customer_disconnected",
           "customer_banned", "system_archived")
RATED = "rating.chat_rated"

_HINT = (
    "give the Agent Chat API's list_archives response ({\"chats\": [...]}), a JSON array of chats, "
    "or one chat object per line (JSON Lines)"
)
SHAPE = Shape("LiveChat archives", "chat", _HINT, lists=("chats",))


def translate(path: Path) -> Translation:
    """The conversations, messages and ratings of a LiveChat archives file (see the module docstring)."""
    conversations = Part("conversations")
    messages = Part("messages")
    ratings = Part("survey_responses")
    skipped: list[Skipped] = []
    chats = read_records(path, SHAPE).numbered
    for row, item in chats:
        if not isinstance(item, dict):
            conversations.add(row, {})
            continue
        threads = _threads(item)
        if threads is None:
            skipped.append(Skipped(row, f"chat {_name(item.get('id'))} has no thread"))
            continue
        users = _users(item.get("users"))
        for thread in threads:
            if not isinstance(thread, dict):
                conversations.add(row, {})
                continue
            events = thread.get("events")
            listed = events if isinstance(events, list) else []
            conversations.add(row, _conversation(item, thread, users, listed))
            _add_messages(messages, row, thread, events, users)
            why = _add_rating(ratings, row, thread, users, listed)
            if why:
                skipped.append(Skipped(row, why))
    return Translation(VENDOR, path, [conversations, messages, ratings], FIELDS, records_read=len(chats),
                       skipped=skipped)


def _threads(chat: dict[str, Any]) -> list[Any] | None:
    """The chat's threads (an element that is not an object stands for a broken one); None: it has none."""
    many = chat.get("threads")
    if many is not None:
        if not isinstance(many, list):
            return [many]  # unreadable: one broken conversation
        return many or None
    one = chat.get("thread")
    return None if one is None else [one]


# Translating


def _name(value: Any) -> str:
    return str(value) if present(value) else "(without id)"


def _value(value: Any) -> Any:
    """A property value, also when written as ``{"value": …}``."""
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def _users(value: Any) -> dict[str, dict[str, Any]]:
    """The chat's users by id."""
    users: dict[str, dict[str, Any]] = {}
    for user in value if isinstance(value, list) else []:
        if isinstance(user, dict) and present(user.get("id")):
            users.setdefault(str(user["id"]), user)
    return users


def _agent_email(user: dict[str, Any]) -> str | None:
    """A human agent's address: ``email``, else an ``id`` that is an address; None for a bot."""
    address = email(user.get("email"))
    if address:
        return address
    uid = user.get("id")
    return email(uid) if isinstance(uid, str) and "@" in uid else None


def _role(user: dict[str, Any] | None) -> str | None:
    if user is None:
        return None
    kind = user.get("type")
    if kind == "customer":
        return "customer"
    if kind == "agent":
        return "agent" if _agent_email(user) else "bot"
    return None


def _customer(users: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return next((u for u in users.values() if u.get("type") == "customer"), {})


def _conversation(chat: dict[str, Any], thread: dict[str, Any], users: dict[str, dict[str, Any]],
                  events: list[Any]) -> dict[str, Any]:
    customer = _customer(users)
    status = _status(thread.get("active"))
    greeting = _value(obj(obj(thread.get("properties")).get("lc2")).get("greeting_id"))
    return {
        "conversation_id": text_id(thread.get("id")),
        "channel": "chat",
        "started_at": unix_time(thread.get("created_at")),
        "customer_id": email(customer.get("email")),
        "visitor_id": f"livechat-customer:{customer['id']}" if present(customer.get("id")) else None,
        "agent_id": _agent(thread, users, events),
        "team": _team(thread, chat),
        "status": status,
        "first_response_at": None,
        "resolved_at": _ended(events) if status == "resolved" else None,
        "initiated_by": "agent" if present(greeting) else None,
        "tags": tags(thread.get("tags")),
    }


def _status(active: Any) -> Any:
    if active is True:
        return "open"
    if active is False:
        return "resolved"
    return active  # None: no status; anything else is passed on, and rejected


def _agent(thread: dict[str, Any], users: dict[str, dict[str, Any]], events: list[Any]) -> str | None:
    humans = [uid for uid, user in users.items() if _role(user) == "agent"]
    listed = thread.get("user_ids")
    if isinstance(listed, list) and listed:
        in_thread = {str(u) for u in listed}
        humans = [uid for uid in humans if uid in in_thread]
    if not humans:
        return None
    chosen = humans[0]
    for event in events:
        if isinstance(event, dict) and _is_reply(event) and _author(event) in humans:
            chosen = str(event["author_id"])
    return _agent_email(users[chosen])


def _author(event: dict[str, Any]) -> str | None:
    return text_id(event.get("author_id"))


def _is_reply(event: dict[str, Any]) -> bool:
    """A message to the customer (not an internal note, not an automatic welcome)."""
    return event.get("type") in REPLIES and event.get("visibility") != "agents" and not _welcome(event)


def _welcome(event: dict[str, Any]) -> bool:
    return _value(obj(obj(event.get("properties")).get("lc2")).get("welcome_message")) is True


def _team(thread: dict[str, Any], chat: dict[str, Any]) -> str | None:
    for access in (thread.get("access"), chat.get("access")):
        groups = obj(access).get("group_ids")
        if isinstance(groups, list) and groups:
            return text_id(groups[0])
    return None


def _system_type(event: Any) -> str | None:
    if isinstance(event, dict) and event.get("type") == "system_message":
        kind = event.get("system_message_type")
        return kind if isinstance(kind, str) else None
    return None


def _ended(events: list[Any]) -> Any:
    """When the chat was closed: the last system message that ends a chat."""
    end = None
    for event in events:
        kind = _system_type(event)
        if kind and (kind in ENDINGS or kind.startswith("routing.archived_")):
            end = event.get("created_at")
    return unix_time(end) if end is not None else None


def _add_messages(part: Part, row: int, thread: dict[str, Any], events: Any,
                  users: dict[str, dict[str, Any]]) -> None:
    if events is None:
        return
    if not isinstance(events, list):
        part.add(row, {})  # rejected: the events cannot be read
        return
    for event in events:
        if not isinstance(event, dict):
            part.add(row, {})
            continue
        part.add(row, {
            "message_id": text_id(event.get("id")),
            "conversation_id": text_id(thread.get("id")),
            "sender": _sender(event, users),
            "sent_at": unix_time(event.get("created_at")),
            "text": event.get("text"),
        })


def _sender(event: dict[str, Any], users: dict[str, dict[str, Any]]) -> Any:
    if event.get("visibility") == "agents":
        return "system"  # an internal note: never a reply to the customer
    kind = event.get("type")
    if kind == "system_message" or kind in NOT_EXCHANGE:
        return "system"
    if kind in REPLIES:
        if _welcome(event):
            return "bot"
        author = _author(event)
        role = _role(users.get(author)) if author is not None else None
        return role or author  # an author who is not a user of the chat: passed on, and rejected
    return None if kind is None else str(kind)


def _add_rating(part: Part, row: int, thread: dict[str, Any], users: dict[str, dict[str, Any]],
                events: list[Any]) -> str | None:
    """Add the thread's rating, if it has one; the reason when a rating cannot be imported."""
    rating = obj(obj(thread.get("properties")).get("rating"))
    score, comment = _value(rating.get("score")), _value(rating.get("comment"))
    thread_name = _name(thread.get("id"))
    if not present(score):
        return f"thread {thread_name}: a rating comment without a score" if present(comment) else None
    answered = None
    for event in events:
        if _system_type(event) == RATED:
            answered = event.get("created_at")
    if answered is None:
        return f"thread {thread_name}: rated, but no rating.chat_rated event says when"
    thread_id = text_id(thread.get("id"))
    part.add(row, {
        "response_id": f"livechat-rating:{thread_id}" if thread_id else None,
        "survey": "csat",
        "score": score,
        "scale": "0-1",
        "answered_at": unix_time(answered),
        "conversation_id": thread_id,
        "customer_id": email(_customer(users).get("email")),
        "comment": comment if present(comment) else None,
    })
    return None
