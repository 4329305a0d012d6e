"""``workforce forecast`` for a whole region: demand, supply and shortage, saved as one run.

1. Demand series for every node of the hierarchy (region, region x sector, region x profession,
   region x sector x profession), from the demand mart.
2. The forecast engine backtests and forecasts each node (``forecasts/demand.parquet``).
3. The outlook (:mod:`workforce.outlook.outlook`): leaving model, supply inputs, reconciled
   demand, joint simulation; marts in ``forecasts/`` and the prepared outlook in
   ``forecasts/outlook/`` for scenarios and dashboards. Shortage intervals are scaled by the
   factors ``workforce report outlook-backtest`` learned from past origins
   (``calibration/shortage_intervals.json``), when the data folder has them.
4. A registry run in ``models/<run>/``: engine models and metrics (model card), the leaving
   model's out-of-time evaluation and the outlook summary.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import polars as pl

from workforce.forecast.engine_run import EngineSettings, RunOutput, run_engine
from workforce.forecast.executor import ExecutorKind, ProgressCallback
from workforce.forecast.frames import ForecastOutput, Frequency, check_input
from workforce.forecast.registry import markdown_table
from workforce.forecast.structural import (
    DEMOGRAPHY_INDEX,
    DemandAssumptions,
    known_index_paths,
    model_card_section,
    with_demography,
)
from workforce.outlook.interval_calibration import CALIBRATION_FILE, ShortageCalibration
from workforce.outlook.outlook import (
    DEFAULT_PATHS,
    Outlook,
    OutlookResult,
    hierarchy_of,
    node_history,
    outlook_marts,
    prepare_outlook,
    write_marts,
)
from workforce.reference import load_reference
from workforce.store import Store, holds_lock, write_json

LEAVING_TEST_YEARS = 2
"""The leaving model is evaluated on the last this many years, trained on the years before."""
OUTLOOK_STAGE = "Supply, shortage and sample paths"
LEAVING_STAGE = f"Leaving model on the last {LEAVING_TEST_YEARS} years"
"""Stages after the demand forecasts, as progress reports them."""


@dataclass
class RegionForecast:
    """What a region forecast produced, and how long each stage took (seconds)."""

    run_folder: Path
    outlook: Outlook
    result: OutlookResult
    marts: dict[str, pl.DataFrame]
    engine: RunOutput
    seconds: dict[str, float] = field(default_factory=dict)


def demand_nodes(data_dir: Path, *, min_length: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Checked long series of every hierarchy node, and the nodes frame (level and keys)."""
    store = Store(data_dir)
    demand = store.read_mart("demand")
    hierarchy = hierarchy_of(demand)
    history = node_history(demand, hierarchy)
    frame, _ = check_input(
        history,
        source=str(store.mart_path("demand")),
        frequency=Frequency.month,
        min_length=min_length,
    )
    return frame, hierarchy.nodes


@holds_lock("forecast")
def forecast_region(
    data_dir: Path,
    settings: EngineSettings,
    *,
    models_dir: Path,
    executor: ExecutorKind = ExecutorKind.local,
    workers: int | None = None,
    scheduler: str | None = None,
    paths: int = DEFAULT_PATHS,
    evaluate_leaving: bool = True,
    progress: ProgressCallback | None = None,
) -> RegionForecast:
    """Run the whole forecast for the marts in ``data_dir``; ``settings.horizon`` in months."""
    from workforce.forecast.registry import save_run
    from workforce.supply.leaving import evaluate_out_of_time

    report = progress or (lambda description, done, total: None)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    frame, nodes = demand_nodes(data_dir, min_length=settings.backtest_horizon * settings.folds + 8)
    origin: dt.date = frame["ds"].max()  # type: ignore[assignment]
    frame, settings, index_paths = demand_inputs_at(data_dir, frame, nodes, settings, origin=origin)
    engine = run_engine(
        frame,
        Frequency.month,
        settings,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        known_paths=index_paths,
    )
    base = ForecastOutput.validate(engine.forecasts)
    store = Store(data_dir)
    forecasts_dir = store.forecasts
    write_marts(
        {"demand": base.join(nodes.rename({"node_id": "unique_id"}), on="unique_id")},
        forecasts_dir,
    )
    seconds["demand"] = time.perf_counter() - started

    started = time.perf_counter()
    report(OUTLOOK_STAGE, 0, 1)
    marts_dir = store.marts
    outlook = prepare_outlook(marts_dir, base, load_reference(), months=settings.horizon)
    outlook.calibration = ShortageCalibration.load(data_dir / CALIBRATION_FILE)
    outlook.metadata["shortage_calibration"] = (
        outlook.calibration.to_dict() if outlook.calibration else None
    )
    outlook.demography_index = origin_index_ratio(index_paths, outlook.hierarchy.bottom_ids)
    result = outlook.compute(paths=paths)
    marts = outlook_marts(outlook, result)
    write_marts(marts, forecasts_dir)
    seconds["outlook"] = time.perf_counter() - started
    report(OUTLOOK_STAGE, 1, 1)

    run_folder = save_run(
        engine,
        models_dir=models_dir,
        input_frame=frame,
        settings={
            "horizon": settings.horizon,
            "backtest_horizon": settings.backtest_horizon,
            "folds": settings.folds,
            "paths": paths,
        },
        card_sections=demand_card_sections(data_dir, engine, outlook.origin, marts),
    )
    outlook.metadata["run_id"] = run_folder.name
    outlook.save(store.outlook)
    summary = outlook_summary(marts["shortage"], marts["decomposition"])
    write_json(
        {
            "origin": outlook.origin.isoformat(),
            "correlation": outlook.correlation,
            "uncertainty": vars(outlook.supply_inputs.uncertainty),
            "region_shortage_by_year": summary.to_dicts(),
            **outlook.metadata,
        },
        run_folder / "outlook.json",
    )
    if evaluate_leaving:
        started = time.perf_counter()
        report(LEAVING_STAGE, 0, 1)
        spells = store.read_mart("spells")
        # Annual periods [start, start + 12 months) count when they end by these dates.
        test_until = _month_after(outlook.origin)
        train_until = test_until.replace(year=test_until.year - LEAVING_TEST_YEARS)
        evaluate_out_of_time(spells, train_until=train_until, test_until=test_until).write(
            run_folder
        )
        seconds["leaving_evaluation"] = time.perf_counter() - started
        report(LEAVING_STAGE, 1, 1)
    return RegionForecast(run_folder, outlook, result, marts, engine, seconds)


def demand_inputs_at(
    data_dir: Path,
    frame: pl.DataFrame,
    nodes: pl.DataFrame,
    settings: EngineSettings,
    *,
    origin: dt.date,
) -> tuple[pl.DataFrame, EngineSettings, dict[str, dict[str, np.ndarray]]]:
    """What a demand forecast made at ``origin`` may use: the node history up to the origin,
    the engine settings (with the demographic candidates when a population mart exists) and
    each node's demographic index as known at each month up to the origin, for
    ``run_engine(..., known_paths=...)``. Nothing published after the origin is read."""
    frame = frame.filter(pl.col("ds") <= origin)
    paths = demography_paths(data_dir, frame, nodes, horizon=settings.horizon)
    if paths:
        settings = replace(settings, candidates=with_demography(settings.candidates))
    return frame, settings, paths


def demography_paths(
    data_dir: Path, frame: pl.DataFrame, nodes: pl.DataFrame, *, horizon: int
) -> dict[str, dict[str, np.ndarray]]:
    """The demographic demand index of every node as known at each history month; empty when
    no population mart was built (demand is then forecast from its own history only)."""
    store = Store(data_dir)
    if not store.mart_path("population").exists():
        return {}
    population = store.read_mart("population")
    if population.is_empty():
        return {}
    demand = store.read_mart("demand")
    months = frame["ds"].unique().sort().to_numpy().astype("datetime64[D]")
    paths = known_index_paths(population, demand, nodes, months, horizon=horizon)
    # A series that starts later than the first month reads its paths from its own start.
    starts = frame.group_by("unique_id").agg(pl.col("ds").min())
    for unique_id, start in starts.iter_rows():
        offset = int(np.searchsorted(months, np.datetime64(start, "D")))
        if offset and unique_id in paths:
            paths[unique_id] = {
                name: array[offset:, offset:] for name, array in paths[unique_id].items()
            }
    return paths


def demand_card_sections(
    data_dir: Path, engine: RunOutput, origin: dt.date, marts: dict[str, pl.DataFrame]
) -> tuple[str, ...]:
    """The model card's demand-from-demography section and the growth split of the region."""
    store = Store(data_dir)
    if not store.mart_path("population").exists():
        return ()
    section = model_card_section(
        store.read_mart("demand"),
        store.read_mart("population"),
        origin=origin,
        weights={r.unique_id: r.weights for r in engine.results},
        assumptions=DemandAssumptions(),
    )
    summary = outlook_summary(marts["shortage"], marts["decomposition"])
    if "demand_demography_fte" not in summary.columns:
        return (section,)
    split = summary.select(
        "region_code",
        "year",
        "demand_fte",
        "demand_growth_fte",
        "demand_demography_fte",
        "demand_other_fte",
    )
    growth = "\n".join(
        [
            "## Demand growth since the origin: demography and other growth (FTE)",
            "",
            "`demand_demography_fte`: origin demand x the change of the demographic index",
            "(population projection known at the origin); `demand_other_fte`: the rest",
            "(non-demographic trend of care use and staffing, as the engine forecasts it).",
            "",
            markdown_table(split, digits=0),
            "",
        ]
    )
    return (section, growth)


def origin_index_ratio(
    paths: dict[str, dict[str, np.ndarray]], bottom_ids: list[str]
) -> np.ndarray | None:
    """[bottom series x months ahead]: the index as known at the origin over its value at the
    origin (NaN for series without an index); ``None`` without any index."""
    if not paths:
        return None
    rows: list[np.ndarray | None] = []
    for node in bottom_ids:
        path = paths.get(node, {}).get(DEMOGRAPHY_INDEX)
        if path is None:
            rows.append(None)
            continue
        origin = path.shape[0]  # the series' own length: its last row is the origin
        known = path[origin - 1]
        rows.append(known[origin:] / known[origin - 1])
    width = max(len(row) for row in rows if row is not None)
    return np.vstack([np.full(width, np.nan) if row is None else row for row in rows])


def _month_after(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


ALL_REGIONS = "all"
"""``region_code`` of the regions together in :func:`outlook_summary`."""


def outlook_summary(
    shortage: pl.DataFrame, decomposition: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per region (and all regions together, ``all``, when there are several) and year ahead:
    demand, supply and shortage (FTE, with 80 % interval); with the decomposition, demand
    growth since the origin split into demography and the rest."""
    regions = pl.col("level").is_in(["total", "region_code"]) & (pl.col("resolution") == "year")
    region_code = pl.col("region_code").fill_null(ALL_REGIONS)
    summary = (
        shortage.filter(regions)
        .select(
            region_code,
            "month",
            year=pl.col("month").dt.year(),
            demand_fte=pl.col("demand_fte").round(1),
            supply_fte=pl.col("supply_fte").round(1),
            shortage_fte=pl.col("shortage_fte").round(1),
            shortage_fte_lo_80=pl.col("shortage_fte_lo_80").round(1),
            shortage_fte_hi_80=pl.col("shortage_fte_hi_80").round(1),
            shortage_share=pl.col("shortage_share").round(4),
        )
        .sort("region_code", "year")
    )
    if decomposition is not None and "demand_demography_fte" in decomposition.columns:
        growth = decomposition.filter(regions).select(
            region_code,
            "month",
            demand_growth_fte=pl.col("demand_growth_fte").round(1),
            demand_demography_fte=pl.col("demand_demography_fte").round(1),
            demand_other_fte=pl.col("demand_other_fte").round(1),
        )
        summary = summary.join(growth, on=["region_code", "month"], how="left")
    return summary.drop("month")
