"""The ``workforce dashboard`` command's user errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from workforce.cli import app

runner = CliRunner()


def test_missing_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["dashboard", "--data-dir", str(tmp_path / "nope"), "--no-browser"])
    assert result.exit_code == 2
    assert "workforce build" in result.output
    assert "Traceback" not in result.output


def test_dashboard_is_a_command() -> None:
    result = runner.invoke(app, ["dashboard", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output
    assert "token" in result.output
