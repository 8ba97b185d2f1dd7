"""How each conversation is handled: who opens it, bot, queue, agent, outcome and timing.

The parts that the published figures pin down are calibrated per chunk on the
conversations actually drawn, so that the expectation is exact whatever the mix:

* the share of agent-handled conversations that end resolved is chosen so that
  resolved ÷ final statuses equals `RESOLUTION_RATE_BY_CHANNEL` (seed 000);
* the mean agent wait of chats is chosen so that the mean first response of
  customer-started chats in staffed hours, bot time included, is 42 s (seed 000);
* the mean handling time after the first answer is chosen so that the mean
  resolution time of resolved chats is 11.5 min (seed 000).

Everything else (queue effects, bot, missed chats, e-mail waiting for the next
business morning, the experiment's response targets) shapes the data around
those anchors. Experiment units in their 16 weeks are left out of the chat
anchors: their response times follow the experiment's own targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chatlift.demo.calendar import (
    DAY,
    HOUR,
    MINUTE,
    SECOND,
    YEAR,
    Bools,
    Floats,
    Int64s,
    chat_hours,
    office_hours,
)
from chatlift.demo.experiment import CONTROL, CONTROL_FIRST_RESPONSE_SECONDS, REALTIME_FIRST_RESPONSE_SECONDS
from chatlift.demo.grouping import lognormal
from chatlift.demo.people import LANGUAGES, People
from chatlift.demo.staffing import CHANNEL_TEAM, CHAT_INTL, CHAT_NL, ONBOARDING, REALTIME_TEAM
from chatlift.demo.targets import (
    CHANNELS,
    CHAT_FIRST_RESPONSE_SECONDS,
    CHAT_RESOLUTION_SECONDS,
    RESOLUTION_RATE_BY_CHANNEL,
)
from chatlift.demo.world import World

CHAT, EMAIL, PHONE, SOCIAL, APP = range(len(CHANNELS))
CUSTOMER, AGENT_INVITE, BOT_NUDGE = 0, 1, 2  # initiated_by codes, in schema order
AGENT, BOT_ONLY, MISSED, DECLINED = 0, 1, 2, 3  # flows
OPEN, RESOLVED, UNRESOLVED, MISSED_STATUS = 0, 1, 2, 3  # status codes, in schema order

PROACTIVE_SHARE = 0.105  # of chats in staffed hours (≈ 0.10 of all chats)
PROACTIVE_ACCEPTED = 0.45  # invitations the visitor answers
BOT_NUDGE_SHARE = 0.08  # app conversations opened by an onboarding bot message
BOT_TRIAGE = {CHAT: (0.35, 1.0), APP: (0.25, 0.6)}  # share with a bot first: (staffed hours, outside)
BOT_SOLVES = {CHAT: (0.30, 0.45), APP: (0.35, 0.35)}  # share the bot resolves alone
MISSED_BASE = (0.03, 0.05, 0.035, 0.08, 0.04)  # per channel, × queue multiplier for chat and phone
WAIT_SIGMA = 0.6
# Agent first-response times after the request (open time): phone clock, others in opening hours.
WAIT_MEAN = {PHONE: 80 * SECOND, EMAIL: int(2.5 * HOUR), SOCIAL: 40 * MINUTE, APP: 8 * MINUTE}
WAIT_SIGMA_OTHER = {PHONE: 0.6, EMAIL: 1.0, SOCIAL: 1.0, APP: 0.9}
# Work after the first answer until the last message.
WORK_MEAN = {PHONE: int(6.5 * MINUTE), EMAIL: 6 * HOUR, SOCIAL: 2 * HOUR, APP: 30 * MINUTE}
WORK_SIGMA = {CHAT: 0.75, PHONE: 0.6, EMAIL: 1.1, SOCIAL: 1.0, APP: 0.9}
TAIL_MESSAGES = (0.9, 0.5, 0.0, 0.6, 0.7)  # Poisson mean of messages after the answer, per channel
UNRESOLVED_CLOSE = (30 * MINUTE, 5 * DAY, SECOND, 2 * DAY, DAY)  # auto-close after the last message
MISSED_CLOSE = (15 * MINUTE, 14 * DAY, SECOND, 7 * DAY, 3 * DAY)
BOT_GREETING_DELAY = 1_500_000  # µs after the customer's first message
COBROWSE = (0.035, 0.09)  # share of agent chats with co-browsing: (consumers, business customers)


@dataclass(frozen=True, eq=False)
class Handling:
    """Per conversation; times are µs since START, -1 where there is no such event."""

    initiator: Int64s
    in_hours: Bools  # started while the channel's team was at work
    queue: Floats  # response-time multiplier of the start hour
    flow: Int64s
    bot_first: Bools  # a bot message right after the customer's first message
    reply_at: Int64s  # the customer's answer to an invitation or bot nudge
    handoff_at: Int64s  # system message "handed over to an agent"
    answered_at: Int64s  # the agent's answer to the customer's question
    waiting_at: Int64s  # a missed conversation's "anyone there?"
    ended_at: Int64s  # last message
    status: Int64s  # -1 for declined invitations
    resolved_at: Int64s
    tail: Int64s  # messages after the answer
    team: Int64s
    agent: Int64s
    cobrowse: Bools
    bot_followup: Bools  # a bot-only conversation where the customer asked once more


def _by_channel(channel: Int64s, values: tuple[float, ...] | tuple[int, ...]) -> Floats:
    return np.asarray(values, dtype=np.float64)[channel]


def handle(
    rng: np.random.Generator, people: People, person: Int64s, channel: Int64s, started: Int64s,
    onboarding: Bools, world: World,
) -> Handling:
    n = len(started)
    hour = np.clip(started // HOUR, 0, len(world.staffing[0].multiplier) - 1)
    in_hours = np.zeros(n, dtype=bool)
    queue = np.ones(n)
    for c in range(len(CHANNELS)):
        rows = channel == c
        in_hours[rows] = world.opening[c].is_open[hour[rows]]
        queue[rows] = world.staffing[c].multiplier[hour[rows]]
    variant = people.variant[person]
    trial = onboarding & (variant >= 0) & ((channel == CHAT) | (channel == EMAIL))
    chat = channel == CHAT

    initiator = np.full(n, CUSTOMER, dtype=np.int64)
    u = rng.random(n)
    initiator[chat & in_hours & (u < PROACTIVE_SHARE)] = AGENT_INVITE
    initiator[(channel == APP) & (u < BOT_NUDGE_SHARE)] = BOT_NUDGE
    invited = initiator == AGENT_INVITE
    accepted = invited & (rng.random(n) < PROACTIVE_ACCEPTED)

    triage = np.zeros(n)
    solves = np.zeros(n)
    for c, (inside, outside) in BOT_TRIAGE.items():
        rows = channel == c
        triage[rows] = np.where(in_hours[rows], inside, outside)
        solves[rows] = np.where(in_hours[rows], *BOT_SOLVES[c])
    bot_first = (initiator == CUSTOMER) & (rng.random(n) < triage)
    with_bot = bot_first | (initiator == BOT_NUDGE)
    bot_only = with_bot & (rng.random(n) < solves)
    p_missed = _by_channel(channel, MISSED_BASE) * np.where((chat | (channel == PHONE)) & in_hours, queue, 1.0)
    p_missed = np.where((chat | (channel == PHONE)) & ~in_hours, 1.0, np.minimum(p_missed, 0.5))
    missed = ~invited & ~bot_only & (rng.random(n) < p_missed)
    flow = np.select([invited & ~accepted, bot_only, missed], [DECLINED, BOT_ONLY, MISSED], AGENT)

    # -- timing up to the agent's answer
    reply_at = np.where(accepted | (initiator == BOT_NUDGE), started + 3 * SECOND + lognormal(rng, 40e6, 0.8, n)
                        .astype(np.int64), -1)
    asked = np.where(reply_at >= 0, reply_at, started)  # the customer's question is there
    bot_talk = (5 * SECOND + lognormal(rng, 40e6, 0.6, n)).astype(np.int64)
    handoff = with_bot & ((flow == AGENT) | ((flow == MISSED) & in_hours))
    handoff_at = np.where(handoff, asked + bot_talk, -1)
    ready = np.where(handoff, handoff_at, asked)
    agent = flow == AGENT
    answered = np.full(n, -1, dtype=np.int64)

    # Chats: mean first response (from the start, bot time included) of customer-started
    # chats in staffed hours is CHAT_FIRST_RESPONSE_SECONDS.
    normal_chat = agent & chat & ~trial
    anchor = normal_chat & in_hours & (initiator == CUSTOMER)
    bot_part = float((ready - started)[anchor].mean()) if anchor.any() else 0.0
    mean_wait = max(5 * SECOND, CHAT_FIRST_RESPONSE_SECONDS * SECOND - bot_part)
    q = queue / (float(queue[anchor].mean()) if anchor.any() else 1.0)
    wait = (mean_wait * q * lognormal(rng, 1.0, WAIT_SIGMA, n)).astype(np.int64)
    answered = np.where(normal_chat, np.where(in_hours, ready + wait, chat_hours().add(ready, wait)), answered)
    for c in (PHONE, EMAIL, SOCIAL, APP):
        rows = agent & (channel == c) & ~trial
        w = lognormal(rng, WAIT_MEAN[c], WAIT_SIGMA_OTHER[c], int(rows.sum())).astype(np.int64)
        if c == PHONE:
            answered[rows] = ready[rows] + (w * queue[rows]).astype(np.int64)
        else:
            answered[rows] = world.opening[c].add(ready[rows], w)
    target = np.where(variant == CONTROL, CONTROL_FIRST_RESPONSE_SECONDS, REALTIME_FIRST_RESPONSE_SECONDS)
    sigma = np.where(variant == CONTROL, 0.8, 0.5)
    w = (target * SECOND * np.exp(rng.normal(-sigma * sigma / 2, sigma))).astype(np.int64)
    for rows, hours in ((agent & trial & chat, chat_hours()), (agent & trial & ~chat, office_hours())):
        answered[rows] = hours.add(ready[rows], w[rows])

    # -- outcome: resolved share of agent conversations per channel hits the published rate
    resolved = bot_only.copy()
    for c, name in enumerate(CHANNELS):
        rows = channel == c
        final = int((rows & (flow != DECLINED)).sum())
        solo = int((rows & bot_only).sum())
        handled = rows & agent
        share = (RESOLUTION_RATE_BY_CHANNEL[name] * final - solo) / max(int(handled.sum()), 1)
        resolved[handled] = rng.random(int(handled.sum())) < np.clip(share, 0.0, 1.0)
    tail = rng.poisson(_by_channel(channel, TAIL_MESSAGES)) + resolved.astype(np.int64)
    tail = np.where(agent, tail, 0)

    # -- timing after the answer; chats: mean resolution time of resolved chats is 11.5 min
    bot_alone = (asked - started) + (5 * SECOND + lognormal(rng, 95e6, 0.7, n)).astype(np.int64)
    solved_chat = chat & ~trial & resolved
    bot_sum = float(bot_alone[solved_chat & bot_only].sum())
    agent_solved = solved_chat & agent
    answer_sum = float((answered - started)[agent_solved].sum())
    work_total = CHAT_RESOLUTION_SECONDS * SECOND * int(solved_chat.sum()) - bot_sum - answer_sum
    mean_work = max(60.0 * SECOND, work_total / max(int(agent_solved.sum()), 1))
    work = np.zeros(n, dtype=np.int64)
    work[chat] = lognormal(rng, mean_work, WORK_SIGMA[CHAT], int(chat.sum())).astype(np.int64)
    for c in (PHONE, EMAIL, SOCIAL, APP):
        rows = channel == c
        work[rows] = lognormal(rng, WORK_MEAN[c], WORK_SIGMA[c], int(rows.sum())).astype(np.int64)
    done = answered + work
    for c in (EMAIL, SOCIAL, APP):
        rows = channel == c
        done[rows] = world.opening[c].add(answered[rows], work[rows])
    waiting = flow == MISSED
    waiting &= (channel != PHONE) & (rng.random(n) < 0.35)
    lag = np.where(chat | (channel == SOCIAL) | (channel == APP), 90 * SECOND, DAY)
    waiting_at = np.where(waiting, np.maximum(ready, asked + 3 * SECOND) + lognormal(rng, lag, 0.8, n)
                          .astype(np.int64), -1)
    greeted = np.where(bot_first, started + BOT_GREETING_DELAY, -1)
    ended = np.select(
        [agent & (tail > 0), agent, flow == BOT_ONLY, flow == MISSED],
        [done, answered, started + bot_alone, np.maximum.reduce([asked, handoff_at, waiting_at, greeted])],
        started,
    )
    closed = np.select(
        [resolved, agent, flow == MISSED],
        [ended, ended + _by_channel(channel, UNRESOLVED_CLOSE).astype(np.int64),
         ended + _by_channel(channel, MISSED_CLOSE).astype(np.int64)],
        started + 2 * MINUTE,
    )
    status = np.select([flow == DECLINED, closed >= YEAR, resolved, flow == MISSED],
                       [-1, OPEN, RESOLVED, MISSED_STATUS], UNRESOLVED)
    resolved_at = np.where(status == RESOLVED, ended, -1)

    # -- who
    team = np.where(people.language[person] == LANGUAGES.index("nl"), CHAT_NL, CHAT_INTL)
    for name, t in CHANNEL_TEAM.items():
        team = np.where(channel == CHANNELS.index(name), t, team)
    team = np.where(trial, np.where(variant == CONTROL, ONBOARDING, REALTIME_TEAM), team)
    agent_id = np.where(agent | (flow == DECLINED), world.teams.pick(rng, team), -1)
    business = people.segment[person] > 0
    cobrowse = chat & agent & (rng.random(n) < np.where(business, COBROWSE[1], COBROWSE[0]))
    bot_followup = bot_only & (rng.random(n) < 0.6)
    return Handling(initiator, in_hours, queue, flow, bot_first, reply_at, handoff_at, answered, waiting_at,
                    ended, status, resolved_at, tail, team, agent_id, cobrowse, bot_followup)
