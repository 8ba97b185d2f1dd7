"""A real uvicorn server on a free port over a real DuckDB file, and API keys of each role."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

import chatlift
from chatlift.access import Access
from chatlift.api import create_app


@dataclass
class Server:
    url: str
    db: Path
    keys: dict[str, str]  # role -> whole key

    def client(self, role: str | None = "read") -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


def _start(db: Path) -> tuple[uvicorn.Server, threading.Thread, str]:
    config = uvicorn.Config(create_app(db), host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "small.duckdb"
    with chatlift.connect(path, create=True) as ws:
        ws.generate_demo("small", seed=7)
    return path


def serve(db: Path) -> Iterator[Server]:
    with chatlift.connect(db) as ws:
        access = Access(ws.store)
        keys = {role: access.create_key(role, label=f"test {role}")[1] for role in ("ingest", "read", "admin")}
    server, thread, url = _start(db)
    try:
        yield Server(url, db, keys)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


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
