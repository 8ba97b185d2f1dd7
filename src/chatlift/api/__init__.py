"""The HTTP API (``/v1``) and the dashboard, served by `chatlift serve`.

`create_app` assembles one FastAPI application over one database file; every route is a thin
layer over `chatlift.workspace.Workspace`, `chatlift.reporting` and `chatlift.access`.
"""

from __future__ import annotations

from chatlift.api.app import create_app

__all__ = ["create_app"]
