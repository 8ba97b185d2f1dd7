"""`chatlift experiment list|assign|analyze|plan`: experiments on support (see `chatlift.experiments`).

Definitions come from ``[experiments.<key>]`` in chatlift.toml; the demo's ``realtime_support`` is
known without one. The commands print what the library returns; ``--format json`` prints its
JSON document (the same the HTTP API serves).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable
from rich.text import Text

from chatlift.cli.options import DbOption, FormatOption, Shape, err, open_workspace, out, print_json
from chatlift.config import config_path, load_settings
from chatlift.stats.corrections import Correction

if TYPE_CHECKING:
    from chatlift.experiments import ExperimentResult, ExperimentSpec

app = typer.Typer(help="Experiments on support: assignment, analysis and planning.", no_args_is_help=True)




def definitions() -> dict[str, ExperimentSpec] | None:
    """The experiments declared in the settings (``[experiments.<key>]``), or None."""
    from chatlift.experiments import experiments_from_mapping

    settings = load_settings()
    return experiments_from_mapping(settings.experiments, config_path()) if settings.experiments else None


def _percent(value: float | None, signed: bool = True) -> str:
    if value is None:
        return "–"
    return f"{value * 100:+.1f} %" if signed else f"{value * 100:.1f} %"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:,.4g}"


def _p(value: float | None) -> str:
    return "–" if value is None else (f"{value:.2g}" if value < 0.001 else f"{value:.3f}")


@app.command("list")
def list_experiments(db: DbOption = None, format_: FormatOption = Shape.TABLE) -> None:
    """Experiments declared or seen in the assignments, with units per variant."""
    with open_workspace(db, read_only=True) as ws:
        found = ws.experiments(definitions())
    if format_ is Shape.JSON:
        print_json([e.model_dump(mode="json") for e in found])
        return
    view = RichTable(title=f"experiments ({len(found)})")
    for name in ("key", "units per variant", "first exposure", "last exposure", "definition"):
        view.add_column(name)
    for e in found:
        units = ", ".join(f"{k}: {v:,}" for k, v in e.variants.items())
        definition = "built in (demo)" if e.builtin else ("declared" if e.declared else "missing")
        view.add_row(e.key, units or "–", f"{e.first_exposure:%Y-%m-%d %H:%M}" if e.first_exposure else "–",
                     f"{e.last_exposure:%Y-%m-%d %H:%M}" if e.last_exposure else "–", definition)
    out.print(view)


@app.command("assign")
def assign(
    key: Annotated[str, typer.Argument(help="The experiment.")],
    unit_ids: Annotated[list[str], typer.Argument(help="Visitor or customer ids.")],
    db: DbOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say the variant; record no exposure.")] = False,
    format_: FormatOption = Shape.TABLE,
) -> None:
    """The variant of each unit (deterministic hash); records the first exposure unless --dry-run."""
    with open_workspace(db, create=False, read_only=dry_run) as ws:
        found = ws.assign_units(key, unit_ids, definitions=definitions(), record=not dry_run)
    if format_ is Shape.JSON:
        print_json([a.to_dict() for a in found])
        return
    for a in found:
        note = "not recorded" if dry_run else ("new exposure" if a.new else f"exposed {a.assigned_at:%Y-%m-%d %H:%M}")
        out.print(Text(f"{a.unit_id}\t{a.variant}\t({note})"))


def _verdict_table(result: ExperimentResult) -> RichTable:
    view = RichTable(title=f"{result.key}: {result.description}" if result.description else result.key,
                     title_justify="left")
    for name in ("metric", "variant", "control mean", "variant mean", "relative lift", "95 % interval",
                 "p (adjusted)", "verdict"):
        view.add_column(name, justify="right" if name in ("control mean", "variant mean", "relative lift",
                                                          "95 % interval", "p (adjusted)") else "left")
    for c in result.results:
        interval = f"{_percent(c.relative.lower)} … {_percent(c.relative.upper)}"
        view.add_row(c.metric + (" *" if c.primary else ""), c.variant, _number(c.control_mean),
                     _number(c.treatment_mean), _percent(c.relative.lift), interval,
                     f"{_p(c.p_value)} ({_p(c.p_value_adjusted)})", c.verdict)
    return view


@app.command("analyze")
def analyze(
    key: Annotated[str, typer.Argument(help="The experiment.")],
    db: DbOption = None,
    sequential: Annotated[bool | None, typer.Option("--sequential/--fixed-horizon",
                                                    help="Always-valid intervals (look as often as you like), "
                                                         "or the fixed-horizon t interval; default: as declared.")] = None,
    bayesian: Annotated[bool | None, typer.Option("--bayesian/--no-bayesian",
                                                  help="Add the chance to win and the risk.")] = None,
    correction: Annotated[Correction | None, typer.Option("--correction",
                                                          help="Multiple-testing correction across metrics.")] = None,
    alpha: Annotated[float | None, typer.Option("--alpha", min=0.0001, max=0.5, help="Significance level.")] = None,
    winsorize: Annotated[float | None, typer.Option("--winsorize", min=0.5, max=1.0,
                                                    help="Cap numeric metrics at this percentile (e.g. 0.99).")] = None,
    as_of: Annotated[datetime | None, typer.Option("--as-of", help="Read the data as it was then (UTC).")] = None,
    format_: FormatOption = Shape.TABLE,
) -> None:
    """Lift with interval per metric, SRM check, corrections and a verdict that never overclaims."""
    overrides = {name: value for name, value in (("sequential", sequential), ("bayesian", bayesian),
                 ("correction", correction), ("alpha", alpha), ("winsorize", winsorize)) if value is not None}
    with open_workspace(db, read_only=True) as ws:
        result = ws.analyze(key, definitions=definitions(), as_of=as_of, **overrides)
    if format_ is Shape.JSON:
        print_json(result.model_dump(mode="json"))
        return
    srm = result.srm
    arms = ", ".join(f"{a.variant} {a.units:,}" for a in result.arms)
    out.print(Text(f"Units: {arms}. Sample ratio: chi² {srm.chi_square:.2f}, p = {_p(srm.p_value)}"
                   + (" — MISMATCH: the split is broken; no verdict is possible." if srm.mismatch else " (ok).")))
    out.print(_verdict_table(result))
    out.print(Text(f"Method: {result.method}, alpha {result.alpha}, correction {result.correction} over "
                   f"{result.comparisons} comparisons; * = primary metric."))
    out.print(Text(f"Verdict: {result.verdict}"))
    for note in result.notes:
        out.print(Text(f"Note: {note}"))
    for warning in result.warnings:
        err.print(Text(f"Warning: {warning.message}"))


@app.command("plan")
def plan(
    baseline: Annotated[float, typer.Option("--baseline", help="Control's rate (0–1) or, with --sd, its mean.")],
    sd: Annotated[float | None, typer.Option("--sd", help="Per-unit standard deviation of a mean metric.")] = None,
    mde: Annotated[float | None, typer.Option("--mde", help="Effect to detect (relative: 0.1 = +10 %); "
                                                            "gives the units needed.")] = None,
    units: Annotated[int | None, typer.Option("--units", help="Total units: gives the detectable effect.")] = None,
    daily_units: Annotated[float | None, typer.Option("--daily-units", help="Units per day: gives the duration.")] = None,
    days: Annotated[int | None, typer.Option("--days", help="Planned days (with --daily-units).")] = None,
    absolute: Annotated[bool, typer.Option("--absolute", help="--mde is absolute, not relative.")] = False,
    alpha: Annotated[float, typer.Option("--alpha", help="Significance level.")] = 0.05,
    power: Annotated[float, typer.Option("--power", help="Chance of detecting the effect when it is there.")] = 0.8,
    variants: Annotated[int, typer.Option("--variants", min=2, help="Variants, control included.")] = 2,
    one_sided: Annotated[bool, typer.Option("--one-sided", help="Test only for an improvement.")] = False,
    format_: FormatOption = Shape.TABLE,
) -> None:
    """Sample size and duration for an effect, or the smallest effect a sample can detect."""
    from chatlift.workspace import Workspace

    result = Workspace.plan(baseline=baseline, standard_deviation=sd, mde=mde, units=units, daily_units=daily_units,
                            days=days, relative=not absolute, alpha=alpha, target_power=power, variants=variants,
                            two_sided=not one_sided)
    if format_ is Shape.JSON:
        print_json(result.model_dump(mode="json"))
        return
    view = RichTable(title=f"plan: {result.metric_type}, baseline {result.baseline:g}", title_justify="left")
    view.add_column("")
    view.add_column("", justify="right")
    effect = None if result.mde is None else (_percent(result.mde) if result.relative else f"{result.mde:+g}")
    for label, value in (("effect (minimum detectable)", effect),
                         ("units per variant", f"{result.units_per_variant:,}" if result.units_per_variant else None),
                         ("units in all", f"{result.total_units:,}" if result.total_units else None),
                         ("days", f"{result.days:,}" if result.days else None),
                         ("power", _percent(result.power, signed=False) if result.power is not None else None),
                         ("alpha", f"{result.alpha:g} ({'two' if result.two_sided else 'one'}-sided)")):
        if value is not None:
            view.add_row(label, value)
    out.print(view)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="experiment")
