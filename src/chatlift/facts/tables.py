"""The derived fact tables, declared as Ibis expressions over the canonical tables.

A report would otherwise group millions of messages, cart events and orders on
every question. These tables hold, per conversation, per order and per cart,
what does not depend on a report's period, filters or parameters; the metric
definitions read them instead of the raw events when they are current
(`chatlift.facts.refresh` keeps them so). Being Ibis expressions, they build on
any backend, like the metrics.

``chatlift_conversation_facts`` — one row per conversation: its columns, plus

* ``person``: customer_id, else visitor_id; ``person_key``: its key (`chatlift.facts.people`);
* from its messages: ``first_agent_at`` (first agent message), ``last_message_at``,
  ``last_customer_at``, ``customer_messages`` and ``agent_messages`` (null without messages);
* ``first_response``: first_response_at, else first_agent_at; ``resolved``: resolved_at,
  else for status resolved the last message; ``reopened``: a customer wrote after it;
* ``handoff_at``: the last bot message before the first response (any bot message when
  there is none);
* ``next_started_at``: the start of the same person's next conversation (by start,
  then id; null when none or the person is unknown);
* ``next_<kind>_at`` per order kind: the first order of that kind by the same person at or
  after the start (so a conversation converted within ``w`` days exactly when one of the
  kinds' instant is before start + w).

``chatlift_order_facts`` — per order with a known person and per channel the person
has conversations on: the last conversation of that channel that started at or before
the order (by start, then id): ``order_id``, ``kind``, ``amount``, ``ordered_at``, ``channel``,
``conversation_id``, ``started_at``. Within a window of ``w`` days the order is
attributed to it exactly when ``ordered_at < started_at + w``: a later start within the
window would be a later conversation.

``chatlift_sighting_facts`` — one row per time a person was seen: a visit (``started_at``), an
order (``ordered_at``) or a conversation (``started_at``), for every known person: ``person``,
``seen_at`` and ``previous_seen_at`` (the person's sighting just before in time; null for the
first). The people seen in ``[start, end)`` are then counted without comparing people: each has
exactly one sighting in it whose previous one is before ``start`` or missing (ties of one instant
are ordered arbitrarily, which does not change that count).

``chatlift_survey_facts`` — one row per survey answer about a conversation that exists: the
answer's columns plus the conversation's ``started_at`` and the columns reports filter and break
down by (`SURVEY_CONVERSATION_COLUMNS`).

``chatlift_history_facts`` — one row per order with a known person, in the person's sequence
of orders (by ``ordered_at``, then ``order_id``): ``person``, ``person_key``, ``order_id``, ``kind``, ``amount``,
``ordered_at``, and per order kind ``<kind>_so_far`` (the person's amounts of that kind up to and
including this order) and ``next_<kind>_after`` (when the person's next order of that kind after
this one was placed). A person's last order of kinds K before ``end`` is the row of kind in K with
no ``next_<k>_after`` before ``end`` for any k in K, and the sum of its ``<k>_so_far`` is all
they ordered of K before ``end``.

``chatlift_cart_facts`` — per cart: ``person`` (largest customer_id, else largest
visitor_id of its events), ``first_add_at``, ``checkout_at`` (first checkout),
``added`` and ``checked_out`` (quantities, null quantity = 1).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from chatlift.domain.schema import ORDER_KINDS
from chatlift.facts.people import KEY, PEOPLE

CONVERSATION_FACTS = "chatlift_conversation_facts"
ORDER_FACTS = "chatlift_order_facts"
CART_FACTS = "chatlift_cart_facts"
SIGHTING_FACTS = "chatlift_sighting_facts"
SURVEY_FACTS = "chatlift_survey_facts"
HISTORY_FACTS = "chatlift_history_facts"
FACT_TABLES = (CONVERSATION_FACTS, ORDER_FACTS, CART_FACTS, SIGHTING_FACTS, SURVEY_FACTS, HISTORY_FACTS)
SO_FAR = {kind: f"{kind}_so_far" for kind in ORDER_KINDS}
NEXT_AFTER = {kind: f"next_{kind}_after" for kind in ORDER_KINDS}
SURVEY_CONVERSATION_COLUMNS = ("started_at", "channel", "cobrowse", "agent_id", "team", "segment", "sector",
                               "initiated_by", "tags")
"""The columns of its conversation a survey fact carries: its start and every filter and breakdown."""
SIGHTINGS = (("visits", "started_at"), ("orders", "ordered_at"), ("conversations", "started_at"))
"""The tables a person is seen in, with the column saying when."""
NEXT_ORDER = {kind: f"next_{kind}_at" for kind in ORDER_KINDS}
"""Order kind → the conversation-facts column of the person's first such order from the start on."""


def person(table: ir.Table) -> ir.StringValue:
    """A person across tables: ``customer_id``, else ``visitor_id``."""
    return table.customer_id.coalesce(table.visitor_id)


def loose(table: ir.Table) -> ir.Table:
    """``table`` with every column nullable, so that two halves of a union have one schema."""
    return table.cast({name: dtype.copy(nullable=True) for name, dtype in table.schema().items()})


def conversation_facts(backend: ibis.BaseBackend, only: ir.Table | None = None) -> ir.Table:
    """The conversation facts of every conversation, or of those whose id ``only`` (a table with a
    ``conversation_id`` column) lists."""
    every = backend.table("conversations")
    c = every if only is None else every.semi_join(only, "conversation_id")
    c = c.mutate(person=person(c))
    m = backend.table("messages")
    if only is not None:
        m = m.semi_join(only, "conversation_id")
    t = with_handoff(with_message_timings(c, m), m)
    t = t.left_join(_following(backend, c, whole=only is None), "conversation_id").drop("conversation_id_right")
    return with_person_key(backend, t, None if only is None else c)


def with_person_key(backend: ibis.BaseBackend, t: ir.Table, among: ir.Table | None) -> ir.Table:
    """``t`` (with ``person``) plus ``person_key`` from `chatlift.facts.people` (null for no person). With
    ``among`` (a table with ``person``: few rows recomputed), only those people's keys are read rather than
    hashing every key."""
    people = backend.table(PEOPLE)
    if among is not None:
        people = people.semi_join(among.select("person"), "person")
    people = people.select(__person=people.person, **{KEY: people[KEY]})
    return t.left_join(people, t.person == people.__person).drop("__person")


def with_message_timings(conversations: ir.Table, messages: ir.Table) -> ir.Table:
    """``conversations`` plus what ``messages`` (theirs, or more) say: ``first_agent_at``, ``last_message_at``,
    ``last_customer_at``, ``customer_messages``, ``agent_messages`` (null without messages), and
    ``first_response``, ``resolved`` and ``reopened`` as the module docstring defines them."""
    m = messages
    agent, customer = m.sender == "agent", m.sender == "customer"
    counts = m.group_by("conversation_id").aggregate(
        first_agent_at=m.sent_at.min(where=agent),
        last_message_at=m.sent_at.max(),
        last_customer_at=m.sent_at.max(where=customer),
        customer_messages=m.count(where=customer),  # a count: a 64-bit integer (a sum is 128-bit in DuckDB)
        agent_messages=m.count(where=agent),
    )
    t = conversations.left_join(counts, "conversation_id").drop("conversation_id_right")
    t = t.mutate(
        first_response=t.first_response_at.coalesce(t.first_agent_at),
        resolved=t.resolved_at.coalesce(ibis.ifelse(t.status == "resolved", t.last_message_at,
                                                    ibis.null("timestamp"))),
    )
    return t.mutate(reopened=(t.resolved.notnull() & (t.last_customer_at > t.resolved)).fill_null(False))


def with_handoff(timed: ir.Table, messages: ir.Table) -> ir.Table:
    """``timed`` (with ``first_response``) plus ``handoff_at``: its last bot message before the first
    response (any bot message when there is none)."""
    bots = messages.filter(messages.sender == "bot").join(timed.select("conversation_id", "first_response"),
                                                          "conversation_id")
    bots = bots.filter(bots.first_response.isnull() | (bots.sent_at < bots.first_response))
    handoffs = bots.group_by("conversation_id").aggregate(handoff_at=bots.sent_at.max())
    return timed.left_join(handoffs, "conversation_id").drop("conversation_id_right")


def _following(backend: ibis.BaseBackend, c: ir.Table, *, whole: bool) -> ir.Table:
    """Per conversation of ``c`` with a known person: ``next_started_at`` and the ``next_<kind>_at``.

    One sorted pass per person over their conversations and orders: the conversations sort before
    the orders of the same instant, so an order at the very start counts as following it."""
    every, o = backend.table("conversations"), backend.table("orders")
    every = every.mutate(person=person(every)).filter(lambda t: t.person.notnull())
    o = o.mutate(person=person(o)).filter(lambda t: t.person.notnull())
    if not whole:  # only the people of ``c``, with all their conversations and orders
        people = c.filter(c.person.notnull()).select("person").distinct()
        every, o = every.semi_join(people, "person"), o.semi_join(people, "person")
    rows = loose(every.select("person", "conversation_id", at=every.started_at, order_kind=ibis.null("string"))).union(
        loose(o.select("person", conversation_id=ibis.null("string"), at=o.ordered_at, order_kind=o.kind)))
    rows = rows.mutate(is_order=rows.order_kind.notnull())
    later = ibis.window(group_by="person", order_by=["at", "is_order", "conversation_id"], rows=(1, None))
    from_here = ibis.window(group_by="person", order_by=["at", "is_order", "conversation_id"], rows=(0, None))
    none = ibis.null("timestamp")
    rows = rows.mutate(
        next_started_at=ibis.ifelse(rows.is_order, none, rows.at).min().over(later),
        **{column: ibis.ifelse(rows.order_kind == kind, rows.at, none).min().over(from_here)
           for kind, column in NEXT_ORDER.items()},
    )
    rows = rows.filter(~rows.is_order)
    return rows.select("conversation_id", "next_started_at", *NEXT_ORDER.values())


def order_facts(backend: ibis.BaseBackend, only: ir.Table | None = None) -> ir.Table:
    """The attribution candidates of every order, or of those whose id ``only`` lists."""
    o = backend.table("orders")
    if only is not None:
        o = o.semi_join(only, "order_id")
    o = o.mutate(person=person(o)).filter(lambda t: t.person.notnull())
    c = backend.table("conversations")
    c = c.mutate(person=person(c)).filter(lambda t: t.person.notnull())
    c = c.semi_join(o.select("person").distinct(), "person")
    channels = c.select("person", "channel").distinct()
    placed = o.join(channels, "person").select("person", "channel", "order_id", "kind", "amount", at=o.ordered_at)
    rows = loose(c.select("person", "channel", "conversation_id", at=c.started_at, order_id=ibis.null("string"),
                          kind=ibis.null("string"), amount=ibis.null("float64"))).union(
        loose(placed.select("person", "channel", conversation_id=ibis.null("string"), at=placed.at,
                            order_id=placed.order_id, kind=placed.kind, amount=placed.amount)))
    rows = rows.mutate(is_order=rows.order_id.notnull())
    so_far = ibis.window(group_by=["person", "channel"], order_by=["at", "is_order", "conversation_id"],
                         rows=(None, 0))
    rows = rows.mutate(seq=(~rows.is_order).cast("int64").sum().over(so_far))
    orders = rows.filter(rows.is_order & (rows.seq > 0))
    chats = rows.filter(~rows.is_order).select("person", "channel", "seq", "conversation_id", started_at=rows.at)
    joined = orders.select("person", "channel", "seq", "order_id", "kind", "amount", ordered_at=orders.at).join(
        chats, ["person", "channel", "seq"])
    return joined.select("order_id", "kind", "amount", "ordered_at", "channel", "conversation_id", "started_at")


def cart_facts(backend: ibis.BaseBackend, only: ir.Table | None = None) -> ir.Table:
    """The facts of every cart, or of those whose id ``only`` lists."""
    e = backend.table("cart_events")
    if only is not None:
        e = e.semi_join(only, "cart_id")
    add, checkout = e.action == "add", e.action == "checkout"
    quantity = e.quantity.fill_null(1).cast("float64")
    return e.group_by("cart_id").aggregate(
        person=e.customer_id.max().coalesce(e.visitor_id.max()),
        first_add_at=e.at.min(where=add),
        checkout_at=e.at.min(where=checkout),
        added=quantity.sum(where=add),
        checked_out=quantity.sum(where=checkout),
    )


def sighting_facts(backend: ibis.BaseBackend, only: ir.Table | None = None) -> ir.Table:
    """The sightings of every known person, or of the people ``only`` (a table with a ``person`` column)
    lists."""
    parts = []
    for name, at in SIGHTINGS:
        t = backend.table(name)
        t = t.select(person=person(t), seen_at=t[at]).filter(lambda r: r.person.notnull())
        parts.append(loose(t if only is None else t.semi_join(only, "person")))
    rows = parts[0].union(*parts[1:])
    return rows.mutate(previous_seen_at=rows.seen_at.lag().over(group_by="person", order_by="seen_at"))


def survey_facts(backend: ibis.BaseBackend, only: ir.Table | None = None) -> ir.Table:
    """The answers about every conversation, or about those whose id ``only`` lists, with the conversation's
    columns."""
    s = backend.table("survey_responses")
    s = s.filter(s.conversation_id.notnull())
    c = backend.table("conversations").select("conversation_id", *SURVEY_CONVERSATION_COLUMNS)
    if only is not None:
        s, c = s.semi_join(only, "conversation_id"), c.semi_join(only, "conversation_id")
    return s.join(c, "conversation_id")


def history_facts(backend: ibis.BaseBackend, only: ir.Table | None = None) -> ir.Table:
    """The order history of every known person, or of the people ``only`` (a ``person`` column) lists."""
    o = backend.table("orders")
    o = o.select("order_id", "kind", "amount", "ordered_at", person=person(o)).filter(lambda t: t.person.notnull())
    if only is not None:
        o = o.semi_join(only, "person")
    sequence = ["ordered_at", "order_id"]
    so_far = ibis.window(group_by="person", order_by=sequence, rows=(None, 0))
    after = ibis.window(group_by="person", order_by=sequence, rows=(1, None))
    o = with_person_key(backend, o, None if only is None else o)
    return o.mutate(
        **{column: ibis.ifelse(o.kind == kind, o.amount, 0.0).sum().over(so_far) for kind, column in SO_FAR.items()},
        **{column: ibis.ifelse(o.kind == kind, o.ordered_at, ibis.null("timestamp")).min().over(after)
           for kind, column in NEXT_AFTER.items()},
    )
