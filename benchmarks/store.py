"""What the store's safety costs: contract checks and atomic writes against a plain Parquet write.

For every mart of a data folder, in one run and in CPU seconds of this process:

- reference: ``frame.write_parquet(path)``, the write the pipeline used before the store;
- store write: ``write_frame(frame, path, what="mart <name>")``: negative zeros normalised, one
  chunk, names, types and values checked against the contract, temporary file, rename;
- checked read: ``Store.read_mart(name)`` (names and types from the footer, then the read),
  against a plain ``pl.read_parquet``.

Each is repeated ``--repeats`` times and the best taken; ratios are to the reference of the same
run. Where the value checks cost more than the write itself, the table shows it.

    .venv/bin/python benchmarks/store.py [--data-dir data] [--repeats 5]

Without built marts in ``--data-dir`` the seeded region is generated, loaded and built into a
temporary folder first.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import polars as pl

from workforce.marts.compute import MART_NAMES
from workforce.store import Store, write_frame


def _cpu(action: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        action()
        best = min(best, time.process_time() - started)
    return best


def _prepared(data_dir: Path, workdir: Path) -> Path:
    if Store(data_dir).mart_path("workforce_monthly").is_file():
        return data_dir
    from workforce.ingest.load import ingest_paths
    from workforce.marts.build import build_marts
    from workforce.synthetic import generate_region

    raw, data = workdir / "raw", workdir / "data"
    generate_region(raw, seed=42)
    ingest_paths([raw], data)
    build_marts(data)
    return data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        store = Store(_prepared(args.data_dir, Path(workdir)))
        out = Path(workdir) / "out"
        out.mkdir()
        print(
            "| mart | rows | plain write (s) | store write (s) | ratio "
            "| plain read (s) | checked read (s) | ratio |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        totals = [0.0, 0.0, 0.0, 0.0]
        for name in MART_NAMES:
            frame = store.read_mart(name)
            path = store.mart_path(name)
            plain_write = _cpu(partial(frame.write_parquet, out / "plain.parquet"), args.repeats)
            store_write = _cpu(
                partial(write_frame, frame, out / "store.parquet", what=f"mart {name}"),
                args.repeats,
            )
            plain_read = _cpu(partial(pl.read_parquet, path), args.repeats)
            checked_read = _cpu(partial(store.read_mart, name), args.repeats)
            for index, value in enumerate((plain_write, store_write, plain_read, checked_read)):
                totals[index] += value
            print(
                f"| {name} | {frame.height:,} | {plain_write:.3f} | {store_write:.3f} | "
                f"{store_write / plain_write:.2f} | {plain_read:.3f} | {checked_read:.3f} | "
                f"{checked_read / plain_read:.2f} |"
            )
        print(
            f"| all | | {totals[0]:.3f} | {totals[1]:.3f} | {totals[1] / totals[0]:.2f} | "
            f"{totals[2]:.3f} | {totals[3]:.3f} | {totals[3] / totals[2]:.2f} |"
        )


if __name__ == "__main__":
    main()
