"""The people of the demo business: who they are and when they are around.

Three kinds of people share one numbering (their visitor number):

* anonymous visitors, around for a few days to months, never sign up;
* existing customers, signed up before 2025 and around all year;
* new signups, who arrive during 2025 (their first visit is the signup) and are
  in their *onboarding* period for the first 16 weeks; those who sign up during
  the experiment's recruitment weeks are its units.

Every row a person produces carries their ``visitor_id``; a customer's rows also
carry the ``customer_id`` (the helpdesk and shop stitch the visitor to the
account), so ``coalesce(customer_id, visitor_id)`` names one person everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from chatlift.demo.calendar import DAY, HOUR, YEAR, Floats, Int64s
from chatlift.demo.columns import ids
from chatlift.demo.demand import Demand
from chatlift.demo.experiment import EXPERIMENT_WINDOW, QUESTIONS_LIFT, RECRUIT_FROM, RECRUIT_UNTIL, assign
from chatlift.demo.targets import CHANNELS

ANONYMOUS, EXISTING, NEW = 0, 1, 2
CATEGORIES = ("anonymous", "existing", "new")
SEGMENTS = ("consumer", "smb", "enterprise")
LANGUAGES = ("en", "nl", "de", "fr", "es", "et", "ru")
LANGUAGE_WEIGHTS = (0.30, 0.38, 0.12, 0.06, 0.06, 0.03, 0.05)  # an Amsterdam shop selling across Europe
SEGMENT_WEIGHTS = {EXISTING: (0.72, 0.21, 0.07), NEW: (0.70, 0.22, 0.08)}
SECTOR_WEIGHTS = (0.16, 0.14, 0.16, 0.14, 0.14, 0.12, 0.14)

# Share of all conversations each kind of person accounts for; the plan sizes the
# population from these and the rates below.
CONVERSATION_SHARE = {ANONYMOUS: 0.27, EXISTING: 0.45, NEW: 0.28}

# Contact rates, conversations per year of active time (mean over people).
ANONYMOUS_RATE = 2.0
ANONYMOUS_WINDOW_DAYS = (7, 120)  # an anonymous visitor is around for U(7, 120) days
EXISTING_RATE = 1.6
SEGMENT_CONTACT = (1.0, 1.5, 2.2)  # business customers ask more (consumer, smb, enterprise)
ONBOARDING_CONVERSATIONS = 1.8  # per new signup in the first 16 weeks (the experiment's control level)
AFTER_ONBOARDING_RATE = 1.4
ENGAGEMENT_SHAPE = {ANONYMOUS: 0.6, EXISTING: 0.8, NEW: 2.5}  # gamma shape of the per-person rate factor

# Channel mix per kind of person: chat, email, phone, social, app.
CHANNEL_MIX = {
    ANONYMOUS: (0.60, 0.16, 0.07, 0.12, 0.05),
    EXISTING: (0.34, 0.24, 0.18, 0.06, 0.18),
    NEW: (0.52, 0.22, 0.08, 0.04, 0.14),
}
CHANNEL_LOYALTY = 0.5  # chance that a conversation uses the person's preferred channel
YEAR_F = float(YEAR)


@dataclass(frozen=True, eq=False)
class People:
    """One chunk of people; every array has one entry per person."""

    number: Int64s  # global person number (the visitor number)
    category: Int64s  # ANONYMOUS, EXISTING or NEW
    segment: Int64s  # index into SEGMENTS
    sector: Int64s  # index into SECTORS, -1 for consumers
    language: Int64s  # index into LANGUAGES
    active_from: Int64s  # µs since START; signup time for new signups
    active_until: Int64s
    onboarding_until: Int64s  # end of the first 16 weeks (= active_from for everyone but new signups)
    engagement: Floats  # gamma factor on contact rates, mean 1
    preferred_channel: Int64s
    variant: np.ndarray  # int8: -1 not in the experiment, 0 control, 1 realtime
    visitor_id: pa.Array
    customer_id: pa.Array  # null for anonymous visitors

    def __len__(self) -> int:
        return len(self.number)

    @property
    def is_customer(self) -> npt.NDArray[np.bool_]:
        return np.asarray(self.category != ANONYMOUS)

    @property
    def is_business(self) -> np.ndarray:
        return self.segment > 0


def _choice(rng: np.random.Generator, weights: tuple[float, ...], size: int) -> Int64s:
    p = np.asarray(weights, dtype=np.float64)
    return np.searchsorted(np.cumsum(p / p.sum()), rng.random(size), side="right").astype(np.int64)


def make_people(
    rng: np.random.Generator, counts: tuple[int, int, int], first_numbers: tuple[int, int, int], signups: Demand
) -> People:
    """``counts`` anonymous, existing and new people, numbered from ``first_numbers``."""
    cat = np.repeat(np.array([ANONYMOUS, EXISTING, NEW], dtype=np.int64), counts)
    number = np.concatenate([np.arange(f, f + c, dtype=np.int64) for f, c in zip(first_numbers, counts)])
    n = len(cat)
    segment = np.zeros(n, dtype=np.int64)
    for kind in (EXISTING, NEW):
        rows = cat == kind
        segment[rows] = _choice(rng, SEGMENT_WEIGHTS[kind], int(rows.sum()))
    sector = np.where(segment > 0, _choice(rng, SECTOR_WEIGHTS, n), -1)
    language = _choice(rng, LANGUAGE_WEIGHTS, n)

    start = np.zeros(n, dtype=np.int64)
    until = np.full(n, YEAR, dtype=np.int64)
    anon = cat == ANONYMOUS
    lo, hi = ANONYMOUS_WINDOW_DAYS
    length = (rng.uniform(lo, hi, n) * DAY).astype(np.int64)
    anon_start = (rng.random(n) * (YEAR - length)).astype(np.int64)
    start = np.where(anon, anon_start, start)
    until = np.where(anon, anon_start + length, until)
    new = cat == NEW
    signup = signups.sample(rng, np.zeros(n, dtype=np.int64), np.full(n, YEAR, dtype=np.int64))
    start = np.where(new, signup, start)
    onboarding_until = np.where(new, np.minimum(start + EXPERIMENT_WINDOW, YEAR), start)

    shape = np.select([anon, new], [ENGAGEMENT_SHAPE[ANONYMOUS], ENGAGEMENT_SHAPE[NEW]], ENGAGEMENT_SHAPE[EXISTING])
    engagement = rng.gamma(shape, 1.0 / shape)
    preferred = np.zeros(n, dtype=np.int64)
    for kind, mix in CHANNEL_MIX.items():
        rows = cat == kind
        preferred[rows] = _choice(rng, mix, int(rows.sum()))
    variant = assign(rng, start, new)

    visitor_id = ids("vis_", number, 8)
    customer = ids("cus_", number, 8)
    customer_id = pc.if_else(pa.array(anon), pa.scalar(None, pa.string()), customer)
    return People(number, cat, segment, sector, language, start, until, onboarding_until, engagement, preferred,
                  variant, visitor_id, customer_id)


def expected_conversations(signups: Demand) -> dict[int, float]:
    """Mean conversations per person of each kind over the year (used to size the population)."""
    anonymous = ANONYMOUS_RATE * (sum(ANONYMOUS_WINDOW_DAYS) / 2) * DAY / YEAR_F
    seg = np.asarray(SEGMENT_WEIGHTS[EXISTING])
    existing = EXISTING_RATE * float(seg @ np.asarray(SEGMENT_CONTACT))
    # New signups: average over the signup curve of onboarding + later conversations.
    t = (np.arange(len(signups.weight)) + 0.5) * float(HOUR)  # middle of each grid hour
    w = signups.weight / signups.weight.sum()
    onboarding = np.clip(YEAR_F - t, 0.0, EXPERIMENT_WINDOW) / EXPERIMENT_WINDOW
    recruited = (t >= RECRUIT_FROM) & (t < RECRUIT_UNTIL)
    boost = 1.0 + (QUESTIONS_LIFT - 1.0) * 0.5 * recruited
    after = np.clip(YEAR_F - t - EXPERIMENT_WINDOW, 0.0, None) / YEAR_F
    new = float(w @ (ONBOARDING_CONVERSATIONS * onboarding * boost + AFTER_ONBOARDING_RATE * after))
    return {ANONYMOUS: anonymous, EXISTING: existing, NEW: new}


def channel_volumes(conversations: int) -> dict[str, float]:
    """Expected conversations per channel for a dataset of ``conversations``."""
    mix = np.sum([CONVERSATION_SHARE[k] * np.asarray(CHANNEL_MIX[k]) for k in CONVERSATION_SHARE], axis=0)
    return {name: float(conversations * m) for name, m in zip(CHANNELS, mix)}


def contact_rate_factor(people: People) -> Floats:
    """Per-person multiplier on contact rates: engagement, × segment for existing customers."""
    segment = np.where(people.category == EXISTING, np.asarray(SEGMENT_CONTACT)[people.segment], 1.0)
    return segment * people.engagement

