"""`chatlift report`, `chatlift metrics` and `chatlift export conversations` end to end on a real DuckDB file.

The database holds a dozen hand-made rows (below); every expected number is worked out
from them in a comment next to the assertion.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from chatlift.metrics import REGISTRY
from chatlift.workspace import connect
from tests.cli.conftest import Run

CONVERSATIONS = """conversation_id,channel,started_at,customer_id,first_response_at,status,team,tags
c1,chat,2025-01-10T10:00:00Z,cu1,2025-01-10T10:00:30Z,resolved,sales,vip
c2,chat,2025-01-10T11:00:00Z,cu2,2025-01-10T11:03:00Z,resolved,support,
c3,chat,2025-01-11T09:00:00Z,cu3,,missed,support,
c4,email,2025-01-12T08:00:00Z,cu4,2025-01-12T09:00:00Z,unresolved,support,
c5,email,2025-01-31T23:30:00Z,cu5,2025-01-31T23:31:00Z,resolved,support,
c6,chat,2025-01-20T12:00:00Z,cu6,,open,sales,
p1,chat,2024-12-10T10:00:00Z,cu7,2024-12-10T10:01:00Z,resolved,sales,
p2,chat,2024-12-11T10:00:00Z,cu8,2024-12-11T10:05:00Z,unresolved,support,
p3,phone,2024-12-12T10:00:00Z,cu9,2024-12-12T10:00:10Z,unresolved,support,
p4,email,2024-12-15T10:00:00Z,cu10,2024-12-15T12:00:00Z,resolved,support,
"""
# January (UTC) holds c1…c6; c5 starts at 00:30 on 1 February in Amsterdam. December holds p1…p4.
# Final statuses in January: c1 R, c2 R, c3 missed, c4 unresolved, c5 R (c6 is open) → resolution 3/5.
# First responses in January: c1 30 s, c2 180 s, c4 3600 s, c5 60 s; c3 missed, c6 open without one.
SURVEYS = """response_id,survey,score,answered_at,conversation_id
s1,csat,5,2025-01-10T10:10:00Z,c1
s2,csat,3,2025-01-10T11:10:00Z,c2
s3,csat,4,2025-01-12T10:00:00Z,c4
s4,csat,2,2025-02-01T00:10:00Z,c5
"""
# s4 is about a January conversation but answered in February: in with --basis start, out with event.
ORDERS = """order_id,ordered_at,amount,currency,customer_id,kind
o1,2025-01-12T10:00:00Z,100.00,EUR,cu1,purchase
o2,2025-01-25T10:00:00Z,50.00,EUR,cu2,purchase
"""
# o1 comes 2 days after c1 (cu1's chat): c1 converts and gets o1 attributed. o2 comes 15 days after
# c2, outside the 7-day window: c2 does not convert.

JANUARY = ("--from", "2025-01-01", "--to", "2025-02-01")
Z = 1.959963984540054  # the 97.5 % point of the standard normal


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson score interval (Wilson 1927), written out independently of chatlift.metrics.intervals."""
    p = k / n
    centre = (2 * k + Z * Z) / (2 * (n + Z * Z))
    half = Z * math.sqrt(n * p * (1 - p) + Z * Z / 4) / (n + Z * Z)
    return centre - half, centre + half


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("report")
    with connect(folder / "r.duckdb", create=True) as ws:
        for table, text in (("conversations", CONVERSATIONS), ("survey_responses", SURVEYS), ("orders", ORDERS)):
            (folder / f"{table}.csv").write_text(text, encoding="utf-8")
            [result] = ws.import_files(table, [folder / f"{table}.csv"])
            assert result.rejected == 0, result.issues
    return str(folder / "r.duckdb")


def report_json(run: Run, db: str, *args: str) -> dict[str, Any]:
    status, out, err = run("report", "--db", db, "--format", "json", *args)
    assert status == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def by_group(document: dict[str, Any], column: str) -> dict[str, dict[str, Any]]:
    return {row[column]: row for row in document["rows"]}


def line_with(text: str, *needles: str) -> str:
    """The one line of ``text`` that holds every needle."""
    [line] = [ln for ln in text.splitlines() if all(n in ln for n in needles)]
    return line


# --- report: values and shapes ---------------------------------------------------------------


def test_table_shows_share_as_percent_with_wilson_interval_and_n(run: Run, db: str) -> None:
    status, out, _ = run("report", "--db", db, "-m", "resolution_rate", *JANUARY)
    assert status == 0
    row = line_with(out, "Resolution rate")
    lower, upper = wilson(3, 5)  # 0.2307, 0.8824
    assert "60.0 %" in row
    assert f"{100 * lower:.1f} % – {100 * upper:.1f} %" in row
    assert row.split("│")[4].strip() == "5"  # columns: metric, value, interval, n, published


def test_json_and_csv_carry_raw_numbers(run: Run, db: str) -> None:
    document = report_json(run, db, "-m", "resolution_rate", *JANUARY)
    [row] = document["rows"]
    lower, upper = wilson(3, 5)
    assert row["metric"] == "resolution_rate" and row["unit"] == "share"
    assert row["value"] == pytest.approx(0.6) and row["n"] == 5
    assert (row["lower"], row["upper"]) == (pytest.approx(lower), pytest.approx(upper))
    assert (document["start"], document["end"], document["timezone"]) == ("2025-01-01", "2025-02-01", "UTC")

    status, out, _ = run("report", "--db", db, "-m", "resolution_rate", *JANUARY, "--format", "csv")
    assert status == 0
    [line] = list(csv.DictReader(io.StringIO(out)))
    assert float(line["value"]) == pytest.approx(0.6) and line["n"] == "5"
    assert float(line["lower"]) == pytest.approx(lower)


def test_breakdown_by_channel_gives_a_row_per_channel_with_its_published_figure(run: Run, db: str) -> None:
    document = report_json(run, db, "-m", "resolution_rate", "--by", "channel", *JANUARY)
    rows = by_group(document, "channel")
    assert set(rows) == {"chat", "email"}
    # chat: c1 R, c2 R, c3 missed → 2/3; email: c4 unresolved, c5 R → 1/2
    assert (rows["chat"]["value"], rows["chat"]["n"]) == (pytest.approx(2 / 3), 3)
    assert (rows["email"]["value"], rows["email"]["n"]) == (pytest.approx(1 / 2), 2)
    declared = REGISTRY["resolution_rate"].references
    assert (rows["chat"]["reference"], rows["chat"]["reference_source"]) == (declared["chat"].value,
                                                                             declared["chat"].source)
    assert rows["email"]["reference"] == declared["email"].value

    status, out, _ = run("report", "--db", db, "-m", "resolution_rate", "--by", "channel", *JANUARY)
    assert status == 0
    chat = line_with(out, "Resolution rate", " chat ")
    assert "66.7 %" in chat and declared["chat"].value in chat
    assert "50.0 %" in line_with(out, "Resolution rate", " email ")
    assert f"Published figures: {declared['chat'].source}" in out


def test_unbroken_row_shows_the_reference_of_the_channel_measured(run: Run, db: str) -> None:
    # resolution_rate declares only per-channel figures: none beside the overall row, the email
    # figure when the report is filtered to email.
    [overall] = report_json(run, db, "-m", "resolution_rate", *JANUARY)["rows"]
    assert overall["reference"] is None
    [email] = report_json(run, db, "-m", "resolution_rate", "--filter", "channel=email", *JANUARY)["rows"]
    assert email["reference"] == REGISTRY["resolution_rate"].references["email"].value
    # chat_conversion_rate measures chat (its channel parameter): chats with a person c1, c2, c3, c6;
    # only c1 converts (o1, 2 days later) → 1/4, beside the published chat figure.
    [conversion] = report_json(run, db, "-m", "chat_conversion_rate", *JANUARY)["rows"]
    assert (conversion["value"], conversion["n"]) == (pytest.approx(1 / 4), 4)
    assert conversion["reference"] == REGISTRY["chat_conversion_rate"].references["chat"].value


def test_filters_keep_only_matching_conversations(run: Run, db: str) -> None:
    def value(*args: str) -> tuple[Any, Any]:
        [row] = report_json(run, db, "-m", "resolution_rate", *JANUARY, *args)["rows"]
        return row["value"], row["n"]

    assert value("--filter", "channel=email") == (pytest.approx(1 / 2), 2)  # c4 U, c5 R
    assert value("--filter", "team=support") == (pytest.approx(2 / 4), 4)  # c2 R, c3 M, c4 U, c5 R
    assert value("--filter", "channel=chat", "--filter", "channel=email") == (pytest.approx(3 / 5), 5)


def test_tag_filter(run: Run, db: str, tmp_path: Path) -> None:
    [row] = report_json(run, db, "-m", "resolution_rate", "--filter", "tag=vip", *JANUARY)["rows"]
    assert (row["value"], row["n"]) == (pytest.approx(1.0), 1)  # c1, resolved
    status, _, _ = run("export", "conversations", "--db", db, "--filter", "tag=vip", "--format", "parquet")
    assert status == 0
    assert pq.read_table(tmp_path / "conversations.parquet").column("tags").to_pylist() == [["vip"]]


def test_param_changes_the_sla_target(run: Run, db: str) -> None:
    # due a response: c1 30 s, c2 180 s, c3 missed (late), c4 3600 s, c5 60 s
    [default] = report_json(run, db, "-m", "sla_attainment", *JANUARY)["rows"]
    assert (default["value"], default["n"]) == (pytest.approx(2 / 5), 5)  # ≤ 120 s: c1, c5
    [wide] = report_json(run, db, "-m", "sla_attainment", "--param", "sla_attainment.target=200", *JANUARY)["rows"]
    assert wide["value"] == pytest.approx(3 / 5)  # ≤ 200 s: c1, c2, c5
    [edge] = report_json(run, db, "-m", "sla_attainment", "--param", "sla_attainment.target=30", *JANUARY)["rows"]
    assert edge["value"] == pytest.approx(1 / 5)  # within 30 s includes exactly 30 s: c1


def test_durations_read_in_minutes_and_seconds(run: Run, db: str) -> None:
    args = ("-m", "first_response_time", "--by", "channel", *JANUARY)
    rows = by_group(report_json(run, db, *args), "channel")
    assert rows["chat"]["value"] == pytest.approx((30 + 180) / 2)  # 105 s
    assert rows["email"]["value"] == pytest.approx((3600 + 60) / 2)  # 1830 s
    status, out, _ = run("report", "--db", db, *args)
    assert status == 0
    chat = line_with(out, "First response time", " chat ")
    assert "1 min 45 s" in chat and REGISTRY["first_response_time"].references["chat"].value in chat
    assert "30 min 30 s" in line_with(out, "First response time", " email ")


def test_compare_adds_the_previous_period_and_the_change(run: Run, db: str) -> None:
    document = report_json(run, db, "-m", "resolution_rate", "--compare", *JANUARY)
    # January has 31 days, so the previous period is December: p1 R, p2 U, p3 U, p4 R → 2/4
    assert (document["previous_start"], document["previous_end"]) == ("2024-12-01", "2025-01-01")
    [row] = document["rows"]
    assert (row["previous_value"], row["previous_n"]) == (pytest.approx(0.5), 4)
    assert row["change"] == pytest.approx(0.6 - 0.5)
    status, out, _ = run("report", "--db", db, "-m", "resolution_rate", "--compare", *JANUARY)
    assert status == 0
    line = line_with(out, "Resolution rate")
    assert "60.0 %" in line and "50.0 %" in line and "+10.0 pt" in line
    assert "compared with 2024-12-01 to 2025-01-01 (exclusive)" in out


def test_reporting_time_zone_moves_the_period_bounds(run: Run, db: str) -> None:
    # In Amsterdam c5 (23:30 UTC on 31 January) starts on 1 February: c1 R, c2 R, c3 M, c4 U → 2/4
    [row] = report_json(run, db, "-m", "resolution_rate", "--tz", "Europe/Amsterdam", *JANUARY)["rows"]
    assert (row["value"], row["n"]) == (pytest.approx(2 / 4), 4)


def test_basis_event_uses_the_answer_time(run: Run, db: str) -> None:
    # start: answers about January conversations s1 5, s2 3, s3 4, s4 2 → 2/4 positive;
    # event: answers given in January s1, s2, s3 → 2/3
    [start] = report_json(run, db, "-m", "csat", *JANUARY)["rows"]
    [event] = report_json(run, db, "-m", "csat", "--basis", "event", *JANUARY)["rows"]
    assert (start["value"], start["n"]) == (pytest.approx(2 / 4), 4)
    assert (event["value"], event["n"]) == (pytest.approx(2 / 3), 3)


def test_markdown_renders_a_table(run: Run, db: str) -> None:
    status, out, _ = run("report", "--db", db, "-m", "resolution_rate", "--by", "channel", *JANUARY,
                         "--format", "markdown")
    assert status == 0
    lines = out.splitlines()
    header = lines.index("| metric | channel | value | 95 % interval | n | reference | reference_source |")
    assert lines[header + 1] == "|---|---|---:|---:|---:|---|---|"
    chat = REGISTRY["resolution_rate"].references["chat"]
    lower, upper = wilson(2, 3)
    assert lines[header + 2] == (f"| Resolution rate | chat | 66.7 % | {100 * lower:.1f} % – {100 * upper:.1f} % "
                                 f"| 3 | {chat.value} | {chat.source} |")


def test_notes_follow_the_table(run: Run, db: str) -> None:
    status, out, _ = run("report", "--db", db, "-m", "chatter_value_ratio,resolution_rate", *JANUARY)
    assert status == 0
    assert f"Note: chatter_value_ratio: {REGISTRY['chatter_value_ratio'].note}" in out
    assert "Note: resolution_rate" not in out  # it has no caveat


def test_output_file_gets_the_report_and_stdout_stays_empty(run: Run, db: str, tmp_path: Path) -> None:
    status, out, err = run("report", "--db", db, "-m", "resolution_rate", *JANUARY, "--format", "csv",
                           "--output", "r.csv")
    assert status == 0 and out == ""
    assert "Wrote 1 row(s) to r.csv" in err
    [row] = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8"))))
    assert float(row["value"]) == pytest.approx(0.6)
    assert not (tmp_path / "r.csv.partial").exists()


# --- report: the default selection -----------------------------------------------------------


def test_default_selection_skips_what_cannot_run_and_says_why(run: Run, db: str) -> None:
    status, out, err = run("report", "--db", db, "--format", "json")
    assert status == 0, err
    document = json.loads(out)
    # without --by channel, channel_mix cannot run; without --from/--to, neither can the churn metrics
    skipped = {s["metric"] for s in document["skipped"]}
    assert skipped == {"channel_mix", "churn_rate", "revenue_churn"}
    assert [r["metric"] for r in document["rows"]] == [k for k in REGISTRY if k not in skipped]
    assert "Skipped channel_mix" in err and "--by channel" in err
    assert "Skipped churn_rate" in err and "--from and --to" in err


def test_default_selection_by_channel_skips_metrics_without_that_breakdown(run: Run, db: str) -> None:
    status, out, err = run("report", "--db", db, "--format", "json", "--by", "channel", *JANUARY)
    assert status == 0, err
    document = json.loads(out)
    cannot = {k for k, m in REGISTRY.items() if "channel" not in m.breakdowns}
    assert cannot  # nps, churn, carts … are not about a conversation's channel
    assert {s["metric"] for s in document["skipped"]} == cannot
    assert {s["reason"] for s in document["skipped"]} == {"cannot be broken down by channel"}
    # one note on stderr for all of them, in catalogue order
    assert f"Skipped {', '.join(k for k in REGISTRY if k in cannot)}: cannot be broken down by channel" in err
    mix = {r["channel"]: (r["value"], r["n"]) for r in document["rows"] if r["metric"] == "channel_mix"}
    # January conversations: chat c1, c2, c3, c6; email c4, c5
    assert mix == {"chat": (pytest.approx(4 / 6), 6), "email": (pytest.approx(2 / 6), 6)}


def test_a_named_metric_that_cannot_run_is_an_error_not_a_skip(run: Run, db: str) -> None:
    status, _, err = run("report", "--db", db, "-m", "channel_mix", *JANUARY)
    assert status == 1
    assert "Error: channel_mix needs the channel breakdown (--by channel)" in err and "Hint:" in err


def test_a_metric_named_by_its_param_is_not_skipped(run: Run, db: str) -> None:
    # sla_attainment is in the default selection and named by --param: business hours without a
    # calendar is an error, shown with its hint whole (brackets included), and nothing is printed.
    status, out, err = run("report", "--db", db, *JANUARY, "--param", "sla_attainment.hours=business")
    assert status == 1 and out == ""
    assert "Error: business hours were asked for, but no calendar is configured" in err
    assert "[business_hours.calendars.default]" in err


def test_default_selection_keeps_catalogue_order_when_a_metric_is_named_by_param(run: Run, db: str) -> None:
    document = report_json(run, db, *JANUARY, "--by", "channel", "--param", "sla_attainment.target=200")
    keys = list(dict.fromkeys(r["metric"] for r in document["rows"]))
    # metrics without data have no group, so no row, when broken down: the fixture has no CES answers
    assert {"resolution_rate", "sla_attainment", "channel_mix"} <= set(keys)
    assert {"ces", "ces_easy"} <= set(document["empty"]) and not set(document["empty"]) & set(keys)
    assert keys == sorted(keys, key=list(REGISTRY).index)  # sla_attainment ran first, but is shown in place
    sla = {r["channel"]: (r["value"], r["n"]) for r in document["rows"] if r["metric"] == "sla_attainment"}
    # ≤ 200 s: chat c1 30 s, c2 180 s of c1, c2, c3 (missed); email c5 60 s of c4 (3600 s), c5
    assert sla == {"chat": (pytest.approx(2 / 3), 3), "email": (pytest.approx(1 / 2), 2)}


# --- report: errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (("-m", "resolution_rat"), "unknown metric 'resolution_rat'", "Did you mean resolution_rate"),
        (("--by", "chanel"), "unknown breakdown 'chanel'", "Did you mean channel"),
        (("--filter", "chanel=chat"), "unknown filter 'chanel'", "Did you mean channel?"),
        (("--filter", "channel"), "is not NAME=VALUE", "--filter channel=chat"),
        (("-m", "csat", "--param", "csat.target=1"), "csat has no parameter 'target'", "csat takes"),
        (("-m", "sla_attainment", "--param", "sla_attainment.target=fast"), "is not a float", "target"),
        (("--param", "target=1"), "is not METRIC.NAME=VALUE", "chatlift metrics show"),
        (("-m", "csat", "--param", "sla_attainment.target=60"), "which is not reported", "--metric"),
        (("-m", "nps", "--by", "channel"), "nps cannot be broken down by channel", "nps allows"),
        (("-m", "csat", "--compare"), "needs a period with a start and an end", "--from and --to"),
        (("-m", "csat", "--tz", "Europe/Amsterdm"), "unknown time zone", "IANA"),
    ],
)
def test_bad_options_are_errors_with_a_hint(run: Run, db: str, args: tuple[str, ...], message: str,
                                            hint: str) -> None:
    status, out, err = run("report", "--db", db, *args)
    assert status == 1 and out == ""
    assert "Error:" in err and message in err
    assert "Hint:" in err and hint in err.split("Hint:", 1)[1]


def test_a_malformed_date_is_a_usage_error(run: Run, db: str) -> None:
    status, _, err = run("report", "--db", db, "--from", "2025-13-01")
    assert status == 2 and "--from" in err


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_lists_every_registry_key(run: Run) -> None:
    status, out, _ = run("metrics")
    assert status == 0
    for key, m in REGISTRY.items():
        assert line_with(out, f" {key} ").split("│")[2].strip() == m.label
    status, out, _ = run("metrics", "--format", "json")
    assert [d["key"] for d in json.loads(out)] == list(REGISTRY)


def test_metrics_show_prints_the_declaration(run: Run) -> None:
    csat = REGISTRY["csat"]
    status, out, _ = run("metrics", "show", "csat")
    assert status == 0
    assert f"Definition: {csat.description}" in out
    assert "Interval (95 %): Wilson score interval" in out
    assert "Parameters: none" in out
    assert line_with(out, " chat ", csat.references["chat"].value).count(csat.references["chat"].source) == 1

    status, out, _ = run("metrics", "show", "sla_attainment")
    assert status == 0
    target = line_with(out, "│ target ")
    assert " 120 " in target and "first-response target in seconds" in target
    assert "start, handoff" in line_with(out, "│ clock ")


def test_metrics_show_json_has_an_interval_per_statistic(run: Run) -> None:
    status, out, _ = run("metrics", "show", "first_response_time", "--format", "json")
    assert status == 0
    declared = json.loads(out)
    assert set(declared["interval"]) == {"mean", "median", "p90"}
    assert declared["interval"]["mean"] == "Student-t interval of the mean"
    assert {p["name"]: p["default"] for p in declared["params"]}["statistic"] == "mean"


def test_metrics_show_unknown_key_suggests_a_close_match(run: Run) -> None:
    status, _, err = run("metrics", "show", "csta")
    assert status == 1
    assert "Error: unknown metric 'csta'" in err and "Did you mean" in err and "csat" in err


# --- export ----------------------------------------------------------------------------------


def test_export_csv_has_one_row_per_conversation_in_the_period(run: Run, db: str, tmp_path: Path) -> None:
    status, _, err = run("export", "conversations", "--db", db, *JANUARY, "--output", "jan.csv")
    assert status == 0, err
    assert "Wrote 6 conversation(s) to jan.csv (csv)" in err
    table = pcsv.read_csv(tmp_path / "jan.csv")
    rows = {r["conversation_id"]: r for r in table.to_pylist()}
    # January: c1…c6 in order of start (c6 on the 20th before c5 on the 31st); none of December's
    assert table.column("conversation_id").to_pylist() == ["c1", "c2", "c3", "c4", "c6", "c5"]
    assert rows["c1"]["first_response_seconds"] == pytest.approx(30)
    assert rows["c4"]["first_response_seconds"] == pytest.approx(3600)
    assert rows["c3"]["first_response_seconds"] is None and rows["c3"]["status"] == "missed"
    # o1 (100.00) is cu1's order 2 days after c1; o2 comes 15 days after c2
    assert (rows["c1"]["converted"], rows["c1"]["attributed_orders"], rows["c1"]["attributed_revenue"]) == (
        True, 1, pytest.approx(100.0))
    assert (rows["c2"]["converted"], rows["c2"]["attributed_orders"]) == (False, 0)
    assert (rows["c1"]["csat"], rows["c2"]["csat"], rows["c3"]["csat"]) == (5, 3, None)
    assert rows["c1"]["tags"] == "vip"


def test_export_parquet_with_filter_and_time_zone(run: Run, db: str, tmp_path: Path) -> None:
    status, _, err = run("export", "conversations", "--db", db, *JANUARY, "--filter", "channel=email",
                         "--tz", "Europe/Amsterdam", "--output", "e.parquet")
    assert status == 0, err
    table = pq.read_table(tmp_path / "e.parquet")
    # email in January: c4 and c5, but c5 starts on 1 February in Amsterdam
    assert table.column("conversation_id").to_pylist() == ["c4"]
    assert table.column("first_response_seconds").to_pylist() == [pytest.approx(3600)]
    status, _, _ = run("export", "conversations", "--db", db, "--filter", "channel=chat", "--format", "parquet")
    assert status == 0
    chats = pq.read_table(tmp_path / "conversations.parquet")
    # every chat conversation, whatever the period: p1, p2 in December, c1, c2, c3, c6 in January
    assert sorted(chats.column("conversation_id").to_pylist()) == ["c1", "c2", "c3", "c6", "p1", "p2"]
    assert chats.column("tags").to_pylist()[chats.column("conversation_id").to_pylist().index("c1")] == ["vip"]


def test_export_format_conflicting_with_the_file_name_is_an_error(run: Run, db: str) -> None:
    status, _, err = run("export", "conversations", "--db", db, "--format", "parquet", "--output", "x.csv")
    assert status == 1
    assert "--format parquet conflicts with --output x.csv" in err


# --- business hours from chatlift.toml ---------------------------------------------------------

BUSINESS_HOURS = """
[business_hours.calendars.default]
timezone = "UTC"
hours = { mon = ["09:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-17:00"], thu = ["09:00-17:00"], fri = ["09:00-17:00"] }
"""


def test_business_hours_come_from_the_settings_file(run: Run, db: str, tmp_path: Path) -> None:
    # Without a calendar, business hours are refused with a pointer to the settings file.
    status, _, err = run("report", "--db", db, *JANUARY, "-m", "first_response_time",
                         "--param", "first_response_time.hours=business")
    assert status == 1 and "no calendar is configured" in err and "chatlift.toml" in err
    (tmp_path / "chatlift.toml").write_text(BUSINESS_HOURS, encoding="utf-8")
    document = report_json(run, db, *JANUARY, "-m", "first_response_time", "--by", "channel",
                           "--param", "first_response_time.hours=business")
    rows = by_group(document, "channel")
    # Mon–Fri 09–17 UTC. c1 Fri 10 Jan 10:00 → 10:00:30 (30 s) and c2 Fri 11:00 → 11:03 (180 s) are inside;
    # c4 Sun 12 Jan 08:00 → 09:00 and c5 Fri 31 Jan 23:30 → 23:31 lie wholly outside: 0 s each.
    assert (rows["chat"]["value"], rows["chat"]["n"]) == (pytest.approx((30 + 180) / 2), 2)
    assert (rows["email"]["value"], rows["email"]["n"]) == (pytest.approx(0.0), 2)
    status, _, err = run("export", "conversations", "--db", db, *JANUARY, "--output", "bh.csv")
    assert status == 0, err
    exported = {r["conversation_id"]: r for r in pcsv.read_csv(tmp_path / "bh.csv").to_pylist()}
    assert exported["c4"]["first_response_seconds"] == pytest.approx(3600)
    assert exported["c4"]["first_response_business_seconds"] == pytest.approx(0.0)
    assert exported["c2"]["first_response_business_seconds"] == pytest.approx(180.0)
