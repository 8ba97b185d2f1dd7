"""Re-importing never double-counts: keys (also composite, also with empty parts) are upserted."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from chatlift.workspace import Workspace
from tests.ingest.conftest import count, quarantine, query, read_rejects, write

ORDERS = (
    "order_id,ordered_at,amount,currency\n"
    "o1,2025-01-01T10:00:00Z,10,EUR\n"
    "o2,2025-01-02T10:00:00Z,20,EUR\n"
    "o3,2025-01-03T10:00:00Z,30,EUR\n"
)


def test_same_file_twice_inserts_nothing_the_second_time(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv", ORDERS)
    [first] = ws.import_files("orders", [path])
    [second] = ws.import_files("orders", [path])
    assert (first.inserted, first.updated, first.unchanged) == (3, 0, 0)
    assert (second.rows_read, second.inserted, second.updated, second.unchanged) == (3, 0, 0, 3)
    assert count(ws, "orders") == 3
    assert query(ws, "SELECT import_id, inserted, unchanged FROM chatlift_imports ORDER BY 1") == [
        (1, 3, 0),
        (2, 0, 3),
    ]


def test_changing_one_row_updates_exactly_that_row(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv", ORDERS)
    ws.import_files("orders", [path])
    write(path, ORDERS.replace("o2,2025-01-02T10:00:00Z,20,EUR", "o2,2025-01-02T10:00:00Z,25,usd"))
    [again] = ws.import_files("orders", [path])
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 1, 2, 0)
    assert query(ws, "SELECT order_id, amount, currency FROM orders ORDER BY 1") == [
        ("o1", 10.0, "EUR"),
        ("o2", 25.0, "USD"),
        ("o3", 30.0, "EUR"),
    ]


def test_an_equivalent_spelling_is_unchanged(ws: Workspace, tmp_path: Path) -> None:
    """The same instant with another offset and "eur" for "EUR" normalise to the stored row."""
    ws.import_files("orders", [write(tmp_path / "a.csv", ORDERS)])
    [again] = ws.import_files(
        "orders",
        [
            write(
                tmp_path / "b.csv",
                "order_id,ordered_at,amount,currency\no1,2025-01-01T11:00:00+01:00,10.0,eur\n",
            )
        ],
    )
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)


def test_duplicate_keys_in_one_file_last_row_wins_earlier_ones_rejected(
    ws: Workspace, tmp_path: Path
) -> None:
    """Of three rows with key o1 the third is stored; rows 1 and 3 are quarantined as duplicates."""
    path = write(
        tmp_path / "o.csv",
        "order_id,ordered_at,amount,currency\n"
        "o1,2025-01-01T10:00:00Z,1,EUR\n"  # row 1: superseded
        "o2,2025-01-01T10:00:00Z,2,EUR\n"  # row 2
        "o1,2025-01-01T10:00:00Z,3,EUR\n"  # row 3: superseded
        "o1,2025-01-01T10:00:00Z,-4,EUR\n"  # row 4: invalid, so it does not compete
        " o1 ,2025-01-01T10:00:00Z,5,EUR\n",  # row 5: same key after trimming; wins
    )
    [result] = ws.import_files("orders", [path])
    assert (result.rows_read, result.inserted, result.updated, result.unchanged, result.rejected) == (
        5,
        2,
        0,
        0,
        3,
    )
    assert [(i.row, i.field, i.value) for i in result.issues] == [
        (1, "order_id", "o1"),
        (3, "order_id", "o1"),
        (4, "amount", "-4"),
    ]
    assert "duplicate order_id in this file" in result.issues[0].reason
    assert query(ws, "SELECT order_id, amount FROM orders ORDER BY 1") == [("o1", 5.0), ("o2", 2.0)]
    assert result.rows_read == result.accepted + result.rejected


def test_cart_events_composite_key(ws: Workspace, tmp_path: Path) -> None:
    """cart_id+action+at: same cart and time with another action is a new row; a re-import adds none."""
    path = write(
        tmp_path / "k.csv",
        "cart_id,at,action,quantity\n"
        "k1,2025-01-01T10:00:00Z,add,1\n"
        "k1,2025-01-01T10:00:00Z,remove,1\n"
        "k1,2025-01-01T10:00:01Z,add,2\n"
        "k2,2025-01-01T10:00:00Z,add,1\n",
    )
    assert ws.import_files("cart_events", [path])[0].inserted == 4
    [again] = ws.import_files("cart_events", [path])
    assert (again.inserted, again.unchanged) == (0, 4)
    # Same key spelled differently (offset, upper case), new quantity: an update, not a fifth row.
    other = write(tmp_path / "k2.csv", "cart_id,at,action,quantity\nk1,2025-01-01T11:00:00+01:00,ADD,7\n")
    [changed] = ws.import_files("cart_events", [other])
    assert (changed.inserted, changed.updated) == (0, 1)
    assert count(ws, "cart_events") == 4
    assert query(
        ws, "SELECT quantity FROM cart_events WHERE cart_id = 'k1' AND action = 'add' ORDER BY \"at\""
    ) == [
        (7,),
        (2,),
    ]


def test_costs_key_with_empty_channel_and_kind(ws: Workspace, tmp_path: Path) -> None:
    """An empty channel or kind is a key value: re-importing such rows does not duplicate them."""
    path = write(
        tmp_path / "c.csv",
        "period_start,period_end,amount,currency,channel,kind\n"
        "2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,100,EUR,,\n"
        "2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,200,EUR,chat,\n"
        "2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,300,EUR,,staff\n"
        "2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,400,EUR,chat,staff\n",
    )
    assert ws.import_files("costs", [path])[0].inserted == 4
    [again] = ws.import_files("costs", [path])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    fixed = write(
        tmp_path / "c2.csv",
        "period_start,period_end,amount,currency,channel,kind\n"
        "2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,150,EUR,,\n",
    )
    [update] = ws.import_files("costs", [fixed])
    assert (update.inserted, update.updated) == (0, 1)
    assert query(ws, "SELECT channel, kind, amount FROM costs ORDER BY amount") == [
        (None, None, 150.0),
        ("chat", None, 200.0),
        (None, "staff", 300.0),
        ("chat", "staff", 400.0),
    ]


def test_costs_duplicate_with_empty_parts_in_one_file(ws: Workspace, tmp_path: Path) -> None:
    """Two rows with the same period and both parts empty are duplicates: the later one is kept."""
    path = write(
        tmp_path / "c.csv",
        "period_start,period_end,amount,currency,channel,kind\n"
        "2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,100,EUR,,\n"
        "2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,110,EUR,,\n",
    )
    [result] = ws.import_files("costs", [path])
    assert (result.inserted, result.rejected) == (1, 1)
    assert [(i.row, i.field) for i in result.issues] == [(1, "period_start+period_end+channel+kind")]
    assert query(ws, "SELECT amount FROM costs") == [(110.0,)]


def test_assignments_one_variant_per_experiment_and_unit(ws: Workspace, tmp_path: Path) -> None:
    """experiment+unit_id: a re-assignment replaces the variant instead of adding an exposure."""
    first = write(
        tmp_path / "a.csv",
        "experiment,unit_id,variant,assigned_at\n"
        "e1,u1,A,2025-01-01T00:00:00Z\n"
        "e1,u2,B,2025-01-01T00:00:00Z\n"
        "e2,u1,B,2025-01-01T00:00:00Z\n",
    )
    assert ws.import_files("assignments", [first])[0].inserted == 3
    assert ws.import_files("assignments", [first])[0].unchanged == 3
    second = write(
        tmp_path / "b.csv", "experiment,unit_id,variant,assigned_at\ne1,u1,B,2025-01-02T00:00:00Z\n"
    )
    [moved] = ws.import_files("assignments", [second])
    assert (moved.inserted, moved.updated) == (0, 1)
    assert query(ws, "SELECT experiment, unit_id, variant, assigned_at FROM assignments ORDER BY 1, 2") == [
        ("e1", "u1", "B", datetime(2025, 1, 2)),
        ("e1", "u2", "B", datetime(2025, 1, 1)),
        ("e2", "u1", "B", datetime(2025, 1, 1)),
    ]


def test_same_rows_in_two_files_count_once(ws: Workspace, tmp_path: Path) -> None:
    """A second file (another name, another format) holding the same rows leaves the table as it was."""
    csv_path = write(tmp_path / "export-1.csv", ORDERS)
    jsonl_path = write(
        tmp_path / "export-2.jsonl",
        '{"order_id": "o2", "ordered_at": "2025-01-02T10:00:00Z", "amount": 20, "currency": "EUR"}\n'
        '{"order_id": "o4", "ordered_at": "2025-01-04T10:00:00Z", "amount": 40, "currency": "EUR"}\n',
    )
    first, second = ws.import_files("orders", [csv_path, jsonl_path])
    assert (first.inserted, second.inserted, second.unchanged) == (3, 1, 1)
    assert count(ws, "orders") == 4
    assert query(ws, "SELECT sum(amount) FROM orders") == [(100.0,)]


def test_quarantine_of_a_file_is_replaced_on_reimport(ws: Workspace, tmp_path: Path) -> None:
    """Fixing a file and importing it again clears its quarantine rows and its rejected.csv."""
    path = write(
        tmp_path / "o.csv",
        "order_id,ordered_at,amount,currency\n"
        "o1,2025-01-01T10:00:00Z,-1,EUR\n"
        "o2,2025-01-01T10:00:00Z,2,EURO\n"
        "o3,2025-01-01T10:00:00Z,3,EUR\n",
    )
    other = write(tmp_path / "other.csv", "order_id,ordered_at,amount,currency\nx1,never,1,EUR\n")
    ws.import_files("orders", [path, other])
    assert [(r[1], r[2]) for r in quarantine(ws)] == [(str(path), 1), (str(path), 2), (str(other), 1)]

    # Still bad on re-import: replaced, not accumulated.
    ws.import_files("orders", [path])
    assert [(r[1], r[2]) for r in quarantine(ws)] == [(str(path), 1), (str(path), 2), (str(other), 1)]

    write(path, path.read_text(encoding="utf-8").replace(",-1,", ",1,").replace("EURO", "EUR"))
    [fixed] = ws.import_files("orders", [path])
    assert (fixed.inserted, fixed.unchanged, fixed.rejected) == (2, 1, 0)
    assert fixed.rejected_file is None
    assert not (tmp_path / "o.csv.rejected.csv").exists()
    assert [(r[1], r[2]) for r in quarantine(ws)] == [(str(other), 1)]
    assert len(read_rejects(tmp_path / "other.csv.rejected.csv")) == 1
    assert count(ws, "orders") == 3
