"""Training alignment: the advice closes the gap it was asked to, splits and caps correctly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.scenario_frames import small_outlook
from workforce.alignment import (
    AlignmentError,
    advise_intake,
    gap_at_horizon,
    read_placements,
    write_advice,
)
from workforce.cli import app
from workforce.scenario import Lever, Scope, compute_scenario, horizon_index, scenario_of

PATHS = 200
OUTLOOK = small_outlook()


def test_the_advised_intake_closes_the_median_gap_at_the_horizon() -> None:
    advice = advise_intake(OUTLOOK, horizon_year=2032, paths=PATHS)
    levers = [
        Lever(
            "intake",
            100 * row["extra_intake_per_year"] / row["current_intake"],
            Scope(programmes=(row["programme_code"],)),
        )
        for row in advice.table.iter_rows(named=True)
    ]
    index = horizon_index(OUTLOOK, 2032)
    before = advice.gaps.sort("profession_code")
    result = compute_scenario(OUTLOOK, scenario_of("advice", *levers), paths=PATHS)
    after = gap_at_horizon(OUTLOOK, result, index).sort("profession_code")
    assert (before["gap_persons"] > 50).all()
    assert np.allclose(after["gap_persons"], 0, atol=0.1 * before["gap_persons"].max())


def test_a_stated_probability_asks_for_more_than_the_median() -> None:
    median = advise_intake(OUTLOOK, horizon_year=2032, paths=PATHS)
    likely = advise_intake(
        OUTLOOK, horizon_year=2032, target="probability", probability=0.9, paths=PATHS
    )
    joined = median.table.join(likely.table, on=["programme_code", "institution_code"])
    assert (joined["extra_intake_per_year_right"] > joined["extra_intake_per_year"]).all()
    assert (joined["extra_intake_per_year_lo_80"] <= joined["extra_intake_per_year"]).all()
    assert (joined["extra_intake_per_year"] <= joined["extra_intake_per_year_hi_80"]).all()


def test_a_horizon_before_any_cohort_can_graduate_gives_no_advice() -> None:
    advice = advise_intake(OUTLOOK, horizon_year=2028, paths=PATHS)
    assert advice.table.is_empty(), "a 3-year programme from 2026 graduates in 2029"
    with pytest.raises(AlignmentError, match="outside the projection"):
        advise_intake(OUTLOOK, horizon_year=2040, paths=PATHS)


@settings(max_examples=8, deadline=None)
@given(intakes=st.lists(st.floats(5, 300), min_size=1, max_size=4))
def test_splitting_over_institutions_sums_to_the_programme_total(intakes: list[float]) -> None:
    outlook = small_outlook(institution_intakes={"34560": tuple(intakes), "25656": (80.0,)})
    table = advise_intake(outlook, horizon_year=2033, paths=50).table
    nurses = table.filter(pl.col("programme_code") == "34560")
    assert nurses.height == len(intakes)
    assert nurses["extra_intake_per_year"].sum() == pytest.approx(
        nurses["programme_extra_intake_per_year"][0]
    )
    assert np.allclose(nurses["extra_intake_pct"], nurses["extra_intake_pct"][0])


@settings(max_examples=8, deadline=None)
@given(
    placements=st.lists(st.floats(0, 400), min_size=6, max_size=6),
)
def test_advice_respects_placement_caps(placements: list[float]) -> None:
    caps = pl.DataFrame(
        {
            "programme_code": ["34560"] * 3 + ["25656"] * 3,
            "institution_code": ["25DW"] * 6,
            "year": [2026, 2027, 2028] * 2,
            "placements": placements,
        }
    )
    free = advise_intake(OUTLOOK, horizon_year=2033, paths=50)
    capped = advise_intake(OUTLOOK, horizon_year=2033, paths=50, placements=caps)
    years = capped.by_year.join(
        caps.rename({"year": "cohort_year"}),
        on=["programme_code", "institution_code", "cohort_year"],
    )
    assert (
        years["current_intake"] + years["extra_intake_capped"]
        <= years["placements_right"].clip(lower_bound=years["current_intake"]) + 1e-9
    ).all()
    joined = capped.table.join(free.table, on=["programme_code", "institution_code"])
    assert (joined["extra_intake_capped_total"] <= joined["extra_intake_total_right"] + 1e-9).all()
    assert (joined["remaining_gap_persons"] >= 0).all()
    binding = joined["extra_intake_capped_total"] < joined["extra_intake_total_right"] - 1e-6
    assert (joined.filter(binding)["remaining_gap_persons"] > 0).all()
    assert (joined.filter(~binding)["remaining_gap_persons"] < 1e-6).all()


def test_every_row_says_what_its_numbers_rest_on() -> None:
    table = advise_intake(OUTLOOK, horizon_year=2032, paths=PATHS).table
    for text in table["assumptions"]:
        for word in ("gap", "completion", "entry share", "retention", "cohorts"):
            assert word in text
    assert table["rank"].to_list() == list(range(1, table.height + 1))
    assert table["extra_intake_per_year"].is_sorted(descending=True)


def test_a_placements_file_with_wrong_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "placements.csv"
    path.write_text("programme,year,places\n34560,2026,10\n")
    with pytest.raises(AlignmentError, match="missing column"):
        read_placements(path)
    path.write_text("programme_code,institution_code,year,placements\n34560,25DW,2026,many\n")
    with pytest.raises(AlignmentError, match="placements a number"):
        read_placements(path)


def test_advice_exports_to_csv_and_excel(tmp_path: Path) -> None:
    advice = advise_intake(OUTLOOK, horizon_year=2032, paths=PATHS)
    write_advice(advice, tmp_path / "advice.csv")
    write_advice(advice, tmp_path / "advice.xlsx")
    from_csv = pl.read_csv(tmp_path / "advice.csv", schema_overrides={"programme_code": pl.String})
    from_excel = pl.read_excel(tmp_path / "advice.xlsx", sheet_name="advice")
    assert from_csv["programme_code"].to_list() == advice.table["programme_code"].to_list()
    assert from_excel.height == advice.table.height
    assert np.allclose(from_excel["extra_intake_per_year"], advice.table["extra_intake_per_year"])
    with pytest.raises(AlignmentError, match=r"\.csv or \.xlsx"):
        write_advice(advice, tmp_path / "advice.json")


def test_workforce_align_on_the_region(region_forecast: Path, tmp_path: Path) -> None:
    placements = tmp_path / "placements.csv"
    placements.write_text(
        "programme_code,institution_code,year,placements\n"
        + "".join(f"34560,25DW,{year},300\n" for year in range(2026, 2030))
    )
    out = tmp_path / "advice.xlsx"
    result = CliRunner().invoke(
        app,
        [
            "align",
            "--data-dir",
            str(region_forecast),
            "--models-dir",
            str(region_forecast / "models"),
            "--horizon-year",
            "2032",
            "--paths",
            "100",
            "--placements",
            str(placements),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pl.read_excel(out, sheet_name="advice")
    assert table.height > 10
    nurses = table.filter(pl.col("programme_code").cast(pl.String) == "34560")
    assert nurses["placement_cap_per_year"][0] is not None
    assert "decision saved in" in result.output
    wrong = CliRunner().invoke(
        app, ["align", "--data-dir", str(region_forecast), "--target", "mode", "--no-save"]
    )
    assert wrong.exit_code == 2
    assert "--target must be median or probability" in wrong.output
