"""`plan` (what `chatlift experiment plan` will call) against hand-worked numbers."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from chatlift.errors import ExperimentError
from chatlift.workspace import Workspace


def test_units_and_duration_for_an_effect() -> None:
    # 20 % baseline, +10 % relative, 2 arms, equal variance p(1−p) in both (the delta method):
    # n = (z₀.₉₇₅ + z₀.₈)²·0.16·(1 + 1.1²)/(0.2²·0.1²) ≈ 6 937.
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    by_hand = z * z * 0.16 * (1 + 1.1**2) / (0.04 * 0.01)
    r = Workspace.plan(baseline=0.2, mde=0.1, daily_units=1_000)
    assert r.units_per_variant is not None and r.total_units is not None
    assert abs(r.units_per_variant - by_hand) < 3  # the far tail adds a unit or two
    assert r.total_units == 2 * r.units_per_variant
    assert r.days == math.ceil(r.total_units / 1_000)
    assert r.power is not None and r.power >= 0.8


def test_detectable_effect_for_a_size() -> None:
    # Absolute, σ = 30, 10 000 units in 2 arms: (z₀.₉₇₅ + z₀.₈)·√(2·900/5 000).
    r = Workspace.plan(baseline=50, standard_deviation=30, units=10_000, relative=False)
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert r.mde == pytest.approx(z * math.sqrt(2 * 900 / 5_000), rel=1e-9)
    assert r.units_per_variant == 5_000


def test_duration_from_traffic_and_days() -> None:
    r = Workspace.plan(baseline=0.1, daily_units=300, days=14, variants=3)
    assert r.units_per_variant == 1_400 and r.days == 14 and r.mde is not None


def test_json_document() -> None:
    document = Workspace.plan(baseline=0.1, mde=0.2).model_dump(mode="json")
    assert document["metric_type"] == "proportion" and document["units_per_variant"] == 4310


@pytest.mark.parametrize(("params", "message"), [
    ({"baseline": 1.5, "mde": 0.1}, "a rate lies strictly between 0 and 1"),
    ({"baseline": 0.1}, "give either mde"),
    ({"baseline": 0.1, "mde": 0.1, "variants": 1}, "at least 2"),
    ({"baseline": 0.1, "mde": 0.1, "target_power": 0.01}, "power = 0.01"),
    ({"baseline": 3, "standard_deviation": -1, "mde": 0.1}, "standard deviation"),
])
def test_bad_plans_are_explained(params: dict[str, float], message: str) -> None:
    with pytest.raises(ExperimentError, match=message):
        Workspace.plan(**params)
