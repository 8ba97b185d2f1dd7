"""The numbers on the pages are the library's: a filter changes them to what `Workspace.report` gives
for that filter, and a drill-down lists exactly the records behind a number (checked against SQL
written here, independently of the metric engine)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from chatlift.metrics import REGISTRY
from chatlift.units import value_text
from tests.web.conftest import Site, screenshot, watch

SERVICE_CARDS = ("first_response_time", "sla_attainment", "resolution_rate", "missed_rate")


def _library(site: Site, keys: tuple[str, ...], period: tuple[date, date],
             **options: Any) -> dict[tuple[str, ...], Any]:
    with site.workspace() as ws:
        table = ws.report(list(keys), start=period[0], end=period[1], timezone="UTC", **options)
    return {(r["metric"], *(r[b] for b in options.get("by", ()))): r for r in table.to_pylist()}


def _card_texts(page: Page, keys: tuple[str, ...]) -> dict[str, str]:
    return {k: page.locator(f"article.kpi[data-metric={k}] .kpi-value").inner_text().strip() for k in keys}


def test_channel_filter_changes_the_numbers_to_the_librarys(site: Site, desktop: BrowserContext,
                                                            period: tuple[date, date]) -> None:
    page = desktop.new_page()
    watched = watch(page)
    page.goto(f"{site.url}/service?from={period[0]}&to={period[1]}")
    everyone = _library(site, SERVICE_CARDS, period)
    shown = _card_texts(page, SERVICE_CARDS)
    assert shown == {k: value_text(REGISTRY[k].unit, everyone[(k,)]["value"]) for k in SERVICE_CARDS}
    n = page.locator("article.kpi[data-metric=first_response_time] .kpi-n").inner_text()
    assert n == f"{everyone[('first_response_time',)]['n']:,}"

    page.select_option("#f-channel", "chat")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    assert "channel=chat" in page.url
    chat = _library(site, SERVICE_CARDS, period, filters={"channel": ("chat",)})
    filtered = _card_texts(page, SERVICE_CARDS)
    assert filtered == {k: value_text(REGISTRY[k].unit, chat[(k,)]["value"]) for k in SERVICE_CARDS}
    assert all(filtered[k] != shown[k] for k in SERVICE_CARDS)
    # the filter stays selected, and the menu carries it to the other pages
    assert page.locator("#f-channel").input_value() == "chat"
    assert all("channel=chat" in (a.get_attribute("href") or "") for a in page.locator("nav a").all())
    watched.assert_clean()


def test_channel_table_shows_the_librarys_figures(site: Site, desktop: BrowserContext,
                                                  period: tuple[date, date]) -> None:
    page = desktop.new_page()
    page.goto(f"{site.url}/channels?from={period[0]}&to={period[1]}")
    keys = ("csat", "resolution_rate", "first_response_time")
    expected = _library(site, keys, period, by=["channel"])
    for (key, channel), row in expected.items():
        cell = page.locator(f"td[data-metric={key}][data-group={channel}]")
        assert cell.inner_text().startswith(value_text(REGISTRY[key].unit, row["value"])), (key, channel)


def _utc(day: date) -> datetime:
    return datetime.combine(day, time())


def _csv_ids(page: Page, href: str, column: str) -> list[str]:
    found = page.request.get(href)
    assert found.status == 200, found.text()
    return [row[column] for row in csv.DictReader(io.StringIO(found.text()))]


def test_drilldown_lists_exactly_the_conversations_behind_a_number(site: Site, desktop: BrowserContext,
                                                                   period: tuple[date, date]) -> None:
    page = desktop.new_page()
    watched = watch(page)
    page.goto(f"{site.url}/agents?from={period[0]}&to={period[1]}")
    agent = "agt_0008"
    link = page.locator(f"#agent-table tr[data-group={agent}] td[data-metric=resolution_rate] a.n")
    with page.expect_navigation():
        link.click()
    assert "/conversations?" in page.url and "group=agent%3Dagt_0008" in page.url

    n = _library(site, ("resolution_rate",), period, by=["agent"])[("resolution_rate", agent)]["n"]
    expect(page.locator("[data-count]")).to_have_text(f"{n:,}")
    listed = sorted(page.locator("#records tbody [data-id]").all_inner_texts())
    # resolution_rate counts conversations with a final status that started in the period
    with site.workspace() as ws:
        rows = ws.store.con.execute(
            "SELECT conversation_id FROM conversations WHERE agent_id = ? AND started_at >= ? AND started_at < ? "
            "AND status IN ('resolved', 'unresolved', 'missed') ORDER BY conversation_id",
            [agent, _utc(period[0]), _utc(period[1])]).fetchall()
    assert listed == [r[0] for r in rows]
    assert len(listed) == n
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    assert href is not None and href.startswith("/v1/drilldown.csv?")
    assert sorted(_csv_ids(page, site.url + href, "conversation_id")) == listed
    screenshot(page, "conversations-desktop")
    watched.assert_clean()


def test_drilldown_of_csat_lists_the_rated_conversations(site: Site, desktop: BrowserContext,
                                                         period: tuple[date, date]) -> None:
    team = "phone"
    page = desktop.new_page()
    page.goto(f"{site.url}/conversations?metric=csat&group=team%3D{team}&from={period[0]}&to={period[1]}")
    n = _library(site, ("csat",), period, by=["team"])[("csat", team)]["n"]
    expect(page.locator("[data-count]")).to_have_text(f"{n:,}")
    with site.workspace() as ws:
        rows = ws.store.con.execute(
            "SELECT DISTINCT c.conversation_id FROM survey_responses s JOIN conversations c USING (conversation_id) "
            "WHERE s.survey = 'csat' AND s.scale IS NULL AND c.team = ? AND c.started_at >= ? AND c.started_at < ? "
            "ORDER BY 1", [team, _utc(period[0]), _utc(period[1])]).fetchall()
    assert sorted(page.locator("#records tbody [data-id]").all_inner_texts()) == [r[0] for r in rows]


def test_every_linked_number_opens_its_list(site: Site, desktop: BrowserContext, period: tuple[date, date]) -> None:
    """Each metric whose numbers the agents and channels pages link has a list behind it (the page's list
    is the API's drill-down with the same query; asked here for one record to be quick)."""
    page = desktop.new_page()
    queries: dict[str, str] = {}
    for path in ("/agents", "/channels"):
        page.goto(f"{site.url}{path}?from={period[0]}&to={period[1]}")
        for link in page.locator("main table a[href^='/conversations?']").all():
            query = (link.get_attribute("href") or "").split("?", 1)[1]
            queries.setdefault(query.split("metric=")[1].split("&")[0], query)
    assert {"resolution_rate", "csat", "first_response_time", "chat_conversion_rate", "chat_customer_value"} \
        <= set(queries)
    for metric, query in queries.items():
        found = page.request.get(f"{site.url}/v1/drilldown?{query}&limit=1")  # no filter: the same parameters
        assert found.status == 200, (metric, found.text()[:500])


def test_tables_sort_by_keyboard(site: Site, desktop: BrowserContext, period: tuple[date, date]) -> None:
    page = desktop.new_page()
    page.goto(f"{site.url}/agents?from={period[0]}&to={period[1]}")
    table = page.locator("#agent-table")
    heading = table.locator("thead th").nth(2)  # first response time
    heading.locator("button").focus()
    page.keyboard.press("Enter")
    expect(heading).to_have_attribute("aria-sort", "ascending")
    expect(table.locator("thead th").first).to_have_attribute("aria-sort", "none")

    def column() -> list[float]:
        values = table.locator("tbody tr td:nth-of-type(2)").evaluate_all("cells => cells.map(c => c.dataset.sortValue)")
        return [float(v) for v in values if v]

    assert column() == sorted(column())
    page.keyboard.press("Enter")
    expect(heading).to_have_attribute("aria-sort", "descending")
    assert column() == sorted(column(), reverse=True)
