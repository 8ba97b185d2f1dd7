"""Import one batch of records (a JSON array or NDJSON, as the HTTP API receives them) into one table.

A batch is validated as a file is (`stage`, `validation`; a batch whose
values are all plain is checked in Arrow with the same result, `arrow_stage`)
and follows the same rules: good rows are upserted by key (inserted, updated or
unchanged, so re-sending a batch changes nothing), a key repeated in the batch
keeps its last row and the earlier ones are rejected as duplicates, rejected
rows go to ``chatlift_quarantine``, unknown references are counted, and the
whole batch is one transaction. No ``*.rejected.csv`` is written.

Row numbers (``Issue.row``, ``row`` in quarantine) are **0-based**: the
record's index in the array, or for NDJSON the index of its line (blank lines
are skipped but counted). A record that is not a JSON object, or an NDJSON
line that is not valid JSON, is one issue with field ``(row)``; the batch's
other records are imported. How keys and values are read: `payload`.

Speed. A batch is small and the tables are large, so what costs is reading
the stored table, and planning statements. A plain batch needs no validation
statement (`arrow_stage`); otherwise the prepared validation query runs and is
fetched as Arrow. Counts, key ranges, duplicates and the comparison with the
stored rows are computed in Arrow; per batch the statements are: read the stored
rows of the batch's keys, insert, record the changes, log (plus the replaced
rows' record and delete, the issues, when there are some). Unknown references
are counted from the referenced columns kept in memory when a server provides
them (`known`), else read on a second connection meanwhile (`_ReferenceCheck`).
Stored rows are read only within the range of the batch's first key column (and
of its references): a constant range is a filter DuckDB checks against each row
group's min/max, so row groups outside it are skipped. Keys that arrive in roughly
increasing order (time-based ids, sequences, re-sends of recent batches)
therefore cost the same on a table of any size; keys spread over the whole key
space (random UUIDs) still read the whole key column. Most of a batch's cost is
per batch rather than per record, so `import_batches` writes several together.
Figures: docs/performance.md, "Batch ingestion (issue 4)" and "HTTP API (issue 4)".
"""

from __future__ import annotations

import contextlib
import itertools
import time
import weakref
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from chatlift.domain.schema import CUSTOMER_SOURCES, CUSTOMERS, Column, Table
from chatlift.errors import ChatliftError
from chatlift.facts import changes
from chatlift.ingest.arrow_stage import typed_batch
from chatlift.ingest.formats import ROW_COLUMN, Source
from chatlift.ingest.known import KnownValues
from chatlift.ingest.payload import REASON, BatchFormat, read_payload, records_table, resolve_batch_format
from chatlift.ingest.result import ImportResult, Issue, UnknownReference
from chatlift.ingest.stage import STAGE, collect_issues, key_match, stage_select, store_issues
from chatlift.ingest.validation import TEXT_SOURCE
from chatlift.storage.ddl import IMPORTS_TABLE, QUARANTINE_TABLE, quote
from chatlift.storage.store import Store

__all__ = ["BatchFormat", "import_batch", "import_batches", "import_records"]

INPUT = "__chatlift_batch"  # the parsed payload, registered as an Arrow table
GOOD_ROWS = "__chatlift_batch_good"  # the typed good rows (``__row`` and every column)
WRITE = "__chatlift_batch_rows"  # the good rows to write, when some are unchanged
REPLACED = "__chatlift_batch_replaced"  # the keys of stored rows to replace


def import_batch(
    store: Store,
    table: Table,
    payload: bytes,
    *,
    fmt: BatchFormat | str = "json",
    source: str | None = None,
    timezone: str | None = None,
    known: KnownValues | None = None,
) -> ImportResult:
    """Validate ``payload`` and upsert its good records into ``table``, in one transaction.

    Args:
        store: the open database (writable).
        table: the canonical table declaration.
        payload: UTF-8 JSON: an array of objects (``json``) or one object per line (``ndjson``).
        fmt: ``json`` (default) or ``ndjson``.
        source: the name that issues and the import log carry; default ``api:<table>:<import id>``.
            Importing again under the same explicit name replaces its quarantined issues,
            as re-importing a file does.
        timezone: IANA zone for timestamps written without offset (else they are rejected).
        known: the referenced columns' values kept in memory by a server (`known.KnownValues`),
            which then counts unknown references without reading them; None reads them.

    Returns:
        The counts, the issues of rejected records (``row`` = 0-based index), unknown
        references and ignored keys; ``format`` is ``json`` or ``ndjson``, ``rejected_file`` None.

    Raises:
        InputError: a ``json`` payload that is not valid JSON or not an array.
        ParameterError: an unknown ``fmt``.

    >>> import chatlift, tempfile, os
    >>> from chatlift.domain.schema import ORDERS
    >>> ws = chatlift.connect(os.path.join(tempfile.mkdtemp(), "b.duckdb"), create=True)
    >>> r = import_batch(ws.store, ORDERS, b'[{"order_id": "o1", "ordered_at": "2025-01-01T10:00:00Z",'
    ...                  b' "amount": 5, "currency": "EUR"}, {"order_id": "o2"}]')
    >>> (r.source, r.inserted, r.rejected, [(i.row, i.field) for i in r.issues])
    ('api:orders:1', 1, 1, [(1, 'ordered_at'), (1, 'amount'), (1, 'currency')])
    >>> ws.close()
    """
    return _import_one(store, table, _parse(payload, fmt, table), source=source, timezone=timezone, known=known)


def import_records(
    store: Store,
    table: Table,
    records: Sequence[dict[str, Any]],
    rows: Sequence[int],
    *,
    source: str,
    timezone: str | None = None,
) -> ImportResult:
    """Import records already read from some other file (a vendor's export, `ingest.vendors`) as one batch.

    The same validation, upsert and quarantine as `import_batch`, but each record carries the number
    ``rows[i]`` that issues and the quarantine give it (its place in the file it came from), and
    ``source`` names that file: importing it again replaces its quarantined issues for ``table``.
    Values are read as JSON values are (`payload`): text, numbers, booleans or None.
    """
    if len(records) != len(rows):
        raise ValueError(f"{len(records)} records but {len(rows)} row numbers")
    started = time.perf_counter()
    data, ignored = records_table(list(rows), list(records), [None] * len(records), table)
    parsed = _Parsed(started, BatchFormat.JSON, data, ignored, typed_batch(data, table))
    return _import_one(store, table, parsed, source=source, timezone=timezone, known=None)


def import_batches(
    store: Store,
    table: Table,
    payloads: Sequence[bytes],
    *,
    fmt: BatchFormat | str = "json",
    timezone: str | None = None,
    known: KnownValues | None = None,
) -> list[ImportResult | ChatliftError]:
    """Import several batches of one table with the results of `import_batch` on each in turn, writing
    those that can share a transaction together.

    Consecutive batches whose records are all good and plain (see `arrow_stage`) and whose keys
    differ are compared, written, checked for references and logged as one: the work of a batch
    hardly grows with its size (under load, 38 ms for 1 000 messages, 56 ms for 4 000), so a server
    that receives several batches at once stores them for little more than the cost of one. Each batch
    still gets its own counts, import id and log row, as if imported alone after the batches before
    it. Any other batch, or one repeating a key of the batches gathered so far, is imported on its own
    at its turn. When writing the batches together fails, each is imported alone, so an error
    reaches only the batch that causes it.

    Returns, per payload in order, its `ImportResult`, or the error (`ChatliftError`, e.g. a
    payload that is not JSON) that importing it alone would have raised. Sources are the defaults
    (``api:<table>:<import id>``).
    """
    outcomes: list[ImportResult | ChatliftError | None] = [None] * len(payloads)
    gathered: list[tuple[int, _Parsed]] = []
    keys: set[tuple[Any, ...]] = set()

    def write_gathered() -> None:
        for (i, _), result in zip(gathered, _import_together(store, table, [p for _, p in gathered], timezone, known),
                                  strict=True):
            outcomes[i] = result
        gathered.clear()
        keys.clear()

    for i, payload in enumerate(payloads):
        try:
            parsed = _parse(payload, fmt, table)
        except ChatliftError as exc:
            outcomes[i] = exc
            continue
        if parsed.plain is None:
            write_gathered()
            outcomes[i] = _import_alone(store, table, parsed, timezone, known)
            continue
        batch_keys = set(_keys(parsed.plain, table))
        if not keys.isdisjoint(batch_keys):
            write_gathered()
        gathered.append((i, parsed))
        keys.update(batch_keys)
    write_gathered()
    return [o for o in outcomes if o is not None]


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A payload read (`payload.read_payload`), and its typed rows when every record is good and plain."""

    started: float
    format: BatchFormat
    data: pa.Table
    ignored: tuple[str, ...]
    plain: pa.Table | None  # `arrow_stage.typed_batch`


def _parse(payload: bytes, fmt: BatchFormat | str, table: Table) -> _Parsed:
    started = time.perf_counter()
    batch_format = resolve_batch_format(fmt)
    data, ignored = read_payload(payload, batch_format, table)
    return _Parsed(started, batch_format, data, ignored, typed_batch(data, table))


def _import_alone(store: Store, table: Table, parsed: _Parsed, timezone: str | None,
                  known: KnownValues | None) -> ImportResult | ChatliftError:
    try:
        return _import_one(store, table, parsed, source=None, timezone=timezone, known=known)
    except ChatliftError as exc:
        return exc


def _import_one(store: Store, table: Table, parsed: _Parsed, *, source: str | None,
                timezone: str | None, known: KnownValues | None) -> ImportResult:
    con = store.con
    prepared = None if parsed.plain is not None else _prepared(store, table, timezone)
    registered: list[str] = []
    try:
        with store.transaction():
            if parsed.plain is not None:
                good, rows_read, bad, dupes = parsed.plain, parsed.plain.num_rows, 0, 0
            else:
                assert prepared is not None
                stage = _stage(con, prepared, parsed.data, table)
                con.register(STAGE, stage)
                registered.append(STAGE)
                keep = pc.invert(pc.or_(stage["__bad"], stage["__dup"]))
                good = stage.filter(keep).select([ROW_COLUMN, *table.column_names])
                rows_read, bad, dupes = stage.num_rows, _true_count(stage["__bad"]), _true_count(stage["__dup"])
            rejected = bad + dupes
            (inserted, updated, unchanged, unknown), = _store_good(con, table, good, [good.num_rows], registered,
                                                                   known)
            counts = (rows_read, inserted, updated, unchanged, rejected, sum(u.rows for u in unknown))
            (import_id, name), = _log(con, table, [(source, parsed, counts)], timezone)
            if source is not None:
                con.execute(f"DELETE FROM {QUARANTINE_TABLE} WHERE table_name = ? AND source = ?", [table.name, name])
            issues = collect_issues(con, table, name, unit="batch") if rejected else []
            if issues:
                store_issues(con, import_id, table.name, issues)
    finally:
        for view in registered:
            con.unregister(view)
    _written(con, table, good, updated, known)
    return _result(table, parsed, name, import_id, counts, unknown, issues)


def _import_together(store: Store, table: Table, batches: Sequence[_Parsed], timezone: str | None,
                     known: KnownValues | None) -> list[ImportResult | ChatliftError]:
    """Batches of good plain rows with distinct keys, written as one (see `import_batches`)."""
    if len(batches) < 2:
        return [_import_alone(store, table, b, timezone, known) for b in batches]
    con = store.con
    good = pa.concat_tables([b.plain for b in batches if b.plain is not None])
    registered: list[str] = []
    try:
        with store.transaction():
            stored = _store_good(con, table, good, [b.data.num_rows for b in batches], registered, known)
            counts = [(b.data.num_rows, inserted, updated, unchanged, 0, sum(u.rows for u in unknown))
                      for b, (inserted, updated, unchanged, unknown) in zip(batches, stored, strict=True)]
            logged = _log(con, table, [(None, b, c) for b, c in zip(batches, counts, strict=True)], timezone)
    except (duckdb.Error, ChatliftError):
        logged = []  # rolled back: each alone, below
    finally:
        for view in registered:
            con.unregister(view)
    if not logged:
        return [_import_alone(store, table, b, timezone, known) for b in batches]
    _written(con, table, good, sum(s[1] for s in stored), known)
    return [_result(table, b, name, import_id, c, s[3], [])
            for b, (import_id, name), c, s in zip(batches, logged, counts, stored, strict=True)]


def _store_good(con: duckdb.DuckDBPyConnection, table: Table, good: pa.Table, sizes: Sequence[int],
                registered: list[str], known: KnownValues | None) -> list[tuple[int, int, int, list[UnknownReference]]]:
    """Upsert the good rows; per part of ``good`` (``sizes`` rows each, in order): inserted, updated,
    unchanged and the unknown references. Registers ``GOOD_ROWS`` (listed in ``registered``)."""
    if not good.num_rows:
        return [(0, 0, 0, []) for _ in sizes]
    con.register(GOOD_ROWS, good)
    registered.append(GOOD_ROWS)
    check = _ReferenceCheck(con, table, good, sizes, known)
    try:
        stored, same = _compare(con, table, good)
        _write(con, table, good, stored, same, registered)
    except BaseException:
        with contextlib.suppress(Exception):
            check.result()  # wait for it before rolling back; the first error is the one to report
        raise
    out = []
    for (low, high), unknown in zip(_parts(sizes), check.result(), strict=True):
        part_stored, part_same = stored[low:high], same[low:high]
        unchanged = sum(part_same)
        updated = sum(1 for s, u in zip(part_stored, part_same, strict=True) if s and not u)
        out.append((high - low - unchanged - updated, updated, unchanged, unknown))
    return out


def _written(con: duckdb.DuckDBPyConnection, table: Table, good: pa.Table, updated: int,
             known: KnownValues | None) -> None:
    """After the commit: the values of ``good`` are stored, and replaced rows' values may be gone."""
    if known is None or not good.num_rows:
        return
    if updated:
        known.forget(table.name)
    else:
        known.inserted(con, table.name, good)


def _parts(sizes: Sequence[int]) -> list[tuple[int, int]]:
    """``[low, high)`` row ranges of consecutive parts of ``sizes`` rows."""
    bounds = [0, *itertools.accumulate(sizes)]
    return list(itertools.pairwise(bounds))


def _result(table: Table, parsed: _Parsed, name: str, import_id: int, counts: tuple[int, int, int, int, int, int],
            unknown: Sequence[UnknownReference], issues: Sequence[Issue]) -> ImportResult:
    rows_read, inserted, updated, unchanged, rejected, _ = counts
    return ImportResult(
        table=table.name,
        source=name,
        format=parsed.format.value,
        rows_read=rows_read,
        inserted=inserted,
        updated=updated,
        unchanged=unchanged,
        rejected=rejected,
        issues=tuple(issues),
        unknown_references=tuple(unknown),
        ignored_columns=parsed.ignored,
        import_id=import_id,
        seconds=time.perf_counter() - parsed.started,
    )


@dataclass(frozen=True, slots=True)
class _Prepared:
    """Per connection, table and time zone: the input table and the prepared validation query over it."""

    input: str  # temporary table the batch is copied into (empty between batches)
    stage: str  # prepared statement: `stage.stage_select` over ``input``


# Planning the validation query costs more than running it on 1 000 records (for
# messages about 6 of 9 ms), so it is prepared once per connection, table and time
# zone. A prepared statement keeps the Arrow table it was planned on, so it reads a
# temporary table instead, which each batch fills and empties inside its transaction.
_PREPARED: weakref.WeakKeyDictionary[Store, dict[tuple[str, str | None], _Prepared]] = weakref.WeakKeyDictionary()


def _prepared(store: Store, table: Table, timezone: str | None) -> _Prepared:
    """The `_Prepared` of ``table`` on ``store``'s connection, created on first use (outside a transaction)."""
    known = _PREPARED.setdefault(store, {})
    found = known.get((table.name, timezone))
    if found is not None:
        return found
    input_table = f"__chatlift_batch_input_{table.name}"
    columns = ", ".join(f"{quote(c)} VARCHAR" for c in table.column_names)
    store.con.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {input_table} ({ROW_COLUMN} BIGINT, {REASON} VARCHAR, {columns})"
    )
    source = Source(
        sql=f"SELECT * FROM {input_table}",
        column_types={c: TEXT_SOURCE for c in table.column_names},
        extra_columns=(),
        broken=REASON,
    )
    statement = f"__chatlift_batch_stage_{len(known)}"
    store.con.execute(f"PREPARE {statement} AS {stage_select(table, source, timezone)}")
    found = known[(table.name, timezone)] = _Prepared(input=input_table, stage=statement)
    return found


def _stage(con: duckdb.DuckDBPyConnection, prepared: _Prepared, data: pa.Table, table: Table) -> pa.Table:
    """The batch validated by the SQL (`stage.stage_select`), with ``__dup`` set."""
    con.register(INPUT, data)
    try:
        con.execute(f"INSERT INTO {prepared.input} SELECT * FROM {INPUT}")
    finally:
        con.unregister(INPUT)
    stage = _with_duplicates(con.sql(f"EXECUTE {prepared.stage}").to_arrow_table(), table)
    con.execute(f"DELETE FROM {prepared.input}")
    return stage


def _with_duplicates(stage: pa.Table, table: Table) -> pa.Table:
    """``stage`` with ``__dup`` set: among good rows, a key seen again later loses (as `stage.mark_duplicates`).

    Computed here rather than with a window in the query: for 1 000 rows the
    window operator (which carries every column) costs more than the whole validation.
    """
    rows = stage[ROW_COLUMN].to_pylist()
    bad = stage["__bad"].to_pylist()
    keys = list(zip(*(stage[k].to_pylist() for k in table.key), strict=True))
    last: dict[tuple[Any, ...], int] = {}
    for key, row, is_bad in zip(keys, rows, bad, strict=True):
        if not is_bad and row > last.get(key, -1):
            last[key] = row
    dup = [not is_bad and last[key] != row for key, row, is_bad in zip(keys, rows, bad, strict=True)]
    return stage.set_column(stage.schema.get_field_index("__dup"), "__dup", pa.array(dup, pa.bool_()))


def _true_count(column: pa.ChunkedArray) -> int:
    return int(pc.sum(column).as_py() or 0)


def _range(rows: pa.Table, column: str) -> tuple[Any, Any] | None:
    """(min, max) of ``column`` over ``rows``, None when it has no value there."""
    bounds = pc.min_max(rows[column]).as_py()
    return None if bounds["min"] is None else (bounds["min"], bounds["max"])


def _keys(rows: pa.Table, table: Table) -> list[tuple[Any, ...]]:
    """The key of each row, as a tuple (None for a missing part, which equals None as SQL's IS NOT DISTINCT FROM)."""
    return list(zip(*(rows[k].to_pylist() for k in table.key), strict=True))


def _references(table: Table) -> list[Column]:
    return [c for c in table.columns if c.references is not None]


def _known_sources(col: Column) -> list[tuple[str, str]]:
    """(table, column) pairs whose values make ``col``'s references known."""
    if col.references == CUSTOMERS:
        return list(CUSTOMER_SOURCES)
    ref_table, ref_col = str(col.references).split(".")
    return [(ref_table, ref_col)]


def _compare(con: duckdb.DuckDBPyConnection, table: Table, good: pa.Table) -> tuple[list[bool], list[bool]]:
    """Per good row (registered as ``GOOD_ROWS``): is its key stored, and is the stored row identical?

    Stored rows are read only within the key range of the batch (see the module
    docstring) and compared here, column by column, as ``IS NOT DISTINCT FROM`` would.
    """
    first = quote(table.key[0])
    key_range = _range(good, table.key[0])
    assert key_range is not None  # the first key column is required, so good rows have it
    cols = ", ".join(quote(c) for c in table.column_names)
    stored = con.sql(
        f"SELECT {cols} FROM {quote(table.name)} WHERE {first} BETWEEN ? AND ? "
        f"AND {first} IN (SELECT {first} FROM {GOOD_ROWS})",
        params=list(key_range),
    ).to_arrow_table()
    if stored.num_rows == 0:
        return [False] * good.num_rows, [False] * good.num_rows
    position = {key: i for i, key in enumerate(_keys(stored, table))}
    found = [position.get(key) for key in _keys(good, table)]
    match = stored.take(pa.array(found, pa.int64()))  # a null index gives a row of nulls
    same: pa.Array | pa.ChunkedArray = pa.array([f is not None for f in found], pa.bool_())
    for name in table.column_names:
        same = pc.and_(same, _equal(good[name], match[name]))
    return [f is not None for f in found], same.to_pylist()


def _equal(new: pa.ChunkedArray, old: pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Per row: ``new IS NOT DISTINCT FROM old`` (two nulls are equal)."""
    if pa.types.is_list(new.type) or pa.types.is_list(old.type) or new.type != old.type:
        return pa.array([a == b for a, b in zip(new.to_pylist(), old.to_pylist(), strict=True)], pa.bool_())
    both_null = pc.and_(pc.is_null(new), pc.is_null(old))
    return pc.fill_null(pc.or_kleene(pc.equal(new, old), both_null), False)


class _ReferenceCheck:
    """`_unknown` for the batch's good rows, run on a second connection while this one compares and writes.

    On the medium demo a batch of messages that refer to conversations spread
    over the whole table reads every stored conversation id (10-18 ms, the
    largest part of such a batch); the comparison and the writes need not wait
    for it. The second connection sees the committed tables; that is the state
    the check is about, because a batch writes only its own table and the
    check never reads it (when a reference pointed at the batch's own table
    the check would run on this connection, in the transaction).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, table: Table, good: pa.Table, sizes: Sequence[int],
                 known: KnownValues | None) -> None:
        sources = {t for col in _references(table) for t, _ in _known_sources(col)}
        self._cursor: duckdb.DuckDBPyConnection | None = None
        self._future: Future[list[list[UnknownReference]]] | None = None
        self._found: list[list[UnknownReference]] = [[] for _ in sizes]
        if not sources:
            return
        if known is not None or table.name in sources:  # in memory, or it must see this transaction
            self._found = _unknown(con, table, good, sizes, known)
            return
        self._cursor = con.cursor()
        self._future = _CHECKS.submit(_unknown_registered, self._cursor, table, good, sizes)

    def result(self) -> list[list[UnknownReference]]:
        """The unknown references of each part of the rows (waits for the check; the second connection is
        closed afterwards)."""
        if self._future is None:
            return self._found
        try:
            return self._future.result()
        finally:
            assert self._cursor is not None
            self._cursor.close()


_CHECKS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatlift-references")


def _unknown_registered(con: duckdb.DuckDBPyConnection, table: Table, good: pa.Table,
                        sizes: Sequence[int]) -> list[list[UnknownReference]]:
    con.register(GOOD_ROWS, good)
    try:
        return _unknown(con, table, good, sizes, None)
    finally:
        con.unregister(GOOD_ROWS)


def _unknown(con: duckdb.DuckDBPyConnection, table: Table, good: pa.Table, sizes: Sequence[int],
             known: KnownValues | None) -> list[list[UnknownReference]]:
    """Good rows whose reference matches nothing stored, per part of the rows (``sizes`` rows each, in
    order) and reference column: looked up in ``known`` when given, else read from the sources."""
    found: list[list[UnknownReference]] = [[] for _ in sizes]
    for col in _references(table):
        if known is not None:
            missing = known.unknown(con, _known_sources(col), good[col.name]).tolist()
        else:
            missing = _unknown_stored(con, col, good)
        target = CUSTOMERS if col.references == CUSTOMERS else str(col.references).split(".")[0]
        for part, (low, high) in zip(found, _parts(sizes), strict=True):
            n = sum(missing[low:high])
            if n:
                part.append(UnknownReference(column=col.name, target=target, rows=n))
    return found


def _unknown_stored(con: duckdb.DuckDBPyConnection, col: Column, good: pa.Table) -> list[bool]:
    """Per good row: its ``col`` is not null and no source holds it. Each source is read only within
    the range of the rows' references."""
    ref_range = _range(good, col.name)
    if ref_range is None:
        return [False] * good.num_rows
    ref = quote(col.name)
    sources = _known_sources(col)
    known_sql = " UNION ".join(
        f"SELECT {quote(c)} AS k FROM {quote(t)} WHERE {quote(c)} BETWEEN ? AND ? "
        f"AND {quote(c)} IN (SELECT {ref} FROM {GOOD_ROWS})"
        for t, c in sources
    )
    stored = {r[0] for r in con.execute(known_sql, list(ref_range) * len(sources)).fetchall()}
    return [v is not None and v not in stored for v in good[col.name].to_pylist()]


def _write(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    good: pa.Table,
    stored: list[bool],
    same: list[bool],
    registered: list[str],
) -> tuple[int, int, int]:
    """Insert new keys, replace changed rows, leave identical ones; return (inserted, updated, unchanged).

    Every written row, and the stored version of every replaced row before it is
    deleted, is recorded in ``chatlift_changes`` (`facts.changes.record`).
    """
    target = quote(table.name)
    cols = ", ".join(quote(c) for c in table.column_names)
    unchanged = sum(same)
    updated = sum(1 for s, u in zip(stored, same, strict=True) if s and not u)
    inserted = good.num_rows - unchanged - updated
    if updated:
        replaced_rows = good.filter(pa.array([s and not u for s, u in zip(stored, same, strict=True)], pa.bool_()))
        con.register(REPLACED, replaced_rows.select(list(table.key)))
        registered.append(REPLACED)
        key_range = _range(replaced_rows, table.key[0])
        assert key_range is not None
        replaced = (f"{target} t WHERE t.{quote(table.key[0])} BETWEEN ? AND ? AND EXISTS "
                    f"(SELECT 1 FROM {REPLACED} s WHERE {key_match('s', 't', table)})")
        changes.record(con, table.name, f"SELECT t.* FROM {replaced}", list(key_range))
        con.execute(f"DELETE FROM {replaced}", list(key_range))
    if unchanged == good.num_rows:
        return inserted, updated, unchanged
    source = GOOD_ROWS
    if unchanged:
        con.register(WRITE, good.filter(pa.array([not u for u in same], pa.bool_())))
        registered.append(WRITE)
        source = WRITE
    written = f"SELECT {cols} FROM {source}"
    con.execute(f"INSERT INTO {target} ({cols}) {written}")
    changes.record(con, table.name, written)
    return inserted, updated, unchanged


def _log(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    entries: Sequence[tuple[str | None, _Parsed, tuple[int, int, int, int, int, int]]],
    timezone: str | None,
) -> list[tuple[int, str]]:
    """Write a ``chatlift_imports`` row per (source, batch, counts): the next import ids in order, the
    source named after its id by default; return (import id, source) of each.

    One statement: the ids follow the largest so far, as for files (`stage.next_import_id`).
    """
    now = time.perf_counter()
    values = ", ".join(f"({i}, ?, ?, ?, ?, ?, ?, ?, ?, ?)" for i in range(len(entries)))
    params: list[Any] = []
    for source, parsed, counts in entries:
        params += [source, parsed.format.value, int((now - parsed.started) * 1e6), *counts]
    rows = con.execute(
        f"INSERT INTO {IMPORTS_TABLE} SELECT m.id + e.i, ?, coalesce(e.source, ? || (m.id + e.i)), e.fmt, "
        f"now()::TIMESTAMP - to_microseconds(e.took), now()::TIMESTAMP, e.read, e.inserted, e.updated, "
        f"e.unchanged, e.rejected, e.unknown, ? "
        f"FROM (VALUES {values}) e(i, source, fmt, took, read, inserted, updated, unchanged, rejected, unknown), "
        f"(SELECT coalesce(max(import_id), 0) + 1 AS id FROM {IMPORTS_TABLE}) m RETURNING import_id, source",
        [table.name, f"api:{table.name}:", timezone, *params],
    ).fetchall()
    return sorted((int(r[0]), str(r[1])) for r in rows)
