"""A report request as the CLI, the HTTP API and the dashboard ask for it: parsed, checked, run, described.

The interfaces only translate their own syntax (command-line options, query parameters, form
fields) into text values and call `build_request`; `run_request` asks `Workspace.report` for the
numbers and `report_rows` adds what a reader needs beside them (label, unit, published figure).
Nothing here computes a metric.

Without named metrics the whole catalogue is reported, except metrics that cannot run with the
options given (``channel_mix`` without a channel breakdown, ``churn_rate`` without a closed
period, a metric that does not allow a requested breakdown …): those are *skipped*, each with the
reason. A metric named explicitly (or given a parameter) is never skipped: its problem is an error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from chatlift.errors import ParameterError, UnknownMetricError, close_matches
from chatlift.metrics import REGISTRY
from chatlift.metrics.definitions import Metric, Reference
from chatlift.metrics.scope import ALL_BREAKDOWNS, FILTERS, Basis, Period

if TYPE_CHECKING:
    from chatlift.metrics.business_hours import BusinessHours
    from chatlift.workspace import Workspace

NUMBER_COLUMNS = ("value", "lower", "upper", "n")
PREVIOUS_COLUMNS = ("previous_value", "previous_lower", "previous_upper", "previous_n", "change")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A metric of the default selection that cannot run with the options given, and why."""

    metric: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReportRequest:
    """What was asked, checked; the arguments of `Workspace.report`."""

    metrics: tuple[str, ...]
    named: frozenset[str]  # metrics asked for by name (or given a parameter): never skipped
    period: Period
    by: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    params: dict[str, dict[str, str]] = field(default_factory=dict)
    basis: Basis = Basis.START
    compare: bool = False

    @property
    def previous(self) -> Period | None:
        return self.period.previous() if self.compare else None


def split_values(values: Sequence[str] | None) -> list[str]:
    """Repeated values that may also be comma-separated lists: ``[a, b]`` = ``[a,b]``.

    >>> split_values(["channel,team", " day "])
    ['channel', 'team', 'day']
    """
    return [item.strip() for value in values or () for item in value.split(",") if item.strip()]


def known_metric(key: str) -> str:
    """``key`` when the registry knows it; otherwise an `UnknownMetricError` with a suggestion."""
    if key not in REGISTRY:
        raise UnknownMetricError(f"unknown metric {key!r}", hint=close_matches(key, REGISTRY)
                                 or "`chatlift metrics` (or GET /v1/metrics) lists the catalogue")
    return key


def parse_metrics(values: Sequence[str] | None) -> tuple[str, ...]:
    """Metric keys (repeated or comma-separated), each known, in the order given, without repeats."""
    keys: list[str] = []
    for key in split_values(values):
        known_metric(key)
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def parse_breakdowns(values: Sequence[str] | None) -> tuple[str, ...]:
    """Breakdown names (repeated or comma-separated), each known."""
    by = tuple(split_values(values))
    for name in by:
        if name not in ALL_BREAKDOWNS:
            raise ParameterError(f"unknown breakdown {name!r}",
                                 hint=close_matches(name, ALL_BREAKDOWNS) or f"break down by {', '.join(ALL_BREAKDOWNS)}")
    return by


def _example(option: str, value: str) -> str:
    """``--filter channel=chat`` on the command line, ``filter=channel=chat`` in a query string."""
    return f"{option} {value}" if option.startswith("--") else f"{option}={value}"


def parse_filters(values: Sequence[str] | None, *, option: str = "--filter") -> dict[str, tuple[str, ...]]:
    """``name=value[,value]`` texts as a mapping; a name given twice keeps both sets of values.
    ``option`` names the option or query parameter in messages.

    >>> parse_filters(["channel=chat,email", "tag=vip", "channel=phone"])
    {'channel': ('chat', 'email', 'phone'), 'tag': ('vip',)}
    """
    filters: dict[str, tuple[str, ...]] = {}
    for text in values or ():
        name, sep, rest = text.partition("=")
        name = name.strip()
        wanted = tuple(v.strip() for v in rest.split(",") if v.strip())
        if not sep or not name or not wanted:
            raise ParameterError(f"{option} {text!r} is not NAME=VALUE[,VALUE]",
                                 hint=f"for example {_example(option, 'channel=chat,email')} or "
                                      f"{_example(option, 'tag=vip')}")
        if name not in FILTERS:
            raise ParameterError(f"unknown filter {name!r} in {option} {text!r}",
                                 hint=close_matches(name, FILTERS) or f"filter on {', '.join(FILTERS)}")
        filters[name] = (*filters.get(name, ()), *(v for v in wanted if v not in filters.get(name, ())))
    return filters


def parse_params(values: Sequence[str] | None, *, option: str = "--param") -> dict[str, dict[str, str]]:
    """``metric.name=value`` texts, grouped per metric; values stay text (the engine converts them).

    >>> parse_params(["sla_attainment.target=200", "chat_conversion_rate.kinds=purchase,quote"])
    {'sla_attainment': {'target': '200'}, 'chat_conversion_rate': {'kinds': 'purchase,quote'}}
    """
    params: dict[str, dict[str, str]] = {}
    for text in values or ():
        name, sep, value = text.partition("=")
        key, dot, param = name.strip().partition(".")
        if not (sep and dot and key and param):
            raise ParameterError(f"{option} {text!r} is not METRIC.NAME=VALUE",
                                 hint=f"for example {_example(option, 'sla_attainment.target=60')}; "
                                      "`chatlift metrics show METRIC` lists a metric's parameters")
        params.setdefault(known_metric(key), {})[param.strip()] = value.strip()
    return params


def build_request(
    metrics: Sequence[str] | None, *, start: date | None, end: date | None, timezone: str,
    by: Sequence[str] | None = None, filters: Sequence[str] | None = None, params: Sequence[str] | None = None,
    basis: Basis | str = Basis.START, compare: bool = False, param_option: str = "--param",
    filter_option: str = "--filter",
) -> ReportRequest:
    """Parse and check a request before the database is touched: a mistake costs no query."""
    keys = parse_metrics(metrics)
    given = parse_params(params, option=param_option)
    for key, values in given.items():
        REGISTRY[key].resolve(values)  # unknown parameter names and bad values are reported here
    try:
        basis_value = Basis(basis)
    except ValueError:
        raise ParameterError(f"unknown period basis {basis!r}", hint="use start or event") from None
    request = ReportRequest(
        metrics=keys or tuple(REGISTRY), named=frozenset(keys) | frozenset(given),
        period=Period(start, end, timezone), by=parse_breakdowns(by),
        filters=parse_filters(filters, option=filter_option), params=given, basis=basis_value, compare=compare,
    )
    unreported = sorted(set(given) - set(request.metrics))
    if unreported:
        raise ParameterError(f"{param_option} given for {', '.join(unreported)}, which is not reported",
                             hint="ask for the metric too (--metric, or metric= in the API), or drop its parameter")
    if compare:
        request.period.previous()  # raises when the start or end is missing
    return request


def _compute(ws: Workspace, request: ReportRequest, keys: Sequence[str],
             business_hours: BusinessHours | None) -> pa.Table:
    params = {k: v for k, v in request.params.items() if k in keys}
    return ws.report(
        list(keys), start=request.period.start, end=request.period.end, timezone=request.period.timezone,
        by=request.by, filters=request.filters, params=params or None, basis=request.basis.value,
        compare=request.compare, business_hours=business_hours,
    )


def run_request(ws: Workspace, request: ReportRequest,
                business_hours: BusinessHours | None = None) -> tuple[pa.Table, list[Skipped]]:
    """The report's rows (in the order of the metrics), and the metrics of the default selection that
    were skipped, with the reason. Named metrics run first: their problems are errors, raised early."""
    named = [k for k in request.metrics if k in request.named]
    tables = [_compute(ws, request, named, business_hours)] if named else []
    rest = [k for k in request.metrics if k not in request.named]
    runnable: list[str] = []
    skipped: list[Skipped] = []
    closed = bool(request.period.start and request.period.end)
    for key in rest:
        reason = REGISTRY[key].unavailable(request.by, closed_period=closed, filtered=bool(request.filters))
        if reason:
            skipped.append(Skipped(key, reason))
        else:
            runnable.append(key)
    if runnable:
        tables.append(_compute(ws, request, runnable, business_hours))
    if not tables:
        raise ParameterError("no metric of the catalogue can be reported with these options",
                             hint="; ".join(f"{s.metric}: {s.reason}" for s in skipped[:3])
                             + ("; …" if len(skipped) > 3 else ""))
    rows = pa.concat_tables(tables)
    position = {key: i for i, key in enumerate(request.metrics)}
    metric_of = rows.column("metric").to_pylist()
    # a stable sort: the groups of a metric keep the order the engine gave them
    order = sorted(range(rows.num_rows), key=lambda i: position[metric_of[i]])
    return rows.take(pa.array(order, pa.int64())), skipped


def reference_for(metric: Metric, group: Mapping[str, Any], request: ReportRequest) -> Reference | None:
    """The published figure to show beside one row of ``metric``: the reference for the row's channel
    (broken down by channel), else the overall reference, else the reference of the one channel the
    report measures (a single channel filter, or the metric's ``channel`` parameter, e.g. chat)."""
    refs = metric.references
    if "channel" in request.by:
        channel = group.get("channel")
        return refs.get(channel) if channel is not None else None
    if "" in refs:
        return refs[""]
    filtered = request.filters.get("channel", ())
    if len(filtered) == 1 and filtered[0] in refs:
        return refs[filtered[0]]
    measured = metric.resolve(request.params.get(metric.key)).get("channel")
    return refs.get(measured) if isinstance(measured, str) else None


def _number(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def columns(request: ReportRequest) -> list[str]:
    """The columns of a report row, in order."""
    return ["metric", "label", "unit", *request.by, *NUMBER_COLUMNS,
            *(PREVIOUS_COLUMNS if request.compare else ()), "reference", "reference_source"]


def report_rows(table: pa.Table, request: ReportRequest) -> list[dict[str, Any]]:
    """The report's rows with label, unit and the published figure; NaN becomes None."""
    rows = []
    for record in table.to_pylist():
        metric = REGISTRY[record["metric"]]
        ref = reference_for(metric, record, request)
        row = {"metric": metric.key, "label": metric.label, "unit": metric.unit.value,
               **{c: _number(record[c]) for c in (*request.by, *NUMBER_COLUMNS)}}
        if request.compare:
            row |= {c: _number(record[c]) for c in PREVIOUS_COLUMNS}
        row |= {"reference": ref.value if ref else None, "reference_source": ref.source if ref else None}
        rows.append(row)
    return rows


def notes(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The caveat of each reported metric that has one (e.g. correlational), once per metric."""
    keys = dict.fromkeys(r["metric"] for r in rows)
    return [{"metric": k, "note": REGISTRY[k].note} for k in keys if REGISTRY[k].note]


def without_rows(rows: Sequence[Mapping[str, Any]], request: ReportRequest, skipped: Sequence[Skipped]) -> list[str]:
    """Metrics that ran but gave no row: broken down, a metric with nothing to measure has no group."""
    shown = {r["metric"] for r in rows} | {s.metric for s in skipped}
    return [k for k in request.metrics if k not in shown]


def report_document(rows: Sequence[Mapping[str, Any]], request: ReportRequest,
                    skipped: Sequence[Skipped]) -> dict[str, Any]:
    """One JSON-ready object: what was asked (period, time zone, basis, breakdowns, filters, parameters),
    ``rows``, ``notes``, ``skipped`` (with the reason) and ``empty`` (metrics that ran but gave no row)."""
    previous = request.previous
    return {
        "start": request.period.start, "end": request.period.end, "timezone": request.period.timezone,
        "basis": request.basis.value, "by": list(request.by), "filters": request.filters,
        "params": request.params, "compare": request.compare,
        "previous_start": previous.start if previous else None, "previous_end": previous.end if previous else None,
        "rows": list(rows), "notes": notes(rows),
        "skipped": [{"metric": s.metric, "reason": s.reason} for s in skipped],
        "empty": without_rows(rows, request, skipped),
    }


def declaration(metric: Metric) -> dict[str, Any]:
    """A metric's declaration as JSON-ready data (``chatlift metrics --format json`` and GET /v1/metrics)."""
    return {
        "key": metric.key, "label": metric.label, "section": metric.section.value, "number": metric.number,
        "unit": metric.unit.value, "higher_is_better": metric.higher_is_better, "description": metric.description,
        "interval": metric.interval_methods(),
        "params": [{"name": p.name, "default": p.default, "description": p.description, "choices": list(p.choices)}
                   for p in metric.params],
        "breakdowns": list(metric.breakdowns), "event": metric.event,
        "references": [{"channel": channel or None, "value": ref.value, "source": ref.source}
                       for channel, ref in metric.references.items()],
        "note": metric.note or None,
    }
