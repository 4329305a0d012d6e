"""What demand from demography costs: ``workforce forecast`` with and without a population mart.

Both runs do the whole forecast of the generated region (engine backtests and forecasts of every
node, outlook, registry) in this process (one worker), on copies of the same marts; the reference
run has no ``population.parquet``, so it forecasts demand from its own history only, as before
population became a source. Reported: CPU seconds of each run and their ratio, measured in the
same process one after the other.

    python benchmarks/demand_from_demography.py [--data-dir D] [--folds 4] [--horizon 120]
        [--series N]   # the first N bottom series only (their sectors, professions, region)
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from workforce.forecast.engine_run import EngineSettings
from workforce.outlook.region_forecast import forecast_region


def build_region(folder: Path) -> Path:
    """Generate the region (seed 42), ingest it and build its marts; return the data folder."""
    from forecast_engine import build_demand  # the sibling benchmark's region builder

    return build_demand(folder).parent.parent


def cut_marts(marts: Path, out: Path, series: int) -> Path:
    """A copy of ``marts`` with the first ``series`` bottom series only."""
    import polars as pl

    keys = ["region_code", "sector_code", "profession_code"]
    demand = pl.read_parquet(marts / "demand.parquet")
    keep = demand.select(keys).unique().sort(pl.all()).head(series)
    out.mkdir(parents=True)
    demand.join(keep, on=keys).write_parquet(out / "demand.parquet")
    spells = pl.read_parquet(marts / "spells.parquet")
    spells.join(keep, on=keys).write_parquet(out / "spells.parquet")
    for name in ("education_pipeline", "population"):
        shutil.copy(marts / f"{name}.parquet", out)
    return out


def cpu_seconds(marts: Path, work: Path, settings: EngineSettings, *, population: bool) -> float:
    """CPU seconds of one whole forecast on a copy of ``marts``."""
    data_dir = work / ("with" if population else "without")
    shutil.copytree(marts, data_dir / "marts")
    if not population:
        (data_dir / "marts" / "population.parquet").unlink(missing_ok=True)
    started = time.process_time()
    forecast_region(data_dir, settings, models_dir=data_dir / "models", workers=1)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="Data folder with built marts.")
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--horizon", type=int, default=120)
    parser.add_argument("--series", type=int, default=0, help="First N bottom series (0: all).")
    args = parser.parse_args()
    settings = EngineSettings(horizon=args.horizon, backtest_horizon=12, folds=args.folds)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data_dir = args.data_dir or build_region(work / "region")
        marts = (data_dir / "marts").resolve()
        if args.series:
            marts = cut_marts(marts, work / "cut", args.series)
        without = cpu_seconds(marts, work, settings, population=False)
        with_population = cpu_seconds(marts, work, settings, population=True)
    print(f"forecast without population (reference): {without:.1f} CPU s")
    print(f"forecast with demand from demography:      {with_population:.1f} CPU s")
    print(f"ratio: {with_population / without:.2f}")


if __name__ == "__main__":
    main()
