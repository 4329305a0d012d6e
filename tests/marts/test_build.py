"""Building the marts: atomic publication, run manifest and the build command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import workforce.marts.build
from tests.contract_rows import STAFF, as_text
from tests.raw_files import write_csv
from workforce.cli import app
from workforce.ingest.load import file_id_of, ingest_paths
from workforce.marts.build import KEEP_BUILDS, NothingToBuildError, build_marts
from workforce.marts.compute import MART_NAMES


def staff(index: int, **changes: str) -> dict[str, str]:
    return {**as_text(STAFF), "person_key": f"{index:016x}", **changes}


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Path, Path]:
    rows = [staff(1), staff(2, end_date="", leave_reason=""), staff(3, employer_id="E2")]
    raw = write_csv(tmp_path / "E1_2025-12-31.csv", rows)
    data = tmp_path / "data"
    ingest_paths([raw], data)
    return raw, data


def test_build_publishes_every_mart_with_its_lineage(loaded: tuple[Path, Path]) -> None:
    raw, data = loaded
    result = build_marts(data)
    assert (data / "marts").is_symlink()
    assert (data / "marts").resolve() == result.folder.resolve()
    run = json.loads((data / "marts" / "run.json").read_text())
    assert [entry["file_id"] for entry in run["inputs"]] == [file_id_of(raw)]
    assert run["inputs"][0]["rows_kept"] == 3
    assert run["code_version"]["package"] == workforce.__version__
    for name in MART_NAMES:
        rows = pl.read_parquet(data / "marts" / f"{name}.parquet").height
        assert run["rows"][name] == rows == result.rows[name]
    assert result.rows["workforce_monthly"] > 0


def test_a_failed_build_leaves_the_previous_marts_intact(
    loaded: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, data = loaded
    build_marts(data)
    before = {name: pl.read_parquet(data / "marts" / f"{name}.parquet") for name in MART_NAMES}
    target = (data / "marts").resolve()
    original = workforce.marts.build.mart_frames
    written = []

    def failing(inputs: workforce.marts.build.MartInputs) -> Iterator[tuple[str, pl.DataFrame]]:
        for name, frame in original(inputs):
            if written:
                raise RuntimeError("build killed halfway")
            written.append(name)
            yield name, frame

    monkeypatch.setattr(workforce.marts.build, "mart_frames", failing)
    with pytest.raises(RuntimeError, match="killed"):
        build_marts(data)
    assert len(written) == 1
    assert (data / "marts").resolve() == target
    for name, frame in before.items():
        assert pl.read_parquet(data / "marts" / f"{name}.parquet").equals(frame)


def test_old_builds_are_pruned(loaded: tuple[Path, Path]) -> None:
    _, data = loaded
    for _ in range(KEEP_BUILDS + 2):
        build_marts(data)
    builds = [path for path in (data / "builds").iterdir() if not path.name.startswith(".")]
    assert len(builds) == KEEP_BUILDS
    assert (data / "marts").resolve() in [path.resolve() for path in builds]


def test_nothing_loaded_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NothingToBuildError, match="workforce ingest"):
        build_marts(tmp_path)
    result = CliRunner().invoke(app, ["build", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "no staff files loaded" in result.output
    assert "Traceback" not in result.output


def test_build_command_prints_rows_per_mart(loaded: tuple[Path, Path]) -> None:
    _, data = loaded
    result = CliRunner().invoke(app, ["build", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    for name in MART_NAMES:
        assert name in result.output


def test_a_marts_folder_from_before_is_kept_aside_not_lost(loaded: tuple[Path, Path]) -> None:
    _, data = loaded
    (data / "marts").mkdir()
    (data / "marts" / "notes.txt").write_text("kept")
    result = build_marts(data)
    assert (data / "marts").resolve() == result.folder.resolve()
    kept = list((data / "builds").glob("*-previous/notes.txt"))
    assert [path.read_text() for path in kept] == ["kept"]
    for _ in range(KEEP_BUILDS):
        latest = build_marts(data)
    assert (data / "marts").resolve() == latest.folder.resolve()
    assert latest.folder.exists()
