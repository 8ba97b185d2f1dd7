"""Messages: the visible trace of how each conversation was handled.

Every conversation becomes a short thread built from the timings in `Handling`:
an invitation or bot nudge when the business opened it, the customer's question,
the bot's greeting (or its "we are offline" note), the system's hand-off, a
missed customer's "anyone there?", the agent's first answer and a tail of
follow-ups that ends with the agent's closing line when the case is resolved.
Nothing at or after the end of the year is written: the dataset is a snapshot.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from chatlift.demo.calendar import SECOND, YEAR, Int64s
from chatlift.demo.columns import build, labels, sequential_ids, take, timestamps
from chatlift.demo.conversations import Conversations
from chatlift.demo.grouping import owners, positions
from chatlift.demo.handling import AGENT, AGENT_INVITE, BOT_GREETING_DELAY, BOT_NUDGE, BOT_ONLY, RESOLVED
from chatlift.demo.people import People
from chatlift.demo.texts import KIND, TOPICS, message_book
from chatlift.domain.schema import SENDERS

CUSTOMER_SENDER, AGENT_SENDER, BOT_SENDER, SYSTEM_SENDER = range(len(SENDERS))  # codes, in schema order


def messages_table(
    rng: np.random.Generator, conv: Conversations, people: People, id_prefix: str
) -> tuple[pa.Table, Int64s]:
    """The ``messages`` rows of ``conv`` and each conversation's first agent answer (-1: none).

    The first answer is the agent's reply to the customer's question; a proactive
    invitation is an agent message too but answers nothing, so it is not it.
    """
    h = conv.handling
    started = conv.started
    n = len(conv)
    none = np.full(n, -1, dtype=np.int64)
    language = people.language[conv.person]
    invited = h.initiator == AGENT_INVITE
    asked = np.where(h.reply_at >= 0, h.reply_at, started)
    has_question = ~invited | (h.reply_at >= 0)
    bot_only = h.flow == BOT_ONLY
    span = h.ended_at - asked
    first_bot_answer = np.where(h.bot_followup, asked + span // 2, h.ended_at)
    greeting_kind = np.where(h.in_hours, KIND["bot_greeting"], KIND["bot_offline"])
    opening_kind = np.asarray([KIND[f"opening_{t}"] for t in TOPICS])[conv.topic]

    # (time, sender, text kind) per fixed slot, in the order they appear when times tie.
    slots: list[tuple[Int64s, int, Int64s | int]] = [
        (np.where(invited, started, none), AGENT_SENDER, KIND["invite"]),
        (np.where(h.initiator == BOT_NUDGE, started, none), BOT_SENDER, KIND["nudge"]),
        (np.where(has_question, asked, none), CUSTOMER_SENDER, opening_kind),
        (np.where(h.bot_first, started + BOT_GREETING_DELAY, none), BOT_SENDER, greeting_kind),
        (np.where(bot_only, first_bot_answer, none), BOT_SENDER, KIND["bot_answer"]),
        (np.where(h.bot_followup, asked + 3 * span // 4, none), CUSTOMER_SENDER, KIND["customer_followup"]),
        (np.where(h.bot_followup, h.ended_at, none), BOT_SENDER, KIND["bot_answer"]),
        (h.handoff_at, SYSTEM_SENDER, KIND["handoff"]),
        (h.waiting_at, CUSTOMER_SENDER, KIND["customer_waiting"]),
        (np.where(h.flow == AGENT, h.answered_at, none), AGENT_SENDER, KIND["agent_answer"]),
    ]
    conv_index = [np.arange(n, dtype=np.int64)] * len(slots)
    times = [s[0] for s in slots]
    senders = [np.full(n, s[1], dtype=np.int64) for s in slots]
    kinds = [np.broadcast_to(np.asarray(s[2], dtype=np.int64), (n,)) for s in slots]
    order_in_slot = [np.full(n, k, dtype=np.int64) for k in range(len(slots))]

    # The tail after the agent's answer: customer and agent take turns; a resolved
    # case ends with the agent's closing line at the last message time.
    tail = h.tail
    owner = owners(tail)
    step = positions(tail)
    count = tail[owner]
    t0 = h.answered_at[owner]
    tail_time = t0 + ((h.ended_at[owner] - t0) * (step + 1)) // np.maximum(count, 1)
    tail_time = np.maximum(tail_time, t0 + (step + 1) * SECOND)
    closing = (step == count - 1) & (h.status[owner] == RESOLVED)
    agent_turn = (step % 2 == 1) | closing
    tail_kind = np.select(
        [closing, agent_turn], [KIND["agent_closing"], KIND["agent_followup"]], KIND["customer_followup"]
    )
    conv_index.append(owner)
    times.append(tail_time)
    senders.append(np.where(agent_turn, AGENT_SENDER, CUSTOMER_SENDER))
    kinds.append(tail_kind)
    order_in_slot.append(len(slots) + step)

    c = np.concatenate(conv_index)
    t = np.concatenate(times)
    keep = (t >= 0) & (t < YEAR)
    c, t = c[keep], t[keep]
    sender = np.concatenate(senders)[keep]
    kind = np.concatenate(kinds)[keep]
    slot = np.concatenate(order_in_slot)[keep]
    order = np.lexsort((slot, t, c))
    c, t, sender, kind = c[order], t[order], sender[order], kind[order]

    text = message_book().pick(rng, kind, language[c])
    table = build(
        "messages",
        {
            "message_id": sequential_ids(id_prefix, len(c), width=8),
            "conversation_id": take(conv.conversation_id, c),
            "sender": labels(SENDERS, sender),
            "sent_at": timestamps(t),
            "text": text,
        },
    )
    answered = (h.flow == AGENT) & (h.answered_at >= 0) & (h.answered_at < YEAR)
    return table, np.where(answered, h.answered_at, -1)
