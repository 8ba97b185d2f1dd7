"""`chatlift demo` and `chatlift summary`: the demo dataset and the headline report."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from chatlift.cli.options import DbOption, err, open_workspace, out, stderr_is_terminal
from chatlift.storage.overview import Headline

# Published figures from the seed articles (shared/seeds, summarised in PRODUCT.md).
REFERENCE_CSAT = {"chat": "73–92 %", "phone": "44 %", "email": "61 %", "social": "48 %", "app": "53 %"}
REFERENCE_RESOLUTION = {"chat": "80–88 %", "phone": "92 %", "email": "63 %"}


def demo(
    db: DbOption = None,
    size: Annotated[str, typer.Option("--size", help="small (20k conversations), medium (300k), large (10M) or a number of conversations.")] = "small",
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed always gives the same data.")] = 42,
    replace: Annotated[bool, typer.Option("--replace", help="Empty the database's tables first if it already holds data.")] = False,
    summary: Annotated[bool, typer.Option("--summary/--no-summary", help="Print the headline report afterwards.")] = True,
) -> None:
    """Generate a realistic, deterministic year of an online business's support data."""
    with open_workspace(db, create=True) as ws:
        if stderr_is_terminal():
            with Progress(
                TextColumn("generating demo data"), BarColumn(), TextColumn("{task.completed}/{task.total} chunks"),
                TimeElapsedColumn(), console=err, transient=True,
            ) as bar:
                task = bar.add_task("demo", total=None)

                def progress(_: str, done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                written = ws.generate_demo(size, seed=seed, replace=replace, progress=progress)
        else:
            err.print(f"generating demo data ({size}, seed {seed}) into {ws.path} …")
            written = ws.generate_demo(size, seed=seed, replace=replace)
        err.print(
            f"Wrote {sum(written.values()):,} rows into {ws.path}: "
            + ", ".join(f"{k} {v:,}" for k, v in written.items())
        )
        if summary:
            render_headline(ws.headline())


def summary(db: DbOption = None) -> None:
    """Print the headline report: channels, speed, resolution, CSAT, NPS and chat conversion."""
    with open_workspace(db, read_only=True) as ws:
        render_headline(ws.headline())


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def render_headline(h: Headline) -> None:
    span = f"{h.first:%Y-%m-%d} to {h.last:%Y-%m-%d}" if h.first and h.last else "no conversations"
    table = RichTable(title=f"chatlift headline ({span}, UTC)")
    columns = ("channel", "conversations", "share", "resolution rate", "published resolution",
               "median first response", "CSAT (4–5 of 5)", "published CSAT")
    for col in columns:
        table.add_column(col, justify="left" if col in ("channel", "published resolution", "published CSAT") else "right")
    for c in h.channels:
        frt = "–" if c.median_first_response_s is None else f"{c.median_first_response_s:,.0f} s"
        csat = "–" if c.csat is None else f"{_pct(c.csat)} (n={c.csat_n:,})"
        table.add_row(
            c.channel, f"{c.conversations:,}", _pct(c.share), _pct(c.resolution_rate),
            REFERENCE_RESOLUTION.get(c.channel, ""), frt, csat, REFERENCE_CSAT.get(c.channel, ""),
        )
    out.print(table)
    out.print(
        f"Chat conversion (order within 7 days of a chat): {_pct(h.chat_conversion_rate)} "
        f"of {h.chat_conversations:,} chats — published example: 20 %"
    )
    nps = "–" if h.nps is None else f"{h.nps:+.1f}"
    out.print(f"NPS: {nps} (n={h.nps_n:,})   Purchases: {h.orders:,} worth {h.revenue:,.2f} {h.currencies}".rstrip())


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(summary)
