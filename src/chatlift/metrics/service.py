"""Speed and service (catalogue 5, 12–18): resolution, timings, SLA, missed chats, questions per
person, channel mix and proactive chat. Timings come from `timings` (messages fill the gaps)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir

from chatlift.metrics.attribution import converted_conversations, window_end
from chatlift.metrics.definitions import (
    DIFFERENCE,
    MEAN,
    PROPORTION,
    Metric,
    Param,
    Reference,
    Section,
    Unit,
)
from chatlift.metrics.expressions import grouped, only_channel, share, summary
from chatlift.metrics.sales import CHANNEL, KINDS, WINDOW
from chatlift.metrics.scope import Scope
from chatlift.metrics.sources import SEED_000
from chatlift.metrics.timings import CLOCKS, HOURS, followed_conversations, timed_conversations

FINAL_STATUSES = ("resolved", "unresolved", "missed")
STATISTIC = Param("statistic", "mean", "mean, median or p90 of the durations", ("mean", "median", "p90"))
CLOCK = Param("clock", "start", "start the clock at the conversation's start, or at the bot's hand-off "
                                "(its last message before the first agent response)", CLOCKS)
HOURS_PARAM = Param("hours", "calendar", "count calendar seconds, or business seconds of the conversation's "
                                         "calendar (business_hours in chatlift.toml)", HOURS)


def _resolution_rate(scope: Scope, by: Sequence[str]) -> ir.Table:
    c = timed_conversations(scope)
    c = c.filter(c.status.isin(FINAL_STATUSES))
    return share(c, by, c.status == "resolved")


def _fcr_rate(scope: Scope, by: Sequence[str], followup_window: float, reopened: str) -> ir.Table:
    t = followed_conversations(scope)
    t = t.filter(t.status.isin(FINAL_STATUSES) & t.person.notnull())
    nxt = t.next_started_at
    followed = nxt.notnull() & (nxt < window_end(t.resolved.coalesce(t.started_at), followup_window))
    success = (t.status == "resolved") & ~followed
    if reopened == "fails":
        success &= ~t.reopened
    return share(t, by, success)


def _duration(column: str, event: str) -> Callable[..., ir.Table]:
    """Aggregation of the duration ``column``; with basis event, ``event`` decides the period."""
    def aggregate(scope: Scope, by: Sequence[str], statistic: str, clock: str, hours: str) -> ir.Table:
        t = timed_conversations(scope, event=event, clock=clock, hours=hours)
        return summary(t, by, t[column], statistic)
    return aggregate


def _sla_attainment(scope: Scope, by: Sequence[str], target: float, clock: str, hours: str) -> ir.Table:
    t = timed_conversations(scope, clock=clock, hours=hours)
    due = t.filter(t.first_response.notnull() | (t.status == "missed"))
    return share(due, by, due.first_response.notnull() & (due.first_response_s <= target))


def _missed_rate(scope: Scope, by: Sequence[str]) -> ir.Table:
    t = timed_conversations(scope)
    wrote = (t.customer_messages.fill_null(0) > 0) | (t.status == "missed")
    t = t.filter(wrote)
    return share(t, by, t.first_response.isnull())


def _questions_per_customer(scope: Scope, by: Sequence[str], count: str) -> ir.Table:
    t = timed_conversations(scope) if count == "messages" else scope.conversations()
    key = scope.person_column
    t = t.filter(t[key].notnull())
    amount = t.customer_messages.fill_null(0).sum() if count == "messages" else t.count()
    per_person = t.group_by([*by, key]).aggregate(__q=amount)
    return summary(per_person, by, per_person.__q, "mean")


def _channel_mix(scope: Scope, by: Sequence[str]) -> ir.Table:
    c = scope.conversations()
    counts = grouped(c, by, successes=c.count())
    rest = [b for b in by if b != "channel"]
    window = ibis.window(group_by=rest) if rest else ibis.window()
    return counts.mutate(n=counts.successes.sum().over(window))


def _accepted(t: ir.Table) -> ir.BooleanValue:
    """The customer replied: a customer message, or without messages a conversation that got a status."""
    return ibis.ifelse(t.customer_messages.isnull(), t.status.notnull(), t.customer_messages > 0)


def _proactive(scope: Scope, by: Sequence[str]) -> ir.Table:
    t = timed_conversations(scope)
    t = t.filter(t.initiated_by == "agent")
    return share(t, by, _accepted(t))


def _proactive_conversion_lift(scope: Scope, by: Sequence[str], window: float, kinds: tuple[str, ...],
                               channel: str) -> ir.Table:
    t = only_channel(converted_conversations(scope, window=window, kinds=kinds, goals=(), timed=True), by, channel)
    t = t.filter((((t.initiated_by == "agent") & _accepted(t)) | (t.initiated_by == "customer")) & t.person.notnull())
    proactive = t.initiated_by == "agent"
    return grouped(t, by, successes_a=(proactive & t.converted).cast("int64").sum(),
                   n_a=proactive.cast("int64").sum(),
                   successes_b=(~proactive & t.converted).cast("int64").sum(), n_b=(~proactive).cast("int64").sum(),
                   n=t.count())


TIMING_PARAMS = (CLOCK, HOURS_PARAM)

METRICS: tuple[Metric, ...] = (
    Metric(
        key="resolution_rate", label="Resolution rate", section=Section.SERVICE, number=5, unit=Unit.SHARE,
        higher_is_better=True,
        description="Resolved conversations ÷ conversations with a final status (resolved, unresolved, missed); "
        "open conversations and declined invitations (no status) are left out.",
        estimator=PROPORTION, aggregate=_resolution_rate,
        references={"chat": Reference("80–88 %", SEED_000), "phone": Reference("92 %", SEED_000),
                    "email": Reference("63 %", SEED_000)},
    ),
    Metric(
        key="fcr_rate", label="First-contact resolution", section=Section.SERVICE, number=5, unit=Unit.SHARE,
        higher_is_better=True,
        description="Share of conversations with a final status that were resolved and not followed up: the "
        "same person's next conversation (any channel, by start) does not start before `followup_window` days "
        "(default 7) after the resolution (a conversation started while this one was open counts as a "
        "follow-up); with `reopened` = fails (default) a customer message after the resolution also fails it "
        "(ignore: it does not). Conversations whose person is unknown are left out.",
        estimator=PROPORTION, aggregate=_fcr_rate,
        params=(Param("followup_window", 7.0, "days after the resolution in which a new conversation counts as "
                                              "a follow-up"),
                Param("reopened", "fails", "whether a customer message after the resolution fails it",
                      ("fails", "ignore"))),
        references={"": Reference("80 % solved without follow-up", SEED_000)},
    ),
    Metric(
        key="first_response_time", label="First response time", section=Section.SERVICE, number=12,
        unit=Unit.SECONDS, higher_is_better=False,
        description="first response − clock start, in seconds, over conversations with a first response: the "
        "first response is first_response_at, else the first agent message (never a bot or system message); "
        "the clock starts at started_at (`clock` = start, default) or at the bot hand-off (handoff); "
        "`statistic` mean (default), median or p90; `hours` calendar (default) or business.",
        estimator=MEAN, aggregate=_duration("first_response_s", "first_response"), params=(STATISTIC, *TIMING_PARAMS),
        event="the first response", references={"chat": Reference("42 s (mean)", SEED_000)},
    ),
    Metric(
        key="resolution_time", label="Resolution time", section=Section.SERVICE, number=13, unit=Unit.SECONDS,
        higher_is_better=False,
        description="resolution − clock start, in seconds, over resolved conversations: the resolution is "
        "resolved_at, else the last message of a conversation with status resolved; `clock`, `statistic` and "
        "`hours` as for first_response_time.",
        estimator=MEAN, aggregate=_duration("resolution_s", "resolved"), params=(STATISTIC, *TIMING_PARAMS),
        event="the resolution", references={"chat": Reference("11–12 min (690 s)", SEED_000)},
    ),
    Metric(
        key="sla_attainment", label="SLA attainment", section=Section.SERVICE, number=14, unit=Unit.SHARE,
        higher_is_better=True,
        description="Share of conversations due a first response (one came, or the conversation was missed) "
        "whose first response came within `target` seconds (default 120) of the clock start; missed ones count "
        "as late. `clock` and `hours` as for first_response_time.",
        estimator=PROPORTION, aggregate=_sla_attainment,
        params=(Param("target", 120.0, "first-response target in seconds"), *TIMING_PARAMS),
    ),
    Metric(
        key="missed_rate", label="Missed conversations", section=Section.SERVICE, number=15, unit=Unit.SHARE,
        higher_is_better=False,
        description="Share of conversations in which the customer wrote (a customer message, or status missed "
        "when there are no messages) that got no agent reply (no first_response_at and no agent message).",
        estimator=PROPORTION, aggregate=_missed_rate,
    ),
    Metric(
        key="questions_per_customer", label="Questions per customer", section=Section.SERVICE, number=16,
        unit=Unit.COUNT, higher_is_better=False,
        description="Mean number of conversations (`count` = conversations, default) or customer messages "
        "(messages) per person with at least one conversation in scope.",
        estimator=MEAN, aggregate=_questions_per_customer,
        params=(Param("count", "conversations", "what is counted per person", ("conversations", "messages")),),
    ),
    Metric(
        key="channel_mix", label="Channel mix", section=Section.SERVICE, number=17, unit=Unit.SHARE,
        higher_is_better=True,
        description="Share of conversations per channel (needs the channel breakdown); put it beside csat, "
        "resolution_rate and first_response_time by channel to compare channels side by side.",
        estimator=PROPORTION, aggregate=_channel_mix, needs_breakdown="channel",
    ),
    Metric(
        key="proactive", label="Accepted invitations", section=Section.SERVICE, number=18, unit=Unit.SHARE,
        higher_is_better=True,
        description="Share of proactive invitations (initiated_by agent) that the customer accepted by replying "
        "(a customer message; without messages, a conversation that got a status).",
        estimator=PROPORTION, aggregate=_proactive,
    ),
    Metric(
        key="proactive_conversion_lift", label="Conversion of accepted invitations vs. reactive chats",
        section=Section.SERVICE, number=18, unit=Unit.POINTS, higher_is_better=True,
        description="chat_conversion_rate of accepted proactive invitations − chat_conversion_rate of chats the "
        "customer started, in percentage points (`window`, `kinds`, `channel` as for chat_conversion_rate).",
        estimator=DIFFERENCE, aggregate=_proactive_conversion_lift, params=(WINDOW, KINDS, CHANNEL),
        note="correlational: invited visitors are chosen, not random",
    ),
)
