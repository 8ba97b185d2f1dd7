"""The values of the columns that references point at, kept in memory by a long-running writer.

An API batch counts its *unknown references*: messages whose conversation is not
stored, orders whose customer appears in no source of customers. Read from the
database, that check scans the whole referenced column for every batch (DuckDB
cannot look up a thousand scattered strings faster: see docs/decisions.md, "API
batches"), 6-8 ms at 300 k conversations and growing with the table. A server is
the only process that can write its database, so it can keep those columns in
memory instead: each as the sorted 64-bit hashes (DuckDB's ``hash``) of its
distinct values, 8 bytes per value (80 MB for 10 M conversations), read once on
first use, extended with the values a batch inserts and read again after any
other change of the table.

A value counts as known when its hash is among the stored values' hashes. Two
different values share a 64-bit hash with a probability of about 2^-64 per pair,
so an unknown reference is missed with a probability of about n × 2^-64 for n
stored values (5e-13 at 10 M): the count is exact in practice, and it is a
count reported beside the import, never a reason to reject a row.
"""

from __future__ import annotations

from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from chatlift.storage.ddl import quote

VALUES = "__chatlift_known_values"  # the batch's values, registered while they are hashed


class KnownValues:
    """Hashes of the distinct values of referenced columns, per (table, column), until told they changed."""

    def __init__(self) -> None:
        self._hashes: dict[tuple[str, str], np.ndarray] = {}

    def unknown(self, con: duckdb.DuckDBPyConnection, sources: list[tuple[str, str]],
                values: pa.ChunkedArray | pa.Array) -> np.ndarray:
        """Per value: True when it is not null and no source column (table, column) holds it."""
        if not isinstance(values, pa.ChunkedArray):
            values = pa.chunked_array([values])
        hashed = _over(con, values, "SELECT hash(v) AS h, v IS NULL AS missing")
        found = np.asarray(hashed["missing"], dtype=bool).copy()
        wanted = np.asarray(hashed["h"], dtype=np.uint64)
        for table, column in sources:
            stored = self._stored(con, table, column)
            if stored.size:
                at = np.minimum(np.searchsorted(stored, wanted), stored.size - 1)
                found |= stored[at] == wanted
        return ~found

    def _stored(self, con: duckdb.DuckDBPyConnection, table: str, column: str) -> np.ndarray:
        key = (table, column)
        if key not in self._hashes:
            rows = con.execute(f"SELECT DISTINCT hash({quote(column)}) AS h FROM {quote(table)} "
                               f"WHERE {quote(column)} IS NOT NULL").fetchnumpy()
            self._hashes[key] = np.sort(np.asarray(rows["h"], dtype=np.uint64))
        return self._hashes[key]

    def inserted(self, con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
        """``rows`` were added to ``table`` (and committed): their values are known from now on."""
        for (name, column), stored in list(self._hashes.items()):
            if name != table or column not in rows.column_names:
                continue
            added = _over(con, rows[column], "SELECT DISTINCT hash(v) AS h", "WHERE v IS NOT NULL")
            self._hashes[name, column] = np.union1d(stored, np.asarray(added["h"], dtype=np.uint64))

    def forget(self, table: str | None = None) -> None:
        """``table`` (default: every table) changed otherwise: read its values again when next needed."""
        for key in [k for k in self._hashes if table is None or k[0] == table]:
            del self._hashes[key]


def _over(con: duckdb.DuckDBPyConnection, values: pa.ChunkedArray, select: str, where: str = "") -> dict[str, Any]:
    """The columns of ``select … FROM`` ``values`` (as column ``v``) ``where …``, as NumPy arrays."""
    con.register(VALUES, pa.table({"v": values}))
    try:
        result: dict[str, Any] = con.execute(f"{select} FROM {VALUES} {where}").fetchnumpy()
        return result
    finally:
        con.unregister(VALUES)
