"""Business hours: weekly calendars, and business seconds between two timestamps.

Definitions (all durations in seconds):

* An instant is *business time* for a calendar when, read on the calendar's
  local wall clock, its date is not a holiday and its time of day falls in one
  of the ranges ``[start, end)`` listed for that weekday.
* *Business seconds* between ``start`` and ``end`` (naive UTC) are the seconds of
  business time in ``[start, end)``; 0 when ``end <= start``.

So a local 09:00–17:00 is 8 hours on a day whose clock change happens outside
it, a range across a skipped hour is an hour shorter and one across a repeated
hour an hour longer (real elapsed seconds); a skipped wall time is never
business time and a repeated one counts twice.

Calendar choice: a conversation uses its team's calendar when ``teams`` maps
the team, else its channel's when ``channels`` maps the channel (channel names
compare in lower case, as stored), else ``default``.

Configuration lives in ``chatlift.toml``::

    [business_hours.calendars.default]
    timezone = "Europe/Amsterdam"
    hours = { mon = ["09:00-17:00"], wed = ["09:00-12:00", "13:00-17:00"] }
    holidays = ["2025-12-25"]
    [business_hours.calendars.nights]
    timezone = "UTC"
    hours = { sun = ["22:00-24:00"], mon = ["00:00-06:00"] }
    [business_hours.teams]
    "night shift" = "nights"
    [business_hours.channels]
    phone = "nights"

In Ibis, business time is a cumulative function B(t), the business seconds
from a fixed origin to t, and a duration is B(end) − B(start). B is read from
a calendar table (see `calendar_table`) joined on (calendar, UTC date).
`business_seconds_between` computes the same number in pure Python by another
algorithm; the tests compare the two.
"""

from __future__ import annotations

import bisect
import json
import re
import tomllib
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, available_timezones

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from chatlift.errors import ConfigError, ParameterError, close_matches

DEFAULT = "default"
MAX_SPAN_DAYS = 36_600  # a century: a longer span is almost surely a bad timestamp, and costs a row a day
_DAY = timedelta(days=1)
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")  # "09:00-17:00"
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")  # TOML keys that need no quotes
_EXAMPLES = {
    "timezone": 'timezone = "Europe/Amsterdam" (an IANA time zone name)',
    "hours": 'hours = { mon = ["09:00-17:00"], wed = ["09:00-12:00", "13:00-17:00"] }',
    "holidays": 'holidays = ["2025-12-25"] (local dates)',
    "calendars": '[business_hours.calendars.default] with timezone = "UTC" and hours = { mon = ["09:00-17:00"] }',
    "teams": '[business_hours.teams] "night shift" = "nights" (team = calendar name)',
    "channels": '[business_hours.channels] phone = "office" (channel = calendar name)',
}


def _problem(kind: str, message: str, hint: str, *at: str | int) -> PydanticCustomError:
    # ``at`` extends pydantic's location (e.g. the index of an overlapping range); braces would be templates.
    return PydanticCustomError(kind, message.replace("{", "(").replace("}", ")"), {"hint": hint, "at": at})


class Weekday(StrEnum):
    """A key of a calendar's weekly hours, in ``date.weekday()`` order."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


WEEKDAYS = tuple(Weekday)


def _weekday(value: Any) -> Any:
    if isinstance(value, str) and value.lower() in WEEKDAYS:
        return value.lower()
    names = ", ".join(WEEKDAYS)
    hint = (close_matches(str(value).lower(), WEEKDAYS) or "") + f" Weekday keys are {names}."
    raise _problem("weekday", f"unknown weekday {value!r}", hint.strip())


class TimeRange(BaseModel):
    """``[start, end)`` in seconds after local midnight, written ``"HH:MM-HH:MM"`` (end may be 24:00)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: int = Field(ge=0, lt=86_400)  # seconds after local midnight
    end: int = Field(gt=0, le=86_400)  # seconds after local midnight, after start

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        form = 'write "HH:MM-HH:MM" in 24-hour local time, e.g. "09:00-17:00"; a day ends at "24:00"'
        found = _RANGE.match(value)
        if not found:
            raise _problem("time_range", f'{value!r} is not a range like "09:00-17:00"', form)
        h0, m0, h1, m1 = (int(g) for g in found.groups())
        if h0 > 23 or m0 > 59 or h1 > 24 or m1 > 59 or (h1 == 24 and m1 > 0):
            raise _problem("time_range", f"{value!r} holds a time that does not exist", form)
        start, end = h0 * 3600 + m0 * 60, h1 * 3600 + m1 * 60
        if start >= end:
            hint = 'a range cannot cross midnight: split it, e.g. mon = ["22:00-24:00"], tue = ["00:00-06:00"]'
            raise _problem("time_range", f"{value!r} does not end after it starts", hint)
        return {"start": start, "end": end}

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} is not after start {self.start}")
        return self

    @model_serializer
    def _text(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return f"{self.start // 3600:02d}:{self.start % 3600 // 60:02d}-{self.end // 3600:02d}:{self.end % 3600 // 60:02d}"


def _disjoint(ranges: tuple[TimeRange, ...]) -> tuple[TimeRange, ...]:
    order = sorted(range(len(ranges)), key=lambda i: ranges[i].start)
    for i, j in pairwise(order):
        if ranges[j].start < ranges[i].end:
            later, earlier = max(i, j), min(i, j)
            raise _problem(
                "overlap",
                f"{ranges[later]} overlaps {ranges[earlier]} (item [{earlier}])",
                'merge them or make them disjoint; ranges may touch, e.g. ["09:00-12:00", "12:00-17:00"]',
                later,
            )
    return tuple(ranges[i] for i in order)


DayHours = Annotated[tuple[TimeRange, ...], AfterValidator(_disjoint)]


class Calendar(BaseModel):
    """Weekly business hours in one time zone, minus holidays.

    >>> cal = Calendar.model_validate({"timezone": "UTC", "hours": {"mon": ["13:00-17:00", "09:00-12:00"]}})
    >>> [str(r) for r in cal.ranges_on(date(2025, 3, 31))]  # a Monday; ranges come sorted
    ['09:00-12:00', '13:00-17:00']
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = Field(description="IANA time zone of the hours and holidays.")
    hours: dict[Annotated[Weekday, BeforeValidator(_weekday)], DayHours] = Field(
        description="Local ranges per weekday (mon … sun); a missing weekday has no business hours."
    )
    holidays: tuple[date, ...] = Field((), description="Local dates without business hours.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception as exc:  # ZoneInfoNotFoundError, or ValueError for paths and empty names
            hint = close_matches(value, available_timezones()) or "use an IANA name such as Europe/Amsterdam"
            raise _problem("time_zone", f"unknown time zone {value!r}", hint) from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def ranges_on(self, day: date) -> tuple[TimeRange, ...]:
        """The ranges of local date ``day``: its weekday's, or none on a holiday."""
        return () if day in self.holidays else self.hours.get(WEEKDAYS[day.weekday()], ())


class BusinessHours(BaseModel):
    """Named calendars and the rule choosing one per conversation: team's, else channel's, else ``default``.

    >>> hours = BusinessHours.from_mapping({
    ...     "calendars": {"default": {"timezone": "UTC", "hours": {"mon": ["09:00-17:00"]}}},
    ...     "channels": {"Phone": "default"},
    ... })
    >>> hours.channels  # channels compare in lower case, as chatlift stores them
    {'phone': 'default'}
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    calendars: dict[str, Calendar] = Field(description="Calendars by name; one must be named default.")
    teams: dict[str, str] = Field(default_factory=dict, description="Team → calendar name.")
    channels: dict[str, str] = Field(default_factory=dict, description="Channel → calendar name.")

    @field_validator("channels")
    @classmethod
    def _lower_channels(cls, value: dict[str, str]) -> dict[str, str]:
        return {channel.lower(): name for channel, name in value.items()}

    @model_validator(mode="after")
    def _known_calendars(self) -> BusinessHours:
        if DEFAULT not in self.calendars:
            raise _problem("no_default", "has no calendar named 'default'", _EXAMPLES["calendars"], "calendars")
        for field in ("teams", "channels"):
            for key, name in getattr(self, field).items():
                if name not in self.calendars:
                    known = ", ".join(sorted(self.calendars))
                    hint = (close_matches(name, self.calendars) or "") + f" Define it, or use one of: {known}."
                    raise _problem("unknown_calendar", f"unknown calendar {name!r}", hint.strip(), field, key)
        return self

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, source: str | Path | None = None, prefix: str = "business_hours"
    ) -> BusinessHours:
        """Validate the ``[business_hours]`` table of a TOML file, already parsed.

        Args:
            data: the table's contents (``calendars``, ``teams``, ``channels``).
            source: the file it came from, for error locations.
            prefix: the table's key, for error messages.

        Returns:
            The validated calendars; a `ConfigError` names the key (e.g.
            ``business_hours.calendars.default.hours.mon[1]``) and what to write instead.
        """
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise _config_error(exc, source, prefix) from exc

    @classmethod
    def from_toml(cls, path: str | Path) -> BusinessHours:
        """Read the ``[business_hours]`` table of a TOML file (other tables are ignored).

        Args:
            path: the TOML file, typically ``chatlift.toml``.

        Returns:
            The validated calendars, as `from_mapping`.
        """
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}", location=str(path)) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} is not valid TOML: {exc}", location=str(path)) from exc
        if "business_hours" not in data:
            raise ConfigError("there is no [business_hours] table", location=str(path), hint=_EXAMPLES["calendars"])
        return cls.from_mapping(data["business_hours"], source=path)


def _config_error(exc: ValidationError, source: str | Path | None, prefix: str) -> ConfigError:
    problems = []
    for error in exc.errors():
        ctx = error.get("ctx", {})
        loc = [p for p in (*error["loc"], *ctx.get("at", ())) if p != "[key]"]
        key = prefix + "".join(
            f"[{p}]" if isinstance(p, int) else "." + (p if _BARE_KEY.match(p) else json.dumps(p)) for p in loc
        )
        names = [p for p in loc if isinstance(p, str)]
        example = next((_EXAMPLES[p] for p in reversed(names) if p in _EXAMPLES), _EXAMPLES["calendars"])
        if "hint" in ctx:
            message, hint = error["msg"], ctx["hint"]
        elif error["type"] == "missing":
            message, hint = "is missing", f"add {example}"
        elif error["type"] == "extra_forbidden":
            model = Calendar if len(loc) == 3 and loc[0] == "calendars" else BusinessHours
            known = ", ".join(model.model_fields)
            message = "is not a known key"
            hint = (close_matches(str(loc[-1]), model.model_fields) or "") + f" Known keys here: {known}."
        else:
            message = (error["msg"][0].lower() + error["msg"][1:]).replace("a valid tuple", "a list")
            hint = f"write e.g. {example}"
        problems.append((key, message, hint.strip()))
    key, message, hint = problems[0]
    text = f"{key}: {message}"
    if len(problems) > 1:
        text += f" (and {len(problems) - 1} more: " + ", ".join(p[0] for p in problems[1:]) + ")"
    return ConfigError(text, hint=hint, location=str(source) if source is not None else None)


# --- The calendar table ----------------------------------------------------------------------------------


def _utc_offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.replace(tzinfo=UTC).astimezone(zone).utcoffset()
    assert offset is not None  # a ZoneInfo always has one
    return offset


def _offset_segments(zone: ZoneInfo, lo: datetime, hi: datetime) -> list[tuple[datetime, timedelta]]:
    """(start, UTC offset) of each constant-offset stretch of ``[lo, hi)``, naive UTC midnights.

    Compares the offsets at consecutive UTC midnights and bisects to the second
    where they differ; this assumes at most one change per UTC day, true of every
    tzdata zone.
    """
    segments = [(lo, _utc_offset(zone, lo))]
    day = lo
    while day < hi:
        following = _utc_offset(zone, day + _DAY)
        if following != segments[-1][1]:
            before, after = 0, 86_400  # seconds after ``day`` with the old and with the new offset
            while after - before > 1:
                middle = (before + after) // 2
                old = _utc_offset(zone, day + timedelta(seconds=middle)) == segments[-1][1]
                before, after = (middle, after) if old else (before, middle)
            segments.append((day + timedelta(seconds=after), following))
        day += _DAY
    return segments


def _business_intervals(calendar: Calendar, first: date, last: date) -> dict[date, list[tuple[int, int]]]:
    """Business time of UTC dates ``first`` … ``last`` as sorted ``[start, end)`` seconds after UTC midnight.

    Each local range maps, on each constant-offset stretch, to the instants
    ``[local start − offset, local end − offset)`` within the stretch: exactly
    the instants whose wall-clock reading lies in the range.
    """
    lo, hi = datetime.combine(first - 2 * _DAY, time()), datetime.combine(last + 3 * _DAY, time())
    segments = _offset_segments(calendar.zone, lo, hi)
    starts = [s for s, _ in segments]
    ends = [*starts[1:], hi]
    pieces: dict[date, list[tuple[int, int]]] = {first + i * _DAY: [] for i in range((last - first).days + 1)}
    local = first - _DAY  # UTC offsets are within ±1 day, so these local dates cover first … last
    while local <= last + _DAY:
        midnight = datetime.combine(local, time())
        for r in calendar.ranges_on(local):
            wall_start, wall_end = midnight + timedelta(seconds=r.start), midnight + timedelta(seconds=r.end)
            i = max(bisect.bisect_right(starts, wall_start - _DAY) - 1, 0)
            while i < len(segments) and starts[i] < wall_end + _DAY:
                offset = segments[i][1]
                begin, finish = max(wall_start - offset, starts[i]), min(wall_end - offset, ends[i])
                while begin < finish:  # split at UTC midnights; offsets and stretches are whole seconds
                    utc_midnight = datetime.combine(begin.date(), time())
                    cut = min(finish, utc_midnight + _DAY)
                    s, e = ((x - utc_midnight) // timedelta(seconds=1) for x in (begin, cut))
                    pieces.get(begin.date(), []).append((s, e))
                    begin = cut
                i += 1
        local += _DAY
    for day, found in pieces.items():
        merged: list[tuple[int, int]] = []
        for s, e in sorted(found):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        pieces[day] = merged
    return pieces


def _table_days(span: tuple[datetime, datetime]) -> tuple[date, date]:
    earliest, latest = (t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo is not None else t for t in span)
    if latest < earliest:
        raise ParameterError(f"span ends ({latest}) before it starts ({earliest})", hint="pass (earliest, latest)")
    first, last = earliest.date() - _DAY, latest.date() + _DAY
    if (last - first).days > MAX_SPAN_DAYS:
        raise ParameterError(
            f"span {earliest} … {latest} is longer than {MAX_SPAN_DAYS} days",
            hint="pass the earliest and latest timestamps the data really holds",
        )
    return first, last


def calendar_table(hours: BusinessHours, span: tuple[datetime, datetime]) -> pa.Table:
    """One row per (calendar, UTC date) from the day before ``span`` to the day after.

    Columns: ``_bh_calendar``; ``_bh_day`` (UTC date); ``_bh_midnight`` (its UTC
    midnight, naive timestamp); ``_bh_before``, business seconds from the
    calendar's first midnight up to this one; and ``_bh_start_k``/``_bh_end_k``
    for k < K, the day's business intervals in seconds after UTC midnight, where
    K is the most intervals any day has; unused pairs are 0, 0. So
    B(t) = before + Σ_k clip(t − midnight − start_k, 0, end_k − start_k).

    Args:
        hours: the calendars.
        span: (earliest, latest) naive-UTC timestamps the data may hold.

    Returns:
        The table, sorted by calendar and day.

    >>> hours = BusinessHours.from_mapping({"calendars": {"default": {"timezone": "Asia/Kolkata",
    ...     "hours": {"mon": ["04:00-06:00"]}}}})  # 22:30-24:00 Sunday and 00:00-00:30 Monday, UTC
    >>> table = calendar_table(hours, (datetime(2025, 3, 30), datetime(2025, 3, 31))).to_pylist()
    >>> [(row["_bh_day"].day, row["_bh_before"], row["_bh_start_0"], row["_bh_end_0"]) for row in table]
    [(29, 0, 0, 0), (30, 0, 81000, 86400), (31, 5400, 0, 1800), (1, 7200, 0, 0)]
    """
    first, last = _table_days(span)
    rows: list[tuple[str, date, int, list[tuple[int, int]]]] = []
    for name in sorted(hours.calendars):
        before = 0
        for day, intervals in sorted(_business_intervals(hours.calendars[name], first, last).items()):
            rows.append((name, day, before, intervals))
            before += sum(e - s for s, e in intervals)
    width = max([1, *(len(r[3]) for r in rows)])
    columns = {
        "_bh_calendar": pa.array([r[0] for r in rows], pa.string()),
        "_bh_day": pa.array([r[1] for r in rows], pa.date32()),
        "_bh_midnight": pa.array([datetime.combine(r[1], time()) for r in rows], pa.timestamp("us")),
        "_bh_before": pa.array([r[2] for r in rows], pa.int64()),
    }
    for k in range(width):
        for side, name in enumerate(("start", "end")):
            columns[f"_bh_{name}_{k}"] = pa.array([r[3][k][side] if k < len(r[3]) else 0 for r in rows], pa.int64())
    return pa.table(columns)


# --- Ibis ------------------------------------------------------------------------------------------------


def calendar_of(table: ir.Table, hours: BusinessHours) -> ir.StringValue:
    """The calendar name per row of ``table``: its ``team``'s, else its ``channel``'s, else ``default``.

    Args:
        table: rows with a ``team`` column when ``hours.teams`` is not empty,
            and a ``channel`` column when ``hours.channels`` is not empty.
        hours: the calendars and mappings.

    Returns:
        A string column; NULL or unmapped teams and channels fall through.

    >>> hours = BusinessHours.from_mapping({"calendars": {"default": {"timezone": "UTC", "hours": {}},
    ...     "nights": {"timezone": "UTC", "hours": {}}}, "teams": {"night shift": "nights"}})
    >>> t = ibis.memtable(pa.table({"team": ["night shift", "day shift", None], "channel": ["chat"] * 3}))
    >>> t.select(c=calendar_of(t, hours)).c.to_pyarrow().to_pylist()
    ['nights', 'default', 'default']
    """
    choices: list[ir.Value] = []
    for column, mapping in (("team", hours.teams), ("channel", hours.channels)):
        if not mapping:
            continue
        if column not in table.columns:
            raise ParameterError(f"the table has no {column!r} column", hint=f"calendars are mapped by {column}")
        choices.append(ibis.cases(*((table[column] == key, name) for key, name in mapping.items())))
    return ibis.coalesce(*choices, ibis.literal(DEFAULT))


def _timestamp(table: ir.Table, column: str) -> ir.TimestampColumn:
    if column not in table.columns:
        raise ParameterError(f"the table has no column {column!r}", hint=close_matches(column, table.columns))
    dtype = table[column].type()
    if not (dtype.is_timestamp() and dtype.timezone is None):
        raise ParameterError(f"column {column!r} is {dtype}, not a naive (UTC) timestamp")
    return table[column]


def _with_cumulative(table: ir.Table, days: ir.Table, column: str, out: str, width: int) -> ir.Table:
    """``table`` plus ``out`` = B(``column``), NULL when the timestamp, calendar or day has no calendar row."""
    ts, days = table[column], days.view()  # a fresh reference per join: the calendar table is joined twice
    joined = table.left_join(days, [table._bh_row_calendar == days._bh_calendar, ts.date() == days._bh_day])
    bounds = [f"_bh_{side}_{k}" for k in range(width) for side in ("start", "end")]
    step = joined.select(
        *[table[c] for c in table.columns],
        _bh_offset=ts.delta(days._bh_midnight, unit="microsecond").cast("float64") / 1e6,  # s after UTC midnight
        _bh_before=days._bh_before,
        **{b: days[b] for b in bounds},
    )
    # Where the join found no row, _bh_before is NULL and so is the sum, whatever GREATEST does with NULLs.
    value = step._bh_before.cast("float64")
    for k in range(width):
        start, end = step[f"_bh_start_{k}"], step[f"_bh_end_{k}"]
        value = value + ibis.greatest(0, ibis.least(step._bh_offset - start, end - start))
    return step.select(*[step[c] for c in table.columns], **{out: value})


def with_business_seconds(
    table: ir.Table,
    *,
    start: str,
    end: str,
    calendar: ir.StringValue | str,
    hours: BusinessHours,
    span: tuple[datetime, datetime],
    out: str,
) -> ir.Table:
    """``table`` plus a float64 column ``out``: business seconds from ``start`` to ``end``.

    Portable Ibis (two equi-joins on (calendar, UTC date) with `calendar_table`,
    then arithmetic): B(end) − B(start). 0 when ``end <= start``; NULL when
    either is NULL, the calendar is NULL or unknown, or a timestamp's UTC date
    lies outside ``span`` widened by a day each side (never a wrong number).

    Args:
        table: rows with naive-UTC timestamp columns ``start`` and ``end``.
        start: column name of the interval's start.
        end: column name of the interval's end.
        calendar: a string expression, or the name of a string column, with the
            calendar name per row (see `calendar_of`; ``ibis.literal("default")``
            for one calendar).
        hours: the calendars.
        span: (earliest, latest) naive-UTC timestamps the data may hold.
        out: name of the new column.

    Returns:
        ``table`` with ``out`` appended.

    >>> hours = BusinessHours.from_mapping({"calendars": {"default": {"timezone": "Europe/Amsterdam",
    ...     "hours": {"mon": ["09:00-17:00"]}}}})
    >>> t = ibis.memtable(pa.table({"opened": [datetime(2025, 3, 31, 6)], "closed": [datetime(2025, 3, 31, 8, 30)]}))
    >>> t = with_business_seconds(t, start="opened", end="closed", calendar=ibis.literal("default"),
    ...     hours=hours, span=(datetime(2025, 3, 31), datetime(2025, 3, 31)), out="business")
    >>> t.business.to_pyarrow().to_pylist()  # 08:00-10:30 local (UTC+2) is 09:00-10:30 in business hours
    [5400.0]
    """
    clash = [c for c in table.columns if c.startswith("_bh_")]
    if clash:
        raise ParameterError(f"column names starting with _bh_ are reserved: {', '.join(clash)}", hint="rename them")
    _timestamp(table, start)
    _timestamp(table, end)
    if isinstance(calendar, str):
        if calendar not in table.columns:
            hint = f"for one calendar for every row pass ibis.literal({calendar!r})"
            raise ParameterError(f"the table has no calendar column {calendar!r}", hint=hint)
        calendar = table[calendar]
    if not calendar.type().is_string():
        raise ParameterError(f"the calendar expression is {calendar.type()}, not a string")
    if isinstance(calendar.op(), ops.Literal) and calendar.op().value not in hours.calendars:
        name = calendar.op().value
        raise ParameterError(f"unknown calendar {name!r}", hint=close_matches(name, hours.calendars))
    days = ibis.memtable(calendar_table(hours, span))
    width = sum(1 for c in days.columns if c.startswith("_bh_start_"))
    work = table.mutate(_bh_row_calendar=calendar)
    work = _with_cumulative(work, days, start, "_bh_b_start", width)
    work = _with_cumulative(work, days, end, "_bh_b_end", width)
    seconds = ibis.cases((work[end] <= work[start], ibis.literal(0.0)), else_=work._bh_b_end - work._bh_b_start)
    return work.mutate(**{out: seconds.cast(dt.float64)}).drop("_bh_row_calendar", "_bh_b_start", "_bh_b_end")


# --- Reference ---------------------------------------------------------------------------------------------


def _is_business(calendar: Calendar, instant: datetime) -> bool:
    wall = instant.replace(tzinfo=UTC).astimezone(calendar.zone).replace(tzinfo=None)
    since_midnight = wall - datetime.combine(wall.date(), time())
    return any(
        timedelta(seconds=r.start) <= since_midnight < timedelta(seconds=r.end) for r in calendar.ranges_on(wall.date())
    )


def business_seconds_between(calendar: Calendar, start: datetime, end: datetime) -> float:
    """Business seconds in ``[start, end)`` (naive UTC), 0 when ``end <= start``: the reference.

    Pure Python, independent of `calendar_table`: it cuts ``[start, end)`` at
    every UTC instant where the business state may change (each range boundary
    of each local day walked, converted with both folds; every UTC hour; every
    change of UTC offset, found by bisection) and adds the pieces whose first
    instant is business time.

    Args:
        calendar: the calendar.
        start: naive UTC.
        end: naive UTC.

    Returns:
        Seconds, to the microsecond.

    >>> cal = Calendar.model_validate({"timezone": "Europe/Amsterdam", "hours": {"mon": ["09:00-17:00"]}})
    >>> business_seconds_between(cal, datetime(2025, 3, 31, 6), datetime(2025, 3, 31, 12))  # 08-14 local
    18000.0
    """
    if end <= start:
        return 0.0
    zone = calendar.zone
    cuts = {start, end}
    local = (start - _DAY).date()
    while local <= (end + _DAY).date():
        for r in calendar.hours.get(WEEKDAYS[local.weekday()], ()):
            for seconds in (r.start, r.end):
                wall = datetime.combine(local, time()) + timedelta(seconds=seconds)
                for fold in (0, 1):
                    cuts.add(wall.replace(tzinfo=zone, fold=fold).astimezone(UTC).replace(tzinfo=None))
        local += _DAY
    hour = start.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        cuts.add(hour)
        hour += timedelta(hours=1)
    ordered = sorted(c for c in cuts if start <= c <= end)
    total = timedelta()
    for a, b in pairwise(ordered):
        pieces = [(a, b)]
        last = b - timedelta(microseconds=1)
        if _utc_offset(zone, a) != _utc_offset(zone, last):  # one change within the hour: find it
            lo, hi = a, last  # offset(lo) is the old one, offset(hi) the new one
            while hi - lo > timedelta(microseconds=1):
                middle = lo + (hi - lo) // 2
                lo, hi = (middle, hi) if _utc_offset(zone, middle) == _utc_offset(zone, a) else (lo, middle)
            pieces = [(a, hi), (hi, b)]
        total += sum((q - p for p, q in pieces if _is_business(calendar, p)), timedelta())
    return total.total_seconds()
