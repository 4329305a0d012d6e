"""The fast test lane (``make test-fast``): CPU seconds of each process, serial against parallel.

Runs ``pytest -m "not slow and not browser"`` twice in the same run: on one process (the
reference) and as ``make test-fast`` does, on two worker processes with each test file in one
(``-n 2 --dist loadfile``). Each pytest process records its own CPU seconds and those of the
processes it started; the report gives the total CPU of each lane and, for the parallel one, the
busiest worker's: on an idle two-core machine the lane's wall time is about that worker's CPU
time, since the workers run side by side. Wall times are printed too, with the load average,
which on a shared machine moves them far more than the code does.

    .venv/bin/python benchmarks/fast_lane.py [--workers 2] [PYTEST_ARGS ...]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD_ENV = "FAST_LANE_CPU_DIR"


def pytest_unconfigure(config: object) -> None:
    """Pytest hook (this file is loaded as a plugin): write this process's CPU seconds."""
    folder = os.environ.get(RECORD_ENV)
    if not folder:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    own = resource.getrusage(resource.RUSAGE_SELF)
    started = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = own.ru_utime + own.ru_stime + started.ru_utime + started.ru_stime
    Path(folder, f"{worker}.cpu").write_text(f"{seconds:.2f}\n")


def run_lane(workers: int, extra: list[str]) -> tuple[float, dict[str, float]]:
    """Wall seconds and CPU seconds per process of one run of the lane."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "fast_lane",
            "-m",
            "not slow and not browser",
            "-q",
            "-p",
            "no:cacheprovider",
            *(["-n", str(workers), "--dist", "loadfile"] if workers > 1 else []),
            *extra,
        ]
        path = os.pathsep.join([str(ROOT / "benchmarks"), str(ROOT)])
        env = {**os.environ, RECORD_ENV: folder, "PYTHONPATH": path}
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(result.stdout[-3000:] + result.stderr[-3000:])
        cpu = {p.stem: float(p.read_text()) for p in Path(folder).glob("*.cpu")}
    if "main" in cpu:  # the controller's children are its workers: count them once
        cpu["main"] -= sum(seconds for name, seconds in cpu.items() if name != "main")
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    args, extra = parser.parse_known_args()
    serial_wall, serial = run_lane(1, extra)
    parallel_wall, parallel = run_lane(args.workers, extra)
    busiest = max(seconds for name, seconds in parallel.items() if name != "main")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"one process:  {sum(serial.values()):6.1f} CPU s, wall {serial_wall:6.1f} s")
    print(
        f"{args.workers} workers:    {sum(parallel.values()):6.1f} CPU s in all, wall "
        f"{parallel_wall:6.1f} s; per process: "
        + ", ".join(f"{name} {seconds:.1f}" for name, seconds in sorted(parallel.items()))
    )
    print(
        f"busiest worker / one process: {busiest:.1f} / {sum(serial.values()):.1f} CPU s = "
        f"{busiest / sum(serial.values()):.2f}; all CPU of the parallel lane / one process = "
        f"{sum(parallel.values()) / sum(serial.values()):.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
