"""Website and app sessions.

Everyone visits: a few times during their active window by themselves (at
least once, since every person is somebody's visitor), and once shortly before
each web or app conversation and each cart, the session in which it happened.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from chatlift.demo.calendar import MINUTE, YEAR, Int64s
from chatlift.demo.columns import build, labels, sequential_ids, take, timestamps
from chatlift.demo.conversations import Conversations
from chatlift.demo.grouping import lognormal
from chatlift.demo.people import ANONYMOUS, EXISTING, People
from chatlift.demo.targets import CHANNELS
from chatlift.demo.world import World

VISIT_RATE = {ANONYMOUS: 4.0, EXISTING: 8.0}  # sessions per year of active time (new signups: 10)
NEW_VISIT_RATE = 10.0
PAGES = ("/", "/products", "/product", "/pricing", "/help", "/cart", "/account", "/blog", "/trial")
PAGE_WEIGHTS = (0.30, 0.20, 0.18, 0.07, 0.08, 0.04, 0.06, 0.05, 0.02)
SOURCES = ("direct", "search", "ads", "social", "email", "referral")
SOURCE_WEIGHTS = (0.32, 0.30, 0.14, 0.10, 0.09, 0.05)
WEB_CHANNELS = tuple(CHANNELS.index(c) for c in ("chat", "app"))


def _pick(rng: np.random.Generator, weights: tuple[float, ...], size: int) -> Int64s:
    p = np.cumsum(np.asarray(weights) / sum(weights))
    return np.searchsorted(p, rng.random(size), side="right").astype(np.int64)


def visits_table(
    rng: np.random.Generator, people: People, conv: Conversations, cart_person: Int64s, cart_start: Int64s,
    world: World, id_prefix: str,
) -> pa.Table:
    n = len(people)
    rate = np.select([people.category == ANONYMOUS, people.category == EXISTING],
                     [VISIT_RATE[ANONYMOUS], VISIT_RATE[EXISTING]], NEW_VISIT_RATE)
    length = np.maximum(people.active_until - people.active_from, 0)
    own = 1 + rng.poisson(rate * people.engagement * length / float(YEAR))
    who_own = np.repeat(np.arange(n, dtype=np.int64), own)
    at_own = world.web.sample(rng, np.repeat(people.active_from, own), np.repeat(people.active_until, own))

    web = np.isin(conv.channel, WEB_CHANNELS)
    lead = lognormal(rng, 6 * MINUTE, 0.8, int(web.sum())).astype(np.int64)
    has_cart = cart_start >= 0
    cart_lead = lognormal(rng, 3 * MINUTE, 0.8, int(has_cart.sum())).astype(np.int64)
    who = np.concatenate([who_own, conv.person[web], cart_person[has_cart]])
    at = np.concatenate([at_own, conv.started[web] - lead, cart_start[has_cart] - cart_lead])
    keep = (at >= 0) & (at < YEAR)
    order = np.lexsort((at[keep], who[keep]))
    who, at = who[keep][order], at[keep][order]
    page = _pick(rng, PAGE_WEIGHTS, len(who))
    source = _pick(rng, SOURCE_WEIGHTS, len(who))
    return build(
        "visits",
        {
            "visit_id": sequential_ids(id_prefix, len(who), width=8),
            "visitor_id": take(people.visitor_id, who),
            "started_at": timestamps(at),
            "customer_id": take(people.customer_id, who),
            "page": labels(PAGES, page),
            "source": labels(SOURCES, source),
        },
    )
