"""Customer experience (catalogue 6–9, 18): CSAT, CES, NPS, the value of successful chats and the
effect of co-browsing. Answers about a conversation follow that conversation (its period, channel,
team …); answers on another scale than the survey's default are left out."""

from __future__ import annotations

from collections.abc import Sequence

import ibis.expr.types as ir

from chatlift.metrics.definitions import (
    DIFFERENCE,
    MEAN,
    NET_PROMOTER,
    PROPORTION,
    SCALED_PROPORTION,
    TIME_BREAKDOWNS,
    Metric,
    Param,
    Reference,
    Section,
    Unit,
)
from chatlift.metrics.expressions import grouped, only_channel, share, summary
from chatlift.metrics.sales import CHANNEL
from chatlift.metrics.scope import Scope
from chatlift.metrics.sources import SEED_000

CSAT_POSITIVE = 4  # top-2-box on 1–5
CES_EASY = 5  # "easy" on 1–7


def _answers(scope: Scope, survey: str) -> ir.Table:
    s = scope.surveys()
    return s.filter(s.survey == survey)


def _csat(scope: Scope, by: Sequence[str]) -> ir.Table:
    s = _answers(scope, "csat")
    return share(s, by, s.score >= CSAT_POSITIVE)


def _csat_mean(scope: Scope, by: Sequence[str]) -> ir.Table:
    s = _answers(scope, "csat")
    return summary(s, by, s.score, "mean")


def _ces(scope: Scope, by: Sequence[str]) -> ir.Table:
    s = _answers(scope, "ces")
    return summary(s, by, s.score, "mean")


def _ces_easy(scope: Scope, by: Sequence[str]) -> ir.Table:
    s = _answers(scope, "ces")
    return share(s, by, s.score >= CES_EASY)


def _nps(scope: Scope, by: Sequence[str]) -> ir.Table:
    s = scope.relationship_surveys("nps")
    return grouped(s, by, promoters=(s.score >= 9).cast("int64").sum(),
                   detractors=(s.score <= 6).cast("int64").sum(), n=s.count())


def _successful_chat_value(scope: Scope, by: Sequence[str], value: float, channel: str) -> ir.Table:
    s = only_channel(_answers(scope, "csat"), by, channel)
    stats = share(s, by, s.score >= CSAT_POSITIVE)
    return stats.mutate(scale=value)


def _cobrowse(scope: Scope, by: Sequence[str], channel: str) -> ir.Table:
    s = only_channel(_answers(scope, "csat"), by, channel)
    good = s.score >= CSAT_POSITIVE
    shared = s.cobrowse == "true"
    unshared = s.cobrowse == "false"
    return grouped(s, by, successes_a=(shared & good).cast("int64").sum(), n_a=shared.cast("int64").sum(),
                   successes_b=(unshared & good).cast("int64").sum(), n_b=unshared.cast("int64").sum(),
                   n=(shared | unshared).cast("int64").sum())


SURVEY_EVENT = "the answer"

METRICS: tuple[Metric, ...] = (
    Metric(
        key="successful_chat_value", label="Value of successful chats", section=Section.SALES, number=6,
        unit=Unit.MONEY, higher_is_better=True,
        description="Share of rated chats (CSAT answers about conversations on `channel`, default chat) that "
        "were positive (4 or 5 on 1–5) × `value`, the money one positive chat is worth to you (default 1, which "
        "leaves the share itself: set yours).",
        estimator=SCALED_PROPORTION, aggregate=_successful_chat_value,
        params=(Param("value", 1.0, "money value of one positive chat"), CHANNEL), event=SURVEY_EVENT,
    ),
    Metric(
        key="nps", label="Net Promoter Score", section=Section.EXPERIENCE, number=7, unit=Unit.NPS,
        higher_is_better=True,
        description="% promoters (9–10) − % detractors (0–6) among NPS answers on the default 0–10 scale that "
        "belong to no conversation and were answered in the period; −100 to 100. Answers on other scales are "
        "left out (map them to 0–10 on import).",
        estimator=NET_PROMOTER, aggregate=_nps, breakdowns=TIME_BREAKDOWNS, event=SURVEY_EVENT,
        takes_filters=False,
    ),
    Metric(
        key="csat", label="CSAT (top-2-box)", section=Section.EXPERIENCE, number=8, unit=Unit.SHARE,
        higher_is_better=True,
        description="Share of CSAT answers 4 or 5 on the default 1–5 scale, among answers about conversations "
        "in scope. (The response rate needs the number of surveys sent, which the data model does not hold.)",
        estimator=PROPORTION, aggregate=_csat, event=SURVEY_EVENT,
        references={"chat": Reference("73–92 %", SEED_000), "phone": Reference("44 %", SEED_000),
                    "email": Reference("61 %", SEED_000), "social": Reference("48 %", SEED_000),
                    "app": Reference("53 %", SEED_000)},
    ),
    Metric(
        key="csat_mean", label="CSAT (mean score)", section=Section.EXPERIENCE, number=8, unit=Unit.SCORE,
        higher_is_better=True,
        description="Mean CSAT score on the default 1–5 scale, among answers about conversations in scope.",
        estimator=MEAN, aggregate=_csat_mean, event=SURVEY_EVENT,
    ),
    Metric(
        key="ces", label="CES (mean score)", section=Section.EXPERIENCE, number=9, unit=Unit.SCORE,
        higher_is_better=True,
        description="Mean Customer Effort Score on the default 1–7 scale (7 = very easy), among answers about "
        "conversations in scope.",
        estimator=MEAN, aggregate=_ces, event=SURVEY_EVENT,
    ),
    Metric(
        key="ces_easy", label="CES: share easy", section=Section.EXPERIENCE, number=9, unit=Unit.SHARE,
        higher_is_better=True,
        description="Share of CES answers 5 or more on the default 1–7 scale (\"easy\"), among answers about "
        "conversations in scope.",
        estimator=PROPORTION, aggregate=_ces_easy, event=SURVEY_EVENT,
        references={"chat": Reference("67 % easy", SEED_000), "phone": Reference("26 % easy", SEED_000),
                    "social": Reference("54 % easy", SEED_000)},
    ),
    Metric(
        key="cobrowse", label="CSAT with co-browsing vs. without", section=Section.EXPERIENCE, number=18,
        unit=Unit.POINTS, higher_is_better=True,
        description="csat of co-browsed conversations − csat of conversations without co-browsing, on `channel` "
        "(default chat), in percentage points; conversations with unknown cobrowse are left out.",
        estimator=DIFFERENCE, aggregate=_cobrowse, params=(CHANNEL,), event=SURVEY_EVENT,
        references={"chat": Reference("+6 points", SEED_000)},
        note="correlational: co-browsing is chosen for some sessions",
    ),
)
