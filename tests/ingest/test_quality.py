"""The data-quality report: rows by rule, refused files, gaps, stale extracts and jumps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from tests.contract_rows import POPULATION, STAFF, as_text
from tests.raw_files import write_csv
from workforce.cli import app
from workforce.ingest.load import ingest_paths
from workforce.ingest.quality import quality_report
from workforce.marts.build import build_marts


def staff(index: int, **changes: str) -> dict[str, str]:
    return {**as_text(STAFF), "person_key": f"{index:016x}", **changes}


def test_report_counts_rows_by_party_and_rule(tmp_path: Path) -> None:
    rows = [staff(1), staff(2, profession_code="astronaut"), staff(3, employer_id="E2")]
    ingest_paths([write_csv(tmp_path / "E1_2025-12-31.csv", rows)], tmp_path / "data")
    (tmp_path / "E3_2025-12-31.csv").write_bytes(b"")
    ingest_paths([tmp_path / "E3_2025-12-31.csv"], tmp_path / "data")
    report = quality_report(tmp_path / "data")
    by_party = {row["party"]: row for row in report.rows.to_dicts()}
    assert (by_party["E1"]["rows_kept"], by_party["E1"]["rows_quarantined"]) == (1, 1)
    assert (by_party["E2"]["rows_kept"], by_party["E2"]["rows_quarantined"]) == (1, 0)
    assert report.rules.to_dicts() == [
        {"source": "staff", "party": "E1", "rule": "unknown profession_code", "rows": 1}
    ]
    assert report.refused["problem"].to_list() == [
        "the file is empty; expected a header line and data rows"
    ]


def test_gaps_and_stale_extracts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = [staff(1, start_date="2019-01-01", end_date="2020-03-31")]
    new = [staff(2, start_date="2019-01-01", end_date="2022-07-31")]
    other = [staff(3, employer_id="E2", start_date="2019-01-01", end_date="2025-11-30")]
    ingest_paths([write_csv(tmp_path / "E1_2020-12-31.csv", old)], data)
    ingest_paths([write_csv(tmp_path / "E1_2024-06-30.csv", new)], data)
    ingest_paths([write_csv(tmp_path / "E2_2025-12-31.csv", other)], data)
    # Two projection vintages and a count: releases, neither gaps nor stale extracts.
    for name, changes in (
        ("projection_2019-07-01.csv", {"vintage": "2019"}),
        ("projection_2023-07-01.csv", {"vintage": "2023"}),
        ("history_2024-07-01.csv", {"kind": "history", "year": "2024", "vintage": "2024"}),
    ):
        ingest_paths([write_csv(tmp_path / name, [{**as_text(POPULATION), **changes}])], data)
    report = quality_report(data)
    assert set(report.rows["source"]) == {"staff", "population"}
    assert report.gaps.select("party", "gap_from", "gap_to").to_dicts() == [
        {"party": "E1", "gap_from": dt.date(2021, 1, 1), "gap_to": dt.date(2022, 7, 30)}
    ]
    assert report.stale.select("party", "last_extract").to_dicts() == [
        {"party": "E1", "last_extract": dt.date(2024, 6, 30)}
    ]


def test_headcount_jumps_are_flagged(tmp_path: Path) -> None:
    data = tmp_path / "data"
    steady = [staff(i, start_date="2018-01-01", end_date="", leave_reason="") for i in range(25)]
    wave = [staff(100 + i, start_date="2021-05-03", end_date="", leave_reason="") for i in range(8)]
    ingest_paths([write_csv(tmp_path / "E1_2025-12-31.csv", steady + wave)], data)
    build_marts(data)
    jumps = quality_report(data).jumps
    assert jumps.select("employer_id", "month", "previous", "headcount").to_dicts() == [
        {"employer_id": "E1", "month": dt.date(2021, 5, 1), "previous": 25, "headcount": 33}
    ]
    assert jumps["change"].to_list() == [0.32]


def test_report_command_writes_markdown(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ingest_paths([write_csv(tmp_path / "E1_2025-12-31.csv", [staff(1)])], data)
    result = CliRunner().invoke(app, ["report", "quality", "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    text = (data / "reports" / "quality.md").read_text()
    assert text.startswith("# Data quality")
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in text.splitlines()]
    assert ["staff", "E1", "1", "1", "0"] in cells
    assert pl.read_parquet(data / "staging" / "files.parquet").height == 1


def test_markdown_report_shows_delivered_text_and_renders_none_of_it(tmp_path: Path) -> None:
    hostile = "<img src=x onerror=alert(1)>|[klik](http://example.org)"
    rows = [staff(1, employer_id=hostile), staff(2, employer_id=hostile, profession_code="x")]
    data = tmp_path / "data"
    ingest_paths([write_csv(tmp_path / "E1_2025-12-31.csv", rows)], data)

    text = quality_report(data).to_markdown()

    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;\\|\\[klik\\](http://example.org)" in text


def test_held_extracts_are_listed_with_what_they_would_remove(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ended = [staff(i, start_date="2015-01-01", end_date="2018-06-30") for i in range(5)]
    current = [staff(i, start_date="2012-01-01", end_date="", leave_reason="") for i in range(5, 8)]
    ingest_paths([write_csv(tmp_path / "E1_2024-12-31.csv", ended + current)], data)
    ingest_paths([write_csv(tmp_path / "E1_2025-12-31.csv", current)], data)

    report = quality_report(data)

    (problem,) = report.refused["problem"].to_list()
    assert problem.startswith("it would remove 5 of the 8 contracts of E1 delivered earlier")
    (rule,) = report.rules["rule"].to_list()
    assert rule.startswith("held: ")
    assert report.rows.select("rows_kept", "rows_quarantined").row(0) == (8, 3)
