"""`chatlift export conversations`: one row per conversation, with everything the catalogue knows about it."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from chatlift.cli.options import (
    REPORT_TIMEZONE,
    DbOption,
    FilterOption,
    FromOption,
    ToOption,
    TzOption,
    business_hours,
    err,
    local_day,
    open_workspace,
)
from chatlift.errors import ParameterError
from chatlift.reporting import parse_filters, split_values


class ExportFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


SUFFIXES = {".csv": ExportFormat.CSV, ".parquet": ExportFormat.PARQUET, ".pq": ExportFormat.PARQUET}


def resolve_target(fmt: ExportFormat | None, output: Path | None) -> tuple[ExportFormat, Path]:
    """The format (``--format``, else the output's extension, else csv) and the file (default conversations.FORMAT).

    >>> resolve_target(None, Path("x.parquet")), resolve_target(None, None)
    ((<ExportFormat.PARQUET: 'parquet'>, PosixPath('x.parquet')), (<ExportFormat.CSV: 'csv'>, PosixPath('conversations.csv')))
    """
    implied = SUFFIXES.get(output.suffix.lower()) if output else None
    if fmt and implied and fmt is not implied:
        raise ParameterError(f"--format {fmt.value} conflicts with --output {output} (a {implied.value} name)",
                             hint=f"drop --format, or name the file *.{fmt.value}")
    chosen = fmt or implied or ExportFormat.CSV
    return chosen, output or Path(f"conversations.{chosen.value}")


app = typer.Typer(help="Write data out of the database for other tools.", no_args_is_help=True)


@app.command()
def conversations(
    db: DbOption = None,
    format_: Annotated[ExportFormat | None, typer.Option(
        "--format", show_default=False,
        help="csv or parquet (default: from the --output extension, else csv).")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", show_default=False,
        help="File to write (default: conversations.csv or conversations.parquet); written whole or not at all.")] = None,
    start: FromOption = None,
    end: ToOption = None,
    tz: TzOption = REPORT_TIMEZONE,
    filter_: FilterOption = None,
    window: Annotated[float, typer.Option(
        "--window", help="Attribution window in days after the conversation starts (converted, attributed_*).")] = 7.0,
    kinds: Annotated[str, typer.Option(
        "--kinds", metavar="KIND[,KIND]", help="Order kinds that count as a conversion and as attributed orders.")]
    = "purchase,quote",
) -> None:
    """Export one row per conversation started in the period: timings, messages, conversion, revenue, scores.

    Timestamps are UTC; csat/ces/nps are the latest answer about the conversation; in CSV, tags are
    joined with ';'.
    """
    fmt, target = resolve_target(format_, output)
    kinds_wanted = tuple(split_values([kinds]))
    if not kinds_wanted:
        raise ParameterError("--kinds names no order kind", hint="for example --kinds purchase,quote")
    with open_workspace(db, read_only=True) as ws:
        rows = ws.export_conversations(
            target, fmt=fmt.value, start=local_day(start), end=local_day(end), timezone=tz,
            filters=parse_filters(filter_), window=window, kinds=kinds_wanted, business_hours=business_hours(),
        )
    err.print(Text(f"Wrote {rows:,} conversation(s) to {target} ({fmt.value})"))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="export")
