"""The demo's randomized real-time support experiment (seed 004) must come out covering its true effects.

True effects, from src/chatlift/demo/experiment.py (each a multiplicative lift on the per-unit mean,
zeros included, over each unit's first 16 weeks): questions (conversations) × 1.18, reached
trial_started × 1.30, order revenue × 1.15, NPS (−100/0/+100 per answer) × 1.15. So the relative lifts
are 0.18, 0.30, 0.15 and 0.15. The small demo has ≈ 1 200 units; 100 000 conversations give ≈ 6 200,
enough for intervals that exclude zero for the larger effects (≈ 5 s to generate).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chatlift.demo import experiment as demo
from chatlift.experiments import ExperimentResult
from chatlift.workspace import Workspace, connect

TRUE_LIFT = {
    "questions": demo.QUESTIONS_LIFT - 1,
    "goal:trial_started": demo.TRIAL_LIFT - 1,
    "revenue": demo.REVENUE_LIFT - 1,
    "nps": demo.LOYALTY_LIFT - 1,
}


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("xp") / "demo.duckdb"
    with connect(path, create=True) as ws:
        ws.generate_demo(100_000, seed=42)
        yield ws


@pytest.fixture(scope="module")
def result(demo_ws: Workspace) -> ExperimentResult:
    return demo_ws.analyze("realtime_support")  # the built-in definition: its assignments are stored


def test_units_and_split(result: ExperimentResult) -> None:
    assert result.control == "control"
    assert sum(a.units for a in result.arms) > 5_000
    assert not result.srm.mismatch


@pytest.mark.parametrize("metric", TRUE_LIFT)
def test_interval_covers_the_true_effect(result: ExperimentResult, metric: str) -> None:
    c = result.comparison(metric, "realtime")
    assert c.relative.lower is not None and c.relative.upper is not None
    assert c.relative.lower <= TRUE_LIFT[metric] <= c.relative.upper, (metric, c.relative)


@pytest.mark.parametrize("metric", TRUE_LIFT)
def test_sequential_interval_covers_too(demo_ws: Workspace, metric: str) -> None:
    c = demo_ws.analyze("realtime_support", sequential=True).comparison(metric)
    assert c.relative.lower is not None and c.relative.upper is not None
    assert c.relative.lower <= TRUE_LIFT[metric] <= c.relative.upper


def test_the_large_effects_are_found(result: ExperimentResult) -> None:
    # +30 % trial starts and +18 % questions are several standard errors from zero at this size.
    for metric in ("goal:trial_started", "questions"):
        c = result.comparison(metric)
        assert c.significant and c.better, c.verdict
    assert result.verdict.startswith("realtime wins against control")
