"""Dashboards in a real browser: first render, filter latency and many viewers at once.

Serves every notebook of ``dashboards/`` (new dashboards are picked up as they appear) plus
``benchmarks/minimal_dashboard.ipynb`` (one dropdown, one small Plotly figure) from one Voila
server started as ``workforce dashboard`` starts it, and drives Debian's Chromium.

``--modes pages``: per notebook, against the minimal page of the same run
- first tile: from the request until the first headline tile shows (pages with tiles);
- first render: from the request until Voila's spinner is gone and as many Plotly graphs as
  the page shows once settled (counted in a warm-up load) hold their data (a fresh page per run);
- update: from choosing another option in a dropdown (or nudging a slider) until the data of a
  graph in the browser has changed.
Targets: first tile <= 2 s; first render <= 2x minimal; update <= 500 ms.

``--modes load``: one viewer alone, then ``--viewers`` (default 20) opening the same page at
once and staying ``--stay`` seconds, on a server capped at ``--max-kernels`` page kernels. Per
viewer: seconds until the page is rendered (past the cap a viewer gets the "busy" page, which
retries by itself, and waits); p50/p95 against the single viewer of the same run, how many were
told "busy", the server's peak memory (Voila and its kernels) against the cap times the
single viewer's memory, and the CPU seconds per page view of the server (Voila and its kernels)
beside those of the viewers. Targets: p95 <= 3x one viewer; memory bounded by the cap.
``--pool-size`` sets the warm kernels kept ready. Two kinds of viewer (``--clients``):
- protocol: a viewer on another machine as the server meets it: the page until Voila has sent
  it whole, then the kernel's answer with every widget's state (the graphs' data), which the
  browser's widget manager asks for before it draws; no browser work on this machine;
- browser: Chromium on this machine, until the graphs hold their data; 20 viewers' Chromium
  then share the server's cores.
Each kind also runs on the minimal page (unless ``--no-floor``): its ratio is the floor that
this machine and that kind of viewer set for any page.

    .venv/bin/python benchmarks/dashboards.py [--data-dir data] [--runs 3] [--updates 5]
        [--pages training_alignment ...]
    .venv/bin/python benchmarks/dashboards.py --modes load [--viewers 20] [--page NAME]
        [--max-kernels 8] [--pool-size 4]
        [--clients protocol browser] [--no-floor]

Run it after ``make run`` so that every dashboard has its data. When the data folder has no
forecasts, the seeded region is generated and a few series are forecast into a temporary folder
first (dashboards that need more then show their empty states).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import re
import shutil
import statistics
import struct
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright
from tornado.httpclient import AsyncHTTPClient
from tornado.websocket import websocket_connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support, run as a script

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PLOT_COUNT,
    RENDERED,
    launch_chromium,
)
from workforce.dashboards.server import (
    CULL_IDLE_TIMEOUT,
    MAX_KERNELS,
    POOL_SIZE,
    DashboardServer,
    ServerSettings,
    dashboards_dir,
    free_port,
)

MINIMAL = Path(__file__).with_name("minimal_dashboard.ipynb")
PAGE_TIMEOUT_MS = 180_000
LOAD_TIMEOUT_S = 600
"""How long one of many viewers waits for the page before it counts as never rendered."""
MARK_PLOTS = """() => {
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  window.__wfBefore = plots.map(p => {
    p.__wfData = p.data;
    return JSON.stringify((p.data || []).map(t => [Array.from(t.x || []), Array.from(t.y || [])]));
  });
}"""
"""Remember every graph's data before a change (see :data:`DATA_CHANGED`)."""
DATA_CHANGED = """() => {
  const plots = document.querySelectorAll('.js-plotly-plot');
  for (let i = 0; i < plots.length; i++) {
    const p = plots[i];
    if (!Array.isArray(p.data) || p.data === p.__wfData || p.data === p.__wfChecked) continue;
    p.__wfChecked = p.data;
    const now = JSON.stringify(p.data.map(t => [Array.from(t.x || []), Array.from(t.y || [])]));
    if (now !== window.__wfBefore[i]) return true;
  }
  return false;
}"""
"""True once a graph holds other data than before. Plotly gives a graph a new ``data`` array
whenever it draws it, so each poll compares array identities and serialises a graph only once
after it was drawn anew: polling every 5 ms then costs the page next to nothing, also on pages
with many graphs (serialising every graph on every poll slowed the very drawing measured)."""
TILE_SHOWN = "() => document.querySelector('.wf-tile') !== null"
"""True once a headline tile is on the page (Voila's own spinner shows none)."""


@dataclass
class Timings:
    """Seconds per run of one notebook in one mode."""

    renders: list[float] = field(default_factory=list)
    tiles: list[float] = field(default_factory=list)
    """Seconds until the first headline tile showed (pages with tiles)."""
    updates: list[float] = field(default_factory=list)
    lost_updates: int = 0
    control: str = ""


def prepare_data(folder: Path) -> tuple[Path, Path]:
    """The seeded region's marts and a quick forecast of a few series in ``folder``."""
    from tests.support.demo import prepare_demo_forecast
    from workforce.ingest.load import ingest_paths
    from workforce.marts.build import build_marts
    from workforce.synthetic import generate_region

    generate_region(folder / "raw", seed=42)
    ingest_paths([folder / "raw"], folder)
    build_marts(folder)
    demo = prepare_demo_forecast(folder, workers=1)
    return demo.data_dir, demo.models_dir


def serve_folder(target: Path, only: list[str] | None = None) -> list[str]:
    """Copy the dashboards (``only`` those named, when given) and the minimal page into
    ``target``; return the notebook names."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(MINIMAL, target / MINIMAL.name)
    names = []
    for notebook in sorted(dashboards_dir().glob("*.ipynb")):
        if only and notebook.name not in only and notebook.stem not in only:
            continue
        shutil.copy(notebook, target / notebook.name)
        names.append(notebook.name)
    return [MINIMAL.name, *names]


def measure_render(
    browser: Any, url: str, plots: int, *, tiles: bool = False
) -> tuple[float, float | None, Any]:
    """Seconds from the request until the page shows ``plots`` drawn graphs, and (``tiles``)
    until it showed its first headline tile; the page stays open."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    started = time.perf_counter()
    page.goto(url, timeout=PAGE_TIMEOUT_MS, wait_until="commit")
    first_tile = None
    if tiles:
        page.wait_for_function(TILE_SHOWN, timeout=PAGE_TIMEOUT_MS, polling=20)
        first_tile = time.perf_counter() - started
    page.wait_for_function(RENDERED, arg=plots, timeout=PAGE_TIMEOUT_MS, polling=20)
    return time.perf_counter() - started, first_tile, page


def count_plots(browser: Any, url: str) -> tuple[int, bool]:
    """How many Plotly graphs a page shows once it has settled (the warm-up load), and whether
    it has headline tiles."""
    _, _, page = measure_render(browser, url, 0)
    time.sleep(5)
    count = int(page.evaluate(PLOT_COUNT))
    tiles = bool(page.evaluate(TILE_SHOWN))
    page.close(run_before_unload=True)
    return count, tiles


def _select_changer(select: Any) -> Any:
    def change() -> None:
        options = select.locator("option").count()
        current = select.evaluate("el => el.selectedIndex")
        select.select_option(index=(current + 1) % options)

    return change


def _slider_nudger(handle: Any) -> Any:
    def nudge() -> None:
        handle.focus()
        handle.press("ArrowRight")

    return nudge


def _controls(page: Any) -> list[tuple[str, Any]]:
    """Filters to try, best first: dropdowns a dashboard marks with the ``wf-filter`` class,
    then every dropdown with a choice (last first), then sliders."""
    controls = []
    for css, kind in ((".wf-filter.widget-dropdown select", "marked dropdown"),
                      (".widget-dropdown select", "dropdown")):  # fmt: skip
        selects = page.locator(css)
        for index in reversed(range(selects.count())):
            select = selects.nth(index)
            if select.locator("option").count() >= 2:
                controls.append((f"{kind} {index + 1}", _select_changer(select)))
    handles = page.locator(".widget-slider .noUi-handle")
    for index in range(handles.count()):
        controls.append((f"slider {index + 1}", _slider_nudger(handles.nth(index))))
    return controls


def _working_control(page: Any) -> tuple[str, Any] | None:
    """The first control whose change changes a graph's data.

    The first control gets three tries of 15 s: they also wait for the page's kernel connection.
    """
    controls = _controls(page)
    for position, (name, change) in enumerate(controls):
        tries, timeout = (3, 15_000) if position == 0 else (1, 5_000)
        if any(_changed_within(page, change, timeout) is not None for _ in range(tries)):
            return name, change
    return None


def _changed_within(page: Any, change: Any, timeout_ms: float) -> float | None:
    """Seconds from ``change()`` until the plot data changed, or ``None`` on timeout."""
    page.evaluate(MARK_PLOTS)
    started = time.perf_counter()
    change()
    try:
        page.wait_for_function(DATA_CHANGED, timeout=timeout_ms, polling=5)
    except PlaywrightTimeoutError:
        return None
    return time.perf_counter() - started


def measure_updates(page: Any, count: int) -> tuple[str, list[float], int]:
    """Seconds from each filter change until the plot data in the browser has changed.

    Uses the first filter that changes a graph (see :func:`_controls`); changes without effect
    in 15 s count as lost. Dashboards mark their main filter with ``widget.add_class("wf-filter")``.
    """
    control = _working_control(page)
    if control is None:
        return "no filter changes the graphs", [], count
    name, change = control
    seconds, lost = [], 0
    for _ in range(count):
        elapsed = _changed_within(page, change, 15_000)
        if elapsed is None:
            lost += 1
        else:
            seconds.append(elapsed)
        time.sleep(0.3)
    return name, seconds, lost


def run_pages(
    *,
    notebooks: Path,
    names: list[str],
    data_dir: Path,
    models_dir: Path,
    runs: int,
    updates: int,
    settle: float,
    log: Path | None = None,
) -> dict[str, Timings]:
    """Every notebook ``runs`` times (interleaved) on one server; updates on the first page."""
    settings = ServerSettings(
        data_dir=data_dir, models_dir=models_dir, port=free_port(), notebooks=notebooks
    )
    results = {name: Timings() for name in names}
    print("\nserving", flush=True)
    log_file = log.open("ab") if log else None
    with DashboardServer(settings, log=log_file), sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        # Warm-up, not counted: loads caches, counts each page's graphs.
        plots = {name: count_plots(browser, settings.url(name)) for name in names}
        for run in range(runs):
            for name in names:
                time.sleep(settle)  # the closed page's kernel goes, the machine calms down
                count, tiles = plots[name]
                seconds, tile, page = measure_render(
                    browser, settings.url(name), count, tiles=tiles
                )
                results[name].renders.append(seconds)
                if tile is not None:
                    results[name].tiles.append(tile)
                shown = f", first tile {tile:.2f} s" if tile is not None else ""
                print(f"  {name}: first render {seconds:.2f} s{shown}", flush=True)
                if run == 0 and count:
                    timing = results[name]
                    timing.control, timing.updates, timing.lost_updates = measure_updates(
                        page, updates
                    )
                page.close(run_before_unload=True)
        browser.close()
    if log_file:
        log_file.close()
    return results


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(mode: str, results: dict[str, Timings]) -> None:
    """A table per mode: medians and ratios to the minimal page."""
    minimal = results[MINIMAL.name]
    base_render, base_update = _median(minimal.renders), _median(minimal.updates)
    print(f"\n{mode}")
    print(
        f"{'notebook':<28} {'first tile s':>13} {'first render s':>15} {'x minimal':>10} "
        f"{'update ms':>10} {'x minimal':>10}  control"
    )
    for name, timing in results.items():
        render, update = _median(timing.renders), _median(timing.updates)
        tile = f"{_median(timing.tiles):.2f}" if timing.tiles else "-"
        print(
            f"{name:<28} {tile:>13} {render:>15.2f} {render / base_render:>10.2f} "
            f"{update * 1000:>10.0f} {update / base_update:>10.2f}  {timing.control}"
        )
        lost = f"; {timing.lost_updates} update(s) lost" if timing.lost_updates else ""
        print(f"{'':<28} runs: {', '.join(f'{s:.2f}' for s in timing.renders)}{lost}")


# Many viewers at once ----------------------------------------------------------------------------


def _process_tree(root: int) -> list[int]:
    """``root`` and every process below it (Voila and its kernels), from ``/proc``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _resident_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total


def _cpu_ticks(pid: int) -> int | None:
    """User and system CPU ticks of ``pid`` itself, or ``None`` once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


class MemoryPeak:
    """The largest resident memory of a process tree, sampled every quarter second."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak = 0
        self.kernels_peak = 0
        self.kernel_peak = 0
        """The largest single kernel process."""
        self._server_ticks: dict[int, int] = {}
        self._client_ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            pids = _process_tree(self.root)
            self.peak = max(self.peak, _resident_bytes(pids))
            self.kernel_peak = max([self.kernel_peak, *(_resident_bytes([k]) for k in pids[1:])])
            self.kernels_peak = max(self.kernels_peak, len(pids) - 1)
            self._tally(self._server_ticks, pids)
            own = [pid for pid in _process_tree(os.getpid()) if pid not in set(pids)]
            self._tally(self._client_ticks, own[1:])
            self._stop.wait(0.25)

    @staticmethod
    def _tally(ticks: dict[int, int], pids: list[int]) -> None:
        for pid in pids:
            now = _cpu_ticks(pid)
            if now is not None:
                ticks[pid] = max(ticks.get(pid, 0), now)

    def cpu_seconds(self) -> tuple[float, float]:
        """CPU seconds used while sampling: the server (Voila and its kernels), and every other
        process below this one (Playwright's driver and Chromium). A process's last quarter
        second before it ends is missed."""
        return (
            self._used(self._server_ticks, self._server_start),
            self._used(self._client_ticks, self._client_start),
        )

    def voila_cpu_seconds(self) -> float:
        """CPU seconds of Voila's own process while sampling (its kernels not included)."""
        used = self._server_ticks.get(self.root, 0) - self._server_start.get(self.root, 0)
        return used / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _used(ticks: dict[int, int], start: dict[int, int]) -> float:
        used = sum(now - start.get(pid, 0) for pid, now in ticks.items())
        return used / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> MemoryPeak:
        pids = _process_tree(self.root)
        self._server_start = {pid: _cpu_ticks(pid) or 0 for pid in pids}
        own = [pid for pid in _process_tree(os.getpid()) if pid not in set(pids)]
        self._client_start = {pid: _cpu_ticks(pid) or 0 for pid in own[1:]}
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Visit:
    """One viewer's visit: seconds until the page was rendered, and how often it heard "busy"."""

    seconds: float = float("nan")
    busy: int = 0
    failed: str = ""


async def _visit(browser: Any, url: str, plots: int, stay: float) -> Visit:
    visit = Visit()
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()

    def count_busy(response: Any) -> None:
        if response.request.resource_type == "document" and response.status == 503:
            visit.busy += 1

    page.on("response", count_busy)
    started = time.perf_counter()
    deadline = started + LOAD_TIMEOUT_S
    try:
        await page.goto(url, timeout=LOAD_TIMEOUT_S * 1000)
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"not rendered in {LOAD_TIMEOUT_S} s")
            try:
                await page.wait_for_function(
                    RENDERED, arg=plots, timeout=remaining * 1000, polling=100
                )
                break
            except PlaywrightError as error:
                if "destroyed" not in str(error) and "navigat" not in str(error):
                    raise
                await asyncio.sleep(0.5)  # the busy page reloaded itself: wait on the new one
        visit.seconds = time.perf_counter() - started
        await asyncio.sleep(stay)
    except Exception as error:  # a viewer that never got the page is reported, not fatal
        visit.failed = f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"
    finally:
        await page.close(run_before_unload=True)
        await context.close()
    return visit


async def _browser_visits(url: str, plots: int, viewers: int, stay: float) -> list[Visit]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
        )
        visits = await asyncio.gather(*(_visit(browser, url, plots, stay) for _ in range(viewers)))
        await browser.close()
    return list(visits)


def _jupyter_message(msg_type: str, content: dict[str, Any], session: str) -> str:
    header = {
        "msg_id": uuid.uuid4().hex,
        "username": "viewer",
        "session": session,
        "msg_type": msg_type,
        "version": "5.3",
        "date": dt.datetime.now(dt.UTC).isoformat(),
    }
    return json.dumps(
        {
            "header": header,
            "parent_header": {},
            "metadata": {"version": "1.0.0"},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }
    )


def _message_type(frame: str | bytes) -> str:
    """The type of a kernel websocket message (JSON, or binary with buffers); a widget control
    comm message counts by its method (``update_states``)."""
    if isinstance(frame, bytes):  # [count][offsets...][message JSON][buffers...]
        count = struct.unpack("!I", frame[:4])[0]
        offsets = struct.unpack(f"!{count}I", frame[4 : 4 + 4 * count])
        end = offsets[1] if count > 1 else len(frame)
        frame = frame[offsets[0] : end].decode()
    message = json.loads(frame)
    method = message.get("content", {}).get("data", {}).get("method")
    msg_type = message.get("msg_type") or message.get("header", {}).get("msg_type", "")
    return method if msg_type == "comm_msg" and method else msg_type


async def _protocol_visit(url: str, stay: float) -> Visit:
    """One viewer on another machine, as the server meets it, without a browser's own work.

    Asks for the page as a browser does (and waits out "busy" as the busy page does), reads it
    until Voila has run the notebook and sent it whole, then connects to the page's kernel
    and asks for every widget's state, the graphs' data included, as the widget manager does
    before it draws. Rendered once those states have arrived; the connection then stays
    ``stay`` seconds and the viewer leaves as a closed page does."""
    visit = Visit()
    started = time.perf_counter()
    try:
        while True:
            response = await AsyncHTTPClient().fetch(
                url, raise_error=False, request_timeout=LOAD_TIMEOUT_S
            )
            if response.code != 503:
                break
            visit.busy += 1
            await asyncio.sleep(float(response.headers.get("Retry-After", "15")))
        if response.code != 200:
            raise RuntimeError(f"HTTP {response.code}")
        found = re.search(r'"kernelId":\s*"([0-9a-f-]+)"', response.body.decode())
        if found is None:
            raise RuntimeError("no kernel in the page")
        base, query = url.split("/voila/render/")[0], url.split("?", 1)[1]
        channels = f"ws{base[4:]}/api/kernels/{found.group(1)}/channels?{query}"
        socket = await websocket_connect(channels)
        session, comm = uuid.uuid4().hex, uuid.uuid4().hex

        async def answer(msg_type: str) -> None:
            while True:
                frame = await asyncio.wait_for(socket.read_message(), LOAD_TIMEOUT_S)
                if frame is None:
                    raise RuntimeError("the kernel closed the connection")
                if _message_type(frame) == msg_type:
                    return

        # As the browser does: wait until the kernel answers on the connection, then ask.
        await socket.write_message(_jupyter_message("kernel_info_request", {}, session))
        await answer("kernel_info_reply")
        opened = {"comm_id": comm, "target_name": "jupyter.widget.control", "data": {}}
        await socket.write_message(_jupyter_message("comm_open", opened, session))
        request = {"comm_id": comm, "data": {"method": "request_states"}}
        await socket.write_message(_jupyter_message("comm_msg", request, session))
        await answer("update_states")
        visit.seconds = time.perf_counter() - started
        await asyncio.sleep(stay)
        socket.close()
        # Leaving: the page's "beforeunload" asks Voila to shut its kernel down.
        await AsyncHTTPClient().fetch(
            f"{base}/voila/api/shutdown/{found.group(1)}?{query}", method="POST", body=b""
        )
    except Exception as error:  # a viewer that never got the page is reported, not fatal
        visit.failed = f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"
    return visit


async def _protocol_visits(url: str, viewers: int, stay: float) -> list[Visit]:
    # Every viewer asks at once (Tornado's client otherwise keeps at most 10 requests going).
    AsyncHTTPClient.configure(None, max_clients=max(viewers, 10))
    return list(await asyncio.gather(*(_protocol_visit(url, stay) for _ in range(viewers))))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


@dataclass
class Crowd:
    """One kind of viewer on one page: alone, then many at once."""

    page: str
    viewers: str
    alone: Visit
    crowd: list[Visit]
    alone_memory: MemoryPeak
    crowd_memory: MemoryPeak

    @property
    def p95(self) -> float:
        return _percentile([v.seconds for v in self.crowd if not v.failed], 0.95)

    @property
    def ratio(self) -> float:
        return self.p95 / self.alone.seconds


def _measure_crowd(
    server: DashboardServer, url: str, page: str, kind: str, viewers: int, stay: float
) -> Crowd:
    assert server.process is not None
    plots = 0
    if kind == "browser":
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            plots, _ = count_plots(browser, url)  # warm-up, not counted
            browser.close()
    else:
        asyncio.run(_protocol_visits(url, 1, 0))  # warm-up, not counted

    def visits(count: int) -> list[Visit]:
        if kind == "browser":
            return asyncio.run(_browser_visits(url, plots, count, stay))
        return asyncio.run(_protocol_visits(url, count, stay))

    time.sleep(CULL_IDLE_TIMEOUT / 4)
    with MemoryPeak(server.process.pid) as alone_memory:
        (alone,) = visits(1)
    time.sleep(CULL_IDLE_TIMEOUT / 4)
    with MemoryPeak(server.process.pid) as crowd_memory:
        crowd = visits(viewers)
    return Crowd(page, kind, alone, crowd, alone_memory, crowd_memory)


CLIENTS = {
    "protocol": "viewers on other machines (no browser here: the page, then the widgets' state)",
    "browser": "viewers in Chromium on this machine",
}


def report_crowd(result: Crowd, *, viewers: int, server_alone: int, bound: int) -> None:
    seconds = [v.seconds for v in result.crowd if not v.failed]
    p50 = _percentile(seconds, 0.5)
    mib = 1024 * 1024
    print(f"  {result.page}, {CLIENTS[result.viewers]}:")
    print(
        f"    one viewer alone: rendered in {result.alone.seconds:.1f} s; {viewers} at once: "
        f"p50 {p50:.1f} s, p95 {result.p95:.1f} s = {result.ratio:.1f}x one viewer "
        f"(target <= 3x); slowest {max(seconds, default=float('nan')):.1f} s"
    )
    told_busy = sum(1 for v in result.crowd if v.busy)
    failures = [v.failed for v in result.crowd if v.failed]
    print(
        f"    told busy at least once: {told_busy} of {viewers}; never rendered: {len(failures)}"
        + (f" ({'; '.join(sorted(set(failures)))})" if failures else "")
    )
    # Per kernel: the largest kernel process the single viewer's server held (its page's kernel;
    # warm kernels waiting in the pool are smaller). The pool refills one kernel at a time, so
    # the cap may be passed by that one kernel while it warms.
    memory = result.crowd_memory
    per_page = max(result.alone_memory.kernel_peak, 1)
    print(
        f"    server peak memory {memory.peak / mib:.0f} MiB with at most "
        f"{memory.kernels_peak} kernel processes; bound by the cap (+ one warming) x the single "
        f"viewer's page kernel = {(bound * per_page + server_alone) / mib:.0f} MiB "
        f"(Voila {server_alone / mib:.0f} MiB + {bound} x {per_page / mib:.0f} MiB)"
    )
    server_cpu, client_cpu = memory.cpu_seconds()
    voila_cpu = memory.voila_cpu_seconds()
    viewers_cpu = (
        f", viewers' Chromium {client_cpu / viewers:.1f} s (on the same {os.cpu_count()} cores)"
        if result.viewers == "browser"
        else ""
    )
    print(
        f"    CPU per page view: server {server_cpu / viewers:.1f} s (Voila "
        f"{voila_cpu / viewers:.1f} s, kernels {(server_cpu - voila_cpu) / viewers:.1f} s)"
        + viewers_cpu
    )


def run_load(
    *,
    notebooks: Path,
    page: str,
    data_dir: Path,
    models_dir: Path,
    viewers: int,
    stay: float,
    max_kernels: int,
    pool_size: int = POOL_SIZE,
    clients: list[str] | None = None,
    floor: bool = True,
    log: Path | None = None,
) -> None:
    """One viewer alone, then ``viewers`` at once, on one server capped at ``max_kernels``: for
    each kind of viewer in ``clients``, on ``page`` and (``floor``) on the minimal page, whose
    ratio is what any page meets on this machine with those viewers."""
    settings = ServerSettings(
        data_dir=data_dir,
        models_dir=models_dir,
        port=free_port(),
        notebooks=notebooks,
        max_kernels=max_kernels,
        pool_size=pool_size,
    )
    pages = [page] + ([MINIMAL.name] if floor and page != MINIMAL.name else [])
    log_file = log.open("ab") if log else None
    results = []
    with DashboardServer(settings, log=log_file) as server:
        assert server.process is not None
        time.sleep(CULL_IDLE_TIMEOUT / 4)
        server_alone = _resident_bytes([server.process.pid])  # Voila with no page open
        for kind in clients or list(CLIENTS):
            for name in pages:
                results.append(
                    _measure_crowd(server, settings.url(name), name, kind, viewers, stay)
                )
    if log_file:
        log_file.close()
    print(
        f"\n{viewers} viewers at once, each staying {stay:.0f} s, cap {max_kernels}, "
        f"{pool_size} warm kernels"
    )
    bound = max_kernels + (1 if pool_size else 0)
    for result in results:
        report_crowd(result, viewers=viewers, server_alone=server_alone, bound=bound)
    for kind in clients or list(CLIENTS):
        measured = {r.page: r for r in results if r.viewers == kind}
        if page in measured and MINIMAL.name in measured and page != MINIMAL.name:
            print(
                f"  {kind} viewers: {page} {measured[page].ratio:.1f}x against the minimal "
                f"page's {measured[MINIMAL.name].ratio:.1f}x in the same run"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("data"),
        help="Data folder with marts and forecasts (default data/, as after make run).",
    )
    parser.add_argument("--models-dir", type=Path, default=Path("models"))
    parser.add_argument("--runs", type=int, default=3, help="First renders per notebook.")
    parser.add_argument("--updates", type=int, default=5, help="Filter changes per notebook.")
    parser.add_argument("--settle", type=float, default=15.0, help="Seconds between pages.")
    parser.add_argument("--modes", choices=["pages", "load", "both"], default="pages")
    parser.add_argument("--viewers", type=int, default=20, help="Viewers at once (load).")
    parser.add_argument("--stay", type=float, default=20.0, help="Seconds each viewer stays.")
    parser.add_argument("--max-kernels", type=int, default=MAX_KERNELS, help="Kernel cap (load).")
    parser.add_argument("--pool-size", type=int, default=POOL_SIZE, help="Warm kernels (load).")
    parser.add_argument(
        "--page", default="regional_employer.ipynb", help="Notebook the viewers open (load)."
    )
    parser.add_argument(
        "--clients",
        nargs="+",
        choices=list(CLIENTS),
        default=list(CLIENTS),
        help="Kinds of viewer (load): protocol (the server's work alone) and/or browser.",
    )
    parser.add_argument(
        "--no-floor",
        action="store_true",
        help="Skip the minimal page's crowd (load), the floor this machine sets.",
    )
    parser.add_argument("--voila-log", type=Path, help="Append Voila's log to this file.")
    parser.add_argument(
        "--pages",
        nargs="+",
        metavar="NOTEBOOK",
        help="Only these dashboards (beside the minimal page), e.g. training_alignment.",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        scratch = Path(temporary)
        data_dir, models_dir = args.data_dir, args.models_dir
        if not (data_dir / "forecasts" / "demand.parquet").is_file():
            print(f"No forecasts in {data_dir}: preparing the seeded region with a quick forecast")
            data_dir, models_dir = prepare_data(scratch / "data")
        names = serve_folder(scratch / "notebooks", args.pages)
        if args.modes in ("pages", "both"):
            print(f"Notebooks: {', '.join(names)}; {args.runs} renders, {args.updates} updates")
            results = run_pages(
                notebooks=scratch / "notebooks",
                names=names,
                data_dir=data_dir,
                models_dir=models_dir,
                runs=args.runs,
                updates=args.updates,
                settle=args.settle,
                log=args.voila_log,
            )
            report("a kernel per page view (views follow identity)", results)
            sys.stdout.flush()
        if args.modes in ("load", "both"):
            run_load(
                notebooks=scratch / "notebooks",
                page=args.page,
                data_dir=data_dir,
                models_dir=models_dir,
                viewers=args.viewers,
                stay=args.stay,
                max_kernels=args.max_kernels,
                pool_size=args.pool_size,
                clients=args.clients,
                floor=not args.no_floor,
                log=args.voila_log,
            )


if __name__ == "__main__":
    main()
