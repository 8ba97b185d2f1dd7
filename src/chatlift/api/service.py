"""The database behind a running server: one writable workspace, used by one request at a time.

DuckDB allows one writing process per file; inside that process a connection is not safe to
share between threads, and FastAPI runs plain (non-async) routes on a thread pool. So every route
borrows the workspace through `Service.workspace`, which holds a lock while it is in use.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from chatlift.access import Access
from chatlift.workspace import Workspace

if TYPE_CHECKING:
    from chatlift.experiments import ExperimentSpec
    from chatlift.metrics.business_hours import BusinessHours


REPORTS_KEPT = 256  # report results kept (each a small Arrow table: one row per metric and group)


class Service:
    """What the routes share: the workspace (behind a lock) and the business-hours calendars."""

    def __init__(self, path: str | Path, *, business_hours: BusinessHours | None = None,
                 timezone: str | None = None, experiments: Mapping[str, ExperimentSpec] | None = None,
                 create: bool = False) -> None:
        # The server holds the file (no other process can write it meanwhile), so report results can be
        # kept until the server itself writes: a dashboard's repeated views cost one computation.
        self._workspace = Workspace(path, create=create, keep_reports=REPORTS_KEPT)
        self._lock = threading.Lock()
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

    @contextmanager
    def access(self) -> Iterator[Access]:
        with self.workspace() as ws:
            yield Access(ws.store)

    def close(self) -> None:
        with self._lock:
            self._workspace.close()
