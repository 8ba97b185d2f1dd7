"""`chatlift keys`, `chatlift users` and `chatlift serve` end to end."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import chatlift
from chatlift.access import Access
from tests.cli.conftest import Run


def test_keys_create_list_revoke(run: Run, tmp_path: Path) -> None:
    status, token, err = run("keys", "create", "--role", "ingest", "--label", "shop", "--db", "k.duckdb")
    assert status == 0 and "printed once" in err
    token = token.strip()
    key_id = re.fullmatch(r"cl_([0-9a-f]{12})_[A-Za-z0-9_-]{43}", token)
    assert key_id, token
    status, out, _ = run("keys", "list", "--json", "--db", "k.duckdb")
    (listed,) = json.loads(out)
    assert (listed["key_id"], listed["role"], listed["label"], listed["revoked_at"]) == (key_id[1], "ingest", "shop", None)
    assert token not in out
    status, _, err = run("keys", "revoke", key_id[1], "--db", "k.duckdb")
    assert status == 0 and "Revoked" in err
    with chatlift.connect(tmp_path / "k.duckdb", read_only=True) as ws:
        key = Access(ws.store).key_for(token)
    assert key is not None and key.revoked_at is not None
    status, _, err = run("keys", "create", "--role", "boss", "--db", "k.duckdb")
    assert status == 2 and "boss" in err


def test_users_add_with_password_from_stdin_and_reset(run: Run, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a fine long password\n"))
    status, _, err = run("users", "add", "ana", "--role", "read", "--password-stdin", "--db", "u.duckdb")
    assert status == 0 and "Added user ana (role read)" in err
    status, _, err = run("users", "add", "ana", "--generate-password", "--db", "u.duckdb")
    assert status == 1 and "exists already" in err
    status, out, _ = run("users", "add", "ana", "--generate-password", "--reset", "--db", "u.duckdb")
    password = out.strip()
    assert status == 0 and len(password) >= 12
    with chatlift.connect(tmp_path / "u.duckdb") as ws:
        access = Access(ws.store)
        assert access.login("ana", "a fine long password") is None
        assert access.login("ana", password) is not None
        assert access.user("ana").role.value == "admin"  # type: ignore[union-attr]
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    status, _, err = run("users", "add", "bo", "--password-stdin", "--db", "u.duckdb")
    assert status == 1 and "shorter than 10" in err
    status, out, _ = run("users", "list", "--db", "u.duckdb")
    assert "ana" in out and "bo" not in out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_prints_the_url_and_a_first_user_link(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "CHATLIFT_CONFIG": str(tmp_path / "none.toml")}
    chatlift_bin = Path(sys.executable).with_name("chatlift")
    process = subprocess.Popen([str(chatlift_bin), "serve", "--db", str(tmp_path / "s.duckdb"), "--port", str(port)],
                               cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["rows"]["conversations"] == 0
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert f"http://localhost:{port}/" in err
    assert re.search(rf"http://localhost:{port}/setup\?token=[A-Za-z0-9_-]+", err)
    assert "chatlift users add" in err
