"""Regional KPIs: the region as one employer, on literal frames and on the seed-42 region."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import polars as pl
import pytest

from tests.regional_frames import marts, month, spells, staff, vacancies
from workforce.privacy import TOTAL
from workforce.regional import RegionalMarts, load_marts, regional_kpis, retention
from workforce.regional.kpis import SICK_LEAVE_SBI, retirement_wave, sick_leave
from workforce.synthetic.params import RegionParams


@pytest.fixture(scope="module")
def region_marts(region_data: Path) -> RegionalMarts:
    return load_marts(region_data)


@pytest.fixture(scope="module")
def yearly(region_marts: RegionalMarts) -> pl.DataFrame:
    return regional_kpis(region_marts, period="year")


@pytest.fixture(scope="module")
def cohorts(region_marts: RegionalMarts) -> pl.DataFrame:
    return retention(region_marts)


def region_row(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter((pl.col("sector_code") == TOTAL) & (pl.col("profession_code") == TOTAL))


def test_moves_inside_the_region_are_never_regional_turnover() -> None:
    frame = staff(
        [
            {"month": month(2024, 1), "employer_id": "A", "profession_code": "nurse",
             "headcount": 20, "leavers_other_care_employer": 3, "leavers_internal": 1},
            {"month": month(2024, 1), "employer_id": "B", "profession_code": "nurse",
             "headcount": 30, "leavers_outside_sector": 2, "leavers_retirement": 1},
        ]
    )  # fmt: skip

    kpis = region_row(regional_kpis(marts(workforce_monthly=frame)))

    row = kpis.row(0, named=True)
    assert row["leavers"] == 7
    assert row["internal_moves"] == 4
    assert row["regional_leavers"] == 3
    assert row["turnover_rate"] == pytest.approx(3 / 50)
    assert row["stay_in_region_share"] == pytest.approx(4 / 7)


def test_stocks_at_period_end_flows_summed_rates_per_average_staff() -> None:
    rows = [
        {"month": month(2024, m), "employer_id": "A", "profession_code": "nurse",
         "headcount": h, "fte": h * 0.5, "leavers_unknown": 1}
        for m, h in ((1, 10), (2, 12), (3, 14))
    ]  # fmt: skip
    open_jobs = vacancies(
        [{"month": month(2024, 3), "employer_id": "A", "profession_code": "nurse", "open": 6,
          "open_fte": 2.0, "hard_to_fill": 3}]
    )  # fmt: skip

    kpis = regional_kpis(
        marts(workforce_monthly=staff(rows), vacancies_monthly=open_jobs), period="quarter"
    )

    row = region_row(kpis).row(0, named=True)
    assert (row["headcount"], row["leavers"], row["months"]) == (14, 3, 3)
    assert row["avg_headcount"] == pytest.approx(12)
    assert row["turnover_rate"] == pytest.approx(3 / 12)
    assert row["contract_hours_avg"] == pytest.approx(18.0)
    assert row["vacancy_rate"] == pytest.approx(6 / 20)
    assert row["vacancy_rate_fte"] == pytest.approx(2 / 9)
    assert row["hard_to_fill_share"] == pytest.approx(0.5)


def test_retention_follows_a_person_across_regional_employers() -> None:
    covered = {"first_month": dt.date(2015, 1, 1), "last_month": dt.date(2022, 12, 1)}
    rows = [
        # p1 moves from A to B after six months: still in regional care after two years
        {"person_key": "p1", "employer_id": "A", "profession_code": "nurse",
         "start_date": dt.date(2020, 1, 1), "end_date": dt.date(2020, 6, 30),
         "hire_origin": "outside", "leaver_destination": "other_care_employer",
         "next_employer_id": "B", **covered},
        {"person_key": "p1", "employer_id": "B", "profession_code": "nurse",
         "start_date": dt.date(2020, 7, 15), "hire_origin": "other_care_employer",
         "previous_employer_id": "A", **covered},
        # p2 leaves care after ten months
        {"person_key": "p2", "employer_id": "A", "profession_code": "nurse",
         "start_date": dt.date(2020, 2, 1), "end_date": dt.date(2020, 11, 30),
         "hire_origin": "outside", "leaver_destination": "outside_sector", **covered},
        # p3, a new graduate, stays 16 months
        {"person_key": "p3", "employer_id": "B", "profession_code": "nurse",
         "start_date": dt.date(2020, 3, 1), "end_date": dt.date(2021, 6, 30),
         "hire_origin": "education", "leaver_destination": "unknown", **covered},
    ]  # fmt: skip
    frame = staff([{"month": month(2022, 12), "employer_id": "B", "profession_code": "nurse"}])

    table = retention(marts(workforce_monthly=frame, spell_rows=spells(rows))).filter(
        (pl.col("cohort_year") == 2020) & (pl.col("profession_code") == TOTAL)
    )

    hires = table.filter(cohort="new_hires").row(0, named=True)
    assert (hires["hires"], hires["retained_12"], hires["retained_24"]) == (3, 2, 1)
    assert hires["retention_12"] == pytest.approx(2 / 3)
    graduates = table.filter(cohort="new_graduates").row(0, named=True)
    assert (graduates["retention_12"], graduates["retention_24"]) == (1.0, 0.0)


def test_retirement_wave_counts_todays_staff_reaching_pension_age() -> None:
    covered = {"first_month": dt.date(2015, 1, 1), "last_month": dt.date(2025, 12, 1)}
    rows = [
        {"person_key": f"p{i}", "employer_id": "A", "profession_code": "nurse",
         "start_date": dt.date(2000, 1, 1), "birth_year": year, **covered}
        for i, year in enumerate([1958, 1959, 1960, 1960, 1990])
    ] + [
        {"person_key": "gone", "employer_id": "A", "profession_code": "nurse",
         "start_date": dt.date(2000, 1, 1), "end_date": dt.date(2020, 1, 1),
         "birth_year": 1960, **covered}
    ]  # fmt: skip
    frame = staff([{"month": month(2025, 12), "employer_id": "A", "profession_code": "nurse"}])

    wave = retirement_wave(marts(workforce_monthly=frame, spell_rows=spells(rows)), years=3)

    nurse = wave.filter(profession_code="nurse").sort("year")
    # born 1958 is past 67 already: counted in the first year
    assert nurse["year"].to_list() == [2026, 2027, 2028]
    assert nurse["reaching_pension_age"].to_list() == [2, 2, 0]
    assert nurse["stock"].to_list() == [5, 5, 5]
    assert nurse["cumulative_share"].to_list() == pytest.approx([0.4, 0.8, 0.8])


def test_region_turnover_plus_internal_mobility_is_all_leavers(yearly: pl.DataFrame) -> None:
    assert (yearly["regional_leavers"] + yearly["internal_moves"] == yearly["leavers"]).all()
    assert (yearly["hires_new_to_region"] <= yearly["hires"]).all()


def test_region_headcount_matches_the_mart(
    yearly: pl.DataFrame, region_marts: RegionalMarts
) -> None:
    last = region_marts.workforce_monthly["month"].max()
    expected = region_marts.workforce_monthly.filter(pl.col("month") == last)["headcount"].sum()
    row = region_row(yearly).sort("period").tail(1)
    assert row["headcount"].item() == expected
    per_sector = yearly.filter(
        (pl.col("period") == row["period"].item())
        & (pl.col("profession_code") == TOTAL)
        & (pl.col("sector_code") != TOTAL)
    )
    assert per_sector["headcount"].sum() == expected


def test_retention_is_plausible_for_the_generator(cohorts: pl.DataFrame) -> None:
    """12-month retention lies between what the slowest and fastest leaving would give."""
    params = RegionParams()
    leaving_region = sum(
        share * (1 - params.regional_restart_share[reason])
        for reason, share in params.destination_share.items()
    )
    covid = [factor for _, _, factor in params.covid_leave_factor] + [1.0]
    factors = params.first_year_leave_factor * leaving_region

    def kept(rate: float) -> float:
        return 1 - (1 - math.exp(-rate)) * factors

    slowest = (
        min(params.leave_rate_by_age_band.values())
        * min(params.sector_leave_factor.values())
        * min(covid)
    )
    fastest = (
        max(params.leave_rate_by_age_band.values())
        * max(params.sector_leave_factor.values())
        * max(covid)
    )
    region = cohorts.filter(
        (pl.col("profession_code") == TOTAL) & pl.col("retention_12").is_not_null()
    )
    assert region.height >= 2 * 9  # both cohorts, 2015..2024
    assert region["retention_12"].is_between(kept(fastest) - 0.05, kept(slowest)).all()
    followed = region.filter(pl.col("retention_24").is_not_null())
    assert (followed["retention_24"] < followed["retention_12"]).all()
    assert ((followed["retention_24"] > 0) & (followed["retention_24"] < 1)).all()
    graduates = region.filter(cohort="new_graduates")["retention_12"].mean()
    new_hires = region.filter(cohort="new_hires")["retention_12"].mean()
    assert isinstance(graduates, float)
    assert isinstance(new_hires, float)
    assert graduates < new_hires  # young people leave more (leave_rate_by_age_band)


def test_retention_only_for_cohorts_followed_long_enough(cohorts: pl.DataFrame) -> None:
    last = cohorts.filter(pl.col("cohort_year") == cohorts["cohort_year"].max())
    assert last["retention_12"].is_null().all()
    assert (last["observed_12"] < last["hires"]).all()


def test_sick_leave_for_every_care_sector_from_its_cbs_branch() -> None:
    table = sick_leave()

    assert set(table["sector_code"]) == set(SICK_LEAVE_SBI)
    assert table["sick_leave_pct"].is_between(1, 15).all()
    per_sector = table.group_by("sector_code").agg(pl.col("period").n_unique())
    assert (per_sector["period"] >= 40).all()  # at least ten years of quarters
