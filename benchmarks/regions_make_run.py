"""CPU seconds of ``make run``'s stages on Midden-Utrecht alone and on the three regions.

Runs the commands the Makefile's ``demo`` and ``run`` targets run (``workforce generate``,
``ingest``, ``build``, ``report quality``, ``report outlook-backtest --baselines-only --paths
100``, ``forecast``, ``regional``; not the dashboard server), as separate processes in a
temporary folder, first with ``--regions AM13`` (the default before the three regions) and then
with the three regions (the default now), one after the other in this run. Each stage's CPU
seconds are user + system time of the command and of every process it waited for (its workers),
from ``resource.getrusage(RUSAGE_CHILDREN)``; the ratio three / one is printed per stage and in
total. Wall time is printed too but depends on what else the machine runs.

    .venv/bin/python benchmarks/regions_make_run.py [--seed 42]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ONE = "AM13"
THREE = "AM13,AM14,AM12"


def stages(data: Path, regions: str, seed: int) -> list[tuple[str, list[str]]]:
    """The Makefile's commands up to the dashboard, on ``data``."""
    folder, raw = str(data), str(data / "raw")
    return [
        ("generate", ["generate", "--out", raw, "--seed", str(seed), "--regions", regions]),
        ("ingest", ["ingest", raw, "--data-dir", folder]),
        ("build", ["build", "--data-dir", folder]),
        ("quality", ["report", "quality", "--data-dir", folder]),
        ("outlook-backtest", ["report", "outlook-backtest", "--data-dir", folder,
                              "--baselines-only", "--paths", "100"]),
        ("forecast", ["forecast", "--data-dir", folder, "--models-dir", f"{folder}/models"]),
        ("regional", ["regional", "--data-dir", folder]),
    ]  # fmt: skip


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(folder: Path, regions: str, seed: int) -> dict[str, tuple[float, float]]:
    """CPU and wall seconds per stage."""
    seconds = {}
    for name, arguments in stages(folder / "data", regions, seed):
        cpu, wall = children_cpu(), time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "workforce.cli", *arguments],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=folder,
        )
        seconds[name] = (children_cpu() - cpu, time.perf_counter() - wall)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as one_dir, tempfile.TemporaryDirectory() as three_dir:
        one = run(Path(one_dir), ONE, args.seed)
        three = run(Path(three_dir), THREE, args.seed)
    for name in one:
        print(
            f"stage={name} one_cpu_s={one[name][0]:.1f} three_cpu_s={three[name][0]:.1f} "
            f"ratio={three[name][0] / one[name][0]:.2f} one_wall_s={one[name][1]:.1f} "
            f"three_wall_s={three[name][1]:.1f}"
        )
    one_total = sum(cpu for cpu, _ in one.values())
    three_total = sum(cpu for cpu, _ in three.values())
    print(
        f"total one_cpu_s={one_total:.1f} three_cpu_s={three_total:.1f} "
        f"ratio={three_total / one_total:.2f}"
    )


if __name__ == "__main__":
    main()
