"""The overview's live panel follows today's data without a reload: conversations sent through the
ingestion API (`POST /v1/ingest/conversations`) appear in it within a few polls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from chatlift.metrics.definitions import Unit
from chatlift.units import value_text
from tests.web.conftest import PASSWORD, USER, Site, running, screenshot, signed_in_context, watch


@pytest.fixture(scope="module")
def today_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server over an empty database with the test user (data arrives during the test)."""
    path: Path = tmp_path_factory.mktemp("live") / "live.duckdb"
    with running(path) as found:
        with found.access() as access:
            access.add_user(USER, PASSWORD, role="read")
        yield found


def _conversations(now: datetime, count: int, first: int) -> list[dict[str, object]]:
    """``count`` chats that started a minute ago, each answered after 30 s and resolved."""
    start = now - timedelta(minutes=1)
    return [{"conversation_id": f"live-{first + i}", "channel": "chat", "started_at": start.isoformat(),
             "first_response_at": (start + timedelta(seconds=30)).isoformat(), "status": "resolved",
             "resolved_at": (start + timedelta(minutes=5)).isoformat(), "customer_id": f"cust-live-{i}"}
            for i in range(count)]


def test_live_panel_updates_in_place_when_conversations_arrive(today_site: Site, browser: Browser) -> None:
    context = signed_in_context(browser, today_site)
    page = context.new_page()
    watched = watch(page)
    page.goto(today_site.url + "/?refresh=1")
    panel = page.locator("#live")
    conversations = panel.locator('[data-live="conversations"] [data-live-value]')
    expect(conversations).to_have_text("0")
    expect(panel.locator(".live-grid")).to_have_attribute("aria-live", "polite")
    page.evaluate("window.stillTheSamePage = true")

    with today_site.access() as access:
        _, key = access.create_key("ingest", label="live test")
    now = datetime.now(UTC).replace(microsecond=0)
    with httpx.Client(base_url=today_site.url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
        answer = client.post("/v1/ingest/conversations", json=_conversations(now, 3, 0))
        assert answer.status_code == 200, answer.text
        expect(conversations).to_have_text("3", timeout=20_000)
        expect(panel.locator('[data-live="first_response_time"] [data-live-value]')).to_have_text(
            value_text(Unit.SECONDS, 30.0))
        expect(panel.locator('[data-live="first_response_time"] [data-live-n]')).to_have_text("3")

        answer = client.post("/v1/ingest/conversations", json=_conversations(now, 2, 3))
        assert answer.status_code == 200, answer.text
        expect(conversations).to_have_text("5", timeout=20_000)
    assert page.evaluate("window.stillTheSamePage") is True  # updated in place, not reloaded
    expect(panel.locator("[data-live-status]")).to_contain_text("updated")
    screenshot(page, "overview-live")
    watched.assert_clean()
    context.close()
