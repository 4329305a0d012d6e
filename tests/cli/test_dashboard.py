"""The ``workforce dashboard`` command: user errors, and a real server it starts and stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.ports import server_port
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


@pytest.mark.slow
def test_command_serves_with_a_token_and_stops_cleanly(region_data: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"  # the server writes its log here: not into the shared folder
    data_dir.mkdir()
    (data_dir / "marts").symlink_to((region_data / "marts").resolve())
    port = server_port()
    command = [
        str(Path(sys.executable).with_name("workforce")),
        "dashboard",
        "--data-dir",
        str(data_dir),
        "--models-dir",
        str(tmp_path / "models"),
        "--port",
        str(port),
        "--no-browser",
    ]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "WORKFORCE_DASHBOARD_TOKEN": "start-message-token"},
    )
    try:
        assert process.stdout is not None
        lines = []
        while not lines or "Stop with Ctrl+C" not in lines[-1]:
            lines.append(process.stdout.readline())
        message = "".join(lines)
        assert message.count("start-message-token") == 1  # the token is shown once
        sign_in = next(line.split(": ", 1)[1].strip() for line in lines if "Sign in" in line)
        assert sign_in == f"http://127.0.0.1:{port}/?token=start-message-token"
        assert f"http://127.0.0.1:{port}/voila/render/forecast_explorer.ipynb\n" in message
        log = data_dir / "logs" / "dashboard.log"
        assert f"Server log: {log.resolve()}" in message
        with urllib.request.urlopen(sign_in, timeout=30) as page:
            assert page.status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
    assert "Voil" in log.read_text(encoding="utf-8", errors="replace")  # the server wrote it


def _children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux's /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.slow
def test_a_stop_while_voila_starts_stops_voila_too(region_data: Path, tmp_path: Path) -> None:
    """A stop request (SIGTERM: a service manager, a closed terminal) may come before the
    command has said where it serves; Voila must never be left serving on its own."""
    import time

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "marts").symlink_to((region_data / "marts").resolve())
    command = [
        str(Path(sys.executable).with_name("workforce")),
        *("dashboard", "--data-dir", str(data_dir), "--port", str(server_port())),
        *("--models-dir", str(tmp_path / "models"), "--no-browser"),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (voila := _children(process.pid)):
            assert time.monotonic() < deadline, "Voila did not start"
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)  # Voila is starting; nothing is printed yet
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in voila):
        if time.monotonic() > deadline:
            for pid in voila:
                os.kill(pid, signal.SIGKILL)
            pytest.fail("Voila kept running after the command stopped")
        time.sleep(0.2)
