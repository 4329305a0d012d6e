"""On the generated region, the marts recover what the generator's manifest says it simulated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from workforce.marts.build import mart_inputs


@pytest.fixture(scope="module")
def manifest(region: Path) -> dict[str, Any]:
    return json.loads((region / "manifest.json").read_text(encoding="utf-8"))


def mart(region_data: Path, name: str) -> pl.DataFrame:
    return pl.read_parquet(region_data / "marts" / f"{name}.parquet")


def year_end(frame: pl.DataFrame, column: str) -> dict[str, int]:
    totals = (
        frame.filter(pl.col("month").dt.month() == 12)
        .group_by(year=pl.col("month").dt.year().cast(pl.String))
        .agg(pl.sum(column))
    )
    return dict(totals.iter_rows())


def test_year_end_headcount_and_open_vacancies_are_exact(
    region_data: Path, manifest: dict[str, Any]
) -> None:
    realized = manifest["realized"]
    assert (
        year_end(mart(region_data, "workforce_monthly"), "headcount")
        == (realized["headcount_at_year_end"])
    )
    assert (
        year_end(mart(region_data, "vacancies_monthly"), "open")
        == (realized["open_vacancies_at_year_end"])
    )


def test_hires_by_origin_recover_the_simulated_sources(
    region_data: Path, manifest: dict[str, Any]
) -> None:
    truth = manifest["realized"]["hires_by_source"]
    hires = (
        mart(region_data, "workforce_monthly").select(pl.col("^hires_.*$").sum()).row(0, named=True)
    )
    # Moves between employers and up the care ladder are seen through person_key: exact, but
    # for hires at an employer before its extracts cover them (the mart starts with coverage).
    spells = mart(region_data, "spells")
    uncovered = spells.filter(
        pl.col("hire_origin").is_in(["other_care_employer", "internal"])
        & (pl.col("start_date") < pl.col("first_month"))
    ).height
    seen = hires["hires_other_care_employer"] + hires["hires_internal"]
    assert seen == truth["other_care_employer"] - uncovered
    # New graduates are recognised by age at a first spell: within 20 %.
    assert hires["hires_education"] == pytest.approx(truth["education"], rel=0.20)
    newcomers = hires["hires_education"] + hires["hires_outside"]
    assert newcomers == pytest.approx(truth["education"] + truth["outside"], rel=1e-3)


def test_share_of_leavers_staying_in_regional_care(
    region_data: Path, manifest: dict[str, Any]
) -> None:
    params = manifest["params"]
    expected = sum(
        share * params["regional_restart_share"][reason]
        for reason, share in params["destination_share"].items()
    )
    leavers = mart(region_data, "workforce_monthly").select(pl.col("^leavers.*$").sum())
    totals = leavers.row(0, named=True)
    moving = totals["leavers_other_care_employer"] / (
        totals["leavers"] - totals["leavers_retirement"]
    )
    assert moving == pytest.approx(expected, abs=0.02)
    # A move is counted where the hire is seen; the leaver side may lie outside coverage.
    hires = mart(region_data, "workforce_monthly")["hires_other_care_employer"].sum()
    assert mart(region_data, "mobility")["moves"].sum() == hires


def test_completion_rates_recover_the_simulated_ones(
    region_data: Path, manifest: dict[str, Any]
) -> None:
    truth = manifest["education"]["completion_rate"]
    finished = (
        mart(region_data, "education_pipeline")
        .filter(pl.col("finished"))
        .group_by("programme_code")
        .agg(rate=pl.sum("graduates") / pl.sum("intake"), intake=pl.sum("intake"))
        .with_columns(truth=pl.col("programme_code").replace_strict(truth, default=None))
    )
    assert finished["truth"].null_count() == 0
    large = finished.filter(pl.col("intake") >= 150)
    assert large.height >= 20
    assert ((large["rate"] - large["truth"]).abs() <= 0.08).all()
    weighted = ((finished["rate"] - finished["truth"]) * finished["intake"]).sum()
    assert abs(weighted / finished["intake"].sum()) <= 0.03


def test_running_cohorts_expect_graduates_between_bounds(region_data: Path) -> None:
    running = mart(region_data, "education_pipeline").filter(~pl.col("finished"))
    assert running.height > 0
    low, high = running["graduates"], running["graduates"] + running["enrolled"]
    assert ((running["expected_graduates"] >= low) & (running["expected_graduates"] <= high)).all()
    assert (running["expected_graduation_year"] >= 2026).all()


def test_demand_is_filled_plus_open_fte_per_region_sector_profession(region_data: Path) -> None:
    demand = mart(region_data, "demand")
    assert set(demand["region_code"]) == {"AM13"}
    assert demand.select("month", "sector_code", "profession_code").is_unique().all()
    months = demand["month"].unique()
    assert (str(months.min()), str(months.max()), months.len()) == (
        "2015-01-01",
        "2025-12-01",
        132,
    )
    gap = demand["required_fte"] - demand["filled_fte"] - demand["open_vacancy_fte"]
    assert (gap.abs() < 1e-3).all()
    staff_fte = mart(region_data, "workforce_monthly")["fte"].sum()
    assert demand["filled_fte"].sum() == pytest.approx(staff_fte, rel=1e-9)


def test_spells_mart_keeps_every_spell_with_its_region_and_coverage(region_data: Path) -> None:
    spells = mart(region_data, "spells")
    assert spells.height == mart_inputs(region_data).staff.collect().height
    assert spells["region_code"].null_count() == 0
    assert (spells["first_month"] <= spells["last_month"]).all()
    ended = spells.filter(pl.col("end_date").is_not_null())
    assert ended["leaver_destination"].null_count() == 0
