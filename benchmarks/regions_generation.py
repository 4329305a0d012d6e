"""The three regions against Midden-Utrecht alone: generation and build cost, calibration.

For each seed, generates Midden-Utrecht alone (``--regions AM13``) and the default three
regions, then ingests and builds the marts of each, measuring CPU seconds (user + system of this
process, from ``time.process_time``) of each step in the same run; the ratios three / one are the
figures to read, as the machine is shared. For the three regions it prints each region's
shortage share at the end of 2022 in two ways beside the published share: the generator's truth
(demand minus staff) and what the marts show (open vacancies of staff plus open vacancies).

    .venv/bin/python benchmarks/regions_generation.py [--seeds 42 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import polars as pl

from workforce.ingest.load import ingest_paths
from workforce.marts.build import build_marts
from workforce.regional.published import AREA_REGIONS, PUBLISHED_2022
from workforce.store import Store
from workforce.synthetic import RegionParams, generate_region

END_OF_2022 = dt.date(2022, 12, 1)


def _timed(step: object, *args: object, **kwargs: object) -> tuple[object, float]:
    started = time.process_time()
    result = step(*args, **kwargs)  # type: ignore[operator]
    return result, time.process_time() - started


def _marts_shares(data_dir: Path) -> dict[str, float]:
    store = Store(data_dir)
    staff = store.read_mart("workforce_monthly").filter(pl.col("month") == END_OF_2022)
    vacancies = store.read_mart("vacancies_monthly").filter(pl.col("month") == END_OF_2022)
    demand = store.read_mart("demand").filter(pl.col("month") == END_OF_2022)
    regions = demand.select("region_code").unique()["region_code"].to_list()
    places = store.read_mart("spells").select("municipality_code", "region_code").unique()
    shares = {}
    for code in regions:
        mine = places.filter(pl.col("region_code") == code)["municipality_code"].to_list()
        head = staff.filter(pl.col("municipality_code").is_in(mine))["headcount"].sum()
        open_ = vacancies.filter(pl.col("municipality_code").is_in(mine))["open"].sum()
        shares[code] = open_ / (head + open_)
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7])
    args = parser.parse_args()
    for seed in args.seeds:
        cost: dict[str, dict[str, float]] = {}
        for label, params in (
            ("one", RegionParams().with_regions("AM13")),
            ("three", RegionParams()),
        ):
            with tempfile.TemporaryDirectory() as folder:
                raw, data = Path(folder) / "raw", Path(folder) / "data"
                summary, generate_s = _timed(generate_region, raw, seed=seed, params=params)
                _, ingest_s = _timed(ingest_paths, [raw], data)
                _, build_s = _timed(build_marts, data)
                cost[label] = {"generate": generate_s, "ingest": ingest_s, "build": build_s}
                if label == "three":
                    truth = summary.shortage_by_region  # type: ignore[attr-defined]
                    marts = _marts_shares(data)
        for step in ("generate", "ingest", "build"):
            one, three = cost["one"][step], cost["three"][step]
            print(f"seed={seed} step={step} one_cpu_s={one:.1f} three_cpu_s={three:.1f} "
                  f"ratio={three / one:.2f}")  # fmt: skip
        for code in AREA_REGIONS:
            shortage, demand = truth[code]
            published = PUBLISHED_2022[code].share_of_demand
            print(
                f"seed={seed} region={code} published={published:.1%} "
                f"truth={shortage / demand:.1%} marts={marts[code]:.1%}"
            )


if __name__ == "__main__":
    main()
