"""Shopify's orders export: lines grouped into orders, refunds and cancellations, errors by record, re-imports.

The export below has Shopify's header (the columns a 2024 export writes, in its order, trimmed
after ``Id``) and its habit of filling the order's columns on the first line only. Every expected
figure is worked out by hand from those lines.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatlift.cli.main import app
from chatlift.errors import InputError
from chatlift.workspace import Workspace
from tests.ingest.conftest import quarantine, query, write

HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,"
    "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,"
    "Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,"
    "Lineitem taxable,Lineitem fulfillment status,Billing Name,Cancelled at,Payment Method,Refunded Amount,Id"
)


def line(name: str, email: str = "", status: str = "", currency: str = "", total: str = "", created: str = "",
         quantity: str = "1", cancelled: str = "", refunded: str = "", order_id: str = "") -> str:
    cells = {
        "Name": name, "Email": email, "Financial Status": status, "Currency": currency, "Total": total,
        "Created at": created, "Lineitem quantity": quantity, "Lineitem name": "Tea", "Cancelled at": cancelled,
        "Refunded Amount": refunded, "Id": order_id,
    }
    return ",".join(cells.get(column, "") for column in HEADER.split(","))


EXPORT = "\n".join([
    HEADER,
    # record 1: two lines, 2 + 3 items; the e-mail in capitals with a blank around it
    line("#1001", " Anna@Example.COM ", "paid", "EUR", "113.00", "2025-03-01 10:00:00 +0100", "2", order_id="501"),
    line("#1001", " Anna@Example.COM ", quantity="3"),
    # record 3: partly refunded: 80.50 − 20.25 = 60.25
    line("#1002", "bob@example.com", "partially_refunded", "EUR", "80.50", "2025-03-02 23:30:00 -0500", "1",
         refunded="20.25", order_id="502"),
    # record 4: cancelled; record 5: refunded in full; both skipped
    line("#1003", "cy@example.com", "voided", "EUR", "10.00", "2025-03-03 09:00:00 +0000", "1",
         cancelled="2025-03-03 12:00:00 +0000", order_id="503"),
    line("#1004", "di@example.com", "refunded", "EUR", "15.00", "2025-03-04 09:00:00 +0000", "1",
         refunded="15.00", order_id="504"),
    # record 6: a pending payment is still an order placed; no e-mail (a guest checkout)
    line("#1005", "", "pending", "USD", "0.00", "2025-03-05 12:00:00 +0000", "4", order_id="505"),
    # record 7: a date Shopify never writes: rejected on ordered_at, the others kept
    line("#1006", "ed@example.com", "paid", "EUR", "9.99", "yesterday", "1", order_id="506"),
    # record 8: a total with a decimal comma: rejected on amount
    line("#1007", "fa@example.com", "paid", "EUR", '"12,50"', "2025-03-07 08:00:00 +0000", "1", order_id="507"),
]) + "\n"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write(tmp_path / "orders_export_1.csv", EXPORT)


def stored(ws: Workspace) -> dict[str, tuple[object, ...]]:
    rows = query(ws, "SELECT order_id, ordered_at, amount, currency, customer_id, kind, items FROM orders")
    return {str(r[0]): r[1:] for r in rows}


def test_orders_are_grouped_converted_and_skipped_with_reasons(ws: Workspace, export: Path) -> None:
    (done,) = ws.import_vendor("shopify", [export])
    assert stored(ws) == {
        # 10:00 at +01:00 is 09:00 UTC; 23:30 at −05:00 is 04:30 UTC the next day
        "#1001": (datetime(2025, 3, 1, 9, 0), 113.0, "EUR", "anna@example.com", "purchase", 5),
        "#1002": (datetime(2025, 3, 3, 4, 30), 60.25, "EUR", "bob@example.com", "purchase", 1),
        "#1005": (datetime(2025, 3, 5, 12, 0), 0.0, "USD", None, "purchase", 4),
    }
    t = done.translation
    assert t.records_read == 7  # eight lines, #1001 on two
    assert [(s.row, s.reason) for s in t.skipped] == [
        (4, "order #1003 was cancelled at 2025-03-03 12:00:00 +0000"),
        (5, "order #1004 is refunded"),
    ]
    (result,) = done.results
    assert (result.table, result.rows_read, result.inserted, result.rejected) == ("orders", 5, 3, 2)
    assert [(i.row, i.field, i.value) for i in result.issues] == [(7, "ordered_at", "yesterday"),
                                                                 (8, "amount", "12,50")]
    assert [(q[1], q[2], q[3]) for q in quarantine(ws)] == [(str(export), 7, "ordered_at"),
                                                          (str(export), 8, "amount")]
    # 3 stored + 2 rejected + 2 skipped: every one of the 7 orders is accounted for
    assert result.accepted + result.rejected + len(t.skipped) == t.records_read


def test_importing_again_or_a_newer_overlapping_export_never_counts_twice(ws: Workspace, export: Path,
                                                                          tmp_path: Path) -> None:
    ws.import_vendor("shopify", [export])
    (again,) = ws.import_vendor("shopify", [export])
    assert (again.results[0].inserted, again.results[0].updated, again.results[0].unchanged) == (0, 0, 3)
    assert len(quarantine(ws)) == 2  # the same file's issues replaced, not added
    newer = write(tmp_path / "orders_export_2.csv", "\n".join([
        HEADER,
        line("#1002", "bob@example.com", "partially_refunded", "EUR", "80.50", "2025-03-02 23:30:00 -0500", "1",
             refunded="30.50", order_id="502"),  # refunded more since: 50.00
        line("#1008", "gu@example.com", "paid", "EUR", "7.00", "2025-03-08 08:00:00 +0000", "1", order_id="508"),
    ]) + "\n")
    (later,) = ws.import_vendor("shopify", [newer])
    assert (later.results[0].inserted, later.results[0].updated, later.results[0].unchanged) == (1, 1, 0)
    assert query(ws, "SELECT count(*), sum(amount) FROM orders") == [(4, 113.0 + 50.0 + 0.0 + 7.0)]


def test_a_file_that_is_not_a_shopify_orders_export_names_the_missing_columns(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "customers.csv", "First Name,Last Name,Email,Total Spent\nAnna,A,a@x.com,10\n")
    with pytest.raises(InputError, match="missing columns Name, Created at, Total, Currency") as caught:
        ws.import_vendor("shopify", [path])
    assert caught.value.location == str(path)
    assert query(ws, "SELECT count(*) FROM orders") == [(0,)]


def test_an_unknown_vendor_gets_the_close_match(ws: Workspace, export: Path) -> None:
    with pytest.raises(InputError, match="unknown vendor 'shopfy'") as caught:
        ws.import_vendor("shopfy", [export])
    assert "shopify" in str(caught.value.hint)


def test_cli_import_from_prints_counts_skips_and_the_vendor_field(export: Path, tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["import-from", "shopify", str(export), "--db", str(db), "--strict"])
    assert result.exit_code == 1, result.output  # --strict: two records were rejected
    text = result.output
    assert "7 record(s) read as shopify" in text
    assert "record 4: order #1003 was cancelled" in text
    assert "row 7, field ordered_at = 'yesterday'" in text
    assert "orders.ordered_at is shopify's 'Created at'" in text


def test_cli_import_from_json_output_has_counts_and_skips(export: Path, tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["import-from", "shopify", str(export), "--db", str(db), "--output", "json"])
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(text) for text in result.stdout.splitlines() if text.startswith("{")]
    assert (line["vendor"], line["file"], line["records_read"], line["removed"]) == ("shopify", str(export), 7, {})
    (orders,) = line["tables"]
    assert (orders["table"], orders["rows_read"], orders["inserted"], orders["rejected"]) == ("orders", 5, 3, 2)
    assert [s["row"] for s in line["skipped"]] == [4, 5]
    assert [(i["row"], i["field"]) for i in orders["issues"]] == [(7, "ordered_at"), (8, "amount")]


def test_an_order_cancelled_since_the_last_export_is_removed(ws: Workspace, export: Path, tmp_path: Path) -> None:
    ws.import_vendor("shopify", [export])
    later = write(tmp_path / "orders_export_2.csv", "\n".join([
        HEADER,
        line("#1001", "anna@example.com", "paid", "EUR", "113.00", "2025-03-01 10:00:00 +0100", "5",
             cancelled="2025-03-04 08:00:00 +0000", order_id="501"),
        line("#1005", "", "refunded", "USD", "0.00", "2025-03-05 12:00:00 +0000", "4", order_id="505"),
        line("#1099", "", "voided", "USD", "1.00", "2025-03-09 12:00:00 +0000", "1", order_id="599"),  # never stored
    ]) + "\n")
    (done,) = ws.import_vendor("shopify", [later])
    assert done.removed == {"orders": 2}  # #1001 and #1005 were stored; #1099 never was
    assert sorted(stored(ws)) == ["#1002"]


def test_two_orders_of_one_name_are_not_merged(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "orders.csv", "\n".join([
        HEADER,
        line("#1001", "anna@example.com", "paid", "EUR", "10.00", "2025-03-01 10:00:00 +0000", "1", order_id="501"),
        line("#1001", "anna@example.com", quantity="2"),  # a second line item of order 501
        line("#1001", "bo@example.com", "paid", "EUR", "99.00", "2025-03-02 10:00:00 +0000", "3", order_id="777"),
    ]) + "\n")
    (done,) = ws.import_vendor("shopify", [path])
    (result,) = done.results
    # two orders (records 1 and 3) with one order_id: the later is kept, the earlier rejected as a repeat
    assert (done.translation.records_read, result.inserted, result.rejected) == (2, 1, 1)
    assert [(i.row, i.field) for i in result.issues] == [(1, "order_id")]
    assert stored(ws)["#1001"][1:] == (99.0, "EUR", "bo@example.com", "purchase", 3)
