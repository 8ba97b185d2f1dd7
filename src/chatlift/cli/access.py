"""`chatlift keys` and `chatlift users`: who may use the HTTP API and the dashboard (see `chatlift.access`)."""

from __future__ import annotations

import secrets
import sys
from typing import Annotated

import orjson
import typer
from rich.table import Table as RichTable

from chatlift.access import Access, Role
from chatlift.cli.options import DbOption, err, open_workspace, out
from chatlift.errors import ParameterError

keys = typer.Typer(help="API keys for the HTTP API (stored only as hashes).", no_args_is_help=True)
users = typer.Typer(help="Dashboard users (passwords stored only as scrypt hashes).", no_args_is_help=True)

RoleOption = Annotated[Role, typer.Option("--role", help="ingest: send data; read: query and view; admin: both.")]


@keys.command("create")
def create_key(
    role: RoleOption,
    db: DbOption = None,
    label: Annotated[str | None, typer.Option("--label", help="What the key is for (e.g. 'shop webhook').")] = None,
) -> None:
    """Create an API key and print it once: it cannot be shown again."""
    with open_workspace(db, create=True) as ws:
        key, token = Access(ws.store).create_key(role, label=label)
    print(token)
    err.print(f"Created API key {key.key_id} (role {key.role.value}). It is printed once, above: store it now. "
              "Send it as 'Authorization: Bearer <key>'.")


@keys.command("list")
def list_keys(
    db: DbOption = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List API keys (ids, roles, labels, dates; never the secrets)."""
    with open_workspace(db, read_only=True) as ws:
        found = Access(ws.store).api_keys()
    rows = [{"key_id": k.key_id, "role": k.role.value, "label": k.label, "created_at": k.created_at,
             "revoked_at": k.revoked_at} for k in found]
    if json:
        sys.stdout.write(orjson.dumps(rows).decode() + "\n")
        return
    view = RichTable(title=f"API keys ({len(rows)})")
    for name in ("key_id", "role", "label", "created_at", "revoked_at"):
        view.add_column(name)
    for row in rows:
        view.add_row(*("" if v is None else str(v)[:19] for v in row.values()))
    out.print(view)


@keys.command("revoke")
def revoke_key(key_id: Annotated[str, typer.Argument(help="The key id (`chatlift keys list`).")],
               db: DbOption = None) -> None:
    """Revoke an API key: requests with it get 401 from then on."""
    with open_workspace(db) as ws:
        key = Access(ws.store).revoke_key(key_id)
    err.print(f"Revoked API key {key.key_id} (role {key.role.value}).")


def _password(generate: bool, from_stdin: bool) -> tuple[str, bool]:
    if generate and from_stdin:
        raise ParameterError("--generate-password and --password-stdin exclude each other", hint="choose one")
    if generate:
        return secrets.token_urlsafe(12), True
    if from_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Repeat it", hide_input=True) != first:
        raise ParameterError("the two passwords differ", hint="type the same password twice")
    return str(first), False


@users.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="Login name.")],
    db: DbOption = None,
    role: Annotated[Role, typer.Option("--role", help="read: view the dashboard; admin: also send data.")] = Role.ADMIN,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    generate_password: Annotated[bool, typer.Option("--generate-password",
                                                    help="Make up a password and print it once.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="If the user exists, give it this password and role "
                                                        "instead of failing.")] = False,
) -> None:
    """Add a dashboard user (asks for the password unless told otherwise)."""
    password, generated = _password(generate_password, password_stdin)
    with open_workspace(db, create=True) as ws:
        access = Access(ws.store)
        if reset and access.user(username) is not None:
            access.remove_user(username)
        user = access.add_user(username, password, role=role)
    if generated:
        print(password)
    err.print(f"Added user {user.username} (role {user.role.value})"
              + (". The password is printed once, above." if generated else "."))


@users.command("password")
def set_password(
    username: Annotated[str, typer.Argument(help="Login name.")],
    db: DbOption = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Change a user's password; their open sessions end."""
    password, _ = _password(False, password_stdin)
    with open_workspace(db) as ws:
        Access(ws.store).set_password(username, password)
    err.print(f"Changed the password of {username}; their sessions were ended.")


@users.command("list")
def list_users(db: DbOption = None) -> None:
    """List dashboard users and their roles."""
    with open_workspace(db, read_only=True) as ws:
        found = Access(ws.store).users()
    view = RichTable(title=f"users ({len(found)})")
    view.add_column("username")
    view.add_column("role")
    for user in found:
        view.add_row(user.username, user.role.value)
    out.print(view)


def register(app: typer.Typer) -> None:
    app.add_typer(keys, name="keys")
    app.add_typer(users, name="users")
