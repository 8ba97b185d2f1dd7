"""Speed and service metrics (catalogue 5, 12–18) against values worked out by hand from their definitions.

Main fixture: May 2025 (UTC), twelve conversations s1…s12. The definitions are ``REGISTRY[key].description``
and the module docstring of ``chatlift.metrics.timings`` (first response = first_response_at, else the
first agent message, never bot or system; hand-off = last bot message before the first response;
resolution = resolved_at, else the last message of a resolved conversation; reopened = a customer wrote
after the resolution). Two more fixtures: forty conversations for the median's order-statistic interval,
and a handful around the 2025-03-30 change to summer time in Europe/Amsterdam.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest

from chatlift.metrics import REGISTRY
from chatlift.workspace import Workspace
from tests.metrics.fixtures import (
    SERVICE_KEYS,
    Row,
    approx_interval,
    approx_row,
    by_group,
    newcombe,
    one,
    order_statistic_ranks,
    per_metric,
    quantile,
    quantile_interval,
    t_mean,
    wilson,
    workspace,
)

MAY = {"start": date(2025, 5, 1), "end": date(2025, 6, 1), "timezone": "UTC"}

# s1  chat   u1  first_response_at +30 s, resolved_at +600 s; u1 chats again (s4) 3 days later.
# s2  chat   u2  no first_response_at: customer 10:00:00, bot 10:00:05, bot 10:00:50 (the hand-off),
#                agent 10:01:30 (first response, +90 s), customer 10:02, agent 10:03; resolved_at +300 s.
# s3  chat   u3  customer, then only a bot and a system message: no first response; unresolved.
# s4  chat   u1  first_response_at +300 s, resolved_at +3600 s.
# s5  chat   u4  customer 08:00:10, agent 08:01:00 (+60 s), resolved_at 08:20, customer again 08:30: reopened.
# s6  email  u5  first_response_at +600 s; unresolved.
# s7  phone  u6  first_response_at +20 s, resolved_at +600 s; no messages.
# s8  chat   u2  open, first_response_at +45 s (14 days after s2: no follow-up of it).
# s9  chat   v7  status missed, no messages.
# s10 chat   v8  proactive (initiated_by agent): customer 10:01:00, agent 10:01:30 (+90 s); resolved, no
#                resolved_at → resolved at its last message, +90 s.
# s11 chat   v9  proactive, no messages, no status: a declined invitation.
# s12 chat   u9  proactive, no messages, resolved_at +1800 s: accepted (it got a status).
CONVERSATIONS = """conversation_id,channel,started_at,customer_id,visitor_id,agent_id,team,status,\
first_response_at,resolved_at,initiated_by
s1,chat,2025-05-05T10:00:00Z,u1,,ag1,a,resolved,2025-05-05T10:00:30Z,2025-05-05T10:10:00Z,customer
s2,chat,2025-05-06T10:00:00Z,u2,,ag2,a,resolved,,2025-05-06T10:05:00Z,customer
s3,chat,2025-05-07T09:00:00Z,u3,,,a,unresolved,,,customer
s4,chat,2025-05-08T12:00:00Z,u1,,ag1,b,resolved,2025-05-08T12:05:00Z,2025-05-08T13:00:00Z,
s5,chat,2025-05-10T08:00:00Z,u4,,ag2,b,resolved,,2025-05-10T08:20:00Z,
s6,email,2025-05-12T09:00:00Z,u5,,ag3,c,unresolved,2025-05-12T09:10:00Z,,
s7,phone,2025-05-13T14:00:00Z,u6,,ag3,c,resolved,2025-05-13T14:00:20Z,2025-05-13T14:10:00Z,
s8,chat,2025-05-20T16:00:00Z,u2,,ag1,a,open,2025-05-20T16:00:45Z,,
s9,chat,2025-05-21T10:00:00Z,,v7,,a,missed,,,
s10,chat,2025-05-22T10:00:00Z,,v8,ag2,a,resolved,,,agent
s11,chat,2025-05-22T11:00:00Z,,v9,ag2,a,,,,agent
s12,chat,2025-05-23T10:00:00Z,u9,,ag1,a,resolved,,2025-05-23T10:30:00Z,agent
"""
MESSAGES = """message_id,conversation_id,sender,sent_at
m1,s2,customer,2025-05-06T10:00:00Z
m2,s2,bot,2025-05-06T10:00:05Z
m3,s2,bot,2025-05-06T10:00:50Z
m4,s2,agent,2025-05-06T10:01:30Z
m5,s2,customer,2025-05-06T10:02:00Z
m6,s2,agent,2025-05-06T10:03:00Z
m7,s3,customer,2025-05-07T09:00:00Z
m8,s3,bot,2025-05-07T09:00:10Z
m9,s3,system,2025-05-07T09:00:20Z
m10,s5,customer,2025-05-10T08:00:10Z
m11,s5,agent,2025-05-10T08:01:00Z
m12,s5,customer,2025-05-10T08:30:00Z
m13,s10,customer,2025-05-22T10:01:00Z
m14,s10,agent,2025-05-22T10:01:30Z
"""
# q1: u1 buys within s1's window (but before s4 starts); q2: u9 buys the day after s12.
ORDERS = """order_id,ordered_at,amount,currency,customer_id,kind
q1,2025-05-06T09:00:00Z,100,EUR,u1,purchase
q2,2025-05-24T10:00:00Z,50,EUR,u9,purchase
"""

# First responses, clock at the start: s1 30, s2 90, s4 300, s5 60, s6 600, s7 20, s8 45, s10 90 (s3, s9,
# s11 and s12 have none).
FIRST_RESPONSES = [30.0, 90.0, 300.0, 60.0, 600.0, 20.0, 45.0, 90.0]
# Clock at the hand-off: only s2 had a bot before its first response: 10:01:30 − 10:00:50 = 40 s.
FIRST_RESPONSES_HANDOFF = [30.0, 40.0, 300.0, 60.0, 600.0, 20.0, 45.0, 90.0]
# Resolutions: s1 600, s2 300, s4 3600, s5 1200, s7 600, s10 90 (last message), s12 1800.
RESOLUTIONS = [600.0, 300.0, 3600.0, 1200.0, 600.0, 90.0, 1800.0]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    tables = {"conversations": CONVERSATIONS, "messages": MESSAGES, "orders": ORDERS}
    with workspace(tmp_path_factory.mktemp("service"), tables) as w:
        yield w


@pytest.fixture(scope="module")
def may(ws: Workspace) -> dict[str, Row]:
    """Every service metric but channel_mix (which needs a channel breakdown) for May, default parameters."""
    return per_metric(ws, [k for k in SERVICE_KEYS if k != "channel_mix"], **MAY)


# --- resolution --------------------------------------------------------------------------------------


def test_resolution_rate(may: dict[str, Row]) -> None:
    # Final statuses: s1 R, s2 R, s3 U, s4 R, s5 R, s6 U, s7 R, s9 M, s10 R, s12 R (s8 open, s11 none)
    # → 7 of 10; Wilson 0.3968 to 0.8922.
    approx_interval(may["resolution_rate"], wilson(7, 10), 10)
    assert wilson(7, 10)[1:] == pytest.approx((0.3968, 0.8922), abs=1e-4)


def test_resolution_rate_by_channel(ws: Workspace) -> None:
    # chat: s1 s2 s3 s4 s5 s9 s10 s12 → 6 of 8; email: s6 → 0 of 1; phone: s7 → 1 of 1.
    got = by_group(ws, "resolution_rate", ["channel"], **MAY)
    assert {k: (r["value"], r["n"]) for k, r in got.items()} == {
        ("chat",): (0.75, 8), ("email",): (0.0, 1), ("phone",): (1.0, 1)}


def test_fcr_rate(may: dict[str, Row]) -> None:
    # Of the 10 with a final status (all with a person):
    #   s1 fails (u1's s4 starts 3 days after its resolution), s3 s6 s9 fail (not resolved),
    #   s5 fails (reopened: the customer wrote at 08:30, after the resolution at 08:20);
    #   s2 (s8 is 14 days later), s4, s7, s10, s12 pass → 5 of 10.
    approx_interval(may["fcr_rate"], wilson(5, 10), 10)


def test_fcr_of_a_resolved_conversation_without_messages(ws: Workspace) -> None:
    # A resolved conversation with no messages has no customer message after its resolution, so it is not
    # reopened: phone s7 (no follow-up) passes → 1 of 1; chat: s2 s4 s10 s12 pass of s1 s2 s3 s4 s5 s9 s10
    # s12 → 4 of 8; email s6 (unresolved) → 0 of 1.
    got = by_group(ws, "fcr_rate", ["channel"], **MAY)
    assert {k: (r["value"], r["n"]) for k, r in got.items()} == {
        ("chat",): (0.5, 8), ("email",): (0.0, 1), ("phone",): (1.0, 1)}


def test_reopened_conversation_fails_fcr_unless_ignored(ws: Workspace) -> None:
    # reopened = ignore: s5 passes too → 6 of 10 (the default, 5 of 10, is in test_fcr_rate).
    row = one(ws, "fcr_rate", **MAY, params={"fcr_rate": {"reopened": "ignore"}})
    approx_row(row, 6 / 10, 10)


def test_fcr_followup_window(ws: Workspace) -> None:
    # followup_window 2 days: s1 was resolved 05-05 10:10, s4 starts 05-08 12:00 (> 2 days later):
    # s1 passes → 6 of 10.
    row = one(ws, "fcr_rate", **MAY, params={"fcr_rate": {"followup_window": 2}})
    approx_row(row, 6 / 10, 10)


# --- timings -----------------------------------------------------------------------------------------


def test_first_response_time_mean(may: dict[str, Row]) -> None:
    # (30 + 90 + 300 + 60 + 600 + 20 + 45 + 90)/8 = 1235/8 = 154.375 s; t(0.975, 7) = 2.365.
    expected = t_mean(FIRST_RESPONSES)
    assert expected[0] == pytest.approx(1235 / 8)
    approx_interval(may["first_response_time"], expected, 8)


def test_first_response_time_median_and_p90(ws: Workspace) -> None:
    # Sorted: 20 30 45 60 90 90 300 600.
    # median: h = 7·0.5 + 1 = 4.5 → 60 + 0.5·(90 − 60) = 75; ranks 4 ∓ 1.96·√2 → 1.23 → 1 and 7.77 → 8:
    #   20 to 600.
    # p90: h = 7·0.9 + 1 = 7.3 → 300 + 0.3·(600 − 300) = 390; ranks 7.2 − 1.663 = 5.54 → 6 (90) and
    #   1 + 7.2 + 1.663 = 9.86 → 10, kept at 8 (600).
    assert quantile(FIRST_RESPONSES, 0.5) == 75.0 and quantile(FIRST_RESPONSES, 0.9) == pytest.approx(390.0)
    assert order_statistic_ranks(8, 0.5) == (1, 8) and order_statistic_ranks(8, 0.9) == (6, 8)
    median = one(ws, "first_response_time", **MAY, params={"first_response_time": {"statistic": "median"}})
    approx_interval(median, (75.0, 20.0, 600.0), 8)
    p90 = one(ws, "first_response_time", **MAY, params={"first_response_time": {"statistic": "p90"}})
    approx_interval(p90, (390.0, 90.0, 600.0), 8)


def test_first_response_time_from_the_handoff(ws: Workspace) -> None:
    # clock = handoff: s2 counts from its last bot message → 1185/8 = 148.125 s.
    row = one(ws, "first_response_time", **MAY, params={"first_response_time": {"clock": "handoff"}})
    expected = t_mean(FIRST_RESPONSES_HANDOFF)
    assert expected[0] == pytest.approx(1185 / 8)
    approx_interval(row, expected, 8)


def test_only_bot_replies_give_no_first_response_and_count_missed(ws: Workspace) -> None:
    # s3 (05-07) got a bot and a system message only: no first response (so no duration that day),
    # and the customer wrote without an agent reply: missed, 1 of 1.
    times = by_group(ws, "first_response_time", ["day"], **MAY)
    assert all(r["n"] == 0 for k, r in times.items() if k == ("2025-05-07",))
    assert sum(r["n"] for r in times.values()) == 8
    missed = by_group(ws, "missed_rate", ["day"], **MAY)
    approx_row(missed[("2025-05-07",)], 1.0, 1)


def test_resolution_time(may: dict[str, Row]) -> None:
    # (600 + 300 + 3600 + 1200 + 600 + 90 + 1800)/7 = 8190/7 = 1170 s.
    expected = t_mean(RESOLUTIONS)
    assert expected[0] == pytest.approx(1170.0)
    approx_interval(may["resolution_time"], expected, 7)


def test_resolution_time_median(ws: Workspace) -> None:
    # Sorted 90 300 600 600 1200 1800 3600: h = 6·0.5 + 1 = 4 → 600; ranks 3.5 ∓ 1.96·√1.75 = 0.91 → 1 and
    # 7.09 → 7: 90 to 3600.
    assert quantile_interval(RESOLUTIONS, 0.5) == (600.0, 90.0, 3600.0)
    row = one(ws, "resolution_time", **MAY, params={"resolution_time": {"statistic": "median"}})
    approx_interval(row, (600.0, 90.0, 3600.0), 7)


def test_sla_attainment(may: dict[str, Row]) -> None:
    # Due: the 8 first responses and s9 (missed, late). Within 120 s: s1 30, s2 90, s5 60, s7 20, s8 45,
    # s10 90 → 6 of 9 (s4 300, s6 600, s9 late).
    approx_interval(may["sla_attainment"], wilson(6, 9), 9)


def test_sla_attainment_target_and_handoff_clock(ws: Workspace) -> None:
    # target 50 s: s1 30, s7 20, s8 45 → 3 of 9; from the hand-off s2 takes 40 s and meets it too → 4 of 9.
    row = one(ws, "sla_attainment", **MAY, params={"sla_attainment": {"target": 50}})
    approx_row(row, 3 / 9, 9)
    row = one(ws, "sla_attainment", **MAY, params={"sla_attainment": {"target": 50, "clock": "handoff"}})
    approx_row(row, 4 / 9, 9)


def test_missed_rate(may: dict[str, Row]) -> None:
    # The customer wrote in s2, s3, s5, s10 (a customer message) and s9 (status missed, no messages);
    # no agent reply in s3 and s9 → 2 of 5. s1, s4, s6, s7, s8, s12 have no messages and are not missed.
    approx_interval(may["missed_rate"], wilson(2, 5), 5)


# --- people and channels -----------------------------------------------------------------------------


def test_questions_per_customer_counts_conversations(may: dict[str, Row]) -> None:
    # People: u1 (s1, s4) 2, u2 (s2, s8) 2, u3 u4 u5 u6 v7 v8 v9 u9 1 each → 12/10 = 1.2.
    values = [2.0, 2.0] + [1.0] * 8
    approx_interval(may["questions_per_customer"], t_mean(values), 10)


def test_questions_per_customer_counts_messages(ws: Workspace) -> None:
    # Customer messages per person: u2 2 (m1, m5), u3 1 (m7), u4 2 (m10, m12), v8 1 (m13), the other six
    # people 0 → 6/10 = 0.6.
    values = [2.0, 1.0, 2.0, 1.0] + [0.0] * 6
    row = one(ws, "questions_per_customer", **MAY, params={"questions_per_customer": {"count": "messages"}})
    approx_interval(row, t_mean(values), 10)


def test_channel_mix(ws: Workspace) -> None:
    # 12 conversations: chat 10, email 1, phone 1.
    got = by_group(ws, "channel_mix", ["channel"], **MAY)
    approx_interval(got[("chat",)], wilson(10, 12), 12)
    approx_interval(got[("email",)], wilson(1, 12), 12)
    approx_interval(got[("phone",)], wilson(1, 12), 12)


def test_proactive(may: dict[str, Row]) -> None:
    # Invitations s10 (customer replied), s11 (nothing), s12 (no messages but a status) → 2 of 3.
    approx_interval(may["proactive"], wilson(2, 3), 3)


def test_proactive_conversion_lift_with_newcombe_interval(may: dict[str, Row]) -> None:
    # Accepted invitations on chat: s10 (v8, no order), s12 (u9, q2 a day later) → 1 of 2.
    # Chats the customer started: s1 (q1 within its window), s2 s3 s4 (q1 came before s4) s5 s8 s9 → 1 of 7.
    # 1/2 − 1/7 = 0.3571, Newcombe's hybrid score interval from the two Wilson intervals.
    expected = newcombe(1, 2, 1, 7)
    assert expected[0] == pytest.approx(5 / 14)
    approx_interval(may["proactive_conversion_lift"], expected, 9)


# --- empty period ------------------------------------------------------------------------------------


def test_empty_period_has_no_value(ws: Workspace) -> None:
    # Nothing happened in January 2020: every metric has no value and n = 0; channel_mix has no channel.
    keys = [k for k in SERVICE_KEYS if k != "channel_mix"]
    got = per_metric(ws, keys, start=date(2020, 1, 1), end=date(2020, 2, 1), timezone="UTC")
    assert set(got) == set(keys) and set(keys) <= set(REGISTRY)
    for row in got.values():
        assert (row["metric"], row["value"], row["lower"], row["upper"], row["n"]) == \
            (row["metric"], None, None, None, 0)
    assert by_group(ws, "channel_mix", ["channel"], start=date(2020, 1, 1), end=date(2020, 2, 1)) == {}


# --- the median's order-statistic interval (Campbell & Gardner) --------------------------------------

# Forty conversations whose first responses are 10, 20, …, 400 s, written in a scrambled order
# (k = 7·i mod 41 runs over 1…40 once, as 41 is prime).
FORTY = "conversation_id,channel,started_at,first_response_at\n" + "".join(
    f"g{i:02d},chat,{datetime(2025, 8, 1, 10) + timedelta(minutes=i):%Y-%m-%dT%H:%M:%SZ},"
    f"{datetime(2025, 8, 1, 10) + timedelta(minutes=i, seconds=10 * (7 * i % 41)):%Y-%m-%dT%H:%M:%SZ}\n"
    for i in range(1, 41)
)


@pytest.fixture(scope="module")
def forty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    with workspace(tmp_path_factory.mktemp("forty"), {"conversations": FORTY}) as w:
        yield w


def test_median_interval_matches_campbell_and_gardner(forty: Workspace) -> None:
    # Campbell & Gardner ("Statistics with Confidence", ch. 5): for n = 40 the 95 % interval of the median
    # runs from the 14th to the 27th value: 20 − 1.96·√40/2 = 13.8 → 14, 1 + 20 + 6.2 = 27.2 → 27.
    assert order_statistic_ranks(40, 0.5) == (14, 27)
    # Median of 10…400: h = 39·0.5 + 1 = 20.5 → (200 + 210)/2 = 205; the 14th value 140, the 27th 270.
    row = one(forty, "first_response_time", start=date(2025, 8, 1), end=date(2025, 8, 2),
              params={"first_response_time": {"statistic": "median"}})
    approx_interval(row, (205.0, 140.0, 270.0), 40)


def test_p90_interval_on_forty(forty: Workspace) -> None:
    # p90: h = 39·0.9 + 1 = 36.1 → 360 + 0.1·10 = 361; ranks 36 ∓ 1.96·√3.6 = 3.72 → 32.28 → 32 (320) and
    # 40.72 → 41, kept at 40 (400).
    assert order_statistic_ranks(40, 0.9) == (32, 40)
    row = one(forty, "first_response_time", start=date(2025, 8, 1), end=date(2025, 8, 2),
              params={"first_response_time": {"statistic": "p90"}})
    approx_interval(row, (361.0, 320.0, 400.0), 40)


# --- local days and the change to summer time in Europe/Amsterdam -----------------------------------

# Amsterdam is UTC+1 until 2025-03-30 01:00 UTC, UTC+2 after.
# d1 2025-02-28 23:30Z = Sat 03-01 00:30 local   first response 10 s, resolved
# d2 2025-03-29 22:30Z = Sat 03-29 23:30 local   20 s, resolved
# d3 2025-03-30 00:30Z = Sun 03-30 01:30 local   30 s, resolved
# d4 2025-03-30 01:30Z = Sun 03-30 03:30 local   40 s, resolved (02:00–03:00 local does not exist that day)
# d5 2025-03-30 22:30Z = Mon 03-31 00:30 local   50 s, resolved
# d6 2025-03-31 22:30Z = Tue 04-01 00:30 local   60 s, unresolved
DST = """conversation_id,channel,started_at,first_response_at,status
d1,chat,2025-02-28T23:30:00Z,2025-02-28T23:30:10Z,resolved
d2,chat,2025-03-29T22:30:00Z,2025-03-29T22:30:20Z,resolved
d3,chat,2025-03-30T00:30:00Z,2025-03-30T00:30:30Z,resolved
d4,chat,2025-03-30T01:30:00Z,2025-03-30T01:30:40Z,resolved
d5,chat,2025-03-30T22:30:00Z,2025-03-30T22:30:50Z,resolved
d6,chat,2025-03-31T22:30:00Z,2025-03-31T22:31:00Z,unresolved
"""
MARCH_AMS = {"start": date(2025, 3, 1), "end": date(2025, 4, 1), "timezone": "Europe/Amsterdam"}


@pytest.fixture(scope="module")
def dst(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    with workspace(tmp_path_factory.mktemp("dst"), {"conversations": DST}) as w:
        yield w


def test_period_in_the_reporting_time_zone(dst: Workspace) -> None:
    # March in Amsterdam = [02-28 23:00Z, 03-31 22:00Z): d1…d5 → all resolved 5 of 5, mean (10+…+50)/5 = 30.
    ams = per_metric(dst, ["resolution_rate", "first_response_time"], **MARCH_AMS)
    approx_row(ams["resolution_rate"], 1.0, 5)
    approx_row(ams["first_response_time"], 30.0, 5)
    # March in UTC = [03-01 00:00Z, 04-01 00:00Z): d2…d6 → 4 of 5 resolved, mean (20+…+60)/5 = 40.
    utc = per_metric(dst, ["resolution_rate", "first_response_time"], start=date(2025, 3, 1),
                     end=date(2025, 4, 1), timezone="UTC")
    approx_row(utc["resolution_rate"], 4 / 5, 5)
    approx_row(utc["first_response_time"], 40.0, 5)


def test_day_breakdown_across_the_dst_change(dst: Workspace) -> None:
    got = by_group(dst, "first_response_time", ["day"], **MARCH_AMS)
    assert {k[0]: (r["value"], r["n"]) for k, r in got.items()} == {
        "2025-03-01": (10.0, 1), "2025-03-29": (20.0, 1), "2025-03-30": (35.0, 2), "2025-03-31": (50.0, 1)}


def test_weekday_breakdown_across_the_dst_change(dst: Workspace) -> None:
    # Mon: d5 50; Sat: d1 10, d2 20 → 15; Sun: d3 30, d4 40 → 35; rows Monday first.
    got = by_group(dst, "first_response_time", ["weekday"], **MARCH_AMS)
    assert list(got) == [("Mon",), ("Sat",), ("Sun",)]
    assert {k[0]: (r["value"], r["n"]) for k, r in got.items()} == {
        "Mon": (50.0, 1), "Sat": (15.0, 2), "Sun": (35.0, 2)}


def test_hour_breakdown_across_the_dst_change(dst: Workspace) -> None:
    # Local hours: d1 00, d2 23, d3 01, d4 03 (after the jump), d5 00 → 00: (10 + 50)/2 = 30.
    got = by_group(dst, "first_response_time", ["hour"], **MARCH_AMS)
    assert {k[0]: (r["value"], r["n"]) for k, r in got.items()} == {
        "00": (30.0, 2), "01": (30.0, 1), "03": (40.0, 1), "23": (20.0, 1)}
