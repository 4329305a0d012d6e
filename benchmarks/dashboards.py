"""Dashboards in a real browser: first render and filter latency, next to a minimal Voila page.

Serves every notebook of ``dashboards/`` (new dashboards are picked up as they appear) plus
``benchmarks/minimal_dashboard.ipynb`` (one dropdown, one small Plotly ``FigureWidget``) from one
Voila server started as ``workforce dashboard`` starts it, and drives Debian's Chromium:

- first render: from the request until Voila's spinner is gone and as many Plotly graphs as
  the page shows once settled (counted in a warm-up load) hold their data (a fresh page per run);
- update: from choosing another option in a dropdown (or nudging a slider) until the data of a
  graph in the browser has changed.

Both are measured with preheated kernels (``--preheat_kernel``, one executed kernel kept ready
per notebook) and without, and reported as ratios to the minimal page of the same run.
Targets: first render <= 2x minimal; update <= 500 ms.

    .venv/bin/python benchmarks/dashboards.py [--data-dir data] [--runs 3] [--updates 5]

Run it after ``make run`` so that every dashboard has its data. When the data folder has no
forecasts, the seeded region is generated and a few series are forecast into a temporary folder
first (dashboards that need more then show their empty states).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support, run as a script

from tests.support.browser import (
    PLOT_COUNT,
    PLOT_DATA_JSON,
    RENDERED,
    launch_chromium,
)
from workforce.dashboards.server import (
    DashboardServer,
    ServerSettings,
    dashboards_dir,
    free_port,
)

MINIMAL = Path(__file__).with_name("minimal_dashboard.ipynb")
PAGE_TIMEOUT_MS = 180_000
DATA_CHANGED = f"(before) => ({PLOT_DATA_JSON})() !== before"


@dataclass
class Timings:
    """Seconds per run of one notebook in one mode."""

    renders: list[float] = field(default_factory=list)
    updates: list[float] = field(default_factory=list)
    lost_updates: int = 0
    control: str = ""


def prepare_data(folder: Path) -> tuple[Path, Path]:
    """The seeded region's marts and a quick forecast of a few series in ``folder``."""
    from tests.support.demo import prepare_demo_forecast
    from workforce.build import build_marts
    from workforce.ingest.load import ingest_paths
    from workforce.synthetic import generate_region

    generate_region(folder / "raw", seed=42)
    ingest_paths([folder / "raw"], folder)
    build_marts(folder)
    demo = prepare_demo_forecast(folder, workers=1)
    return demo.data_dir, demo.models_dir


def serve_folder(target: Path) -> list[str]:
    """Copy the dashboards and the minimal page into ``target``; return the notebook names."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(MINIMAL, target / MINIMAL.name)
    names = []
    for notebook in sorted(dashboards_dir().glob("*.ipynb")):
        shutil.copy(notebook, target / notebook.name)
        names.append(notebook.name)
    return [MINIMAL.name, *names]


def measure_render(browser: Any, url: str, plots: int) -> tuple[float, Any]:
    """Seconds from the request until the page shows ``plots`` drawn graphs; it stays open."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    started = time.perf_counter()
    page.goto(url, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function(RENDERED, arg=plots, timeout=PAGE_TIMEOUT_MS, polling=20)
    return time.perf_counter() - started, page


def count_plots(browser: Any, url: str) -> int:
    """How many Plotly graphs a page shows once it has settled (the warm-up load)."""
    _, page = measure_render(browser, url, 0)
    time.sleep(5)
    count = int(page.evaluate(PLOT_COUNT))
    page.close(run_before_unload=True)
    return count


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
    before = page.evaluate(PLOT_DATA_JSON)
    started = time.perf_counter()
    change()
    try:
        page.wait_for_function(DATA_CHANGED, arg=before, timeout=timeout_ms, polling=5)
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


def run_mode(
    *,
    preheat: bool,
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
        data_dir=data_dir,
        models_dir=models_dir,
        port=free_port(),
        notebooks=notebooks,
        preheat=preheat,
    )
    results = {name: Timings() for name in names}
    print(f"\n{'preheated' if preheat else 'not preheated'}: serving", flush=True)
    log_file = log.open("ab") if log else None
    with DashboardServer(settings, log=log_file), sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        # Warm-up, not counted: fills the pools, loads caches, counts each page's graphs.
        plots = {name: count_plots(browser, settings.url(name)) for name in names}
        for run in range(runs):
            for name in names:
                time.sleep(settle)  # the pool refills and the machine calms down between pages
                seconds, page = measure_render(browser, settings.url(name), plots[name])
                results[name].renders.append(seconds)
                print(f"  {name}: first render {seconds:.2f} s", flush=True)
                if run == 0 and plots[name]:
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
        f"{'notebook':<28} {'first render s':>15} {'x minimal':>10} "
        f"{'update ms':>10} {'x minimal':>10}  control"
    )
    for name, timing in results.items():
        render, update = _median(timing.renders), _median(timing.updates)
        print(
            f"{name:<28} {render:>15.2f} {render / base_render:>10.2f} "
            f"{update * 1000:>10.0f} {update / base_update:>10.2f}  {timing.control}"
        )
        lost = f"; {timing.lost_updates} update(s) lost" if timing.lost_updates else ""
        print(f"{'':<28} runs: {', '.join(f'{s:.2f}' for s in timing.renders)}{lost}")


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
    parser.add_argument(
        "--modes", choices=["both", "preheat", "cold"], default="both", help="Kernel modes."
    )
    parser.add_argument("--voila-log", type=Path, help="Append Voila's log to this file.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        scratch = Path(temporary)
        data_dir, models_dir = args.data_dir, args.models_dir
        if not (data_dir / "forecasts" / "demand.parquet").is_file():
            print(f"No forecasts in {data_dir}: preparing the seeded region with a quick forecast")
            data_dir, models_dir = prepare_data(scratch / "data")
        names = serve_folder(scratch / "notebooks")
        modes = {"both": [True, False], "preheat": [True], "cold": [False]}[args.modes]
        print(f"Notebooks: {', '.join(names)}; {args.runs} renders and {args.updates} updates each")
        summary = {}
        for preheat in modes:
            mode = (
                "preheated kernels (--preheat_kernel=True --pool_size=1)"
                if preheat
                else ("no preheating (a kernel starts per page)")
            )
            results = run_mode(
                preheat=preheat,
                notebooks=scratch / "notebooks",
                names=names,
                data_dir=data_dir,
                models_dir=models_dir,
                runs=args.runs,
                updates=args.updates,
                settle=args.settle,
                log=args.voila_log,
            )
            report(mode, results)
            sys.stdout.flush()
            summary[preheat] = results
        if len(summary) == 2:
            print("\nfirst render, preheated / not preheated (below 1: preheating is faster)")
            for name in names:
                ratio = _median(summary[True][name].renders) / _median(summary[False][name].renders)
                print(f"  {name:<28} {ratio:.2f}")


if __name__ == "__main__":
    main()
