"""What an experiment analysis returns: frozen Pydantic models that serialise to JSON as they are.

``ExperimentResult.model_dump(mode="json")`` is the document the CLI's
``--format json``, the HTTP API and the dashboard share. Lifts are fractions
(0.18 = +18 %) when relative; open sides of one-sided intervals and numbers the
data cannot give are ``null``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResultWarning(Frozen):
    """A statistical dead-end or data problem: a stable code and a sentence."""

    code: str
    message: str


class ArmSummary(Frozen):
    """One variant of an experiment: planned share and units counted."""

    variant: str
    weight: float = Field(description="planned share of units, normalised to sum 1")
    units: int = Field(description="units first exposed within the experiment's dates")


class SrmCheck(Frozen):
    """Sample-ratio-mismatch check: Pearson chi-square of units per arm against the weights."""

    observed: list[float]
    expected: list[float]
    chi_square: float
    dof: int
    p_value: float
    threshold: float
    mismatch: bool = Field(description="p below threshold: the split is broken and blocks every verdict")


class Interval(Frozen):
    """A lift with its interval (bounds null where open or unknown)."""

    lift: float | None
    lower: float | None
    upper: float | None
    standard_error: float | None


class Comparison(Frozen):
    """One treatment variant against control on one metric."""

    metric: str = Field(description="metric key: revenue, goal:trial_started …")
    primary: bool
    variant: str
    control: str
    statistic: str = Field(description="mean, proportion or ratio")
    control_units: int
    treatment_units: int
    control_mean: float | None = Field(description="per unit, unadjusted (ratio: Σ numerator / Σ denominator)")
    treatment_mean: float | None
    relative: Interval = Field(description="(treatment − control) / |control mean|")
    absolute: Interval = Field(description="treatment − control, in the metric's unit")
    method: str = Field(description="welch_t (fixed horizon) or sequential (always valid)")
    alternative: str
    p_value: float | None = Field(description="for the relative lift under the experiment's alternative")
    p_value_adjusted: float | None = Field(description="after the experiment's multiple-testing correction")
    p_values: dict[str, float | None] = Field(description="two_sided, greater and less, unadjusted")
    cuped: bool = Field(description="adjusted with the pre-period covariate")
    theta: float = Field(description="CUPED coefficient (0 when not adjusted)")
    chance_to_win: float | None = Field(default=None, description="Bayesian, flat prior: P(treatment better)")
    risk_control: float | None = Field(default=None, description="expected relative loss if control is kept")
    risk_treatment: float | None = Field(default=None, description="expected relative loss if treatment is chosen")
    significant: bool = Field(description="adjusted p below alpha, with no blocking warning")
    better: bool | None = Field(description="significant and in the good direction (None: not significant)")
    verdict: str
    warnings: list[ResultWarning]


class ExperimentResult(Frozen):
    """The read-out of one experiment."""

    key: str
    description: str
    unit: str
    control: str
    arms: list[ArmSummary]
    start: datetime
    end: datetime | None
    as_of: datetime | None
    window_days: float
    alpha: float
    method: str = Field(description="welch_t or sequential")
    correction: str
    comparisons: int = Field(description="tests in the correction family (metrics × treatment variants)")
    srm: SrmCheck
    results: list[Comparison]
    verdict: str
    notes: list[str]
    warnings: list[ResultWarning]

    def comparison(self, metric: str, variant: str | None = None) -> Comparison:
        """The comparison for ``metric`` (and ``variant``; default: the first treatment)."""
        for c in self.results:
            if c.metric == metric and (variant is None or c.variant == variant):
                return c
        raise KeyError(f"no result for metric {metric!r}" + (f" and variant {variant!r}" if variant else ""))
