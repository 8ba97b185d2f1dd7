"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your customers the easy way").

While alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α);
after each purchase they drop out with probability p ~ Beta(a, b). A customer
is summarised by ``x`` (repeat purchases in the calibration period), ``t_x``
(time of the last purchase since the first) and ``T`` (time from the first
purchase to the end of calibration), all in one time unit.

The likelihood of one customer (the paper's equation 6), written in logs:

    ln L = lnΓ(r+x) − lnΓ(r) + r ln α
           + ln[ B(a, b+x)/B(a, b) (α+T)^−(r+x) + [x>0] B(a+1, b+x−1)/B(a, b) (α+t_x)^−(r+x) ]

the two terms added with ``logaddexp`` so that nothing under- or overflows.
The four parameters are fitted by maximum likelihood over their logarithms
(so they stay positive) with L-BFGS-B and an analytic-free numerical gradient,
from several starting points; customers may be weighted (identical summaries
counted once with a weight: the database returns them grouped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from chatlift.errors import ParameterError

Array = npt.NDArray[np.float64]

MIN_CUSTOMERS = 10  # fewer customers cannot pin down four parameters
MIN_REPEAT_BUYERS = 3  # with fewer, a and b (drop-out) are not identified


@dataclass(frozen=True, slots=True)
class BgNbdFit:
    """Maximum-likelihood BG/NBD parameters and how they were found."""

    r: float  # shape of the purchase-rate gamma
    alpha: float  # scale of the purchase-rate gamma, in the time unit
    a: float  # drop-out beta, first shape
    b: float  # drop-out beta, second shape
    log_likelihood: float  # at the estimate, summed over customers (weights included)
    customers: float  # total weight (customers)
    repeat_buyers: float  # customers with x > 0
    iterations: int


def log_likelihood(params: tuple[float, float, float, float], x: Array, t_x: Array, T: Array) -> Array:
    """Per-customer BG/NBD log-likelihood at ``(r, alpha, a, b)``.

    One customer with no repeat purchase observed for T = 1 at r = α = a = b = 1:
    L = B(1, 1)/B(1, 1) · (1/2)¹ = 0.5.

    >>> float(log_likelihood((1.0, 1.0, 1.0, 1.0), np.array([0.0]), np.array([0.0]), np.array([1.0]))[0])
    -0.6931471805599453
    """
    r, alpha, a, b = params
    x = np.asarray(x, dtype=float)
    t_x = np.asarray(t_x, dtype=float)
    T = np.asarray(T, dtype=float)
    common = special.gammaln(r + x) - special.gammaln(r) + r * math.log(alpha) - special.betaln(a, b)
    first = special.betaln(a, b + x) - (r + x) * np.log(alpha + T)
    repeat = x > 0
    # B(a+1, b+x−1) needs b+x−1 > 0; for x = 0 the term is absent (masked to −inf).
    second = np.full_like(x, -np.inf)
    xr = x[repeat]
    second[repeat] = special.betaln(a + 1, b + xr - 1) - (r + xr) * np.log(alpha + t_x[repeat])
    result: Array = common + np.logaddexp(first, second)
    return result


def _check(x: Array, t_x: Array, T: Array, weights: Array) -> None:
    if not (x.shape == t_x.shape == T.shape == weights.shape):
        raise ParameterError("x, t_x, T and weights must have the same length")
    if np.any(x < 0) or np.any(t_x < 0) or np.any(T < t_x) or np.any(weights < 0):
        raise ParameterError("customer summaries must have x ≥ 0 and 0 ≤ t_x ≤ T",
                             hint="recency is the time from the first to the last purchase, T from the first "
                                  "purchase to the end of calibration")
    customers = float(weights.sum())
    repeaters = float(weights[x > 0].sum())
    if customers < MIN_CUSTOMERS:
        raise ParameterError(f"BG/NBD needs at least {MIN_CUSTOMERS} customers; the calibration period has "
                             f"{customers:g}", hint="use a longer calibration period or more data")
    if repeaters < MIN_REPEAT_BUYERS:
        raise ParameterError(f"BG/NBD needs at least {MIN_REPEAT_BUYERS} repeat buyers to estimate drop-out; "
                             f"the calibration period has {repeaters:g} of {customers:g} customers",
                             hint="use a longer calibration period (customers need time to buy again)")
    if float(np.ptp(T)) == 0.0 and float(np.ptp(x)) == 0.0:
        raise ParameterError("every customer has the same purchase history: nothing varies to fit BG/NBD",
                             hint="check the order data (same purchases for everyone?)")


def fit(x: Array, t_x: Array, T: Array, weights: Array | None = None) -> BgNbdFit:
    """Fit BG/NBD by maximum likelihood.

    Args:
        x: repeat purchases per customer in the calibration period.
        t_x: time of the last purchase since the first (0 without repeats).
        T: time from the first purchase to the end of calibration.
        weights: customers per row (default 1 each).

    Returns:
        The parameters, the maximised log-likelihood and counts.

    Raises:
        ParameterError: too few customers or repeat buyers, no variation, or no convergence.
    """
    x = np.asarray(x, dtype=float)
    t_x = np.asarray(t_x, dtype=float)
    T = np.asarray(T, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    _check(x, t_x, T, w)
    total = float(w.sum())
    scale = float(np.average(T, weights=w)) or 1.0  # α is in the time unit: start it near the typical T

    def objective(theta: Array) -> float:
        value = -float(np.dot(w, log_likelihood(tuple(np.exp(theta)), x, t_x, T))) / total
        return value if math.isfinite(value) else 1e300

    best: optimize.OptimizeResult | None = None
    for start in ((1.0, scale, 1.0, 1.0), (0.5, scale / 4, 0.5, 2.0), (2.0, scale, 2.0, 0.5)):
        found = optimize.minimize(objective, np.log(start), method="L-BFGS-B",
                                  bounds=[(-20.0, 20.0)] * 4, options={"maxiter": 2000, "ftol": 1e-14,
                                                                      "gtol": 1e-9})
        if best is None or found.fun < best.fun:
            best = found
    assert best is not None
    theta = np.asarray(best.x)
    if not math.isfinite(best.fun) or best.fun >= 1e299 or np.any(np.abs(theta) >= 19.9):
        raise ParameterError("the BG/NBD fit did not converge (a parameter ran to its bound)",
                             hint="the data may not fit the model: too short a calibration period, or "
                                  "purchases too regular; try another calibration end or time unit")
    r, alpha, a, b = (float(v) for v in np.exp(theta))
    ll = float(np.dot(w, log_likelihood((r, alpha, a, b), x, t_x, T)))
    return BgNbdFit(r=r, alpha=alpha, a=a, b=b, log_likelihood=ll, customers=total,
                    repeat_buyers=float(w[x > 0].sum()), iterations=int(best.nit))


def probability_alive(fit: BgNbdFit, x: Array, t_x: Array, T: Array) -> Array:
    """P(alive at T | x, t_x, T) = 1 / (1 + [x>0] a/(b+x−1) ((α+T)/(α+t_x))^(r+x)) (FHL 2005, eq. 11).

    A customer who never bought again is certainly alive in this model (drop-out happens only at a purchase):

    >>> f = BgNbdFit(0.243, 4.414, 0.793, 2.426, 0.0, 1, 1, 0)
    >>> float(probability_alive(f, np.array([0.0]), np.array([0.0]), np.array([39.0]))[0])
    1.0
    """
    x = np.asarray(x, dtype=float)
    log_odds = np.full_like(x, -np.inf)
    rep = x > 0
    xr = x[rep]
    log_odds[rep] = (math.log(fit.a) - np.log(fit.b + xr - 1)
                     + (fit.r + xr) * (np.log(fit.alpha + np.asarray(T, float)[rep])
                                       - np.log(fit.alpha + np.asarray(t_x, float)[rep])))
    result: Array = special.expit(-log_odds)
    return result


def expected_purchases(fit: BgNbdFit, t: float, x: Array, t_x: Array, T: Array) -> Array:
    """E[purchases in (T, T+t] | x, t_x, T] (FHL 2005, eq. 10):

    (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive)

    >>> f = BgNbdFit(0.243, 4.414, 0.793, 2.426, 0.0, 1, 1, 0)
    >>> round(float(expected_purchases(f, 39.0, np.array([2.0]), np.array([30.43]), np.array([38.86]))[0]), 3)
    1.226
    """
    x = np.asarray(x, dtype=float)
    T = np.asarray(T, dtype=float)
    if t <= 0:
        return np.zeros_like(x)
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    z = t / (alpha + T + t)
    hyper = special.hyp2f1(r + x, b + x, a + b + x - 1, z)
    bracket = 1 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t))) * hyper
    result: Array = (a + b + x - 1) / (a - 1) * bracket * probability_alive(fit, x, t_x, T)
    return result


def expected_purchases_new(fit: BgNbdFit, t: float) -> float:
    """E[X(t)] for a customer just acquired (FHL 2005, eq. 9):
    (a+b−1)/(a−1) [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))].

    >>> round(expected_purchases_new(BgNbdFit(0.243, 4.414, 0.793, 2.426, 0.0, 1, 1, 0), 39.0), 3)
    1.197
    """
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    hyper = float(special.hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    return float((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyper))
