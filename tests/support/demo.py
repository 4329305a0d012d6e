"""A small demo data folder for the dashboards: the seeded region, a quick forecast of a few series.

The full ``make run`` forecasts every series with Prophet; trying a dashboard (or testing one)
only needs a handful of series with the same files, so this writes them in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from workforce.forecast.demand import KEYS
from workforce.store import Store, write_frame

DEMO_SECTORS = ("hospitals", "elderly_home_care")
"""Two sectors with many professions, so that every dropdown has a real choice."""
DEMO_REGIONS = ("AM13",)
"""Pages that show one region's forecasts are tried on Midden-Utrecht alone: a third of the
series of the three regions, the same choices in every dropdown."""


@dataclass(frozen=True)
class DemoData:
    """Where the demo data went."""

    data_dir: Path
    models_dir: Path
    run_dir: Path


def demo_demand_subset(
    demand: pl.DataFrame,
    *,
    sectors: tuple[str, ...] = DEMO_SECTORS,
    per_sector: int = 3,
    regions: tuple[str, ...] = DEMO_REGIONS,
) -> pl.DataFrame:
    """The demand mart cut to ``regions`` and the first ``per_sector`` professions of each of
    ``sectors``."""
    keep = (
        demand.filter(
            pl.col("sector_code").is_in(list(sectors)) & pl.col("region_code").is_in(list(regions))
        )
        .select(*KEYS)
        .unique()
        .sort(*KEYS)
        .group_by("sector_code", maintain_order=True)
        .head(per_sector)
    )
    return demand.join(keep, on=list(KEYS))


def prepare_demo_forecast(
    data_dir: Path,
    *,
    models_dir: Path | None = None,
    per_sector: int = 3,
    horizon: int = 24,
    workers: int = 1,
    with_prophet: bool = False,
    regions: tuple[str, ...] = DEMO_REGIONS,
) -> DemoData:
    """Forecast a few demand series of ``data_dir``'s marts with fast models, as ``forecast`` does.

    Every node of their hierarchy is forecast (the region, each sector, each profession and
    each series), written in the format of ``workforce forecast``. The folder's demand mart is
    cut to the same series, so that history and forecasts add up alike: use a folder of its own
    (a copy of the marts), never the data of a real run.
    Writes ``<data_dir>/forecasts/demand.parquet`` and a registry run under ``models_dir``
    (default ``<data_dir>/models``). ``with_prophet`` adds Prophet to the candidates and saves
    its models (slower), so that Prophet's components can be shown. ``regions`` chooses the
    regions forecast (default: Midden-Utrecht alone).
    """
    from workforce.forecast.baselines import Drift, Naive, SeasonalNaive, Theta
    from workforce.forecast.engine import ForecastEngine
    from workforce.forecast.engine_run import EngineSettings, run_engine
    from workforce.forecast.frames import ForecastOutput, Frequency, check_input
    from workforce.forecast.prophet import ProphetForecaster
    from workforce.forecast.registry import save_run
    from workforce.outlook.outlook import hierarchy_of, node_history

    store = Store(data_dir)
    models_dir = models_dir or store.models
    demand = demo_demand_subset(store.read_mart("demand"), per_sector=per_sector, regions=regions)
    write_frame(demand, store.mart_path("demand"), what="mart demand")
    hierarchy = hierarchy_of(demand)
    frame, frequency = check_input(node_history(demand, hierarchy), frequency=Frequency.month)
    settings = EngineSettings(
        horizon=horizon,
        backtest_horizon=12,
        folds=2,
        candidates=(Naive(), SeasonalNaive(), Drift(), Theta())
        + (
            (ProphetForecaster(uncertainty_samples=0, fast_optimizer=True),) if with_prophet else ()
        ),
        engine=ForecastEngine(inner_folds=3),
        keep_prophet=with_prophet,
    )
    output = run_engine(frame, frequency, settings, workers=workers)
    nodes = hierarchy.nodes.rename({"node_id": "unique_id"})
    write_frame(
        ForecastOutput.validate(output.forecasts).join(nodes, on="unique_id"),
        store.forecast_path("demand"),
        what="forecast demand",
    )
    run_dir = save_run(
        output,
        models_dir=models_dir,
        input_frame=frame,
        settings={"horizon": horizon, "backtest_horizon": 12, "folds": 2},
    )
    return DemoData(data_dir=data_dir, models_dir=models_dir, run_dir=run_dir)
