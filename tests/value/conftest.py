"""Tiny hand-made databases for the value analyses, loaded through `Workspace.import_batch`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chatlift.workspace import Workspace, connect


def load(ws: Workspace, table: str, rows: list[dict[str, Any]]) -> None:
    """Import ``rows`` into ``table``; every row must be accepted."""
    result = ws.import_batch(table, json.dumps(rows).encode())
    assert result.rejected == 0, result.issues
    assert result.inserted == len(rows)


# Customers c1…c9 with subscriptions (churn and MRR, January 2025) and people p1…p6 with orders only
# (churn by inactivity in March 2025, cohorts January–March 2025). The expected figures are worked out
# next to each test.
SUBSCRIPTIONS = [
    {"subscription_id": "s1", "customer_id": "c1", "started_at": "2024-06-01T00:00:00Z", "mrr": 100},
    {"subscription_id": "s2", "customer_id": "c2", "started_at": "2024-10-01T00:00:00Z",
     "ended_at": "2025-01-15T00:00:00Z", "mrr": 50},
    # c3 upgrades: 40 ends, 60 starts the same day
    {"subscription_id": "s3", "customer_id": "c3", "started_at": "2024-12-01T00:00:00Z",
     "ended_at": "2025-01-10T00:00:00Z", "mrr": 40},
    {"subscription_id": "s4", "customer_id": "c3", "started_at": "2025-01-10T00:00:00Z", "mrr": 60},
    # c4 ends on 1 March at midnight: active on 1 February, not on 1 March
    {"subscription_id": "s5", "customer_id": "c4", "started_at": "2024-11-01T00:00:00Z",
     "ended_at": "2025-03-01T00:00:00Z", "mrr": 30},
    # c5: a trial, counted only with trials=True
    {"subscription_id": "s6", "customer_id": "c5", "started_at": "2024-12-20T00:00:00Z",
     "ended_at": "2025-01-05T00:00:00Z", "trial": True},
    {"subscription_id": "s7", "customer_id": "c6", "started_at": "2025-01-05T00:00:00Z", "mrr": 10},
    # c7 ends exactly at the period's start: not active then
    {"subscription_id": "s8", "customer_id": "c7", "started_at": "2024-01-01T00:00:00Z",
     "ended_at": "2025-01-01T00:00:00Z", "mrr": 70},
    # c8 downgrades from 80 to 20 with a gap
    {"subscription_id": "s9", "customer_id": "c8", "started_at": "2024-05-01T00:00:00Z",
     "ended_at": "2025-01-20T00:00:00Z", "mrr": 80},
    {"subscription_id": "s10", "customer_id": "c8", "started_at": "2025-01-25T00:00:00Z", "mrr": 20},
    {"subscription_id": "s11", "customer_id": "c9", "started_at": "2025-01-20T00:00:00Z",
     "ended_at": "2025-01-28T00:00:00Z", "mrr": 10},
]
ORDERS = [
    {"order_id": "o1", "customer_id": "p1", "ordered_at": "2025-02-10T00:00:00Z", "amount": 10},
    {"order_id": "o2", "customer_id": "p1", "ordered_at": "2025-03-20T00:00:00Z", "amount": 10},
    {"order_id": "o3", "customer_id": "p2", "ordered_at": "2025-02-15T00:00:00Z", "amount": 10},
    {"order_id": "o4", "customer_id": "p3", "ordered_at": "2025-01-15T00:00:00Z", "amount": 10},
    {"order_id": "o5", "customer_id": "p4", "ordered_at": "2025-02-20T00:00:00Z", "amount": 10, "kind": "quote"},
    {"order_id": "o6", "customer_id": "p4", "ordered_at": "2025-03-25T00:00:00Z", "amount": 10, "kind": "quote"},
    {"order_id": "o7", "customer_id": "p4", "ordered_at": "2025-02-01T00:00:00Z", "amount": 10},
    {"order_id": "o8", "visitor_id": "v5", "ordered_at": "2025-02-28T23:00:00Z", "amount": 10},
    {"order_id": "o9", "visitor_id": "v5", "ordered_at": "2025-03-31T23:59:00Z", "amount": 10},
    {"order_id": "o10", "customer_id": "p6", "ordered_at": "2025-01-31T00:00:00Z", "amount": 10},
    {"order_id": "o11", "customer_id": "p6", "ordered_at": "2025-03-01T00:00:00Z", "amount": 10},
]
CONVERSATIONS = [
    {"conversation_id": "k1", "channel": "chat", "started_at": "2025-01-10T00:00:00Z", "customer_id": "c1"},
    {"conversation_id": "k2", "channel": "chat", "started_at": "2025-01-20T00:00:00Z", "customer_id": "c2"},
    {"conversation_id": "k3", "channel": "email", "started_at": "2025-01-05T00:00:00Z", "customer_id": "c3"},
    {"conversation_id": "k4", "channel": "chat", "started_at": "2025-02-10T00:00:00Z", "customer_id": "c8"},
    {"conversation_id": "k5", "channel": "chat", "started_at": "2025-03-05T00:00:00Z", "visitor_id": "v5"},
    {"conversation_id": "k6", "channel": "chat", "started_at": "2025-01-20T00:00:00Z", "customer_id": "p3"},
    {"conversation_id": "k7", "channel": "chat", "started_at": "2025-04-02T00:00:00Z", "customer_id": "p1"},
    {"conversation_id": "k8", "channel": "chat", "started_at": "2025-01-20T00:00:00Z"},  # nobody's: c2's answer
]
SURVEYS = [
    {"response_id": "r1", "survey": "csat", "score": 5, "answered_at": "2025-01-11T00:00:00Z", "customer_id": "c1"},
    # c2's answer is known only through its conversation
    {"response_id": "r2", "survey": "csat", "score": 2, "answered_at": "2025-01-21T00:00:00Z",
     "conversation_id": "k2"},
    {"response_id": "r3", "survey": "csat", "score": 4, "answered_at": "2024-12-01T00:00:00Z", "customer_id": "c3"},
    {"response_id": "r4", "survey": "csat", "score": 3, "answered_at": "2025-01-06T00:00:00Z", "customer_id": "c3"},
    {"response_id": "r5", "survey": "csat", "score": 1, "answered_at": "2025-02-05T00:00:00Z", "customer_id": "c4"},
    {"response_id": "r6", "survey": "nps", "score": 9, "answered_at": "2025-01-06T00:00:00Z", "customer_id": "c8"},
    {"response_id": "r7", "survey": "csat", "score": 3, "answered_at": "2025-03-02T00:00:00Z", "customer_id": "p2"},
]


@pytest.fixture
def hand_db(tmp_path: Path) -> Iterator[Workspace]:
    ws = connect(tmp_path / "value.duckdb", create=True)
    load(ws, "subscriptions", SUBSCRIPTIONS)
    load(ws, "orders", [{"currency": "EUR", "kind": "purchase"} | o for o in ORDERS])
    load(ws, "conversations", CONVERSATIONS)
    load(ws, "survey_responses", SURVEYS)
    yield ws
    ws.close()


# -- the CDNOW sample (see data/README.md) --------------------------------------------------------

CDNOW = Path(__file__).parent / "data" / "CDNOW_sample.txt"


def cdnow_orders() -> list[dict[str, Any]]:
    """The CDNOW sample as canonical orders: one per line (master id, sample id, yyyymmdd, CDs, dollars)."""
    rows = []
    for number, line in enumerate(CDNOW.read_text(encoding="ascii").splitlines()):
        _master, customer, day, _cds, dollars = line.split()
        rows.append({"order_id": f"cdnow-{number}", "customer_id": customer, "amount": float(dollars),
                     "currency": "USD", "ordered_at": f"{day[:4]}-{day[4:6]}-{day[6:]}T00:00:00Z"})
    return rows


@pytest.fixture(scope="session")
def cdnow_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = connect(tmp_path_factory.mktemp("cdnow") / "cdnow.duckdb", create=True)
    load(ws, "orders", cdnow_orders())
    yield ws
    ws.close()
