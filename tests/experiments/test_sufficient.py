"""Per-variant sums computed in the database, against the hand-made rows in conftest.py worked by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from chatlift.experiments import ExperimentSpec, experiments_from_mapping
from chatlift.experiments.sufficient import exposure_counts, variant_moments
from chatlift.stats import ArmMoments
from chatlift.workspace import Workspace

from .conftest import EXP


def spec(**changes: Any) -> ExperimentSpec:
    return experiments_from_mapping({"exp": EXP | changes}, "test")["exp"]


def moments(ws: Workspace, metric: str, **changes: Any) -> dict[str, ArmMoments]:
    s = spec(**changes)
    return variant_moments(ws.backend(), s, s.metric(metric), with_covariate=s.covariate_days is not None)


def test_exposure_counts(hand_db: Workspace) -> None:
    counts = exposure_counts(hand_db.backend(), spec())
    assert counts.counted == {"a": 2, "b": 2}  # c1, c2 | c3, c4
    assert counts.outside_dates == 1  # c5
    assert counts.unknown_variants == {"z": 1}  # c6


def test_revenue_per_unit_with_zeros(hand_db: Workspace) -> None:
    # Purchases in [t0, t0 + 7 d): c1 10 (o1; o2 is exactly 7 days later), c2 0 (a quote), c3 30 + 40, c4 0.
    m = moments(hand_db, "revenue")
    assert m["a"] == ArmMoments(2, 10, 100)
    assert m["b"] == ArmMoments(2, 70, 4900)


def test_revenue_with_covariate(hand_db: Workspace) -> None:
    # Covariate: purchases in [t0 − 7 d, t0): c1 5 (o3), everyone else 0. Σyx for a = 10·5.
    m = moments(hand_db, "revenue", covariate_days=7)
    assert m["a"] == ArmMoments(2, 10, 100, covariate_sum=5, covariate_sum_squares=25, main_covariate_sum_product=50)
    assert m["b"] == ArmMoments(2, 70, 4900)


def test_conversion_counts_quotes(hand_db: Workspace) -> None:
    # Any purchase or quote in the window: c1 1, c2 1 (quote), c3 1 (two orders, still 1), c4 0.
    m = moments(hand_db, "conversion")
    assert (m["a"].n, m["a"].sum, m["a"].sum_squares) == (2, 2, 2)
    assert (m["b"].n, m["b"].sum, m["b"].sum_squares) == (2, 1, 1)


def test_questions_and_messages(hand_db: Workspace) -> None:
    # Conversations in the window: c1 2 (k1, k2), c2 0, c3 1 (k3), c4 0 (k4 is before its exposure).
    q = moments(hand_db, "questions")
    assert (q["a"].sum, q["a"].sum_squares, q["b"].sum, q["b"].sum_squares) == (2, 4, 1, 1)
    # Customer messages: c1 2 (m1, m3; m2 is the agent's), c3 1 (m4).
    m = moments(hand_db, "messages")
    assert (m["a"].sum, m["a"].sum_squares, m["b"].sum, m["b"].sum_squares) == (2, 4, 1, 1)


def test_goal_rate(hand_db: Workspace) -> None:
    # trial_started within 7 days: c3 only (c2's is 8 days after its exposure).
    m = moments(hand_db, "goal:trial_started")
    assert (m["a"].sum, m["b"].sum) == (0, 1)


def test_nps_is_the_mean_over_respondents_of_their_codes(hand_db: Workspace) -> None:
    # c1: +100 from its 1 answer (s5 is after its window); c3: (−100 + 0) / 2 = −50 from 2 answers, counted
    # once; c2, c4: no answer (denominator 0). NPS per variant = Σ y / Σ d: a = 100 / 1, b = −50 / 1.
    m = moments(hand_db, "nps")
    assert m["a"] == ArmMoments(2, 100, 10_000, denominator_sum=1, denominator_sum_squares=1,
                                main_denominator_sum_product=100)
    assert m["b"] == ArmMoments(2, -50, 2_500, denominator_sum=1, denominator_sum_squares=1,
                                main_denominator_sum_product=-50)


def test_winsorize_caps_at_the_pooled_percentile(hand_db: Workspace) -> None:
    # Revenue per unit over all four units: 0, 0, 10, 70. The 0.9 quantile (linear interpolation, as
    # quantile_cont and numpy's default): position 0.9·3 = 2.7 → 10 + 0.7·60 = 52. c3's 70 becomes 52.
    m = moments(hand_db, "revenue", winsorize=0.9)
    assert m["a"] == ArmMoments(2, 10, 100)
    assert m["b"].sum == pytest.approx(52)
    assert m["b"].sum_squares == pytest.approx(52 * 52)


def test_as_of_cuts_exposures_and_events(hand_db: Workspace) -> None:
    s = spec()
    m = variant_moments(hand_db.backend(), s, s.metric("revenue"), as_of=datetime(2025, 1, 7))
    # Exposed before 7 January: c1 (a) and c3 (b); c3's orders on the 7th and 8th are not yet in.
    assert m["a"] == ArmMoments(1, 10, 100)
    assert m["b"] == ArmMoments(1, 0, 0)
