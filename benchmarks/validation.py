"""Cost of contract validation against a plain typed read of the same files.

Generates the Midden-Utrecht region, then times ``validate_file`` on every raw file against
reading the same files with polars and a fixed schema (no checks). The ratio is what the checks,
the per-row failure bookkeeping and the text-first parsing cost.

    .venv/bin/python benchmarks/validation.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import polars as pl

from workforce.ingest.validate import collect_files, detect_contract, validate_file
from workforce.schemas import CONTRACTS, contract_columns
from workforce.synthetic import generate_region


def _plain_read(path: Path) -> pl.DataFrame:
    header = pl.read_parquet_schema(path) if path.suffix == ".parquet" else None
    columns = list(header) if header else pl.read_csv(path, n_rows=0).columns
    schema = contract_columns(detect_contract(columns))
    if path.suffix == ".parquet":
        return pl.read_parquet(path).cast(schema)  # type: ignore[arg-type]
    return pl.read_csv(path, schema=schema)


def _best_of(runs: int, work: object) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        generate_region(out, seed=42)
        files = collect_files([out])
        rows = sum(_plain_read(path).height for path in files)
        validate_file(files[0])  # load the reference tables once, outside the timing
        plain = _best_of(3, lambda: [_plain_read(path) for path in files])
        checked = _best_of(3, lambda: [validate_file(path) for path in files])
    print(f"{len(files)} files, {rows:,} rows, {len(CONTRACTS)} contracts")
    print(f"plain typed read  {plain:6.2f} s")
    print(f"validate_file     {checked:6.2f} s")
    print(f"validation / plain read: {checked / plain:.1f}x")


if __name__ == "__main__":
    main()
