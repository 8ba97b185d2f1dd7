"""A chat in Chatwoot and an order in Shopify meet in one person through the e-mail address.

Two chats on 2026-01-01: Ana (ana@example.com, written in capitals in Chatwoot) orders in Shopify a
day later, inside the 7-day window; Bo never orders. So chat conversion is 1 of 2 = 0.5, and the
order (42.00) is attributed to chat.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import orjson

from chatlift.workspace import Workspace
from tests.ingest.conftest import write

JAN1 = 1_767_225_600  # 2026-01-01T00:00:00Z


def chat(conversation_id: int, mail: str, contact_id: int) -> dict[str, object]:
    return {"id": conversation_id, "status": "resolved", "created_at": JAN1 + 3_600,
            "meta": {"channel": "Channel::WebWidget", "sender": {"id": contact_id, "email": mail}},
            "messages": [{"id": conversation_id * 10, "conversation_id": conversation_id, "message_type": 0,
                          "created_at": JAN1 + 3_600, "content": "hello", "private": False}]}


def test_chat_conversion_across_chatwoot_and_shopify(ws: Workspace, tmp_path: Path) -> None:
    chats = tmp_path / "chatwoot.json"
    chats.write_bytes(orjson.dumps([chat(1, " ANA@Example.com", 7), chat(2, "bo@example.com", 8)]))
    orders = write(tmp_path / "orders_export_1.csv",
                   "Name,Email,Financial Status,Currency,Total,Created at,Lineitem quantity\n"
                   "#1001,ana@example.com,paid,EUR,42.00,2026-01-02 09:00:00 +0100,1\n")
    ws.import_vendor("chatwoot", [chats])
    ws.import_vendor("shopify", [orders])
    report = ws.report(["chat_conversion_rate", "chat_order_value"], start=date(2026, 1, 1), end=date(2026, 1, 8))
    values = dict(zip(report.column("metric").to_pylist(), report.column("value").to_pylist(), strict=True))
    assert values["chat_conversion_rate"] == 0.5
    assert values["chat_order_value"] == 42.0


def test_an_id_prefix_keeps_two_tools_with_the_same_numbers_apart(ws: Workspace, tmp_path: Path) -> None:
    chatwoot = tmp_path / "chatwoot.json"
    chatwoot.write_bytes(orjson.dumps([chat(1, "ana@example.com", 7)]))
    zendesk = tmp_path / "zendesk.json"
    zendesk.write_bytes(orjson.dumps({"tickets": [{"id": 1, "status": "open", "created_at": "2026-01-01T09:00:00Z",
                                                   "via": {"channel": "email"}}]}))
    ws.import_vendor("chatwoot", [chatwoot], id_prefix="chatwoot:")
    ws.import_vendor("zendesk", [zendesk], id_prefix="zendesk:")
    rows = ws.store.con.execute("SELECT conversation_id, channel FROM conversations ORDER BY 1").fetchall()
    assert rows == [("chatwoot:1", "chat"), ("zendesk:1", "email")]
    # the message's reference carries the prefix too, so it still points at its conversation
    assert ws.store.con.execute("SELECT message_id, conversation_id FROM messages").fetchall() == [
        ("chatwoot:10", "chatwoot:1")]


def test_an_order_refunded_since_the_last_export_is_removed_also_under_a_prefix(ws: Workspace,
                                                                                  tmp_path: Path) -> None:
    def order(status: str) -> dict[str, object]:
        return {"id": 10, "status": status, "currency": "EUR", "total": "10.00",
                "date_created_gmt": "2026-01-02T09:00:00", "billing": {"email": "ana@example.com"}}

    first, later = tmp_path / "january.json", tmp_path / "february.json"
    first.write_bytes(orjson.dumps([order("processing")]))
    later.write_bytes(orjson.dumps([order("refunded")]))
    ws.import_vendor("woocommerce", [first], id_prefix="shop:")
    assert ws.store.con.execute("SELECT order_id, amount FROM orders").fetchall() == [("shop:10", 10.0)]
    (done,) = ws.import_vendor("woocommerce", [later], id_prefix="shop:")
    assert done.removed == {"orders": 1}
    assert ws.store.con.execute("SELECT count(*) FROM orders").fetchall() == [(0,)]
    # the facts follow: no order is left to attribute
    report = ws.report(["chat_order_value"], start=date(2026, 1, 1), end=date(2026, 1, 8))
    assert report.column("n").to_pylist() == [0]
