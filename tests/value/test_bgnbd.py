"""BG/NBD on the CDNOW sample: the published estimates, an independent likelihood, and failures.

Published (Fader, Hardie & Lee 2005, "Counting your customers the easy way", section 4): on the 2 357
customers with a 39-week calibration period, r = 0.243, α = 4.414, a = 0.793, b = 2.426, log-likelihood
−9582.4.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

import numpy as np
import pytest

from chatlift.errors import ParameterError
from chatlift.value import bgnbd

from .conftest import CDNOW

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LL = -9582.4
LAST_CALIBRATION_DAY = date(1997, 9, 30)  # end of week 39


def summaries() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, t_x, T in weeks, straight from the text file (same-day purchases merged), not through the DB."""
    days: dict[str, set[date]] = defaultdict(set)
    for line in CDNOW.read_text(encoding="ascii").splitlines():
        _, customer, day, _, _ = line.split()
        days[customer].add(date(int(day[:4]), int(day[4:6]), int(day[6:])))
    x, t_x, T = [], [], []
    for bought in days.values():
        first = min(bought)
        calibration = sorted(d for d in bought if d <= LAST_CALIBRATION_DAY)
        x.append(len(calibration) - 1)
        t_x.append((calibration[-1] - first).days / 7)
        T.append((LAST_CALIBRATION_DAY - first).days / 7)
    return np.array(x, float), np.array(t_x, float), np.array(T, float)


def direct_log_likelihood(r: float, alpha: float, a: float, b: float, x: float, t_x: float, T: float) -> float:
    """The paper's equation (6) for one customer, term by term in plain floating point:

    L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
        + δ(x>0) B(a+1, b+x−1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x)).
    """
    def log_beta(p: float, q: float) -> float:
        return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)

    gamma_part = math.exp(math.lgamma(r + x) - math.lgamma(r)) * alpha**r
    first = math.exp(log_beta(a, b + x) - log_beta(a, b)) * gamma_part / (alpha + T) ** (r + x)
    second = 0.0
    if x > 0:
        second = math.exp(log_beta(a + 1, b + x - 1) - log_beta(a, b)) * gamma_part / (alpha + t_x) ** (r + x)
    return math.log(first + second)


def test_the_sample_has_2357_customers_of_whom_946_bought_again() -> None:
    x, _, T = summaries()
    assert len(x) == 2357 and int((x > 0).sum()) == 946 and int(x.sum()) == 2457
    assert T.max() == pytest.approx(272 / 7)


def test_log_likelihood_matches_the_papers_equation_term_by_term() -> None:
    x, t_x, T = summaries()
    r, alpha, a, b = PUBLISHED.values()
    ours = bgnbd.log_likelihood((r, alpha, a, b), x, t_x, T)
    direct = [direct_log_likelihood(r, alpha, a, b, xi, ti, Ti) for xi, ti, Ti in zip(x, t_x, T, strict=True)]
    np.testing.assert_allclose(ours, direct, rtol=1e-10)
    assert float(ours.sum()) == pytest.approx(PUBLISHED_LL, abs=0.1)


def test_fit_reproduces_the_published_cdnow_estimates() -> None:
    fit = bgnbd.fit(*summaries())
    for name, published in PUBLISHED.items():
        assert getattr(fit, name) == pytest.approx(published, rel=0.01), name
    assert fit.log_likelihood == pytest.approx(PUBLISHED_LL, abs=0.1)
    assert fit.customers == 2357 and fit.repeat_buyers == 946


def test_grouped_summaries_fit_the_same_as_one_row_per_customer() -> None:
    x, t_x, T = summaries()
    keys, counts = np.unique(np.stack([x, t_x, T], axis=1), axis=0, return_counts=True)
    grouped = bgnbd.fit(keys[:, 0], keys[:, 1], keys[:, 2], counts.astype(float))
    single = bgnbd.fit(x, t_x, T)
    assert grouped.log_likelihood == pytest.approx(single.log_likelihood, abs=1e-6)
    assert grouped.r == pytest.approx(single.r, rel=1e-4)


def test_predictions_behave() -> None:
    fit = bgnbd.BgNbdFit(**PUBLISHED, log_likelihood=0.0, customers=1, repeat_buyers=1, iterations=0)
    x, t_x, T = np.array([0.0, 3.0, 3.0]), np.array([0.0, 30.0, 5.0]), np.array([39.0, 39.0, 39.0])
    alive = bgnbd.probability_alive(fit, x, t_x, T)
    assert alive[0] == 1.0  # no repeat purchase: no chance to drop out yet
    assert alive[1] > alive[2]  # the same purchases, the last one long ago: less likely alive
    later = bgnbd.expected_purchases(fit, 52.0, x, t_x, T)
    assert np.all(later > bgnbd.expected_purchases(fit, 26.0, x, t_x, T))
    assert bgnbd.expected_purchases(fit, 0.0, x, t_x, T).tolist() == [0.0, 0.0, 0.0]
    # a brand-new customer over a long time: E[X(t)] grows with t and the numbers stay finite
    assert 0 < bgnbd.expected_purchases_new(fit, 10.0) < bgnbd.expected_purchases_new(fit, 1000.0) < math.inf


def test_no_repeat_buyers_is_a_clear_error() -> None:
    x = np.zeros(50)
    with pytest.raises(ParameterError, match="at least 3 repeat buyers") as info:
        bgnbd.fit(x, x, np.linspace(1, 30, 50))
    assert info.value.hint and "longer calibration period" in info.value.hint


def test_too_few_customers_and_no_variation_are_clear_errors() -> None:
    with pytest.raises(ParameterError, match="at least 10 customers"):
        bgnbd.fit(np.array([1.0, 2.0]), np.array([1.0, 2.0]), np.array([3.0, 3.0]))
    same = np.ones(20)
    with pytest.raises(ParameterError, match="same purchase history"):
        bgnbd.fit(same, same, same * 2)
    with pytest.raises(ParameterError, match="0 ≤ t_x ≤ T"):
        bgnbd.fit(np.ones(20), np.full(20, 5.0), np.full(20, 4.0))
