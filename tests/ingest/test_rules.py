"""Every validation rule: the bad row is quarantined with file, row, field and reason; good rows stay.

Row numbers count data records: 1 is the first row after the CSV header, and
for JSONL the line number (see ``chatlift.ingest.formats``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from chatlift.workspace import Workspace
from tests.ingest.conftest import count, quarantine, query, read_rejects, write

T0 = "2025-01-01T10:00:00Z"

# One header per table and two valid rows; each case puts its bad row between them (row 2).
HEADERS = {
    "orders": "order_id,ordered_at,amount,currency,items,kind",
    "conversations": "conversation_id,channel,started_at,status,first_response_at,resolved_at,cobrowse",
    "goals": "goal_id,name,at,value",
    "messages": "message_id,conversation_id,sender,sent_at,text",
    "survey_responses": "response_id,survey,score,answered_at,scale",
    "subscriptions": "subscription_id,customer_id,started_at,ended_at,mrr,trial",
    "costs": "period_start,period_end,amount,currency,channel,kind",
    "cart_events": "cart_id,at,action,quantity",
}
GOOD = {
    "orders": (f"g1,{T0},10,EUR,1,purchase", f"g2,{T0},0,USD,0,quote"),
    "conversations": (f"g1,chat,{T0},resolved,{T0},{T0},no", f"g2,phone,{T0},open,,,1"),
    "goals": (f"g1,signup,{T0},1.5", f"g2,signup,{T0},"),
    "messages": (f"g1,c1,agent,{T0},hi", f"g2,c1,customer,{T0},hello"),
    "survey_responses": (f"g1,csat,5,{T0},", f"g2,nps,0,{T0},"),
    "subscriptions": (f"g1,cu1,{T0},,10,no", f"g2,cu2,{T0},2025-02-01T00:00:00Z,0,yes"),
    "costs": (
        "2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,100,EUR,chat,staff",
        "2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,50,EUR,phone,staff",
    ),
    "cart_events": (f"g1,{T0},add,1", f"g2,{T0},checkout,"),
}
# How to list the kept rows' keys, and what they must be.
KEPT: dict[str, tuple[str, list[tuple[object, ...]]]] = {
    "costs": ("SELECT channel FROM costs ORDER BY 1", [("chat",), ("phone",)]),
}


@dataclass(frozen=True)
class Case:
    id: str
    table: str
    bad: str  # the CSV line of the bad row (row 2)
    field: str
    reason: str  # a meaningful part of the reason
    value: str | None  # the value quarantined with the issue


CASES = [
    Case("missing-required-value", "orders", f"b,{T0},,EUR,1,", "amount", "required value is missing", None),
    Case(
        "missing-required-text", "conversations", f"b,,{T0},,,,", "channel", "required value is missing", None
    ),
    Case("empty-id", "orders", f",{T0},1,EUR,1,", "order_id", "required id is missing", None),
    Case("whitespace-only-id", "orders", f"   ,{T0},1,EUR,1,", "order_id", "required id is missing", None),
    Case(
        "bad-timestamp",
        "orders",
        "b,31/01/2025 10:00,1,EUR,1,",
        "ordered_at",
        "not a timestamp",
        "31/01/2025 10:00",
    ),
    Case("bad-integer", "orders", f"b,{T0},1,EUR,two,", "items", "not a whole number", "two"),
    Case("fractional-integer", "orders", f"b,{T0},1,EUR,1.5,", "items", "not a whole number", "1.5"),
    Case("integer-beyond-64-bits", "orders", f"b,{T0},1,EUR,9223372036854775808,", "items",
         "out of range: whole numbers go from -9223372036854775808 to 9223372036854775807", "9223372036854775808"),
    Case("integer-far-below", "cart_events", f"b,{T0},add,-1e30", "quantity", "out of range", "-1e30"),
    Case("bad-number", "goals", f"b,signup,{T0},lots", "value", "not a number", "lots"),
    Case("bad-money", "orders", f"b,{T0},ten,EUR,1,", "amount", "not a number", "ten"),
    Case("bad-boolean", "conversations", f"b,chat,{T0},,,,maybe", "cobrowse", "not true/false", "maybe"),
    Case("decimal-comma-money", "orders", f'b,{T0},"12,50",EUR,1,', "amount", "decimal point", "12,50"),
    Case("decimal-comma-number", "goals", f'b,signup,{T0},"1.234,5"', "value", "decimal point", "1.234,5"),
    Case("negative-amount", "orders", f"b,{T0},-0.01,EUR,1,", "amount", "must be 0 or more", "-0.01"),
    Case("negative-items", "orders", f"b,{T0},1,EUR,-1,", "items", "must be 0 or more", "-1"),
    Case("negative-quantity", "cart_events", f"b,{T0},add,-2", "quantity", "must be 0 or more", "-2"),
    Case("negative-mrr", "subscriptions", f"b,cu1,{T0},,-5,", "mrr", "must be 0 or more", "-5"),
    Case(
        "status-not-allowed",
        "conversations",
        f"b,chat,{T0},closed,,,",
        "status",
        "must be one of open, resolved, unresolved, missed",
        "closed",
    ),
    Case(
        "sender-not-allowed",
        "messages",
        f"b,c1,robot,{T0},x",
        "sender",
        "must be one of customer, agent",
        "robot",
    ),
    Case(
        "kind-not-allowed", "orders", f"b,{T0},1,EUR,1,sale", "kind", "must be one of purchase, quote", "sale"
    ),
    Case("currency-pattern", "orders", f"b,{T0},1,EURO,1,", "currency", "three-letter ISO 4217", "EURO"),
    Case(
        "currency-digits",
        "costs",
        "2025-03-01T00:00:00Z,2025-04-01T00:00:00Z,1,E1R,,",
        "currency",
        "three-letter ISO 4217",
        "E1R",
    ),
    Case(
        "scale-pattern",
        "survey_responses",
        f"b,csat,3,{T0},1to10",
        "scale",
        "two whole numbers joined by a hyphen",
        "1to10",
    ),
    Case("csat-6", "survey_responses", f"b,csat,6,{T0},", "score", "outside the survey scale 1-5", "6"),
    Case("nps-11", "survey_responses", f"b,nps,11,{T0},", "score", "outside the survey scale 0-10", "11"),
    Case("ces-0", "survey_responses", f"b,ces,0,{T0},", "score", "outside the survey scale 1-7", "0"),
    Case(
        "explicit-scale-11",
        "survey_responses",
        f"b,csat,11,{T0},1-10",
        "score",
        "outside the survey scale 1-10",
        "11",
    ),
    # Row rules quarantine the typed (UTC) value of the blamed column.
    Case(
        "first-response-before-start",
        "conversations",
        "b,chat,2025-01-01T10:00:00+01:00,,2025-01-01T08:59:59Z,,",
        "first_response_at",
        "must be on or after started_at",
        "2025-01-01 08:59:59",
    ),
    Case(
        "resolved-before-start",
        "conversations",
        "b,chat,2025-01-01T10:00:00Z,,,2025-01-01T10:30:00+01:00,",
        "resolved_at",
        "must be on or after started_at",
        "2025-01-01 09:30:00",
    ),
    Case(
        "subscription-ended-before-start",
        "subscriptions",
        "b,cu1,2025-03-01T00:00:00Z,2025-02-28T23:00:00Z,,",
        "ended_at",
        "must be on or after started_at",
        "2025-02-28 23:00:00",
    ),
    Case(
        "costs-period-end-equal",
        "costs",
        "2025-03-01T00:00:00Z,2025-03-01T01:00:00+01:00,1,EUR,,",
        "period_end",
        "must be after period_start",
        "2025-03-01 00:00:00",
    ),
    Case(
        "costs-period-end-before",
        "costs",
        "2025-03-01T00:00:00Z,2025-02-01T00:00:00Z,1,EUR,,",
        "period_end",
        "must be after period_start",
        "2025-02-01 00:00:00",
    ),
    Case(
        "naive-timestamp",
        "orders",
        "b,2025-01-01 10:00:00,1,EUR,1,",
        "ordered_at",
        "pass --timezone",
        "2025-01-01 10:00:00",
    ),
    Case(
        "too-many-columns",
        "orders",
        f"b,{T0},1,EUR,1,purchase,surplus",
        "(row)",
        "malformed CSV record",
        None,
    ),
]


def _key_rows(ws: Workspace, table: str) -> list[tuple[object, ...]]:
    if table in KEPT:
        return query(ws, KEPT[table][0])
    key = HEADERS[table].split(",")[0]
    return query(ws, f'SELECT "{key}" FROM "{table}" ORDER BY 1')


def _expected_keys(table: str) -> list[tuple[object, ...]]:
    return KEPT[table][1] if table in KEPT else [("g1",), ("g2",)]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_row_is_quarantined_and_good_rows_kept(ws: Workspace, tmp_path: Path, case: Case) -> None:
    """Row 2 is rejected with exactly one issue; rows 1 and 3 are imported."""
    good1, good2 = GOOD[case.table]
    path = write(tmp_path / f"{case.id}.csv", f"{HEADERS[case.table]}\n{good1}\n{case.bad}\n{good2}\n")
    [result] = ws.import_files(case.table, [path])

    assert (result.rows_read, result.inserted, result.rejected) == (3, 2, 1)
    [issue] = result.issues
    assert (issue.source, issue.row, issue.field, issue.value) == (str(path), 2, case.field, case.value)
    assert case.reason in issue.reason
    assert _key_rows(ws, case.table) == _expected_keys(case.table)
    assert count(ws, case.table) == 2

    [stored] = quarantine(ws)
    assert stored[:5] == (case.table, str(path), 2, case.field, case.value)
    assert case.reason in stored[5]

    assert result.rejected_file == str(tmp_path / f"{case.id}.csv.rejected.csv")
    [line] = read_rejects(Path(result.rejected_file))
    assert (line["file"], line["row"], line["field"]) == (str(path), "2", case.field)
    assert line["value"] == (case.value or "")
    assert case.reason in line["reason"]


def test_normalised_case_is_accepted_and_stored_normalised(ws: Workspace, tmp_path: Path) -> None:
    """Closed sets and channels are lower-cased, currency upper-cased, surrounding blanks trimmed."""
    conv = write(
        tmp_path / "c.csv",
        "conversation_id,channel,started_at,status,initiated_by\n"
        f" c1 ,CHAT,{T0}, Resolved ,AGENT\n"
        f"c2,E-Mail,{T0},MISSED,Bot\n",
    )
    orders = write(
        tmp_path / "o.csv",
        f"order_id,ordered_at,amount,currency,kind\no1,{T0},1,eur,QUOTE\no2,{T0},2, usd ,Purchase\n",
    )
    surveys = write(
        tmp_path / "s.csv", f"response_id,survey,score,answered_at\nr1,CSAT,4,{T0}\nr2,Nps,9,{T0}\n"
    )
    goals = write(tmp_path / "g.csv", f"goal_id,name,at\ng1,Trial_Started,{T0}\n")
    results = [
        *ws.import_files("conversations", [conv]),
        *ws.import_files("orders", [orders]),
        *ws.import_files("survey_responses", [surveys]),
        *ws.import_files("goals", [goals]),
    ]
    assert [r.rejected for r in results] == [0, 0, 0, 0]
    assert query(
        ws, "SELECT conversation_id, channel, status, initiated_by FROM conversations ORDER BY 1"
    ) == [
        ("c1", "chat", "resolved", "agent"),
        ("c2", "e-mail", "missed", "bot"),
    ]
    assert query(ws, "SELECT order_id, currency, kind FROM orders ORDER BY 1") == [
        ("o1", "EUR", "quote"),
        ("o2", "USD", "purchase"),
    ]
    assert query(ws, "SELECT survey FROM survey_responses ORDER BY response_id") == [("csat",), ("nps",)]
    assert query(ws, "SELECT name FROM goals") == [("trial_started",)]


def test_scores_on_the_scale_edges_and_an_explicit_scale_are_accepted(ws: Workspace, tmp_path: Path) -> None:
    """csat 1 and 5, nps 0 and 10, ces 1 and 7, and csat 10 on an explicit 1-10 scale are kept."""
    path = write(
        tmp_path / "s.csv",
        "response_id,survey,score,answered_at,scale\n"
        f"r1,csat,1,{T0},\nr2,csat,5,{T0},\nr3,nps,0,{T0},\nr4,nps,10,{T0},\n"
        f"r5,ces,1,{T0},\nr6,ces,7,{T0},\nr7,csat,10,{T0},1-10\nr8,nps,0,{T0},0-5\n",
    )
    [result] = ws.import_files("survey_responses", [path])
    assert (result.inserted, result.rejected) == (8, 0)
    assert query(
        ws, "SELECT response_id, score, scale FROM survey_responses WHERE scale IS NOT NULL ORDER BY 1"
    ) == [
        ("r7", 10, "1-10"),
        ("r8", 0, "0-5"),
    ]


def test_non_strict_rules_accept_equal_times(ws: Workspace, tmp_path: Path) -> None:
    """first_response_at/resolved_at equal to started_at and ended_at equal to started_at are fine."""
    conv = write(
        tmp_path / "c.csv",
        "conversation_id,channel,started_at,first_response_at,resolved_at\n"
        "c1,chat,2025-01-01T11:00:00+01:00,2025-01-01T10:00:00Z,2025-01-01T05:00:00-05:00\n",
    )
    subs = write(tmp_path / "s.csv", f"subscription_id,customer_id,started_at,ended_at\ns1,cu1,{T0},{T0}\n")
    costs = write(
        tmp_path / "k.csv",
        "period_start,period_end,amount,currency\n2025-01-01T00:00:00Z,2025-01-01T00:00:00.000001Z,1,EUR\n",
    )
    assert ws.import_files("conversations", [conv])[0].rejected == 0
    assert ws.import_files("subscriptions", [subs])[0].rejected == 0
    assert ws.import_files("costs", [costs])[0].rejected == 0
    assert query(ws, "SELECT started_at, first_response_at, resolved_at FROM conversations") == [
        (datetime(2025, 1, 1, 10), datetime(2025, 1, 1, 10), datetime(2025, 1, 1, 10))
    ]


def test_naive_timestamps_without_timezone_are_rejected_per_row(ws: Workspace, tmp_path: Path) -> None:
    """Not a file error: only rows whose timestamps lack an offset are rejected, with a --timezone hint."""
    path = write(
        tmp_path / "g.csv",
        "goal_id,name,at\n"
        "g1,signup,2025-01-01T10:00:00+01:00\n"
        "g2,signup,2025-01-01 10:00:00\n"
        "g3,signup,2025-01-01\n"
        "g4,signup,2025-01-01T10:00Z\n",
    )
    [result] = ws.import_files("goals", [path])
    assert (result.rows_read, result.inserted, result.rejected) == (4, 2, 2)
    assert [(i.row, i.field, i.value) for i in result.issues] == [
        (2, "at", "2025-01-01 10:00:00"),
        (3, "at", "2025-01-01"),
    ]
    for issue in result.issues:
        assert "no UTC offset" in issue.reason and "pass --timezone" in issue.reason
    assert query(ws, 'SELECT goal_id, "at" FROM goals ORDER BY 1') == [
        ("g1", datetime(2025, 1, 1, 9)),
        ("g4", datetime(2025, 1, 1, 10)),
    ]


def test_one_row_with_several_problems_lists_each_in_column_order(ws: Workspace, tmp_path: Path) -> None:
    """A row with three bad fields is one rejected row with three issues, ordered by column position."""
    path = write(
        tmp_path / "o.csv",
        f"order_id,ordered_at,amount,currency,items\no1,{T0},1,EUR,1\no2,never,-3,EURO,x\n",
    )
    [result] = ws.import_files("orders", [path])
    assert (result.rows_read, result.inserted, result.rejected) == (2, 1, 1)
    assert [(i.row, i.field, i.value) for i in result.issues] == [
        (2, "ordered_at", "never"),
        (2, "amount", "-3"),
        (2, "currency", "EURO"),
        (2, "items", "x"),
    ]
    assert len(quarantine(ws)) == 4
    assert len(read_rejects(tmp_path / "o.csv.rejected.csv")) == 4


def test_malformed_jsonl_lines_are_quarantined_as_row(ws: Workspace, tmp_path: Path) -> None:
    """A line that is not JSON, or not a JSON object, is rejected as "(row)"; blank lines are counted."""
    good = (
        '{"message_id": "m%d", "conversation_id": "c1", "sender": "agent", "sent_at": "2025-01-01T10:00:00Z"}'
    )
    path = write(
        tmp_path / "m.jsonl",
        "\n".join(
            [
                good % 1,  # line 1
                "{not json",  # line 2
                "",  # line 3: blank, skipped
                "[1, 2]",  # line 4
                good % 5,  # line 5
                (good % 6).replace('"agent"', '"alien"'),  # line 6: bad sender
            ]
        )
        + "\n",
    )
    [result] = ws.import_files("messages", [path])
    assert (result.rows_read, result.inserted, result.rejected) == (5, 2, 3)
    assert [(i.source, i.row, i.field, i.value) for i in result.issues] == [
        (str(path), 2, "(row)", None),
        (str(path), 4, "(row)", None),
        (str(path), 6, "sender", "alien"),
    ]
    assert "not a JSON object" in result.issues[0].reason
    assert query(ws, "SELECT message_id FROM messages ORDER BY 1") == [("m1",), ("m5",)]
    assert [r[2:4] for r in quarantine(ws)] == [(2, "(row)"), (4, "(row)"), (6, "sender")]


def test_csv_row_numbers_count_records_not_lines(ws: Workspace, tmp_path: Path) -> None:
    """A quoted value over three lines is one record; rows after a malformed record keep their numbers."""
    path = write(
        tmp_path / "v.csv",
        "visit_id,visitor_id,started_at,page\n"  # header: no number
        f'v1,a,{T0},"first\nsecond\nthird"\n'  # row 1 (lines 2-4)
        f"v2,a,{T0},p,surplus\n"  # row 2: too many columns
        "v3,a,yesterday,p\n"  # row 3: bad timestamp
        f"v4,a,{T0},p\n"  # row 4
        f"v5,,{T0},p\n",  # row 5: missing visitor_id
    )
    [result] = ws.import_files("visits", [path])
    assert (result.rows_read, result.inserted, result.rejected) == (5, 2, 3)
    assert [(i.row, i.field) for i in result.issues] == [(2, "(row)"), (3, "started_at"), (5, "visitor_id")]
    assert query(ws, "SELECT visit_id, page FROM visits ORDER BY 1") == [
        ("v1", "first\nsecond\nthird"),
        ("v4", "p"),
    ]
    assert [r["row"] for r in read_rejects(tmp_path / "v.csv.rejected.csv")] == ["2", "3", "5"]


def test_quarantine_row_numbers_for_parquet_are_positions(ws: Workspace, tmp_path: Path) -> None:
    """Parquet rows are numbered by position from 1."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "o.parquet"
    pq.write_table(
        pa.table(
            {
                "order_id": ["o1", "o2", "o3", None],
                "ordered_at": pa.array([datetime(2025, 1, 1)] * 4, pa.timestamp("us", tz="UTC")),
                "amount": [1.0, -1.0, 2.0, 3.0],
                "currency": ["EUR", "EUR", "EURO", "EUR"],
            }
        ),
        path,
    )
    [result] = ws.import_files("orders", [path])
    assert (result.rows_read, result.inserted, result.rejected) == (4, 1, 3)
    assert [(i.row, i.field, i.value) for i in result.issues] == [
        (2, "amount", "-1.0"),
        (3, "currency", "EURO"),
        (4, "order_id", None),
    ]
