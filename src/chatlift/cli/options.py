"""Options shared by several commands, and the one way a command opens the workspace."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chatlift.config import load_settings
from chatlift.workspace import Workspace

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Database file (default: ./chatlift.duckdb, or CHATLIFT_DB, or db in chatlift.toml)."),
]

# Data goes to stdout; progress, notes and errors to stderr.
# Piped output is not cut to 80 columns: file names and reasons must stay whole.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 200)


def open_workspace(db: Path | None, *, create: bool = False, read_only: bool = False) -> Workspace:
    """Open the workspace named by --db / settings; notes a migration on stderr."""
    settings = load_settings(db=db)
    ws = Workspace(settings.db, create=create, read_only=read_only)
    if ws.store.migrated_from is not None:
        err.print(
            f"Migrated {settings.db} from schema version {ws.store.migrated_from} "
            f"to {ws.store.schema_version}."
        )
    return ws


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()
