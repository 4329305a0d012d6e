"""The ``workforce`` command as a user runs it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from workforce.cli import app

runner = CliRunner()


def test_generated_region_passes_validation(tmp_path: Path) -> None:
    """`workforce generate` (by default the three regions) then `workforce validate` on
    everything it wrote: all clean."""
    out = tmp_path / "raw"
    generated = runner.invoke(app, ["generate", "--out", str(out), "--seed", "7"])
    assert generated.exit_code == 0, generated.output
    assert "96 employers" in generated.output
    assert "of demand" in generated.output
    for region in ("AM13", "AM14", "AM12"):
        assert f"; {region} " in generated.output, region
    validated = runner.invoke(app, ["validate", str(out)])
    assert validated.exit_code == 0, validated.output[-2000:]
    assert "0 rejected" in validated.output
    assert "Traceback" not in validated.output


def test_help_lists_the_verbs() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "generate" in result.output
    assert "validate" in result.output


def test_generate_into_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    result = runner.invoke(app, ["generate", "--out", str(blocker)])
    assert result.exit_code == 2
    assert "Cannot write to" in result.output
    assert "Traceback" not in result.output


def test_generate_writes_the_three_regions_by_default() -> None:
    from workforce.cli.data import DEFAULT_REGIONS
    from workforce.regional.published import AREA_REGIONS
    from workforce.synthetic import RegionParams

    assert tuple(DEFAULT_REGIONS.split(",")) == AREA_REGIONS == RegionParams().regions
    result = runner.invoke(app, ["generate", "--help"])
    assert "three regions of the Utrecht care employers" in " ".join(result.output.split())
