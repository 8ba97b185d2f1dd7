"""Cumulative lift: each point equals a full `analyze(as_of=point)`, computed independently by the library.

The reference is the read-out itself (``Workspace.analyze`` with ``as_of``): the cumulative function
must give the same relative and absolute lifts, standard errors and interval bounds to 1e-9 for the
fixed-horizon (Welch) and the sequential interval, with CUPED and winsorizing on, on the small demo's
realtime_support experiment (≈ 1 200 units over 16 weeks).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from chatlift.errors import ExperimentError
from chatlift.experiments import DEMO_EXPERIMENT, ExperimentSpec, Interval
from chatlift.experiments.cumulative import CumulativeResult, cumulative, weekly_points
from chatlift.workspace import Workspace, connect

from .conftest import EXP

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def small_demo(small_demo_file: Path) -> Iterator[Workspace]:
    with connect(small_demo_file, read_only=True) as ws:
        yield ws


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE * 1e-3)


def assert_same(found: Interval, expected: Interval, what: str) -> None:
    for name in ("lift", "lower", "upper", "standard_error"):
        a, b = getattr(found, name), getattr(expected, name)
        assert _close(a, b), f"{what}: {name} {a!r} != analyze's {b!r}"


def check_against_analyze(ws: Workspace, result: CumulativeResult, at: list[datetime], **overrides: Any) -> None:
    for point in at:
        expected = ws.analyze(result.key, as_of=point, **overrides)
        for c in expected.results:
            if c.metric not in result.metrics:
                continue
            (found,) = [x for x in result.series(c.metric, c.variant) if x.as_of == point]
            assert (found.control_units, found.treatment_units) == (c.control_units, c.treatment_units)
            assert found.method == c.method
            assert_same(found.relative, c.relative, f"{c.metric} relative at {point}")
            assert_same(found.absolute, c.absolute, f"{c.metric} absolute at {point}")


def _points(ws: Workspace) -> list[datetime]:
    (summary,) = [s for s in ws.experiments() if s.key == DEMO_EXPERIMENT.key]
    assert summary.first_exposure is not None and summary.last_exposure is not None
    return weekly_points(summary.first_exposure, summary.last_exposure)


def test_weekly_points_cover_the_exposures(small_demo: Workspace) -> None:
    points = _points(small_demo)
    assert 15 <= len(points) <= 17  # 16 weeks of recruitment
    assert all((b - a).days == 7 for a, b in itertools.pairwise(points[:-1]))
    assert points[-1] > max(s.last_exposure for s in small_demo.experiments() if s.last_exposure)


def test_fixed_horizon_points_equal_analyze_as_of(small_demo: Workspace) -> None:
    points = _points(small_demo)
    result = cumulative(small_demo.backend(), DEMO_EXPERIMENT, points)
    assert result.metrics == ["goal:trial_started", "revenue"]
    assert len(result.lifts) == len(points) * 2  # two primary metrics, one treatment variant
    check_against_analyze(small_demo, result, [points[2], points[8], points[-1]])
    # units only grow as the points move on
    units = [x.control_units + x.treatment_units for x in result.series("revenue", "realtime")]
    assert units == sorted(units) and units[0] > 0


def test_sequential_cuped_and_winsorized_points_equal_analyze(small_demo: Workspace) -> None:
    overrides: dict[str, Any] = {"sequential": True, "covariate_days": 28.0, "winsorize": 0.95}
    spec = ExperimentSpec.model_validate(DEMO_EXPERIMENT.model_dump() | overrides)
    points = _points(small_demo)
    result = cumulative(small_demo.backend(), spec, points, metrics=spec.metrics)
    assert result.method == "sequential"
    assert set(result.metrics) == {"goal:trial_started", "revenue", "questions", "nps", "conversion"}
    check_against_analyze(small_demo, result, [points[5], points[-1]], **overrides)


def test_hand_data_three_variants_and_empty_points(hand_db: Workspace) -> None:
    """On the hand-made experiment, a point before any exposure has no units and no interval."""
    spec = ExperimentSpec.model_validate({"key": "exp", **EXP, "variants": {"a": 1, "b": 1, "z": 1}})
    points = [datetime(2025, 1, 2), datetime(2025, 1, 9), datetime(2025, 1, 21)]
    result = cumulative(hand_db.backend(), spec, points, metrics=spec.metrics)
    first = result.series("revenue", "b")[0]
    assert (first.control_units, first.treatment_units) == (0, 0)
    assert first.relative.lift is None and first.relative.lower is None
    assert {x.variant for x in result.lifts} == {"b", "z"}
    definitions = {"exp": spec}
    for point in points[1:]:
        expected = hand_db.analyze("exp", definitions=definitions, as_of=point)
        for c in expected.results:
            (found,) = [x for x in result.series(c.metric, c.variant) if x.as_of == point]
            assert (found.control_units, found.treatment_units) == (c.control_units, c.treatment_units)
            assert_same(found.relative, c.relative, f"{c.metric}/{c.variant} at {point}")
            assert_same(found.absolute, c.absolute, f"{c.metric}/{c.variant} at {point}")


def test_points_are_checked(hand_db: Workspace) -> None:
    spec = ExperimentSpec.model_validate({"key": "exp", **EXP})
    with pytest.raises(ExperimentError, match="1 to 200 points, not 0"):
        cumulative(hand_db.backend(), spec, [])
