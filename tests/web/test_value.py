"""The value page in Chromium over the small demo (subscriptions, orders, costs and the realtime_support
experiment with a revenue metric): it loads clean, draws every chart, fits a phone, and shows the numbers of
`Workspace.churn`, `retention_cohorts`, `clv` and `roi` for the same options, formatted here independently of
the page's code."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from chatlift.errors import ParameterError
from chatlift.value import ChurnResult, ClvResult, CohortResult, Estimate, RoiResult
from tests.web.conftest import PHONE, Site, charts_drawn, error_page, screenshot, watch

EXPERIMENT = "realtime_support"  # the demo's experiment; revenue is one of its primary metrics
LABELS = {("all", "all"): "All customers", ("chatted", "yes"): "Chatted", ("chatted", "no"): "Did not chat",
          ("csat_band", "detractor"): "CSAT detractor (1–2)", ("csat_band", "neutral"): "CSAT neutral (3)",
          ("csat_band", "satisfied"): "CSAT satisfied (4–5)", ("csat_band", "none"): "No CSAT answer"}


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f} %"


def _money(v: float | None) -> str:
    return "–" if v is None else f"{v:,.2f}"


def _with_span(e: Estimate | None) -> str:
    """A share and its interval as the table cell reads (value, then the interval below it)."""
    if e is None:
        return "––"
    span = "–" if e.lower is None or e.upper is None else f"{_pct(e.lower)} – {_pct(e.upper)}"
    return _pct(e.value) + span


FIT_TOLERANCE = 1e-4
"""Relative: the server's BG/NBD/Gamma-Gamma fit and ours read the same rows in another order (DuckDB groups in
parallel), so L-BFGS-B stops at points ≈ 1e-6 apart (seen over repeated fits of the demo); 1e-4 leaves room."""


def near(shown: str, value: float | None, *, rel: float = 1e-9) -> bool:
    """``shown`` (``1,234.50``, ``2.7 %``, ``+1.4 %``, ``0.7531``, ``1.2e-05``) is ``value`` to its last shown
    digit, up to a relative ``rel`` (1e-9 by default: sums that DuckDB adds in another order)."""
    if value is None:
        return shown == "–"
    text = shown.replace(",", "").replace("%", "").strip()
    match = re.fullmatch(r"([+-]?\d+(?:\.(\d+))?)(?:e([+-]?\d+))?", text)
    assert match, f"not a number: {shown!r}"
    number = float(match.group(0))
    half_unit = 0.5 * 10.0 ** (-len(match.group(2) or "") + int(match.group(3) or 0))
    scale = 100.0 if "%" in shown else 1.0
    return abs(number - value * scale) <= half_unit * (1 + 1e-9) + rel * abs(value * scale)


def history_start(start: date, end: date, months: int = 6) -> date:
    """The 1st of the month `months` before ``end`` (or of ``start``'s month when earlier)."""
    index = end.year * 12 + end.month - 1 - months
    back = date(index // 12, index % 12 + 1, 1)
    return min(back, start.replace(day=1))


GROUP_CELLS = """sel => Object.fromEntries(Array.from(document.querySelectorAll(sel + ' tbody tr')).map(tr =>
    [tr.dataset.split + '/' + tr.dataset.group, Object.fromEntries(Array.from(tr.cells).map(td =>
        [td.className.replace('num', '').trim() || 'label', td.textContent.trim()]))]))"""
ROW_TEXTS = """sel => Array.from(document.querySelectorAll(sel + ' tbody tr')).map(tr =>
    Array.from(tr.cells).map(c => c.textContent.trim()))"""


def group_cells(page: Page, table: str) -> dict[str, dict[str, str]]:
    """Each row of a group table (by ``split/group``): its cells' text by class (the heading as ``label``)."""
    found: dict[str, dict[str, str]] = page.evaluate(GROUP_CELLS, table)
    return found


def row_texts(page: Page, table: str) -> list[list[str]]:
    found: list[list[str]] = page.evaluate(ROW_TEXTS, table)
    return found


def check_churn(page: Page, result: ChurnResult) -> None:
    (period,) = result.periods
    mrr = result.basis == "subscriptions"
    shown = group_cells(page, "table.churn")
    assert {g.split for g in period.groups} == {"all", "chatted", "csat_band"}
    assert list(shown) == [f"{g.split}/{g.group}" for g in period.groups]
    for g in period.groups:
        cells = {"label": LABELS[(g.split, g.group)], "customers": f"{g.customers:,}", "lost": f"{g.lost:,}",
                 "churn-rate": _with_span(g.churn_rate)}
        if mrr:
            cells |= {"revenue-churn": _with_span(g.revenue_churn),
                      "gross-retention": _with_span(g.gross_revenue_retention),
                      "net-retention": _with_span(g.net_revenue_retention)}
        assert shown[f"{g.split}/{g.group}"] == cells
    assert page.locator("table.churn thead th").count() == (7 if mrr else 4)
    expect(page.locator("#churn .basis")).to_have_text(result.basis)


def check_trend(page: Page, trend: ChurnResult) -> None:
    """The monthly trend's data table: one row per month, churn of all / chatted / did not chat."""
    rows = row_texts(page, "#churn-trend")
    assert len(rows) == len(trend.periods)
    for row, p in zip(rows, trend.periods):
        assert row[1:] == [_pct(p.group(s, g).churn_rate.value)
                           for s, g in (("all", "all"), ("chatted", "yes"), ("chatted", "no"))]


def check_cohorts(page: Page, result: CohortResult) -> None:
    for (split, group), key in {("all", "all"): "all", ("chatted", "yes"): "yes", ("chatted", "no"): "no"}.items():
        rows = sorted((r for r in result.rows if (r.split, r.group) == (split, group)), key=lambda r: r.cohort)
        assert rows, f"no cohort for {split}={group}"
        assert row_texts(page, f"#cohorts-{key}") == [[r.cohort, *(_pct(s.value) if s else "–" for s in r.share)]
                                                      for r in rows]
        assert all(r.share[0] is not None and r.share[0].value == 1.0 for r in rows)
        assert rows[-1].share[-1] is None or len(rows) == 1, "the last cohort is not fully observed: empty cells"


def check_clv(page: Page, result: ClvResult) -> None:
    bg, gg = result.bgnbd, result.gamma_gamma
    assert gg is not None
    parameters: dict[str, str] = page.evaluate("""() => Object.fromEntries(Array.from(
        document.querySelectorAll('[data-parameter]')).map(e => [e.dataset.parameter, e.textContent.trim()]))""")
    for name, value in (("bgnbd-r", bg.r), ("bgnbd-alpha", bg.alpha), ("bgnbd-a", bg.a), ("bgnbd-b", bg.b),
                        ("gg-p", gg.p), ("gg-q", gg.q), ("gg-gamma", gg.gamma)):
        assert near(parameters[name], value, rel=FIT_TOLERANCE), (name, parameters[name], value)
    assert parameters["bgnbd-customers"] == f"{bg.customers:,} ({bg.repeat_buyers:,})"
    assert {g.split for g in result.groups} == {"all", "chatted", "csat_band", "segment"}
    shown = group_cells(page, "table.clv-groups")
    assert list(shown) == [f"{g.split}/{g.group}" for g in result.groups]
    for g in result.groups:
        cells = shown[f"{g.split}/{g.group}"]
        assert cells["customers"] == f"{g.customers:,}"
        assert cells["historical"] == _money(g.historical_value)  # sums of amounts: no fit involved
        fitted: dict[str, float | None] = {"purchases": g.predicted_purchases, "alive": g.probability_alive,
                                           "order-value": g.expected_order_value, "predicted": g.predicted_value}
        for name, expected in fitted.items():
            assert near(cells[name], expected, rel=FIT_TOLERANCE), (g.split, g.group, name, cells[name], expected)
    if result.holdout is None:
        expect(page.locator("#clv .no-holdout")).to_be_visible()
    else:
        h = result.holdout
        expect(page.locator("#clv .holdout-total")).to_contain_text(f"{h.actual_total:,} happened")
        total = " ".join((page.locator("#clv .holdout-total").text_content() or "").split())
        found = re.search(r"Predicted ([\d,.]+) purchases from (\S+)", total)
        assert found and found.group(2) == result.calibration_end.isoformat(), total
        assert near(found.group(1), h.predicted_total, rel=FIT_TOLERANCE), (total, h.predicted_total)
        rows = row_texts(page, "table.holdout")
        assert [r[:2] for r in rows] == [[b.frequency, f"{b.customers:,}"] for b in h.by_frequency]
        for row, b in zip(rows, h.by_frequency):
            assert near(row[2], b.predicted, rel=FIT_TOLERANCE) and row[3] == f"{b.actual:.2f}", (row, b)


def check_roi(page: Page, result: RoiResult) -> None:
    expect(page.locator("[data-roi=cost]")).to_have_text(_money(result.cost))
    expect(page.locator("[data-roi=cost_per_conversation]")).to_have_text(_money(result.cost_per_conversation))
    expect(page.locator("[data-roi=cost_per_resolution]")).to_have_text(_money(result.cost_per_resolution))
    assert page.locator(".roi-value").count() == len(result.values)
    for v in result.values:
        card = page.locator(f".roi-value[data-source={v.source}]")
        expect(card.locator(".kind")).to_have_text("Causal" if v.causal else "Correlational")
        expect(card.locator("h3")).to_contain_text("(causal)" if v.causal else "(correlational)")
        value = card.locator("dd.value").text_content() or ""
        assert near(value.split("95 %")[0], v.value.value), (value, v.value)
        if v.value.lower is not None and v.value.upper is not None:
            low, high = value.split("95 % interval ")[1].split(" – ")
            assert near(low, v.value.lower) and near(high, v.value.upper), (value, v.value)
        roi = (card.locator("dd.roi").text_content() or "").split("95 %")[0]
        assert near(roi, v.roi.value), (roi, v.roi)
        payback = "never at this rate" if v.payback_months is None else f"{v.payback_months:.1f} months"
        expect(card.locator("dd.payback")).to_have_text(payback)


def fits_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    page.wait_for_function(f"Array.from(document.querySelectorAll('.plot .main-svg'))"
                           f".every(s => s.getBoundingClientRect().width <= {PHONE['width']})")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide on a {width[1]} px screen"


def test_value_page_shows_the_library_figures_and_follows_the_options(
        site: Site, desktop: BrowserContext, period: tuple[date, date]) -> None:
    start, end = period
    page = desktop.new_page()
    watched = watch(page)
    response = page.goto(site.url + "/value")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text("Value")
    expect(page.locator("nav a[aria-current=page]")).to_have_text("Value")
    charts_drawn(page)
    # churn by group and revenue retention (subscriptions), the trend, three cohort maps, CLV, ROI
    assert page.locator(".plot").count() == 8
    assert page.locator(".plot .main-svg").count() >= 8
    expect(page.locator("#v-basis")).to_have_value("subscriptions")  # the demo has subscriptions
    expect(page.locator("#v-cohort-basis")).to_have_value("orders")
    expect(page.locator("#v-experiment")).to_have_value(EXPERIMENT)

    history = history_start(start, end)
    with site.workspace() as ws:
        churn = ws.churn(start, end, basis="subscriptions")
        trend = ws.churn(history, end, basis="subscriptions", every="month")
        cohorts = ws.retention_cohorts(history, end, basis="orders")  # cohorts by first order: the demo has orders
        clv = ws.clv(end, horizon=52)
        roi = ws.roi(start, end, experiment=EXPERIMENT)
    assert len(trend.periods) >= 6
    check_churn(page, churn)
    check_trend(page, trend)
    check_cohorts(page, cohorts)
    check_clv(page, clv)
    check_roi(page, roi)
    assert [v.source for v in roi.values] == ["chat_attributed", "experiment"]
    expect(page.locator("#churn > .summary").first).to_contain_text("Correlational")

    # accessible markup: scoped headers, labelled controls, charts with text alternatives
    assert page.locator("th:not([scope])").count() == 0
    unlabelled = page.evaluate("""Array.from(document.querySelectorAll('input:not([type=hidden]), select'))
        .filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`))).map(e => e.name)""")
    assert unlabelled == []
    assert page.locator(".plot[role=img][aria-label]").count() == page.locator(".plot").count()
    assert page.locator("figure.chart details.data table").count() == page.locator(".plot").count()
    screenshot(page, "value-desktop")

    # another period, the orders basis, and a calibration end inside the period (a holdout check)
    new_start, new_end = end - timedelta(days=120), end - timedelta(days=28)
    calibration = new_end - timedelta(days=42)
    page.fill("#f-from", new_start.isoformat())
    page.fill("#f-to", new_end.isoformat())
    page.select_option("#v-basis", "orders")
    page.select_option("#v-months", "3")
    page.fill("#v-calibration", calibration.isoformat())
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**basis=orders**")
    charts_drawn(page)
    assert page.locator(".plot").count() == 7  # no revenue-retention chart without subscriptions
    history = history_start(new_start, new_end, months=3)
    with site.workspace() as ws:
        churn2 = ws.churn(new_start, new_end, basis="orders", inactivity_days=90)
        trend2 = ws.churn(history, new_end, basis="orders", inactivity_days=90, every="month")
        cohorts2 = ws.retention_cohorts(history, new_end, basis="orders")
        clv2 = ws.clv(calibration, horizon=52, holdout_end=new_end)
        roi2 = ws.roi(new_start, new_end, experiment=EXPERIMENT)
    check_churn(page, churn2)
    check_trend(page, trend2)
    check_cohorts(page, cohorts2)
    check_clv(page, clv2)
    check_roi(page, roi2)
    assert clv2.holdout is not None
    assert churn2.periods[0].group().churn_rate.value != churn.periods[0].group().churn_rate.value
    assert roi2.cost != roi.cost and clv2.bgnbd.customers != clv.bgnbd.customers
    screenshot(page, "value-orders-holdout-desktop")
    fits_a_phone(page)
    screenshot(page, "value-phone")
    watched.assert_clean()


def test_a_fit_the_data_cannot_support_shows_the_hint(site: Site, desktop: BrowserContext) -> None:
    with site.workspace() as ws:
        row = ws.store.con.execute("SELECT min(ordered_at) FROM orders").fetchone()
        assert row is not None
        calibration = row[0].date() + timedelta(days=2)
        with pytest.raises(ParameterError) as failure:
            ws.clv(calibration)
    page = desktop.new_page()
    watched = watch(page)
    response = page.goto(f"{site.url}/value?calibration_end={calibration.isoformat()}&experiment=none&months=3&basis=orders")
    assert response is not None and response.status == 200
    alert = page.locator("#clv [role=alert]")
    expect(alert).to_contain_text(failure.value.message)
    assert failure.value.hint
    expect(alert).to_contain_text(failure.value.hint[1:])
    charts_drawn(page)
    assert page.locator("#clv-by-group").count() == 0
    assert page.locator(".roi-value").count() == 1  # correlational only: the experiment was switched off
    expect(page.locator("#roi .no-experiment")).to_contain_text("no experiment is chosen")
    watched.assert_clean()


def test_bad_option_is_a_400_and_the_page_needs_sign_in(site: Site, desktop: BrowserContext) -> None:
    _, alert = error_page(desktop, f"{site.url}/value?basis=subscription", 400)
    expect(alert).to_contain_text("basis = 'subscription' is not a basis")
    expect(alert).to_contain_text("subscriptions")
    found = httpx.get(site.url + "/value", follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"].startswith("/login")
