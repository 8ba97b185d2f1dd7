"""The demo generator: deterministic, schema-true, valid under our own import rules, and realistic."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from chatlift.demo import generate, plan_for
from chatlift.domain.arrow import arrow_schema
from chatlift.domain.schema import TABLES
from chatlift.workspace import connect
from tests.demo.conftest import scalar

LOCAL = "timezone('Europe/Amsterdam', {}::timestamptz)"


def _collect(size: int, seed: int) -> dict[str, pa.Table]:
    parts: dict[str, list[pa.Table]] = defaultdict(list)
    for name, table in generate(plan_for(size), seed=seed):
        parts[name].append(table)
    return {name: pa.concat_tables(tables) for name, tables in parts.items()}


@pytest.fixture(scope="module")
def small() -> dict[str, pa.Table]:
    return _collect(3_000, seed=11)


def test_same_seed_same_data(small: dict[str, pa.Table]) -> None:
    again = _collect(3_000, seed=11)
    assert set(again) == {t.name for t in TABLES}
    for name, table in small.items():
        assert table.equals(again[name]), name


def test_other_seed_other_data(small: dict[str, pa.Table]) -> None:
    other = _collect(3_000, seed=12)
    assert not other["conversations"].equals(small["conversations"])
    assert not other["orders"].equals(small["orders"])


def test_every_table_has_the_canonical_schema_and_rows(small: dict[str, pa.Table]) -> None:
    for spec in TABLES:
        table = small[spec.name]
        assert table.schema.equals(arrow_schema(spec)), spec.name
        assert table.num_rows > 0, spec.name


def test_yields_as_many_pieces_as_the_plan_announces() -> None:
    plan = plan_for(450_000)  # three chunks of people
    assert plan.chunks == 3
    names = [name for name, _ in _plan_names(plan)]
    assert len(names) == plan.total_chunks
    assert names[-1] == "costs" and names.count("conversations") == 3


def _plan_names(plan: object) -> list[tuple[str, None]]:
    # generate lazily and drop each piece at once: only the names matter here
    return [(name, None) for name, _ in generate(plan, seed=1)]  # type: ignore[arg-type]


def test_keys_are_unique_across_chunks() -> None:
    data = _collect(450_000 // 30, seed=3)  # one chunk; uniqueness across chunks is checked on medium below
    con = duckdb.connect()
    for spec in TABLES:
        con.register(spec.name, data[spec.name])
        key = ", ".join(f'"{k}"' for k in spec.key)
        dup = con.execute(f"select count(*) from (select {key} from {spec.name} group by all having count(*) > 1)")
        assert dup.fetchall() == [(0,)], spec.name


def test_medium_keys_are_unique(medium: duckdb.DuckDBPyConnection) -> None:
    for spec in TABLES:
        key = ", ".join(f'"{k}"' for k in spec.key)
        n = scalar(medium, f"select count(*) from (select {key} from {spec.name} group by all having count(*) > 1)")
        assert n == 0, spec.name


def test_demo_data_passes_our_own_import_validation(small: dict[str, pa.Table], tmp_path: Path) -> None:
    """Written to Parquet and imported like a customer's files: nothing rejected, nothing dangling.

    A second pass, once every table is in, re-reads the same files: all rows
    unchanged, and the only unknown references are customers who appear in a
    table that does not establish customers (a signup who never chatted,
    ordered or subscribed), counted here independently.
    """
    con = duckdb.connect()
    for spec in TABLES:
        con.register(spec.name, small[spec.name])
    known = " union ".join(f"select customer_id from {t} where customer_id is not null"
                           for t in ("conversations", "orders", "subscriptions"))
    with connect(tmp_path / "reimport.duckdb", create=True) as ws:
        paths = {}
        for spec in TABLES:
            paths[spec.name] = tmp_path / f"{spec.name}.parquet"
            pq.write_table(small[spec.name], paths[spec.name])
            [result] = ws.import_files(spec.name, [paths[spec.name]], timezone="UTC")  # naive Arrow = UTC
            assert result.rejected == 0, (spec.name, result.issues[:3])
            assert result.inserted == small[spec.name].num_rows, spec.name
        for spec in TABLES:
            [result] = ws.import_files(spec.name, [paths[spec.name]], timezone="UTC")
            assert result.unchanged == small[spec.name].num_rows, spec.name
            unknown = {u.column: u.rows for u in result.unknown_references}
            assert unknown.get("conversation_id", 0) == 0, spec.name
            if "customer_id" in spec.column_names:
                expected = con.execute(f"""select count(*) from {spec.name}
                    where customer_id is not null and customer_id not in ({known})""").fetchall()[0][0]
                assert unknown.get("customer_id", 0) == expected, spec.name


# -- realism, on the medium demo ------------------------------------------------------


def test_weekday_and_hour_patterns(medium: duckdb.DuckDBPyConnection) -> None:
    local = LOCAL.format("started_at")
    monday = scalar(medium, f"select count(*) from conversations where channel = 'chat' and isodow({local}) = 1")
    saturday = scalar(medium, f"select count(*) from conversations where channel = 'chat' and isodow({local}) = 6")
    assert monday > 1.2 * saturday
    night = scalar(medium, f"select count(*) from conversations where channel = 'chat' and hour({local}) = 3")
    morning = scalar(medium, f"select count(*) from conversations where channel = 'chat' and hour({local}) = 11")
    assert morning > 10 * night


def test_phone_and_email_are_answered_in_office_hours(medium: duckdb.DuckDBPyConnection) -> None:
    local = LOCAL.format("first_response_at")
    share = scalar(medium, f"""
        select avg((hour({local}) between 9 and 16 and isodow({local}) <= 5)::int)
        from conversations where channel in ('phone', 'email') and first_response_at is not null""")
    assert share > 0.99


def test_weekend_email_waits_for_monday(medium: duckdb.DuckDBPyConnection) -> None:
    local = LOCAL.format("started_at")
    frt = "avg(epoch(first_response_at - started_at))"
    saturday = scalar(medium, f"select {frt} from conversations where channel = 'email' and isodow({local}) = 6")
    tuesday = scalar(medium, f"select {frt} from conversations where channel = 'email' and isodow({local}) = 2")
    assert saturday > 3 * tuesday


def test_queues_slow_down_black_friday(medium: duckdb.DuckDBPyConnection) -> None:
    where = "channel = 'chat' and team in ('chat-nl', 'chat-intl') and initiated_by = 'customer'"
    frt = "avg(epoch(first_response_at - started_at))"
    busy = scalar(medium, f"select {frt} from conversations where {where} and started_at::date = '2025-11-28'")
    year = scalar(medium, f"select {frt} from conversations where {where}")
    assert busy > 1.5 * year


def test_bots_handoffs_missed_and_proactive_chats(medium: duckdb.DuckDBPyConnection) -> None:
    chats = scalar(medium, "select count(*) from conversations where channel = 'chat'")
    bot_only = scalar(medium, """select count(*) from conversations c where channel = 'chat' and status = 'resolved'
        and not exists (select 1 from messages m where m.conversation_id = c.conversation_id and m.sender = 'agent')
        and exists (select 1 from messages m where m.conversation_id = c.conversation_id and m.sender = 'bot')""")
    assert 0.05 < bot_only / chats < 0.30
    handoffs = scalar(medium, "select count(*) from messages where sender = 'system'")
    assert handoffs > 0.05 * chats
    missed = scalar(medium, "select count(*) from conversations where channel = 'chat' and status = 'missed'")
    assert 0.01 < missed / chats < 0.15
    invited = scalar(medium, "select count(*) from conversations where channel = 'chat' and initiated_by = 'agent'")
    assert invited / chats == pytest.approx(0.10, abs=0.02)
    accepted = scalar(medium, """select count(*) from conversations c where initiated_by = 'agent'
        and exists (select 1 from messages m where m.conversation_id = c.conversation_id and m.sender = 'customer')""")
    assert 0.3 < accepted / invited < 0.6


def test_first_response_is_an_agent_message_and_resolution_the_last(medium: duckdb.DuckDBPyConnection) -> None:
    not_agent = scalar(medium, """select count(*) from conversations c where first_response_at is not null
        and not exists (select 1 from messages m where m.conversation_id = c.conversation_id
                        and m.sender = 'agent' and m.sent_at = c.first_response_at)""")
    assert not_agent == 0
    not_last = scalar(medium, """select count(*) from conversations c where status = 'resolved'
        and resolved_at <> (select max(sent_at) from messages m where m.conversation_id = c.conversation_id)""")
    assert not_last == 0


def test_nothing_happens_after_the_snapshot(medium: duckdb.DuckDBPyConnection) -> None:
    for table, column in (("messages", "sent_at"), ("orders", "ordered_at"), ("visits", "started_at"),
                          ("survey_responses", "answered_at"), ("cart_events", "at"), ("goals", "at")):
        latest = medium.execute(f"select max(\"{column}\") < timestamp '2026-01-01' from {table}").fetchall()
        assert latest == [(True,)], table


def test_comments_in_several_languages(medium: duckdb.DuckDBPyConnection) -> None:
    comments = [r[0] for r in medium.execute("select distinct comment from survey_responses where comment is not null")
                .fetchall()]
    assert any(any("\u0400" <= ch <= "\u04ff" for ch in c) for c in comments)  # Russian
    for word in ("thank", "geholpen", "Hilfe", "merci", "aitäh"):
        assert any(word in c for c in comments), word


def test_costs_cover_every_month_and_channel(medium: duckdb.DuckDBPyConnection) -> None:
    rows = medium.execute("""select channel, count(distinct period_start), min(amount)
                             from costs where kind = 'staff' group by 1""").fetchall()
    assert {r[0] for r in rows} == {"chat", "email", "phone", "social", "app"}
    assert all(r[1] == 12 and r[2] > 0 for r in rows)


def test_paid_plans_churn_more_after_a_bad_experience(medium: duckdb.DuckDBPyConnection) -> None:
    churn = medium.execute("""
        with bad as (select distinct customer_id from conversations where status in ('missed', 'unresolved'))
        select (b.customer_id is not null) as had_bad, avg((s.ended_at is not null)::int)
        from subscriptions s left join bad b using (customer_id) where not s.trial group by 1""").fetchall()
    rate = dict(churn)
    assert rate[True] > 1.3 * rate[False]
