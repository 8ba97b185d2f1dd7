"""The read-out end to end on small hand-made data: statistics from the database sums, verdict rules, JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from scipy import stats

from chatlift.errors import ExperimentError
from chatlift.experiments import ExperimentSpec, experiments_from_mapping
from chatlift.workspace import Workspace, connect

from .conftest import EXP


def make(tmp_path: Path, control: int, treatment: int, converted_c: int, converted_t: int) -> Workspace:
    """``control``/``treatment`` units exposed on 2 January; the first ``converted_*`` of each buy on the 3rd."""
    ws = connect(tmp_path / "a.duckdb", create=True)
    ws.store.con.execute(f"""
        INSERT INTO assignments SELECT 'exp', 'a' || i, 'a', TIMESTAMP '2025-01-02' FROM range({control}) t(i);
        INSERT INTO assignments SELECT 'exp', 'b' || i, 'b', TIMESTAMP '2025-01-02' FROM range({treatment}) t(i);
        INSERT INTO orders (order_id, ordered_at, amount, currency, customer_id, kind)
          SELECT 'oa' || i, TIMESTAMP '2025-01-03', 10 + i % 7, 'EUR', 'a' || i, 'purchase' FROM range({converted_c}) t(i);
        INSERT INTO orders (order_id, ordered_at, amount, currency, customer_id, kind)
          SELECT 'ob' || i, TIMESTAMP '2025-01-03', 10 + i % 5, 'EUR', 'b' || i, 'purchase' FROM range({converted_t}) t(i);
    """)
    return ws


def defs(**changes: Any) -> dict[str, ExperimentSpec]:
    return experiments_from_mapping({"exp": EXP | {"secondary": []} | changes}, "test")


def test_numbers_match_an_independent_computation(tmp_path: Path) -> None:
    # 500 vs 500 units, 50 vs 80 conversions. Relative lift 0.6; by hand (delta method, p(1−p) per arm):
    # var = 0.16·0.84/(0.1²·500) + 0.1·0.9·0.16²/(0.1⁴·500) = 0.02688 + 0.04608.
    with make(tmp_path, 500, 500, 50, 80) as ws:
        r = ws.analyze("exp", definitions=defs())
        c = r.comparison("conversion")
    se = math.sqrt(0.16 * 0.84 / (0.01 * 500) + 0.1 * 0.9 * 0.0256 / (0.0001 * 500))
    dof = (0.09 / 500 + 0.1344 / 500) ** 2 / ((0.09 / 500) ** 2 / 499 + (0.1344 / 500) ** 2 / 499)
    assert c.relative.lift == pytest.approx(0.6)
    assert c.relative.standard_error == pytest.approx(se, rel=1e-9)
    assert c.p_value == pytest.approx(2 * stats.t.sf(0.6 / se, dof), rel=1e-9)
    assert c.absolute.lift == pytest.approx(0.06)
    assert c.p_values["greater"] == pytest.approx(stats.t.sf(0.6 / se, dof), rel=1e-9)
    # Two comparisons (revenue, conversion) under Holm: the smaller p doubles, the larger is max(p, that).
    ps = sorted([r.comparison("revenue").p_value or 1, c.p_value or 1])
    assert min(r.comparison("revenue").p_value_adjusted or 1, c.p_value_adjusted or 1) == pytest.approx(2 * ps[0])
    assert r.srm.p_value == 1.0 and not r.srm.mismatch


def test_a_significant_primary_metric_wins(tmp_path: Path) -> None:
    with make(tmp_path, 400, 400, 40, 120) as ws:
        r = ws.analyze("exp", definitions=defs())
    c = r.comparison("conversion")
    assert c.significant and c.better
    assert "significantly better" in c.verdict
    assert r.verdict.startswith("b wins against a: significantly better on")
    assert any("Fixed-horizon test" in n and "sequential = true" in n for n in r.notes)


def test_no_winner_without_significance(tmp_path: Path) -> None:
    with make(tmp_path, 300, 300, 30, 36) as ws:
        r = ws.analyze("exp", definitions=defs())
    assert not any(c.significant for c in r.results)
    assert "win" not in r.verdict.replace("No winner yet", "")
    assert r.verdict.startswith("No winner yet for b")
    assert all(c.verdict.startswith("No significant difference") for c in r.results)


def test_a_sample_ratio_mismatch_blocks_every_verdict(tmp_path: Path) -> None:
    with make(tmp_path, 300, 420, 30, 200) as ws:
        r = ws.analyze("exp", definitions=defs())
    # 300 vs 420 on 50/50: χ² = 2·60²/360 = 20, p = 7.7e-6 (scipy.stats.chi2.sf(20, 1)).
    assert r.srm.chi_square == pytest.approx(20.0)
    assert r.srm.p_value == pytest.approx(stats.chi2.sf(20.0, 1))
    assert r.srm.mismatch
    assert r.verdict.startswith("No verdict: sample ratio mismatch")
    assert [w.code for w in r.warnings] == ["sample_ratio_mismatch"]
    assert all(not c.significant and c.verdict.startswith("No verdict") for c in r.results)


def test_sequential_and_bayesian_overrides(tmp_path: Path) -> None:
    with make(tmp_path, 500, 500, 50, 80) as ws:
        fixed = ws.analyze("exp", definitions=defs()).comparison("conversion")
        r = ws.analyze("exp", definitions=defs(), sequential=True, bayesian=True)
    c = r.comparison("conversion")
    assert r.method == c.method == "sequential"
    assert (c.relative.upper or 0) - (c.relative.lower or 0) > (fixed.relative.upper or 0) - (fixed.relative.lower or 0)
    # Flat prior: Φ(lift / se) with the delta-method se worked out in the first test.
    assert c.chance_to_win == pytest.approx(stats.norm.cdf(0.6 / math.sqrt(0.02688 + 0.04608)), rel=1e-9)
    assert "Chance that b is better" in c.verdict
    assert any("Sequential testing is on" in n for n in r.notes)


def test_bad_override_is_an_experiment_error(tmp_path: Path) -> None:
    with make(tmp_path, 10, 10, 1, 1) as ws:
        with pytest.raises(ExperimentError, match="unknown experiment setting 'sequentail'"):
            ws.analyze("exp", definitions=defs(), sequentail=True)
        with pytest.raises(ExperimentError, match="alpha"):
            ws.analyze("exp", definitions=defs(), alpha=2)


def test_too_little_data_is_a_warning_not_an_error(tmp_path: Path) -> None:
    with make(tmp_path, 1, 1, 0, 1) as ws:
        r = ws.analyze("exp", definitions=defs())
    c = r.comparison("conversion")
    assert c.p_value is None and not c.significant
    assert [w.code for w in c.warnings] == ["too_few_units"]
    assert r.verdict == "No verdict: there is not enough data to test any primary metric yet."


def test_result_serialises_to_json(tmp_path: Path) -> None:
    with make(tmp_path, 50, 50, 5, 9) as ws:
        r = ws.analyze("exp", definitions=defs(alternative="greater"))
    document = json.loads(r.model_dump_json())
    conversion = next(c for c in document["results"] if c["metric"] == "conversion")
    assert conversion["relative"]["upper"] is None  # the open side of a one-sided interval
    assert set(conversion["p_values"]) == {"two_sided", "greater", "less"}
    assert document["srm"]["mismatch"] is False


def test_experiments_lists_declared_and_stored(tmp_path: Path) -> None:
    with make(tmp_path, 3, 2, 0, 0) as ws:
        ws.store.con.execute("INSERT INTO assignments VALUES ('stray', 'x', 'v', '2025-01-01 00:00:00')")
        listed = {e.key: e for e in ws.experiments(defs())}
        assert listed["exp"].declared and listed["exp"].variants == {"a": 3, "b": 2}
        assert not listed["stray"].declared
        with pytest.raises(ExperimentError, match="no definition") as info:
            ws.analyze("stray", definitions=defs())
        assert info.value.hint is not None and "[experiments.stray]" in info.value.hint
