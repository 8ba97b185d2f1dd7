"""Wall-clock time in a reporting time zone, as a portable Ibis expression.

Timestamps are stored as naive UTC. To bucket them by local day, week, month,
hour or weekday, the UTC offset in force at each instant is added. The offsets
come from the IANA database (``zoneinfo``) as a short list of transitions over
the span of the data, and become one ``CASE`` expression, so the conversion
runs inside any engine without time zone support of its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import ibis
import ibis.expr.types as ir

Transition = tuple[datetime, int]  # (naive UTC instant from which the offset holds, offset in seconds)


def _offset(zone: ZoneInfo, utc: datetime) -> int:
    local = utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    delta = local.utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[Transition]:
    """The offset at ``start`` and every change of offset up to ``end`` (naive UTC), to the second.

    >>> for at, offset in transitions(ZoneInfo("Europe/Amsterdam"), datetime(2025, 1, 1), datetime(2026, 1, 1)):
    ...     print(at, offset)
    2025-01-01 00:00:00 3600
    2025-03-30 01:00:00 7200
    2025-10-26 01:00:00 3600
    """
    result = [(start, _offset(zone, start))]
    day = start
    while day < end:
        following = min(day + timedelta(days=1), end)
        before, after = _offset(zone, day), _offset(zone, following)
        if before != after:
            low, high = day, following  # the change happens in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _offset(zone, middle) == before:
                    low = middle
                else:
                    high = middle
            result.append((high, after))
        day = following
    return result


def to_local(column: ir.TimestampValue, timezone: str, start: datetime, end: datetime) -> ir.TimestampValue:
    """``column`` (naive UTC) as naive wall-clock time in ``timezone``, for instants in ``[start, end]``.

    Instants outside the span get the offset at its nearest end, so the caller passes a span that
    covers the data (the report period, or the data's own range when the period is open).
    """
    changes = transitions(ZoneInfo(timezone), start, end)
    if len(changes) == 1:
        offset: ir.IntegerValue = ibis.literal(changes[0][1])
    else:
        branches = [(column < at, previous) for (at, _), (_, previous) in zip(changes[1:], changes, strict=False)]
        offset = ibis.cases(*branches, else_=changes[-1][1])
    if len(changes) == 1 and changes[0][1] == 0:
        return column
    return column + offset.as_interval("s")
