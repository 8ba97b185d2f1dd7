"""API keys and roles over a real server: 401 without or with a wrong key, 403 for the wrong role."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.api.conftest import Server

BATCH = b'[{"conversation_id": "c1", "channel": "chat", "started_at": "2025-03-03T10:00:00Z"}]'


def test_health_and_version_need_no_key(demo_server: Server, demo_file: Path) -> None:
    with demo_server.client(None) as client:
        health = client.get("/v1/health")
        version = client.get("/v1/version")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    con = duckdb.connect(str(demo_file), read_only=True)
    (count,) = con.execute("SELECT count(*) FROM conversations").fetchone() or (None,)
    con.close()
    assert health.json()["rows"]["conversations"] == count
    assert version.json()["version"] == __import__("chatlift").__version__


def test_missing_key_is_401_with_a_hint(demo_server: Server) -> None:
    with demo_server.client(None) as client:
        response = client.get("/v1/report", params={"metric": "csat"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert "no API key" in body["error"] and "chatlift keys create" in body["hint"]


def test_wrong_or_malformed_key_is_401(demo_server: Server) -> None:
    real = demo_server.keys["read"]
    tampered = real[:-2] + ("AA" if not real.endswith("AA") else "BB")
    for token in (tampered, "cl_nothing_here", "not-a-key"):
        with demo_server.client(None) as client:
            response = client.get("/v1/metrics", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, token
        assert "not valid" in response.json()["error"]


def test_key_in_its_own_header_works(demo_server: Server) -> None:
    with demo_server.client(None) as client:
        response = client.get("/v1/metrics", headers={"X-API-Key": demo_server.keys["read"]})
    assert response.status_code == 200


def test_roles(demo_server: Server) -> None:
    json = {"Content-Type": "application/json"}
    with demo_server.client("ingest") as client:
        denied = client.get("/v1/report", params={"metric": "csat"})
        assert denied.status_code == 403
        assert denied.json()["error"] == "role ingest may not read"
        assert "read or admin" in denied.json()["hint"]
        assert client.get("/v1/keys").status_code == 403
    with demo_server.client("read") as client:
        denied = client.post("/v1/ingest/conversations", content=BATCH, headers=json)
        assert denied.status_code == 403 and "may not ingest" in denied.json()["error"]
        assert client.get("/v1/keys").status_code == 403
    with demo_server.client("admin") as client:
        assert client.get("/v1/report", params={"metric": "csat"}).status_code == 200
        assert client.get("/v1/keys").status_code == 200


def test_admin_creates_and_revokes_keys(demo_server: Server) -> None:
    with demo_server.client("admin") as admin:
        created = admin.post("/v1/keys", json={"role": "read", "label": "dashboard screen"})
        assert created.status_code == 201
        body = created.json()
        assert body["role"] == "read" and body["label"] == "dashboard screen" and body["revoked_at"] is None
        token = body["key"]
        assert token.startswith(f"cl_{body['key_id']}_")
        listed = {k["key_id"]: k for k in admin.get("/v1/keys").json()}
        assert body["key_id"] in listed and "key" not in listed[body["key_id"]]
        with demo_server.client(None) as client:
            assert client.get("/v1/metrics", headers={"Authorization": f"Bearer {token}"}).status_code == 200
            revoked = admin.delete(f"/v1/keys/{body['key_id']}")
            assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
            after = client.get("/v1/metrics", headers={"Authorization": f"Bearer {token}"})
        assert after.status_code == 401 and "revoked" in after.json()["error"]
        assert admin.delete("/v1/keys/doesnotexist").status_code == 404
