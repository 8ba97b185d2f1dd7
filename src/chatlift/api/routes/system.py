"""Health and version."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from chatlift import __version__
from chatlift.api.models import Health, Version
from chatlift.api.security import service
from chatlift.api.service import Service

router = APIRouter(tags=["system"])


@router.get("/health", response_model=Health, summary="Is the server up and its database readable?")
def health(svc: Annotated[Service, Depends(service)]) -> Health:
    """No key needed: for load balancers and monitoring."""
    with svc.workspace() as ws:
        return Health(status="ok", database=ws.path.name, schema_version=ws.store.schema_version,
                      rows=ws.row_counts())


@router.get("/version", response_model=Version, summary="The chatlift release serving this API.")
def version() -> Version:
    return Version(version=__version__)
