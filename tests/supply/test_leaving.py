"""The leaving model on the seed-42 region: recovery of the generator's rates, out-of-time scores.

"Truth" is the generator's own monthly draw (``workforce.synthetic.labour_market``), replayed per
person-period from :class:`RegionParams`: each month a worker retires with the monthly form of
``retirement_rate_by_age`` (0.5 from ``pension_age``), else leaves with
``1 - (1 - annual) ** (1/12)`` times ``leave_season`` and ``covid_leave_factor``, where
``annual = leave_rate_by_age_band x sector_leave_factor`` (x ``first_year_leave_factor`` while
the contract is younger than 365 days, capped at 0.95). The generator's "leave" includes those who
start again at another employer of the region, so it is compared with
``p_move_within + p_leave_region``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from workforce.reference import AGE_BANDS
from workforce.supply.leaving import (
    CELL_KEYS,
    HAZARD_COLUMNS,
    OUTCOMES,
    PROBABILITY_COLUMNS,
    LeavingEvaluation,
    LeavingModel,
    employed_at,
    evaluate_out_of_time,
    fit_leaving_model,
    person_periods,
)
from workforce.synthetic.params import RegionParams

END = date(2026, 1, 1)
"""First day after the seed-42 region's covered months."""


@pytest.fixture(scope="module")
def spells(region_data: Path) -> pl.DataFrame:
    return pl.read_parquet(region_data / "marts" / "spells.parquet")


@pytest.fixture(scope="module")
def rows(spells: pl.DataFrame) -> pl.DataFrame:
    return person_periods(spells, until=END)


@pytest.fixture(scope="module")
def model(spells: pl.DataFrame) -> LeavingModel:
    return fit_leaving_model(spells, train_until=END)


@pytest.fixture(scope="module")
def evaluation(spells: pl.DataFrame) -> LeavingEvaluation:
    return evaluate_out_of_time(spells, train_until=date(2024, 1, 1), test_until=END)


def true_annual_rates(rows: pl.DataFrame) -> pl.DataFrame:
    """The generator's probability that each person-period ends in leaving or in retiring."""
    params = RegionParams()
    starts = rows
    band_low = np.array([low for _, low, _ in AGE_BANDS])
    band_rate = np.array([params.leave_rate_by_age_band[label] for label, _, _ in AGE_BANDS])
    age = starts["age"].to_numpy()
    annual_base = band_rate[np.searchsorted(band_low, age, side="right") - 1] * np.array(
        [params.sector_leave_factor[s] for s in starts["sector_code"].to_list()]
    )
    retire_annual = np.array([params.retirement_rate_by_age.get(int(a), 0.0) for a in age])
    p_retire = np.where(age >= params.pension_age, 0.5, 1 - (1 - retire_annual) ** (1 / 12))
    period = starts["period_start"].to_numpy().astype("datetime64[M]")
    tenure_days = np.round(starts["tenure_years"].to_numpy() * 365.25).astype(np.int64)
    start_day = period.astype("datetime64[D]") - tenure_days
    survival = np.ones(len(age))
    leave = np.zeros(len(age))
    retire = np.zeros(len(age))
    for k in range(12):
        month = period + k
        first_day = month.astype("datetime64[D]")
        first_year = (first_day - start_day).astype(np.int64) < 365
        annual = np.minimum(
            np.where(first_year, annual_base * params.first_year_leave_factor, annual_base), 0.95
        )
        covid = np.ones(len(age))
        for first, last, factor in params.covid_leave_factor:
            inside = (month >= np.datetime64(first, "M")) & (month <= np.datetime64(last, "M"))
            covid = np.where(inside, covid * factor, covid)
        season = np.array(params.leave_season)[month.astype(np.int64) % 12]
        p_leave = (1 - (1 - annual) ** (1 / 12)) * season * covid
        leave += survival * p_leave
        retire += survival * p_retire
        survival *= 1 - p_leave - p_retire
    return starts.select("age", "age_band").with_columns(true_leave=leave, true_retire=retire)


@pytest.fixture(scope="module")
def truth(rows: pl.DataFrame, model: LeavingModel) -> pl.DataFrame:
    """Per person-period: observed outcome, true and predicted annual probabilities."""
    predicted = model.annual_probabilities(rows)
    return pl.concat(
        [true_annual_rates(rows), rows.select("outcome"), predicted], how="horizontal"
    ).with_columns(
        observed_leave=pl.col("outcome").is_in(["move_within", "leave_region"]),
        observed_retire=pl.col("outcome") == "retire",
        predicted_leave=pl.col("p_move_within") + pl.col("p_leave_region"),
    )


def test_leave_rates_by_age_band_recover_the_generator(truth: pl.DataFrame) -> None:
    by_band = truth.group_by("age_band").agg(
        pl.col("true_leave", "predicted_leave", "observed_leave").mean()
    )
    assert by_band.height == len(AGE_BANDS)
    for band in by_band.iter_rows(named=True):
        # Within 10 % of the generator's rate averaged over the same people (sectors, tenure,
        # season, COVID years); and the replayed truth itself matches what happened.
        assert band["predicted_leave"] == pytest.approx(band["true_leave"], rel=0.1), band
        assert band["observed_leave"] == pytest.approx(band["true_leave"], rel=0.1), band


def test_retirement_by_age_recovers_the_generator(truth: pl.DataFrame) -> None:
    by_age = (
        truth.filter(pl.col("age").is_between(60, 66))
        .group_by("age")
        .agg(pl.col("true_retire", "p_retire", "observed_retire").mean())
        .sort("age")
    )
    assert by_age["age"].to_list() == list(range(60, 67))
    for age in by_age.iter_rows(named=True):
        assert age["p_retire"] == pytest.approx(age["true_retire"], rel=0.2), age
    young = truth.filter(pl.col("age") < 55)["p_retire"].max()
    assert young is not None
    assert young < 0.01


def test_out_of_time_scores_beat_the_base_rate_model(evaluation: LeavingEvaluation) -> None:
    assert evaluation.log_loss < evaluation.base_rate_log_loss
    assert evaluation.auc_retire > 0.9
    assert evaluation.auc_leave_region > 0.6
    assert evaluation.test_rows > 0
    assert evaluation.train_rows > evaluation.test_rows


def test_out_of_time_calibration_by_decile(evaluation: LeavingEvaluation) -> None:
    deciles = evaluation.calibration_deciles
    assert deciles["decile"].to_list() == list(range(1, 11))
    assert deciles["rows"].sum() == evaluation.test_rows
    gap = (deciles["predicted_leave_region"] - deciles["observed_leave_region"]).abs()
    assert gap.max() < 0.03
    observed = deciles["observed_leave_region"]
    assert observed[-1] > 2 * observed[0]


def test_probabilities_sum_to_one_and_hazards_are_monthly(
    model: LeavingModel, rows: pl.DataFrame
) -> None:
    sample = rows.sample(2000, seed=1)
    annual = model.annual_probabilities(sample)
    assert annual.columns == list(PROBABILITY_COLUMNS)
    np.testing.assert_allclose(annual.sum_horizontal().to_numpy(), 1.0, atol=1e-9)
    assert annual.min_horizontal().min() >= 0  # type: ignore[operator]
    hazards = model.monthly_hazards(sample)
    assert hazards.columns == list(HAZARD_COLUMNS)
    for outcome in OUTCOMES[1:]:
        yearly = 1 - (1 - hazards[f"h_{outcome}"].to_numpy()) ** 12
        np.testing.assert_allclose(yearly, annual[f"p_{outcome}"].to_numpy(), atol=1e-9)


def _spell(employer: str, last_month: date, end: date | None, destination: str | None) -> dict:
    return {
        "person_key": f"p-{employer}",
        "employer_id": employer,
        "sector_code": "hospitals",
        "municipality_code": "GM0344",
        "region_code": "AM13",
        "profession_code": "nurse_bachelor",
        "start_date": date(2016, 3, 15),
        "end_date": end,
        "contract_hours_week": 27.0,
        "birth_year": 1980,
        "hire_origin": "outside",
        "leaver_destination": destination,
        "first_month": date(2015, 1, 1),
        "last_month": last_month,
    }


def test_a_spell_ending_after_its_employers_last_month_is_not_a_leaver() -> None:
    spells = pl.DataFrame(
        [
            # Covered until June 2020; the end in September is outside what the extracts show.
            _spell("A", date(2020, 6, 1), date(2020, 9, 15), "outside_sector"),
            _spell("B", date(2020, 12, 1), date(2020, 9, 15), "outside_sector"),
        ]
    )
    annual = person_periods(spells, until=date(2022, 1, 1))
    outcomes = {
        (row["employer_id"], row["year"]): row["outcome"] for row in annual.iter_rows(named=True)
    }
    assert outcomes == {
        **{("A", year): "stay" for year in range(2017, 2020)},
        **{("B", year): "stay" for year in range(2017, 2020)},
        ("B", 2020): "leave_region",
    }
    quarterly = person_periods(spells, period_months=3, until=date(2022, 1, 1))
    censored = quarterly.filter(pl.col("employer_id") == "A")
    assert set(censored["outcome"]) == {"stay"}
    assert censored["period_start"].max() == date(2020, 4, 1)
    first = annual.row(0, named=True)
    assert first["age"] == 2017 - 1980
    assert first["age_band"] == "35-44"
    assert first["tenure_years"] == pytest.approx(
        (date(2017, 1, 1) - date(2016, 3, 15)).days / 365.25
    )


def test_sector_trend_is_the_previous_years_share_leaving_the_region(rows: pl.DataFrame) -> None:
    shares = rows.group_by("sector_code", "year").agg(
        share=(pl.col("outcome") == "leave_region").mean()
    )
    trend = rows.group_by("sector_code", "year").agg(pl.col("sector_leave_trend").first())
    joined = trend.join(
        shares.with_columns(year=pl.col("year") + 1), on=["sector_code", "year"], how="left"
    )
    first_year = rows["year"].min()
    assert joined.filter(pl.col("year") == first_year)["sector_leave_trend"].null_count() > 0
    later = joined.filter(pl.col("year") > first_year)
    np.testing.assert_allclose(later["sector_leave_trend"], later["share"])


def test_cell_hazards_cover_everyone_employed_at_the_date(
    model: LeavingModel, spells: pl.DataFrame, region_data: Path
) -> None:
    at = date(2025, 12, 31)
    cells = model.cell_hazards(spells, at)
    assert cells.columns == [
        *CELL_KEYS, "headcount", "fte", *PROBABILITY_COLUMNS, *HAZARD_COLUMNS,
    ]  # fmt: skip
    monthly = pl.read_parquet(region_data / "marts" / "workforce_monthly.parquet").filter(
        pl.col("month") == date(2025, 12, 1)
    )
    assert cells["headcount"].sum() == employed_at(spells, at).height
    assert cells["headcount"].sum() == monthly["headcount"].sum()
    assert cells["fte"].sum() == pytest.approx(monthly["fte"].sum(), rel=1e-6)
    per_sector = cells.group_by("sector_code").agg(pl.col("headcount").sum())
    mart_sector = monthly.group_by("sector_code").agg(pl.col("headcount").sum())
    assert dict(per_sector.iter_rows()) == dict(mart_sector.iter_rows())
    # Ages are those of the coming year, the year the hazards apply to.
    assert cells.filter(pl.col("age") < 15).is_empty()
    retire = cells.filter(pl.col("age") == 66)["h_retire"].mean()
    young = cells.filter(pl.col("age") == 30)["h_retire"].mean()
    assert isinstance(retire, float)
    assert isinstance(young, float)
    assert retire > 10 * young
    pooled = model.age_hazards(spells, at)
    assert pooled["headcount"].sum() == cells["headcount"].sum()


def test_evaluation_is_written_as_json_and_csv(
    evaluation: LeavingEvaluation, tmp_path: Path
) -> None:
    paths = evaluation.write(tmp_path / "leaving")
    assert [path.name for path in paths] == [
        "leaving_evaluation.json",
        "leaving_calibration_deciles.csv",
        "leaving_calibration_age_bands.csv",
    ]
    saved = json.loads(paths[0].read_text())
    assert saved == json.loads(json.dumps(evaluation.to_dict()))
    bands = pl.read_csv(paths[2])
    assert bands["age_band"].to_list() == [label for label, _, _ in AGE_BANDS]
    assert bands["rows"].sum() == evaluation.test_rows


def test_hazards_for_projected_people_without_a_trend_column(model: LeavingModel) -> None:
    # What the supply projection asks for people it ages forward: no trend, one unknown code.
    people = pl.DataFrame(
        {
            "age": [30, 66, 30],
            "tenure_years": [5.0, 5.0, 0.2],
            "contract_hours_week": [28.0, 28.0, 28.0],
            "sector_code": ["hospitals", "hospitals", "no_such_sector"],
            "profession_code": ["nurse_bachelor", "nurse_bachelor", "nurse_bachelor"],
        }
    )
    hazards = model.monthly_hazards(people)
    assert hazards.height == 3
    assert hazards.null_count().sum_horizontal().item() == 0
    young, old, _unknown = hazards.iter_rows(named=True)
    assert old["h_retire"] > 10 * young["h_retire"]
    total = hazards.select(pl.sum_horizontal(HAZARD_COLUMNS)).to_series()
    assert ((total > 0) & (total < 1)).all()


def test_recent_cell_hazards_average_the_last_years_conditions(
    model: LeavingModel, spells: pl.DataFrame
) -> None:
    at = date(2025, 12, 31)
    current = model.cell_hazards(spells, at)
    recent = model.recent_cell_hazards(spells, at, years=3)
    assert recent.columns == current.columns
    assert recent.select(CELL_KEYS).equals(current.select(CELL_KEYS))
    assert recent["headcount"].to_list() == current["headcount"].to_list()
    one_year = model.recent_cell_hazards(spells, at, years=1)
    # Only the sector trend differs between the years: averaging them moves the hazards little.
    assert (recent["h_leave_region"] > 0).all()
    overall = (recent["h_leave_region"] * recent["headcount"]).sum() / recent["headcount"].sum()
    single = (one_year["h_leave_region"] * one_year["headcount"]).sum() / recent["headcount"].sum()
    assert overall == pytest.approx(single, rel=0.15)
