"""What support is worth over time: ``/v1/value/churn``, ``/cohorts``, ``/clv`` and ``/roi``
(the documents of `chatlift.value`; see docs/value.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from chatlift.api.models import FIRST_DAY, LAST_DAY
from chatlift.api.security import Reader, service
from chatlift.api.service import Service
from chatlift.value.results import ChurnResult, ClvResult, CohortResult, RoiResult
from chatlift.value.roi import StaffCost

router = APIRouter(tags=["value"])

Start = Annotated[date, Query(ge=FIRST_DAY, le=LAST_DAY, alias="from", description="First local day of the period.")]
End = Annotated[date, Query(ge=FIRST_DAY, le=LAST_DAY, alias="to", description="Day after the period (exclusive).")]
Zone = Annotated[str, Query(description="IANA time zone of the days.")]


@router.get("/value/churn", response_model=ChurnResult, summary="Customer churn, revenue churn and retention.")
def churn(
    caller: Reader, svc: Annotated[Service, Depends(service)], start: Start, end: End, tz: Zone = "UTC",
    basis: Annotated[str, Query(pattern="^(subscriptions|orders)$")] = "subscriptions",
    every: Annotated[str | None, Query(pattern="^(week|month|quarter|year)$")] = None,
    inactivity: Annotated[float, Query(gt=0, le=3650, description="Days without an order (basis orders).")] = 90.0,
) -> ChurnResult:
    with svc.workspace() as ws:
        return ws.churn(start, end, basis=basis, every=every, timezone=tz, inactivity_days=inactivity)


@router.get("/value/cohorts", response_model=CohortResult, summary="Monthly retention cohorts.")
def cohorts(
    caller: Reader, svc: Annotated[Service, Depends(service)], start: Start, end: End, tz: Zone = "UTC",
    basis: Annotated[str, Query(pattern="^(subscriptions|orders)$")] = "orders",
) -> CohortResult:
    with svc.workspace() as ws:
        return ws.retention_cohorts(start, end, basis=basis, timezone=tz)


@router.get("/value/clv", response_model=ClvResult, summary="Customer lifetime value (BG/NBD and Gamma-Gamma).")
def clv(
    caller: Reader, svc: Annotated[Service, Depends(service)],
    calibration_end: Annotated[date, Query(ge=FIRST_DAY, le=LAST_DAY, description="Fit on purchases before this day.")],
    horizon: Annotated[float, Query(gt=0, le=10_000)] = 52.0,
    unit: Annotated[str, Query(pattern="^(week|day)$")] = "week",
    holdout_end: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY)] = None,
    discount_rate: Annotated[float, Query(ge=0, le=1)] = 0.0,
) -> ClvResult:
    with svc.workspace() as ws:
        return ws.clv(calibration_end, unit=unit, horizon=horizon, holdout_end=holdout_end,
                      discount_rate=discount_rate)


@router.get("/value/roi", response_model=RoiResult, summary="Support ROI: cost against value.")
def roi(
    caller: Reader, svc: Annotated[Service, Depends(service)], start: Start, end: End, tz: Zone = "UTC",
    experiment: Annotated[str | None, Query(description="Add this experiment's incremental revenue (causal).")] = None,
    agents: Annotated[float | None, Query(ge=0, le=1_000_000)] = None,
    hours_per_week: Annotated[float | None, Query(ge=0, le=168)] = None,
    hourly_rate: Annotated[float | None, Query(ge=0, le=1_000_000)] = None,
) -> RoiResult:
    """Cost from the costs table, or from staff (all three of agents, hours_per_week and hourly_rate)."""
    staffing = (agents, hours_per_week, hourly_rate)
    staff = None
    if any(v is not None for v in staffing):
        if any(v is None for v in staffing):
            from chatlift.errors import ParameterError

            raise ParameterError("staff cost needs agents, hours_per_week and hourly_rate",
                                 hint="give all three, or none to use the costs table")
        staff = StaffCost.for_period(agents or 0, hours_per_week or 0, hourly_rate or 0, (end - start).days)
    with svc.workspace() as ws:
        return ws.roi(start, end, timezone=tz, staff=staff, experiment=experiment, definitions=svc.experiments)
