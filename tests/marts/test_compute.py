"""The marts: identities that must hold in every cell, checked against a person-by-month count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import workforce.marts.compute
from workforce.marts.compute import (
    BAND_COLUMNS,
    FTE_HOURS,
    STAFF_CELL,
    MartInputs,
    band_column,
    compute_marts,
)
from workforce.reference import AGE_BANDS, load_reference
from workforce.schemas import EducationCohort, StaffSpell, Vacancy, contract_columns

FIRST = dt.date(2019, 1, 1)
LAST = dt.date(2021, 12, 1)
EMPLOYERS = ("E1", "E2", "E3")
MONTHS = pl.date_range(FIRST, LAST, interval="1mo", eager=True).to_list()


def month_end(month: dt.date) -> dt.date:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def covered(employers: tuple[str, ...] = EMPLOYERS) -> pl.DataFrame:
    return pl.DataFrame({"employer_id": list(employers), "first_month": FIRST, "last_month": LAST})


def marts_of(spells: list[dict[str, Any]], vacancies: list[dict[str, Any]] | None = None) -> dict:
    staff = pl.DataFrame(spells, schema=contract_columns(StaffSpell))
    vacancy_rows = pl.DataFrame(vacancies or [], schema=contract_columns(Vacancy))
    inputs = MartInputs(
        staff=staff.lazy(),
        vacancies=vacancy_rows.lazy(),
        education=pl.LazyFrame(schema=contract_columns(EducationCohort)),
        staff_months=covered(),
        vacancy_months=covered(),
        education_extract=pl.DataFrame(
            schema={"institution_code": pl.String, "extract_date": pl.Date}
        ),
        reference=load_reference(),
    )
    return compute_marts(inputs)


@st.composite
def spell_lists(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A few people with one or more spells at three employers, moves included."""
    spells = []
    for person in range(draw(st.integers(1, 6))):
        start = dt.date(2018, 6, 1) + dt.timedelta(days=draw(st.integers(0, 1000)))
        for _ in range(draw(st.integers(1, 3))):
            ongoing = draw(st.booleans())
            end = None if ongoing else start + dt.timedelta(days=draw(st.integers(0, 700)))
            spells.append(
                {
                    "employer_id": draw(st.sampled_from(EMPLOYERS)),
                    "person_key": f"{person:016x}",
                    "profession_code": draw(st.sampled_from(["nurse_vocational", "care_helper"])),
                    "sector_code": "elderly_home_care",
                    "municipality_code": draw(st.sampled_from(["GM0344", "GM0321"])),
                    "start_date": start,
                    "end_date": end,
                    "contract_hours_week": draw(st.sampled_from([12.0, 24.0, 32.5, 36.0])),
                    "birth_year": draw(st.integers(1955, 1998)),
                    "leave_reason": None
                    if end is None
                    else draw(st.sampled_from(["other_care_employer", "retirement", "unknown"])),
                }
            )
            if end is None:
                break
            start = end + dt.timedelta(days=draw(st.integers(-20, 300)))
    return spells


def person_months(spells: list[dict[str, Any]]) -> pl.DataFrame:
    """The brute-force count: every spell in every month it is active at month end."""
    rows = []
    for spell in spells:
        for month in MONTHS:
            last_day = month_end(month)
            ended = spell["end_date"] is not None and spell["end_date"] <= last_day
            if spell["start_date"] <= last_day and not ended:
                age = month.year - spell["birth_year"]
                band = next(label for label, low, high in AGE_BANDS if age <= high)
                rows.append(
                    {
                        "month": month,
                        **{key: spell[key] for key in STAFF_CELL},
                        "fte": spell["contract_hours_week"] / FTE_HOURS,
                        "band": band_column(band),
                    }
                )
    schema = {"month": pl.Date, **dict.fromkeys(STAFF_CELL, pl.String), "fte": pl.Float64}
    return pl.DataFrame(rows, schema=schema | {"band": pl.String})


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(spell_lists())
def test_stock_flow_identity_holds_in_every_cell(spells: list[dict[str, Any]]) -> None:
    monthly = marts_of(spells)["workforce_monthly"].sort([*STAFF_CELL, "month"])
    opening = monthly.with_columns(
        net=(pl.col("hires") - pl.col("leavers")).cum_sum().over(STAFF_CELL)
    ).with_columns(opening=pl.col("headcount") - pl.col("net"))
    assert opening.group_by(STAFF_CELL).agg(pl.col("opening").n_unique())["opening"].max() in (
        None,
        1,
    )
    # No month is skipped while people are employed: a skipped month means headcount 0.
    gaps = monthly.with_columns(
        previous=pl.col("headcount").shift(1).over(STAFF_CELL),
        previous_month=pl.col("month").shift(1).over(STAFF_CELL),
    ).filter(pl.col("previous_month").is_not_null())
    consecutive = gaps.filter(pl.col("previous_month").dt.offset_by("1mo") == pl.col("month"))
    assert (
        consecutive["headcount"]
        == consecutive["previous"] + consecutive["hires"] - consecutive["leavers"]
    ).all()
    skipped = gaps.filter(pl.col("previous_month").dt.offset_by("1mo") != pl.col("month"))
    assert (skipped["previous"] == 0).all()
    assert (skipped["headcount"] == skipped["hires"] - skipped["leavers"]).all()


@SETTINGS
@given(spell_lists())
def test_stocks_equal_a_person_by_month_count(spells: list[dict[str, Any]]) -> None:
    monthly = marts_of(spells)["workforce_monthly"]
    brute = (
        person_months(spells)
        .group_by("month", *STAFF_CELL)
        .agg(headcount=pl.len().cast(pl.Int64), fte=pl.col("fte").sum())
    )
    compared = monthly.filter(pl.col("headcount") > 0).join(
        brute, on=["month", *STAFF_CELL], how="full", coalesce=True, suffix="_brute"
    )
    assert (compared["headcount"] == compared["headcount_brute"]).all()
    assert ((compared["fte"] - compared["fte_brute"]).abs() < 1e-3).all()
    bands = person_months(spells).group_by("month", *STAFF_CELL, "band").agg(n=pl.len())
    for column in BAND_COLUMNS:
        expected = bands.filter(pl.col("band") == column).drop("band")
        got = monthly.filter(pl.col(column) > 0).select("month", *STAFF_CELL, column)
        joined = got.join(expected, on=["month", *STAFF_CELL], how="full", coalesce=True)
        assert (joined[column] == joined["n"]).all(), column
    assert (
        monthly.select(pl.sum_horizontal(BAND_COLUMNS)).to_series() == monthly["headcount"]
    ).all()


@SETTINGS
@given(spell_lists())
def test_moves_match_between_leaving_and_hiring_employer(spells: list[dict[str, Any]]) -> None:
    marts = marts_of(spells)
    monthly, mobility = marts["workforce_monthly"], marts["mobility"]
    hired = (
        monthly.group_by("employer_id", quarter=pl.col("month").dt.truncate("3mo"))
        .agg(pl.sum("hires_other_care_employer"))
        .filter(pl.col("hires_other_care_employer") > 0)
    )
    arrived = mobility.group_by(pl.col("to_employer_id").alias("employer_id"), "quarter").agg(
        pl.sum("moves")
    )
    joined = hired.join(arrived, on=["employer_id", "quarter"], how="full", coalesce=True)
    assert (joined["hires_other_care_employer"] == joined["moves"]).all()
    # Every spell here ends inside the mart's months, so departures add up over time too.
    left = monthly.group_by("employer_id").agg(pl.sum("leavers_other_care_employer"))
    departed = mobility.group_by(pl.col("from_employer_id").alias("employer_id")).agg(
        pl.sum("moves")
    )
    joined = left.join(departed, on="employer_id", how="left").fill_null(0)
    last_day = month_end(LAST)
    inside = all(
        s["start_date"] <= last_day
        and (s["end_date"] is None or FIRST <= s["end_date"] <= last_day)
        for s in spells
    )
    if inside:
        assert (joined["leavers_other_care_employer"] == joined["moves"]).all()
    assert (mobility["from_employer_id"] != mobility["to_employer_id"]).all()


@SETTINGS
@given(spell_lists())
def test_region_totals_equal_the_sum_over_employers(spells: list[dict[str, Any]]) -> None:
    marts = marts_of(spells)
    per_employer = marts["workforce_monthly"].group_by("month").agg(pl.sum("headcount", "fte"))
    region = marts["demand"].group_by("month").agg(pl.sum("headcount", "filled_fte"))
    joined = per_employer.join(region, on="month", how="full", coalesce=True).fill_null(0)
    assert (joined["headcount"] == joined["headcount_right"]).all()
    assert ((joined["fte"] - joined["filled_fte"]).abs() < 1e-3).all()


def test_people_change_age_band_in_january_of_the_year_they_turn_its_age() -> None:
    spell = {"employer_id": "E1", "person_key": "1" * 16, "profession_code": "care_helper",
             "sector_code": "elderly_home_care", "municipality_code": "GM0344",
             "start_date": dt.date(2016, 5, 1), "end_date": dt.date(2020, 1, 15),
             "contract_hours_week": 20.0, "birth_year": 1995,
             "leave_reason": "unknown"}  # fmt: skip
    late = {**spell, "person_key": "2" * 16, "end_date": None, "leave_reason": None}
    monthly = marts_of([spell, late])["workforce_monthly"]
    at = {row["month"]: row for row in monthly.to_dicts()}
    december, january = dt.date(2019, 12, 1), dt.date(2020, 1, 1)
    assert (at[december]["headcount_15_24"], at[december]["headcount_25_34"]) == (2, 0)
    assert (at[january]["headcount_15_24"], at[january]["headcount_25_34"]) == (0, 1)
    assert (at[january]["headcount"], at[january]["leavers"]) == (1, 1)


def test_flows_are_classified_by_following_the_person() -> None:
    base = {
        "sector_code": "elderly_home_care",
        "municipality_code": "GM0344",
        "profession_code": "nurse_vocational",
        "contract_hours_week": 36.0,
        "birth_year": 1980,
    }
    spells = [
        # Person 1 moves from E1 to E2 (E1 recorded "unknown"), then leaves care.
        {**base, "employer_id": "E1", "person_key": "1" * 16, "start_date": dt.date(2019, 3, 1),
         "end_date": dt.date(2020, 1, 31), "leave_reason": "unknown"},
        {**base, "employer_id": "E2", "person_key": "1" * 16, "start_date": dt.date(2020, 3, 1),
         "end_date": dt.date(2021, 5, 31), "leave_reason": "outside_sector"},
        # Person 2, 21 years old, starts as a new graduate and goes to care outside the region.
        {**base, "employer_id": "E3", "person_key": "2" * 16, "start_date": dt.date(2019, 9, 1),
         "birth_year": 1998, "end_date": dt.date(2021, 8, 31),
         "leave_reason": "other_care_employer"},
        # Person 3 returns to E1 after two years away: not a move.
        {**base, "employer_id": "E1", "person_key": "3" * 16, "start_date": dt.date(2019, 2, 1),
         "end_date": dt.date(2019, 2, 28), "leave_reason": "study"},
        {**base, "employer_id": "E1", "person_key": "3" * 16, "start_date": dt.date(2021, 3, 1),
         "end_date": None, "leave_reason": None},
    ]  # fmt: skip
    monthly = marts_of(spells)["workforce_monthly"]
    totals = monthly.group_by("employer_id").agg(pl.col("^(hires|leavers)_.*$").sum())
    by_employer = {row.pop("employer_id"): row for row in totals.to_dicts()}
    assert by_employer["E1"]["leavers_other_care_employer"] == 1
    assert by_employer["E1"]["leavers_outside_sector"] == 1  # study counts as leaving care
    assert by_employer["E1"]["hires_outside"] == 3  # two starts of person 3, one of person 1
    assert by_employer["E2"]["hires_other_care_employer"] == 1
    assert by_employer["E2"]["leavers_outside_sector"] == 1
    assert by_employer["E3"]["hires_education"] == 1
    assert by_employer["E3"]["leavers_care_outside_region"] == 1


def test_vacancy_stock_hard_to_fill_and_days_open() -> None:
    base = {"employer_id": "E1", "profession_code": "nurse_vocational",
            "municipality_code": "GM0344", "hours_week": 36.0}  # fmt: skip
    vacancies = [
        {**base, "vacancy_id": "A", "opened_on": dt.date(2020, 1, 10),
         "closed_on": dt.date(2020, 2, 20), "outcome": "filled"},
        {**base, "vacancy_id": "B", "opened_on": dt.date(2020, 1, 31),
         "closed_on": dt.date(2020, 6, 1), "outcome": "withdrawn"},
        {**base, "vacancy_id": "C", "opened_on": dt.date(2020, 3, 15), "closed_on": None,
         "outcome": "open", "hours_week": 18.0},
    ]  # fmt: skip
    spell = {"employer_id": "E1", "person_key": "1" * 16, "profession_code": "nurse_vocational",
             "sector_code": "elderly_home_care", "municipality_code": "GM0344",
             "start_date": dt.date(2015, 1, 1), "end_date": None,
             "contract_hours_week": 36.0, "birth_year": 1980, "leave_reason": None}  # fmt: skip
    marts = marts_of([spell], vacancies)
    monthly = marts["vacancies_monthly"].sort("month")
    at = {row["month"]: row for row in monthly.to_dicts()}
    january, february, april, june = (dt.date(2020, m, 1) for m in (1, 2, 4, 6))
    assert (at[january]["open"], at[january]["opened"]) == (2, 2)
    assert at[january]["mean_days_open"] == ((31 - 10) + (31 - 31)) / 2
    assert (at[february]["open"], at[february]["filled"]) == (1, 1)
    assert at[february]["median_days_to_fill"] == 41
    assert at[april]["hard_to_fill"] == 0  # B: 90 days open on 30 April
    assert at[dt.date(2020, 5, 1)]["hard_to_fill"] == 1
    assert (at[june]["open"], at[june]["withdrawn"], at[june]["hard_to_fill"]) == (1, 1, 1)
    assert at[june]["open_fte"] == 0.5
    demand = marts["demand"].filter(pl.col("month") == june).row(0, named=True)
    assert (demand["filled_fte"], demand["open_vacancy_fte"], demand["required_fte"]) == (
        1.0,
        0.5,
        1.5,
    )


@st.composite
def vacancy_lists(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A few vacancies at three employers, open or closed, some open past 90 days."""
    vacancies = []
    for index in range(draw(st.integers(0, 8))):
        opened = dt.date(2018, 10, 1) + dt.timedelta(days=draw(st.integers(0, 1200)))
        closed = draw(st.one_of(st.none(), st.integers(0, 300)))
        vacancies.append(
            {
                "employer_id": draw(st.sampled_from(EMPLOYERS)),
                "vacancy_id": f"V{index}",
                "profession_code": draw(st.sampled_from(["nurse_vocational", "care_helper"])),
                "municipality_code": draw(st.sampled_from(["GM0344", "GM0321"])),
                "hours_week": draw(st.sampled_from([18.0, 32.0, 36.0])),
                "opened_on": opened,
                "closed_on": None if closed is None else opened + dt.timedelta(days=closed),
                "outcome": "open"
                if closed is None
                else draw(st.sampled_from(["filled", "withdrawn"])),
            }
        )
    return vacancies


@SETTINGS
@given(spell_lists(), vacancy_lists())
def test_marts_do_not_depend_on_the_block_size(
    spells: list[dict[str, Any]], vacancies: list[dict[str, Any]]
) -> None:
    whole = marts_of(spells, vacancies)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workforce.marts.compute, "BLOCK_ROWS", 1)
        one_employer_at_a_time = marts_of(spells, vacancies)
    for name, frame in whole.items():
        assert_frame_equal(one_employer_at_a_time[name], frame, check_exact=True)
