"""What every command shares: one data-folder option, and the privacy default for ``--k``."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from workforce.cli import app
from workforce.cli.reference import iter_commands
from workforce.privacy import DEFAULT_K


def options(name: str) -> list[tuple[str, object]]:
    """``(command path, option)`` for every command's parameter called ``name``."""
    root = typer.main.get_command(app)
    found = []
    for command, context in iter_commands(root, root.context_class(root, info_name="workforce")):
        for parameter in command.params:
            if parameter.name == name:
                found.append((context.command_path, parameter))
    return found


def test_every_data_folder_option_is_the_same() -> None:
    found = options("data_dir")
    assert {"workforce build", "workforce forecast", "workforce dashboard token list"} <= {
        path for path, _ in found
    }
    assert {tuple(option.opts) for _, option in found} == {("--data-dir",)}
    assert len({option.help for _, option in found}) == 1


def test_the_data_folder_defaults_to_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "elsewhere"
    monkeypatch.setenv("WORKFORCE_DATA", str(folder))
    result = CliRunner().invoke(app, ["dashboard", "token", "list"])
    assert result.exit_code == 2
    assert f"{folder}: not found" in result.output


def test_the_disclosure_threshold_defaults_to_the_privacy_modules() -> None:
    (path, option), *others = options("k")
    assert not others
    assert path == "workforce regional"
    assert option.default == DEFAULT_K
