"""Who is calling: an API key (``Authorization: Bearer cl_…`` or ``X-API-Key``) or a dashboard login.

A missing or invalid credential is 401; a valid one whose role does not allow the request is 403.
A login session (the dashboard's cookie) is accepted for reading only, so a page on another site
can never make a signed-in browser send data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from chatlift.access import ALLOWED, Permission, Role
from chatlift.api.problems import ApiError
from chatlift.api.service import Service

SESSION_COOKIE = "chatlift_session"

_bearer = HTTPBearer(auto_error=False, description="An API key: `chatlift keys create --role read|ingest|admin`.")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="The same API key, in its own header.")


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller: an API key (``kind="key"``, ``name`` = key id) or a user (``kind="user"``)."""

    kind: str
    name: str
    role: Role


def service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def _roles_with(permission: Permission) -> str:
    return " or ".join(r.value for r, allowed in ALLOWED.items() if permission in allowed)


def session_caller(request: Request) -> Caller | None:
    """The signed-in dashboard user of this request, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    with service(request).access() as access:
        user = access.session_user(token)
    return Caller("user", user.username, user.role) if user else None


def requires(permission: Permission) -> Callable[..., Caller]:
    """A dependency that returns the caller when allowed ``permission``, else raises 401/403."""

    def check(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        header: Annotated[str | None, Depends(_header)],
    ) -> Caller:
        token = bearer.credentials if bearer else header
        challenge = {"WWW-Authenticate": "Bearer"}
        if token:
            key = service(request).api_key(token)
            if key is None:
                raise ApiError(401, "the API key is not valid (unknown or mistyped)",
                               hint="send a key made by `chatlift keys create`, whole, as 'Authorization: Bearer cl_…'",
                               headers=challenge)
            if key.revoked_at is not None:
                raise ApiError(401, f"the API key {key.key_id} was revoked on {key.revoked_at:%Y-%m-%d %H:%M} UTC",
                               hint="create a new key with `chatlift keys create`", headers=challenge)
            caller = Caller("key", key.key_id, key.role)
        else:
            user = session_caller(request) if permission is Permission.READ else None
            if user is None:
                raise ApiError(401, "no API key: this request needs one",
                               hint=f"send 'Authorization: Bearer cl_…' with a key of role {_roles_with(permission)} "
                                    f"(create one with `chatlift keys create --role {_roles_with(permission).split()[0]}`)",
                               headers=challenge)
            caller = user
        if permission not in ALLOWED[caller.role]:
            raise ApiError(403, f"role {caller.role.value} may not {permission.value}",
                           hint=f"use a key of role {_roles_with(permission)}")
        return caller

    return check


Reader = Annotated[Caller, Depends(requires(Permission.READ))]
Ingester = Annotated[Caller, Depends(requires(Permission.INGEST))]
Admin = Annotated[Caller, Depends(requires(Permission.ADMIN))]
