"""Goals and subscriptions: signups, free trials, paid plans and churn.

Every new signup reaches the ``signup`` goal when it arrives. A share starts a
14-day free trial in its first weeks (``trial_started``; × `TRIAL_LIFT` for the
experiment's treated units) and some trials become a paid plan. Business
signups sometimes book a demo. Existing customers may hold a paid plan that
started before 2025.

Paid plans end with a monthly hazard that depends on the service a customer
got: lower for people who chatted and never had a bad experience, higher after
a missed or unresolved conversation. This is the relationship the churn and
lifetime-value reports look for.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyarrow as pa

from chatlift.demo.calendar import DAY, SECOND, START, YEAR, Bools, Int64s
from chatlift.demo.columns import build, labels, sequential_ids, take, timestamps
from chatlift.demo.experiment import EXPERIMENT_WINDOW, TRIAL_LIFT, lift
from chatlift.demo.grouping import truncated_exponential
from chatlift.demo.people import EXISTING, NEW, People

GOALS = ("signup", "trial_started", "demo_booked")
SIGNUP, TRIAL_STARTED, DEMO_BOOKED = range(len(GOALS))
TRIAL_SHARE = 0.30  # of new signups (the experiment's control level)
TRIAL_DELAY_MEAN = 4 * DAY
TRIAL_DAYS = 14
TRIAL_TO_PAID = 0.40
DEMO_BOOKED_SHARE = 0.12  # of business signups, within 30 days
EXISTING_SUBSCRIBED = 0.5
PLANS = ("basic", "pro", "business")  # by segment: consumer, smb, enterprise
PLAN_MRR = (19.0, 49.0, 149.0)
MONTHLY_CHURN = 0.025
CHURN_FACTOR_GOOD_CHAT = 0.7  # chatted, nothing missed or unresolved
CHURN_FACTOR_BAD = 1.8  # at least one missed or unresolved conversation
_SINCE = int((datetime(2022, 1, 1) - START).total_seconds()) * SECOND  # earliest start of an existing plan
MONTH = 30.44 * DAY


def goals_table(rng: np.random.Generator, people: People, id_prefix: str) -> tuple[pa.Table, Bools, Int64s]:
    """The ``goals`` rows; also who started a trial and when (-1: no trial)."""
    new = people.category == NEW
    signup_at = people.active_from
    p_trial = TRIAL_SHARE * lift(people.variant, TRIAL_LIFT)
    trial = new & (rng.random(len(people)) < p_trial)
    delay = truncated_exponential(rng, TRIAL_DELAY_MEAN, EXPERIMENT_WINDOW - DAY, len(people)).astype(np.int64)
    trial_at = np.where(trial, signup_at + delay, -1)
    trial &= trial_at < YEAR
    trial_at = np.where(trial, trial_at, -1)
    demo = new & (people.segment > 0) & (rng.random(len(people)) < DEMO_BOOKED_SHARE)
    demo_at = signup_at + (rng.random(len(people)) * 30 * DAY).astype(np.int64)
    demo &= demo_at < YEAR

    who = np.concatenate([np.flatnonzero(new), np.flatnonzero(trial), np.flatnonzero(demo)])
    goal = np.concatenate([np.full(int(new.sum()), SIGNUP), np.full(int(trial.sum()), TRIAL_STARTED),
                           np.full(int(demo.sum()), DEMO_BOOKED)])
    at = np.concatenate([signup_at[new], trial_at[trial], demo_at[demo]])
    order = np.lexsort((at, who))
    who, goal, at = who[order], goal[order], at[order]
    table = build(
        "goals",
        {
            "goal_id": sequential_ids(id_prefix, len(who), width=7),
            "name": labels(GOALS, goal),
            "at": timestamps(at),
            "customer_id": take(people.customer_id, who),
            "visitor_id": take(people.visitor_id, who),
            "value": pa.nulls(len(who), type=pa.float64()),
        },
    )
    return table, trial, trial_at


def subscriptions_table(
    rng: np.random.Generator, people: People, trial: Bools, trial_at: Int64s, chatted: Bools, bad: Bools,
    id_prefix: str,
) -> pa.Table:
    """Trials, the paid plans they turn into, and existing customers' plans, with churn."""
    n = len(people)
    trial_end = trial_at + TRIAL_DAYS * DAY
    paid_new = trial & (rng.random(n) < TRIAL_TO_PAID) & (trial_end < YEAR)
    existing = (people.category == EXISTING) & (rng.random(n) < EXISTING_SUBSCRIBED)
    existing_start = _SINCE + (rng.random(n) * (0 - _SINCE)).astype(np.int64)

    factor = np.where(bad, CHURN_FACTOR_BAD, np.where(chatted, CHURN_FACTOR_GOOD_CHAT, 1.0))
    hazard = -np.log1p(-MONTHLY_CHURN) * factor / MONTH  # per microsecond
    lifetime = rng.exponential(1.0 / hazard).astype(np.int64)
    paid_start = np.where(existing, existing_start, trial_end)
    # plans of existing customers are alive on 1 January; only their 2025 lifetime is drawn
    paid_end = np.where(existing, lifetime, paid_start + lifetime)

    who = np.concatenate([np.flatnonzero(trial), np.flatnonzero(paid_new | existing)])
    is_trial = np.concatenate([np.ones(int(trial.sum()), bool), np.zeros(int((paid_new | existing).sum()), bool)])
    start = np.concatenate([trial_at[trial], paid_start[paid_new | existing]])
    end = np.concatenate([trial_end[trial], paid_end[paid_new | existing]])
    order = np.lexsort((start, who))
    who, is_trial, start, end = who[order], is_trial[order], start[order], end[order]
    ended = end < YEAR
    plan = people.segment[who]
    return build(
        "subscriptions",
        {
            "subscription_id": sequential_ids(id_prefix, len(who), width=7),
            "customer_id": take(people.customer_id, who),
            "started_at": timestamps(start),
            "ended_at": timestamps(np.where(ended, end, 0), ~ended),
            "mrr": pa.array(np.where(is_trial, 0.0, np.asarray(PLAN_MRR)[plan]), type=pa.float64()),
            "plan": labels(PLANS, plan),
            "trial": pa.array(is_trial, type=pa.bool_()),
        },
    )
