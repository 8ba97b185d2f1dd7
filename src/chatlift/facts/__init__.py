"""Derived fact tables: per conversation, order and cart, what every report would otherwise recompute
from the raw events (`tables`), kept current as data is written (`changes`, `refresh`)."""

from chatlift.facts.refresh import Refreshed, current, refresh
from chatlift.facts.tables import CART_FACTS, CONVERSATION_FACTS, FACT_TABLES, ORDER_FACTS

__all__ = ["CART_FACTS", "CONVERSATION_FACTS", "FACT_TABLES", "ORDER_FACTS", "Refreshed", "current", "refresh"]
