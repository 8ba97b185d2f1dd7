"""Churn and customer value (catalogue 10–11) against values worked out by hand from their definitions, plus
two guards for the whole hand-worked set: every registry metric is covered, and the hand formulas in
``tests.metrics.fixtures`` reproduce published examples.

Fixture: the first quarter of 2025 (UTC), [2025-01-01, 2025-04-01). "Active at t": started_at ≤ t and no
ended_at or ended_at > t (``REGISTRY["churn_rate"].description``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest

from chatlift.metrics import REGISTRY
from chatlift.workspace import Workspace
from tests.metrics.fixtures import (
    EXPERIENCE_KEYS,
    SALES_KEYS,
    SERVICE_KEYS,
    VALUE_KEYS,
    Row,
    approx_interval,
    approx_row,
    by_group,
    newcombe,
    order_statistic_ranks,
    per_metric,
    quantile,
    ratio_of_totals,
    t_mean,
    wilson,
    workspace,
)

Q1 = {"start": date(2025, 1, 1), "end": date(2025, 4, 1), "timezone": "UTC"}

# At the start (2025-01-01 00:00) and the end (2025-04-01 00:00):
# b1  c1 active throughout, MRR 100                      → kept
# b2  c2 ends 02-15, MRR 50                              → lost
# b3  c3 ends exactly at the start                       → not active at the start: not counted
# b4  c4 starts exactly at the start, MRR 30             → active at the start, kept
# b5  c5 trial, open                                     → only with trials = true (kept, MRR 0)
# b6  c6 ends 03-31 12:00, MRR 200                       → lost
# b7  c7 ends 02-01, MRR 80; b8 c7 from 02-01, MRR 60    → kept (a new plan); MRR at the start 80
# b9  c8 starts 02-10                                    → not active at the start
# b10 c9 ends exactly at the end, MRR 20                 → not active at the end: lost
SUBSCRIPTIONS = """subscription_id,customer_id,started_at,ended_at,mrr,plan,trial
b1,c1,2024-06-01T00:00:00Z,,100,pro,false
b2,c2,2024-09-01T00:00:00Z,2025-02-15T00:00:00Z,50,basic,false
b3,c3,2024-12-01T00:00:00Z,2025-01-01T00:00:00Z,40,basic,false
b4,c4,2025-01-01T00:00:00Z,,30,basic,false
b5,c5,2024-12-20T00:00:00Z,,0,pro,true
b6,c6,2024-05-01T00:00:00Z,2025-03-31T12:00:00Z,200,pro,false
b7,c7,2024-05-01T00:00:00Z,2025-02-01T00:00:00Z,80,pro,false
b8,c7,2025-02-01T00:00:00Z,,60,basic,false
b9,c8,2025-02-10T00:00:00Z,,70,basic,false
b10,c9,2024-01-01T00:00:00Z,2025-04-01T00:00:00Z,20,basic,false
"""
# Chats in the quarter: c2 and c1 (chat); c6 only e-mails; c9 chatted in December, before the quarter.
CONVERSATIONS = """conversation_id,channel,started_at,customer_id
h1,chat,2025-01-10T10:00:00Z,c2
h2,chat,2025-02-01T10:00:00Z,c1
h3,email,2025-01-15T10:00:00Z,c6
h4,chat,2024-12-15T10:00:00Z,c9
"""
# p4 comes after the quarter; c3 (p5) bought only before it; v1 is an anonymous visitor; p7 is a quote.
ORDERS = """order_id,ordered_at,amount,currency,customer_id,visitor_id,kind
p1,2024-11-01T10:00:00Z,100,EUR,c1,,purchase
p2,2025-02-01T10:00:00Z,50,EUR,c1,,purchase
p3,2025-03-01T10:00:00Z,80,EUR,c2,,purchase
p4,2025-04-10T10:00:00Z,500,EUR,c2,,purchase
p5,2024-10-01T10:00:00Z,70,EUR,c3,,purchase
p6,2025-01-20T10:00:00Z,40,EUR,,v1,purchase
p7,2025-01-05T10:00:00Z,1000,EUR,c4,,quote
"""

# Active at the start: c1 c2 c4 c6 c7 c9; lost: c2 c6 c9.
MRR_AT_START = [100.0, 50.0, 30.0, 200.0, 80.0, 20.0]  # c1 c2 c4 c6 c7 c9
MRR_LOST = [0.0, 50.0, 0.0, 200.0, 0.0, 20.0]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    tables = {"subscriptions": SUBSCRIPTIONS, "conversations": CONVERSATIONS, "orders": ORDERS}
    with workspace(tmp_path_factory.mktemp("value"), tables) as w:
        yield w


@pytest.fixture(scope="module")
def quarter(ws: Workspace) -> dict[str, Row]:
    return per_metric(ws, VALUE_KEYS, **Q1)


def test_churn_rate(quarter: dict[str, Row]) -> None:
    # 3 lost of 6 active at the start (boundaries: b3 ends at the start, b4 starts at it, b10 ends at the end).
    approx_interval(quarter["churn_rate"], wilson(3, 6), 6)


def test_churn_with_trials(ws: Workspace) -> None:
    # trials = true: c5's trial is active at the start and the end → 3 lost of 7. Its MRR is 0, so revenue
    # churn stays 270/480 over 7 customers.
    got = per_metric(ws, ["churn_rate", "revenue_churn"], **Q1,
                     params={"churn_rate": {"trials": True}, "revenue_churn": {"trials": True}})
    approx_row(got["churn_rate"], 3 / 7, 7)
    approx_interval(got["revenue_churn"], ratio_of_totals([*MRR_LOST, 0.0], [*MRR_AT_START, 0.0]), 7)


def test_revenue_churn_with_ratio_of_totals(quarter: dict[str, Row]) -> None:
    # Lost MRR 50 + 200 + 20 = 270 of 480 → 0.5625; residuals y − 0.5625·x: −56.25, 21.875, −16.875, 87.5,
    # −45, 8.75; Σe² = 13685.16, s² = Σe²/5 = 2737.03, se = √(s²/6)/80 = 21.358/80 = 0.2670
    # → 0.5625 ± 1.96 · 0.2670 = 0.5625 ± 0.5233.
    expected = ratio_of_totals(MRR_LOST, MRR_AT_START)
    assert expected[0] == pytest.approx(270 / 480)
    assert expected[2] - expected[0] == pytest.approx(0.5233, abs=1e-4)
    approx_interval(quarter["revenue_churn"], expected, 6)


def test_churn_by_chatted(ws: Workspace) -> None:
    # Chatted in the quarter: c1 (kept), c2 (lost) → 1 of 2; the others c4 c6 c7 c9 → c6, c9 lost: 2 of 4.
    got = by_group(ws, "churn_rate", ["chatted"], **Q1)
    approx_interval(got[("yes",)], wilson(1, 2), 2)
    approx_interval(got[("no",)], wilson(2, 4), 4)


def test_clv(quarter: dict[str, Row]) -> None:
    # People with a purchase in the quarter: c1 (p2), c2 (p3), v1 (p6). Their purchases up to the quarter's
    # end: c1 100 + 50 = 150, c2 80 (p4 is later), v1 40 → mean 270/3 = 90; c3 bought only before.
    expected = t_mean([150.0, 80.0, 40.0])
    assert expected[0] == pytest.approx(90.0)
    approx_interval(quarter["clv"], expected, 3)


def test_clv_with_quotes(ws: Workspace) -> None:
    # kinds purchase + quote: c4's quote (1000) makes c4 a buyer too → (150 + 80 + 40 + 1000)/4 = 317.5.
    row = per_metric(ws, ["clv"], **Q1, params={"clv": {"kinds": ("purchase", "quote")}})["clv"]
    approx_interval(row, t_mean([150.0, 80.0, 40.0, 1000.0]), 4)


def test_clv_by_chatted(ws: Workspace) -> None:
    # Chatters c1 150, c2 80 → 115; others v1 40 (one person: no interval).
    got = by_group(ws, "clv", ["chatted"], **Q1)
    approx_interval(got[("yes",)], t_mean([150.0, 80.0]), 2)
    approx_row(got[("no",)], 40.0, 1)
    assert (got[("no",)]["lower"], got[("no",)]["upper"]) == (None, None)


def test_empty_period_has_no_value(ws: Workspace) -> None:
    # Q1 2020: no subscription is active at the start, nobody buys.
    got = per_metric(ws, VALUE_KEYS, start=date(2020, 1, 1), end=date(2020, 4, 1), timezone="UTC")
    for key in VALUE_KEYS:
        row = got[key]
        assert (key, row["value"], row["lower"], row["upper"], row["n"]) == (key, None, None, None, 0)


# --- guards for the whole hand-worked set ------------------------------------------------------------


def test_every_registry_metric_has_a_hand_worked_test() -> None:
    covered = [*SALES_KEYS, *SERVICE_KEYS, *EXPERIENCE_KEYS, *VALUE_KEYS]
    assert len(covered) == len(set(covered))
    assert set(covered) == set(REGISTRY)


def test_hand_formulas_reproduce_published_examples() -> None:
    # Wilson score interval, Newcombe (1998, Stat Med 17:857), Table I, method 3.
    assert wilson(81, 263)[1:] == pytest.approx((0.2553, 0.3662), abs=1e-4)
    assert wilson(15, 148)[1:] == pytest.approx((0.0624, 0.1605), abs=1e-4)
    assert wilson(0, 20)[1:] == pytest.approx((0.0, 0.1611), abs=1e-4)
    assert wilson(1, 29)[1:] == pytest.approx((0.0061, 0.1718), abs=1e-4)
    # Newcombe (1998, Stat Med 17:873), Table II, method 10: 56/70 − 48/80 and 9/10 − 3/10.
    assert newcombe(56, 70, 48, 80) == pytest.approx((0.2, 0.0524, 0.3339), abs=1e-4)
    assert newcombe(9, 10, 3, 10) == pytest.approx((0.6, 0.1705, 0.8090), abs=1e-4)
    # Campbell & Gardner: the median of 40 values lies between the 14th and the 27th (95 %).
    assert order_statistic_ranks(40, 0.5) == (14, 27)
    # Quantiles: numpy's default (linear, type 7) on an unsorted sample.
    sample = [7.0, 1.0, 30.0, 4.0, 4.0, 12.0, 90.0]
    for q in (0.5, 0.9, 0.25):
        assert quantile(sample, q) == pytest.approx(float(np.percentile(sample, 100 * q)))
    # t mean: 1, 2, 3, 4 → 2.5 ± t(0.975, 3) · √(5/3)/2 = 2.5 ± 3.18245 · 0.64550 = 2.5 ± 2.0543.
    assert t_mean([1.0, 2.0, 3.0, 4.0]) == pytest.approx((2.5, 2.5 - 2.0543, 2.5 + 2.0543), abs=1e-4)
