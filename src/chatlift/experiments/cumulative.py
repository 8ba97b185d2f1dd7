"""Cumulative lift over time: the experiment read as it stood at each of several instants.

Reading the experiment "as of" an instant p means what `analyze` does with
``as_of=p``: only units first exposed before p count, and each unit's metric
only sees events before p (its window is cut short at p). Because a unit's
value changes from one instant to the next, Σy² at p cannot be built from sums
at earlier instants; so one database query pairs every exposure with every
instant after it, computes the per-unit values there, and returns the
per-variant sums (`ArmMoments`) for each (metric, instant). The lifts and
intervals then come from `chatlift.experiments.analysis.compare`, the same code
`analyze` uses, so a point here equals ``analyze(as_of=p)`` for that metric.

Multiple-testing corrections and verdicts are not part of a trend: they belong
to the final read-out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import ibis
from pydantic import Field

from chatlift.errors import ExperimentError
from chatlift.experiments.analysis import compare
from chatlift.experiments.results import Frozen, Interval
from chatlift.experiments.spec import ExperimentMetric, ExperimentSpec, MetricKind
from chatlift.experiments.sufficient import _DAY_SECONDS, _events, exposures
from chatlift.stats.moments import ArmMoments, StatisticKind

MAX_POINTS = 200  # a trend chart needs tens of instants; more is a mistake (the query grows with each)


class CumulativeLift(Frozen):
    """One treatment variant against control on one metric, as of one instant."""

    as_of: datetime = Field(description="exposures and events before this instant (UTC) count")
    metric: str
    variant: str
    control_units: int
    treatment_units: int
    relative: Interval = Field(description="(treatment − control) / |control mean|, with the experiment's interval")
    absolute: Interval = Field(description="treatment − control, in the metric's unit")
    method: str = Field(description="welch_t (fixed horizon) or sequential (always valid)")


class CumulativeResult(Frozen):
    """The lifts of an experiment's metrics at each instant, oldest first."""

    key: str
    control: str
    method: str = Field(description="welch_t or sequential")
    alpha: float
    points: list[datetime]
    metrics: list[str]
    lifts: list[CumulativeLift] = Field(description="per instant, then metric, then treatment variant")

    def series(self, metric: str, variant: str) -> list[CumulativeLift]:
        """The lifts of ``metric`` for ``variant``, one per instant."""
        return [x for x in self.lifts if x.metric == metric and x.variant == variant]


def weekly_points(first: datetime, last: datetime) -> list[datetime]:
    """Instants a week apart from ``first``'s day + 7 days while before ``last``, then just after ``last``.

    The final point includes the last exposure (its microsecond after), so the trend ends where all
    exposures count.

    >>> [p.isoformat() for p in weekly_points(datetime(2025, 3, 3, 9), datetime(2025, 3, 20, 8))]
    ['2025-03-10T00:00:00', '2025-03-17T00:00:00', '2025-03-20T08:00:00.000001']
    """
    day = datetime(first.year, first.month, first.day)
    end = last + timedelta(microseconds=1)
    points = []
    at = day + timedelta(days=7)
    while at < end:
        points.append(at)
        at += timedelta(days=7)
    return [*points, end]


def _sums_per_point(con: Any, spec: ExperimentSpec, metric: ExperimentMetric, index: int, points: Any,
                    *, with_covariate: bool) -> Any:
    """Ibis table: per (point, variant) the sums of `variant_moments` for ``metric`` as of each point."""
    units = exposures(con, spec)
    paired = units.cross_join(points).filter(lambda t: t.assigned_at < t.p)
    events = _events(con, metric, spec.unit)
    window = ibis.interval(seconds=round(spec.window_days * _DAY_SECONDS))
    pre = ibis.interval(seconds=round((spec.covariate_days or 0.0) * _DAY_SECONDS))
    on = [paired.unit_id == events.person, events.at < paired.assigned_at + window, events.at < paired.p,
          events.at >= (paired.assigned_at - pre if with_covariate else paired.assigned_at)]
    j = paired.left_join(events, on)
    during = j.at >= j.assigned_at
    before = j.at < j.assigned_at
    binary = metric.metric in (MetricKind.CONVERSION, MetricKind.GOAL)
    in_y = ibis.ifelse(during, j.y, 0.0)
    in_x = ibis.ifelse(before, j.y, 0.0)
    rows = j.group_by(["p", "unit_id", "variant"]).aggregate(
        y=(in_y.max() if binary else in_y.sum()).coalesce(0.0),
        d=ibis.ifelse(during, j.d, 0.0).sum().coalesce(0.0),
        x=(in_x.max() if binary else in_x.sum()).coalesce(0.0),
    )
    if spec.winsorize is not None and not binary and metric.metric is not MetricKind.NPS:
        # the cap is the quantile over the units counted at that point, as analyze(as_of=p) computes it
        at_point = ibis.window(group_by="p")
        rows = rows.mutate(y=ibis.least(rows.y, rows.y.quantile(spec.winsorize).over(at_point)),
                           x=ibis.least(rows.x, rows.x.quantile(spec.winsorize).over(at_point)))
    return rows.group_by(["p", "variant"]).aggregate(
        n=rows.count(), s=rows.y.sum(), ss=(rows.y * rows.y).sum(),
        ds=rows.d.sum(), dss=(rows.d * rows.d).sum(), yd=(rows.y * rows.d).sum(),
        xs=rows.x.sum(), xss=(rows.x * rows.x).sum(), yx=(rows.y * rows.x).sum(),
    ).mutate(m=ibis.literal(index, "int64"))


def _moments(row: dict[str, Any]) -> ArmMoments:
    return ArmMoments(
        n=float(row["n"]), sum=float(row["s"] or 0), sum_squares=float(row["ss"] or 0),
        denominator_sum=float(row["ds"] or 0), denominator_sum_squares=float(row["dss"] or 0),
        main_denominator_sum_product=float(row["yd"] or 0),
        covariate_sum=float(row["xs"] or 0), covariate_sum_squares=float(row["xss"] or 0),
        main_covariate_sum_product=float(row["yx"] or 0),
    )


def cumulative(con: Any, spec: ExperimentSpec, points: Sequence[datetime], *,
               metrics: Sequence[ExperimentMetric] | None = None) -> CumulativeResult:
    """The lift of each treatment variant at each of ``points`` (see the module docstring).

    Args:
        con: an Ibis backend over the canonical tables.
        spec: the experiment, with any overrides applied (``sequential`` gives always-valid intervals).
        points: instants (naive UTC), e.g. `weekly_points` between the first and the last exposure.
        metrics: which of the spec's metrics (default: the primary ones).

    Returns:
        A `CumulativeResult`; at each point every relative and absolute lift equals that of
        ``analyze(con, spec, as_of=point)`` for the same metric and variant.

    Raises:
        ExperimentError: no points, or more than `MAX_POINTS`.
    """
    chosen = tuple(metrics) if metrics is not None else spec.primary
    instants = sorted(set(points))
    if not instants or len(instants) > MAX_POINTS:
        raise ExperimentError(f"a cumulative read-out needs 1 to {MAX_POINTS} points, not {len(instants)}",
                              hint="use weekly_points(first exposure, last exposure)")
    table = ibis.memtable({"p": instants}, schema={"p": "timestamp(6)"})
    parts = []
    for index, metric in enumerate(chosen):
        use_covariate = spec.covariate_days is not None and metric.statistic is not StatisticKind.RATIO
        parts.append(_sums_per_point(con, spec, metric, index, table, with_covariate=use_covariate))
    query = parts[0] if len(parts) == 1 else ibis.union(*parts)
    found: dict[tuple[int, datetime, str], ArmMoments] = {}
    for row in query.to_pyarrow().to_pylist():  # the one round trip
        found[(int(row["m"]), row["p"], row["variant"])] = _moments(row)

    empty = ArmMoments(0, 0.0, 0.0)
    lifts: list[CumulativeLift] = []
    for at in instants:
        for index, metric in enumerate(chosen):
            use_covariate = spec.covariate_days is not None and metric.statistic is not StatisticKind.RATIO
            control = found.get((index, at, spec.control), empty)
            for variant in spec.variants[1:]:
                treated = found.get((index, at, variant.key), empty)
                fields = compare(spec, metric, variant.key, control, treated, use_covariate=use_covariate)
                lifts.append(CumulativeLift(
                    as_of=at, metric=metric.key, variant=variant.key, control_units=fields["control_units"],
                    treatment_units=fields["treatment_units"], relative=fields["relative"],
                    absolute=fields["absolute"], method=fields["method"]))
    return CumulativeResult(key=spec.key, control=spec.control, method="sequential" if spec.sequential else "welch_t",
                            alpha=spec.alpha, points=instants, metrics=[m.key for m in chosen], lifts=lifts)
