"""The decision log: saved with its run, listed, and compared with what happened."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from tests.scenario_frames import small_outlook
from workforce.alignment import advise_intake
from workforce.alignment.decisions import (
    DecisionError,
    compare_expected,
    describe_review,
    expected_graduates,
    latest_run,
    list_decisions,
    review_decision,
    save_alignment_decision,
    save_scenario_decision,
)
from workforce.cli import app
from workforce.scenario import Lever, scenario_marts, scenario_of

OUTLOOK = small_outlook()


def test_expected_against_actual_graduates_and_headcount() -> None:
    expected = pl.DataFrame(
        {
            "programme_code": ["34560", "34560", "25656"],
            "institution_code": ["25DW", "25DW", "25LH"],
            "graduation_year": [2026, 2027, 2026],
            "expected_graduates": [400.0, 410.0, 90.0],
        }
    )
    actual = pl.DataFrame(
        {
            "programme_code": ["34560", "34560", "25656"],
            "institution_code": ["25DW", "25DW", "25LH"],
            "graduation_year": [2026, 2027, 2026],
            "actual_graduates": [352.0, 100.0, 95.0],
            "complete": [True, False, True],
        }
    )
    heads_expected = pl.DataFrame(
        {
            "profession_code": ["nurse_bachelor"],
            "month": [dt.date(2026, 12, 1)],
            "year": [2026],
            "expected_headcount": [1000.0],
            "expected_headcount_lo_80": [950.0],
            "expected_headcount_hi_80": [1050.0],
        }
    )
    heads_actual = pl.DataFrame(
        {
            "profession_code": ["nurse_bachelor"],
            "month": [dt.date(2026, 12, 1)],
            "actual_headcount": [1070.0],
        }
    )
    review = compare_expected(expected, actual, heads_expected, heads_actual)
    nurses = review.filter(pl.col("key") == "34560").sort("year")
    assert nurses["actual"].to_list() == [352.0, None], "a running cohort is not yet known"
    assert nurses["difference"][0] == -48.0
    assert nurses["ratio"][0] == pytest.approx(0.88)
    heads = review.filter(pl.col("measure") == "headcount")
    assert heads["within_80"].to_list() == [False]
    lines = describe_review(review)
    assert "graduates 34560, 2026: expected 400 graduates, 352 came" in lines


def test_a_scenario_is_saved_with_its_run_and_reviewed(tmp_path: Path) -> None:
    run = tmp_path / "models" / "20260101T000000Z"
    run.mkdir(parents=True)
    (run / "run.json").write_text("{}")
    scenario = scenario_of("more_nurses", Lever("intake", 20), Lever("retention", 10))
    marts = scenario_marts(OUTLOOK, scenario, paths=40)
    folder = save_scenario_decision(run, OUTLOOK, scenario, marts=marts)
    assert latest_run(tmp_path / "models") == run
    meta = json.loads((folder / "decision.json").read_text())
    assert meta["run_id"] == run.name
    assert [lever["kind"] for lever in meta["levers"]] == ["intake", "retention"]
    graduates = pl.read_parquet(folder / "expected_graduates.parquet")
    baseline = expected_graduates(OUTLOOK)
    later = pl.col("graduation_year") >= 2030
    assert graduates.filter(later)["expected_graduates"].sum() == pytest.approx(
        1.2 * baseline.filter(later)["expected_graduates"].sum()
    ), "20 % more intake from 2026: every graduation year from 2030 (HBO) on"
    listed = list_decisions(tmp_path / "models")
    assert listed["kind"].to_list() == ["scenario"]

    marts_dir = tmp_path / "data" / "marts"
    marts_dir.mkdir(parents=True)
    pl.DataFrame(
        {
            "cohort_year": [2026],
            "programme_code": ["34560"],
            "institution_code": ["25DW"],
            "graduates": [50],
            "expected_graduation_year": pl.Series([None], dtype=pl.Int64),
        }
    ).write_parquet(marts_dir / "education_pipeline.parquet")
    pl.DataFrame(
        {
            "month": [dt.date(2026, 12, 1)] * 2,
            "profession_code": ["nurse_bachelor", "certified_carer"],
            "headcount": [300, 200],
        }
    ).write_parquet(marts_dir / "workforce_monthly.parquet")
    review = review_decision(folder, tmp_path / "data")
    known = review.filter(pl.col("actual").is_not_null())
    assert set(known["measure"]) == {"graduates", "headcount"}
    assert known.filter(pl.col("measure") == "graduates")["year"].to_list() == [2030]

    result = CliRunner().invoke(
        app,
        [
            "scenario",
            "review",
            "--data-dir",
            str(tmp_path / "data"),
            "--models-dir",
            str(tmp_path / "models"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "3 of" in result.output
    assert (folder / "review.csv").is_file()


def test_alignment_advice_expects_its_extra_graduates(tmp_path: Path) -> None:
    run = tmp_path / "20260101T000000Z"
    run.mkdir()
    advice = advise_intake(OUTLOOK, horizon_year=2032, paths=100)
    folder = save_alignment_decision(run, OUTLOOK, advice)
    expected = pl.read_parquet(folder / "expected_graduates.parquet")
    baseline = expected_graduates(OUTLOOK)
    extra = expected["expected_graduates"].sum() - baseline["expected_graduates"].sum()
    assert extra == pytest.approx(advice.by_year["extra_graduates"].sum())
    assert extra > 0
    assert (folder / "advice.csv").is_file()


def test_no_run_and_no_decision_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(DecisionError, match="no forecast run"):
        latest_run(tmp_path)
    with pytest.raises(DecisionError, match="not a saved decision"):
        review_decision(tmp_path, tmp_path)
    result = CliRunner().invoke(
        app, ["scenario", "review", "--data-dir", str(tmp_path), "--models-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "no saved decisions" in result.output


def test_a_decision_lands_with_the_run_of_its_origin(tmp_path: Path) -> None:
    for run_id, origin in (("20260101T000000Z", "2025-12-01"), ("20260201T000000Z", "2026-01-01")):
        (tmp_path / run_id).mkdir()
        (tmp_path / run_id / "run.json").write_text("{}")
        (tmp_path / run_id / "outlook.json").write_text(json.dumps({"origin": origin}))
    assert latest_run(tmp_path).name == "20260201T000000Z"
    assert latest_run(tmp_path, origin=dt.date(2025, 12, 1)).name == "20260101T000000Z"
    with pytest.raises(DecisionError, match="no forecast run with origin 2024-12"):
        latest_run(tmp_path, origin=dt.date(2024, 12, 1))
