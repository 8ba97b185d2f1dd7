"""Shared helpers for the hand-worked metric tests: tiny workspaces from CSV text, report rows, and the
published interval formulas written out from their textbook definitions.

The interval helpers take the *raw observations* (not sufficient statistics) and follow the formulas
stated in the metric catalogue, so they check the engine rather than repeat it. Nothing here imports
``chatlift.metrics.intervals``. Critical values: z = Φ⁻¹(0.975) = 1.959964 (``statistics.NormalDist``),
t from ``scipy.stats.t.ppf`` (the tabulated values are quoted where they are used).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scipy import stats

from chatlift.workspace import Workspace, connect

Row = dict[str, Any]
Interval = tuple[float, float, float]  # value, lower, upper

Z = statistics.NormalDist().inv_cdf(0.975)  # 1.959964…

# Which catalogue metrics each hand-worked test file covers; test_value_metrics checks the union
# against the registry, so a new metric without a hand-worked test fails there.
SALES_KEYS = ("chat_conversion_rate", "chat_order_value", "other_order_value", "order_value_uplift",
              "chat_customer_value", "cart_abandonment", "cart_completion", "chatter_value_ratio")
SERVICE_KEYS = ("resolution_rate", "fcr_rate", "first_response_time", "resolution_time", "sla_attainment",
                "missed_rate", "questions_per_customer", "channel_mix", "proactive", "proactive_conversion_lift")
EXPERIENCE_KEYS = ("successful_chat_value", "nps", "csat", "csat_mean", "ces", "ces_easy", "cobrowse")
VALUE_KEYS = ("churn_rate", "revenue_churn", "clv")


# --- workspaces -------------------------------------------------------------------------------------


@contextmanager
def workspace(folder: Path, tables: Mapping[str, str]) -> Iterator[Workspace]:
    """A new DuckDB workspace in ``folder`` holding ``tables`` (table name → canonical CSV text).

    Every row must import: a rejected row would silently change the hand-worked numbers.
    """
    with connect(folder / "metrics.duckdb", create=True) as ws:
        for table, text in tables.items():
            path = folder / f"{table}.csv"
            path.write_text(text, encoding="utf-8")
            [result] = ws.import_files(table, [path], rejects_dir=folder)
            assert result.rejected == 0, f"{table}: {result.issues}"
            assert not result.ignored_columns, f"{table}: unknown columns {result.ignored_columns}"
        yield ws


def rows(ws: Workspace, key: str, **kwargs: Any) -> list[Row]:
    """The report rows of one metric."""
    table = ws.report([key], **kwargs)
    result: list[Row] = table.to_pylist()
    return result


def per_metric(ws: Workspace, keys: Sequence[str], **kwargs: Any) -> dict[str, Row]:
    """One report of several metrics without breakdowns (one shared scope): metric key → its row."""
    result: dict[str, Row] = {}
    for row in ws.report(list(keys), **kwargs).to_pylist():
        assert row["metric"] not in result
        result[row["metric"]] = row
    return result


def one(ws: Workspace, key: str, **kwargs: Any) -> Row:
    """The single report row of one metric without breakdowns."""
    [row] = rows(ws, key, **kwargs)
    return row


def by_group(ws: Workspace, key: str, by: Sequence[str], **kwargs: Any) -> dict[tuple[str | None, ...], Row]:
    """Report rows keyed by their breakdown values."""
    return {tuple(r[b] for b in by): r for r in rows(ws, key, by=list(by), **kwargs)}


def approx_row(row: Row, value: float | None, n: int, lower: float | None = None,
               upper: float | None = None, rel: float = 1e-9) -> None:
    """Assert a report row's value and n (and the interval when given), naming what differs."""
    assert row["n"] == n, f"{row['metric']}: n = {row['n']}, expected {n}"
    _close(row, "value", value, rel)
    if lower is not None or upper is not None:
        _close(row, "lower", lower, rel)
        _close(row, "upper", upper, rel)


def approx_interval(row: Row, expected: Interval, n: int, rel: float = 1e-9) -> None:
    approx_row(row, expected[0], n, expected[1], expected[2], rel)


def _close(row: Row, column: str, expected: float | None, rel: float) -> None:
    got = row[column]
    if expected is None:
        assert got is None, f"{row['metric']}: {column} = {got}, expected None"
        return
    assert got is not None, f"{row['metric']}: {column} is None, expected {expected}"
    assert math.isclose(got, expected, rel_tol=rel, abs_tol=1e-9), \
        f"{row['metric']}: {column} = {got!r}, expected {expected!r}"


# --- interval formulas, from their published definitions ---------------------------------------------


def t_crit(df: int) -> float:
    """Two-sided 95 % Student-t critical value t(0.975, df)."""
    return float(stats.t.ppf(0.975, df))


def wilson(successes: int, n: int) -> Interval:
    """Wilson (1927) score interval: (k + z²/2 ± z √(k(n−k)/n + z²/4)) / (n + z²)."""
    p = successes / n
    centre = (successes + Z * Z / 2) / (n + Z * Z)
    half = Z * math.sqrt(successes * (n - successes) / n + Z * Z / 4) / (n + Z * Z)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def t_mean(values: Sequence[float]) -> Interval:
    """Mean ± t(0.975, n−1) · s/√n, s the sample standard deviation."""
    n = len(values)
    m = statistics.fmean(values)
    half = t_crit(n - 1) * statistics.stdev(values) / math.sqrt(n)
    return m, m - half, m + half


def nps_interval(scores: Sequence[int]) -> Interval:
    """NPS × 100 with the t interval of the mean of promoter = +1, passive = 0, detractor = −1."""
    coded = [1.0 if s >= 9 else -1.0 if s <= 6 else 0.0 for s in scores]
    m, lower, upper = t_mean(coded)
    return 100 * m, 100 * lower, 100 * upper


def ratio_of_means(a: Sequence[float], b: Sequence[float]) -> Interval:
    """ā / b̄ with the delta method: se(R) = |R| √(s_a²/(n_a ā²) + s_b²/(n_b b̄²)), R ± z·se."""
    mean_a, mean_b = statistics.fmean(a), statistics.fmean(b)
    r = mean_a / mean_b
    se = abs(r) * math.sqrt(statistics.variance(a) / (len(a) * mean_a**2)
                            + statistics.variance(b) / (len(b) * mean_b**2))
    return r, r - Z * se, r + Z * se


def newcombe(successes_a: int, n_a: int, successes_b: int, n_b: int) -> Interval:
    """p_a − p_b with Newcombe's (1998) hybrid score interval, method 10, from the two Wilson intervals:
    d − √((p_a − l_a)² + (u_b − p_b)²) to d + √((u_a − p_a)² + (p_b − l_b)²)."""
    p_a, l_a, u_a = wilson(successes_a, n_a)
    p_b, l_b, u_b = wilson(successes_b, n_b)
    d = p_a - p_b
    return d, d - math.sqrt((p_a - l_a) ** 2 + (u_b - p_b) ** 2), d + math.sqrt((u_a - p_a) ** 2 + (p_b - l_b) ** 2)


def share_times_mean(successes: int, n: int, values: Sequence[float]) -> Interval:
    """p · m with the delta method: Var ≈ m² p(1−p)/n + p² s²/n_m (share and mean independent)."""
    p = successes / n
    m = statistics.fmean(values)
    se = math.sqrt(m * m * p * (1 - p) / n + p * p * statistics.variance(values) / len(values))
    return p * m, p * m - Z * se, p * m + Z * se


def ratio_of_totals(y: Sequence[float], x: Sequence[float]) -> Interval:
    """Σy / Σx over n units with the delta method (Cochran's ratio estimator):
    se(R) = √(Σ(y − R x)² / (n − 1) / n) / x̄."""
    n = len(y)
    r = sum(y) / sum(x)
    residual_var = sum((yi - r * xi) ** 2 for yi, xi in zip(y, x, strict=True)) / (n - 1)
    se = math.sqrt(residual_var / n) / (sum(x) / n)
    return r, r - Z * se, r + Z * se


def quantile(values: Sequence[float], q: float) -> float:
    """Hyndman & Fan type 7 (numpy's default): h = (n − 1)q + 1, x₍⌊h⌋₎ + (h − ⌊h⌋)(x₍⌊h⌋+1₎ − x₍⌊h⌋₎)."""
    xs = sorted(values)
    h = (len(xs) - 1) * q + 1
    low = math.floor(h)
    above = xs[low] if low < len(xs) else xs[low - 1]
    return xs[low - 1] + (h - low) * (above - xs[low - 1])


def order_statistic_ranks(n: int, q: float) -> tuple[int, int]:
    """Ranks of the distribution-free interval of a quantile (Campbell & Gardner): nq − z√(nq(1−q)) and
    1 + nq + z√(nq(1−q)), each rounded to the nearest rank and kept within 1…n."""
    spread = Z * math.sqrt(n * q * (1 - q))
    low = math.floor(n * q - spread + 0.5)
    high = math.floor(1 + n * q + spread + 0.5)
    return max(1, low), min(n, high)


def quantile_interval(values: Sequence[float], q: float) -> Interval:
    xs = sorted(values)
    low, high = order_statistic_ranks(len(xs), q)
    return quantile(xs, q), xs[low - 1], xs[high - 1]
