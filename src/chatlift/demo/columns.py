"""Arrow columns built in bulk: ids, timestamps, labels from small vocabularies."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from chatlift.demo.calendar import to_unix_us
from chatlift.domain.arrow import arrow_schema
from chatlift.domain.schema import table as schema_table


def ids(prefix: str, numbers: npt.NDArray[np.int64], width: int) -> pa.Array:
    """``prefix`` + zero-padded number, e.g. ``ids("cnv_0003_", [7], 6)`` → ``cnv_0003_000007``."""
    digits = pc.cast(pa.array(numbers, type=pa.int64()), pa.string())
    padded = pc.utf8_lpad(digits, width=width, padding="0")
    return pc.binary_join_element_wise(prefix, padded, "")


def sequential_ids(prefix: str, count: int, width: int = 7) -> pa.Array:
    """``count`` ids ``prefix0000000``, ``prefix0000001`` …"""
    return ids(prefix, np.arange(count, dtype=np.int64), width)


def timestamps(t: npt.NDArray[np.int64], null: npt.NDArray[np.bool_] | None = None) -> pa.Array:
    """Microseconds since START → Arrow ``timestamp("us")`` (naive UTC); ``null`` marks missing."""
    values = to_unix_us(np.asarray(t, dtype=np.int64))
    return pa.array(values, type=pa.timestamp("us"), mask=null)


def labels(vocabulary: Sequence[str], codes: npt.NDArray[np.integer]) -> pa.Array:
    """Strings by code from a small vocabulary; a negative code is null."""
    codes = np.asarray(codes, dtype=np.int64)
    index = pa.array(np.maximum(codes, 0), mask=codes < 0)
    return pa.array(list(vocabulary), type=pa.string()).take(index)


def take(values: pa.Array, index: npt.NDArray[np.integer]) -> pa.Array:
    """``values[index]``, null where the index is negative."""
    index = np.asarray(index, dtype=np.int64)
    return values.take(pa.array(np.maximum(index, 0), mask=index < 0))


def null_strings(count: int) -> pa.Array:
    return pa.nulls(count, type=pa.string())


def build(table_name: str, columns: dict[str, pa.Array]) -> pa.Table:
    """A table with exactly the canonical schema of ``table_name`` (columns in declaration order)."""
    schema = arrow_schema(schema_table(table_name))
    arrays = [columns[field.name] for field in schema]
    return pa.Table.from_arrays(arrays, schema=schema)
