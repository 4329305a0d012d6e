"""``workforce align``: training alignment, the intake advice per programme and institution."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from workforce.cli.options import (
    DataDir,
    HorizonYear,
    ModelsDir,
    Paths,
    Regions,
    Seed,
    Target,
    region_codes,
)
from workforce.cli.support import console, fail, load_outlook, writes_data
from workforce.language import Language
from workforce.privacy import DEFAULT_K
from workforce.store import Store


def register(app: typer.Typer) -> None:
    """Add ``align`` to ``app``."""
    app.command()(align)


@writes_data("align")
def align(
    data_dir: DataDir,
    models_dir: ModelsDir = Path("models"),
    horizon_year: HorizonYear = None,
    target: Annotated[
        Target, typer.Option(help="median, or probability (see --probability).")
    ] = Target.median,
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
        Language,
        typer.Option(help="nl or en: language of the advice and its file."),
    ] = Language.nl,
    out: Annotated[
        Path | None,
        typer.Option(help="Write .csv or .xlsx (default <data>/alignment/advice.csv)."),
    ] = None,
    paths: Paths = 500,
    seed: Seed = 0,
    save: Annotated[bool, typer.Option(help="Save the advice in the decision log.")] = True,
    region: Regions = None,
) -> None:
    """Training alignment: lasting extra intake per programme and institution, and training
    places for GP, specialist and GZ-psychologist, with what can and cannot be closed.

    The advice closes the gap of the chosen regions together (--region; default all), with
    the graduates who enter and stay in those regions."""
    from dataclasses import replace

    from workforce.alignment import (
        AlignmentError,
        CapacityError,
        advice_regions,
        advise_intake,
        read_placements,
        write_advice,
    )
    from workforce.alignment.decisions import DecisionError, run_of, save_alignment_decision
    from workforce.alignment.diffusion import graduate_destinations, graduate_hires
    from workforce.alignment.stored import store_if_default

    started = time.perf_counter()
    out = out or Store(data_dir).alignment / "advice.csv"
    if out.suffix not in (".csv", ".xlsx"):
        raise fail(f"--out {out}: write .csv or .xlsx")
    outlook = load_outlook(data_dir)
    try:
        regions = advice_regions(outlook, region_codes(region))
    except AlignmentError as error:
        raise fail(f"--region: {error}") from None
    run_folder = None
    destinations = observed = None
    store = Store(data_dir)
    if store.mart_path("spells").is_file() and store.mart_path("education_pipeline").is_file():
        from workforce.reference import load_reference
        from workforce.regional.scope import scoped_spells

        spells = store.read_mart("spells")
        if "region_code" in spells.columns:
            spells = scoped_spells(spells, regions)
        pipeline = store.read_mart("education_pipeline")
        destinations = graduate_destinations(spells, pipeline, load_reference(), outlook.origin)
        observed = graduate_hires(spells, outlook.origin)
    try:
        if save:
            run_folder = run_of(outlook.metadata, models_dir, outlook.origin)
        caps = None
        if placements:
            read = read_placements(placements, store.quarantine / "placements")
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
            target=target.value,
            probability=probability,
            placements=caps,
            growth_limit=growth_limit / 100,
            observed=observed,
            paths=paths,
            seed=seed,
            regions=regions,
        )
    except DecisionError as error:
        raise fail(f"{error} (or pass --no-save)") from None
    except (AlignmentError, CapacityError) as error:
        raise fail(str(error)) from None
    advice = replace(advice, destinations=destinations)
    write_advice(advice, out, language)
    store_if_default(
        data_dir, outlook, advice, placements=caps, observed=observed, paths=paths, seed=seed
    )
    _print_advice(advice, language.value)
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
                "regions": ",".join(regions),
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
    from workforce.alignment.wording import decimal, percent, status_text, whole

    assert isinstance(advice, Advice)
    nl = language == "nl"
    sentence, reason = ("advice_nl", "feasibility") if nl else ("advice_en", "feasibility_en")
    from workforce.reference import load_reference

    regions = load_reference().municipalities.select("region_code", "region_name").unique()
    names = dict(regions.iter_rows())
    where = ", ".join(names.get(code, code) for code in advice.regions)
    console.print(
        ("Instroomadvies voor " if nl else "Intake advice for ")
        + f"{where}, {advice.horizon_year} ({advice.target}):",
        soft_wrap=True,
    )
    for row in advice.table.head(15).iter_rows(named=True):
        status = status_text(row["status"], row["years_to_close"], language)
        console.print(f"{row['rank']}. ({status}) {row[sentence]}", soft_wrap=True)
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
            f"  {whole(hidden, language)} cellen verborgen (minder dan {DEFAULT_K} mensen of te "
            "herleiden)."
            if nl
            else f"  {whole(hidden, language)} cells hidden (fewer than {DEFAULT_K} people, or "
            "revealing)."
        ),
        soft_wrap=True,
    )
