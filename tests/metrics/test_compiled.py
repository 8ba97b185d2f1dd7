"""Compiled SQL kept per expression (`chatlift.metrics.compiled`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ibis
import pyarrow as pa
import pytest

from chatlift.metrics.compiled import NotMovable, moved_instants, remember_compiled


def _counted(size: int = 8) -> tuple[Any, list[str]]:
    backend = ibis.duckdb.connect()
    backend.create_table("orders", pa.table({"person": ["a", "a", "b"], "amount": [1.0, 2.0, 4.0]}))
    calls: list[str] = []
    compile_sql = backend.compile

    def counting(expr: Any, /, **kwargs: Any) -> str:
        calls.append(repr(expr.op().__class__.__name__))
        return str(compile_sql(expr, **kwargs))

    backend.compile = counting
    remember_compiled(backend, size)
    remember_compiled(backend, size)  # a second call changes nothing
    return backend, calls


def _question(backend: Any, person: str) -> Any:
    o = backend.table("orders")
    return o.filter(o.person == person).aggregate(total=o.amount.sum())


def test_an_equal_expression_built_again_is_compiled_once_and_gives_the_same_answer() -> None:
    backend, calls = _counted()
    first = _question(backend, "a")
    assert first.to_pyarrow().to_pylist() == [{"total": 3.0}]
    again = _question(backend, "a")  # a new expression object, equal to the first
    assert again is not first
    assert again.to_pyarrow().to_pylist() == [{"total": 3.0}]
    assert len(calls) == 1
    assert _question(backend, "b").to_pyarrow().to_pylist() == [{"total": 4.0}]  # another literal: compiled
    assert len(calls) == 2


def test_expressions_over_in_memory_tables_and_limited_queries_are_not_kept() -> None:
    backend, calls = _counted()
    for _ in range(2):
        t = ibis.memtable(pa.table({"x": [1, 2, 3]}))
        assert backend.to_pyarrow(t.aggregate(n=t.count())).to_pylist() == [{"n": 3}]
    assert len(calls) == 2
    for _ in range(2):
        assert backend.to_pyarrow(backend.table("orders"), limit=1).num_rows == 1
    assert len(calls) == 4


def test_the_least_recently_used_query_is_forgotten_first() -> None:
    backend, calls = _counted(size=2)
    for person in ("a", "b", "a", "c", "a", "b"):  # a stays in use; b is forgotten when c arrives
        backend.compile(_question(backend, person))
    assert len(calls) == 4  # a, b, c, then b again


def _since(backend: Any, low: datetime, high: datetime) -> Any:
    o = backend.table("events")
    kept = o.filter((o.at >= low) & (o.at < high) & (o.day < high.date()))
    return kept.aggregate(n=kept.count())


def test_a_question_about_another_period_is_compiled_once_and_written_as_if_compiled_anew() -> None:
    backend, calls = _counted()
    plain = ibis.duckdb.connect()  # compiles every expression itself
    days = [datetime(2025, 1, d, 12) for d in range(1, 11)]
    events = pa.table({"at": days, "day": [d.date() for d in days]})
    backend.create_table("events", events)
    plain.create_table("events", events)
    for low, high, n in ((days[0], days[5], 5), (days[2], days[3], 1), (datetime(2025, 1, 9), days[9], 1)):
        assert backend.compile(_since(backend, low, high)) == plain.compile(_since(plain, low, high))
        assert _since(backend, low, high).to_pyarrow().to_pylist() == [{"n": n}]
    shapes = [c for c in calls if c == "'Aggregate'"]
    assert len(shapes) == 1  # the other calls write single literals


def test_an_instant_a_stand_in_could_be_mistaken_for_is_compiled_as_it_is() -> None:
    backend, calls = _counted()
    backend.create_table("events", pa.table({"at": [datetime(1001, 6, 1)], "day": [datetime(1001, 6, 1).date()]}))
    for _ in range(2):
        assert _since(backend, datetime(1001, 1, 1), datetime(1002, 1, 1)).to_pyarrow().to_pylist() == [{"n": 1}]
    assert calls.count("'Aggregate'") == 2  # not kept


def test_moved_instants_write_another_period_and_refuse_what_they_cannot_move() -> None:
    backend, _ = _counted()
    plain = ibis.duckdb.connect()
    events = pa.table({"at": [datetime(2025, 1, d, 12) for d in range(1, 11)],
                       "day": [datetime(2025, 1, d).date() for d in range(1, 11)]})
    backend.create_table("events", events)
    plain.create_table("events", events)
    may, june, july = datetime(2025, 1, 2), datetime(2025, 1, 5), datetime(2025, 1, 8)
    built_for_may = _since(backend, may, june)
    moves = {may: june, june: july, june.date(): july.date()}  # each instant moved once, not chained
    with moved_instants(backend, moves):
        assert backend.compile(built_for_may) == plain.compile(_since(plain, june, july))
        assert built_for_may.to_pyarrow().to_pylist() == [{"n": 3}]
        t = ibis.memtable(pa.table({"at": [may]}))
        with pytest.raises(NotMovable):
            backend.compile(t.filter(t.at >= may))
    assert backend.compile(built_for_may) == plain.compile(_since(plain, may, june))  # outside: as built
