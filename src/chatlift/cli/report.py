"""`chatlift report`: metrics of the catalogue for a period, with 95 % intervals and published figures.

The command parses its options into a `ReportRequest`, asks `Workspace.report` for the numbers
and hands them to `cli.report_output`; it computes nothing itself.

Without ``--metric`` the whole catalogue is reported, except metrics that cannot run with the
options given (``channel_mix`` without ``--by channel``, ``churn_rate`` without ``--from`` and
``--to``, a metric that does not allow a requested breakdown …): those are skipped with a note
that says why. A metric named with ``--metric`` or ``--param`` is never skipped: its problem is
an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pyarrow as pa
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
    parse_filters,
    split_values,
)
from chatlift.errors import ParameterError, UnknownMetricError, close_matches
from chatlift.metrics import REGISTRY
from chatlift.metrics.scope import ALL_BREAKDOWNS, Basis, Period
from chatlift.workspace import Workspace


class ReportFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    MARKDOWN = "markdown"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A metric of the default selection that cannot run with the options given, and why."""

    metric: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """What the options ask for, checked; the arguments of `Workspace.report`."""

    metrics: tuple[str, ...]
    named: frozenset[str]  # metrics the user named (--metric, --param): never skipped
    period: Period
    by: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    params: dict[str, dict[str, str]] = field(default_factory=dict)
    basis: Basis = Basis.START
    compare: bool = False

    @property
    def previous(self) -> Period | None:
        return self.period.previous() if self.compare else None


def parse_metrics(values: Sequence[str] | None) -> tuple[str, ...]:
    """``--metric`` values (repeatable or comma-separated) as registry keys, in the order given."""
    keys: list[str] = []
    for key in split_values(values):
        known_metric(key)
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def known_metric(key: str) -> str:
    if key not in REGISTRY:
        raise UnknownMetricError(f"unknown metric {key!r}", hint=close_matches(key, REGISTRY)
                                 or "`chatlift metrics` lists the catalogue")
    return key


def parse_breakdowns(values: Sequence[str] | None) -> tuple[str, ...]:
    """``--by`` values (repeatable or comma-separated), each a known breakdown."""
    by = tuple(split_values(values))
    for name in by:
        if name not in ALL_BREAKDOWNS:
            raise ParameterError(f"unknown breakdown {name!r}",
                                 hint=close_matches(name, ALL_BREAKDOWNS) or f"break down by {', '.join(ALL_BREAKDOWNS)}")
    return by


def parse_params(values: Sequence[str] | None) -> dict[str, dict[str, str]]:
    """``--param metric.name=value`` options, grouped per metric; values stay text (the engine converts them).

    >>> parse_params(["sla_attainment.target=200", "chat_conversion_rate.kinds=purchase,quote"])
    {'sla_attainment': {'target': '200'}, 'chat_conversion_rate': {'kinds': 'purchase,quote'}}
    """
    params: dict[str, dict[str, str]] = {}
    for text in values or ():
        name, sep, value = text.partition("=")
        key, dot, param = name.strip().partition(".")
        if not (sep and dot and key and param):
            raise ParameterError(f"--param {text!r} is not METRIC.NAME=VALUE",
                                 hint="for example --param sla_attainment.target=60; "
                                      "`chatlift metrics show METRIC` lists a metric's parameters")
        params.setdefault(known_metric(key), {})[param.strip()] = value.strip()
    return params


def build_request(
    metrics: Sequence[str] | None, *, start: date | None, end: date | None, timezone: str,
    by: Sequence[str] | None, filters: Sequence[str] | None, params: Sequence[str] | None,
    basis: Basis, compare: bool,
) -> ReportRequest:
    """Parse and check the options before the database is touched: a mistake costs no query."""
    keys = parse_metrics(metrics)
    given = parse_params(params)
    for key, values in given.items():
        REGISTRY[key].resolve(values)  # unknown parameter names and bad values are reported here
    request = ReportRequest(
        metrics=keys or tuple(REGISTRY), named=frozenset(keys) | frozenset(given),
        period=Period(start, end, timezone), by=parse_breakdowns(by), filters=parse_filters(filters),
        params=given, basis=basis, compare=compare,
    )
    unreported = sorted(set(given) - set(request.metrics))
    if unreported:
        raise ParameterError(f"--param given for {', '.join(unreported)}, which is not reported",
                             hint="add it with --metric, or drop its --param")
    if compare:
        request.period.previous()  # raises when --from or --to is missing
    return request


def _compute(ws: Workspace, request: ReportRequest, keys: Sequence[str]) -> pa.Table:
    params = {k: v for k, v in request.params.items() if k in keys}
    return ws.report(
        list(keys), start=request.period.start, end=request.period.end, timezone=request.period.timezone,
        by=request.by, filters=request.filters, params=params or None, basis=request.basis.value,
        compare=request.compare, business_hours=business_hours(),
    )


def run(ws: Workspace, request: ReportRequest) -> tuple[pa.Table, list[Skipped]]:
    """The report's rows (in the order of the metrics), and the metrics of the default selection that
    were skipped, with the reason. Named metrics run first: their problems are errors, raised early."""
    named = [k for k in request.metrics if k in request.named]
    tables = [_compute(ws, request, named)] if named else []
    rest = [k for k in request.metrics if k not in request.named]
    runnable: list[str] = []
    skipped: list[Skipped] = []
    closed = bool(request.period.start and request.period.end)
    for key in rest:
        reason = REGISTRY[key].unavailable(request.by, closed_period=closed, filtered=bool(request.filters))
        if reason:
            skipped.append(Skipped(key, reason))
        else:
            runnable.append(key)
    if runnable:
        tables.append(_compute(ws, request, runnable))
    if not tables:
        raise ParameterError("no metric of the catalogue can be reported with these options",
                             hint="; ".join(f"{s.metric}: {s.reason}" for s in skipped[:3])
                             + ("; …" if len(skipped) > 3 else ""))
    rows = pa.concat_tables(tables)
    position = {key: i for i, key in enumerate(request.metrics)}
    metric_of = rows.column("metric").to_pylist()
    # a stable sort: the groups of a metric keep the order the engine gave them
    return rows.take(sorted(range(rows.num_rows), key=lambda i: position[metric_of[i]])), skipped


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
        table, skipped = run(ws, request)
    write_report(table, request, skipped, format_, output)


def register(app: typer.Typer) -> None:
    app.command()(report)
