"""Aggregations by a dense key reduced by counting (`chatlift.metrics.dense`) against DuckDB's own
group-by of the same rows (a second implementation: the database's hash aggregation), on generated rows
with null keys, values and conditions, negative and sparse keys; and integer sums past 2**53 against
Python's integers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatlift.metrics import REGISTRY, Filters, Period, dense, fusion
from chatlift.metrics.scope import Scope
from chatlift.workspace import connect

SCHEMA = pa.schema([("person_key", pa.int32()), ("x", pa.float64()), ("i", pa.int64()), ("b", pa.bool_())])


@pytest.fixture(scope="module")
def backend() -> Iterator[Any]:
    con = ibis.duckdb.connect()
    yield con
    con.disconnect()


def _aggregation(t: ir.Table) -> ir.Table:
    return t.group_by("person_key").aggregate(
        n=t.count(), n_b=t.count(where=t.b), c=t.x.count(), c_b=t.x.count(where=t.b), s=t.x.sum(),
        s_b=t.x.sum(where=t.b), s_i=t.i.sum(), s_i_b=t.i.sum(where=~t.b), s_bool=t.b.sum())


def _by_key(table: pa.Table) -> dict[Any, dict[str, Any]]:
    rows = table.to_pylist()
    out = {r["person_key"]: r for r in rows}
    assert len(out) == len(rows), "a key came twice"
    return out


def _same(backend: Any, rows: list[dict[str, Any]]) -> pa.Table:
    t = backend.create_table("t", pa.Table.from_pylist(rows, schema=SCHEMA), overwrite=True)
    expr = _aggregation(t)
    assert dense.eligible(expr.op())
    expected = backend.to_pyarrow(expr)
    got = dense.compute(expr.op(), lambda relation: backend.to_pyarrow(relation.to_expr()))
    assert got.schema == pa.schema([(n, d.to_pyarrow()) for n, d in expr.schema().items()])
    _assert_same(_by_key(got), _by_key(expected), abs_tol=1e-9)
    return got


def _assert_same(have: dict[Any, dict[str, Any]], want: dict[Any, dict[str, Any]], *, abs_tol: float = 1e-12) -> None:
    """The same groups with the same values (floats to 1e-12 relative)."""
    assert have.keys() == want.keys()
    for key, row in want.items():
        for column, value in row.items():
            if isinstance(value, float):
                assert have[key][column] == pytest.approx(value, rel=1e-12, abs=abs_tol), (key, column)
            else:
                assert have[key][column] == value, (key, column)


ROW = st.fixed_dictionaries({
    "person_key": st.one_of(st.none(), st.integers(0, 40), st.integers(-5, 3), st.integers(0, 2**31 - 1)),
    "x": st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)),
    "i": st.one_of(st.none(), st.integers(-10**6, 10**6)),
    "b": st.one_of(st.none(), st.booleans()),
})


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(ROW, max_size=60))
def test_counting_equals_the_database_group_by(backend: Any, rows: list[dict[str, Any]]) -> None:
    _same(backend, rows)


def test_dense_and_sparse_keys_and_a_null_key_by_hand(backend: Any) -> None:
    rows: list[dict[str, Any]] = [
        {"person_key": 2, "x": 1.5, "i": 4, "b": True},
        {"person_key": 2, "x": None, "i": 6, "b": False},
        {"person_key": 0, "x": 2.0, "i": None, "b": None},
        {"person_key": None, "x": 3.0, "i": 1, "b": True},
        {"person_key": None, "x": None, "i": None, "b": None},
    ]
    got = _by_key(_same(backend, rows))
    assert got[2] == {"person_key": 2, "n": 2, "n_b": 1, "c": 1, "c_b": 1, "s": 1.5, "s_b": 1.5, "s_i": 10,
                      "s_i_b": 6, "s_bool": 1}
    # key 0: its only x has a null condition, so the conditional sum has no value (null), the plain one 2.0
    assert got[0] == {"person_key": 0, "n": 1, "n_b": 0, "c": 1, "c_b": 0, "s": 2.0, "s_b": None, "s_i": None,
                      "s_i_b": None, "s_bool": None}
    assert got[None]["n"] == 2 and got[None]["s"] == 3.0 and got[None]["s_i_b"] is None
    # a key far beyond the rows is numbered first (no array as large as the key)
    sparse = _by_key(_same(backend, [{"person_key": 2**31 - 1, "x": 1.0, "i": 1, "b": True},
                                     {"person_key": 7, "x": 2.0, "i": 2, "b": False}]))
    assert sparse[2**31 - 1]["s"] == 1.0 and sparse[7]["s_i"] == 2


def test_no_rows_give_no_groups(backend: Any) -> None:
    assert _same(backend, []).num_rows == 0


def test_integer_sums_past_two_to_the_53_are_exact(backend: Any) -> None:
    big = 2**53 - 1  # as float64 two of these would lose the last digit
    rows = [{"person_key": 1, "x": 0.0, "i": big, "b": True}, {"person_key": 1, "x": 0.0, "i": 3, "b": True},
            {"person_key": 1, "x": 0.0, "i": -1, "b": True}]
    t = backend.create_table("big", pa.Table.from_pylist(rows, schema=SCHEMA), overwrite=True)
    expr = t.group_by("person_key").aggregate(s=t.i.sum())
    got = dense.compute(expr.op(), lambda relation: backend.to_pyarrow(relation.to_expr()))
    assert got.to_pylist() == [{"person_key": 1, "s": big + 3 - 1}]


def test_which_aggregations_are_counted() -> None:
    t = ibis.table({"person_key": "int32", "person": "string", "x": "float64", "d": "decimal(18, 2)",
                    "k2": "int32"}, name="t")
    assert dense.eligible(t.group_by("person_key").aggregate(n=t.count(), s=t.x.sum()).op())
    assert not dense.eligible(t.group_by("person").aggregate(n=t.count()).op())  # not an integer key
    assert not dense.eligible(t.group_by("k2").aggregate(n=t.count()).op())  # not a key column
    assert not dense.eligible(t.group_by(["person_key", "k2"]).aggregate(n=t.count()).op())
    assert not dense.eligible(t.group_by("person_key").aggregate(m=t.x.max()).op())
    assert not dense.eligible(t.group_by("person_key").aggregate(s=t.x.sum() + 1).op())
    assert not dense.eligible(t.group_by("person_key").aggregate(s=t.d.sum()).op())
    assert not dense.eligible(t.aggregate(n=t.count()).op())
    inner = t.group_by("person_key").aggregate(q=t.count())
    outer = inner.group_by("q").aggregate(people=inner.count())
    moved = outer.mutate(p=outer.people)
    again = moved.group_by("p").aggregate(m=moved.count())
    assert dense.aggregations([outer.op(), again.op()]) == [inner.op()]


def test_many_record_batches_add_up(backend: Any) -> None:
    """Rows arrive in several record batches; each adds to the same groups."""
    rng = np.random.default_rng(7)
    n = 300_000
    keys = rng.integers(0, 50_000, n).astype(np.int32)
    table = pa.table({
        "person_key": pa.array(keys, mask=rng.random(n) < 0.01),
        "x": pa.array(rng.normal(100, 30, n), mask=rng.random(n) < 0.05),
        "i": pa.array(rng.integers(-5, 50, n)),
        "b": pa.array(rng.random(n) < 0.3, mask=rng.random(n) < 0.02),
    })
    t = backend.create_table("many", table, overwrite=True)
    expr = _aggregation(t)
    batches = []

    def read(relation: Any) -> pa.Table:
        rows = backend.to_pyarrow(relation.to_expr())
        batches.append(len(rows.to_batches()))
        return rows

    got = _by_key(dense.compute(expr.op(), read))
    assert batches[0] > 1
    want = _by_key(backend.to_pyarrow(expr))
    _assert_same(got, want)


def test_the_per_person_metrics_are_counted_with_the_facts(demo_1500_file: Path) -> None:
    """With the facts, questions_per_customer (both counts) and chatter_value_ratio are planned as counting
    per person key, and give what their expressions give when the database runs them whole."""
    with connect(demo_1500_file, read_only=True) as ws:
        assert ws.facts()
        scope = Scope(ws.backend(), Period(date(2025, 1, 1), date(2026, 1, 1)), Filters(), facts=True)
        expressions = [REGISTRY["questions_per_customer"].aggregate(scope, [], count="conversations"),
                       REGISTRY["questions_per_customer"].aggregate(scope, [], count="messages"),
                       REGISTRY["chatter_value_ratio"].aggregate(scope, [], kinds=("purchase",), channel="chat")]
        plan = fusion.plan(scope, expressions)
        assert len(plan.dense) == 3
        assert all(next(iter(node.groups)) == "person_key" for node in plan.dense)
        for expr, table in zip(expressions, plan.run(), strict=True):
            (want,) = expr.to_pyarrow().to_pylist()
            (got,) = table.to_pylist()
            assert got.keys() == want.keys()
            for column, value in want.items():
                assert got[column] == pytest.approx(value, rel=1e-12), column
        scope.release()


def test_an_integer_sum_beyond_64_bits_is_an_error_as_in_the_database(backend: Any) -> None:
    rows = [{"person_key": 0, "x": 0.0, "i": 2**62, "b": True}, {"person_key": 0, "x": 0.0, "i": 2**62, "b": True},
            {"person_key": 1, "x": 0.0, "i": 1, "b": True}]
    t = backend.create_table("wide", pa.Table.from_pylist(rows, schema=SCHEMA), overwrite=True)
    expr = t.group_by("person_key").aggregate(s=t.i.sum())
    with pytest.raises(pa.ArrowInvalid):
        backend.to_pyarrow(expr)  # the database's own answer does not fit either
    with pytest.raises(pa.ArrowInvalid):
        dense.compute(expr.op(), lambda relation: backend.to_pyarrow(relation.to_expr()))
