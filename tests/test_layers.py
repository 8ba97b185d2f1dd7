"""Layering: each package imports only the layers STYLE.md allows (parsed with ast)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "chatlift"

# layer -> chatlift layers it may import (itself always allowed)
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "stats": set(),
    "errors": set(),
    "metrics": {"domain", "stats", "errors", "facts"},
    "storage": {"domain", "errors"},
    "facts": {"domain", "storage", "errors"},
    "ingest": {"domain", "storage", "errors", "facts"},
    "demo": {"domain", "errors"},
    "experiments": {"domain", "metrics", "stats", "storage", "errors"},
    "value": {"domain", "metrics", "stats", "storage", "errors", "experiments"},
    "config": {"errors"},
    "docgen": {"domain", "storage", "metrics", "ingest"},
    "workspace": {"domain", "stats", "metrics", "storage", "ingest", "demo", "experiments", "errors", "config",
                  "value", "facts"},
    "units": {"metrics"},
    "access": {"storage", "errors"},
    "reporting": {"workspace", "metrics", "errors"},
    "drilldown": {"workspace", "metrics", "errors", "reporting"},
    "cli": {"workspace", "metrics", "errors", "config", "storage", "ingest", "chatlift", "units", "reporting",
            "access", "api", "experiments", "stats", "value"},
    "api": {"workspace", "metrics", "errors", "config", "reporting", "access", "drilldown", "domain", "ingest",
            "chatlift", "web", "experiments", "stats", "value"},
    "web": {"workspace", "metrics", "errors", "config", "reporting", "access", "api", "drilldown", "units",
            "chatlift", "experiments", "stats", "value"},
    "chatlift": {"workspace"},  # the package __init__
}


def _layer(path: Path) -> str:
    rel = path.relative_to(SRC)
    if rel.parts == ("__init__.py",):
        return "chatlift"
    return rel.parts[0].removesuffix(".py")


def _imported_layers(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "chatlift":
                found.add(parts[1] if len(parts) > 1 else "chatlift")
    return found


def test_every_module_imports_only_allowed_layers() -> None:
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        layer = _layer(path)
        assert layer in ALLOWED, f"{path} is in an undeclared layer {layer!r}; add it to ALLOWED"
        for used in _imported_layers(path) - {layer} - ALLOWED[layer]:
            problems.append(f"{path.relative_to(SRC)} ({layer}) imports {used}")
    assert not problems, "\n".join(problems)


def test_no_utils_module() -> None:
    assert not [p for p in SRC.rglob("*.py") if p.stem in ("utils", "helpers", "misc")]
