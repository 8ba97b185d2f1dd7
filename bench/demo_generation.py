"""Demo generation rate and peak memory.

Generates the demo dataset of ``--size`` (default ``large``: 10 M conversations,
streamed in chunks) into a fresh DuckDB file and prints conversations/s, rows/s,
wall time, peak resident memory and the file size. With ``--no-store`` it only
generates (the Arrow tables are dropped at once), to separate the generator's
own cost from DuckDB's inserts.

Target (issue 2): ``large`` with peak memory under 4 GB.

    python bench/demo_generation.py [--size large|medium|small|N] [--seed 42] [--no-store]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import chatlift
from chatlift.demo import generate, plan_for


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="large")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-store", action="store_true")
    args = parser.parse_args()
    plan = plan_for(args.size)
    rows: dict[str, int] = {}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.duckdb"
        if args.no_store:
            for name, table in generate(plan, seed=args.seed):
                rows[name] = rows.get(name, 0) + table.num_rows
        else:
            with chatlift.connect(path, create=True) as ws:
                rows = ws.generate_demo(args.size, seed=args.seed)
        seconds = time.perf_counter() - t0
        size_gb = path.stat().st_size / 1024**3 if path.exists() else 0.0
    total = sum(rows.values())
    print(f"demo {args.size} ({plan.chunks} chunks), {'generate only' if args.no_store else 'generate + store'}")
    print(f"  conversations   {rows['conversations']:>14,}")
    print(f"  all rows        {total:>14,}   ({', '.join(f'{k} {v:,}' for k, v in rows.items())})")
    print(f"  wall time       {seconds:>14.1f} s")
    print(f"  rate            {rows['conversations'] / seconds:>14,.0f} conversations/s   {total / seconds:,.0f} rows/s")
    print(f"  peak memory     {peak_rss_gb():>14.2f} GB")
    if not args.no_store:
        print(f"  database file   {size_gb:>14.2f} GB")


if __name__ == "__main__":
    main()
