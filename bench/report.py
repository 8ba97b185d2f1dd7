"""Time the full metric catalogue, and three heavy metrics against hand-written SQL and pandas.

Builds (once, then reuses) a demo database of ``--conversations`` conversations,
then:

1. runs the whole catalogue for the data's year through ``Workspace.report``
   (``--repeat`` times; the first run is cold) and prints wall time and peak memory;
2. for ``chat_conversion_rate``, ``order_value_uplift`` and ``first_response_time``
   (message-derived first responses), times the engine alone, a hand-written DuckDB
   query, and a straightforward pandas implementation, and checks that all three
   agree on the value.

Targets (issue 3): 1 M conversations ≤ 1.5 s; 10 M ≤ 10 s and ≤ 8 GB; the engine
within 1.5× of hand-written SQL.

    python bench/report.py --conversations 1000000 [--db PATH] [--repeat 3] [--no-pandas]
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

import chatlift
from chatlift.metrics import REGISTRY

YEAR = (date(2025, 1, 1), date(2026, 1, 1))
LOW, HIGH = "timestamp '2025-01-01'", "timestamp '2026-01-01'"


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def timed(label: str, run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    print(f"  {label:44s} {seconds:7.2f} s")
    return seconds, result


HAND_SQL = {
    "chat_conversion_rate": f"""
        with c as (select conversation_id, coalesce(customer_id, visitor_id) as person, started_at
                   from conversations
                   where channel = 'chat' and started_at >= {LOW} and started_at < {HIGH}
                     and coalesce(customer_id, visitor_id) is not null),
             o as (select coalesce(customer_id, visitor_id) as person, ordered_at from orders
                   where kind in ('purchase', 'quote'))
        select avg(case when exists (select 1 from o where o.person = c.person and o.ordered_at >= c.started_at
                                     and o.ordered_at < c.started_at + interval 7 day) then 1 else 0 end)
        from c""",
    "order_value_uplift": f"""
        with o as (select order_id, amount, ordered_at, coalesce(customer_id, visitor_id) as person from orders
                   where kind in ('purchase', 'quote') and coalesce(customer_id, visitor_id) is not null),
             chats as (select coalesce(customer_id, visitor_id) as person, started_at from conversations
                       where channel = 'chat'),
             attributed as (select distinct o.order_id from o join chats c on c.person = o.person
                            and c.started_at <= o.ordered_at and o.ordered_at < c.started_at + interval 7 day)
        select avg(amount) filter (where a.order_id is not null) / avg(amount) filter (where a.order_id is null)
        from o left join attributed a using (order_id)
        where o.ordered_at >= {LOW} and o.ordered_at < {HIGH}""",
    "first_response_time": f"""
        select avg(epoch(coalesce(c.first_response_at, m.first_agent) - c.started_at))
        from conversations c
        left join (select conversation_id, min(sent_at) as first_agent from messages where sender = 'agent'
                   group by 1) m using (conversation_id)
        where c.started_at >= {LOW} and c.started_at < {HIGH}""",
}


def pandas_value(con: duckdb.DuckDBPyConnection, key: str) -> float:
    """The same three metrics the plain pandas way: load the columns, merge, group."""
    import pandas as pd

    low, high = pd.Timestamp("2025-01-01"), pd.Timestamp("2026-01-01")
    if key == "first_response_time":
        c = con.sql("select conversation_id, started_at, first_response_at from conversations").df()
        m = con.sql("select conversation_id, sent_at from messages where sender = 'agent'").df()
        first = m.groupby("conversation_id")["sent_at"].min().rename("first_agent")
        c = c[(c.started_at >= low) & (c.started_at < high)].join(first, on="conversation_id")
        response = c.first_response_at.fillna(c.first_agent)
        return float((response - c.started_at).dt.total_seconds().mean())
    o = con.sql("select order_id, amount, ordered_at, coalesce(customer_id, visitor_id) as person from orders "
                "where kind in ('purchase', 'quote')").df().dropna(subset=["person"])
    c = con.sql("select conversation_id, coalesce(customer_id, visitor_id) as person, started_at from conversations "
                "where channel = 'chat'").df().dropna(subset=["person"])
    pairs = c.merge(o, on="person")
    inside = (pairs.ordered_at >= pairs.started_at) & (pairs.ordered_at < pairs.started_at + pd.Timedelta(days=7))
    pairs = pairs[inside]
    if key == "chat_conversion_rate":
        scope = c[(c.started_at >= low) & (c.started_at < high)]
        return float(scope.conversation_id.isin(pairs.conversation_id).mean())
    o = o[(o.ordered_at >= low) & (o.ordered_at < high)]
    attributed = o.order_id.isin(pairs.order_id)
    return float(o.amount[attributed].mean() / o.amount[~attributed].mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="demo database to reuse (built when missing)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pandas", action="store_true")
    args = parser.parse_args()
    path = args.db or Path("bench/.data") / f"report-{args.conversations}.duckdb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"building the demo database {path} ({args.conversations:,} conversations) …")
        with chatlift.connect(path, create=True) as ws:
            ws.generate_demo(args.conversations)
    keys = [k for k in REGISTRY if k != "channel_mix"]
    with chatlift.connect(path, read_only=True) as ws:
        counts = ws.row_counts()
        print(f"{path}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items() if v))
        print(f"full catalogue ({len(keys)} metrics + channel_mix by channel), {YEAR[0]} to {YEAR[1]}:")
        runs = []
        for i in range(args.repeat):
            seconds, _ = timed(f"run {i + 1}", lambda: (ws.report(keys, start=YEAR[0], end=YEAR[1]),
                                                        ws.report(["channel_mix"], start=YEAR[0], end=YEAR[1],
                                                                  by=["channel"])))
            runs.append(seconds)
        print(f"  best {min(runs):.2f} s, median {float(np.median(runs)):.2f} s, peak memory {peak_rss_gb():.2f} GB")
        print("heavy metrics: engine vs hand-written DuckDB SQL vs pandas (same value required):")
        con = ws.store.con
        for key, sql in HAND_SQL.items():
            engine_s, engine = timed(f"{key}: engine",
                                     lambda key=key: ws.report([key], start=YEAR[0], end=YEAR[1]))
            hand_s, hand = timed(f"{key}: hand SQL", lambda sql=sql: con.execute(sql).fetchall()[0])
            ours = engine.column("value")[0].as_py()
            line = f"    value {ours:.6f} vs hand {hand[0]:.6f}; engine / hand = {engine_s / hand_s:.2f}×"
            if not args.no_pandas:
                pandas_s, theirs = timed(f"{key}: pandas", lambda key=key: pandas_value(con, key))
                line += f"; pandas {theirs:.6f}, pandas / engine = {pandas_s / engine_s:.2f}×"
            print(line)
            assert abs(ours - hand[0]) <= 1e-6 * max(1.0, abs(ours)), (key, ours, hand[0])
        print(f"peak memory {peak_rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
