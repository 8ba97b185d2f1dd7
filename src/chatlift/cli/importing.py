"""`chatlift import TABLE FILE...` (canonical files) and `chatlift import-from VENDOR FILE...` (a tool's export):
validated, idempotent imports."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from chatlift.cli.options import DbOption, err, open_workspace, out, stderr_is_terminal
from chatlift.config import load_settings
from chatlift.ingest.formats import FileFormat
from chatlift.ingest.result import ImportResult
from chatlift.ingest.vendors import VENDORS, VendorImport

MAX_ISSUES_SHOWN = 10


class Output(StrEnum):
    table = "table"
    json = "json"


def import_(
    table: Annotated[str, typer.Argument(help="Canonical table: conversations, messages, orders, goals, cart_events, visits, survey_responses, subscriptions, assignments or costs.")],
    files: Annotated[list[str], typer.Argument(help="CSV, JSONL or Parquet files; globs such as 'data/*.csv' are expanded.")],
    db: DbOption = None,
    format: Annotated[FileFormat | None, typer.Option("--format", help="Read every file as this format instead of going by its extension.")] = None,
    timezone: Annotated[str | None, typer.Option("--timezone", help="IANA zone for timestamps without offset (e.g. Europe/Amsterdam); without it such rows are rejected.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit with status 1 when any row was rejected (valid rows are still imported).")] = False,
    rejects_dir: Annotated[Path | None, typer.Option("--rejects-dir", help="Write <file>.rejected.csv here instead of beside each file.")] = None,
    output: Annotated[Output, typer.Option("--output", help="table (for people) or json (one object per file).")] = Output.table,
) -> None:
    """Import files into one table: rows are validated, bad ones quarantined, known ids updated.

    Each file is one transaction: if the import stops half-way (error, Ctrl-C),
    the database is as it was before that file.
    """
    try:
        results = _run(table, files, db, format, timezone, rejects_dir)
    except KeyboardInterrupt:
        err.print("Interrupted: the file being imported was rolled back; files before it are kept.")
        raise typer.Exit(130) from None
    if output is Output.json:
        for r in results:
            out.print_json(orjson.dumps(result_dict(r)).decode(), indent=None)
    else:
        render(results)
    if strict and any(r.rejected for r in results):
        raise typer.Exit(1)


def _run(
    table: str, files: list[str], db: Path | None, format: FileFormat | None, timezone: str | None,
    rejects_dir: Path | None,
) -> list[ImportResult]:
    settings = load_settings(db=db, timezone=timezone)
    with open_workspace(db) as ws:
        if stderr_is_terminal():
            with Progress(
                TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                TimeElapsedColumn(), console=err, transient=True,
            ) as bar:
                tasks: dict[str, TaskID] = {}

                def progress(name: str, done: int, total: int) -> None:
                    if name not in tasks:
                        tasks[name] = bar.add_task(f"importing {Path(name).name}", total=total)
                    bar.update(tasks[name], completed=done)

                results = ws.import_files(
                    table, files, fmt=format.value if format else None, timezone=settings.timezone,
                    rejects_dir=rejects_dir, progress=progress,
                )
        else:
            err.print(f"importing {len(files)} path(s) into {table} …")
            results = ws.import_files(
                table, files, fmt=format.value if format else None, timezone=settings.timezone,
                rejects_dir=rejects_dir,
            )
    return results


def result_dict(r: ImportResult) -> dict[str, object]:
    """The JSON shape of one file's result (also used by the HTTP API)."""
    return {
        "table": r.table,
        "file": r.source,
        "format": r.format,
        "rows_read": r.rows_read,
        "accepted": r.accepted,
        "inserted": r.inserted,
        "updated": r.updated,
        "unchanged": r.unchanged,
        "rejected": r.rejected,
        "unknown_references": [
            {"column": u.column, "target": u.target, "rows": u.rows} for u in r.unknown_references
        ],
        "ignored_columns": list(r.ignored_columns),
        "rejected_file": r.rejected_file,
        "issues": [
            {"row": i.row, "field": i.field, "value": i.value, "reason": i.reason} for i in r.issues
        ],
        "seconds": round(r.seconds, 3),
    }


def render(results: list[ImportResult], rejected_where: str | None = None) -> None:
    """The counts per file, then notes and the first issues; ``rejected_where`` (when no rejects file is
    written) says where all issues are, and adds the table to each file's line."""
    summary = RichTable(title="import")
    for col in ("file", "rows", "inserted", "updated", "unchanged", "rejected", "unknown refs", "seconds"):
        summary.add_column(col, justify="left" if col == "file" else "right")
    for r in results:
        summary.add_row(
            f"{r.source} → {r.table}" if rejected_where else r.source, f"{r.rows_read:,}", f"{r.inserted:,}", f"{r.updated:,}", f"{r.unchanged:,}",
            f"[red]{r.rejected:,}[/red]" if r.rejected else "0", f"{r.unknown_reference_rows:,}", f"{r.seconds:.2f}",
        )
    out.print(summary)
    for r in results:
        if r.ignored_columns:
            err.print(f"Note: {r.source}: ignored columns not in {r.table}: {', '.join(r.ignored_columns)}")
        for u in r.unknown_references:
            err.print(
                f"Note: {r.source}: {u.rows:,} row(s) have a {u.column} not found in {u.target}; "
                "they were kept (import the referenced data too)."
            )
        if r.issues:
            where = rejected_where or r.rejected_file
            err.print(f"[red]Rejected[/red] {r.rejected:,} row(s) of {r.source}; all issues in {where}:")
            for issue in r.issues[:MAX_ISSUES_SHOWN]:
                shown = "" if issue.value is None else f" = {issue.value!r}"
                err.print(f"  {r.source}, row {issue.row}, field {issue.field}{shown}: {issue.reason}")
            if len(r.issues) > MAX_ISSUES_SHOWN:
                err.print(f"  … and {len(r.issues) - MAX_ISSUES_SHOWN:,} more")


def import_from(
    vendor: Annotated[str, typer.Argument(help=f"Whose export: {', '.join(VENDORS)}.")],
    files: Annotated[list[str], typer.Argument(help="Export files; globs such as 'exports/*.csv' are expanded.")],
    db: DbOption = None,
    timezone: Annotated[str | None, typer.Option("--timezone", help="IANA zone for timestamps without offset.")] = None,
    id_prefix: Annotated[str | None, typer.Option("--id-prefix", help="Put this before every id of the files (e.g. 'zendesk:'), when two tools or accounts number their records alike.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit with status 1 when any record was rejected.")] = False,
    output: Annotated[Output, typer.Option("--output", help="table (for people) or json (one object per file).")] = Output.table,
) -> None:
    """Import a tool's own export: chatwoot, intercom, livechat or zendesk conversations (API JSON), shopify
    orders (export CSV) or woocommerce orders (API JSON).

    Each record becomes canonical rows (see docs/importers.md), validated and upserted by id as
    `chatlift import` does: importing the same or an overlapping export again never counts twice.
    Issues name the file, the record's number in it and the field. Ids are the tool's own: give
    --id-prefix when another tool (or account) uses the same numbers.
    """
    settings = load_settings(db=db, timezone=timezone)
    err.print(f"importing {len(files)} path(s) of {vendor} …")
    with open_workspace(db) as ws:
        done = ws.import_vendor(vendor, files, timezone=settings.timezone, id_prefix=id_prefix)
    if output is Output.json:
        for d in done:
            t = d.translation
            out.print_json(orjson.dumps({
                "vendor": t.vendor, "file": str(t.path), "records_read": t.records_read,
                "tables": [result_dict(r) for r in d.results],
                "skipped": [{"row": s.row, "reason": s.reason} for s in t.skipped],
                "removed": d.removed,
            }).decode(), indent=None)
    else:
        render_vendor(done)
    if strict and any(r.rejected for d in done for r in d.results):
        raise typer.Exit(1)


def render_vendor(done: list[VendorImport]) -> None:
    """The per-table results and the first issues, which vendor field each rejected field is, then what was
    skipped or removed."""
    render([r for d in done for r in d.results], rejected_where="chatlift_quarantine")
    for d in done:
        t = d.translation
        named = {(r.table, i.field) for r in d.results for i in r.issues}
        for table, field in sorted(named):
            if field in t.fields.get(table, {}):
                err.print(f"  ({table}.{field} is {t.vendor}'s {t.fields[table][field]!r})")
    for d in done:
        t = d.translation
        err.print(f"{t.path}: {t.records_read:,} record(s) read as {t.vendor}")
        if t.skipped:
            err.print(f"Skipped {len(t.skipped):,} record(s) of {t.path} on purpose:")
            for s in t.skipped[:MAX_ISSUES_SHOWN]:
                err.print(f"  record {s.row}: {s.reason}")
            if len(t.skipped) > MAX_ISSUES_SHOWN:
                err.print(f"  … and {len(t.skipped) - MAX_ISSUES_SHOWN:,} more")
        for table, rows in d.removed.items():
            err.print(f"Removed {rows:,} stored row(s) of {table} that {t.path} withdraws (refunded, cancelled, deleted)")


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("import-from")(import_from)
