"""Zendesk Support tickets (Incremental Ticket Export, List Tickets, JSON Lines) imported into a real DuckDB workspace.

The fixtures are built here in the shape Zendesk's API returns (tickets with their ``via`` object, the
``users``, ``groups`` and ``metric_sets`` sideloads, Ticket Comments API objects); every expected value
is worked out by hand from them.
Times: 2026-01-01T00:00:00Z is 20 454 days after 1970-01-01 (56 years, 14 of them leap years), so
1 767 225 600 seconds; 2026-03-02 is 31 + 28 + 1 = 60 days later.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from chatlift.ingest.vendors import Skipped, import_vendor
from chatlift.ingest.vendors.zendesk import FIELDS
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

SUBDOMAIN = "https://acme.zendesk.com/api/v2"


def user(user_id: int, mail: str | None, role: str) -> dict[str, Any]:
    return {"id": user_id, "url": f"{SUBDOMAIN}/users/{user_id}.json", "name": f"User {user_id}", "email": mail,
            "created_at": "2025-11-01T08:00:00Z", "time_zone": "Amsterdam", "phone": None, "role": role,
            "verified": True, "active": True, "organization_id": None}


def group(group_id: int, name: str) -> dict[str, Any]:
    return {"id": group_id, "url": f"{SUBDOMAIN}/groups/{group_id}.json", "name": name, "description": "",
            "default": False, "deleted": False, "created_at": "2025-10-01T08:00:00Z"}


def comment(comment_id: int, author_id: int | None, created_at: object, body: str, *, public: bool = True,
            via: str = "web", ticket_id: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": comment_id, "type": "Comment", "author_id": author_id, "body": body,
        "html_body": f"<div class=\"zd-comment\"><p>{body}</p></div>", "plain_body": body, "public": public,
        "attachments": [], "audit_id": comment_id + 100_000, "created_at": created_at, "metadata": {},
        "via": {"channel": via, "source": {"from": {}, "to": {}, "rel": None}},
    }
    if ticket_id is not None:
        item["ticket_id"] = ticket_id
    return item


def metric_set(ticket_id: int, reply_minutes: object, solved_at: str | None) -> dict[str, Any]:
    return {
        "url": f"{SUBDOMAIN}/ticket_metrics/{ticket_id + 7000}.json", "id": ticket_id + 7000,
        "ticket_id": ticket_id, "created_at": "2026-03-02T09:00:01Z", "updated_at": "2026-03-05T09:00:00Z",
        "group_stations": 1, "assignee_stations": 1, "reopens": 0, "replies": 1,
        "assignee_updated_at": None, "requester_updated_at": None, "status_updated_at": None,
        "initially_assigned_at": None, "assigned_at": None, "solved_at": solved_at,
        "latest_comment_added_at": None,
        "reply_time_in_minutes": {"calendar": reply_minutes, "business": 0},
        "first_resolution_time_in_minutes": {"calendar": None, "business": None},
        "full_resolution_time_in_minutes": {"calendar": None, "business": None},
        "agent_wait_time_in_minutes": {"calendar": None, "business": None},
        "requester_wait_time_in_minutes": {"calendar": None, "business": None},
        "on_hold_time_in_minutes": {"calendar": 0, "business": 0},
    }


def ticket(ticket_id: int, channel: str | None, status: str, created_at: object, *, requester: int | None = None,
           assignee: int | None = None, group_id: int | None = None, tags: list[str] | None = None,
           comments: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "url": f"{SUBDOMAIN}/tickets/{ticket_id}.json", "id": ticket_id, "external_id": None,
        "created_at": created_at, "updated_at": "2026-03-05T12:00:00Z", "generated_timestamp": 1_772_712_000,
        "type": "question", "subject": f"Ticket {ticket_id}", "raw_subject": f"Ticket {ticket_id}",
        "description": "Hello", "priority": "normal", "status": status, "recipient": "support@acme.example",
        "requester_id": requester, "submitter_id": requester, "assignee_id": assignee, "organization_id": None,
        "group_id": group_id, "collaborator_ids": [], "follower_ids": [], "email_cc_ids": [],
        "forum_topic_id": None, "problem_id": None, "has_incidents": False, "is_public": True, "due_at": None,
        "tags": tags if tags is not None else [], "custom_fields": [], "satisfaction_rating": None,
        "sharing_agreement_ids": [], "custom_status_id": 1, "fields": [], "followup_ids": [],
        "ticket_form_id": 360_000_001, "brand_id": 360_000_002, "allow_channelback": False,
        "allow_attachments": True, "from_messaging_channel": channel == "native_messaging",
        **extra,
    }
    if channel is not None:
        item["via"] = {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}}
    if comments is not None:
        item["comments"] = comments
    return item


USERS = [
    user(501, "  Ana.Silva@Example.COM ", "end-user"),
    user(502, "Bo@Shop.example", "agent"),
    user(503, "cy@shop.example", "admin"),
    user(504, "dee@example.com", "end-user"),
    user(505, None, "end-user"),  # a messaging user Zendesk knows by name only
]
GROUPS = [group(71, "Billing"), group(72, "Tier 2")]
METRIC_SETS = [
    metric_set(1001, 45, "2026-03-02T13:30:00Z"),
    metric_set(1002, 15, None),
    metric_set(1003, 90, "2026-03-04T12:00:00Z"),  # solved once, reopened since: status pending
    metric_set(1004, None, None),  # no reply yet
]

TICKETS = [
    # record 1: the web form, solved; every comment kind
    ticket(1001, "web", "solved", "2026-03-02T09:00:00Z", requester=501, assignee=502, group_id=71,
           tags=["refund", "vip"], comments=[
               comment(9001, 501, "2026-03-02T09:00:00Z", "My refund has not arrived"),  # the requester
               comment(9002, 503, "2026-03-02T09:20:00Z", "Ledger checked", public=False),  # internal note
               comment(9003, 502, "2026-03-02T09:45:00Z", "The refund was sent today"),  # role agent
               comment(9004, 504, "2026-03-02T10:00:00Z", "Thanks from accounting"),  # a CC'd end-user
               comment(9005, 502, "2026-03-02T13:30:00Z", "Your request was solved", via="rule"),  # a trigger
           ]),
    # record 2: messaging (chat); created at +01:00; requester without e-mail, assignee and group unknown
    ticket(1002, "chat", "open", "2026-03-03T10:00:00+01:00", requester=505, assignee=999, group_id=73),
    # record 3: native messaging, pending; a requester the users sideload does not list
    ticket(1003, "native_messaging", "pending", "2026-03-04T08:00:00Z", requester=601),
    # record 4: a phone call on hold
    ticket(1004, "voice", "hold", "2026-03-04T15:00:00Z", requester=504, group_id=72),
    # record 5: e-mail, closed, no metric set
    ticket(1005, "email", "closed", "2026-03-05T07:30:00Z", requester=501, assignee=503),
    # record 6: deleted: skipped, with its comment
    ticket(1006, "email", "deleted", "2026-03-05T08:00:00Z", requester=501,
           comments=[comment(9601, 501, "2026-03-05T08:00:00Z", "spam")]),
    # record 7: new, from the mobile SDK
    ticket(1007, "mobile_sdk", "new", "2026-03-05T09:00:00Z", requester=501),
]


def incremental_export(tickets: list[Any], **sideloads: Any) -> bytes:
    return orjson.dumps({"tickets": tickets, "count": len(tickets), "end_of_stream": True,
                         "end_time": 1_772_712_000,
                         "next_page": f"{SUBDOMAIN}/incremental/tickets.json?start_time=1772712000",
                         **sideloads})


def conversations(ws: Workspace) -> list[tuple[Any, ...]]:
    return query(ws, "SELECT conversation_id, channel, started_at, customer_id, visitor_id, agent_id, team, "
                     "status, first_response_at, resolved_at, tags FROM conversations ORDER BY 1")


def test_tickets_with_sideloads_and_comments_are_translated_and_stored(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "tickets.json",
               incremental_export(TICKETS, users=USERS, groups=GROUPS, metric_sets=METRIC_SETS))
    done = import_vendor(ws.store, "zendesk", path)
    t = done.translation
    assert (t.vendor, t.records_read, t.fields) == ("zendesk", 7, FIELDS)
    # the deleted ticket withdraws the conversation an earlier import may have stored under its id
    assert t.skipped == [Skipped(6, "ticket 1006 was deleted", withdraws=("conversations", "1006"))]
    assert [(r.table, r.rows_read, r.inserted, r.rejected) for r in done.results] == [
        ("conversations", 6, 6, 0), ("messages", 5, 5, 0),  # 9601 went with its deleted ticket
    ]
    assert conversations(ws) == [
        # first reply: 09:00 + 45 min = 09:45; solved at 13:30 (metric set)
        ("1001", "email", datetime(2026, 3, 2, 9, 0), "ana.silva@example.com", None, "bo@shop.example",
         "Billing", "resolved", datetime(2026, 3, 2, 9, 45), datetime(2026, 3, 2, 13, 30), ["refund", "vip"]),
        # 10:00 at +01:00 is 09:00 UTC; first reply 10:00 + 15 min = 10:15+01:00 = 09:15 UTC;
        # no e-mail: the requester id; assignee and group ids not in the sideloads: as text; no tags
        ("1002", "chat", datetime(2026, 3, 3, 9, 0), None, "zendesk-user:505", "999", "73", "open",
         datetime(2026, 3, 3, 9, 15), None, None),
        # 08:00 + 90 min = 09:30; solved_at is set but the ticket is pending again: not resolved
        ("1003", "chat", datetime(2026, 3, 4, 8, 0), None, "zendesk-user:601", None, None, "open",
         datetime(2026, 3, 4, 9, 30), None, None),
        # hold is still open; the metric set has no reply yet
        ("1004", "phone", datetime(2026, 3, 4, 15, 0), "dee@example.com", None, None, "Tier 2", "open",
         None, None, None),
        # closed without a metric set: resolved, but no times
        ("1005", "email", datetime(2026, 3, 5, 7, 30), "ana.silva@example.com", None, "cy@shop.example", None,
         "resolved", None, None, None),
        ("1007", "app", datetime(2026, 3, 5, 9, 0), "ana.silva@example.com", None, None, None, "open",
         None, None, None),
    ]
    assert stored_messages(ws) == [
        ("9001", "1001", "customer", datetime(2026, 3, 2, 9, 0), "My refund has not arrived"),
        ("9002", "1001", "system", datetime(2026, 3, 2, 9, 20), "Ledger checked"),
        ("9003", "1001", "agent", datetime(2026, 3, 2, 9, 45), "The refund was sent today"),
        ("9004", "1001", "customer", datetime(2026, 3, 2, 10, 0), "Thanks from accounting"),
        ("9005", "1001", "bot", datetime(2026, 3, 2, 13, 30), "Your request was solved"),
    ]


def test_every_document_shape_and_json_lines_store_the_same_rows(tmp_path: Path) -> None:
    tickets = [TICKETS[0], TICKETS[1], TICKETS[6]]  # no sideloads: JSON Lines cannot carry them
    shapes = {
        "incremental.json": incremental_export(tickets),
        "list.json": orjson.dumps({"tickets": tickets, "next_page": None, "previous_page": None, "count": 3}),
        "array.json": orjson.dumps(tickets, option=orjson.OPT_INDENT_2),
        "lines.jsonl": as_lines(tickets),
    }
    imported = import_shapes(tmp_path, "zendesk", shapes, lambda ws: (conversations(ws), stored_messages(ws)))
    for name, done, _ in imported:
        # without users, 9004 (by 504: neither requester nor assignee, role unknown) cannot be placed
        assert [(r.inserted, r.rejected) for r in done.results] == [(3, 0), (4, 1)], name
        assert issues_of(done) == [("messages", 1, "sender", None)], name
    stored = [rows for _, _, rows in imported]
    # without users the requester, the assignee and the group are known by id
    assert stored[0][0][0][:7] == ("1001", "email", datetime(2026, 3, 2, 9, 0), None, "zendesk-user:501", "502",
                                   "71")
    assert [(m[0], m[2]) for m in stored[0][1]] == [("9001", "customer"), ("9002", "system"), ("9003", "agent"),
                                                    ("9005", "bot")]
    assert all(s == stored[0] for s in stored[1:])


def test_a_show_ticket_response_takes_its_comments_and_its_own_metric_set(ws: Workspace, tmp_path: Path) -> None:
    one = ticket(1101, "email", "solved", "2026-03-06T10:00:00Z", requester=501, assignee=502,
                 metric_set=metric_set(1101, 30, "2026-03-06T11:00:00Z"))
    document = {"ticket": one, "users": USERS,
                # the Ticket Comments API leaves out ticket_id: with one ticket in the file, they are its own
                "comments": [comment(9101, 501, "2026-03-06T10:00:00Z", "Hi"),
                             comment(9102, 502, "2026-03-06T10:30:00Z", "Hello Ana")]}
    done = import_vendor(ws.store, "zendesk", put(tmp_path / "one.json", orjson.dumps(document)))
    assert done.translation.records_read == 1
    assert query(ws, "SELECT conversation_id, first_response_at, resolved_at FROM conversations") == [
        ("1101", datetime(2026, 3, 6, 10, 30), datetime(2026, 3, 6, 11, 0)),  # 10:00 + 30 min
    ]
    assert query(ws, "SELECT message_id, conversation_id, sender FROM messages ORDER BY 1") == [
        ("9101", "1101", "customer"), ("9102", "1101", "agent"),
    ]


def test_a_comments_sideload_goes_by_ticket_id_and_the_rest_is_skipped_with_reasons(ws: Workspace,
                                                                                     tmp_path: Path) -> None:
    tickets = [ticket(1201, "chat", "open", "2026-03-07T10:00:00Z", requester=501, assignee=502),
               ticket(1202, "chat", "open", "2026-03-07T11:00:00Z", requester=504)]
    sideload = [
        comment(9201, 501, "2026-03-07T10:00:00Z", "Is it in stock?", ticket_id=1201),
        comment(9202, 502, "2026-03-07T10:02:00Z", "Yes", ticket_id=1201),
        comment(9203, 504, "2026-03-07T11:00:00Z", "Invoice?", ticket_id=1202),
        comment(9204, 504, "2026-03-07T11:00:00Z", "elsewhere", ticket_id=777),  # 4: no such ticket here
        comment(9205, 504, "2026-03-07T11:00:00Z", "whose?"),  # 5: two tickets, no ticket_id
        "not a comment",  # 6
    ]
    path = put(tmp_path / "c.json", incremental_export(tickets, users=USERS, comments=sideload))
    done = import_vendor(ws.store, "zendesk", path)
    assert [(s.row, s.reason) for s in done.translation.skipped] == [
        (4, 'element 4 of the "comments" sideload (comment 9204) belongs to ticket 777, which is not in the file'),
        (5, 'element 5 of the "comments" sideload (comment 9205) has no ticket_id, and the file holds 2 tickets'),
        (6, 'element 6 of the "comments" sideload is not a comment object'),
    ]
    assert query(ws, "SELECT message_id, conversation_id, sender FROM messages ORDER BY 1") == [
        ("9201", "1201", "customer"), ("9202", "1201", "agent"), ("9203", "1202", "customer"),
    ]
    # the messages carry the number of their ticket
    assert done.results[1].rows_read == 3


CHANNELS = [
    ("chat", "chat"), ("native_messaging", "chat"), ("email", "email"), ("web", "email"), ("mail", "email"),
    ("web_form", "email"), ("voice", "phone"), ("facebook", "social"), ("twitter", "social"),
    ("instagram", "social"), ("instagram_dm", "social"), ("whatsapp", "social"), ("line", "social"),
    ("wechat", "social"), ("sms", "sms"), ("mobile_sdk", "app"), ("api", "api"), ("any_channel", "any_channel"),
    ("Sample_Ticket", "sample_ticket"),  # anything else: itself, lower case
]


def test_channels_map_to_canonical_names(ws: Workspace, tmp_path: Path) -> None:
    tickets = [ticket(i, via, "open", "2026-03-02T09:00:00Z") for i, (via, _) in enumerate(CHANNELS, start=1)]
    import_vendor(ws.store, "zendesk", put(tmp_path / "c.json", incremental_export(tickets)))
    assert query(ws, "SELECT channel FROM conversations ORDER BY conversation_id::INT") == [
        (expected,) for _, expected in CHANNELS
    ]


def test_statuses_map_deleted_is_skipped_and_an_unknown_one_is_rejected(ws: Workspace, tmp_path: Path) -> None:
    statuses = ["new", "open", "pending", "hold", "solved", "closed", "deleted", "archived"]
    tickets = [ticket(i, "email", s, "2026-03-02T09:00:00Z") for i, s in enumerate(statuses, start=1)]
    done = import_vendor(ws.store, "zendesk", put(tmp_path / "s.json", orjson.dumps(tickets)))
    assert query(ws, "SELECT conversation_id, status FROM conversations ORDER BY 1") == [
        ("1", "open"), ("2", "open"), ("3", "open"), ("4", "open"), ("5", "resolved"), ("6", "resolved"),
    ]
    assert done.translation.skipped == [Skipped(7, "ticket 7 was deleted", withdraws=("conversations", "7"))]
    assert issues_of(done) == [("conversations", 8, "status", "archived")]
    assert done.results[0].issues[0].reason.startswith("must be one of open, resolved")


def test_senders_without_a_users_sideload_and_an_author_that_cannot_be_placed(ws: Workspace,
                                                                             tmp_path: Path) -> None:
    one = ticket(1301, "email", "open", "2026-03-08T09:00:00Z", requester=501, assignee=502, comments=[
        comment(9301, 501, "2026-03-08T09:00:00Z", "Question"),  # the requester
        comment(9302, 502, "2026-03-08T09:10:00Z", "Answer"),  # the assignee
        comment(9303, 503, "2026-03-08T09:20:00Z", "Note", public=False),  # private: system whoever wrote it
        comment(9304, None, "2026-03-08T09:25:00Z", "Suggested article", via="answer_bot_for_web_widget"),
        comment(9305, 504, "2026-03-08T09:30:00Z", "Who am I?"),  # unknown without users: rejected
    ])
    path = put(tmp_path / "t.jsonl", as_lines([TICKETS[6], one]))  # the ticket is on line 2
    done = import_vendor(ws.store, "zendesk", path)
    assert query(ws, "SELECT message_id, sender FROM messages ORDER BY 1") == [
        ("9301", "customer"), ("9302", "agent"), ("9303", "system"), ("9304", "bot"),
    ]
    assert issues_of(done) == [("messages", 2, "sender", None)]
    assert done.results[1].issues[0].reason == "required value is missing"


def test_unix_seconds_are_read_and_the_reply_time_counts_from_them(ws: Workspace, tmp_path: Path) -> None:
    # 2026-03-02 09:00 UTC = 1 767 225 600 + 60 × 86 400 + 9 × 3 600 = 1 772 442 000
    created = 1_767_225_600 + 60 * 86_400 + 9 * 3_600
    document = {"tickets": [ticket(1401, "chat", "solved", created, requester=501,
                                   comments=[comment(9401, 501, created + 60, "hi")])],
                "metric_sets": [metric_set(1401, 3, "2026-03-02T09:10:00Z")]}
    import_vendor(ws.store, "zendesk", put(tmp_path / "u.json", orjson.dumps(document)))
    assert query(ws, "SELECT started_at, first_response_at, resolved_at FROM conversations") == [
        (datetime(2026, 3, 2, 9, 0), datetime(2026, 3, 2, 9, 3), datetime(2026, 3, 2, 9, 10)),  # + 3 min
    ]
    assert query(ws, "SELECT sent_at FROM messages") == [(datetime(2026, 3, 2, 9, 1),)]  # + 60 s


def test_bad_tickets_are_quarantined_by_position_and_the_others_stored(ws: Workspace, tmp_path: Path) -> None:
    tickets = [
        TICKETS[4],  # 1: fine
        ticket(1501, "email", "open", "yesterday", requester=501),  # 2: not a time (no first reply computed)
        ticket(1502, None, "open", "2026-03-02T09:00:00Z", requester=501),  # 3: no via
        TICKETS[6],  # 4: fine
        ticket(1503, "chat", "open", "2026-03-02T09:00:00Z"),  # 5: a reply time that is no number
    ]
    sets = [metric_set(1501, 10, None), metric_set(1503, "soon", None)]
    path = put(tmp_path / "bad.json", incremental_export(tickets, users=USERS, metric_sets=sets))
    done = import_vendor(ws.store, "zendesk", path)
    result = done.results[0]
    assert (result.rows_read, result.inserted, result.rejected) == (5, 2, 3)
    assert [(i.source, i.row, i.field, i.value) for i in result.issues] == [
        (str(path), 2, "started_at", "yesterday"),
        (str(path), 3, "channel", None),
        (str(path), 5, "first_response_at", "soon"),
    ]
    assert result.issues[0].reason.startswith("not a timestamp")
    assert result.issues[1].reason == "required value is missing"
    assert query(ws, "SELECT conversation_id FROM conversations ORDER BY 1") == [("1005",), ("1007",)]
    assert [(t, s, r, f) for t, s, r, f, _, _ in quarantine(ws)] == [
        ("conversations", str(path), 2, "started_at"),
        ("conversations", str(path), 3, "channel"),
        ("conversations", str(path), 5, "first_response_at"),
    ]


def test_importing_the_same_file_twice_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "t.json", incremental_export(TICKETS, users=USERS, groups=GROUPS, metric_sets=METRIC_SETS))
    import_vendor(ws.store, "zendesk", path)
    before = (conversations(ws), stored_messages(ws))
    again = import_vendor(ws.store, "zendesk", path)
    assert [(r.inserted, r.updated, r.unchanged, r.accepted) for r in again.results] == [(0, 0, 6, 6), (0, 0, 5, 5)]
    assert (conversations(ws), stored_messages(ws)) == before
    assert (count(ws, "conversations"), count(ws, "messages")) == (6, 5)


def test_a_repeated_ticket_is_read_from_its_last_occurrence_and_a_deleted_one_takes_its_comments(
        ws: Workspace, tmp_path: Path) -> None:
    # The Incremental Export lists a ticket again each time it changes; the last occurrence is the newest.
    tickets = [
        ticket(2001, "chat", "open", "2026-03-09T09:00:00Z", requester=501,  # 1: 2001 as first seen
               comments=[comment(9701, 501, "2026-03-09T09:00:00Z", "Where is my parcel?")]),
        ticket(2002, "email", "open", "2026-03-09T09:30:00Z", requester=504),  # 2: 2002 before its deletion
        ticket(2001, "chat", "solved", "2026-03-09T09:00:00Z", requester=501, assignee=502,  # 3: 2001 now
               comments=[comment(9701, 501, "2026-03-09T09:00:00Z", "Where is my parcel?"),
                         comment(9702, 502, "2026-03-09T09:20:00Z", "It ships today")]),
        ticket(2002, "email", "deleted", "2026-03-09T09:30:00Z", requester=504),  # 4: 2002 now: deleted
    ]
    sideload = [comment(9703, 501, "2026-03-09T09:25:00Z", "Thanks", ticket_id=2001),  # 1
                comment(9801, 504, "2026-03-09T09:30:00Z", "buy cheap watches", ticket_id=2002)]  # 2
    path = put(tmp_path / "r.json", incremental_export(tickets, users=USERS, comments=sideload,
                                                       metric_sets=[metric_set(2001, 20, "2026-03-09T10:00:00Z")]))
    done = import_vendor(ws.store, "zendesk", path)
    assert done.translation.records_read == 4
    assert done.translation.skipped == [
        Skipped(1, "ticket 2001 is repeated: record 3 is its latest version, which is imported instead"),
        Skipped(2, "ticket 2002 is repeated: record 4 is its latest version, which is imported instead"),
        Skipped(4, "ticket 2002 was deleted", withdraws=("conversations", "2002")),
        Skipped(2, 'element 2 of the "comments" sideload (comment 9801) belongs to ticket 2002, which was deleted'),
    ]
    # nothing rejected (a --strict import passes): one conversation, record 3's two comments and the sideloaded one
    assert [(r.table, r.rows_read, r.inserted, r.rejected) for r in done.results] == [
        ("conversations", 1, 1, 0), ("messages", 3, 3, 0),
    ]
    # record 3's state: solved (resolved at 10:00), assigned to Bo, first reply 09:00 + 20 min = 09:20
    assert query(ws, "SELECT conversation_id, status, agent_id, first_response_at, resolved_at FROM conversations") == [
        ("2001", "resolved", "bo@shop.example", datetime(2026, 3, 9, 9, 20), datetime(2026, 3, 9, 10, 0)),
    ]
    assert stored_messages(ws) == [
        ("9701", "2001", "customer", datetime(2026, 3, 9, 9, 0), "Where is my parcel?"),
        ("9702", "2001", "agent", datetime(2026, 3, 9, 9, 20), "It ships today"),
        ("9703", "2001", "customer", datetime(2026, 3, 9, 9, 25), "Thanks"),
    ]


def test_comments_without_ticket_id_belong_to_a_ticket_listed_twice(ws: Workspace, tmp_path: Path) -> None:
    tickets = [ticket(2101, "email", "open", "2026-03-10T08:00:00Z", requester=501),
               ticket(2101, "email", "pending", "2026-03-10T08:00:00Z", requester=501)]  # the same ticket, later
    document = {"tickets": tickets, "comments": [comment(9901, 501, "2026-03-10T08:00:00Z", "Hello")]}
    done = import_vendor(ws.store, "zendesk", put(tmp_path / "two.json", orjson.dumps(document)))
    assert done.translation.skipped == [
        Skipped(1, "ticket 2101 is repeated: record 2 is its latest version, which is imported instead"),
    ]
    assert query(ws, "SELECT message_id, conversation_id, sender FROM messages") == [("9901", "2101", "customer")]


def test_a_reply_time_beyond_the_calendar_is_rejected_without_a_crash(ws: Workspace, tmp_path: Path) -> None:
    tickets = [ticket(2201, "chat", "open", "2026-03-02T09:00:00Z"),  # 1: 10^12 minutes ≈ 1.9 million years
               ticket(2202, "chat", "open", "2026-03-02T09:00:00Z"),  # 2: 10^300 minutes, a float
               ticket(2203, "chat", "open", "2026-03-02T09:00:00Z")]  # 3: 10 minutes
    sets = [metric_set(2201, 10**12, None), metric_set(2202, 1e300, None), metric_set(2203, 10, None)]
    path = put(tmp_path / "far.json", incremental_export(tickets, metric_sets=sets))
    done = import_vendor(ws.store, "zendesk", path)
    result = done.results[0]
    assert (result.rows_read, result.inserted, result.rejected) == (3, 1, 2)
    # the minutes are passed on as text, and the validation rejects them as no time
    assert issues_of(done) == [("conversations", 1, "first_response_at", "1000000000000"),
                               ("conversations", 2, "first_response_at", "1e+300")]
    assert all(i.reason.startswith("not a timestamp") for i in result.issues)
    assert query(ws, "SELECT conversation_id, first_response_at FROM conversations") == [
        ("2203", datetime(2026, 3, 2, 9, 10)),  # 09:00 + 10 min
    ]
