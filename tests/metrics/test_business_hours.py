"""Business hours: hand-worked durations on DuckDB and on the pure-Python reference, the config
and its errors, and a property test comparing the two implementations.

Every expected number is worked out in the comment beside it. ``Z`` marks UTC; Amsterdam is
UTC+1 (CET) in winter and UTC+2 (CEST) in summer, changing on 2022-03-27 (02:00 CET → 03:00 CEST)
and 2022-10-30 (03:00 CEST → 02:00 CET).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatlift.errors import ConfigError, ParameterError
from chatlift.metrics.business_hours import (
    BusinessHours,
    Calendar,
    business_seconds_between,
    calendar_of,
    calendar_table,
    with_business_seconds,
)

HOUR = 3600
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
NINE_TO_FIVE = {day: ["09:00-17:00"] for day in WORKDAYS}


def calendar(timezone: str = "UTC", hours: dict[str, list[str]] | None = None, holidays: tuple[str, ...] = ()) -> Calendar:
    return Calendar.model_validate(
        {"timezone": timezone, "hours": NINE_TO_FIVE if hours is None else hours, "holidays": list(holidays)}
    )


def only(cal: Calendar) -> BusinessHours:
    return BusinessHours(calendars={"default": cal})


@pytest.fixture(scope="module")
def con() -> Any:
    return ibis.duckdb.connect()


Interval = tuple[datetime | None, datetime | None]


def ibis_seconds(
    con: Any, hours: BusinessHours, intervals: list[Interval], names: list[str] | None = None, **kwargs: Any
) -> list[float | None]:
    """Business seconds per interval (in calendar ``names[i]``, else default), computed by DuckDB."""
    columns: dict[str, pa.Array] = {
        "i": pa.array(range(len(intervals)), pa.int64()),
        "started_at": pa.array([a for a, _ in intervals], pa.timestamp("us")),
        "ended_at": pa.array([b for _, b in intervals], pa.timestamp("us")),
    }
    if names is not None:
        columns["cal"] = pa.array(names, pa.string())
        kwargs["calendar"] = "cal"
    table = ibis.memtable(pa.table(columns))
    known = [t for pair in intervals for t in pair if t is not None]
    kwargs.setdefault("span", (min(known), max(known)))
    kwargs.setdefault("calendar", ibis.literal("default"))
    out = with_business_seconds(table, start="started_at", end="ended_at", hours=hours, out="business", **kwargs)
    rows = con.to_pyarrow(out.order_by("i")).to_pylist()
    return [row["business"] for row in rows]


@dataclass(frozen=True)
class Case:
    id: str
    calendar: Calendar
    start: datetime
    end: datetime
    expected: float


AMSTERDAM = calendar("Europe/Amsterdam")
CASES = [
    # Sun 20 Mar 00:00 → Sat 26 Mar 23:59: Mon–Fri whole, 5 × 8 h = 144 000 s.
    Case("week", calendar(), datetime(2022, 3, 20), datetime(2022, 3, 26, 23, 59), 5 * 8 * HOUR),
    # Sun 12:00 → Mon 14:00: only Mon 09:00–14:00, 5 h = 18 000 s.
    Case("weekend_into_monday", calendar(), datetime(2022, 3, 20, 12), datetime(2022, 3, 21, 14), 5 * HOUR),
    # Both inside Monday's 09–17: 10:15 → 11:45 is 1.5 h.
    Case("inside_one_range", calendar(), datetime(2022, 3, 21, 10, 15), datetime(2022, 3, 21, 11, 45), 5400),
    # 10:00:00.000001 → 10:00:01 inside the range: one second less one microsecond.
    Case("microseconds", calendar(), datetime(2022, 3, 21, 10, 0, 0, 1), datetime(2022, 3, 21, 10, 0, 1), 0.999999),
    Case("end_before_start", calendar(), datetime(2022, 3, 21, 12), datetime(2022, 3, 21, 10), 0),
    Case("end_equals_start", calendar(), datetime(2022, 3, 21, 12), datetime(2022, 3, 21, 12), 0),
    # Mon 21 → Sat 26 with Wed 23 a holiday: Mon, Tue, Thu, Fri = 4 × 8 h.
    Case("holiday", calendar(holidays=("2022-03-23",)), datetime(2022, 3, 21), datetime(2022, 3, 26), 4 * 8 * HOUR),
    # Wed 09–12 and 13–17; 10:00 → 14:00 is 10–12 (2 h) + 13–14 (1 h); the lunch hour does not count.
    Case(
        "split_shift",
        calendar(hours={"wed": ["09:00-12:00", "13:00-17:00"]}),
        datetime(2022, 3, 23, 10),
        datetime(2022, 3, 23, 14),
        3 * HOUR,
    ),
    # Fri 25 Mar 16:00 CET (15:00Z) → Mon 28 Mar 10:00 CEST (08:00Z), spring forward on Sunday in between:
    # Fri 16–17 + Mon 09–10 = 2 h.
    Case("dst_spring_weekend", AMSTERDAM, datetime(2022, 3, 25, 15), datetime(2022, 3, 28, 8), 2 * HOUR),
    # Mon 21 Mar 00:00 CET (20 Mar 23:00Z) → Mon 4 Apr 00:00 CEST (3 Apr 22:00Z): ten whole 09–17 days,
    # each 8 h although the fortnight is an hour short.
    Case("dst_spring_fortnight", AMSTERDAM, datetime(2022, 3, 20, 23), datetime(2022, 4, 3, 22), 10 * 8 * HOUR),
    # Fri 28 Oct 16:00 CEST (14:00Z) → Mon 31 Oct 10:00 CET (09:00Z), fall back on Sunday: 2 h.
    Case("dst_autumn_weekend", AMSTERDAM, datetime(2022, 10, 28, 14), datetime(2022, 10, 31, 9), 2 * HOUR),
    # Sunday 01:00–04:00 on 27 Mar, all of that Sunday (26 Mar 23:00Z → 27 Mar 22:00Z): 01:00–02:00 CET
    # (00–01Z), then the clock skips to 03:00 CEST, 03:00–04:00 CEST (01–02Z): 2 h real.
    Case(
        "night_over_skipped_hour",
        calendar("Europe/Amsterdam", {"sun": ["01:00-04:00"]}),
        datetime(2022, 3, 26, 23),
        datetime(2022, 3, 27, 22),
        2 * HOUR,
    ),
    # Sunday 01:00–04:00 on 30 Oct (29 Oct 22:00Z → 30 Oct 23:00Z): 01:00 CEST (29 Oct 23:00Z) to
    # 04:00 CET (30 Oct 03:00Z), 02:00–03:00 lived twice: 4 h real.
    Case(
        "night_over_repeated_hour",
        calendar("Europe/Amsterdam", {"sun": ["01:00-04:00"]}),
        datetime(2022, 10, 29, 22),
        datetime(2022, 10, 30, 23),
        4 * HOUR,
    ),
    # A range starting inside the skipped hour: 02:30–03:00 never happens on 27 Mar; 03:00–04:00 CEST is 1 h.
    Case(
        "range_starts_in_skipped_hour",
        calendar("Europe/Amsterdam", {"sun": ["02:30-04:00"]}),
        datetime(2022, 3, 26, 23),
        datetime(2022, 3, 27, 22),
        HOUR,
    ),
    # 02:30–04:00 on 30 Oct: wall 02:30–03:00 CEST (00:30–01:00Z, 0.5 h) and, after the clock goes back,
    # 02:30–04:00 CET (01:30–03:00Z, 1.5 h); 02:00–02:30 CET (01:00–01:30Z) is not business: 2 h.
    Case(
        "range_starts_in_repeated_hour",
        calendar("Europe/Amsterdam", {"sun": ["02:30-04:00"]}),
        datetime(2022, 10, 29, 22),
        datetime(2022, 10, 30, 23),
        2 * HOUR,
    ),
    # Same calendar, 00:45Z → 01:45Z: 00:45–01:00Z (first 02:45–03:00) + 01:30–01:45Z (second 02:30–02:45).
    Case(
        "inside_repeated_hour",
        calendar("Europe/Amsterdam", {"sun": ["02:30-04:00"]}),
        datetime(2022, 10, 30, 0, 45),
        datetime(2022, 10, 30, 1, 45),
        1800,
    ),
    # Kolkata is UTC+5:30, so Monday 04:00–06:00 is Sun 22:30Z → Mon 00:30Z, over two UTC dates;
    # 22:00Z → 01:00Z holds all of it: 2 h.
    Case(
        "range_over_two_utc_dates",
        calendar("Asia/Kolkata", {"mon": ["04:00-06:00"]}),
        datetime(2025, 3, 30, 22),
        datetime(2025, 3, 31, 1),
        2 * HOUR,
    ),
    # Samoa skipped Friday 30 Dec 2011 (29 Dec 24:00 −10 became 31 Dec 00:00 +14 at 30 Dec 10:00Z).
    # Thu 29 Dec 00:00 −10 (10:00Z) → Sat 31 Dec 00:00 +14 (30 Dec 10:00Z): only Thursday's 8 h.
    Case("skipped_day", calendar("Pacific/Apia"), datetime(2011, 12, 29, 10), datetime(2011, 12, 30, 10), 8 * HOUR),
    # Santiago fell back at local midnight 3 Apr 2022 (00:00 −03 → 23:00 −04 on 2 Apr); a Saturday
    # 22:00–24:00 shift lasted 22:00–24:00 −03 (01:00–03:00Z) plus the repeated 23:00–24:00 −04
    # (03:00–04:00Z): 3 h.
    Case(
        "midnight_change",
        calendar("America/Santiago", {"sat": ["22:00-24:00"]}),
        datetime(2022, 4, 2, 12),
        datetime(2022, 4, 3, 12),
        3 * HOUR,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hand_worked_case_on_duckdb(con: Any, case: Case) -> None:
    assert ibis_seconds(con, only(case.calendar), [(case.start, case.end)]) == [pytest.approx(case.expected, abs=1e-6)]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hand_worked_case_on_reference(case: Case) -> None:
    assert business_seconds_between(case.calendar, case.start, case.end) == pytest.approx(case.expected, abs=1e-6)


def test_whole_hours_are_exact_and_calendar_seconds_differ(con: Any) -> None:
    table = ibis.memtable(
        pa.table(
            {
                "i": [0, 1],
                "started_at": pa.array([datetime(2022, 3, 20), datetime(2022, 3, 20, 12)], pa.timestamp("us")),
                "ended_at": pa.array([datetime(2022, 3, 26, 23, 59), datetime(2022, 3, 21, 14)], pa.timestamp("us")),
            }
        )
    )
    out = with_business_seconds(
        table,
        start="started_at",
        end="ended_at",
        calendar=ibis.literal("default"),
        hours=only(calendar()),
        span=(datetime(2022, 3, 20), datetime(2022, 3, 27)),
        out="business",
    )
    out = out.mutate(calendar_seconds=out.ended_at.delta(out.started_at, unit="microsecond").cast("float64") / 1e6)
    rows = con.to_pyarrow(out.order_by("i")).to_pylist()
    assert [r["business"] for r in rows] == [144_000.0, 18_000.0]  # exactly: 5 × 8 h; Mon 09–14
    assert rows[1]["calendar_seconds"] == 93_600.0  # Sun 12:00 → Mon 14:00 is 26 h


def test_nulls_give_null_and_do_not_spoil_other_rows(con: Any) -> None:
    t = datetime(2022, 3, 21, 10)
    got = ibis_seconds(con, only(calendar()), [(None, t), (t, None), (None, None), (t, t + timedelta(hours=1))])
    assert got == [None, None, None, 3600.0]


def test_rows_outside_the_span_widened_by_a_day_are_null(con: Any) -> None:
    span = (datetime(2022, 3, 21, 12), datetime(2022, 3, 21, 13))  # table covers UTC 20 … 22 Mar
    got = ibis_seconds(
        con,
        only(calendar()),
        [
            (datetime(2022, 3, 20, 12), datetime(2022, 3, 21, 14)),  # inside the widened span: Mon 09–14
            (datetime(2022, 4, 10), datetime(2022, 4, 11)),  # wholly outside
            (datetime(2022, 3, 21, 10), datetime(2022, 3, 30, 10)),  # ends outside
        ],
        span=span,
    )
    assert got == [5 * HOUR, None, None]


CHOICE = {
    "calendars": {
        "default": {"timezone": "UTC", "hours": NINE_TO_FIVE},
        "office": {"timezone": "UTC", "hours": {day: ["08:00-12:00"] for day in WORKDAYS}},
        "nights": {"timezone": "UTC", "hours": {day: ["00:00-06:00", "22:00-24:00"] for day in (*WORKDAYS, "sat", "sun")}},
    },
    "teams": {"night shift": "nights"},
    "channels": {"phone": "office"},
}


def test_team_then_channel_then_default(con: Any) -> None:
    hours = BusinessHours.from_mapping(CHOICE)
    pairs = [("night shift", "phone"), ("day shift", "phone"), (None, "phone"), ("day shift", "chat"), (None, None)]
    table = ibis.memtable(
        pa.table(
            {
                "i": pa.array(range(len(pairs)), pa.int64()),
                "team": pa.array([p[0] for p in pairs], pa.string()),
                "channel": pa.array([p[1] for p in pairs], pa.string()),
                # Mon 05:00 → 10:00Z: nights 05–06 = 1 h, office 08–10 = 2 h, default 09–10 = 1 h.
                "started_at": pa.array([datetime(2022, 3, 21, 5)] * len(pairs), pa.timestamp("us")),
                "ended_at": pa.array([datetime(2022, 3, 21, 10)] * len(pairs), pa.timestamp("us")),
            }
        )
    )
    out = with_business_seconds(
        table.mutate(cal=calendar_of(table, hours)),
        start="started_at",
        end="ended_at",
        calendar="cal",
        hours=hours,
        span=(datetime(2022, 3, 21), datetime(2022, 3, 21)),
        out="business",
    )
    rows = con.to_pyarrow(out.order_by("i")).to_pylist()
    assert [r["cal"] for r in rows] == ["nights", "office", "office", "default", "default"]
    assert [r["business"] for r in rows] == [HOUR, 2 * HOUR, 2 * HOUR, HOUR, HOUR]


def test_calendar_table_shape() -> None:
    table = calendar_table(BusinessHours.from_mapping(CHOICE), (datetime(2022, 3, 21, 5), datetime(2022, 3, 22, 5)))
    # 3 calendars × UTC 20 … 23 Mar; the most intervals a day has is nights' two.
    assert table.num_rows == 3 * 4
    assert [c for c in table.column_names if c.startswith("_bh_start_")] == ["_bh_start_0", "_bh_start_1"]
    nights = [r for r in table.to_pylist() if r["_bh_calendar"] == "nights"]
    # 00–06 and 22–24 each day: 8 h a day, so 0, 8, 16, 24 h before each midnight.
    assert [r["_bh_before"] for r in nights] == [0, 8 * HOUR, 16 * HOUR, 24 * HOUR]
    assert (nights[0]["_bh_start_0"], nights[0]["_bh_end_0"], nights[0]["_bh_start_1"]) == (0, 6 * HOUR, 22 * HOUR)


# --- configuration ---------------------------------------------------------------------------------------

EXAMPLE_TOML = """
db = "support.duckdb"

[business_hours.calendars.default]
timezone = "Europe/Amsterdam"
hours = { mon = ["09:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-12:00", "13:00-17:00"] }
holidays = ["2025-12-25"]
[business_hours.calendars.office]
timezone = "UTC"
hours = { mon = ["08:00-12:00"] }
[business_hours.calendars.nights]
timezone = "UTC"
hours = { sun = ["22:00-24:00"], mon = ["00:00-06:00"] }
[business_hours.channels]
phone = "office"
[business_hours.teams]
"night shift" = "nights"
"""


def test_from_toml_reads_the_documented_layout(tmp_path: Path) -> None:
    path = tmp_path / "chatlift.toml"
    path.write_text(EXAMPLE_TOML)
    hours = BusinessHours.from_toml(path)
    default = hours.calendars["default"]
    assert default.timezone == "Europe/Amsterdam"
    assert [str(r) for r in default.ranges_on(date(2025, 12, 24))] == ["09:00-12:00", "13:00-17:00"]  # a Wed
    assert default.ranges_on(date(2025, 12, 25)) == ()  # the holiday, a Thursday anyway
    assert default.ranges_on(date(2025, 12, 23))[0].end == 17 * HOUR  # Tue: seconds after local midnight
    assert hours.teams == {"night shift": "nights"}
    assert hours.channels == {"phone": "office"}
    assert Calendar.model_validate(default.model_dump()) == default  # dumps back to "HH:MM-HH:MM"


def test_the_documented_example_is_valid(tmp_path: Path) -> None:
    import chatlift.metrics.business_hours as module

    assert module.__doc__ is not None
    example = module.__doc__.split("``chatlift.toml``::", 1)[1].split("\n\n", 2)[1]
    path = tmp_path / "chatlift.toml"
    path.write_text("\n".join(line.removeprefix("    ") for line in example.splitlines()))
    hours = BusinessHours.from_toml(path)
    assert sorted(hours.calendars) == ["default", "nights"]
    assert hours.teams == {"night shift": "nights"}


def test_from_toml_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "chatlift.toml"
    path.write_text(EXAMPLE_TOML.replace('"Europe/Amsterdam"', '"Europe/Amsterdm"'))
    with pytest.raises(ConfigError) as error:
        BusinessHours.from_toml(path)
    assert error.value.location == str(path)
    assert str(error.value).startswith(f"{path}: business_hours.calendars.default.timezone: ")

    path.write_text('db = "x.duckdb"\n')
    with pytest.raises(ConfigError, match=r"no \[business_hours\] table"):
        BusinessHours.from_toml(path)
    path.write_text("[business_hours\n")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        BusinessHours.from_toml(path)


def config(**calendar_fields: Any) -> dict[str, Any]:
    return {"calendars": {"default": {"timezone": "UTC", "hours": NINE_TO_FIVE, **calendar_fields}}}


CONFIG_ERRORS = [
    # (id, mapping, key named, words in the message, words in the hint)
    ("bad_time_zone", config(timezone="Europe/Amsterdm"), "calendars.default.timezone", "'Europe/Amsterdm'",
     "Europe/Amsterdam"),
    ("overlap", config(hours={"mon": ["09:00-12:00", "11:00-13:00"]}), "calendars.default.hours.mon[1]",
     "11:00-13:00 overlaps 09:00-12:00", "disjoint"),
    ("overlap_out_of_order", config(hours={"mon": ["13:00-17:00", "08:00-09:00", "09:00-14:00"]}),
     "calendars.default.hours.mon[2]", "09:00-14:00 overlaps 13:00-17:00", "may touch"),
    ("unknown_weekday", config(hours={"monday": ["09:00-17:00"]}), "calendars.default.hours.monday",
     "unknown weekday 'monday'", "Did you mean mon?"),
    ("not_a_range", config(hours={"tue": ["9-17"]}), "calendars.default.hours.tue[0]", "'9-17'", "HH:MM-HH:MM"),
    ("backwards", config(hours={"tue": ["17:00-09:00"]}), "calendars.default.hours.tue[0]",
     "does not end after it starts", "cannot cross midnight"),
    ("no_such_time", config(hours={"tue": ["09:00-24:30"]}), "calendars.default.hours.tue[0]",
     "does not exist", "24:00"),
    ("string_not_list", config(hours={"tue": "09:00-17:00"}), "calendars.default.hours.tue", "should be a list",
     'mon = ["09:00-17:00"]'),
    ("bad_holiday", config(holidays=["25-12-2025"]), "calendars.default.holidays[0]", "date", "2025-12-25"),
    ("unknown_key", config(holiday=["2025-12-25"]), "calendars.default.holiday", "not a known key",
     "Did you mean holidays?"),
    ("missing_time_zone", {"calendars": {"default": {"hours": {}}}}, "calendars.default.timezone", "missing",
     "timezone ="),
    ("no_default", {"calendars": {"office": {"timezone": "UTC", "hours": {}}}}, "calendars",
     "no calendar named 'default'", "[business_hours.calendars.default]"),
    ("unknown_team_calendar", {**config(), "teams": {"night shift": "nigths"}}, 'teams."night shift"',
     "unknown calendar 'nigths'", "use one of: default"),
    ("unknown_channel_calendar", {**config(), "channels": {"phone": "default", "email": "ofice"}}, "channels.email",
     "unknown calendar 'ofice'", "default"),
]


@pytest.mark.parametrize(("mapping", "key", "message", "hint"), [c[1:] for c in CONFIG_ERRORS],
                         ids=[c[0] for c in CONFIG_ERRORS])
def test_config_errors_name_the_key_and_what_to_write(mapping: dict[str, Any], key: str, message: str, hint: str) -> None:
    with pytest.raises(ConfigError) as error:
        BusinessHours.from_mapping(mapping, source="chatlift.toml")
    assert error.value.message.startswith(f"business_hours.{key}: ")
    assert message in error.value.message
    assert error.value.hint is not None and hint in error.value.hint
    assert error.value.location == "chatlift.toml"


def test_touching_ranges_and_missing_weekdays_are_fine() -> None:
    cal = calendar(hours={"mon": ["12:00-17:00", "09:00-12:00"], "sun": []})
    assert [str(r) for r in cal.ranges_on(date(2025, 3, 31))] == ["09:00-12:00", "12:00-17:00"]
    assert cal.ranges_on(date(2025, 4, 1)) == ()  # Tuesday is not listed


def test_parameter_errors(con: Any) -> None:
    hours = only(calendar())
    t = datetime(2022, 3, 21, 10)
    with pytest.raises(ParameterError, match="unknown calendar 'nights'"):
        ibis_seconds(con, hours, [(t, t)], calendar=ibis.literal("nights"))
    with pytest.raises(ParameterError, match="no calendar column 'default'"):
        ibis_seconds(con, hours, [(t, t)], calendar="default")
    with pytest.raises(ParameterError, match="reserved: _bh_day"):
        table = ibis.memtable(pa.table({"_bh_day": [1], "started_at": pa.array([t], pa.timestamp("us"))}))
        with_business_seconds(table, start="started_at", end="started_at", calendar=ibis.literal("default"),
                              hours=hours, span=(t, t), out="b")
    with pytest.raises(ParameterError, match="span ends"):
        ibis_seconds(con, hours, [(t, t)], span=(t, t - timedelta(days=1)))
    table = ibis.memtable(pa.table({"started_at": ["2022-03-21"], "ended_at": pa.array([t], pa.timestamp("us"))}))
    with pytest.raises(ParameterError, match="not a naive"):
        with_business_seconds(table, start="started_at", end="ended_at", calendar=ibis.literal("default"),
                              hours=hours, span=(t, t), out="b")


# --- property: Ibis equals the reference, and B is additive -----------------------------------------------

# UTC dates of each zone's clock changes in 2022 (from tzdata); intervals cluster around them.
CHANGES: dict[str, list[date]] = {
    "UTC": [],
    "Asia/Kolkata": [],
    "Europe/Amsterdam": [date(2022, 3, 27), date(2022, 10, 30)],
    "America/New_York": [date(2022, 3, 13), date(2022, 11, 6)],
    "America/St_Johns": [date(2022, 3, 13), date(2022, 11, 6)],
    "America/Santiago": [date(2022, 4, 3), date(2022, 9, 11)],  # at local midnight
    "Australia/Lord_Howe": [date(2022, 4, 2), date(2022, 10, 1)],  # 30 minutes
    "Pacific/Chatham": [date(2022, 4, 2), date(2022, 9, 24)],  # at 02:45 local
}
MINUTE = timedelta(minutes=1)


Scenario = tuple[Calendar, list[Interval]]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A random calendar, and intervals a→b, b→c, a→c and others, often near one of its clock changes."""
    zone = draw(st.sampled_from(sorted(CHANGES)))
    anchors = [datetime(2022, 3, 1), *(datetime.combine(d, datetime.min.time()) for d in CHANGES[zone])]
    a = draw(st.sampled_from(anchors)) + draw(st.integers(-36 * 60, 36 * 60)) * MINUTE
    a += timedelta(microseconds=draw(st.sampled_from([0, 1, 999_999]) | st.integers(0, 59_999_999)))
    hours = {}
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
        # Quarter-hour marks, half of them in 00:00-04:00 where clocks change, so that ranges
        # start and end inside skipped and repeated hours too.
        marks = sorted(draw(st.lists(st.integers(0, 96) | st.integers(0, 16), unique=True, max_size=6)))
        hours[day] = [f"{a // 4:02d}:{a % 4 * 15:02d}-{b // 4:02d}:{b % 4 * 15:02d}" for a, b in zip(marks[::2], marks[1::2])]
    near = st.integers(-2, 6).map(lambda d: (a + timedelta(days=d)).date().isoformat())
    holidays = draw(st.lists(near, max_size=3))
    cal = Calendar.model_validate({"timezone": zone, "hours": hours, "holidays": holidays})
    lengths = st.integers(-60, 4 * 24 * 60).map(lambda m: m * MINUTE)  # some end before they start
    b = a + abs(draw(lengths)) + timedelta(microseconds=draw(st.integers(0, 59_999_999)))
    c = b + abs(draw(lengths))
    others = [(a + shift * MINUTE, a + shift * MINUTE + length)
              for shift, length in draw(st.lists(st.tuples(st.integers(-36 * 60, 36 * 60), lengths), max_size=5))]
    return cal, [(a, b), (b, c), (a, c), *others]


@settings(max_examples=25, deadline=None)
@given(st.lists(scenarios(), min_size=1, max_size=4))
def test_ibis_equals_reference_and_is_additive(con: Any, drawn: list[Scenario]) -> None:
    # One query for up to four calendars, each its own rows: also checks that calendars do not mix.
    hours = BusinessHours(calendars={"default" if n == 0 else f"c{n}": cal for n, (cal, _) in enumerate(drawn)})
    rows = [("default" if n == 0 else f"c{n}", cal, interval) for n, (cal, intervals) in enumerate(drawn)
            for interval in intervals]
    got = ibis_seconds(con, hours, [r[2] for r in rows], names=[r[0] for r in rows])
    for (_, cal, (start, end)), value in zip(rows, got, strict=True):
        assert start is not None and end is not None
        assert value == pytest.approx(business_seconds_between(cal, start, end), abs=1e-6), (cal, start, end)
    first = 0
    for _, intervals in drawn:  # a→b + b→c = a→c
        ab, bc, ac = got[first : first + 3]
        assert ab is not None and bc is not None
        assert ab + bc == pytest.approx(ac, abs=1e-6)
        first += len(intervals)
