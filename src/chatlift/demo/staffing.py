"""Agents, teams and queues: how busy each channel is in every hour of the year.

Staffing is planned per hour of the week from the average demand of that hour,
so that agents would be 75 % busy on an average week. Seasonal peaks, Black
Friday and random busy days are *not* planned for: in those hours the expected
arrivals exceed the plan, the utilisation rises and waiting times grow. The
response-time multiplier of an hour is ``(utilisation / mean utilisation) ** 1.5``,
clipped to [0.25, 4] and normalised so that its arrival-weighted mean over the
open hours is 1 (a channel's mean response time is set elsewhere; the queue
only moves time between hours).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from chatlift.demo.calendar import YEAR_HOURS, Floats, Int64s, OpeningHours, hour_grid
from chatlift.demo.columns import ids
from chatlift.demo.demand import Demand

CAPACITY = {"chat": 6.0, "email": 8.0, "phone": 7.0, "social": 10.0, "app": 8.0}  # conversations per agent-hour
TARGET_UTILISATION = 0.75
QUEUE_EXPONENT = 1.5
SHIFT_FACTOR = 1.6  # agents in a team per agent on shift at the busiest hour (shifts, leave)

TEAMS = ("chat-nl", "chat-intl", "email", "phone", "social", "app", "onboarding", "realtime")
CHAT_NL, CHAT_INTL, EMAIL, PHONE, SOCIAL, APP, ONBOARDING, REALTIME_TEAM = range(len(TEAMS))
CHANNEL_TEAM = {"email": EMAIL, "phone": PHONE, "social": SOCIAL, "app": APP}


@dataclass(frozen=True, eq=False)
class Staffing:
    """One channel's planned agents and resulting load per grid hour."""

    channel: str
    arrivals: Floats  # expected conversations per grid hour
    on_shift: Int64s  # agents working in each grid hour (0 when closed)
    multiplier: Floats  # response-time multiplier per grid hour (1 when closed)

    @property
    def peak(self) -> int:
        return int(self.on_shift.max(initial=0))


def plan_staffing(channel: str, demand: Demand, opening: OpeningHours, volume: float) -> Staffing:
    """Agents per hour for ``volume`` conversations a year arriving along ``demand``."""
    grid = hour_grid()
    arrivals = volume * demand.weight / YEAR_HOURS
    is_open = opening.is_open
    how = grid.weekday * 24 + grid.local_hour
    hours = np.bincount(how[is_open], minlength=168)
    mean = np.bincount(how[is_open], weights=arrivals[is_open], minlength=168) / np.maximum(hours, 1)
    per_how = np.maximum(1, np.ceil(mean / (CAPACITY[channel] * TARGET_UTILISATION))).astype(np.int64)
    on_shift = np.where(is_open, per_how[how], 0)
    load = arrivals / (np.maximum(on_shift, 1) * CAPACITY[channel])
    weights = np.where(is_open, arrivals, 0.0)
    reference = float((weights * load).sum() / max(weights.sum(), 1e-12))
    multiplier = np.clip((load / max(reference, 1e-12)) ** QUEUE_EXPONENT, 0.25, 4.0)
    multiplier = multiplier / max(float((weights * multiplier).sum() / max(weights.sum(), 1e-12)), 1e-12)
    return Staffing(channel, arrivals, on_shift, np.where(is_open, multiplier, 1.0))


@dataclass(frozen=True, eq=False)
class Teams:
    """Every agent of every team; agent ``first[t] + k`` is the k-th agent of team ``t``."""

    size: Int64s  # agents per team, in TEAMS order
    first: Int64s
    agent_id: pa.Array  # all agents, team by team

    def pick(self, rng: np.random.Generator, team: Int64s) -> Int64s:
        """An agent of each row's team; a few agents take more conversations than others."""
        u = rng.random(len(team)) ** 1.3
        return self.first[team] + np.minimum((u * self.size[team]).astype(np.int64), self.size[team] - 1)


def make_teams(staffing: dict[str, Staffing], nl_share: float) -> Teams:
    """Team sizes from the staffing peaks; the two experiment teams are small chat teams."""
    chat = max(2, round(staffing["chat"].peak * SHIFT_FACTOR))
    sizes = [
        max(1, round(chat * nl_share)),
        max(1, round(chat * (1 - nl_share))),
        *(max(1, round(staffing[c].peak * SHIFT_FACTOR)) for c in ("email", "phone", "social", "app")),
        max(2, round(chat * 0.04)),  # onboarding: the regular new-customer inbox (1-hour target)
        max(2, round(chat * 0.08)),  # realtime: the dedicated 2-minute inbox of the experiment
    ]
    size = np.asarray(sizes, dtype=np.int64)
    first = np.cumsum(size) - size
    agent_id = ids("agt_", np.arange(1, int(size.sum()) + 1, dtype=np.int64), 4)
    return Teams(size, first, agent_id)
