"""Orders and carts: who buys, when, for how much, and what chat has to do with it.

Orders come from four sources, drawn in this order inside each chunk:

1. *organic* purchases of people who chatted, at a rate per year of active time
   by kind of person and segment;
2. the *experiment's* orders: new signups in the trial get ``UNIT_ORDERS``
   orders in their 16 weeks on average, × `REVENUE_LIFT` when treated (their
   conversations in those weeks trigger nothing else, so the lift is clean);
3. orders *triggered* by a conversation, a few hours to days after it: a fixed
   share per channel, and for chat the share that makes 20 % of chats convert
   within 7 days once the organic orders that happen to follow a chat are counted;
4. organic purchases of people who never chatted, at the rate that makes
   revenue per chatter 4.5 × revenue per non-chatter (seed 000).

Order amounts are log-normal around €100; orders within 7 days after a chat of
the same person (chat-attributed) are then scaled so that their mean is 1.12 ×
the mean of all other orders (seed 000: "10 – 13 % hoger"), experiment orders
excepted. Every purchase has a cart (adds, sometimes a removal, a checkout);
people also abandon carts, those who chat less often.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from chatlift.demo.calendar import DAY, MINUTE, SECOND, YEAR, Bools, Floats, Int64s
from chatlift.demo.columns import build, labels, sequential_ids, take, timestamps
from chatlift.demo.conversations import Conversations
from chatlift.demo.experiment import REVENUE_LIFT, lift
from chatlift.demo.grouping import count_within, lognormal, owners, positions, truncated_exponential
from chatlift.demo.people import ANONYMOUS, EXISTING, NEW, People
from chatlift.demo.targets import (
    AVERAGE_ORDER_VALUE_EUR,
    CHANNELS,
    CHAT_CONVERSION_RATE,
    CHAT_ORDER_VALUE_UPLIFT,
    CHATTER_VALUE_RATIO,
)
from chatlift.demo.world import World
from chatlift.domain.schema import CART_ACTIONS, ORDER_KINDS

CHAT = CHANNELS.index("chat")
ATTRIBUTION_WINDOW = 7 * DAY
ORGANIC_RATE = {ANONYMOUS: 0.8, EXISTING: 2.0, NEW: 2.0}  # purchases per year of active time (chatters)
SEGMENT_ORDERS = (1.0, 1.4, 1.8)  # consumer, smb, enterprise
UNIT_ORDERS = 0.6  # orders per control unit in its 16 weeks
TRIGGER_SHARE = {"email": 0.08, "phone": 0.12, "social": 0.06, "app": 0.10}  # chat: calibrated
TRIGGER_DELAY_MEAN = DAY  # exponential delay after the conversation, cut at the window
AMOUNT_SIGMA = 0.8
QUOTE_SHARE = 0.10  # of business customers' orders
ABANDON_RATE = (2.0, 1.2)  # abandoned carts per year of active time: (never chatted, chatted)
PURCHASE, QUOTE = ORDER_KINDS.index("purchase"), ORDER_KINDS.index("quote")
ADD, REMOVE, CHECKOUT = (CART_ACTIONS.index(a) for a in ("add", "remove", "checkout"))


@dataclass(frozen=True, eq=False)
class Orders:
    """One chunk's orders (any order), one entry per order."""

    person: Int64s
    at: Int64s
    amount: Floats
    kind: Int64s
    chat_attributed: Bools
    order_id: pa.Array

    def __len__(self) -> int:
        return len(self.person)


@dataclass(frozen=True, eq=False)
class _Draft:
    person: list[Int64s]
    at: list[Int64s]
    exempt: list[Bools]  # experiment orders: amounts are not scaled

    def add(self, person: Int64s, at: Int64s, exempt: bool = False) -> None:
        keep = at < YEAR
        self.person.append(person[keep])
        self.at.append(at[keep])
        self.exempt.append(np.full(int(keep.sum()), exempt))

    def arrays(self) -> tuple[Int64s, Int64s, Bools]:
        return np.concatenate(self.person), np.concatenate(self.at), np.concatenate(self.exempt)


def _organic(
    rng: np.random.Generator, world: World, person: Int64s, lo: Int64s, hi: Int64s, per_year: Floats
) -> tuple[Int64s, Int64s]:
    counts = rng.poisson(per_year * np.maximum(hi - lo, 0) / float(YEAR))
    who = np.repeat(person, counts)
    return who, world.web.sample(rng, np.repeat(lo, counts), np.repeat(hi, counts))


def _triggered(rng: np.random.Generator, conv: Conversations, rows: Bools) -> tuple[Int64s, Int64s]:
    delay = 60 * SECOND + truncated_exponential(rng, TRIGGER_DELAY_MEAN, ATTRIBUTION_WINDOW - 2 * MINUTE,
                                                int(rows.sum()))
    return conv.person[rows], conv.started[rows] + delay.astype(np.int64)


def make_orders(rng: np.random.Generator, people: People, conv: Conversations, world: World,
                id_prefix: str) -> Orders:
    n = len(people)
    chats = conv.channel == CHAT
    chatter = chatters(people, conv)
    unit = people.variant >= 0
    # Outside the experiment's weeks: a unit's own time starts when its 16 weeks end.
    free_from = np.where(unit, people.onboarding_until, people.active_from)
    segment = np.asarray(SEGMENT_ORDERS)[people.segment]
    rate = np.select([people.category == ANONYMOUS, people.category == EXISTING],
                     [ORGANIC_RATE[ANONYMOUS], ORGANIC_RATE[EXISTING]], ORGANIC_RATE[NEW])
    everyone = np.arange(n, dtype=np.int64)
    draft = _Draft([], [], [])

    c = chatter
    draft.add(*_organic(rng, world, everyone[c], free_from[c], people.active_until[c],
                        (rate * segment * people.engagement)[c]))
    u = unit
    unit_rate = UNIT_ORDERS * people.engagement * lift(people.variant, REVENUE_LIFT) * float(YEAR)
    window = np.maximum(people.onboarding_until - people.active_from, 1)
    draft.add(*_organic(rng, world, everyone[u], people.active_from[u], people.onboarding_until[u],
                        (unit_rate / window)[u]), exempt=True)

    eligible = ~conv.in_experiment
    for name, share in TRIGGER_SHARE.items():
        rows = eligible & (conv.channel == CHANNELS.index(name))
        draft.add(*_triggered(rng, conv, rows & (rng.random(len(conv)) < share)))
    who, at, _ = draft.arrays()
    covered = count_within(conv.person, conv.started, who, at, 0, ATTRIBUTION_WINDOW) > 0
    needed = CHAT_CONVERSION_RATE * int(chats.sum()) - int((chats & covered).sum())
    candidates = chats & eligible & ~covered
    p = float(np.clip(needed / max(int(candidates.sum()), 1), 0.0, 1.0))
    draft.add(*_triggered(rng, conv, candidates & (rng.random(len(conv)) < p)))

    who, at, exempt = draft.arrays()
    amount = lognormal(rng, AVERAGE_ORDER_VALUE_EUR, AMOUNT_SIGMA, len(who))
    attributed = count_within(who, at, conv.person[chats], conv.started[chats], -ATTRIBUTION_WINDOW, SECOND) > 0
    amount = _scale_attributed(amount, attributed, exempt)

    # People who never chatted: buy at the rate that sets the chatter value ratio.
    revenue = np.bincount(who, weights=amount, minlength=n)
    per_chatter = revenue[chatter].sum() / max(int(chatter.sum()), 1)
    nc = ~chatter
    target = per_chatter / CHATTER_VALUE_RATIO * int(nc.sum()) - revenue[nc].sum()
    weight = np.where(nc, segment * people.engagement * np.maximum(people.active_until - free_from, 0), 0.0)
    expected = max(target, 0.0) / AVERAGE_ORDER_VALUE_EUR
    extra_who, extra_at = _organic(rng, world, everyone, free_from, people.active_until,
                                   expected * weight / max(float(weight.sum()), 1e-12) * float(YEAR)
                                   / np.maximum(people.active_until - free_from, 1))
    keep = extra_at < YEAR
    extra_who, extra_at = extra_who[keep], extra_at[keep]
    who = np.concatenate([who, extra_who])
    at = np.concatenate([at, extra_at])
    amount = np.concatenate([amount, lognormal(rng, AVERAGE_ORDER_VALUE_EUR, AMOUNT_SIGMA, len(extra_who))])
    attributed = np.concatenate([attributed, np.zeros(len(extra_who), dtype=bool)])

    order = np.lexsort((at, who))
    who, at, amount, attributed = who[order], at[order], np.round(amount[order], 2), attributed[order]
    business = people.segment[who] > 0
    kind = np.where(business & (rng.random(len(who)) < QUOTE_SHARE), QUOTE, PURCHASE)
    return Orders(who, at, amount, kind, attributed, sequential_ids(id_prefix, len(who), width=8))


def _scale_attributed(amount: Floats, attributed: Bools, exempt: Bools) -> Floats:
    """Scale chat-attributed, non-experiment amounts so attributed mean = uplift × other mean."""
    others = amount[~attributed]
    scalable = attributed & ~exempt
    if not others.size or not scalable.any():
        return amount
    wanted = CHAT_ORDER_VALUE_UPLIFT * float(others.mean()) * int(attributed.sum())
    factor = (wanted - float(amount[attributed & exempt].sum())) / float(amount[scalable].sum())
    return np.where(scalable, amount * max(factor, 0.5), amount)


def orders_table(orders: Orders, people: People, items: Int64s) -> pa.Table:
    p = orders.person
    return build(
        "orders",
        {
            "order_id": orders.order_id,
            "ordered_at": timestamps(orders.at),
            "amount": pa.array(orders.amount, type=pa.float64()),
            "currency": pa.array(np.full(len(orders), "EUR"), type=pa.string()),
            "customer_id": take(people.customer_id, p),
            "visitor_id": take(people.visitor_id, p),
            "kind": labels(ORDER_KINDS, orders.kind),
            "items": pa.array(items, type=pa.int64()),
        },
    )


def cart_events(
    rng: np.random.Generator, people: People, orders: Orders, chatter: Bools, world: World, id_prefix: str
) -> tuple[pa.Table, Int64s, Int64s, Int64s]:
    """Carts of the purchases and abandoned carts.

    Returns the ``cart_events`` table, the items of each order (quotes: a
    number of their own), and the person and first add of every cart (for visits).
    """
    n = len(people)
    purchase = np.flatnonzero(orders.kind == PURCHASE)
    everyone = np.arange(n, dtype=np.int64)
    rate = np.asarray(ABANDON_RATE)[chatter.astype(np.int64)] * people.engagement
    ab_who, ab_at = _organic(rng, world, everyone, people.active_from, people.active_until, rate)
    cart_person = np.concatenate([orders.person[purchase], ab_who])
    cart_end = np.concatenate([orders.at[purchase], ab_at])
    checked_out = np.concatenate([np.ones(len(purchase), bool), np.zeros(len(ab_who), bool)])
    carts = len(cart_person)

    adds = 1 + rng.poisson(0.7, carts)
    cart = owners(adds)
    step = positions(adds)
    quantity = np.where(rng.random(len(cart)) < 0.75, 1, 2)
    gaps = (20 * SECOND + lognormal(rng, 90e6, 0.9, len(cart))).astype(np.int64)
    # The last add comes one gap before the checkout (or the cart's last activity), each
    # earlier add one more gap before: add k is at end - (sum of the gaps from k on).
    total = np.bincount(cart, weights=gaps, minlength=carts).astype(np.int64)
    running = np.cumsum(gaps)
    before = running - gaps - np.repeat(running[np.cumsum(adds) - adds] - gaps[np.cumsum(adds) - adds], adds)
    add_at = cart_end[cart] - (total[cart] - before)
    added = np.bincount(cart, weights=quantity, minlength=carts).astype(np.int64)
    removes = (added >= 2) & (rng.random(carts) < 0.12)
    remove_at = cart_end - 10 * SECOND
    items = added - removes

    rows_cart = np.concatenate([cart, np.flatnonzero(removes), np.flatnonzero(checked_out)])
    rows_at = np.concatenate([add_at, remove_at[removes], cart_end[checked_out]])
    rows_action = np.concatenate([np.full(len(cart), ADD), np.full(int(removes.sum()), REMOVE),
                                  np.full(int(checked_out.sum()), CHECKOUT)])
    rows_qty = np.concatenate([quantity, np.ones(int(removes.sum()), np.int64), items[checked_out]])
    keep = (rows_at >= 0) & (rows_at < YEAR)
    order = np.lexsort((rows_at[keep], rows_cart[keep]))
    rc = rows_cart[keep][order]
    who = cart_person[rc]
    cart_ids = sequential_ids(id_prefix, carts, width=8)
    table = build(
        "cart_events",
        {
            "cart_id": take(cart_ids, rc),
            "at": timestamps(rows_at[keep][order]),
            "action": labels(CART_ACTIONS, rows_action[keep][order]),
            "customer_id": take(people.customer_id, who),
            "visitor_id": take(people.visitor_id, who),
            "quantity": pa.array(rows_qty[keep][order], type=pa.int64()),
        },
    )
    order_items = 1 + rng.poisson(4.0, len(orders))  # quotes: a quantity of their own
    order_items[purchase] = items[: len(purchase)]
    first_add = np.full(carts, -1, dtype=np.int64)
    first_add[cart[step == 0]] = add_at[step == 0]
    return table, order_items, cart_person, first_add


def chatters(people: People, conv: Conversations) -> npt.NDArray[np.bool_]:
    """True for every person of the chunk with at least one live chat."""
    return np.bincount(conv.person[conv.channel == CHAT], minlength=len(people)) > 0
