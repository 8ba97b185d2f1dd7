"""The first metrics of the catalogue against numbers worked out by hand on a tiny fixture."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import duckdb
import ibis
import pytest

from chatlift.errors import ParameterError, UnknownMetricError
from chatlift.metrics.report import report
from chatlift.metrics.scope import Filters, Period
from chatlift.workspace import connect

CONVERSATIONS = """conversation_id,channel,started_at,first_response_at,status,tags
c1,chat,2025-01-10T10:00:00Z,2025-01-10T10:00:30Z,resolved,vip;billing
c2,chat,2025-01-10T11:00:00Z,2025-01-10T11:03:00Z,resolved,billing
c3,chat,2025-01-11T09:00:00Z,,missed,
c4,email,2025-01-12T08:00:00Z,2025-01-12T09:00:00.5Z,unresolved,
c5,email,2025-01-31T23:30:00Z,2025-01-31T23:31:00Z,resolved,
c6,chat,2025-01-20T12:00:00Z,,open,
"""
# c5 starts on 1 February in Amsterdam (00:30 local): in January only when reporting in UTC.
SURVEYS = """response_id,survey,score,answered_at,conversation_id,scale
s1,csat,5,2025-01-10T10:10:00Z,c1,
s2,csat,3,2025-01-10T11:10:00Z,c2,
s3,csat,4,2025-01-12T10:00:00Z,c4,
s4,csat,2,2025-02-01T00:10:00Z,c5,
s5,csat,9,2025-01-10T10:10:00Z,c1,1-10
n1,nps,10,2025-01-05T10:00:00Z,,
n2,nps,9,2025-01-06T10:00:00Z,,
n3,nps,8,2025-01-07T10:00:00Z,,
n4,nps,3,2025-01-08T10:00:00Z,,
n5,nps,0,2025-01-09T10:00:00Z,,
n6,nps,10,2025-02-09T10:00:00Z,,
"""
JANUARY_UTC = Period(date(2025, 1, 1), date(2025, 2, 1), "UTC")
JANUARY_AMS = Period(date(2025, 1, 1), date(2025, 2, 1), "Europe/Amsterdam")


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> ibis.BaseBackend:
    folder = tmp_path_factory.mktemp("metrics")
    (folder / "c.csv").write_text(CONVERSATIONS)
    (folder / "s.csv").write_text(SURVEYS)
    with connect(folder / "m.duckdb", create=True) as ws:
        assert ws.import_files("conversations", [folder / "c.csv"])[0].rejected == 0
        assert ws.import_files("survey_responses", [folder / "s.csv"])[0].rejected == 0
    return ibis.duckdb.from_connection(duckdb.connect(str(folder / "m.duckdb"), read_only=True))


def rows(backend: ibis.BaseBackend, key: str, **kwargs: object) -> dict[Any, Any]:
    table = report(backend, [key], **kwargs).to_pylist()  # type: ignore[arg-type]
    by = list(kwargs.get("by", ()))  # type: ignore[call-overload]
    return {tuple(r[b] for b in by): (r["value"], r["n"]) for r in table}


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = k / n
    centre = (2 * k + z * z) / (2 * (n + z * z))
    half = z * math.sqrt(n * p * (1 - p) + z * z / 4) / (n + z * z)
    return centre - half, centre + half


def test_resolution_rate(backend: ibis.BaseBackend) -> None:
    # final statuses: c1 R, c2 R, c3 missed, c4 unresolved, c5 R; c6 is open
    assert rows(backend, "resolution_rate", period=JANUARY_UTC) == {(): (pytest.approx(3 / 5), 5)}
    assert rows(backend, "resolution_rate", period=JANUARY_AMS) == {(): (pytest.approx(2 / 4), 4)}
    assert rows(backend, "resolution_rate", period=JANUARY_UTC, by=["channel"]) == {
        ("chat",): (pytest.approx(2 / 3), 3), ("email",): (pytest.approx(1 / 2), 2)}


def test_proportions_carry_the_wilson_interval(backend: ibis.BaseBackend) -> None:
    [row] = report(backend, ["resolution_rate"], period=JANUARY_UTC).to_pylist()
    lower, upper = wilson_by_hand(3, 5)
    assert (row["lower"], row["upper"]) == (pytest.approx(lower), pytest.approx(upper))


def test_first_response_time(backend: ibis.BaseBackend) -> None:
    got = rows(backend, "first_response_time", period=JANUARY_UTC, by=["channel"])
    assert got == {("chat",): (pytest.approx((30 + 180) / 2), 2), ("email",): (pytest.approx((3600.5 + 60) / 2), 2)}


def test_sla_attainment_with_its_target(backend: ibis.BaseBackend) -> None:
    # due: c1 30 s, c2 180 s, c3 missed, c4 3600.5 s, c5 60 s
    assert rows(backend, "sla_attainment", period=JANUARY_UTC) == {(): (pytest.approx(2 / 5), 5)}
    wide = rows(backend, "sla_attainment", period=JANUARY_UTC, params={"sla_attainment": {"target": 200}})
    assert wide == {(): (pytest.approx(3 / 5), 5)}


def test_csat_follows_the_conversation_and_skips_other_scales(backend: ibis.BaseBackend) -> None:
    assert rows(backend, "csat", period=JANUARY_UTC, by=["channel"]) == {
        ("chat",): (pytest.approx(1 / 2), 2), ("email",): (pytest.approx(1 / 2), 2)}
    assert rows(backend, "csat", period=JANUARY_AMS, by=["channel"]) == {
        ("chat",): (pytest.approx(1 / 2), 2), ("email",): (pytest.approx(1.0), 1)}


def test_nps(backend: ibis.BaseBackend) -> None:
    # January: 10, 9 promoters; 8 passive; 3, 0 detractors -> 40 % - 40 % = 0
    assert rows(backend, "nps", period=JANUARY_UTC) == {(): (pytest.approx(0.0), 5)}
    assert rows(backend, "nps") == {(): (pytest.approx(100 * (3 - 2) / 6), 6)}


def test_filters(backend: ibis.BaseBackend) -> None:
    chat = rows(backend, "resolution_rate", period=JANUARY_UTC, filters=Filters({"channel": ("chat",)}))
    assert chat == {(): (pytest.approx(2 / 3), 3)}
    vip = rows(backend, "resolution_rate", filters=Filters({"tag": ("vip",)}))
    assert vip == {(): (pytest.approx(1.0), 1)}


def test_empty_period_gives_no_value(backend: ibis.BaseBackend) -> None:
    got = rows(backend, "resolution_rate", period=Period(date(2024, 1, 1), date(2024, 2, 1)))
    assert got == {(): (None, 0)}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: report(b, ["sped"]), "unknown metric 'sped'"),  # hint: did you mean …
        (lambda b: report(b, ["csat"], by=["colour"]), "unknown breakdown 'colour'"),
        (lambda b: report(b, ["nps"], by=["channel"]), "nps cannot be broken down by channel"),
        (lambda b: Period(date(2025, 2, 1), date(2025, 1, 1)), "ends (2025-01-01) on or before"),
        (lambda b: Filters({"colour": ("red",)}), "unknown filter colour"),
        (lambda b: report(b, ["csat"], period=Period(date(2025, 1, 1), None, "Mars/Base")), "unknown time zone"),
    ],
)
def test_errors_say_what_is_allowed(backend: ibis.BaseBackend, call: object, message: str) -> None:
    with pytest.raises((ParameterError, UnknownMetricError)) as caught:
        call(backend)  # type: ignore[operator]
    assert message in str(caught.value) and caught.value.hint
