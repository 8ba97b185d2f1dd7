"""The medium demo database the benchmarks share (bench/.data/medium.duckdb), built once when missing."""

from __future__ import annotations

from pathlib import Path

import chatlift

MEDIUM = Path(__file__).parent / ".data" / "medium.duckdb"


def ensure(path: Path = MEDIUM) -> Path:
    """``path``, after generating the medium demo into it if it does not exist yet (about 15 s)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"building the medium demo at {path} (about 15 s) …", flush=True)
        with chatlift.connect(path, create=True) as ws:
            ws.generate_demo("medium")
    return path
