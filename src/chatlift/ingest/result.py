"""What an import reports: counts per file and the issues found in rejected rows."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in one input row: where it is, the value, and what is wrong."""

    source: str  # file path or batch name
    row: int  # record number (see ingest.formats)
    field: str  # column name, or "(row)" when the record itself is broken
    value: str | None  # the value as read, when there is one
    reason: str  # what is wrong and how to fix it


@dataclass(frozen=True, slots=True)
class UnknownReference:
    """Kept rows whose reference points at nothing known (yet)."""

    column: str  # e.g. "conversation_id"
    target: str  # e.g. "conversations"
    rows: int


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The outcome of importing one file (one transaction).

    ``rows_read = inserted + updated + unchanged + rejected``.
    """

    table: str
    source: str
    format: str
    rows_read: int
    inserted: int  # new keys
    updated: int  # existing keys whose row changed and was replaced
    unchanged: int  # existing keys whose row was identical
    rejected: int  # rows quarantined (each with one or more issues)
    issues: tuple[Issue, ...] = ()  # every issue of the rejected rows
    unknown_references: tuple[UnknownReference, ...] = ()
    ignored_columns: tuple[str, ...] = ()  # input columns the table does not declare
    rejected_file: str | None = None  # where the rejected rows were written
    import_id: int = 0
    seconds: float = 0.0

    @property
    def accepted(self) -> int:
        """Rows stored or confirmed: inserted + updated + unchanged."""
        return self.inserted + self.updated + self.unchanged

    @property
    def unknown_reference_rows(self) -> int:
        return sum(u.rows for u in self.unknown_references)


@dataclass(slots=True)
class ImportSummary:
    """Totals over several files."""

    results: list[ImportResult] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(int(getattr(r, name)) for r in self.results)
