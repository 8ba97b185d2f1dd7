"""Gamma-Gamma on CDNOW's repeat buyers: the published estimates and failures.

Published (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for customer base analysis",
and Fader & Hardie's note "The Gamma-Gamma model of monetary value"): p = 6.25, q = 3.74, γ = 15.44 on the
946 repeat buyers of the 39-week calibration period, m = mean value of their repeat transactions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

import numpy as np
import pytest

from chatlift.errors import ParameterError
from chatlift.value import gammagamma

from .conftest import CDNOW

PUBLISHED = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def repeat_spend() -> tuple[np.ndarray, np.ndarray]:
    """x and mean repeat-day amount of each repeat buyer, straight from the file."""
    days: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for line in CDNOW.read_text(encoding="ascii").splitlines():
        _, customer, day, _, dollars = line.split()
        when = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        if when <= date(1997, 9, 30):
            days[customer][when] += float(dollars)
    x, m = [], []
    for spend in days.values():
        ordered = sorted(spend)
        if len(ordered) > 1:
            x.append(len(ordered) - 1)
            m.append(sum(spend[d] for d in ordered[1:]) / (len(ordered) - 1))
    return np.array(x, float), np.array(m, float)


def test_fit_reproduces_the_published_cdnow_estimates() -> None:
    x, m = repeat_spend()
    assert len(x) == 946
    fit = gammagamma.fit(x, m)
    for name, published in PUBLISHED.items():
        assert getattr(fit, name) == pytest.approx(published, rel=0.01), name
    assert fit.population_mean == pytest.approx(fit.gamma * fit.p / (fit.q - 1))


def test_log_likelihood_matches_the_density_written_out() -> None:
    x, m = repeat_spend()
    p, q, g = PUBLISHED.values()

    def direct(xi: float, mi: float) -> float:  # Γ(px+q)/(Γ(px)Γ(q)) γ^q m^(px−1) x^(px) / (γ + m x)^(px+q)
        return (math.lgamma(p * xi + q) - math.lgamma(p * xi) - math.lgamma(q) + q * math.log(g)
                + (p * xi - 1) * math.log(mi) + p * xi * math.log(xi) - (p * xi + q) * math.log(g + mi * xi))

    np.testing.assert_allclose(gammagamma.log_likelihood((p, q, g), x, m),
                               [direct(a, b) for a, b in zip(x, m, strict=True)], rtol=1e-10)


def test_expected_spend_shrinks_towards_the_population_mean() -> None:
    fit = gammagamma.GammaGammaFit(**PUBLISHED, log_likelihood=0.0, customers=1, iterations=0)
    mean = fit.population_mean
    assert mean is not None
    few, many = gammagamma.expected_order_value(fit, np.array([1.0, 20.0]), np.array([100.0, 100.0]))
    assert mean < few < many < 100.0
    assert gammagamma.expected_order_value(fit, np.array([0.0]), np.array([0.0]))[0] == pytest.approx(mean)


def test_unfittable_spend_is_a_clear_error() -> None:
    with pytest.raises(ParameterError, match="at least 5 repeat buyers"):
        gammagamma.fit(np.array([0.0, 0.0, 1.0]), np.array([0.0, 0.0, 10.0]))
    with pytest.raises(ParameterError, match="same mean order value"):
        gammagamma.fit(np.ones(10), np.full(10, 25.0))
    with pytest.raises(ParameterError, match="positive mean order value"):
        gammagamma.fit(np.ones(10), np.array([0.0, *range(1, 10)]))
