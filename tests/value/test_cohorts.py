"""Monthly retention cohorts on the hand-made database of conftest.py, worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from chatlift.workspace import Workspace


def test_order_cohorts(hand_db: Workspace) -> None:
    # First purchases: p3 15 Jan, p6 31 Jan → January; p1 10 Feb, p2 15 Feb, p4 1 Feb, v5 28 Feb → February.
    # January: ordered in Feb nobody, in Mar p6 → [2, 0, 1]. February: in Mar p1 and v5 → [4, 2], April is
    # not observed. March: nobody new.
    result = hand_db.retention_cohorts(date(2025, 1, 1), date(2025, 4, 1))
    assert result.months == 3
    jan, feb = result.row("2025-01"), result.row("2025-02")
    assert (jan.size, jan.retained) == (2, [2, 0, 1])
    assert (feb.size, feb.retained) == (4, [4, 2, None])
    assert feb.share[1] is not None and feb.share[1].value == pytest.approx(0.5)
    assert feb.share[2] is None and jan.share[0] is not None and jan.share[0].value == 1.0
    # chatted by the end of the cohort's month: p3's chat on 20 Jan; v5's (5 Mar) is after February
    assert result.row("2025-01", "chatted", "yes").retained == [1, 0, 0]
    assert result.row("2025-01", "chatted", "no").retained == [1, 0, 1]
    assert result.row("2025-02", "chatted", "no").size == 4
    with pytest.raises(KeyError):
        result.row("2025-02", "chatted", "yes")


def test_subscription_cohorts(hand_db: Workspace) -> None:
    # First (non-trial) starts in January: c6 (5 Jan, open) and c9 (20–28 Jan); c3's 10 Jan start is not its
    # first. February: both active in January, only c6 in February.
    result = hand_db.retention_cohorts(date(2025, 1, 1), date(2025, 3, 1), basis="subscriptions")
    assert [(r.cohort, r.size, r.retained) for r in result.rows if r.split == "all"] == [("2025-01", 2, [2, 1])]


def test_partial_months_are_not_observed(hand_db: Workspace) -> None:
    result = hand_db.retention_cohorts(date(2025, 1, 1), date(2025, 3, 15))
    assert result.months == 2 and result.row("2025-01").retained == [2, 0]
    assert hand_db.retention_cohorts(date(2019, 1, 1), date(2019, 3, 1)).warnings[0].code == "no_cohorts"
