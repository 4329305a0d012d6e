"""The data folder: atomic writes, versioned folders, leftovers of killed runs, the writer lock."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

from workforce.contracts import ContractError
from workforce.store import (
    LOCK_TIMEOUT_ENV,
    Store,
    StoreBusyError,
    StoreError,
    new_version,
    write_frame,
    write_json,
    write_text,
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_negative_zero_is_written_as_zero(tmp_path: Path) -> None:
    signed = pl.DataFrame({"fte": [-0.0, 1.5, 0.0], "n": [1, 2, 3]})
    unsigned = pl.DataFrame({"fte": [0.0, 1.5, 0.0], "n": [1, 2, 3]})
    write_frame(signed, tmp_path / "a.parquet")
    write_frame(unsigned, tmp_path / "b.parquet")
    assert _digest(tmp_path / "a.parquet") == _digest(tmp_path / "b.parquet")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.parquet", "b.parquet"]


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "demand.parquet"
    write_frame(pl.DataFrame({"x": [1]}), target)
    before = _digest(target)
    with pytest.raises(ContractError, match=r"demand\.parquet: column month is missing"):
        write_frame(pl.DataFrame({"x": [2]}), target, what="mart demand")
    assert _digest(target) == before
    assert [path.name for path in tmp_path.iterdir()] == ["demand.parquet"]


def test_text_and_json_are_replaced_whole(tmp_path: Path) -> None:
    write_text("first\n", tmp_path / "report.md")
    write_text("second\n", tmp_path / "report.md")
    write_json({"rows": 3}, tmp_path / "run.json")
    assert (tmp_path / "report.md").read_text(encoding="utf-8") == "second\n"
    assert (tmp_path / "run.json").read_text(encoding="utf-8") == '{\n  "rows": 3\n}\n'
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.md", "run.json"]


def test_a_new_version_replaces_the_link_and_a_failed_one_changes_nothing(
    tmp_path: Path,
) -> None:
    link, versions = tmp_path / "outlook", tmp_path / ".outlook.versions"
    for version in ("v1", "v2", "v3"):
        with new_version(link, versions, version) as folder:
            (folder / "name.txt").write_text(version, encoding="utf-8")
    assert (link / "name.txt").read_text(encoding="utf-8") == "v3"
    assert sorted(path.name for path in versions.iterdir()) == ["v2", "v3"]
    with pytest.raises(RuntimeError, match="halfway"):
        _fail_halfway(link, versions)
    assert (link / "name.txt").read_text(encoding="utf-8") == "v3"
    assert sorted(path.name for path in versions.iterdir()) == ["v2", "v3"]


def _fail_halfway(link: Path, versions: Path) -> None:
    with new_version(link, versions, "v4") as folder:
        (folder / "name.txt").write_text("half", encoding="utf-8")
        raise RuntimeError("failed halfway")


def test_a_folder_from_before_links_is_moved_aside(tmp_path: Path) -> None:
    link = tmp_path / "outlook"
    link.mkdir()
    (link / "name.txt").write_text("old", encoding="utf-8")
    with new_version(link, tmp_path / ".outlook.versions", "v1") as folder:
        (folder / "name.txt").write_text("new", encoding="utf-8")
    assert link.is_symlink()
    assert (link / "name.txt").read_text(encoding="utf-8") == "new"


def test_leftovers_of_killed_runs_are_removed_and_nothing_else(tmp_path: Path) -> None:
    store = Store(tmp_path)
    leftovers = [
        store.builds / "20250101T000000.partial" / "demand.parquet",
        store.staging / "staff" / ".abc.parquet.123.tmp",
        store.root / ".marts.99.link",
        store.forecasts / ".outlook.versions" / "20250101T000000.partial" / "arrays.npz",
    ]
    kept = [
        store.builds / "20250101T000000" / "demand.parquet",
        store.staging / "files.parquet",
        store.raw / "staff" / ".notes.tmp",
        store.raw / "staff" / "draft.partial",
    ]
    for path in leftovers + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    removed = store.clean_leftovers()
    assert {path.name for path in removed} == {
        "20250101T000000.partial",
        ".abc.parquet.123.tmp",
        ".marts.99.link",
    }
    assert not any(path.exists() for path in leftovers)
    assert all(path.exists() for path in kept)


def test_read_mart_names_the_file_and_column_of_a_hand_edited_mart(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.marts.mkdir(parents=True)
    frame = pl.DataFrame(
        {
            "quarter": ["2024-01-01"],
            "from_employer_id": ["A"],
            "from_sector_code": ["VVT"],
            "to_employer_id": ["B"],
            "to_sector_code": ["GGZ"],
            "profession_code": ["P1"],
            "to_profession_code": ["P1"],
            "moves": [3],
        }
    )
    frame.write_parquet(store.mart_path("mobility"))
    with pytest.raises(ContractError) as raised:
        store.read_mart("mobility")
    message = str(raised.value)
    assert message.startswith(f"{store.mart_path('mobility')}: column quarter holds String")
    assert "expected a date" in message
    assert "\n" not in message
    frame.drop("moves").with_columns(pl.col("quarter").str.to_date()).write_parquet(
        store.mart_path("mobility")
    )
    with pytest.raises(ContractError, match="column moves is missing"):
        store.read_mart("mobility")
    with pytest.raises(StoreError, match=r"demand\.parquet: not found"):
        store.read_mart("demand")


def test_values_are_checked_when_written(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "quarter": pl.Series([None, None], dtype=pl.Date),
            "from_employer_id": ["A", "A"],
            "from_sector_code": ["VVT", "VVT"],
            "to_employer_id": ["B", "B"],
            "to_sector_code": ["GGZ", "GGZ"],
            "profession_code": ["P1", "P1"],
            "to_profession_code": ["P1", "P1"],
            "moves": [3, -1],
        }
    )
    with pytest.raises(ContractError, match="column quarter is empty in 2 row"):
        write_frame(frame, tmp_path / "mobility.parquet", what="mart mobility")
    dated = frame.with_columns(quarter=pl.date(2024, 1, 1))
    with pytest.raises(
        ContractError, match=r"column moves is below zero in 1 row\(s\), first at row 1"
    ):
        write_frame(dated, tmp_path / "mobility.parquet", what="mart mobility")
    assert not list(tmp_path.iterdir())


HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from workforce.store import Store
    with Store(Path(sys.argv[1])).lock("build"):
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _holder(data_dir: Path, seconds: float) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(data_dir), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "holding"
    return process


def test_a_second_writer_waits_with_a_message_and_then_gives_up(tmp_path: Path) -> None:
    holder = _holder(tmp_path, 30)
    try:
        messages: list[str] = []
        started = time.monotonic()
        with (
            pytest.raises(StoreBusyError) as raised,
            Store(tmp_path).lock("ingest", timeout=0.5, on_wait=messages.append),
        ):
            pass
        assert time.monotonic() - started >= 0.5
        assert len(messages) == 1
        assert f"Waiting for {tmp_path}: `workforce build` (process {holder.pid}" in messages[0]
        assert f"still in use by `workforce build` (process {holder.pid}" in str(raised.value)
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_writer_releases_the_lock(tmp_path: Path) -> None:
    holder = _holder(tmp_path, 30)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with Store(tmp_path).lock("ingest", timeout=5) as store:
        assert store.root == tmp_path


def test_the_lock_is_reentrant_in_one_process(tmp_path: Path) -> None:
    store = Store(tmp_path)
    with store.lock("forecast", timeout=1), store.lock("forecast", timeout=1):
        pass
    with store.lock("build", timeout=1):
        pass


def test_a_direct_call_from_a_notebook_waits_for_the_lock_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from workforce.marts.build import build_marts

    holder = _holder(tmp_path, 30)
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.3")
    try:
        with caplog.at_level("WARNING", logger="workforce"), pytest.raises(StoreBusyError):
            build_marts(tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert f"Waiting for {tmp_path}: `workforce build`" in caplog.text
