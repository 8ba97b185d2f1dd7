"""Generated docs are current, and the README documents every command."""

from __future__ import annotations

from pathlib import Path

import typer.main

from chatlift.cli.main import app
from chatlift.docgen import PAGES
from chatlift.domain.schema import TABLES
from chatlift.metrics import REGISTRY

ROOT = Path(__file__).resolve().parents[1]


def test_generated_pages_are_current() -> None:
    for rel, render in PAGES.items():
        on_disk = (ROOT / rel).read_text(encoding="utf-8")
        assert on_disk == render(), f"{rel} is stale: run `make docs` (python -m chatlift.docgen)"


def test_data_model_doc_lists_every_column() -> None:
    text = (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8")
    for table in TABLES:
        assert f"## {table.name}" in text
        for column in table.columns:
            assert f"`{column.name}`" in text


def test_metrics_doc_describes_every_metric() -> None:
    text = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    for key, metric in REGISTRY.items():
        section = text.split(f"\n### {key}\n", 1)[1].split("\n### ", 1)[0]
        assert metric.description in section, f"docs/metrics.md: {key} lacks its definition"
        assert metric.estimator.method in section, f"docs/metrics.md: {key} lacks its interval method"
        assert f"| event time (`--basis event`) | {metric.event} |" in section
        for param in metric.params:
            assert f"| `{param.name}` |" in section, f"docs/metrics.md: {key} lacks parameter {param.name}"
        for ref in metric.references.values():
            assert ref.value in section and ref.source in section, f"docs/metrics.md: {key} lacks {ref.value}"
        if metric.note:
            assert metric.note in section
    for topic in ("## Periods", "## Period basis", "## Comparison with the previous period",
                  "## Attribution and conversion", "## Intervals"):
        assert topic in text


def test_readme_documents_every_command_and_setting() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    for name, command in commands.items():
        assert f"chatlift {name}" in readme, f"README does not mention `chatlift {name}`"
        for sub in getattr(command, "commands", {}):
            assert f"chatlift {name} {sub}" in readme, f"README does not mention `chatlift {name} {sub}`"
    assert "docs/metrics.md" in readme
    from chatlift.config import Settings

    for key in Settings.model_fields:
        assert f"CHATLIFT_{key.upper()}" in readme, f"README does not document setting {key}"


def test_readme_quick_start_has_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if line and not line.startswith("#")]
    assert commands == ["make demo", "make test"]
