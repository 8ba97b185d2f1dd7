"""Conversations: how many each person has, on which channel, when, and the table rows.

Counts are Poisson per person and period: the contact rate of their kind ×
their engagement factor × the length of the period. New signups have a busy
onboarding period (their first 16 weeks, where the experiment's treated units
ask `QUESTIONS_LIFT` × as many questions) and a quieter rest of the year.
Each conversation uses the person's preferred channel half of the time, else a
channel drawn from their kind's mix; its start is drawn from that channel's
demand curve inside the period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from chatlift.demo.calendar import YEAR, Bools, Int64s
from chatlift.demo.columns import build, labels, sequential_ids, take, timestamps
from chatlift.demo.experiment import EXPERIMENT_WINDOW, QUESTIONS_LIFT, lift
from chatlift.demo.grouping import owners
from chatlift.demo.handling import AGENT_INVITE, BOT_NUDGE, Handling, handle
from chatlift.demo.people import (
    AFTER_ONBOARDING_RATE,
    ANONYMOUS,
    ANONYMOUS_RATE,
    CHANNEL_LOYALTY,
    CHANNEL_MIX,
    EXISTING,
    EXISTING_RATE,
    NEW,
    ONBOARDING_CONVERSATIONS,
    SEGMENTS,
    People,
    contact_rate_factor,
)
from chatlift.demo.staffing import TEAMS
from chatlift.demo.targets import CHANNELS, SECTORS
from chatlift.demo.texts import TOPICS
from chatlift.demo.world import World
from chatlift.domain.schema import CONVERSATION_STATUSES, INITIATORS

# What people ask about, per kind of person (weights over TOPICS).
TOPIC_WEIGHTS = {
    ANONYMOUS: (0.10, 0.18, 0.05, 0.03, 0.30, 0.22, 0.02, 0.10),
    EXISTING: (0.22, 0.18, 0.14, 0.14, 0.12, 0.04, 0.12, 0.04),
    NEW: (0.08, 0.06, 0.04, 0.12, 0.15, 0.10, 0.20, 0.25),
}
TAGS = (*TOPICS, "bot", "proactive", "cobrowse", "vip")
_YEAR = float(YEAR)


@dataclass(frozen=True, eq=False)
class Conversations:
    """One chunk's conversations, sorted by person and start."""

    person: Int64s  # row in the chunk's People
    channel: Int64s  # index into CHANNELS
    started: Int64s  # µs since START
    onboarding: Bools  # inside the person's first 16 weeks as a new signup
    topic: Int64s  # index into TOPICS
    handling: Handling
    conversation_id: pa.Array

    def __len__(self) -> int:
        return len(self.person)

    @property
    def in_experiment(self) -> Bools:
        """Started by an experiment unit inside its 16 weeks."""
        return self.onboarding


def _choose(rng: np.random.Generator, weights: np.ndarray, rows: Int64s) -> Int64s:
    """Row-wise categorical draw: ``weights[rows[i]]`` is the distribution of draw ``i``."""
    cum = np.cumsum(weights, axis=1)
    cum = cum / cum[:, -1:]
    u = rng.random(len(rows))
    return np.asarray((u[:, None] > cum[rows]).sum(axis=1), dtype=np.int64)


def make_conversations(rng: np.random.Generator, people: People, world: World, id_prefix: str) -> Conversations:
    factor = contact_rate_factor(people)
    cat = people.category
    main_from = np.where(cat == NEW, people.onboarding_until, people.active_from)
    main_rate = np.select([cat == ANONYMOUS, cat == EXISTING], [ANONYMOUS_RATE, EXISTING_RATE], AFTER_ONBOARDING_RATE)
    main = rng.poisson(main_rate * factor * np.maximum(people.active_until - main_from, 0) / _YEAR)
    onboarding_length = (people.onboarding_until - people.active_from) / EXPERIMENT_WINDOW
    extra = ONBOARDING_CONVERSATIONS * onboarding_length * lift(people.variant, QUESTIONS_LIFT)
    early = rng.poisson(np.where(cat == NEW, extra * factor, 0.0))

    person = np.concatenate([owners(main), owners(early)])
    lo = np.concatenate([main_from[owners(main)], people.active_from[owners(early)]])
    hi = np.concatenate([people.active_until[owners(main)], people.onboarding_until[owners(early)]])
    onboarding = np.concatenate([np.zeros(int(main.sum()), bool), np.ones(int(early.sum()), bool)])
    onboarding &= people.variant[person] >= 0

    mixes = np.asarray([CHANNEL_MIX[k] for k in (ANONYMOUS, EXISTING, NEW)])
    drawn = _choose(rng, mixes, cat[person])
    channel = np.where(rng.random(len(person)) < CHANNEL_LOYALTY, people.preferred_channel[person], drawn)
    started = np.zeros(len(person), dtype=np.int64)
    for c in range(len(CHANNELS)):
        rows = channel == c
        started[rows] = world.demand[c].sample(rng, lo[rows], hi[rows])
    order = np.lexsort((started, person))
    person, channel, started, onboarding = person[order], channel[order], started[order], onboarding[order]
    topics = np.asarray([TOPIC_WEIGHTS[k] for k in (ANONYMOUS, EXISTING, NEW)])
    topic = _choose(rng, topics, cat[person])
    handling = handle(rng, people, person, channel, started, onboarding, world)
    return Conversations(person, channel, started, onboarding, topic, handling,
                         sequential_ids(id_prefix, len(person)))


def _tags(conv: Conversations, people: People) -> pa.Array:
    h = conv.handling
    n = len(conv)
    bot = h.bot_first | (h.initiator == BOT_NUDGE)
    codes = np.stack([
        conv.topic,
        np.where(bot, TAGS.index("bot"), -1),
        np.where(h.initiator == AGENT_INVITE, TAGS.index("proactive"), -1),
        np.where(h.cobrowse, TAGS.index("cobrowse"), -1),
        np.where(people.segment[conv.person] == SEGMENTS.index("enterprise"), TAGS.index("vip"), -1),
    ], axis=1)
    present = codes >= 0
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(present.sum(axis=1), out=offsets[1:])
    values = labels(TAGS, codes[present])
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), values)


def conversations_table(conv: Conversations, people: People, world: World, first_response: Int64s) -> pa.Table:
    """The ``conversations`` rows; ``first_response`` comes from the messages (-1: none)."""
    h = conv.handling
    p = conv.person
    customer = people.category[p] != ANONYMOUS
    return build(
        "conversations",
        {
            "conversation_id": conv.conversation_id,
            "channel": labels(CHANNELS, conv.channel),
            "started_at": timestamps(conv.started),
            "customer_id": take(people.customer_id, p),
            "visitor_id": take(people.visitor_id, p),
            "agent_id": take(world.teams.agent_id, h.agent),
            "team": labels(TEAMS, h.team),
            "status": labels(CONVERSATION_STATUSES, h.status),
            "first_response_at": timestamps(np.maximum(first_response, 0), first_response < 0),
            "resolved_at": timestamps(np.maximum(h.resolved_at, 0), h.resolved_at < 0),
            "initiated_by": labels(INITIATORS, h.initiator),
            "cobrowse": pa.array(h.cobrowse, type=pa.bool_()),
            "segment": labels(SEGMENTS, np.where(customer, people.segment[p], -1)),
            "sector": labels(SECTORS, np.where(customer, people.sector[p], -1)),
            "tags": _tags(conv, people),
        },
    )
