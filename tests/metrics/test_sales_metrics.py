"""Chat effectiveness metrics (catalogue 1–4, 19) against values worked out by hand from their definitions.

The fixture is one January 2025 (UTC) of a small shop. Every expected number below is derived in the
comments from the rows listed here and the definitions in ``REGISTRY[key].description`` and
``chatlift.metrics.attribution`` (window [start, start + window); an order goes, per channel, to the last
conversation that started within the window before it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from chatlift.metrics import REGISTRY
from chatlift.workspace import Workspace
from tests.metrics.fixtures import (
    SALES_KEYS,
    Row,
    approx_interval,
    approx_row,
    by_group,
    one,
    per_metric,
    ratio_of_means,
    ratio_of_totals,
    share_times_mean,
    t_mean,
    wilson,
    workspace,
)

JAN, FEB, MAR = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
JANUARY = {"start": JAN, "end": FEB, "timezone": "UTC"}

# People: u1 chats twice (k1, k2) and then buys once; u2 buys at the very instant k3 starts; v3 is an
# anonymous visitor who buys exactly 7 days after k4; u4 buys the day *before* k5; u5 sends a quote
# request; u6 only e-mails; u7 never chats; k8 has no person at all; u8 chats and buys in February.
CONVERSATIONS = """conversation_id,channel,started_at,customer_id,visitor_id,agent_id,tags
k1,chat,2025-01-05T10:00:00Z,u1,,ag1,vip
k2,chat,2025-01-06T10:00:00Z,u1,,ag2,
k3,chat,2025-01-10T12:00:00Z,u2,,ag1,
k4,chat,2025-01-12T09:00:00Z,,v3,ag2,vip;billing
k5,chat,2025-01-15T08:00:00Z,u4,,ag1,billing
k6,chat,2025-01-20T10:00:00Z,u5,,ag2,
k7,email,2025-01-08T10:00:00Z,u6,,ag3,
k8,chat,2025-01-09T10:00:00Z,,,ag1,
k9,phone,2025-01-09T10:00:00Z,u2,,ag3,
k10,chat,2025-02-03T10:00:00Z,u8,,ag1,
"""
ORDERS = """order_id,ordered_at,amount,currency,customer_id,visitor_id,kind
o1,2025-01-07T10:00:00Z,120,EUR,u1,,purchase
o2,2025-01-10T12:00:00Z,90,EUR,u2,,purchase
o3,2025-01-19T09:00:00Z,30,EUR,,v3,purchase
o4,2025-01-14T08:00:00Z,80,EUR,u4,,purchase
o5,2025-01-22T10:00:00Z,30,EUR,u5,,quote
o6,2025-01-09T10:00:00Z,50,EUR,u6,,purchase
o7,2025-01-25T10:00:00Z,40,EUR,u7,,purchase
o8,2025-02-04T10:00:00Z,70,EUR,u8,,purchase
"""
GOALS = """goal_id,name,at,customer_id,visitor_id
g1,trial_started,2025-01-16T08:00:00Z,u4,
g2,signup,2025-01-13T09:00:00Z,,v3
"""
VISITS = """visit_id,visitor_id,started_at,customer_id
w1,v10,2025-01-03T10:00:00Z,
w2,v11,2025-01-24T10:00:00Z,u7
w3,v12,2025-01-05T09:00:00Z,u1
w4,v13,2025-02-10T10:00:00Z,
"""
# Carts (first add in January unless said): A u1 adds 2 + 1, removes 1, checks out 2 the next day;
# B u2 checks out 8 days after its add; C u7 adds 4, checks out 3; D v9 adds 1 (empty quantity = 1) and
# never checks out; G u4 adds 2, checks out 2; E's first add is in December; F has a checkout but no add.
CART_EVENTS = """cart_id,at,action,customer_id,visitor_id,quantity
A,2025-01-05T09:00:00Z,add,u1,,2
A,2025-01-05T09:05:00Z,add,u1,,1
A,2025-01-05T09:06:00Z,remove,u1,,1
A,2025-01-06T10:00:00Z,checkout,u1,,2
B,2025-01-11T10:00:00Z,add,u2,,1
B,2025-01-19T10:00:00Z,checkout,u2,,1
C,2025-01-20T10:00:00Z,add,u7,,4
C,2025-01-21T10:00:00Z,checkout,u7,,3
D,2025-01-25T10:00:00Z,add,,v9,
G,2025-01-16T10:00:00Z,add,u4,,2
G,2025-01-17T10:00:00Z,checkout,u4,,2
E,2024-12-30T10:00:00Z,add,u3,,2
E,2025-01-02T10:00:00Z,checkout,u3,,2
F,2025-01-26T10:00:00Z,checkout,u7,,1
"""

# Hand-worked January, channel chat, default window 7 days and kinds purchase + quote.
# Chat conversations with a person: k1 k2 k3 k4 k5 k6 (k8 has neither id: left out) → n = 6.
#   k1 [01-05 10:00, 01-12 10:00): o1 (01-07)            → converted
#   k2 [01-06 10:00, 01-13 10:00): o1 (01-07)            → converted (the same order converts both)
#   k3 [01-10 12:00, 01-17 12:00): o2 at exactly 12:00   → converted (the start is included)
#   k4 [01-12 09:00, 01-19 09:00): o3 at exactly 01-19 09:00 → not (the end is excluded)
#   k5 [01-15 08:00, 01-22 08:00): o4 was on 01-14, before → not
#   k6 [01-20 10:00, 01-27 10:00): o5, a quote           → converted
CONVERTED, CHATS = 4, 6
# Attribution (orders placed in January): o1 → k2 (the later of u1's chats), o2 → k3, o5 → k6.
CHAT_ORDERS = [120.0, 90.0, 30.0]
# Not attributed to a chat: o3 (window end), o4 (before the chat), o6 (e-mail only), o7 (no chat).
OTHER_ORDERS = [30.0, 80.0, 50.0, 40.0]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    tables = {"conversations": CONVERSATIONS, "orders": ORDERS, "goals": GOALS, "visits": VISITS,
              "cart_events": CART_EVENTS}
    with workspace(tmp_path_factory.mktemp("sales"), tables) as w:
        yield w


@pytest.fixture(scope="module")
def january(ws: Workspace) -> dict[str, Row]:
    """Every sales metric for January with default parameters, from one report."""
    return per_metric(ws, SALES_KEYS, **JANUARY)


@pytest.fixture(scope="module")
def no_orders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """Three January chats and an empty orders table."""
    text = """conversation_id,channel,started_at,customer_id
n1,chat,2025-01-05T10:00:00Z,u1
n2,chat,2025-01-06T10:00:00Z,u2
n3,chat,2025-01-07T10:00:00Z,u1
"""
    with workspace(tmp_path_factory.mktemp("no_orders"), {"conversations": text}) as w:
        yield w


# --- chat_conversion_rate ----------------------------------------------------------------------------


def test_chat_conversion_rate_with_wilson_interval(january: dict[str, Row]) -> None:
    # 4 of 6 → 0.6667; Wilson: centre (4 + 1.9208)/(6 + 3.8415) = 0.6016, half 1.96·√(4·2/6 + 0.9604)/9.8415
    # = 0.2767 → 0.3000 to 0.9032.
    approx_interval(january["chat_conversion_rate"], wilson(CONVERTED, CHATS), CHATS)
    assert wilson(4, 6)[1] == pytest.approx(0.3000, abs=1e-4)
    assert wilson(4, 6)[2] == pytest.approx(0.9032, abs=1e-4)


@pytest.fixture(scope="module")
def conversion_by_day(ws: Workspace) -> dict[tuple[str | None, ...], Row]:
    return by_group(ws, "chat_conversion_rate", ["day"], **JANUARY)


def test_conversion_window_boundaries_exactly(conversion_by_day: dict[tuple[str | None, ...], Row]) -> None:
    # By day of the conversation's start (one chat a day): k3 (order at its very start) converts; k4 (order
    # exactly 7 days later) does not; k1 and k2 both convert on the same order o1 (conversion is per
    # conversation, attribution is not).
    got = conversion_by_day
    expected = {"2025-01-05": 1.0, "2025-01-06": 1.0, "2025-01-10": 1.0, "2025-01-12": 0.0,
                "2025-01-15": 0.0, "2025-01-20": 1.0}
    assert {k[0]: (r["value"], r["n"]) for k, r in got.items()} == {d: (v, 1) for d, v in expected.items()}


def test_one_person_with_many_chats_converts_per_conversation(
        conversion_by_day: dict[tuple[str | None, ...], Row]) -> None:
    # u1's two chats k1 (01-05) and k2 (01-06) are two conversations, and both convert on o1: the rate counts
    # conversations, not people (u1 alone gives 2 of the 4 conversions out of 6).
    approx_row(conversion_by_day[("2025-01-05",)], 1.0, 1)
    approx_row(conversion_by_day[("2025-01-06",)], 1.0, 1)
    assert sum(r["n"] for r in conversion_by_day.values()) == CHATS


def test_a_longer_window_takes_the_boundary_order(ws: Workspace) -> None:
    # window 8 days: k4's window ends 01-20 09:00, so o3 (01-19 09:00) converts it → 5 of 6.
    row = one(ws, "chat_conversion_rate", **JANUARY, params={"chat_conversion_rate": {"window": 8}})
    approx_row(row, 5 / 6, 6)


def test_order_before_the_chat_is_no_conversion(conversion_by_day: dict[tuple[str | None, ...], Row]) -> None:
    # u4 bought on 01-14 and chatted (k5) on 01-15: k5 did not convert. (o4 is not attributed either: it is
    # one of the orders without chat in test_other_order_value, and no chat order in test_chat_order_value.)
    approx_row(conversion_by_day[("2025-01-15",)], 0.0, 1)


def test_conversion_kinds_and_goals(ws: Workspace) -> None:
    # Purchases only: k6's quote no longer counts → 3 of 6.
    purchases = one(ws, "chat_conversion_rate", **JANUARY,
                    params={"chat_conversion_rate": {"kinds": ("purchase",)}})
    approx_row(purchases, 3 / 6, 6)
    # Goal trial_started counts too: u4 started a trial on 01-16, within k5's window → 5 of 6. v3's
    # "signup" (in k4's window) is not a named goal and does not count.
    goals = one(ws, "chat_conversion_rate", **JANUARY,
                params={"chat_conversion_rate": {"goals": ("trial_started",)}})
    approx_row(goals, 5 / 6, 6)


def test_conversion_by_channel_and_channel_filter(ws: Workspace) -> None:
    # email: k7 (u6, 01-08 10:00) → o6 on 01-09: 1 of 1; phone: k9 (u2, 01-09 10:00) → o2 on 01-10: 1 of 1.
    got = by_group(ws, "chat_conversion_rate", ["channel"], **JANUARY)
    assert {k: (r["value"], r["n"]) for k, r in got.items()} == {
        ("chat",): (pytest.approx(4 / 6), 6), ("email",): (1.0, 1), ("phone",): (1.0, 1)}
    kept = by_group(ws, "chat_conversion_rate", ["channel"], **JANUARY, filters={"channel": ("chat", "phone")})
    assert sorted(kept) == [("chat",), ("phone",)]


def test_conversion_with_tag_filter(ws: Workspace) -> None:
    # vip: k1 (converted), k4 (not) → 1 of 2; billing: k4, k5 → 0 of 2; either tag: k1, k4, k5 → 1 of 3.
    approx_row(one(ws, "chat_conversion_rate", **JANUARY, filters={"tag": ("vip",)}), 1 / 2, 2)
    approx_row(one(ws, "chat_conversion_rate", **JANUARY, filters={"tag": ("billing",)}), 0.0, 2)
    approx_row(one(ws, "chat_conversion_rate", **JANUARY, filters={"tag": ("vip", "billing")}), 1 / 3, 3)


def test_compare_with_the_previous_period(ws: Workspace) -> None:
    # February (28 days): k10 (u8, 02-03) → o8 on 02-04: 1 of 1. The previous period of equal length is
    # [2025-01-04, 2025-02-01), which holds all six January chats: 4 of 6. change = 1 − 4/6 = 1/3.
    row = one(ws, "chat_conversion_rate", start=FEB, end=MAR, timezone="UTC", compare=True)
    approx_row(row, 1.0, 1)
    assert row["previous_value"] == pytest.approx(4 / 6)
    assert row["previous_n"] == 6
    assert row["change"] == pytest.approx(1 - 4 / 6)


# --- order value -------------------------------------------------------------------------------------


def test_chat_order_value_with_t_interval(january: dict[str, Row]) -> None:
    # 120, 90, 30: mean 80; s² = (40² + 10² + 50²)/2 = 2100; se = √(2100/3) = 26.458;
    # t(0.975, 2) = 4.303 → 80 ± 113.84.
    expected = t_mean(CHAT_ORDERS)
    assert expected[0] == pytest.approx(80.0)
    assert expected[2] - expected[0] == pytest.approx(4.302653 * (2100 / 3) ** 0.5, rel=1e-6)
    approx_interval(january["chat_order_value"], expected, 3)


def test_other_order_value(january: dict[str, Row]) -> None:
    # 30, 80, 50, 40: mean 200/4 = 50.
    approx_interval(january["other_order_value"], t_mean(OTHER_ORDERS), 4)


def test_order_value_uplift_with_delta_method(january: dict[str, Row]) -> None:
    # R = 80 / 50 = 1.6; Var(mean_a) = 2100/3 = 700, Var(mean_b) = s²/4 with s² = (20² + 30² + 0² + 10²)/3
    # = 466.67 → 116.67; se = 1.6 √(700/80² + 116.67/50²) = 1.6 · 0.3984 = 0.6375 → 1.6 ± 1.2494.
    expected = ratio_of_means(CHAT_ORDERS, OTHER_ORDERS)
    assert expected[0] == pytest.approx(1.6)
    approx_interval(january["order_value_uplift"], expected, 3 + 4)


def test_attribution_goes_to_the_last_chat_only(ws: Workspace) -> None:
    # u1 chatted with ag1 (k1) and then ag2 (k2) before o1: only k2 gets it. ag1 keeps o2 (k3);
    # ag2 has o1 (k2) and o5 (k6): mean (120 + 30)/2 = 75.
    got = by_group(ws, "chat_order_value", ["agent"], **JANUARY)
    approx_row(got[("ag1",)], 90.0, 1)
    approx_row(got[("ag2",)], 75.0, 2)


def test_attribution_ignores_filters_on_the_earlier_chat(ws: Workspace) -> None:
    # Tag vip keeps k1 and k4. o1 belongs to k2 (the last chat), not to k1, whatever the filter; o3 is
    # outside k4's window → no attributed order: no value.
    approx_row(one(ws, "chat_order_value", **JANUARY, filters={"tag": ("vip",)}), None, 0)


def test_longer_window_attributes_the_boundary_order(ws: Workspace) -> None:
    # window 8: o3 (30) now belongs to k4 → chat orders 120, 90, 30, 30: mean 67.5.
    row = one(ws, "chat_order_value", **JANUARY, params={"chat_order_value": {"window": 8}})
    approx_row(row, 67.5, 4)


def test_chat_customer_value_with_product_delta_method(january: dict[str, Row]) -> None:
    # p = 4/6, m = 80: 53.33. Var ≈ m² p(1−p)/n + p² s²/n_m = 6400 · (2/9)/6 + (4/9) · 700 = 237.04 + 311.11
    # = 548.15, se = 23.41 → 53.33 ± 45.89.
    expected = share_times_mean(CONVERTED, CHATS, CHAT_ORDERS)
    assert expected[0] == pytest.approx(160 / 3)
    assert expected[2] - expected[0] == pytest.approx(1.959964 * (6400 * 2 / 54 + 4 / 9 * 700) ** 0.5, rel=1e-6)
    row = january["chat_customer_value"]
    assert (row["value"], row["lower"], row["upper"]) == pytest.approx(expected)


def test_no_orders_at_all(no_orders: Workspace) -> None:
    # Three chats, nothing bought: conversion 0 of 3 (Wilson 0 to 0.5615); no order, so no order value.
    got = per_metric(no_orders, ["chat_conversion_rate", "chat_order_value", "other_order_value"], **JANUARY)
    approx_interval(got["chat_conversion_rate"], wilson(0, 3), 3)
    assert wilson(0, 3)[2] == pytest.approx(0.5615, abs=1e-4)
    approx_row(got["chat_order_value"], None, 0)
    approx_row(got["other_order_value"], None, 0)


# --- carts -------------------------------------------------------------------------------------------

# Carts with a first add in January: A, B, C, D, G (E started in December; F has no add).
# Checked out within 7 days of the first add: A (1 day), C (1 day), G (1 day); B after 8 days: abandoned.
# Chatters in January (a chat conversation started): u1, u2, v3, u4, u5 → A, B, G are chatters' carts.
CART_Y = [2.0, 0.0, 3.0, 0.0, 2.0]  # items checked out in time: A 2, B 0 (late), C 3, D 0, G 2
CART_X = [3.0, 1.0, 4.0, 1.0, 2.0]  # items added (removals not subtracted): A 2 + 1, B 1, C 4, D 1, G 2


def test_cart_abandonment(january: dict[str, Row]) -> None:
    # B and D abandoned: 2 of 5.
    approx_interval(january["cart_abandonment"], wilson(2, 5), 5)


def test_cart_abandonment_by_chatted(ws: Workspace) -> None:
    # chatted: A, B, G → 1 of 3; others: C, D → 1 of 2.
    got = by_group(ws, "cart_abandonment", ["chatted"], **JANUARY)
    approx_interval(got[("yes",)], wilson(1, 3), 3)
    approx_interval(got[("no",)], wilson(1, 2), 2)


def test_cart_completion_with_ratio_of_totals(january: dict[str, Row]) -> None:
    # 7 / 11 = 0.6364; residuals y − R x: 2 − 1.909, 0 − 0.636, 3 − 2.545, 0 − 0.636, 2 − 1.273;
    # s² = Σ e² / 4, se = √(s²/5) / (11/5).
    expected = ratio_of_totals(CART_Y, CART_X)
    assert expected[0] == pytest.approx(7 / 11)
    approx_interval(january["cart_completion"], expected, 5)


def test_cart_window_parameter(ws: Workspace) -> None:
    # window 10: B's checkout after 8 days counts → abandoned only D: 1 of 5; completion (7 + 1)/11.
    got = per_metric(ws, ["cart_abandonment", "cart_completion"], **JANUARY,
                     params={"cart_abandonment": {"window": 10}, "cart_completion": {"window": 10}})
    approx_row(got["cart_abandonment"], 1 / 5, 5)
    approx_row(got["cart_completion"], 8 / 11, 5)


# --- chatter_value_ratio -----------------------------------------------------------------------------


def test_chatter_value_ratio(january: dict[str, Row]) -> None:
    # Seen in January (visit, order or conversation) with their January purchases (quotes are not revenue):
    # chatters u1 120, u2 90, v3 30, u4 80, u5 0 (a quote) → mean 320/5 = 64;
    # others u6 50 (order, e-mail), u7 40 (order, visit), v10 0 (visit) → mean 90/3 = 30.
    # v9 only has a cart, u8 and v13 are seen in February: not counted. R = 64/30 = 2.1333.
    expected = ratio_of_means([120.0, 90.0, 30.0, 80.0, 0.0], [50.0, 40.0, 0.0])
    assert expected[0] == pytest.approx(64 / 30)
    row = january["chatter_value_ratio"]
    assert (row["value"], row["lower"], row["upper"]) == pytest.approx(expected)


# --- every sales metric ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_period(ws: Workspace) -> dict[str, Row]:
    return per_metric(ws, SALES_KEYS, start=date(2020, 1, 1), end=date(2020, 2, 1), timezone="UTC")


@pytest.mark.parametrize("key", SALES_KEYS)
def test_empty_period_has_no_value(empty_period: dict[str, Row], key: str) -> None:
    # Nothing happened in January 2020: no value, no interval, n = 0.
    assert key in REGISTRY
    row = empty_period[key]
    assert (row["value"], row["lower"], row["upper"], row["n"]) == (None, None, None, 0)
