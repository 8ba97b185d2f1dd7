"""Monthly retention cohorts (Ibis, any engine).

A customer's cohort is the calendar month (in ``timezone``) of their first
order of ``kinds`` (basis ``orders``; person = customer_id, else visitor_id)
or of their first subscription start (basis ``subscriptions``; trials only
with ``trials``), over all the data. Cohorts whose month starts in
``[start, end)`` are shown. Column k counts the cohort's customers still
active in month cohort + k: for orders, they ordered in that month; for
subscriptions, a subscription of theirs was active at some instant of it
(started before the month's end, not ended by its start). Column 0 is the
whole cohort by construction. Only months that end by ``end`` are observed;
later columns are null. Share = retained ÷ cohort size, Wilson interval.

Splits: ``chatted`` and ``csat_band`` as of the end of the cohort's first
month (a conversation or answer in that month or before), not as of the
report's end: customers who stay longer have more chances to chat, and
counting later chats would flatter chatters' retention (survivor bias).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, assert_never

import ibis
import ibis.expr.types as ir

from chatlift.errors import ParameterError
from chatlift.metrics.intervals import wilson
from chatlift.metrics.scope import Period, person, utc_bound
from chatlift.value.churn import ChurnBasis, add_months
from chatlift.value.results import CohortResult, CohortRow, Estimate, ValueWarning
from chatlift.value.segments import SPLITS, by_splits, with_segments


def _month_table(first: date, last: date, timezone: str) -> ir.Table:
    """Months from ``first`` up to (not incl.) ``last``: index, label, UTC bounds."""
    rows: dict[str, list[Any]] = {"m_index": [], "m_label": [], "m_start": [], "m_end": []}
    cursor = first
    while cursor < last:
        nxt = add_months(cursor, 1)
        rows["m_index"].append(cursor.year * 12 + cursor.month - 1)
        rows["m_label"].append(f"{cursor.year:04d}-{cursor.month:02d}")
        rows["m_start"].append(utc_bound(cursor, timezone))
        rows["m_end"].append(utc_bound(nxt, timezone))
        cursor = nxt
    return ibis.memtable(rows, schema={"m_index": "int64", "m_label": "string", "m_start": "timestamp",
                                       "m_end": "timestamp"})


def activity(con: Any, basis: ChurnBasis, months: ir.Table, *, trials: bool, kinds: Sequence[str]) -> ir.Table:
    """Distinct ``person``, ``m_index`` where the person was active in that month."""
    match basis:
        case ChurnBasis.ORDERS:
            o = con.table("orders")
            o = o.filter(o.kind.isin(list(kinds))).mutate(person=person(o)).filter(lambda t: t.person.notnull())
            j = o.join(months, [o.ordered_at >= months.m_start, o.ordered_at < months.m_end])
        case ChurnBasis.SUBSCRIPTIONS:
            s = con.table("subscriptions")
            if not trials:
                s = s.filter(~s.trial.fill_null(False))
            s = s.mutate(person=s.customer_id)
            j = s.join(months, [s.started_at < months.m_end, s.ended_at.isnull() | (s.ended_at > months.m_start)])
        case _:
            assert_never(basis)
    return j.select("person", "m_index").distinct()


def first_activity(con: Any, basis: ChurnBasis, *, trials: bool, kinds: Sequence[str]) -> ir.Table:
    """``person``, ``first_at``: first order or first subscription start, over all the data."""
    match basis:
        case ChurnBasis.ORDERS:
            o = con.table("orders")
            o = o.filter(o.kind.isin(list(kinds))).mutate(person=person(o)).filter(lambda t: t.person.notnull())
            return o.group_by("person").aggregate(first_at=o.ordered_at.min())
        case ChurnBasis.SUBSCRIPTIONS:
            s = con.table("subscriptions")
            if not trials:
                s = s.filter(~s.trial.fill_null(False))
            return s.group_by(person="customer_id").aggregate(first_at=s.started_at.min())
        case _:
            assert_never(basis)


def cohort_statistics(con: Any, start: date, end: date, *, basis: ChurnBasis, timezone: str, trials: bool,
                      kinds: Sequence[str], channel: str | None) -> ir.Table:
    """Per split, group, cohort and offset k: customers active (``retained``), plus k = 0 rows as sizes."""
    first_month = date(start.year, start.month, 1)
    months = _month_table(first_month, end, timezone)
    firsts = first_activity(con, basis, trials=trials, kinds=kinds)
    cohorts = firsts.join(months, [firsts.first_at >= months.m_start, firsts.first_at < months.m_end])
    cohorts = cohorts.filter(cohorts.m_start >= utc_bound(start, timezone))
    cohorts = cohorts.select("person", cohort_index="m_index", cohort="m_label", as_of="m_end")
    cohorts = with_segments(con, cohorts, as_of="as_of", channel=channel)
    active = activity(con, basis, months, trials=trials, kinds=kinds)
    j = cohorts.join(active, "person")
    j = j.mutate(k=j.m_index - j.cohort_index).filter(lambda t: t.k >= 0)
    return by_splits(j, SPLITS, keys=("cohort", "k"), retained=j.person.nunique())


def retention_cohorts(con: Any, start: date, end: date, *, basis: ChurnBasis | str = ChurnBasis.ORDERS,
                      timezone: str = "UTC", trials: bool = False, kinds: Sequence[str] = ("purchase",),
                      channel: str | None = "chat") -> CohortResult:
    """Monthly retention cohorts for cohort months starting in ``[start, end)``.

    Args:
        con: an Ibis backend holding the canonical tables.
        start: first day (its month is the first cohort when ``start`` is the 1st).
        end: exclusive; months ending after it are not observed.
        basis: ``orders`` (default) or ``subscriptions``.
        timezone: IANA zone of the calendar months.
        trials: subscriptions: count trial subscriptions.
        kinds: orders: order kinds that count (default purchase).
        channel: the channel that makes a customer a chatter (default chat; None: any).

    Returns:
        A `CohortResult`: one row per cohort for all customers, chatters / others and each CSAT band.
    """
    try:
        chosen = ChurnBasis(basis)
    except ValueError:
        raise ParameterError(f"unknown cohort basis {basis!r}", hint="use orders or subscriptions") from None
    Period(start, end, timezone)
    rows = cohort_statistics(con, start, end, basis=chosen, timezone=timezone, trials=trials, kinds=kinds,
                             channel=channel).to_pyarrow().to_pylist()
    counts: dict[tuple[str, str, str], dict[int, int]] = {}
    for r in rows:
        counts.setdefault((r["split"], r["group"], r["cohort"]), {})[int(r["k"])] = int(r["retained"])
    observed_to = end.year * 12 + end.month - 1  # months before the end's month are fully observed
    cohort_months = []
    cursor = start if start.day == 1 else add_months(date(start.year, start.month, 1), 1)
    while cursor.year * 12 + cursor.month - 1 < observed_to:
        cohort_months.append(cursor)
        cursor = add_months(cursor, 1)
    width = len(cohort_months)
    out: list[CohortRow] = []
    order = {"all": 0, "chatted": 1, "csat_band": 2}
    for (split, group, cohort), by_k in sorted(counts.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1],
                                                                                 kv[0][2])):
        size = by_k.get(0, 0)
        year, month = int(cohort[:4]), int(cohort[5:7])
        observable = observed_to - (year * 12 + month - 1)
        if size == 0 or observable <= 0:
            continue
        retained: list[int | None] = [by_k.get(k, 0) if k < observable else None for k in range(width)]
        shares: list[Estimate | None] = []
        for kept in retained:
            if kept is None:
                shares.append(None)
            else:
                value, lower, upper = wilson(kept, size)
                shares.append(Estimate(value=value, lower=lower, upper=upper, method="wilson"))
        out.append(CohortRow(split=split, group=group, cohort=cohort, size=size, retained=retained, share=shares))
    warnings = [] if out else [ValueWarning(code="no_cohorts", message="No customer started in a fully observed "
                                                                       "month of the period.")]
    definition = ("share of a month's new customers (first order) who order again in month k"
                  if chosen is ChurnBasis.ORDERS else
                  "share of a month's new subscribers with a subscription active during month k")
    return CohortResult(basis=chosen.value, definition=definition, timezone=timezone, months=width, rows=out,
                        warnings=warnings)
