"""The stock-flow supply projection: bookkeeping, cohorts, calibrated paths, and a backtest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from workforce.outlook.shortage import DemandDistribution, demand_paths, summarise
from workforce.reference import load_reference
from workforce.supply.inputs import KEYS, employed_at, estimate_supply_inputs
from workforce.supply.leaving import fit_leaving_model
from workforce.supply.projection import (
    AGES,
    Cohorts,
    SupplyInputs,
    SupplyLevers,
    SupplyUncertainty,
    project_mean,
    project_supply,
    simulate_paths,
)

ORIGIN = dt.date(2025, 12, 1)


def small_inputs(
    *,
    leave: float = 0.01,
    retire_from: int = 64,
    other: float = 2.0,
    cohorts: pl.DataFrame | None = None,
    to_series: np.ndarray | None = None,
) -> SupplyInputs:
    """Two series of 100 people aged 30 and 63, literal hazards and inflows."""
    stock = np.zeros((2, len(AGES)))
    stock[0, AGES == 30] = 100
    stock[1, AGES == 63] = 100
    retire = np.where(retire_from <= AGES, 0.05, 0.0)[None, :].repeat(2, axis=0)
    entry = np.zeros((2, len(AGES)))
    entry[:, AGES == 22] = 1.0
    if cohorts is None:
        cohorts = pl.DataFrame(
            {
                "programme_code": ["25655"],
                "institution_code": ["25LH"],
                "level": ["MBO4"],
                "cohort_year": [2026],
                "intake": [100.0],
                "graduation_year": [2030],
                "graduates": [70.0],
                "dropouts": [30.0],
                "future": [True],
            }
        )
        to_series = np.array([[0.5, 0.0]])
    assert to_series is not None
    return SupplyInputs(
        origin=ORIGIN,
        series=pl.DataFrame({"unique_id": ["R/s/a", "R/s/b"]}),
        stock=stock,
        fte_per_person=np.array([0.8, 0.7]),
        leave_hazard=np.full((2, len(AGES)), leave),
        retire_hazard=retire,
        leave_season=np.ones(12),
        cohorts=Cohorts(cohorts, to_series),
        graduate_season=np.ones(12),
        graduate_ages=entry,
        other_inflow=np.array([other, 0.0]),
        other_season=np.ones(12),
        other_ages=entry,
        transfers=np.zeros(2),
        uncertainty=SupplyUncertainty(leave=0.1, graduates=0.1, other_inflow=0.1),
    )


def test_without_flows_the_stock_stays_and_ages_a_year_each_january() -> None:
    inputs = small_inputs(leave=0.0, retire_from=200, other=0.0)
    inputs = SupplyInputs(
        **{**vars(inputs), "cohorts": Cohorts(inputs.cohorts.frame, np.zeros((1, 2)))}
    )
    months, mean = project_mean(inputs, 36)
    assert months[0] == dt.date(2026, 1, 1)
    np.testing.assert_allclose(mean["headcount"], 100.0)
    for name in ("leavers", "retirements", "graduates", "other_inflow"):
        assert mean[name].sum() == 0.0


def test_every_month_stock_follows_its_flows() -> None:
    _, mean = project_mean(small_inputs(), 120)
    start = np.array([100.0, 100.0])
    previous = np.concatenate([start[:, None], mean["headcount"][:, :-1]], axis=1)
    expected = (
        previous - mean["leavers"] - mean["retirements"] + mean["graduates"] + mean["other_inflow"]
    )
    np.testing.assert_allclose(mean["headcount"], expected, rtol=1e-12)


def test_retirement_follows_age_so_the_older_series_retires_first() -> None:
    _, mean = project_mean(small_inputs(leave=0.0, other=0.0), 24)
    # Aged 63 at the origin: 64 in January, so retirements start at once; the 30-year-olds never.
    assert mean["retirements"][1, 0] == pytest.approx(5.0)
    assert mean["retirements"][0].sum() == 0.0


def test_intake_changes_reach_supply_only_after_the_programme_length() -> None:
    inputs = small_inputs()
    _, base = project_mean(inputs, 120)
    _, more = project_mean(inputs, 120, SupplyLevers(intake_factor=np.array([1.5])))
    months = [dt.date(2026 + m // 12, m % 12 + 1, 1) for m in range(120)]
    differs = np.flatnonzero(np.abs(more["headcount"][0] - base["headcount"][0]) > 1e-9)
    assert months[differs[0]] == dt.date(2030, 1, 1)
    graduates_2030 = more["graduates"][0, 48:60].sum() - base["graduates"][0, 48:60].sum()
    assert graduates_2030 == pytest.approx(70 * 0.5 * 0.5)


def test_dropout_reduction_turns_expected_dropouts_into_graduates() -> None:
    inputs = small_inputs()
    years = np.arange(2026, 2036)
    base = inputs.cohorts.graduates(years)
    fewer_dropouts = inputs.cohorts.graduates(years, dropout_reduction=np.array([0.1]))
    assert (fewer_dropouts - base)[0, years == 2030][0] == pytest.approx(30 * 0.1 * 0.5)


def test_more_retention_never_lowers_supply() -> None:
    inputs = small_inputs()
    base = project_supply(inputs, months=60, paths=50, seed=3)
    kept = project_supply(
        inputs, months=60, paths=50, seed=3, levers=SupplyLevers(leave_factor=0.9)
    )
    assert (kept.headcount >= base.headcount - 1e-9).all()
    assert (kept.mean["headcount"] >= base.mean["headcount"]).all()


def test_extra_hours_raise_fte_but_not_headcount() -> None:
    inputs = small_inputs()
    base = project_supply(inputs, months=12, paths=20, seed=1)
    longer = project_supply(inputs, months=12, paths=20, seed=1, levers=SupplyLevers(extra_hours=2))
    np.testing.assert_array_equal(longer.headcount, base.headcount)
    np.testing.assert_allclose(longer.fte - base.fte, base.headcount * 2 / 36)


def test_path_mean_is_the_deterministic_projection_where_counts_are_not_tiny() -> None:
    """Within 5 %: an uncertain leaving rate lifts the mean of a shrinking stock a little."""
    inputs = small_inputs()
    projection = project_supply(inputs, months=60, paths=4000, seed=0)
    sizable = projection.mean["headcount"] >= 20
    np.testing.assert_allclose(
        projection.headcount.mean(axis=0)[sizable], projection.mean["headcount"][sizable], rtol=0.05
    )


def test_intervals_cover_simulated_futures_at_their_level() -> None:
    """Truth drawn from the same process as the forecast: 80 % and 95 % cover as stated.

    Each truth is one independent path of supply and one of demand; the intervals come from
    the joint simulation of 1,000 paths, summed over both series (a region node).
    """
    inputs = small_inputs()
    months, mean = project_mean(inputs, 48)
    steps = np.arange(1, 49)
    demand = DemandDistribution(
        mean=np.vstack([np.full(48, 90.0), np.full(48, 60.0)]),
        lo_80=np.vstack([90 - 1.2816 * steps, 60 - 1.2816 * steps]),
        hi_80=np.vstack([90 + 1.2816 * steps, 60 + 1.2816 * steps]),
        lo_95=np.vstack([90 - 1.96 * steps, 60 - 1.96 * steps]),
        hi_95=np.vstack([90 + 1.96 * steps, 60 + 1.96 * steps]),
    )
    fte = inputs.fte_per_person[None, :, None]
    summing = np.array([[1.0, 1.0], [1.0, 0.0]])

    def shortage_paths(paths: int, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        supply = simulate_paths(inputs, mean, months, paths=paths, rng=rng)
        return demand_paths(demand, paths=paths, rng=rng, correlation=0.5) - supply * fte

    forecast = summarise(shortage_paths(1000, seed=1), summing)
    truths = np.einsum("ns,psm->pnm", summing, shortage_paths(400, seed=2))
    for level, (lo, hi) in {80: ("lo_80", "hi_80"), 95: ("lo_95", "hi_95")}.items():
        inside = (truths >= forecast.quantiles[lo]) & (truths <= forecast.quantiles[hi])
        for horizon in (11, 23, 47):
            coverage = inside[:, :, horizon].mean()
            assert abs(coverage - level / 100) < 0.06, (level, horizon, coverage)


# -- on the generated region -------------------------------------------------------------------


@pytest.fixture(scope="module")
def backtest_2021(region_data: Path) -> tuple[SupplyInputs, pl.DataFrame]:
    """Supply projected from December 2021 with everything estimated from data up to then."""
    marts = region_data / "marts"
    spells = pl.read_parquet(marts / "spells.parquet")
    origin = dt.date(2021, 12, 1)
    model = fit_leaving_model(spells, train_until=dt.date(2022, 1, 1))
    hazards = model.recent_cell_hazards(spells, dt.date(2021, 12, 31)).select(
        *KEYS, "age", leave_region="h_leave_region", retire="h_retire"
    )
    demand = pl.read_parquet(marts / "demand.parquet")
    series = (
        demand.filter(pl.col("month") == origin)
        .select(KEYS)
        .unique()
        .sort(KEYS)
        .with_columns(unique_id=pl.concat_str(KEYS, separator="/"))
    )
    inputs = estimate_supply_inputs(
        spells=spells,
        education_pipeline=pl.read_parquet(marts / "education_pipeline.parquet"),
        hazards=hazards,
        series=series,
        reference=load_reference(),
        origin=origin,
        until_year=2025,
    )
    return inputs, demand


def test_the_stock_at_the_origin_is_the_marts_headcount(
    backtest_2021: tuple[SupplyInputs, pl.DataFrame],
) -> None:
    inputs, demand = backtest_2021
    headcount = demand.filter(pl.col("month") == dt.date(2021, 12, 1))["headcount"].sum()
    assert inputs.stock.sum() == headcount


def test_supply_from_2021_reproduces_later_headcount_per_profession(
    backtest_2021: tuple[SupplyInputs, pl.DataFrame],
) -> None:
    """Stated bounds: region within 3 %, median profession within 5 %, 80 % intervals cover."""
    inputs, demand = backtest_2021
    projection = project_supply(inputs, months=48, paths=300, seed=0)
    series = inputs.series.with_row_index("row")
    for year in (2022, 2023, 2024, 2025):
        step = projection.months.index(dt.date(year, 12, 1))
        actual = (
            demand.filter(pl.col("month") == dt.date(year, 12, 1))
            .with_columns(unique_id=pl.concat_str(KEYS, separator="/"))
            .select("unique_id", "headcount")
        )
        projected = series.with_columns(
            projected=projection.mean["headcount"][:, step],
            lo=np.quantile(projection.headcount[:, :, step], 0.1, axis=0),
            hi=np.quantile(projection.headcount[:, :, step], 0.9, axis=0),
        ).join(actual, on="unique_id", how="left")
        projected = projected.with_columns(pl.col("headcount").fill_null(0))
        total = projected["projected"].sum() / projected["headcount"].sum() - 1
        assert abs(total) < 0.03, (year, total)
        by_profession = projected.group_by("profession_code").agg(
            error=(pl.sum("projected") / pl.sum("headcount") - 1).abs()
        )
        assert by_profession["error"].median() < 0.05, (year, by_profession)
        covered = (
            (projected["headcount"] >= projected["lo"])
            & (projected["headcount"] <= projected["hi"])
        ).mean()
        assert covered >= 0.7, (year, covered)


def test_employed_at_counts_as_the_marts(region_data: Path) -> None:
    spells = pl.read_parquet(region_data / "marts" / "spells.parquet")
    demand = pl.read_parquet(region_data / "marts" / "demand.parquet")
    for month in (dt.date(2018, 6, 1), dt.date(2025, 12, 1)):
        assert (
            employed_at(spells, month).height
            == demand.filter(pl.col("month") == month)["headcount"].sum()
        )


def test_extra_moves_shift_people_between_series_and_keep_the_total() -> None:
    inputs = small_inputs()
    n = inputs.series.height
    moves = np.zeros(n)
    moves[0], moves[-1] = -24.0, 24.0
    base = project_supply(inputs, months=24, paths=20, seed=1)
    moved = project_supply(
        inputs, months=24, paths=20, seed=1, levers=SupplyLevers(extra_moves=moves)
    )
    change = moved.mean["headcount"][:, -1] - base.mean["headcount"][:, -1]
    assert change[0] < -20
    assert change[-1] > 20
    assert abs(change.sum()) < 0.1 * change[-1], "moves add nobody; only leaving rates differ"


def test_the_region_carries_its_moves_up_the_care_ladder(
    backtest_2021: tuple[SupplyInputs, pl.DataFrame],
) -> None:
    inputs, _ = backtest_2021
    net = (
        inputs.series.with_columns(net=inputs.transfers)
        .group_by("profession_code")
        .agg(pl.col("net").sum())
    )
    by_profession = dict(net.iter_rows())
    assert by_profession["nurse_bachelor"] > 0, "the top rung only receives"
    assert by_profession["care_helper"] < 0, "the bottom rung only gives"


def test_leaving_is_scaled_to_the_median_recent_year_of_actual_leaving() -> None:
    """Actual over expected: 10 leavers a year in 2018 and 2019, a dip to 2 in 2020; the dip
    does not set the level, the median year does (10 of the 130 employed at the start of 2018)."""
    from workforce.supply.inputs import leaving_experience

    def spell(end: dt.date | None) -> dict[str, object]:
        return {
            "region_code": "AM13",
            "sector_code": "hospitals",
            "profession_code": "nurse",
            "start_date": dt.date(2010, 1, 1),
            "end_date": end,
            "birth_year": 1980,
            "leaver_destination": "outside_sector" if end else None,
            "first_month": dt.date(2015, 1, 1),
            "last_month": dt.date(2025, 12, 1),
        }

    ends = [dt.date(2018, 6, 1)] * 10 + [dt.date(2019, 6, 1)] * 10 + [dt.date(2020, 6, 1)] * 2
    spells = pl.DataFrame(
        [spell(end) for end in ends] + [spell(None) for _ in range(108)], infer_schema_length=None
    )
    series = pl.DataFrame(
        {"unique_id": ["s"], "region_code": ["AM13"], "sector_code": ["hospitals"]}
    )
    monthly = 1 - (1 - 0.05) ** (1 / 12)  # the hazards expect 5 % a year
    factor = leaving_experience(
        spells, series, np.full((1, 3), 10.0), np.full((1, 3), monthly), dt.date(2020, 12, 1)
    )
    # employed at the start: 2018 130, 2019 120, 2020 110; rates 10/130, 10/120, 2/110
    assert factor[0] == pytest.approx((10 / 130) / 0.05)
