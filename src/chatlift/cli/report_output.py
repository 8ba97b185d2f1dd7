"""The four shapes of a report: a rich table, CSV, JSON and Markdown.

Every shape has the same rows. CSV and JSON carry raw numbers (shares as fractions,
durations in seconds) plus ``label``, ``unit``, ``reference`` and ``reference_source``;
the table and Markdown show values in their unit (see `cli.units`). The published figure
beside a row is the metric's reference for the row's channel (broken down by channel),
else its overall reference, else the reference of the one channel the report measures
(a single ``--filter channel=…``, or the metric's ``channel`` parameter, e.g. chat).
"""

from __future__ import annotations

import csv
import math
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, assert_never

import orjson
import pyarrow as pa
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from chatlift.cli.options import err, out
from chatlift.cli.report import ReportFormat, ReportRequest, Skipped
from chatlift.cli.units import change_text, interval_text, value_text
from chatlift.metrics import REGISTRY
from chatlift.metrics.definitions import Metric, Reference, Unit
from chatlift.metrics.scope import Period

NUMBER_COLUMNS = ("value", "lower", "upper", "n")
PREVIOUS_COLUMNS = ("previous_value", "previous_lower", "previous_upper", "previous_n", "change")


def reference_for(metric: Metric, group: Mapping[str, Any], request: ReportRequest) -> Reference | None:
    """The published figure to show beside one row of ``metric`` (see the module docstring)."""
    refs = metric.references
    if "channel" in request.by:
        channel = group.get("channel")
        return refs.get(channel) if channel is not None else None
    if "" in refs:
        return refs[""]
    filtered = request.filters.get("channel", ())
    if len(filtered) == 1 and filtered[0] in refs:
        return refs[filtered[0]]
    measured = metric.resolve(request.params.get(metric.key)).get("channel")
    return refs.get(measured) if isinstance(measured, str) else None


def _number(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def columns(request: ReportRequest) -> list[str]:
    """The columns of a CSV/JSON row, in order."""
    return ["metric", "label", "unit", *request.by, *NUMBER_COLUMNS,
            *(PREVIOUS_COLUMNS if request.compare else ()), "reference", "reference_source"]


def report_rows(table: pa.Table, request: ReportRequest) -> list[dict[str, Any]]:
    """The report's rows with label, unit and the published figure; NaN becomes None."""
    rows = []
    for record in table.to_pylist():
        metric = REGISTRY[record["metric"]]
        ref = reference_for(metric, record, request)
        row = {"metric": metric.key, "label": metric.label, "unit": metric.unit.value,
               **{c: _number(record[c]) for c in (*request.by, *NUMBER_COLUMNS)}}
        if request.compare:
            row |= {c: _number(record[c]) for c in PREVIOUS_COLUMNS}
        row |= {"reference": ref.value if ref else None, "reference_source": ref.source if ref else None}
        rows.append(row)
    return rows


def notes(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The caveat of each reported metric that has one (e.g. correlational), once per metric."""
    keys = dict.fromkeys(r["metric"] for r in rows)
    return [{"metric": k, "note": REGISTRY[k].note} for k in keys if REGISTRY[k].note]


def _period_text(period: Period) -> str:
    start = period.start.isoformat() if period.start else "the start of the data"
    end = f"{period.end.isoformat()} (exclusive)" if period.end else "the end of the data"
    return f"{start} to {end}"


def describe(request: ReportRequest) -> str:
    """One line saying what the report covers."""
    text = f"{_period_text(request.period)}, {request.period.timezone}, period basis {request.basis.value}"
    if request.previous:
        text += f"; compared with {_period_text(request.previous)}"
    if request.filters:
        text += "; " + ", ".join(f"{k}={','.join(v)}" for k, v in request.filters.items())
    return text


def _cells(row: Mapping[str, Any], request: ReportRequest) -> list[str]:
    unit = Unit(row["unit"])
    cells = [row["label"], *("–" if row[b] is None else str(row[b]) for b in request.by),
             value_text(unit, row["value"]), interval_text(unit, row["lower"], row["upper"]), f"{row['n']:,}"]
    if request.compare:
        cells += [value_text(unit, row["previous_value"]), change_text(unit, row["change"])]
    return [*cells, row["reference"] or ""]


def _headers(request: ReportRequest) -> list[str]:
    return ["metric", *request.by, "value", "95 % interval", "n", *(("previous", "change") if request.compare else ()),
            "published"]


def _sources(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(r["reference_source"] for r in rows if r["reference_source"]))


def render_table(console: Console, rows: Sequence[Mapping[str, Any]], request: ReportRequest) -> None:
    view = RichTable(title=f"chatlift report: {describe(request)}", title_justify="left")
    for header in _headers(request):
        numeric = header in ("value", "95 % interval", "n", "previous", "change")
        view.add_column(header, justify="right" if numeric else "left")
    for row in rows:
        view.add_row(*(Text(cell) for cell in _cells(row, request)))
    console.print(view)
    for source in _sources(rows):
        console.print(Text(f"Published figures: {source}"))
    for note in notes(rows):
        console.print(Text(f"Note: {note['metric']}: {note['note']}"))


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|")


def write_markdown(stream: TextIO, rows: Sequence[Mapping[str, Any]], request: ReportRequest) -> None:
    headers = _headers(request)[:-1] + ["reference", "reference_source"]
    right = {"value", "95 % interval", "n", "previous", "change"}
    lines = [f"Report: {describe(request)}.", "",
             "| " + " | ".join(headers) + " |",
             "|" + "|".join("---:" if h in right else "---" for h in headers) + "|"]
    for row in rows:
        cells = [*_cells(row, request)[:-1], row["reference"] or "", row["reference_source"] or ""]
        lines.append("| " + " | ".join(_markdown_cell(c) for c in cells) + " |")
    found = notes(rows)
    if found:
        lines += ["", *(f"- Note: {n['metric']}: {n['note']}" for n in found)]
    stream.write("\n".join(lines) + "\n")


def write_csv(stream: TextIO, rows: Sequence[Mapping[str, Any]], request: ReportRequest) -> None:
    writer = csv.DictWriter(stream, fieldnames=columns(request), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def without_rows(rows: Sequence[Mapping[str, Any]], request: ReportRequest, skipped: Sequence[Skipped]) -> list[str]:
    """Metrics that ran but gave no row: broken down, a metric with nothing to measure has no group."""
    shown = {r["metric"] for r in rows} | {s.metric for s in skipped}
    return [k for k in request.metrics if k not in shown]


def write_json(stream: TextIO, rows: Sequence[Mapping[str, Any]], request: ReportRequest,
               skipped: Sequence[Skipped]) -> None:
    """One object: what was asked (period, time zone, basis, breakdowns, filters, parameters), ``rows``,
    ``notes``, ``skipped`` (with the reason) and ``empty`` (metrics that ran but gave no row)."""
    previous = request.previous
    document = {
        "start": request.period.start, "end": request.period.end, "timezone": request.period.timezone,
        "basis": request.basis.value, "by": list(request.by), "filters": request.filters,
        "params": request.params, "compare": request.compare,
        "previous_start": previous.start if previous else None, "previous_end": previous.end if previous else None,
        "rows": list(rows), "notes": notes(rows),
        "skipped": [{"metric": s.metric, "reason": s.reason} for s in skipped],
        "empty": without_rows(rows, request, skipped),
    }
    stream.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")


@contextmanager
def destination(output: Path | None) -> Iterator[TextIO]:
    """stdout, or ``output`` written whole (through a ``.partial`` file) or not at all."""
    if output is None:
        yield sys.stdout
        return
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)


def write_report(table: pa.Table, request: ReportRequest, skipped: Sequence[Skipped], fmt: ReportFormat,
                 output: Path | None) -> None:
    """Render the report in ``fmt`` to stdout or ``output``; skipped metrics are noted on stderr."""
    by_reason: dict[str, list[str]] = {}
    for s in skipped:
        by_reason.setdefault(s.reason, []).append(s.metric)
    for reason, keys in by_reason.items():
        err.print(Text(f"Skipped {', '.join(keys)}: {reason}"))
    rows = report_rows(table, request)
    empty = without_rows(rows, request, skipped)
    if empty:
        err.print(Text(f"No data to report for {', '.join(empty)} with these options."))
    with destination(output) as stream:
        match fmt:
            case ReportFormat.TABLE:
                console = out if output is None else Console(file=stream, soft_wrap=True, width=200)
                render_table(console, rows, request)
            case ReportFormat.CSV:
                write_csv(stream, rows, request)
            case ReportFormat.JSON:
                write_json(stream, rows, request, skipped)
            case ReportFormat.MARKDOWN:
                write_markdown(stream, rows, request)
            case _:
                assert_never(fmt)
    if output is not None:
        err.print(Text(f"Wrote {len(rows):,} row(s) to {output}"))
    if fmt is ReportFormat.CSV:  # the other shapes carry the notes themselves
        for note in notes(rows):
            err.print(Text(f"Note: {note['metric']}: {note['note']}"))
