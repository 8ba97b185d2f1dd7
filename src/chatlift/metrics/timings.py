"""Per-conversation timings, taking what the messages say where the conversation row is silent.

* first response: ``first_response_at``, else the first message whose sender is
  ``agent`` (bot and system messages never count as a response);
* resolution: ``resolved_at``, else, for a conversation with status
  ``resolved``, its last message;
* bot hand-off: the last bot message before the first response; with
  ``clock="handoff"`` durations are measured from there (from the start when
  no bot spoke first);
* reopened: a customer wrote after the resolution.

Durations are in calendar seconds, or in business seconds of the
conversation's calendar with ``hours="business"`` (see `business_hours`).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from chatlift.errors import ParameterError
from chatlift.facts.people import KEY
from chatlift.facts.tables import NEXT_ORDER, with_handoff, with_message_timings
from chatlift.metrics.expressions import seconds
from chatlift.metrics.scope import Basis, Scope, person

CLOCKS = ("start", "handoff")
TIMED_COLUMNS = ("conversation_id", "person", "started_at", "status", "channel", "initiated_by", "first_response",
                 "resolved", "reopened", "customer_messages", "agent_messages", "first_response_s", "resolution_s")
"""What a timed conversation carries (plus the report's breakdown columns): kept narrow, as it is
computed once into a temporary table."""
HOURS = ("calendar", "business")
FOLLOWING = ("next_started_at", *NEXT_ORDER.values())
"""What a timed conversation also carries when read from the conversation facts: what follows it."""


def timed_conversations(scope: Scope, *, event: str = "started_at", clock: str = "start",
                        hours: str = "calendar") -> ir.Table:
    """Conversations in scope with ``first_response`` and ``resolved`` instants and the durations
    ``first_response_s`` and ``resolution_s`` in seconds; basis ``event`` uses the ``event`` instant
    (``first_response`` or ``resolved``) for the period."""
    if clock not in CLOCKS:
        raise ParameterError(f"clock = {clock!r} is not allowed", hint=f"choose one of {', '.join(CLOCKS)}")
    if hours not in HOURS:
        raise ParameterError(f"hours = {hours!r} is not allowed", hint=f"choose one of {', '.join(HOURS)}")
    if scope.basis is Basis.START:
        event = "started_at"  # the period is decided by the start whatever the metric's event: one table
    return scope.shared(("timed", event, clock, hours), lambda: _build(scope, event, clock, hours),
                        materialize=True)


def _build(scope: Scope, event: str, clock: str, hours: str) -> ir.Table:
    by_event = scope.basis is Basis.EVENT and event != "started_at"
    t = scope.all_conversations() if by_event else scope.conversations()
    if not scope.facts:  # the conversation facts carry these columns already (the same declarations)
        m = scope.table("messages")
        if not scope.covers_data():  # else every message is read anyway, and narrowing would only cost time
            m = m.semi_join(t.select("conversation_id"), "conversation_id")
        t = with_message_timings(t, m)
        if clock == "handoff":
            t = with_handoff(t, scope.table("messages"))
    if clock == "handoff":
        t = t.mutate(clock_at=t.handoff_at.coalesce(t.started_at))
    else:
        t = t.mutate(clock_at=t.started_at)
    if by_event:
        t = scope.in_period(t, event)
    if hours == "business":
        t = scope.business_seconds(t, "clock_at", "first_response", "first_response_s")
        t = scope.business_seconds(t, "clock_at", "resolved", "resolution_s")
    else:
        t = t.mutate(first_response_s=seconds(t.first_response, t.clock_at), resolution_s=seconds(t.resolved, t.clock_at))
    groups = [b for b in scope.by if b in t.columns]
    following = (*FOLLOWING, KEY) if scope.facts else ()  # with the facts, the person's key too
    return t.select(*TIMED_COLUMNS, *following, *(g for g in groups if g not in TIMED_COLUMNS))


def followed_conversations(scope: Scope) -> ir.Table:
    """`timed_conversations` (defaults) plus ``next_started_at``: the start of the same person's next
    conversation (any channel, period or filter; by start, then id), null when there is none or the
    person is unknown."""
    def build() -> ir.Table:
        t = timed_conversations(scope)
        if scope.facts:  # the timed conversations carry next_started_at from the facts
            return t
        c = scope.table("conversations")
        c = c.select("conversation_id", "started_at", __person=person(c))
        following = ibis.window(group_by="__person", order_by=["started_at", "conversation_id"])
        nxt = c.filter(c.__person.notnull()).mutate(next_started_at=c.started_at.lead().over(following))
        joined = t.left_join(nxt.select("conversation_id", "next_started_at"), "conversation_id")
        followed = joined.drop("conversation_id_right")
        scope.same_rows(lambda: followed, t)
        return followed
    return scope.shared("followed", build)
