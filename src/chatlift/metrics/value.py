"""Churn and customer value (catalogue 10–11), from subscriptions and orders.

These look at customers, not conversations: break them down by ``chatted``
(the customer started a chat in the period) to compare chatters with others.
Issue-level detail (retention cohorts, MRR retention, BG/NBD predictions) lives
in the value module of the library; the catalogue declares the headline lines.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from datetime import datetime

import ibis
import ibis.expr.types as ir

from chatlift.facts.tables import HISTORY_FACTS, NEXT_AFTER, SO_FAR
from chatlift.metrics.attribution import orders_of, with_chatted
from chatlift.metrics.definitions import MEAN, PROPORTION, RATIO_OF_TOTALS, Metric, Param, Section, Unit
from chatlift.metrics.expressions import grouped, share, summary
from chatlift.metrics.scope import Scope, utc_bound

TRIALS = Param("trials", False, "whether trial subscriptions count as active")


def _bounds(scope: Scope) -> tuple[datetime, datetime]:
    p = scope.period
    assert p.start and p.end, "declared needs_closed_period"
    return utc_bound(p.start, p.timezone), utc_bound(p.end, p.timezone)


def _customers(scope: Scope, trials: bool) -> ir.Table:
    """Per customer: active at the period's start, at its end, and MRR at the start."""
    start, end = _bounds(scope)
    s = scope.table("subscriptions")
    if not trials:
        s = s.filter(~s.trial.fill_null(False))

    def active(at: datetime) -> ir.BooleanValue:
        return (s.started_at <= at) & (s.ended_at.isnull() | (s.ended_at > at))

    at_start = active(start)
    c = s.group_by(person="customer_id").aggregate(
        at_start=at_start.cast("int64").max() == 1,
        at_end=active(end).cast("int64").max() == 1,
        mrr_start=s.mrr.fill_null(0).cast("float64").sum(where=at_start),
    )
    return c.filter(c.at_start)


def _churn_rate(scope: Scope, by: Sequence[str], trials: bool) -> ir.Table:
    c = _customers(scope, trials)
    c = with_chatted(scope, c) if "chatted" in by else c
    return share(c, by, ~c.at_end)


def _revenue_churn(scope: Scope, by: Sequence[str], trials: bool) -> ir.Table:
    c = _customers(scope, trials)
    c = with_chatted(scope, c) if "chatted" in by else c
    lost = ibis.ifelse(c.at_end, 0.0, c.mrr_start.fill_null(0.0))
    x = c.mrr_start.fill_null(0.0)
    return grouped(c, by, n=c.count(), total_y=lost.sum(), total_x=x.sum(), total_sq_y=(lost * lost).sum(),
                   total_sq_x=(x * x).sum(), total_xy=(lost * x).sum())


def _clv_historical(scope: Scope, by: Sequence[str], kinds: tuple[str, ...]) -> ir.Table:
    end = scope.period.utc_bounds()[1]
    kinds = tuple(dict.fromkeys(kinds))
    if scope.facts and kinds and set(kinds) <= set(SO_FAR):  # each buyer's last order before the end says it all
        h = scope.table(HISTORY_FACTS)
        h = h.filter(h.kind.isin(list(kinds)) & scope.period.contains(h.ordered_at))
        for kind in kinds:
            after = h[NEXT_AFTER[kind]]
            h = h.filter(after.isnull() if end is None else after.isnull() | (after >= end))
        c = h.mutate(value=functools.reduce(operator.add, (h[SO_FAR[kind]] for kind in kinds)))
    else:  # one pass over each buyer's history: its value, and whether it ordered in the period
        o = orders_of(scope, kinds)
        history = o if end is None else o.filter(o.ordered_at < end)
        in_period = scope.period.contains(history.ordered_at)
        c = history.group_by("person").aggregate(value=history.amount.sum(),
                                                 __in_period=history.count(where=in_period))
        c = c.filter(c.__in_period > 0).drop("__in_period")
    c = with_chatted(scope, c) if "chatted" in by else c
    return summary(c, by, c.value, "mean")


CUSTOMER_BREAKDOWNS = ("chatted",)

METRICS: tuple[Metric, ...] = (
    Metric(
        key="churn_rate", label="Customer churn", section=Section.EXPERIENCE, number=10, unit=Unit.SHARE,
        higher_is_better=False,
        description="Customers with an active subscription at the period's start who have none at its end ÷ "
        "customers active at the start (25 of 100 → 25 %). Active at t: started_at ≤ t and no ended_at or "
        "ended_at > t; trial subscriptions do not count unless `trials` (default false).",
        estimator=PROPORTION, aggregate=_churn_rate, params=(TRIALS,), breakdowns=CUSTOMER_BREAKDOWNS,
        event="the period's start and end", needs_closed_period=True,
    ),
    Metric(
        key="revenue_churn", label="Revenue churn (MRR)", section=Section.EXPERIENCE, number=10, unit=Unit.SHARE,
        higher_is_better=False,
        description="MRR at the period's start of the customers lost by its end (see churn_rate) ÷ all MRR at "
        "the start (gross; downgrades of kept customers are not counted).",
        estimator=RATIO_OF_TOTALS, aggregate=_revenue_churn, params=(TRIALS,), breakdowns=CUSTOMER_BREAKDOWNS,
        event="the period's start and end", needs_closed_period=True,
    ),
    Metric(
        key="clv", label="Historical value per customer", section=Section.EXPERIENCE, number=11, unit=Unit.MONEY,
        higher_is_better=True,
        description="Mean, over people with an order (of `kinds`, default purchase) in the period, of the total "
        "amount of their orders from the start of the data to the period's end. The predicted value over a "
        "horizon (BG/NBD + Gamma-Gamma) is `chatlift value clv`.",
        estimator=MEAN, aggregate=_clv_historical, params=(Param("kinds", ("purchase",), "order kinds that count "
                                                                 "as revenue"),),
        breakdowns=CUSTOMER_BREAKDOWNS, event="the order",
    ),
)
