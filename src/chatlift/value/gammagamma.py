"""The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo &
Jiang 1999).

A customer's transaction values are Gamma(p, ν) around their own mean p/ν, and
ν ~ Gamma(q, γ) across customers. For a repeat buyer with ``x`` repeat
transactions of mean value ``m`` the density of ``m`` is

    f(m | p, q, γ, x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m^(px−1) x^(px) / (γ + m x)^(px+q)

so, in logs, lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ + m x).
Only customers with x > 0 carry information. The expected spend of a customer,
given their history, is the weighted mean of the population mean γp/(q−1) and
their own mean:

    E[M | x, m] = (q−1)/(px+q−1) · γp/(q−1) + px/(px+q−1) · m = p(γ + x m) / (px + q − 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, special

from chatlift.errors import ParameterError

Array = npt.NDArray[np.float64]

MIN_REPEAT_BUYERS = 5  # three parameters need a few more than three spenders


@dataclass(frozen=True, slots=True)
class GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma parameters."""

    p: float  # shape of one customer's transaction values
    q: float  # shape of the gamma over customers' rate ν
    gamma: float  # scale of that gamma (money)
    log_likelihood: float  # summed over repeat buyers
    customers: float  # repeat buyers used (total weight)
    iterations: int

    @property
    def population_mean(self) -> float | None:
        """γp/(q−1), the mean spend per transaction across customers (none unless q > 1)."""
        return self.gamma * self.p / (self.q - 1) if self.q > 1 else None


def log_likelihood(params: tuple[float, float, float], x: Array, m: Array) -> Array:
    """Per-customer Gamma-Gamma log-density of the mean value ``m`` of ``x`` repeat transactions.

    For p = q = γ = 1, one transaction of 1: Γ(2)/(Γ(1)Γ(1)) · 1 · 1 / 2² = 0.25.

    >>> float(log_likelihood((1.0, 1.0, 1.0), np.array([1.0]), np.array([1.0]))[0])
    -1.3862943611198906
    """
    p, q, gamma = params
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    px = p * x
    result: Array = (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * math.log(gamma)
                     + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(gamma + m * x))
    return result


def fit(x: Array, m: Array, weights: Array | None = None) -> GammaGammaFit:
    """Fit Gamma-Gamma by maximum likelihood on repeat buyers (rows with x = 0 are left out).

    Args:
        x: repeat transactions per customer.
        m: mean value of those repeat transactions (must be > 0 where x > 0).
        weights: customers per row (default 1 each).

    Raises:
        ParameterError: too few repeat buyers, non-positive values, no variation, or no convergence.
    """
    x = np.asarray(x, dtype=float)
    m = np.asarray(m, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    keep = x > 0
    x, m, w = x[keep], m[keep], w[keep]
    buyers = float(w.sum())
    if buyers < MIN_REPEAT_BUYERS:
        raise ParameterError(f"Gamma-Gamma needs at least {MIN_REPEAT_BUYERS} repeat buyers; there are {buyers:g}",
                             hint="use a longer calibration period, or report historical value only")
    if np.any(~np.isfinite(m)) or np.any(m <= 0):
        raise ParameterError("Gamma-Gamma needs a positive mean order value for every repeat buyer",
                             hint="leave out zero-amount orders (or refunds) with the order kinds")
    if float(np.ptp(m)) == 0.0:
        raise ParameterError("every repeat buyer has the same mean order value: nothing varies to fit Gamma-Gamma",
                             hint="report the order value itself instead of a predicted one")
    scale = float(np.average(m, weights=w))

    def objective(theta: Array) -> float:
        value = -float(np.dot(w, log_likelihood(tuple(np.exp(theta)), x, m))) / buyers
        return value if math.isfinite(value) else 1e300

    best: optimize.OptimizeResult | None = None
    for start in ((1.0, 1.0, 1.0), (5.0, 3.0, scale), (2.0, 2.0, scale / 2)):
        found = optimize.minimize(objective, np.log(start), method="L-BFGS-B", bounds=[(-20.0, 20.0)] * 3,
                                  options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9})
        if best is None or found.fun < best.fun:
            best = found
    assert best is not None
    theta = np.asarray(best.x)
    if not math.isfinite(best.fun) or best.fun >= 1e299 or np.any(np.abs(theta) >= 19.9):
        raise ParameterError("the Gamma-Gamma fit did not converge (a parameter ran to its bound)",
                             hint="spend per transaction may not vary between customers enough to fit; report "
                                  "historical order values instead")
    p, q, gamma = (float(v) for v in np.exp(theta))
    ll = float(np.dot(w, log_likelihood((p, q, gamma), x, m)))
    return GammaGammaFit(p=p, q=q, gamma=gamma, log_likelihood=ll, customers=buyers, iterations=int(best.nit))


def expected_order_value(fit: GammaGammaFit, x: Array, m: Array) -> Array:
    """E[spend per transaction | x, m] = p(γ + x m)/(px + q − 1); the population mean γp/(q−1) where x = 0.

    >>> f = GammaGammaFit(6.25, 3.74, 15.44, 0.0, 1, 0)
    >>> [round(float(v), 2) for v in expected_order_value(f, np.array([0.0, 2.0]), np.array([0.0, 20.0]))]
    [35.22, 22.74]
    """
    x = np.asarray(x, dtype=float)
    m = np.where(x > 0, np.asarray(m, dtype=float), 0.0)
    result: Array = fit.p * (fit.gamma + x * m) / (fit.p * x + fit.q - 1)
    return result
