"""The experiment pages in Chromium over the small demo (its realtime_support experiment, ≈ 1 200 units):
they load clean, draw their charts, fit a phone, and show the numbers of `Workspace.analyze` for the
same reading options, formatted here independently of the page's code."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import BrowserContext, Page, expect

from chatlift.experiments import Comparison, ExperimentResult
from tests.web.conftest import PHONE, Site, charts_drawn, error_page, screenshot, watch

KEY = "realtime_support"
PEEKING = "Looking every day and stopping at the first significant result"


def _lift(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:+.1f} %"


def _mean(statistic: str, v: float | None) -> str:
    if v is None:
        return "–"
    return f"{100 * v:.1f} %" if statistic == "proportion" else f"{v:,.3f}"


def _absolute(statistic: str, v: float | None) -> str:
    if v is None:
        return "–"
    return f"{100 * v:+.2f} pt" if statistic == "proportion" else f"{v:+,.3f}"


def _p(v: float | None) -> str:
    return "–" if v is None else ("< 0.0001" if v < 0.0001 else f"{v:.4f}")


def analyze(site: Site, **overrides: Any) -> ExperimentResult:
    with site.workspace() as ws:
        return ws.analyze(KEY, **overrides)


def fits_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    page.wait_for_function(f"Array.from(document.querySelectorAll('.plot .main-svg'))"
                           f".every(s => s.getBoundingClientRect().width <= {PHONE['width']})")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide on a {width[1]} px screen"


def check_rows(page: Page, result: ExperimentResult, *, bayesian: bool = False) -> None:
    """Every comparison's row shows the library's numbers."""
    rows = page.locator("table.lifts tbody tr")
    assert rows.count() == len(result.results)
    for c in result.results:
        row = page.locator(f"table.lifts tr[data-metric='{c.metric}'][data-variant='{c.variant}']")
        expected = expected_cells(c)
        for cell, text in expected.items():
            expect(row.locator(f"td.{cell}")).to_have_text(text)
        if bayesian:
            assert c.chance_to_win is not None
            expect(row.locator("td.chance")).to_have_text(f"{100 * c.chance_to_win:.1f} %")
        expect(page.locator(f".comparison-verdicts li[data-metric='{c.metric}'][data-variant='{c.variant}']")) \
            .to_contain_text(c.verdict)


def expected_cells(c: Comparison) -> dict[str, str]:
    rel, ab = c.relative, c.absolute
    return {
        "control-mean": f"{_mean(c.statistic, c.control_mean)}n = {c.control_units:,}",
        "treatment-mean": f"{_mean(c.statistic, c.treatment_mean)}n = {c.treatment_units:,}",
        "absolute": f"{_absolute(c.statistic, ab.lift)}"
                    f"{_absolute(c.statistic, ab.lower)} to {_absolute(c.statistic, ab.upper)}",
        "relative": f"{_lift(rel.lift)}{_lift(rel.lower)} to {_lift(rel.upper)}",
        "p-value": _p(c.p_value),
        "p-adjusted": _p(c.p_value_adjusted) + ("significant" if c.significant else ""),
    }


def test_list_shows_every_experiment_with_units_and_srm(site: Site, desktop: BrowserContext) -> None:
    page = desktop.new_page()
    watched = watch(page)
    response = page.goto(site.url + "/experiments")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text("Experiments")
    expect(page.locator("nav a[aria-current=page]")).to_have_text("Experiments")
    with site.workspace() as ws:
        (summary,) = [s for s in ws.experiments() if s.key == KEY]
    result = analyze(site)
    row = page.locator(f"tr[data-experiment={KEY}]")
    expect(row.locator("th a")).to_have_attribute("href", f"/experiments/{KEY}")
    expect(row.locator("td").nth(0)).to_have_text("customer")
    for variant, units in summary.variants.items():
        expect(row.locator("td.variants")).to_contain_text(f"{variant}: {units:,}")
    assert summary.first_exposure is not None
    expect(row.locator("td").nth(2)).to_have_text(summary.first_exposure.strftime("%Y-%m-%d %H:%M"))
    assert not result.srm.mismatch
    expect(row.locator("td.srm")).to_have_text(f"OK (p = {result.srm.p_value:.2g})")
    assert page.locator("th:not([scope])").count() == 0
    screenshot(page, "experiments-desktop")
    fits_a_phone(page)
    screenshot(page, "experiments-phone")
    watched.assert_clean()


def test_experiment_page_shows_the_library_read_out(site: Site, desktop: BrowserContext) -> None:
    page = desktop.new_page()
    watched = watch(page)
    response = page.goto(f"{site.url}/experiments/{KEY}?bayesian=1&correction=bh")
    assert response is not None and response.status == 200
    charts_drawn(page)
    result = analyze(site, bayesian=True, correction="bh")
    primary = [c for c in result.results if c.primary]
    # the forest plot, then one cumulative chart per primary metric
    assert page.locator(".plot").count() == 1 + len({c.metric for c in primary})
    assert page.locator(".plot .main-svg").count() >= 3
    expect(page.locator("#trend-goal-trial_started figcaption h3")).to_have_text("Cumulative lift: goal:trial_started")
    check_rows(page, result, bayesian=True)
    expect(page.locator(".verdict-text")).to_have_text(result.verdict)
    for note in result.notes:
        expect(page.locator(".verdict .caveats")).to_contain_text(note)
    expect(page.locator(".verdict .caveats")).to_contain_text(PEEKING)
    expect(page.locator("dd.srm-status")).to_have_text(f"OK (p = {result.srm.p_value:.2g})")
    assert page.locator("#srm[role=alert]").count() == 0
    # the options are in the form, labelled, and the JSON twin link keeps them
    expect(page.locator("#o-correction")).to_have_value("bh")
    expect(page.locator("#o-bayesian")).to_have_value("1")
    expect(page.locator(".period a").nth(1)).to_have_attribute(
        "href", f"/v1/experiments/{KEY}/analysis?bayesian=1&correction=bh")
    unlabelled = page.evaluate("""Array.from(document.querySelectorAll('input:not([type=hidden]), select'))
        .filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`))).map(e => e.name)""")
    assert unlabelled == []
    assert page.locator("th:not([scope])").count() == 0
    assert page.locator(".plot[role=img][aria-label]").count() == page.locator(".plot").count()
    screenshot(page, "experiment-desktop")
    fits_a_phone(page)
    screenshot(page, "experiment-phone")
    watched.assert_clean()


def test_sequential_widens_the_intervals_and_drops_the_peeking_note(site: Site, desktop: BrowserContext) -> None:
    fixed, sequential = analyze(site), analyze(site, sequential=True)
    page = desktop.new_page()
    watched = watch(page)
    page.goto(f"{site.url}/experiments/{KEY}")
    check_rows(page, fixed)
    expect(page.locator(".verdict .caveats")).to_contain_text(PEEKING)
    page.select_option("#o-sequential", "1")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**sequential=1**")
    charts_drawn(page)
    check_rows(page, sequential)
    expect(page.locator(".verdict .caveats")).not_to_contain_text(PEEKING)
    expect(page.locator(".verdict .caveats")).to_contain_text("Sequential testing is on")
    expect(page.locator("dd.method")).to_contain_text("sequential (always valid)")
    for a, b in zip(fixed.results, sequential.results, strict=True):
        if a.relative.lower is None or b.relative.lower is None:
            continue
        assert a.relative.upper is not None and b.relative.upper is not None
        assert b.relative.upper - b.relative.lower > a.relative.upper - a.relative.lower, a.metric
    watched.assert_clean()


def test_unknown_experiment_is_a_404_with_a_hint(site: Site, desktop: BrowserContext) -> None:
    page, alert = error_page(desktop, f"{site.url}/experiments/realtime_suport", 404)
    expect(alert).to_contain_text("no experiment 'realtime_suport'")
    expect(alert).to_contain_text("realtime_support")  # the close match
    expect(page.locator("nav a[aria-current=page]")).to_have_text("Experiments")


def test_bad_option_is_a_400_and_pages_need_sign_in(site: Site, desktop: BrowserContext) -> None:
    _, alert = error_page(desktop, f"{site.url}/experiments/{KEY}?correction=bonferroni", 400)
    expect(alert).to_contain_text("correction = 'bonferroni' is not a correction")
    for path in ("/experiments", f"/experiments/{KEY}"):
        found = httpx.get(site.url + path, follow_redirects=False)
        assert found.status_code == 303 and found.headers["location"].startswith("/login")
