"""Per-conversation data: ``/v1/conversations.csv`` (the export) and the drill-down behind any number
(``/v1/drilldown`` as JSON, ``/v1/drilldown.csv``; see `chatlift.drilldown`)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from chatlift.api.models import FIRST_DAY, LAST_DAY
from chatlift.api.security import Reader, service
from chatlift.api.service import Service
from chatlift.drilldown import Records, parse_group, records_behind
from chatlift.metrics.scope import FILTERS
from chatlift.reporting import build_request, parse_filters
from chatlift.workspace import write_csv

router = APIRouter(tags=["conversations"])


class ConversationQuery:
    def __init__(
        self,
        start: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, alias="from", description="First local day (by conversation start).")] = None,
        end: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, alias="to", description="Day after the period (exclusive).")] = None,
        tz: Annotated[str, Query(description="IANA time zone of the days.")] = "UTC",
        filter_: Annotated[list[str] | None, Query(alias="filter", description=f"NAME=VALUE[,VALUE] with NAME one of "
                                                   f"{', '.join(FILTERS)}; repeatable.")] = None,
        window: Annotated[float, Query(gt=0, le=365, description="Attribution window in days.")] = 7.0,
        kinds: Annotated[list[str] | None, Query(description="Order kinds that count (default purchase, quote).")] = None,
    ) -> None:
        self.arguments: dict[str, Any] = {
            "start": start, "end": end, "timezone": tz, "filters": parse_filters(filter_, option="filter"),
            "window": window, "kinds": tuple(kinds) if kinds else ("purchase", "quote"),
        }


@router.get("/conversations.csv", summary="The per-conversation export as CSV.",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_csv(query: Annotated[ConversationQuery, Depends()], caller: Reader,
               svc: Annotated[Service, Depends(service)]) -> Response:
    """One row per conversation: ids, channel, agent, team, status, calendar and business timings,
    conversion, attributed orders and revenue, CSAT/CES/NPS (see docs/metrics.md)."""
    with svc.workspace() as ws:
        table = ws.conversations(**query.arguments, business_hours=svc.business_hours)
    stream = io.BytesIO()
    write_csv(table, stream)
    return Response(stream.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="conversations.csv"'})


@dataclass(frozen=True)
class DrillQuery:
    records: Records


def _records(
    svc: Annotated[Service, Depends(service)],
    metric: Annotated[str, Query(description="The metric whose number to open.")],
    group: Annotated[list[str] | None, Query(description="The report row's group: NAME=VALUE per breakdown, "
                                             "e.g. agent=agt_003; none: the whole period.")] = None,
    start: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, alias="from", description="First local day of the period.")] = None,
    end: Annotated[date | None, Query(ge=FIRST_DAY, le=LAST_DAY, alias="to", description="Day after the period (exclusive).")] = None,
    tz: Annotated[str, Query(description="IANA time zone of the days.")] = "UTC",
    filter_: Annotated[list[str] | None, Query(alias="filter", description="As in /v1/report.")] = None,
    param: Annotated[list[str] | None, Query(description="As in /v1/report.")] = None,
    basis: Annotated[str, Query(pattern="^(start|event)$")] = "start",
    limit: Annotated[int, Query(ge=1, le=1_000_000, description="At most this many records.")] = 10_000,
) -> DrillQuery:
    groups = parse_group(group, option="group")
    request = build_request([metric], start=start, end=end, timezone=tz, by=list(groups), filters=filter_,
                            params=param, basis=basis, param_option="param", filter_option="filter")
    with svc.workspace() as ws:
        return DrillQuery(records_behind(ws, request, metric, groups, business_hours=svc.business_hours,
                                         limit=limit))


class DrillDown(BaseModel):
    metric: str
    group: dict[str, str]
    unit: str = Field(description='What the records are: "conversations", "survey answers", "carts", "people" …')
    total: int = Field(description="How many records the number counts (its n).")
    rows: list[dict[str, Any]] = Field(description="The records (at most `limit`); conversations carry the "
                                                   "per-conversation export's columns.")


@router.get("/drilldown", response_model=DrillDown, summary="The records behind a number of a report.",
            responses={400: {"description": "Unknown metric, bad group, or a metric without drill-down."}})
def drilldown(query: Annotated[DrillQuery, Depends(_records)], caller: Reader) -> dict[str, Any]:
    """Exactly the records the metric's n counts in the group, under the same period, filters and
    parameters as the report: ``total`` always equals that report row's ``n``."""
    found = query.records
    rows = found.rows.to_pylist()
    return {"metric": found.metric, "group": found.group, "unit": found.unit, "total": found.total, "rows": rows}


@router.get("/drilldown.csv", summary="The records behind a number, as CSV.", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def drilldown_csv(query: Annotated[DrillQuery, Depends(_records)], caller: Reader) -> Response:
    stream = io.BytesIO()
    write_csv(query.records.rows, stream)
    name = f"{query.records.metric}-{'-'.join(query.records.group.values()) or 'all'}.csv"
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return Response(stream.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{safe}"'})
