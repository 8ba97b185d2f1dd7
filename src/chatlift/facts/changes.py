"""What the derived fact tables must recompute: the keys of rows written since they were refreshed.

Every write to a canonical table that a fact table reads records, in
``chatlift_changes``, the *fact key* of each row it inserted or replaced and, for
the replaced rows, that key as it was before: the conversation of a
conversation, message or survey answer (answers without one are recorded by no
one, as no fact reads them), the order of an order, the cart of a cart event, the
visit of a visit; and for conversations, orders and visits the person
(``customer_id``, else ``visitor_id``), old and new, because a person's other
conversations and sightings depend on them. A row with a
null key means "everything in this table changed" (a first bulk load, a demo,
emptying the tables; written by `chatlift.storage.store.record_everything_changed`). `chatlift.facts.refresh` consumes these rows.
"""

from __future__ import annotations

from typing import Any

import duckdb

from chatlift.storage.ddl import CHANGES_TABLE, sql_string

FACT_KEYS: dict[str, str] = {
    "conversations": "conversation_id",
    "messages": "conversation_id",
    "orders": "order_id",
    "cart_events": "cart_id",
    "visits": "visit_id",
    "survey_responses": "conversation_id",
}
"""Canonical table → the column that names the fact its rows feed."""
WITH_PEOPLE = frozenset({"conversations", "orders", "visits"})


def record(con: duckdb.DuckDBPyConnection, table_name: str, rows: str, params: list[Any] | None = None) -> None:
    """Record the fact keys (and people) of the rows of ``table_name`` that the SQL query ``rows`` selects
    (it must yield the table's columns by name)."""
    if table_name not in FACT_KEYS:
        return
    person = "coalesce(customer_id, visitor_id)" if table_name in WITH_PEOPLE else "NULL"
    con.execute(f"INSERT INTO {CHANGES_TABLE} SELECT DISTINCT {sql_string(table_name)}, {FACT_KEYS[table_name]}, "
                f"{person} FROM ({rows}) WHERE {FACT_KEYS[table_name]} IS NOT NULL", params or [])


def pending(con: duckdb.DuckDBPyConnection) -> int:
    """How many change records wait (0 when the fact tables are current)."""
    return int(con.execute(f"SELECT count(*) FROM {CHANGES_TABLE}").fetchall()[0][0])
