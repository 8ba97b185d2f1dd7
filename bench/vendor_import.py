"""Importing a tool's export: how fast a Chatwoot conversation list and a Shopify orders export go in.

Writes ``--conversations`` conversations of the medium demo (``--source``; built once under
``bench/.data/`` when missing) with their messages as a Chatwoot conversation list (JSON), and as many
orders as a Shopify orders export (CSV, one line per order), then imports each file into a new database
with ``Workspace.import_vendor``, twice (the second time every record is unchanged). Prints the time to
read and translate the file (`chatlift.ingest.vendors.translate`) and the whole import, in records/s,
and checks that every record was stored.

    python bench/vendor_import.py [--source DB] [--conversations 100000]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import medium_demo
import orjson

import chatlift
from chatlift.ingest.vendors import translate

INBOXES = {"chat": "Channel::WebWidget", "email": "Channel::Email", "phone": "Channel::Voice",
           "social": "Channel::Whatsapp", "app": "Channel::Api"}
MESSAGE_TYPES = {"customer": 0, "agent": 1, "bot": 1, "system": 2}


def seconds(at: datetime) -> int:
    return int(at.replace(tzinfo=UTC).timestamp())


def chatwoot_export(ws: chatlift.Workspace, limit: int, path: Path) -> tuple[int, int]:
    """The first ``limit`` conversations and their messages as Chatwoot's list response; (conversations, messages)."""
    con = ws.store.con
    conversations = con.execute(
        "SELECT conversation_id, channel, started_at, customer_id, status FROM conversations "
        "ORDER BY conversation_id LIMIT ?", [limit]).fetchall()
    messages = con.execute(
        "SELECT m.message_id, m.conversation_id, m.sender, m.sent_at, m.text FROM messages m JOIN "
        "(SELECT conversation_id FROM conversations ORDER BY conversation_id LIMIT ?) c USING (conversation_id)",
        [limit]).fetchall()
    by_conversation: dict[str, list[dict[str, Any]]] = {}
    for message_id, conversation_id, sender, sent_at, text in messages:
        by_conversation.setdefault(conversation_id, []).append({
            "id": message_id, "conversation_id": conversation_id, "message_type": MESSAGE_TYPES[sender],
            "created_at": seconds(sent_at), "content": text, "private": False,
            "sender_type": "AgentBot" if sender == "bot" else "User"})
    payload = [{
        "id": conversation_id, "status": "resolved" if status == "resolved" else "open",
        "created_at": seconds(started_at),
        "meta": {"channel": INBOXES.get(channel, "Channel::Api"), "sender": {"id": customer_id, "email": customer_id}},
        "messages": by_conversation.get(conversation_id, []),
    } for conversation_id, channel, started_at, customer_id, status in conversations]
    path.write_bytes(orjson.dumps({"data": {"meta": {}, "payload": payload}}))
    return len(conversations), len(messages)


def shopify_export(ws: chatlift.Workspace, limit: int, path: Path) -> int:
    """The first ``limit`` orders as Shopify's orders export (one line item each); the number of orders."""
    orders = ws.store.con.execute(
        "SELECT order_id, customer_id, ordered_at, amount, currency, coalesce(items, 1) FROM orders "
        "ORDER BY order_id LIMIT ?", [limit]).fetchall()
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(["Name", "Email", "Financial Status", "Currency", "Total", "Created at", "Lineitem quantity"])
        for order_id, customer_id, ordered_at, amount, currency, items in orders:
            out.writerow([order_id, customer_id, "paid", currency, f"{amount:.2f}",
                          ordered_at.strftime("%Y-%m-%d %H:%M:%S +0000"), items])
    return len(orders)


def timed_import(folder: Path, vendor: str, path: Path, records: int) -> None:
    started = time.perf_counter()
    translate(vendor, path)
    translated = time.perf_counter() - started
    with chatlift.connect(folder / f"{vendor}.duckdb", create=True) as ws:
        for attempt in ("first import", "again (unchanged)"):
            started = time.perf_counter()
            (done,) = ws.import_vendor(vendor, [path])
            took = time.perf_counter() - started
            stored = sum(r.accepted for r in done.results)
            assert stored == records and not any(r.rejected for r in done.results), done.results
            print(f"{vendor:8} {attempt:18} {records:>9,} records in {took:6.2f} s: {records / took:>9,.0f} records/s "
                  f"(reading and translating the file {translated:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=medium_demo.MEDIUM)
    parser.add_argument("--conversations", type=int, default=100_000)
    args = parser.parse_args()
    medium_demo.ensure(args.source)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with chatlift.connect(args.source, read_only=True) as ws:
            conversations, messages = chatwoot_export(ws, args.conversations, folder / "chatwoot.json")
            orders = shopify_export(ws, args.conversations, folder / "orders_export.csv")
        print(f"Chatwoot list: {conversations:,} conversations, {messages:,} messages "
              f"({(folder / 'chatwoot.json').stat().st_size / 1e6:.0f} MB); Shopify export: {orders:,} orders")
        timed_import(folder, "chatwoot", folder / "chatwoot.json", conversations + messages)
        timed_import(folder, "shopify", folder / "orders_export.csv", orders)


if __name__ == "__main__":
    main()
