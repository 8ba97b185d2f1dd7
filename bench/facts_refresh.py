"""Time the fact tables: a whole rebuild, and the incremental refresh after batches of new records.

Copies a demo database (built once when missing), then:

1. rebuilds every fact table whole (what a demo or a first bulk import pays);
2. sends ``--batches`` batches of 1 000 new messages (replies in existing conversations), 1 000 new
   orders and 1 000 new conversations through ``Workspace.import_batch``, and after each batch times the
   refresh the next report would run (only the rows that depend on the batch's keys are recomputed);
3. checks that the refreshed tables equal a rebuild from nothing (row counts).

    python bench/facts_refresh.py [--conversations 300000] [--batches 5]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import orjson

import chatlift
from chatlift.facts import FACT_TABLES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=300_000)
    parser.add_argument("--batches", type=int, default=5)
    args = parser.parse_args()
    source = Path("bench/.data") / f"facts-{args.conversations}.duckdb"
    if not source.exists():
        source.parent.mkdir(parents=True, exist_ok=True)
        with chatlift.connect(source, create=True) as ws:
            ws.generate_demo(args.conversations)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "facts.duckdb"
        shutil.copy(source, path)
        with chatlift.connect(path) as ws:
            con = ws.store.con
            for name in FACT_TABLES:
                con.execute(f"DROP TABLE IF EXISTS {name}")
            started = time.perf_counter()
            ws.refresh_facts()
            print(f"whole rebuild of {', '.join(FACT_TABLES)}: {time.perf_counter() - started:.2f} s "
                  f"({args.conversations:,} conversations)")
            people = [r[0] for r in con.execute(
                "SELECT DISTINCT customer_id FROM conversations WHERE customer_id IS NOT NULL "
                "ORDER BY customer_id LIMIT 50000").fetchall()]
            chats = [r for r in con.execute(
                "SELECT conversation_id, started_at FROM conversations ORDER BY started_at DESC LIMIT 50000").fetchall()]
            times: dict[str, list[float]] = {"messages": [], "orders": [], "conversations": []}
            ingest: dict[str, list[float]] = {"messages": [], "orders": [], "conversations": []}
            for b in range(args.batches):
                batches = {
                    "messages": [{"message_id": f"bench-m-{b}-{i}", "conversation_id": chats[(b * 1000 + i) % len(chats)][0],
                                  "sender": "agent", "sent_at": chats[(b * 1000 + i) % len(chats)][1].isoformat() + "Z"}
                                 for i in range(1000)],
                    "orders": [{"order_id": f"bench-o-{b}-{i}", "ordered_at": "2025-12-30T10:00:00Z", "amount": 10.0 + i,
                                "currency": "EUR", "customer_id": people[(b * 1000 + i) % len(people)]}
                               for i in range(1000)],
                    "conversations": [{"conversation_id": f"bench-c-{b}-{i}", "channel": "chat",
                                       "started_at": "2025-12-29T10:00:00Z",
                                       "customer_id": people[(b * 1000 + i + 7) % len(people)]} for i in range(1000)],
                }
                for table, records in batches.items():
                    started = time.perf_counter()
                    ws.import_batch(table, orjson.dumps(records))
                    ingest[table].append(time.perf_counter() - started)
                    started = time.perf_counter()
                    done = ws.refresh_facts()
                    times[table].append(time.perf_counter() - started)
                    assert all(v != "whole" for v in done.done.values()), done.done
            for table, spent in times.items():
                print(f"batch of 1 000 {table:13s}: import {statistics.median(ingest[table]) * 1000:6.0f} ms, "
                      f"refresh after it median {statistics.median(spent) * 1000:6.0f} ms, "
                      f"max {max(spent) * 1000:6.0f} ms")
            counts = {name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in FACT_TABLES}
            for name in FACT_TABLES:
                con.execute(f"DROP TABLE IF EXISTS {name}")
            ws.refresh_facts()
            rebuilt = {name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in FACT_TABLES}
            assert counts == rebuilt, (counts, rebuilt)
            print(f"refreshed tables have the rows of a rebuild: {counts}")
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2:.2f} GB")


if __name__ == "__main__":
    main()
