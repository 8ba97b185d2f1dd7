"""References to conversations and customers that are not (yet) known: rows kept, counted, then resolved."""

from __future__ import annotations

from pathlib import Path

from chatlift.ingest.result import UnknownReference
from chatlift.workspace import Workspace
from tests.ingest.conftest import count, query, write

T = "2025-01-01T10:00:00Z"

MESSAGES = (
    "message_id,conversation_id,sender,sent_at\n"
    f"m1,c1,customer,{T}\n"
    f"m2,c1,agent,{T}\n"
    f"m3,c2,agent,{T}\n"
    f"m4,c3,agent,{T}\n"
    f"m5,c9,robot,{T}\n"  # rejected (sender), so not counted
)
SURVEYS = (
    "response_id,survey,score,answered_at,conversation_id,customer_id\n"
    f"r1,nps,9,{T},c1,cu1\n"
    f"r2,nps,9,{T},,cu2\n"
    f"r3,nps,9,{T},c2,\n"
    f"r4,nps,9,{T},c4,cu9\n"
)
GOALS = (
    "goal_id,name,at,customer_id\n"
    f"g1,signup,{T},cu1\n"  # known through conversations (below)
    f"g2,signup,{T},cu2\n"  # known through orders
    f"g3,signup,{T},cu3\n"  # known through subscriptions
    f"g4,signup,{T},cu9\n"  # never known
    f"g5,signup,{T},\n"  # no reference at all
)


def test_unknown_references_are_kept_and_counted(ws: Workspace, tmp_path: Path) -> None:
    [messages] = ws.import_files("messages", [write(tmp_path / "m.csv", MESSAGES)])
    # m1-m4 kept; all four point at conversations that do not exist yet.
    assert (messages.inserted, messages.rejected) == (4, 1)
    assert messages.unknown_references == (UnknownReference("conversation_id", "conversations", 4),)
    assert messages.unknown_reference_rows == 4

    [surveys] = ws.import_files("survey_responses", [write(tmp_path / "s.csv", SURVEYS)])
    # conversation_id given in r1, r3, r4; customer_id in r1, r2, r4.
    assert surveys.inserted == 4
    assert surveys.unknown_references == (
        UnknownReference("conversation_id", "conversations", 3),
        UnknownReference("customer_id", "customers", 3),
    )
    assert query(ws, "SELECT table_name, unknown_references FROM chatlift_imports ORDER BY import_id") == [
        ("messages", 4),
        ("survey_responses", 6),
    ]


def test_reimport_after_the_referenced_rows_arrive_shows_none(ws: Workspace, tmp_path: Path) -> None:
    messages = write(tmp_path / "m.csv", MESSAGES)
    ws.import_files("messages", [messages])
    conversations = write(
        tmp_path / "c.csv",
        f"conversation_id,channel,started_at,customer_id\nc1,chat,{T},cu1\nc2,chat,{T},\nc3,phone,{T},\n",
    )
    [conv] = ws.import_files("conversations", [conversations])
    assert conv.unknown_references == ()  # conversations reference nothing themselves
    [again] = ws.import_files("messages", [messages])
    assert (again.unchanged, again.rejected) == (4, 1)
    assert again.unknown_references == ()
    assert again.unknown_reference_rows == 0
    assert count(ws, "messages") == 4


def test_a_customer_is_known_from_conversations_orders_or_subscriptions(
    ws: Workspace, tmp_path: Path
) -> None:
    goals = write(tmp_path / "g.csv", GOALS)
    [before] = ws.import_files("goals", [goals])
    assert before.unknown_references == (UnknownReference("customer_id", "customers", 4),)

    ws.import_files(
        "conversations",
        [write(tmp_path / "c.csv", f"conversation_id,channel,started_at,customer_id\nc1,chat,{T},cu1\n")],
    )
    ws.import_files(
        "orders",
        [write(tmp_path / "o.csv", f"order_id,ordered_at,amount,currency,customer_id\no1,{T},1,EUR,cu2\n")],
    )
    [partial] = ws.import_files("goals", [goals])
    assert partial.unknown_references == (UnknownReference("customer_id", "customers", 2),)

    ws.import_files(
        "subscriptions", [write(tmp_path / "s.csv", f"subscription_id,customer_id,started_at\ns1,cu3,{T}\n")]
    )
    [after] = ws.import_files("goals", [goals])
    assert after.unknown_references == (UnknownReference("customer_id", "customers", 1),)
    assert count(ws, "goals") == 5


def test_visits_and_cart_events_check_customers(ws: Workspace, tmp_path: Path) -> None:
    visits = write(
        tmp_path / "v.csv",
        f"visit_id,visitor_id,started_at,customer_id\nv1,a,{T},cu1\nv2,a,{T},\nv3,b,{T},cu7\n",
    )
    carts = write(tmp_path / "k.csv", f"cart_id,at,action,customer_id\nk1,{T},add,cu7\nk1,{T},checkout,cu7\n")
    [v] = ws.import_files("visits", [visits])
    [k] = ws.import_files("cart_events", [carts])
    assert v.unknown_references == (UnknownReference("customer_id", "customers", 2),)
    assert k.unknown_references == (UnknownReference("customer_id", "customers", 2),)
    # Tables without a checked reference report none, whatever their ids.
    orders = write(
        tmp_path / "o.csv", f"order_id,ordered_at,amount,currency,customer_id\no1,{T},1,EUR,cu404\n"
    )
    assert ws.import_files("orders", [orders])[0].unknown_references == ()
