"""Support ROI on a hand-made March 2025, worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from chatlift.errors import ParameterError
from chatlift.experiments import experiments_from_mapping
from chatlift.value import StaffCost
from chatlift.workspace import Workspace, connect

from .conftest import load

MAR, APR = date(2025, 3, 1), date(2025, 4, 1)
MONTHS = 31 / (365.25 / 12)  # March in months of 365.25/12 days


@pytest.fixture
def roi_db(tmp_path: Path) -> Iterator[Workspace]:
    ws = connect(tmp_path / "roi.duckdb", create=True)
    load(ws, "costs", [
        {"period_start": "2025-03-01T00:00:00Z", "period_end": "2025-04-01T00:00:00Z", "amount": 3100,
         "currency": "EUR", "channel": "chat", "kind": "staff"},  # all in March
        {"period_start": "2025-02-15T00:00:00Z", "period_end": "2025-03-17T00:00:00Z", "amount": 600,
         "currency": "EUR", "kind": "software"},  # shared, 16 of its 30 days in March: 320
        {"period_start": "2025-03-01T00:00:00Z", "period_end": "2025-04-01T00:00:00Z", "amount": 1000,
         "currency": "EUR", "channel": "email"},  # another channel
        {"period_start": "2025-04-01T00:00:00Z", "period_end": "2025-05-01T00:00:00Z", "amount": 999,
         "currency": "EUR", "channel": "chat"},  # after the period
    ])
    load(ws, "conversations", [
        {"conversation_id": "k1", "channel": "chat", "started_at": "2025-03-05T00:00:00Z", "customer_id": "c1",
         "status": "resolved"},
        {"conversation_id": "k2", "channel": "chat", "started_at": "2025-03-10T00:00:00Z", "customer_id": "c2",
         "status": "unresolved"},
        {"conversation_id": "k3", "channel": "chat", "started_at": "2025-03-20T00:00:00Z", "customer_id": "c3",
         "status": "resolved"},
        {"conversation_id": "k4", "channel": "email", "started_at": "2025-03-06T00:00:00Z", "customer_id": "c1",
         "status": "resolved"},
        {"conversation_id": "k5", "channel": "chat", "started_at": "2025-02-25T00:00:00Z", "customer_id": "c4",
         "status": "resolved"},
    ])
    load(ws, "orders", [{"currency": "EUR", "kind": "purchase"} | o for o in [
        {"order_id": "o1", "customer_id": "c1", "ordered_at": "2025-03-07T00:00:00Z", "amount": 150},  # k1 + 2 d
        {"order_id": "o2", "customer_id": "c2", "ordered_at": "2025-03-18T00:00:00Z", "amount": 80},  # k2 + 8 d
        {"order_id": "o3", "customer_id": "c3", "ordered_at": "2025-03-20T00:00:00Z", "amount": 50},  # k3's instant
        {"order_id": "o4", "customer_id": "c4", "ordered_at": "2025-03-01T00:00:00Z", "amount": 100},  # Feb chat
        {"order_id": "o5", "customer_id": "c3", "ordered_at": "2025-03-21T00:00:00Z", "amount": 500,
         "kind": "quote"},
    ]])
    yield ws
    ws.close()


def test_cost_conversations_and_attributed_value(roi_db: Workspace) -> None:
    r = roi_db.roi(MAR, APR)
    assert r.cost == pytest.approx(3100 + 320) and r.cost_source == "costs table" and r.currencies == ["EUR"]
    assert (r.conversations, r.resolved) == (3, 2)  # k1, k2, k3; k4 is e-mail, k5 in February
    assert r.cost_per_conversation == pytest.approx(3420 / 3)
    assert r.cost_per_resolution == pytest.approx(3420 / 2)
    # attributed to chat within 7 days: o1 150, o3 50 (same instant counts), o4 100 (a February chat, a March
    # order); not o2 (8 days) nor the quote
    v = r.value("chat_attributed")
    assert not v.causal and "correlational" in v.label
    assert v.value.value == pytest.approx(300.0)
    assert v.roi.value == pytest.approx((300 - 3420) / 3420)
    assert v.payback_months == pytest.approx(3420 / (300 / MONTHS))


def test_cost_choices(roi_db: Workspace) -> None:
    assert roi_db.roi(MAR, APR, shared_costs=False).cost == pytest.approx(3100)
    every = roi_db.roi(MAR, APR, channel=None)
    assert every.cost == pytest.approx(3100 + 320 + 1000) and every.conversations == 4
    staffed = roi_db.roi(MAR, APR, staff=StaffCost(agents=2, hours=160, hourly_rate=25))
    assert staffed.cost == 8000 and staffed.cost_source == "staff"
    # half of March: the 3100 over 31 days gives 1400 for 14 days, the shared 600 gives 20 × 14 = 280
    assert roi_db.roi(MAR, date(2025, 3, 15)).cost == pytest.approx(1400 + 280)
    none = roi_db.roi(date(2024, 1, 1), date(2024, 2, 1))
    assert none.cost == 0 and none.cost_per_conversation is None and none.value("chat_attributed").roi.value is None
    assert [w.code for w in none.warnings] == ["no_cost"]
    with pytest.raises(ParameterError, match="window"):
        roi_db.roi(MAR, APR, window=0)


def test_incremental_revenue_from_an_experiment(roi_db: Workspace) -> None:
    # control a: c1 (o1 150 within 7 days of exposure), c2 (nothing: o2 is 8 days later); treatment b: c3 (o3 50),
    # c4 (o4 100). Revenue per unit 75 in both arms: a lift of 0 per unit, so no incremental revenue.
    roi_db.store.con.execute("""INSERT INTO assignments VALUES
        ('exp', 'c1', 'a', '2025-03-05 00:00:00'), ('exp', 'c2', 'a', '2025-03-10 00:00:00'),
        ('exp', 'c3', 'b', '2025-03-20 00:00:00'), ('exp', 'c4', 'b', '2025-02-28 00:00:00')""")
    defs = experiments_from_mapping({"exp": {"variants": {"a": 0.5, "b": 0.5}, "start": "2025-02-01T00:00:00",
                                             "end": "2025-04-01T00:00:00", "window_days": 7,
                                             "primary": ["revenue"]}}, "test")
    r = roi_db.roi(MAR, APR, experiment="exp", definitions=defs)
    v = r.value("experiment")
    comparison = roi_db.analyze("exp", definitions=defs).comparison("revenue")
    assert v.causal and comparison.treatment_units == 2
    assert v.value.value == pytest.approx(0.0)  # (150/2 − 150/2) × 2
    assert comparison.absolute.lower is not None and comparison.absolute.upper is not None
    assert (v.value.lower, v.value.upper) == pytest.approx((comparison.absolute.lower * 2,
                                                            comparison.absolute.upper * 2))
    assert v.roi.value == pytest.approx(-1.0) and v.payback_months is None
    no_revenue = experiments_from_mapping({"exp": {"variants": {"a": 0.5, "b": 0.5}, "start": "2025-02-01T00:00:00",
                                                   "primary": ["conversion"]}}, "test")
    with pytest.raises(ParameterError, match="no revenue metric"):
        roi_db.roi(MAR, APR, experiment="exp", definitions=no_revenue)
