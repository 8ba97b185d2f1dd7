"""The catalogue and reports: ``/v1/metrics``, ``/v1/metrics/{key}``, ``/v1/report``.

Query parameters mirror `chatlift report`'s options: ``metric``, ``by``, ``filter`` and ``param``
repeat (or take comma-separated lists), ``from``/``to`` are local dates in ``tz`` (``to`` is
exclusive), ``basis`` is start or event, ``compare`` adds the previous period and the change.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from chatlift.api.models import FIRST_DAY, LAST_DAY, MetricDeclaration, ReportDocument
from chatlift.api.problems import ApiError
from chatlift.api.security import Reader, service
from chatlift.api.service import Service
from chatlift.metrics import METRICS, REGISTRY
from chatlift.metrics.scope import ALL_BREAKDOWNS, FILTERS
from chatlift.reporting import (
    ReportRequest,
    build_request,
    declaration,
    report_document,
    report_rows,
    run_request,
)

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_model=list[MetricDeclaration], summary="The metric catalogue.")
def list_metrics(caller: Reader) -> list[dict[str, Any]]:
    return [declaration(m) for m in METRICS]


@router.get("/metrics/{key}", response_model=MetricDeclaration, summary="One metric's declaration.",
            responses={404: {"description": "No such metric."}})
def show_metric(key: str, caller: Reader) -> dict[str, Any]:
    if key not in REGISTRY:
        from chatlift.errors import close_matches

        raise ApiError(404, f"unknown metric {key!r}",
                       hint=close_matches(key, REGISTRY) or "GET /v1/metrics lists the catalogue")
    return declaration(REGISTRY[key])


class ReportQuery:
    """The query parameters of a report, shared by /v1/report and the drill-down."""

    def __init__(
        self,
        metric: Annotated[list[str] | None, Query(description="Metric keys (repeat or comma-separate); "
                                                  "default: the whole catalogue.")] = None,
        start: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, alias="from", description="First local day of the period.")] = None,
        end: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, alias="to", description="Day after the period (exclusive).")] = None,
        tz: Annotated[str, Query(description="IANA time zone of the days and time breakdowns.")] = "UTC",
        by: Annotated[list[str] | None, Query(description=f"Breakdowns: {', '.join(ALL_BREAKDOWNS)}.")] = None,
        filter_: Annotated[list[str] | None, Query(alias="filter", description=f"NAME=VALUE[,VALUE] with NAME one of "
                                                   f"{', '.join(FILTERS)}; repeatable.")] = None,
        param: Annotated[list[str] | None, Query(description="METRIC.NAME=VALUE, e.g. "
                                                 "sla_attainment.target=60; repeatable.")] = None,
        basis: Annotated[str, Query(description="start (conversation start) or event.",
                                    pattern="^(start|event)$")] = "start",
        compare: Annotated[bool, Query(description="Add the previous period of equal length and the change.")] = False,
    ) -> None:
        self.request: ReportRequest = build_request(
            metric, start=start, end=end, timezone=tz, by=by, filters=filter_, params=param, basis=basis,
            compare=compare, param_option="param", filter_option="filter",
        )


@router.get("/report", response_model=ReportDocument, summary="Metrics for a period, with intervals.",
            responses={400: {"description": "A parameter is invalid (the body says which and how to fix it)."}})
def report(query: Annotated[ReportQuery, Depends()], caller: Reader,
           svc: Annotated[Service, Depends(service)]) -> dict[str, Any]:
    """One row per metric and group, with 95 % interval, n, the published figure, notes (e.g. correlational)
    and the metrics skipped because they cannot run with these options."""
    request = query.request
    with svc.workspace() as ws:
        table, skipped = run_request(ws, request, svc.business_hours)
    return report_document(report_rows(table, request), request, skipped)
