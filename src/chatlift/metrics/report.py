"""Compute metrics for a scope and turn their statistics into values with intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import pyarrow as pa

from chatlift.errors import ParameterError
from chatlift.metrics.catalogue import metric
from chatlift.metrics.scope import BREAKDOWNS, Filters, Period, make_scope


def report(
    backend: ibis.BaseBackend,
    metrics: Sequence[str],
    *,
    period: Period | None = None,
    by: Sequence[str] = (),
    filters: Filters | None = None,
    params: dict[str, dict[str, Any]] | None = None,
) -> pa.Table:
    """One row per metric and group: ``metric``, the ``by`` columns, ``value``, ``lower``, ``upper``, ``n``."""
    for name in by:
        if name not in BREAKDOWNS:
            raise ParameterError(f"unknown breakdown {name!r}", hint=f"break down by {', '.join(BREAKDOWNS)}")
    scope = make_scope(backend, period or Period(), filters or Filters())
    rows: list[dict[str, Any]] = []
    for key in metrics:
        m = metric(key)
        missing = [b for b in by if b not in m.breakdowns]
        if missing:
            raise ParameterError(f"{key} cannot be broken down by {', '.join(missing)}",
                                 hint=f"{key} allows: {', '.join(m.breakdowns) or 'no breakdown'}")
        stats = m.aggregate(scope, list(by), **(m.defaults() | (params or {}).get(key, {}))).to_pyarrow()
        for record in stats.to_pylist():
            value, lower, upper = m.estimator.estimate(*(float(record[c] or 0) for c in m.estimator.columns))
            row = {"metric": key} | {b: record[b] for b in by}
            rows.append(row | {"value": value, "lower": lower, "upper": upper,
                               "n": int(record[m.estimator.n_column] or 0)})
    schema = pa.schema([("metric", pa.string()), *((b, pa.string()) for b in by), ("value", pa.float64()),
                        ("lower", pa.float64()), ("upper", pa.float64()), ("n", pa.int64())])
    return pa.Table.from_pylist(rows, schema=schema)
