"""LiveChat archives (Agent Chat API v3.5 ``list_archives``, JSON or JSON Lines) imported into a real DuckDB workspace.

The fixture is built here in LiveChat's shape (chats with ``users``, a ``thread`` or ``threads``, events,
properties); every expected value is worked out by hand from it. LiveChat writes times as RFC 3339 in UTC
with microseconds (``2026-03-02T09:15:00.250000Z``); one thread below is written with an offset.
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
    write,
)

ANA = "b7eff798-f8df-4364-8059-649c35c9ed0c"  # a customer's id: LiveChat's generated id
BEN = "0e1a9a35-2f4b-4b64-9d4f-3a4d8c2f1b77"
SMITH = "smith@example.com"  # human agents are identified by their e-mail address
JONES = "jones@example.com"
BOT = "5c9871d5372c824cbf22d860a707a578"  # a bot agent: a generated id and no e-mail


def customer(uid: str, mail: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": uid, "type": "customer", "name": "Customer", "present": False,
                            "events_seen_up_to": "2026-03-02T09:21:00.000000Z",
                            "last_visit": {"started_at": "2026-03-02T09:10:00.000000Z", "ip": "203.0.113.7"}}
    if mail is not None:
        user["email"] = mail
    return user


def agent(uid: str, mail: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": uid, "type": "agent", "name": uid.split("@")[0].title(), "present": True,
                            "avatar": "https://cdn.livechat-files.com/api/file/avatar.png", "visibility": "all"}
    if mail is not None:
        user["email"] = mail
    return user


def bot() -> dict[str, Any]:
    return {"id": BOT, "type": "agent", "name": "Helper", "present": True, "visibility": "all",
            "avatar": "https://cdn.livechat-files.com/api/file/bot.png"}


def event(eid: str, kind: str, at: str, *, author: str | None = None, text: str | None = None,
          visibility: str = "all", **extra: Any) -> dict[str, Any]:
    e: dict[str, Any] = {"id": eid, "created_at": at, "visibility": visibility, "type": kind}
    if author is not None:
        e["author_id"] = author
    if text is not None:
        e["text"] = text
    e.update(extra)
    return e


def system(eid: str, kind: str, at: str, text: str) -> dict[str, Any]:
    return event(eid, "system_message", at, text=text, system_message_type=kind)


def thread(tid: str, created_at: object, active: object, events: list[Any] | None, *,
           user_ids: list[str] | None = None, groups: list[int] | None = None, tags: list[str] | None = None,
           properties: dict[str, Any] | None = None) -> dict[str, Any]:
    t: dict[str, Any] = {"id": tid, "active": active, "created_at": created_at,
                         "properties": properties or {"routing": {"idle": False, "unassigned": False}}}
    if created_at is None:
        del t["created_at"]
    if user_ids is not None:
        t["user_ids"] = user_ids
    if events is not None:
        t["events"] = events
    if groups is not None:
        t["access"] = {"group_ids": groups}
    if tags is not None:
        t["tags"] = tags
    return t


def chat(cid: str, users: list[dict[str, Any]], one: dict[str, Any] | None = None, *,
         many: list[Any] | None = None, groups: list[int] | None = None) -> dict[str, Any]:
    c: dict[str, Any] = {"id": cid, "users": users, "properties": {"routing": {"continuous": False}},
                         "is_followed": False}
    if one is not None:
        c["thread"] = one
    if many is not None:
        c["threads"] = many
    if groups is not None:
        c["access"] = {"group_ids": groups}
    return c


CHAT1 = chat("PJ0MRSHTDG", [customer(ANA, "  Ana.Silva@Example.COM "), agent(SMITH, "Smith@Example.com"), bot()],
             thread("K600PKZON8", "2026-03-02T09:15:00.250000Z", False, [
                 event("K600PKZON8_1", "message", "2026-03-02T09:15:00.250000Z", author=ANA,
                       text="Where is my order?"),
                 event("K600PKZON8_2", "message", "2026-03-02T09:15:04.000000Z", author=BOT,
                       text="A bot answers first"),
                 event("K600PKZON8_3", "message", "2026-03-02T09:16:00.000000Z", author=SMITH,
                       text="note: check the warehouse", visibility="agents"),
                 event("K600PKZON8_4", "file", "2026-03-02T09:16:30.000000Z", author=SMITH, name="label.pdf",
                       url="https://cdn.livechat-files.com/api/file/label.pdf", content_type="application/pdf"),
                 event("K600PKZON8_5", "message", "2026-03-02T09:17:00.000000Z", author=SMITH,
                       text="It ships today."),
                 event("K600PKZON8_6", "rich_message", "2026-03-02T09:17:10.000000Z", author=BOT,
                       template_id="quick_replies", elements=[{"title": "Anything else?"}]),
                 event("K600PKZON8_7", "filled_form", "2026-03-02T09:20:00.000000Z", author=ANA,
                       form_id="postchat", fields=[{"type": "question", "id": "q", "label": "Helpful?",
                                                    "answer": "yes"}]),
                 system("K600PKZON8_8", "rating.chat_rated", "2026-03-02T09:20:05.000000Z",
                        "Ana rated the chat as good"),
                 system("K600PKZON8_9", "manual_archived_agent", "2026-03-02T09:21:00.000000Z",
                        "Smith archived the chat"),
             ], user_ids=[ANA, SMITH, BOT], groups=[2], tags=["billing", "vip"],
                 properties={"rating": {"score": 1, "comment": "Quick!"}}),
             groups=[0])

# Written with +02:00 as a chat tool in Europe might: 10:00 at +02:00 is 08:00 UTC.
CHAT2 = chat("PK1NTSIUEH", [customer(BEN, None), agent(JONES, None)],
             thread("K700AAAA01", "2026-03-03T10:00:00+02:00", True, [
                 event("K700AAAA01_1", "message", "2026-03-03T10:00:00+02:00", author=JONES,
                       text="Hi! Need help choosing?", properties={"lc2": {"welcome_message": True}}),
                 event("K700AAAA01_2", "message", "2026-03-03T10:00:30+02:00", author=BEN, text="Yes please"),
             ], properties={"lc2": {"greeting_id": 7, "greeting_unique_id": "Q10X0W041P"}}),
             groups=[0])

CHAT3 = chat("PL2OUTJVFI", [customer(ANA, "ana.silva@example.com"), agent(SMITH, SMITH), agent(JONES, JONES)],
             many=[
                 thread("K800BBBB01", "2026-03-04T12:00:00.000000Z", False, [
                     event("K800BBBB01_1", "message", "2026-03-04T12:00:00.000000Z", author=ANA, text="Refund?"),
                     event("K800BBBB01_2", "message", "2026-03-04T12:01:00.000000Z", author=JONES, text="Let me see"),
                     event("K800BBBB01_3", "message", "2026-03-04T12:10:00.000000Z", author=SMITH, text="Done."),
                     system("K800BBBB01_4", "rating.chat_rated", "2026-03-04T12:11:00.000000Z",
                            "Ana rated the chat as bad"),
                     system("K800BBBB01_5", "routing.archived_inactive", "2026-03-04T12:40:00.000000Z",
                            "Chat archived due to 30 minutes of inactivity"),
                 ], user_ids=[ANA, JONES, SMITH], groups=[3],
                     properties={"rating": {"score": {"value": 0}, "comment": {"value": "Too slow"}}}),
                 thread("K800BBBB02", "2026-03-06T08:00:00.000000Z", False, [
                     event("K800BBBB02_1", "message", "2026-03-06T08:00:00.000000Z", author=ANA, text="Hello?"),
                     system("K800BBBB02_2", "archived_customer_disconnected", "2026-03-06T08:05:00.000000Z",
                            "Ana left the chat"),
                 ], user_ids=[ANA], properties={"rating": {"score": 1}}),  # rated, but no event dates it
             ])

CHAT4 = chat("PM3PVUKWGJ", [customer(BEN, None)])  # a chat without a thread

CHATS: list[dict[str, Any]] = [CHAT1, CHAT2, CHAT3, CHAT4]


def as_archives(chats: list[Any]) -> bytes:
    return orjson.dumps({"chats": chats, "found_chats": len(chats), "next_page_id": "MTUxNzM5ODEzMTQ5Ng=="})


def conversations(ws: Workspace) -> list[tuple[Any, ...]]:
    return query(ws, "SELECT conversation_id, channel, started_at, customer_id, visitor_id, agent_id, team, status, "
                     "first_response_at, resolved_at, initiated_by, tags FROM conversations ORDER BY 1")


def ratings(ws: Workspace) -> list[tuple[Any, ...]]:
    return query(ws, "SELECT response_id, survey, score, scale, answered_at, conversation_id, customer_id, comment "
                     "FROM survey_responses ORDER BY 1")


def test_threads_events_and_ratings_are_translated_and_stored(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "archives.json", as_archives(CHATS))
    done = import_vendor(ws.store, "livechat", path)
    t = done.translation
    assert t.vendor == "livechat"
    assert t.records_read == 4
    assert [r.table for r in done.results] == ["conversations", "messages", "survey_responses"]
    # 4 threads (chat 3 has two); 9 + 2 + 5 + 2 = 18 events; 2 ratings that can be dated
    assert [(r.rows_read, r.inserted, r.rejected) for r in done.results] == [(4, 4, 0), (18, 18, 0), (2, 2, 0)]
    assert [(s.row, s.reason) for s in t.skipped] == [
        (3, "thread K800BBBB02: rated, but no rating.chat_rated event says when"),
        (4, "chat PM3PVUKWGJ has no thread"),
    ]
    assert conversations(ws) == [
        # closed by the agent at 09:21; the thread's group 2 wins over the chat's 0; the bot is never the agent
        ("K600PKZON8", "chat", datetime(2026, 3, 2, 9, 15, 0, 250000), "ana.silva@example.com",
         f"livechat-customer:{ANA}", "smith@example.com", "2", "resolved", None, datetime(2026, 3, 2, 9, 21),
         "customer", ["billing", "vip"]),
        # 10:00 at +02:00 = 08:00 UTC; still active; opened from greeting 7; no user_ids: the chat's one agent,
        # known by the e-mail address that is his id; the chat's group 0
        ("K700AAAA01", "chat", datetime(2026, 3, 3, 8, 0), None, f"livechat-customer:{BEN}", "jones@example.com",
         "0", "open", None, None, "agent", None),
        # Jones answered first, Smith last: Smith handled it; archived for inactivity at 12:40
        ("K800BBBB01", "chat", datetime(2026, 3, 4, 12, 0), "ana.silva@example.com", f"livechat-customer:{ANA}",
         "smith@example.com", "3", "resolved", None, datetime(2026, 3, 4, 12, 40), "customer", None),
        # no agent in the thread; ended when the customer left at 08:05; no group anywhere
        ("K800BBBB02", "chat", datetime(2026, 3, 6, 8, 0), "ana.silva@example.com", f"livechat-customer:{ANA}",
         None, None, "resolved", None, datetime(2026, 3, 6, 8, 5), "customer", None),
    ]
    assert stored_messages(ws) == [
        ("K600PKZON8_1", "K600PKZON8", "customer", datetime(2026, 3, 2, 9, 15, 0, 250000), "Where is my order?"),
        ("K600PKZON8_2", "K600PKZON8", "bot", datetime(2026, 3, 2, 9, 15, 4), "A bot answers first"),
        ("K600PKZON8_3", "K600PKZON8", "system", datetime(2026, 3, 2, 9, 16), "note: check the warehouse"),  # note
        ("K600PKZON8_4", "K600PKZON8", "agent", datetime(2026, 3, 2, 9, 16, 30), None),  # a file: no text
        ("K600PKZON8_5", "K600PKZON8", "agent", datetime(2026, 3, 2, 9, 17), "It ships today."),
        ("K600PKZON8_6", "K600PKZON8", "bot", datetime(2026, 3, 2, 9, 17, 10), None),  # rich message by the bot
        ("K600PKZON8_7", "K600PKZON8", "system", datetime(2026, 3, 2, 9, 20), None),  # post-chat form
        ("K600PKZON8_8", "K600PKZON8", "system", datetime(2026, 3, 2, 9, 20, 5), "Ana rated the chat as good"),
        ("K600PKZON8_9", "K600PKZON8", "system", datetime(2026, 3, 2, 9, 21), "Smith archived the chat"),
        # the automatic welcome in Jones's name is a bot's; 10:00:30 at +02:00 = 08:00:30 UTC
        ("K700AAAA01_1", "K700AAAA01", "bot", datetime(2026, 3, 3, 8, 0), "Hi! Need help choosing?"),
        ("K700AAAA01_2", "K700AAAA01", "customer", datetime(2026, 3, 3, 8, 0, 30), "Yes please"),
        ("K800BBBB01_1", "K800BBBB01", "customer", datetime(2026, 3, 4, 12, 0), "Refund?"),
        ("K800BBBB01_2", "K800BBBB01", "agent", datetime(2026, 3, 4, 12, 1), "Let me see"),
        ("K800BBBB01_3", "K800BBBB01", "agent", datetime(2026, 3, 4, 12, 10), "Done."),
        ("K800BBBB01_4", "K800BBBB01", "system", datetime(2026, 3, 4, 12, 11), "Ana rated the chat as bad"),
        ("K800BBBB01_5", "K800BBBB01", "system", datetime(2026, 3, 4, 12, 40),
         "Chat archived due to 30 minutes of inactivity"),
        ("K800BBBB02_1", "K800BBBB02", "customer", datetime(2026, 3, 6, 8, 0), "Hello?"),
        ("K800BBBB02_2", "K800BBBB02", "system", datetime(2026, 3, 6, 8, 5), "Ana left the chat"),
    ]
    # thumbs up = 1, thumbs down = 0 on the stated 0-1 scale, dated by the rating.chat_rated event
    assert ratings(ws) == [
        ("livechat-rating:K600PKZON8", "csat", 1, "0-1", datetime(2026, 3, 2, 9, 20, 5), "K600PKZON8",
         "ana.silva@example.com", "Quick!"),
        ("livechat-rating:K800BBBB01", "csat", 0, "0-1", datetime(2026, 3, 4, 12, 11), "K800BBBB01",
         "ana.silva@example.com", "Too slow"),
    ]


def test_every_document_shape_and_json_lines_store_the_same_rows(tmp_path: Path) -> None:
    shapes = {
        "archives.json": as_archives(CHATS),
        "array.json": orjson.dumps(CHATS, option=orjson.OPT_INDENT_2),
        "lines.jsonl": as_lines(CHATS),
    }
    imported = import_shapes(tmp_path, "livechat", shapes,
                             lambda ws: (conversations(ws), stored_messages(ws), ratings(ws)))
    for name, done, _ in imported:
        assert [(r.inserted, r.rejected) for r in done.results] == [(4, 0), (18, 0), (2, 0)], name
        assert [s.row for s in done.translation.skipped] == [3, 4], name
    stored = [rows for _, _, rows in imported]
    assert all(s == stored[0] for s in stored[1:])


def test_a_single_chat_object_is_one_record(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "chat.json", orjson.dumps(CHAT2))
    done = import_vendor(ws.store, "livechat", path)
    assert done.translation.records_read == 1
    assert query(ws, "SELECT conversation_id, status FROM conversations") == [("K700AAAA01", "open")]
    assert count(ws, "messages") == 2


def test_bad_threads_are_quarantined_by_chat_number_and_the_others_stored(ws: Workspace, tmp_path: Path) -> None:
    chats = [
        CHAT2,  # 1: fine
        chat("PBAD000002", [customer(BEN, None)], thread("KBAD000002", "yesterday", False, [])),  # 2: not a time
        chat("PBAD000003", [customer(BEN, None)], thread("KBAD000003", None, False, [])),  # 3: no created_at
        chat("PBAD000004", [customer(ANA, "ana.silva@example.com")],  # 4: unknown state, author and score
             thread("KBAD000004", "2026-03-05T09:00:00.000000Z", "archived", [
                 event("KBAD000004_1", "message", "2026-03-05T09:00:00.000000Z", author="ghost@example.com",
                       text="Hi"),
                 system("KBAD000004_2", "rating.chat_rated", "2026-03-05T09:05:00.000000Z", "Ana rated the chat"),
             ], properties={"rating": {"score": 5}})),
    ]
    path = put(tmp_path / "bad.json", as_archives(chats))
    done = import_vendor(ws.store, "livechat", path)
    conv, msg, survey = done.results
    assert (conv.rows_read, conv.inserted, conv.rejected) == (4, 1, 3)
    assert [(i.source, i.row, i.field, i.value) for i in conv.issues] == [
        (str(path), 2, "started_at", "yesterday"),
        (str(path), 3, "started_at", None),
        (str(path), 4, "status", "archived"),
    ]
    assert conv.issues[0].reason.startswith("not a timestamp")
    assert conv.issues[1].reason == "required value is missing"
    assert conv.issues[2].reason.startswith("must be one of open, resolved")
    # the author is no user of the chat: passed on as its id
    assert [(i.row, i.field, i.value) for i in msg.issues] == [(4, "sender", "ghost@example.com")]
    assert (msg.inserted, msg.rejected) == (3, 1)  # chat 1's two and chat 4's system message
    assert [(i.row, i.field, i.value) for i in survey.issues] == [(4, "score", "5")]
    assert survey.issues[0].reason.startswith("outside the survey scale 0-1")
    assert query(ws, "SELECT conversation_id FROM conversations") == [("K700AAAA01",)]
    assert [(t, s, r, f) for t, s, r, f, _, _ in quarantine(ws)] == [
        ("conversations", str(path), 2, "started_at"),
        ("conversations", str(path), 3, "started_at"),
        ("conversations", str(path), 4, "status"),
        ("messages", str(path), 4, "sender"),
        ("survey_responses", str(path), 4, "score"),
    ]


def test_importing_the_same_file_twice_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "archives.json", as_archives(CHATS))
    ws.import_vendor("livechat", [path])
    before = (conversations(ws), stored_messages(ws), ratings(ws))
    (again,) = ws.import_vendor("livechat", [path])
    assert [(r.inserted, r.updated, r.unchanged, r.accepted) for r in again.results] == [
        (0, 0, 4, 4), (0, 0, 18, 18), (0, 0, 2, 2),
    ]
    assert (conversations(ws), stored_messages(ws), ratings(ws)) == before
    assert (count(ws, "conversations"), count(ws, "messages"), count(ws, "survey_responses")) == (4, 18, 2)


def test_broken_json_lines_and_elements_are_rejected_by_their_number(ws: Workspace, tmp_path: Path) -> None:
    broken_thread = chat("PBRK000005", [customer(BEN, None)], thread("KBRK000005", "2026-03-07T10:00:00Z", True,
                                                                     ["not an event"]))
    lines = [
        orjson.dumps(CHAT2).decode(),  # line 1
        "",  # line 2: blank, skipped but counted
        '{"id": "PCUT", "thread": {"id": ',  # line 3: cut off
        "[1, 2]",  # line 4: not an object
        orjson.dumps(broken_thread).decode(),  # line 5: an event that is not an object
        orjson.dumps({"id": "PBRK000006", "users": [], "thread": "a thread"}).decode(),  # line 6: not an object
    ]
    path = write(tmp_path / "archives.jsonl", "\n".join(lines) + "\n")
    done = import_vendor(ws.store, "livechat", path)
    assert done.translation.records_read == 5
    missing = ("conversation_id", "channel", "started_at")
    assert issues_of(done) == [
        *[("conversations", 3, f, None) for f in missing],
        *[("conversations", 4, f, None) for f in missing],
        *[("conversations", 6, f, None) for f in missing],
        *[("messages", 5, f, None) for f in ("message_id", "conversation_id", "sender", "sent_at")],
    ]
    assert query(ws, "SELECT conversation_id FROM conversations ORDER BY 1") == [("K700AAAA01",), ("KBRK000005",)]
    assert {row[2] for row in quarantine(ws)} == {3, 4, 5, 6}
