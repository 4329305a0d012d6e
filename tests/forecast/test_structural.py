"""The structural demand model: recovers the generator's truth, and reads only what was known."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from workforce.forecast.baselines import Drift
from workforce.forecast.frames import Frequency, Series
from workforce.forecast.prophet import ProphetForecaster
from workforce.forecast.structural import (
    DEMOGRAPHY_INDEX,
    PerCareUse,
    care_use_rates,
    estimate_structure,
    known_index_paths,
    other_growth,
    with_demography,
)
from workforce.store import Store, write_frame

RATE_TOLERANCE = 0.05
"""Care-use rates within 5 %: demand in the marts misses hires that have not started yet."""
GROWTH_TOLERANCE = 0.003
"""Non-demographic growth within 0.3 percentage points a year."""
MIN_STAFF = 1000
"""Series the tolerances hold for: a region x sector of a few hundred staff is noisier."""


def marts_of(data_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    folder = data_dir / "marts"
    return pl.read_parquet(folder / "demand.parquet"), pl.read_parquet(
        folder / "population.parquet"
    )


@pytest.fixture(scope="module")
def marts(region_data: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    return marts_of(region_data)


@pytest.fixture(scope="module")
def truth(region: Path) -> dict:
    return json.loads((region / "manifest.json").read_text())["demography"]


def test_recovers_the_care_use_rates_by_age(
    marts: tuple[pl.DataFrame, pl.DataFrame], truth: dict
) -> None:
    demand, population = marts
    structure = estimate_structure(demand, population, origin=dt.date(2025, 12, 1))
    calibration = dt.date.fromisoformat(truth["calibration_month"])
    rates = care_use_rates(structure, calibration)
    checked = 0
    for row in rates.iter_rows(named=True):
        expected = truth["care_use_rate_per_1000"][row["region_code"]][row["sector_code"]][
            row["age"]
        ]
        if expected > 0:
            assert row["staff_per_1000"] == pytest.approx(expected, rel=RATE_TOLERANCE), row
            checked += 1
    assert checked > 100
    vvt = rates.filter((pl.col("sector_code") == "elderly_home_care") & (pl.col("age") == "85+"))
    assert (vvt["staff_per_1000"] > 100).all()  # elderly care is driven by the oldest


def test_recovers_the_non_demographic_trend_and_its_change(
    marts: tuple[pl.DataFrame, pl.DataFrame], truth: dict
) -> None:
    demand, population = marts
    structure = estimate_structure(demand, population, origin=dt.date(2025, 12, 1))
    change = dt.date.fromisoformat(truth["other_growth_change"]).year
    before = other_growth(structure, 2015, change - 1)
    after = other_growth(structure, change + 2, 2025)  # past the COVID years
    large = (
        structure.group_by("region_code", "sector_code")
        .agg(pl.col("persons").min())
        .filter(pl.col("persons") >= MIN_STAFF)
        .select("region_code", "sector_code")
    )
    assert large.height >= 10
    for estimated, key in ((before, "other_growth_before"), (after, "other_growth_after")):
        for row in estimated.join(large, on=["region_code", "sector_code"]).iter_rows(named=True):
            expected = truth[key][row["sector_code"]]
            assert row["other_growth"] == pytest.approx(expected, abs=GROWTH_TOLERANCE), (key, row)


def _population(vintage_2021_factor: float = 1.0) -> pl.DataFrame:
    rows = []
    for kind, vintage, years in (
        ("history", None, range(2014, 2024)),
        ("projection", 2019, range(2019, 2041)),
        ("projection", 2021, range(2021, 2041)),
    ):
        for year in years:
            old = 1000 * 1.04 ** (year - 2014)
            if vintage == 2021:
                old *= vintage_2021_factor
            for age, persons in (("45-49", 5000.0), ("85+", old)):
                rows.append(
                    {
                        "year": year,
                        "municipality_code": "GM0344",
                        "region_code": "AM13",
                        "sex": "female",
                        "age": age,
                        "age_from": int(age[:2]),
                        "age_to": None if age == "85+" else int(age[-2:]),
                        "kind": kind,
                        "vintage": year if vintage is None else vintage,
                        "persons": persons,
                        "persons_lo": None,
                        "persons_hi": None,
                    }
                )
    return pl.DataFrame(rows)


def _demand(months: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "month": months.astype("datetime64[D]"),
            "region_code": "AM13",
            "sector_code": "elderly_home_care",
            "profession_code": "certified_carer",
            "required_fte": 100.0 * 1.03 ** (np.arange(len(months)) / 12),
        }
    ).with_columns(pl.col("month").cast(pl.Date))


def _demand_mart(demand: pl.DataFrame) -> pl.DataFrame:
    """The demand frame with the rest of the demand mart's columns: all required FTE filled."""
    return demand.with_columns(
        filled_fte="required_fte",
        open_vacancy_fte=pl.lit(0.0),
        headcount=pl.lit(0),
        open_vacancies=pl.lit(0),
        employers=pl.lit(1),
    )


NODES = pl.DataFrame(
    {
        "node_id": ["AM13/elderly_home_care/certified_carer"],
        "region_code": ["AM13"],
        "sector_code": ["elderly_home_care"],
        "profession_code": ["certified_carer"],
    }
)


def test_a_forecast_from_an_origin_reads_only_the_vintage_known_there() -> None:
    months = np.arange(np.datetime64("2016-01"), np.datetime64("2023-01"))
    demand = _demand(months)
    honest = known_index_paths(_population(), demand, NODES, months, horizon=60)
    absurd = known_index_paths(_population(1e6), demand, NODES, months, horizon=60)
    node = NODES["node_id"][0]
    paths, altered = honest[node][DEMOGRAPHY_INDEX], absurd[node][DEMOGRAPHY_INDEX]
    published = int(np.flatnonzero(months == np.datetime64("2021-07"))[0])
    np.testing.assert_array_equal(paths[:published], altered[:published])
    assert not np.allclose(paths[published:], altered[published:])

    def forecast(known: np.ndarray, model: object) -> np.ndarray:
        series = Series(
            node,
            months.astype("datetime64[D]"),
            demand["required_fte"].to_numpy(),
            Frequency.month,
            known_paths={DEMOGRAPHY_INDEX: known},
        ).head(published)  # origin June 2021
        return model.fit(series).predict(24).mean  # type: ignore[attr-defined]

    for model in (
        PerCareUse(model=Drift()),
        PerCareUse(model=ProphetForecaster(regressors=(DEMOGRAPHY_INDEX,), uncertainty_samples=0)),
    ):
        np.testing.assert_allclose(forecast(paths, model), forecast(altered, model))


def test_index_paths_do_not_depend_on_the_order_of_rows(region_data: Path) -> None:
    # Float sums in another order differ in their last bits, and the engine's fits amplify
    # that to the sixth digit of a forecast: the same marts in another row order must give
    # bit-identical paths.
    from workforce.outlook.region_forecast import demand_nodes

    demand, population = marts_of(region_data)
    _, nodes = demand_nodes(region_data, min_length=24)
    months = np.unique(demand["month"].to_numpy()).astype("datetime64[D]")
    ordered = known_index_paths(population, demand, nodes, months, horizon=24)
    shuffled = known_index_paths(
        population.sample(fraction=1.0, shuffle=True, seed=1),
        demand.sample(fraction=1.0, shuffle=True, seed=2),
        nodes,
        months,
        horizon=24,
    )
    assert ordered.keys() == shuffled.keys()
    assert len(ordered) > 10
    for node, paths in ordered.items():
        np.testing.assert_array_equal(paths[DEMOGRAPHY_INDEX], shuffled[node][DEMOGRAPHY_INDEX])


def test_structural_forecast_follows_the_projected_index() -> None:
    """Flat non-demographic ratio: the forecast grows exactly as the projected index."""
    months = np.arange(np.datetime64("2016-01"), np.datetime64("2022-01"))
    index = 1.02 ** (np.arange(len(months) + 24) / 12)
    known = np.tile(index, (len(months), 1))
    series = Series(
        "s",
        months.astype("datetime64[D]"),
        50.0 * index[: len(months)],
        Frequency.month,
        known_paths={DEMOGRAPHY_INDEX: known},
    )
    mean = PerCareUse(model=Drift()).fit(series).predict(24).mean
    np.testing.assert_allclose(mean, 50.0 * index[len(months) :], rtol=1e-9)
    # A baseline sees only the level and misses the growth ahead.
    assert Drift().fit(series).predict(24).mean[-1] < mean[-1]


def test_every_demography_candidate_forecasts_demand_per_unit_of_care_use() -> None:
    candidates = with_demography((Drift(), ProphetForecaster()))
    assert all(isinstance(c, PerCareUse) for c in candidates)
    assert [c.name for c in candidates] == ["drift", "prophet"]
    prophet = candidates[1].model
    assert isinstance(prophet, ProphetForecaster)
    assert prophet.regressors == (DEMOGRAPHY_INDEX,)
    assert with_demography(candidates) == candidates


def test_a_series_without_an_index_is_forecast_from_its_own_history() -> None:
    months = np.arange(np.datetime64("2016-01"), np.datetime64("2022-01"))
    series = Series(
        "s", months.astype("datetime64[D]"), np.linspace(40, 60, len(months)), Frequency.month
    )
    np.testing.assert_allclose(
        PerCareUse(model=Drift()).fit(series).predict(12).mean,
        Drift().fit(series).predict(12).mean,
    )


def test_region_forecast_splits_demand_growth_and_reports_the_model(region_forecast: Path) -> None:
    decomposition = pl.read_parquet(region_forecast / "forecasts" / "decomposition.parquet")
    yearly = decomposition.filter(pl.col("resolution") == "year")
    np.testing.assert_allclose(
        yearly["demand_demography_fte"] + yearly["demand_other_fte"],
        yearly["demand_growth_fte"],
        atol=1e-6,
    )
    regions = yearly.filter(pl.col("level") == "region_code")
    for _, region in regions.sort("month").group_by("region_code"):
        # Each region ages: demography alone adds demand every year ahead, and more each year.
        assert (region["demand_demography_fte"] > 0).all()
        assert region["demand_demography_fte"].diff().drop_nulls().min() > 0
    sectors = yearly.filter(pl.col("level") == "region_code/sector_code").sort("month")
    for _, region in sectors.group_by("region_code"):
        elderly = region.filter(pl.col("sector_code") == "elderly_home_care")
        childcare = region.filter(pl.col("sector_code") == "childcare")
        assert elderly["demand_demography_fte"][-1] > childcare["demand_demography_fte"][-1]

    (run,) = (region_forecast / "models").iterdir()
    card = (run / "MODEL_CARD.md").read_text()
    assert "## Demand from demography" in card
    assert "Productivity change per year: 0.0%" in card
    assert "projection vintage 2025" in card
    assert "demography drives every chosen forecast" in card


def test_demand_inputs_at_an_origin_ignore_what_was_published_later(tmp_path: Path) -> None:
    from workforce.forecast.engine_run import baseline_settings
    from workforce.outlook.region_forecast import demand_inputs_at

    months = np.arange(np.datetime64("2016-01"), np.datetime64("2023-01"))
    demand = _demand(months)
    frame = demand.select(unique_id=pl.lit(NODES["node_id"][0]), ds="month", y="required_fte")
    origin = dt.date(2021, 6, 1)
    settings = baseline_settings(36)
    inputs = []
    for factor in (1.0, 1e6):
        data_dir = tmp_path / str(factor)
        store = Store(data_dir)
        write_frame(_demand_mart(demand), store.mart_path("demand"), what="mart demand")
        write_frame(_population(factor), store.mart_path("population"), what="mart population")
        inputs.append(demand_inputs_at(data_dir, frame, NODES, settings, origin=origin))
    (cut, chosen, honest), (_, _, absurd) = inputs
    assert cut["ds"].max() == origin
    assert all(isinstance(c, PerCareUse) for c in chosen.candidates)
    node = NODES["node_id"][0]
    np.testing.assert_array_equal(honest[node][DEMOGRAPHY_INDEX], absurd[node][DEMOGRAPHY_INDEX])
