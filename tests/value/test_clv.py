"""Customer lifetime value through the database: CDNOW end to end, groups, holdout and failures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from chatlift.errors import ParameterError
from chatlift.value import ClvResult
from chatlift.workspace import Workspace, connect

from .conftest import load

CALIBRATION_END = date(1997, 10, 1)  # exclusive: weeks 1–39 end on 30 September 1997
HOLDOUT_END = date(1998, 7, 1)  # weeks 40–78


@pytest.fixture(scope="module")
def cdnow_clv(cdnow_db: Workspace) -> ClvResult:
    return cdnow_db.clv(CALIBRATION_END, unit="week", horizon=39, holdout_end=HOLDOUT_END)


def test_the_database_summaries_reproduce_the_published_estimates(cdnow_clv: ClvResult) -> None:
    # Fader, Hardie & Lee (2005): BG/NBD r, α, a, b and LL; Gamma-Gamma p, q, γ (see test_bgnbd, test_gammagamma)
    f = cdnow_clv.bgnbd
    assert (f.r, f.alpha, f.a, f.b) == pytest.approx((0.243, 4.414, 0.793, 2.426), rel=0.01)
    assert f.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    assert (f.customers, f.repeat_buyers) == (2357, 946)
    g = cdnow_clv.gamma_gamma
    assert g is not None and (g.p, g.q, g.gamma) == pytest.approx((6.25, 3.74, 15.44), rel=0.01)
    assert g.customers == 946


def test_holdout_predictions_against_actual_purchases(cdnow_clv: ClvResult) -> None:
    # The figures docs/value.md reports. Actual: counted from the file (same-day purchases merged).
    h = cdnow_clv.holdout
    assert h is not None and h.length == 39
    assert h.actual_total == 1882
    assert h.predicted_total == pytest.approx(1653.4, abs=0.1)
    assert [b.customers for b in h.by_frequency] == [1411, 439, 214, 100, 62, 38, 29, 64]
    assert [b.frequency for b in h.by_frequency][-1] == "7+"
    # the model tracks the conditional expectations: every bucket within 0.7 purchases of the actual mean
    assert all(abs(b.predicted - b.actual) < 0.7 for b in h.by_frequency)
    assert [round(b.predicted, 2) for b in h.by_frequency] == [0.23, 0.52, 1.04, 1.52, 2.16, 2.65, 3.5, 6.16]


def test_groups_and_value(cdnow_clv: ClvResult) -> None:
    everyone = cdnow_clv.group()
    assert everyone.customers == 2357 and everyone.repeat_buyers == 946
    assert everyone.holdout_purchases == 1882
    # no conversations in CDNOW: everyone is a non-chatter without a CSAT answer or segment
    assert cdnow_clv.group("chatted", "no").customers == 2357
    assert cdnow_clv.group("csat_band", "none").customers == 2357
    assert cdnow_clv.group("segment", "none").customers == 2357
    assert everyone.predicted_value_total == pytest.approx(everyone.predicted_value * 2357)  # type: ignore[operator]
    assert everyone.predicted_value == pytest.approx(  # value = purchases × spend only on average
        everyone.predicted_purchases * everyone.expected_order_value, rel=0.25)  # type: ignore[operator]
    # historical value: all purchases to 30 September 1997 ÷ customers
    assert everyone.historical_value == pytest.approx(73.447, abs=1e-3)
    assert cdnow_clv.model_dump(mode="json")["bgnbd"]["customers"] == 2357


def test_discounting_lowers_the_value(cdnow_db: Workspace, cdnow_clv: ClvResult) -> None:
    discounted = cdnow_db.clv(CALIBRATION_END, horizon=39, discount_rate=0.1).group().predicted_value
    plain = cdnow_clv.group().predicted_value
    assert plain is not None and discounted is not None
    assert plain * 0.9 < discounted < plain  # 10 % a year over 9 months: a few per cent less


def test_chatters_are_split_out(tmp_path: Path) -> None:
    # 12 customers buying on a regular rhythm; the four who chatted before calibration end are "yes"
    with connect(tmp_path / "clv.duckdb", create=True) as ws:
        orders, conversations = [], []
        for i in range(12):
            for k in range(i % 4 + 1):
                orders.append({"order_id": f"o{i}-{k}", "customer_id": f"c{i}", "currency": "EUR",
                               "ordered_at": f"2025-0{1 + k}-{1 + i:02d}T10:00:00Z", "amount": 10.0 + i + k})
            if i < 4:
                conversations.append({"conversation_id": f"k{i}", "channel": "chat", "customer_id": f"c{i}",
                                      "started_at": "2025-01-20T00:00:00Z", "segment": "smb"})
        load(ws, "orders", orders)
        load(ws, "conversations", conversations)
        result = ws.clv(date(2025, 6, 1), unit="day", horizon=90)
        assert result.group("chatted", "yes").customers == 4
        assert result.group("chatted", "no").customers == 8
        assert result.group("segment", "smb").customers == 4
        assert result.group().customers == 12 and result.group().repeat_buyers == 9


def test_no_repeat_buyers_is_a_clear_error(tmp_path: Path) -> None:
    with connect(tmp_path / "once.duckdb", create=True) as ws:
        load(ws, "orders", [{"order_id": f"o{i}", "customer_id": f"c{i}", "currency": "EUR", "amount": 5.0,
                             "ordered_at": f"2025-01-{1 + i:02d}T00:00:00Z"} for i in range(20)])
        with pytest.raises(ParameterError, match="repeat buyers") as info:
            ws.clv(date(2025, 3, 1))
        assert info.value.hint


def test_bad_arguments() -> None:
    with pytest.raises(ParameterError, match="unknown time unit"):
        from chatlift.value.clv import clv

        clv(None, date(2025, 1, 1), unit="fortnight")
