"""Chat effectiveness (catalogue 1–4, 19): conversion, order value, value of a chat customer, carts,
and what a person who chats is worth. See `attribution` for how people, orders and chats are matched."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from chatlift.facts.tables import CART_FACTS, HISTORY_FACTS, SIGHTING_FACTS, cart_facts, loose
from chatlift.metrics.attribution import (
    attributed_by_facts,
    attributed_orders,
    converted_conversations,
    orders_of,
    window_end,
    with_chatted,
)
from chatlift.metrics.definitions import (
    MEAN,
    PRODUCT,
    PROPORTION,
    RATIO_OF_MEANS,
    RATIO_OF_TOTALS,
    TIME_BREAKDOWNS,
    Metric,
    Param,
    Reference,
    Section,
    Unit,
)
from chatlift.metrics.expressions import grouped, mean, only_channel, share
from chatlift.metrics.scope import BREAKDOWNS, Scope, person
from chatlift.metrics.sources import SEED_000, SEED_001

WINDOW = Param("window", 7.0, "attribution window in days after the conversation starts")
KINDS = Param("kinds", ("purchase", "quote"), "order kinds that count as a conversion")
REVENUE_KINDS = Param("kinds", ("purchase",), "order kinds that count as revenue")
GOALS = Param("goals", (), "names of goals (e.g. trial_started) that count as a conversion too")
CHANNEL = Param("channel", "chat", "the channel measured; broken down by channel, every channel is measured "
                                   "the same way")
PERSON_BREAKDOWNS = ("chatted", *TIME_BREAKDOWNS)


def _conversion(scope: Scope, by: Sequence[str], window: float, kinds: tuple[str, ...], goals: tuple[str, ...],
                channel: str) -> ir.Table:
    c = only_channel(converted_conversations(scope, window=window, kinds=kinds, goals=goals), by, channel)
    c = c.filter(c.person.notnull())
    return share(c, by, c.converted)


def _order_value_stats(scope: Scope, by: Sequence[str], window: float, kinds: tuple[str, ...],
                       channel: str) -> ir.Table:
    """Per group: orders placed in the period attributed to the group's conversations (``_a``), and
    all other orders placed in the period (``_b``) = all orders of the time bucket minus those.
    Built once per scope for the four metrics that read it."""
    return scope.shared(("order value", tuple(by), window, kinds, channel),
                        lambda: _build_order_value_stats(scope, by, window, kinds, channel))


def _build_order_value_stats(scope: Scope, by: Sequence[str], window: float, kinds: tuple[str, ...],
                             channel: str) -> ir.Table:
    orders = scope.in_period(orders_of(scope, kinds), "ordered_at")
    by_time = [b for b in by if b in TIME_BREAKDOWNS]
    by_conversation = [b for b in by if b in BREAKDOWNS and b != "channel"]
    c = scope.all_conversations().select("conversation_id", *by_conversation)
    if scope.facts:  # the order facts carry the amount and time: join the conversations only when they filter
        a = scope.in_period(only_channel(attributed_by_facts(scope, window=window, kinds=kinds), by, channel),
                            "ordered_at")
        if by_conversation or scope.filtered:
            a = a.join(c, "conversation_id")
    else:
        a = only_channel(attributed_orders(scope, window=window, kinds=kinds), by, channel).join(c, "conversation_id")
        a = a.join(orders.select("order_id", "amount", *by_time), "order_id")
    attributed = grouped(a, by, **mean(a, by, a.amount, "_a"))
    everything = grouped(orders, by_time, **mean(orders, by_time, orders.amount, "_t"))
    if len(by_time) < len(by):
        joined = attributed.join(everything, by_time) if by_time else attributed.cross_join(everything)
    else:
        joined = everything.left_join(attributed, by_time).drop(*(f"{b}_right" for b in by_time)) if by_time \
            else everything.cross_join(attributed)
    for stat in ("n", "total", "total_sq"):
        joined = joined.mutate(**{f"{stat}_a": joined[f"{stat}_a"].fill_null(0)})
    return joined.mutate(n_b=joined.n_t - joined.n_a, total_b=joined.total_t - joined.total_a,
                         total_sq_b=joined.total_sq_t - joined.total_sq_a)


def _chat_order_value(scope: Scope, by: Sequence[str], window: float, kinds: tuple[str, ...],
                      channel: str) -> ir.Table:
    t = _order_value_stats(scope, by, window, kinds, channel)
    return t.select(*by, n=t.n_a, total=t.total_a, total_sq=t.total_sq_a)


def _other_order_value(scope: Scope, by: Sequence[str], window: float, kinds: tuple[str, ...],
                       channel: str) -> ir.Table:
    t = _order_value_stats(scope, by, window, kinds, channel)
    return t.select(*by, n=t.n_b, total=t.total_b, total_sq=t.total_sq_b)


def _order_value_uplift(scope: Scope, by: Sequence[str], window: float, kinds: tuple[str, ...],
                        channel: str) -> ir.Table:
    t = _order_value_stats(scope, by, window, kinds, channel)
    return t.select(*by, "n_a", "total_a", "total_sq_a", "n_b", "total_b", "total_sq_b", n=t.n_a + t.n_b)


def _chat_customer_value(scope: Scope, by: Sequence[str], window: float, kinds: tuple[str, ...],
                         channel: str) -> ir.Table:
    conversion = _conversion(scope, by, window, kinds, (), channel)
    value = _chat_order_value(scope, by, window, kinds, channel)
    value = value.rename(n_b="n", total_b="total", total_sq_b="total_sq")
    joined = conversion.join(value, list(by)) if by else conversion.cross_join(value)
    return joined


def _carts(scope: Scope, by: Sequence[str], window: float) -> ir.Table:
    carts = scope.shared(("carts", window), lambda: _cart_rows(scope, window), materialize=True)
    return with_chatted(scope, carts) if "chatted" in by else carts


def _cart_rows(scope: Scope, window: float) -> ir.Table:
    carts = scope.table(CART_FACTS) if scope.facts else cart_facts(scope.backend)
    carts = carts.filter(carts.first_add_at.notnull())
    carts = scope.in_period(carts, "first_add_at")
    in_time = carts.checkout_at.notnull() & (carts.checkout_at < window_end(carts.first_add_at, window))
    return carts.mutate(completed=in_time, y=ibis.ifelse(in_time, carts.checked_out.fill_null(0), 0.0))


def _cart_abandonment(scope: Scope, by: Sequence[str], window: float) -> ir.Table:
    carts = _carts(scope, by, window)
    return share(carts, by, ~carts.completed)


def _cart_completion(scope: Scope, by: Sequence[str], window: float) -> ir.Table:
    c = _carts(scope, by, window)
    return grouped(c, by, n=c.count(), total_y=c.y.sum(), total_x=c.added.sum(), total_sq_y=(c.y * c.y).sum(),
                   total_sq_x=(c.added * c.added).sum(), total_xy=(c.y * c.added).sum())


def _chatter_value_ratio(scope: Scope, by: Sequence[str], kinds: tuple[str, ...], channel: str) -> ir.Table:
    """Per person seen, revenue in the period: the chatters' (a) against everyone else's (b). The sums come
    from the people who bought or chatted in the period, one group per person of their purchases and chats
    (anyone else adds no revenue), and the number of people without a chat is everyone seen less the
    chatters (every chatter is seen)."""
    key = scope.person_column
    if scope.facts:  # the order history carries each order's person and key
        paid = scope.in_period(scope.table(HISTORY_FACTS), "ordered_at")
    else:
        paid = scope.in_period(scope.table("orders"), "ordered_at")
        paid = paid.mutate(person=person(paid))
    paid = paid.filter(paid.kind.isin(list(kinds)) & paid[key].notnull())
    c = scope.all_conversations()
    talked = c.filter((c.channel == channel) & scope.period.contains(c.started_at) & c[key].notnull())
    rows = loose(paid.select(key, amount=paid.amount.cast("float64"), chats=ibis.literal(0, "int64"))).union(
        loose(talked.select(key, amount=ibis.literal(0.0, "float64"), chats=ibis.literal(1, "int64"))))
    people = rows.group_by(key).aggregate(revenue=rows.amount.sum(), chats=rows.chats.sum())
    chatted, r = people.chats > 0, people.revenue
    sums = people.aggregate(n_a=people.count(where=chatted), total_a=r.sum(where=chatted),
                            total_sq_a=(r * r).sum(where=chatted), total_b=r.sum(where=~chatted),
                            total_sq_b=(r * r).sum(where=~chatted))
    t = sums.cross_join(_people_seen(scope))
    return t.select("n", "n_a", "total_a", "total_sq_a", n_b=t.n - t.n_a, total_b="total_b",
                    total_sq_b="total_sq_b")


def _people_seen(scope: Scope) -> ir.Table:
    """One row, ``n``: the people seen in the period (a visit, an order, or a conversation in scope). From the
    sighting facts, each person's one sighting in the period whose previous sighting is before it (their
    conversations are all sightings, so only without filters)."""
    if scope.facts and not scope.filtered:
        s = scope.table(SIGHTING_FACTS)
        first = s.previous_seen_at.isnull()
        start = scope.period.utc_bounds()[0]
        if start:
            first |= s.previous_seen_at < start
        s = s.filter(scope.period.contains(s.seen_at) & first)
        return s.aggregate(n=s.count())
    visits = scope.in_period(scope.table("visits"), "started_at")
    orders = scope.in_period(scope.table("orders"), "ordered_at")
    seen = visits.select(person=person(visits)).union(orders.select(person=person(orders)))
    seen = seen.union(scope.conversations().select("person"), distinct=True).filter(lambda t: t.person.notnull())
    return seen.aggregate(n=seen.count())


METRICS: tuple[Metric, ...] = (
    Metric(
        key="chat_conversion_rate", label="Chat conversion rate", section=Section.SALES, number=1, unit=Unit.SHARE,
        higher_is_better=True,
        description="Share of chat conversations whose person places an order (of `kinds`, default purchase and "
        "quote) at or after the conversation's start and before start + `window` days (default 7); goals named in "
        "`goals` (default none, e.g. trial_started) count as conversions too. Conversations with neither "
        "customer_id nor visitor_id cannot be matched and are left out.",
        estimator=PROPORTION, aggregate=_conversion, params=(WINDOW, KINDS, GOALS, CHANNEL),
        references={"chat": Reference("20 %", SEED_001)},
    ),
    Metric(
        key="chat_order_value", label="Order value after a chat", section=Section.SALES, number=2, unit=Unit.MONEY,
        higher_is_better=True,
        description="Mean amount of orders (of `kinds`, default purchase and quote) placed in the period and "
        "attributed to a chat conversation: the last chat of the same person that started within `window` days "
        "(default 7) before the order.",
        estimator=MEAN, aggregate=_chat_order_value, params=(WINDOW, KINDS, CHANNEL),
        event="the order", references={"chat": Reference("€100 (example)", SEED_001)},
    ),
    Metric(
        key="other_order_value", label="Order value without a chat", section=Section.SALES, number=2,
        unit=Unit.MONEY, higher_is_better=True,
        description="Mean amount of orders (of `kinds`) placed in the period that are not attributed to a chat "
        "conversation (see chat_order_value).",
        estimator=MEAN, aggregate=_other_order_value, params=(WINDOW, KINDS, CHANNEL), event="the order",
    ),
    Metric(
        key="order_value_uplift", label="Order value uplift of chat", section=Section.SALES, number=2,
        unit=Unit.RATIO, higher_is_better=True,
        description="chat_order_value ÷ other_order_value: how much larger orders after a chat are.",
        estimator=RATIO_OF_MEANS, aggregate=_order_value_uplift, params=(WINDOW, KINDS, CHANNEL),
        event="the order", references={"chat": Reference("1.10–1.13 (+10–13 %)", SEED_000)},
        note="correlational: people who chat may differ from people who do not",
    ),
    Metric(
        key="chat_customer_value", label="Value of a chat customer", section=Section.SALES, number=3,
        unit=Unit.MONEY, higher_is_better=True,
        description="chat_conversion_rate × chat_order_value (20 % × €100 = €20): the order value one chat "
        "conversation brings; broken down by channel, the same product for every channel.",
        estimator=PRODUCT, aggregate=_chat_customer_value, params=(WINDOW, KINDS, CHANNEL),
        references={"chat": Reference("€20 (example)", SEED_001)},
    ),
    Metric(
        key="cart_abandonment", label="Cart abandonment", section=Section.SALES, number=4, unit=Unit.SHARE,
        higher_is_better=False,
        description="Share of carts with an add whose first add falls in the period and that see no checkout "
        "within `window` days (default 7) of the first add; break down by `chatted` to compare people who "
        "started a chat in the period with people who did not.",
        estimator=PROPORTION, aggregate=_cart_abandonment, params=(WINDOW,), breakdowns=PERSON_BREAKDOWNS,
        event="the cart's first add",
    ),
    Metric(
        key="cart_completion", label="Items checked out per item added", section=Section.SALES, number=4,
        unit=Unit.RATIO, higher_is_better=True,
        description="Items checked out (quantity of the cart's checkouts within `window` days, default 7, of "
        "its first add) ÷ items added (quantity of its adds; removals are not subtracted), over carts whose "
        "first add falls in the period; break down by `chatted` as for cart_abandonment.",
        estimator=RATIO_OF_TOTALS, aggregate=_cart_completion, params=(WINDOW,), breakdowns=PERSON_BREAKDOWNS,
        event="the cart's first add",
    ),
    Metric(
        key="chatter_value_ratio", label="Value of a chatter vs. a non-chatter", section=Section.SALES, number=19,
        unit=Unit.RATIO, higher_is_better=True,
        description="Mean revenue (orders of `kinds`, default purchase, placed in the period; zero for people "
        "without one) of people who started a conversation on `channel` (default chat) in the period ÷ the same "
        "for everyone else seen in the period (a visit, an order or a conversation).",
        estimator=RATIO_OF_MEANS, aggregate=_chatter_value_ratio, params=(REVENUE_KINDS, CHANNEL), breakdowns=(),
        event="the visit, order or conversation", references={"chat": Reference("4.5×", SEED_000)},
        note="correlational: it says who chats, not what chat causes; run an experiment for that",
    ),
)
