"""Outlook backtests from several origins on the generated region, with calibrated intervals."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from workforce.cli import app
from workforce.evaluation.outlook_backtest import (
    MONTHLY_ROWS,
    BacktestResult,
    BacktestSettings,
    backtest_outlooks,
    calibrate,
    december_origins,
)
from workforce.evaluation.outlook_backtest_report import (
    CSV_NAME,
    TARGETS,
    coverage,
    write_backtest,
)
from workforce.outlook.interval_calibration import CALIBRATION_FILE, ShortageCalibration
from workforce.outlook.outlook import Outlook
from workforce.outlook.shortage import realised_shortage

pytestmark = pytest.mark.slow

SETTINGS = BacktestSettings(
    last=dt.date(2020, 12, 1), baselines_only=True, paths=100, inner_folds=2, live=False
)
"""The small configuration: origins 2018-2020 (each scored 5 years ahead) after the
calibration origin 2017, baselines only with a short inner backtest, 100 paths."""
REQUIRED = ["origin", "year", "level", "node", "projected", "realised"]
REQUIRED += ["lo_80", "hi_80", "lo_95", "hi_95"]


@pytest.fixture(scope="module")
def backtest_dir(region_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the seed-42 region's marts with the backtest's CSV, page and calibration."""
    data_dir = tmp_path_factory.mktemp("outlook_backtest")
    shutil.copytree(region_data / "marts", data_dir / "marts")
    write_backtest(data_dir, data_dir / "reports", SETTINGS, page=data_dir / "reports" / "page.md")
    return data_dir


@pytest.fixture(scope="module")
def rows(backtest_dir: Path) -> pl.DataFrame:
    return pl.read_csv(backtest_dir / "reports" / CSV_NAME)


def test_the_csv_has_one_row_per_origin_year_and_node(rows: pl.DataFrame) -> None:
    assert set(REQUIRED) <= set(rows.columns)
    assert rows.select("origin", "year", "node").is_unique().all()
    assert set(rows["origin"]) == {f"{year}-12" for year in range(2018, 2021)}
    assert set(rows["level"]) == {"region", "sector", "profession", "bottom"}
    years = rows.filter(pl.col("level") == "region").group_by("origin").agg(pl.col("year"))
    for row in years.iter_rows(named=True):
        first = int(row["origin"][:4]) + 1
        assert sorted(row["year"]) == list(range(first, min(first + 5, 2026)))


def test_projected_and_realised_shortage_are_one_quantity(
    rows: pl.DataFrame, region_data: Path
) -> None:
    np.testing.assert_allclose(
        rows["projected"], rows["projected_demand"] - rows["projected_supply"], atol=1e-6
    )
    np.testing.assert_allclose(
        rows["realised"], rows["realised_demand"] - rows["realised_supply"], atol=1e-6
    )
    # Realised, the shortage is the open vacancy FTE the demand mart counts.
    mart = pl.read_parquet(region_data / "marts" / "demand.parquet")
    region_open = (
        mart.filter(pl.col("month").dt.month() == 12)
        .group_by(year=pl.col("month").dt.year())
        .agg(pl.sum("open_vacancy_fte"))
    )
    region = rows.filter(pl.col("level") == "region").join(region_open, on="year")
    np.testing.assert_allclose(region["realised"], region["open_vacancy_fte"], rtol=1e-9)


def test_the_supply_projection_starts_from_the_realised_supply(region_forecast: Path) -> None:
    """At the origin the projection's stock FTE and shortage are the mart's filled FTE and
    open vacancy FTE, series by series."""
    outlook = Outlook.load(region_forecast / "forecasts" / "outlook")
    mart = pl.read_parquet(region_forecast / "marts" / "demand.parquet")
    at_origin = (
        outlook.supply_inputs.series.select("region_code", "sector_code", "profession_code")
        .join(
            realised_shortage(mart.filter(pl.col("month") == outlook.origin)),
            on=["region_code", "sector_code", "profession_code"],
            how="left",
        )
        .fill_null(0.0)
    )
    stock_fte = outlook.supply_inputs.stock.sum(axis=1) * outlook.supply_inputs.fte_per_person
    np.testing.assert_allclose(stock_fte, at_origin["supply_fte"], atol=1e-3)
    np.testing.assert_allclose(outlook.origin_shortage_fte, at_origin["shortage_fte"], atol=1e-3)


@pytest.fixture(scope="module")
def result(backtest_dir: Path) -> BacktestResult:
    """The backtest's in-memory result, for the calibration checks (monthly rows reloaded)."""
    scored = pl.read_parquet(backtest_dir / MONTHLY_ROWS)
    origins = sorted(set(scored["origin"].to_list()))
    evaluated = [o for o in origins if SETTINGS.first <= o <= SETTINGS.last]
    return BacktestResult(
        scored=scored,
        evaluated=calibrate(scored, evaluated),
        live_calibration=ShortageCalibration.learn(scored, until=max(scored["month"])),
        origins=origins,
        evaluated_origins=evaluated,
    )


@pytest.mark.parametrize("origin", [dt.date(2018, 12, 1), dt.date(2020, 12, 1)])
def test_calibration_never_reads_the_evaluated_origins_outcome(
    result: BacktestResult, origin: dt.date
) -> None:
    def intervals(scored: pl.DataFrame) -> pl.DataFrame:
        return calibrate(scored, [origin]).select(
            "node", "step", "lo_80", "hi_80", "lo_95", "hi_95"
        )

    after = pl.col("month") > origin
    altered = result.scored.with_columns(
        realised=pl.when(after).then(pl.col("realised") * 5 + 1000).otherwise("realised")
    )
    assert intervals(altered).equals(intervals(result.scored))
    before = result.scored.with_columns(
        realised=pl.when(after).then("realised").otherwise(pl.col("realised") * 5 + 1000)
    )
    assert not intervals(before).equals(intervals(result.scored))


FEW_CALIBRATION_ORIGINS = pytest.mark.xfail(
    reason="in this small configuration each origin's factors rest on one to three earlier "
    "origins: the professions' 80 % intervals cover 74-79 % per year ahead but 69.7 % (69 of 99) "
    "two years ahead, and the region, one node over three origins, has 1 to 3 of 3 inside "
    "per year ahead; with five origins, as in docs/outlook-backtest.md, the professions meet "
    "the targets",
    strict=True,
)


def inside(rows: pl.DataFrame, level: int) -> pl.Series:
    return (rows["realised"] >= rows[f"lo_{level}"]) & (rows["realised"] <= rows[f"hi_{level}"])


def test_professions_95_intervals_are_calibrated_per_year_ahead(rows: pl.DataFrame) -> None:
    """Pooled over origins and professions, every year ahead 1-5; the raw intervals were too
    wide, so the calibration is what brings them within the target."""
    professions = coverage(rows).filter(pl.col("level") == "profession")
    assert professions["horizon"].to_list() == [1, 2, 3, 4, 5]
    low, high = TARGETS[95]
    for row in professions.iter_rows(named=True):
        assert low <= row["in_95"] <= high, row
    assert (professions["raw_in_95"] > high).any()


@FEW_CALIBRATION_ORIGINS
def test_professions_80_intervals_are_calibrated_per_year_ahead(rows: pl.DataFrame) -> None:
    """Pooled over origins and professions, every year ahead 1-5."""
    professions = coverage(rows).filter(pl.col("level") == "profession")
    low, high = TARGETS[80]
    for row in professions.iter_rows(named=True):
        assert low <= row["in_80"] <= high, row


@FEW_CALIBRATION_ORIGINS
def test_every_coverage_target_holds(rows: pl.DataFrame) -> None:
    cover = coverage(rows).filter(pl.col("level") == "profession")
    for level in (80, 95):
        low, high = TARGETS[level]
        assert cover[f"in_{level}"].is_between(low, high).all()
    region = rows.filter(pl.col("level") == "region")
    assert TARGETS[80][0] <= inside(region, 80).mean() <= TARGETS[80][1]  # type: ignore[operator]
    assert TARGETS[95][0] <= inside(region, 95).mean() <= TARGETS[95][1]  # type: ignore[operator]


def test_the_projected_regional_trend_has_the_realised_sign_at_every_origin(
    rows: pl.DataFrame,
) -> None:
    """Demand follows the ageing population, so the projected shortage rises as it did."""
    region = rows.filter(pl.col("level") == "region").sort("origin", "year")
    for (origin, _), group in region.group_by("origin", "node"):
        projected = group["projected"][-1] - group["projected"][0]
        realised = group["realised"][-1] - group["realised"][0]
        assert np.sign(projected) == np.sign(realised), (origin, projected, realised)


def test_calibrated_intervals_are_narrower_than_the_raw_ones(rows: pl.DataFrame) -> None:
    width = (rows["hi_80"] - rows["lo_80"]) / (rows["raw_hi_80"] - rows["raw_lo_80"])
    assert width.median() < 1


def test_the_live_calibration_is_stored_and_applied(
    backtest_dir: Path, region_forecast: Path
) -> None:
    calibration = ShortageCalibration.load(backtest_dir / CALIBRATION_FILE)
    assert calibration is not None
    assert calibration.learned_until == dt.date(2025, 12, 1)
    assert calibration.origins == tuple(dt.date(year, 12, 1) for year in range(2017, 2021))
    outlook = Outlook.load(region_forecast / "forecasts" / "outlook")
    raw = outlook.compute(paths=100, seed=3).shortage_fte
    outlook.calibration = calibration
    calibrated = outlook.compute(paths=100, seed=3)
    region = 0
    step = 11  # twelve months ahead
    factor = calibration.factor("region", 80, np.array([step + 1]))[0]
    p50 = raw.quantiles["p50"][region, step]
    expected = p50 + factor * (raw.quantiles["hi_80"][region, step] - p50)
    assert calibrated.shortage_fte.quantiles["hi_80"][region, step] == pytest.approx(expected)


def test_origins_need_three_years_of_history_and_one_of_outcome() -> None:
    origins = december_origins(dt.date(2015, 1, 1), dt.date(2025, 12, 1))
    assert origins[0] == dt.date(2017, 12, 1)
    assert origins[-1] == dt.date(2024, 12, 1)


def test_the_command_writes_the_csv_and_the_page(backtest_dir: Path, tmp_path: Path) -> None:
    page = (backtest_dir / "reports" / "page.md").read_text()
    assert "## Summary" in page
    for origin in range(2018, 2021):
        assert f"| {origin}-12 |" in page


def test_the_command_explains_missing_marts(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "outlook-backtest", "--data-dir", str(tmp_path), "--baselines-only"]
    )
    assert result.exit_code == 2
    assert "no demand mart" in result.output
    assert "Traceback" not in result.output


def test_the_command_explains_a_bad_month(region_data: Path, tmp_path: Path) -> None:
    shutil.copytree(region_data / "marts", tmp_path / "marts")
    result = CliRunner().invoke(
        app, ["report", "outlook-backtest", "--data-dir", str(tmp_path), "--first", "2018/12"]
    )
    assert result.exit_code == 2
    assert "--first '2018/12': expected a month as YYYY-MM" in result.output


def test_no_usable_origin_is_a_clear_error(region_data: Path, tmp_path: Path) -> None:
    shutil.copytree(region_data / "marts", tmp_path / "marts")
    with pytest.raises(ValueError, match="no December origin between 2030-12 and 2031-12"):
        backtest_outlooks(
            tmp_path,
            BacktestSettings(first=dt.date(2030, 12, 1), last=dt.date(2031, 12, 1)),
        )
