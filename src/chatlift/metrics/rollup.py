"""Hourly rollups: an aggregation's partial aggregates per hour, kept so that asking it about another
period reads a few thousand rows instead of every row of the period.

A dashboard asks the same questions about other periods: the whole catalogue for last year, then for
the year before; the overview for this quarter, then for the last. Most of the catalogue's aggregations
(`chatlift.metrics.fusion`) reduce the rows of one table whose time column lies in the period, with
sums, counts, minima and maxima, by the report's breakdowns. Their partial aggregates grouped by the hour
of that column as well (the *rollup*) answer any period whose bounds are whole hours (in UTC, so any
time zone with whole-hour offsets): keep the rollup's hours inside the period and reduce them (a sum of
sums, a minimum of minima). At 10 M conversations the fused conversation query reads 78 000 rollup
rows instead of 10 M conversations.

An aggregation has a rollup (`period_filter`, then `chatlift.metrics.fusion`) only when it is
checked to depend on its period through one filter alone:

* its date and timestamp literals are all bounds of one filter, ``column >= low`` and ``column < high``
  on one timestamp column (without time zone) of that filter's relation, and those bounds are whole hours;
* the rows it aggregates come from that filter through projections and filters that pass the column on
  unchanged, and no other relation reads the filter's rows (no join, no subquery of them);
* its groups are the report's breakdowns (not, say, people), and its reductions all combine (`fusion.PARTIAL`).

A rollup is a temporary table of the connection, built when a query first needs it and dropped when the
data changes (`forget`, called by the workspace on every write). Building one scans every row of its
table, so a report asks for one only when its period holds at least `SHARE` of those rows or the rollup
is already built: a question about today keeps reading today's rows. Rollups are used only by a
workspace that keeps report results (`Workspace(keep_reports=…)`, the server), which is also what makes
them sound: nothing else writes the file meanwhile.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import ibis.expr.operations as ops

from chatlift.metrics.compiled import instants_of

SHARE = 0.25
"""Build a rollup when the question's period holds at least this share of its table's rows."""
KEPT = 16
"""How many rollup tables a connection keeps (the least recently used are dropped first)."""
HOUR = "__hour"
"""The rollup's column holding the hour (UTC) its partial aggregates cover."""


@dataclass(frozen=True, slots=True)
class PeriodFilter:
    """The filter through which an aggregation depends on its period."""

    node: ops.Filter
    column: str
    low: ops.Literal | None
    high: ops.Literal | None
    rest: ops.Relation  # the filter without the bounds (its relation when nothing else is left)

    def bounds(self, table: ops.Relation) -> tuple[ops.Value, ...]:
        """The bounds as conditions on the ``HOUR`` column of ``table``."""
        hour = ops.Field(table, HOUR)
        low = () if self.low is None else (ops.GreaterEqual(hour, self.low),)
        return low + (() if self.high is None else (ops.Less(hour, self.high),))


def period_filter(aggregate: ops.Aggregate) -> PeriodFilter | None:
    """The one filter through which ``aggregate`` depends on its period, or None (module docstring)."""
    found = [f for f in aggregate.find(ops.Filter) if _bounds_of(f)]
    if len(found) != 1:
        return None
    node = found[0]
    bounds = _bounds_of(node)
    rest = [p for p in _conjuncts(node.predicates) if p not in bounds]
    columns = {b.left.name for b in bounds}
    kinds = [type(b) for b in bounds]
    if len(columns) != 1 or len(kinds) != len(set(kinds)):
        return None
    column = columns.pop()
    if not node.parent.schema[column].is_timestamp() or node.parent.schema[column].timezone is not None:
        return None
    low = next((b.right for b in bounds if isinstance(b, ops.GreaterEqual)), None)
    high = next((b.right for b in bounds if isinstance(b, ops.Less)), None)
    if not all(_whole_hour(lit) for lit in (low, high) if lit is not None):
        return None
    rest = [p for p in rest if not (isinstance(p, ops.Literal) and p.value is True)]
    result = PeriodFilter(node, column, low, high, ops.Filter(node.parent, tuple(rest)) if rest else node.parent)
    if instants_of(aggregate.replace({node: result.rest})) or not _only_through(aggregate.parent, result):
        return None
    return result


def _conjuncts(predicates: Iterable[ops.Value]) -> list[ops.Value]:
    out: list[ops.Value] = []
    for p in predicates:
        out.extend(_conjuncts((p.left, p.right)) if isinstance(p, ops.And) else [p])
    return out


@functools.lru_cache(maxsize=1024)
def _bounds_of(node: ops.Filter) -> tuple[ops.GreaterEqual | ops.Less, ...]:
    """The predicates of ``node`` that compare a column of its relation with a timestamp literal."""
    return tuple(p for p in _conjuncts(node.predicates)
                 if isinstance(p, ops.GreaterEqual | ops.Less) and isinstance(p.left, ops.Field)
                 and p.left.rel == node.parent and isinstance(p.right, ops.Literal)
                 and isinstance(p.right.value, datetime) and p.right.dtype.is_timestamp())


def _whole_hour(literal: ops.Literal) -> bool:
    value: datetime = literal.value
    return value.tzinfo is None and value == value.replace(minute=0, second=0, microsecond=0)


def _only_through(relation: ops.Relation, found: PeriodFilter) -> bool:
    """Whether ``relation``'s rows are the filter's rows, with its column unchanged, and nothing else in
    ``relation`` reads them (projections and filters down to it; any relation below it)."""
    chain: list[ops.Relation] = []
    while relation != found.node:
        chain.append(relation)
        if isinstance(relation, ops.Project):
            value = relation.values.get(found.column)
            if not (isinstance(value, ops.Field) and value.name == found.column and value.rel == relation.parent):
                return False
        elif not isinstance(relation, ops.Filter):
            return False
        relation = relation.parent
    below = {found.node.parent, *found.node.parent.find(ops.Relation)}
    return all(r in below or r in chain for n in chain for r in n.find(ops.Relation) if r != found.node)


@dataclass(slots=True)
class _Rollups:
    """A connection's rollups: query → table name, and the tables built (least recently used first)."""

    names: dict[ops.Relation, str] = field(default_factory=dict)
    built: OrderedDict[str, ops.Relation] = field(default_factory=OrderedDict)


def _rollups(backend: Any) -> _Rollups:
    found: _Rollups | None = getattr(backend, "_chatlift_rollups", None)
    if found is None:
        found = _Rollups()
        backend._chatlift_rollups = found
    return found


def table(backend: Any, query: ops.Relation) -> ops.DatabaseTable:
    """The table that holds ``query``'s rows once `ensure` built it (a name per query and connection)."""
    kept = _rollups(backend)
    name = kept.names.setdefault(query, f"chatlift_rollup_{len(kept.names)}")
    return ops.DatabaseTable(name, query.schema, backend, ops.Namespace())


def built(backend: Any, query: ops.Relation) -> bool:
    kept = _rollups(backend)
    return kept.names.get(query) in kept.built


def worth(backend: Any, found: PeriodFilter) -> bool:
    """Whether the period holds at least `SHARE` of the rows of the filter's relation."""
    rows = found.node.parent
    counts = ops.Aggregate(rows, {}, {"n": ops.CountStar(rows),
                                      "inside": ops.CountStar(rows, where=functools.reduce(ops.And, _bounds_of(found.node)))})
    row = backend.to_pyarrow(counts.to_expr()).to_pylist()[0]
    return bool(row["n"]) and row["inside"] >= SHARE * row["n"]


def ensure(backend: Any, tables: Iterable[ops.DatabaseTable]) -> None:
    """Build the rollups of ``tables`` (from `table`) that are not built, dropping the least recently used
    beyond `KEPT`."""
    kept = _rollups(backend)
    queries = {name: query for query, name in kept.names.items()}
    for t in tables:
        if t.name in kept.built:
            kept.built.move_to_end(t.name)
            continue
        sql = backend.compile(queries[t.name].to_expr())
        backend.con.execute(f'CREATE OR REPLACE TEMP TABLE "{t.name}" AS {sql}')
        kept.built[t.name] = queries[t.name]
        while len(kept.built) > KEPT:
            backend.con.execute(f'DROP TABLE IF EXISTS "{kept.built.popitem(last=False)[0]}"')


def forget(backend: Any) -> None:
    """Drop every built rollup of the connection: the data changed."""
    kept = _rollups(backend)
    while kept.built:
        backend.con.execute(f'DROP TABLE IF EXISTS "{kept.built.popitem()[0]}"')
