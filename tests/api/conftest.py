"""A real uvicorn server on a free port over a real DuckDB file, and API keys of each role."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import chatlift
from chatlift.access import Access
from chatlift.api import create_app
from tests import serving


@dataclass
class Server:
    url: str
    db: Path
    keys: dict[str, str]  # role -> whole key

    def client(self, role: str | None = "read") -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture(scope="session")
def demo_file(small_demo_file: Path) -> Path:
    """The shared small demo; servers get a copy of it."""
    return small_demo_file


def serve(db: Path) -> Iterator[Server]:
    with chatlift.connect(db) as ws:
        access = Access(ws.store)
        keys = {role: access.create_key(role, label=f"test {role}")[1] for role in ("ingest", "read", "admin")}
    with serving.running(create_app(db)) as url:
        yield Server(url, db, keys)


@pytest.fixture(scope="module")
def demo_server(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The small demo (a copy per test module), served."""
    db = tmp_path_factory.mktemp("served") / "demo.duckdb"
    shutil.copy(demo_file, db)
    yield from serve(db)


@pytest.fixture()
def empty_server(tmp_path: Path) -> Iterator[Server]:
    """A new, empty database, served."""
    db = tmp_path / "empty.duckdb"
    chatlift.connect(db, create=True).close()
    yield from serve(db)
