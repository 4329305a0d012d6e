"""What the commands write into the default data folder stays out of git; its sources do not."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from workforce.cli.dashboard import dashboard_log_path
from workforce.outlook.interval_calibration import CALIBRATION_FILE
from workforce.store import LOCK_NAME, Store

ROOT = Path(__file__).resolve().parents[1]


def _ignored(paths: list[str]) -> set[str]:
    """The paths of ``paths`` that the repository's ignore rules leave out of git."""
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return set(result.stdout.split())


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout"
)
def test_what_make_run_writes_into_data_is_ignored_and_the_sources_are_not() -> None:
    store = Store(Path("data"))
    folders = [
        store.raw, store.staging, store.quarantine, store.builds, store.forecasts,
        store.regional, store.scenarios, store.alignment, store.reports, store.root / "accuracy",
    ]  # fmt: skip
    written = [f"{folder}/x.parquet" for folder in folders] + [
        str(store.marts),
        str(store.root / LOCK_NAME),
        str(dashboard_log_path(store.root)),
        str(store.root / CALIBRATION_FILE),
    ]
    assert _ignored(written) == set(written)
    sources = ["data/README.md", "data/reference/professions.csv", "data/external/SOURCES.md"]
    sources.append("data/samples/x.csv")
    assert _ignored(sources) == set()
