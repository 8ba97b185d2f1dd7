"""`chatlift init`, `migrate`, `status`, `quarantine`: the database file itself."""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import orjson
import typer
from rich.table import Table as RichTable

from chatlift.cli.options import DbOption, err, open_workspace, out
from chatlift.config import load_settings
from chatlift.errors import ParameterError, StoreError


def init(db: DbOption = None) -> None:
    """Create an empty chatlift database file (schema at the current version)."""
    path = load_settings(db=db).db
    if path.exists():
        raise StoreError(f"{path} already exists", hint="use it as it is, or choose another --db")
    with open_workspace(db, create=True) as ws:
        err.print(f"Created {ws.path} (schema version {ws.store.schema_version}).")
        err.print(f"Next: chatlift import conversations FILE... --db {ws.path}   (or: chatlift demo --db {ws.path})")


def migrate(db: DbOption = None) -> None:
    """Bring a database written by an older chatlift up to this release's schema, and its fact tables up to
    date with its data."""
    with open_workspace(db) as ws:
        if ws.store.migrated_from is None:
            err.print(f"{ws.path} is at schema version {ws.store.schema_version}; nothing to migrate.")
        refreshed = ws.refresh_facts()
        if refreshed.done:
            done = ", ".join(f"{name} ({'rebuilt' if how == 'whole' else f'{how:,} keys'})"
                             for name, how in refreshed.done.items())
            err.print(f"Fact tables brought up to date in {refreshed.seconds:.1f} s: {done}.")


def status(db: DbOption = None) -> None:
    """Show the schema version and the rows in each table."""
    with open_workspace(db, read_only=True) as ws:
        counts = ws.row_counts()
        quarantined = ws.quarantine_count()
        table = RichTable(title=f"{ws.path} (schema version {ws.store.schema_version})")
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, n in counts.items():
            table.add_row(name, f"{n:,}")
        table.add_row("[dim]quarantined issues[/dim]", f"{quarantined:,}")
        out.print(table)


def quarantine(
    db: DbOption = None,
    table: Annotated[str | None, typer.Option("--table", help="Only issues of this table.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many issues (0: all).")] = 50,
    output: Annotated[str, typer.Option("--output", help="table, csv or json.")] = "table",
) -> None:
    """List quarantined issues: file, row, field, value and reason of each rejected row."""
    if output not in ("table", "csv", "json"):
        raise ParameterError(f"--output {output!r} is not one of table, csv, json")
    with open_workspace(db, read_only=True) as ws:
        issues = ws.quarantined(table=table, limit=limit or None)
    if output == "json":
        out.print_json(orjson.dumps(issues).decode(), indent=None)
        return
    if output == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=["table", "file", "row", "field", "value", "reason"])
        writer.writeheader()
        writer.writerows(issues)
        return
    view = RichTable(title=f"quarantine ({len(issues)} shown)")
    for col in ("table", "file", "row", "field", "value", "reason"):
        view.add_column(col, justify="right" if col == "row" else "left", overflow="fold")
    for i in issues:
        view.add_row(*(("" if v is None else str(v)) for v in i.values()))
    out.print(view)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(migrate)
    app.command()(status)
    app.command()(quarantine)
