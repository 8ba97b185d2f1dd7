"""Remember the SQL an Ibis backend compiled, so that asking the same question again skips compiling.

Building a report's expressions is cheap next to turning them into SQL: Ibis rewrites
and translates every query of a full catalogue in about 0.3 s, a fifth of a report on a
million conversations, and the dashboard and the API ask the same questions over and
over. An Ibis expression names tables and literals, never data, and equal expressions
compile to the same SQL, so the SQL can be kept per expression. Only expressions over
stored tables are kept: one that reads an in-memory table or a temporary result of
one report (Ibis names those ``ibis_…``) cannot come back.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import ibis.expr.operations as ops

KEPT = 512
"""How many compiled queries a backend keeps (the least recently used go first)."""


def remember_compiled(backend: Any, size: int = KEPT) -> None:
    """Make ``backend.compile`` keep the SQL of the last ``size`` expressions it compiled without limit or
    parameters. Idempotent."""
    if getattr(backend, "_chatlift_compiled", None) is not None:
        return
    compile_sql = backend.compile
    kept: OrderedDict[ops.Node, str] = OrderedDict()

    def compile_or_recall(expr: Any, /, *, limit: Any = None, params: Any = None, pretty: bool = False) -> str:
        if limit is not None or params or pretty:
            return str(compile_sql(expr, limit=limit, params=params, pretty=pretty))
        node = expr.op()
        sql = kept.get(node)
        if sql is not None:
            kept.move_to_end(node)
            return sql
        sql = str(compile_sql(expr))
        if _stored_only(node):
            kept[node] = sql
            if len(kept) > size:
                kept.popitem(last=False)
        return sql

    backend.compile = compile_or_recall
    backend._chatlift_compiled = kept


def _stored_only(node: ops.Node) -> bool:
    return all(isinstance(t, ops.DatabaseTable) and not t.name.startswith("ibis_")
               for t in node.find(ops.PhysicalTable))
