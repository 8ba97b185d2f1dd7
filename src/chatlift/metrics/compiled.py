"""Remember the SQL an Ibis backend compiled, so that asking the same question again skips compiling.

Building a report's expressions is cheap next to turning them into SQL: Ibis rewrites
and translates every query of a full catalogue in about 0.3 s, a fifth of a report on a
million conversations, and half of a dashboard's six headline metrics on the medium demo.
The dashboard and the API ask the same questions over and over, and mostly about other
periods: the same query with other instants. So the SQL is kept per expression *shape*:
each distinct date or timestamp literal (a period's bounds) is replaced by a stand-in
before compiling, and the stand-in's SQL by the literal's own afterwards. Equal shapes
compile to the same SQL, as Ibis expressions name tables and literals, never data.

Only expressions over stored tables are kept: one that reads an in-memory table or a
temporary result of one report (Ibis names those ``ibis_…``) cannot come back.

`moved_instants` runs expressions built for one period as if built for another: inside it,
each instant of the mapping is written as the instant it maps to (`metrics.reuse`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import ibis
import ibis.expr.operations as ops

KEPT = 512
"""How many compiled query shapes a backend keeps (the least recently used go first)."""
FIRST_STAND_IN = 1001
"""The year of the first stand-in instant (an expression with an instant before the last stand-in's year
is compiled as it is)."""


class NotMovable(Exception):
    """An expression run under `moved_instants` holds one of its instants but cannot be written with another."""


def remember_compiled(backend: Any, size: int = KEPT) -> None:
    """Make ``backend.compile`` keep the SQL of the last ``size`` expression shapes it compiled without limit
    or parameters. Idempotent."""
    if getattr(backend, "_chatlift_compiled", None) is not None:
        return
    compile_sql: Callable[..., Any] = backend.compile
    kept: OrderedDict[ops.Node, str] = OrderedDict()
    rendered: dict[ops.Literal, str] = {}

    def sql_of(literal: ops.Literal) -> str:
        """How the backend writes ``literal`` (kept: a period's bounds come back)."""
        if literal not in rendered:
            if len(rendered) > 4 * size:
                rendered.clear()
            text = str(compile_sql(ibis.literal(literal.value, type=literal.dtype).name("v")))
            rendered[literal] = text.removeprefix("SELECT ").removesuffix(' AS "v"')
        return rendered[literal]

    def as_is(expr: Any, instants: list[ops.Literal] | None = None, **kwargs: Any) -> str:
        """``expr`` compiled as written (refused when it holds an instant `moved_instants` is moving)."""
        moving: dict[Any, Any] = backend._chatlift_moved
        if moving:
            found = instants if instants is not None else instants_of(expr.op())
            if any(lit.value in moving for lit in found):
                raise NotMovable(f"{expr.op().__class__.__name__} cannot be written for another period")
        return str(compile_sql(expr, **kwargs))

    def compile_or_recall(expr: Any, /, *, limit: Any = None, params: Any = None, pretty: bool = False) -> str:
        if limit is not None or params or pretty:
            return as_is(expr, limit=limit, params=params, pretty=pretty)
        node = expr.op()
        if not stored_only(node):
            return as_is(expr)
        instants = instants_of(node)
        if any(lit.value.year < FIRST_STAND_IN + len(instants) for lit in instants):
            return as_is(expr, instants)  # an instant that a stand-in could be mistaken for
        stand_ins = {lit: ops.Literal(_stand_in(i, lit.value), lit.dtype) for i, lit in enumerate(instants)}
        shape = node.replace(stand_ins) if stand_ins else node
        sql = kept.get(shape)
        if sql is None:
            sql = str(compile_sql(shape.to_expr()))
            if any(sql_of(s) not in sql for s in stand_ins.values()):
                return as_is(expr, instants)  # a stand-in did not survive compiling as written: do not keep
            kept[shape] = sql
            if len(kept) > size:
                kept.popitem(last=False)
        else:
            kept.move_to_end(shape)
        moving = backend._chatlift_moved
        for literal, stand_in in stand_ins.items():
            if literal.value in moving:
                literal = ops.Literal(moving[literal.value], literal.dtype)
            sql = sql.replace(sql_of(stand_in), sql_of(literal))
        return sql

    backend.compile = compile_or_recall
    backend._chatlift_compiled = kept
    backend._chatlift_moved = {}


@contextmanager
def moved_instants(backend: Any, mapping: Mapping[date, date]) -> Iterator[None]:
    """Within the block, ``backend`` (see `remember_compiled`) writes each instant of ``mapping`` as the
    instant it maps to, in every query it compiles; a query it would have to compile as written while
    it holds such an instant raises `NotMovable`."""
    backend._chatlift_moved = dict(mapping)
    try:
        yield
    finally:
        backend._chatlift_moved = {}


def instants_of(node: ops.Node) -> list[ops.Literal]:
    """The distinct date and timestamp literals of ``node``."""
    return list(dict.fromkeys(lit for lit in node.find(ops.Literal)
                              if isinstance(lit.value, date) and (lit.dtype.is_timestamp() or lit.dtype.is_date())))


def _stand_in(i: int, value: date) -> date:
    """The ``i``-th stand-in instant, of ``value``'s type: a year no report asks about."""
    year = FIRST_STAND_IN + i
    return datetime(year, 1, 1) if isinstance(value, datetime) else date(year, 1, 1)


def stored_only(node: ops.Node) -> bool:
    """Whether ``node`` reads stored tables only (no in-memory table, no ``ibis_…`` temporary result)."""
    return all(isinstance(t, ops.DatabaseTable) and not t.name.startswith("ibis_")
               for t in node.find(ops.PhysicalTable))
