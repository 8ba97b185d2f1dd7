"""The dashboard in a real browser: Debian's Chromium driven by Playwright, a real uvicorn server over
a real DuckDB file holding the small demo, and a signed-in browser context.

The server runs in this process (a thread), so a test can compute its expectations independently
through the same `Workspace` (`Site.workspace()`, which takes the server's lock) or plain SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Playwright,
    Request,
    Response,
    ViewportSize,
    sync_playwright,
)

import chatlift
from chatlift.access import Access
from chatlift.api import create_app
from chatlift.api.security import SESSION_COOKIE
from chatlift.workspace import Workspace
from tests import serving

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
USER, PASSWORD = "tester", "a long test password"
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass
class Site:
    """A running server: its URL and the application (for the workspace behind it)."""

    url: str
    app: FastAPI
    setup_token: str

    @contextmanager
    def workspace(self) -> Iterator[Workspace]:
        with self.app.state.service.workspace() as ws:
            yield ws

    @contextmanager
    def access(self) -> Iterator[Access]:
        with self.app.state.service.access() as found:
            yield found

    def session(self) -> str:
        """A login session token for the test user, as the login form would set it."""
        with self.access() as access:
            token = access.login(USER, PASSWORD)
        assert token is not None
        return token


@contextmanager
def running(db: Path) -> Iterator[Site]:
    """A uvicorn server for ``db`` on a free port, until the block ends."""
    app = create_app(db, create=True)
    with serving.running(app) as url:
        yield Site(url, app, app.state.setup_token)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "demo.duckdb"
    with chatlift.connect(path, create=True) as ws:
        ws.generate_demo("small")
        Access(ws.store).add_user(USER, PASSWORD, role="read")
    return path


@pytest.fixture(scope="session")
def site(demo_db: Path) -> Iterator[Site]:
    with running(demo_db) as found:
        yield found


@pytest.fixture(scope="session")
def period(site: Site) -> tuple[date, date]:
    """The dashboard's default period, computed here: 28 days up to the day of the latest start (UTC)."""
    with site.workspace() as ws:
        row = ws.store.con.execute("SELECT max(started_at) FROM conversations").fetchone()
    assert row is not None
    end = row[0].date() + timedelta(days=1)
    return end - timedelta(days=28), end


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the dashboard tests drive Debian's Chromium. Run `make test`, "
                    "which installs it (apt-get install chromium).", pytrace=False)
    with sync_playwright() as found:
        yield found


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    found = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True,
        args=["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"])
    yield found
    found.close()


@dataclass
class Watched:
    """A page and what went wrong in it: console errors, uncaught exceptions, failed requests."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def assert_clean(self, *, expected: tuple[str, ...] = ()) -> None:
        """No problem, except those containing one of the ``expected`` texts."""
        found = [p for p in self.problems if not any(text in p for text in expected)]
        assert not found, "\n".join(found)


def watch(page: Page) -> Watched:
    watched = Watched(page)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watched.problems.append(f"console error: {message.text} ({message.location})")

    def failed(request: Request) -> None:
        if request.url.endswith("/favicon.svg") and "ERR_ABORTED" in (request.failure or ""):
            return  # the browser's own icon download, cut short when the test navigates on: not the page's
        watched.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def response(found: Response) -> None:
        if found.status >= 400:
            watched.problems.append(f"HTTP {found.status}: {found.request.method} {found.url}")

    page.on("console", console)
    page.on("pageerror", lambda error: watched.problems.append(f"page error: {error}"))
    page.on("requestfailed", failed)
    page.on("response", response)
    return watched


def signed_in_context(browser: Browser, site: Site, *, phone: bool = False) -> BrowserContext:
    """A browser context with the test user's session cookie (as after signing in)."""
    context = browser.new_context(viewport=PHONE if phone else DESKTOP, is_mobile=phone, has_touch=phone,
                                  device_scale_factor=1)
    context.add_cookies([{"name": SESSION_COOKIE, "value": site.session(), "url": site.url, "httpOnly": True,
                          "sameSite": "Lax"}])
    context.set_default_timeout(30_000)
    return context


@pytest.fixture
def desktop(browser: Browser, site: Site) -> Iterator[BrowserContext]:
    context = signed_in_context(browser, site)
    yield context
    context.close()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def error_page(context: BrowserContext, url: str, status: int) -> tuple[Page, Locator]:
    """Open ``url``, which must answer ``status``; the page and its alert (where the error is explained)."""
    page = context.new_page()
    response = page.goto(url)
    assert response is not None and response.status == status
    return page, page.locator("main [role=alert]")


def charts_drawn(page: Page) -> None:
    """Wait until plotly has drawn every chart container (each holds a ``.main-svg``)."""
    page.wait_for_function("Array.from(document.querySelectorAll('.plot')).every(p => p.querySelector('.main-svg'))")
