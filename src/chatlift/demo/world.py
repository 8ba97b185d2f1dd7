"""Everything shared by all chunks of one dataset: demand curves, opening hours, staffing, teams."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chatlift.demo.calendar import GRID_HOURS, OpeningHours, opening_for
from chatlift.demo.demand import Demand, day_noise
from chatlift.demo.people import LANGUAGE_WEIGHTS, LANGUAGES, channel_volumes
from chatlift.demo.plan import DemoPlan
from chatlift.demo.staffing import Staffing, Teams, make_teams, plan_staffing
from chatlift.demo.targets import CHANNELS


@dataclass(frozen=True, eq=False)
class World:
    """The dataset-wide context; channel-indexed tuples follow `CHANNELS`."""

    plan: DemoPlan
    web: Demand  # visits, carts and orders
    signup: Demand
    demand: tuple[Demand, ...]  # conversations, per channel
    opening: tuple[OpeningHours, ...]
    staffing: tuple[Staffing, ...]
    teams: Teams


def build_world(plan: DemoPlan, rng: np.random.Generator) -> World:
    """The world of ``plan``; ``rng`` draws the busy and quiet days."""
    days = GRID_HOURS // 24 + 2
    web = Demand.build("web", day_noise(rng, days))
    signup = Demand.build("signup", day_noise(rng, days))
    demand = tuple(Demand.build(c, day_noise(rng, days)) for c in CHANNELS)
    opening = tuple(opening_for(c) for c in CHANNELS)
    volumes = channel_volumes(plan.conversations)
    staffing = tuple(plan_staffing(c, d, o, volumes[c]) for c, d, o in zip(CHANNELS, demand, opening))
    nl_share = LANGUAGE_WEIGHTS[LANGUAGES.index("nl")]
    teams = make_teams({s.channel: s for s in staffing}, nl_share)
    return World(plan, web, signup, demand, opening, staffing, teams)
