"""Who converted, and which conversation an order is attributed to.

A person is matched across tables by ``customer_id``, else ``visitor_id``
(`scope.person`); rows with neither cannot be matched and are left out.

*Conversion*: a conversation converts when its person places an order of one
of ``kinds`` (or reaches one of the named ``goals``) at or after the
conversation's start and strictly before start + ``window`` days: an order at
the very instant the chat starts counts, one exactly ``window`` days later
does not.

*Attribution*: an order is attributed, per channel, to the last conversation
of that channel whose start lies within the same window before it. So an order
counts once per conversation-channel however many chats preceded it, and a
chat that is followed by another chat of the same channel before the order
does not get it. Attribution looks at all conversations; filters and the
period then decide which attributed orders a report sees.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from chatlift.facts.tables import NEXT_ORDER, ORDER_FACTS
from chatlift.metrics.scope import Scope, person
from chatlift.metrics.timings import TIMED_COLUMNS, followed_conversations, timed_conversations

DAY_SECONDS = 86_400


def window_end(start: ir.TimestampValue, window_days: float) -> ir.TimestampValue:
    return start + ibis.interval(seconds=round(window_days * DAY_SECONDS))


def orders_of(scope: Scope, kinds: tuple[str, ...]) -> ir.Table:
    """Orders of the given kinds whose person is known, with a ``person`` column."""
    o = scope.table("orders")
    o = o.filter(o.kind.isin(list(kinds)))
    return o.mutate(person=person(o)).filter(lambda t: t.person.notnull())


def conversion_events(scope: Scope, kinds: tuple[str, ...], goals: tuple[str, ...]) -> ir.Table:
    """``person``, ``at`` of every order of ``kinds`` and every goal named in ``goals``."""
    o = orders_of(scope, kinds)
    events = o.select("person", at=o.ordered_at)
    if goals:
        g = scope.table("goals")
        g = g.filter(g.name.isin(list(goals)))
        events = events.union(g.select(person=person(g), at=g.at).filter(lambda t: t.person.notnull()))
    return events


def with_converted(scope: Scope, conversations: ir.Table, *, window: float, kinds: tuple[str, ...],
                   goals: tuple[str, ...]) -> ir.Table:
    """``conversations`` (a subset of the scope's) with a known person, plus a boolean ``converted``."""
    c = conversations.filter(conversations.person.notnull())
    if scope.facts and not goals:
        return c.mutate(converted=_converted_by_facts(c, window, kinds))
    hits = scope.shared(("converted", window, kinds, goals), lambda: _converted(scope, window, kinds, goals),
                        materialize=True)
    joined = c.left_join(hits, "conversation_id").drop("conversation_id_right")
    return joined.mutate(converted=joined.converted.fill_null(False))


def _converted_by_facts(t: ir.Table, window: float, kinds: tuple[str, ...]) -> ir.BooleanValue:
    """Converted, from the conversation facts' first order of each kind at or after the start."""
    end = window_end(t.started_at, window)
    hits = [t[NEXT_ORDER[kind]] < end for kind in dict.fromkeys(kinds) if kind in NEXT_ORDER]
    return ibis.or_(*hits).fill_null(False) if hits else ibis.literal(False)


def converted_conversations(scope: Scope, *, window: float, kinds: tuple[str, ...], goals: tuple[str, ...],
                            timed: bool = False) -> ir.Table:
    """The scope's conversations plus a boolean ``converted`` (false when the person is unknown): the
    columns of `timings.timed_conversations` without the message timings, or all of them with ``timed``.

    Both are declared to have the same rows as the timed conversations with ``converted`` and
    ``next_started_at`` (`Scope.same_rows`), so that a report computes the metrics of all of them together.
    """
    def hits() -> ir.Table:
        return scope.shared(("converted", window, kinds, goals), lambda: _converted(scope, window, kinds, goals),
                            materialize=True)

    def flagged(t: ir.Table) -> ir.Table:
        if scope.facts and not goals:
            return t.mutate(converted=_converted_by_facts(t, window, kinds))
        joined = t.left_join(hits(), "conversation_id").drop("conversation_id_right")
        return joined.mutate(converted=joined.converted.fill_null(False))

    def widest() -> ir.Table:
        def build() -> ir.Table:
            followed = followed_conversations(scope)
            wide = flagged(followed)
            scope.same_rows(lambda: wide, followed)
            return wide
        return scope.shared(("converted followed", window, kinds, goals), build)

    def build() -> ir.Table:
        if scope.facts:  # the timed conversations are the followed ones: the widest relation itself
            return widest()
        if timed:
            return scope.same_rows(widest, flagged(timed_conversations(scope)))
        c = scope.conversations()
        c = c.select(*(name for name in TIMED_COLUMNS if name in c.columns),
                     *(b for b in scope.by if b not in TIMED_COLUMNS))
        return scope.same_rows(widest, flagged(c))
    return scope.shared(("converted conversations", window, kinds, goals, timed), build)


def _converted(scope: Scope, window: float, kinds: tuple[str, ...], goals: tuple[str, ...]) -> ir.Table:
    """Ids of the scope's conversations (any channel) that converted, with ``converted`` = true."""
    c = scope.all_conversations()
    c = c.filter(c.person.notnull() & scope.period.contains(c.started_at))
    e = conversion_events(scope, kinds, goals)
    key = c.select("conversation_id", "person", "started_at")
    hits = key.join(e, [key.person == e.person, e.at >= key.started_at, e.at < window_end(key.started_at, window)])
    return hits.select("conversation_id").distinct().mutate(converted=ibis.literal(True))


def attributed_orders(scope: Scope, *, window: float, kinds: tuple[str, ...]) -> ir.Table:
    """One row per order and channel it is attributed to: ``order_id``, ``conversation_id``, ``channel``."""
    def build() -> ir.Table:
        if scope.facts:
            return attributed_by_facts(scope, window=window, kinds=kinds).select("order_id", "conversation_id",
                                                                                 "channel")
        o = orders_of(scope, kinds).select("order_id", "person", "ordered_at")
        c = scope.table("conversations")
        c = c.select("conversation_id", "channel", "started_at", person=person(c))
        pairs = o.join(c, [o.person == c.person, c.started_at <= o.ordered_at,
                           o.ordered_at < window_end(c.started_at, window)])
        latest = ibis.window(group_by=["order_id", "channel"],
                             order_by=[ibis.desc("started_at"), ibis.desc("conversation_id")])
        pairs = pairs.mutate(__rank=ibis.row_number().over(latest))
        return pairs.filter(pairs.__rank == 0).select("order_id", "conversation_id", "channel")
    return scope.shared(("attributed", window, kinds), build, materialize=True)


def attributed_by_facts(scope: Scope, *, window: float, kinds: tuple[str, ...]) -> ir.Table:
    """`attributed_orders` read from the order facts (which must be current), with the order's ``amount``
    and ``ordered_at`` too: the last conversation per channel at or before each order gets it when the
    order falls within ``window`` days of its start."""
    f = scope.table(ORDER_FACTS)
    return f.filter(f.kind.isin(list(kinds)) & (f.ordered_at < window_end(f.started_at, window)))


def chatters(scope: Scope, channel: str = "chat") -> ir.Table:
    """The people (one ``person`` column, distinct) who started a conversation on ``channel`` in the report
    period (passing the filters)."""
    c = scope.all_conversations()
    c = c.filter((c.channel == channel) & scope.period.contains(c.started_at) & c.person.notnull())
    return c.select("person").distinct()


def with_chatted(scope: Scope, table: ir.Table, channel: str = "chat") -> ir.Table:
    """``table`` (with ``person``) plus ``chatted``: "yes" when the person is one of the `chatters`, else "no"."""
    people = chatters(scope, channel)
    people = people.select(__person=people.person, __chatted=ibis.literal("yes"))
    joined = table.left_join(people, table.person == people.__person)
    return joined.mutate(chatted=joined.__chatted.fill_null("no")).drop("__person", "__chatted")
