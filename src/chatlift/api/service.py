"""The database behind a running server: one writable workspace, used by one request at a time.

DuckDB allows one writing process per file; inside that process a connection is not safe to
share between threads, and FastAPI runs plain (non-async) routes on a thread pool. So every route
borrows the workspace through `Service.workspace`, which holds a lock while it is in use.

Ingestion commits in groups: batches that arrive while the workspace is busy wait together, and
the first of them to get the workspace imports them all (`Workspace.import_batches`: one write for
batches that can share it, each with its own result), so concurrent senders share the cost of a
write instead of queueing for one each.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chatlift.access import Access, ApiKey, secret_hash
from chatlift.errors import ChatliftError
from chatlift.ingest.result import ImportResult
from chatlift.workspace import Workspace

if TYPE_CHECKING:
    from chatlift.experiments import ExperimentSpec
    from chatlift.metrics.business_hours import BusinessHours


KEYS_KEPT = 1024  # API keys remembered as valid (or revoked) after a first lookup
REPORTS_KEPT = 256  # report results kept (each a small Arrow table: one row per metric and group)


@dataclass(slots=True)
class _Batch:
    """A batch waiting to be imported, and then its outcome."""

    table: str
    payload: bytes
    fmt: str
    timezone: str | None
    outcome: ImportResult | BaseException | None = None


class Service:
    """What the routes share: the workspace (behind a lock) and the business-hours calendars."""

    def __init__(self, path: str | Path, *, business_hours: BusinessHours | None = None,
                 timezone: str | None = None, experiments: Mapping[str, ExperimentSpec] | None = None,
                 create: bool = False) -> None:
        # The server holds the file (no other process can write it meanwhile), so report results can be
        # kept until the server itself writes: a dashboard's repeated views cost one computation.
        self._workspace = Workspace(path, create=create, keep_reports=REPORTS_KEPT)
        self._lock = threading.Lock()
        self._waiting: list[_Batch] = []  # batches to import, guarded by _waiting_lock
        self._waiting_lock = threading.Lock()
        self._keys: dict[str, ApiKey] = {}  # SHA-256 of a token → its stored key (`api_key`)
        self.business_hours = business_hours
        self.timezone = timezone  # for ingested timestamps without an offset (the `timezone` setting)
        self.experiments = experiments  # declared experiments ([experiments.<key>] in chatlift.toml)

    @property
    def path(self) -> Path:
        return self._workspace.path

    @contextmanager
    def workspace(self) -> Iterator[Workspace]:
        """The workspace, for the duration of the block, to this thread only."""
        with self._lock:
            yield self._workspace

    def ingest(self, table: str, payload: bytes, *, fmt: str, timezone: str | None) -> ImportResult:
        """Import one batch (`Workspace.import_batch`), together with any that wait meanwhile (see the
        module docstring); raises what importing it alone would raise."""
        batch = _Batch(table, payload, fmt, timezone)
        with self._waiting_lock:
            self._waiting.append(batch)
        with self._lock:
            if batch.outcome is None:  # no one took it yet: take it and every batch waiting with it
                with self._waiting_lock:
                    taken, self._waiting = self._waiting, []
                self._import(taken)
        assert batch.outcome is not None
        if isinstance(batch.outcome, BaseException):
            raise batch.outcome
        return batch.outcome

    def _import(self, batches: list[_Batch]) -> None:
        """Import ``batches`` (holding the workspace), those of one table, format and zone together."""
        groups: dict[tuple[str, str, str | None], list[_Batch]] = {}
        for b in batches:
            groups.setdefault((b.table, b.fmt, b.timezone), []).append(b)
        try:
            for (table, fmt, timezone), group in groups.items():
                outcomes: Sequence[ImportResult | BaseException]
                try:
                    outcomes = self._workspace.import_batches(table, [b.payload for b in group], fmt=fmt,
                                                              timezone=timezone)
                except Exception as exc:  # noqa: BLE001 (not about one batch: the table, the zone, the database; each request raises it)
                    outcomes = [exc] * len(group)
                for b, outcome in zip(group, outcomes, strict=True):
                    b.outcome = outcome
        finally:
            for b in batches:
                if b.outcome is None:  # interrupted before its turn
                    b.outcome = ChatliftError("the server stopped before this batch was imported",
                                              hint="send it again")

    @contextmanager
    def access(self) -> Iterator[Access]:
        """Keys and users, for the block; the keys `api_key` remembered are forgotten after it, as it may
        have created or revoked some (only this process can write the database while it serves)."""
        with self.workspace() as ws:
            try:
                yield Access(ws.store)
            finally:
                self._keys.clear()

    def api_key(self, token: str) -> ApiKey | None:
        """The stored key ``token`` is (`Access.key_for`), or None. A key found is remembered until keys or
        users change through `access`, so a request with a known key does not wait for the database
        (which a batch being written may hold)."""
        digest = secret_hash(token)
        key = self._keys.get(digest)
        if key is None:
            with self.workspace() as ws:
                key = Access(ws.store).key_for(token)
                if key is not None:
                    if len(self._keys) >= KEYS_KEPT:
                        self._keys.clear()
                    self._keys[digest] = key
        return key

    def close(self) -> None:
        with self._lock:
            self._workspace.close()
