"""Import throughput per format, with full validation, on realistic rows.

Generates demo data (``--conversations`` conversations, default 1 000 000),
exports its ``conversations`` and ``messages`` tables to CSV, JSONL and
Parquet, then times ``Workspace.import_files`` into a fresh database (first
import: every row inserted) and again into the same database (re-import: every
row compared and left unchanged). Prints rows/s for each.

Targets on the 2-core reference machine (issue 2): Parquet ≥ 1 M conversation
rows/s, CSV ≥ 300 k rows/s.

    python bench/import_throughput.py [--conversations N] [--formats csv,parquet,jsonl]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import chatlift


def export(ws: chatlift.Workspace, table: str, folder: Path, fmt: str) -> Path:
    path = folder / f"{table}.{fmt}"
    options = {"csv": "(FORMAT csv, HEADER)", "parquet": "(FORMAT parquet)", "jsonl": "(FORMAT json)"}[fmt]
    # Timestamps are written with an explicit UTC offset, as exports from helpdesks carry them.
    replaced = [
        f"strftime({c}, '%Y-%m-%dT%H:%M:%S.%fZ') AS {c}" if fmt != "parquet" else f"timezone('UTC', {c}) AS {c}"
        for c in _timestamp_columns(table)
    ]
    if fmt == "csv":  # lists in CSV are written the documented way: values separated by ';'
        replaced += [f"array_to_string({c}, ';') AS {c}" for c in _list_columns(table)]
    ws.store.con.execute(f"COPY (SELECT * REPLACE ({', '.join(replaced)}) FROM {table}) TO '{path}' {options}")
    return path


def _timestamp_columns(table: str) -> list[str]:
    from chatlift.domain.schema import ColumnType
    from chatlift.domain.schema import table as declared

    return [c.name for c in declared(table).columns if c.type is ColumnType.TIMESTAMP]


def _list_columns(table: str) -> list[str]:
    from chatlift.domain.schema import ColumnType
    from chatlift.domain.schema import table as declared

    return [c.name for c in declared(table).columns if c.type is ColumnType.TEXT_LIST]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--formats", default="parquet,csv,jsonl")
    parser.add_argument("--tables", default="conversations,messages")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        with chatlift.connect(folder / "source.duckdb", create=True) as ws:
            ws.generate_demo(args.conversations, seed=7)
            files = {
                (table, fmt): export(ws, table, folder, fmt)
                for table in args.tables.split(",")
                for fmt in args.formats.split(",")
            }
        print(f"prepared {args.conversations:,}-conversation demo and exports in {time.perf_counter() - t0:.1f} s")
        print(f"{'table':14} {'format':8} {'rows':>11} {'MB':>7} {'first s':>8} {'rows/s':>11} {'again s':>8} {'rows/s':>11}")
        for (table, fmt), path in files.items():
            db = folder / f"bench-{table}-{fmt}.duckdb"
            with chatlift.connect(db, create=True) as ws:
                start = time.perf_counter()
                [first] = ws.import_files(table, [path])
                first_s = time.perf_counter() - start
                start = time.perf_counter()
                [again] = ws.import_files(table, [path])
                again_s = time.perf_counter() - start
            if first.rejected or again.unchanged != first.rows_read:
                raise SystemExit(f"{table} {fmt}: {first.rejected:,} rejected, first issue: {first.issues[:1]}")
            size_mb = path.stat().st_size / 1e6
            print(
                f"{table:14} {fmt:8} {first.rows_read:>11,} {size_mb:>7.1f} {first_s:>8.2f} "
                f"{first.rows_read / first_s:>11,.0f} {again_s:>8.2f} {again.rows_read / again_s:>11,.0f}"
            )
            db.unlink()


if __name__ == "__main__":
    main()
