"""``docs/cli.md`` is generated from the commands and stays current."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from workforce.cli import app
from workforce.cli.reference import DEFAULT_OUT, REGENERATE, iter_commands, main, render


def test_cli_reference_is_current() -> None:
    written = DEFAULT_OUT.read_text(encoding="utf-8") if DEFAULT_OUT.exists() else ""
    assert written == render(app), f"docs/cli.md is out of date: run `{REGENERATE}`"


def test_cli_reference_lists_every_command() -> None:

    root = typer.main.get_command(app)
    paths = [
        context.command_path
        for _, context in iter_commands(root, root.context_class(root, info_name="workforce"))
    ]
    reference = render(app)
    assert "workforce forecast" in paths
    for path in paths:
        assert f"## `{path}`" in reference, path


def test_check_reports_a_stale_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "cli.md"
    assert main(["--out", str(target)]) == 0
    assert main(["--out", str(target), "--check"]) == 0
    target.write_text(target.read_text(encoding="utf-8").replace("Usage:", "Use:"))
    assert main(["--out", str(target), "--check"]) == 1
    assert REGENERATE in capsys.readouterr().err


def test_machine_measured_defaults_are_named_by_their_rule() -> None:
    """A default taken from the machine (CPU count) would make the reference differ per machine."""
    assert "default: number of CPUs" in render(app)
