"""``workforce scenario run|compare|review``: levers on the projection, and saved decisions."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from workforce.cli.options import (
    DataDir,
    HorizonYear,
    ModelsDir,
    Paths,
    Regions,
    Seed,
    region_codes,
)
from workforce.cli.support import console, fail, load_outlook, writes_data
from workforce.store import Store, write_frame

if TYPE_CHECKING:
    import polars as pl

scenario_app = typer.Typer(
    help="Scenario levers on the forecast: run one, compare several, review saved ones.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the ``scenario`` group to ``app``."""
    app.add_typer(scenario_app, name="scenario")


def _read(files: list[Path]) -> list:
    from workforce.scenario import ScenarioError, read_scenario

    try:
        return [read_scenario(path) for path in files]
    except ScenarioError as error:
        raise fail(str(error)) from None


def _table(frame: pl.DataFrame, title: str, digits: int = 0) -> Table:
    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(column, justify="left" if frame[column].dtype == str else "right")
    for row in frame.iter_rows():
        table.add_row(
            *(
                "" if v is None else f"{v:,.{digits}f}" if isinstance(v, float) else str(v)
                for v in row
            )
        )
    return table


@scenario_app.command("run")
@writes_data("scenario run")
def run(
    file: Annotated[
        Path, typer.Argument(help="Scenario file (TOML), e.g. scenarios/retention.toml.")
    ],
    data_dir: DataDir,
    models_dir: ModelsDir = Path("models"),
    paths: Paths = 500,
    seed: Seed = 0,
    save: Annotated[
        bool, typer.Option(help="Save the scenario in the forecast run's decision log.")
    ] = True,
    region: Regions = None,
) -> None:
    """Apply a scenario's levers; write <data>/scenarios/<name>/*.parquet and log the decision.

    With --region the workforce levers act in that region only (education levers act on the
    institutions, which train for every region) and the marts report that region."""
    import polars as pl

    from workforce.alignment.decisions import DecisionError, run_of, save_scenario_decision
    from workforce.outlook.outlook import write_marts
    from workforce.scenario import ScenarioError, default_horizon_year, scenario_marts
    from workforce.scenario.effects import TOGETHER

    started = time.perf_counter()
    (scenario,) = _read([file])
    outlook = load_outlook(data_dir)
    run_folder = None
    if save:
        try:
            run_folder = run_of(outlook.metadata, models_dir, outlook.origin)
        except DecisionError as error:
            raise fail(f"{error} (or pass --no-save)") from None
    try:
        marts = scenario_marts(
            outlook, scenario, paths=paths, seed=seed, regions=region_codes(region)
        )
    except ScenarioError as error:
        raise fail(str(error)) from None
    folder = Store(data_dir).scenarios / scenario.name
    write_marts(marts, folder, group="scenario")
    by_region = (
        marts["shortage"]
        .filter(pl.col("level") == "region_code")
        .sort("region_code", "year")
        .select(
            "region_code",
            "year",
            baseline_gap_fte="baseline_shortage_fte",
            scenario_gap_fte="shortage_fte",
            reduction_fte="reduction_fte",
            lo_80="reduction_fte_lo_80",
            hi_80="reduction_fte_hi_80",
            reduction_persons="reduction_persons",
        )
    )
    console.print(
        _table(by_region, f"{scenario.name} v{scenario.version}: shortage per region (FTE)")
    )
    year = default_horizon_year(outlook)
    effects = (
        marts["effects"]
        .filter(pl.col("level").is_in(["region_code", "total"]) & (pl.col("year") == year))
        .with_columns(pl.col("region_code").fill_null(TOGETHER))
        .select("region_code", "lever", "reduction_fte", "reduction_persons")
    )
    console.print(_table(effects, f"Lever effects in {year}: alone, together, interaction"))
    where = f"marts in {folder}"
    if run_folder is not None:
        decision = save_scenario_decision(
            run_folder,
            outlook,
            scenario,
            marts=marts,
            settings={
                "paths": paths,
                "seed": seed,
                "regions": ",".join(region_codes(region) or []),
            },
        )
        where += f"; decision saved in {decision}"
    console.print(f"{where}; {time.perf_counter() - started:.1f} s.", soft_wrap=True)


@scenario_app.command("compare")
@writes_data("scenario compare")
def compare(
    data_dir: DataDir,
    files: Annotated[
        list[Path] | None, typer.Argument(help="Scenario files; none: the standard levers.")
    ] = None,
    standard: Annotated[
        bool,
        typer.Option(
            help="Add the standard levers of the three pillars: keep 1 in 10 leavers, keep 1 "
            "in 10 student dropouts, +15 % intake, +10 % career changers, 3 % upskilling, "
            "+2 contract hours, 5 % task shifting, 10 % less demand growth."
        ),
    ] = False,
    horizon_year: HorizonYear = None,
    out: Annotated[
        Path | None, typer.Option(help="CSV file (default <data>/scenarios/lever_table.csv).")
    ] = None,
    paths: Paths = 500,
    seed: Seed = 0,
    region: Regions = None,
) -> None:
    """The lever table: reduction of the gap at the horizon per region and profession, and for
    the chosen regions together.

    With --region the workforce levers act in that region only (education levers act on the
    institutions, which train for every region) and the table reports that region."""
    import polars as pl

    from workforce.scenario import ScenarioError, lever_table, lever_table_wide, standard_levers

    started = time.perf_counter()
    scenarios = _read(files or [])
    outlook = load_outlook(data_dir)
    regions = region_codes(region)
    try:
        if standard or not scenarios:
            scenarios += standard_levers(outlook, regions)
        table = lever_table(
            outlook,
            scenarios,
            horizon_year=horizon_year,
            paths=paths,
            seed=seed,
            regions=regions,
        )
    except ScenarioError as error:
        raise fail(str(error)) from None
    out = out or Store(data_dir).scenarios / "lever_table.csv"
    write_frame(table, out)
    year = table["horizon_year"][0]
    shown, scope = table, ""
    if table["region_code"].is_null().any():
        # Several regions: each region's total, and the regions together per profession.
        shown = table.filter(pl.col("region_code").is_null() | pl.col("profession_code").is_null())
        scope = "; per region its total, every profession in the CSV"
    console.print(
        _table(
            lever_table_wide(shown, "reduction_fte"),
            f"Reduction of the shortage in {year} (FTE); gap_fte = baseline shortage{scope}",
        )
    )
    console.print(
        _table(
            lever_table_wide(shown, "reduction_persons").drop("gap_fte"),
            f"Reduction of the shortage in {year} (persons){scope}",
        )
    )
    _print_pillars(table)
    _print_flows(data_dir, int(year), regions)
    console.print(
        f"{len(scenarios)} scenarios, {paths} paths, seed {seed}: {out} in "
        f"{time.perf_counter() - started:.1f} s.",
        soft_wrap=True,
    )


def _print_pillars(table: pl.DataFrame) -> None:
    """Region-wide reduction per lever with its 80 % interval and pillar, largest first (the
    regions together, when there are several)."""
    import polars as pl

    together = table["region_code"].is_null().any()
    region = (
        table.filter(
            pl.col("profession_code").is_null()
            & (pl.col("region_code").is_null() if together else pl.lit(True))
        )
        .select(
            "scenario",
            "pillar",
            "reduction_fte",
            "reduction_fte_lo_80",
            "reduction_fte_hi_80",
            "reduction_persons",
        )
        .sort("reduction_fte", descending=True)
    )
    title = "Regions together" if together else f"Region {table['region_code'][0]}"
    console.print(_table(region, f"{title}: reduction per lever and pillar (FTE, 80 % interval)"))


def _print_flows(data_dir: Path, year: int, regions: list[str] | None) -> None:
    """Each region's flows from the origin to December of ``year`` (decomposition mart), which
    explain the order of the levers."""
    import polars as pl

    store = Store(data_dir)
    if not store.forecast_path("decomposition").is_file():
        return
    flows = store.read_forecast("decomposition").filter(
        (pl.col("level") == "region_code")
        & (pl.col("resolution") == "year")
        & (pl.col("month").dt.year() == year)
        & (pl.col("region_code").is_in(regions) if regions else pl.lit(True))
    )
    if flows.is_empty():
        return
    console.print(
        _table(
            flows.sort("region_code").select(
                "region_code",
                "shortage_start_fte",
                "demand_growth_fte",
                "leavers_fte",
                "retirements_fte",
                "graduates_fte",
                "other_inflow_fte",
                "shortage_fte",
            ),
            f"Flows to {year} (FTE; inflows negative: they reduce the shortage)",
        )
    )


@scenario_app.command("review")
def review(
    data_dir: DataDir,
    decision: Annotated[
        Path | None,
        typer.Argument(help="Decision folder (models/<run>/decisions/...); default the newest."),
    ] = None,
    models_dir: ModelsDir = Path("models"),
) -> None:
    """Compare a saved decision's expected graduates and headcount with the current marts."""
    import polars as pl

    from workforce.alignment.decisions import (
        DecisionError,
        describe_review,
        list_decisions,
        review_decision,
    )

    if decision is None:
        saved = list_decisions(models_dir)
        if saved.is_empty():
            raise fail(f"{models_dir}: no saved decisions; run `workforce scenario run` first")
        decision = Path(saved.sort("folder")["folder"][-1])
    try:
        result = review_decision(decision, data_dir)
    except DecisionError as error:
        raise fail(str(error)) from None
    from workforce.csv_safety import write_csv

    write_csv(result, decision / "review.csv")
    known = result.filter(pl.col("actual").is_not_null())
    for line in describe_review(result):
        console.print(line)
    console.print(
        f"{known.height} of {result.height} expected values observed so far; "
        f"{decision / 'review.csv'}.",
        soft_wrap=True,
    )
