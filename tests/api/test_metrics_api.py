"""The catalogue and reports over HTTP, checked against the library and against the registry."""

from __future__ import annotations

from datetime import date

import pytest

import chatlift
from chatlift.metrics import METRICS
from tests.api.conftest import Server

YEAR = {"from": "2025-01-01", "to": "2026-01-01"}


def test_the_catalogue_is_the_registry(demo_server: Server) -> None:
    with demo_server.client("read") as client:
        listed = client.get("/v1/metrics").json()
        one = client.get("/v1/metrics/csat").json()
        missing = client.get("/v1/metrics/cast")
    assert [m["key"] for m in listed] == [m.key for m in METRICS]
    csat = next(m for m in METRICS if m.key == "csat")
    assert (one["label"], one["unit"], one["description"]) == (csat.label, csat.unit.value, csat.description)
    assert missing.status_code == 404 and missing.json()["hint"] == "Did you mean csat?"


def test_report_matches_the_library(demo_server: Server, tmp_path_factory: pytest.TempPathFactory,
                                    demo_file: object) -> None:
    params = {**YEAR, "metric": ["chat_conversion_rate", "csat"], "by": "channel", "filter": "segment=smb",
              "param": "chat_conversion_rate.window=3"}
    with demo_server.client("read") as client:
        body = client.get("/v1/report", params=params).json()
    with chatlift.connect(str(demo_file), read_only=True) as ws:
        expected = ws.report(["chat_conversion_rate", "csat"], start=date(2025, 1, 1), end=date(2026, 1, 1),
                             by=["channel"], filters={"segment": ("smb",)},
                             params={"chat_conversion_rate": {"window": "3"}}).to_pylist()
    got = [(r["metric"], r["channel"], r["value"], r["n"]) for r in body["rows"]]
    assert got == [(r["metric"], r["channel"], pytest.approx(r["value"]), r["n"]) for r in expected]
    assert body["filters"] == {"segment": ["smb"]} and body["by"] == ["channel"]
    assert {n["metric"] for n in body["notes"]} <= {"chat_conversion_rate", "csat"}


def test_compare_and_skips(demo_server: Server) -> None:
    with demo_server.client("read") as client:
        body = client.get("/v1/report", params={"from": "2025-07-01", "to": "2025-10-01", "compare": "true",
                                                "metric": "resolution_rate"}).json()
        catalogue = client.get("/v1/report", params=YEAR).json()
    (row,) = body["rows"]
    assert (body["previous_start"], body["previous_end"]) == ("2025-03-31", "2025-07-01")  # 92 days (Jul+Aug+Sep) before Jul 1
    assert row["change"] == pytest.approx(row["value"] - row["previous_value"])
    # channel_mix needs a channel breakdown, so the whole catalogue skips it and says why
    skipped = {s["metric"]: s["reason"] for s in catalogue["skipped"]}
    assert "channel_mix" in skipped and "channel" in skipped["channel_mix"]


@pytest.mark.parametrize(("params", "error", "hint"), [
    ({"by": "chanel"}, "unknown breakdown 'chanel'", "Did you mean channel"),
    ({"filter": "channel"}, "is not NAME=VALUE", "filter=channel=chat,email"),
    ({"metric": "csatt"}, "unknown metric 'csatt'", "Did you mean csat"),
    ({"param": "csat.nope=1", "metric": "csat"}, "nope", None),
    ({"from": "2025-02-01", "to": "2025-01-01"}, "ends", "exclusive"),
    ({"tz": "Mars/Olympus"}, "unknown time zone", "IANA"),
    ({"compare": "true"}, "previous period", None),
])
def test_bad_parameters_are_400_with_a_hint(demo_server: Server, params: dict[str, str], error: str,
                                            hint: str | None) -> None:
    with demo_server.client("read") as client:
        response = client.get("/v1/report", params=params)
    assert response.status_code == 400, response.text
    assert error in response.json()["error"]
    if hint:
        assert hint in (response.json()["hint"] or "")


def test_malformed_query_values_are_422(demo_server: Server) -> None:
    with demo_server.client("read") as client:
        response = client.get("/v1/report", params={"from": "yesterday"})
    assert response.status_code == 422 and "from" in response.json()["error"]
    with demo_server.client("read") as client:
        ancient = client.get("/v1/report", params={"from": "0001-01-01"})
    assert ancient.status_code == 422 and "1900-01-01" in ancient.json()["error"]


def test_drilldown_lists_as_many_records_as_the_report_counts(demo_server: Server) -> None:
    march = {"from": "2025-03-01", "to": "2025-04-01", "filter": "channel=chat"}
    with demo_server.client("read") as client:
        report = client.get("/v1/report", params={**march, "metric": "first_response_time", "by": "agent"}).json()
        row = report["rows"][0]
        params = {**march, "metric": "first_response_time", "group": f"agent={row['agent']}"}
        found = client.get("/v1/drilldown", params=params).json()
        as_csv = client.get("/v1/drilldown.csv", params=params)
        limited = client.get("/v1/drilldown", params={**params, "limit": 2}).json()
        refused = client.get("/v1/drilldown", params={**march, "metric": "order_value_uplift"})
    assert (found["unit"], found["total"], len(found["rows"])) == ("conversations", row["n"], row["n"])
    assert {r["agent_id"] for r in found["rows"]} == {row["agent"]}
    # the mean of the listed first responses is the reported value
    seconds = [r["first_response_seconds"] for r in found["rows"]]
    assert sum(seconds) / len(seconds) == pytest.approx(row["value"])
    assert as_csv.status_code == 200 and len(as_csv.text.strip().splitlines()) == row["n"] + 1
    assert (limited["total"], len(limited["rows"])) == (row["n"], 2)
    assert refused.status_code == 400 and "has no drill-down" in refused.json()["error"]


def test_a_broken_down_report_of_an_empty_period_has_no_rows(demo_server: Server) -> None:
    with demo_server.client("read") as client:
        response = client.get("/v1/report", params={"from": "2031-01-01", "to": "2031-01-02", "by": "channel",
                                                    "metric": "csat,first_response_time"})
    assert response.status_code == 200, response.text
    assert response.json()["rows"] == [] and response.json()["empty"] == ["csat", "first_response_time"]
