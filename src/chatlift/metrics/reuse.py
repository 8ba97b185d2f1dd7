"""Reuse a report's plan for another period of the same length: ask the same question about other dates
without building it again.

Building a report's Ibis expressions and planning their fusion is Python work that does not depend on the
data: about 90 ms of the whole catalogue on the medium demo, more than the queries of a dashboard's
overview. The dashboard and the API mostly ask the same question about other periods. A period enters a
report's expressions as its two bounds (local midnights as UTC instants), so the plan built for one period
answers another of the same length once its bounds are written in its place (`compiled.moved_instants`).

A plan is kept only when that is all that differs, which is checked on the plan, not assumed:

* every date or timestamp literal of its queries is one of the period's bounds, and the two differ;
* every query reads stored tables only (or the fused results of the same run), and no shared sub-result
  was kept in a temporary table;
* building it decided nothing from the data (`Scope.covers_data`, the data's span for calendars) and it
  has no time breakdown (their local-time conversion covers instants around the period).

(A constant instant in a definition that happened to equal a bound would be moved with it; the
definitions hold none: the only constant instants are in the local-time and calendar code excluded above.)

It is kept per shape: the metrics and their parameters, breakdowns, filters, basis, time zone, calendar,
whether facts and rollups are read, which sides of the period are open, and the period's length in days and in UTC
seconds (so anything derived from the length, such as a DST hour, is the same). Should a query still
hold a bound it cannot rewrite, the report is built anew (`compiled.NotMovable`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import ibis.expr.operations as ops
import pyarrow as pa

from chatlift.metrics import fusion
from chatlift.metrics.compiled import NotMovable, moved_instants, stored_only
from chatlift.metrics.definitions import TIME_BREAKDOWNS
from chatlift.metrics.scope import Scope

KEPT = 64
"""How many report shapes a backend keeps plans for (the least recently used go first)."""


@dataclass(frozen=True, slots=True)
class _Kept:
    plan: fusion.Plan
    bounds: tuple[datetime | None, datetime | None]


def shape(scope: Scope, plan: Sequence[tuple[Any, dict[str, Any]]]) -> Hashable | None:
    """What a kept plan must share with a report to answer it; None when no plan can be reused."""
    if any(b in TIME_BREAKDOWNS for b in scope.by):
        return None
    low, high = scope.period.utc_bounds()
    start, end = scope.period.start, scope.period.end
    length = None if low is None or high is None or start is None or end is None else (
        (end - start).days, (high - low).total_seconds())
    metrics = tuple((m.key, repr(sorted(values.items()))) for m, values in plan)
    return (metrics, scope.by, repr(sorted(scope.filters.values.items())), scope.basis, scope.period.timezone,
            id(scope.business_hours), scope.facts, scope.rollups, low is None, high is None, length)


def run(scope: Scope, key: Hashable | None, build: Callable[[], fusion.Plan]) -> list[pa.Table]:
    """The statistics tables of the plan ``build()`` makes for ``scope``, from a kept plan of the same
    ``key`` (`shape`) when there is one."""
    kept: OrderedDict[Hashable, _Kept] = _kept(scope.backend)
    now = scope.period.utc_bounds()
    if key is not None and key in kept:
        found = kept[key]
        kept.move_to_end(key)
        try:
            moves: dict[date, date] = {a: b for a, b in zip(found.bounds, now, strict=True)
                                       if a is not None and b is not None}
            with moved_instants(scope.backend, moves):
                return found.plan.run()
        except NotMovable:
            del kept[key]
    plan = build()
    tables = plan.run()
    if key is not None and _movable(plan, now):
        kept[key] = _Kept(plan, now)
        while len(kept) > KEPT:
            kept.popitem(last=False)
    return tables


def _kept(backend: Any) -> OrderedDict[Hashable, _Kept]:
    found: OrderedDict[Hashable, _Kept] | None = getattr(backend, "_chatlift_plans", None)
    if found is None:
        found = OrderedDict()
        backend._chatlift_plans = found
    return found


def _movable(plan: fusion.Plan, period: tuple[datetime | None, datetime | None]) -> bool:
    """Whether ``plan`` (just run) depends on its period through the period's bounds alone (module docstring)."""
    if plan.kept or plan.scope.decided_from_data():
        return False
    present = [b for b in period if b is not None]
    edges = set(present)
    if len(edges) != len(present):
        return False
    queries = [f.expr.op() for f in plan.fused] + [e.op() for e in plan.expressions if e.op() not in plan.owner]
    for node in queries:
        if not stored_only(node):
            return False
        if any(isinstance(lit.value, date) and lit.value not in edges for lit in node.find(ops.Literal)):
            return False
    return True
