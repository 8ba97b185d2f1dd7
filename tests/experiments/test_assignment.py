"""Deterministic assignment (pinned on fixed ids) and the first-exposure record."""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatlift.errors import ExperimentError
from chatlift.experiments import DEMO_EXPERIMENT, bucket, choose_variant, experiments_from_mapping
from chatlift.workspace import Workspace, connect

THREE_WAY = experiments_from_mapping({"three_way": {
    "variants": {"a": 1, "b": 1.5, "c": 2.5}, "start": "2025-01-01T00:00:00", "primary": ["conversion"],
}}, "test")


def by_hand(experiment: str, unit_id: str) -> float:
    """The documented algorithm, written out again: SHA-256, first 8 bytes big-endian, / 2**64."""
    digest = hashlib.sha256((experiment + ":" + unit_id).encode("utf-8")).digest()
    (number,) = struct.unpack(">Q", digest[:8])
    return float(number / 2**64)


# Pinned: computed once with by_hand; a change here moves real users between arms.
PINNED_DEMO = {"c1": "realtime", "c2": "control", "c3": "control", "visitor-42": "control",
               "cust_000123": "control", "ünïcode": "realtime"}
PINNED_THREE_WAY = {"u1": "a", "u2": "b", "u3": "c", "u4": "c", "u5": "a", "u6": "c"}  # cuts at 0.2 and 0.5


@pytest.mark.parametrize(("unit_id", "variant"), PINNED_DEMO.items())
def test_pinned_two_way(unit_id: str, variant: str) -> None:
    assert bucket("realtime_support", unit_id) == by_hand("realtime_support", unit_id)
    assert choose_variant(DEMO_EXPERIMENT, unit_id) == variant
    assert variant == ("control" if by_hand("realtime_support", unit_id) < 0.5 else "realtime")


@pytest.mark.parametrize(("unit_id", "variant"), PINNED_THREE_WAY.items())
def test_pinned_weighted(unit_id: str, variant: str) -> None:
    x = by_hand("three_way", unit_id)
    assert choose_variant(THREE_WAY["three_way"], unit_id) == variant == ("a" if x < 0.2 else "b" if x < 0.5 else "c")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=30, unique=True),
       st.lists(st.text(min_size=1, max_size=12), max_size=30))
def test_adding_units_moves_no_one(first: list[str], more: list[str]) -> None:
    spec = THREE_WAY["three_way"]
    before = {u: choose_variant(spec, u) for u in first}
    after = {u: choose_variant(spec, u) for u in first + more}
    assert all(after[u] == v for u, v in before.items())


def test_split_follows_the_weights() -> None:
    spec = THREE_WAY["three_way"]
    counts = {"a": 0, "b": 0, "c": 0}
    for i in range(20_000):
        counts[choose_variant(spec, f"unit-{i}")] += 1
    # Weights 0.2 / 0.3 / 0.5; binomial sd of a share over 20 000 units ≤ 0.0036: allow 4 sd.
    assert counts["a"] / 20_000 == pytest.approx(0.2, abs=0.0145)
    assert counts["b"] / 20_000 == pytest.approx(0.3, abs=0.0145)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return connect(tmp_path / "assign.duckdb", create=True)


def test_first_exposure_is_kept(ws: Workspace) -> None:
    definitions = THREE_WAY
    first = ws.assign("three_way", "u1", definitions=definitions, at=datetime(2025, 1, 2, 10))
    again = ws.assign("three_way", "u1", definitions=definitions, at=datetime(2025, 1, 9))
    assert (first.variant, first.new, first.hashed) == ("a", True, True)
    assert (again.variant, again.assigned_at, again.new) == ("a", datetime(2025, 1, 2, 10), False)
    rows = ws.store.con.execute("SELECT experiment, unit_id, variant, assigned_at FROM assignments").fetchall()
    assert rows == [("three_way", "u1", "a", datetime(2025, 1, 2, 10))]


def test_batch_assignment_in_order_and_zoned_times(ws: Workspace) -> None:
    at = datetime(2025, 1, 2, 12, tzinfo=timezone(timedelta(hours=2)))
    got = ws.assign_units("three_way", ["u2", "u3", "u2"], definitions=THREE_WAY, at=at)
    assert [a.variant for a in got] == ["b", "c", "b"]
    assert ws.store.con.execute("SELECT count(*), min(assigned_at) FROM assignments").fetchone() == (
        2, datetime(2025, 1, 2, 10))


def test_stored_exposure_wins_over_the_hash(ws: Workspace) -> None:
    ws.store.con.execute("INSERT INTO assignments VALUES ('three_way', 'u1', 'c', '2025-01-01 08:00:00')")
    got = ws.assign("three_way", "u1", definitions=THREE_WAY)
    assert (got.variant, got.hashed, got.new) == ("c", False, False)


def test_without_record_nothing_is_written(ws: Workspace) -> None:
    got = ws.assign("three_way", "u4", definitions=THREE_WAY, record=False)
    assert got.variant == "c" and got.new
    assert ws.row_counts()["assignments"] == 0
    assert datetime.now(UTC).replace(tzinfo=None) - got.assigned_at < timedelta(minutes=5)


def test_read_only_database_refuses_to_record(tmp_path: Path) -> None:
    connect(tmp_path / "ro.duckdb", create=True).close()
    with connect(tmp_path / "ro.duckdb", read_only=True) as ro, pytest.raises(ExperimentError, match="read-only"):
        ro.assign("three_way", "u1", definitions=THREE_WAY)


def test_unknown_experiment_is_an_error_with_a_hint(ws: Workspace) -> None:
    with pytest.raises(ExperimentError) as info:
        ws.assign("three_wya", "u1", definitions=THREE_WAY)
    assert "no experiment 'three_wya'" in str(info.value)
    assert info.value.hint == "Did you mean three_way?"


def test_empty_unit_id_is_refused(ws: Workspace) -> None:
    with pytest.raises(ExperimentError, match="non-empty"):
        ws.assign("three_way", "", definitions=THREE_WAY)
