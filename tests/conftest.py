"""Fixtures shared by every test package."""

from __future__ import annotations

from pathlib import Path

import pytest

import chatlift


@pytest.fixture(scope="session")
def small_demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo (about 20 000 conversations of 2025, seed 7), generated once per run.
    Shared: open it read-only, or copy it before writing."""
    path = tmp_path_factory.mktemp("small-demo") / "demo.duckdb"
    with chatlift.connect(path, create=True) as ws:
        ws.generate_demo("small", seed=7)
    return path


@pytest.fixture(scope="session")
def demo_1500_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo of 1 500 conversations (seed 42), generated once per run: enough for every metric to have
    rows, small enough to ask the whole catalogue many times. Shared: open it read-only, or copy it before
    writing."""
    path = tmp_path_factory.mktemp("demo-1500") / "demo.duckdb"
    with chatlift.connect(path, create=True) as ws:
        ws.generate_demo(1500)
    return path
