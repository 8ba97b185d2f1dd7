"""The demo dataset, generated chunk by chunk.

`generate` draws the shared world (demand curves, opening hours, staffing,
teams) once, then for each chunk of people: who they are, their conversations
and messages, orders and carts, visits, goals and subscriptions, survey
answers and experiment assignments, and yields each table as an Arrow table.
A person's rows all come from one chunk, so anything that relates one person's
events (attribution, churn after a bad experience) is decided inside a chunk;
memory stays bounded by the chunk size, whatever the dataset size.

Every chunk has its own random stream, derived from the seed and the chunk
number, so the same seed gives the same data whatever is done with it.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from chatlift.demo.accounts import goals_table, subscriptions_table
from chatlift.demo.conversations import conversations_table, make_conversations
from chatlift.demo.costs import costs_table
from chatlift.demo.experiment import assignments_table
from chatlift.demo.handling import MISSED_STATUS, UNRESOLVED
from chatlift.demo.messages import messages_table
from chatlift.demo.orders import cart_events, chatters, make_orders, orders_table
from chatlift.demo.people import make_people
from chatlift.demo.plan import DemoPlan
from chatlift.demo.surveys import survey_table
from chatlift.demo.visits import visits_table
from chatlift.demo.world import build_world

WORLD_STREAM = 0  # chunk streams are 1, 2, …


def generate(plan: DemoPlan, *, seed: int = 42) -> Iterator[tuple[str, pa.Table]]:
    """Yield ``(table name, rows)`` for every chunk, then the costs; `plan.total_chunks` pairs in all."""
    for chunk in generate_chunks(plan, seed=seed):
        yield from chunk


def generate_chunks(plan: DemoPlan, *, seed: int = 42) -> Iterator[list[tuple[str, pa.Table]]]:
    """The same pieces as `generate`, grouped: one list per chunk of people, the costs last.

    Each list is self-contained (no row refers to a person of another chunk), so
    a writer can commit chunk by chunk.
    """
    world = build_world(plan, np.random.default_rng([seed, WORLD_STREAM]))
    for index in range(plan.chunks):
        rng = np.random.default_rng([seed, index + 1])
        tag = f"{index:04d}_"
        people = make_people(rng, plan.chunk_counts(index), plan.chunk_first_numbers(index), world.signup)
        conv = make_conversations(rng, people, world, f"cnv_{tag}")
        messages, first_response = messages_table(rng, conv, people, f"msg_{tag}")
        conversations = conversations_table(conv, people, world, first_response)
        orders = make_orders(rng, people, conv, world, f"ord_{tag}")
        chatted = chatters(people, conv)
        carts, items, cart_person, cart_start = cart_events(rng, people, orders, chatted, world, f"crt_{tag}")
        visits = visits_table(rng, people, conv, cart_person, cart_start, world, f"vst_{tag}")
        goals, trial, trial_at = goals_table(rng, people, f"gol_{tag}")
        status = conv.handling.status
        bad = np.bincount(conv.person[(status == MISSED_STATUS) | (status == UNRESOLVED)],
                          minlength=len(people)) > 0
        subscriptions = subscriptions_table(rng, people, trial, trial_at, chatted, bad, f"sub_{tag}")
        surveys = survey_table(rng, conv, people, chatted, bad, f"rsp_{tag}")
        assignments = assignments_table(people.customer_id, people.variant, people.active_from)
        yield [
            ("conversations", conversations),
            ("messages", messages),
            ("orders", orders_table(orders, people, items)),
            ("goals", goals),
            ("cart_events", carts),
            ("visits", visits),
            ("survey_responses", surveys),
            ("subscriptions", subscriptions),
            ("assignments", assignments),
        ]
    yield [("costs", costs_table(world))]
