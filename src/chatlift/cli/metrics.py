"""`chatlift metrics` and `chatlift metrics show KEY`: the catalogue, read from the registry."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import orjson
import typer
from rich.table import Table as RichTable
from rich.text import Text

from chatlift.cli.options import out
from chatlift.metrics import METRICS, REGISTRY, Metric
from chatlift.metrics.definitions import UNIT_MEANING, param_text
from chatlift.reporting import declaration, known_metric


class CatalogueFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[CatalogueFormat, typer.Option("--format", help="table (for people) or json.")]


def _interval_lines(metric: Metric) -> list[str]:
    """One line per interval method, naming the ``statistic`` values that use it."""
    grouped: dict[str, list[str]] = {}
    for statistic, method in metric.interval_methods().items():
        grouped.setdefault(method, []).append(statistic)
    return [f"Interval (95 %){' for statistic ' + ', '.join(s) if any(s) else ''}: {method}"
            for method, s in grouped.items()]


def references_text(metric: Metric) -> str:
    return "; ".join(f"{channel or 'overall'} {ref.value}" for channel, ref in metric.references.items())


app = typer.Typer(
    help="The metric catalogue: every metric's definition, unit, parameters and published figures.",
    invoke_without_command=True, no_args_is_help=False,
)


@app.callback()
def metrics(ctx: typer.Context, format_: FormatOption = CatalogueFormat.TABLE) -> None:
    """List every metric of the catalogue (`chatlift metrics show KEY` for one in full)."""
    if ctx.invoked_subcommand is not None:
        return
    if format_ is CatalogueFormat.JSON:
        out.file.write(orjson.dumps([declaration(m) for m in METRICS], option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    view = RichTable(title=f"chatlift metric catalogue ({len(METRICS)} metrics)", title_justify="left")
    for header in ("key", "label", "unit", "#", "section", "published"):
        view.add_column(header, justify="right" if header == "#" else "left")
    for m in METRICS:
        view.add_row(*(Text(c) for c in (m.key, m.label, m.unit.value, str(m.number), m.section.value,
                                         references_text(m))))
    out.print(view)
    out.print(Text("Details: chatlift metrics show KEY; all definitions: docs/metrics.md"))


@app.command()
def show(
    key: Annotated[str, typer.Argument(help="The metric's key, e.g. csat (see `chatlift metrics`).")],
    format_: FormatOption = CatalogueFormat.TABLE,
) -> None:
    """Show one metric's full declaration: definition, unit, interval, parameters, breakdowns, references."""
    m = REGISTRY[known_metric(key)]
    if format_ is CatalogueFormat.JSON:
        out.file.write(orjson.dumps(declaration(m), option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    lines = [
        f"{m.key} — {m.label}",
        f"{m.section.value}, catalogue item {m.number}",
        "",
        f"Definition: {m.description}",
        f"Unit: {UNIT_MEANING[m.unit]}",
        f"Direction: {'higher' if m.higher_is_better else 'lower'} is better",
        *_interval_lines(m),
        f"Breakdowns: {', '.join(m.breakdowns) or 'none'}",
        f"Event time (--basis event): {m.event}",
    ]
    for line in lines:
        out.print(Text(line))
    if m.params:
        params = RichTable(title="Parameters (--param " + m.key + ".NAME=VALUE)", title_justify="left")
        for header in ("name", "default", "choices", "meaning"):
            params.add_column(header)
        for p in m.params:
            params.add_row(*(Text(c) for c in (p.name, param_text(p.default), ", ".join(map(str, p.choices)),
                                               p.description)))
        out.print(params)
    else:
        out.print(Text("Parameters: none"))
    if m.references:
        refs = RichTable(title="Published figures", title_justify="left")
        for header in ("channel", "figure", "source"):
            refs.add_column(header)
        for channel, ref in m.references.items():
            refs.add_row(*(Text(c) for c in (channel or "overall", ref.value, ref.source)))
        out.print(refs)
    else:
        out.print(Text("Published figures: none"))
    if m.note:
        out.print(Text(f"Note: {m.note}"))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="metrics")
