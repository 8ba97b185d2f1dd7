"""Batch ingestion: ``POST /v1/ingest/{table}`` with a JSON array or NDJSON of records.

Every record goes through the same validation as a file import. Good records are stored by key
(a key sent again replaces its row when it changed and is counted unchanged otherwise, so a
retried batch never double-counts); bad records are quarantined and listed in ``errors`` by
their 0-based index; a rejected record never costs the valid ones their place. The status is 200
when every record was accepted and 422 when some were rejected (the valid ones are stored).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from chatlift.api.models import IngestResult, RowError, UnknownReferences
from chatlift.api.problems import ApiError, Problem
from chatlift.api.security import Ingester, service
from chatlift.api.service import Service
from chatlift.domain.schema import TABLES_BY_NAME
from chatlift.errors import close_matches
from chatlift.ingest.result import ImportResult

MAX_BYTES = 10 * 1024 * 1024
"""The largest batch accepted (10 MiB); send more as several batches."""

FORMATS = {
    "application/json": "json",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "application/x-jsonlines": "ndjson",
}

router = APIRouter(tags=["ingest"])

_RECORDS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}


def _format(request: Request) -> str:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in FORMATS:
        raise ApiError(415, f"unsupported content type {kind or '(none)'!r}",
                       hint="send a JSON array as application/json, or one object per line as application/x-ndjson")
    return FORMATS[kind]


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BYTES:
        raise ApiError(413, f"the batch is {int(declared):,} bytes; the limit is {MAX_BYTES:,}",
                       hint="split it into several requests")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise ApiError(413, f"the batch is larger than {MAX_BYTES:,} bytes", hint="split it into several requests")
        chunks.append(chunk)
    return b"".join(chunks)


def result_body(result: ImportResult) -> dict[str, Any]:
    return IngestResult(
        table=result.table, received=result.rows_read, accepted=result.accepted, inserted=result.inserted,
        updated=result.updated, unchanged=result.unchanged, rejected=result.rejected,
        errors=[RowError(index=i.row, field=i.field, value=i.value, reason=i.reason) for i in result.issues],
        unknown_references=[UnknownReferences(field=u.column, target=u.target, rows=u.rows)
                            for u in result.unknown_references],
        ignored_fields=list(result.ignored_columns),
    ).model_dump()


@router.post(
    "/ingest/{table}", response_model=IngestResult, summary="Add or update records of one table.",
    responses={422: {"model": IngestResult, "description": "Some records were rejected (the valid ones are "
                     "stored), or the payload could not be read at all (then the body is a problem)."},
               413: {"model": Problem, "description": "The batch is larger than 10 MiB."},
               415: {"model": Problem, "description": "Not JSON or NDJSON."}},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": _RECORDS},
        "application/x-ndjson": {"schema": {"type": "string", "description": "One JSON object per line."}},
    }}},
)
async def ingest(
    table: str, request: Request, caller: Ingester, svc: Annotated[Service, Depends(service)],
    tz: Annotated[str | None, Query(description="IANA zone for timestamps written without an offset "
                                    "(default: the server's `timezone` setting; without one they are rejected).")] = None,
) -> JSONResponse:
    """``table`` is a canonical table (conversations, messages, orders …; see docs/data-model.md)."""
    if table not in TABLES_BY_NAME:
        raise ApiError(404, f"no table {table!r}",
                       hint=close_matches(table, TABLES_BY_NAME) or f"tables: {', '.join(TABLES_BY_NAME)}")
    fmt = _format(request)
    payload = await _body(request)

    def store() -> ImportResult:
        return svc.ingest(table, payload, fmt=fmt, timezone=tz or svc.timezone)

    result = await run_in_threadpool(store)
    return JSONResponse(result_body(result), status_code=422 if result.rejected else 200)
