"""Aggregations grouped by a dense integer key, reduced by counting instead of hashing.

Two metrics group people: questions_per_customer (conversations per person) and chatter_value_ratio
(revenue and chats per person). A year at 10 M conversations is 4.2 M people from 10 M conversations,
and 5.5 M people from 14 M purchases and chats; the database's hash aggregation took 0.7 s and 1.0 s for
them, the better part of the whole catalogue's time. With the fact tables, people carry a dense integer
key (`chatlift.facts.people`), and a key can index an array: the groups' counts and sums are then one
``numpy.bincount`` pass each over the rows, which the database still selects (period, filters, joins).

`eligible` says which aggregations run so: their one group is a column named in `KEYS`, and each of
their values is a count (``count()``, ``x.count()``) or a sum of numbers, with or without a condition.
`compute` returns the rows the database would, with its types:

* a group exists when a row has its key, whatever the conditions (a null key is one more group);
* a count counts the rows where its condition holds (a null condition does not) and its value is not null;
* a sum adds those values, and is null in a group where there are none; floating sums add in row order
  (the database's order is its own: the last digits may differ); integer sums are exact (added as
  float64 while every partial sum stays below 2**53, else one by one), and one beyond 64 bits is an
  error, as when the database's 128-bit sum is read as the aggregation's 64-bit type.

Keys index the arrays directly when none is negative and the largest is below 16 times the rows plus
65 536 (a year of 10 M conversations: 10 M rows, keys below 5.5 M); otherwise, as for a day of a big
file, they are first numbered by ``numpy.unique`` (a sort of the rows' keys), so that a few rows never
cost an array as large as every person.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import ibis.expr.operations as ops
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chatlift.facts.people import KEY

KEYS = frozenset({KEY})
"""Columns that hold dense integer keys (0, 1, 2, … with few gaps)."""
DIRECT_PER_ROW = 16
DIRECT_SLACK = 65_536
EXACT = 2.0**53
KEPT_BYTES = 512 * 2**20
"""At most this much memory is kept between aggregations for their arrays (`_Scratch`)."""


@dataclass(frozen=True, slots=True)
class _Reduction:
    name: str
    kind: type[ops.Reduction]  # CountStar, Count or Sum
    value: str | None  # the column of the reduced value (None for CountStar)
    where: str | None  # the column of the condition
    integer: bool  # an integer (or boolean) sum


def eligible(node: ops.Node) -> bool:
    """Whether ``node`` is an aggregation that `compute` reduces (see the module docstring)."""
    if not isinstance(node, ops.Aggregate) or len(node.groups) != 1:
        return False
    (key,) = node.groups.values()
    if not (isinstance(key, ops.Field) and key.name in KEYS and key.dtype.is_integer()):
        return False
    for value in node.metrics.values():
        if isinstance(value, ops.CountStar | ops.Count):
            continue
        if not isinstance(value, ops.Sum):
            return False
        dtype = value.arg.dtype
        if not (dtype.is_integer() or dtype.is_floating() or dtype.is_boolean()):
            return False
    return True


def aggregations(queries: Iterable[ops.Node]) -> list[ops.Aggregate]:
    """The eligible aggregations inside ``queries``, each once, an inner one before those that read it."""
    found: dict[ops.Aggregate, int] = {}
    for query in queries:
        for node in query.find(ops.Aggregate):
            if node not in found and eligible(node):
                found[node] = len(node.find(ops.Aggregate))
    return sorted(found, key=found.__getitem__)


def compute(node: ops.Aggregate, read: Callable[[ops.Relation], pa.Table]) -> pa.Table:
    """The rows of ``node`` (`eligible`), its group's key and its values by name. ``read`` runs a relation
    over ``node``'s parent on the database: the key, each value and each condition."""
    ((_, key),) = node.groups.items()
    columns: dict[str, ops.Value] = {"__k": key}
    reductions = []
    for i, (name, r) in enumerate(node.metrics.items()):
        value = where = None
        if r.where is not None:
            where = f"__w{i}"
            columns[where] = r.where
        if not isinstance(r, ops.CountStar):
            value = f"__v{i}"
            columns[value] = r.arg
        integer = isinstance(r, ops.Sum) and not r.arg.dtype.is_floating()
        reductions.append(_Reduction(name, type(r), value, where, integer))
    rows = read(ops.Project(node.parent, columns))
    schema = pa.schema([pa.field(n, t.to_pyarrow()) for n, t in node.schema.items()])
    with _SCRATCH.arrays() as scratch:
        ids, values = _reduce(rows, reductions, scratch)
    arrays = [ids, *values]
    return pa.table([a.cast(f.type) for a, f in zip(arrays, schema, strict=True)], schema=schema)


def _reduce(rows: pa.Table, reductions: list[_Reduction],
            scratch: Callable[[int, type], np.ndarray]) -> tuple[pa.Array, list[pa.Array]]:
    """The groups of ``rows`` by ``__k``: their keys and, per reduction, their values. Each group has a slot
    (a null key the last one); the slot of every row and the values it adds are written into arrays from
    ``scratch``, and each reduction is one ``numpy.bincount`` over the slots."""
    n = rows.num_rows
    keys = rows.column("__k")
    bounds = pc.min_max(keys).as_py()
    index = _fill(scratch(n, np.intp), keys, 0)
    numbered = None
    if bounds["min"] is not None and (bounds["min"] < 0 or
                                      bounds["max"] >= DIRECT_PER_ROW * n + DIRECT_SLACK):
        numbered = np.unique(pc.drop_null(keys).to_numpy())
        index[:] = np.searchsorted(numbered, index)
        slots = len(numbered)
    else:
        slots = 0 if bounds["max"] is None else bounds["max"] + 1
    if keys.null_count:
        index[~_bools(pc.is_valid(keys))] = slots
    counts = np.bincount(index, minlength=slots + 1)
    present = np.flatnonzero(counts)
    weights = scratch(n, np.float64)
    values = []
    for r in reductions:
        passing = None if r.where is None else _bools(rows.column(r.where))
        if r.value is not None and rows.column(r.value).null_count:
            valid = _bools(pc.is_valid(rows.column(r.value)))
            passing = valid if passing is None else passing & valid
        passed = None
        if passing is not None:  # per group, the rows that pass (a sum with none is null)
            np.copyto(weights, passing)
            passed = np.bincount(index, weights=weights, minlength=slots + 1)
        if r.kind is not ops.Sum:
            got = counts if passed is None else passed
            values.append(pa.array(got[present].astype(np.int64)))
            continue
        assert r.value is not None
        column = rows.column(r.value)
        bound = _bound(column) if r.integer else 0
        if bound >= EXACT:  # float64 could round: add integers (Python's beyond 64 bits, as the database)
            exact = np.zeros(slots + 1, dtype=np.int64 if bound < 2**63 else object)
            x = pc.fill_null(column.cast(pa.int64()), 0).to_numpy().astype(exact.dtype)
            np.add.at(exact, index if passing is None else index[passing], x if passing is None else x[passing])
            sums = exact
        else:
            _fill(weights, column, 0)
            if passing is not None:
                weights[~passing] = 0
            sums = np.bincount(index, weights=weights, minlength=slots + 1)
            if r.integer:
                sums = sums.astype(np.int64)
        empty = None if passed is None else passed[present] == 0
        wide = pa.decimal128(38, 0) if sums.dtype == object else None  # cast to the column's type later
        values.append(pa.array(sums[present], mask=empty, type=wide))
    real = present[present < slots]
    ids = pa.array(real if numbered is None else numbered[real])
    if counts[slots]:
        ids = pa.concat_arrays([ids.cast(pa.int64()), pa.nulls(1, pa.int64())])
    return ids, values


def _fill(out: np.ndarray, column: pa.ChunkedArray, null: float) -> np.ndarray:
    """``out`` (as long as ``column``) holding ``column``'s values, ``null`` for nulls, booleans as 0/1."""
    at = 0
    for chunk in column.chunks:
        if pa.types.is_boolean(chunk.type):
            chunk = chunk.cast(pa.int8())
        if chunk.null_count:
            chunk = pc.fill_null(chunk, null)
        out[at:at + len(chunk)] = chunk.to_numpy(zero_copy_only=False)
        at += len(chunk)
    return out


def _bound(column: pa.ChunkedArray) -> int:
    """A bound on the magnitude of every partial sum of ``column``'s integers."""
    bounds = pc.min_max(column.cast(pa.int64()) if pa.types.is_boolean(column.type) else column).as_py()
    largest: int = max(abs(bounds["min"] or 0), abs(bounds["max"] or 0))
    return largest * len(column)


def _bools(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A condition as numpy booleans (null: false)."""
    bools: np.ndarray = pc.fill_null(column, False).to_numpy(zero_copy_only=False)
    return bools


class _Scratch:
    """Arrays as long as an aggregation's rows, lent to one aggregation at a time and kept for the next (at
    most `KEPT_BYTES`); a lent array holds whatever its last borrower wrote.

    Memory the process has just used is cheap to write again; fresh memory is not, on a machine whose page
    cache is full (a server beside its database file): at 10 M conversations, chatter_value_ratio's counting
    took 0.37–0.40 s with kept arrays, and 0.42 to 1.2 s with new ones."""

    def __init__(self) -> None:
        self._free: list[np.ndarray] = []
        self._lock = threading.Lock()

    @contextmanager
    def arrays(self) -> Iterator[Callable[[int, type], np.ndarray]]:
        lent: list[np.ndarray] = []

        def take(size: int, dtype: type) -> np.ndarray:
            with self._lock:
                fits = [i for i, a in enumerate(self._free) if a.dtype == dtype and len(a) >= size]
                found = self._free.pop(min(fits, key=lambda i: len(self._free[i]))) if fits else None
            if found is None:
                found = np.empty(size, dtype=dtype)
            lent.append(found)
            return found[:size]

        try:
            yield take
        finally:
            with self._lock:
                self._free.extend(lent)
                self._free.sort(key=len, reverse=True)
                while sum(a.nbytes for a in self._free) > KEPT_BYTES:
                    self._free.pop(0)


_SCRATCH = _Scratch()
