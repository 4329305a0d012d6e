"""What a page view costs: light page kernels, and warm ones ready before a viewer asks."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.ports import server_port
from workforce.dashboards.access import issue_token
from workforce.dashboards.kernel_pool import WarmKernelManager, notebook_imports, warm_up_code
from workforce.dashboards.server import DashboardServer, ServerSettings

HEAVY = ("prophet", "cmdstanpy", "sklearn", "scipy.stats", "pandera", "pandas")
"""Libraries for fitting and checking that a page showing finished outputs never needs."""


@pytest.mark.parametrize(
    "page",
    [
        "workforce.dashboards.regional_employer",
        "workforce.dashboards.training_alignment",
        "workforce.dashboards.explorer",
    ],
)
def test_a_page_module_loads_without_the_modelling_libraries(page: str) -> None:
    code = f"import sys, {page}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == [], f"{page} loads {', '.join(loaded)} when imported"


def test_the_written_out_normal_scores_are_scipys() -> None:
    from scipy.stats import norm

    from workforce.outlook.shortage import Z80, Z95

    assert float(norm.ppf(0.9)) == Z80
    assert float(norm.ppf(0.975)) == Z95


# Warm kernels ------------------------------------------------------------------------------------


def _notebook(folder: Path, name: str, *cells: tuple[str, str]) -> Path:
    """A notebook of ``(cell type, source)`` cells in ``folder``."""
    notebook = {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source}
            | ({"outputs": [], "execution_count": None} if kind == "code" else {})
            for kind, source in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / name
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def test_the_warm_up_imports_what_the_served_notebooks_import(tmp_path: Path) -> None:
    _notebook(
        tmp_path,
        "a.ipynb",
        ("markdown", "import not_code"),
        ("code", "from workforce.dashboards.identity import signed_in\nimport json, os\nx = 1"),
        ("code", "%matplotlib inline"),
    )
    _notebook(
        tmp_path,
        "b.ipynb",
        ("code", "import json\nimport os\nfrom . import relative\nimport no_such_module_here"),
    )
    (tmp_path / "notes.txt").write_text("import sys")
    assert notebook_imports(tmp_path / "a.ipynb") == [
        "from workforce.dashboards.identity import signed_in",
        "import json, os",
    ]
    code = warm_up_code(tmp_path)
    assert code.count("import json") == 2  # "import json, os" and "import json" are different
    assert "relative" not in code
    assert "not_code" not in code
    assert "x = 1" not in code
    namespace: dict[str, object] = {}
    exec(code, namespace)  # a missing module leaves the rest warm, and raises nothing
    assert "signed_in" in namespace
    assert "json" in namespace


def test_no_notebooks_no_warm_up(tmp_path: Path) -> None:
    assert warm_up_code(tmp_path) == ""


def _kernel_ids(server: DashboardServer) -> set[str]:
    """The ids of the kernels the server runs, from their processes' command lines."""
    assert server.process is not None
    found = set()
    for pid in _process_tree(server.process.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode()
        except OSError:
            continue
        found.update(re.findall(r"kernel-([0-9a-f-]{36})\.json", command))
    return found


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _wait_for_warm(log: Path, count: int) -> None:
    deadline = time.monotonic() + 180
    while log.read_text(errors="replace").count("warm and pooled") < count:
        assert time.monotonic() < deadline, "the pool did not warm up"
        time.sleep(0.5)


@contextmanager
def _warm_server(folder: Path, **changes: Any) -> Iterator[tuple[DashboardServer, Path]]:
    """A server on ``folder/notebooks`` whose page prints who it was built for."""
    notebooks = folder / "notebooks"
    notebooks.mkdir()
    _notebook(
        notebooks,
        "who.ipynb",
        (
            "code",
            "from workforce.dashboards.identity import signed_in\n"
            "print('viewer:', signed_in().employer_id or 'publiek')",
        ),
    )
    (folder / "data").mkdir()
    settings = ServerSettings(
        data_dir=folder / "data",
        models_dir=folder / "models",
        port=server_port(),
        token="shared-token",
        notebooks=notebooks,
        **changes,
    )
    log = folder / "voila.log"
    with log.open("wb") as handle, DashboardServer(settings, log=handle) as server:
        yield server, log


def _page(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=180) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _kernel_of(body: str) -> str:
    found = re.search(r'"kernelId": "([0-9a-f-]{36})"', body)
    assert found is not None
    return found.group(1)


@pytest.mark.browser
def test_a_warm_kernel_serves_one_page_built_for_its_own_viewer(tmp_path: Path) -> None:
    with _warm_server(tmp_path, pool_size=2, max_kernels=4) as (server, log):
        settings = server.settings
        _wait_for_warm(log, 2)
        warm = _kernel_ids(server)
        assert len(warm) == 2
        issued = issue_token(settings.data_dir, "GGZ-04")
        page = settings.url("who.ipynb", with_token=False)
        status, employer = _page(f"{page}?token={issued.token}")
        assert status == 200
        assert "viewer: GGZ-04" in employer
        assert _kernel_of(employer) in warm
        status, public = _page(settings.url("who.ipynb"))
        assert status == 200
        assert "viewer: publiek" in public
        assert "GGZ-04" not in public
        assert _kernel_of(public) in warm
        assert _kernel_of(public) != _kernel_of(employer)


@pytest.mark.browser
def test_warm_kernels_wait_within_the_cap_and_do_not_count_as_open_pages(tmp_path: Path) -> None:
    with _warm_server(tmp_path, pool_size=3, max_kernels=2) as (server, log):
        settings = server.settings
        _wait_for_warm(log, 2)
        time.sleep(2)
        assert len(_kernel_ids(server)) == 2  # the cap bounds the pool too
        assert _page(settings.url("who.ipynb"))[0] == 200
        assert _page(settings.url("who.ipynb"))[0] == 200
        status, body = _page(settings.url("who.ipynb"))
        assert status == 503
        assert "Het dashboard is even druk" in body
        assert len(_kernel_ids(server)) == 2


@pytest.mark.slow
def test_a_pooled_kernel_is_not_culled_while_it_waits_but_is_once_handed_out() -> None:
    async def scenario() -> None:
        manager = WarmKernelManager(pool_size=1, warm_up="import json", cull_idle_timeout=1)
        try:
            await manager.fill()
            (pooled,) = manager.list_kernel_ids()
            assert manager.in_use() == 0
            await asyncio.sleep(1.5)
            await manager.cull_kernels()
            assert pooled in manager
            taken = await manager.start_kernel(kernel_name="python3", path="")
            assert taken == pooled
            assert manager.in_use() == 1
            deadline = time.monotonic() + 120
            while manager.pooled == 0 or manager.warming:
                assert time.monotonic() < deadline, "the pool was not refilled"
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.5)
            await manager.cull_kernels()  # handed out, never connected, idle: culled
            assert taken not in manager
            assert len(manager.list_kernel_ids()) == 1
        finally:
            await manager.shutdown_all()

    asyncio.run(scenario())
