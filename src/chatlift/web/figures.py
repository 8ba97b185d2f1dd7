"""Charts as plotly figure specifications (plain dicts, embedded as JSON and drawn by plotly.js), each
with a text alternative: a one-sentence summary and the data as a table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chatlift.metrics.definitions import Unit
from chatlift.units import MISSING, value_text

PALETTE = ("#1f5fbf", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0f766e", "#a16207", "#be185d")
"""Series colours: each has at least 4.5:1 contrast on white."""


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: its plotly figure and its text alternative."""

    key: str  # the element id, unique on a page
    title: str
    figure: dict[str, Any]
    summary: str  # what the chart shows, in words
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    empty: bool = False  # nothing to draw: the page says "no data" instead


@dataclass(frozen=True, slots=True)
class Axis:
    """How values of a unit are drawn: a factor, a suffix for ticks and an axis title."""

    factor: float
    suffix: str
    title: str


def axis_for(unit: Unit, values: Sequence[float | None] = ()) -> Axis:
    """Shares and points in %, long durations in minutes, the rest as they are."""
    match unit:
        case Unit.SHARE:
            return Axis(100, " %", "%")
        case Unit.POINTS:
            return Axis(100, " pt", "percentage points")
        case Unit.SECONDS:
            largest = max((abs(v) for v in values if v is not None and not math.isnan(v)), default=0.0)
            if largest >= 3 * 3600:
                return Axis(1 / 3600, " h", "hours")
            return Axis(1 / 60, " min", "minutes") if largest >= 120 else Axis(1, " s", "seconds")
        case Unit.MONEY | Unit.SCORE | Unit.COUNT | Unit.NPS:
            return Axis(1, "", "")
        case Unit.RATIO:
            return Axis(1, "×", "ratio")


def _known(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def _scaled(values: Sequence[float | None], factor: float) -> list[float | None]:
    return [v * factor if _known(v) else None for v in values]  # type: ignore[operator]


def layout(*, height: int = 300, **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "height": height, "autosize": True, "margin": {"l": 60, "r": 16, "t": 12, "b": 56},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "size": 13, "color": "#1b1f24"},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}, "hovermode": "closest",
    }
    merged = base | extra
    for axis in ("xaxis", "yaxis"):  # room for long tick labels and the axis title, measured by plotly
        merged[axis] = {"automargin": True, **merged.get(axis, {})}
    return merged


def bars(key: str, title: str, unit: Unit, categories: Sequence[str], values: Sequence[float | None],
         lower: Sequence[float | None] | None = None, upper: Sequence[float | None] | None = None,
         *, summary: str, category_title: str = "") -> Chart:
    """One bar per category with its 95 % interval as error bars."""
    axis = axis_for(unit, values)
    shown = _scaled(values, axis.factor)
    trace: dict[str, Any] = {"type": "bar", "x": list(categories), "y": shown, "marker": {"color": PALETTE[0]},
                             "name": title, "hovertemplate": f"%{{x}}: %{{y:.3~f}}{axis.suffix}<extra></extra>"}
    if lower is not None and upper is not None:
        lo, hi = _scaled(lower, axis.factor), _scaled(upper, axis.factor)
        trace["error_y"] = {"type": "data", "symmetric": False, "color": "#57606a", "thickness": 1.5,
                            "array": [h - v if h is not None and v is not None else None for h, v in zip(hi, shown)],
                            "arrayminus": [v - w if w is not None and v is not None else None
                                           for w, v in zip(lo, shown)]}
    figure = {"data": [trace], "layout": layout(
        yaxis={"title": {"text": axis.title}, "ticksuffix": axis.suffix if axis.suffix != " pt" else "",
               "zeroline": True, "gridcolor": "#d8dee4"},
        xaxis={"title": {"text": category_title}, "type": "category"})}
    rows = tuple((c, value_text(unit, v), _interval(unit, lower, upper, i)) for i, (c, v) in
                 enumerate(zip(categories, values)))
    return Chart(key, title, figure, summary, (category_title or "group", title, "95 % interval"), rows,
                 empty=not any(_known(v) for v in values))


def grouped_bars(key: str, title: str, unit: Unit, categories: Sequence[str],
                 series: Mapping[str, tuple[Sequence[float | None], Sequence[float | None] | None,
                                            Sequence[float | None] | None]],
                 *, summary: str, category_title: str = "") -> Chart:
    """Horizontal bars side by side: one series per name (value, lower, upper per category; bounds may be
    None), each with its 95 % interval as error bars. Horizontal, so that long group names stay readable
    on a phone (rotated labels under vertical bars left the plot a sliver)."""
    every = [v for values, _, _ in series.values() for v in values]
    axis = axis_for(unit, every)
    data: list[dict[str, Any]] = []
    for i, (name, (values, lower, upper)) in enumerate(series.items()):
        shown = _scaled(values, axis.factor)
        trace: dict[str, Any] = {"type": "bar", "orientation": "h", "name": name, "y": list(categories), "x": shown,
                                 "marker": {"color": PALETTE[i % len(PALETTE)]},
                                 "hovertemplate": f"%{{y}}: %{{x:.3~f}}{axis.suffix}<extra>{name}</extra>"}
        if lower is not None and upper is not None and any(_known(v) for v in lower):
            lo, hi = _scaled(lower, axis.factor), _scaled(upper, axis.factor)
            trace["error_x"] = {
                "type": "data", "symmetric": False, "color": "#57606a", "thickness": 1.5,
                "array": [h - v if h is not None and v is not None else None for h, v in zip(hi, shown)],
                "arrayminus": [v - w if w is not None and v is not None else None for w, v in zip(lo, shown)]}
        data.append(trace)
    height = max(220, 90 + len(categories) * (14 * len(series) + 14))
    figure = {"data": data, "layout": layout(
        height=height, barmode="group", showlegend=len(series) > 1,
        xaxis={"title": {"text": axis.title}, "ticksuffix": axis.suffix if axis.suffix != " pt" else "",
               "zeroline": True, "gridcolor": "#d8dee4"},
        yaxis={"title": {"text": category_title}, "type": "category", "autorange": "reversed"})}
    names = list(series)
    rows = tuple((c, *(_cell(unit, series[n], i) for n in names)) for i, c in enumerate(categories))
    return Chart(key, title, figure, summary, (category_title or "group", *names), rows,
                 empty=not any(_known(v) for v in every))


def _cell(unit: Unit, found: tuple[Sequence[float | None], Sequence[float | None] | None,
                                   Sequence[float | None] | None], i: int) -> str:
    """A value with its interval in brackets when it has one: ``2.7 % (2.1 % – 3.5 %)``."""
    values, lower, upper = found
    span = _interval(unit, lower, upper, i)
    return value_text(unit, values[i]) + ("" if span == MISSING else f" ({span})")


def _interval(unit: Unit, lower: Sequence[float | None] | None, upper: Sequence[float | None] | None,
              i: int) -> str:
    if lower is None or upper is None or not (_known(lower[i]) and _known(upper[i])):
        return MISSING
    return f"{value_text(unit, lower[i])} – {value_text(unit, upper[i])}"


def stacked(key: str, title: str, unit: Unit, categories: Sequence[str], series: Mapping[str, Sequence[float]],
            *, summary: str, category_title: str = "") -> Chart:
    """Stacked bars: one series per name (e.g. per channel)."""
    axis = axis_for(unit)
    data = [{"type": "bar", "name": name, "x": list(categories), "y": _scaled(values, axis.factor),
             "marker": {"color": PALETTE[i % len(PALETTE)]}}
            for i, (name, values) in enumerate(series.items())]
    figure = {"data": data, "layout": layout(barmode="stack", xaxis={"title": {"text": category_title}},
                                             yaxis={"title": {"text": axis.title}, "gridcolor": "#d8dee4"})}
    names = list(series)
    rows = tuple((c, *(value_text(unit, series[n][i]) for n in names),
                  value_text(unit, sum(series[n][i] for n in names))) for i, c in enumerate(categories))
    total = sum(sum(v) for v in series.values())
    return Chart(key, title, figure, summary, (category_title or "group", *names, "total"), rows,
                 empty=total == 0)


def counts(key: str, title: str, labels: Sequence[str], values: Sequence[int], *, summary: str,
           category_title: str = "", color: str = PALETTE[0]) -> Chart:
    """A histogram drawn from counts already binned (a bar per bin)."""
    figure = {"data": [{"type": "bar", "x": list(labels), "y": list(values), "marker": {"color": color},
                        "hovertemplate": "%{x}: %{y}<extra></extra>"}],
              "layout": layout(xaxis={"title": {"text": category_title}, "type": "category"},
                               yaxis={"title": {"text": "answers" if "score" in category_title else
                                                "conversations"}, "gridcolor": "#d8dee4"}, bargap=0.08)}
    total = sum(values)
    rows = tuple((label, f"{v:,}", f"{100 * v / total:.1f} %" if total else MISSING)
                 for label, v in zip(labels, values))
    return Chart(key, title, figure, summary, (category_title or "bin", "count", "share"), rows, empty=total == 0)


def lines(key: str, title: str, unit: Unit, categories: Sequence[str],
          series: dict[str, tuple[Sequence[float | None], Sequence[float | None], Sequence[float | None]]],
          *, summary: str, category_title: str = "") -> Chart:
    """One line per series (value, lower, upper per category) with its interval as a shaded band."""
    every = [v for values, _, _ in series.values() for v in values]
    axis = axis_for(unit, every)
    data: list[dict[str, Any]] = []
    for i, (name, (values, lower, upper)) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        data.append({"type": "scatter", "mode": "lines", "x": list(categories), "y": _scaled(upper, axis.factor),
                     "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip", "connectgaps": False})
        data.append({"type": "scatter", "mode": "lines", "x": list(categories), "y": _scaled(lower, axis.factor),
                     "line": {"width": 0}, "fill": "tonexty", "fillcolor": _translucent(color), "showlegend": False,
                     "hoverinfo": "skip"})
        data.append({"type": "scatter", "mode": "lines+markers", "name": name, "x": list(categories),
                     "y": _scaled(values, axis.factor), "line": {"color": color, "width": 2},
                     "hovertemplate": f"%{{x}}: %{{y:.3~f}}{axis.suffix}<extra>{name}</extra>"})
    figure = {"data": data, "layout": layout(xaxis={"title": {"text": category_title}, "type": "category"},
                                             yaxis={"title": {"text": axis.title}, "gridcolor": "#d8dee4"},
                                             showlegend=len(series) > 1)}
    names = list(series)
    rows = tuple((c, *(value_text(unit, series[n][0][i]) for n in names)) for i, c in enumerate(categories))
    return Chart(key, title, figure, summary, (category_title or "period", *names), rows,
                 empty=not any(_known(v) for v in every))


def _translucent(color: str) -> str:
    red, green, blue = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},0.18)"


def heatmap(key: str, title: str, unit: Unit, xs: Sequence[str], ys: Sequence[str],
            cells: dict[tuple[str, str], tuple[float | None, int]], *, summary: str, x_title: str = "",
            y_title: str = "", zrange: tuple[float, float] | None = None, height: int = 320) -> Chart:
    """A grid of values (x, y) → (value, n); darker is higher. ``zrange`` (in the unit) fixes the colour
    scale, so that one large column (a cohort's month 0, always 100 %) does not wash out the others and
    several maps share one scale."""
    every = [v for v, _ in cells.values()]
    axis = axis_for(unit, every)
    z = [[_scaled([cells.get((x, y), (None, 0))[0]], axis.factor)[0] for x in xs] for y in ys]
    n = [[cells.get((x, y), (None, 0))[1] for x in xs] for y in ys]
    trace: dict[str, Any] = {
        "type": "heatmap", "x": list(xs), "y": list(ys), "z": z, "customdata": n,
        "colorscale": [[0, "#eef4fc"], [0.5, "#6f9fe0"], [1, "#0b3270"]], "hoverongaps": False,
        "colorbar": {"title": {"text": axis.title}, "ticksuffix": axis.suffix},
        "hovertemplate": f"{y_title} %{{y}}, {x_title} %{{x}}: %{{z:.3~f}}{axis.suffix} "
                         "(n = %{customdata})<extra></extra>"}
    if zrange is not None and zrange[1] > zrange[0]:
        trace |= {"zmin": zrange[0] * axis.factor, "zmax": zrange[1] * axis.factor}
    figure = {"data": [trace],
              "layout": layout(height=height, xaxis={"title": {"text": x_title}, "type": "category"},
                               yaxis={"title": {"text": y_title}, "type": "category", "autorange": "reversed"})}
    rows = tuple((y, *(value_text(unit, cells.get((x, y), (None, 0))[0]) for x in xs)) for y in ys)
    return Chart(key, title, figure, summary, (f"{y_title} \\ {x_title}", *xs), rows,
                 empty=not any(_known(v) for v in every))


def _lift_percent(value: float | None) -> str:
    return MISSING if not _known(value) else f"{100 * value:+.1f} %"  # type: ignore[operator]


def _zero_line(axis: str) -> dict[str, Any]:
    """A dashed line at 0 across the plot (``axis`` is the one the lifts are drawn on: x or y)."""
    other = "y" if axis == "x" else "x"
    return {"type": "line", f"{axis}0": 0, f"{axis}1": 0, f"{other}0": 0, f"{other}1": 1, f"{other}ref": "paper",
            f"{axis}ref": axis, "line": {"color": "#57606a", "width": 1.5, "dash": "dash"}, "layer": "below"}


def forest(key: str, title: str, labels: Sequence[str], lifts: Sequence[float | None],
           lower: Sequence[float | None], upper: Sequence[float | None], *, summary: str,
           interval_title: str = "95 % interval") -> Chart:
    """Relative lifts (fractions) as points with their intervals as horizontal bars, and a line at 0.

    A row without a lift keeps its label (the table says why) but draws nothing.
    """
    shown = _scaled(lifts, 100)
    lo, hi = _scaled(lower, 100), _scaled(upper, 100)
    names = list(labels)
    trace: dict[str, Any] = {
        "type": "scatter", "mode": "markers", "x": shown, "y": names, "name": "relative lift",
        "marker": {"color": PALETTE[0], "size": 10, "symbol": "diamond"},
        "error_x": {"type": "data", "symmetric": False, "color": PALETTE[0], "thickness": 2, "width": 6,
                    "array": [h - v if h is not None and v is not None else None for h, v in zip(hi, shown)],
                    "arrayminus": [v - w if w is not None and v is not None else None for w, v in zip(lo, shown)]},
        "hovertemplate": "%{y}: %{x:+.1f} %<extra></extra>",
    }
    figure = {"data": [trace], "layout": layout(
        height=max(180, 70 + 44 * len(names)), showlegend=False, shapes=[_zero_line("x")],
        xaxis={"title": {"text": "relative lift, %"}, "ticksuffix": " %", "zeroline": False, "gridcolor": "#d8dee4"},
        yaxis={"type": "category", "autorange": "reversed"})}
    rows = tuple((name, _lift_percent(v), f"{_lift_percent(a)} to {_lift_percent(b)}")
                 for name, v, a, b in zip(names, lifts, lower, upper))
    return Chart(key, title, figure, summary, ("metric · variant", "relative lift", interval_title), rows,
                 empty=not any(_known(v) for v in lifts))


def lift_trend(key: str, title: str, points: Sequence[str],
               series: Mapping[str, tuple[Sequence[float | None], Sequence[float | None], Sequence[float | None]]],
               *, summary: str, interval_title: str = "95 % interval") -> Chart:
    """Relative lifts (fractions) over time, one line per series with its interval as a band, and a line at 0."""
    data: list[dict[str, Any]] = []
    for i, (name, (values, lower, upper)) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        data.append({"type": "scatter", "mode": "lines", "x": list(points), "y": _scaled(upper, 100),
                     "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip"})
        data.append({"type": "scatter", "mode": "lines", "x": list(points), "y": _scaled(lower, 100),
                     "line": {"width": 0}, "fill": "tonexty", "fillcolor": _translucent(color), "showlegend": False,
                     "hoverinfo": "skip"})
        data.append({"type": "scatter", "mode": "lines+markers", "name": name, "x": list(points),
                     "y": _scaled(values, 100), "line": {"color": color, "width": 2},
                     "hovertemplate": f"%{{x}}: %{{y:+.1f}} %<extra>{name}</extra>"})
    figure = {"data": data, "layout": layout(
        shapes=[_zero_line("y")], showlegend=len(series) > 1,
        xaxis={"title": {"text": "data as of"}, "type": "date"},
        yaxis={"title": {"text": "relative lift, %"}, "ticksuffix": " %", "zeroline": False, "gridcolor": "#d8dee4"})}
    names = list(series)
    rows = tuple((p, *(f"{_lift_percent(series[n][0][i])} ({_lift_percent(series[n][1][i])} to "
                       f"{_lift_percent(series[n][2][i])})" for n in names)) for i, p in enumerate(points))
    every = [v for values, _, _ in series.values() for v in values]
    return Chart(key, title, figure, summary, ("as of", *(f"{n}: lift ({interval_title})" for n in names)), rows,
                 empty=not any(_known(v) for v in every))
