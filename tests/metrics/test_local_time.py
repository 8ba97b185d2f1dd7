"""Wall-clock conversion in the engine against Python's zoneinfo, instant by instant."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from chatlift.metrics.local_time import to_local, transitions

ZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo"]
START, END = datetime(2018, 1, 1), datetime(2027, 1, 1)


def by_zoneinfo(utc: datetime, zone: str) -> datetime:
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def test_transitions_of_amsterdam_in_2025_are_the_published_change_instants() -> None:
    # EU rule: clocks change at 01:00 UTC on the last Sunday of March and of October.
    changes = transitions(ZoneInfo("Europe/Amsterdam"), datetime(2025, 1, 1), datetime(2026, 1, 1))
    assert changes == [(datetime(2025, 1, 1), 3600), (datetime(2025, 3, 30, 1), 7200), (datetime(2025, 10, 26, 1), 3600)]


def test_lord_howe_changes_by_half_an_hour() -> None:
    changes = transitions(ZoneInfo("Australia/Lord_Howe"), datetime(2025, 1, 1), datetime(2026, 1, 1))
    assert [offset for _, offset in changes] == [39600, 37800, 39600]


@settings(max_examples=30, deadline=None)
@given(zone=st.sampled_from(ZONES),
       seconds=st.lists(st.integers(0, int((END - START).total_seconds())), min_size=1, max_size=40))
def test_engine_wall_clock_matches_zoneinfo(zone: str, seconds: list[int]) -> None:
    instants = [START + timedelta(seconds=s) for s in seconds]
    table = ibis.memtable(pa.table({"at": pa.array(instants, pa.timestamp("us"))}))
    local = table.select(local=to_local(table.at, zone, START, END)).to_pyarrow()["local"].to_pylist()
    assert local == [by_zoneinfo(i, zone) for i in instants]
