"""Equality of JSON documents up to floating-point summation order (DuckDB adds in parallel)."""

from __future__ import annotations

import math
from typing import Any


def assert_close(got: Any, expected: Any, *, rel: float = 1e-9, path: str = "$") -> None:
    """``got`` equals ``expected`` key by key and item by item; floats within ``rel`` (or 1e-12 absolute)."""
    if isinstance(expected, dict):
        assert isinstance(got, dict) and got.keys() == expected.keys(), f"{path}: keys {got} != {expected}"
        for key in expected:
            assert_close(got[key], expected[key], rel=rel, path=f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), f"{path}: {got} != {expected}"
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            assert_close(g, e, rel=rel, path=f"{path}[{i}]")
    elif isinstance(expected, float) and isinstance(got, float | int) and not isinstance(got, bool):
        assert math.isclose(got, expected, rel_tol=rel, abs_tol=1e-12), f"{path}: {got} != {expected}"
    else:
        assert got == expected, f"{path}: {got!r} != {expected!r}"
