"""Customer experience metrics (catalogue 6–9, 18: CSAT, CES, NPS, successful chats, co-browsing) against
values worked out by hand from their definitions (``REGISTRY[key].description``).

Fixture: June 2025 (UTC). Survey answers about conversations follow the conversation's period with basis
``start`` (the default) and their own answer time with basis ``event`` (``chatlift.metrics.scope``); NPS
answers that belong to no conversation always use their answer time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from chatlift.metrics import REGISTRY
from chatlift.workspace import Workspace
from tests.metrics.fixtures import (
    EXPERIENCE_KEYS,
    Row,
    approx_interval,
    approx_row,
    by_group,
    newcombe,
    nps_interval,
    one,
    per_metric,
    t_mean,
    wilson,
    workspace,
)

JUNE = {"start": date(2025, 6, 1), "end": date(2025, 7, 1), "timezone": "UTC"}
JULY = {"start": date(2025, 7, 1), "end": date(2025, 8, 1), "timezone": "UTC"}

# e7 starts in June and is rated in July; e8 starts in May and is rated on 1 June.
CONVERSATIONS = """conversation_id,channel,started_at,customer_id,cobrowse,tags
e1,chat,2025-06-02T10:00:00Z,u1,true,vip
e2,chat,2025-06-03T10:00:00Z,u2,true,
e3,chat,2025-06-04T10:00:00Z,u3,false,vip
e4,chat,2025-06-05T10:00:00Z,u4,false,
e5,email,2025-06-06T10:00:00Z,u5,false,vip
e6,phone,2025-06-07T10:00:00Z,u6,false,
e7,chat,2025-06-29T20:00:00Z,u7,false,
e8,chat,2025-05-31T10:00:00Z,u8,false,
"""
# r9 is a CSAT answer about no conversation; r10 and n10 are on another scale; n8 is an NPS answer about a
# conversation; n9 was answered in May.
SURVEYS = """response_id,survey,score,answered_at,conversation_id,customer_id,scale
r1,csat,5,2025-06-02T10:30:00Z,e1,u1,
r2,csat,4,2025-06-03T10:30:00Z,e2,u2,
r3,csat,3,2025-06-04T10:30:00Z,e3,u3,
r4,csat,5,2025-06-05T10:30:00Z,e4,u4,
r5,csat,2,2025-06-06T10:30:00Z,e5,u5,
r6,csat,4,2025-06-07T10:30:00Z,e6,u6,
r7,csat,1,2025-07-01T09:00:00Z,e7,u7,
r8,csat,5,2025-06-01T08:00:00Z,e8,u8,
r9,csat,5,2025-06-10T10:00:00Z,,u9,
r10,csat,9,2025-06-02T10:31:00Z,e1,u1,1-10
x1,ces,7,2025-06-02T10:31:00Z,e1,u1,
x2,ces,5,2025-06-04T10:31:00Z,e3,u3,
x3,ces,2,2025-06-05T10:31:00Z,e4,u4,
x4,ces,4,2025-06-06T10:31:00Z,e5,u5,
n1,nps,10,2025-06-11T10:00:00Z,,u1,
n2,nps,9,2025-06-12T10:00:00Z,,u2,
n3,nps,8,2025-06-13T10:00:00Z,,u3,
n4,nps,7,2025-06-14T10:00:00Z,,u4,
n5,nps,6,2025-06-15T10:00:00Z,,u5,
n6,nps,0,2025-06-16T10:00:00Z,,u6,
n7,nps,10,2025-06-17T10:00:00Z,,u7,
n8,nps,10,2025-06-02T10:32:00Z,e1,u1,
n9,nps,10,2025-05-15T10:00:00Z,,u3,
n10,nps,9,2025-06-20T10:00:00Z,,u4,1-10
"""

# CSAT, basis start, June: answers about e1…e7 (started in June) on 1–5: 5 4 3 5 2 4 1; e8 started in May,
# r9 has no conversation, r10 is on 1–10.
CSAT_JUNE = [5, 4, 3, 5, 2, 4, 1]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    tables = {"conversations": CONVERSATIONS, "survey_responses": SURVEYS}
    with workspace(tmp_path_factory.mktemp("experience"), tables) as w:
        yield w


@pytest.fixture(scope="module")
def june(ws: Workspace) -> dict[str, Row]:
    """Every experience metric for June, default parameters, basis start."""
    return per_metric(ws, EXPERIENCE_KEYS, **JUNE)


def test_csat(june: dict[str, Row]) -> None:
    # 4 or 5: r1 r2 r4 r6 → 4 of 7.
    approx_interval(june["csat"], wilson(4, 7), 7)


def test_csat_mean(june: dict[str, Row]) -> None:
    # (5 + 4 + 3 + 5 + 2 + 4 + 1)/7 = 24/7 = 3.4286; t(0.975, 6) = 2.447.
    expected = t_mean([float(s) for s in CSAT_JUNE])
    assert expected[0] == pytest.approx(24 / 7)
    approx_interval(june["csat_mean"], expected, 7)


def test_ces_and_share_easy(june: dict[str, Row]) -> None:
    # CES answers about June conversations: 7, 5, 2, 4 → mean 18/4 = 4.5; 5 or more: 7 and 5 → 2 of 4.
    approx_interval(june["ces"], t_mean([7.0, 5.0, 2.0, 4.0]), 4)
    approx_interval(june["ces_easy"], wilson(2, 4), 4)


def test_nps_with_its_interval(june: dict[str, Row]) -> None:
    # Answers without a conversation, on 0–10, answered in June: 10 9 8 7 6 0 10 → promoters 3 (10, 9, 10),
    # detractors 2 (6, 0), n 7 → 100 · (3 − 2)/7 = 14.29. Coded +1 ×3, 0 ×2, −1 ×2: mean 1/7, s² =
    # (5 − 7/49)/6 = 0.8095, se = 0.3401, t(0.975, 6) = 2.447 → 14.29 ± 83.21.
    expected = nps_interval([10, 9, 8, 7, 6, 0, 10])
    assert expected[0] == pytest.approx(100 / 7)
    assert expected[2] - expected[0] == pytest.approx(83.21, abs=0.01)
    approx_interval(june["nps"], expected, 7)


def test_surveys_without_conversation_count_for_nps_only(june: dict[str, Row]) -> None:
    # r9 (CSAT 5, no conversation) is in no CSAT figure: with it, CSAT would be 5 of 8.
    assert june["csat"]["n"] == 7 and june["successful_chat_value"]["n"] == 5
    # n8 (NPS 10 about e1) is no relationship answer: with it, n would be 8.
    assert june["nps"]["n"] == 7


def test_successful_chat_value(ws: Workspace) -> None:
    # Rated chats (channel chat) of June: e1 5, e2 4, e3 3, e4 5, e7 1 → positive 3 of 5 = 0.6;
    # × value 50 → 30, Wilson bounds × 50.
    row = one(ws, "successful_chat_value", **JUNE, params={"successful_chat_value": {"value": 50}})
    share, lower, upper = wilson(3, 5)
    approx_interval(row, (50 * share, 50 * lower, 50 * upper), 5)


def test_successful_chat_value_default_is_the_share(june: dict[str, Row]) -> None:
    approx_interval(june["successful_chat_value"], wilson(3, 5), 5)


def test_cobrowse_with_newcombe_interval(june: dict[str, Row]) -> None:
    # Chat answers: co-browsed e1 5, e2 4 → 2 of 2; without e3 3, e4 5, e7 1 → 1 of 3.
    # 1 − 1/3 = 0.6667 with Newcombe's hybrid score interval (method 10).
    expected = newcombe(2, 2, 1, 3)
    assert expected[0] == pytest.approx(2 / 3)
    approx_interval(june["cobrowse"], expected, 5)


def test_csat_by_channel(ws: Workspace) -> None:
    # chat: 5 4 3 5 1 → 3 of 5; email: 2 → 0 of 1; phone: 4 → 1 of 1.
    got = by_group(ws, "csat", ["channel"], **JUNE)
    assert {k: (r["value"], r["n"]) for k, r in got.items()} == {
        ("chat",): (pytest.approx(0.6), 5), ("email",): (0.0, 1), ("phone",): (1.0, 1)}


def test_csat_channel_filter(ws: Workspace) -> None:
    # channel chat: 5 4 3 5 1 → 3 of 5.
    approx_row(one(ws, "csat", **JUNE, filters={"channel": ("chat",)}), 3 / 5, 5)


def test_csat_tag_filter(ws: Workspace) -> None:
    # tag vip: e1 5, e3 3, e5 2 → 1 of 3.
    approx_row(one(ws, "csat", **JUNE, filters={"tag": ("vip",)}), 1 / 3, 3)


def test_csat_basis_event_vs_start(ws: Workspace) -> None:
    # Basis event, June: answered in June about a conversation: r1…r6 and r8 (its conversation started in
    # May); r7 (answered 1 July) is out → 5 4 3 5 2 4 5 → 5 of 7 (start basis: 4 of 7, test_csat).
    approx_row(one(ws, "csat", **JUNE, basis="event"), 5 / 7, 7)
    # July: r7 (score 1) is July's by its answer, but June's by its conversation.
    approx_row(one(ws, "csat", **JULY, basis="event"), 0.0, 1)
    approx_row(one(ws, "csat", **JULY, basis="start"), None, 0)


def test_empty_period_has_no_value(ws: Workspace) -> None:
    got = per_metric(ws, EXPERIENCE_KEYS, start=date(2020, 1, 1), end=date(2020, 2, 1), timezone="UTC")
    assert set(got) == set(EXPERIENCE_KEYS) and set(got) <= set(REGISTRY)
    for key, row in got.items():
        assert (key, row["value"], row["lower"], row["upper"], row["n"]) == (key, None, None, None, 0)
