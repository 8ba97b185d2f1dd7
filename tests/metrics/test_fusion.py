"""A report computes its metrics together (`metrics.fusion`); each metric run alone is the independent check.

Reporting one metric runs its expression as written (nothing to fuse), so the
rows of the whole catalogue reported at once must equal the rows of every
metric reported on its own, for breakdowns, filters, parameters, the event
basis, a reporting time zone and the previous period. Values may differ in
the last bits only (floating sums in another order), counts not at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from chatlift.metrics import REGISTRY, fusion
from chatlift.metrics.expressions import grouped
from chatlift.metrics.scope import Filters, Period, Scope
from chatlift.workspace import Workspace, connect

YEAR = {"start": date(2025, 1, 1), "end": date(2026, 1, 1)}
CASES: list[dict[str, Any]] = [
    {},
    {"by": ["channel"]},
    {"by": ["team", "initiated_by"]},
    {"by": ["chatted"]},
    {"by": ["month"], "timezone": "Europe/Amsterdam"},
    {"filters": {"team": ("chat-intl", "email")}, "by": ["agent"]},
    {"params": {"chat_conversion_rate": {"window": 3, "goals": "trial_started"},
                "first_response_time": {"statistic": "median"}, "resolution_time": {"clock": "handoff"},
                "fcr_rate": {"reopened": "ignore"}, "sla_attainment": {"target": 60}}},
    {"basis": "event", "by": ["channel"]},
    {"compare": True, "start": date(2025, 7, 1), "end": date(2025, 10, 1)},
    {"compare": True, "by": ["cobrowse"], "start": date(2025, 4, 1), "end": date(2025, 5, 1)},
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    with connect(Path(tmp_path_factory.mktemp("fusion")) / "demo.duckdb", create=True) as ws:
        ws.generate_demo(1500)
        yield ws


def _keys(case: dict[str, Any]) -> list[str]:
    return [k for k, m in REGISTRY.items()
            if not m.unavailable(case.get("by", ()), closed_period=True, filtered=bool(case.get("filters")))]


def _rows(table: pa.Table) -> dict[tuple[Any, ...], dict[str, Any]]:
    key_columns = [c for c in table.column_names if c not in {"value", "lower", "upper", "n", "change"}
                   and not c.startswith("previous_")]
    return {tuple(r[c] for c in key_columns): r for r in table.to_pylist()}


@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()) or "default")
def test_the_catalogue_at_once_equals_each_metric_alone(demo: Workspace, case: dict[str, Any]) -> None:
    options = {**YEAR, **case}
    keys = _keys(case)
    together = _rows(demo.report(keys, **options))
    alone: dict[tuple[Any, ...], dict[str, Any]] = {}
    for key in keys:
        params = {key: options["params"][key]} if key in options.get("params", {}) else None
        alone |= _rows(demo.report([key], **{**options, "params": params}))
    assert together.keys() == alone.keys()
    for group, row in together.items():
        _same(row, alone[group])


def _same(row: dict[str, Any], expected: dict[str, Any]) -> None:
    """Equal rows: floats to 1e-9 (sums in another order), everything else exactly."""
    assert row.keys() == expected.keys()
    for column, value in row.items():
        if isinstance(value, float):
            assert value == pytest.approx(expected[column], rel=1e-9, abs=1e-9), (row, column)
        else:
            assert value == expected[column], (row, column)


def _scope(ws: Workspace, by: Sequence[str] = ()) -> Scope:
    return Scope(ws.backend(), Period(date(2025, 1, 1), date(2026, 1, 1)), Filters(), by=tuple(by),
                 materialized=False)


@pytest.mark.parametrize("by", [(), ("channel",), ("team", "month")])
def test_a_plan_returns_what_each_expression_returns(demo: Workspace, by: tuple[str, ...]) -> None:
    scope = _scope(demo, by)
    plan = [(m, m.resolve(None)) for m in REGISTRY.values()
            if not m.unavailable(by, closed_period=True, filtered=False)]
    expressions = [m.aggregate(scope, list(by), **values) for m, values in plan]
    fused = fusion.plan(scope, expressions)
    assert len(fused.fused) < len(expressions) // 2  # the conversation, survey, cart … metrics share queries
    for expr, table in zip(expressions, fused.run(), strict=True):
        assert tuple(table.schema.names) == tuple(expr.schema().names)
        got = sorted(table.to_pylist(), key=repr)
        want = sorted(expr.to_pyarrow().to_pylist(), key=repr)
        assert len(got) == len(want)
        for a, b in zip(got, want, strict=True):
            _same(a, b)
    scope.release()


def test_groups_of_a_filtered_aggregation_exist_only_where_a_row_passes() -> None:
    backend = ibis.duckdb.connect()
    scope = Scope(backend, Period(), Filters(), materialized=False)
    t = ibis.memtable(pa.table({"g": ["a", "a", "b", "c"], "x": [1.0, 2.0, 3.0, None]}))
    big = t.filter(t.x > 1.5)
    per_group = big.group_by("g").aggregate(n=big.count(), total=big.x.sum())
    everything = t.group_by("g").aggregate(n=t.count(), low=t.x.min())
    overall = big.aggregate(n=big.count(), total=big.x.sum())
    none = t.filter(t.x > 10).aggregate(n=ibis._.count(), total=ibis._.x.sum())
    exprs = [per_group, everything, overall, none]
    plan = fusion.plan(scope, exprs)
    assert len(plan.fused) == 2  # grouped by g, and without groups
    got = [sorted(r.to_pylist(), key=repr) for r in plan.run()]
    assert got[0] == [{"g": "a", "n": 1, "total": 2.0}, {"g": "b", "n": 1, "total": 3.0}]  # no group "c"
    assert got[1] == [{"g": "a", "n": 2, "low": 1.0}, {"g": "b", "n": 1, "low": 3.0}, {"g": "c", "n": 1, "low": None}]
    assert got[2] == [{"n": 2, "total": 5.0}]
    assert got[3] == [{"n": 0, "total": None}]  # one row on no rows, as the aggregation alone gives


def test_a_sub_result_two_queries_read_is_computed_once(demo: Workspace) -> None:
    scope = _scope(demo)
    frt, median = REGISTRY["first_response_time"], REGISTRY["resolution_time"]
    expressions = [frt.aggregate(scope, [], statistic="median", clock="start", hours="calendar"),
                   median.aggregate(scope, [], statistic="p90", clock="start", hours="calendar")]
    plan = fusion.plan(scope, expressions)
    tables = plan.run()
    assert len(plan.kept) == 1  # the timed conversations, read by both quantile queries
    for expr, table in zip(expressions, tables, strict=True):
        _same(table.to_pylist()[0], expr.to_pyarrow().to_pylist()[0])
    scope.release()


def test_a_query_over_fused_results_is_compiled_once_for_any_period_and_leaves_nothing_behind(
        demo: Workspace) -> None:
    # chat_customer_value reads the conversions fused with chat_conversion_rate's, then joins the orders
    keys = ["chat_conversion_rate", "chat_customer_value"]
    kept = demo.backend()._chatlift_compiled
    months = [(date(2025, m, 1), date(2025, m + 1, 1)) for m in (3, 4, 5)]
    shapes = []
    for start, end in months:
        together = _rows(demo.report(keys, start=start, end=end))
        alone = _rows(demo.report(["chat_customer_value"], start=start, end=end))
        _same(together[("chat_customer_value",)], alone[("chat_customer_value",)])
        shapes.append(len(kept))
    assert shapes[0] == shapes[1] == shapes[2]  # the later months compile nothing
    assert any('"chatlift_part_0"' in sql for sql in kept.values())  # the query over the fused results is kept
    views = demo.store.con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'chatlift_part_%'")
    assert views.fetchall() == [(0,)]


def test_reductions_under_several_conditions_are_combined_from_groups_of_the_conditions() -> None:
    """Sums, counts, minima and maxima under conditions that are sometimes null, with and without groups:
    the two-step aggregation (`fusion._by_conditions`) gives what each aggregation alone gives."""
    backend = ibis.duckdb.connect()
    scope = Scope(backend, Period(), Filters(), materialized=False)
    t = ibis.memtable(pa.table({"g": ["a", "a", "b", "c", "c", "d"], "x": [1.0, None, 3.0, None, 5.0, 0.5],
                                "y": [1, 2, None, 4, 5, 7]}))
    exprs = []
    for keys in (["g"], []):
        big, small = t.filter(t.x > 2), t.filter(t.y < 3)  # null x or y: the condition is null, the row left out
        never = t.filter(t.y > 100)
        exprs += [
            grouped(big, keys, n=big.count(), s=big.y.sum(), lo=big.y.min(), hi=big.x.max(), c=big.y.count()),
            grouped(small, keys, n=small.count(), s=small.x.sum(), c=small.x.count()),
            grouped(t, keys, n=t.count(), c=t.x.count(), s=t.y.sum()),
            grouped(never, keys, n=never.count(), s=never.x.sum(), c=never.x.count()),
        ]
    plan = fusion.plan(scope, exprs)
    assert all("__w1" in backend.compile(f.expr) for f in plan.fused)  # both fused queries take two steps
    for expr, table in zip(exprs, plan.run(), strict=True):
        got = sorted(table.to_pylist(), key=repr)
        want = sorted(expr.to_pyarrow().to_pylist(), key=repr)
        assert len(got) == len(want)
        for a, b in zip(got, want, strict=True):
            _same(a, b)
    # worked by hand for the groups of "x > 2": b (x 3, y null) and c (x 5, y 5)
    assert sorted(plan.run()[0].to_pylist(), key=lambda r: r["g"]) == [
        {"g": "b", "n": 1, "s": None, "lo": None, "hi": 3.0, "c": 0},
        {"g": "c", "n": 1, "s": 5, "lo": 5, "hi": 5.0, "c": 1}]
    assert plan.run()[7].to_pylist() == [{"n": 0, "s": None, "c": 0}]  # no row at all: one row, zero counts
