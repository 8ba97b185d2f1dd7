"""Sizing the demo: named sizes, numbers, chunks."""

from __future__ import annotations

import pytest

from chatlift.demo import plan_for
from chatlift.errors import ParameterError


@pytest.mark.parametrize(("size", "conversations"), [("small", 20_000), ("medium", 300_000),
                                                     ("large", 10_000_000), (" Medium ", 300_000),
                                                     (5_000, 5_000), ("12_500", 12_500)])
def test_sizes(size: str | int, conversations: int) -> None:
    assert plan_for(size).conversations == conversations


@pytest.mark.parametrize("size", ["huge", "999", 999, "-5", "1e6", True])
def test_bad_sizes_say_what_is_allowed(size: object) -> None:
    with pytest.raises(ParameterError) as caught:
        plan_for(size)  # type: ignore[arg-type]
    assert "small" in (caught.value.hint or "") and "1,000" in (caught.value.hint or "")


def test_large_is_cut_into_chunks_that_add_up() -> None:
    plan = plan_for("large")
    assert plan.chunks == 50  # 200 000 conversations a chunk
    counts = [plan.chunk_counts(i) for i in range(plan.chunks)]
    assert sum(c[0] for c in counts) == plan.anonymous_visitors
    assert sum(c[1] for c in counts) == plan.existing_customers
    assert sum(c[2] for c in counts) == plan.new_signups
    # person numbers run on without gaps or overlaps from chunk to chunk
    for i in range(1, plan.chunks):
        previous, current = plan.chunk_first_numbers(i - 1), plan.chunk_first_numbers(i)
        assert [c - p for c, p in zip(current, previous)] == list(counts[i - 1])


def test_people_scale_with_conversations() -> None:
    small, medium = plan_for("small"), plan_for("medium")
    assert medium.people == pytest.approx(15 * small.people, rel=0.01)
