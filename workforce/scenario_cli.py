"""Commands ``workforce scenario run|compare|review`` and ``workforce align``."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from workforce.cli_support import console, fail, writes_data
from workforce.store import Store, StoreError, write_frame

if TYPE_CHECKING:
    import polars as pl

    from workforce.forecast.outlook import Outlook

scenario_app = typer.Typer(
    help="Scenario levers on the forecast: run one, compare several, review saved ones.",
    no_args_is_help=True,
)

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        help="Data folder with forecasts/outlook; default $WORKFORCE_DATA or data.",
        default_factory=lambda: Path(os.environ.get("WORKFORCE_DATA", "data")),
        show_default=False,
    ),
]
ModelsDir = Annotated[
    Path, typer.Option("--models-dir", help="Registry folder of forecast runs (decision log).")
]
Paths = Annotated[int, typer.Option(min=20, help="Simulated paths for intervals.")]
Seed = Annotated[int, typer.Option(help="Random seed; the same for baseline and scenarios.")]
HorizonYear = Annotated[
    int | None,
    typer.Option(help="Year at which to report (default: five years after the origin)."),
]


def register(app: typer.Typer) -> None:
    """Add ``workforce scenario ...`` and ``workforce align`` to ``app``."""
    app.add_typer(scenario_app, name="scenario")
    app.command()(align)


def _fail(message: str) -> typer.Exit:
    return fail(message)


def _outlook(data_dir: Path) -> Outlook:
    from workforce.forecast.outlook import Outlook

    folder = Store(data_dir).outlook
    try:
        return Outlook.load(folder)
    except FileNotFoundError:
        raise _fail(f"{folder}: no outlook; run `workforce forecast` first") from None
    except StoreError as error:
        raise _fail(str(error)) from None


def _read(files: list[Path]) -> list:
    from workforce.scenario import ScenarioError, read_scenario

    try:
        return [read_scenario(path) for path in files]
    except ScenarioError as error:
        raise _fail(str(error)) from None


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
) -> None:
    """Apply a scenario's levers; write <data>/scenarios/<name>/*.parquet and log the decision."""
    import polars as pl

    from workforce.decisions import DecisionError, run_of, save_scenario_decision
    from workforce.forecast.outlook import write_marts
    from workforce.scenario import ScenarioError, default_horizon_year, scenario_marts

    started = time.perf_counter()
    (scenario,) = _read([file])
    outlook = _outlook(data_dir)
    run_folder = None
    if save:
        try:
            run_folder = run_of(outlook.metadata, models_dir, outlook.origin)
        except DecisionError as error:
            raise _fail(f"{error} (or pass --no-save)") from None
    try:
        marts = scenario_marts(outlook, scenario, paths=paths, seed=seed)
    except ScenarioError as error:
        raise _fail(str(error)) from None
    folder = Store(data_dir).scenarios / scenario.name
    write_marts(marts, folder, group="scenario")
    region = (
        marts["shortage"]
        .filter(pl.col("level") == "region_code")
        .select(
            "year",
            baseline_gap_fte="baseline_shortage_fte",
            scenario_gap_fte="shortage_fte",
            reduction_fte="reduction_fte",
            lo_80="reduction_fte_lo_80",
            hi_80="reduction_fte_hi_80",
            reduction_persons="reduction_persons",
        )
    )
    console.print(_table(region, f"{scenario.name} v{scenario.version}: region shortage (FTE)"))
    year = default_horizon_year(outlook)
    effects = (
        marts["effects"]
        .filter((pl.col("level") == "region_code") & (pl.col("year") == year))
        .select("lever", "reduction_fte", "reduction_persons")
    )
    console.print(_table(effects, f"Lever effects in {year}: alone, together, interaction"))
    where = f"marts in {folder}"
    if run_folder is not None:
        decision = save_scenario_decision(
            run_folder,
            outlook,
            scenario,
            marts=marts,
            settings={"paths": paths, "seed": seed},
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
) -> None:
    """The lever table: reduction of the gap at the horizon per profession and in total."""
    from workforce.scenario import ScenarioError, lever_table, lever_table_wide, standard_levers

    started = time.perf_counter()
    scenarios = _read(files or [])
    outlook = _outlook(data_dir)
    if standard or not scenarios:
        scenarios += standard_levers(outlook)
    try:
        table = lever_table(outlook, scenarios, horizon_year=horizon_year, paths=paths, seed=seed)
    except ScenarioError as error:
        raise _fail(str(error)) from None
    out = out or Store(data_dir).scenarios / "lever_table.csv"
    write_frame(table, out)
    year = table["horizon_year"][0]
    console.print(
        _table(
            lever_table_wide(table, "reduction_fte"),
            f"Reduction of the shortage in {year} (FTE); gap_fte = baseline shortage",
        )
    )
    console.print(
        _table(
            lever_table_wide(table, "reduction_persons").drop("gap_fte"),
            f"Reduction of the shortage in {year} (persons)",
        )
    )
    _print_pillars(table)
    _print_flows(data_dir, int(year))
    console.print(
        f"{len(scenarios)} scenarios, {paths} paths, seed {seed}: {out} in "
        f"{time.perf_counter() - started:.1f} s.",
        soft_wrap=True,
    )


def _print_pillars(table: pl.DataFrame) -> None:
    """Region-wide reduction per lever with its 80 % interval and pillar, largest first."""
    import polars as pl

    region = (
        table.filter(pl.col("profession_code").is_null())
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
    console.print(_table(region, "Region: reduction per lever and pillar (FTE, 80 % interval)"))


def _print_flows(data_dir: Path, year: int) -> None:
    """The region's flows from the origin to December of ``year`` (decomposition mart), which
    explain the order of the levers."""
    import polars as pl

    path = data_dir / "forecasts" / "decomposition.parquet"
    if not path.is_file():
        return
    flows = pl.read_parquet(path).filter(
        (pl.col("level") == "region_code")
        & (pl.col("resolution") == "year")
        & (pl.col("month").dt.year() == year)
    )
    if flows.is_empty():
        return
    console.print(
        _table(
            flows.select(
                "shortage_start_fte",
                "demand_growth_fte",
                "leavers_fte",
                "retirements_fte",
                "graduates_fte",
                "other_inflow_fte",
                "shortage_fte",
            ),
            f"Region: flows to {year} (FTE; inflows negative: they reduce the shortage)",
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

    from workforce.decisions import (
        DecisionError,
        describe_review,
        list_decisions,
        review_decision,
    )

    if decision is None:
        saved = list_decisions(models_dir)
        if saved.is_empty():
            raise _fail(f"{models_dir}: no saved decisions; run `workforce scenario run` first")
        decision = Path(saved.sort("folder")["folder"][-1])
    try:
        result = review_decision(decision, data_dir)
    except DecisionError as error:
        raise _fail(str(error)) from None
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


@writes_data("align")
def align(
    data_dir: DataDir,
    models_dir: ModelsDir = Path("models"),
    horizon_year: HorizonYear = None,
    target: Annotated[
        str, typer.Option(help="median, or probability (see --probability).")
    ] = "median",
    probability: Annotated[
        float, typer.Option(help="With --target probability: chance of no shortage.")
    ] = 0.8,
    placements: Annotated[
        Path | None,
        typer.Option(
            help="Placement capacity (CSV or Excel: programme_code, institution_code, year, "
            "placements); rejected rows go to <data>/quarantine/placements/."
        ),
    ] = None,
    growth_limit: Annotated[
        float,
        typer.Option(
            help="Most a programme's intake can grow per year, in % (without placements)."
        ),
    ] = 20.0,
    language: Annotated[
        str, typer.Option(help="nl or en: language of the advice sentences.")
    ] = "nl",
    out: Annotated[
        Path | None,
        typer.Option(help="Write .csv or .xlsx (default <data>/alignment/advice.csv)."),
    ] = None,
    paths: Paths = 500,
    seed: Seed = 0,
    save: Annotated[bool, typer.Option(help="Save the advice in the decision log.")] = True,
) -> None:
    """Training alignment: lasting extra intake per programme and institution, and training
    places for GP, specialist and GZ-psychologist, with what can and cannot be closed."""
    from dataclasses import replace

    from workforce.alignment import (
        AlignmentError,
        CapacityError,
        advise_intake,
        read_placements,
        write_advice,
    )
    from workforce.alignment.diffusion import graduate_destinations, graduate_hires
    from workforce.decisions import DecisionError, run_of, save_alignment_decision

    started = time.perf_counter()
    if target not in ("median", "probability"):
        raise _fail(f"--target must be median or probability, not {target!r}")
    if language not in ("nl", "en"):
        raise _fail(f"--language must be nl or en, not {language!r}")
    out = out or Store(data_dir).alignment / "advice.csv"
    if out.suffix not in (".csv", ".xlsx"):
        raise _fail(f"--out {out}: write .csv or .xlsx")
    outlook = _outlook(data_dir)
    run_folder = None
    destinations = observed = None
    marts = data_dir / "marts"
    if (marts / "spells.parquet").is_file() and (marts / "education_pipeline.parquet").is_file():
        import polars as pl

        from workforce.reference import load_reference

        spells = pl.read_parquet(marts / "spells.parquet")
        pipeline = pl.read_parquet(marts / "education_pipeline.parquet")
        destinations = graduate_destinations(spells, pipeline, load_reference(), outlook.origin)
        observed = graduate_hires(spells, outlook.origin)
    try:
        if save:
            run_folder = run_of(outlook.metadata, models_dir, outlook.origin)
        caps = None
        if placements:
            read = read_placements(placements, data_dir / "quarantine" / "placements")
            caps = read.frame
            if read.quarantine is not None:
                console.print(
                    f"{placements}: {read.rejected['row_number'].n_unique()} of {read.rows_read} "
                    f"rows rejected, see {read.quarantine}",
                    soft_wrap=True,
                )
        advice = advise_intake(
            outlook,
            horizon_year=horizon_year,
            target=target,  # type: ignore[arg-type]
            probability=probability,
            placements=caps,
            growth_limit=growth_limit / 100,
            observed=observed,
            paths=paths,
            seed=seed,
        )
    except DecisionError as error:
        raise _fail(f"{error} (or pass --no-save)") from None
    except (AlignmentError, CapacityError) as error:
        raise _fail(str(error)) from None
    advice = replace(advice, destinations=destinations)
    write_advice(advice, out)
    _print_advice(advice, language)
    where = str(out)
    if run_folder is not None:
        decision = save_alignment_decision(
            run_folder,
            outlook,
            advice,
            settings={
                "paths": paths,
                "seed": seed,
                "placements": str(placements or ""),
                "growth_limit": growth_limit,
            },
        )
        where += f"; decision saved in {decision}"
    console.print(
        f"{advice.table.height} advice rows: {where}; {time.perf_counter() - started:.1f} s.",
        soft_wrap=True,
    )


def _print_advice(advice: object, language: str) -> None:
    """The advice as sentences, the professions education cannot close in time, and where
    graduates go."""
    import polars as pl

    from workforce.alignment import Advice
    from workforce.alignment.wording import decimal, percent, whole

    assert isinstance(advice, Advice)
    nl = language == "nl"
    sentence, reason = ("advice_nl", "feasibility") if nl else ("advice_en", "feasibility_en")
    console.print(
        ("Instroomadvies voor " if nl else "Intake advice for ")
        + f"{advice.horizon_year} ({advice.target}):"
    )
    for row in advice.table.head(15).iter_rows(named=True):
        console.print(f"{row['rank']}. {row[sentence]}", soft_wrap=True)
        if row[reason]:
            console.print(f"   {row[reason]}", soft_wrap=True)
    flagged = advice.table.filter(pl.col("feasibility") != "").height
    console.print(
        (
            f"{flagged} van {advice.table.height} adviezen halen het tekort in "
            f"{advice.horizon_year} niet alleen met onderwijs (groei hoogstens "
            f"{percent(advice.growth_limit, language)} per jaar of stageplaatsen)."
        )
        if nl
        else (
            f"{flagged} of {advice.table.height} rows cannot close the {advice.horizon_year} "
            f"shortage by education alone (growth at most {percent(advice.growth_limit, language)} "
            "a year, or placements)."
        ),
        soft_wrap=True,
    )
    if advice.destinations is None or advice.destinations.is_empty():
        return
    shown = advice.destinations.filter(~pl.col("suppressed"))
    top = (
        shown.group_by("programme_code")
        .agg(
            pl.col("share_of_graduates").sum(),
            retention_1y=(pl.col("retention_1y") * pl.col("hires")).sum() / pl.col("hires").sum(),
        )
        .sort("share_of_graduates", descending=True)
        .head(10)
    )
    console.print(
        "Waar afgestudeerden gaan werken (regionale zorg, laatste vijf jaar):"
        if nl
        else "Where graduates go (regional care, last five years):"
    )
    from workforce.reference import load_reference

    names = dict(load_reference().programmes.select("programme_code", "name").iter_rows())
    for programme, share, kept in top.iter_rows():
        console.print(
            f"  {names.get(programme, programme)}: "
            + (
                f"per 100 afgestudeerden namen zorgwerkgevers in de regio er "
                f"{whole(100 * share, language)} aan (ook van opleidingen elders); na een jaar "
                f"werkt {decimal(100 * kept, language, 0)} % er nog"
                if nl
                else f"regional care employers hired {whole(100 * share, language)} for every "
                f"100 graduates (some trained elsewhere); {decimal(100 * kept, language, 0)} % "
                "still work there a year later"
            ),
            soft_wrap=True,
        )
    hidden = int(advice.destinations["suppressed"].sum())
    console.print(
        (
            f"  {whole(hidden, language)} cellen verborgen (minder dan 10 mensen of te herleiden)."
            if nl
            else f"  {whole(hidden, language)} cells hidden (fewer than 10 people, or revealing)."
        ),
        soft_wrap=True,
    )
