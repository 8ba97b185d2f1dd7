"""WooCommerce orders, as the REST API v3 lists them (``GET /wp-json/wc/v3/orders``) or a webhook delivers one.

What the file may hold:

* one JSON document: the array that ``GET /wp-json/wc/v3/orders`` returns (one page of it, or the pages
  joined into one array), or a single order object (``{"id": …, …}``), as ``GET /wp-json/wc/v3/orders/{id}``
  returns it and as the ``order.created`` / ``order.updated`` webhooks deliver it;
* or JSON Lines (NDJSON): one order object per line. The file is first read as one JSON document; only
  when that fails are its lines read.

Anything else (not JSON, JSON Lines without a single object, a top level that is a number, a string or an
object without ``id``) is an `InputError` naming the file; a saved API error response (``{"code": …,
"message": …}``) is reported as such.

Record numbers: an order's position in the array (1 = the first), or in JSON Lines its line number
(1 = the first line; blank lines are skipped but counted). An array element or a line that is not a JSON
object (in JSON Lines also a line that is not valid JSON) becomes an empty order record, which the
validation rejects for its missing id, time, amount and currency under that number.

Which orders are imported, by ``status`` (trimmed, lower case, a ``wc-`` prefix as the database writes it
ignored):

* ``completed``, ``processing`` and ``on-hold`` are imported: the customer placed the order and paid, or
  the shop is waiting for a payment it expects (a bank transfer, cash on delivery);
* skipped, each with the order's id and status as the reason: ``pending`` (placed but not paid yet),
  ``failed`` (the payment failed), ``cancelled``, ``refunded`` (all of it paid back), ``trash`` (deleted)
  and ``checkout-draft`` (a block checkout that was never submitted): no sale came of them;
* any other status (shops add their own, such as ``shipped`` or ``delivered``) is imported when the order
  has a payment date (``date_paid_gmt`` or ``date_paid``), and skipped otherwise; an order without a status
  is treated the same way. A skipped order that an earlier export brought in (it was ``processing``, it is
  ``refunded`` now) is removed from the orders.

One imported order becomes one ``orders`` record:

* ``order_id`` = ``id``, as text (the order's post id, the key the API uses; ``number`` can differ when a
  plugin renumbers orders and is not used);
* ``ordered_at`` = ``date_created_gmt``: WooCommerce writes it in UTC without an offset
  (``2025-03-01T09:00:00``), so ``Z`` is appended; a value that already has an offset, or is no date and
  time at all, is passed on unchanged. When ``date_created_gmt`` is missing, ``date_created`` is taken
  as it is: it is the shop's local time without an offset, so it is read in the import's ``--timezone``,
  and rejected when none is given;
* ``amount`` = ``total`` (what the customer was charged: items, shipping, fees and taxes, after discounts)
  plus the ``total`` of each element of ``refunds``, which WooCommerce writes as a negative amount
  (``"-20.25"``): the amount kept after refunds, computed in decimal. A ``total`` that is not a number is
  passed on unchanged; a refund total that is not a number of zero or less makes the amount the text
  ``<total> + refund <value>``; both are rejected;
* ``currency`` = ``currency``; ``kind`` = ``purchase`` (WooCommerce has no quote requests of its own);
* ``customer_id`` = ``billing.email``, trimmed and lower-cased (guests give one too);
  ``visitor_id`` = ``woocommerce-customer:<customer_id>`` for a registered customer (``customer_id`` 0
  is a guest: none);
* ``items`` = the sum of ``line_items[].quantity``; no ``line_items`` key leaves it empty; a quantity that
  is not a whole number (or a line item that is no object) is passed on, and rejected.

Not mapped: the refunds' dates (the order lists only each refund's id, reason and amount), so ``amount`` is
what was kept as of the export, whenever the refund happened; the payment and completion dates, the
shipping and billing details and the order notes have no canonical column.

Values are translated, not judged: a malformed value is passed on unchanged so that the canonical
validation rejects the record, naming the file, the record's number and the field.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import orjson

from chatlift.ingest.vendors import Part, Skipped, Translation, email
from chatlift.ingest.vendors.json_input import Shape, present, read_records, text_id

__all__ = ["FIELDS", "translate"]

VENDOR = "woocommerce"

FIELDS: dict[str, dict[str, str]] = {
    "orders": {
        "order_id": "id",
        "ordered_at": "date_created_gmt (UTC), else date_created (shop's local time)",
        "amount": "total + refunds[].total (refund totals are negative)",
        "currency": "currency",
        "kind": "(purchase)",
        "customer_id": "billing.email",
        "visitor_id": "customer_id (unless 0, a guest)",
        "items": "line_items[].quantity (sum)",
    },
}

IMPORTED = ("completed", "processing", "on-hold")
SKIPPED: dict[str, str] = {
    "pending": "awaiting payment",
    "failed": "the payment failed",
    "cancelled": "cancelled",
    "refunded": "refunded in full",
    "trash": "in the trash",
    "checkout-draft": "a checkout that was never submitted",
}

# A date and time without a zone, as WooCommerce writes its *_gmt fields ("2025-03-01T09:00:00").
_NAIVE = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?")

_HINT = (
    "give the JSON array that GET /wp-json/wc/v3/orders returns, one order object (as a webhook sends it), "
    "or one order object per line (JSON Lines)"
)
SHAPE = Shape("WooCommerce orders", "order", _HINT)


def translate(path: Path) -> Translation:
    """The orders of a WooCommerce file (see the module docstring)."""
    orders = Part("orders")
    skipped: list[Skipped] = []
    read = 0
    for row, item in read_records(path, SHAPE).numbered:
        read += 1
        if not isinstance(item, dict):
            orders.add(row, {})
            continue
        why = _skip_reason(item)
        if why:
            order_id = text_id(item.get("id"))
            skipped.append(Skipped(row, why, withdraws=("orders", order_id) if order_id else None))
        else:
            orders.add(row, _order(item))
    return Translation(VENDOR, path, [orders], FIELDS, records_read=read, skipped=skipped)


# Which orders


def _status(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower().removeprefix("wc-")


def _skip_reason(item: dict[str, Any]) -> str | None:
    order = f"order {text_id(item.get('id')) or '(without id)'}"
    status = _status(item.get("status"))
    if status in IMPORTED:
        return None
    if status in SKIPPED:
        return f"{order} has status {status} ({SKIPPED[status]})"
    if present(item.get("date_paid_gmt")) or present(item.get("date_paid")):
        return None
    if status is None:
        return f"{order} has no status and no payment date"
    return f"{order} has status {status}, which this importer does not know, and no payment date"


# Translating


def _order(item: dict[str, Any]) -> dict[str, Any]:
    billing = item.get("billing")
    customer = item.get("customer_id")
    return {
        "order_id": text_id(item.get("id")),
        "ordered_at": _ordered_at(item),
        "amount": _amount(item.get("total"), item.get("refunds")),
        "currency": item.get("currency"),
        "kind": "purchase",
        "customer_id": email(billing.get("email")) if isinstance(billing, dict) else None,
        "visitor_id": f"woocommerce-customer:{customer}" if present(customer) and str(customer) != "0" else None,
        "items": _items(item),
    }


def _ordered_at(item: dict[str, Any]) -> Any:
    gmt = item.get("date_created_gmt")
    if not present(gmt):
        return item.get("date_created")  # local time, no offset: --timezone decides
    if isinstance(gmt, str) and _NAIVE.fullmatch(gmt.strip()):
        return gmt.strip() + "Z"
    return gmt


def _number(value: Any) -> Decimal | None:
    """A finite decimal number from text or a JSON number; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _amount(total: Any, refunds: Any) -> Any:
    if refunds is None or (isinstance(refunds, list) and not refunds):
        return total
    paid = _number(total)
    if paid is None:
        return total  # rejected as it is
    if not isinstance(refunds, list):
        return f"{total} + refunds {_text(refunds)}"
    kept = paid
    for refund in refunds:
        value = refund.get("total") if isinstance(refund, dict) else refund
        back = _number(value)
        if back is None or back > 0:
            return f"{total} + refund {_text(value)}"
        kept += back
    return str(kept)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _items(item: dict[str, Any]) -> Any:
    lines = item.get("line_items")
    if lines is None:
        return None
    if not isinstance(lines, list):
        return lines  # rejected as not a whole number
    count = 0
    for line in lines:
        quantity = line.get("quantity") if isinstance(line, dict) else line
        if isinstance(quantity, int) and not isinstance(quantity, bool):
            count += quantity
        elif isinstance(quantity, str) and quantity.strip().isascii() and quantity.strip().isdigit():
            count += int(quantity)
        else:
            return quantity if isinstance(quantity, str) else _text(quantity)
    return count
