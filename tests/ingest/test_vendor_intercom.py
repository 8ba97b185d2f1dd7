"""Intercom conversations (REST API 2.x JSON, or JSON Lines) imported into a real DuckDB workspace.

The fixtures are built here in the shape Intercom's ``/conversations`` endpoints return; every expected
value is worked out by hand from them. Times: 2026-01-01T00:00:00Z is 20 454 days after 1970-01-01
(56 years, 14 of them leap years), so 1 767 225 600 seconds; a day is 86 400 s, an hour 3 600 s.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

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

ANA = "5f1a2b3c4d5e6f7a8b9c0d01"  # Intercom contact ids are 24 hex digits
LEO = "6762f1261bb69f9f2193bba7"
MIA = "64f0c3a1b2c3d4e5f6a7b8c9"
DI = "65aa00bb11cc22dd33ee44ff"


def author(kind: str, author_id: str, mail: str | None = None, *, ai: bool | None = None) -> dict[str, Any]:
    who: dict[str, Any] = {"type": kind, "id": author_id, "name": f"Person {author_id[-2:]}", "email": mail or ""}
    if ai is not None:
        who["from_ai_agent"] = ai
        who["is_ai_answer"] = ai
    return who


ADMIN = author("admin", "814860", "bo@shop.example")
FIN = author("bot", "815309")


def part(part_id: str, part_type: str | None, created_at: object, body: str | None,
         who: dict[str, Any]) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "conversation_part", "id": part_id, "body": body, "created_at": created_at,
        "updated_at": created_at, "notified_at": created_at, "assigned_to": None, "author": who,
        "attachments": [], "external_id": None, "redacted": False,
    }
    if part_type is not None:
        element["part_type"] = part_type
    return element


def conversation(conversation_id: str, created_at: object, *, source_type: str | None = "conversation",
                 delivered_as: str | None = "customer_initiated", who: dict[str, Any] | None = None,
                 source_id: str | None = None, body: str = "<p>Hi</p>", contact_id: str | None = None,
                 state: str = "open", admin: object = None, team: object = None,
                 statistics: dict[str, Any] | None = None, tags: list[str] | None = None,
                 parts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    contact_id = contact_id or f"c{conversation_id}"
    source: dict[str, Any] = {
        "id": source_id or f"40{conversation_id}", "subject": "", "body": body,
        "author": who or author("user", contact_id), "attachments": [], "url": None, "redacted": False,
    }
    if source_id == "":
        del source["id"]
    if source_type is not None:
        source["type"] = source_type
    if delivered_as is not None:
        source["delivered_as"] = delivered_as
    conv: dict[str, Any] = {
        "type": "conversation", "id": conversation_id, "title": None, "created_at": created_at,
        "updated_at": created_at, "waiting_since": None, "snoozed_until": None, "open": state != "closed",
        "state": state, "read": True, "priority": "not_priority", "admin_assignee_id": admin,
        "team_assignee_id": team,
        "tags": {"type": "tag.list", "tags": [{"type": "tag", "id": str(900 + i), "name": name,
                                              "applied_at": JAN1} for i, name in enumerate(tags or [])]},
        "conversation_rating": None, "source": source,
        "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": contact_id,
                                                          "external_id": None}]},
        "teammates": {"type": "admin.list", "admins": []}, "custom_attributes": {},
        "first_contact_reply": None, "sla_applied": None, "statistics": statistics,
        "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": False},
        "ai_agent_participated": False,
    }
    if parts is not None:  # only Retrieve (GET /conversations/{id}) gives the parts
        conv["conversation_parts"] = {"type": "conversation_part.list", "conversation_parts": parts,
                                      "total_count": len(parts)}
    return conv


def stats(*, first_reply: int | None = None, first_close: int | None = None,
          last_close: int | None = None) -> dict[str, Any]:
    return {"type": "conversation_statistics", "first_contact_reply_at": None, "first_assignment_at": None,
            "first_admin_reply_at": first_reply, "first_close_at": first_close, "last_assignment_at": None,
            "last_contact_reply_at": None, "last_admin_reply_at": None, "last_close_at": last_close,
            "count_reopens": 0, "count_assignments": 0, "count_conversation_parts": 0}


T1 = JAN1 + 10 * HOUR  # 2026-01-01 10:00:00 UTC
T2 = JAN1 + DAY + 9 * HOUR  # 2026-01-02 09:00:00 UTC
T3 = JAN1 + 2 * DAY + 8 * HOUR + 30 * 60  # 2026-01-03 08:30:00 UTC
T4 = JAN1 + 3 * DAY + 14 * HOUR  # 2026-01-04 14:00:00 UTC

CONVERSATIONS: list[dict[str, Any]] = [
    # 1: a Messenger chat the customer started, closed, reopened and closed again
    conversation(
        "9001", T1, who=author("user", ANA, "  Ana.Silva@Example.COM "), contact_id=ANA,
        source_id="403918331", body="<p>Where is my order?</p>", state="closed", admin=814860, team=5017691,
        statistics=stats(first_reply=T1 + 120, first_close=T1 + 600, last_close=T1 + 900),
        tags=["vip", "billing"],
        parts=[
            part("7001", "comment", T1 + 5, "<p>Fin here, let me look</p>", FIN),
            part("7002", "note", T1 + 60, "<p>check the warehouse</p>", ADMIN),
            part("7003", "assignment", T1 + 70, None, ADMIN),
            part("7004", "comment", T1 + 120, "<p>It ships today.</p>", ADMIN),
            part("7005", "close", T1 + 600, None, ADMIN),
            part("7006", "comment", T1 + 700, "<p>It did not arrive</p>", author("user", ANA)),
            part("7007", "comment", T1 + 720, "<p>Sorry to hear that</p>", author("admin", "815309", ai=True)),
            part("7008", "comment", T1 + 800, "<p>Refund on its way</p>", ADMIN),
            part("7009", "close", T1 + 900, None, ADMIN),
        ],
    ),
    # 2: an e-mail a teammate sent; as the list endpoint gives it: no parts, no statistics
    conversation("9002", T2, source_type="email", delivered_as="admin_initiated", who=ADMIN,
                 source_id="403918332", body="<p>Your invoice is attached</p>", contact_id=LEO),
    # 3: an automated WhatsApp message the lead answered; closed once, then reopened and now snoozed
    conversation(
        "9003", T3, source_type="whatsapp", delivered_as="automated", who=ADMIN, source_id="403918333",
        body="<p>Want a reminder?</p>", contact_id=MIA, state="snoozed", admin=991267645,
        statistics=stats(first_reply=T3 + 2 * HOUR, first_close=T3 + HOUR, last_close=T3 + HOUR),
        tags=["reminder"],
        parts=[
            part("7301", "comment", T3 + 600, "Yes please", author("lead", MIA)),
            part("7302", "close", T3 + HOUR, None, ADMIN),
            part("7303", "comment", T3 + HOUR + 300, "Still there?", author("lead", MIA)),
            part("7304", "comment", T3 + 2 * HOUR, "Yes, how can I help?", ADMIN),
            part("7305", "snoozed", T3 + 3 * HOUR, None, ADMIN),
        ],
    ),
    # 4: a phone call, closed, nobody replied in writing
    conversation("9004", T4, source_type="phone_call", who=author("lead", DI, "DI@example.com "),
                 source_id="403918334", body="Call", contact_id=DI, state="closed",
                 statistics=stats(last_close=T4 + 1800), team="5017691"),
]


def as_list_response(convs: list[Any]) -> bytes:
    return orjson.dumps({"type": "conversation.list", "conversations": convs, "total_count": len(convs),
                         "pages": {"type": "pages", "page": 1, "per_page": 20, "total_pages": 1}})


def as_search_response(convs: list[Any]) -> bytes:
    return orjson.dumps({"type": "conversation.list", "conversations": convs, "total_count": len(convs),
                         "pages": {"type": "pages", "page": 1, "per_page": 150, "total_pages": 1,
                                   "next": None}})


def conversations(ws: Workspace) -> list[tuple[Any, ...]]:
    return query(ws, "SELECT conversation_id, channel, started_at, initiated_by, customer_id, visitor_id, "
                     "agent_id, team, status, first_response_at, resolved_at, tags FROM conversations ORDER BY 1")


def test_conversations_and_messages_are_translated_and_stored(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "intercom.json", as_list_response(CONVERSATIONS))
    done = import_vendor(ws.store, "intercom", path)
    assert done.translation.vendor == "intercom"
    assert done.translation.records_read == 4
    assert done.translation.skipped == []
    assert [r.table for r in done.results] == ["conversations", "messages"]
    # messages: 1 + 9 parts, 1, 1 + 5 parts, 1 = 18
    assert [(r.rows_read, r.inserted, r.rejected) for r in done.results] == [(4, 4, 0), (18, 18, 0)]
    assert conversations(ws) == [
        # first reply T1 + 120 s = 10:02:00; closed at last at T1 + 900 s = 10:15:00 (not the first close)
        ("9001", "chat", datetime(2026, 1, 1, 10, 0), "customer", "ana.silva@example.com", None, "814860",
         "5017691", "resolved", datetime(2026, 1, 1, 10, 2), datetime(2026, 1, 1, 10, 15), ["vip", "billing"]),
        # written by a teammate: the customer is the contact, known by id only; nothing assigned, no tags
        ("9002", "email", datetime(2026, 1, 2, 9, 0), "agent", None, f"intercom-contact:{LEO}", None, None,
         "open", None, None, None),
        # snoozed is still open: its earlier close is no resolution; first reply T3 + 2 h = 10:30:00
        ("9003", "social", datetime(2026, 1, 3, 8, 30), "bot", None, f"intercom-contact:{MIA}", "991267645",
         None, "open", datetime(2026, 1, 3, 10, 30), None, ["reminder"]),
        # closed T4 + 1 800 s = 14:30:00; no admin reply
        ("9004", "phone", datetime(2026, 1, 4, 14, 0), "customer", "di@example.com", None, None, "5017691",
         "resolved", None, datetime(2026, 1, 4, 14, 30), None),
    ]
    assert stored_messages(ws) == [
        ("403918331", "9001", "customer", datetime(2026, 1, 1, 10, 0, 0), "<p>Where is my order?</p>"),
        ("403918332", "9002", "agent", datetime(2026, 1, 2, 9, 0, 0), "<p>Your invoice is attached</p>"),
        # automated: a bot's message though a teammate's name is on it
        ("403918333", "9003", "bot", datetime(2026, 1, 3, 8, 30, 0), "<p>Want a reminder?</p>"),
        ("403918334", "9004", "customer", datetime(2026, 1, 4, 14, 0, 0), "Call"),
        ("7001", "9001", "bot", datetime(2026, 1, 1, 10, 0, 5), "<p>Fin here, let me look</p>"),
        ("7002", "9001", "system", datetime(2026, 1, 1, 10, 1, 0), "<p>check the warehouse</p>"),  # note
        ("7003", "9001", "system", datetime(2026, 1, 1, 10, 1, 10), None),  # assignment
        ("7004", "9001", "agent", datetime(2026, 1, 1, 10, 2, 0), "<p>It ships today.</p>"),
        ("7005", "9001", "system", datetime(2026, 1, 1, 10, 10, 0), None),  # close, T1 + 600 s
        ("7006", "9001", "customer", datetime(2026, 1, 1, 10, 11, 40), "<p>It did not arrive</p>"),  # + 700 s
        # an admin author marked from_ai_agent is Fin: a bot
        ("7007", "9001", "bot", datetime(2026, 1, 1, 10, 12, 0), "<p>Sorry to hear that</p>"),
        ("7008", "9001", "agent", datetime(2026, 1, 1, 10, 13, 20), "<p>Refund on its way</p>"),  # + 800 s
        ("7009", "9001", "system", datetime(2026, 1, 1, 10, 15, 0), None),
        ("7301", "9003", "customer", datetime(2026, 1, 3, 8, 40, 0), "Yes please"),  # T3 + 600 s
        ("7302", "9003", "system", datetime(2026, 1, 3, 9, 30, 0), None),
        ("7303", "9003", "customer", datetime(2026, 1, 3, 9, 35, 0), "Still there?"),  # T3 + 1 h + 300 s
        ("7304", "9003", "agent", datetime(2026, 1, 3, 10, 30, 0), "Yes, how can I help?"),
        ("7305", "9003", "system", datetime(2026, 1, 3, 11, 30, 0), None),  # snoozed, T3 + 3 h
    ]


def test_every_document_shape_and_json_lines_store_the_same_rows(tmp_path: Path) -> None:
    shapes = {
        "list.json": as_list_response(CONVERSATIONS),
        "search.json": as_search_response(CONVERSATIONS),
        "array.json": orjson.dumps(CONVERSATIONS, option=orjson.OPT_INDENT_2),
        "lines.jsonl": as_lines(CONVERSATIONS),
    }
    imported = import_shapes(tmp_path, "intercom", shapes, lambda ws: (conversations(ws), stored_messages(ws)))
    for name, done, _ in imported:
        assert [(r.inserted, r.rejected) for r in done.results] == [(4, 0), (18, 0)], name
    stored = [rows for _, _, rows in imported]
    assert len(stored[0][0]) == 4 and len(stored[0][1]) == 18
    assert all(s == stored[0] for s in stored[1:])


def test_a_retrieved_conversation_is_one_conversation_with_its_parts(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "one.json", orjson.dumps(CONVERSATIONS[0]))
    done = import_vendor(ws.store, "intercom", path)
    assert done.translation.records_read == 1
    assert [(r.inserted, r.rejected) for r in done.results] == [(1, 0), (10, 0)]  # the source + 9 parts
    assert query(ws, "SELECT conversation_id, channel, status FROM conversations") == [("9001", "chat", "resolved")]


CHANNELS = [
    ("conversation", "chat"), ("email", "email"), ("facebook", "social"), ("instagram", "social"),
    ("twitter", "social"), ("whatsapp", "social"), ("phone_call", "phone"), ("phone_switch", "phone"),
    ("sms", "sms"), ("push", "app"),
    ("carrier_pigeon", "carrier_pigeon"),  # unknown: its own name, lower case
]


def test_channels_map_to_canonical_names(ws: Workspace, tmp_path: Path) -> None:
    convs = [conversation(str(i), T1, source_type=kind) for i, (kind, _) in enumerate(CHANNELS, start=1)]
    import_vendor(ws.store, "intercom", put(tmp_path / "c.json", orjson.dumps(convs)))
    assert query(ws, "SELECT channel FROM conversations ORDER BY conversation_id::INT") == [
        (expected,) for _, expected in CHANNELS
    ]


def test_who_initiated_it_and_an_unknown_initiation_is_rejected(ws: Workspace, tmp_path: Path) -> None:
    kinds = ["customer_initiated", "admin_initiated", "automated", "campaigns_initiated", "operator_initiated",
             None, "telepathy"]
    convs = [conversation(str(i), T1, delivered_as=kind, who=ADMIN if kind and kind != "customer_initiated"
                          else None) for i, kind in enumerate(kinds, start=1)]
    path = put(tmp_path / "i.json", as_list_response(convs))
    done = import_vendor(ws.store, "intercom", path)
    assert query(ws, "SELECT conversation_id, initiated_by FROM conversations ORDER BY 1") == [
        ("1", "customer"), ("2", "agent"), ("3", "bot"), ("4", "bot"), ("5", "bot"),
        ("6", "customer"),  # no delivered_as: the table's default
    ]
    assert issues_of(done) == [("conversations", 7, "initiated_by", "telepathy")]
    # the opening messages: by the contact, by the teammate, then three automatic ones by a bot
    assert query(ws, "SELECT message_id, sender FROM messages ORDER BY 1") == [
        ("401", "customer"), ("402", "agent"), ("403", "bot"), ("404", "bot"), ("405", "bot"),
        ("406", "customer"), ("407", "agent"),
    ]


def test_states_map_and_an_unknown_one_is_rejected(ws: Workspace, tmp_path: Path) -> None:
    states = ["open", "snoozed", "closed", "pending"]
    convs = [conversation(str(i), T1, state=s) for i, s in enumerate(states, start=1)]
    path = put(tmp_path / "s.json", orjson.dumps(convs))
    done = import_vendor(ws.store, "intercom", path)
    assert query(ws, "SELECT conversation_id, status FROM conversations ORDER BY 1") == [
        ("1", "open"), ("2", "open"), ("3", "resolved"),
    ]
    assert issues_of(done) == [("conversations", 4, "status", "pending")]
    assert done.results[0].issues[0].reason.startswith("must be one of open, resolved")


def test_part_authors_and_types_give_the_sender(ws: Workspace, tmp_path: Path) -> None:
    parts = [
        part("1", "comment", T1 + 1, "a", author("user", "u")),
        part("2", "comment", T1 + 2, "b", author("lead", "l")),
        part("3", "comment", T1 + 3, "c", author("contact", "c")),
        part("4", "comment", T1 + 4, "d", author("admin", "a")),
        part("5", "comment", T1 + 5, "e", author("bot", "b")),
        part("6", "comment", T1 + 6, "f", author("team", "t")),  # sent in a team's name: automatic
        part("7", "comment", T1 + 7, "g", author("bot", "b", ai=True)),
        part("8", "note", T1 + 8, "internal", author("admin", "a")),  # never seen by the customer
        part("9", "note_and_reopen", T1 + 9, "internal too", author("admin", "a")),
        part("10", "open", T1 + 10, None, author("admin", "a")),
        part("11", "assignment", T1 + 11, None, author("bot", "b")),
        part("12", "unsnoozed", T1 + 12, None, author("admin", "a")),
        part("13", "comment", T1 + 13, "h", author("martian", "m")),  # unknown author type: rejected
        part("14", None, T1 + 14, "no type", author("admin", "a")),  # no part type: rejected
    ]
    path = put(tmp_path / "p.json", orjson.dumps(conversation("50", T1, source_id="4050", parts=parts)))
    done = import_vendor(ws.store, "intercom", path)
    assert query(ws, "SELECT message_id, sender FROM messages ORDER BY message_id::BIGINT") == [
        ("1", "customer"), ("2", "customer"), ("3", "customer"), ("4", "agent"), ("5", "bot"), ("6", "bot"),
        ("7", "bot"), ("8", "system"), ("9", "system"), ("10", "system"), ("11", "system"), ("12", "system"),
        ("4050", "customer"),
    ]
    assert issues_of(done) == [("messages", 1, "sender", "martian"), ("messages", 1, "sender", None)]


def test_offsets_pass_through_and_a_source_without_id_gets_one(ws: Workspace, tmp_path: Path) -> None:
    conv = conversation("9100", "2026-01-05T12:00:00+02:00", source_id="", admin="814860", team="5017691",
                        parts=[part("9101", "comment", "2026-01-05T12:05:00+02:00", "hi", ADMIN)])
    path = put(tmp_path / "t.json", as_list_response([conv]))
    import_vendor(ws.store, "intercom", path)
    # 12:00 at +02:00 is 10:00 UTC
    assert query(ws, "SELECT started_at, agent_id, team FROM conversations") == [
        (datetime(2026, 1, 5, 10, 0), "814860", "5017691"),
    ]
    assert stored_messages(ws) == [
        ("9101", "9100", "agent", datetime(2026, 1, 5, 10, 5), "hi"),
        ("source-9100", "9100", "customer", datetime(2026, 1, 5, 10, 0), "<p>Hi</p>"),
    ]


def test_bad_conversations_are_quarantined_by_position_and_the_others_stored(ws: Workspace, tmp_path: Path) -> None:
    convs = [
        CONVERSATIONS[1],  # 1: fine
        conversation("201", "yesterday", source_id="4201"),  # 2: not a time
        conversation("202", T2, source_type=None, source_id="4202"),  # 3: no channel
        "not a conversation",  # 4: not an object
        CONVERSATIONS[3],  # 5: fine
    ]
    path = put(tmp_path / "bad.json", as_list_response(convs))
    done = import_vendor(ws.store, "intercom", path)
    conv_result, msg_result = done.results
    assert done.translation.records_read == 5
    assert (conv_result.rows_read, conv_result.inserted, conv_result.rejected) == (5, 2, 3)
    assert [(i.source, i.row, i.field, i.value) for i in conv_result.issues] == [
        (str(path), 2, "started_at", "yesterday"),
        (str(path), 3, "channel", None),
        (str(path), 4, "conversation_id", None),
        (str(path), 4, "channel", None),
        (str(path), 4, "started_at", None),
    ]
    assert conv_result.issues[0].reason.startswith("not a timestamp")
    assert conv_result.issues[1].reason == "required value is missing"
    assert query(ws, "SELECT conversation_id FROM conversations ORDER BY 1") == [("9002",), ("9004",)]
    # the opening message of conversation 2 takes its time from the conversation: rejected on sent_at too
    assert [(i.row, i.field, i.value) for i in msg_result.issues] == [(2, "sent_at", "yesterday")]
    assert (msg_result.inserted, msg_result.rejected) == (3, 1)  # 9002, 9004 and 202's opening message
    assert [(t, s, r, f) for t, s, r, f, _, _ in quarantine(ws)] == [
        ("conversations", str(path), 2, "started_at"),
        ("conversations", str(path), 3, "channel"),
        ("conversations", str(path), 4, "channel"),
        ("conversations", str(path), 4, "conversation_id"),
        ("conversations", str(path), 4, "started_at"),
        ("messages", str(path), 2, "sent_at"),
    ]


def test_importing_the_same_file_twice_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "c.json", as_list_response(CONVERSATIONS))
    import_vendor(ws.store, "intercom", path)
    before = (conversations(ws), stored_messages(ws))
    again = import_vendor(ws.store, "intercom", path)
    assert [(r.inserted, r.updated, r.unchanged, r.accepted) for r in again.results] == [
        (0, 0, 4, 4), (0, 0, 18, 18),
    ]
    assert (conversations(ws), stored_messages(ws)) == before
    assert (count(ws, "conversations"), count(ws, "messages")) == (4, 18)


def test_an_action_with_a_reply_is_by_its_author_and_without_one_is_system(ws: Workspace, tmp_path: Path) -> None:
    parts = [
        part("1", "close", T1 + 60, None, ADMIN),  # a plain close: an action
        part("2", "assignment", T1 + 120, "", ADMIN),  # an empty body is no reply
        part("3", "open", T1 + 180, " \n ", ADMIN),  # nor is white space
        part("4", "note", T1 + 240, "<p>internal</p>", ADMIN),  # a note stays internal, body or not
        part("5", "note_and_reopen", T1 + 300, "<p>internal too</p>", ADMIN),
        part("6", "assignment", T1 + 360, "<p>Fin will pass you on</p>", author("bot", "b", ai=True)),
        part("7", "open", T1 + 420, "<p>Back with you</p>", author("bot", "b")),
        # assign and reply, close with reply: the customer sees the teammate's text
        part("8", "assignment", T1 + 480, "<p>Taking this over</p>", ADMIN),
        part("9", "close", T1 + 540, "<p>Refunded, closing</p>", ADMIN),
        part("10", "snoozed", T1 + 600, None, ADMIN),
    ]
    conv = conversation("60", T1, source_id="4060", parts=parts)  # no statistics: derived from the messages
    path = put(tmp_path / "a.json", orjson.dumps(conv))
    done = import_vendor(ws.store, "intercom", path)
    assert issues_of(done) == []
    assert query(ws, "SELECT message_id, sender FROM messages ORDER BY message_id::BIGINT") == [
        ("1", "system"), ("2", "system"), ("3", "system"), ("4", "system"), ("5", "system"), ("6", "bot"),
        ("7", "bot"), ("8", "agent"), ("9", "agent"), ("10", "system"),
        ("4060", "customer"),
    ]
    # the first agent reply is the assignment with a reply, T1 + 480 s = 10:08:00
    assert query(ws, "SELECT min(sent_at) FROM messages WHERE sender = 'agent'") == [
        (datetime(2026, 1, 1, 10, 8),),
    ]
