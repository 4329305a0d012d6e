"""The graduates of running cohorts spread over the years they graduate in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from workforce.marts.graduation_years import expected_graduations
from workforce.reference import load_reference

NURSING = "34560"
"""B Verpleegkunde: HBO, four years."""


def pipeline(rows: list[tuple[int, int, int, float, bool]]) -> pl.DataFrame:
    """``education_pipeline`` rows of one programme at one institution:
    ``(cohort_year, graduates, enrolled, expected_graduates, finished)``."""
    return pl.DataFrame(
        [
            {
                "cohort_year": cohort,
                "programme_code": NURSING,
                "institution_code": "21PB",
                "level": "HBO",
                "graduates": graduates,
                "enrolled": enrolled,
                "expected_graduates": expected,
                "finished": finished,
            }
            for cohort, graduates, enrolled, expected, finished in rows
        ]
    )


def extract(day: dt.date) -> pl.DataFrame:
    return pl.DataFrame({"institution_code": ["21PB"], "extract_date": [day]})


COHORTS = [
    (2019, 70, 0, 70.0, True),  # two years past nominal (2023): all graduated
    (2020, 54, 10, 60.0, False),  # one year past: 90 % of its graduates so far
    (2021, 30, 25, 50.0, False),  # at nominal (2025): 60 %
    (2022, 0, 45, 40.0, False),  # nominal year 2026 still to come
]


def spread_of(rows: list[tuple[int, int, int, float, bool]], day: dt.date) -> pl.DataFrame:
    return expected_graduations(pipeline(rows), extract(day), load_reference())


def by_year(frame: pl.DataFrame) -> dict[int, float]:
    totals = frame.group_by("graduation_year").agg(pl.sum("expected_graduates"))
    return dict(zip(totals["graduation_year"], totals["expected_graduates"], strict=True))


def test_running_cohorts_graduate_over_the_years_the_cohorts_show() -> None:
    spread = spread_of(COHORTS, dt.date(2025, 10, 1))
    # Graduating by nominal, +1, +2 years: 60 %, 90 %, 100 % (steps 0.6, 0.3, 0.1).
    expected = pl.DataFrame(
        {
            "cohort_year": [2020, 2021, 2021, 2022, 2022, 2022],
            "graduation_year": [2026, 2026, 2027, 2026, 2027, 2028],
            "expected_graduates": [6.0, 15.0, 5.0, 24.0, 12.0, 4.0],
        }
    )
    assert_frame_equal(
        spread.select("cohort_year", "graduation_year", "expected_graduates"), expected
    )
    # Not all 150 expected graduates of the running cohorts in 2026, as one year would show.
    assert by_year(spread) == {2026: 45.0, 2027: 17.0, 2028: 4.0}


def test_graduates_so_far_are_not_expected_again() -> None:
    spread = spread_of(COHORTS, dt.date(2025, 10, 1))
    running = pipeline(COHORTS).filter(~pl.col("finished"))
    still_to_come = running["expected_graduates"].sum() - running["graduates"].sum()
    assert spread["expected_graduates"].sum() == still_to_come


def test_a_cohort_past_every_delay_seen_graduates_next_year() -> None:
    late = [*COHORTS, (2016, 50, 3, 52.0, False)]  # five years past nominal, two still to come
    spread = spread_of(late, dt.date(2025, 10, 1))
    rows = spread.filter(pl.col("cohort_year") == 2016)
    assert rows.select("graduation_year", "expected_graduates").rows() == [(2026, 2.0)]


def test_an_extract_before_summer_has_not_seen_that_years_graduates() -> None:
    """In March 2026 the class of 2026 has not graduated: cohort 2022 is at delay -1 and
    cohort 2021 one year past nominal, as in October 2025."""
    spread = spread_of(COHORTS, dt.date(2026, 3, 1))
    assert by_year(spread) == {2026: 45.0, 2027: 17.0, 2028: 4.0}
    spring = spread_of(COHORTS, dt.date(2025, 3, 1))
    assert min(by_year(spring)) == 2025


def test_the_regions_running_cohorts_keep_every_graduate(region_data: Path) -> None:
    marts = region_data / "marts"
    running = pl.read_parquet(marts / "education_pipeline.parquet").filter(~pl.col("finished"))
    spread = pl.read_parquet(marts / "graduations.parquet")
    key = ["cohort_year", "programme_code", "institution_code"]
    totals = running.join(
        spread.group_by(key).agg(spread=pl.sum("expected_graduates")), on=key, how="left"
    ).with_columns(spread=pl.col("spread").fill_null(0.0))
    still_to_come = totals["expected_graduates"] - totals["graduates"]
    assert ((totals["spread"] - still_to_come).abs() <= 0.05).all()
    years = by_year(spread)
    assert min(years) == 2026
    # The first future year holds no more than about a third of what is still to come.
    assert years[2026] < 0.4 * sum(years.values())
