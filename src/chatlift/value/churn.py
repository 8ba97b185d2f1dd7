"""Customer churn and MRR retention per period, split by chatters and CSAT band (Ibis, any engine).

Customer churn of a period ``[start, end)`` = customers active at ``start`` who
are not active at ``end`` ÷ customers active at ``start`` (25 of 100 → 25 %),
with a Wilson interval. "Active at t" depends on the basis:

* ``subscriptions`` — the customer has a subscription with ``started_at ≤ t``
  and no ``ended_at`` or ``ended_at > t`` (trials only with ``trials``);
* ``orders`` (shops without subscriptions) — the person (customer_id, else
  visitor_id) placed an order of ``kinds`` in ``[t − inactivity_days, t)``: a
  customer is lost after ``inactivity_days`` without an order. Choose periods
  no shorter than the inactivity period, or a customer active at the start may
  still count as active at the end on the strength of the same old order.

For subscriptions, MRR figures over the customers active at the start:
revenue churn = their start MRR of those lost ÷ all their start MRR; gross
revenue retention = Σ min(end MRR, start MRR) ÷ start MRR (churn and
contraction, no expansion); net revenue retention = Σ end MRR ÷ start MRR
(expansion included; new customers are not in it). Each is a ratio of totals
over customers with a delta-method interval. A customer's MRR at t is the sum
of ``mrr`` over their subscriptions active at t.

Splits: ``chatted`` and ``csat_band`` as of the period's end (`segments`).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, assert_never

import ibis
import ibis.expr.types as ir

from chatlift.errors import ParameterError
from chatlift.metrics.intervals import ratio_of_totals, wilson
from chatlift.metrics.scope import Period, person, utc_bound
from chatlift.value.results import ChurnGroup, ChurnPeriod, ChurnResult, Estimate, ValueWarning
from chatlift.value.segments import SPLITS, by_splits, with_segments


class ChurnBasis(StrEnum):
    SUBSCRIPTIONS = "subscriptions"
    ORDERS = "orders"


class Every(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day.

    >>> add_months(date(2025, 1, 31), 1)
    datetime.date(2025, 2, 28)
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


MAX_PERIODS = 120
"""The most periods one churn report computes (each is one query): ten years by month."""


def periods(start: date, end: date, every: Every | str | None) -> list[tuple[date, date]]:
    """``[start, end)`` cut into consecutive periods of ``every`` (the last may be shorter); one period
    without ``every``.

    >>> periods(date(2025, 1, 1), date(2025, 3, 15), "month")
    [(datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)), (datetime.date(2025, 2, 1), datetime.date(2025, 3, 1)), (datetime.date(2025, 3, 1), datetime.date(2025, 3, 15))]
    """
    Period(start, end)  # validates the order
    if every is None:
        return [(start, end)]
    step = Every(every)
    days = {Every.WEEK: 7, Every.MONTH: 28, Every.QUARTER: 90, Every.YEAR: 365}[step]
    if (end - start).days / days > MAX_PERIODS:
        raise ParameterError(f"{start} to {end} by {step.value} is more than {MAX_PERIODS} periods",
                             hint="choose a shorter range or a longer period (month, quarter, year)")
    out: list[tuple[date, date]] = []
    cursor = start
    index = 1
    while cursor < end:
        match step:
            case Every.WEEK:
                nxt = start + timedelta(weeks=index)
            case Every.MONTH:
                nxt = add_months(start, index)
            case Every.QUARTER:
                nxt = add_months(start, 3 * index)
            case Every.YEAR:
                nxt = add_months(start, 12 * index)
            case _:
                assert_never(step)
        out.append((cursor, min(nxt, end)))
        cursor = min(nxt, end)
        index += 1
    return out


def subscription_customers(con: Any, start: datetime, end: datetime, *, trials: bool) -> ir.Table:
    """Customers active at ``start``: ``person``, ``lost``, ``mrr_start``, ``mrr_end``."""
    s = con.table("subscriptions")
    if not trials:
        s = s.filter(~s.trial.fill_null(False))

    def active(at: datetime) -> ir.BooleanValue:
        return (s.started_at <= at) & (s.ended_at.isnull() | (s.ended_at > at))

    mrr = s.mrr.fill_null(0).cast("float64")
    c = s.group_by(person="customer_id").aggregate(
        at_start=active(start).cast("int64").max(),
        at_end=active(end).cast("int64").max(),
        mrr_start=mrr.sum(where=active(start)).fill_null(0.0),
        mrr_end=mrr.sum(where=active(end)).fill_null(0.0),
    )
    c = c.filter(c.at_start == 1)
    return c.select("person", "mrr_start", "mrr_end", lost=c.at_end == 0)


def order_customers(con: Any, start: datetime, end: datetime, *, inactivity_days: float,
                    kinds: Sequence[str]) -> ir.Table:
    """People with an order of ``kinds`` in the ``inactivity_days`` before ``start``: ``person``, ``lost``."""
    gap = timedelta(days=inactivity_days)
    o = con.table("orders")
    o = o.filter(o.kind.isin(list(kinds))).mutate(person=person(o)).filter(lambda t: t.person.notnull())
    before_start = (o.ordered_at >= start - gap) & (o.ordered_at < start)
    before_end = (o.ordered_at >= end - gap) & (o.ordered_at < end)
    c = o.group_by("person").aggregate(at_start=before_start.cast("int64").max(),
                                        at_end=before_end.cast("int64").max())
    c = c.filter(c.at_start == 1)
    return c.select("person", lost=c.at_end == 0)


def churn_statistics(con: Any, start: datetime, end: datetime, *, basis: ChurnBasis, trials: bool,
                     inactivity_days: float, kinds: Sequence[str], channel: str | None) -> ir.Table:
    """Sufficient statistics per split and group: customers, lost and (subscriptions) MRR sums."""
    match basis:
        case ChurnBasis.SUBSCRIPTIONS:
            c = subscription_customers(con, start, end, trials=trials)
        case ChurnBasis.ORDERS:
            c = order_customers(con, start, end, inactivity_days=inactivity_days, kinds=kinds)
        case _:
            assert_never(basis)
    c = with_segments(con, c.mutate(as_of=ibis.literal(end)), as_of="as_of", channel=channel)
    stats: dict[str, ir.Scalar] = {"customers": c.count(), "lost": c.lost.cast("int64").sum()}
    if basis is ChurnBasis.SUBSCRIPTIONS:
        x = c.mrr_start
        ys = {"lost": ibis.ifelse(c.lost, c.mrr_start, 0.0), "kept": ibis.least(c.mrr_end, c.mrr_start),
              "end": c.mrr_end}
        stats |= {"sum_x": x.sum(), "sum_xx": (x * x).sum()}
        for name, y in ys.items():
            stats |= {f"sum_{name}": y.sum(), f"sum_{name}_sq": (y * y).sum(), f"sum_{name}_x": (y * x).sum()}
    return by_splits(c, SPLITS, **stats)


def _ratio(row: dict[str, Any], name: str) -> Estimate:
    value, lower, upper = ratio_of_totals(row["customers"], row[f"sum_{name}"], row["sum_x"],
                                          row[f"sum_{name}_sq"], row["sum_xx"], row[f"sum_{name}_x"])
    return Estimate(value=value, lower=lower, upper=upper, method="delta" if lower is not None else "none")


def _group(row: dict[str, Any], basis: ChurnBasis) -> ChurnGroup:
    customers, lost = int(row["customers"]), int(row["lost"] or 0)
    value, lower, upper = wilson(lost, customers)
    fields: dict[str, Any] = {"split": row["split"], "group": row["group"], "customers": customers, "lost": lost,
                              "churn_rate": Estimate(value=value, lower=lower, upper=upper, method="wilson")}
    if basis is ChurnBasis.SUBSCRIPTIONS:
        fields |= {"mrr_start": float(row["sum_x"] or 0.0), "mrr_end": float(row["sum_end"] or 0.0),
                   "mrr_lost": float(row["sum_lost"] or 0.0), "revenue_churn": _ratio(row, "lost"),
                   "gross_revenue_retention": _ratio(row, "kept"), "net_revenue_retention": _ratio(row, "end")}
    return ChurnGroup(**fields)


def _sort_key(group: ChurnGroup) -> tuple[int, int, str]:
    order = {"all": 0, "chatted": 1, "csat_band": 2}
    rank = {"yes": 0, "no": 1, **{band: i for i, band in enumerate(("detractor", "neutral", "satisfied", "none"))}}
    return order.get(group.split, 9), rank.get(group.group, 9), group.group


def churn(con: Any, start: date, end: date, *, basis: ChurnBasis | str = ChurnBasis.SUBSCRIPTIONS,
          every: Every | str | None = None, timezone: str = "UTC", inactivity_days: float = 90.0,
          trials: bool = False, kinds: Sequence[str] = ("purchase",), channel: str | None = "chat") -> ChurnResult:
    """Customer churn (and MRR churn/retention for subscriptions) for each period of ``[start, end)``.

    Args:
        con: an Ibis backend holding the canonical tables.
        start: first day (local to ``timezone``).
        end: day after the last (exclusive).
        basis: ``subscriptions`` or ``orders``.
        every: ``week``, ``month``, ``quarter`` or ``year`` for one row per period; None: one period.
        timezone: IANA zone of the dates.
        inactivity_days: orders basis: days without an order after which a customer is lost (default 90).
        trials: subscriptions basis: count trial subscriptions as active (default false).
        kinds: orders basis: order kinds that count (default purchase).
        channel: the channel that makes a customer a chatter (default chat; None: any channel).

    Returns:
        A `ChurnResult` with one `ChurnPeriod` per period and groups all / chatted / csat_band.
    """
    try:
        chosen = ChurnBasis(basis)
    except ValueError:
        raise ParameterError(f"unknown churn basis {basis!r}", hint="use subscriptions or orders") from None
    if inactivity_days <= 0:
        raise ParameterError(f"inactivity_days must be positive, not {inactivity_days}")
    out: list[ChurnPeriod] = []
    warnings: list[ValueWarning] = []
    for first, last in periods(start, end, every):
        table = churn_statistics(con, utc_bound(first, timezone), utc_bound(last, timezone), basis=chosen,
                                 trials=trials, inactivity_days=inactivity_days, kinds=kinds, channel=channel)
        rows = table.to_pyarrow().to_pylist()
        groups = sorted((_group(r, chosen) for r in rows if r["customers"]), key=_sort_key)
        if not groups:
            groups = [_group({"split": "all", "group": "all", "customers": 0, "lost": 0, "sum_x": 0.0,
                              **{f"sum_{n}{s}": 0.0 for n in ("lost", "kept", "end") for s in ("", "_sq", "_x")},
                              "sum_xx": 0.0}, chosen)]
            warnings.append(ValueWarning(code="no_active_customers",
                                         message=f"No customer was active on {first}: churn is undefined."))
        out.append(ChurnPeriod(start=first, end=last, groups=groups))
    if chosen is ChurnBasis.ORDERS and every is not None and any(
            (b - a).days < inactivity_days for a, b in periods(start, end, every)):
        warnings.append(ValueWarning(
            code="period_shorter_than_inactivity",
            message=f"Some periods are shorter than the inactivity period ({inactivity_days:g} days): a customer "
                    "active at such a period's start can still count as active at its end on the same order."))
    definition = (
        "customers with a subscription active at the period's start and none at its end ÷ customers active at "
        "the start" if chosen is ChurnBasis.SUBSCRIPTIONS else
        f"people with an order in the {inactivity_days:g} days before the period's start and none in the "
        f"{inactivity_days:g} days before its end ÷ people with an order in the days before the start")
    return ChurnResult(basis=chosen.value, definition=definition, timezone=timezone,
                       inactivity_days=inactivity_days if chosen is ChurnBasis.ORDERS else None, trials=trials,
                       kinds=list(kinds), channel=channel, periods=out, warnings=warnings)
