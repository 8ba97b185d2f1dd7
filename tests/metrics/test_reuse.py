"""A report's plan reused for another period of the same length (`chatlift.metrics.reuse`) gives the rows a
plan built for that period gives."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chatlift.metrics import REGISTRY, fusion, report
from chatlift.metrics.scope import Filters, Period
from chatlift.workspace import connect
from tests.metrics.test_fusion import CASES, _keys, _rows, _same

MAY, JULY = (date(2025, 5, 1), date(2025, 6, 1)), (date(2025, 7, 1), date(2025, 8, 1))  # 31 days, no DST change


@pytest.fixture(scope="module")
def demo_file(demo_1500_file: Path) -> Path:
    return demo_1500_file


def _plans_built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the plans built from expressions (a reused plan is not built)."""
    built: list[int] = []
    build = fusion.plan

    def counting(*args: Any, **kwargs: Any) -> fusion.Plan:
        built.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr(fusion, "plan", counting)
    return built


@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "default")
def test_a_kept_plan_answers_another_period_as_a_new_one(demo_file: Path, case: dict[str, Any],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    options = {k: v for k, v in case.items() if k not in ("start", "end")}
    keys = _keys(case)
    built = _plans_built(monkeypatch)
    with connect(demo_file) as ws:
        ws.report(keys, start=MAY[0], end=MAY[1], **options)
        first = len(built)
        reused = _rows(ws.report(keys, start=JULY[0], end=JULY[1], **options))
        again = len(built) - first
    with connect(demo_file) as fresh:  # a new backend: nothing kept
        expected = _rows(fresh.report(keys, start=JULY[0], end=JULY[1], **options))
    assert reused.keys() == expected.keys()
    for group, row in reused.items():
        _same(row, expected[group])
    if any(b in ("day", "week", "month", "hour", "weekday") for b in case.get("by", ())):
        assert again == first  # never reused: the local-time conversion covers instants around the period
    elif "params" not in case:  # (a median and a p90 share a sub-result kept in a temporary table: built anew)
        assert again == 0  # July asked after May: no plan built (with compare, May's previous period reused May's)


def test_plans_are_not_reused_across_lengths_or_open_sides(demo_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = ["csat", "first_response_time", "chatter_value_ratio"]
    periods = [MAY, JULY, (date(2025, 7, 1), date(2025, 7, 31)), (None, date(2025, 7, 1)), (None, date(2025, 8, 1)),
               (date(2025, 9, 1), None)]
    want = []
    for start, end in periods:
        with connect(demo_file) as fresh:
            want.append(_rows(fresh.report(keys, start=start, end=end)))
    built = _plans_built(monkeypatch)
    with connect(demo_file) as ws:
        for (start, end), expected in zip(periods, want, strict=True):
            got = _rows(ws.report(keys, start=start, end=end))
            assert got.keys() == expected.keys()
            for group, row in got.items():
                _same(row, expected[group])
    # built: May; 30 days; open start (reused for another end); open end. July reuses May's plan.
    assert len(built) == 4


def test_a_plan_that_decided_from_the_data_is_not_reused(demo_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the fact tables, message timings are narrowed to the period's conversations only when the
    period does not hold them all: a data decision, so the plan is built for every period."""
    built = _plans_built(monkeypatch)
    with connect(demo_file) as ws:
        backend = ws.backend()
        for start, end in (MAY, JULY):
            got = _rows(report(backend, ["first_response_time", "resolution_rate"],
                               period=Period(start, end), filters=Filters(), facts=False))
            want = _rows(report(backend, ["first_response_time", "resolution_rate"],
                                period=Period(start, end), filters=Filters(), facts=True))
            for group, row in got.items():
                _same(row, want[group])
    assert len(built) == 3  # without facts May and July both built; with facts May built and reused for July


BREAKDOWNS = ["channel", "team", "agent", "segment", "sector", "initiated_by", "cobrowse", "chatted"]


@st.composite
def _question(draw: st.DrawFn) -> tuple[list[str], dict[str, Any], int, list[date]]:
    by = draw(st.lists(st.sampled_from(BREAKDOWNS), max_size=2, unique=True))
    filters = draw(st.sampled_from([{}, {}, {"channel": ("chat", "email")}, {"tag": ("vip",)}]))
    keys = [k for k, m in REGISTRY.items() if not m.unavailable(by, closed_period=True, filtered=bool(filters))]
    assume(keys)  # some pairs of breakdowns no metric allows together
    metrics = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=8, unique=True))
    options = {"by": by, "filters": filters, "basis": draw(st.sampled_from(["start", "event"])),
               "compare": draw(st.booleans()), "timezone": draw(st.sampled_from(["UTC", "America/New_York"]))}
    days = draw(st.sampled_from([7, 30, 31, 92]))
    starts = draw(st.lists(st.dates(date(2025, 1, 1), date(2025, 9, 30)), min_size=2, max_size=3))
    return metrics, options, days, starts


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(question=_question())
def test_any_question_asked_about_several_periods_gives_what_a_new_plan_gives(
        demo_file: Path, question: tuple[list[str], dict[str, Any], int, list[date]]) -> None:
    metrics, options, days, starts = question
    with connect(demo_file) as ws:
        for start in starts:
            end = start + timedelta(days=days)
            got = _rows(ws.report(metrics, start=start, end=end, **options))
            with connect(demo_file) as fresh:
                want = _rows(fresh.report(metrics, start=start, end=end, **options))
            assert got.keys() == want.keys()
            for group, row in got.items():
                _same(row, want[group])
