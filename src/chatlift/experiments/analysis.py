"""An experiment's read-out: sums from the database, statistics from `chatlift.stats`, a verdict in words.

Per metric and treatment variant: the relative and absolute lift with the
experiment's interval (Welch t, or always-valid when ``sequential``), p-values,
CUPED when a covariate window is declared (mean and proportion metrics),
optionally the Bayesian chance to win; across metrics × variants the p-values
are corrected (Holm by default); a sample-ratio mismatch blocks every verdict.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from chatlift.experiments.results import (
    ArmSummary,
    Comparison,
    ExperimentResult,
    Interval,
    ResultWarning,
    SrmCheck,
)
from chatlift.experiments.spec import ExperimentMetric, ExperimentSpec
from chatlift.experiments.sufficient import exposure_counts, variant_moments
from chatlift.experiments.verdict import comparison_verdict, experiment_verdict, notes
from chatlift.stats.bayes import bayes_normal
from chatlift.stats.corrections import adjust
from chatlift.stats.effect import Difference, Effect, estimate_effect
from chatlift.stats.messages import SAMPLE_RATIO_MISMATCH, StatWarning
from chatlift.stats.moments import ArmMoments, StatisticKind
from chatlift.stats.sequential import sequential_test
from chatlift.stats.srm import srm_test
from chatlift.stats.ttest import Alternative, TestResult, welch_t_test


def _num(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _test(effect: Effect, spec: ExperimentSpec, alternative: Alternative) -> TestResult:
    if spec.sequential:
        return sequential_test(effect, alpha=spec.alpha, tuning=spec.sequential_tuning, alternative=alternative)
    return welch_t_test(effect, alpha=spec.alpha, alternative=alternative)


def _interval(effect: Effect, test: TestResult) -> Interval:
    return Interval(lift=_num(effect.point), lower=_num(test.lower), upper=_num(test.upper),
                    standard_error=_num(effect.standard_error))


def _warnings(*groups: tuple[StatWarning, ...]) -> list[ResultWarning]:
    seen: dict[str, ResultWarning] = {}
    for group in groups:
        for w in group:
            seen.setdefault(w.code, ResultWarning(code=w.code, message=w.message))
    return list(seen.values())


def compare(spec: ExperimentSpec, metric: ExperimentMetric, variant: str, control: ArmMoments,
            treatment: ArmMoments, *, use_covariate: bool) -> dict[str, Any]:
    """Statistics of one comparison (everything but the correction and the verdict), as Comparison fields."""
    kind = metric.statistic
    cuped = use_covariate and kind is not StatisticKind.RATIO
    rel = estimate_effect(control, treatment, kind, difference=Difference.RELATIVE, use_covariate=cuped)
    ab = estimate_effect(control, treatment, kind, difference=Difference.ABSOLUTE, use_covariate=cuped)
    rel_test = _test(rel, spec, spec.alternative)
    ab_test = _test(ab, spec, spec.alternative)
    headline = rel if rel.valid else ab
    p_values = {a.value: _num(_test(headline, spec, a).p_value) for a in Alternative}
    fields: dict[str, Any] = {
        "metric": metric.key, "primary": metric in spec.primary, "variant": variant, "control": spec.control,
        "statistic": kind.value, "control_units": int(control.n), "treatment_units": int(treatment.n),
        "control_mean": _num(rel.control_mean), "treatment_mean": _num(rel.treatment_mean),
        "relative": _interval(rel, rel_test), "absolute": _interval(ab, ab_test),
        "method": rel_test.method, "alternative": spec.alternative.value,
        "p_value": p_values[spec.alternative.value], "p_values": p_values,
        "cuped": cuped and rel.theta != 0.0, "theta": rel.theta,
        "warnings": _warnings(rel.warnings, ab.warnings),
    }
    if spec.bayesian:
        b = bayes_normal(headline, alpha=spec.alpha, inverse=metric.inverse)
        fields |= {"chance_to_win": _num(b.chance_to_win), "risk_control": _num(b.risk_control),
                   "risk_treatment": _num(b.risk_treatment)}
    return fields


def srm_check_of(spec: ExperimentSpec, observed: list[int]) -> SrmCheck:
    """The sample-ratio-mismatch check of ``observed`` units per variant (in declared order) against the weights."""
    srm = srm_test(observed, [v.weight for v in spec.variants])
    return SrmCheck(observed=list(srm.observed), expected=list(srm.expected), chi_square=srm.chi_square,
                    dof=srm.dof, p_value=srm.p_value, threshold=srm.threshold, mismatch=srm.mismatch)


def srm_check(con: Any, spec: ExperimentSpec, *, as_of: datetime | None = None) -> SrmCheck:
    """Only the sample-ratio-mismatch check of `analyze` (one small query: units per variant), e.g. for a list."""
    counts = exposure_counts(con, spec, as_of=as_of)
    return srm_check_of(spec, [counts.counted[v.key] for v in spec.variants])


def analyze(con: Any, spec: ExperimentSpec, *, as_of: datetime | None = None) -> ExperimentResult:
    """Analyse ``spec`` on the data behind the Ibis connection ``con``.

    Args:
        con: an Ibis backend over the canonical tables.
        spec: the experiment (override settings with ``spec.model_copy(update=...)``).
        as_of: read the data as it was at this instant (UTC): exposures and events before it only.

    Returns:
        An `ExperimentResult`; statistical dead-ends are warnings inside it.
    """
    counts = exposure_counts(con, spec, as_of=as_of)
    total_weight = sum(v.weight for v in spec.variants)
    observed = [counts.counted[v.key] for v in spec.variants]
    srm = srm_check_of(spec, observed)
    warnings: list[ResultWarning] = []
    if srm.mismatch:
        split = ", ".join(f"{v.key} {n}" for v, n in zip(spec.variants, observed, strict=True))
        warnings.append(ResultWarning(code=SAMPLE_RATIO_MISMATCH, message=(
            f"Sample ratio mismatch: units per variant ({split}) are very unlikely under the planned weights "
            f"(chi-square p = {srm.p_value:.2g} < {srm.threshold:g}). Assignment or exposure logging is broken; "
            "no result can be trusted until it is fixed.")))
    if counts.unknown_variants:
        listed = ", ".join(f"{k} ({n})" for k, n in sorted(counts.unknown_variants.items()))
        warnings.append(ResultWarning(code="unknown_variant", message=(
            f"Stored exposures name variants the definition does not declare, left out: {listed}.")))
    if counts.outside_dates:
        warnings.append(ResultWarning(code="outside_dates", message=(
            f"{counts.outside_dates} stored exposures fall outside the experiment's dates and are left out.")))

    rows: list[dict[str, Any]] = []
    for metric in spec.metrics:
        use_covariate = spec.covariate_days is not None and metric.statistic is not StatisticKind.RATIO
        moments = variant_moments(con, spec, metric, as_of=as_of, with_covariate=use_covariate)
        for variant in spec.variants[1:]:
            rows.append(compare(spec, metric, variant.key, moments[spec.control], moments[variant.key],
                                use_covariate=use_covariate))

    adjusted = adjust([r["p_value"] if r["p_value"] is not None else math.nan for r in rows], spec.correction)
    family = sum(1 for r in rows if r["p_value"] is not None)
    results: list[Comparison] = []
    for fields, p_adj in zip(rows, adjusted, strict=True):
        p_adjusted = _num(p_adj)
        blocked = srm.mismatch or p_adjusted is None
        significant = not blocked and p_adjusted is not None and p_adjusted < spec.alpha
        better = None
        if significant:
            lift = fields["relative"].lift if fields["relative"].lift is not None else fields["absolute"].lift
            better = (lift > 0) != spec.metric(fields["metric"]).inverse
        draft = Comparison(**fields, p_value_adjusted=p_adjusted, significant=significant, better=better,
                           verdict="")
        results.append(draft.model_copy(update={"verdict": comparison_verdict(
            draft, spec=spec, srm_mismatch=srm.mismatch, family=family)}))

    arms = [ArmSummary(variant=v.key, weight=v.weight / total_weight, units=n)
            for v, n in zip(spec.variants, observed, strict=True)]
    return ExperimentResult(
        key=spec.key, description=spec.description, unit=spec.unit.value, control=spec.control, arms=arms,
        start=spec.start, end=spec.end, as_of=as_of, window_days=spec.window_days, alpha=spec.alpha,
        method="sequential" if spec.sequential else "welch_t", correction=spec.correction.value,
        comparisons=family, srm=srm, results=results,
        verdict=experiment_verdict(results, spec=spec, srm_mismatch=srm.mismatch),
        notes=notes(spec, as_of=as_of), warnings=warnings,
    )
