"""Scenario recompute for a whole region without refitting, against the full recompute.

Both sides apply the same scenario (``scenarios/combined.toml``: every kind of lever) to the
prepared outlook of the seed-42 region and use the same paths and seed:

- dashboard: :class:`workforce.scenario.ScenarioEngine` reruns the supply projection with the
  levers and summarises the shortage of the region and each profession once per year (what the
  regional-employer dashboard shows);
- reference: ``Outlook.compute`` with the levers and ``outlook_marts`` (every node, monthly and
  yearly periods, supply, shortage, decomposition and demand marts): what ``workforce scenario
  run`` recomputes before writing.

Target: a dashboard recompute under 300 ms. Prints the median of several repeats of each and
their ratio.

    .venv/bin/python benchmarks/scenario.py [--data-dir DIR] [--paths 200] [--repeats 7]

``--data-dir`` is a data folder after ``workforce forecast`` (with ``forecasts/outlook``);
without it the region is generated and forecast with the engine's baselines into a temporary
folder first (a few minutes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from workforce.outlook.outlook import Outlook, outlook_marts
from workforce.scenario import ScenarioEngine, compute_scenario, read_scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "combined.toml"
TARGET_SECONDS = 0.3


def forecast_region(folder: Path) -> Path:
    """Generate, ingest and build the region, then forecast it with the baseline models."""
    from workforce.forecast.engine_run import baseline_settings
    from workforce.ingest.load import ingest_paths
    from workforce.marts.build import build_marts
    from workforce.outlook.region_forecast import forecast_region as run_forecast
    from workforce.synthetic import generate_region

    generate_region(folder / "raw", seed=42)
    ingest_paths([folder / "raw"], folder)
    build_marts(folder)
    run_forecast(
        folder, baseline_settings(120), models_dir=folder / "models", evaluate_leaving=False
    )
    return folder


def median_seconds(action: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process of ``action()`` over ``repeats``.

    On a shared machine the wall time includes waiting for a core; CPU time does not.
    """
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--paths", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or forecast_region(Path(scratch))
        outlook = Outlook.load(data_dir / "forecasts" / "outlook")
        scenario = read_scenario(SCENARIO)
        engine = ScenarioEngine(outlook, paths=args.paths)
        engine.baseline  # noqa: B018  (draws the demand paths once, as a dashboard does on load)

        def full() -> None:
            outlook_marts(outlook, compute_scenario(outlook, scenario, paths=args.paths))

        fast, fast_cpu = median_seconds(lambda: engine.recompute(scenario), args.repeats)
        reference, reference_cpu = median_seconds(full, max(3, args.repeats // 2))
    series = outlook.supply_inputs.series.height
    nodes = engine.recompute(scenario)["node_id"].n_unique()
    print(
        f"Region: {series} series, {outlook.hierarchy.n_nodes} nodes, {outlook.months} months, "
        f"{args.paths} paths; scenario {scenario.name} ({len(scenario.levers)} levers)."
    )
    print(
        f"dashboard recompute ({nodes} nodes x {len(engine.periods)} years): "
        f"{fast * 1000:.0f} ms wall, {fast_cpu * 1000:.0f} ms CPU"
    )
    print(
        f"full recompute with all marts: {reference * 1000:.0f} ms wall, "
        f"{reference_cpu * 1000:.0f} ms CPU"
    )
    print(
        f"ratio full / dashboard: {reference / fast:.1f}x wall, {reference_cpu / fast_cpu:.1f}x CPU"
    )
    print(f"load average (1 min) {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    verdict = "meets" if fast < TARGET_SECONDS else "misses"
    print(f"target {TARGET_SECONDS * 1000:.0f} ms wall: {verdict}")


if __name__ == "__main__":
    main()
