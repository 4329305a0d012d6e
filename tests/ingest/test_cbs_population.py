"""Population tables from StatLine: recorded OData answers, through ``fetch-cbs`` and ``ingest``."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from tests.ingest.test_statline import RecordedStatLine
from tests.ingest.test_statline import statline as statline
from workforce.cli import app
from workforce.ingest.cbs_population import age_band, read_population_table
from workforce.ingest.load import ingest_paths
from workforce.ingest.statline import fetch_table

runner = CliRunner()


@pytest.fixture
def projection(statline: RecordedStatLine, tmp_path: Path) -> Path:
    return fetch_table("84527NED", tmp_path, base_url=statline.base_url).folder


def test_age_titles_become_bands() -> None:
    assert age_band("75 tot 80 jaar") == (75, 79)
    assert age_band("85 jaar of ouder") == (85, None)
    assert age_band("40 jaar") == (40, 40)
    assert age_band("Totaal") is None


def test_projection_reads_keys_units_bounds_and_vintage(projection: Path) -> None:
    table = read_population_table(projection)
    rows = table.rows
    assert set(rows["municipality_code"]) == {"GM0344", "GM0310"}  # padding gone, no sums
    assert set(rows["sex"]) == {"male", "female"}
    assert set(rows["kind"]) == {"projection"}
    assert set(rows["vintage"]) == {2024}
    # 65+ holds 75-79, 80-84 and 85+: left out, so nobody is counted twice.
    assert sorted(rows.select("age_from", "age_to").unique().rows(), key=str) == sorted(
        [(0, 64), (65, 74), (75, 79), (80, 84), (85, None)], key=str
    )
    one = rows.filter(
        (pl.col("municipality_code") == "GM0344")
        & (pl.col("sex") == "female")
        & (pl.col("age_from") == 85)
        & (pl.col("year") == 2024)
    )
    # Made-up 1,500 persons aged 85+ in Utrecht, 52 % women, published as 0.78 (x 1000).
    assert one["persons"].item() == pytest.approx(780.0)
    assert one["persons_lo"].item() < one["persons"].item() < one["persons_hi"].item()
    assert table.left_out["not a municipality"] > 0
    # "." and a missing value both become null, and stay in the rows.
    missing = rows.filter(pl.col("persons").is_null())
    assert missing.height == 2


def test_history_keeps_the_total_of_a_further_dimension(
    statline: RecordedStatLine, tmp_path: Path
) -> None:
    folder = fetch_table("03759NED", tmp_path, base_url=statline.base_url).folder
    rows = read_population_table(folder).rows
    assert set(rows["kind"]) == {"history"}
    assert (rows["vintage"] == rows["year"]).all()
    women_85 = rows.filter(
        (pl.col("municipality_code") == "GM0310")
        & (pl.col("sex") == "female")
        & (pl.col("age_from") == 85)
        & (pl.col("year") == 2022)
    )
    assert women_85["persons"].item() == pytest.approx(1100 * 0.52)
    assert rows.select("municipality_code", "year", "sex", "age_from").is_duplicated().sum() == 0


def test_fetch_cbs_writes_rows_that_ingest_loads_or_quarantines(
    statline: RecordedStatLine, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["fetch-cbs", "84527NED", "--out", str(tmp_path), "--base-url", statline.base_url]
    )
    assert result.exit_code == 0, result.output
    target = tmp_path / "84527ned" / "population_84527ned.csv"
    assert "population rows" in result.output
    assert target.exists()
    report = ingest_paths([target], tmp_path / "data")
    (outcome,) = report.outcomes
    read = pl.read_csv(target).height
    assert outcome.rows_kept + outcome.rows_quarantined == read  # nothing lost
    assert outcome.rows_quarantined == 2
    assert outcome.rule_counts == {"missing persons": 2}
