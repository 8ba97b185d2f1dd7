"""`chatlift value churn|cohorts|clv|roi`: what support is worth over time (see `chatlift.value`).

Each command prints what the library returns; ``--format json`` prints its JSON document (the same
the HTTP API serves under ``/v1/value``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table as RichTable
from rich.text import Text

from chatlift.cli.experiment import definitions
from chatlift.cli.options import DbOption, FormatOption, Shape, TzOption, err, open_workspace, out, print_json
from chatlift.config import load_settings
from chatlift.errors import ConfigError

if TYPE_CHECKING:
    from chatlift.value.results import Estimate
    from chatlift.value.roi import StaffCost

app = typer.Typer(help="Churn, retention cohorts, customer lifetime value and support ROI.", no_args_is_help=True)


StartOption = Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                                               help="First day of the period (local date in --tz).")]
EndOption = Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                                             help="Day after the period (exclusive).")]


def _share(e: Estimate | None) -> str:
    if e is None or e.value is None:
        return "–"
    bounds = f" ({e.lower * 100:.1f}–{e.upper * 100:.1f})" if e.lower is not None and e.upper is not None else ""
    return f"{e.value * 100:.1f} %{bounds}"


def _money(value: float | None) -> str:
    return "–" if value is None else f"{value:,.2f}"


def _warn(warnings: list[Any]) -> None:
    for w in warnings:
        err.print(Text(f"Warning: {w.message}"))


@app.command("churn")
def churn(
    start: StartOption, end: EndOption, db: DbOption = None, tz: TzOption = "UTC",
    basis: Annotated[str, typer.Option("--basis", help="subscriptions (ended_at, with MRR churn and revenue "
                                                       "retention) or orders (no order for --inactivity days).")] = "subscriptions",
    every: Annotated[str | None, typer.Option("--every", help="week, month, quarter or year: one row per period.")] = None,
    inactivity: Annotated[float, typer.Option("--inactivity", help="Days without an order that count as lost "
                                                                   "(basis orders).")] = 90.0,
    format_: FormatOption = Shape.TABLE,
) -> None:
    """Customer churn (lost ÷ active at the start) per period, split by chatted and CSAT band."""
    with open_workspace(db, read_only=True) as ws:
        result = ws.churn(start.date(), end.date(), basis=basis, every=every, timezone=tz, inactivity_days=inactivity)
    if format_ is Shape.JSON:
        print_json(result.model_dump(mode="json"))
        return
    view = RichTable(title=f"churn ({result.basis}): {result.definition}", title_justify="left")
    for name in ("period", "split", "group", "customers", "lost", "churn", "revenue churn", "GRR", "NRR"):
        view.add_column(name, justify="left" if name in ("period", "split", "group") else "right")
    for period in result.periods:
        for g in period.groups:
            view.add_row(f"{period.start}–{period.end}", g.split, g.group, f"{g.customers:,}", f"{g.lost:,}",
                         _share(g.churn_rate), _share(g.revenue_churn), _share(g.gross_revenue_retention),
                         _share(g.net_revenue_retention))
    out.print(view)
    _warn(result.warnings)


@app.command("cohorts")
def cohorts(
    start: StartOption, end: EndOption, db: DbOption = None, tz: TzOption = "UTC",
    basis: Annotated[str, typer.Option("--basis", help="orders (first order) or subscriptions (start).")] = "orders",
    format_: FormatOption = Shape.TABLE,
) -> None:
    """Monthly retention cohorts: the share of each month's new customers still active k months later."""
    with open_workspace(db, read_only=True) as ws:
        result = ws.retention_cohorts(start.date(), end.date(), basis=basis, timezone=tz)
    if format_ is Shape.JSON:
        print_json(result.model_dump(mode="json"))
        return
    view = RichTable(title=f"retention cohorts ({result.basis}): {result.definition}", title_justify="left")
    for name in ("split", "group", "cohort", "size", *(f"+{k}" for k in range(result.months))):
        view.add_column(name, justify="left" if name in ("split", "group", "cohort") else "right")
    for row in result.rows:
        shares = [("–" if s is None or s.value is None else f"{s.value * 100:.0f} %") for s in row.share]
        shares += [""] * (result.months - len(shares))
        view.add_row(row.split, row.group, row.cohort, f"{row.size:,}", *shares)
    out.print(view)
    _warn(result.warnings)


@app.command("clv")
def clv(
    calibration_end: Annotated[datetime, typer.Option("--calibration-end", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                                                      help="Fit on purchases before this day (exclusive).")],
    db: DbOption = None,
    horizon: Annotated[float, typer.Option("--horizon", help="Predict this many time units ahead.")] = 52.0,
    unit: Annotated[str, typer.Option("--unit", help="week or day.")] = "week",
    holdout_end: Annotated[datetime | None, typer.Option("--holdout-end", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                                                         help="Compare predictions with purchases up to this day.")] = None,
    discount_rate: Annotated[float, typer.Option("--discount-rate", help="Yearly, e.g. 0.1.")] = 0.0,
    format_: FormatOption = Shape.TABLE,
) -> None:
    """Customer lifetime value: BG/NBD and Gamma-Gamma fitted by maximum likelihood; predicted purchases,
    value and probability alive, for chatters, non-chatters, CSAT bands and segments."""
    with open_workspace(db, read_only=True) as ws:
        result = ws.clv(calibration_end.date(), unit=unit, horizon=horizon,
                        holdout_end=holdout_end.date() if holdout_end else None, discount_rate=discount_rate)
    if format_ is Shape.JSON:
        print_json(result.model_dump(mode="json"))
        return
    p = result.bgnbd
    out.print(Text(f"BG/NBD ({result.unit}s): r {p.r:.4g}, alpha {p.alpha:.4g}, a {p.a:.4g}, b {p.b:.4g}, "
                   f"log-likelihood {p.log_likelihood:,.1f} over {p.customers:,} customers "
                   f"({p.repeat_buyers:,} repeat buyers)"))
    if result.gamma_gamma:
        g = result.gamma_gamma
        out.print(Text(f"Gamma-Gamma: p {g.p:.4g}, q {g.q:.4g}, gamma {g.gamma:.4g}"))
    view = RichTable(title=f"value per customer, next {result.horizon:g} {result.unit}s", title_justify="left")
    for name in ("split", "group", "customers", "historical", "P(alive)", "purchases", "order value", "value"):
        view.add_column(name, justify="left" if name in ("split", "group") else "right")
    for c in result.groups:
        view.add_row(c.split, c.group, f"{c.customers:,}", _money(c.historical_value), f"{c.probability_alive:.2f}",
                     f"{c.predicted_purchases:.2f}", _money(c.expected_order_value), _money(c.predicted_value))
    out.print(view)
    if result.holdout:
        h = result.holdout
        out.print(Text(f"Holdout to {h.holdout_end}: predicted {h.predicted_total:,.1f} purchases, "
                       f"actual {h.actual_total:,}"))
    _warn(result.warnings)


def staff_cost(days: float, agents: float | None, hours_per_week: float | None,
               hourly_rate: float | None) -> StaffCost | None:
    """Staff cost for a period of ``days`` from options, else from ``[staff]`` in chatlift.toml, else None."""
    from chatlift.value.roi import StaffCost

    given = {"agents": agents, "hours_per_week": hours_per_week, "hourly_rate": hourly_rate}
    if all(v is None for v in given.values()):
        configured = load_settings().staff
        if not configured:
            return None
        given = {k: configured.get(k) for k in given}
    missing = [k for k, v in given.items() if v is None]
    if missing:
        raise ConfigError(f"staff cost needs agents, hours_per_week and hourly_rate; missing {', '.join(missing)}",
                          hint="give all three (--agents, --hours-per-week, --hourly-rate or [staff] in "
                               "chatlift.toml), or none to use the costs table")
    return StaffCost.for_period(float(given["agents"] or 0), float(given["hours_per_week"] or 0),
                                float(given["hourly_rate"] or 0), days)


@app.command("roi")
def roi(
    start: StartOption, end: EndOption, db: DbOption = None, tz: TzOption = "UTC",
    experiment: Annotated[str | None, typer.Option("--experiment", help="Add this experiment's incremental "
                                                                        "revenue (causal, with its interval).")] = None,
    agents: Annotated[float | None, typer.Option("--agents", help="Staff cost: agents (full-time equivalents).")] = None,
    hours_per_week: Annotated[float | None, typer.Option("--hours-per-week", help="Staff cost: hours per agent "
                                                                                  "and week.")] = None,
    hourly_rate: Annotated[float | None, typer.Option("--hourly-rate", help="Staff cost: cost of an agent hour.")] = None,
    format_: FormatOption = Shape.TABLE,
) -> None:
    """Support ROI for a period: cost (the costs table, or staff) against chat-attributed revenue
    (correlational) and an experiment's incremental revenue (causal)."""
    staff = staff_cost((end - start).days, agents, hours_per_week, hourly_rate)
    with open_workspace(db, read_only=True) as ws:
        result = ws.roi(start.date(), end.date(), timezone=tz, staff=staff, experiment=experiment,
                        definitions=definitions())
    if format_ is Shape.JSON:
        print_json(result.model_dump(mode="json"))
        return
    out.print(Text(f"Cost {_money(result.cost)} ({result.cost_source}; {', '.join(result.currencies) or 'no currency'}): "
                   f"{result.conversations:,} conversations ({_money(result.cost_per_conversation)} each), "
                   f"{result.resolved:,} resolved ({_money(result.cost_per_resolution)} each)"))
    view = RichTable(title=f"ROI {result.start} to {result.end} (exclusive)", title_justify="left")
    for name in ("value", "causal", "revenue", "ROI", "payback (months)", "note"):
        view.add_column(name, justify="right" if name in ("revenue", "ROI", "payback (months)") else "left")
    for v in result.values:
        view.add_row(v.label, "yes" if v.causal else "no (correlational)", _money(v.value.value), _share(v.roi),
                     "–" if v.payback_months is None else f"{v.payback_months:.1f}", v.note)
    out.print(view)
    _warn(result.warnings)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="value")

