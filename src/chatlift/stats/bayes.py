"""Bayesian read-out of an `Effect`: chance to win and expected loss.

With an improper flat prior and a normal likelihood, the posterior of the lift
is N(lift, se²) (the delta-method standard error for relative lifts). Then

* chance to win = P(lift > 0) = Φ(lift / se) (for a metric where lower is
  better, 1 minus that);
* credible interval = lift ± z_{1−α/2}·se;
* risk (expected loss, in lift units) of choosing control = E[max(lift, 0)]
  = μΦ(μ/σ) + σφ(μ/σ); of choosing treatment = E[max(−lift, 0)] = that − μ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from chatlift.stats.effect import Effect


@dataclass(frozen=True, slots=True)
class BayesResult:
    """Posterior summaries of the lift (NaN when the effect is invalid)."""

    lower: float  # credible interval
    upper: float
    chance_to_win: float  # posterior P(treatment better)
    risk_control: float  # expected loss if control is chosen
    risk_treatment: float  # expected loss if treatment is chosen


def bayes_normal(effect: Effect, *, alpha: float = 0.05, inverse: bool = False) -> BayesResult:
    """Chance to win, credible interval and risks under a flat prior (see the module docstring).

    ``inverse``: lower values are better (the roles of the two risks swap too).

    >>> from chatlift.stats.effect import Difference
    >>> e = Effect(Difference.RELATIVE, 0.0, 0.1, 100.0, 50, 50, 1.0, 1.0, 0.0)
    >>> bayes_normal(e).chance_to_win
    0.5
    """
    if not effect.valid:
        return BayesResult(math.nan, math.nan, math.nan, math.nan, math.nan)
    mu, sigma = effect.point, effect.standard_error
    z = float(stats.norm.ppf(1 - alpha / 2))
    up = float(stats.norm.cdf(mu / sigma))
    gain = mu * up + sigma * float(stats.norm.pdf(mu / sigma))  # E[max(lift, 0)]
    loss = gain - mu  # E[max(−lift, 0)]
    if inverse:
        return BayesResult(mu - z * sigma, mu + z * sigma, 1 - up, loss, gain)
    return BayesResult(mu - z * sigma, mu + z * sigma, up, gain, loss)
