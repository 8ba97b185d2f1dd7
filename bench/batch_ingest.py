"""Batch ingestion throughput: records/s for API batches of 1 000 into an already-populated database.

Copies a medium demo database (``--source``; built once under ``bench/.data/``
when missing), then calls the library function the HTTP API uses,
``Workspace.import_batch``, on JSON payloads of ``--size`` records, for
messages and conversations, in these scenarios:

* new keys, increasing as time-based ids and sequences do; messages refer to
  the conversations the conversation batches just added (as a helpdesk sends them);
* re-sent: the same batches again (every record unchanged);
* updated: the same keys with one field changed (every record updated);
* new random keys: keys spread over the whole key space (random UUIDs), the worst case;
* messages only, spread references: new messages of 1 000 random stored conversations,
  whose ids spread over the whole table (the reference check reads every row group).

For each it prints the median and best time per batch and the sustained rate
(all records over all batches' time, commits and DuckDB's automatic checkpoints
included). ``--baseline`` also times the file path on the same batches
(``import_files`` of a 1 000-line JSONL file). Target (issue 4): the HTTP layer
≥ 50 000 records/s in batches of 1 000, so the library call must take well
under 20 ms per batch.

    python bench/batch_ingest.py [--source medium.duckdb] [--batches 30] [--size 1000] [--baseline]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import medium_demo
import orjson

import chatlift

Maker = Callable[[int, str], list[dict[str, Any]]]


def message_maker(spread: list[str], size: int) -> Maker:
    def make(batch: int, variant: str) -> list[dict[str, Any]]:
        out = []
        for i in range(size):
            n = batch * size + i
            key = str(uuid.uuid4()) if variant == "random" else f"msg_bench_{variant == 'spread'}_{n:09d}"
            # Each new conversation of the benchmark gets about three messages.
            conversation = spread[n % len(spread)] if variant == "spread" else f"cnv_bench_{n // 3:09d}"
            out.append({
                "message_id": key,
                "conversation_id": conversation,
                "sender": ("customer", "agent", "bot")[n % 3],
                "sent_at": f"2025-12-31T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
                "text": f"Hello, I have a question about order {n}" + (" (edited)" if variant == "update" else ""),
            })
        return out

    return make


def conversation_maker(size: int) -> Maker:
    def make(batch: int, variant: str) -> list[dict[str, Any]]:
        out = []
        for i in range(size):
            n = batch * size + i
            key = str(uuid.uuid4()) if variant == "random" else f"cnv_bench_{n:09d}"
            hour, minute = n // 60 % 24, n % 60
            out.append({
                "conversation_id": key,
                "channel": ("chat", "email", "phone")[n % 3],
                "started_at": f"2025-12-31T{hour:02d}:{minute:02d}:00Z",
                "customer_id": f"cus_bench_{n % 5000:05d}",
                "visitor_id": f"vis_bench_{n:07d}",
                "agent_id": f"agt_{n % 40:04d}",
                "team": "support",
                "status": "resolved" if variant != "update" else "unresolved",
                "first_response_at": f"2025-12-31T{hour:02d}:{minute:02d}:30Z",
                "resolved_at": f"2025-12-31T{hour:02d}:{minute:02d}:59Z",
                "initiated_by": "customer",
                "cobrowse": n % 10 == 0,
                "segment": "smb",
                "sector": "retail",
                "tags": ["billing", "vip"] if n % 2 else ["returns"],
            })
        return out

    return make


def run(ws: chatlift.Workspace, table: str, payloads: list[bytes]) -> tuple[list[float], list[chatlift.ImportResult]]:
    times, results = [], []
    for payload in payloads:
        start = time.perf_counter()
        results.append(ws.import_batch(table, payload))
        times.append(time.perf_counter() - start)
    return times, results


def run_files(ws: chatlift.Workspace, table: str, records: list[list[dict[str, Any]]], folder: Path) -> list[float]:
    times = []
    for i, batch in enumerate(records):
        path = folder / f"{table}-{i}.jsonl"
        path.write_bytes(b"\n".join(orjson.dumps(r) for r in batch) + b"\n")
        start = time.perf_counter()
        ws.import_files(table, [path])
        times.append(time.perf_counter() - start)
    return times


def report(label: str, times: list[float], size: int) -> None:
    median = statistics.median(times)
    print(
        f"{label:34} {median * 1e3:8.1f} {min(times) * 1e3:8.1f} {max(times) * 1e3:8.1f} "
        f"{size / median:>12,.0f} {size * len(times) / sum(times):>12,.0f}",
        flush=True,
    )


def source_database(path: Path | None) -> Path:
    if path is not None:
        return path
    return medium_demo.ensure()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, help="a demo database to copy (default: bench/.data/medium.duckdb)")
    parser.add_argument("--batches", type=int, default=30, help="batches per scenario")
    parser.add_argument("--size", type=int, default=1000, help="records per batch")
    parser.add_argument("--tables", default="conversations,messages", help="in this order: messages refer to "
                        "the conversations added first")
    parser.add_argument("--baseline", action="store_true", help="also time import_files of the same batches")
    args = parser.parse_args()
    source = source_database(args.source)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "bench.duckdb"
        shutil.copy(source, db)
        with chatlift.connect(db) as ws:
            counts = ws.row_counts()
            print(f"database: copy of {source} ({counts['conversations']:,} conversations, "
                  f"{counts['messages']:,} messages); {args.batches} batches of {args.size:,} per scenario")
            spread = [r[0] for r in ws.store.con.execute(
                "SELECT conversation_id FROM conversations USING SAMPLE 1000 ROWS (reservoir, 7)").fetchall()]
            makers: dict[str, Maker] = {
                "messages": message_maker(sorted(spread), args.size),
                "conversations": conversation_maker(args.size),
            }
            print(f"{'table / scenario':34} {'median ms':>8} {'best ms':>8} {'worst ms':>8} "
                  f"{'rec/s (med)':>12} {'rec/s (all)':>12}")
            for table in args.tables.split(","):
                make = makers[table]
                batches = [make(b, "new") for b in range(args.batches)]
                payloads = [orjson.dumps(b) for b in batches]
                times, results = run(ws, table, payloads)
                assert all(r.inserted == args.size for r in results), results[0]
                report(f"{table} new keys", times, args.size)
                times, results = run(ws, table, payloads)
                assert all(r.unchanged == args.size for r in results), results[0]
                report(f"{table} re-sent, unchanged", times, args.size)
                updated = [orjson.dumps(make(b, "update")) for b in range(args.batches)]
                times, results = run(ws, table, updated)
                assert all(r.updated == args.size for r in results), results[0]
                report(f"{table} re-sent, updated", times, args.size)
                random = [orjson.dumps(make(b, "random")) for b in range(args.batches)]
                times, results = run(ws, table, random)
                assert all(r.inserted == args.size for r in results), results[0]
                report(f"{table} new random (UUID) keys", times, args.size)
                if table == "messages":
                    times, results = run(ws, table, [orjson.dumps(make(b, "spread")) for b in range(args.batches)])
                    assert all(r.inserted == args.size and not r.unknown_references for r in results), results[0]
                    report("messages, spread references", times, args.size)
                if args.baseline:
                    files = [make(args.batches + b, "new") for b in range(args.batches)]
                    report(f"{table} import_files (JSONL)", run_files(ws, table, files, folder), args.size)


if __name__ == "__main__":
    main()
