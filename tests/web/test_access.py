"""Signing in: pages need a session, a wrong password is refused with a message, the first run explains
how to create the first user and /setup creates it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.web.conftest import DESKTOP, PASSWORD, USER, Site, running, screenshot, watch


def test_pages_need_a_session_and_a_wrong_password_is_refused(site: Site, browser: Browser) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    watched = watch(page)
    target = "/sales?from=2025-12-04&to=2026-01-01&channel=chat"
    page.goto(site.url + target)
    assert page.url == f"{site.url}/login?next={quote(target, safe='')}"
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.get_by_label("User name").fill(USER)
    page.get_by_label("Password").fill("not the password")
    with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 401
    expect(page.get_by_role("alert")).to_have_text("The user name or the password is wrong.")
    expect(page.get_by_label("User name")).to_have_value(USER)
    screenshot(page, "login-wrong-password")

    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url == site.url + target  # back where the reader wanted to go
    cookie = next(c for c in context.cookies() if c["name"] == "chatlift_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert page.url.startswith(site.url + "/login")
    page.goto(site.url + "/agents")
    assert page.url.startswith(site.url + "/login?next=")
    watched.assert_clean(expected=("status of 401", "HTTP 401: POST"))  # the refused sign-in (the browser logs it)
    context.close()


def test_live_figures_need_a_session(site: Site) -> None:
    assert httpx.get(site.url + "/live.json").status_code == 401


def test_login_never_redirects_to_another_site(site: Site) -> None:
    with site.access() as access:
        assert access.user(USER) is not None
    answer = httpx.post(site.url + "/login", data={"username": USER, "password": PASSWORD,
                                                   "next": "//evil.example/"})
    assert answer.status_code == 303 and answer.headers["location"] == "/"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server over a new, empty database: no user, no data."""
    path: Path = tmp_path_factory.mktemp("fresh") / "empty.duckdb"
    with running(path) as found:
        yield found


def test_first_run_explains_and_setup_creates_the_first_user(fresh: Site, browser: Browser) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    watched = watch(page)
    page.goto(fresh.url + "/")
    assert "/login" in page.url
    notice = page.locator("section.notice")
    expect(notice).to_contain_text("No user yet")
    expect(notice).to_contain_text("/setup?token=")
    expect(notice).to_contain_text("chatlift users add NAME")
    screenshot(page, "login-first-run")

    refused = page.goto(fresh.url + "/setup?token=wrong")
    assert refused is not None and refused.status == 403
    expect(page.locator("h1")).to_have_text("Setup link not valid")

    page.goto(f"{fresh.url}/setup?token={fresh.setup_token}")
    page.get_by_label("User name").fill("owner")
    page.get_by_label("Password", exact=True).fill("owner's long password")
    page.get_by_label("Password again").fill("owner's long password")
    with page.expect_navigation():
        page.get_by_role("button", name="Create user and sign in").click()
    assert page.url.startswith(fresh.url + "/?") or page.url == fresh.url + "/"
    expect(page.locator("h1")).to_have_text("Overview")
    # an empty database: every card says there is no data, nothing fails
    for card in page.locator("article.kpi").all():
        expect(card.locator(".kpi-empty")).to_be_visible()
    screenshot(page, "overview-empty")

    closed = page.goto(f"{fresh.url}/setup?token={fresh.setup_token}")
    assert closed is not None and closed.status == 404
    expect(page.locator("h1")).to_have_text("Already set up")
    watched.assert_clean(expected=("/setup?token=",))  # the two refusals above, as the browser logs them
    context.close()
