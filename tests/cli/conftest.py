from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from chatlift.cli.main import main

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    """Run `chatlift ARGS` in-process from tmp_path; return (status, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    for var in ("CHATLIFT_DB", "CHATLIFT_TIMEZONE", "CHATLIFT_CONFIG"):
        monkeypatch.delenv(var, raising=False)

    def _run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        status = main(list(args))
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return _run
