"""Shopify's orders export (Admin → Orders → Export, "CSV for Excel, Numbers, or other spreadsheet programs").

The export writes one line per line item; the order's own columns (Total, Currency, Created at, …)
are filled on its first line only, and every line repeats the order's ``Name`` (``#1001``). Lines
are grouped by ``Name`` into one order; the order's record number is the number of its first line
(1 = the first line after the header, as for canonical CSV files).

One order becomes one ``orders`` record:

* ``order_id`` = ``Name`` (the order number the shop shows, unique per shop);
* ``ordered_at`` = ``Created at`` (Shopify writes it with its offset, ``2026-05-01 09:59:00 +0200``);
* ``amount`` = ``Total`` (what the customer paid: items, shipping and taxes, after discounts) minus
  ``Refunded Amount`` when part of it was refunded;
* ``currency`` = ``Currency``; ``kind`` = ``purchase``;
* ``customer_id`` = ``Email``, trimmed and lower-cased (the export has no customer id; the address
  matches the same person in a chat tool that knows it);
* ``items`` = the sum of ``Lineitem quantity`` over the order's lines.

Skipped, and counted with their record numbers: orders with a ``Cancelled at`` time, and orders whose
``Financial Status`` is ``refunded`` or ``voided`` (no money changed hands in the end). Such an order
brought in by an earlier export is removed from the orders.

Lines of one ``Name`` belong to one order while their ``Id`` (the export's last column, Shopify's own
order id) stays the same or is empty; a line of the same ``Name`` with another ``Id`` starts another
order, and the import then rejects the earlier of the two as a repeated ``order_id`` rather than adding
one order's lines to the other.
"""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from chatlift.errors import InputError
from chatlift.ingest.vendors import Part, Skipped, Translation, email, require_columns

NEEDED = ("Name", "Created at", "Total", "Currency")
FIELDS = {
    "orders": {
        "order_id": "Name", "ordered_at": "Created at", "amount": "Total − Refunded Amount", "currency": "Currency",
        "customer_id": "Email", "items": "Lineitem quantity (sum)", "kind": "(purchase)",
    },
}
NOT_PAID = ("refunded", "voided")


def translate(path: Path) -> Translation:
    """The orders of a Shopify orders export (see the module docstring)."""
    orders: dict[str, _Order] = {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            require_columns(path, reader.fieldnames or [], NEEDED, "Shopify orders")
            unnamed = 0
            latest: dict[str, str] = {}  # Name -> the order it stands for now
            for row, line in enumerate(reader, start=1):
                name = (line.get("Name") or "").strip()
                shop_id = (line.get("Id") or "").strip()
                if not name:  # no order number: its own record, rejected for the missing order_id
                    unnamed += 1
                    name = f"\0{unnamed}"
                group = latest.get(name)
                if group is None or (shop_id and shop_id != orders[group].shop_id):
                    # a new order; a second order of the same Name (another Id) is kept apart, and the import
                    # then rejects the earlier one as a repeated order_id instead of adding its lines here
                    group = latest[name] = f"{name}\0{row}"
                    orders[group] = _Order(row, line)
                else:
                    orders[group].add_line(line)
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not UTF-8 text: {exc}", location=str(path),
                         hint="export it again from Shopify; it writes UTF-8") from None
    except csv.Error as exc:
        raise InputError(f"cannot read the CSV: {exc}", location=str(path)) from None
    part = Part("orders")
    skipped: list[Skipped] = []
    for order in orders.values():
        why = order.skip_reason()
        if why:
            name = order.value("Name")
            skipped.append(Skipped(order.row, why, withdraws=("orders", name) if name else None))
        else:
            part.add(order.row, order.record())
    return Translation("shopify", path, [part], FIELDS, records_read=len(orders), skipped=skipped)


class _Order:
    """One order: its first line's columns and the quantities of all its lines."""

    def __init__(self, row: int, first: dict[str, str | None]) -> None:
        self.row = row
        self.first = first
        self.shop_id = (first.get("Id") or "").strip()
        self.quantities = [first.get("Lineitem quantity")]

    def add_line(self, line: dict[str, str | None]) -> None:
        self.quantities.append(line.get("Lineitem quantity"))

    def value(self, column: str) -> str | None:
        text = (self.first.get(column) or "").strip()
        return text or None

    def skip_reason(self) -> str | None:
        cancelled = self.value("Cancelled at")
        if cancelled:
            return f"order {self.value('Name')} was cancelled at {cancelled}"
        status = (self.value("Financial Status") or "").lower()
        if status in NOT_PAID:
            return f"order {self.value('Name')} is {status}"
        return None

    def record(self) -> dict[str, Any]:
        return {
            "order_id": self.value("Name"),
            "ordered_at": self.value("Created at"),
            "amount": self._amount(),
            "currency": self.value("Currency"),
            "kind": "purchase",
            "customer_id": email(self.first.get("Email")),
            "items": self._items(),
        }

    def _amount(self) -> str | None:
        total, refunded = self.value("Total"), self.value("Refunded Amount")
        if total is None or refunded is None:
            return total
        try:
            return str(Decimal(total) - Decimal(refunded))
        except InvalidOperation:
            return f"{total} - {refunded}"  # not a number: rejected, showing both values

    def _items(self) -> str | None:
        texts = [q.strip() for q in self.quantities if q and q.strip()]
        if not texts:
            return None
        if all(t.isdigit() for t in texts):
            return str(sum(int(t) for t in texts))
        return next(t for t in texts if not t.isdigit())  # rejected as not a whole number
