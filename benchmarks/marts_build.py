"""``workforce build`` (every mart) against DuckDB SQL for ``workforce_monthly`` alone.

Generates the national benchmark load (about 1.4 million workers: staff and vacancy Parquet
blocks, no education) and ingests it, then measures three methods, each in its own fresh child
process, one after the other:

- ``build``: ``build_marts(data_dir)``: every mart, from reading staging to writing Parquet;
- ``duckdb_monthly``: ``benchmarks/workforce_monthly.sql`` (the same event-based method, linking
  included) over the same staged staff files (or, when newer extracts replaced some rows, the
  effective rows written to one file beforehand), written to Parquet: one mart of six;
- ``scan``: reading the staged staff and vacancy files once into memory (the floor).

CPU seconds (user + system of the child, all threads), wall seconds and peak resident memory
(the child's ``ru_maxrss``) count the work after imports. CPU seconds are the robust figure on a
shared machine; wall seconds move with the load. Before any figure is printed, the DuckDB result
is compared with the ``workforce_monthly`` mart, cell for cell; a difference stops the benchmark.
The last three lines are ``method=<name> cpu_s=<x> wall_s=<y> peak_mib=<z>``.

    .venv/bin/python benchmarks/marts_build.py [--workers N] [--data-dir DIR]

Needs DuckDB: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from workforce.ingest.load import Staging, ingest_paths
from workforce.ingest.validate import collect_files
from workforce.marts.build import build_marts, mart_inputs
from workforce.marts.flows import entry_ages
from workforce.synthetic.generate import NATIONAL_WORKERS, generate_national
from workforce.synthetic.params import RegionParams

SQL = Path(__file__).with_name("workforce_monthly.sql")
METHODS = ("build", "duckdb_monthly", "scan")
TARGET_PEAK_MIB = 2 * 1024
RESULT_PREFIX = "RESULT "


# -- setup (not timed) --------------------------------------------------------------------------


def prepare(data_dir: Path, raw: Path, workers: int) -> None:
    """Generate the national load into ``raw`` and ingest it into ``data_dir``."""
    started = time.perf_counter()

    def on_block(done: int, total: int) -> None:
        print(f"  generated block {done}/{total} ({time.perf_counter() - started:.0f} s)")

    summary = generate_national(raw, workers=workers, on_block=on_block)
    print(f"  {summary.workers_at_extract:,} workers at extract, rows {dict(summary.rows)}")
    files = collect_files([raw])
    report = ingest_paths(files, data_dir, extract_date=RegionParams().extract_date)
    print(f"  ingested {len(files)} files: {report.rows_kept:,} rows kept")


def is_prepared(data_dir: Path) -> bool:
    """Whether staff files have been ingested into ``data_dir``."""
    return not Staging(data_dir).coverage().filter(pl.col("source") == "staff").is_empty()


def staged(data_dir: Path, source: str) -> str:
    """Glob of the staged Parquet files of ``source``."""
    return str(data_dir / "staging" / source / "*.parquet")


def sql_staff(data_dir: Path) -> Path:
    """Where the SQL reads the effective staff rows written by :func:`write_sql_inputs`."""
    return data_dir / "benchmark" / "staff.parquet"


def write_sql_inputs(data_dir: Path) -> str:
    """Covered months and entry ages for the SQL; returns what it reads the staff rows from.

    With one extract per employer (the national load) no staged row is replaced by a newer
    one, so the SQL reads the staged files as they are, as the build does; otherwise the
    effective rows are written to one file first (not timed).
    """
    inputs = mart_inputs(data_dir)
    folder = data_dir / "benchmark"
    folder.mkdir(exist_ok=True)
    inputs.staff_months.write_parquet(folder / "months.parquet")
    entry_ages(inputs.reference).write_parquet(folder / "entry_ages.parquet")
    effective = inputs.staff.select(pl.len()).collect().item()
    all_rows = pl.scan_parquet(staged(data_dir, "staff")).select(pl.len()).collect().item()
    if effective == all_rows:
        sql_staff(data_dir).unlink(missing_ok=True)
        return staged(data_dir, "staff")
    print(f"  {all_rows - effective:,} staged staff rows replaced by newer extracts: the SQL reads")
    print(f"  the {effective:,} effective rows from {sql_staff(data_dir)}")
    inputs.staff.collect().write_parquet(sql_staff(data_dir))
    return str(sql_staff(data_dir))


# -- the methods, each run in a child ----------------------------------------------------------


def duckdb_output(data_dir: Path) -> Path:
    """Where the SQL writes its ``workforce_monthly``."""
    return data_dir / "benchmark" / "duckdb_workforce_monthly.parquet"


def run_duckdb(data_dir: Path) -> int:
    """``workforce_monthly`` by the committed SQL, from the staged files to Parquet."""
    import duckdb

    folder = data_dir / "benchmark"
    staff = sql_staff(data_dir) if sql_staff(data_dir).exists() else staged(data_dir, "staff")
    connection = duckdb.connect()
    connection.execute(f"CREATE VIEW staff AS SELECT * FROM read_parquet('{staff}')")
    connection.execute(
        f"CREATE VIEW months AS SELECT * FROM read_parquet('{folder / 'months.parquet'}')"
    )
    connection.execute(
        f"CREATE VIEW entry_ages AS SELECT * FROM read_parquet('{folder / 'entry_ages.parquet'}')"
    )
    query = SQL.read_text(encoding="utf-8")
    connection.execute(f"COPY ({query}) TO '{duckdb_output(data_dir)}' (FORMAT parquet)")
    return int(pl.scan_parquet(duckdb_output(data_dir)).select(pl.len()).collect().item())


def run_scan(data_dir: Path) -> int:
    """Read every staged staff and vacancy row into memory once."""
    frames = [pl.read_parquet(staged(data_dir, source)) for source in ("staff", "vacancies")]
    return sum(frame.height for frame in frames)


def run_method(method: str, data_dir: Path) -> dict[str, Any]:
    """Do one method's work in this process and return its figures."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    if method == "build":
        rows = sum(build_marts(data_dir).rows.values())
    elif method == "duckdb_monthly":
        rows = run_duckdb(data_dir)
    else:
        rows = run_scan(data_dir)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "method": method,
        "rows": rows,
        "cpu_s": usage.ru_utime + usage.ru_stime - cpu_before,
        "wall_s": wall,
        "peak_mib": usage.ru_maxrss / 1024,
    }


def measure(method: str, data_dir: Path) -> dict[str, Any]:
    """Run one method in a fresh interpreter and return its figures."""
    command = [sys.executable, __file__, "--method", method, "--data-dir", str(data_dir)]
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{method} failed with exit code {result.returncode}")
    line = next(row for row in result.stdout.splitlines() if row.startswith(RESULT_PREFIX))
    figures: dict[str, Any] = json.loads(line.removeprefix(RESULT_PREFIX))
    return figures


# -- comparison and report ----------------------------------------------------------------------


def check_equal(data_dir: Path) -> str:
    """Compare the SQL result with the ``workforce_monthly`` mart; stop on any difference."""
    mart = pl.read_parquet(data_dir / "marts" / "workforce_monthly.parquet")
    sql = pl.read_parquet(duckdb_output(data_dir))
    if sql.schema != mart.schema:
        raise SystemExit(f"EQUALITY CHECK FAILED: columns differ\n{sql.schema}\n{mart.schema}")
    if not sql.equals(mart):
        differing = (
            [name for name in mart.columns if not sql[name].equals(mart[name])]
            if sql.height == mart.height
            else "row counts"
        )
        raise SystemExit(f"EQUALITY CHECK FAILED: SQL and workforce_monthly differ in {differing}")
    return f"passed: {mart.height:,} rows x {mart.width} columns equal, in the same order"


def report(results: dict[str, dict[str, Any]], staff_rows: int) -> None:
    """Print the table, the ratios, the targets and one parseable line per method."""
    print(f"\ninput: {staff_rows:,} staff spells (+ vacancies, read by build and scan)")
    print(f"{'method':<16}{'rows out':>12}{'cpu s':>9}{'wall s':>9}{'peak MiB':>10}")
    for method in METHODS:
        figures = results[method]
        print(
            f"{method:<16}{figures['rows']:>12,}{figures['cpu_s']:>9.1f}"
            f"{figures['wall_s']:>9.1f}{figures['peak_mib']:>10.0f}"
        )
    build, duck, scan = (results[method] for method in METHODS)
    print(
        f"\nCPU: build (6 marts) / duckdb (workforce_monthly) = "
        f"{build['cpu_s'] / duck['cpu_s']:.2f}; build / scan = {build['cpu_s'] / scan['cpu_s']:.1f}"
    )
    print(
        f"wall: build / duckdb = {build['wall_s'] / duck['wall_s']:.2f}; "
        f"build / scan = {build['wall_s'] / scan['wall_s']:.1f} (wall moves with machine load)"
    )
    print(f"peak: build / duckdb = {build['peak_mib'] / duck['peak_mib']:.2f}")
    faster = build["cpu_s"] < duck["cpu_s"]
    small = build["peak_mib"] <= TARGET_PEAK_MIB
    print(f"target build CPU < duckdb CPU: {'met' if faster else 'NOT met'}")
    print(
        f"target build peak <= {TARGET_PEAK_MIB:,} MiB: {'met' if small else 'NOT met'} "
        f"({build['peak_mib']:,.0f} MiB)"
    )
    for method in METHODS:
        figures = results[method]
        print(
            f"method={method} cpu_s={figures['cpu_s']:.2f} wall_s={figures['wall_s']:.2f} "
            f"peak_mib={figures['peak_mib']:.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=NATIONAL_WORKERS, help="national workers")
    parser.add_argument(
        "--data-dir", type=Path, help="data folder to reuse or fill (default: temp)"
    )
    parser.add_argument("--method", choices=METHODS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.method:
        print(RESULT_PREFIX + json.dumps(run_method(args.method, args.data_dir)))
        return
    with tempfile.TemporaryDirectory(prefix="marts-build-") as scratch:
        data_dir = args.data_dir or Path(scratch) / "data"
        if is_prepared(data_dir):
            print(f"reusing the ingested data in {data_dir} (--workers is ignored)")
        else:
            print(f"generating {args.workers:,} workers and ingesting them into {data_dir}")
            prepare(data_dir, data_dir / "raw", args.workers)
        write_sql_inputs(data_dir)
        staff_rows = pl.scan_parquet(staged(data_dir, "staff")).select(pl.len()).collect().item()
        results = {}
        for method in METHODS:
            print(f"measuring {method} ...")
            results[method] = measure(method, data_dir)
        print("equality check (SQL vs mart):", check_equal(data_dir))
        report(results, staff_rows)


if __name__ == "__main__":
    main()
