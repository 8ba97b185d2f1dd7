"""What the value analyses return: frozen Pydantic models that serialise to JSON as they are.

``model_dump(mode="json")`` of `ChurnResult`, `CohortResult`, `ClvResult` and
`RoiResult` is the document a CLI's ``--format json``, an HTTP API and a
dashboard can share. Rates are fractions (0.25 = 25 %); money is in the data's
currency; numbers the data cannot give are ``null``.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ValueWarning(Frozen):
    """A data problem or statistical dead-end: a stable code and a sentence."""

    code: str
    message: str


class Estimate(Frozen):
    """A figure with its 95 % interval (bounds null where the data cannot give them)."""

    value: float | None
    lower: float | None
    upper: float | None
    method: str = Field(description="wilson (shares), delta (ratios of totals), profile (fixed cost), none")


# -- churn and revenue retention --------------------------------------------------------------


class ChurnGroup(Frozen):
    """Churn of one group of customers over one period."""

    split: str = Field(description="all, chatted or csat_band")
    group: str = Field(description="all; yes/no; detractor/neutral/satisfied/none")
    customers: int = Field(description="customers active at the period's start")
    lost: int = Field(description="of those, customers not active at its end")
    churn_rate: Estimate = Field(description="lost ÷ customers, Wilson interval")
    mrr_start: float | None = Field(default=None, description="MRR of those customers at the start")
    mrr_end: float | None = Field(default=None, description="their MRR at the end (expansion included)")
    mrr_lost: float | None = Field(default=None, description="start MRR of the lost customers")
    revenue_churn: Estimate | None = Field(default=None, description="mrr_lost ÷ mrr_start")
    gross_revenue_retention: Estimate | None = Field(
        default=None, description="Σ min(end MRR, start MRR) ÷ mrr_start: churn and contraction, no expansion")
    net_revenue_retention: Estimate | None = Field(default=None, description="mrr_end ÷ mrr_start")


class ChurnPeriod(Frozen):
    """One period ``[start, end)`` (local dates) and its groups."""

    start: date
    end: date
    groups: list[ChurnGroup]

    def group(self, split: str = "all", group: str = "all") -> ChurnGroup:
        """The figures of one group (``split="chatted", group="yes"``)."""
        for g in self.groups:
            if g.split == split and g.group == group:
                return g
        raise KeyError(f"no group {split}={group} in {self.start}..{self.end}")


class ChurnResult(Frozen):
    """Customer churn (and, for subscriptions, MRR churn and retention) per period."""

    basis: str = Field(description="subscriptions (ended_at) or orders (no order for inactivity_days)")
    definition: str
    timezone: str
    inactivity_days: float | None
    trials: bool
    kinds: list[str]
    channel: str | None = Field(description="the channel that makes a customer a chatter (null: any)")
    periods: list[ChurnPeriod]
    warnings: list[ValueWarning]


# -- retention cohorts -------------------------------------------------------------------------


class CohortRow(Frozen):
    """One monthly cohort of one group: size and customers still active k months later."""

    split: str
    group: str
    cohort: str = Field(description="the cohort's month, YYYY-MM")
    size: int = Field(description="customers whose first order / subscription start fell in that month")
    retained: list[int | None] = Field(description="active in month cohort + k, k = 0, 1, …; null when that "
                                                   "month is not fully observed")
    share: list[Estimate | None] = Field(description="retained ÷ size with a Wilson interval")


class CohortResult(Frozen):
    """Monthly retention cohorts as a table (rows: cohorts, columns: months since the first month)."""

    basis: str
    definition: str
    timezone: str
    months: int = Field(description="columns k = 0 … months − 1")
    rows: list[CohortRow]
    warnings: list[ValueWarning]

    def row(self, cohort: str, split: str = "all", group: str = "all") -> CohortRow:
        for r in self.rows:
            if r.cohort == cohort and r.split == split and r.group == group:
                return r
        raise KeyError(f"no cohort {cohort} for {split}={group}")


# -- customer lifetime value --------------------------------------------------------------------


class BgNbdParameters(Frozen):
    """BG/NBD (Fader, Hardie & Lee 2005) maximum-likelihood parameters."""

    r: float
    alpha: float = Field(description="in the time unit")
    a: float
    b: float
    log_likelihood: float
    customers: int
    repeat_buyers: int


class GammaGammaParameters(Frozen):
    """Gamma-Gamma spend model parameters, fitted on repeat buyers."""

    p: float
    q: float
    gamma: float
    log_likelihood: float
    customers: int
    population_mean: float | None = Field(description="γp/(q−1): mean spend per transaction (null unless q > 1)")


class ClvGroup(Frozen):
    """Value of one group of customers: historical and predicted over the horizon."""

    split: str = Field(description="all, chatted, csat_band or segment")
    group: str
    customers: int
    historical_value: float = Field(description="mean order amount total per customer up to calibration end")
    repeat_buyers: int
    predicted_purchases: float = Field(description="mean expected purchases over the horizon")
    probability_alive: float = Field(description="mean P(alive) at calibration end")
    expected_order_value: float | None = Field(description="mean Gamma-Gamma expected spend per purchase")
    predicted_value: float | None = Field(description="mean expected value over the horizon (discounted)")
    predicted_value_total: float | None
    holdout_purchases: int | None = Field(description="actual purchases in the holdout period, when given")


class HoldoutBucket(Frozen):
    """Customers with one calibration frequency: predicted vs actual holdout purchases (means)."""

    frequency: str = Field(description="0, 1, … or the last bucket as N+")
    customers: int
    predicted: float
    actual: float


class HoldoutCheck(Frozen):
    """Predicted vs actual purchases in ``[calibration_end, holdout_end)``."""

    holdout_end: date
    length: float = Field(description="in the time unit")
    predicted_total: float
    actual_total: int
    by_frequency: list[HoldoutBucket]


class ClvResult(Frozen):
    """Historical and predicted customer value (BG/NBD + Gamma-Gamma)."""

    calibration_end: date = Field(description="exclusive: the calibration's last day is the day before")
    unit: str = Field(description="day or week: the time unit of recency, T, alpha and the horizon")
    horizon: float
    discount_rate: float = Field(description="per year, applied month by month")
    kinds: list[str]
    channel: str | None
    bgnbd: BgNbdParameters
    gamma_gamma: GammaGammaParameters | None = Field(description="null when spend could not be fitted")
    groups: list[ClvGroup]
    holdout: HoldoutCheck | None
    warnings: list[ValueWarning]

    def group(self, split: str = "all", group: str = "all") -> ClvGroup:
        for g in self.groups:
            if g.split == split and g.group == group:
                return g
        raise KeyError(f"no group {split}={group}")


# -- ROI -----------------------------------------------------------------------------------------


class RoiValue(Frozen):
    """One way of valuing support, set against the cost."""

    source: str = Field(description="chat_attributed (correlational) or experiment (causal)")
    causal: bool
    label: str
    value: Estimate = Field(description="revenue credited to support, with interval when known")
    roi: Estimate = Field(description="(value − cost) ÷ cost")
    payback_months: float | None = Field(description="months of value (at this period's rate) that cover the cost")
    note: str


class RoiResult(Frozen):
    """Support cost against the value it brings, for ``[start, end)``."""

    start: date
    end: date
    timezone: str
    channel: str | None
    cost: float
    cost_source: str = Field(description="costs table (prorated) or staff (agents × hours × rate)")
    currencies: list[str]
    conversations: int
    resolved: int
    cost_per_conversation: float | None
    cost_per_resolution: float | None
    values: list[RoiValue]
    warnings: list[ValueWarning]

    def value(self, source: str) -> RoiValue:
        for v in self.values:
            if v.source == source:
                return v
        raise KeyError(f"no value from {source}")
