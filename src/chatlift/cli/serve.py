"""`chatlift serve`: the HTTP API and the dashboard over one database file."""

from __future__ import annotations

from typing import Annotated

import typer

from chatlift.cli.experiment import definitions
from chatlift.cli.options import DbOption, business_hours, err, open_workspace
from chatlift.config import load_settings


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
) -> None:
    """Serve the HTTP API (/v1, OpenAPI at /v1/openapi.json) and the dashboard until Ctrl-C."""
    import uvicorn

    from chatlift.access import Access
    from chatlift.api import create_app

    settings = load_settings(db=db)
    with open_workspace(db, create=True) as ws:  # creates or migrates the file before serving
        users = Access(ws.store).users()
    app = create_app(settings.db, business_hours=business_hours(), timezone=settings.timezone,
                     experiments=definitions())
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    err.print(f"Serving {settings.db} at http://{shown}:{port}/ (API: http://{shown}:{port}/v1/openapi.json). "
              "Ctrl-C stops.")
    if not users:
        err.print(f"No dashboard user yet. Create the first one at http://{shown}:{port}/setup?token="
                  f"{app.state.setup_token} (this link works until a user exists), or stop the server and run "
                  f"`chatlift users add NAME --db {settings.db}`.")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command()(serve)
