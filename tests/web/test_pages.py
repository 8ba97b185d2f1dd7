"""Every page loads in Chromium without a console error or a failed request, draws its charts, has
the landmarks and labelled controls it needs, and fits a phone's width; screenshots of each page
(desktop and phone) go to test-artifacts/web/."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from playwright.sync_api import BrowserContext, expect

from tests.web.conftest import PHONE, Site, charts_drawn, error_page, screenshot, watch

PAGES = {
    "overview": ("/", "Overview"),
    "sales": ("/sales", "Sales impact"),
    "service": ("/service", "Service"),
    "channels": ("/channels", "Channels"),
    "agents": ("/agents", "Agents & teams"),
    "experience": ("/experience", "Customer experience"),
}
CHARTS = {"overview": 1, "sales": 3, "service": 5, "channels": 4, "agents": 0, "experience": 6}
"""How many charts each page draws on the demo (none of them empty)."""


@pytest.mark.parametrize("key", list(PAGES))
def test_page_loads_clean_with_charts_and_fits_a_phone(key: str, site: Site, desktop: BrowserContext) -> None:
    path, title = PAGES[key]
    page = desktop.new_page()
    watched = watch(page)
    response = page.goto(site.url + path)
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text(title)
    charts_drawn(page)
    assert page.locator(".plot").count() == CHARTS[key]
    assert page.locator(".plot .main-svg").count() >= CHARTS[key]
    # landmarks, the menu marking this page, and every form control labelled
    for selector in ("header", "nav[aria-label=Pages]", "main#main", "form.filters"):
        assert page.locator(selector).count() == 1, selector
    expect(page.locator("nav a[aria-current=page]")).to_have_text(title)
    unlabelled = page.evaluate("""Array.from(document.querySelectorAll('input:not([type=hidden]), select'))
        .filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`))).map(e => e.name)""")
    assert unlabelled == []
    assert page.locator("th:not([scope])").count() == 0  # every table heading says what it heads
    # the menu keeps the filters
    assert all("from=" in (a.get_attribute("href") or "") for a in page.locator("nav a").all())
    screenshot(page, f"{key}-desktop")

    # the same page on a phone's screen: charts shrink with it, nothing is wider than the screen
    page.set_viewport_size(PHONE)
    page.wait_for_function(f"Array.from(document.querySelectorAll('.plot .main-svg'))"
                           f".every(s => s.getBoundingClientRect().width <= {PHONE['width']})")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide on a {width[1]} px screen"
    screenshot(page, f"{key}-phone")
    watched.assert_clean()


def test_empty_period_says_no_data(site: Site, desktop: BrowserContext) -> None:
    page = desktop.new_page()
    watched = watch(page)
    page.goto(f"{site.url}/?from=2019-01-01&to=2019-02-01")
    cards = page.locator("article.kpi")
    assert cards.count() > 0
    for card in cards.all():
        expect(card.locator(".kpi-empty")).to_be_visible()
    expect(page.locator("figure.chart .empty")).to_have_text("No data for this period and these filters.")
    page.goto(f"{site.url}/agents?from=2019-01-01&to=2019-02-01")
    expect(page.locator("main .empty").first).to_be_visible()
    watched.assert_clean()


def test_skipped_metric_shows_the_reason(site: Site, desktop: BrowserContext, period: tuple[date, date]) -> None:
    """NPS answers belong to no conversation, so a channel filter cannot apply: the card says why."""
    page = desktop.new_page()
    page.goto(f"{site.url}/?from={period[0]}&to={period[1]}&channel=chat")
    expect(page.locator("article.kpi[data-metric=nps] .kpi-empty")).to_contain_text("Not available here")


def test_bad_filter_value_is_explained(site: Site, desktop: BrowserContext) -> None:
    page, alert = error_page(desktop, f"{site.url}/service?from=2025-13-01", 400)
    expect(alert).to_contain_text("is not a date")
    expect(page.locator("form.filters")).to_be_visible()


def test_plotly_is_served_locally_and_cached(site: Site) -> None:
    page = httpx.get(site.url + "/login")
    assert "cdn" not in page.text.lower()
    from chatlift.web.routes import PLOTLY_URL

    found = httpx.get(site.url + PLOTLY_URL)
    assert found.status_code == 200 and found.headers["content-type"].startswith("text/javascript")
    assert "immutable" in found.headers["cache-control"]
    again = httpx.get(site.url + PLOTLY_URL, headers={"If-None-Match": found.headers["etag"]})
    assert again.status_code == 304
