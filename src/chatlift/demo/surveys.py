"""Survey answers: CSAT and CES after conversations, NPS as a relationship survey.

CSAT (1–5) and CES (1–7) are asked after conversations with a final status.
Whether an answer is in the top box (CSAT 4–5, CES 5–7 "easy") is a coin with a
probability made of a group level plus what happened in the conversation:
resolved, unresolved or missed, a fast or slow first answer, co-browsing
(+6 points, seed 000). The group levels are solved per chunk so that the
expected top-box share of each group equals the published figure: per channel,
and for business customers' chats per sector (seed 000, comm100); consumers'
chats take the level that keeps all chats at 83 %.

NPS (0–10) is asked once a year of a fifth of the customers, and of 40 % of the
experiment's units at the end of their 16 weeks, where the treated half is
15 % more loyal (seed 004).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chatlift.demo.calendar import DAY, MINUTE, YEAR, Bools, Floats, Int64s
from chatlift.demo.columns import build, labels, sequential_ids, take, timestamps
from chatlift.demo.conversations import Conversations
from chatlift.demo.experiment import CONTROL, REALTIME
from chatlift.demo.grouping import lognormal
from chatlift.demo.handling import MISSED_STATUS, RESOLVED, UNRESOLVED
from chatlift.demo.people import People
from chatlift.demo.targets import (
    CES_EASY_BY_CHANNEL,
    CHANNELS,
    COBROWSE_CSAT_POINTS,
    CSAT_TOP2_BY_CHANNEL,
    CSAT_TOP2_CHAT_BY_SECTOR,
    SECTORS,
)
from chatlift.demo.texts import comment_book
from chatlift.domain.schema import SURVEY_KINDS

CSAT, NPS, CES = (SURVEY_KINDS.index(k) for k in ("csat", "nps", "ces"))
CHAT = CHANNELS.index("chat")
RESPONSE = {RESOLVED: 0.30, UNRESOLVED: 0.25, MISSED_STATUS: 0.15}  # CSAT response rate by status
CES_RESPONSE = 0.12
OUTCOME_CSAT = {RESOLVED: 0.05, UNRESOLVED: -0.25, MISSED_STATUS: -0.40}
OUTCOME_CES = {RESOLVED: 0.05, UNRESOLVED: -0.20, MISSED_STATUS: -0.30}
SLOW_ANSWER = (5 * MINUTE, -0.08)  # first answer slower than this: fewer top boxes
FAST_ANSWER = (1 * MINUTE, 0.02)
NPS_RESPONSE, UNIT_NPS_RESPONSE = 0.20, 0.40
NPS_SHARES = (0.40, 0.20)  # promoters, detractors of the relationship survey
NPS_UNITS = {CONTROL: (0.45, 0.15), REALTIME: (0.48, 0.135)}  # NPS 30 vs 34.5: × 1.15 (seed 004)
COMMENT_SHARE = {CSAT: 0.35, NPS: 0.50, CES: 0.15}
SENTIMENT_CUTS = {CSAT: (4, 3), NPS: (9, 7), CES: (5, 4)}  # score ≥ first: positive; ≥ second: neutral


def _solve_level(adjustment: Floats, target: float) -> float:
    """The level ``b`` with mean(clip(b + adjustment, 0.02, 0.98)) = target (bisection)."""
    lo, hi = -1.0, 2.0
    for _ in range(40):
        mid = (lo + hi) / 2
        if np.clip(mid + adjustment, 0.02, 0.98).mean() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _top_box_probability(groups: Int64s, targets: dict[int, float], adjustment: Floats) -> Floats:
    p = np.zeros(len(groups))
    for g, target in targets.items():
        rows = groups == g
        if rows.any():
            p[rows] = np.clip(_solve_level(adjustment[rows], target) + adjustment[rows], 0.02, 0.98)
    return p


def _scores(rng: np.random.Generator, top: Bools, high: tuple[int, ...], high_p: tuple[float, ...],
            low: tuple[int, ...], low_p: tuple[float, ...]) -> Int64s:
    hi = np.asarray(high)[np.searchsorted(np.cumsum(high_p), rng.random(len(top)) * sum(high_p), side="right")]
    lo = np.asarray(low)[np.searchsorted(np.cumsum(low_p), rng.random(len(top)) * sum(low_p), side="right")]
    return np.where(top, hi, lo).astype(np.int64)


def _after_conversation(rng: np.random.Generator, conv: Conversations, people: People, survey: int) -> tuple[
    Int64s, Int64s
]:
    """Rows of ``conv`` that get a CSAT or CES answer, and their scores."""
    h = conv.handling
    status = h.status
    rate = np.zeros(len(conv))
    for s, r in RESPONSE.items():
        rate[status == s] = r if survey == CSAT else CES_RESPONSE
    rows = np.flatnonzero(rng.random(len(conv)) < rate)
    st = status[rows]
    outcome = OUTCOME_CSAT if survey == CSAT else OUTCOME_CES
    adjustment = np.select([st == s for s in outcome], list(outcome.values()), 0.0)
    asked = np.where(h.reply_at >= 0, h.reply_at, conv.started)
    wait = (h.answered_at - asked)[rows]
    answered = h.answered_at[rows] >= 0
    adjustment = adjustment + np.where(answered & (wait > SLOW_ANSWER[0]), SLOW_ANSWER[1], 0.0)
    adjustment = adjustment + np.where(answered & (wait < FAST_ANSWER[0]), FAST_ANSWER[1], 0.0)
    channel = conv.channel[rows]
    if survey == CSAT:
        adjustment = adjustment + COBROWSE_CSAT_POINTS * h.cobrowse[rows]
        sector = np.where(people.segment[conv.person[rows]] > 0, people.sector[conv.person[rows]], -1)
        # groups: 0-4 channels, 10 + s chat of a business customer in sector s, 5 chat of a consumer
        group = np.where(channel != CHAT, channel, np.where(sector >= 0, 10 + sector, 5))
        targets = {CHANNELS.index(c): v for c, v in CSAT_TOP2_BY_CHANNEL.items() if c != "chat"}
        chat_n = int((channel == CHAT).sum())
        sector_sum = 0.0
        for s, name in enumerate(SECTORS):
            targets[10 + s] = CSAT_TOP2_CHAT_BY_SECTOR[name]
            sector_sum += CSAT_TOP2_CHAT_BY_SECTOR[name] * int((group == 10 + s).sum())
        consumers = int((group == 5).sum())
        targets[5] = float(np.clip((CSAT_TOP2_BY_CHANNEL["chat"] * chat_n - sector_sum) / max(consumers, 1), 0.3, 0.97))
        top = rng.random(len(rows)) < _top_box_probability(group, targets, adjustment)
        return rows, _scores(rng, top, (4, 5), (0.38, 0.62), (1, 2, 3), (0.35, 0.25, 0.40))
    targets = {CHANNELS.index(c): v for c, v in CES_EASY_BY_CHANNEL.items()}
    top = rng.random(len(rows)) < _top_box_probability(channel, targets, adjustment)
    return rows, _scores(rng, top, (5, 6, 7), (0.35, 0.40, 0.25), (1, 2, 3, 4), (0.1, 0.2, 0.3, 0.4))


def _nps_scores(rng: np.random.Generator, promoter: Floats, detractor: Floats) -> Int64s:
    u = rng.random(len(promoter))
    kind = np.where(u < promoter, 2, np.where(u < promoter + detractor, 0, 1))  # 2 promoter, 1 passive, 0 detractor
    return np.select(
        [kind == 2, kind == 1],
        [_scores(rng, np.ones(len(u), bool), (9, 10), (0.45, 0.55), (0,), (1.0,)),
         _scores(rng, np.ones(len(u), bool), (7, 8), (0.45, 0.55), (0,), (1.0,))],
        _scores(rng, np.zeros(len(u), bool), (0,), (1.0,), (0, 1, 2, 3, 4, 5, 6),
                (0.05, 0.05, 0.08, 0.10, 0.15, 0.25, 0.32)),
    )


def survey_table(
    rng: np.random.Generator, conv: Conversations, people: People, chatted: Bools, bad: Bools, id_prefix: str
) -> pa.Table:
    """All answers of one chunk: CSAT and CES per conversation, NPS per customer."""
    csat_rows, csat = _after_conversation(rng, conv, people, CSAT)
    ces_rows, ces = _after_conversation(rng, conv, people, CES)
    rated = np.concatenate([csat_rows, ces_rows])
    delay = lognormal(rng, 15 * MINUTE, 1.0, len(rated)).astype(np.int64)
    rated_at = np.maximum(conv.handling.ended_at[rated], conv.started[rated]) + delay

    # NPS: relationship survey of customers outside their experiment weeks; the units at week 16.
    n = len(people)
    customer = people.is_customer
    unit = people.variant >= 0
    free_from = np.where(unit, people.onboarding_until, people.active_from)
    asked = customer & (free_from < people.active_until) & (rng.random(n) < NPS_RESPONSE)
    nps_at = free_from + (rng.random(n) * np.maximum(people.active_until - free_from, 0)).astype(np.int64)
    good = chatted & ~bad
    promoter = NPS_SHARES[0] + 0.06 * good - 0.12 * bad
    detractor = NPS_SHARES[1] - 0.03 * good + 0.15 * bad
    unit_asked = unit & (rng.random(n) < UNIT_NPS_RESPONSE)
    for variant, (a, d) in NPS_UNITS.items():
        promoter = np.where(unit_asked & (people.variant == variant), a, promoter)
        detractor = np.where(unit_asked & (people.variant == variant), d, detractor)
    relation = np.flatnonzero(asked)
    units = np.flatnonzero(unit_asked)
    nps_who = np.concatenate([relation, units])
    nps_when = np.concatenate([nps_at[relation], people.onboarding_until[units] - DAY])
    nps = _nps_scores(rng, promoter[nps_who], detractor[nps_who])

    survey = np.concatenate([np.full(len(csat_rows), CSAT), np.full(len(ces_rows), CES), np.full(len(nps_who), NPS)])
    score = np.concatenate([csat, ces, nps])
    person = np.concatenate([conv.person[rated], nps_who])
    at = np.concatenate([rated_at, nps_when])
    conversation = np.concatenate([rated, np.full(len(nps_who), -1)])
    keep = at < YEAR
    order = np.lexsort((at[keep], person[keep]))
    survey, score, person, at, conversation = (a[keep][order] for a in (survey, score, person, at, conversation))

    share = np.asarray([COMMENT_SHARE[s] for s in range(len(SURVEY_KINDS))])[survey]
    cuts = np.asarray([SENTIMENT_CUTS[s] for s in range(len(SURVEY_KINDS))])[survey]
    sentiment = np.where(score >= cuts[:, 0], 0, np.where(score >= cuts[:, 1], 1, 2))
    comment = comment_book().pick(rng, sentiment, people.language[person])
    with_comment = rng.random(len(score)) < share
    comment = pc.if_else(pa.array(with_comment), comment, pa.scalar(None, pa.string()))
    return build(
        "survey_responses",
        {
            "response_id": sequential_ids(id_prefix, len(score), width=7),
            "survey": labels(SURVEY_KINDS, survey),
            "score": pa.array(score, type=pa.int64()),
            "answered_at": timestamps(at),
            "conversation_id": take(conv.conversation_id, conversation),
            "customer_id": take(people.customer_id, person),
            "comment": comment,
            "scale": pa.nulls(len(score), type=pa.string()),
        },
    )
