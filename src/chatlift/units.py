"""How values of each unit read in a terminal, a Markdown report or the dashboard (machine formats
keep raw numbers).

One scheme per unit: shares ``60.0 %``; percentage points ``+6.5 pt``; durations ``42 s``,
``11 min 30 s`` or ``3.2 h``; money ``1,234.50``; ratios ``4.51×``; NPS ``+13.7``; scores and
counts ``3.74``. A change between periods reads in the unit of a difference: a share's change
is in points, everything else keeps its unit with a sign.
"""

from __future__ import annotations

import math
from typing import assert_never

from chatlift.metrics.definitions import Unit

MISSING = "–"



def _known(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def duration(seconds: float, *, signed: bool = False) -> str:
    """Seconds as people read them: under a minute in seconds, under an hour in minutes and seconds, else hours.

    >>> duration(42.4), duration(9.5), duration(690), duration(11_520), duration(-65, signed=True)
    ('42 s', '9.5 s', '11 min 30 s', '3.2 h', '-1 min 5 s')
    """
    sign = ("+" if seconds >= 0 else "-") if signed else ("-" if seconds < 0 else "")
    size = abs(seconds)
    if size < 10:
        return f"{sign}{size:.1f} s"
    if round(size) < 60:
        return f"{sign}{size:.0f} s"
    if round(size) < 3600:
        minutes, rest = divmod(round(size), 60)
        return f"{sign}{minutes} min" + (f" {rest} s" if rest else "")
    return f"{sign}{size / 3600:.1f} h"


def value_text(unit: Unit, value: float | None) -> str:
    """A value in its unit.

    >>> value_text(Unit.SHARE, 0.6), value_text(Unit.POINTS, 0.065), value_text(Unit.RATIO, 4.512)
    ('60.0 %', '+6.5 pt', '4.51×')
    >>> value_text(Unit.MONEY, 1234.5), value_text(Unit.NPS, 13.73), value_text(Unit.SCORE, None)
    ('1,234.50', '+13.7', '–')
    """
    if value is None or math.isnan(value):
        return MISSING
    match unit:
        case Unit.SHARE:
            return f"{100 * value:.1f} %"
        case Unit.POINTS:
            return f"{100 * value:+.1f} pt"
        case Unit.SECONDS:
            return duration(value)
        case Unit.SCORE | Unit.COUNT:
            return f"{value:,.2f}"
        case Unit.NPS:
            return f"{value:+.1f}"
        case Unit.MONEY:
            return f"{value:,.2f}"
        case Unit.RATIO:
            return f"{value:,.2f}×"
        case _:
            assert_never(unit)


def change_text(unit: Unit, change: float | None) -> str:
    """A change between two values of ``unit``, signed; a share's change is in percentage points.

    >>> change_text(Unit.SHARE, 0.1), change_text(Unit.SECONDS, -65), change_text(Unit.MONEY, 2)
    ('+10.0 pt', '-1 min 5 s', '+2.00')
    """
    if change is None or math.isnan(change):
        return MISSING
    match unit:
        case Unit.SHARE | Unit.POINTS:
            return f"{100 * change:+.1f} pt"
        case Unit.SECONDS:
            return duration(change, signed=True)
        case Unit.SCORE | Unit.COUNT | Unit.MONEY:
            return f"{change:+,.2f}"
        case Unit.NPS:
            return f"{change:+.1f}"
        case Unit.RATIO:
            return f"{change:+,.2f}×"
        case _:
            assert_never(unit)


def interval_text(unit: Unit, lower: float | None, upper: float | None) -> str:
    """A 95 % interval, each bound in the unit.

    >>> interval_text(Unit.SHARE, 0.231, 0.882)
    '23.1 % – 88.2 %'
    """
    if not (_known(lower) and _known(upper)):
        return MISSING
    return f"{value_text(unit, lower)} – {value_text(unit, upper)}"
