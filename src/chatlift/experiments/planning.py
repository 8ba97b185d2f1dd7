"""Planning an experiment: units needed, how long that takes, and what effect a given size can detect.

A thin layer over `chatlift.stats.power` that checks its inputs and answers
in one JSON-friendly model for the CLI (``chatlift experiment plan``), the API
and the dashboard.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field

from chatlift.errors import ExperimentError
from chatlift.experiments.results import Frozen
from chatlift.stats.power import MetricAssumption, minimum_detectable_effect, power, sample_size_per_arm


class PlanResult(Frozen):
    """The answer of `plan`: the inputs as used, and what follows from them."""

    metric_type: str = Field(description="proportion (baseline is a rate) or mean")
    baseline: float
    standard_deviation: float = Field(description="per unit; √(p(1 − p)) for a proportion")
    relative: bool = Field(description="effects are relative to the baseline (0.1 = +10 %)")
    alpha: float
    target_power: float
    two_sided: bool
    variants: int
    sequential_tuning: float | None
    mde: float | None = Field(description="the effect planned for, or the smallest detectable one")
    units_per_variant: int | None
    total_units: int | None
    daily_units: float | None
    days: int | None = Field(description="days of traffic to reach total_units")
    power: float | None = Field(description="power for mde with units_per_variant")


def plan(**arguments: Any) -> PlanResult:
    """`plan_experiment` with arithmetic trouble (overflow, no solution) reported as an `ExperimentError`."""
    try:
        return plan_experiment(**arguments)
    except (ArithmeticError, ValueError) as exc:
        raise ExperimentError(f"cannot plan with these numbers: {exc}",
                              hint="check the baseline, standard deviation and effect for typos or extreme values") from None


def plan_experiment(
    *,
    baseline: float,
    standard_deviation: float | None = None,
    mde: float | None = None,
    units: int | None = None,
    daily_units: float | None = None,
    days: int | None = None,
    relative: bool = True,
    alpha: float = 0.05,
    target_power: float = 0.8,
    variants: int = 2,
    two_sided: bool = True,
    sequential_tuning: float | None = None,
) -> PlanResult:
    """Sample size and duration for an effect, or the detectable effect for a size.

    Args:
        baseline: the control's rate (proportion, when ``standard_deviation`` is None) or mean.
        standard_deviation: per-unit standard deviation of a mean metric.
        mde: the effect to detect (relative unless ``relative`` is false): gives the units needed.
        units: total units over all variants (or ``daily_units`` × ``days``): gives the detectable effect.
        daily_units: units entering the experiment per day: gives the duration.
        days: planned duration, with ``daily_units`` instead of ``units``.
        relative, alpha, target_power, variants, two_sided: the design.
        sequential_tuning: plan for sequential testing with this N* (None: fixed horizon).

    Raises:
        ExperimentError: naming the parameter that is missing or out of range.

    A 10 % conversion rate, +20 % relative, 2 variants: 4 310 units each (see `sample_size_per_arm`);
    at 500 units a day that takes 18 days.

    >>> r = plan(baseline=0.1, mde=0.2, daily_units=500)
    >>> r.units_per_variant, r.total_units, r.days
    (4310, 8620, 18)
    """
    if variants < 2:
        raise ExperimentError(f"variants = {variants}: an experiment has at least 2 (control and a treatment)")
    if not 0 < alpha < 0.5:
        raise ExperimentError(f"alpha = {alpha} must lie between 0 and 0.5")
    if not alpha < target_power < 1:
        raise ExperimentError(f"power = {target_power} must lie between alpha ({alpha}) and 1")
    if standard_deviation is None:
        if not 0 < baseline < 1:
            raise ExperimentError(f"baseline = {baseline}: a rate lies strictly between 0 and 1",
                                  hint="for a mean metric also give its standard deviation")
        metric = MetricAssumption.proportion(baseline)
        metric_type = "proportion"
    else:
        if standard_deviation <= 0:
            raise ExperimentError(f"standard deviation = {standard_deviation} must be positive")
        if relative and baseline == 0:
            raise ExperimentError("baseline = 0: a relative effect needs a non-zero baseline",
                                  hint="plan with an absolute effect instead")
        metric = MetricAssumption.mean_metric(baseline, standard_deviation)
        metric_type = "mean"
    if units is None and daily_units is not None and days is not None:
        units = math.floor(daily_units * days)
    if mde is None and units is None:
        raise ExperimentError("give either mde (to get the units needed) or units / daily_units and days "
                              "(to get the detectable effect)")
    if mde is not None and mde == 0:
        raise ExperimentError("mde = 0: a zero effect cannot be detected")
    if daily_units is not None and daily_units <= 0:
        raise ExperimentError(f"daily units = {daily_units} must be positive")

    per_arm: int | None
    achieved: float | None = None
    if mde is not None and units is None:
        try:
            per_arm = sample_size_per_arm(metric, mde, alpha=alpha, target_power=target_power, two_sided=two_sided,
                                          relative=relative, sequential_tuning=sequential_tuning)
        except ValueError as exc:  # e.g. an effect too small for any sample below 10^13 units
            raise ExperimentError(str(exc), hint="plan for a larger minimum detectable effect") from None
        effect: float | None = mde
    else:
        assert units is not None
        if units < 2 * variants:
            raise ExperimentError(f"units = {units}: each of the {variants} variants needs at least 2")
        per_arm = units // variants
        effect = mde if mde is not None else minimum_detectable_effect(
            metric, per_arm, alpha=alpha, target_power=target_power, relative=relative,
            sequential_tuning=sequential_tuning)
    if effect is not None and per_arm is not None:
        achieved = power(metric, effect, per_arm, alpha=alpha, two_sided=two_sided, relative=relative,
                         sequential_tuning=sequential_tuning)
    total = per_arm * variants if per_arm is not None else None
    duration = math.ceil(total / daily_units) if total is not None and daily_units else days
    return PlanResult(
        metric_type=metric_type, baseline=baseline, standard_deviation=math.sqrt(metric.variance),
        relative=relative, alpha=alpha, target_power=target_power, two_sided=two_sided, variants=variants,
        sequential_tuning=sequential_tuning, mde=effect, units_per_variant=per_arm, total_units=total,
        daily_units=daily_units, days=duration, power=achieved,
    )
