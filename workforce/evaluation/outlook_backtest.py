"""Backtests of the outlook from several past origins, with calibrated shortage intervals.

From each December origin the outlook is made as it would have been then: the demand forecasts of
every node, the leaving model and the supply inputs see data up to the origin only. Its projected
demand, supply and shortage (one definition, :func:`workforce.outlook.shortage.shortage_fte`)
are then set beside what the marts show for every node and month ahead.

Intervals: the raw shortage intervals of the joint simulation are rescaled per level and year
ahead by :class:`~workforce.outlook.interval_calibration.ShortageCalibration`, learned from the
outlooks of *earlier* origins scored on outcomes up to the evaluated origin, never on its own.
Origins before the first evaluated one run only to calibrate; the factors learned from every
origin up to the marts' last month are what ``workforce forecast`` applies to today's outlook.

``workforce report outlook-backtest`` writes ``outlook_backtest.csv`` and the page
(:mod:`workforce.evaluation.outlook_backtest_report`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import polars as pl

from workforce.forecast.engine_run import EngineSettings, baseline_settings, run_engine
from workforce.forecast.executor import ProgressCallback
from workforce.forecast.frames import Frequency, check_input
from workforce.outlook.interval_calibration import (
    CALIBRATION_FILE,
    LEVEL_NAMES,
    ShortageCalibration,
)
from workforce.outlook.outlook import KEYS, hierarchy_of, node_history, prepare_outlook
from workforce.outlook.reconcile import aggregate
from workforce.outlook.region_forecast import demand_inputs_at, origin_index_ratio
from workforce.outlook.shortage import realised_shortage, shortage_fte, summarise
from workforce.reference import load_reference
from workforce.store import Store, write_frame, write_json
from workforce.version import code_version

MIN_HISTORY_MONTHS = 36
"""Fewest months of history before an origin: the engine's inner backtest trains on two
seasons and tests on a third; from shorter histories the outlook falls back to naive forecasts,
whose errors say little about the engine's."""
MIN_OUTCOME_MONTHS = 12
"""Fewest months after an origin for its outlook to be scored."""
PROGRESS_DESCRIPTION = "Outlooks from past Decembers"
INTERVAL_COLUMNS = ("lo_80", "hi_80", "lo_95", "hi_95")


class NoOriginError(ValueError):
    """The marts are too short for any evaluated origin."""


@dataclass(frozen=True)
class BacktestSettings:
    """Which origins are evaluated, how far ahead, and how the demand engine runs.

    ``first`` and ``last`` bound the evaluated December origins; earlier ones with enough
    history run for calibration only, later ones (a year of outcome or more) for the live
    calibration. ``baselines_only`` runs the engine without Prophet (tests, quick looks);
    ``inner_folds`` (default: the engine's) shortens its inner backtest for tests. Without
    ``live``, origins after ``last`` are not run (the stored calibration then rests on fewer
    origins): a shorter run for tests.
    """

    first: dt.date = dt.date(2018, 12, 1)
    last: dt.date = dt.date(2022, 12, 1)
    years: int = 5
    paths: int = 300
    baselines_only: bool = False
    inner_folds: int | None = None
    live: bool = True
    seed: int = 0

    def engine(self, months: int) -> EngineSettings:
        """The demand engine's settings for an outlook of ``months``."""
        if self.baselines_only:
            settings = baseline_settings(months, folds=1)
        else:
            settings = EngineSettings(
                horizon=months, backtest_horizon=12, folds=1, keep_prophet=False
            )
        if self.inner_folds is not None:
            settings = replace(
                settings, engine=settings.engine.set_params(inner_folds=self.inner_folds)
            )
        return settings

    @property
    def engine_name(self) -> str:
        return "baselines" if self.baselines_only else "engine with Prophet"


def months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def december_origins(first_month: dt.date, last_month: dt.date) -> list[dt.date]:
    """Every December with enough history before it and a year of outcome after it."""
    origins = []
    for year in range(first_month.year, last_month.year + 1):
        origin = dt.date(year, 12, 1)
        history = months_between(first_month, origin) + 1
        if history >= MIN_HISTORY_MONTHS and months_between(origin, last_month) >= (
            MIN_OUTCOME_MONTHS
        ):
            origins.append(origin)
    return origins


def demand_forecasts(
    data_dir: Path, demand_mart: pl.DataFrame, origin: dt.date, settings: EngineSettings
) -> tuple[pl.DataFrame, dict[str, dict[str, np.ndarray]]]:
    """Base demand forecasts of every node from what was known at ``origin`` only: the history
    up to it and the population projection published by then; with the known index paths."""
    known = demand_mart.filter(pl.col("month") <= origin)
    hierarchy = hierarchy_of(known)
    frame, _ = check_input(
        node_history(known, hierarchy),
        source="demand mart",
        frequency=Frequency.month,
        min_length=MIN_HISTORY_MONTHS,
    )
    frame, settings, index_paths = demand_inputs_at(
        data_dir, frame, hierarchy.nodes, settings, origin=origin
    )
    output = run_engine(frame, Frequency.month, settings, workers=1, known_paths=index_paths)
    return output.forecasts, index_paths


def outlook_at(
    data_dir: Path, origin: dt.date, months: int, settings: BacktestSettings
) -> pl.DataFrame:
    """The outlook made at ``origin``: one row per node and month ahead, nothing realised yet.

    Columns: ``origin, month, step, level, node``, the projected ``demand``, ``supply`` (FTE),
    ``headcount`` and ``per_person`` (FTE per person), the point ``projected`` shortage (from the
    mean demand and the deterministic supply, as the forecast marts) and the raw quantiles of the
    shortage paths ``p50, lo_80, hi_80, lo_95, hi_95``.
    """
    marts = Store(data_dir).marts
    demand_mart = Store(data_dir).read_mart("demand")
    base, index_paths = demand_forecasts(data_dir, demand_mart, origin, settings.engine(months))
    outlook = prepare_outlook(
        marts, base, load_reference(), months=months, origin=origin, seed=settings.seed
    )
    outlook.demography_index = origin_index_ratio(index_paths, outlook.hierarchy.bottom_ids)
    result = outlook.compute(paths=settings.paths, seed=settings.seed, periods=np.arange(months))
    summing = outlook.hierarchy.summing
    per_person = result.fte_per_person[:, None]
    headcount = result.supply.mean["headcount"]
    demand = summing @ result.demand_mean
    supply = summing @ (headcount * per_person)
    paths = summarise(result.shortage_fte_paths, summing)
    nodes = outlook.hierarchy.nodes
    n_nodes = nodes.height
    columns = {
        "demand": demand,
        "supply": supply,
        "headcount": summing @ headcount,
        "projected": shortage_fte(demand, supply),
        **{name: paths.quantiles[name] for name in ("p50", *INTERVAL_COLUMNS)},
    }
    return pl.DataFrame(
        {
            "origin": [origin] * (n_nodes * months),
            "month": [m for _ in range(n_nodes) for m in result.months],
            "step": np.tile(np.arange(1, months + 1), n_nodes),
            "level": np.repeat([LEVEL_NAMES.get(level, level) for level in nodes["level"]], months),
            "node": np.repeat(nodes["node_id"].to_numpy(), months),
            **{name: values.ravel() for name, values in columns.items()},
        },
        schema_overrides={"origin": pl.Date, "month": pl.Date, "step": pl.Int64},
    ).with_columns(
        per_person=pl.when(pl.col("headcount") > 0)
        .then(pl.col("supply") / pl.col("headcount"))
        .otherwise(None)
    )


def realised_by_node(demand_mart: pl.DataFrame) -> pl.DataFrame:
    """What happened, per node and month: demand, supply, headcount and shortage (FTE).

    Nodes cover every series of the mart, also those that appear after an origin, so a
    region's realised shortage is the whole region's.
    """
    bottom = realised_shortage(demand_mart)
    hierarchy = hierarchy_of(demand_mart)
    values = ["demand_fte", "supply_fte", "headcount", "shortage_fte"]
    months = bottom.select("month").unique()
    grid = (
        hierarchy.nodes.tail(hierarchy.n_bottom)
        .select(KEYS)
        .join(months, how="cross")
        .join(bottom, on=[*KEYS, "month"], how="left")
        .with_columns(pl.col(values).fill_null(0.0))
    )
    return aggregate(grid, hierarchy, values, by=["month"]).select(
        "month",
        node="unique_id",
        realised_demand="demand_fte",
        realised_supply="supply_fte",
        realised_headcount="headcount",
        realised="shortage_fte",
    )


def score(outlooks: pl.DataFrame, realised: pl.DataFrame) -> pl.DataFrame:
    """Outlook rows with what happened beside them (null where the month is not yet known).

    ``realised_supply_projected_hours`` is the realised headcount at the projected FTE per
    person: it splits the supply error into headcount and hours (including the mix of series).
    """
    return outlooks.join(realised, on=["month", "node"], how="left").with_columns(
        realised_supply_projected_hours=pl.col("realised_headcount") * pl.col("per_person")
    )


def calibrate(scored: pl.DataFrame, evaluated: list[dt.date]) -> pl.DataFrame:
    """The rows of each evaluated origin with calibrated intervals (raw ones kept as ``raw_*``).

    Each origin's factors are learned from the earlier origins' errors on outcomes known at the
    origin (:meth:`ShortageCalibration.learn` with ``until`` = the origin).
    """
    frames = []
    for origin in evaluated:
        own = scored.filter(pl.col("origin") == origin)
        calibration = ShortageCalibration.learn(
            scored.filter(pl.col("origin") < origin), until=origin
        )
        frames.append(apply_calibration(own, calibration))
    return pl.concat(frames)


def apply_calibration(rows: pl.DataFrame, calibration: ShortageCalibration) -> pl.DataFrame:
    """``rows`` (one origin) with ``lo_*``/``hi_*`` calibrated and the raw bounds as ``raw_*``."""
    steps = rows["step"].to_numpy()
    p50 = rows["p50"].to_numpy()
    out = {name: np.empty(rows.height) for name in INTERVAL_COLUMNS}
    for level in rows["level"].unique().to_list():
        mask = (rows["level"] == level).to_numpy()
        bounds = {name: rows[name].to_numpy()[mask][None, :] for name in INTERVAL_COLUMNS}
        scaled = calibration.apply(p50[mask][None, :], bounds, [level], steps[mask])
        for name in INTERVAL_COLUMNS:
            out[name][mask] = scaled[name][0]
    return rows.rename({name: f"raw_{name}" for name in INTERVAL_COLUMNS}).with_columns(
        **{name: pl.Series(values) for name, values in out.items()}
    )


@dataclass
class BacktestResult:
    """Scored outlooks of every origin, the evaluated ones calibrated, and the live factors.

    ``provenance`` names the marts build, the settings and the code that made the outlooks.
    """

    scored: pl.DataFrame
    evaluated: pl.DataFrame
    live_calibration: ShortageCalibration
    origins: list[dt.date]
    evaluated_origins: list[dt.date]
    provenance: dict[str, object] = field(default_factory=dict)


MONTHLY_ROWS = CALIBRATION_FILE.parent / "outlook_backtest_monthly.parquet"
"""Every origin's outlook for every node and month ahead with what happened: the calibration's
source, kept under the data folder so that ``--reuse`` can recalibrate without refitting."""


def _provenance(data_dir: Path, settings: BacktestSettings) -> dict[str, object]:
    run = Store(data_dir).marts / "run.json"
    marts_run = json.loads(run.read_text())["run_id"] if run.exists() else None
    return {
        "marts_run": marts_run,
        "years": settings.years,
        "paths": settings.paths,
        "engine": settings.engine_name,
        "inner_folds": settings.inner_folds,
        "live": settings.live,
        "seed": settings.seed,
    }


def stored_outlooks(data_dir: Path, settings: BacktestSettings) -> pl.DataFrame | None:
    """The monthly rows a previous run stored for the same marts build and settings, if any."""
    rows, sidecar = data_dir / MONTHLY_ROWS, (data_dir / MONTHLY_ROWS).with_suffix(".json")
    if not (rows.exists() and sidecar.exists()):
        return None
    stored = json.loads(sidecar.read_text())
    wanted = _provenance(data_dir, settings)
    if {key: stored.get(key) for key in wanted} != wanted:
        return None
    return pl.read_parquet(rows)


def store_outlooks(data_dir: Path, result: BacktestResult) -> None:
    """Keep the monthly rows and their provenance under the data folder."""
    target = data_dir / MONTHLY_ROWS
    write_frame(result.scored, target)
    write_json(result.provenance, target.with_suffix(".json"))


def backtest_outlooks(
    data_dir: Path,
    settings: BacktestSettings,
    *,
    reuse: bool = False,
    progress: ProgressCallback | None = None,
) -> BacktestResult:
    """Run the outlook from every usable December origin and score it against the marts.

    With ``reuse``, the outlooks a previous run stored for the same marts build and settings are
    read instead of made again (calibration and scores are always recomputed).
    """
    demand_mart = Store(data_dir).read_mart("demand")
    first_month: dt.date = demand_mart["month"].min()  # type: ignore[assignment]
    last_month: dt.date = demand_mart["month"].max()  # type: ignore[assignment]
    origins = december_origins(first_month, last_month)
    if not settings.live:
        origins = [o for o in origins if o <= settings.last]
    evaluated = [o for o in origins if settings.first <= o <= settings.last]
    if not evaluated:
        raise NoOriginError(
            f"the marts run {first_month:%Y-%m} to {last_month:%Y-%m}: no December origin "
            f"between {settings.first:%Y-%m} and {settings.last:%Y-%m} has "
            f"{MIN_HISTORY_MONTHS} months of history and {MIN_OUTCOME_MONTHS} of outcome"
        )
    provenance = _provenance(data_dir, settings)
    stored = stored_outlooks(data_dir, settings) if reuse else None
    if stored is not None:
        scored = stored.filter(pl.col("origin").is_in(origins))
        provenance["reused"] = True
        provenance["code"] = json.loads(
            (data_dir / MONTHLY_ROWS).with_suffix(".json").read_text()
        ).get("code")
    else:
        outlooks = []
        for done, origin in enumerate(origins):
            if progress is not None:
                progress(PROGRESS_DESCRIPTION, done, len(origins))
            months = min(12 * settings.years, months_between(origin, last_month))
            outlooks.append(outlook_at(data_dir, origin, months, settings))
        if progress is not None:
            progress(PROGRESS_DESCRIPTION, len(origins), len(origins))
        scored = score(pl.concat(outlooks), realised_by_node(demand_mart))
        provenance["code"] = code_version()
    return BacktestResult(
        scored=scored,
        evaluated=calibrate(scored, evaluated),
        live_calibration=ShortageCalibration.learn(scored, until=last_month),
        origins=origins,
        evaluated_origins=evaluated,
        provenance=provenance,
    )
