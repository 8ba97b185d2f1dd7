"""How errors reach an HTTP client: a status and a JSON body ``{"error", "hint", "location"}``.

chatlift's own errors map by kind (a bad parameter is 400, an unknown metric 404 on its own
resource, an unreadable payload 422 …); every body says what is wrong and what to do.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from chatlift.errors import (
    ChatliftError,
    ConfigError,
    ExperimentError,
    InputError,
    ParameterError,
    StoreError,
    UnknownExperimentError,
    UnknownMetricError,
)


class Problem(BaseModel):
    """What went wrong (``error``), what to do about it (``hint``) and where (``location``)."""

    error: str
    hint: str | None = None
    location: str | None = None


class ApiError(Exception):
    """An error with an HTTP status, raised by routes (e.g. 401, 403, 404, 413)."""

    def __init__(self, status: int, error: str, *, hint: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.hint = hint
        self.headers = headers


STATUS: tuple[tuple[type[ChatliftError], int], ...] = (
    (UnknownMetricError, 400),
    (ParameterError, 400),
    (ConfigError, 400),
    (UnknownExperimentError, 404),
    (ExperimentError, 400),
    (InputError, 422),
    (StoreError, 409),
)


def status_of(exc: ChatliftError) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def problem(status: int, error: str, hint: str | None = None, location: str | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    body = Problem(error=error, hint=hint, location=location).model_dump()
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_text(errors: Any) -> str:
    parts = []
    for e in errors:
        where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "body", "path"))
        parts.append(f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg", "invalid")))
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into `Problem` responses."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.error, exc.hint, headers=exc.headers)

    @app.exception_handler(ChatliftError)
    async def _chatlift_error(request: Request, exc: ChatliftError) -> JSONResponse:
        return problem(status_of(exc), exc.message, exc.hint, exc.location)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(422, _validation_text(exc.errors()), "see the OpenAPI document at /v1/openapi.json")
