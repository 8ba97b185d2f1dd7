"""Every published reference vector in data/experiment-vectors.json, at its stated tolerance.

The vectors come from the unit tests of GrowthBook's stats engine (gbstats and the
TypeScript power/correction code, commit 8f1db44); their `about`, `conventions` and
per-vector `notes` say how each number is defined. A number is compared after rounding
both sides to the vector's `round_decimals`, as the upstream tests do.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from chatlift.stats import (
    Alternative,
    ArmMoments,
    Difference,
    MetricAssumption,
    StatisticKind,
    bayes_normal,
    benjamini_hochberg,
    estimate_effect,
    holm,
    lift_variance,
    minimum_detectable_effect,
    power,
    sequential_test,
    srm_test,
    welch_t_test,
)

VECTORS_FILE = Path(__file__).resolve().parent / "data" / "experiment-vectors.json"  # see data/README.md
DATA: dict[str, Any] = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))
VECTORS: dict[str, dict[str, Any]] = {v["id"]: v for v in DATA["vectors"]}


def close(actual: float, expected: float | str, decimals: int) -> bool:
    if expected == "inf":
        return actual == math.inf
    assert isinstance(expected, int | float)
    return round(actual, decimals) == round(expected, decimals)


def arm(inputs: dict[str, Any], kind: StatisticKind) -> ArmMoments:
    if kind is StatisticKind.PROPORTION:
        return ArmMoments.proportion(inputs["n"], inputs["sum"])
    return ArmMoments(inputs["n"], inputs["sum"], inputs["sum_squares"])


def row_arm(row: dict[str, Any]) -> ArmMoments:
    """An arm from gbstats query-output column names."""
    return ArmMoments(
        n=row["users"], sum=row["main_sum"], sum_squares=row["main_sum_squares"],
        denominator_sum=row.get("denominator_sum", 0.0),
        denominator_sum_squares=row.get("denominator_sum_squares", 0.0),
        main_denominator_sum_product=row.get("main_denominator_sum_product", 0.0),
        covariate_sum=row.get("covariate_sum", 0.0), covariate_sum_squares=row.get("covariate_sum_squares", 0.0),
        main_covariate_sum_product=row.get("main_covariate_sum_product", 0.0),
    )


def rows_by_variation(vector: dict[str, Any]) -> tuple[ArmMoments, ArmMoments]:
    rows = {r["variation"]: r for r in vector["inputs"]["rows"]}
    control, treatment = vector["inputs"]["variation_order"]
    return row_arm(rows[control]), row_arm(rows[treatment])


# The vector ids the tests below reproduce; a new vector in the file fails this until it is covered.
COVERED = {
    "prop_freq_two_sided_relative", "mean_ttest_relative", "mean_ttest_one_sided_greater",
    "ratio_freq_delta_method", "cuped_mean_freq", "sequential_mean", "bayes_proportion_ctw", "srm_chi_square",
    "power_pre_experiment_ts", "multiple_testing_corrections_ts",
}


def test_every_vector_is_covered() -> None:
    assert set(VECTORS) == COVERED


@pytest.mark.parametrize("vector_id", ["prop_freq_two_sided_relative", "mean_ttest_relative",
                                       "mean_ttest_one_sided_greater"])
def test_frequentist_t_test(vector_id: str) -> None:
    v = VECTORS[vector_id]
    kind = StatisticKind(v["inputs"]["statistic"])
    settings, expected, dp = v["settings"], v["expected"], v["tolerance"]["round_decimals"]
    effect = estimate_effect(arm(v["inputs"]["control"], kind), arm(v["inputs"]["treatment"], kind), kind,
                             difference=Difference(settings["difference_type"]))
    alternative = Alternative.TWO_SIDED if settings["two_sided"] else Alternative.GREATER
    result = welch_t_test(effect, alpha=settings["alpha"], alternative=alternative)
    assert close(effect.point, expected["lift"], dp)
    assert close(effect.standard_error, expected["se"], dp)
    assert close(result.lower, expected["ci"][0], dp)
    assert close(result.upper, expected["ci"][1], dp)
    assert close(result.p_value, expected["p_value"], dp)


def test_ratio_metric_delta_method() -> None:
    v = VECTORS["ratio_freq_delta_method"]
    expected, dp = v["expected"], v["tolerance"]["round_decimals"]
    control, treatment = rows_by_variation(v)
    effect = estimate_effect(control, treatment, StatisticKind.RATIO)
    result = welch_t_test(effect, alpha=v["settings"]["alpha"])
    assert close(effect.control_mean, expected["control_mean"], dp)
    assert close(effect.treatment_mean, expected["treatment_mean"], dp)
    assert close(effect.point, expected["lift"], dp)
    assert close(result.p_value, expected["p_value"], dp)


def test_cuped_regression_adjustment() -> None:
    v = VECTORS["cuped_mean_freq"]
    expected, dp = v["expected"], v["tolerance"]["round_decimals"]
    control, treatment = rows_by_variation(v)
    effect = estimate_effect(control, treatment, StatisticKind.MEAN, use_covariate=True)
    result = welch_t_test(effect, alpha=v["settings"]["alpha"])
    assert close(effect.control_mean, expected["control_mean_unadjusted"], dp)
    assert close(effect.treatment_mean, expected["treatment_mean_unadjusted"], dp)
    assert close(effect.point, expected["lift"], dp)
    assert close(result.p_value, expected["p_value"], dp)


def test_sequential_confidence_sequence() -> None:
    v = VECTORS["sequential_mean"]
    settings, expected, dp = v["settings"], v["expected"], v["tolerance"]["round_decimals"]
    kind = StatisticKind(v["inputs"]["statistic"])
    effect = estimate_effect(arm(v["inputs"]["control"], kind), arm(v["inputs"]["treatment"], kind), kind)
    result = sequential_test(effect, alpha=settings["alpha"], tuning=settings["sequential_tuning_parameter"])
    assert close(effect.point, expected["lift"], dp)
    assert close(effect.standard_error, expected["se"], dp)
    assert close(result.lower, expected["ci"][0], dp)
    assert close(result.upper, expected["ci"][1], dp)
    assert close(result.p_value, expected["p_value"], dp)


def test_bayesian_chance_to_win_and_risk() -> None:
    v = VECTORS["bayes_proportion_ctw"]
    expected, dp = v["expected"], v["tolerance"]["round_decimals"]
    kind = StatisticKind.PROPORTION
    effect = estimate_effect(arm(v["inputs"]["control"], kind), arm(v["inputs"]["treatment"], kind), kind)
    result = bayes_normal(effect, alpha=v["settings"]["alpha"])
    assert close(effect.point, expected["lift"], dp)
    assert close(effect.standard_error, expected["se"], dp)
    assert close(result.lower, expected["ci"][0], dp)
    assert close(result.upper, expected["ci"][1], dp)
    assert close(result.chance_to_win, expected["chance_to_win"], dp)
    assert close(result.risk_control, expected["risk"][0], dp)
    assert close(result.risk_treatment, expected["risk"][1], dp)


SRM_CASES = VECTORS["srm_chi_square"]["inputs"]["cases"]


@pytest.mark.parametrize("case", SRM_CASES, ids=[str(c["users"]) for c in SRM_CASES])
def test_sample_ratio_mismatch(case: dict[str, Any]) -> None:
    # Arms with weight 0 are left out (the TypeScript convention, which the ts_only case pins).
    dp = VECTORS["srm_chi_square"]["tolerance"]["round_decimals"]
    result = srm_test(case["users"], case["weights"])
    assert close(result.p_value, case["expected_p"], dp)


def test_power_and_mde() -> None:
    v = VECTORS["power_pre_experiment_ts"]
    inputs, expected, dp = v["inputs"], v["expected"], v["tolerance"]["round_decimals"]
    settings = v["settings"]
    m = inputs["metric"]
    metric = MetricAssumption.mean_metric(m["mean"], m["standard_deviation"])
    per_arm = inputs["n_total"] / inputs["n_variations"]
    tuning = settings["sequential_tuning_parameter"]
    alpha, target = settings["alpha"], settings["target_power"]
    assert close(power(metric, m["effect_size"], per_arm, alpha=alpha), expected["power"], dp)
    assert close(minimum_detectable_effect(metric, per_arm, alpha=alpha, target_power=target) or math.nan,
                 expected["mde"], dp)
    assert close(power(metric, m["effect_size"], per_arm, alpha=alpha, sequential_tuning=tuning),
                 expected["power_sequential"], dp)
    assert close(minimum_detectable_effect(metric, per_arm, alpha=alpha, target_power=target,
                                           sequential_tuning=tuning) or math.nan, expected["mde_sequential"], dp)
    assert close(lift_variance(2, 7, 4, 0.5, 5, 15, relative=False), expected["delta_method_variance_absolute"], dp)
    assert close(lift_variance(2, 7, 4, 0.5, 5, 15, relative=True), expected["delta_method_variance_relative"], dp)


@pytest.mark.parametrize("sequential", [False, True], ids=["fixed", "sequential"])
def test_weekly_power_and_mde(sequential: bool) -> None:
    v = VECTORS["power_pre_experiment_ts"]
    weekly, expected, dp = v["inputs"]["weekly"], v["expected"], v["tolerance"]["round_decimals"]
    tuning = v["settings"]["sequential_tuning_parameter"] if sequential else None
    powers, mdes = [], []
    for week in range(1, weekly["n_weeks"] + 1):
        per_arm = weekly["users_per_week"] * week / weekly["n_variations"]
        for params in weekly["metrics"].values():  # [CTR, revenue] per week, as the vector interleaves them
            metric = (MetricAssumption.proportion(params["conversion_rate"]) if params["type"] == "binomial"
                      else MetricAssumption.mean_metric(params["mean"], params["standard_deviation"]))
            powers.append(power(metric, params["effect_size"], per_arm, sequential_tuning=tuning))
            mdes.append(minimum_detectable_effect(metric, per_arm, sequential_tuning=tuning) or math.nan)
    suffix = "sequential" if sequential else "fixed"
    assert [round(p, dp) for p in powers] == [round(p, dp) for p in expected[f"weekly_power_{suffix}"]]
    assert [round(m, dp) for m in mdes] == [round(m, dp) for m in expected[f"weekly_mde_{suffix}"]]


def test_multiple_testing_corrections() -> None:
    v = VECTORS["multiple_testing_corrections_ts"]
    inputs, expected, dp = v["inputs"], v["expected"], v["tolerance"]["round_decimals"]
    assert [round(p, dp) for p in holm(inputs["holm_input"])] == [round(p, dp) for p in expected["holm_adjusted"]]
    assert [round(p, dp) for p in benjamini_hochberg(inputs["bh_input"])] == \
        [round(p, dp) for p in expected["bh_adjusted"]]
    assert [round(p, dp) for p in holm(inputs["two_metric_input"])] == expected["two_metric_holm"]
    assert [round(p, dp) for p in benjamini_hochberg(inputs["two_metric_input"])] == expected["two_metric_bh"]

