"""What every writing command shares: the lock, the clean-up after killed runs, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workforce.cli import app
from workforce.cli.support import ProgressLines
from workforce.store import LOCK_TIMEOUT_ENV, Store

runner = CliRunner()


def test_a_writing_command_removes_what_a_killed_run_left(tmp_path: Path) -> None:
    store = Store(tmp_path)
    partial = store.builds / "20250101T000000000000.partial"
    partial.mkdir(parents=True)
    (partial / "demand.parquet").write_bytes(b"half")
    temporary = store.staging / ".files.parquet.4711.tmp"
    temporary.parent.mkdir(parents=True)
    temporary.write_bytes(b"half")
    result = runner.invoke(app, ["build", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2  # nothing was ingested
    assert f"Removed 2 unfinished file(s) of an interrupted run in {tmp_path}." in result.output
    assert not partial.exists()
    assert not temporary.exists()


HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from workforce.store import Store
    with Store(Path(sys.argv[1])).lock("forecast"):
        print("holding", flush=True)
        time.sleep(60)
    """
)


def test_a_busy_data_folder_makes_a_writer_wait_then_stop_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setenv(LOCK_TIMEOUT_ENV, "0.5")
        result = runner.invoke(app, ["build", "--data-dir", str(tmp_path)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 2
    lines = result.output.splitlines()
    waiting = [line for line in lines if line.startswith(f"Waiting for {tmp_path}")]
    assert len(waiting) == 1
    assert f"`workforce forecast` (process {holder.pid}" in waiting[0]
    stopped = [line for line in lines if "still in use" in line]
    assert len(stopped) == 1
    assert stopped[0].startswith(f"{tmp_path} is still in use by `workforce forecast`")
    assert "Traceback" not in result.output


def test_a_bad_lock_timeout_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, "ten minutes")
    result = runner.invoke(app, ["build", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{LOCK_TIMEOUT_ENV}='ten minutes': expected a number of seconds" in result.output


def test_progress_in_a_log_is_a_line_per_start_tenth_and_end() -> None:
    lines: list[str] = []
    progress = ProgressLines(lines.append, every_seconds=0)
    for done in range(21):
        progress("Forecasting", done, 20)
    progress("Outlook", 0, 1)
    progress("Outlook", 1, 1)
    counts = [int(line.split(": ")[1].split(" of ")[0]) for line in lines]
    assert counts[:11] == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]
    assert lines[-2].startswith("Outlook: 0 of 1 (")
    assert lines[-1].startswith("Outlook: 1 of 1 (")


def test_progress_in_a_log_waits_between_lines() -> None:
    lines: list[str] = []
    progress = ProgressLines(lines.append, every_seconds=3600)
    for done in range(101):
        progress("Forecasting", done, 100)
    assert [line.split(" (")[0] for line in lines] == [
        "Forecasting: 0 of 100",
        "Forecasting: 100 of 100",
    ]
