"""The generated region matches the parameters in its manifest, within stated tolerances.

These are the checks later stages rely on: a leaving model, a mobility view or a completion rate
computed from the raw files should find the numbers the generator was given.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from tests.synthetic.files import read_manifest, read_source
from workforce.reference import AGE_BANDS
from workforce.regional.published import PUBLISHED_2022, PUBLISHED_AREA_SHORTAGE_2022

STABLE_YEARS = (2016, 2019)  # before the COVID-like disturbance


def _headcount_at(staff: pl.DataFrame, day: date) -> int:
    return staff.filter(
        (pl.col("start_date") <= day) & (pl.col("end_date").is_null() | (pl.col("end_date") > day))
    ).height


def _leavers_in(staff: pl.DataFrame, year: int) -> pl.DataFrame:
    return staff.filter(pl.col("end_date").dt.year() == year)


def _annual_turnover(staff: pl.DataFrame, year: int) -> float:
    average = (
        _headcount_at(staff, date(year - 1, 12, 31)) + _headcount_at(staff, date(year, 12, 31))
    ) / 2
    return _leavers_in(staff, year).height / average


def _person_months(staff: pl.DataFrame, first_year: int, last_year: int) -> pl.DataFrame:
    """One row per spell and month in which the spell could end (it started before the month)."""
    months = pl.DataFrame(
        {"month": pl.date_range(date(first_year, 1, 1), date(last_year, 12, 1), "1mo", eager=True)}
    )
    return (
        staff.with_row_index("spell")
        .join(months, how="cross")
        .filter(
            (pl.col("start_date") < pl.col("month"))
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= pl.col("month")))
        )
        .with_columns(
            age=pl.col("month").dt.year() - pl.col("birth_year"),
            first_year=(pl.col("month") - pl.col("start_date")).dt.total_days() < 365,
            left=(pl.col("end_date").dt.truncate("1mo") == pl.col("month"))
            & (pl.col("leave_reason") != "retirement"),
        )
    )


def test_area_size_matches_the_calibration(area: Path, area_staff: pl.DataFrame) -> None:
    """The three regions' 2022 shortage of 5,617 people: the area is built to the scale the
    published shortages and shares imply (each region's share: ``test_generate``)."""
    manifest = read_manifest(area)
    demand_2022 = manifest["realized"]["demand_at_year_end"]["2022"]
    staff_2022 = _headcount_at(area_staff, date(2022, 12, 31))
    published = sum(figure.demand for figure in PUBLISHED_2022.values())
    assert demand_2022 == pytest.approx(published, rel=0.01)
    share = PUBLISHED_AREA_SHORTAGE_2022 / published
    assert (demand_2022 - staff_2022) / demand_2022 == pytest.approx(share, abs=0.01)
    at_extract = _headcount_at(area_staff, date(2025, 12, 31))
    assert 0.9 * published <= at_extract <= 1.05 * published


def test_contract_hours_are_part_time(region_staff: pl.DataFrame) -> None:
    active = region_staff.filter(pl.col("end_date").is_null())
    assert active["contract_hours_week"].mean() == pytest.approx(25, abs=1.0)
    assert active["contract_hours_week"].min() >= 8
    assert active["contract_hours_week"].max() <= 40


@pytest.mark.parametrize("year", range(STABLE_YEARS[0], STABLE_YEARS[1] + 1))
def test_annual_turnover_is_between_12_and_18_percent(
    region_staff: pl.DataFrame, year: int
) -> None:
    assert 0.12 <= _annual_turnover(region_staff, year) <= 0.18


def test_covid_like_disturbance(region_staff: pl.DataFrame) -> None:
    """Fewer people left in 2020; more left in the 2021-2022 wave than before."""
    before = _annual_turnover(region_staff, 2019)
    assert _annual_turnover(region_staff, 2020) < before - 0.01
    assert _annual_turnover(region_staff, 2022) > before


def test_leave_rates_by_age_band_recover_the_manifest(
    region: Path, region_staff: pl.DataFrame
) -> None:
    params = read_manifest(region)["params"]
    months = _person_months(region_staff, *STABLE_YEARS)
    rate = params["leave_rate_by_age_band"]
    sector_factor = pl.DataFrame(
        {
            "sector_code": list(params["sector_leave_factor"]),
            "factor": list(params["sector_leave_factor"].values()),
        }
    )
    band = pl.lit(AGE_BANDS[0][0])
    for label, low, high in AGE_BANDS:
        band = pl.when(pl.col("age").is_between(low, high)).then(pl.lit(label)).otherwise(band)
    annual = (
        pl.col("age_band").replace_strict(rate, return_dtype=pl.Float64)
        * pl.col("factor")
        * pl.when(pl.col("first_year")).then(params["first_year_leave_factor"]).otherwise(1.0)
    ).clip(upper_bound=0.95)
    expected = (
        months.with_columns(age_band=band)
        .join(sector_factor, on="sector_code")
        .with_columns(hazard=1 - (1 - annual) ** (1 / 12))
        .group_by("age_band")
        .agg(expected=pl.col("hazard").sum(), observed=pl.col("left").sum(), exposure=pl.len())
    )
    for row in expected.iter_rows(named=True):
        if row["expected"] < 100:
            continue  # too few leavers in this band for a stable check
        assert row["observed"] / row["expected"] == pytest.approx(1.0, abs=0.1), row


def test_leave_reasons_recover_the_destination_shares(
    region: Path, region_staff: pl.DataFrame
) -> None:
    shares = read_manifest(region)["params"]["destination_share"]
    leavers = region_staff.filter(
        pl.col("end_date").dt.year().is_between(*STABLE_YEARS)
        & (pl.col("leave_reason") != "retirement")
    )
    observed = leavers["leave_reason"].value_counts(normalize=True)
    for row in observed.iter_rows(named=True):
        assert row["proportion"] == pytest.approx(shares[row["leave_reason"]], abs=0.02)


def test_regional_mobility_share_recovers_the_manifest(
    region: Path, region_staff: pl.DataFrame
) -> None:
    """The share of leavers seen starting again at another employer of the region."""
    params = read_manifest(region)["params"]
    expected = sum(
        share * params["regional_restart_share"][reason]
        for reason, share in params["destination_share"].items()
    )
    leavers = region_staff.filter(
        pl.col("end_date").dt.year().is_between(*STABLE_YEARS)
        & (pl.col("leave_reason") != "retirement")
    ).select("person_key", "employer_id", "end_date")
    restarts = region_staff.select("person_key", new_employer="employer_id", new_start="start_date")
    moved = (
        leavers.join(restarts, on="person_key")
        .filter(
            (pl.col("new_employer") != pl.col("employer_id"))
            & (pl.col("new_start") > pl.col("end_date"))
            & ((pl.col("new_start") - pl.col("end_date")).dt.total_days() <= 180)
        )
        .select("person_key", "end_date")
        .unique()
    )
    assert moved.height / leavers.height == pytest.approx(expected, abs=0.03)
    movers = leavers.join(moved, on=["person_key", "end_date"])
    # Regional movers were recorded as going to another care employer (or to an unknown place).
    reasons = region_staff.join(movers, on=["person_key", "employer_id", "end_date"])[
        "leave_reason"
    ]
    assert set(reasons.unique()) <= {"other_care_employer", "unknown"}


def test_nobody_works_past_pension_age(region: Path, region_staff: pl.DataFrame) -> None:
    pension_age = read_manifest(region)["params"]["pension_age"]
    for year in (2015, 2020, 2025):
        ages = region_staff.filter(
            (pl.col("start_date") <= date(year, 12, 31))
            & (pl.col("end_date").is_null() | (pl.col("end_date") > date(year, 12, 31)))
        ).select(age=year - pl.col("birth_year"))["age"]
        assert ages.max() <= pension_age + 1
        assert ages.min() >= 15


def test_retirement_wave_ahead(region_staff: pl.DataFrame) -> None:
    active = region_staff.filter(pl.col("end_date").is_null()).select(
        age=2025 - pl.col("birth_year")
    )
    share_55_plus = (active["age"] >= 55).mean()
    assert 0.18 <= share_55_plus <= 0.35


def test_time_to_fill_rises_and_vacancies_are_seasonal(region: Path) -> None:
    vacancies = read_source(region, "vacancies")
    filled = vacancies.filter(pl.col("outcome") == "filled").with_columns(
        days=(pl.col("closed_on") - pl.col("opened_on")).dt.total_days(),
        year=pl.col("closed_on").dt.year(),
    )
    median = dict(filled.group_by("year").agg(pl.col("days").median()).iter_rows())
    assert median[2024] > 1.4 * median[2016]
    opened = vacancies.filter(pl.col("opened_on").dt.year().is_between(*STABLE_YEARS))
    per_month = dict(opened.group_by(pl.col("opened_on").dt.month()).len().iter_rows())
    assert per_month[8] > 1.15 * per_month[4]  # school-year ends drive replacements
    assert vacancies.filter(pl.col("outcome") == "open")["closed_on"].null_count() == (
        vacancies.filter(pl.col("outcome") == "open").height
    )


def test_completion_rates_recover_the_manifest(region: Path) -> None:
    manifest = read_manifest(region)
    rates = manifest["params"]["completion_rate_by_level"]
    education = read_source(region, "education")
    finished = education.filter(
        (pl.col("cohort_year") <= 2017) & pl.col("route").is_in(["BOL", "voltijd"])
    )
    observed = finished.group_by("level").agg(
        rate=pl.col("graduates").sum() / pl.col("intake").sum(), intake=pl.col("intake").sum()
    )
    for row in observed.iter_rows(named=True):
        assert row["rate"] == pytest.approx(rates[row["level"]], abs=0.03), row
    assert (
        education["intake"]
        == education["enrolled"] + education["graduates"] + education["dropouts"]
    ).all()


def test_september_intake_is_still_enrolled_at_the_extract(region: Path) -> None:
    education = read_source(region, "education")
    latest = education.filter(pl.col("cohort_year") == 2025)
    assert (latest["enrolled"] == latest["intake"]).all()
    assert education.filter(pl.col("cohort_year") == 2012)["enrolled"].sum() == 0


def test_old_cohorts_carry_the_qualification_codes_of_their_time(region: Path) -> None:
    """Mbo-Verpleegkundige: 92600-series before 2016, 25480 until 2019, 25655 since."""
    education = read_source(region, "education").filter(pl.col("level") == "MBO4")
    codes = education.filter(pl.col("programme_code").is_in(["25655", "25480", "92600"]))
    by_year = dict(codes.group_by("cohort_year").agg(pl.col("programme_code").first()).iter_rows())
    assert by_year[2014] == "92600"
    assert by_year[2017] == "25480"
    assert by_year[2022] == "25655"


def test_demand_grows_fastest_where_the_75_plus_population_drives_it(region: Path) -> None:
    """Demand (staff + open vacancies, counted in the files) grows; elderly care grows fastest."""
    staff = read_source(region, "staff")
    vacancies = read_source(region, "vacancies")
    sector_of = staff.select("employer_id", "sector_code").unique()
    open_vacancies = vacancies.join(sector_of, on="employer_id")

    def demand(day: date) -> dict[str, int]:
        filled = staff.filter(
            (pl.col("start_date") <= day)
            & (pl.col("end_date").is_null() | (pl.col("end_date") > day))
        )
        unfilled = open_vacancies.filter(
            (pl.col("opened_on") <= day)
            & (pl.col("closed_on").is_null() | (pl.col("closed_on") > day))
        )
        counts = pl.concat([filled.select("sector_code"), unfilled.select("sector_code")])
        return dict(counts.group_by("sector_code").len().iter_rows())

    before, after = demand(date(2015, 12, 31)), demand(date(2025, 12, 31))
    growth = {sector: after[sector] / before[sector] for sector in before}
    assert sum(after.values()) > 1.1 * sum(before.values())
    rates = read_manifest(region)["demography"]["care_use_rate_per_1000"]["AM13"]
    driven = max(rates, key=lambda sector: rates[sector]["85+"])
    assert driven == "elderly_home_care"
    assert growth[driven] > growth["mental_health"]


def test_the_75_plus_population_grows_faster_as_the_post_war_cohorts_turn_75(region: Path) -> None:
    population = read_source(region, "population")
    old = population.filter(pl.col("age_from") >= 75)

    def growth(kind: str, vintage: int | None, first: int, last: int) -> float:
        rows = old.filter(pl.col("kind") == kind)
        if vintage is not None:
            rows = rows.filter(pl.col("vintage") == vintage)
        totals = dict(rows.group_by("year").agg(pl.col("persons").sum()).iter_rows())
        return float((totals[last] / totals[first]) ** (1 / (last - first)) - 1)

    before = growth("history", None, 2012, 2019)
    late_2020s = growth("projection", 2025, 2025, 2030)
    assert 0.01 < before < 0.035
    assert late_2020s > before + 0.01
    # Every projection vintage starts from the count of its own year and carries an interval.
    projections = population.filter(pl.col("kind") == "projection")
    assert (projections["persons_lo"] <= projections["persons"]).all()
    assert (projections["persons"] <= projections["persons_hi"]).all()
    start = projections.filter(pl.col("year") == pl.col("vintage")).join(
        population.filter(pl.col("kind") == "history"),
        on=["municipality_code", "year", "sex", "age_from"],
    )
    assert start.height > 0
    assert ((start["persons"] - start["persons_right"]).abs() <= 0.11).all()


def test_care_staff_train_up_the_ladder_at_their_employer(region_staff: pl.DataFrame) -> None:
    """About 1 % a year of the staff under 45 on the lower care rungs move one step up."""
    from workforce.synthetic.labour_market import CARE_LADDER, UPSKILLING_YEARLY

    spells = region_staff.select(
        "person_key", "employer_id", "profession_code", "start_date", "end_date", "birth_year"
    )
    moves = spells.join(
        spells.select(
            "person_key", "employer_id", next_profession="profession_code", next_start="start_date"
        ),
        on=["person_key", "employer_id"],
    ).filter(pl.col("next_start") == pl.col("end_date") + pl.duration(days=1))
    steps = {
        (a, b) for a, b in moves.select("profession_code", "next_profession").unique().iter_rows()
    }
    assert steps == set(itertools.pairwise(CARE_LADDER))
    year = 2018
    day = date(year, 1, 1)
    lower = spells.filter(
        pl.col("profession_code").is_in(list(CARE_LADDER[:-1]))
        & (pl.col("start_date") < day)
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= day))
        & (year - pl.col("birth_year") < 44)
    ).height
    moved = moves.filter(pl.col("end_date").dt.year() == year).height
    assert moved / lower == pytest.approx(UPSKILLING_YEARLY, rel=0.4)
