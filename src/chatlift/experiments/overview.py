"""Which experiments exist: declared ones, the demo's built-in one, and keys seen only in ``assignments``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import Field

from chatlift.errors import ExperimentError, UnknownExperimentError, close_matches
from chatlift.experiments.results import Frozen
from chatlift.experiments.spec import DEMO_EXPERIMENT, ExperimentSpec


class ExperimentSummary(Frozen):
    """One experiment as the database and the settings know it."""

    key: str
    declared: bool = Field(description="defined in chatlift.toml or built in (the demo's experiment)")
    builtin: bool = Field(description="the demo's realtime_support definition, used when not declared")
    description: str
    variants: dict[str, int] = Field(description="units stored per variant (all dates)")
    first_exposure: datetime | None
    last_exposure: datetime | None


def stored_experiments(con: Any) -> dict[str, dict[str, Any]]:
    """Per experiment key in ``assignments``: units per variant and first/last exposure."""
    a = con.table("assignments")
    rows = a.group_by(["experiment", "variant"]).aggregate(
        units=a.count(), first=a.assigned_at.min(), last=a.assigned_at.max()
    ).to_pyarrow().to_pylist()
    out: dict[str, dict[str, Any]] = {}
    for r in sorted(rows, key=lambda r: (r["experiment"], r["variant"])):
        e = out.setdefault(r["experiment"], {"variants": {}, "first": r["first"], "last": r["last"]})
        e["variants"][r["variant"]] = int(r["units"])
        e["first"] = min(e["first"], r["first"])
        e["last"] = max(e["last"], r["last"])
    return out


def definitions(configured: Mapping[str, ExperimentSpec] | None, stored: Mapping[str, object]) -> (
    dict[str, ExperimentSpec]
):
    """Declared specs, plus the demo's when its assignments are stored and it is not declared."""
    specs = dict(configured or {})
    if DEMO_EXPERIMENT.key in stored and DEMO_EXPERIMENT.key not in specs:
        specs[DEMO_EXPERIMENT.key] = DEMO_EXPERIMENT
    return specs


def summaries(con: Any, configured: Mapping[str, ExperimentSpec] | None) -> list[ExperimentSummary]:
    """Every experiment, declared or only stored, sorted by key."""
    stored = stored_experiments(con)
    specs = definitions(configured, stored)
    out = []
    for key in sorted(set(specs) | set(stored)):
        spec = specs.get(key)
        seen = stored.get(key, {"variants": {}, "first": None, "last": None})
        variants = {v.key: seen["variants"].get(v.key, 0) for v in spec.variants} if spec else {}
        variants |= seen["variants"]
        out.append(ExperimentSummary(
            key=key, declared=spec is not None, builtin=spec is DEMO_EXPERIMENT and key not in (configured or {}),
            description=spec.description if spec else "", variants=variants,
            first_exposure=seen["first"], last_exposure=seen["last"],
        ))
    return out


def resolve(key: str, specs: Mapping[str, ExperimentSpec], stored: Mapping[str, object]) -> ExperimentSpec:
    """The spec for ``key`` or an ExperimentError that says how to declare it."""
    if key in specs:
        return specs[key]
    if key in stored:
        raise ExperimentError(
            f"experiment {key!r} has exposures in assignments but no definition",
            hint=f'declare it in chatlift.toml: [experiments.{key}] with variants = {{ control = 0.5, '
                 f'treatment = 0.5 }}, start = 2025-01-01 and primary = ["conversion"]',
        )
    known = sorted(set(specs) | set(stored))
    raise UnknownExperimentError(f"no experiment {key!r}",
                          hint=close_matches(key, known) or (f"known experiments: {', '.join(known)}" if known
                                                            else "declare one under [experiments.<key>] in "
                                                                 "chatlift.toml"))
