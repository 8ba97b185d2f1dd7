"""The value page, ``/value``: what support is worth — churn and revenue retention, monthly retention
cohorts, customer lifetime value, ROI — each split by chatters vs. others and by CSAT band.

Every figure comes from the library (`Workspace.churn`, `retention_cohorts`, `clv`, `roi`; see
docs/value.md); this module only picks the options and formats. The period and time zone are the
filter bar's; the bar's channel is the support channel (who counts as a chatter, what is costed; chat
when none is chosen). Options of this page, in the query string so a view can be shared:

* ``basis=subscriptions|orders`` (default: subscriptions when the data has any) and ``inactivity=90``
  (days without an order after which a shop's customer is lost; orders basis only);
* ``cohort_basis=orders|subscriptions``: a cohort is the month of the first order (default when the data
  has orders: it shows who comes back) or of the first subscription start;
* ``months=6``: the monthly churn trend and the cohorts cover the period, extended back to this many
  months before its end when shorter (one month tells no trend), from the 1st of the month;
* ``calibration_end=YYYY-MM-DD`` (default: the period's end) and ``horizon=52`` (weeks) for CLV; a
  calibration end inside the period makes the rest of the period a holdout check;
* ``experiment=KEY|none``: the experiment whose incremental revenue is the causal ROI (default: the
  first known experiment with a revenue metric).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from chatlift.errors import ParameterError, close_matches
from chatlift.experiments import ExperimentSpec, MetricKind
from chatlift.metrics.definitions import Unit
from chatlift.value import ChurnGroup, ClvGroup, CohortResult, Estimate, RoiResult
from chatlift.value.churn import add_months
from chatlift.web import figures
from chatlift.web.figures import Chart
from chatlift.web.view import View
from chatlift.workspace import Workspace

MISSING = "–"
BASES = ("subscriptions", "orders")
HISTORY_MONTHS = (3, 6, 12, 24)  # the choices the form offers for ``months``
DEFAULT_MONTHS = 6  # six monthly churn queries and a 6 × 6 cohort table: ≈ 2 s on the small demo
DEFAULT_INACTIVITY = 90.0  # the library's default (docs/value.md)
DEFAULT_HORIZON = 52.0  # weeks: a year ahead
TREND_GROUPS = (("all", "all"), ("chatted", "yes"), ("chatted", "no"))

GROUP_LABELS = {
    ("all", "all"): "All customers", ("chatted", "yes"): "Chatted", ("chatted", "no"): "Did not chat",
    ("csat_band", "detractor"): "CSAT detractor (1–2)", ("csat_band", "neutral"): "CSAT neutral (3)",
    ("csat_band", "satisfied"): "CSAT satisfied (4–5)", ("csat_band", "none"): "No CSAT answer",
}


def group_label(split: str, group: str) -> str:
    """How a group is named on the page: ``("chatted", "no")`` → ``Did not chat``."""
    return GROUP_LABELS.get((split, group), f"Segment {group}" if split == "segment" else f"{split} {group}")


# -- formatting: one place, so the page's tables and charts agree ----------------------------------------------

def share_text(value: float | None) -> str:
    """A fraction in %: 0.02709 → ``2.7 %``."""
    return MISSING if value is None else f"{100 * value:.1f} %"


def money_text(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.2f}"


def span_text(estimate: Estimate | None, text: Any = share_text) -> str:
    """An estimate's interval, ``2.1 % – 3.5 %``; ``–`` when the data cannot give one."""
    if estimate is None or estimate.lower is None or estimate.upper is None:
        return MISSING
    return f"{text(estimate.lower)} – {text(estimate.upper)}"


def roi_text(value: float | None) -> str:
    """ROI as a signed percentage: 0.0145 → ``+1.4 %``."""
    return MISSING if value is None else f"{100 * value:+.1f} %"


def parameter_text(value: float | None) -> str:
    """A fitted parameter to four significant digits."""
    return MISSING if value is None else f"{value:.4g}"


def _value(estimate: Estimate | None) -> float | None:
    return None if estimate is None else estimate.value


def _bounds(estimates: Sequence[Estimate | None]) -> tuple[list[float | None], list[float | None],
                                                           list[float | None]]:
    return ([_value(e) for e in estimates], [e.lower if e else None for e in estimates],
            [e.upper if e else None for e in estimates])


# -- options -------------------------------------------------------------------------------------------------

def _number(query: Mapping[str, str], name: str, default: float, *, unit: str) -> float:
    text = (query.get(name) or "").strip()
    if not text:
        return default
    try:
        found = float(text)
    except ValueError:
        raise ParameterError(f"{name} = {text!r} is not a number", hint=f"give {name} in {unit}, e.g. "
                                                                         f"{name}={default:g}") from None
    if not found > 0:
        raise ParameterError(f"{name} = {text!r} must be positive", hint=f"e.g. {name}={default:g}")
    return found


def _choice(query: Mapping[str, str], name: str, default: str) -> str:
    text = (query.get(name) or "").strip().lower() or default
    if text not in BASES:
        raise ParameterError(f"{name} = {query[name]!r} is not a basis",
                             hint=close_matches(text, BASES) or "use subscriptions or orders")
    return text


@dataclass(frozen=True, slots=True)
class ValueOptions:
    """The reader's choices for the value page (see the module docstring)."""

    basis: str
    cohort_basis: str
    inactivity_days: float = DEFAULT_INACTIVITY
    months: int = DEFAULT_MONTHS
    calibration_end: date | None = None  # None: the period's end
    horizon: float = DEFAULT_HORIZON
    experiment: str | None = None  # None: the first experiment with a revenue metric; "none": no experiment

    @classmethod
    def from_query(cls, query: Mapping[str, str], *, has_subscriptions: bool, has_orders: bool) -> ValueOptions:
        basis = _choice(query, "basis", "subscriptions" if has_subscriptions else "orders")
        cohort_basis = _choice(query, "cohort_basis", "orders" if has_orders or not has_subscriptions else
                               "subscriptions")
        months = _number(query, "months", DEFAULT_MONTHS, unit="months")
        if months != int(months) or months > 120:
            raise ParameterError(f"months = {query['months']!r} must be a whole number of months up to 120",
                                 hint="e.g. months=12")
        text = (query.get("calibration_end") or "").strip()
        try:
            calibration_end = date.fromisoformat(text) if text else None
        except ValueError:
            raise ParameterError(f"calibration_end = {text!r} is not a date", hint="write dates as YYYY-MM-DD") \
                from None
        return cls(basis=basis, cohort_basis=cohort_basis, inactivity_days=_number(query, "inactivity", DEFAULT_INACTIVITY, unit="days"),
                   months=int(months), calibration_end=calibration_end,
                   horizon=_number(query, "horizon", DEFAULT_HORIZON, unit="weeks"),
                   experiment=(query.get("experiment") or "").strip() or None)

    def history_start(self, view: View) -> date:
        """Where the trend and the cohorts start: the 1st of the month ``months`` before the period's end, or of
        the period's first month when the period is longer."""
        first = min(view.start, add_months(view.end, -self.months))
        return first.replace(day=1)


def revenue_experiments(ws: Workspace, declared: Mapping[str, ExperimentSpec] | None) -> list[str]:
    """Known experiments (declared, or the demo's) with a revenue metric: those that can value support causally."""
    found = []
    for summary in ws.experiments(declared):
        if not summary.declared:
            continue
        spec = ws.experiment(summary.key, declared)
        if any(m.metric is MetricKind.REVENUE for m in (*spec.primary, *spec.secondary)):
            found.append(summary.key)
    return found


# -- sections ------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ChurnRow:
    """One group's churn as the table shows it."""

    group: ChurnGroup
    label: str
    churn: str
    churn_interval: str
    revenue_churn: str
    revenue_churn_interval: str
    gross_retention: str
    gross_retention_interval: str
    net_retention: str
    net_retention_interval: str

    @classmethod
    def of(cls, g: ChurnGroup) -> ChurnRow:
        return cls(g, group_label(g.split, g.group), share_text(g.churn_rate.value), span_text(g.churn_rate),
                   share_text(_value(g.revenue_churn)), span_text(g.revenue_churn),
                   share_text(_value(g.gross_revenue_retention)), span_text(g.gross_revenue_retention),
                   share_text(_value(g.net_revenue_retention)), span_text(g.net_revenue_retention))


def _period_label(start: date, end: date) -> str:
    """``2025-07`` for a whole calendar month, else the dates (``2025-12-01 to 2025-12-19``)."""
    if start.day == 1 and end == add_months(start, 1):
        return start.strftime("%Y-%m")
    return f"{start.isoformat()} to {add_days(end, -1).isoformat()}"


def add_days(day: date, days: int) -> date:
    return date.fromordinal(day.toordinal() + days)


def churn_section(ws: Workspace, view: View, options: ValueOptions, channel: str) -> dict[str, Any]:
    """Churn (and MRR retention) of the period per group, and churn per month over the history window."""
    result = ws.churn(view.start, view.end, basis=options.basis, timezone=view.timezone,
                      inactivity_days=options.inactivity_days, channel=channel)
    (period,) = result.periods
    groups = period.groups
    labels = [group_label(g.split, g.group) for g in groups]
    mrr = options.basis == "subscriptions"
    series = {"Customer churn": _bounds([g.churn_rate for g in groups])}
    if mrr:
        series["Revenue churn (MRR)"] = _bounds([g.revenue_churn for g in groups])
    charts = [figures.grouped_bars(
        "churn-by-group", "Churn by group", Unit.SHARE, labels, series, category_title="",
        summary="Share of the customers active at the period's start who were lost by its end"
                + (", and the share of their MRR lost with them," if mrr else ",")
                + " for all customers, chatters and others, and each CSAT band, with 95 % intervals.")]
    if mrr:
        charts.append(figures.grouped_bars(
            "retention-by-group", "Revenue retention by group", Unit.SHARE, labels,
            {"Gross revenue retention": _bounds([g.gross_revenue_retention for g in groups]),
             "Net revenue retention": _bounds([g.net_revenue_retention for g in groups])},
            category_title="",
            summary="MRR kept at the period's end from the customers active at its start: gross counts churn and "
                    "contraction, net also counts expansion (new customers are in neither), with 95 % intervals."))
    trend = ws.churn(options.history_start(view), view.end, basis=options.basis, every="month",
                     timezone=view.timezone, inactivity_days=options.inactivity_days, channel=channel)
    months = [_period_label(p.start, p.end) for p in trend.periods]
    lines: dict[str, tuple[Sequence[float | None], Sequence[float | None], Sequence[float | None]]] = {}
    for split, group in TREND_GROUPS:
        found = [next((g.churn_rate for g in p.groups if (g.split, g.group) == (split, group)), None)
                 for p in trend.periods]
        lines[group_label(split, group)] = _bounds(found)
    charts.append(figures.lines(
        "churn-trend", "Customer churn per month: chatted vs. did not chat", Unit.SHARE, months, lines,
        category_title="month",
        summary="Customer churn of each month (customers active at the month's start and lost by its end), for all "
                "customers, those who had chatted by the month's end and those who had not, with 95 % intervals "
                "(shaded). A last month cut short by the period covers fewer days."))
    return {"churn": result, "churn_rows": [ChurnRow.of(g) for g in groups], "churn_charts": charts,
            "churn_trend": trend, "mrr": mrr}


def _cohort_chart(result: CohortResult, split: str, group: str, key: str, title: str,
                  zrange: tuple[float, float] | None) -> Chart:
    rows = sorted((r for r in result.rows if (r.split, r.group) == (split, group)), key=lambda r: r.cohort)
    xs = [str(k) for k in range(result.months)]
    cells = {(str(k), r.cohort): (share.value if share else None, kept or 0)
             for r in rows for k, (share, kept) in enumerate(zip(r.share, r.retained))}
    sizes = ", ".join(f"{r.cohort}: {r.size:,}" for r in rows)
    return figures.heatmap(
        key, title, Unit.SHARE, xs, [r.cohort for r in rows], cells, x_title="months since start",
        y_title="cohort", zrange=zrange, height=max(220, 120 + 28 * len(rows)),
        summary=f"Each row is the customers who started in that month ({sizes or 'none'}); each column the share "
                "of them active k months later. Month 0 is 100 % by definition; empty cells are months not yet "
                "fully observed. Darker is more retained; the colour scale spans months 1 and later.")


def cohort_section(ws: Workspace, view: View, options: ValueOptions, channel: str) -> dict[str, Any]:
    """Monthly retention cohorts over the history window: all customers, chatters and others."""
    result = ws.retention_cohorts(options.history_start(view), view.end, basis=options.cohort_basis,
                                  timezone=view.timezone, channel=channel)
    shown = [r for r in result.rows if (r.split, r.group) in TREND_GROUPS]
    later = [s.value for r in shown for s in r.share[1:] if s is not None and s.value is not None]
    # one colour scale for the three maps, so that they compare; spanning months 1 … only (month 0 is 100 %)
    zrange = (min(later), max(later)) if later else None
    charts = [_cohort_chart(result, split, group, f"cohorts-{group if split == 'chatted' else 'all'}",
                            f"Retention cohorts: {group_label(split, group).lower()}", zrange)
              for split, group in TREND_GROUPS]
    return {"cohorts": result, "cohort_charts": charts}


@dataclass(frozen=True, slots=True)
class ClvRow:
    group: ClvGroup
    label: str
    historical: str
    purchases: str
    alive: str
    order_value: str
    predicted: str

    @classmethod
    def of(cls, g: ClvGroup) -> ClvRow:
        return cls(g, group_label(g.split, g.group), money_text(g.historical_value), f"{g.predicted_purchases:.2f}",
                   share_text(g.probability_alive), money_text(g.expected_order_value), money_text(g.predicted_value))


def clv_section(ws: Workspace, view: View, options: ValueOptions, channel: str) -> dict[str, Any]:
    """CLV fitted on purchases before the calibration end; a fit the data cannot support is shown, not raised."""
    end = options.calibration_end or view.end
    holdout_end = view.end if end < view.end else None
    try:
        result = ws.clv(end, horizon=options.horizon, holdout_end=holdout_end, channel=channel)
    except ParameterError as failure:
        return {"clv": None, "clv_error": failure, "calibration_end": end}
    groups = result.groups
    horizon = f"{result.horizon:g} {result.unit}s"
    chart = figures.grouped_bars(
        "clv-by-group", "Customer value by group", Unit.MONEY, [group_label(g.split, g.group) for g in groups],
        {"Historical value": ([g.historical_value for g in groups], None, None),
         f"Predicted value, next {horizon}": ([g.predicted_value for g in groups], None, None)},
        category_title="",
        summary=f"Mean value per customer: orders up to {end.isoformat()} (historical) and BG/NBD × Gamma-Gamma "
                f"predicted value over the next {horizon}, for all customers, chatters and others, CSAT bands "
                "and segments. Model predictions: no interval.")
    return {"clv": result, "clv_error": None, "clv_rows": [ClvRow.of(g) for g in groups], "clv_chart": chart,
            "calibration_end": end, "horizon_text": horizon}


def roi_section(ws: Workspace, view: View, options: ValueOptions, channel: str,
                declared: Mapping[str, ExperimentSpec] | None) -> dict[str, Any]:
    """Cost against chat-attributed revenue (correlational) and an experiment's incremental revenue (causal)."""
    candidates = revenue_experiments(ws, declared)
    if options.experiment is None:
        key = candidates[0] if candidates else None
    else:
        key = None if options.experiment.lower() == "none" else options.experiment
    result: RoiResult = ws.roi(view.start, view.end, timezone=view.timezone, channel=channel, experiment=key,
                               definitions=declared)
    names = ["Support cost"] + [("Incremental revenue (causal)" if v.causal else
                                 "Chat-attributed revenue (correlational)") for v in result.values]
    estimates = [Estimate(value=result.cost, lower=None, upper=None, method="none")] + [v.value for v in result.values]
    chart = figures.grouped_bars(
        "roi-values", "Support cost against the value credited to it", Unit.MONEY, names,
        {"amount": _bounds(estimates)}, category_title="",
        summary="The period's support cost, the revenue of orders attributed to a chat (correlational: these "
                "customers might have bought anyway)" + (", and the experiment's incremental revenue (causal), "
                                                         "with its 95 % interval." if key else "."))
    return {"roi": result, "roi_chart": chart, "experiment": key, "experiments": candidates}


def build(ws: Workspace, view: View, query: Mapping[str, str],
          declared: Mapping[str, ExperimentSpec] | None) -> dict[str, Any]:
    """The value page's context for ``view`` and the page's own options in ``query``."""
    counts = ws.row_counts()
    options = ValueOptions.from_query(query, has_subscriptions=counts.get("subscriptions", 0) > 0,
                                      has_orders=counts.get("orders", 0) > 0)
    channel = view.channel or "chat"
    content: dict[str, Any] = {
        "opts": options, "support_channel": channel, "history_start": options.history_start(view),
        "ignored": [name for name in ("team", "segment") if getattr(view, name)],
        "money_text": money_text, "span_text": span_text, "roi_text": roi_text, "parameter_text": parameter_text}
    content |= churn_section(ws, view, options, channel)
    content |= cohort_section(ws, view, options, channel)
    content |= clv_section(ws, view, options, channel)
    content |= roi_section(ws, view, options, channel, declared)
    charts = [*content["churn_charts"], *content["cohort_charts"]]
    if content.get("clv_chart"):
        charts.append(content["clv_chart"])
    content["charts"] = [*charts, content["roi_chart"]]  # base.html loads plotly when there are charts
    return content


__all__ = ["ValueOptions", "build", "group_label", "revenue_experiments"]
