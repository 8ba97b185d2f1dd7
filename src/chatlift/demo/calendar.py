"""The demo year on a grid of hours: local time in Amsterdam, holidays, opening hours.

Time inside the generator is an ``int64`` count of microseconds since `START`
(2025-01-01 00:00 UTC); `to_unix_us` turns it into the epoch-based value that an
Arrow ``timestamp("us")`` holds. The grid has one cell per UTC hour of the year
plus three weeks, so that "the next business morning" of a late-December e-mail
still has a place to land. Anything at or after `END` is cut off by the
generator: the dataset is a snapshot taken at midnight on New Year's Eve.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

START = datetime(2025, 1, 1)  # naive, UTC
END = datetime(2026, 1, 1)
TIMEZONE = ZoneInfo("Europe/Amsterdam")  # where the business sits: opening hours are local

SECOND = 1_000_000  # microseconds
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY
YEAR_HOURS = 365 * 24
YEAR = YEAR_HOURS * HOUR  # END - START in microseconds
GRID_HOURS = YEAR_HOURS + 21 * 24
BEYOND = YEAR + 30 * DAY  # "never within the grid": later than anything the grid can place

_UNIX_OFFSET = int((START - datetime(1970, 1, 1)).total_seconds()) * SECOND

# Public holidays on which the office (phone, e-mail) is closed: the Dutch national
# holidays of 2025 that fall on a weekday, and New Year's Day 2026.
OFFICE_HOLIDAYS = (
    date(2025, 1, 1),
    date(2025, 4, 21),  # Easter Monday
    date(2025, 5, 5),  # Liberation Day (a lustrum year)
    date(2025, 5, 29),  # Ascension Day
    date(2025, 6, 9),  # Whit Monday
    date(2025, 12, 25),
    date(2025, 12, 26),
    date(2026, 1, 1),
)
# Days on which live chat is not staffed at all (the bot still answers).
CHAT_CLOSED_DAYS = (date(2025, 1, 1), date(2025, 12, 25), date(2026, 1, 1))

Int64s = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


def to_unix_us(t: Int64s) -> Int64s:
    """Microseconds since START → microseconds since 1970-01-01 (what Arrow stores)."""
    return t + _UNIX_OFFSET


def local_day_index(day: date) -> int:
    """Days from 2025-01-01 to the local calendar ``day``."""
    return (day - START.date()).days


@dataclass(frozen=True, eq=False)
class HourGrid:
    """Local (Amsterdam) calendar facts for every UTC hour of the grid."""

    local_hour: Int64s  # 0-23
    weekday: Int64s  # 0 = Monday
    local_day: Int64s  # days since 2025-01-01 of the local date
    month: Int64s  # 0 = January of the local date

    def hour_of(self, t: Int64s) -> Int64s:
        """Grid cell of each instant (clipped to the grid)."""
        return np.clip(t // HOUR, 0, GRID_HOURS - 1)

    def day_mask(self, days: tuple[date, ...]) -> Bools:
        """True for every grid hour whose local date is one of ``days``."""
        return np.isin(self.local_day, [local_day_index(d) for d in days])


@lru_cache(maxsize=1)
def hour_grid() -> HourGrid:
    """The grid, with local times from zoneinfo (one call per hour, once per process)."""
    utc_start = START.replace(tzinfo=UTC)
    hours = np.empty(GRID_HOURS, dtype=np.int64)
    weekdays = np.empty(GRID_HOURS, dtype=np.int64)
    days = np.empty(GRID_HOURS, dtype=np.int64)
    months = np.empty(GRID_HOURS, dtype=np.int64)
    first = START.date()
    for h in range(GRID_HOURS):
        local = (utc_start + timedelta(hours=h)).astimezone(TIMEZONE)
        hours[h] = local.hour
        weekdays[h] = local.weekday()
        days[h] = (local.date() - first).days
        months[h] = (local.year - 2025) * 12 + local.month - 1
    return HourGrid(hours, weekdays, days, np.minimum(months, 11))


@dataclass(frozen=True, eq=False)
class OpeningHours:
    """When a team is at work, and arithmetic in working time.

    ``add(t, d)`` is the instant after ``d`` microseconds of *open* time counted
    from ``t``: an e-mail received on Saturday with ``d = 0`` lands on Monday
    09:00 local, the next business morning.
    """

    name: str
    is_open: Bools  # per grid hour
    open_until: Int64s  # open microseconds from START to the end of each grid hour

    @classmethod
    def from_mask(cls, name: str, mask: Bools) -> OpeningHours:
        return cls(name, mask, np.cumsum(mask.astype(np.int64) * HOUR))

    def open_at(self, t: Int64s) -> Bools:
        return self.is_open[np.clip(t // HOUR, 0, GRID_HOURS - 1)]

    def add(self, t: Int64s, duration: Int64s) -> Int64s:
        h = np.clip(t // HOUR, 0, GRID_HOURS - 1)
        before = self.open_until[h] - self.is_open[h] * HOUR  # open time before hour h
        into = np.where(self.is_open[h], np.clip(t - h * HOUR, 0, HOUR), 0)
        target = before + into + np.maximum(duration, 0)
        # first hour whose cumulative open time exceeds the target is necessarily open
        k = np.searchsorted(self.open_until, target, side="right")
        inside = k < GRID_HOURS
        k = np.minimum(k, GRID_HOURS - 1)
        start_of_k = self.open_until[k] - HOUR
        out = k * HOUR + (target - start_of_k)
        return np.where(inside, np.maximum(out, t), BEYOND)


def local_hours_mask(grid: HourGrid, first: int, last: int, weekdays: tuple[int, ...]) -> Bools:
    """Grid hours with local hour in [first, last) on the given weekdays (0 = Monday)."""
    return (grid.local_hour >= first) & (grid.local_hour < last) & np.isin(grid.weekday, weekdays)


@lru_cache(maxsize=1)
def chat_hours() -> OpeningHours:
    """Live chat (and social, app) staffed 08–22 local every day, except the closed days."""
    grid = hour_grid()
    mask = local_hours_mask(grid, 8, 22, (0, 1, 2, 3, 4, 5, 6)) & ~grid.day_mask(CHAT_CLOSED_DAYS)
    return OpeningHours.from_mask("chat", mask)


@lru_cache(maxsize=1)
def office_hours() -> OpeningHours:
    """Phone and e-mail teams: Monday–Friday 09–17 local, closed on public holidays."""
    grid = hour_grid()
    mask = local_hours_mask(grid, 9, 17, (0, 1, 2, 3, 4)) & ~grid.day_mask(OFFICE_HOLIDAYS)
    return OpeningHours.from_mask("office", mask)


def opening_for(channel: str) -> OpeningHours:
    """The opening hours that govern ``channel``."""
    return office_hours() if channel in ("phone", "email") else chat_hours()
