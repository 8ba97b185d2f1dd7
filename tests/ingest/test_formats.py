"""Input formats and file handling: compression, delimiters, header names, extra columns, globs, errors."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from chatlift.errors import InputError, ParameterError
from chatlift.workspace import Workspace
from tests.ingest.conftest import count, query, write

T = "2025-01-01T10:00:00Z"
HEADER = "order_id,ordered_at,amount,currency"


def _orders(ws: Workspace) -> list[tuple[object, ...]]:
    return query(ws, "SELECT order_id, amount, currency FROM orders ORDER BY 1")


def test_gzipped_csv_and_jsonl(ws: Workspace, tmp_path: Path) -> None:
    """``.csv.gz`` and ``.jsonl.gz`` are read by their inner extension and decompressed."""
    csv_gz = tmp_path / "o.csv.gz"
    csv_gz.write_bytes(gzip.compress(f"{HEADER}\no1,{T},1.5,EUR\no2,{T},2,EUR\n".encode()))
    jsonl_gz = tmp_path / "o.jsonl.gz"
    jsonl_gz.write_bytes(
        gzip.compress(
            b'{"order_id": "o3", "ordered_at": "2025-01-01T10:00:00Z", "amount": 3, "currency": "USD"}\n'
        )
    )
    a, b = ws.import_files("orders", [csv_gz, jsonl_gz])
    assert (a.format, a.inserted, b.format, b.inserted) == ("csv", 2, "jsonl", 1)
    assert _orders(ws) == [("o1", 1.5, "EUR"), ("o2", 2.0, "EUR"), ("o3", 3.0, "USD")]


def test_delimiter_is_sniffed(ws: Workspace, tmp_path: Path) -> None:
    """Semicolon- and tab-separated files import without options; commas inside values stay text."""
    semi = write(
        tmp_path / "semi.csv",
        "order_id;ordered_at;amount;currency;customer_id\n"
        f"o1;{T};12.50;EUR;Müller, Jan\n"
        f"o2;{T};12,50;EUR;x\n",
    )
    tab = write(tmp_path / "tab.tsv", f"order_id\tordered_at\tamount\tcurrency\no3\t{T}\t7\tEUR\n")
    s, t = ws.import_files("orders", [semi, tab])
    # The decimal comma in a semicolon file is still a decimal comma: rejected with the hint.
    assert (s.inserted, s.rejected, t.inserted) == (1, 1, 1)
    assert [(i.row, i.field, i.value) for i in s.issues] == [(2, "amount", "12,50")]
    assert "decimal point" in s.issues[0].reason
    assert query(ws, "SELECT order_id, amount, customer_id FROM orders ORDER BY 1") == [
        ("o1", 12.5, "Müller, Jan"),
        ("o3", 7.0, None),
    ]


def test_header_names_ignore_case_and_surrounding_blanks(ws: Workspace, tmp_path: Path) -> None:
    """CSV and Parquet headers are matched to columns case-insensitively and trimmed; a BOM is ignored."""
    path = write(tmp_path / "o.csv", f"\ufeff Order_ID ,ORDERED_AT,Amount , currency\no1,{T},1,EUR\n")
    parquet = tmp_path / "o.parquet"
    pq.write_table(
        pa.table(
            {
                "ORDER_ID": ["o2"],
                " Ordered_At": pa.array([datetime(2025, 1, 1, tzinfo=UTC)], pa.timestamp("us", tz="UTC")),
                "AMOUNT": [2.0],
                "Currency ": ["EUR"],
            }
        ),
        parquet,
    )
    a, b = ws.import_files("orders", [path, parquet])
    assert (a.inserted, a.ignored_columns, b.inserted, b.ignored_columns) == (1, (), 1, ())
    assert _orders(ws) == [("o1", 1.0, "EUR"), ("o2", 2.0, "EUR")]


def test_jsonl_keys_match_like_csv_headers(ws: Workspace, tmp_path: Path) -> None:
    """JSON keys, like CSV headers, match declared columns whatever their case and surrounding blanks."""
    path = write(
        tmp_path / "o.jsonl",
        '{"Order_ID": "o1", " ordered_at ": "2025-01-01T10:00:00Z", "AMOUNT": 1, "currency": "EUR", "Note": 1}\n',
    )
    [result] = ws.import_files("orders", [path])
    assert result.ignored_columns == ("Note",)
    assert (result.inserted, result.rejected) == (1, 0)
    assert ws.store.con.execute("select order_id, amount from orders").fetchall() == [("o1", 1.0)]


def test_unknown_columns_are_reported_as_ignored(ws: Workspace, tmp_path: Path) -> None:
    """Extra columns do not stop the import; each format lists them by their name in the file."""
    csv_path = write(
        tmp_path / "o.csv", f"order_id,Note,ordered_at,amount,currency,Weight \no1,hi,{T},1,EUR,3\n"
    )
    jsonl_path = write(
        tmp_path / "o.jsonl",
        '{"order_id": "o2", "ordered_at": "2025-01-01T10:00:00Z", "amount": 2, "currency": "EUR", '
        '"zeta": 1, "alpha": {"nested": true}}\n',
    )
    parquet = tmp_path / "o.parquet"
    pq.write_table(
        pa.table(
            {
                "order_id": ["o3"],
                "ordered_at": pa.array([datetime(2025, 1, 1, tzinfo=UTC)], pa.timestamp("us", tz="UTC")),
                "amount": [3.0],
                "currency": ["EUR"],
                "warehouse": ["NL-1"],
            }
        ),
        parquet,
    )
    results = ws.import_files("orders", [csv_path, jsonl_path, parquet])
    # The CSV reader trims header names ("Weight " -> "Weight"); JSONL keys are listed sorted.
    assert [r.ignored_columns for r in results] == [("Note", "Weight"), ("alpha", "zeta"), ("warehouse",)]
    assert [r.inserted for r in results] == [1, 1, 1]
    assert [r[0] for r in _orders(ws)] == ["o1", "o2", "o3"]


def test_glob_expands_in_sorted_order_without_repeats(ws: Workspace, tmp_path: Path) -> None:
    """Files are imported in name order, so the last month's value wins; a file named twice runs once."""
    folder = tmp_path / "exports"
    folder.mkdir()
    for month, amount in (("2025-03", 30), ("2025-01", 10), ("2025-02", 20)):
        write(folder / f"{month}.csv", f"{HEADER}\no1,{T},{amount},EUR\n{month},{T},1,EUR\n")
    write(folder / "notes.txt.bak", "not matched by the glob\n")
    results = ws.import_files("orders", [str(folder / "*.csv"), folder / "2025-02.csv"])
    assert [Path(r.source).name for r in results] == ["2025-01.csv", "2025-02.csv", "2025-03.csv"]
    assert [(r.inserted, r.updated) for r in results] == [(2, 0), (1, 1), (1, 1)]
    assert query(ws, "SELECT amount FROM orders WHERE order_id = 'o1'") == [(30.0,)]
    assert count(ws, "orders") == 4


def test_format_override_for_unusual_extensions(ws: Workspace, tmp_path: Path) -> None:
    """Without --format an unknown extension is an error that suggests it; with it the file is read."""
    csv_like = write(tmp_path / "orders.export", f"{HEADER}\no1,{T},1,EUR\n")
    jsonl_like = write(
        tmp_path / "orders.log",
        '{"order_id": "o2", "ordered_at": "2025-01-01T10:00:00Z", "amount": 2, "currency": "EUR"}\n',
    )
    with pytest.raises(InputError) as info:
        ws.import_files("orders", [csv_like])
    assert "cannot tell the format of orders.export" in str(info.value)
    assert info.value.hint is not None and "--format" in info.value.hint
    [a] = ws.import_files("orders", [csv_like], fmt="csv")
    [b] = ws.import_files("orders", [jsonl_like], fmt="jsonl")
    assert (a.format, a.inserted, b.format, b.inserted) == ("csv", 1, "jsonl", 1)
    # An override beats a misleading extension: this ".csv" holds JSON lines.
    misnamed = write(
        tmp_path / "really.csv",
        '{"order_id": "o3", "ordered_at": "2025-01-01T10:00:00Z", "amount": 3, "currency": "EUR"}\n',
    )
    [c] = ws.import_files("orders", [misnamed], fmt="jsonl")
    assert (c.format, c.inserted) == ("jsonl", 1)
    assert [r[0] for r in _orders(ws)] == ["o1", "o2", "o3"]


def test_header_only_file_imports_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv", f"{HEADER}\n")
    [result] = ws.import_files("orders", [path])
    assert (result.rows_read, result.inserted, result.rejected, result.rejected_file) == (0, 0, 0, None)
    assert count(ws, "orders") == 0
    assert query(ws, "SELECT rows_read FROM chatlift_imports") == [(0,)]


def test_empty_file_is_an_error(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv", "")
    with pytest.raises(InputError) as info:
        ws.import_files("orders", [path])
    assert info.value.message == "the file is empty" and info.value.location == str(path)


def test_missing_file_and_empty_glob_are_errors(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file") as info:
        ws.import_files("orders", [tmp_path / "absent.csv"])
    assert str(tmp_path / "absent.csv") in str(info.value)
    with pytest.raises(InputError, match="no file matches") as glob_info:
        ws.import_files("orders", [str(tmp_path / "none-*.csv")])
    assert glob_info.value.hint is not None and "glob" in glob_info.value.hint
    assert query(ws, "SELECT count(*) FROM chatlift_imports") == [(0,)]


def test_missing_required_column_is_a_file_error(ws: Workspace, tmp_path: Path) -> None:
    """A file without a required column is refused as a whole, naming what is missing and what was found."""
    path = write(tmp_path / "o.csv", f"order_id,ordered_at,price\no1,{T},1\n")
    with pytest.raises(InputError) as info:
        ws.import_files("orders", [path])
    assert "missing required columns amount, currency for table orders" in info.value.message
    assert "found: order_id, ordered_at, price" in info.value.message


def test_unknown_table_suggests_a_close_name(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv", f"{HEADER}\no1,{T},1,EUR\n")
    with pytest.raises(InputError) as info:
        ws.import_files("order", [path])
    assert info.value.hint == "Did you mean orders?"


def test_tags_as_semicolon_list_or_json_array(ws: Workspace, tmp_path: Path) -> None:
    """In CSV, tags are split on ";" and trimmed (empty parts dropped), or given as a JSON array."""
    path = write(
        tmp_path / "c.csv",
        "conversation_id,channel,started_at,tags\n"
        f"c1,chat,{T}, vip ; refund;;\n"
        f'c2,chat,{T},"[""a;b"", ""c""]"\n'
        f'c3,chat,{T},"[""unclosed"""\n',
    )
    [result] = ws.import_files("conversations", [path])
    assert (result.inserted, result.rejected) == (2, 1)
    assert [(i.row, i.field) for i in result.issues] == [(3, "tags")]
    assert "not a list" in result.issues[0].reason
    assert query(ws, "SELECT conversation_id, tags FROM conversations ORDER BY 1") == [
        ("c1", ["vip", "refund"]),
        ("c2", ["a;b", "c"]),
    ]


def test_booleans_accept_the_documented_spellings(ws: Workspace, tmp_path: Path) -> None:
    rows = "".join(
        f"s{i},cu,{T},{v}\n"
        for i, v in enumerate(["true", "T", "Yes", "y", "1", "false", "f", "NO", "n", "0"])
    )
    path = write(tmp_path / "s.csv", "subscription_id,customer_id,started_at,trial\n" + rows)
    [result] = ws.import_files("subscriptions", [path])
    assert result.rejected == 0
    assert [r[0] for r in query(ws, "SELECT trial FROM subscriptions ORDER BY subscription_id")] == [
        True
    ] * 5 + [False] * 5


def test_unknown_format_override_is_a_parameter_error(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv", f"order_id,ordered_at,amount,currency\no1,{T},1,EUR\n")
    with pytest.raises(ParameterError) as caught:
        ws.import_files("orders", [path], fmt="xlsx")
    assert "xlsx" in str(caught.value) and "parquet" in (caught.value.hint or "")
