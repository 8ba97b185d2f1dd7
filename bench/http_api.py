"""The HTTP API under load: ingestion throughput and /v1/report latency, through a real server.

Starts `chatlift serve` (uvicorn, one process) on a copy of a demo database and measures:

* ingestion: POST /v1/ingest/messages with JSON batches of ``--size`` new records, from
  ``--clients`` concurrent clients (keep-alive connections; several counts, comma-separated, are
  run one after another), records per second over the run, after one batch that warms the server
  up (its first batch reads the referenced conversation ids into memory, `chatlift.ingest.known`);
* report latency: GET /v1/report for the dashboard's usual questions (the overview's headline
  metrics with the previous period, a breakdown by channel, the whole catalogue), ``--requests``
  times each, p50/p95/max in milliseconds: as new questions (each request about a period one day
  earlier, so the server computes it) and asked again (the server answers from kept results until
  data arrives).

Targets (issue 4): ingestion ≥ 50 000 records/s in batches of 1 000; /v1/report p95 ≤ 300 ms on
the medium demo and ≤ 2 s on 10 M conversations.

    python bench/http_api.py [--source DB] [--batches 60] [--clients 2,4,8] [--requests 40]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import medium_demo
import orjson

import chatlift
from chatlift.access import Access

QUERIES = {
    "overview (6 metrics, previous period)": {
        "metric": "chat_conversion_rate,first_response_time,resolution_rate,csat,nps,chat_customer_value",
        "from": "2025-12-01", "to": "2025-12-29", "compare": "true"},
    "first response by channel, a quarter": {
        "metric": "first_response_time", "by": "channel", "from": "2025-07-01", "to": "2025-10-01"},
    "sales page (8 metrics), a month, previous period": {
        "metric": "chat_conversion_rate,chat_order_value,other_order_value,order_value_uplift,chat_customer_value,"
                  "chatter_value_ratio,cart_abandonment,cart_completion",
        "from": "2025-11-01", "to": "2025-12-01", "compare": "true"},
    "channels page (11 metrics) by channel, a month": {
        "metric": "channel_mix,resolution_rate,fcr_rate,first_response_time,resolution_time,sla_attainment,"
                  "missed_rate,csat,ces_easy,chat_conversion_rate,chat_customer_value",
        "by": "channel", "from": "2025-11-01", "to": "2025-12-01"},
    "whole catalogue, a year": {"from": "2025-01-01", "to": "2026-01-01"},
}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path, port: int) -> subprocess.Popen[bytes]:
    binary = Path(sys.executable).with_name("chatlift")
    env = {**os.environ, "CHATLIFT_CONFIG": str(db.with_suffix(".toml"))}
    process = subprocess.Popen([str(binary), "serve", "--db", str(db), "--port", str(port)], env=env,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def _batches(conversation_ids: list[str], count: int, size: int, run: int = 0) -> list[bytes]:
    out = []
    for b in range(count):
        records = [{"message_id": f"msg_http_{run}_{b:05d}_{i:05d}", "conversation_id": conversation_ids[(b * size + i) % len(conversation_ids)],
                    "sender": ("customer", "agent", "bot")[i % 3],
                    "sent_at": f"2025-12-31T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
                    "text": f"Where is my order {b * size + i}?"} for i in range(size)]
        out.append(orjson.dumps(records))
    return out


def ingestion(url: str, key: str, payloads: list[bytes], clients: int) -> tuple[float, int]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    shares = [payloads[i::clients] for i in range(clients)]

    def send(share: list[bytes]) -> int:
        stored = 0
        with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
            for body in share:
                response = client.post("/v1/ingest/messages", content=body)
                response.raise_for_status()
                stored += response.json()["inserted"]
        return stored

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        stored = sum(pool.map(send, shares))
    return time.perf_counter() - started, stored


def _shifted(params: dict[str, str], days: int) -> dict[str, str]:
    """The same question about a period ``days`` later: a new question for the server."""
    out = dict(params)
    for name in ("from", "to"):
        out[name] = (date.fromisoformat(params[name]) + timedelta(days=days)).isoformat()
    return out


def latency(url: str, key: str, params: dict[str, str], requests: int, *, cold: bool) -> tuple[float, list[float]]:
    """Milliseconds of the first request (not counted), and per request after it: ``cold`` asks about a
    different period each time (the server has not answered it before, but may reuse the plan of a period
    of the same length, `chatlift.metrics.reuse`); otherwise the same question again (the server answers
    from kept results)."""
    times = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=300) as client:
        started = time.perf_counter()
        client.get("/v1/report", params=_shifted(params, -1) if cold else params).raise_for_status()  # warm-up
        first = (time.perf_counter() - started) * 1000
        for i in range(requests):
            started = time.perf_counter()
            client.get("/v1/report", params=_shifted(params, -2 - i) if cold else params).raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return first, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=medium_demo.MEDIUM, help="demo database to copy")
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--clients", default="2,4,8", help="concurrent senders; a comma-separated list runs each")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-report", action="store_true", help="measure ingestion only")
    args = parser.parse_args()
    medium_demo.ensure(args.source)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "served.duckdb"
        shutil.copy(args.source, db)
        with chatlift.connect(db) as ws:
            keys = {role: Access(ws.store).create_key(role)[1] for role in ("ingest", "read")}
            ids = [r[0] for r in ws.store.con.execute(
                "SELECT conversation_id FROM conversations ORDER BY started_at DESC LIMIT 5000").fetchall()]
            counts = ws.row_counts()
        print(f"database: copy of {args.source} ({counts['conversations']:,} conversations, "
              f"{counts['messages']:,} messages)")
        port = _port()
        server = _serve(db, port)
        url = f"http://127.0.0.1:{port}"
        try:
            if not args.skip_ingest:
                seconds, _ = ingestion(url, keys["ingest"], _batches(ids, 1, args.size, run=0), 1)
                print(f"ingestion: first batch of {args.size:,} messages (warm-up) {seconds * 1000:.0f} ms")
                for run, clients in enumerate(int(c) for c in args.clients.split(",")):
                    payloads = _batches(ids, args.batches, args.size, run=run + 1)
                    seconds, stored = ingestion(url, keys["ingest"], payloads, clients)
                    total = args.batches * args.size
                    assert stored == total, f"stored {stored} of {total}"
                    print(f"ingestion: {total:,} messages in batches of {args.size:,} from {clients} clients: "
                          f"{seconds:.2f} s, {total / seconds:,.0f} records/s "
                          f"({seconds / args.batches * 1000:.1f} ms per batch)")
            for label, params in {} if args.skip_report else QUERIES.items():
                for cold in (True, False):
                    first, times = latency(url, keys["read"], params, args.requests, cold=cold)
                    times.sort()
                    p95 = times[math.ceil(0.95 * len(times)) - 1]  # nearest rank
                    print(f"/v1/report {label}, {'new question' if cold else 'asked again'}: "
                          f"p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms "
                          f"({len(times)} requests; the first, not counted, {first:.0f} ms)")
        finally:
            server.terminate()
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
