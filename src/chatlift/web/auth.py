"""Signing in to the dashboard: ``/login``, ``/logout``, and ``/setup`` for the first user.

A session is a random token in an http-only, SameSite=Lax cookie (`SESSION_COOKIE`, the same one
the API accepts for reading). A page asked for without a session redirects to
``/login?next=<the page>``. While the database has no user, ``/login`` says how to create the
first one: the ``/setup?token=…`` link that `chatlift serve` prints, or `chatlift users add NAME`
with the server stopped.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chatlift.access import ALLOWED, MIN_PASSWORD, SESSION_DAYS, Permission
from chatlift.api.security import SESSION_COOKIE, Caller, service, session_caller
from chatlift.errors import ChatliftError
from chatlift.web.rendering import render

router = APIRouter(include_in_schema=False)


class SignInNeeded(Exception):
    """Raised by `signed_in` when the request has no valid session: answered with a redirect to /login."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


class NotAllowed(Exception):
    """The signed-in user's role may not read the dashboard (an ingest-only user)."""

    def __init__(self, caller: Caller) -> None:
        super().__init__(caller.name)
        self.caller = caller


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else ``/``: a login never redirects elsewhere.

    >>> safe_next("/agents?from=2025-01-01"), safe_next("//evil.example/"), safe_next("https://x.example")
    ('/agents?from=2025-01-01', '/', '/')
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def signed_in(request: Request) -> Caller:
    """The signed-in user allowed to read; otherwise a redirect to /login (or a 403 page)."""
    caller = session_caller(request)
    if caller is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInNeeded(target)
    if Permission.READ not in ALLOWED[caller.role]:
        raise NotAllowed(caller)
    return caller


SignedIn = Annotated[Caller, Depends(signed_in)]


def login_redirect(request: Request, error: SignInNeeded) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(error.target, safe='')}", status_code=303)


def not_allowed_page(request: Request, error: NotAllowed) -> HTMLResponse:
    return render(request, "message.html", {
        "title": "Not allowed", "user": error.caller,
        "message": f"User {error.caller.name} has the role {error.caller.role.value}, which may send data but "
                   "not view the dashboard.",
        "hint": "Sign in as a user with the role read or admin."}, status=403)


def _no_users(request: Request) -> bool:
    with service(request).access() as access:
        return not access.users()


def _login_page(request: Request, *, next_: str, error: str | None = None, username: str = "",
                status: int = 200) -> HTMLResponse:
    return render(request, "login.html", {"title": "Sign in", "next": safe_next(next_), "error": error,
                                          "username": username, "first_run": _no_users(request)}, status=status)


def _signed_in_response(request: Request, token: str, target: str) -> Response:
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_DAYS * 24 * 3600, path="/", httponly=True,
                        samesite="lax", secure=request.url.scheme == "https")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    if session_caller(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, next_=next)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/") -> Response:
    with service(request).access() as access:
        token = access.login(username.strip(), password) if username.strip() and password else None
    if token is None:
        return _login_page(request, next_=next, username=username, status=401,
                           error="The user name or the password is wrong." if username.strip() and password
                           else "Enter your user name and password.")
    return _signed_in_response(request, token, next)


@router.post("/logout")
def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        with service(request).access() as access:
            access.logout(token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


def _setup_problem(request: Request, token: str) -> HTMLResponse | None:
    """A page explaining why the setup form is not available, or None when it is."""
    if not _no_users(request):
        return render(request, "message.html", {
            "title": "Already set up", "message": "This dashboard has users already, so /setup is closed.",
            "hint": "Sign in; an administrator adds further users with `chatlift users add NAME`.",
            "link": ("/login", "Sign in")}, status=404)
    expected: str = request.app.state.setup_token
    if not secrets.compare_digest(token.encode(), expected.encode()):
        return render(request, "message.html", {
            "title": "Setup link not valid",
            "message": "This setup link is not the one of the running server (it changes at each start).",
            "hint": "Use the /setup?token=… link that `chatlift serve` printed when it started, or stop the "
                    "server and run `chatlift users add NAME`.", "link": ("/login", "Back to sign in")}, status=403)
    return None


@router.get("/setup", response_class=HTMLResponse)
def setup_form(request: Request, token: str = "") -> Response:
    problem = _setup_problem(request, token)
    if problem is not None:
        return problem
    return render(request, "setup.html", {"title": "Create the first user", "token": token, "error": None,
                                          "username": "", "min_password": MIN_PASSWORD})


@router.post("/setup", response_class=HTMLResponse)
def setup(request: Request, token: Annotated[str, Form()] = "", username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", confirm: Annotated[str, Form()] = "") -> Response:
    problem = _setup_problem(request, token)
    if problem is not None:
        return problem
    error = "The two passwords differ." if password != confirm else None
    if error is None:
        try:
            with service(request).access() as access:
                access.add_user(username.strip(), password, role="admin")
                session = access.login(username.strip(), password)
        except ChatliftError as failure:
            error = f"{failure.message}: {failure.hint}" if failure.hint else failure.message
        else:
            assert session is not None
            return _signed_in_response(request, session, "/")
    return render(request, "setup.html", {"title": "Create the first user", "token": token, "error": error,
                                          "username": username, "min_password": MIN_PASSWORD}, status=400)
