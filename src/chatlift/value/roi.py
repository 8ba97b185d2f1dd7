"""Support ROI for a period ``[start, end)``: cost against the revenue support brings.

Cost comes from the ``costs`` table — each row's amount prorated to the part
of its ``[period_start, period_end)`` that overlaps the report period (600 over
30 days, 16 of them in the period → 320); rows of ``channel`` plus, with
``shared_costs``, rows without a channel — or from staff figures given as
arguments: agents × hours per agent in the period × hourly rate.

Value, two ways, never mixed:

* ``chat_attributed`` — revenue of orders of ``kinds`` placed in the period and
  attributed to a conversation on ``channel`` (the last one that started within
  ``window`` days before the order; `chatlift.metrics.attribution`). This is
  correlational: those customers might have bought anyway.
* ``experiment`` — incremental revenue from a randomized experiment with a
  ``revenue`` metric: the absolute lift in revenue per unit × the treatment
  units, with the experiment's interval. This is causal, for the experiment's
  units and window.

ROI = (value − cost) ÷ cost; its interval maps the value's (cost is taken as
known). Payback period = cost ÷ value per month, the value per month being
the value spread over the report period's length (months of 365.25/12 days).
Cost per conversation and per resolution use the conversations on
``channel`` (None: all) that started in the period, resolved = status resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import ibis
from pydantic import Field

from chatlift.errors import ParameterError
from chatlift.experiments.results import ExperimentResult
from chatlift.metrics.attribution import attributed_orders
from chatlift.metrics.expressions import seconds
from chatlift.metrics.scope import Filters, Period, Scope, utc_bound
from chatlift.value.results import Estimate, Frozen, RoiResult, RoiValue, ValueWarning

DAYS_PER_MONTH = 365.25 / 12


class StaffCost(Frozen):
    """Support cost from staffing: agents × hours per agent in the period × hourly rate."""

    agents: float = Field(ge=0, description="agents (full-time equivalents)")
    hours: float = Field(ge=0, description="hours per agent in the report period")
    hourly_rate: float = Field(ge=0, description="cost of one agent hour, in the data's currency")

    @property
    def total(self) -> float:
        return self.agents * self.hours * self.hourly_rate

    @classmethod
    def for_period(cls, agents: float, hours_per_week: float, hourly_rate: float, days: float) -> StaffCost:
        """Staffing given per week (as in ``[staff]`` of chatlift.toml) for a period of ``days``.

        >>> StaffCost.for_period(3, 40, 25.0, 14).total
        6000.0
        """
        return cls(agents=agents, hours=hours_per_week * days / 7, hourly_rate=hourly_rate)


def table_cost(con: Any, start: date, end: date, *, timezone: str, channel: str | None,
               shared_costs: bool) -> tuple[float, list[str]]:
    """Prorated cost of ``[start, end)`` from the costs table, and the currencies involved."""
    lo, hi = utc_bound(start, timezone), utc_bound(end, timezone)
    c = con.table("costs")
    if channel is not None:
        own = c.channel == channel.lower()
        shared = c.channel.isnull() | (c.channel == "")
        c = c.filter(own | shared) if shared_costs else c.filter(own)
    c = c.filter((c.period_start < hi) & (c.period_end > lo) & (c.period_end > c.period_start))
    overlap = seconds(ibis.least(c.period_end, ibis.literal(hi)), ibis.greatest(c.period_start, ibis.literal(lo)))
    share = overlap / seconds(c.period_end, c.period_start)
    rows = c.group_by("currency").aggregate(cost=(c.amount.cast("float64") * share).sum()).to_pyarrow().to_pylist()
    return float(sum(r["cost"] or 0.0 for r in rows)), sorted(r["currency"] for r in rows)


def conversation_counts(con: Any, start: date, end: date, *, timezone: str, channel: str | None) -> tuple[int, int]:
    """Conversations on ``channel`` that started in the period, and how many of them are resolved."""
    c = con.table("conversations")
    c = c.filter((c.started_at >= utc_bound(start, timezone)) & (c.started_at < utc_bound(end, timezone)))
    if channel is not None:
        c = c.filter(c.channel == channel.lower())
    row = c.aggregate(n=c.count(), resolved=(c.status == "resolved").cast("int64").sum()).to_pyarrow().to_pylist()[0]
    return int(row["n"]), int(row["resolved"] or 0)


def attributed_revenue(con: Any, start: date, end: date, *, timezone: str, channel: str, window: float,
                       kinds: Sequence[str]) -> tuple[float, list[str]]:
    """Revenue of orders placed in the period and attributed to a conversation on ``channel``."""
    scope = Scope(con, Period(start, end, timezone), Filters(), materialized=False)
    attributed = attributed_orders(scope, window=window, kinds=tuple(kinds))
    attributed = attributed.filter(attributed.channel == channel.lower()).select(__order="order_id")
    o = con.table("orders")
    o = o.filter(scope.period.contains(o.ordered_at))
    j = o.join(attributed, o.order_id == attributed.__order)
    rows = j.group_by("currency").aggregate(revenue=j.amount.cast("float64").sum()).to_pyarrow().to_pylist()
    return float(sum(r["revenue"] or 0.0 for r in rows)), sorted(r["currency"] for r in rows)


def _roi(value: Estimate, cost: float) -> Estimate:
    def f(v: float | None) -> float | None:
        return None if v is None or cost <= 0 else (v - cost) / cost
    return Estimate(value=f(value.value), lower=f(value.lower), upper=f(value.upper),
                    method=value.method if cost > 0 else "none")


def _payback(value: float | None, cost: float, months: float) -> float | None:
    if value is None or value <= 0:
        return None
    return cost / (value / months)


def experiment_value(result: ExperimentResult) -> Estimate:
    """Incremental revenue of an experiment: absolute revenue lift per unit × treatment units."""
    try:
        comparison = result.comparison("revenue")
    except KeyError:
        raise ParameterError(f"experiment {result.key!r} has no revenue metric",
                             hint="add \"revenue\" to its primary or secondary metrics") from None
    units = comparison.treatment_units
    lift = comparison.absolute

    def times(v: float | None) -> float | None:
        return None if v is None else v * units
    return Estimate(value=times(lift.lift), lower=times(lift.lower), upper=times(lift.upper),
                    method=comparison.method)


def roi(con: Any, start: date, end: date, *, timezone: str = "UTC", channel: str | None = "chat",
        staff: StaffCost | None = None, shared_costs: bool = True, window: float = 7.0,
        kinds: Sequence[str] = ("purchase",), experiment: ExperimentResult | None = None) -> RoiResult:
    """Support ROI for ``[start, end)``.

    Args:
        con: an Ibis backend holding the canonical tables.
        start: first day (local to ``timezone``); end: exclusive.
        timezone: IANA zone of the dates.
        channel: support channel costed and credited (default chat; None: every channel's conversations and
            costs, with revenue attributed to chat).
        staff: cost from staffing instead of the costs table.
        shared_costs: also count cost rows without a channel (default true).
        window: attribution window in days (default 7).
        kinds: order kinds that are revenue (default purchase).
        experiment: an analysed experiment with a revenue metric, for the causal value.

    Returns:
        A `RoiResult`: cost, cost per conversation and resolution, and ROI and payback per value source.
    """
    Period(start, end, timezone)
    if window <= 0:
        raise ParameterError(f"window must be positive, not {window}")
    warnings: list[ValueWarning] = []
    cost_currencies: list[str]
    if staff is not None:
        cost, cost_currencies, source = staff.total, [], "staff"
    else:
        cost, cost_currencies = table_cost(con, start, end, timezone=timezone, channel=channel,
                                           shared_costs=shared_costs)
        source = "costs table"
    if cost <= 0:
        warnings.append(ValueWarning(code="no_cost", message="No support cost in the period: ROI, cost per "
                                     "conversation and payback are undefined."))
    conversations, resolved = conversation_counts(con, start, end, timezone=timezone, channel=channel)
    attributed, revenue_currencies = attributed_revenue(con, start, end, timezone=timezone,
                                                        channel=channel or "chat", window=window, kinds=kinds)
    currencies = sorted(set(cost_currencies) | set(revenue_currencies))
    if len(currencies) > 1:
        warnings.append(ValueWarning(code="mixed_currencies", message=f"Amounts are in {', '.join(currencies)}; "
                                     "they are added as they are, without conversion."))
    months = (end - start).days / DAYS_PER_MONTH
    values = []
    attributed_estimate = Estimate(value=attributed, lower=None, upper=None, method="none")
    values.append(RoiValue(
        source="chat_attributed", causal=False, label="revenue attributed to chat (correlational)",
        value=attributed_estimate, roi=_roi(attributed_estimate, cost),
        payback_months=_payback(attributed, cost, months) if cost > 0 else None,
        note=f"orders placed within {window:g} days after a {channel or 'chat'} conversation; these customers "
             "might have bought anyway, so this is not the revenue chat caused"))
    if experiment is not None:
        incremental = experiment_value(experiment)
        values.append(RoiValue(
            source="experiment", causal=True, label=f"incremental revenue in experiment {experiment.key} (causal)",
            value=incremental, roi=_roi(incremental, cost),
            payback_months=_payback(incremental.value, cost, months) if cost > 0 else None,
            note=f"revenue lift per unit × {experiment.comparison('revenue').treatment_units} treatment units "
                 f"over the experiment's {experiment.window_days:g}-day window; payback spreads it over this "
                 "report period"))
    return RoiResult(start=start, end=end, timezone=timezone, channel=channel, cost=cost, cost_source=source,
                     currencies=currencies, conversations=conversations, resolved=resolved,
                     cost_per_conversation=cost / conversations if conversations and cost > 0 else None,
                     cost_per_resolution=cost / resolved if resolved and cost > 0 else None,
                     values=values, warnings=warnings)
