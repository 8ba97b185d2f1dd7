"""Experiments: ``/v1/experiments`` (list), ``…/{key}/assignment`` (deterministic variant, records the
first exposure), ``…/{key}/analysis`` (lifts, intervals, SRM, verdict) and ``/v1/experiments/plan``.

Definitions come from ``[experiments.<key>]`` in the server's chatlift.toml; the demo's
``realtime_support`` is known without one. Assigning writes an exposure, so it needs a key that may
ingest; the rest only reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from chatlift.api.models import FIRST_INSTANT, LAST_INSTANT
from chatlift.api.security import Ingester, Reader, service
from chatlift.api.service import Service
from chatlift.experiments import ExperimentResult, ExperimentSummary, PlanResult
from chatlift.stats.corrections import Correction
from chatlift.workspace import Workspace

router = APIRouter(tags=["experiments"])

UNIT_ID = Query(min_length=1, max_length=200, description="The visitor or customer id.")


class Assigned(BaseModel):
    """A unit's variant and its first exposure."""

    experiment: str
    unit_id: str
    variant: str
    assigned_at: datetime
    new: bool
    hashed: bool


@router.get("/experiments", response_model=list[ExperimentSummary], summary="Experiments and their units.")
def list_experiments(caller: Reader, svc: Annotated[Service, Depends(service)]) -> list[ExperimentSummary]:
    with svc.workspace() as ws:
        return ws.experiments(svc.experiments)


@router.get("/experiments/plan", response_model=PlanResult, summary="Sample size, duration or detectable effect.")
def plan(
    caller: Reader,
    baseline: Annotated[float, Query(ge=-1e12, le=1e12,
                                     description="Control's rate (0–1), or its mean with standard_deviation.")],
    standard_deviation: Annotated[float | None, Query(gt=0, le=1e12)] = None,
    mde: Annotated[float | None, Query(gt=0, le=1e12,
                                       description="Effect to detect (relative unless relative=false).")] = None,
    units: Annotated[int | None, Query(gt=0, le=10**13, description="Total units: gives the detectable effect.")] = None,
    daily_units: Annotated[float | None, Query(gt=0, le=1e12)] = None,
    days: Annotated[int | None, Query(gt=0, le=100_000)] = None,
    relative: bool = True,
    alpha: Annotated[float, Query(gt=0, lt=0.5)] = 0.05,
    power: Annotated[float, Query(gt=0.5, lt=1)] = 0.8,
    variants: Annotated[int, Query(ge=2, le=20)] = 2,
    two_sided: bool = True,
) -> PlanResult:
    return Workspace.plan(baseline=baseline, standard_deviation=standard_deviation, mde=mde, units=units,
                          daily_units=daily_units, days=days, relative=relative, alpha=alpha, target_power=power,
                          variants=variants, two_sided=two_sided)


@router.get("/experiments/{key}/assignment", response_model=Assigned,
            summary="The unit's variant; records its first exposure.")
def assignment(key: str, caller: Ingester, svc: Annotated[Service, Depends(service)],
               unit_id: Annotated[str, UNIT_ID]) -> dict[str, Any]:
    """Deterministic (SHA-256 of ``key:unit_id``, see docs/experiments.md): the same unit always gets the
    same variant. The first call records the exposure; later calls return it (``new`` false)."""
    with svc.workspace() as ws:
        found = ws.assign(key, unit_id, definitions=svc.experiments)
    return {"experiment": found.experiment, "unit_id": found.unit_id, "variant": found.variant,
            "assigned_at": found.assigned_at, "new": found.new, "hashed": found.hashed}


@router.get("/experiments/{key}/analysis", response_model=ExperimentResult,
            summary="Lift with interval per metric, SRM check, corrections and a verdict.")
def analysis(
    key: str, caller: Reader, svc: Annotated[Service, Depends(service)],
    sequential: Annotated[bool | None, Query(description="Always-valid intervals; default: as declared.")] = None,
    bayesian: Annotated[bool | None, Query(description="Add chance to win and risk.")] = None,
    correction: Annotated[Correction | None, Query(description="holm, bh or none.")] = None,
    alpha: Annotated[float | None, Query(gt=0, lt=0.5)] = None,
    winsorize: Annotated[float | None, Query(ge=0.5, le=1)] = None,
    as_of: Annotated[datetime | None, Query(ge=FIRST_INSTANT, le=LAST_INSTANT, description="Read the data as it was then (UTC).")] = None,
) -> ExperimentResult:
    overrides = {name: value for name, value in (("sequential", sequential), ("bayesian", bayesian),
                 ("correction", correction), ("alpha", alpha), ("winsorize", winsorize)) if value is not None}
    with svc.workspace() as ws:
        return ws.analyze(key, definitions=svc.experiments, as_of=as_of, **overrides)

