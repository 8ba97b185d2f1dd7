"""The one façade that the CLI, the HTTP API, the dashboard and the tests go through.

>>> import chatlift, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "doc.duckdb")
>>> with chatlift.connect(path, create=True) as ws:
...     ws.row_counts()["conversations"]
0
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import pyarrow as pa

from chatlift.errors import ChatliftError, ParameterError, StoreError
from chatlift.ingest.known import KnownValues
from chatlift.ingest.result import ImportResult
from chatlift.storage.ddl import QUARANTINE_TABLE
from chatlift.storage.overview import Headline, headline
from chatlift.storage.store import Store

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from chatlift.demo import DemoPlan
    from chatlift.experiments import (
        Assignment,
        ExperimentResult,
        ExperimentSpec,
        ExperimentSummary,
        PlanResult,
    )
    from chatlift.facts import Refreshed
    from chatlift.ingest.vendors import VendorImport
    from chatlift.metrics.business_hours import BusinessHours
    from chatlift.value import ChurnResult, ClvResult, CohortResult, RoiResult, StaffCost

DEMO_MEMORY_LIMIT = "1GB"  # DuckDB's buffer pool while the demo is written (the generator adds ≈ 1 GB)

ProgressCallback = Callable[[str, int, int], None]
"""Called as ``progress(label, done, total)`` while long work runs."""


class Workspace:
    """An open chatlift database and everything one can do with it.

    Args:
        path: the DuckDB file (created when ``create`` is true and it is missing).
        read_only: open without write access.
        create: create the file when missing.
        keep_reports: keep the results of this many recent `report` calls and answer the same call
            again from them, until this workspace writes data (`import_files`, `import_batch`,
            `generate_demo`). Only sound while nothing else writes to the file: a server that holds it
            (DuckDB lets one process write a file, and no other process read it meanwhile). Such a
            workspace also keeps the referenced columns' values in memory for the unknown-reference
            count of API batches (`chatlift.ingest.known`), and computes long reports' aggregations from
            hourly rollups (`chatlift.metrics.rollup`), dropped on every write.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False, create: bool = False,
                 keep_reports: int = 0) -> None:
        self.store = Store(path, read_only=read_only, create=create)
        self._keep_reports = keep_reports
        self._reports: OrderedDict[str, pa.Table] = OrderedDict()
        self._backend: Any = None
        self._known = KnownValues() if keep_reports else None

    def _changed(self, *, known_kept: bool = False) -> None:
        """The data changed: kept report results are stale, and so are the known values unless the
        writer kept them (``known_kept``: API batches, which update them)."""
        self._reports.clear()
        if self._backend is not None:
            from chatlift.metrics import rollup

            rollup.forget(self._backend)
        if self._known is not None and not known_kept:
            self._known.forget()

    @property
    def path(self) -> Path:
        return self.store.path

    def row_counts(self) -> dict[str, int]:
        """Rows per canonical table."""
        return self.store.row_counts()

    def import_files(
        self,
        table: str,
        paths: Sequence[str | Path],
        *,
        fmt: str | None = None,
        timezone: str | None = None,
        rejects_dir: str | Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> list[ImportResult]:
        """Import files into one canonical table, one transaction per file.

        Args:
            table: canonical table name (e.g. ``"conversations"``).
            paths: files or glob patterns (``data/*.csv``); expanded in sorted order.
            fmt: ``csv``, ``jsonl`` or ``parquet`` to override the extension.
            timezone: IANA zone in which timestamps without offset are read.
            rejects_dir: where ``<file>.rejected.csv`` files go (default: beside each file).
            progress: called as ``progress(file, permille_read, 1000)``.

        Returns:
            One `ImportResult` per file, in import order.
        """
        from chatlift.ingest import (
            import_file,
            resolve_format,
            resolve_inputs,
            resolve_table,
            resolve_timezone,
        )

        spec = resolve_table(table)
        zone = resolve_timezone(timezone)
        file_format = resolve_format(fmt)
        results = []
        try:
            for path in resolve_inputs(paths):
                hook = None
                if progress is not None:
                    name = str(path)
                    hook = lambda fraction, name=name: progress(name, int(fraction * 1000), 1000)
                results.append(
                    import_file(
                        self.store,
                        spec,
                        path,
                        fmt=file_format,
                        timezone=zone,
                        rejects_dir=Path(rejects_dir) if rejects_dir else None,
                        progress=hook,
                    )
                )
            self.refresh_facts()
        finally:
            self._changed()
        return results

    def import_vendor(
        self, vendor: str, paths: Sequence[str | Path], *, timezone: str | None = None, id_prefix: str | None = None
    ) -> list[VendorImport]:
        """Import the exports of a real tool: ``chatwoot``, ``intercom``, ``livechat`` or ``zendesk``
        conversations (API JSON), ``shopify`` orders (export CSV) or ``woocommerce`` orders (API JSON).

        Each file is translated into canonical records (`chatlift.ingest.vendors`, docs/importers.md) and
        imported with the same validation, upsert by id and quarantine as `import_files`, one transaction
        per table of a file; issues name the file and the record's number in it. Records the file
        withdraws (an order since refunded, a ticket since deleted) are removed.

        Args:
            vendor: one of `chatlift.ingest.vendors.VENDORS`.
            paths: files or glob patterns, expanded in sorted order.
            timezone: IANA zone in which timestamps without offset are read.
            id_prefix: put before every id of the files (``"zendesk:"``), for tools whose ids overlap.
        """
        from chatlift.ingest import resolve_inputs, resolve_timezone
        from chatlift.ingest.vendors import import_vendor

        zone = resolve_timezone(timezone)
        done = []
        try:
            for path in resolve_inputs(paths):
                done.append(import_vendor(self.store, vendor, path, timezone=zone, id_prefix=id_prefix))
            self.refresh_facts()
        finally:
            self._changed()
        return done

    def import_batch(
        self, table: str, payload: bytes, *, fmt: str = "json", timezone: str | None = None
    ) -> ImportResult:
        """Import one batch of records (as the HTTP API receives them) into one canonical table.

        The same validation, upsert by key and quarantine as `import_files`, in one
        transaction; issues name records by their 0-based index (see `chatlift.ingest.batch`).

        Args:
            table: canonical table name (e.g. ``"messages"``).
            payload: a JSON array of objects (``fmt="json"``) or one object per line (``fmt="ndjson"``).
            fmt: ``json`` or ``ndjson``.
            timezone: IANA zone in which timestamps without offset are read.
        """
        from chatlift.ingest import import_batch, resolve_table, resolve_timezone

        try:
            return import_batch(self.store, resolve_table(table), payload, fmt=fmt,
                                timezone=resolve_timezone(timezone), known=self._known)
        finally:
            self._changed(known_kept=True)

    def import_batches(
        self, table: str, payloads: Sequence[bytes], *, fmt: str = "json", timezone: str | None = None
    ) -> list[ImportResult | ChatliftError]:
        """Import several batches of one table as `import_batch` would one after another, writing those that
        can go together in one transaction (see `chatlift.ingest.batch.import_batches`); per payload its
        result, or the error importing it raised."""
        from chatlift.ingest import resolve_table, resolve_timezone
        from chatlift.ingest.batch import import_batches

        try:
            return import_batches(self.store, resolve_table(table), payloads, fmt=fmt,
                                  timezone=resolve_timezone(timezone), known=self._known)
        finally:
            self._changed(known_kept=True)

    def generate_demo(
        self,
        size: str | int = "small",
        *,
        seed: int = 42,
        replace: bool = False,
        progress: ProgressCallback | None = None,
    ) -> dict[str, int]:
        """Write the deterministic demo dataset; return rows written per table.

        Refuses to write into a database that already holds data unless
        ``replace`` is true, in which case every canonical table is emptied first.
        The data is committed chunk by chunk (one transaction per chunk of
        people keeps memory bounded for the 10 M-conversation size); if the run
        fails or is interrupted, everything it wrote is removed again, so the
        database is never left with a partial demo (with ``replace`` it is then
        empty).
        """
        from chatlift.demo import plan_for

        plan = plan_for(size)
        existing = {k: v for k, v in self.row_counts().items() if v}
        if existing and not replace:
            raise StoreError(
                f"{self.path} already holds data ({', '.join(f'{k}: {v}' for k, v in existing.items())})",
                hint="pass --replace to empty it first, or choose another --db",
            )
        try:
            with self.store.memory_limit(DEMO_MEMORY_LIMIT):
                written = self._write_demo(plan, seed=seed, replace=replace, progress=progress)
            self.refresh_facts()
            return written
        finally:
            self._changed()

    def _write_demo(
        self, plan: DemoPlan, *, seed: int, replace: bool, progress: ProgressCallback | None
    ) -> dict[str, int]:
        from chatlift.demo import generate_chunks

        written: dict[str, int] = {}
        done = 0  # pieces appended, for the progress bar
        committed = False  # a failure before the first commit is simply rolled back
        try:
            for index, chunk in enumerate(generate_chunks(plan, seed=seed)):
                with self.store.transaction():
                    if index == 0 and replace:
                        self.store.truncate()
                    for table_name, rows in chunk:
                        written[table_name] = written.get(table_name, 0) + self.store.append_arrow(table_name, rows)
                        done += 1
                        if progress is not None:
                            progress("demo", min(done, plan.total_chunks), plan.total_chunks)
                committed = True
        except BaseException:
            if committed:
                with self.store.transaction():
                    self.store.truncate()
            raise
        return written

    def report(
        self,
        metrics: Sequence[str],
        *,
        start: date | None = None,
        end: date | None = None,
        timezone: str = "UTC",
        by: Sequence[str] = (),
        filters: dict[str, tuple[str, ...]] | None = None,
        params: dict[str, dict[str, Any]] | None = None,
        basis: str = "start",
        compare: bool = False,
        business_hours: BusinessHours | None = None,
    ) -> pa.Table:
        """Metrics of the catalogue for ``[start, end)`` (local dates in ``timezone``), as Arrow.

        One row per metric and group: ``metric``, the ``by`` columns, ``value``,
        ``lower`` and ``upper`` (95 % interval) and ``n``; with ``compare`` also the
        previous period's figures and the change. ``params`` maps a metric key to
        its parameters; ``basis`` is ``start`` (conversation start) or ``event``;
        ``business_hours`` is the calendar for ``hours="business"``. See
        `chatlift.metrics.report`.
        """
        from chatlift.metrics import Filters, Period, report

        key = repr((tuple(metrics), start, end, timezone, tuple(by), sorted((filters or {}).items()),
                    sorted((k, sorted(v.items())) for k, v in (params or {}).items()), basis, compare,
                    id(business_hours)))
        if key in self._reports:
            self._reports.move_to_end(key)
            return self._reports[key]
        table = report(self.backend(), metrics, period=Period(start, end, timezone), by=by,
                       filters=Filters(filters or {}), params=params, basis=basis, compare=compare,
                       business_hours=business_hours, facts=self.facts(), rollups=bool(self._keep_reports))
        if self._keep_reports:
            self._reports[key] = table
            while len(self._reports) > self._keep_reports:
                self._reports.popitem(last=False)
        return table

    def conversations(
        self,
        *,
        start: date | None = None,
        end: date | None = None,
        timezone: str = "UTC",
        filters: dict[str, tuple[str, ...]] | None = None,
        window: float = 7.0,
        kinds: tuple[str, ...] = ("purchase", "quote"),
        business_hours: BusinessHours | None = None,
    ) -> pa.Table:
        """One row per conversation that started in ``[start, end)`` (local dates in ``timezone``), with
        everything the catalogue knows about it (columns: `chatlift.metrics.export.EXPORT_COLUMNS`)."""
        from chatlift.metrics import Filters, Period
        from chatlift.metrics.export import conversation_rows
        from chatlift.metrics.scope import Scope

        scope = Scope(self.backend(), Period(start, end, timezone), Filters(filters or {}),
                      business_hours=business_hours, facts=self.facts())
        try:
            table: pa.Table = conversation_rows(scope, window=window, kinds=kinds).to_pyarrow()
        finally:
            scope.release()
        return table

    def export_conversations(
        self,
        path: str | Path,
        *,
        fmt: str = "csv",
        start: date | None = None,
        end: date | None = None,
        timezone: str = "UTC",
        filters: dict[str, tuple[str, ...]] | None = None,
        window: float = 7.0,
        kinds: tuple[str, ...] = ("purchase", "quote"),
        business_hours: BusinessHours | None = None,
    ) -> int:
        """Write `conversations` to ``path``; returns the row count.

        ``fmt`` is ``csv`` or ``parquet``; the file is written whole or not at all.
        """
        if fmt not in ("csv", "parquet"):
            raise ParameterError(f"unknown export format {fmt!r}", hint="use csv or parquet")
        table = self.conversations(start=start, end=end, timezone=timezone, filters=filters, window=window,
                                   kinds=kinds, business_hours=business_hours)
        target = Path(path)
        partial = target.with_name(target.name + ".partial")
        try:
            if fmt == "parquet":
                import pyarrow.parquet as pq

                pq.write_table(table, partial)
            else:
                with partial.open("wb") as stream:
                    write_csv(table, stream)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
        return int(table.num_rows)

    def backend(self) -> Any:
        """The Ibis backend over this database's connection (one per workspace, so table schemas are
        looked up once and compiled queries are kept, `chatlift.metrics.compiled`)."""
        # Reports sort their own output; letting DuckDB write temporary tables out of order halves the
        # time it takes to keep the shared sub-results (timings, attribution) of a report. Executed on
        # every call, it also closes a result another caller left half-read (``fetchone``), which would
        # make the backend's next query fail with "connection has an unfinished result".
        self.store.con.execute("SET preserve_insertion_order = false")
        if self._backend is None:
            import ibis

            from chatlift.metrics.compiled import remember_compiled

            self._backend = ibis.duckdb.from_connection(self.store.con)
            remember_compiled(self._backend)
        return self._backend

    def facts(self) -> bool:
        """Whether the derived fact tables are current, so that reports may read them (`chatlift.facts`).

        A writable workspace first applies what was written since the last refresh (API batches refresh
        lazily, here); a read-only one with pending changes answers False, and reports then compute
        from the raw events, more slowly but with the same results.
        """
        from chatlift.facts import current

        if current(self.store.con):
            return True
        if self.store.read_only:
            return False
        self.refresh_facts()
        return True

    def refresh_facts(self) -> Refreshed:
        """Apply every change written since the fact tables were last refreshed (see `chatlift.facts`)."""
        from chatlift.facts import refresh

        return refresh(self.store, self.backend())

    def quarantine_count(self) -> int:
        """Issues currently held in quarantine (one per problem of a rejected row)."""
        row = self.store.con.execute(f"SELECT count(*) FROM {QUARANTINE_TABLE}").fetchone()
        return int(row[0]) if row else 0

    def quarantined(self, *, table: str | None = None, limit: int | None = None) -> list[dict[str, object]]:
        """Quarantined issues, by table, file and row: dicts with table, file, row, field, value, reason."""
        where, params = ("WHERE table_name = ?", [table]) if table else ("", [])
        cap = f"LIMIT {int(limit)}" if limit else ""
        rows = self.store.con.execute(
            f'SELECT table_name, source, "row", field, value, reason FROM {QUARANTINE_TABLE} {where} '
            f'ORDER BY table_name, source, "row", field {cap}',
            params,
        ).fetchall()
        keys = ("table", "file", "row", "field", "value", "reason")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def headline(self) -> Headline:
        """Headline figures over the whole database (see `storage.overview`)."""
        return headline(self.store.con)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- experiments (issue 5) --------------------------------------------------------------
    # ``definitions`` are the declared experiments, e.g. experiments_from_mapping(settings.experiments,
    # config_path()); the demo's realtime_support is added when its assignments are stored.

    def experiments(self, definitions: Mapping[str, ExperimentSpec] | None = None) -> list[ExperimentSummary]:
        """Every experiment, declared or only seen in ``assignments``, with units per variant."""
        from chatlift.experiments.overview import summaries

        return summaries(self.backend(), definitions)

    def experiment(self, key: str, definitions: Mapping[str, ExperimentSpec] | None = None) -> ExperimentSpec:
        """The definition of experiment ``key`` (declared, or the demo's built-in one).

        Raises:
            ExperimentError: unknown key, or exposures stored without a definition.
        """
        from chatlift.experiments.overview import definitions as known
        from chatlift.experiments.overview import resolve, stored_experiments

        stored = stored_experiments(self.backend())
        return resolve(key, known(definitions, stored), stored)

    def assign(self, key: str, unit_id: str, *, definitions: Mapping[str, ExperimentSpec] | None = None,
               at: datetime | None = None, record: bool = True) -> Assignment:
        """The variant of ``unit_id`` in experiment ``key`` (deterministic hash, see
        `chatlift.experiments.assignment`); with ``record`` the first exposure is stored in ``assignments``
        (at ``at``, default now) and later calls return it unchanged."""
        return self.assign_units(key, [unit_id], definitions=definitions, at=at, record=record)[0]

    def assign_units(self, key: str, unit_ids: Sequence[str], *,
                     definitions: Mapping[str, ExperimentSpec] | None = None, at: datetime | None = None,
                     record: bool = True) -> list[Assignment]:
        """`assign` for many units in one transaction; one `Assignment` per id, in order."""
        from chatlift.experiments.assignment import assign

        return assign(self.store, self.experiment(key, definitions), unit_ids, at=at, record=record)

    def analyze(self, key: str, *, definitions: Mapping[str, ExperimentSpec] | None = None,
                as_of: datetime | None = None, **overrides: Any) -> ExperimentResult:
        """Analyse experiment ``key``: lifts with intervals, p-values, SRM, corrections and verdicts.

        Args:
            key: the experiment.
            definitions: declared experiments (see above).
            as_of: read the data as of this instant (UTC), e.g. for a cumulative chart.
            overrides: spec fields to change for this analysis only, e.g. ``sequential=True``,
                ``bayesian=True``, ``alpha=0.1``, ``correction="bh"``, ``winsorize=0.99``,
                ``covariate_days=28``, ``alternative="greater"``.
        """
        from pydantic import ValidationError

        from chatlift.errors import ExperimentError, close_matches
        from chatlift.experiments.analysis import analyze
        from chatlift.experiments.spec import ExperimentSpec

        spec = self.experiment(key, definitions)
        if overrides:
            unknown = sorted(set(overrides) - set(ExperimentSpec.model_fields))
            if unknown:
                raise ExperimentError(f"unknown experiment setting {unknown[0]!r}",
                                      hint=close_matches(unknown[0], ExperimentSpec.model_fields))
            try:
                spec = ExperimentSpec.model_validate(spec.model_dump() | overrides)
            except ValidationError as exc:
                first = exc.errors()[0]
                name = ".".join(str(p) for p in first["loc"])
                raise ExperimentError(f"{key}: {name} = {overrides.get(name)!r}: {first['msg']}") from exc
        return analyze(self.backend(), spec, as_of=as_of)

    @staticmethod
    def plan(**params: Any) -> PlanResult:
        """Sample size, duration or minimum detectable effect (see `chatlift.experiments.planning.plan`)."""
        from chatlift.experiments.planning import plan

        return plan(**params)

    # -- value: churn, retention, lifetime value, ROI (issue 6) ---------------------------------

    def churn(self, start: date, end: date, *, basis: str = "subscriptions", every: str | None = None,
              timezone: str = "UTC", inactivity_days: float = 90.0, trials: bool = False,
              kinds: Sequence[str] = ("purchase",), channel: str | None = "chat") -> ChurnResult:
        """Customer churn per period of ``[start, end)`` (local dates), split by chatters and CSAT band.

        ``basis`` ``subscriptions`` (ended_at; with MRR revenue churn and gross/net revenue retention) or
        ``orders`` (lost after ``inactivity_days`` without an order); ``every`` week, month, quarter, year or
        None (one period). See `chatlift.value.churn`.
        """
        from chatlift.value.churn import churn

        return churn(self.backend(), start, end, basis=basis, every=every, timezone=timezone,
                     inactivity_days=inactivity_days, trials=trials, kinds=kinds, channel=channel)

    def retention_cohorts(self, start: date, end: date, *, basis: str = "orders", timezone: str = "UTC",
                          trials: bool = False, kinds: Sequence[str] = ("purchase",),
                          channel: str | None = "chat") -> CohortResult:
        """Monthly retention cohorts (first order or subscription start) for months in ``[start, end)``:
        share of each cohort still active k months later. See `chatlift.value.cohorts`."""
        from chatlift.value.cohorts import retention_cohorts

        return retention_cohorts(self.backend(), start, end, basis=basis, timezone=timezone, trials=trials,
                                 kinds=kinds, channel=channel)

    def clv(self, calibration_end: date, *, unit: str = "week", horizon: float = 52.0,
            first_from: date | None = None, holdout_end: date | None = None, discount_rate: float = 0.0,
            kinds: Sequence[str] = ("purchase",), channel: str | None = "chat") -> ClvResult:
        """Historical and predicted customer value: BG/NBD + Gamma-Gamma fitted on purchases before
        ``calibration_end``, predictions over ``horizon`` (in ``unit``), per chatters, CSAT band and segment;
        with ``holdout_end`` predicted vs actual purchases after calibration. See `chatlift.value.clv`.

        Raises:
            ParameterError: the data cannot support a BG/NBD fit (the message says why).
        """
        from chatlift.value.clv import clv

        return clv(self.backend(), calibration_end, unit=unit, horizon=horizon, first_from=first_from,
                   holdout_end=holdout_end, discount_rate=discount_rate, kinds=kinds, channel=channel)

    def roi(self, start: date, end: date, *, timezone: str = "UTC", channel: str | None = "chat",
            staff: StaffCost | None = None, shared_costs: bool = True, window: float = 7.0,
            kinds: Sequence[str] = ("purchase",), experiment: str | None = None,
            definitions: Mapping[str, ExperimentSpec] | None = None) -> RoiResult:
        """Support ROI for ``[start, end)``: cost (costs table prorated, or ``staff``) against revenue
        attributed to chat (correlational) and, with ``experiment``, that experiment's incremental revenue
        (causal, from `analyze`). See `chatlift.value.roi`."""
        from chatlift.value.roi import roi

        result = self.analyze(experiment, definitions=definitions) if experiment is not None else None
        return roi(self.backend(), start, end, timezone=timezone, channel=channel, staff=staff,
                   shared_costs=shared_costs, window=window, kinds=kinds, experiment=result)


def write_csv(table: pa.Table, stream: Any) -> None:
    """``table`` as CSV with a header; list columns (tags) become ``a;b`` text."""
    import pyarrow.csv as pcsv

    for index, column in enumerate(table.schema):
        if pa.types.is_list(column.type):
            joined = pa.array([None if v is None else ";".join(v) for v in table.column(index).to_pylist()],
                              pa.string())
            table = table.set_column(index, column.name, joined)
    pcsv.write_csv(table, stream)


def connect(path: str | Path, *, read_only: bool = False, create: bool = False, keep_reports: int = 0) -> Workspace:
    """Open the chatlift database at ``path`` (see `Workspace`)."""
    return Workspace(path, read_only=read_only, create=create, keep_reports=keep_reports)


__all__: Sequence[str] = ("ProgressCallback", "Workspace", "connect")
