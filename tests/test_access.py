"""API keys, users and sessions in the database: secrets only as hashes, roles, expiry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import chatlift
from chatlift.access import ALLOWED, Access, Permission, Role, hash_password, verify_password
from chatlift.errors import ParameterError, StoreError
from chatlift.storage.ddl import SESSIONS_TABLE


def _all_text(ws: chatlift.Workspace) -> str:
    """Every value of every chatlift_* access table, as one string."""
    parts = []
    for table in ("chatlift_api_keys", "chatlift_users", "chatlift_sessions"):
        parts += [str(v) for row in ws.store.con.execute(f"SELECT * FROM {table}").fetchall() for v in row]
    return " ".join(parts)


def test_secrets_are_stored_only_as_hashes(tmp_path: Path) -> None:
    with chatlift.connect(tmp_path / "a.duckdb", create=True) as ws:
        access = Access(ws.store)
        key, token = access.create_key("read", label="x")
        access.add_user("ana", "a long passphrase")
        session = access.login("ana", "a long passphrase")
        assert session is not None
        stored = _all_text(ws)
        assert token not in stored and token.split("_")[-1] not in stored
        assert "a long passphrase" not in stored and session not in stored
        assert access.key_for(token) == key
        assert access.session_user(session) == access.user("ana")


def test_keys_are_checked_whole(tmp_path: Path) -> None:
    with chatlift.connect(tmp_path / "a.duckdb", create=True) as ws:
        access = Access(ws.store)
        key, token = access.create_key(Role.INGEST)
        assert access.key_for(token + "x") is None
        assert access.key_for(token.replace(key.key_id, "000000000000")) is None
        assert access.key_for("") is None and access.key_for("cl_") is None
        revoked = access.revoke_key(key.key_id)
        assert revoked.revoked_at is not None
        assert not access.key_for(token).allows(Permission.INGEST)  # type: ignore[union-attr]
        with pytest.raises(ParameterError, match="no API key"):
            access.revoke_key("nope")


def test_roles_allow_what_the_docs_say() -> None:
    assert ALLOWED[Role.INGEST] == {Permission.INGEST}
    assert ALLOWED[Role.READ] == {Permission.READ}
    assert ALLOWED[Role.ADMIN] == {Permission.INGEST, Permission.READ, Permission.ADMIN}


def test_login_and_passwords(tmp_path: Path) -> None:
    with chatlift.connect(tmp_path / "a.duckdb", create=True) as ws:
        access = Access(ws.store)
        with pytest.raises(ParameterError, match="shorter"):
            access.add_user("bo", "short")
        with pytest.raises(ParameterError, match="not allowed"):
            access.add_user("bo bo", "long enough password")
        access.add_user("bo", "long enough password", role="read")
        with pytest.raises(StoreError, match="exists already"):
            access.add_user("bo", "another long password")
        assert access.login("bo", "wrong password!") is None
        assert access.login("nobody", "long enough password") is None
        token = access.login("bo", "long enough password")
        assert token is not None and access.session_user(token) == access.user("bo")
        access.set_password("bo", "a new long password")  # ends the sessions
        assert access.session_user(token) is None
        token = access.login("bo", "a new long password")
        assert token is not None
        ws.store.con.execute(f"UPDATE {SESSIONS_TABLE} SET expires_at = expires_at - ?",
                             [timedelta(days=15)])
        assert access.session_user(token) is None  # expired
        token = access.login("bo", "a new long password")
        assert token is not None
        access.logout(token)
        assert access.session_user(token) is None


def test_password_hash_is_scrypt_with_salt() -> None:
    a, b = hash_password("same password"), hash_password("same password")
    assert a != b and a.startswith("scrypt$16384$8$1$")
    assert verify_password("same password", a) and verify_password("same password", b)
    assert not verify_password("same password", "md5$x") and not verify_password("x", "garbage")


def test_version_1_files_gain_the_access_tables(tmp_path: Path) -> None:
    from chatlift.storage.store import SCHEMA_VERSION, Store

    path = tmp_path / "old.duckdb"
    Store(path, create=True, migrations=(), schema_version=1).close()  # what release 0.1 wrote …
    import duckdb

    con = duckdb.connect(str(path))
    for table in ("chatlift_api_keys", "chatlift_users", "chatlift_sessions", "chatlift_changes"):
        con.execute(f"DROP TABLE {table}")  # … which had no access tables (nor, before version 3, changes)
    con.close()
    with chatlift.connect(path) as ws:
        assert ws.store.migrated_from == 1 and ws.store.schema_version == SCHEMA_VERSION
        assert ws.facts()  # version 3 recorded every table as changed: the fact tables are built on first use
        Access(ws.store).create_key("read")
        assert len(Access(ws.store).api_keys()) == 1
