"""The JSON shapes of the API (they make the OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
"""The dates a query may name: data and reports live well inside them, and date arithmetic (the day
before, the previous period) stays inside what dates can hold."""
FIRST_INSTANT, LAST_INSTANT = datetime(1900, 1, 1), datetime(2199, 12, 31)


class Health(BaseModel):
    status: str = Field(description='"ok" when the database answers.')
    database: str = Field(description="The name of the database file being served.")
    schema_version: int
    rows: dict[str, int] = Field(description="Rows per canonical table.")


class Version(BaseModel):
    name: str = "chatlift"
    version: str
    api: str = "v1"


class ParamDeclaration(BaseModel):
    name: str
    default: Any
    description: str
    choices: list[Any]


class ReferenceFigure(BaseModel):
    channel: str | None = Field(description="The channel the figure is about; null: overall.")
    value: str
    source: str


class MetricDeclaration(BaseModel):
    """One metric of the catalogue, as declared once in the registry."""

    key: str
    label: str
    section: str
    number: int = Field(description="Its number in the product's metric catalogue.")
    unit: str
    higher_is_better: bool | None
    description: str = Field(description="The exact definition, with parameters and defaults.")
    interval: dict[str, str] = Field(description="How the 95 % interval is computed, per statistic.")
    params: list[ParamDeclaration]
    breakdowns: list[str]
    event: str = Field(description='What "event time" means for this metric (period basis event).')
    references: list[ReferenceFigure]
    note: str | None


class ReportRow(BaseModel):
    """One metric (and group): ``value`` with its 95 % interval and ``n``; the breakdown columns
    (``channel``, ``day`` …) appear under their own names; with ``compare`` also ``previous_*`` and
    ``change``. Shares are fractions, durations seconds."""

    model_config = ConfigDict(extra="allow")

    metric: str
    label: str
    unit: str
    value: float | None
    lower: float | None
    upper: float | None
    n: int
    reference: str | None = Field(description="The published figure for this row, where there is one.")
    reference_source: str | None


class SkippedMetric(BaseModel):
    metric: str
    reason: str


class Note(BaseModel):
    metric: str
    note: str


class ReportDocument(BaseModel):
    start: date | None
    end: date | None = Field(description="Exclusive.")
    timezone: str
    basis: str
    by: list[str]
    filters: dict[str, list[str]]
    params: dict[str, dict[str, str]]
    compare: bool
    previous_start: date | None
    previous_end: date | None
    rows: list[ReportRow]
    notes: list[Note]
    skipped: list[SkippedMetric] = Field(description="Metrics of the default selection that cannot run "
                                                     "with these options, with the reason.")
    empty: list[str] = Field(description="Metrics that ran but have no row (nothing to measure).")


class RowError(BaseModel):
    """One problem of one rejected record."""

    index: int = Field(description="The record's 0-based position in the array (NDJSON: its line, from 0).")
    field: str = Field(description='The field, or "(row)" when the record itself is broken.')
    value: str | None
    reason: str


class UnknownReferences(BaseModel):
    field: str
    target: str
    rows: int


class IngestResult(BaseModel):
    """What happened to a batch: ``received = inserted + updated + unchanged + rejected``."""

    table: str
    received: int
    accepted: int = Field(description="inserted + updated + unchanged")
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[RowError]
    unknown_references: list[UnknownReferences]
    ignored_fields: list[str]
