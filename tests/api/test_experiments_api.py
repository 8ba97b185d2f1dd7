"""Experiments over HTTP: list, assignment (deterministic, recorded once), analysis and planning."""

from __future__ import annotations

from pathlib import Path

import pytest

import chatlift
from chatlift.experiments import bucket
from tests.api.conftest import Server
from tests.close import assert_close


def test_list_and_analysis_match_the_library(demo_server: Server, demo_file: Path) -> None:
    with demo_server.client("read") as client:
        listed = client.get("/v1/experiments").json()
        analysis = client.get("/v1/experiments/realtime_support/analysis",
                              params={"sequential": "true", "correction": "bh"})
    with chatlift.connect(demo_file, read_only=True) as ws:
        expected = ws.analyze("realtime_support", sequential=True, correction="bh").model_dump(mode="json")
        summaries = [e.model_dump(mode="json") for e in ws.experiments()]
    assert [e["key"] for e in listed] == ["realtime_support"] and listed[0]["variants"] == summaries[0]["variants"]
    assert analysis.status_code == 200
    assert_close(analysis.json(), expected)


def test_assignment_is_deterministic_recorded_once_and_needs_an_ingest_key(demo_server: Server) -> None:
    path = "/v1/experiments/realtime_support/assignment"
    with demo_server.client("ingest") as client:
        first = client.get(path, params={"unit_id": "visitor-42"}).json()
        again = client.get(path, params={"unit_id": "visitor-42"}).json()
    assert first["variant"] == ("control" if bucket("realtime_support", "visitor-42") < 0.5 else "realtime")
    assert first["new"] and not again["new"] and again["assigned_at"] == first["assigned_at"]
    with demo_server.client("read") as client:
        assert client.get(path, params={"unit_id": "x"}).status_code == 403
    with demo_server.client("ingest") as client:
        missing = client.get("/v1/experiments/realtime_suport/assignment", params={"unit_id": "x"})
        assert missing.status_code == 404 and missing.json()["hint"] == "Did you mean realtime_support?"
        assert client.get(path).status_code == 422  # no unit_id


def test_plan(demo_server: Server) -> None:
    with demo_server.client("read") as client:
        planned = client.get("/v1/experiments/plan", params={"baseline": 0.1, "mde": 0.2, "daily_units": 500})
        impossible = client.get("/v1/experiments/plan", params={"baseline": 0.1})
    expected = chatlift.Workspace.plan(baseline=0.1, mde=0.2, daily_units=500).model_dump(mode="json")
    assert planned.status_code == 200 and planned.json() == expected
    assert impossible.status_code == 400 and impossible.json()["error"]


@pytest.mark.parametrize("params", [{"correction": "bonferroni"}, {"alpha": "0.9"}])
def test_bad_analysis_options_are_422(demo_server: Server, params: dict[str, str]) -> None:
    with demo_server.client("read") as client:
        response = client.get("/v1/experiments/realtime_support/analysis", params=params)
    assert response.status_code == 422


def test_an_effect_too_small_to_plan_for_is_400_not_a_crash(demo_server: Server) -> None:
    with demo_server.client("read") as client:
        response = client.get("/v1/experiments/plan", params={"baseline": 0.5, "mde": 1e-38})
    assert response.status_code == 400 and "larger minimum detectable effect" in response.json()["hint"]
