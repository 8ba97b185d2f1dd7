"""Who may use the HTTP API and the dashboard: API keys, users with passwords, login sessions.

Roles and what they allow:

* ``ingest``: send data (``POST /v1/ingest/...``); nothing else;
* ``read``: query metrics, reports, exports and drill-downs, and view the dashboard;
* ``admin``: everything above, and managing API keys (``/v1/keys``).

Secrets are stored only as hashes:

* an API key is ``cl_<key id>_<secret>``; the database keeps the key id and the SHA-256 of the
  whole key (a random 32-byte secret needs no slow hash: there is nothing to guess);
* a password is kept as scrypt (n = 2^14, r = 8, p = 1) with a random 16-byte salt;
* a login session is a random token in a cookie; the database keeps its SHA-256 and expiry.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from chatlift.errors import ParameterError, StoreError
from chatlift.storage.ddl import API_KEYS_TABLE, SESSIONS_TABLE, USERS_TABLE
from chatlift.storage.store import Store

KEY_PREFIX = "cl_"
SESSION_DAYS = 14  # a login lasts this long
MIN_PASSWORD = 10  # characters
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


class Role(StrEnum):
    INGEST = "ingest"
    READ = "read"
    ADMIN = "admin"


class Permission(StrEnum):
    INGEST = "ingest"
    READ = "read"
    ADMIN = "admin"  # manage API keys


ALLOWED: dict[Role, frozenset[Permission]] = {
    Role.INGEST: frozenset({Permission.INGEST}),
    Role.READ: frozenset({Permission.READ}),
    Role.ADMIN: frozenset({Permission.INGEST, Permission.READ, Permission.ADMIN}),
}


def role_of(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise ParameterError(f"unknown role {text!r}", hint="use ingest, read or admin") from None


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key, without its secret."""

    key_id: str
    role: Role
    label: str | None
    created_at: datetime
    revoked_at: datetime | None

    def allows(self, permission: Permission) -> bool:
        return self.revoked_at is None and permission in ALLOWED[self.role]


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: Role

    def allows(self, permission: Permission) -> bool:
        return permission in ALLOWED[self.role]


def secret_hash(text: str) -> str:
    """The SHA-256 of a key or session token, in hex: how it is stored (and looked up)."""
    return hashlib.sha256(text.encode()).hexdigest()


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` (hex) for ``password``.

    >>> stored = hash_password("correct horse", salt=bytes(16))
    >>> verify_password("correct horse", stored), verify_password("wrong", stored)
    (True, False)
    """
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if kind != "scrypt":
        return False
    found = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    return hmac.compare_digest(found.hex(), digest)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Access:
    """API keys, users and sessions of one database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- API keys ---------------------------------------------------------

    def create_key(self, role: Role | str, *, label: str | None = None) -> tuple[ApiKey, str]:
        """A new key; returns it and the full secret, which is shown once and never stored."""
        role = role_of(str(role))
        key_id = secrets.token_hex(6)
        token = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        created = _now()
        self.store.con.execute(
            f"INSERT INTO {API_KEYS_TABLE} VALUES (?, ?, ?, ?, ?, NULL)",
            [key_id, role.value, label, secret_hash(token), created],
        )
        return ApiKey(key_id, role, label, created, None), token

    def api_keys(self) -> list[ApiKey]:
        rows = self.store.con.execute(
            f"SELECT key_id, role, label, created_at, revoked_at FROM {API_KEYS_TABLE} ORDER BY created_at, key_id"
        ).fetchall()
        return [ApiKey(r[0], Role(r[1]), r[2], r[3], r[4]) for r in rows]

    def revoke_key(self, key_id: str) -> ApiKey:
        found = [k for k in self.api_keys() if k.key_id == key_id]
        if not found:
            raise ParameterError(f"no API key with id {key_id!r}", hint="`chatlift keys list` shows the ids")
        self.store.con.execute(
            f"UPDATE {API_KEYS_TABLE} SET revoked_at = coalesce(revoked_at, ?) WHERE key_id = ?", [_now(), key_id]
        )
        return next(k for k in self.api_keys() if k.key_id == key_id)

    def key_for(self, token: str) -> ApiKey | None:
        """The stored key that ``token`` is, or None (unknown, malformed or tampered)."""
        if not token.startswith(KEY_PREFIX):
            return None
        key_id, sep, _ = token[len(KEY_PREFIX):].partition("_")
        if not sep:
            return None
        row = self.store.con.execute(
            f"SELECT key_id, role, label, created_at, revoked_at, secret_hash FROM {API_KEYS_TABLE} WHERE key_id = ?",
            [key_id],
        ).fetchone()
        if row is None or not hmac.compare_digest(str(row[5]), secret_hash(token)):
            return None
        return ApiKey(row[0], Role(row[1]), row[2], row[3], row[4])

    # -- users and sessions -------------------------------------------------

    def add_user(self, username: str, password: str, *, role: Role | str = Role.ADMIN) -> User:
        role = role_of(str(role))
        if not _USERNAME.match(username):
            raise ParameterError(f"user name {username!r} is not allowed",
                                 hint="use 1–64 letters, digits and . _ @ -")
        if len(password) < MIN_PASSWORD:
            raise ParameterError(f"the password is shorter than {MIN_PASSWORD} characters",
                                 hint="choose a longer password (a passphrase of a few words is good)")
        if self.user(username) is not None:
            raise StoreError(f"user {username!r} exists already",
                             hint="choose another name, or `chatlift users password` to change the password")
        self.store.con.execute(f"INSERT INTO {USERS_TABLE} VALUES (?, ?, ?, ?)",
                               [username, role.value, hash_password(password), _now()])
        return User(username, role)

    def set_password(self, username: str, password: str) -> None:
        if self.user(username) is None:
            raise ParameterError(f"no user {username!r}", hint="`chatlift users list` shows them")
        if len(password) < MIN_PASSWORD:
            raise ParameterError(f"the password is shorter than {MIN_PASSWORD} characters",
                                 hint="choose a longer password")
        with self.store.transaction():
            self.store.con.execute(f"UPDATE {USERS_TABLE} SET password_hash = ? WHERE username = ?",
                                   [hash_password(password), username])
            self.store.con.execute(f"DELETE FROM {SESSIONS_TABLE} WHERE username = ?", [username])

    def remove_user(self, username: str) -> None:
        """Delete the user and end their sessions."""
        with self.store.transaction():
            self.store.con.execute(f"DELETE FROM {SESSIONS_TABLE} WHERE username = ?", [username])
            self.store.con.execute(f"DELETE FROM {USERS_TABLE} WHERE username = ?", [username])

    def user(self, username: str) -> User | None:
        row = self.store.con.execute(f"SELECT username, role FROM {USERS_TABLE} WHERE username = ?",
                                     [username]).fetchone()
        return User(row[0], Role(row[1])) if row else None

    def users(self) -> list[User]:
        rows = self.store.con.execute(f"SELECT username, role FROM {USERS_TABLE} ORDER BY username").fetchall()
        return [User(r[0], Role(r[1])) for r in rows]

    def login(self, username: str, password: str) -> str | None:
        """A new session token when the password is right, else None."""
        row = self.store.con.execute(f"SELECT password_hash FROM {USERS_TABLE} WHERE username = ?",
                                     [username]).fetchone()
        if row is None:
            hash_password(password)  # the same work as for a known user: no timing hint
            return None
        if not verify_password(password, str(row[0])):
            return None
        token = secrets.token_urlsafe(32)
        now = _now()
        self.store.con.execute(f"INSERT INTO {SESSIONS_TABLE} VALUES (?, ?, ?, ?)",
                               [secret_hash(token), username, now, now + timedelta(days=SESSION_DAYS)])
        return token

    def session_user(self, token: str) -> User | None:
        row = self.store.con.execute(
            f"SELECT u.username, u.role FROM {SESSIONS_TABLE} s JOIN {USERS_TABLE} u USING (username) "
            "WHERE s.session_hash = ? AND s.expires_at > ?", [secret_hash(token), _now()]
        ).fetchone()
        return User(row[0], Role(row[1])) if row else None

    def logout(self, token: str) -> None:
        self.store.con.execute(f"DELETE FROM {SESSIONS_TABLE} WHERE session_hash = ?", [secret_hash(token)])
