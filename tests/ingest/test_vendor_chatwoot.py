"""Chatwoot conversations (API JSON or JSON Lines) imported into a real DuckDB workspace.

The fixture is built here in Chatwoot's shape; every expected value is worked out by hand from it.
Times: 2026-01-01T00:00:00Z is 20 454 days after 1970-01-01 (56 years, 14 of them leap years), so
1 767 225 600 seconds; a day is 86 400 s, an hour 3 600 s.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from chatlift.ingest.result import UnknownReference
from chatlift.ingest.vendors import import_vendor
from chatlift.workspace import Workspace
from tests.ingest.conftest import (
    as_lines,
    count,
    import_shapes,
    issues_of,
    put,
    quarantine,
    query,
    stored_messages,
)

JAN1 = 1_767_225_600  # 2026-01-01T00:00:00Z
HOUR = 3_600
DAY = 86_400


def contact(contact_id: int, mail: str | None) -> dict[str, Any]:
    return {"id": contact_id, "name": f"Contact {contact_id}", "email": mail, "phone_number": None,
            "thumbnail": "", "type": "contact"}


def message(message_id: int, conversation_id: int, message_type: int | str, created_at: int, content: str,
            *, private: bool = False, sender_type: str = "User", sender: dict[str, Any] | None = None,
            ) -> dict[str, Any]:
    return {"id": message_id, "content": content, "account_id": 1, "inbox_id": 2,
            "conversation_id": conversation_id, "message_type": message_type, "content_type": "text",
            "status": "sent", "created_at": created_at, "private": private, "source_id": None,
            "sender_type": sender_type, "sender_id": 3,
            "sender": sender or {"id": 3, "name": "Bo", "type": "user"}}


def conversation(conversation_id: int, channel: str | None, status: str, created_at: object, *,
                 first_reply: object = 0, labels: list[str] | None = None, sender: dict[str, Any] | None = None,
                 assignee: dict[str, Any] | None = None, team: dict[str, Any] | None = None,
                 messages: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"sender": sender or contact(conversation_id + 1000, None), "hmac_verified": False}
    if channel is not None:
        meta["channel"] = channel
    if assignee is not None:  # Chatwoot leaves assignee and team out when there is none
        meta["assignee"] = assignee
    if team is not None:
        meta["team"] = team
    conv: dict[str, Any] = {
        "meta": meta, "id": conversation_id, "account_id": 1, "uuid": f"uuid-{conversation_id}",
        "inbox_id": 2, "labels": labels or [], "status": status, "created_at": created_at,
        "timestamp": created_at, "first_reply_created_at": first_reply, "unread_count": 0,
        "priority": None, "snoozed_until": None, "muted": False, "can_reply": True,
    }
    if messages is not None:
        conv["messages"] = messages
    return conv


T101 = JAN1 + 10 * HOUR  # 2026-01-01 10:00:00 UTC
T102 = JAN1 + DAY + 10 * HOUR  # 2026-01-02 10:00:00 UTC
T103 = JAN1 + 2 * DAY + 9 * HOUR  # 2026-01-03 09:00:00 UTC

CONVERSATIONS: list[dict[str, Any]] = [
    conversation(
        101, "Channel::WebWidget", "resolved", T101, first_reply=T101 + 90, labels=["vip", "billing"],
        sender=contact(7, "  Ana.Silva@Example.COM "),
        assignee={"id": 3, "name": "Bo", "email": "Bo@Shop.example", "availability_status": "online"},
        team={"id": 1, "name": "Support"},
        messages=[
            message(1001, 101, 0, T101, "Where is my order?", sender_type="Contact",
                    sender={"id": 7, "name": "Ana", "type": "contact"}),
            message(1002, 101, 1, T101 + 5, "A bot answers first", sender_type="AgentBot",
                    sender={"id": 9, "name": "Helper", "type": "agent_bot"}),
            message(1003, 101, 1, T101 + 60, "note: check the warehouse", private=True),
            message(1004, 101, 1, T101 + 90, "It ships today."),
            message(1005, 101, 2, T101 + 600, "Conversation was marked resolved by Bo"),
        ],
    ),
    conversation(
        102, "Channel::Email", "pending", T102, first_reply=0, sender=contact(8, None),
        messages=[
            message(2001, 102, "incoming", T102, "Invoice please", sender_type="Contact",
                    sender={"id": 8, "name": "C", "type": "contact"}),
            message(2002, 102, "template", T102 + 1, "We reply within a day"),
        ],
    ),
    conversation(103, "Channel::Whatsapp", "snoozed", T103, first_reply=T103 + HOUR,
                 assignee={"id": 4, "name": "Cy", "email": None}),  # no messages key at all
]


def as_list_response(convs: list[Any]) -> bytes:
    return orjson.dumps({"data": {"meta": {"mine_count": 0, "all_count": len(convs)}, "payload": convs}})


def conversations(ws: Workspace) -> list[tuple[Any, ...]]:
    return query(ws, "SELECT conversation_id, channel, started_at, customer_id, visitor_id, agent_id, team, "
                     "status, first_response_at, resolved_at, tags FROM conversations ORDER BY 1")


def test_conversations_and_messages_are_translated_and_stored(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "chatwoot.json", as_list_response(CONVERSATIONS))
    done = import_vendor(ws.store, "chatwoot", path)
    assert done.translation.vendor == "chatwoot"
    assert done.translation.records_read == 3
    assert [r.table for r in done.results] == ["conversations", "messages"]
    assert [(r.rows_read, r.inserted, r.rejected) for r in done.results] == [(3, 3, 0), (7, 7, 0)]
    assert conversations(ws) == [
        ("101", "chat", datetime(2026, 1, 1, 10, 0), "ana.silva@example.com", "chatwoot-contact:7",
         "bo@shop.example", "Support", "resolved", datetime(2026, 1, 1, 10, 1, 30), None, ["vip", "billing"]),
        # first_reply_created_at 0 = no reply yet; no e-mail; no assignee; no labels
        ("102", "email", datetime(2026, 1, 2, 10, 0), None, "chatwoot-contact:8", None, None, "open", None, None,
         None),
        # an assignee without e-mail is known by id
        ("103", "social", datetime(2026, 1, 3, 9, 0), None, "chatwoot-contact:1103", "4", None, "open",
         datetime(2026, 1, 3, 10, 0), None, None),
    ]
    assert stored_messages(ws) == [
        ("1001", "101", "customer", datetime(2026, 1, 1, 10, 0, 0), "Where is my order?"),
        ("1002", "101", "bot", datetime(2026, 1, 1, 10, 0, 5), "A bot answers first"),
        ("1003", "101", "system", datetime(2026, 1, 1, 10, 1, 0), "note: check the warehouse"),  # private note
        ("1004", "101", "agent", datetime(2026, 1, 1, 10, 1, 30), "It ships today."),
        ("1005", "101", "system", datetime(2026, 1, 1, 10, 10, 0), "Conversation was marked resolved by Bo"),
        ("2001", "102", "customer", datetime(2026, 1, 2, 10, 0, 0), "Invoice please"),
        ("2002", "102", "bot", datetime(2026, 1, 2, 10, 0, 1), "We reply within a day"),
    ]


def test_every_document_shape_and_json_lines_store_the_same_rows(tmp_path: Path) -> None:
    shapes = {
        "list.json": as_list_response(CONVERSATIONS),
        "payload.json": orjson.dumps({"meta": {"all_count": 3}, "payload": CONVERSATIONS}),
        "array.json": orjson.dumps(CONVERSATIONS, option=orjson.OPT_INDENT_2),
        "lines.jsonl": as_lines(CONVERSATIONS),
    }
    imported = import_shapes(tmp_path, "chatwoot", shapes, lambda ws: (conversations(ws), stored_messages(ws)))
    for name, done, _ in imported:
        assert [(r.inserted, r.rejected) for r in done.results] == [(3, 0), (7, 0)], name
    stored = [rows for _, _, rows in imported]
    assert len(stored[0][0]) == 3 and len(stored[0][1]) == 7
    assert all(s == stored[0] for s in stored[1:])


def test_a_single_conversation_object_is_one_conversation(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "one.json", orjson.dumps(CONVERSATIONS[2]))
    done = import_vendor(ws.store, "chatwoot", path)
    assert done.translation.records_read == 1
    assert query(ws, "SELECT conversation_id, channel FROM conversations") == [("103", "social")]


CHANNELS = [
    ("Channel::WebWidget", "chat"), ("Channel::Email", "email"), ("Channel::FacebookPage", "social"),
    ("Channel::TwitterProfile", "social"), ("Channel::Instagram", "social"), ("Channel::Whatsapp", "social"),
    ("Channel::Telegram", "social"), ("Channel::Line", "social"), ("Channel::Sms", "sms"),
    ("Channel::TwilioSms", "sms"), ("Channel::Voice", "phone"), ("Channel::Api", "api"),
    ("Channel::CarrierPigeon", "carrierpigeon"),  # unknown: its own name, lower case
]


def test_channels_map_to_canonical_names(ws: Workspace, tmp_path: Path) -> None:
    convs = [conversation(i, channel, "open", T101) for i, (channel, _) in enumerate(CHANNELS, start=1)]
    import_vendor(ws.store, "chatwoot", put(tmp_path / "c.json", orjson.dumps(convs)))
    assert query(ws, "SELECT channel FROM conversations ORDER BY conversation_id::INT") == [
        (expected,) for _, expected in CHANNELS
    ]


def test_statuses_map_and_an_unknown_one_is_rejected(ws: Workspace, tmp_path: Path) -> None:
    convs = [conversation(i, "Channel::WebWidget", s, T101)
             for i, s in enumerate(["resolved", "open", "pending", "snoozed", "closed"], start=1)]
    path = put(tmp_path / "s.json", orjson.dumps(convs))
    done = import_vendor(ws.store, "chatwoot", path)
    assert query(ws, "SELECT conversation_id, status FROM conversations ORDER BY 1") == [
        ("1", "resolved"), ("2", "open"), ("3", "open"), ("4", "open"),
    ]
    assert issues_of(done) == [("conversations", 5, "status", "closed")]
    assert done.results[0].issues[0].reason.startswith("must be one of open, resolved")


def test_bad_conversations_are_quarantined_by_position_and_the_others_stored(ws: Workspace, tmp_path: Path) -> None:
    convs = [
        CONVERSATIONS[2],  # 1: fine
        conversation(201, "Channel::WebWidget", "open", "yesterday",  # 2: not a time
                     messages=[message(3001, 201, 0, T102, "hello?")]),
        conversation(202, None, "open", T102),  # 3: no channel
        CONVERSATIONS[1],  # 4: fine
    ]
    path = put(tmp_path / "bad.json", as_list_response(convs))
    done = import_vendor(ws.store, "chatwoot", path)
    conv_result, msg_result = done.results
    assert (conv_result.rows_read, conv_result.inserted, conv_result.rejected) == (4, 2, 2)
    assert [(i.source, i.row, i.field, i.value) for i in conv_result.issues] == [
        (str(path), 2, "started_at", "yesterday"),
        (str(path), 3, "channel", None),
    ]
    assert conv_result.issues[0].reason.startswith("not a timestamp")
    assert conv_result.issues[1].reason == "required value is missing"
    assert query(ws, "SELECT conversation_id FROM conversations ORDER BY 1") == [("102",), ("103",)]
    assert [(t, s, r, f) for t, s, r, f, _, _ in quarantine(ws)] == [
        ("conversations", str(path), 2, "started_at"),
        ("conversations", str(path), 3, "channel"),
    ]
    # the message of the rejected conversation is kept, and counted as pointing at nothing stored
    assert (msg_result.inserted, msg_result.rejected) == (3, 0)
    assert msg_result.unknown_references == (UnknownReference("conversation_id", "conversations", 1),)


def test_importing_the_same_file_twice_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "c.json", as_list_response(CONVERSATIONS))
    import_vendor(ws.store, "chatwoot", path)
    before = (conversations(ws), stored_messages(ws))
    again = import_vendor(ws.store, "chatwoot", path)
    assert [(r.inserted, r.updated, r.unchanged, r.accepted) for r in again.results] == [(0, 0, 3, 3), (0, 0, 7, 7)]
    assert (conversations(ws), stored_messages(ws)) == before
    assert (count(ws, "conversations"), count(ws, "messages")) == (3, 7)


def outgoing(message_id: int, created_at: int, *, sender_type: str | None, sender: dict[str, Any] | None,
             content_attributes: dict[str, Any] | None = None,
             additional_attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    """An outgoing message of conversation 301 as Chatwoot writes it: with or without a sender (an
    automation rule's reply has none) and with the marks an automation rule or a campaign leaves."""
    sent = message(message_id, 301, 1, created_at, f"reply {message_id}")
    sent.update(sender_type=sender_type, sender_id=None if sender is None else sender["id"],
                content_attributes=content_attributes or {}, additional_attributes=additional_attributes or {})
    if sender is None:
        del sent["sender"]
    else:
        sent["sender"] = sender
    return sent


BO = {"id": 3, "name": "Bo", "type": "user"}


def test_only_a_users_own_outgoing_message_is_an_agents_reply(ws: Workspace, tmp_path: Path) -> None:
    messages = [
        message(4000, 301, 0, T101, "Hello?", sender_type="Contact", sender={"id": 7, "type": "contact"}),
        # an automation rule's reply: no sender, the rule's id in content_attributes
        outgoing(4001, T101 + 1, sender_type=None, sender=None, content_attributes={"automation_rule_id": 12}),
        # a campaign is sent in a user's name, marked in additional_attributes
        outgoing(4002, T101 + 2, sender_type="User", sender=BO, additional_attributes={"campaign_id": 5}),
        # the AI assistant (Captain)
        outgoing(4003, T101 + 3, sender_type="Captain::Assistant",
                 sender={"id": 2, "name": "Captain", "type": "captain_assistant"}),
        outgoing(4004, T101 + 4, sender_type="AgentBot", sender={"id": 9, "type": "agent_bot"}),
        # any other sender is not a user either; nor is one whose two sender types disagree
        outgoing(4005, T101 + 5, sender_type="Contact", sender={"id": 7, "type": "contact"}),
        outgoing(4006, T101 + 6, sender_type="AgentBot", sender=BO),
        # a user whose message carries a mark without a value: a person's reply
        outgoing(4007, T101 + 7, sender_type="User", sender=BO,
                 content_attributes={"automation_rule_id": None}, additional_attributes={"campaign_id": ""}),
        # the user known only by sender.type, then only by sender_type
        outgoing(4008, T101 + 8, sender_type=None, sender=BO),
        outgoing(4009, T101 + 9, sender_type="User", sender=None),
        # no sender information at all and no mark: a person (the one assumption)
        outgoing(4010, T101 + 10, sender_type=None, sender=None),
    ]
    conv = conversation(301, "Channel::WebWidget", "open", T101, messages=messages)
    import_vendor(ws.store, "chatwoot", put(tmp_path / "senders.json", as_list_response([conv])))
    assert query(ws, "SELECT message_id, sender FROM messages ORDER BY 1") == [
        ("4000", "customer"),
        ("4001", "bot"), ("4002", "bot"), ("4003", "bot"), ("4004", "bot"), ("4005", "bot"), ("4006", "bot"),
        ("4007", "agent"), ("4008", "agent"), ("4009", "agent"), ("4010", "agent"),
    ]
    # the first agent reply is 4007, at T101 + 7 s = 10:00:07, not the automatic ones before it
    assert query(ws, "SELECT min(sent_at) FROM messages WHERE sender = 'agent'") == [
        (datetime(2026, 1, 1, 10, 0, 7),),
    ]
