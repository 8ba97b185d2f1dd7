"""Per-variant sufficient statistics of an experiment's metrics, computed in the database with Ibis.

For each exposed unit (a row of ``assignments`` for the experiment, first
exposure t₀ in the experiment's [start, end)), a metric is one number y per
unit from the canonical tables, matched on the unit's ``customer_id`` or
``visitor_id``, counting events in [t₀, t₀ + window) (and before ``as_of``
when given). With a covariate, x is the same metric over
[t₀ − covariate_days, t₀). With ``winsorize`` = q, y and x are capped at their
q-quantile over all units of the experiment (both arms together, so the cap
does not depend on the treatment). Only the sums per variant leave the
database: n, Σy, Σy², Σd, Σd², Σyd, Σx, Σx², Σyx (see `chatlift.stats.moments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, assert_never

import ibis

from chatlift.experiments.spec import ExperimentMetric, ExperimentSpec, MetricKind, Unit
from chatlift.stats.moments import ArmMoments

_DAY_SECONDS = 86_400


@dataclass(frozen=True, slots=True)
class ExposureCounts:
    """Units per stored variant, split by whether the spec's dates count them."""

    counted: dict[str, int]  # variant → units exposed in [start, end) (and before as_of)
    outside_dates: int  # exposures stored outside [start, end)
    unknown_variants: dict[str, int]  # variant keys in assignments that the spec does not declare


def exposures(con: Any, spec: ExperimentSpec, *, as_of: datetime | None = None) -> Any:
    """Ibis table of the counted units: unit_id, variant, assigned_at."""
    a = con.table("assignments")
    t = a.filter(a.experiment == spec.key, a.variant.isin([v.key for v in spec.variants]),
                 a.assigned_at >= spec.start)
    if spec.end is not None:
        t = t.filter(t.assigned_at < spec.end)
    if as_of is not None:
        t = t.filter(t.assigned_at < as_of)
    return t.select("unit_id", "variant", "assigned_at")


def exposure_counts(con: Any, spec: ExperimentSpec, *, as_of: datetime | None = None) -> ExposureCounts:
    """How many units the experiment has per variant, and which stored exposures do not count."""
    a = con.table("assignments").filter(lambda t: t.experiment == spec.key)
    inside = a.assigned_at >= spec.start
    if spec.end is not None:
        inside &= a.assigned_at < spec.end
    if as_of is not None:
        inside &= a.assigned_at < as_of
    rows = a.group_by("variant").aggregate(
        counted=inside.cast("int64").sum(), total=a.count()
    ).to_pyarrow().to_pylist()
    declared = {v.key for v in spec.variants}
    counted = {v.key: 0 for v in spec.variants}
    unknown: dict[str, int] = {}
    outside = 0
    for row in rows:
        if row["variant"] in declared:
            counted[row["variant"]] = int(row["counted"] or 0)
            outside += int(row["total"]) - int(row["counted"] or 0)
        else:
            unknown[row["variant"]] = int(row["total"])
    return ExposureCounts(counted, outside, unknown)


def _events(con: Any, metric: ExperimentMetric, unit: Unit) -> Any:
    """Ibis table with columns person, at, y, d: one row per event that adds y to the value (d: denominator)."""
    person = "customer_id" if unit is Unit.CUSTOMER else "visitor_id"
    match metric.metric:
        case MetricKind.CONVERSION | MetricKind.REVENUE:
            o = con.table("orders")
            o = o.filter(o.kind.isin(list(metric.order_kinds)) if metric.order_kinds else o.kind.notnull())
            y = ibis.literal(1.0) if metric.metric is MetricKind.CONVERSION else o.amount.cast("float64")
            return o.select(person=o[person], at=o.ordered_at, y=y, d=ibis.literal(0.0))
        case MetricKind.QUESTIONS:
            c = con.table("conversations")
            return c.select(person=c[person], at=c.started_at, y=ibis.literal(1.0), d=ibis.literal(0.0))
        case MetricKind.MESSAGES:
            c = con.table("conversations")
            m = con.table("messages")
            m = m.filter(m.sender == "customer")
            j = m.join(c, m.conversation_id == c.conversation_id)
            return j.select(person=j[person], at=j.sent_at, y=ibis.literal(1.0), d=ibis.literal(0.0))
        case MetricKind.GOAL:
            g = con.table("goals")
            g = g.filter(g.name == metric.goal)
            return g.select(person=g[person], at=g.at, y=ibis.literal(1.0), d=ibis.literal(0.0))
        case MetricKind.NPS:
            s = con.table("survey_responses")
            s = s.filter(s.survey == "nps")
            c = con.table("conversations").select("conversation_id", c_customer="customer_id",
                                                  c_visitor="visitor_id")
            j = s.left_join(c, s.conversation_id == c.conversation_id)
            who = j.customer_id.coalesce(j.c_customer) if unit is Unit.CUSTOMER else j.c_visitor
            code = ibis.cases((j.score >= 9, 100.0), (j.score <= 6, -100.0), else_=0.0)
            return j.select(person=who, at=j.answered_at, y=code, d=ibis.literal(1.0))
        case _:
            assert_never(metric.metric)


def per_unit(con: Any, spec: ExperimentSpec, metric: ExperimentMetric, *, as_of: datetime | None = None,
             with_covariate: bool = False) -> Any:
    """Ibis table, one row per counted unit: unit_id, variant, y, d, x (see the module docstring)."""
    units = exposures(con, spec, as_of=as_of)
    events = _events(con, metric, spec.unit)
    window = ibis.interval(seconds=round(spec.window_days * _DAY_SECONDS))
    pre = ibis.interval(seconds=round((spec.covariate_days or 0.0) * _DAY_SECONDS))
    on = [units.unit_id == events.person, events.at < units.assigned_at + window]
    on.append(events.at >= (units.assigned_at - pre if with_covariate else units.assigned_at))
    if as_of is not None:
        on.append(events.at < as_of)
    j = units.left_join(events, on)
    during = j.at >= j.assigned_at
    before = j.at < j.assigned_at
    binary = metric.metric in (MetricKind.CONVERSION, MetricKind.GOAL)
    in_y = ibis.ifelse(during, j.y, 0.0)
    in_x = ibis.ifelse(before, j.y, 0.0)
    rows = j.group_by(["unit_id", "variant"]).aggregate(
        y=(in_y.max() if binary else in_y.sum()).coalesce(0.0),
        d=ibis.ifelse(during, j.d, 0.0).sum().coalesce(0.0),
        x=(in_x.max() if binary else in_x.sum()).coalesce(0.0),
    )
    if metric.metric is MetricKind.NPS:
        # one respondent, one voice: a unit's value is the mean code of its answers in the window, and it
        # counts once in the denominator, so NPS = mean over respondents of their −100/0/+100
        answered = rows.d > 0
        rows = rows.mutate(y=ibis.ifelse(answered, rows.y / rows.d, 0.0), d=ibis.ifelse(answered, 1.0, 0.0))
    if spec.winsorize is not None and not binary and metric.metric is not MetricKind.NPS:
        rows = rows.mutate(y=ibis.least(rows.y, rows.y.quantile(spec.winsorize)),
                           x=ibis.least(rows.x, rows.x.quantile(spec.winsorize)))
    return rows


def variant_moments(con: Any, spec: ExperimentSpec, metric: ExperimentMetric, *, as_of: datetime | None = None,
                    with_covariate: bool = False) -> dict[str, ArmMoments]:
    """`ArmMoments` per declared variant (zeros for a variant without units)."""
    u = per_unit(con, spec, metric, as_of=as_of, with_covariate=with_covariate)
    sums = u.group_by("variant").aggregate(
        n=u.count(), s=u.y.sum(), ss=(u.y * u.y).sum(),
        ds=u.d.sum(), dss=(u.d * u.d).sum(), yd=(u.y * u.d).sum(),
        xs=u.x.sum(), xss=(u.x * u.x).sum(), yx=(u.y * u.x).sum(),
    )
    found = {r["variant"]: r for r in sums.to_pyarrow().to_pylist()}
    out: dict[str, ArmMoments] = {}
    for v in spec.variants:
        r = found.get(v.key)
        if r is None:
            out[v.key] = ArmMoments(0, 0.0, 0.0)
            continue
        out[v.key] = ArmMoments(
            n=float(r["n"]), sum=float(r["s"] or 0), sum_squares=float(r["ss"] or 0),
            denominator_sum=float(r["ds"] or 0), denominator_sum_squares=float(r["dss"] or 0),
            main_denominator_sum_product=float(r["yd"] or 0),
            covariate_sum=float(r["xs"] or 0), covariate_sum_squares=float(r["xss"] or 0),
            main_covariate_sum_product=float(r["yx"] or 0),
        )
    return out
