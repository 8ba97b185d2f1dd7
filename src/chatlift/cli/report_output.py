"""The four shapes of a report: a rich table, CSV, JSON and Markdown.

Every shape has the same rows. CSV and JSON carry raw numbers (shares as fractions,
durations in seconds) plus ``label``, ``unit``, ``reference`` and ``reference_source``;
the table and Markdown show values in their unit (see `chatlift.units`). Which published figure
stands beside a row is decided in `chatlift.reporting.reference_for`.
"""

from __future__ import annotations

import csv
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
from chatlift.cli.report import ReportFormat
from chatlift.metrics.definitions import Unit
from chatlift.metrics.scope import Period
from chatlift.reporting import (
    ReportRequest,
    Skipped,
    columns,
    notes,
    report_document,
    report_rows,
    without_rows,
)
from chatlift.units import change_text, interval_text, value_text


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


def write_json(stream: TextIO, rows: Sequence[Mapping[str, Any]], request: ReportRequest,
               skipped: Sequence[Skipped]) -> None:
    """The report as one JSON object (see `chatlift.reporting.report_document`)."""
    document = report_document(rows, request, skipped)
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
