"""Churn and MRR retention on the hand-made database of conftest.py, worked out by hand."""

from __future__ import annotations

import math
from datetime import date

import pytest

from chatlift.errors import ParameterError
from chatlift.workspace import Workspace

JAN, FEB, MAR, APR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson score interval (Wilson 1927), z = 1.959964 for 95 %."""
    z, p = 1.959964, k / n
    centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


def test_subscription_churn_and_mrr_in_january(hand_db: Workspace) -> None:
    # Active on 1 Jan: c1 (100), c2 (50), c3 (40), c4 (30), c8 (80) — not c7 (ended at that instant), not the
    # trial c5, not c6/c9 (started later). On 1 Feb: c2 ended; c3 upgraded to 60; c8 downgraded to 20.
    period = hand_db.churn(JAN, FEB).periods[0]
    g = period.group()
    assert (g.customers, g.lost) == (5, 1)
    assert g.churn_rate.value == pytest.approx(0.2)
    assert (g.churn_rate.lower, g.churn_rate.upper) == pytest.approx(wilson(1, 5), abs=1e-6)
    assert (g.mrr_start, g.mrr_end, g.mrr_lost) == (300.0, 210.0, 50.0)  # end: 100 + 0 + 60 + 30 + 20
    assert g.revenue_churn and g.revenue_churn.value == pytest.approx(50 / 300)
    # gross: min(end, start) = 100 + 0 + 40 + 30 + 20 = 190; net: 210
    assert g.gross_revenue_retention and g.gross_revenue_retention.value == pytest.approx(190 / 300)
    assert g.net_revenue_retention and g.net_revenue_retention.value == pytest.approx(210 / 300)
    assert g.net_revenue_retention.lower is not None and g.net_revenue_retention.lower < 0.7


def test_splits_by_chat_and_csat_band(hand_db: Workspace) -> None:
    period = hand_db.churn(JAN, FEB).periods[0]
    # chats before 1 Feb: c1 (k1), c2 (k2); c3's was an e-mail, c8's chat was on 10 Feb
    yes, no = period.group("chatted", "yes"), period.group("chatted", "no")
    assert (yes.customers, yes.lost, no.customers, no.lost) == (2, 1, 3, 0)
    assert (yes.mrr_start, no.mrr_start) == (150.0, 150.0)
    # latest CSAT before 1 Feb: c1 5 → satisfied; c2 2 (through its conversation) → detractor; c3 4 then 3 →
    # neutral; c4 answered on 5 Feb and c8 only NPS → none
    bands = {b: (period.group("csat_band", b).customers, period.group("csat_band", b).lost)
             for b in ("detractor", "neutral", "satisfied", "none")}
    assert bands == {"detractor": (1, 1), "neutral": (1, 0), "satisfied": (1, 0), "none": (2, 0)}
    assert [(g.split, g.group) for g in period.groups][:3] == [("all", "all"), ("chatted", "yes"), ("chatted", "no")]


def test_monthly_periods_and_trials(hand_db: Workspace) -> None:
    result = hand_db.churn(JAN, MAR, every="month")
    assert [(p.start, p.end) for p in result.periods] == [(JAN, FEB), (FEB, MAR)]
    # 1 Feb: c1 100, c3 60, c4 30, c6 10, c8 20; 1 Mar: c4's subscription ended at that instant
    feb = result.periods[1].group()
    assert (feb.customers, feb.lost, feb.mrr_start, feb.mrr_lost) == (5, 1, 220.0, 30.0)
    assert result.periods[1].group("csat_band", "detractor").lost == 1  # c4 answered 1 on 5 Feb
    # with trials: c5 (trial to 5 Jan, no MRR) is active on 1 Jan and lost
    g = hand_db.churn(JAN, FEB, trials=True).periods[0].group()
    assert (g.customers, g.lost, g.mrr_start) == (6, 2, 300.0)


def test_order_churn_by_inactivity(hand_db: Workspace) -> None:
    # March, 30 days: active on 1 Mar = an order in [30 Jan, 1 Mar); kept = an order in [2 Mar, 1 Apr).
    # p1 (10 Feb, 20 Mar) kept; p2 (15 Feb) lost; p3 (15 Jan) not active; p4 (purchase 1 Feb, quotes do not
    # count) lost; v5 (28 Feb, 31 Mar 23:59) kept; p6 (31 Jan, then 1 Mar — before 2 Mar) lost.
    result = hand_db.churn(MAR, APR, basis="orders", inactivity_days=30)
    period = result.periods[0]
    g = period.group()
    assert (g.customers, g.lost) == (5, 3) and g.churn_rate.value == pytest.approx(0.6)
    assert g.mrr_start is None and g.revenue_churn is None
    # v5 chatted on 5 Mar (by visitor id); p1's chat is after the period
    assert (period.group("chatted", "yes").customers, period.group("chatted", "yes").lost) == (1, 0)
    assert (period.group("chatted", "no").customers, period.group("chatted", "no").lost) == (4, 3)
    assert period.group("csat_band", "neutral").lost == 1  # p2's 3 on 2 Mar
    assert result.inactivity_days == 30 and not result.warnings
    # with quotes counted p4 is kept (quote on 25 Mar)
    assert hand_db.churn(MAR, APR, basis="orders", inactivity_days=30,
                         kinds=("purchase", "quote")).periods[0].group().lost == 2


def test_warnings_and_errors(hand_db: Workspace) -> None:
    short = hand_db.churn(JAN, MAR, basis="orders", inactivity_days=90, every="month")
    # nobody ordered in the 90 days before 1 January either
    assert [w.code for w in short.warnings] == ["no_active_customers", "period_shorter_than_inactivity"]
    empty = hand_db.churn(date(2020, 1, 1), date(2020, 2, 1))
    assert empty.periods[0].group().customers == 0 and empty.periods[0].group().churn_rate.value is None
    assert [w.code for w in empty.warnings] == ["no_active_customers"]
    with pytest.raises(ParameterError, match="unknown churn basis"):
        hand_db.churn(JAN, FEB, basis="visits")
    with pytest.raises(ParameterError, match="ends"):
        hand_db.churn(FEB, JAN)
    assert hand_db.churn(JAN, FEB).model_dump(mode="json")["periods"][0]["groups"][0]["customers"] == 5
