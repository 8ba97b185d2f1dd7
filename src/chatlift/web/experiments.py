"""The experiment pages: ``/experiments`` (every experiment, its units and SRM status) and
``/experiments/{key}`` (the read-out of one: lifts with intervals, verdict, notes, cumulative lift).

Everything shown comes from the library's read-out (`Workspace.analyze`, the document behind
``/v1/experiments/{key}/analysis``) and `chatlift.experiments.cumulative`; this module only picks
and formats. The reading options live in the query string so a view can be shared:
``sequential=1|0``, ``bayesian=1|0``, ``correction=holm|bh|none`` (absent: as declared).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from chatlift.api.security import service
from chatlift.errors import ExperimentError, ParameterError, close_matches
from chatlift.experiments import (
    Comparison,
    CumulativeResult,
    ExperimentResult,
    ExperimentSpec,
    cumulative,
    srm_check,
    weekly_points,
)
from chatlift.web import figures
from chatlift.web.figures import Chart
from chatlift.workspace import Workspace

CORRECTIONS = {"holm": "Holm", "bh": "Benjamini–Hochberg", "none": "none"}
_SWITCH = {"1": True, "true": True, "on": True, "0": False, "false": False, "off": False}
MISSING = "–"


def definitions(request: Request) -> Mapping[str, ExperimentSpec] | None:
    """The declared experiments (``[experiments.<key>]`` in chatlift.toml), as the server was started
    with them: the same definitions the API's ``/v1/experiments`` reads."""
    return service(request).experiments


@dataclass(frozen=True, slots=True)
class Options:
    """How the reader asked to read an experiment; None: as the experiment declares."""

    sequential: bool | None = None
    bayesian: bool | None = None
    correction: str | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> Options:
        """Options from ``sequential``, ``bayesian`` and ``correction`` in a query string."""
        found: dict[str, Any] = {}
        for name in ("sequential", "bayesian"):
            text = (query.get(name) or "").strip().lower()
            if text:
                if text not in _SWITCH:
                    raise ParameterError(f"{name} = {query[name]!r} is not a switch", hint=f"use {name}=1 or {name}=0")
                found[name] = _SWITCH[text]
        text = (query.get("correction") or "").strip().lower()
        if text:
            if text not in CORRECTIONS:
                raise ParameterError(f"correction = {query['correction']!r} is not a correction",
                                     hint=close_matches(text, CORRECTIONS) or "use holm, bh or none")
            found["correction"] = text
        return cls(**found)

    def overrides(self) -> dict[str, Any]:
        """The options as `Workspace.analyze` overrides."""
        pairs = (("sequential", self.sequential), ("bayesian", self.bayesian), ("correction", self.correction))
        return {name: value for name, value in pairs if value is not None}

    @property
    def query(self) -> str:
        """These options as a query string (for links)."""
        return urlencode([(k, str(int(v)) if isinstance(v, bool) else v) for k, v in self.overrides().items()])


# -- formatting: one place, so the page and its tests agree on what a number looks like ---------------

def lift_text(value: float | None) -> str:
    """A relative lift (fraction) as a signed percentage: 0.1834 → ``+18.3 %``."""
    return MISSING if value is None else f"{100 * value:+.1f} %"


def span_text(lower: float | None, upper: float | None) -> str:
    """A relative interval: ``-4.1 % to +30.2 %`` (an open side reads ``…``)."""
    if lower is None and upper is None:
        return MISSING
    low = "…" if lower is None else lift_text(lower)
    high = "…" if upper is None else lift_text(upper)
    return f"{low} to {high}"


def mean_text(statistic: str, value: float | None) -> str:
    """A per-unit mean: proportions in %, other statistics as numbers (3 decimals)."""
    if value is None:
        return MISSING
    return f"{100 * value:.1f} %" if statistic == "proportion" else f"{value:,.3f}"


def absolute_text(statistic: str, value: float | None) -> str:
    """An absolute lift: percentage points for proportions, else a signed number."""
    if value is None:
        return MISSING
    return f"{100 * value:+.2f} pt" if statistic == "proportion" else f"{value:+,.3f}"


def absolute_span(statistic: str, lower: float | None, upper: float | None) -> str:
    if lower is None and upper is None:
        return MISSING
    low = "…" if lower is None else absolute_text(statistic, lower)
    high = "…" if upper is None else absolute_text(statistic, upper)
    return f"{low} to {high}"


def p_text(value: float | None) -> str:
    """A p-value: four decimals, or ``< 0.0001``."""
    if value is None:
        return MISSING
    return "< 0.0001" if value < 0.0001 else f"{value:.4f}"


def chance_text(value: float | None) -> str:
    return MISSING if value is None else f"{100 * value:.1f} %"


def level_text(alpha: float) -> str:
    """The interval's level: alpha 0.05 → ``95 %``."""
    return f"{(1 - alpha) * 100:g} %"


@dataclass(frozen=True, slots=True)
class Row:
    """One comparison as the page's table shows it."""

    comparison: Comparison
    control_mean: str
    treatment_mean: str
    absolute: str
    absolute_interval: str
    relative: str
    relative_interval: str
    p_value: str
    p_adjusted: str
    chance: str

    @classmethod
    def of(cls, c: Comparison) -> Row:
        return cls(c, mean_text(c.statistic, c.control_mean), mean_text(c.statistic, c.treatment_mean),
                   absolute_text(c.statistic, c.absolute.lift),
                   absolute_span(c.statistic, c.absolute.lower, c.absolute.upper),
                   lift_text(c.relative.lift), span_text(c.relative.lower, c.relative.upper),
                   p_text(c.p_value), p_text(c.p_value_adjusted), chance_text(c.chance_to_win))


def srm_text(mismatch: bool, p_value: float, threshold: float) -> str:
    if mismatch:
        return f"Mismatch (p = {p_value:.2g} < {threshold:g})"
    return f"OK (p = {p_value:.2g})"


# -- page contents --------------------------------------------------------------------------------------

def listing(ws: Workspace, declared: Mapping[str, ExperimentSpec] | None) -> dict[str, Any]:
    """Every experiment: unit, units per variant, first and last exposure, SRM status."""
    rows = []
    for summary in ws.experiments(declared):
        spec = ws.experiment(summary.key, declared) if summary.declared else None
        srm = srm_check(ws.backend(), spec) if spec is not None else None
        rows.append({"summary": summary, "spec": spec, "srm": srm,
                     "srm_text": srm_text(srm.mismatch, srm.p_value, srm.threshold) if srm else "no definition"})
    return {"experiments": rows}


def _series(result: CumulativeResult, metric: str, variants: list[str]) -> dict[str, Any]:
    return {v: ([x.relative.lift for x in result.series(metric, v)], [x.relative.lower for x in result.series(metric, v)],
                [x.relative.upper for x in result.series(metric, v)]) for v in variants}


def trend_charts(ws: Workspace, spec: ExperimentSpec, first: datetime | None, last: datetime | None,
                 level: str) -> list[Chart]:
    """Cumulative relative lift of each primary metric, weekly from the first exposure to the last."""
    if first is None or last is None:
        return []
    first, last = max(first, spec.start), min(last, spec.end) if spec.end else last
    if last < first:
        return []
    found = cumulative(ws.backend(), spec, weekly_points(first, last))
    labels = [p.strftime("%Y-%m-%d %H:%M") if (p.hour, p.minute) != (0, 0) else p.strftime("%Y-%m-%d")
              for p in found.points]
    variants = [v.key for v in spec.variants[1:]]
    method = "always-valid (sequential)" if spec.sequential else "fixed-horizon"
    charts = []
    for metric in found.metrics:
        charts.append(figures.lift_trend(
            f"trend-{metric.replace(':', '-')}", f"Cumulative lift: {metric}", labels, _series(found, metric, variants),
            interval_title=f"{level} interval",
            summary=f"Relative lift of {metric} against {spec.control} with the data as it stood at each date "
                    f"(units exposed before it, events before it), with its {method} {level} interval as a band. "
                    "Early points rest on few units and short windows."))
    return charts


def detail(ws: Workspace, declared: Mapping[str, ExperimentSpec] | None, key: str, options: Options) -> dict[str, Any]:
    """The read-out of experiment ``key`` under ``options``."""
    known = ws.experiments(declared)
    summary = next((s for s in known if s.key == key), None)
    if summary is None:
        names = [s.key for s in known]
        raise ExperimentError(f"no experiment {key!r}", hint=close_matches(key, names) or (
            f"known experiments: {', '.join(names)}" if names else "declare one under [experiments.<key>] in "
                                                                   "chatlift.toml"))
    overrides = options.overrides()
    result: ExperimentResult = ws.analyze(key, definitions=declared, **overrides)
    spec = ExperimentSpec.model_validate(ws.experiment(key, declared).model_dump() | overrides)
    level = level_text(result.alpha)
    comparisons = list(result.results)
    forest = figures.forest(
        "lifts", "Relative lift per metric",
        [c.metric if len(spec.variants) == 2 else f"{c.metric} · {c.variant}" for c in comparisons],
        [c.relative.lift for c in comparisons], [c.relative.lower for c in comparisons],
        [c.relative.upper for c in comparisons], interval_title=f"{level} interval",
        summary=f"Each metric's relative lift of each variant against {result.control} (diamond) with its "
                f"{'always-valid' if spec.sequential else 'fixed-horizon'} {level} interval (bar); the dashed line "
                "is no difference. An interval crossing it cannot tell the variants apart.")
    return {"result": result, "spec": spec, "summary": summary, "rows": [Row.of(c) for c in comparisons],
            "level": level, "charts": [forest, *trend_charts(ws, spec, summary.first_exposure,
                                                              summary.last_exposure, level)],
            "srm_status": srm_text(result.srm.mismatch, result.srm.p_value, result.srm.threshold),
            "correction_name": CORRECTIONS.get(result.correction, result.correction),
            "reading": options, "bayesian": spec.bayesian}
