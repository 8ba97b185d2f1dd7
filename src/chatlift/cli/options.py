"""Options shared by several commands, and the one way a command opens the workspace."""

from __future__ import annotations

import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.console import Console

from chatlift.config import config_path, load_settings
from chatlift.metrics.scope import FILTERS
from chatlift.workspace import Workspace

if TYPE_CHECKING:
    from chatlift.metrics.business_hours import BusinessHours

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="Database file (default: ./chatlift.duckdb, or CHATLIFT_DB, or db in chatlift.toml)."),
]
FromOption = Annotated[
    datetime | None,
    typer.Option("--from", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", show_default=False,
                 help="First day of the period (YYYY-MM-DD, a local date in --tz); default: the start of the data."),
]
ToOption = Annotated[
    datetime | None,
    typer.Option("--to", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD", show_default=False,
                 help="Day after the period (exclusive: --from 2025-01-01 --to 2025-02-01 is January); "
                      "default: the end of the data."),
]
REPORT_TIMEZONE = "UTC"
"""The reporting time zone when --tz is not given. (The `timezone` setting is about reading imported
timestamps without an offset, not about how periods are cut, so it is deliberately not reused.)"""
TzOption = Annotated[
    str,
    typer.Option("--tz", metavar="ZONE", help="IANA time zone whose local dates --from/--to and day/week/month/hour/weekday "
                              "breakdowns refer to (e.g. Europe/Amsterdam)."),
]
FilterOption = Annotated[
    list[str] | None,
    typer.Option("--filter", metavar="NAME=VALUE[,VALUE]", show_default=False,
                 help=f"Keep only conversations whose NAME is one of the values; repeatable. NAME: {', '.join(FILTERS)} "
                      "(tag: carries one of the tags)."),
]

class Shape(StrEnum):
    """How a command that prints a document prints it."""

    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[Shape, typer.Option("--format", help="table (for people) or json.")]


def print_json(document: Any) -> None:
    """A JSON document (indented) on stdout: what ``--format json`` prints."""
    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")


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


def business_hours() -> BusinessHours | None:
    """The business-hours calendars of the settings (``[business_hours]`` in chatlift.toml), or None.

    Reports and exports use them for ``hours=business``; without them a metric asked for business
    hours says how to add them.
    """
    from chatlift.metrics.business_hours import BusinessHours

    settings = load_settings()
    if settings.business_hours is None:
        return None
    return BusinessHours.from_mapping(settings.business_hours, source=config_path())


def local_day(value: datetime | None) -> date | None:
    """The date of a --from/--to option (typer parses it as a datetime at midnight)."""
    return None if value is None else value.date()


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()
