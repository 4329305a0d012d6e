"""The whole pipeline on the three regions against Midden-Utrecht alone, and the 2031 shortage.

Runs what the session's ``region_forecast`` test fixture runs (generate, ingest, build, the
forecast with the engine's baselines, 200 joint paths, no leaving-model evaluation) for
Midden-Utrecht alone and for the three regions, in this process one after the other, and prints
the CPU seconds of each (``time.process_time``: this process only; the engine's worker
processes, if any, are not counted) and their ratio. Then the projected shortage of each region
in 2031 (persons, the forecast's region nodes, with the 80 % interval) and of the three together
beside the published 13,900, with the interval of their sum from the saved outlook's joint
simulation (:func:`workforce.regional.projection.projected_together`).

    .venv/bin/python benchmarks/regions_forecast.py [--seed 42]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl

from workforce.forecast.engine_run import baseline_settings
from workforce.ingest.load import ingest_paths
from workforce.marts.build import build_marts
from workforce.outlook.region_forecast import forecast_region
from workforce.regional.projection import projected_from_data_dir
from workforce.regional.published import PUBLISHED_AREA_SHORTAGE_2031
from workforce.store import Store
from workforce.synthetic import RegionParams, generate_region

HORIZON = 120
PATHS = 200
YEAR = 2031


def run(folder: Path, params: RegionParams, seed: int) -> tuple[float, pl.DataFrame, Path]:
    """CPU seconds of the pipeline, the region nodes' yearly shortage and the data folder."""
    started = time.process_time()
    raw, data = folder / "raw", folder / "data"
    generate_region(raw, seed=seed, params=params)
    ingest_paths([raw], data)
    build_marts(data)
    forecast_region(
        data, baseline_settings(HORIZON), models_dir=data / "models", paths=PATHS,
        evaluate_leaving=False,
    )  # fmt: skip
    seconds = time.process_time() - started
    shortage = Store(data).read_forecast("shortage")
    return (
        seconds,
        shortage.filter((pl.col("level") == "region_code") & (pl.col("resolution") == "year")),
        data,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as one_dir, tempfile.TemporaryDirectory() as three_dir:
        one_s, _, _ = run(Path(one_dir), RegionParams().with_regions("AM13"), args.seed)
        three_s, regions, data = run(Path(three_dir), RegionParams(), args.seed)
        together = projected_from_data_dir(data, YEAR, paths=PATHS)
    print(f"pipeline one_cpu_s={one_s:.1f} three_cpu_s={three_s:.1f} ratio={three_s / one_s:.2f}")
    at = regions.filter(pl.col("month").dt.year() == YEAR).sort("region_code")
    for row in at.iter_rows(named=True):
        print(
            f"region={row['region_code']} year={YEAR} shortage_persons="
            f"{row['shortage_persons']:.0f} lo_80={row['shortage_persons_lo_80']:.0f} "
            f"hi_80={row['shortage_persons_hi_80']:.0f}"
        )
    total = float(at["shortage_persons"].sum())
    print(
        f"area year={YEAR} shortage_persons={total:.0f} published={PUBLISHED_AREA_SHORTAGE_2031} "
        f"difference={total - PUBLISHED_AREA_SHORTAGE_2031:+.0f} "
        f"({total / PUBLISHED_AREA_SHORTAGE_2031 - 1:+.0%})"
    )
    if together is not None:
        print(
            f"area year={together.year} shortage_persons={together.persons:.0f} "
            f"lo_80={together.persons_lo_80:.0f} hi_80={together.persons_hi_80:.0f} "
            f"(sum of the regions' bounds: {at['shortage_persons_lo_80'].sum():.0f} to "
            f"{at['shortage_persons_hi_80'].sum():.0f})"
        )


if __name__ == "__main__":
    main()
