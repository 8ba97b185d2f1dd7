"""`chatlift report`: metrics of the catalogue for a period, with 95 % intervals and published figures.

The command turns its options into a `chatlift.reporting.ReportRequest`, runs it and hands the
rows to `cli.report_output`; it computes nothing itself.

Without ``--metric`` the whole catalogue is reported, except metrics that cannot run with the
options given: those are skipped with a note that says why. A metric named with ``--metric`` or
``--param`` is never skipped: its problem is an error (see `chatlift.reporting`).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from chatlift.cli.options import (
    REPORT_TIMEZONE,
    DbOption,
    FilterOption,
    FromOption,
    ToOption,
    TzOption,
    business_hours,
    local_day,
    open_workspace,
)
from chatlift.metrics.scope import ALL_BREAKDOWNS, Basis
from chatlift.reporting import build_request, run_request


class ReportFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    MARKDOWN = "markdown"


def report(
    db: DbOption = None,
    metric: Annotated[list[str] | None, typer.Option(
        "--metric", "-m", metavar="KEY[,KEY]", show_default=False,
        help="Metric to report, by key (repeatable or comma-separated); default: the whole catalogue, "
             "minus metrics that cannot run with the other options (each skip is noted). "
             "`chatlift metrics` lists the keys.")] = None,
    start: FromOption = None,
    end: ToOption = None,
    tz: TzOption = REPORT_TIMEZONE,
    by: Annotated[list[str] | None, typer.Option(
        "--by", metavar="NAME[,NAME]", show_default=False,
        help=f"Break down by (repeatable or comma-separated): {', '.join(ALL_BREAKDOWNS)}.")] = None,
    filter_: FilterOption = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", metavar="METRIC.NAME=VALUE", show_default=False,
        help="Set a metric's parameter, e.g. sla_attainment.target=60 (repeatable); "
             "`chatlift metrics show METRIC` lists them with their defaults.")] = None,
    basis: Annotated[Basis, typer.Option(
        "--basis", help="start: everything about a conversation belongs to the period it started in; "
                        "event: each metric uses its own event's time (see docs/metrics.md).")] = Basis.START,
    compare: Annotated[bool, typer.Option(
        "--compare", help="Add the previous period of equal length (needs --from and --to) and the change.")] = False,
    format_: Annotated[ReportFormat, typer.Option(
        "--format", help="table (for people), csv, json or markdown; csv and json carry raw numbers "
                         "(shares as fractions, durations in seconds).")] = ReportFormat.TABLE,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write the report to this file instead of stdout.")] = None,
) -> None:
    """Report metrics of the catalogue for a period: value, 95 % interval, n and the published figure.

    Periods are half-open local dates in --tz: --from 2025-01-01 --to 2025-02-01 is January.
    """
    from chatlift.cli.report_output import write_report

    request = build_request(metric, start=local_day(start), end=local_day(end), timezone=tz, by=by,
                            filters=filter_, params=param, basis=basis, compare=compare)
    with open_workspace(db, read_only=True) as ws:
        table, skipped = run_request(ws, request, business_hours())
    write_report(table, request, skipped, format_, output)


def register(app: typer.Typer) -> None:
    app.command()(report)
