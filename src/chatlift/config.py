"""Settings, with one precedence: defaults < ``chatlift.toml`` < ``CHATLIFT_*`` env < command-line flags.

``chatlift.toml`` is read from the working directory (or the file named by
``CHATLIFT_CONFIG``); keys sit at the top level::

    db = "data/support.duckdb"
    timezone = "Europe/Amsterdam"

    [business_hours.calendars.default]
    timezone = "Europe/Amsterdam"
    hours = { mon = ["09:00-17:00"], tue = ["09:00-17:00"] }
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chatlift.errors import ConfigError, close_matches

CONFIG_FILE = "chatlift.toml"
ENV_PREFIX = "CHATLIFT_"


class Settings(BaseModel):
    """Every setting chatlift reads; each is documented in docs/cli.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    db: Path = Field(Path("chatlift.duckdb"), description="The DuckDB database file.")
    timezone: str | None = Field(
        None,
        description="IANA time zone in which imported timestamps without an offset are read "
        "(none: such timestamps are rejected).",
    )
    experiments: dict[str, Any] | None = Field(
        None,
        description="Experiments on support: [experiments.<key>] tables with unit, variants and weights, "
        "start/end and metrics (see docs/experiments.md).",
    )
    staff: dict[str, float] | None = Field(
        None,
        description="Support staffing for ROI when there is no costs table: [staff] with agents, "
        "hours_per_week (per agent) and hourly_rate.",
    )
    business_hours: dict[str, Any] | None = Field(
        None,
        description="Weekly calendars for business-hours durations: a [business_hours] table with "
        "calendars.<name> (timezone, hours, holidays) and optional teams/channels maps (see docs/metrics.md).",
    )


def config_path() -> Path:
    """The settings file: ``CHATLIFT_CONFIG``, else ``chatlift.toml`` in the working directory."""
    return Path(os.environ.get(f"{ENV_PREFIX}CONFIG", CONFIG_FILE))


def load_settings(**flags: Any) -> Settings:
    """Settings from all sources; ``flags`` that are None do not override anything.

    >>> load_settings(db="x.duckdb").db
    PosixPath('x.duckdb')
    """
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    path = config_path()
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}", location=str(path)) from exc
        for key, value in data.items():
            if key not in Settings.model_fields:
                hint = close_matches(key, Settings.model_fields) or f"known keys: {', '.join(Settings.model_fields)}"
                raise ConfigError(f"unknown setting {key!r}", location=str(path), hint=hint)
            values[key] = value
            origin[key] = str(path)
    for key in Settings.model_fields:
        env = os.environ.get(ENV_PREFIX + key.upper())
        if env is not None and env != "":
            values[key] = env
            origin[key] = ENV_PREFIX + key.upper()
    for key, value in flags.items():
        if value is not None:
            values[key] = value
            origin[key] = f"--{key}"
    try:
        return Settings(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else "?"
        raise ConfigError(
            f"setting {key} = {values.get(key)!r} (from {origin.get(key, 'default')}) is invalid: {first['msg']}"
        ) from exc
