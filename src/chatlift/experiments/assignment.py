"""Deterministic assignment of units to variants, and the record of exposures.

The algorithm (fixed: changing it would move units between arms):

1. digest = SHA-256 of the UTF-8 bytes of ``f"{experiment}:{unit_id}"``;
2. bucket = the first 8 bytes of the digest read as a big-endian unsigned
   integer, divided by 2⁶⁴: a number in [0, 1);
3. with the variants in declared order and weights w_i normalised to sum 1,
   the unit gets the first variant whose cumulative weight w_1 + … + w_i
   exceeds the bucket.

So a unit keeps its variant in every process and release, adding units never
moves anyone, and each experiment splits independently of the others.

An exposure is stored once per (experiment, unit): the first one wins, with
its time, and later calls return it unchanged (also when the stored variant
came from elsewhere, e.g. an imported ``assignments`` file).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa

from chatlift.errors import ExperimentError
from chatlift.experiments.spec import ExperimentSpec
from chatlift.storage.store import Store

_SCALE = float(2**64)


def bucket(experiment: str, unit_id: str) -> float:
    """The unit's position in [0, 1) for ``experiment`` (steps 1–2 of the module docstring).

    SHA-256("realtime_support:c1") starts with the bytes eb 6f …; as a 64-bit fraction 0.9197:

    >>> round(bucket("realtime_support", "c1"), 4)
    0.9197
    """
    digest = hashlib.sha256(f"{experiment}:{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def choose_variant(spec: ExperimentSpec, unit_id: str) -> str:
    """The variant the hash gives ``unit_id`` in ``spec`` (step 3 of the module docstring)."""
    position = bucket(spec.key, unit_id)
    total = sum(v.weight for v in spec.variants)
    cumulative = 0.0
    for variant in spec.variants:
        cumulative += variant.weight / total
        if position < cumulative:
            return variant.key
    return spec.variants[-1].key  # cumulative sums may round to just below 1


@dataclass(frozen=True, slots=True)
class Assignment:
    """A unit's variant in an experiment, and when it was first exposed."""

    experiment: str
    unit_id: str
    variant: str
    assigned_at: datetime  # first exposure, UTC (naive)
    new: bool  # this call recorded the first exposure
    hashed: bool  # the variant is the hash's (false: an exposure stored from elsewhere)

    def to_dict(self) -> dict[str, object]:
        return {"experiment": self.experiment, "unit_id": self.unit_id, "variant": self.variant,
                "assigned_at": self.assigned_at.isoformat(), "new": self.new, "hashed": self.hashed}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def assign(store: Store, spec: ExperimentSpec, unit_ids: Sequence[str], *, at: datetime | None = None,
           record: bool = True) -> list[Assignment]:
    """Variants for ``unit_ids``; with ``record`` their first exposures are stored in ``assignments``.

    Args:
        store: the database.
        spec: the experiment.
        unit_ids: visitor or customer ids (as the spec's unit says).
        at: exposure time (default now, UTC); a zoned time is converted to UTC.
        record: store new exposures (false: only compute, e.g. on a read-only database).

    Returns:
        One `Assignment` per id, in order; a stored exposure is returned as stored.
    """
    if any(not isinstance(u, str) or not u for u in unit_ids):
        raise ExperimentError("a unit id must be a non-empty string",
                              hint=f"give the {spec.unit.value} id as text")
    when = at.astimezone(UTC).replace(tzinfo=None) if at is not None and at.tzinfo else (at or _now())
    if record and store.read_only:
        raise ExperimentError(f"cannot record exposures: {store.path} is open read-only",
                              hint="open the database for writing, or assign with record=False")
    unique = list(dict.fromkeys(unit_ids))
    if not record:
        stored = _stored(store, spec.key, unique)
        return [_result(spec, u, stored.get(u), when) for u in unit_ids]
    with store.transaction():
        stored = _stored(store, spec.key, unique)
        fresh = [u for u in unique if u not in stored]
        if fresh:
            rows = pa.table({
                "experiment": pa.array([spec.key] * len(fresh), pa.string()),
                "unit_id": pa.array(fresh, pa.string()),
                "variant": pa.array([choose_variant(spec, u) for u in fresh], pa.string()),
                "assigned_at": pa.array([when] * len(fresh), pa.timestamp("us")),
            })
            store.append_arrow("assignments", rows)
    return [_result(spec, u, stored.get(u), when) for u in unit_ids]


def _result(spec: ExperimentSpec, unit_id: str, stored: tuple[str, datetime] | None, when: datetime) -> Assignment:
    hashed = choose_variant(spec, unit_id)
    if stored is None:
        return Assignment(spec.key, unit_id, hashed, when, True, True)
    return Assignment(spec.key, unit_id, stored[0], stored[1], False, stored[0] == hashed)


def _stored(store: Store, experiment: str, unit_ids: list[str]) -> dict[str, tuple[str, datetime]]:
    """Stored (variant, assigned_at) per unit id among ``unit_ids``."""
    if not unit_ids:
        return {}
    wanted = pa.table({"unit_id": pa.array(unit_ids, pa.string())})
    store.con.register("_chatlift_units", wanted)
    try:
        rows = store.con.execute(
            "SELECT a.unit_id, a.variant, a.assigned_at FROM assignments a "
            "JOIN _chatlift_units u ON a.unit_id = u.unit_id WHERE a.experiment = ?",
            [experiment],
        ).fetchall()
    finally:
        store.con.unregister("_chatlift_units")
    return {str(u): (str(v), t) for u, v, t in rows}
