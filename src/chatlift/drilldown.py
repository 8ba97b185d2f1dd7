"""The records behind a number: which conversations (or survey answers, carts …) a metric counted in its n.

A metric's computation ends in an aggregation whose ``n`` counts the rows of the relation it
aggregates, grouped by the breakdowns: those rows are the metric's *sample*. The drill-down runs
the metric's own expression for the breakdowns of the group, finds that aggregation, and returns
its rows (those ``n`` counted: all of them, or where the counted value is present) in the group.
Nothing is declared twice: whatever the definition keeps, the drill-down lists, so the number of
records listed is the ``n`` of the report row, always.

When the sample is conversations (one row per conversation), the records are the per-conversation
export rows (`chatlift.metrics.export`) of exactly those conversations. Metrics whose n is not a
count of rows (order values, which count orders of two groups; a difference of two shares) have no
drill-down and say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa

from chatlift.errors import ParameterError
from chatlift.metrics import REGISTRY
from chatlift.metrics.scope import Basis, Filters, Period, Scope, named_people
from chatlift.reporting import ReportRequest, known_metric

if TYPE_CHECKING:
    from chatlift.metrics.business_hours import BusinessHours
    from chatlift.workspace import Workspace

UNIT_COLUMNS = (("conversation_id", "conversations"), ("response_id", "survey answers"), ("cart_id", "carts"),
                ("order_id", "orders"), ("person", "people"), ("customer_id", "customers"))
"""How the records are named, by the id column that identifies them (first match wins)."""


@dataclass(frozen=True, slots=True)
class Records:
    """The records behind one report row: ``rows`` (an Arrow table), what they are (``unit``:
    "conversations", "survey answers" …) and how many there are in all (``total`` = the row's n;
    ``rows`` holds at most the limit asked for)."""

    metric: str
    group: dict[str, str]
    unit: str
    total: int
    rows: pa.Table


def _sample(aggregate: ops.Aggregate) -> tuple[ir.Table, ir.BooleanValue]:
    """The aggregated relation and the condition under which ``n`` counts a row."""
    parent = aggregate.parent.to_expr()
    n = aggregate.metrics["n"]
    counted: ir.BooleanValue = ibis.literal(True)
    if isinstance(n, ops.Count):
        counted = n.arg.to_expr().notnull()
    elif not isinstance(n, ops.CountStar):
        raise _no_drilldown("its n is not a count of records")
    if n.where is not None:
        counted &= n.where.to_expr()
    return parent, counted


def _no_drilldown(why: str, key: str = "") -> ParameterError:
    return ParameterError(f"{key + ' ' if key else ''}has no drill-down: {why}",
                          hint="drill down on a share, rate, duration or score metric (e.g. chat_conversion_rate, "
                               "first_response_time, csat)")


def _counting_aggregate(expr: ir.Table, by: tuple[str, ...]) -> ops.Aggregate:
    found = [a for a in expr.op().find(ops.Aggregate) if "n" in a.metrics and tuple(a.groups) == by]
    if len(found) != 1:
        raise _no_drilldown("its n is not one count of records")
    return found[0]


def records_behind(
    ws: Workspace,
    request: ReportRequest,
    metric: str,
    group: Mapping[str, str],
    *,
    business_hours: BusinessHours | None = None,
    limit: int | None = None,
) -> Records:
    """The records that ``metric``'s n counts in ``group`` (breakdown name → value as the report shows
    it, e.g. ``{"agent": "agt_003"}``; empty: the whole period) under the request's period, filters,
    basis and the metric's parameters. At most ``limit`` rows are returned, ``total`` counts them all."""
    m = REGISTRY[known_metric(metric)]
    by = tuple(group)
    reason = m.unavailable(by, closed_period=bool(request.period.start and request.period.end),
                           filtered=bool(request.filters))
    if reason:
        raise ParameterError(f"{metric} {reason}", hint=f"{metric} allows the breakdowns: {', '.join(m.breakdowns)}")
    values = m.resolve(request.params.get(metric))
    scope = Scope(ws.backend(), request.period, Filters(request.filters), request.basis, by,
                  business_hours=business_hours, materialized=False, facts=ws.facts())
    expr = m.aggregate(scope, list(by), **values)
    try:
        aggregate = _counting_aggregate(expr, by)
        parent, counted = _sample(aggregate)
    except ParameterError as exc:
        raise _no_drilldown(str(exc).split(": ", 1)[-1], metric) from None
    for name, value in group.items():
        column = aggregate.groups[name].to_expr()
        counted &= column.cast("string") == value
    sample = named_people(ws.backend(), parent.filter(counted))
    columns = [c for c in sample.columns if not c.startswith("__")]
    candidates = [(c, label) for c, label in UNIT_COLUMNS if c in columns]
    counts = sample.aggregate(n=sample.count(), **{f"__{c}": sample[c].nunique() for c, _ in candidates})
    found = counts.to_pyarrow().to_pylist()[0]
    total = int(found["n"])
    # the records are named by the first id column that identifies one row each
    key, unit = next(((c, label) for c, label in candidates if found[f"__{c}"] == total), (columns[0], "records"))
    if unit == "conversations":
        rows = _conversation_rows(ws, request, sample, limit, business_hours)
    else:
        ordered = sample.select(*columns).order_by(key)
        rows = (ordered.limit(limit) if limit is not None else ordered).to_pyarrow()
    return Records(metric=m.key, group=dict(group), unit=unit, total=total, rows=rows)


def _conversation_rows(ws: Workspace, request: ReportRequest, sample: ir.Table, limit: int | None,
                       business_hours: BusinessHours | None) -> pa.Table:
    """The export rows of the sample's conversations (default attribution: 7 days, purchases and
    quotes), ordered by start. Under period basis start every counted conversation started in the
    period, so the export is built for the period only; under basis event a counted conversation may
    have started before it, so it is built over every conversation."""
    from chatlift.metrics.export import conversation_rows

    period = request.period if request.basis is Basis.START else Period()
    scope = Scope(ws.backend(), period, Filters(), business_hours=business_hours, materialized=False,
                  facts=ws.facts())
    rows = conversation_rows(scope).semi_join(sample.select("conversation_id"), "conversation_id")
    rows = rows.order_by(["started_at", "conversation_id"])
    result: pa.Table = (rows.limit(limit) if limit is not None else rows).to_pyarrow()
    return result


_DRILLABLE: dict[tuple[str, bool], bool] = {}


def drillable(ws: Workspace, metric: str) -> bool:
    """Whether ``metric`` has a drill-down: its n counts the rows of one relation. Decided from the
    metric's own expression (built, not run; the answer depends on the definition, not on the data,
    so it is kept per process)."""
    key = (metric, ws.facts())
    if key not in _DRILLABLE:
        m = REGISTRY[known_metric(metric)]
        by = (m.needs_breakdown,) if m.needs_breakdown else ()
        closed = Period(date(2000, 1, 1), date(2000, 1, 2))
        scope = Scope(ws.backend(), closed, Filters(), Basis.START, by, materialized=False, facts=key[1])
        try:
            _sample(_counting_aggregate(m.aggregate(scope, list(by), **m.resolve(None)), by))
            _DRILLABLE[key] = True
        except ParameterError:
            _DRILLABLE[key] = False
    return _DRILLABLE[key]


def parse_group(values: list[str] | None, *, option: str = "--group") -> dict[str, str]:
    """``name=value`` texts (one per breakdown) as the group of a report row.

    >>> parse_group(["agent=agt_003", "channel=chat"])
    {'agent': 'agt_003', 'channel': 'chat'}
    """
    group: dict[str, str] = {}
    for text in values or ():
        name, sep, value = text.partition("=")
        if not sep or not name.strip() or name.strip() in group:
            raise ParameterError(f"{option} {text!r} is not NAME=VALUE (one per breakdown)",
                                 hint="for example agent=agt_003: the breakdown and the value of the report row")
        group[name.strip()] = value.strip()
    return group
