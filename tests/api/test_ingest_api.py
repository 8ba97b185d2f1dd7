"""Batch ingestion through the real server, then the numbers the API reports (worked out by hand)."""

from __future__ import annotations

import concurrent.futures
import csv
import io
import threading
from typing import Any

import httpx
import orjson
import pytest

from tests.api.conftest import Server

JSON = {"Content-Type": "application/json"}
NDJSON = {"Content-Type": "application/x-ndjson"}

# Three good chats in March 2025 (first responses after 60 s, 180 s and 30 s; two resolved, one not)
# and three bad records: an unreadable start, an unknown status, and an element that is no object.
BATCH: list[Any] = [
    {"conversation_id": "c1", "channel": "chat", "started_at": "2025-03-03T10:00:00Z", "status": "resolved",
     "first_response_at": "2025-03-03T10:01:00Z"},
    {"conversation_id": "c2", "channel": "Chat", "started_at": "2025-03-03T11:00:00Z", "status": "unresolved",
     "first_response_at": "2025-03-03T11:03:00Z"},
    {"conversation_id": "c3", "channel": "email", "started_at": "not a date"},
    {"conversation_id": "c4", "channel": "chat", "started_at": "2025-03-04T09:00:00+01:00", "status": "resolved",
     "first_response_at": "2025-03-04T08:00:30Z"},
    {"conversation_id": "c5", "channel": "chat", "started_at": "2025-03-05T09:00:00Z", "status": "flying"},
    "just a string",
]

MARCH = {"from": "2025-03-01", "to": "2025-04-01", "filter": "channel=chat"}


def _value(server: Server, metric: str, **params: str) -> tuple[Any, int]:
    with server.client("read") as client:
        response = client.get("/v1/report", params={"metric": metric, **MARCH, **params})
    assert response.status_code == 200, response.text
    (row,) = response.json()["rows"]
    return row["value"], row["n"]


def test_bad_rows_are_422_and_the_valid_ones_are_stored(empty_server: Server) -> None:
    with empty_server.client("ingest") as client:
        response = client.post("/v1/ingest/conversations", content=orjson.dumps(BATCH), headers=JSON)
    assert response.status_code == 422
    body = response.json()
    assert (body["received"], body["inserted"], body["updated"], body["unchanged"], body["rejected"]) == (6, 3, 0, 0, 3)
    assert body["accepted"] == 3
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(2, "started_at"), (4, "status"), (5, "(row)")]
    assert all(e["reason"] for e in body["errors"])
    assert body["errors"][0]["value"] == "not a date"
    # resolution rate: 2 resolved of 3 finished chats; first response: (60 + 180 + 30) / 3 = 90 s
    assert _value(empty_server, "resolution_rate") == (pytest.approx(2 / 3), 3)
    assert _value(empty_server, "first_response_time") == (pytest.approx(90.0), 3)


def test_resending_a_batch_never_double_counts_and_changes_update(empty_server: Server) -> None:
    with empty_server.client("ingest") as client:
        first = client.post("/v1/ingest/conversations", content=orjson.dumps(BATCH), headers=JSON).json()
        again = client.post("/v1/ingest/conversations", content=orjson.dumps(BATCH), headers=JSON).json()
        assert (first["inserted"], again["inserted"], again["unchanged"], again["rejected"]) == (3, 0, 3, 3)
        assert _value(empty_server, "resolution_rate") == (pytest.approx(2 / 3), 3)
        change = [{**BATCH[1], "status": "resolved"}]
        changed = client.post("/v1/ingest/conversations", content=orjson.dumps(change), headers=JSON)
    assert changed.status_code == 200
    assert (changed.json()["updated"], changed.json()["inserted"]) == (1, 0)
    assert _value(empty_server, "resolution_rate") == (pytest.approx(1.0), 3)


def test_ndjson_counts_lines_from_zero_blank_lines_included(empty_server: Server) -> None:
    lines = [orjson.dumps(BATCH[0]), b"", orjson.dumps({"conversation_id": "c9", "channel": "chat"}), b"{broken"]
    with empty_server.client("ingest") as client:
        response = client.post("/v1/ingest/conversations", content=b"\n".join(lines), headers=NDJSON)
    assert response.status_code == 422
    body = response.json()
    assert (body["inserted"], body["rejected"]) == (1, 2)
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(2, "started_at"), (3, "(row)")]


def test_unreadable_payloads(empty_server: Server) -> None:
    with empty_server.client("ingest") as client:
        not_array = client.post("/v1/ingest/conversations", content=b'{"conversation_id": "x"}', headers=JSON)
        assert not_array.status_code == 422 and not_array.json()["error"]
        assert not_array.json()["hint"]
        garbage = client.post("/v1/ingest/conversations", content=b"[{", headers=JSON)
        assert garbage.status_code == 422
        wrong_type = client.post("/v1/ingest/conversations", content=b"a,b", headers={"Content-Type": "text/csv"})
        assert wrong_type.status_code == 415 and "application/x-ndjson" in wrong_type.json()["hint"]
        unknown = client.post("/v1/ingest/conversation", content=b"[]", headers=JSON)
        assert unknown.status_code == 404 and "conversations" in unknown.json()["hint"]
        too_big = client.post("/v1/ingest/conversations", content=b" " * (10 * 1024 * 1024 + 1), headers=JSON)
        assert too_big.status_code == 413 and "split" in too_big.json()["hint"]
    with empty_server.client("read") as client:
        assert client.get("/v1/health").json()["rows"]["conversations"] == 0  # nothing was stored


def test_export_lists_the_ingested_conversations(empty_server: Server) -> None:
    with empty_server.client("ingest") as client:
        client.post("/v1/ingest/conversations", content=orjson.dumps(BATCH), headers=JSON)
    with empty_server.client("read") as client:
        response = client.get("/v1/conversations.csv", params={"from": "2025-03-01", "to": "2025-03-04"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    # c4 started 2025-03-04 08:00 UTC: outside [03-01, 03-04)
    assert [(r["conversation_id"], r["channel"], r["status"], r["first_response_seconds"]) for r in rows] == [
        ("c1", "chat", "resolved", "60"), ("c2", "chat", "unresolved", "180")]


def test_concurrent_batches_each_get_their_own_answer(empty_server: Server) -> None:
    """Batches sent at once are written in groups (`Service.ingest`); each request still answers for its batch."""
    def messages(sender: int, count: int) -> bytes:
        return orjson.dumps([{"message_id": f"s{sender}-{i}", "conversation_id": f"c{sender}", "sender": "agent",
                              "sent_at": "2025-03-03T10:00:00Z", "text": "hello"} for i in range(count)])

    payloads = [messages(s, s + 1) for s in range(10)]
    payloads.append(messages(3, 4))  # sender 3's batch again: unchanged, whenever it runs
    payloads.append(orjson.dumps([{"message_id": "bad", "conversation_id": "c0", "sender": "robot",
                                   "sent_at": "2025-03-03T10:00:00Z"}]))
    start = threading.Barrier(len(payloads))

    def send(payload: bytes) -> httpx.Response:
        with empty_server.client("ingest") as client:
            start.wait()
            return client.post("/v1/ingest/messages", content=payload, headers=JSON)

    with concurrent.futures.ThreadPoolExecutor(len(payloads)) as pool:
        responses = list(pool.map(send, payloads))
    bodies = [r.json() for r in responses]
    for s in range(10):
        assert responses[s].status_code == 200
        assert (bodies[s]["received"], bodies[s]["accepted"], bodies[s]["rejected"]) == (s + 1, s + 1, 0)
    both = [bodies[3], bodies[10]]  # one of the two batches of sender 3 inserted its rows, the other found them
    assert sorted((b["inserted"], b["unchanged"]) for b in both) == [(0, 4), (4, 0)]
    assert responses[11].status_code == 422 and [(e["index"], e["field"]) for e in bodies[11]["errors"]] == [
        (0, "sender")]
    assert all(b["unknown_references"] == [{"field": "conversation_id", "target": "conversations", "rows": b["accepted"]}]
               for b in bodies[:11])
    with empty_server.client(None) as client:
        assert client.get("/v1/health").json()["rows"]["messages"] == sum(range(1, 11))
