"""Aggregations computed from hourly rollups (`chatlift.metrics.rollup`) give the rows the same
aggregations give over the stored rows, for every period; a write drops the rollups."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import pytest

from chatlift.metrics import REGISTRY, rollup
from chatlift.workspace import Workspace, connect
from tests.metrics.test_fusion import CASES, _keys, _rows, _same

YEAR = (date(2025, 1, 1), date(2026, 1, 1))
PERIODS = [YEAR, (date(2024, 12, 31), date(2025, 12, 31)), (date(2025, 2, 1), date(2025, 11, 1)),
           (None, date(2025, 10, 1)), (date(2025, 3, 1), None)]
"""Long periods (rollups are built for the first), a shifted one (a kept plan, its bounds moved), open sides."""


@pytest.fixture(scope="module")
def demo_file(demo_1500_file: Path) -> Path:
    return demo_1500_file


def _built(ws: Workspace) -> list[str]:
    return list(rollup._rollups(ws.backend()).built)


def _open(keys: list[str], start: date | None, end: date | None) -> list[str]:
    """``keys`` less those that need a closed period when ``[start, end)`` is open."""
    return [k for k in keys if (start and end) or not REGISTRY[k].unavailable((), closed_period=False, filtered=False)]


def _expected(path: Path, keys: list[str], periods: list[tuple[date | None, date | None]],
              **options: Any) -> list[dict[tuple[Any, ...], dict[str, Any]]]:
    with connect(path) as plain:  # keeps no report: reads the stored rows
        return [_rows(plain.report(_open(keys, s, e), start=s, end=e, **options)) for s, e in periods]


def _check(got: dict[tuple[Any, ...], dict[str, Any]], want: dict[tuple[Any, ...], dict[str, Any]]) -> None:
    assert got.keys() == want.keys()
    for group, row in got.items():
        _same(row, want[group])


@pytest.mark.parametrize("case", [*CASES, {"timezone": "Asia/Kolkata"}, {"timezone": "America/New_York"}],
                         ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "default")
def test_the_catalogue_from_rollups_equals_the_catalogue_from_the_rows(demo_file: Path, case: dict[str, Any]) -> None:
    options = {k: v for k, v in case.items() if k not in ("start", "end")}
    keys = _keys(case)
    periods = [(case["start"], case["end"])] if "start" in case else PERIODS
    want = _expected(demo_file, keys, periods, **options)
    with connect(demo_file, keep_reports=8) as ws:
        for (start, end), expected in zip(periods, want, strict=True):
            _check(_rows(ws.report(_open(keys, start, end), start=start, end=end, **options)), expected)
        built = _built(ws)
    if case.get("timezone") == "Asia/Kolkata":
        assert built == []  # local midnights at UTC+5:30 are no whole hours
    elif not case:
        assert len(built) >= 4  # conversations, carts, surveys, orders…
    elif "start" not in case and not set(case.get("by", ())) & {"month", "chatted"}:
        assert built  # (a quarter is too short to build them)


def test_a_write_drops_the_rollups_and_the_next_report_counts_it(demo_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "copy.duckdb"
    path.write_bytes(demo_file.read_bytes())
    keys = ["missed_rate", "first_response_time", "csat"]
    with connect(path, keep_reports=8) as ws:
        before = _rows(ws.report(keys, start=YEAR[0], end=YEAR[1]))
        assert _built(ws)
        ws.import_batch("conversations", b'[{"conversation_id": "rollup-new-1", "channel": "chat", '
                        b'"started_at": "2025-06-01T10:00:00Z", "status": "missed"}]')
        assert _built(ws) == []
        after = _rows(ws.report(keys, start=YEAR[0], end=YEAR[1]))
        assert _built(ws)
    assert after[("missed_rate",)]["n"] == before[("missed_rate",)]["n"] + 1
    _check(after, _expected(path, keys, [YEAR])[0])


def test_a_short_period_reads_its_rows_until_a_long_one_built_the_rollup(demo_file: Path) -> None:
    keys = ["missed_rate", "sla_attainment", "cart_abandonment"]
    day, week = (date(2025, 6, 3), date(2025, 6, 4)), (date(2025, 6, 2), date(2025, 6, 9))
    want = _expected(demo_file, keys, [day, YEAR, week])
    with connect(demo_file, keep_reports=8) as ws:
        _check(_rows(ws.report(keys, start=day[0], end=day[1])), want[0])
        assert _built(ws) == []  # a day holds far less than a quarter of the rows
        _check(_rows(ws.report(keys, start=YEAR[0], end=YEAR[1])), want[1])
        built = _built(ws)
        assert built
        _check(_rows(ws.report(keys, start=week[0], end=week[1])), want[2])
        assert _built(ws) == built  # read from the year's rollups, none built for the week


def test_without_kept_reports_no_rollup_is_built(demo_file: Path) -> None:
    with connect(demo_file) as ws:
        ws.report(["missed_rate", "csat"], start=YEAR[0], end=YEAR[1])
        assert _built(ws) == []


T = ibis.table({"at": "timestamp", "k": "string", "v": "float64", "zoned": "timestamp('UTC')"}, name="events")
U = ibis.table({"k": "string", "w": "float64"}, name="other")
LOW, HIGH = datetime(2025, 1, 1), datetime(2025, 2, 1)


def _in(t: ibis.Table, column: str = "at", low: Any = LOW, high: Any = HIGH) -> ibis.Table:
    return t.filter((t[column] >= low) & (t[column] < high) & (t.k != "x"))


def test_the_period_filter_of_an_aggregation_is_found() -> None:
    p = _in(T)
    found = rollup.period_filter(p.group_by("k").aggregate(n=p.count(), s=p.v.sum(where=p.v > 1)).op())
    assert found is not None and found.low is not None and found.high is not None
    assert (found.column, found.low.value, found.high.value) == ("at", LOW, HIGH)
    assert isinstance(found.rest, ibis.expr.operations.Filter)  # k != 'x' stays a filter of the rows
    one_side = T.filter(T.at < HIGH)
    assert rollup.period_filter(one_side.aggregate(n=one_side.count()).op()) is not None


def _count(rows: ibis.Table) -> ibis.Table:
    return rows.aggregate(n=rows.count())


ZONED = (ibis.timestamp("2025-01-01 00:00:00", timezone="UTC"), ibis.timestamp("2025-02-01 00:00:00", timezone="UTC"))
ELSEWISE = {
    "another instant": _in(T).aggregate(n=_in(T).count(where=_in(T).at < datetime(2025, 1, 15))),
    "half hour": _count(_in(T, low=datetime(2025, 1, 1, 0, 30))),
    "zoned column": _count(_in(T, "zoned", *ZONED)),
    "join": _count(_in(T).join(U, "k")),  # the period's rows joined with others
    "column changed": _count(_in(T).mutate(at=_in(T).at + ibis.interval(hours=1))),
    "two filters": _count(_in(T).union(_in(T, low=datetime(2024, 1, 1)))),
}


@pytest.mark.parametrize("name", ELSEWISE)
def test_an_aggregation_that_depends_on_its_period_otherwise_has_no_period_filter(name: str) -> None:
    assert rollup.period_filter(ELSEWISE[name].op()) is None


def test_rows_in_the_hours_at_the_bounds_count_in_the_period_they_fall_in(demo_file: Path) -> None:
    keys = ["missed_rate", "first_response_time", "fcr_rate"]
    with connect(demo_file) as plain:
        day = plain.store.con.execute("SELECT min(started_at)::DATE FROM conversations WHERE hour(started_at) = 0 "
                                      "AND started_at >= TIMESTAMP '2025-06-01'").fetchall()[0][0]
    periods = [(day - timedelta(days=200), day), (day, day + timedelta(days=150))]
    want = _expected(demo_file, keys, periods)
    with connect(demo_file, keep_reports=8) as ws:
        for (start, end), expected in zip(periods, want, strict=True):
            _check(_rows(ws.report(keys, start=start, end=end)), expected)
        assert _built(ws)
