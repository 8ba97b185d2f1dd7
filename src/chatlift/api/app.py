"""The FastAPI application: ``/v1`` (JSON API, OpenAPI at ``/v1/openapi.json``) and the dashboard at ``/``."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI

from chatlift import __version__
from chatlift.api import problems
from chatlift.api.routes import conversations, ingest, keys, metrics, system, value
from chatlift.api.routes import experiments as experiment_routes
from chatlift.api.service import Service

if TYPE_CHECKING:
    from chatlift.experiments import ExperimentSpec
    from chatlift.metrics.business_hours import BusinessHours

DESCRIPTION = """What live chat and customer service are worth: the metric catalogue, reports with
95 % intervals, batch ingestion and per-conversation data.

Authenticate with an API key (`chatlift keys create --role ingest|read|admin`) sent as
`Authorization: Bearer cl_…` or `X-API-Key: cl_…`. Errors are JSON: `{"error", "hint", "location"}`."""


def create_app(path: str | Path, *, business_hours: BusinessHours | None = None, timezone: str | None = None,
               experiments: Mapping[str, ExperimentSpec] | None = None, create: bool = False,
               dashboard: bool = True) -> FastAPI:
    """The application serving the database at ``path``; it opens the file when it starts serving.

    Args:
        path: the DuckDB file (kept open, writable, while the server runs).
        business_hours: calendars for ``hours=business`` metrics (``[business_hours]`` in chatlift.toml).
        timezone: zone for ingested timestamps without an offset (the ``timezone`` setting).
        experiments: declared experiments (``[experiments.<key>]``; the demo's is known without).
        create: create the database when it is missing.
        dashboard: serve the web dashboard at ``/`` as well as the API.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = Service(path, business_hours=business_hours, timezone=timezone,
                                    experiments=experiments, create=create)
        try:
            yield
        finally:
            app.state.service.close()

    app = FastAPI(title="chatlift", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  openapi_url="/v1/openapi.json", docs_url=None, redoc_url=None)
    # While the database has no user, /setup?token=… creates the first one; the token is printed
    # by `chatlift serve`, so only whoever started the server can use it.
    app.state.setup_token = secrets.token_urlsafe(24)
    problems.install(app)
    v1 = APIRouter(prefix="/v1")
    for module in (system, metrics, conversations, ingest, experiment_routes, value, keys):
        v1.include_router(module.router)
    app.include_router(v1)
    if dashboard:
        from chatlift.web import install

        install(app)
    return app
