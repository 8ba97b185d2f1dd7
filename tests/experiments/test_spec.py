"""Experiment definitions from chatlift.toml: parsing, defaults and error messages."""

from __future__ import annotations

import tomllib
from datetime import datetime
from typing import Any

import pytest

from chatlift.demo import experiment as demo
from chatlift.errors import ConfigError
from chatlift.experiments import DEMO_EXPERIMENT, MetricKind, Unit, experiments_from_mapping
from chatlift.experiments.spec import __doc__ as SPEC_DOC
from chatlift.stats import Alternative, Correction

TOML = """
[experiments.realtime_support]
description = "2-minute first-response target vs. the usual hour"
unit = "customer"
variants = { control = 0.5, realtime = 0.5 }
start = 2025-03-03
end = 2025-06-23
window_days = 112
primary = ["goal:trial_started", "revenue"]
secondary = ["questions", "nps", { metric = "conversion", kinds = ["purchase"] }]
covariate_days = 28
winsorize = 0.99
sequential = true
alpha = 0.05
correction = "bh"
bayesian = true
"""


def test_the_documented_example_parses() -> None:
    assert SPEC_DOC is not None
    example = SPEC_DOC.split("::", 1)[1].split("Metric references")[0]
    specs = experiments_from_mapping(tomllib.loads(example)["experiments"], "docstring")
    assert specs["realtime_support"].sequential


def test_full_definition() -> None:
    spec = experiments_from_mapping(tomllib.loads(TOML)["experiments"], "chatlift.toml")["realtime_support"]
    assert spec.unit is Unit.CUSTOMER
    assert spec.control == "control"
    assert spec.weights == {"control": 0.5, "realtime": 0.5}
    assert spec.start == datetime(2025, 3, 3) and spec.end == datetime(2025, 6, 23)
    assert [m.key for m in spec.metrics] == ["goal:trial_started", "revenue", "questions", "nps", "conversion"]
    assert spec.metric("conversion").order_kinds == ("purchase",)
    assert spec.metric("revenue").order_kinds == ("purchase",)
    assert spec.metric("goal:trial_started").metric is MetricKind.GOAL
    assert (spec.covariate_days, spec.winsorize, spec.sequential, spec.bayesian) == (28, 0.99, True, True)
    assert spec.correction is Correction.BH and spec.alternative is Alternative.TWO_SIDED


def test_defaults_and_list_of_variants() -> None:
    spec = experiments_from_mapping({"x": {"variants": ["a", "b", "c"], "start": "2025-01-01T00:00:00Z",
                                           "primary": "conversion"}}, "f")["x"]
    assert spec.weights == {"a": 1.0, "b": 1.0, "c": 1.0}
    assert (spec.window_days, spec.alpha, spec.correction, spec.sequential) == (28.0, 0.05, Correction.HOLM, False)
    assert spec.start == datetime(2025, 1, 1)  # a zoned time becomes naive UTC


@pytest.mark.parametrize(("body", "message"), [
    ({"variants": ["a"], "primary": ["conversion"]}, "experiments.x: an experiment needs at least two variants"),
    ({"variants": {"a": 1, "b": 0}, "primary": ["conversion"]}, "experiments.x.variants.1.weight"),
    ({"variants": ["a", "b"], "primary": ["revnue"]}, "unknown metric 'revnue'.*Did you mean revenue"),
    ({"variants": ["a", "b"], "primary": ["goal"]}, "needs a goal name"),
    ({"variants": ["a", "b"], "primary": []}, "experiments.x.primary"),
    ({"variants": ["a", "b"], "primary": ["conversion"], "winsorize": 99}, "experiments.x.winsorize = 99"),
    ({"variants": ["a", "b"], "primary": ["conversion"], "end": "2024-01-01T00:00:00"}, "is not after start"),
    ({"variants": ["a", "b"], "primary": ["conversion", "conversion"]}, "listed twice"),
    ({"variants": ["a", "b"], "primary": ["questions"], "sequental": True}, "experiments.x.sequental"),
])
def test_errors_name_file_and_key(body: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        experiments_from_mapping({"x": {"start": "2025-01-01T00:00:00"} | body}, "/etc/chatlift.toml")
    assert info.value.location == "/etc/chatlift.toml"
    assert str(info.value).startswith("/etc/chatlift.toml: experiments.x")


def test_misspelled_field_gets_a_suggestion() -> None:
    with pytest.raises(ConfigError) as info:
        experiments_from_mapping({"x": {"variants": ["a", "b"], "start": "2025-01-01T00:00:00",
                                        "primary": ["nps"], "sequental": True}}, "f")
    assert info.value.hint is not None and info.value.hint.startswith("Did you mean sequential")


def test_an_experiment_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match="experiments.x must be a table"):
        experiments_from_mapping({"x": 3}, "f")


def test_demo_definition_matches_the_generator() -> None:
    spec = DEMO_EXPERIMENT
    assert spec.key == demo.EXPERIMENT_KEY
    assert tuple(v.key for v in spec.variants) == demo.EXPERIMENT_VARIANTS
    assert spec.weights[demo.EXPERIMENT_VARIANTS[1]] == demo.TREATMENT_SHARE
    assert spec.start == demo.EXPERIMENT_START
    assert spec.end is not None
    weeks = (spec.end - spec.start).days / 7
    assert weeks == spec.window_days / 7 == demo.EXPERIMENT_WEEKS
