"""WooCommerce orders (REST API v3 JSON, JSON Lines, a webhook's single order) imported into a real DuckDB workspace.

The orders below are built here in the shape ``GET /wp-json/wc/v3/orders`` returns (trimmed of links, tax,
shipping and fee lines); every expected value is worked out by hand from them. The shop's time zone is
Europe/Amsterdam, one hour ahead of UTC in early March 2025 (summer time starts on 30 March), so each
``date_created`` is its ``date_created_gmt`` plus one hour.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from chatlift.ingest.vendors import VendorImport, import_vendor
from chatlift.workspace import Workspace
from tests.ingest.conftest import as_lines, count, put, quarantine, query, write


def address(mail: str | None) -> dict[str, Any]:
    billing: dict[str, Any] = {
        "first_name": "Anna", "last_name": "Berg", "company": "", "address_1": "Damrak 1", "address_2": "",
        "city": "Amsterdam", "state": "", "postcode": "1012 LG", "country": "NL", "phone": "+31 20 000 0000",
    }
    if mail is not None:
        billing["email"] = mail
    return billing


def line_item(item_id: int, name: str, quantity: Any, total: str) -> dict[str, Any]:
    return {"id": item_id, "name": name, "product_id": 93, "variation_id": 0, "quantity": quantity,
            "tax_class": "", "subtotal": total, "subtotal_tax": "0.00", "total": total, "total_tax": "0.00",
            "taxes": [], "meta_data": [], "sku": f"SKU-{item_id}", "price": 1.0}


def order(order_id: int, status: str | None, gmt: str | None, total: Any, *, currency: str | None = "EUR",
          local: str | None = None, customer_id: int = 0, mail: str | None = "", lines: Any = None,
          refunds: Any = None, paid_gmt: str | None = None, **changes: Any) -> dict[str, Any]:
    """One order as the API writes it: date_created is the shop's local time, date_created_gmt UTC, both
    without an offset; refund totals are negative text."""
    data: dict[str, Any] = {
        "id": order_id, "parent_id": 0, "number": str(order_id), "order_key": f"wc_order_{order_id}",
        "created_via": "checkout", "version": "9.6.0", "status": status, "currency": currency,
        "date_created": local, "date_created_gmt": gmt,
        "date_modified": local, "date_modified_gmt": gmt, "discount_total": "0.00", "discount_tax": "0.00",
        "shipping_total": "5.00", "shipping_tax": "0.00", "cart_tax": "0.00", "total": total,
        "total_tax": "0.00", "prices_include_tax": True, "customer_id": customer_id,
        "customer_ip_address": "203.0.113.5", "customer_user_agent": "Mozilla/5.0", "customer_note": "",
        "billing": address(mail), "shipping": address(None), "payment_method": "bacs",
        "payment_method_title": "Direct bank transfer", "transaction_id": "",
        "date_paid": None, "date_paid_gmt": paid_gmt, "date_completed": None, "date_completed_gmt": None,
        "cart_hash": "", "meta_data": [], "line_items": lines if lines is not None else [],
        "tax_lines": [], "shipping_lines": [], "fee_lines": [], "coupon_lines": [],
        "refunds": refunds if refunds is not None else [], "payment_url": "", "currency_symbol": "€",
    }
    data.update(changes)
    return data


def refund(refund_id: int, total: Any, reason: str = "") -> dict[str, Any]:
    return {"id": refund_id, "reason": reason, "total": total}


ORDERS: list[dict[str, Any]] = [
    # 1: completed, a registered customer whose e-mail has capitals and blanks; 2 + 3 = 5 items
    order(727, "completed", "2025-03-01T09:00:00", "113.00", local="2025-03-01T10:00:00", customer_id=12,
          mail=" Anna@Example.COM ", lines=[line_item(1, "Tea", 2, "60.00"), line_item(2, "Cup", 3, "48.00")],
          paid_gmt="2025-03-01T09:01:00"),
    # 2: processing, a guest (customer_id 0), refunded twice: 80.50 − 20.25 − 0.25 = 60.00
    order(728, "processing", "2025-03-02T23:30:00", "80.50", local="2025-03-03T00:30:00", mail="bob@example.com",
          lines=[line_item(3, "Kettle", 1, "75.50")], paid_gmt="2025-03-02T23:31:00",
          refunds=[refund(801, "-20.25", "damaged box"), refund(802, "-0.25")]),
    # 3: on-hold (a bank transfer not yet received), no line items: 0 items; the status in capitals
    order(729, "On-Hold", "2025-03-03T08:15:00", "45.00", currency="usd", local="2025-03-03T09:15:00",
          customer_id=13, mail="cy@example.com"),
    # 4 to 9: no sale came of them: skipped
    order(730, "pending", "2025-03-04T10:00:00", "10.00", local="2025-03-04T11:00:00", mail="di@example.com"),
    order(731, "failed", "2025-03-04T10:05:00", "10.00", local="2025-03-04T11:05:00", mail="di@example.com"),
    order(732, "cancelled", "2025-03-04T10:10:00", "10.00", local="2025-03-04T11:10:00", mail="di@example.com"),
    order(733, "refunded", "2025-03-04T10:15:00", "10.00", local="2025-03-04T11:15:00", mail="di@example.com",
          refunds=[refund(803, "-10.00")], paid_gmt="2025-03-04T10:16:00"),
    order(734, "trash", "2025-03-04T10:20:00", "10.00", local="2025-03-04T11:20:00", mail="di@example.com"),
    order(735, "checkout-draft", "2025-03-04T10:25:00", "10.00", local="2025-03-04T11:25:00", mail=""),
    # 10: a shop's own status with a payment date: imported; no billing e-mail
    order(736, "shipped", "2025-03-05T12:00:00", "19.99", local="2025-03-05T13:00:00", customer_id=14,
          mail="", lines=[line_item(4, "Tea", 1, "14.99")], paid_gmt="2025-03-05T12:02:00"),
    # 11: a shop's own status and never paid: skipped
    order(737, "awaiting-pickup", "2025-03-05T12:30:00", "7.00", local="2025-03-05T13:30:00",
          mail="ed@example.com"),
]


def as_json(orders: list[Any]) -> bytes:
    return orjson.dumps(orders, option=orjson.OPT_INDENT_2)


def stored(ws: Workspace) -> list[tuple[Any, ...]]:
    return query(ws, "SELECT order_id, ordered_at, amount, currency, kind, customer_id, visitor_id, items "
                     "FROM orders ORDER BY order_id")


def issues(done: VendorImport) -> list[tuple[int, str, str | None]]:
    return [(i.row, i.field, i.value) for r in done.results for i in r.issues]


EXPECTED = [
    # 09:00 UTC as written in date_created_gmt, not the shop's 10:00
    ("727", datetime(2025, 3, 1, 9, 0), 113.00, "EUR", "purchase", "anna@example.com",
     "woocommerce-customer:12", 5),
    # 80.50 − 20.25 − 0.25 = 60.00; a guest has no visitor id
    ("728", datetime(2025, 3, 2, 23, 30), 60.00, "EUR", "purchase", "bob@example.com", None, 1),
    # the currency upper-cased by the canonical validation; an empty line_items list is 0 items
    ("729", datetime(2025, 3, 3, 8, 15), 45.00, "USD", "purchase", "cy@example.com",
     "woocommerce-customer:13", 0),
    # an empty billing e-mail is no customer id
    ("736", datetime(2025, 3, 5, 12, 0), 19.99, "EUR", "purchase", None, "woocommerce-customer:14", 1),
]


def test_orders_are_translated_skipped_with_reasons_and_stored(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "orders.json", as_json(ORDERS))
    done = import_vendor(ws.store, "woocommerce", path)
    t = done.translation
    assert (t.vendor, t.records_read) == ("woocommerce", 11)
    assert [(s.row, s.reason) for s in t.skipped] == [
        (4, "order 730 has status pending (awaiting payment)"),
        (5, "order 731 has status failed (the payment failed)"),
        (6, "order 732 has status cancelled (cancelled)"),
        (7, "order 733 has status refunded (refunded in full)"),
        (8, "order 734 has status trash (in the trash)"),
        (9, "order 735 has status checkout-draft (a checkout that was never submitted)"),
        (11, "order 737 has status awaiting-pickup, which this importer does not know, and no payment date"),
    ]
    (result,) = done.results
    assert (result.table, result.rows_read, result.inserted, result.rejected) == ("orders", 4, 4, 0)
    assert result.source == str(path)
    assert stored(ws) == EXPECTED
    # 4 stored + 7 skipped: all 11 orders accounted for
    assert result.accepted + result.rejected + len(t.skipped) == t.records_read


def test_json_lines_and_the_array_store_the_same_rows(ws: Workspace, tmp_path: Path) -> None:
    done = import_vendor(ws.store, "woocommerce", put(tmp_path / "orders.jsonl", as_lines(ORDERS)))
    assert done.translation.records_read == 11
    assert [s.row for s in done.translation.skipped] == [4, 5, 6, 7, 8, 9, 11]  # one order per line
    assert stored(ws) == EXPECTED


def test_a_webhook_payload_of_one_order_is_one_order(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "order.updated.json", orjson.dumps(ORDERS[1]))
    done = import_vendor(ws.store, "woocommerce", path)
    assert done.translation.records_read == 1
    assert stored(ws) == [EXPECTED[1]]


def test_a_status_with_the_database_prefix_and_an_unknown_paid_status_are_imported(ws: Workspace,
                                                                                    tmp_path: Path) -> None:
    orders = [
        order(901, "wc-completed", "2025-03-06T10:00:00", "5.00", mail="fa@example.com"),
        order(902, "delivered", "2025-03-06T11:00:00", "6.00", mail="fa@example.com", paid_gmt=None,
              date_paid="2025-03-06T12:00:00"),  # paid, by the local date only
        order(903, None, "2025-03-06T12:00:00", "7.00", mail="fa@example.com"),  # no status, not paid
    ]
    done = import_vendor(ws.store, "woocommerce", put(tmp_path / "s.json", as_json(orders)))
    assert query(ws, "SELECT order_id, amount FROM orders ORDER BY 1") == [("901", 5.00),
                                                                          ("902", 6.00)]
    assert [(s.row, s.reason) for s in done.translation.skipped] == [
        (3, "order 903 has no status and no payment date"),
    ]


def test_without_date_created_gmt_the_local_time_needs_the_timezone(ws: Workspace, tmp_path: Path) -> None:
    orders = [order(910, "completed", None, "12.00", local="2025-03-07T14:00:00", mail="gu@example.com")]
    path = put(tmp_path / "local.json", as_json(orders))
    (first,) = ws.import_vendor("woocommerce", [path])
    (result,) = first.results
    assert [(i.row, i.field, i.value) for i in result.issues] == [(1, "ordered_at", "2025-03-07T14:00:00")]
    assert "no UTC offset" in result.issues[0].reason
    assert count(ws, "orders") == 0
    (second,) = ws.import_vendor("woocommerce", [path], timezone="Europe/Amsterdam")
    assert second.results[0].inserted == 1
    # 14:00 in Amsterdam in winter time (UTC+1) is 13:00 UTC
    assert query(ws, "SELECT ordered_at FROM orders") == [(datetime(2025, 3, 7, 13, 0),)]
    assert quarantine(ws) == []  # the same file's issues replaced by the clean import


def test_a_gmt_time_with_its_own_offset_is_kept(ws: Workspace, tmp_path: Path) -> None:
    orders = [order(911, "completed", "2025-03-07T14:00:00+02:00", "1.00", mail="")]
    import_vendor(ws.store, "woocommerce", put(tmp_path / "o.json", as_json(orders)))
    # 14:00 at +02:00 is 12:00 UTC (no second offset appended)
    assert query(ws, "SELECT ordered_at FROM orders") == [(datetime(2025, 3, 7, 12, 0),)]


def test_bad_orders_are_rejected_by_number_and_field_and_the_others_stored(ws: Workspace, tmp_path: Path) -> None:
    orders = [
        ORDERS[0],  # 1: fine
        order(920, "completed", "2025-03-08T09:00:00", "12,50", mail="ha@example.com"),  # 2: a decimal comma
        order(921, "processing", "2025-03-08T10:00:00", "30.00", currency=None, mail="ha@example.com"),  # 3
        order(922, "completed", "2025-03-08T11:00:00", "30.00", mail="ha@example.com",  # 4: a refund of "abc"
              refunds=[refund(804, "abc")]),
        order(923, "completed", "2025-03-08T12:00:00", "30.00", mail="ha@example.com",  # 5: a positive refund
              refunds=[refund(805, "-5.00"), refund(806, "5.00")]),
        order(924, "completed", "2025-03-08T13:00:00", "30.00", mail="ha@example.com",  # 6: half a cup
              lines=[line_item(5, "Cup", 1, "10.00"), line_item(6, "Cup", 2.5, "20.00")]),
        order(925, "completed", "yesterday", "30.00", mail="ha@example.com"),  # 7: not a time
        order(926, "completed", "2025-03-08T14:00:00", "30.00", mail="ha@example.com",  # 8: refunded too much
              refunds=[refund(807, "-30.01")]),
        ORDERS[2],  # 9: fine
    ]
    path = put(tmp_path / "bad.json", as_json(orders))
    done = import_vendor(ws.store, "woocommerce", path)
    (result,) = done.results
    assert (result.rows_read, result.inserted, result.rejected) == (9, 2, 7)
    assert issues(done) == [
        (2, "amount", "12,50"),
        (3, "currency", None),
        (4, "amount", "30.00 + refund abc"),
        (5, "amount", "30.00 + refund 5.00"),
        (6, "items", "2.5"),
        (7, "ordered_at", "yesterday"),
        (8, "amount", "-0.01"),  # 30.00 − 30.01
    ]
    assert result.issues[1].reason == "required value is missing"
    assert all(i.source == str(path) for i in result.issues)
    assert query(ws, "SELECT order_id FROM orders ORDER BY 1") == [("727",), ("729",)]
    assert [(t, s, r, f) for t, s, r, f, _, _ in quarantine(ws)] == [
        ("orders", str(path), 2, "amount"), ("orders", str(path), 3, "currency"),
        ("orders", str(path), 4, "amount"), ("orders", str(path), 5, "amount"),
        ("orders", str(path), 6, "items"), ("orders", str(path), 7, "ordered_at"),
        ("orders", str(path), 8, "amount"),
    ]


def test_a_broken_json_lines_line_is_rejected_by_its_line_number(ws: Workspace, tmp_path: Path) -> None:
    lines = [
        orjson.dumps(ORDERS[0]).decode(),  # line 1
        "",  # line 2: blank, skipped but counted
        '{"id": 950, "status": "completed", "total": ',  # line 3: cut off
        orjson.dumps(ORDERS[3]).decode(),  # line 4: pending, skipped
        '"not an order"',  # line 5: not an object
    ]
    path = write(tmp_path / "orders.jsonl", "\n".join(lines) + "\n")
    done = import_vendor(ws.store, "woocommerce", path)
    assert done.translation.records_read == 4
    assert [(s.row, s.reason) for s in done.translation.skipped] == [
        (4, "order 730 has status pending (awaiting payment)"),
    ]
    assert issues(done) == [
        (3, "order_id", None), (3, "ordered_at", None), (3, "amount", None), (3, "currency", None),
        (5, "order_id", None), (5, "ordered_at", None), (5, "amount", None), (5, "currency", None),
    ]
    assert query(ws, "SELECT order_id FROM orders") == [("727",)]
    assert {row[2] for row in quarantine(ws)} == {3, 5}


def test_importing_the_same_file_twice_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = put(tmp_path / "orders.json", as_json(ORDERS))
    import_vendor(ws.store, "woocommerce", path)
    again = import_vendor(ws.store, "woocommerce", path)
    (result,) = again.results
    assert (result.inserted, result.updated, result.unchanged, result.accepted) == (0, 0, 4, 4)
    assert stored(ws) == EXPECTED


def test_a_newer_export_with_a_new_refund_updates_the_amount(ws: Workspace, tmp_path: Path) -> None:
    import_vendor(ws.store, "woocommerce", put(tmp_path / "march.json", as_json(ORDERS)))
    later = order(728, "processing", "2025-03-02T23:30:00", "80.50", mail="bob@example.com",
                  lines=[line_item(3, "Kettle", 1, "75.50")], paid_gmt="2025-03-02T23:31:00",
                  refunds=[refund(801, "-20.25"), refund(802, "-0.25"), refund(808, "-40.00")])
    done = import_vendor(ws.store, "woocommerce", put(tmp_path / "april.json", as_json([later])))
    assert (done.results[0].inserted, done.results[0].updated) == (0, 1)
    # 80.50 − 20.25 − 0.25 − 40.00 = 20.00
    assert query(ws, "SELECT amount FROM orders WHERE order_id = '728'") == [(20.00,)]
    assert count(ws, "orders") == 4
