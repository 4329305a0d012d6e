"""``workforce build`` on national-scale data against a pandas person-month expansion.

Generates the national benchmark load (about 1.4 million workers: staff and vacancy Parquet
blocks, no education) and ingests it, then measures, each in its own fresh child process:

- polars: ``build_marts(data_dir)``, every mart, from reading staging to writing Parquet;
- pandas: the straightforward way to get ``workforce_monthly``'s headcount, FTE, hires and
  leavers: read the effective staff spells, repeat every spell once per month it is active
  (month-end convention of :mod:`workforce.marts`), group by month and staff cell, write
  Parquet. Its time includes its own read (``effective_rows(...).collect().to_pandas()``) and
  write, as the build's time includes its reads and writes.

Seconds are the child's work after imports; peak memory is the child's own
``ru_maxrss``. The parent stops the pandas child when its resident memory passes
``--memory-limit-gib`` (default 16) and then runs it again one block of employers at a time,
which needs far less memory because no cell spans two employers. The two results are compared
cell by cell before the figures are printed; a difference stops the benchmark.

    .venv/bin/python benchmarks/marts_build.py [--workers N] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from workforce.build import build_marts
from workforce.ingest.load import Staging, effective_rows, ingest_paths
from workforce.marts import FTE_HOURS, STAFF_CELL
from workforce.synthetic.generate import NATIONAL_WORKERS, generate_national
from workforce.synthetic.params import RegionParams
from workforce.validate import collect_files

TARGET_SPEEDUP = 20.0
TARGET_PEAK_MIB = 4 * 1024
BLOCK_SPELLS = 250_000
"""Employers are grouped into blocks of about this many spells for the block-wise pandas run."""
FTE_TOLERANCE = 1e-3
RESULT_PREFIX = "RESULT "
SPELL_COLUMNS = [*STAFF_CELL, "start_date", "end_date", "contract_hours_week"]


# -- setup (not timed) --------------------------------------------------------------------------


def prepare(data_dir: Path, raw: Path, workers: int) -> None:
    """Generate the national load into ``raw`` and ingest it into ``data_dir``."""
    started = time.perf_counter()

    def on_block(done: int, total: int) -> None:
        print(f"  generated block {done}/{total} ({time.perf_counter() - started:.0f} s)")

    summary = generate_national(raw, workers=workers, on_block=on_block)
    print(f"  {summary.workers_at_extract:,} workers at extract, rows {dict(summary.rows)}")
    files = collect_files([raw])
    extract_date = RegionParams().extract_date
    for done, path in enumerate(files, start=1):
        report = ingest_paths([path], data_dir, extract_date=extract_date)
        if done % 8 == 0 or done == len(files):
            print(
                f"  ingested {done}/{len(files)} files, last {path.parent.parent.name}/"
                f"{path.parent.name}: {report.rows_kept:,} kept, "
                f"{report.rows_quarantined:,} quarantined ({time.perf_counter() - started:.0f} s)"
            )


def is_prepared(data_dir: Path) -> bool:
    """Whether staff files have been ingested into ``data_dir``."""
    return not Staging(data_dir).coverage().filter(pl.col("source") == "staff").is_empty()


# -- the pandas reference -----------------------------------------------------------------------


def employer_months(data_dir: Path) -> pd.DataFrame:
    """Per employer the first and last covered month, as month numbers (year * 12 + month - 1)."""
    coverage = Staging(data_dir).coverage().to_pandas()
    staff = coverage[coverage["source"] == "staff"]
    months = staff.groupby("party").agg(first=("covers_from", "min"), last=("covers_to", "max"))
    return pd.DataFrame(
        {
            "employer_id": months.index,
            "first_month": month_number(months["first"]).to_numpy(),
            "last_month": month_number(months["last"]).to_numpy(),
        }
    )


def month_number(dates: pd.Series) -> pd.Series:
    """Months since year 0 (float, NaN for a missing date)."""
    return dates.dt.year * 12 + dates.dt.month - 1


def pandas_workforce_monthly(spells: pd.DataFrame, months: pd.DataFrame) -> pd.DataFrame:
    """Headcount, FTE, hires and leavers per month and staff cell by expanding person-months.

    A spell counts in month t when it started by t's last day and had not ended by it, i.e.
    from its start month up to the month before its end month, within the employer's months.
    """
    spells = spells.merge(months, on="employer_id", how="inner").reset_index(drop=True)
    spells["fte"] = spells["contract_hours_week"] / FTE_HOURS
    start = month_number(spells["start_date"])
    end = month_number(spells["end_date"])
    first_active = np.maximum(start, spells["first_month"])
    last_active = np.minimum((end - 1).fillna(spells["last_month"]), spells["last_month"])
    months_active = (last_active - first_active + 1).clip(lower=0).astype("int64")

    person_months = spells.loc[spells.index.repeat(months_active), [*STAFF_CELL, "fte"]]
    person_months["month"] = (
        first_active.astype("int64").repeat(months_active)
        + person_months.groupby(level=0).cumcount()
    )
    stock = person_months.groupby([*STAFF_CELL, "month"]).agg(
        headcount=("fte", "size"), fte=("fte", "sum")
    )
    del person_months

    in_range = spells["first_month"], spells["last_month"]
    hires = (
        spells.assign(month=start)[start.between(*in_range)]
        .groupby([*STAFF_CELL, "month"])
        .size()
        .rename("hires")
    )
    leavers = (
        spells.assign(month=end)[end.between(*in_range)]
        .groupby([*STAFF_CELL, "month"])
        .size()
        .rename("leavers")
    )
    monthly = pd.concat([stock, hires, leavers], axis=1).fillna(0).reset_index()
    month = monthly["month"].astype("int64")
    monthly["month"] = pd.to_datetime({"year": month // 12, "month": month % 12 + 1, "day": 1})
    counts = ["headcount", "hires", "leavers"]
    monthly[counts] = monthly[counts].astype("int64")
    return monthly[["month", *STAFF_CELL, "headcount", "fte", "hires", "leavers"]]


def pandas_by_blocks(spells: pd.DataFrame, months: pd.DataFrame) -> pd.DataFrame:
    """:func:`pandas_workforce_monthly` one block of employers (~BLOCK_SPELLS spells) at a time."""
    per_employer = spells["employer_id"].value_counts().sort_index()
    block_of = (per_employer.cumsum() // BLOCK_SPELLS).rename("block")
    blocks = spells.join(block_of, on="employer_id").groupby("block")
    return pd.concat(
        [pandas_workforce_monthly(block.drop(columns="block"), months) for _, block in blocks],
        ignore_index=True,
    )


# -- the two sides, each run in a child ----------------------------------------------------------


def pandas_output(data_dir: Path) -> Path:
    """Where the pandas side writes its result."""
    return data_dir / "benchmark" / "pandas_workforce_monthly.parquet"


def run_side(side: str, data_dir: Path) -> dict[str, Any]:
    """Do one side's work in this process and return its figures."""
    started = time.perf_counter()
    figures: dict[str, Any] = {}
    if side == "polars":
        result = build_marts(data_dir)
        figures["rows_out"] = result.rows["workforce_monthly"]
        figures["rows_out_all"] = sum(result.rows.values())
    else:
        spells = effective_rows(data_dir, "staff").select(SPELL_COLUMNS).collect().to_pandas()
        figures["read_seconds"] = time.perf_counter() - started
        months = employer_months(data_dir)
        work = pandas_by_blocks if side == "pandas-blocks" else pandas_workforce_monthly
        monthly = work(spells, months)
        del spells
        pandas_output(data_dir).parent.mkdir(exist_ok=True)
        monthly.to_parquet(pandas_output(data_dir), index=False)
        figures["rows_out"] = len(monthly)
    figures["seconds"] = time.perf_counter() - started
    figures["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


@dataclass(frozen=True)
class Measurement:
    """One child's figures, or how it was stopped."""

    side: str
    figures: dict[str, Any]
    stopped_at_mib: float | None = None
    stopped_after: float | None = None


def resident_mib(pid: int) -> float:
    """Current resident memory of a process, from /proc."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def measure(side: str, data_dir: Path, limit_mib: float) -> Measurement:
    """Run one side in a fresh interpreter, stopping it if it passes ``limit_mib`` resident."""
    command = [sys.executable, __file__, "--side", side, "--data-dir", str(data_dir)]
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        while child.poll() is None:
            if resident_mib(child.pid) > limit_mib:
                child.kill()
                child.wait()
                return Measurement(side, {}, limit_mib, time.perf_counter() - started)
            time.sleep(0.05)
        output = child.stdout.read() if child.stdout else ""
    if child.returncode != 0:
        raise SystemExit(f"{side} side failed with exit code {child.returncode}")
    line = next(row for row in output.splitlines() if row.startswith(RESULT_PREFIX))
    return Measurement(side, json.loads(line.removeprefix(RESULT_PREFIX)))


# -- comparison and report ----------------------------------------------------------------------


def check_equal(data_dir: Path) -> str:
    """Compare the pandas result with the ``workforce_monthly`` mart; raise on any difference."""
    keys = ["month", *STAFF_CELL]
    values = ["headcount", "fte", "hires", "leavers"]
    mart = pl.read_parquet(data_dir / "marts" / "workforce_monthly.parquet", columns=keys + values)
    reference = pl.read_parquet(pandas_output(data_dir)).with_columns(pl.col("month").cast(pl.Date))
    joined = mart.join(reference, on=keys, how="full", coalesce=True, suffix="_pandas")
    in_mart = pl.col("headcount").is_not_null()
    in_pandas = pl.col("headcount_pandas").is_not_null()
    both = joined.filter(in_mart & in_pandas)
    problems = {
        "headcount differs": both.filter(pl.col("headcount") != pl.col("headcount_pandas")),
        "fte differs": both.filter((pl.col("fte") - pl.col("fte_pandas")).abs() > FTE_TOLERANCE),
        "hires differ": both.filter(pl.col("hires") != pl.col("hires_pandas")),
        "leavers differ": both.filter(pl.col("leavers") != pl.col("leavers_pandas")),
        "non-empty row only in the mart": joined.filter(
            in_mart & ~in_pandas & ((pl.col("headcount") != 0) | (pl.col("fte").abs() > 0))
        ),
        "row only in pandas": joined.filter(~in_mart & in_pandas),
    }
    failed = {name: frame for name, frame in problems.items() if frame.height}
    if failed:
        details = "\n".join(
            f"{name}: {frame.height:,} rows\n{frame.head(5)}" for name, frame in failed.items()
        )
        raise SystemExit(f"EQUALITY CHECK FAILED: pandas and workforce_monthly disagree\n{details}")
    only_mart = joined.filter(in_mart & ~in_pandas).height
    return (
        f"passed: {both.height:,} month x cell rows in both; headcount, hires and leavers "
        f"equal, fte within {FTE_TOLERANCE:g}; {only_mart:,} mart rows absent from pandas "
        "(all with headcount 0)"
    )


def input_rows(data_dir: Path) -> dict[str, int]:
    """Effective rows per source."""
    return {
        source: effective_rows(data_dir, source).select(pl.len()).collect().item()
        for source in ("staff", "vacancies")
    }


def table_row(label: str, figures: dict[str, Any]) -> str:
    """One side's rows out, seconds and peak MiB under the table header."""
    rows, seconds, peak = figures["rows_out"], figures["seconds"], figures["peak_mib"]
    return f"{label:<30}{rows:>12,}{seconds:>10.1f}{peak:>10.0f}"


def report(polars_run: Measurement, pandas_runs: list[Measurement], rows: dict[str, int]) -> None:
    """Print the figures, the ratio and whether the targets are met."""
    staff, vacancies = rows["staff"], rows["vacancies"]
    print(f"\nrows in: {staff:,} staff spells (+ {vacancies:,} vacancies, read by polars only)")
    print(f"{'side':<30}{'rows out':>12}{'seconds':>10}{'peak MiB':>10}")
    built = polars_run.figures
    print(table_row("polars build_marts (all marts)", built))
    print(f"{'':<30}({built['rows_out_all']:,} rows over all marts; rows out = workforce_monthly)")
    finished = None
    for run in pandas_runs:
        label = "pandas whole" if run.side == "pandas" else "pandas by employer block"
        if run.stopped_at_mib is not None:
            print(
                f"{label:<30}{'-':>12}{'-':>10}{'-':>10}  out of memory at limit "
                f"{run.stopped_at_mib:,.0f} MiB: stopped after {run.stopped_after:.1f} s"
            )
            continue
        figures = run.figures
        finished = run
        print(f"{table_row(label, figures)}  (read {figures['read_seconds']:.1f} s)")
    if finished is None:
        print("no pandas run finished: no ratio")
        return
    ratio = finished.figures["seconds"] / built["seconds"]
    how = "whole" if finished.side == "pandas" else "by employer block"
    print(f"\nspeed ratio pandas ({how}) / polars: {ratio:.1f}x")
    for run in pandas_runs:
        if run.stopped_after is not None:
            share = run.stopped_after / built["seconds"]
            print(
                f"pandas on the whole load passed {run.stopped_at_mib:,.0f} MiB after "
                f"{run.stopped_after:.1f} s ({share:.1f}x the polars time) and was stopped; "
                "the block-wise run, same code per block, is the comparison"
            )
    speed_ok = ratio >= TARGET_SPEEDUP
    memory_ok = built["peak_mib"] <= TARGET_PEAK_MIB
    print(
        f"target >= {TARGET_SPEEDUP:.0f}x faster: {'met' if speed_ok else 'NOT met'} ({ratio:.1f}x)"
    )
    print(
        f"target <= {TARGET_PEAK_MIB:,} MiB peak: {'met' if memory_ok else 'NOT met'} "
        f"({built['peak_mib']:,.0f} MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=NATIONAL_WORKERS, help="national workers")
    parser.add_argument(
        "--data-dir", type=Path, help="data folder to reuse or fill (default: temp)"
    )
    parser.add_argument("--memory-limit-gib", type=float, default=16.0, help="pandas side limit")
    parser.add_argument(
        "--side", choices=["polars", "pandas", "pandas-blocks"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.side:
        print(RESULT_PREFIX + json.dumps(run_side(args.side, args.data_dir)))
        return
    with tempfile.TemporaryDirectory(prefix="marts-build-") as scratch:
        data_dir = args.data_dir or Path(scratch) / "data"
        if is_prepared(data_dir):
            print(f"reusing the ingested data in {data_dir} (--workers is ignored)")
        else:
            print(f"generating {args.workers:,} workers and ingesting them into {data_dir}")
            prepare(data_dir, data_dir / "raw", args.workers)
        rows = input_rows(data_dir)
        limit_mib = args.memory_limit_gib * 1024
        print("measuring polars build_marts ...")
        polars_run = measure("polars", data_dir, float("inf"))
        print("measuring pandas person-month expansion ...")
        pandas_output(data_dir).unlink(missing_ok=True)
        pandas_runs = [measure("pandas", data_dir, limit_mib)]
        if pandas_runs[0].stopped_at_mib is not None:
            print(f"  stopped at {limit_mib:,.0f} MiB; again one block of employers at a time ...")
            pandas_runs.append(measure("pandas-blocks", data_dir, limit_mib))
        if pandas_output(data_dir).exists():
            print("equality check:", check_equal(data_dir))
        else:
            print("equality check: not possible, no pandas run finished")
        report(polars_run, pandas_runs, rows)


if __name__ == "__main__":
    main()
