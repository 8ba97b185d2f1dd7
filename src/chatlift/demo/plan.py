"""How big the demo dataset is, and how it is cut into chunks."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from chatlift.demo.demand import Demand
from chatlift.demo.people import ANONYMOUS, CONVERSATION_SHARE, EXISTING, NEW, expected_conversations
from chatlift.errors import ParameterError

SIZES: dict[str, int] = {"small": 20_000, "medium": 300_000, "large": 10_000_000}
"""Named sizes, in conversations per year."""

MIN_CONVERSATIONS = 1_000
CONVERSATIONS_PER_CHUNK = 200_000  # ≈ 600 000 messages per chunk: a few tens of MB at a time

CHUNK_TABLES = (
    "conversations",
    "messages",
    "orders",
    "goals",
    "cart_events",
    "visits",
    "survey_responses",
    "subscriptions",
    "assignments",
)
"""Tables yielded once per chunk, in this order; ``costs`` follows once at the end."""


@dataclass(frozen=True, slots=True)
class DemoPlan:
    """The shape of one demo dataset.

    The population is sized so that the expected number of conversations is
    ``conversations`` (the realised count is within about 1 %); people are split
    evenly over ``chunks``, each generated and yielded on its own.
    """

    size: str  # the name asked for ("small" …) or the number as text
    conversations: int  # target conversations in the year
    anonymous_visitors: int
    existing_customers: int
    new_signups: int
    chunks: int  # chunks of people

    @property
    def people(self) -> int:
        return self.anonymous_visitors + self.existing_customers + self.new_signups

    @property
    def total_chunks(self) -> int:
        """Number of ``(table, chunk)`` pairs `generate` yields."""
        return self.chunks * len(CHUNK_TABLES) + 1

    def chunk_counts(self, index: int) -> tuple[int, int, int]:
        """Anonymous, existing and new people in chunk ``index``."""
        return (
            _share(self.anonymous_visitors, self.chunks, index),
            _share(self.existing_customers, self.chunks, index),
            _share(self.new_signups, self.chunks, index),
        )

    def chunk_first_numbers(self, index: int) -> tuple[int, int, int]:
        """Global person number of the first anonymous, existing and new person of chunk ``index``."""
        a = sum(_share(self.anonymous_visitors, self.chunks, i) for i in range(index))
        e = sum(_share(self.existing_customers, self.chunks, i) for i in range(index))
        n = sum(_share(self.new_signups, self.chunks, i) for i in range(index))
        return a, self.anonymous_visitors + e, self.anonymous_visitors + self.existing_customers + n


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


@lru_cache(maxsize=1)
def _per_person() -> dict[int, float]:
    return expected_conversations(Demand.build("signup"))


def plan_for(size: str | int) -> DemoPlan:
    """The plan for a named size or a number of conversations.

    Args:
        size: ``"small"`` (20 000 conversations), ``"medium"`` (300 000),
            ``"large"`` (10 000 000), or a whole number ≥ 1 000 (also as text).

    Returns:
        The `DemoPlan`.

    Raises:
        ParameterError: for an unknown name or a number below 1 000.

    >>> plan_for("small").conversations
    20000
    """
    conversations = _conversations(size)
    per_person = _per_person()
    counts = {
        kind: max(1, round(conversations * CONVERSATION_SHARE[kind] / per_person[kind]))
        for kind in (ANONYMOUS, EXISTING, NEW)
    }
    chunks = max(1, -(-conversations // CONVERSATIONS_PER_CHUNK))
    return DemoPlan(
        size=str(size),
        conversations=conversations,
        anonymous_visitors=counts[ANONYMOUS],
        existing_customers=counts[EXISTING],
        new_signups=counts[NEW],
        chunks=chunks,
    )


def _conversations(size: str | int) -> int:
    hint = (
        f"use one of {', '.join(f'{k} ({v:,} conversations)' for k, v in SIZES.items())}, "
        f"or a whole number of conversations ≥ {MIN_CONVERSATIONS:,}"
    )
    if isinstance(size, bool):
        raise ParameterError(f"demo size must be a name or a number, not {size!r}", hint=hint)
    if isinstance(size, int):
        n = size
    elif isinstance(size, str) and size.strip().lower() in SIZES:
        return SIZES[size.strip().lower()]
    elif isinstance(size, str) and size.strip().replace("_", "").isdigit():
        n = int(size.strip().replace("_", ""))
    else:
        raise ParameterError(f"unknown demo size {size!r}", hint=hint)
    if n < MIN_CONVERSATIONS:
        raise ParameterError(f"demo size {n:,} is below the minimum of {MIN_CONVERSATIONS:,} conversations", hint=hint)
    return n
