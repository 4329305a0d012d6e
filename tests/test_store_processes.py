"""Real ``workforce`` processes on one data folder: two writers at once, and ``kill -9``."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from workforce.ingest.load import Staging
from workforce.marts.compute import MART_NAMES
from workforce.marts.residence import RESIDENCE_MARTS
from workforce.store import Store
from workforce.synthetic import generate_region

pytestmark = pytest.mark.slow

ROOT = Path(__file__).parents[1]


def _command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "workforce.cli", *map(str, args)]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "60"}


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_command(*args), capture_output=True, text=True, env=_env(), check=False)


def _start(*args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _command(*args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env()
    )


def _split(raw: Path, into: tuple[Path, Path]) -> None:
    """Every other raw file to each of two folders, keeping the source subfolders."""
    files = sorted(path for path in raw.rglob("*") if path.is_file() and path.parent != raw)
    for number, path in enumerate(files):
        target = into[number % 2] / path.relative_to(raw)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def _marts(data_dir: Path) -> dict[str, pl.DataFrame]:
    store = Store(data_dir)
    return {name: store.read_mart(name) for name in MART_NAMES}


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.glob("*.parquet"))
    }


def _leftovers(data_dir: Path) -> list[Path]:
    return [
        path
        for path in data_dir.rglob("*")
        if path.name.endswith((".partial", ".tmp", ".link")) and "raw" not in path.parts
    ]


def test_two_ingests_at_once_keep_every_file(region: Path, tmp_path: Path) -> None:
    halves = (tmp_path / "raw_a", tmp_path / "raw_b")
    _split(region, halves)
    together, one_by_one = tmp_path / "together", tmp_path / "one_by_one"

    first, second = (_start("ingest", half, "--data-dir", together) for half in halves)
    outputs = [process.communicate(timeout=300)[0] for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    # When the two overlapped (they nearly always do), the later one said why it waited.
    waited = [output for output in outputs if "Waiting for" in output]
    assert len(waited) <= 1, outputs
    assert all("`workforce ingest` (process" in output for output in waited)
    for half in halves:
        assert _run("ingest", half, "--data-dir", one_by_one).returncode == 0

    offered = sorted(path.name for half in halves for path in half.rglob("*") if path.is_file())
    manifest = Staging(together).files()
    assert manifest.filter(pl.col("status") == "loaded").height == len(offered)
    assert sorted(Path(path).name for path in manifest["path"]) == offered
    for data_dir in (together, one_by_one):
        result = _run("build", "--data-dir", data_dir)
        assert result.returncode == 0, result.stdout + result.stderr
    built_together, built_one_by_one = _marts(together), _marts(one_by_one)
    for name in MART_NAMES:
        assert built_together[name].equals(built_one_by_one[name]), name
    assert built_together["vacancies_monthly"].height > 0


def test_identical_inputs_give_identical_mart_bytes(region_data: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(region_data / "staging", data_dir / "staging")
    digests = []
    for _ in range(2):
        result = _run("build", "--data-dir", data_dir)
        assert result.returncode == 0, result.stdout + result.stderr
        digests.append(_digests(Store(data_dir).marts))
    marts = (*MART_NAMES, "population", *RESIDENCE_MARTS)
    assert set(digests[0]) == {f"{name}.parquet" for name in marts}
    assert digests[0] == digests[1]


def _killed_at(args: tuple[str | Path, ...], delay: float) -> bool:
    """Start the command and kill -9 it ``delay`` seconds later; False when it ended first."""
    process = _start(*args)
    time.sleep(delay)
    running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    return running


def test_kill_9_during_build_or_ingest_keeps_the_marts_and_the_next_run_cleans_up(
    region_data: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(region_data, data_dir, symlinks=True)
    store = Store(data_dir)
    # A whole build, timed, so that every kill below falls inside one.
    started = time.perf_counter()
    result = _run("build", "--data-dir", data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    build_seconds = time.perf_counter() - started
    published = store.marts.resolve()
    before = _digests(published)
    manifest_before = Staging(data_dir).files()
    newer = tmp_path / "newer"
    generate_region(newer, seed=7)
    moments = random.Random(20251231).sample([0.1, 0.25, 0.4, 0.55, 0.7, 0.85], 4)
    build: tuple[str | Path, ...] = ("build", "--data-dir", data_dir)
    ingest: tuple[str | Path, ...] = ("ingest", newer, "--data-dir", data_dir, "--accept-changes")
    # Builds first: one that ends before its kill (faster than the timed one, on a busy
    # machine) publishes marts of the same inputs, byte-identical; then it is killed sooner.
    for command, moment in zip((build, build, ingest, ingest), moments, strict=True):
        delay = moment * build_seconds
        while not _killed_at(command, delay):
            delay /= 2
            assert delay > 0.01, "the command always ended before it could be killed"
            published = store.marts.resolve()
        assert store.marts.resolve() == published, delay
        assert _digests(store.marts) == before, delay
        # The load manifest stays readable and keeps every file it held.
        manifest = Staging(data_dir).files()
        assert set(manifest_before["file_id"]) <= set(manifest["file_id"]), delay

    # Another region's extracts replace every employer's history: accepted on purpose.
    result = _run("ingest", newer, "--data-dir", data_dir, "--accept-changes")
    assert result.returncode == 0, result.stdout + result.stderr
    result = _run("build", "--data-dir", data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not _leftovers(data_dir)
    assert store.marts.resolve() != published
    offered = {str(path) for path in newer.rglob("*") if path.is_file() and path.parent != newer}
    loaded = set(Staging(data_dir).files().filter(pl.col("status") == "loaded")["path"])
    assert offered <= loaded
