"""The content of each dashboard page: which metrics it reports, which charts it draws.

Each builder takes the workspace (already borrowed, see `Service.workspace`), the view and the
business-hours calendars, and returns the template's context. Everything comes from
`chatlift.reporting` (the metric registry) and `lookups`; nothing here computes a metric.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chatlift.drilldown import drillable
from chatlift.metrics import REGISTRY
from chatlift.metrics.definitions import Unit
from chatlift.metrics.scope import WEEKDAYS
from chatlift.web import figures, lookups
from chatlift.web.figures import Chart
from chatlift.web.view import Figure, Report, View, run
from chatlift.workspace import Workspace

OVERVIEW = ("chat_conversion_rate", "chat_customer_value", "order_value_uplift", "first_response_time",
            "resolution_rate", "sla_attainment", "csat", "nps")
LIVE = ("first_response_time", "sla_attainment", "missed_rate", "csat")
SALES = ("chat_conversion_rate", "chat_order_value", "other_order_value", "order_value_uplift",
         "chat_customer_value", "chatter_value_ratio", "cart_abandonment", "cart_completion")
SALES_BY_CHANNEL = ("chat_conversion_rate", "chat_order_value", "chat_customer_value")
CARTS = ("cart_abandonment", "cart_completion")
SERVICE = ("first_response_time", "resolution_time", "sla_attainment", "missed_rate", "resolution_rate", "fcr_rate")
CHANNELS = ("channel_mix", "resolution_rate", "fcr_rate", "first_response_time", "resolution_time",
            "sla_attainment", "missed_rate", "csat", "ces_easy", "chat_conversion_rate", "chat_customer_value")
PEOPLE = ("resolution_rate", "first_response_time", "sla_attainment", "missed_rate", "csat", "chat_conversion_rate")
EXPERIENCE = ("nps", "csat", "csat_mean", "ces", "ces_easy", "cobrowse")
TRENDS = ("nps", "csat", "ces")


def notes(keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """(label, caveat) of each metric shown that has a caveat, e.g. correlational."""
    return [(REGISTRY[k].label, REGISTRY[k].note) for k in keys if REGISTRY[k].note]


def today(view: View) -> date:
    return datetime.now(ZoneInfo(view.timezone)).date()


def live(ws: Workspace, view: View, business_hours: Any) -> dict[str, Any]:
    """Today's figures (the current local date in the view's time zone) under the view's filters: the
    overview's live panel, and its JSON twin ``/live.json`` that the panel polls."""
    day = today(view)
    report = run(ws, view.request(LIVE, start=day, end=day + timedelta(days=1)), business_hours)
    mix = run(ws, view.request(["channel_mix"], by=["channel"], start=day, end=day + timedelta(days=1)),
              business_hours)
    # channel_mix is a share of the day's conversations: value × n is the channel's count
    per_channel = {str(r["channel"]): round(r["value"] * r["n"]) for r in mix.metric_rows("channel_mix")
                   if r["value"] is not None}
    return {"day": day, "figures": [report.figure(k) for k in LIVE], "conversations": sum(per_channel.values()),
            "per_channel": per_channel}


def live_document(found: dict[str, Any]) -> dict[str, Any]:
    """`live` as JSON: raw numbers and the text the panel shows."""
    return {"day": found["day"].isoformat(), "conversations": found["conversations"],
            "per_channel": found["per_channel"],
            "figures": [{"metric": f.metric.key, "label": f.metric.label, "unit": f.metric.unit.value, "value": f.value,
                         "text": f.text, "n": f.n, "skipped": f.skipped} for f in found["figures"]]}


def overview(ws: Workspace, view: View, business_hours: Any) -> dict[str, Any]:
    report = run(ws, view.request(OVERVIEW, compare=True), business_hours)
    rows = lookups.conversation_rows(ws, view, business_hours)
    unit = lookups.grain(view)
    buckets, series = lookups.revenue_by_channel(rows, view, unit)
    total = sum(sum(v) for v in series.values())
    revenue = figures.stacked(
        "revenue-trend", f"Attributed revenue by {unit} and channel", Unit.MONEY, buckets, series,
        category_title=unit,
        summary=f"Revenue of orders attributed to conversations that started in each {unit}, stacked by the "
                f"conversation's channel: {total:,.2f} in all. An order preceded by conversations on two channels "
                "counts once for each channel.")
    return {"cards": [report.figure(k) for k in OVERVIEW], "charts": [revenue], "notes": notes(OVERVIEW),
            "previous": report.request.previous, "live": live(ws, view, business_hours)}


def _by_group(report: Report, key: str, name: str) -> tuple[list[str], list[Figure]]:
    groups = report.groups(name)
    return groups, [report.figure(key, **{name: g}) for g in groups]


def group_bars(report: Report, key: str, name: str, *, chart_key: str, summary: str) -> Chart:
    """A bar per group of breakdown ``name`` for metric ``key``, with intervals."""
    groups, found = _by_group(report, key, name)
    metric = REGISTRY[key]
    return figures.bars(chart_key, f"{metric.label} by {name}", metric.unit, groups, [f.value for f in found],
                        [f.row.get("lower") if f.row else None for f in found],
                        [f.row.get("upper") if f.row else None for f in found],
                        summary=summary, category_title=name)


def sales(ws: Workspace, view: View, business_hours: Any) -> dict[str, Any]:
    report = run(ws, view.request(SALES, compare=True), business_hours)
    by_channel = run(ws, view.request(SALES_BY_CHANNEL, by=["channel"]), business_hours)
    carts = run(ws, view.request(CARTS, by=["chatted"]), business_hours)
    chat, other = report.figure("chat_order_value"), report.figure("other_order_value")
    order_value = figures.bars(
        "order-value", "Order value: after a chat vs. without", Unit.MONEY, ["after a chat", "without a chat"],
        [chat.value, other.value], [chat.row.get("lower") if chat.row else None,
                                    other.row.get("lower") if other.row else None],
        [chat.row.get("upper") if chat.row else None, other.row.get("upper") if other.row else None],
        summary=f"Mean order amount of orders attributed to a chat ({chat.text}, n = {chat.n:,}) and of other "
                f"orders ({other.text}, n = {other.n:,}), with 95 % intervals.", category_title="orders")
    customer = group_bars(by_channel, "chat_customer_value", "channel", chart_key="customer-value",
                          summary="Conversion rate × order value of each channel's conversations: the order value "
                                  "one conversation brings, with 95 % intervals.")
    abandonment = group_bars(carts, "cart_abandonment", "chatted", chart_key="cart-abandonment",
                             summary="Share of carts abandoned by people who chatted in the period (yes) and by "
                                     "people who did not (no), with 95 % intervals.")
    channels = by_channel.groups("channel")
    table = [(REGISTRY[k], [by_channel.figure(k, channel=c) for c in channels]) for k in SALES_BY_CHANNEL]
    return {"cards": [report.figure(k) for k in SALES], "charts": [order_value, customer, abandonment],
            "notes": notes(SALES), "channels": channels, "table": table, "previous": report.request.previous}


def service(ws: Workspace, view: View, business_hours: Any) -> dict[str, Any]:
    report = run(ws, view.request(SERVICE, compare=True), business_hours)
    rows = lookups.conversation_rows(ws, view, business_hours)
    first = lookups.duration_counts(rows.column("first_response_seconds").to_pylist())
    resolution = lookups.duration_counts(rows.column("resolution_seconds").to_pylist())
    charts = [
        figures.counts("first-response-histogram", "First response time: distribution", [b for b, _ in first],
                       [n for _, n in first], category_title="first response time",
                       summary=f"Conversations by time to the first agent reply ({sum(n for _, n in first):,} "
                               "conversations with a reply)."),
        figures.counts("resolution-histogram", "Resolution time: distribution", [b for b, _ in resolution],
                       [n for _, n in resolution], category_title="resolution time", color=figures.PALETTE[2],
                       summary=f"Resolved conversations by time from start to resolution "
                               f"({sum(n for _, n in resolution):,} conversations)."),
    ]
    by_time = run(ws, view.request(["first_response_time"], by=["hour", "weekday"]), business_hours)
    cells = {(str(r["hour"]), str(r["weekday"])): (r["value"], int(r["n"] or 0))
             for r in by_time.metric_rows("first_response_time")}
    hours = [f"{h:02d}" for h in range(24)]
    charts.append(figures.heatmap(
        "hour-weekday", "First response time by hour and weekday", Unit.SECONDS, hours, list(WEEKDAYS), cells,
        x_title="hour", y_title="weekday",
        summary="Mean first response time of conversations started in each hour of each weekday (local time); "
                "darker is slower. Empty cells had no conversation with a reply."))
    by_channel = run(ws, view.request(["sla_attainment", "missed_rate"], by=["channel"]), business_hours)
    charts.append(group_bars(by_channel, "sla_attainment", "channel", chart_key="sla-by-channel",
                             summary="Share of conversations answered within the SLA target, per channel."))
    charts.append(group_bars(by_channel, "missed_rate", "channel", chart_key="missed-by-channel",
                             summary="Share of conversations with a customer message and no agent reply."))
    return {"cards": [report.figure(k) for k in SERVICE], "charts": charts, "notes": notes(SERVICE),
            "previous": report.request.previous}


def channels(ws: Workspace, view: View, business_hours: Any) -> dict[str, Any]:
    report = run(ws, view.request(CHANNELS, by=["channel"]), business_hours)
    names = report.groups("channel")
    table = [(REGISTRY[k], [report.figure(k, channel=c) for c in names], report.skipped.get(k)) for k in CHANNELS]
    charts = [group_bars(report, k, "channel", chart_key=f"{k}-by-channel",
                         summary=f"{REGISTRY[k].label} of each channel, with 95 % intervals.")
              for k in ("channel_mix", "csat", "first_response_time", "resolution_rate")]
    return {"channels": names, "table": table, "charts": charts, "notes": notes(CHANNELS),
            "drillable": {k for k in CHANNELS if drillable(ws, k)}}


def people(ws: Workspace, view: View, business_hours: Any) -> dict[str, Any]:
    tables = []
    for name, title in (("agent", "Agents"), ("team", "Teams")):
        report = run(ws, view.request(PEOPLE, by=[name]), business_hours)
        groups = sorted(report.groups(name))
        tables.append({"name": name, "title": title, "metrics": [REGISTRY[k] for k in PEOPLE],
                       "rows": [(g, [report.figure(k, **{name: g}) for k in PEOPLE]) for g in groups]})
    return {"tables": tables, "notes": notes(PEOPLE), "drillable": {k for k in PEOPLE if drillable(ws, k)}}


def experience_grain(view: View) -> str:
    """Survey scores are few per day: weekly up to half a year, else monthly (daily for two weeks)."""
    if view.days <= 14:
        return "day"
    return "week" if view.days <= 190 else "month"


def experience(ws: Workspace, view: View, business_hours: Any) -> dict[str, Any]:
    report = run(ws, view.request(EXPERIENCE, compare=True), business_hours)
    unit = experience_grain(view)
    trend = run(ws, view.request(TRENDS, by=[unit]), business_hours)
    charts = []
    for key in TRENDS:
        metric = REGISTRY[key]
        rows = trend.metric_rows(key)
        buckets = [str(r[unit]) for r in rows]
        charts.append(figures.lines(
            f"{key}-trend", f"{metric.label} by {unit}", metric.unit, buckets,
            {metric.label: ([r["value"] for r in rows], [r["lower"] for r in rows], [r["upper"] for r in rows])},
            category_title=unit,
            summary=trend.skipped.get(key) or f"{metric.label} per {unit} with its 95 % interval (shaded)."))
    scores = lookups.score_counts(ws, view)
    for survey, label in (("csat", "CSAT answers (1–5)"), ("ces", "CES answers (1–7)"), ("nps", "NPS answers (0–10)")):
        values = scores[survey]
        charts.append(figures.counts(f"{survey}-scores", label, [str(s) for s in values], list(values.values()),
                                     category_title="score", color=figures.PALETTE[3],
                                     summary=f"How many answers gave each score ({sum(values.values()):,} answers)."))
    return {"cards": [report.figure(k) for k in EXPERIENCE], "charts": charts, "notes": notes(EXPERIENCE),
            "comments": lookups.comments(ws, view), "previous": report.request.previous}
