"""Compute metrics for a scope and turn their statistics into values with intervals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis
import pyarrow as pa

from chatlift.errors import ParameterError
from chatlift.metrics import fusion, reuse
from chatlift.metrics.catalogue import metric
from chatlift.metrics.definitions import TIME_BREAKDOWNS, Metric
from chatlift.metrics.scope import ALL_BREAKDOWNS, WEEKDAYS, Basis, Filters, Period, Scope

VALUE_COLUMNS = ("value", "lower", "upper", "n")
PREVIOUS_COLUMNS = ("previous_value", "previous_lower", "previous_upper", "previous_n", "change")


def report(
    backend: ibis.BaseBackend,
    metrics: Sequence[str],
    *,
    period: Period | None = None,
    by: Sequence[str] = (),
    filters: Filters | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    basis: str = "start",
    compare: bool = False,
    business_hours: Any = None,
    facts: bool = False,
    rollups: bool = False,
) -> pa.Table:
    """One row per metric and group: ``metric``, the ``by`` columns, ``value``, ``lower``, ``upper``, ``n``.

    With ``compare``, also the same figures for the previous period of equal length
    (``previous_value`` … ``previous_n``) and ``change`` = value − previous value.
    Rows come in the order of ``metrics``, then sorted by the ``by`` columns. With ``facts``, the
    definitions read the derived fact tables (`chatlift.facts`), which must be current. With ``rollups``,
    aggregations may be computed from hourly rollups kept on the backend's connection
    (`chatlift.metrics.rollup`): only while nothing but this backend writes, and `rollup.forget` is
    called after each write.
    """
    by = tuple(by)
    for name in by:
        if name not in ALL_BREAKDOWNS:
            raise ParameterError(f"unknown breakdown {name!r}", hint=f"break down by {', '.join(ALL_BREAKDOWNS)}")
    if len(set(by)) != len(by):
        raise ParameterError(f"a breakdown is repeated in {', '.join(by)}", hint="name each breakdown once")
    try:
        basis_value = Basis(basis)
    except ValueError:
        raise ParameterError(f"unknown period basis {basis!r}", hint="use start or event") from None
    unknown = sorted(set(params or {}) - set(metrics))
    if unknown:
        raise ParameterError(f"parameters given for {', '.join(unknown)}, which is not reported",
                             hint="add the metric or drop its parameters")
    period = period or Period()
    if compare and any(b in TIME_BREAKDOWNS for b in by):
        raise ParameterError("a time breakdown cannot be compared with the previous period",
                             hint="drop --compare or the day/week/month/hour/weekday breakdown")
    plan = []
    filters = filters or Filters()
    for key in metrics:
        m = metric(key)
        reason = m.unavailable(by, closed_period=bool(period.start and period.end), filtered=bool(filters.values))
        if reason:
            raise ParameterError(f"{key} {reason}", hint=f"{key} allows the breakdowns: "
                                 f"{', '.join(m.breakdowns) or 'none'} (`chatlift metrics show {key}`)")
        plan.append((m, m.resolve((params or {}).get(key))))
    current = _compute(plan, Scope(backend, period, filters, basis_value, by, business_hours=business_hours,
                                   materialized=False, facts=facts, rollups=rollups))
    schema = pa.schema([("metric", pa.string()), *((b, pa.string()) for b in by), ("value", pa.float64()),
                        ("lower", pa.float64()), ("upper", pa.float64()), ("n", pa.int64())])
    if compare:
        scope = Scope(backend, period.previous(), filters, basis_value, by, business_hours=business_hours,
                      materialized=False, facts=facts, rollups=rollups)
        before = {_key(r, by): r for r in _compute(plan, scope)}
        for row in current:
            old = before.get(_key(row, by), {})
            row |= {f"previous_{c}": old.get(c) for c in VALUE_COLUMNS}
            row["change"] = None if row["value"] is None or row["previous_value"] is None \
                else row["value"] - row["previous_value"]
        schema = pa.schema([*schema, ("previous_value", pa.float64()), ("previous_lower", pa.float64()),
                            ("previous_upper", pa.float64()), ("previous_n", pa.int64()), ("change", pa.float64())])
    return pa.Table.from_pylist(current, schema=schema)


def _key(row: Mapping[str, Any], by: Sequence[str]) -> tuple[Any, ...]:
    return (row["metric"], *(row[b] for b in by))


def _compute(plan: Sequence[tuple[Any, dict[str, Any]]], scope: Scope) -> list[dict[str, Any]]:
    """The rows of every metric of ``plan``: their expressions are built once, and aggregations over the
    same rows are computed together (`fusion`), giving the same rows as one query per metric."""
    try:
        def build() -> fusion.Plan:
            return fusion.plan(scope, [m.aggregate(scope, list(scope.by), **values) for m, values in plan])

        tables = reuse.run(scope, reuse.shape(scope, plan), build)
        return [row for (m, values), table in zip(plan, tables, strict=True)
                for row in _rows(m, values, table, scope.by)]
    finally:
        scope.release()


def _rows(m: Metric, values: Mapping[str, Any], table: pa.Table, by: Sequence[str]) -> list[dict[str, Any]]:
    estimator = m.estimator_for(values)
    stats = table.to_pylist()
    stats.sort(key=lambda r: tuple(_order(b, r[b]) for b in by))
    rows: list[dict[str, Any]] = []
    for record in stats:
        value, lower, upper = estimator.estimate(*(_number(record[c]) for c in estimator.columns)) \
            if record["n"] else (None, None, None)
        group = {b: None if record[b] is None else str(record[b]) for b in by}
        rows.append({"metric": m.key, **group, "value": value, "lower": lower, "upper": upper,
                     "n": int(record["n"] or 0)})
    return rows


def _order(breakdown: str, value: Any) -> tuple[bool, int, str]:
    """Sort key of a group: missing values last, weekdays Monday first, otherwise by text."""
    if value is None:
        return True, 0, ""
    if breakdown == "weekday" and value in WEEKDAYS:
        return False, WEEKDAYS.index(value), ""
    return False, 0, str(value)


def _number(value: Any) -> Any:
    return 0.0 if value is None else value if isinstance(value, float) else float(value)
