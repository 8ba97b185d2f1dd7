"""Ibis building blocks the metric definitions share: grouping, durations, means, shares, quantiles."""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from chatlift.metrics.intervals import z_value

QUANTILES = {"median": 0.5, "p90": 0.9}


def grouped(table: ir.Table, by: Sequence[str], **stats: ir.Scalar) -> ir.Table:
    """``table`` aggregated to ``stats`` per ``by`` group (one row when ``by`` is empty)."""
    return table.group_by(list(by)).aggregate(**stats) if by else table.aggregate(**stats)


def only_channel(table: ir.Table, by: Sequence[str], channel: str) -> ir.Table:
    """``table`` restricted to ``channel``, unless the report breaks down by channel: then every channel is
    measured the same way (the rule of the metrics with a ``channel`` parameter)."""
    return table if "channel" in by else table.filter(table.channel == channel)


def seconds(later: ir.TimestampValue, earlier: ir.TimestampValue) -> ir.FloatingValue:
    """``later − earlier`` in seconds, to the microsecond (epoch seconds are whole on some engines)."""
    return later.delta(earlier, unit="microsecond").cast("float64") / 1e6


def share(table: ir.Table, by: Sequence[str], success: ir.BooleanValue) -> ir.Table:
    """Statistics of a share: ``successes`` and ``n`` rows."""
    return grouped(table, by, successes=success.cast("int64").sum(), n=table.count())


def mean(table: ir.Table, by: Sequence[str], value: ir.NumericValue, suffix: str = "") -> dict[str, ir.Scalar]:
    """Sufficient statistics of a mean of ``value`` (non-null rows): n, total, total of squares."""
    v = value.cast("float64")
    return {f"n{suffix}": v.count(), f"total{suffix}": v.sum(), f"total_sq{suffix}": (v * v).sum()}


def summary(table: ir.Table, by: Sequence[str], value: ir.NumericValue, statistic: str) -> ir.Table:
    """Statistics of ``value`` for the mean (n, sums) or a quantile (value and interval bounds, n).

    The quantile is the linear interpolation between order statistics used by numpy and pandas
    (their default, "type 7"): h = (n − 1)q + 1, the value at rank ⌊h⌋ plus (h − ⌊h⌋) times the step to
    rank ⌈h⌉. Its 95 % interval runs between the order statistics at ranks nq − z√(nq(1−q)) and
    1 + nq + z√(nq(1−q)), each rounded to the nearest rank and kept within 1…n: a distribution-free
    interval from the binomial count of values below the quantile (normal approximation; Campbell &
    Gardner's rule for the median). Rows where ``value`` is null are left out.
    """
    if statistic == "mean":  # no new column: aggregations of the same rows can then be computed together
        v = value.cast("float64")
        kept = table.filter(v.notnull())
        return grouped(kept, by, **mean(kept, by, v))
    t = table.mutate(__v=value.cast("float64"))
    t = t.filter(t.__v.notnull())
    q = QUANTILES[statistic]
    z = z_value()
    window = ibis.window(group_by=list(by), order_by=t.__v) if by else ibis.window(order_by=t.__v)
    count_window = ibis.window(group_by=list(by)) if by else ibis.window()
    t = t.mutate(__rank=ibis.row_number().over(window) + 1, __n=t.__v.count().over(count_window))
    n = t.__n.cast("float64")
    h = (n - 1) * q + 1
    spread = z * (n * q * (1 - q)).sqrt()
    low_rank = ibis.greatest((n * q - spread + 0.5).floor(), 1)
    high_rank = ibis.least((n * q + spread + 1.5).floor(), n)
    t = t.mutate(__h=h, __low=h.floor(), __lr=low_rank, __hr=high_rank)
    at = t.__rank.cast("float64")
    stats = grouped(
        t, by,
        n=t.count(),
        __below=t.__v.max(where=at == t.__low),
        __above=t.__v.min(where=at == t.__low + 1),
        __frac=(t.__h - t.__low).max(),
        lower=t.__v.max(where=at == t.__lr),
        upper=t.__v.max(where=at == t.__hr),
    )
    value_expr = stats.__below + stats.__frac * (stats.__above.coalesce(stats.__below) - stats.__below)
    return stats.mutate(value=value_expr).drop("__below", "__above", "__frac")
