"""Timestamps land in UTC: offsets are honoured, naive values are read in --timezone, DST edges are fixed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import chatlift
import chatlift.ingest.validation
from chatlift.errors import ConfigError
from chatlift.workspace import Workspace
from tests.ingest.conftest import count, query, write


def _goals(
    ws: Workspace, tmp_path: Path, values: list[str], timezone: str | None = None
) -> dict[str, datetime]:
    """Import one goal per value (ids g0, g1 …) and return id -> stored UTC time."""
    body = "".join(f"g{i},signup,{v}\n" for i, v in enumerate(values))
    path = write(tmp_path / "g.csv", "goal_id,name,at\n" + body)
    [result] = ws.import_files("goals", [path], timezone=timezone)
    assert result.rejected == 0, result.issues
    return dict(query(ws, 'SELECT goal_id, "at" FROM goals'))


def test_offsets_are_converted_to_utc(ws: Workspace, tmp_path: Path) -> None:
    got = _goals(
        ws,
        tmp_path,
        [
            "2025-01-15T10:00:00+01:00",
            "2025-01-15T10:00:00Z",
            "2025-01-15T10:00:00-05:00",
            "2025-01-15T10:00:00+0530",
            "2025-01-15T23:30:00.123456-02:00",
            "2025-01-15 10:00 UTC",
            "2025-07-15 10:00:00 Europe/Amsterdam",
            "2025-01-15 10:00:00 +0200",  # Shopify's form: a blank before the offset
            "2025-01-15 10:00:00 -03:00",
        ],
    )
    assert got == {
        "g0": datetime(2025, 1, 15, 9, 0),
        "g1": datetime(2025, 1, 15, 10, 0),
        "g2": datetime(2025, 1, 15, 15, 0),
        "g3": datetime(2025, 1, 15, 4, 30),
        "g4": datetime(2025, 1, 16, 1, 30, 0, 123456),
        "g5": datetime(2025, 1, 15, 10, 0),
        "g6": datetime(2025, 7, 15, 8, 0),  # a named zone in the value: CEST, +2
        "g7": datetime(2025, 1, 15, 8, 0),
        "g8": datetime(2025, 1, 15, 13, 0),
    }


def test_an_offset_in_the_value_wins_over_timezone(ws: Workspace, tmp_path: Path) -> None:
    got = _goals(
        ws, tmp_path, ["2025-01-15T10:00:00+01:00", "2025-01-15T10:00:00Z"], timezone="America/New_York"
    )
    assert got == {"g0": datetime(2025, 1, 15, 9, 0), "g1": datetime(2025, 1, 15, 10, 0)}


def test_naive_values_read_in_amsterdam_winter_and_summer(ws: Workspace, tmp_path: Path) -> None:
    """CET is UTC+1 in January, CEST UTC+2 in July; a bare date is local midnight."""
    got = _goals(
        ws,
        tmp_path,
        ["2025-01-15 10:00:00", "2025-07-15T10:00:00", "2025-01-15", "2025-12-31 23:30:00.5"],
        timezone="Europe/Amsterdam",
    )
    assert got == {
        "g0": datetime(2025, 1, 15, 9, 0),
        "g1": datetime(2025, 7, 15, 8, 0),
        "g2": datetime(2025, 1, 14, 23, 0),
        "g3": datetime(2025, 12, 31, 22, 30, 0, 500000),
    }
    assert query(ws, "SELECT timezone FROM chatlift_imports") == [("Europe/Amsterdam",)]


def test_dst_gap_resolves_forward(ws: Workspace, tmp_path: Path) -> None:
    """2025-03-30 02:00→03:00 in Amsterdam: 02:30 does not exist and is read with the winter offset (+1),
    i.e. as 03:30 summer time = 01:30 UTC. Its neighbours are unambiguous."""
    got = _goals(
        ws,
        tmp_path,
        ["2025-03-30 01:59:59", "2025-03-30 02:30:00", "2025-03-30 03:00:00"],
        timezone="Europe/Amsterdam",
    )
    assert got == {
        "g0": datetime(2025, 3, 30, 0, 59, 59),
        "g1": datetime(2025, 3, 30, 1, 30),
        "g2": datetime(2025, 3, 30, 1, 0),
    }


def test_dst_fold_takes_the_second_occurrence(ws: Workspace, tmp_path: Path) -> None:
    """2025-10-26 03:00→02:00 in Amsterdam: 02:30 happens twice (00:30 and 01:30 UTC); the later,
    standard-time one is stored, as the ingest.validation docstring says."""
    got = _goals(
        ws,
        tmp_path,
        ["2025-10-26 01:30:00", "2025-10-26 02:30:00", "2025-10-26 03:00:00"],
        timezone="Europe/Amsterdam",
    )
    assert got == {
        "g0": datetime(2025, 10, 25, 23, 30),
        "g1": datetime(2025, 10, 26, 1, 30),
        "g2": datetime(2025, 10, 26, 2, 0),
    }
    doc = chatlift.ingest.validation.__doc__ or ""
    assert "DST gaps resolve forward" in doc and "folds" in doc and "second occurrence" in doc


def test_dst_edges_are_the_same_in_every_format_and_every_run(tmp_path: Path) -> None:
    """CSV, JSONL and a naive Parquet column give the same UTC values for the gap and the fold, twice over."""
    local = [datetime(2025, 3, 30, 2, 30), datetime(2025, 10, 26, 2, 30)]
    want = [("g0", datetime(2025, 3, 30, 1, 30)), ("g1", datetime(2025, 10, 26, 1, 30))]
    csv_path = write(tmp_path / "g.csv", "goal_id,name,at\ng0,x,2025-03-30 02:30\ng1,x,2025-10-26T02:30:00\n")
    jsonl_path = write(
        tmp_path / "g.jsonl",
        '{"goal_id": "g0", "name": "x", "at": "2025-03-30 02:30:00"}\n'
        '{"goal_id": "g1", "name": "x", "at": "2025-10-26 02:30:00"}\n',
    )
    parquet_path = tmp_path / "g.parquet"
    pq.write_table(
        pa.table({"goal_id": ["g0", "g1"], "name": ["x", "x"], "at": pa.array(local, pa.timestamp("us"))}),
        parquet_path,
    )
    for run in range(2):
        for path in (csv_path, jsonl_path, parquet_path):
            with chatlift.connect(tmp_path / f"{path.suffix[1:]}{run}.duckdb", create=True) as ws:
                [result] = ws.import_files("goals", [path], timezone="Europe/Amsterdam")
                assert result.rejected == 0
                assert query(ws, 'SELECT goal_id, "at" FROM goals ORDER BY 1') == want, path.name


def test_parquet_timestamps_with_and_without_zone(ws: Workspace, tmp_path: Path) -> None:
    """A zoned Parquet column is an instant (timezone unused); a naive one is read in timezone or rejected."""
    from datetime import UTC

    zoned = tmp_path / "zoned.parquet"
    pq.write_table(
        pa.table(
            {
                "goal_id": ["z1"],
                "name": ["x"],
                "at": pa.array(
                    [datetime(2025, 1, 15, 9, tzinfo=UTC)], pa.timestamp("us", tz="Europe/Amsterdam")
                ),
            }
        ),
        zoned,
    )
    naive = tmp_path / "naive.parquet"
    pq.write_table(
        pa.table(
            {
                "goal_id": ["n1", "n2"],
                "name": ["x", "x"],
                "at": pa.array([datetime(2025, 1, 15, 10), datetime(2025, 7, 15, 10)], pa.timestamp("ms")),
            }
        ),
        naive,
    )
    z, n = ws.import_files("goals", [zoned, naive])
    assert (z.inserted, z.rejected) == (1, 0)
    assert (n.inserted, n.rejected) == (0, 2)
    assert [(i.row, i.field) for i in n.issues] == [(1, "at"), (2, "at")]
    assert all("pass --timezone" in i.reason for i in n.issues)
    z, n = ws.import_files("goals", [zoned, naive], timezone="America/New_York")
    assert (z.unchanged, n.inserted, n.rejected) == (1, 2, 0)
    assert query(ws, 'SELECT goal_id, "at" FROM goals ORDER BY 1') == [
        ("n1", datetime(2025, 1, 15, 15, 0)),  # EST, -5
        ("n2", datetime(2025, 7, 15, 14, 0)),  # EDT, -4
        ("z1", datetime(2025, 1, 15, 9, 0)),
    ]


@pytest.mark.parametrize("name", ["Mars/Olympus", "CEST", "Europe/Amsterdm", "+01:00"])
def test_unknown_timezone_is_a_clear_error_before_anything_is_written(
    ws: Workspace, tmp_path: Path, name: str
) -> None:
    path = write(tmp_path / "g.csv", "goal_id,name,at\ng1,x,2025-01-15 10:00\n")
    with pytest.raises(ConfigError) as info:
        ws.import_files("goals", [path], timezone=name)
    assert str(info.value) == f"unknown time zone {name!r}"
    assert info.value.hint is not None and "Europe/Amsterdam" in info.value.hint
    assert count(ws, "goals") == 0
    assert query(ws, "SELECT count(*) FROM chatlift_imports") == [(0,)]
