"""Recency–frequency–monetary summaries of customers, computed in the database (Ibis, any engine).

From orders of ``kinds`` (person = customer_id, else visitor_id), per person,
with a calibration period that ends (exclusively) at ``calibration_end``:

* purchases are counted per calendar day (UTC): orders on the same day are one
  purchase whose amount is their sum (as in the CDNOW analyses);
* ``frequency`` (x) — purchase days in the calibration period after the first;
* ``recency`` (t_x) — from the first to the last purchase day, in the unit;
* ``T`` — from the first purchase day to the calibration's last day
  (``calibration_end`` − 1 day), in the unit: a customer who first bought on
  1 January 1997 with calibration_end 1 October 1997 has T = 272/7 = 38.86 weeks;
* ``monetary`` — mean amount of the repeat purchase days (null when x = 0);
* ``historical_value`` — all order amounts up to calibration end;
* ``holdout_frequency`` — purchase days in ``[calibration_end, holdout_end)``.

Customers are those whose first purchase falls in ``[first_from, calibration_end)``
(``first_from`` None: any time before).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, assert_never

import ibis
import ibis.expr.types as ir

from chatlift.metrics.scope import person


class TimeUnit(StrEnum):
    DAY = "day"
    WEEK = "week"

    @property
    def days(self) -> float:
        match self:
            case TimeUnit.DAY:
                return 1.0
            case TimeUnit.WEEK:
                return 7.0
            case _:
                assert_never(self)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0))


def rfm_table(con: Any, calibration_end: date, *, unit: TimeUnit = TimeUnit.WEEK, first_from: date | None = None,
              holdout_end: date | None = None, kinds: Sequence[str] = ("purchase",)) -> ir.Table:
    """One row per customer: person, first_at, frequency, recency, T, monetary, historical_value,
    holdout_frequency (0 without ``holdout_end``)."""
    o = con.table("orders")
    o = o.filter(o.kind.isin(list(kinds))).mutate(person=person(o)).filter(lambda t: t.person.notnull())
    stop = _midnight(holdout_end) if holdout_end else _midnight(calibration_end)
    o = o.filter(o.ordered_at < stop)
    days = o.group_by("person", day=o.ordered_at.date()).aggregate(amount=o.amount.cast("float64").sum())
    cal_end = ibis.literal(calibration_end)
    in_cal = days.day < cal_end
    first = days.group_by(__fp="person").aggregate(first_day=days.day.min())
    if first_from is not None:
        first = first.filter(first.first_day >= ibis.literal(first_from))
    first = first.filter(first.first_day < cal_end)
    j = days.join(first, days.person == first.__fp)
    repeat = in_cal & (j.day > j.first_day)
    per = j.group_by("person", "first_day").aggregate(
        frequency=repeat.cast("int64").sum(),
        last_day=j.day.max(where=in_cal),
        repeat_amount=j.amount.sum(where=repeat),
        historical_value=j.amount.sum(where=in_cal),
        holdout_frequency=(~in_cal).cast("int64").sum(),
    )
    last_calibration_day = ibis.literal(calibration_end - timedelta(days=1))
    size = unit.days
    return per.select(
        "person", "frequency", "historical_value", "holdout_frequency",
        first_at=per.first_day,
        recency=per.last_day.delta(per.first_day, unit="day").cast("float64") / size,
        T=last_calibration_day.delta(per.first_day, unit="day").cast("float64") / size,
        monetary=ibis.ifelse(per.frequency > 0, per.repeat_amount / per.frequency.cast("float64"), None),
    )
