"""Cost of the history checks of ``workforce ingest``, against the same load without them.

Generates the Midden-Utrecht region and loads it into fresh data folders, alternately with the
history checks (a newer extract that would remove history or count staff twice is held) and
with ``accept_changes=True``, which skips them. Then it re-delivers every staff file of the
region under a later extract date, where the checks compare each file with what was loaded
before (the expensive case). CPU seconds, best of three, in one process.

    .venv/bin/python benchmarks/ingest_history.py
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from workforce.ingest.load import IngestReport, ingest_paths
from workforce.synthetic import generate_region


def _best_cpu(runs: int, work: Callable[[], object]) -> float:
    timings = []
    for _ in range(runs):
        started = time.process_time()
        work()
        timings.append(time.process_time() - started)
    return min(timings)


def _load(raw: Path, data: Path, *, accept: bool) -> IngestReport:
    shutil.rmtree(data, ignore_errors=True)
    return ingest_paths([raw], data, accept_changes=accept)


def _redeliver(raw: Path, later: Path) -> None:
    """Every staff file again, its rows in reverse order, named with a later extract date."""
    later.mkdir(parents=True, exist_ok=True)
    for path in sorted((raw / "staff").iterdir()):
        target = later / path.name.replace("2025-12-31", "2026-01-31")
        if path.suffix == ".parquet":
            pl.read_parquet(path).reverse().write_parquet(target)
        else:
            pl.read_csv(path, infer_schema=False).reverse().write_csv(target)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        raw, later = root / "raw", root / "later"
        generate_region(raw, seed=42)
        _redeliver(raw, later)
        now = dt.datetime(2026, 2, 1)
        checked = _best_cpu(3, lambda: _load(raw, root / "a", accept=False))
        unchecked = _best_cpu(3, lambda: _load(raw, root / "b", accept=True))

        def second(data: Path, accept: bool) -> None:
            _load(raw, data, accept=True)
            started = time.process_time()
            report = ingest_paths([later], data, accept_changes=accept, now=now)
            timings.append(time.process_time() - started)
            held.append(report.count("held"))

        timings: list[float] = []
        held: list[int] = []
        for _ in range(3):
            second(root / "c", False)
        redelivery_checked = min(timings)
        timings.clear()
        for _ in range(3):
            second(root / "d", True)
        redelivery_unchecked = min(timings)
    print("first load of the region (124 files)")
    print(f"  with history checks     {checked:6.2f} s CPU")
    print(f"  without (accepted)      {unchecked:6.2f} s CPU")
    print(f"  ratio                   {checked / unchecked:6.2f}x")
    print("re-delivery of every staff file under a later extract date")
    print(f"  with history checks     {redelivery_checked:6.2f} s CPU (files held: {held[0]})")
    print(f"  without (accepted)      {redelivery_unchecked:6.2f} s CPU")
    print(f"  ratio                   {redelivery_checked / redelivery_unchecked:6.2f}x")


if __name__ == "__main__":
    main()
