"""API keys, managed over HTTP by an admin: the database is held by the server while it runs, so
``chatlift keys create`` in another terminal cannot open it then."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from chatlift.access import ApiKey, Role
from chatlift.api.security import Admin, service
from chatlift.api.service import Service

router = APIRouter(tags=["keys"])


class KeyInfo(BaseModel):
    key_id: str
    role: Role
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


class NewKey(BaseModel):
    role: Role
    label: str | None = Field(None, max_length=200)


class CreatedKey(KeyInfo):
    key: str = Field(description="The whole key. It is shown this once and stored only as a hash.")


def _info(key: ApiKey) -> dict[str, object]:
    return {"key_id": key.key_id, "role": key.role, "label": key.label, "created_at": key.created_at,
            "revoked_at": key.revoked_at}


@router.get("/keys", response_model=list[KeyInfo], summary="List API keys (never their secrets).")
def list_keys(caller: Admin, svc: Annotated[Service, Depends(service)]) -> list[dict[str, object]]:
    with svc.access() as access:
        return [_info(k) for k in access.api_keys()]


@router.post("/keys", response_model=CreatedKey, status_code=201, summary="Create an API key.")
def create_key(body: NewKey, caller: Admin, svc: Annotated[Service, Depends(service)]) -> dict[str, object]:
    with svc.access() as access:
        key, token = access.create_key(body.role, label=body.label)
    return {**_info(key), "key": token}


@router.delete("/keys/{key_id}", response_model=KeyInfo, summary="Revoke an API key.",
               responses={404: {"description": "No such key."}})
def revoke_key(key_id: str, caller: Admin, svc: Annotated[Service, Depends(service)]) -> dict[str, object]:
    with svc.access() as access:
        if key_id not in {k.key_id for k in access.api_keys()}:
            from chatlift.api.problems import ApiError

            raise ApiError(404, f"no API key with id {key_id!r}", hint="GET /v1/keys lists them")
        return _info(access.revoke_key(key_id))
