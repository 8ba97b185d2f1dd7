"""How a change is shown: the arrow says which way the number moved, the colour whether that is good."""

from __future__ import annotations

import pytest

from chatlift.metrics import REGISTRY
from chatlift.web.view import Figure


@pytest.mark.parametrize(("key", "change", "arrow", "trend"), [
    ("first_response_time", 5400.0, "▲", "worse"),  # slower: up, and bad
    ("first_response_time", -60.0, "▼", "better"),
    ("csat", 0.02, "▲", "better"),
    ("csat", -0.02, "▼", "worse"),
    ("csat", 0.0, "", "same"),
])
def test_arrow_follows_the_number_and_trend_its_meaning(key: str, change: float, arrow: str, trend: str) -> None:
    figure = Figure(REGISTRY[key], {"value": 1.0, "n": 10, "change": change, "previous_value": 1.0 - change})
    assert (figure.arrow, figure.trend) == (arrow, trend)
