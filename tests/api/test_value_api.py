"""Value over HTTP: churn, cohorts, CLV and ROI documents equal the library's; staff cost worked by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import chatlift
from tests.api.conftest import Server
from tests.close import assert_close

Q3 = {"from": "2025-07-01", "to": "2025-10-01"}


def test_documents_equal_the_library(demo_server: Server, demo_file: Path) -> None:
    with demo_server.client("read") as client:
        churn = client.get("/v1/value/churn", params={**Q3, "basis": "orders", "every": "month"})
        cohorts = client.get("/v1/value/cohorts", params={"from": "2025-01-01", "to": "2025-04-01"})
        clv = client.get("/v1/value/clv", params={"calibration_end": "2025-10-01", "holdout_end": "2026-01-01"})
    with chatlift.connect(demo_file, read_only=True) as ws:
        assert_close(churn.json(), ws.churn(date(2025, 7, 1), date(2025, 10, 1), basis="orders",
                                            every="month").model_dump(mode="json"))
        assert_close(cohorts.json(), ws.retention_cohorts(date(2025, 1, 1), date(2025, 4, 1)).model_dump(mode="json"))
        assert_close(clv.json(), ws.clv(date(2025, 10, 1), holdout_end=date(2026, 1, 1)).model_dump(mode="json"),
                     rel=1e-4)  # a numerical fit: two runs agree to the optimiser's tolerance, not bit for bit


def test_roi_with_staff_cost(demo_server: Server) -> None:
    two_weeks = {"from": "2025-07-01", "to": "2025-07-15"}
    with demo_server.client("read") as client:
        staffed = client.get("/v1/value/roi", params={**two_weeks, "agents": 3, "hours_per_week": 40,
                                                      "hourly_rate": 25}).json()
        partial = client.get("/v1/value/roi", params={**two_weeks, "agents": 3})
        bad_basis = client.get("/v1/value/churn", params={**Q3, "basis": "vibes"})
    # 3 agents × 40 h a week × 2 weeks × 25 an hour
    assert staffed["cost"] == 6000.0 and staffed["cost_source"].startswith("staff")
    conversations = staffed["conversations"]
    assert staffed["cost_per_conversation"] == 6000.0 / conversations
    assert partial.status_code == 400 and "hourly_rate" in partial.json()["error"]
    assert bad_basis.status_code == 422
