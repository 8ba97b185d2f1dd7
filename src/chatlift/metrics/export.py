"""One row per conversation with everything the catalogue knows about it: the per-conversation export.

Timings follow `timings`, attribution and conversion follow `attribution`
(``window`` days, order ``kinds``), survey scores are the latest answer about
the conversation on the survey's default scale.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from chatlift.metrics.attribution import attributed_orders, with_converted
from chatlift.metrics.expressions import seconds
from chatlift.metrics.scope import Scope
from chatlift.metrics.timings import timed_conversations

EXPORT_COLUMNS = (
    "conversation_id", "channel", "started_at", "customer_id", "visitor_id", "agent_id", "team", "status",
    "initiated_by", "cobrowse", "segment", "sector", "tags", "first_response_at", "resolved_at",
    "first_response_seconds", "resolution_seconds", "first_response_business_seconds",
    "resolution_business_seconds", "reopened", "customer_messages", "agent_messages", "converted",
    "attributed_orders", "attributed_revenue", "csat", "ces", "nps",
)
"""The export's columns, in order (business seconds are empty without a business-hours calendar)."""


def _latest_scores(scope: Scope) -> ir.Table:
    s = scope.table("survey_responses")
    s = s.filter(s.conversation_id.notnull() & s.scale.isnull())
    latest = ibis.window(group_by=["conversation_id", "survey"], order_by=[ibis.desc("answered_at"),
                                                                           ibis.desc("response_id")])
    s = s.mutate(__rank=ibis.row_number().over(latest))
    s = s.filter(s.__rank == 0)
    return s.group_by("conversation_id").aggregate(
        **{name: s.score.max(where=s.survey == name) for name in ("csat", "ces", "nps")}
    )


def conversation_rows(scope: Scope, *, window: float = 7.0, kinds: tuple[str, ...] = ("purchase", "quote")) -> ir.Table:
    """The export for the conversations in scope (period by conversation start), ordered by start."""
    t = timed_conversations(scope)
    rest = scope.all_conversations().select("conversation_id", "customer_id", "visitor_id", "agent_id", "team",
                                            "cobrowse", "segment", "sector", "tags")
    t = t.join(rest, "conversation_id")
    if scope.business_hours is not None:
        business = timed_conversations(scope, hours="business").select(
            "conversation_id", first_response_business_seconds="first_response_s",
            resolution_business_seconds="resolution_s")
        t = t.left_join(business, "conversation_id").drop("conversation_id_right")
    else:
        t = t.mutate(first_response_business_seconds=ibis.null("float64"),
                     resolution_business_seconds=ibis.null("float64"))
    t = with_converted(scope, t, window=window, kinds=kinds, goals=()).union(
        t.filter(t.person.isnull()).mutate(converted=ibis.null("boolean")))
    a = attributed_orders(scope, window=window, kinds=kinds)
    orders = scope.table("orders").select("order_id", "amount")
    revenue = a.join(orders, "order_id").group_by("conversation_id").aggregate(
        attributed_orders=ibis._.count(), attributed_revenue=ibis._.amount.sum())
    t = t.left_join(revenue, "conversation_id").drop("conversation_id_right")
    t = t.left_join(_latest_scores(scope), "conversation_id").drop("conversation_id_right")
    t = t.mutate(
        first_response_at=t.first_response, resolved_at=t.resolved, cobrowse=t.cobrowse == "true",
        first_response_seconds=seconds(t.first_response, t.started_at),
        resolution_seconds=seconds(t.resolved, t.started_at),
        customer_messages=t.customer_messages.fill_null(0), agent_messages=t.agent_messages.fill_null(0),
        attributed_orders=t.attributed_orders.fill_null(0), attributed_revenue=t.attributed_revenue.fill_null(0.0),
    )
    return t.select(*EXPORT_COLUMNS).order_by(["started_at", "conversation_id"])
