"""Vectorised helpers for ragged data: rows that come in groups of varying size."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Int64s = npt.NDArray[np.int64]


def owners(counts: npt.ArrayLike) -> Int64s:
    """Group number of every row when group ``i`` has ``counts[i]`` rows.

    >>> owners([2, 0, 1]).tolist()
    [0, 0, 2]
    """
    c = np.asarray(counts, dtype=np.int64)
    return np.repeat(np.arange(len(c), dtype=np.int64), c)


def positions(counts: npt.ArrayLike) -> Int64s:
    """Position of every row inside its group (0, 1, … per group).

    >>> positions([2, 0, 3]).tolist()
    [0, 1, 0, 1, 2]
    """
    c = np.asarray(counts, dtype=np.int64)
    starts = np.cumsum(c) - c
    return np.arange(int(c.sum()), dtype=np.int64) - np.repeat(starts, c)


def first_in_group(group: Int64s, mask: npt.NDArray[np.bool_], groups: int) -> Int64s:
    """Index of the first row of each group where ``mask`` holds, -1 where none.

    Rows must be sorted by ``group``.

    >>> first_in_group(np.array([0, 0, 1, 2]), np.array([False, True, False, True]), 3).tolist()
    [1, -1, 3]
    """
    out = np.full(groups, -1, dtype=np.int64)
    idx = np.flatnonzero(mask)
    g = group[idx]
    keep = np.ones(len(g), dtype=bool)
    keep[1:] = g[1:] != g[:-1]
    out[g[keep]] = idx[keep]
    return out


def pick_in_group(rng: np.random.Generator, starts: Int64s, counts: Int64s) -> Int64s:
    """A random row index from each group given by ``starts`` and ``counts`` (count > 0)."""
    return starts + (rng.random(len(starts)) * counts).astype(np.int64)


def truncated_exponential(rng: np.random.Generator, mean: float, limit: float, size: int) -> npt.NDArray[
    np.float64
]:
    """Exponential draws with the given ``mean``, conditioned on being below ``limit``."""
    u = rng.random(size)
    return np.asarray(-mean * np.log1p(-u * (1.0 - np.exp(-limit / mean))), dtype=np.float64)


def lognormal(rng: np.random.Generator, mean: float | npt.NDArray[np.float64], sigma: float, size: int) -> (
    npt.NDArray[np.float64]
):
    """Log-normal draws with the given arithmetic ``mean`` and log-sd ``sigma``."""
    return np.asarray(mean) * np.exp(rng.normal(-sigma * sigma / 2.0, sigma, size))


_SPAN = 1 << 26  # seconds per person in a combined (person, time) key: more than two years


def count_within(
    person: Int64s, t: Int64s, event_person: Int64s, event_t: Int64s, lo: int, hi: int
) -> Int64s:
    """For each query row, how many events of the same person fall in ``[t + lo, t + hi)``.

    Times are microseconds since START and are compared at one-second
    resolution; persons are small non-negative integers (rows of one chunk).

    >>> count_within(np.array([0, 1]), np.array([0, 0]), np.array([0, 0, 1]),
    ...              np.array([5_000_000, 9_000_000, 20_000_000]), 0, 10_000_000).tolist()
    [2, 0]
    """
    def key(p: Int64s, when: Int64s) -> Int64s:
        seconds = np.clip(np.asarray(when, dtype=np.int64) // 1_000_000, 0, _SPAN - 1)
        return np.asarray(p, dtype=np.int64) * _SPAN + seconds

    keys = np.sort(key(event_person, event_t))
    start = np.searchsorted(keys, key(person, t + lo), side="left")
    stop = np.searchsorted(keys, key(person, t + hi), side="left")
    return (stop - start).astype(np.int64)
