"""Scenarios: files and their checks, levers on the projection, effects and the lever table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from tests.scenario_frames import ORIGIN, small_outlook
from workforce.cli import app
from workforce.outlook.outlook import Outlook, OutlookResult
from workforce.reference import load_reference
from workforce.scenario import (
    Lever,
    ScenarioEngine,
    ScenarioError,
    Scope,
    compute_scenario,
    horizon_index,
    lever_effects,
    lever_table,
    parse_scenario,
    point_shortage,
    read_scenario,
    scenario_marts,
    scenario_of,
    to_levers,
)
from workforce.scenario.effects import pillar_of, standard_levers
from workforce.scenario.pillars import CARE_LADDER, PILLARS

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
HEADER = 'name = "test"\nversion = "1"\nauthor = "me"\ndate = 2026-01-01\nrationale = "why"\n'
PATHS = 40
OUTLOOK = small_outlook()


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(HEADER + body)
    return path


# -- files ------------------------------------------------------------------------------------


def test_every_example_scenario_parses() -> None:
    names = {read_scenario(path).name for path in SCENARIOS.glob("*.toml")}
    assert {"baseline", "retention", "education", "combined"} <= names
    assert read_scenario(SCENARIOS / "baseline.toml").levers == ()


def test_a_scenario_file_keeps_its_levers_scopes_and_text(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[[lever]]\nkind = "retention"\npercent = 10\nprofessions = ["nurse_bachelor"]\n'
        'age_bands = ["55-59", "60-64"]\n\n[[lever]]\nkind = "intake"\npercent = 15\n'
        'levels = ["HBO"]\n',
    )
    scenario = read_scenario(path)
    assert scenario.date == dt.date(2026, 1, 1)
    assert scenario.levers == (
        Lever(
            "retention", 10, Scope(professions=("nurse_bachelor",), age_bands=("55-59", "60-64"))
        ),
        Lever("intake", 15, Scope(levels=("HBO",))),
    )
    assert scenario.text == path.read_text()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[lever]]\nkind = "magic"\npercent = 1\n', r"lever 1: kind must be one of retention"),
        (
            '[[lever]]\nkind = "retention"\npercent = 10\nprofessions = ["astronaut"]\n',
            r"lever 1 \(retention\): unknown professions \['astronaut'\]",
        ),
        ('[[lever]]\nkind = "retention"\npercent = 120\n', r"percent must be between 0 and 100"),
        ('[[lever]]\nkind = "hours"\npercent = 2\n', r"unknown key\(s\) \['percent'\]"),
        ('[[lever]]\nkind = "intake"\npercent = 5\nsectors = ["umc"]\n', r"unknown key"),
        ('[[lever]]\nkind = "inflow"\npeople_per_year = "many"\n', r"expected people_per_year"),
    ],
)
def test_a_wrong_lever_names_the_file_the_lever_and_what_was_expected(
    tmp_path: Path, body: str, message: str
) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ScenarioError, match=message) as caught:
        read_scenario(path)
    assert str(path) in str(caught.value)


def test_a_file_without_its_header_or_with_bad_toml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\n')
    with pytest.raises(ScenarioError, match="missing version, author, date, rationale"):
        read_scenario(path)
    path.write_text("name = \n")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        read_scenario(path)


def test_the_cli_reports_a_bad_scenario_in_one_red_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[lever]]\nkind = "retention"\npercent = -5\n')
    result = CliRunner().invoke(
        app, ["scenario", "compare", str(path), "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "percent must be between 0 and 100" in result.output
    assert "Traceback" not in result.output


# -- levers -----------------------------------------------------------------------------------


def test_a_scoped_lever_changes_only_its_series_and_ages() -> None:
    lever = Lever("retention", 20, Scope(professions=("nurse_bachelor",), age_bands=("55-59",)))
    supply, demand = to_levers(scenario_of("s", lever), OUTLOOK.supply_inputs)
    factor = np.asarray(supply.leave_factor)
    series = OUTLOOK.supply_inputs.series
    nurses = series["profession_code"].to_numpy() == "nurse_bachelor"
    ages = np.arange(15, 76)
    assert np.allclose(factor[np.ix_(nurses, (ages >= 55) & (ages <= 59))], 0.8)
    assert np.allclose(factor[~nurses], 1.0)
    assert np.allclose(factor[np.ix_(nurses, ages < 55)], 1.0)
    assert demand is None


def test_two_levers_of_a_kind_combine_rather_than_add() -> None:
    levers = (Lever("retention", 10), Lever("retention", 10), Lever("inflow", 100))
    supply, _ = to_levers(scenario_of("s", *levers), OUTLOOK.supply_inputs)
    assert np.allclose(supply.leave_factor, 0.81)
    assert np.asarray(supply.extra_inflow).sum() == pytest.approx(100)


def test_a_lever_that_reaches_no_series_of_the_region_is_an_error() -> None:
    lever = Lever("hours", 2, Scope(professions=("dentist",)))
    with pytest.raises(ScenarioError, match="matches no series"):
        to_levers(scenario_of("s", lever), OUTLOOK.supply_inputs)


# -- properties (small literal outlook) ---------------------------------------------------------


def _shortage(outlook: Outlook, *levers: Lever, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    result = compute_scenario(outlook, scenario_of("s", *levers), paths=PATHS, seed=seed)
    return point_shortage(outlook, result)[0], result.shortage_fte_paths


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 1000))
def test_a_zero_scenario_is_the_baseline_exactly(seed: int) -> None:
    baseline = OUTLOOK.compute(paths=PATHS, seed=seed)
    zero = compute_scenario(OUTLOOK, scenario_of("zero"), paths=PATHS, seed=seed)
    np.testing.assert_array_equal(zero.shortage_fte_paths, baseline.shortage_fte_paths)
    np.testing.assert_array_equal(zero.demand_mean, baseline.demand_mean)
    np.testing.assert_array_equal(zero.supply.mean["headcount"], baseline.supply.mean["headcount"])


@settings(max_examples=8, deadline=None)
@given(
    low=st.floats(0, 50),
    extra=st.floats(1, 50),
    profession=st.sampled_from([(), ("nurse_bachelor",), ("certified_carer",)]),
    seed=st.integers(0, 100),
)
def test_more_retention_never_increases_the_gap(
    low: float, extra: float, profession: tuple[str, ...], seed: int
) -> None:
    scope = Scope(professions=profession)
    mean_low, paths_low = _shortage(OUTLOOK, Lever("retention", low, scope), seed=seed)
    mean_high, paths_high = _shortage(OUTLOOK, Lever("retention", low + extra, scope), seed=seed)
    assert (mean_high <= mean_low + 1e-9).all()
    assert (paths_high <= paths_low + 1e-9).all(), "with common random numbers, every path"
    assert mean_high[0, -1] < mean_low[0, -1]


def _intake_run(percent: float, programme: str) -> tuple[np.ndarray, OutlookResult, OutlookResult]:
    """Months before the first new cohort graduates, and the baseline and intake results."""
    years = {"34560": 4, "25656": 3}[programme]
    lever = Lever("intake", percent, Scope(programmes=(programme,)))
    baseline = OUTLOOK.compute(paths=PATHS)
    result = compute_scenario(OUTLOOK, scenario_of("s", lever), paths=PATHS)
    before = np.array([m.year < ORIGIN.year + 1 + years for m in result.months])
    return before, baseline, result


@settings(max_examples=6, deadline=None)
@given(percent=st.floats(5, 200), programme=st.sampled_from(["34560", "25656"]))
def test_intake_reaches_supply_only_after_the_programme_length(
    percent: float, programme: str
) -> None:
    before, baseline, result = _intake_run(percent, programme)
    np.testing.assert_array_equal(
        result.supply.mean["headcount"][:, before], baseline.supply.mean["headcount"][:, before]
    )
    assert (
        result.supply.mean["headcount"][:, ~before].sum(axis=0)
        > baseline.supply.mean["headcount"][:, ~before].sum(axis=0)
    ).all()


@settings(max_examples=4, deadline=None)
@given(percent=st.floats(5, 200), programme=st.sampled_from(["34560", "25656"]))
def test_intake_leaves_every_path_unchanged_until_the_programme_length(
    percent: float, programme: str
) -> None:
    before, baseline, result = _intake_run(percent, programme)
    np.testing.assert_array_equal(
        result.supply.headcount[:, :, before], baseline.supply.headcount[:, :, before]
    )


def test_demand_levers_lower_demand_by_growth_and_pooled_vacancies() -> None:
    pool = Lever("regional_pool", 50)
    growth = Lever("demand_growth", 100, Scope(professions=("nurse_bachelor",)))
    baseline = OUTLOOK.compute(paths=PATHS)
    pooled = compute_scenario(OUTLOOK, scenario_of("s", pool), paths=PATHS)
    expected_cut = OUTLOOK.origin_shortage_fte * 0.5
    np.testing.assert_allclose(
        baseline.demand_mean - pooled.demand_mean,
        np.repeat(expected_cut[:, None], OUTLOOK.months, axis=1),
    )
    flat = compute_scenario(OUTLOOK, scenario_of("s", growth), paths=PATHS)
    nurses = OUTLOOK.supply_inputs.series["profession_code"].to_numpy() == "nurse_bachelor"
    np.testing.assert_allclose(
        flat.demand_mean[nurses], np.repeat(OUTLOOK.demand.mean[nurses, :1], OUTLOOK.months, 1)
    )
    np.testing.assert_array_equal(flat.demand_mean[~nurses], baseline.demand_mean[~nurses])


def test_productivity_lowers_demand_by_its_yearly_share_and_zero_changes_nothing() -> None:
    baseline = OUTLOOK.compute(paths=PATHS)
    none = compute_scenario(OUTLOOK, scenario_of("s", Lever("productivity", 0)), paths=PATHS)
    np.testing.assert_array_equal(none.demand_mean, baseline.demand_mean)
    faster = compute_scenario(
        OUTLOOK,
        scenario_of("s", Lever("productivity", 2, Scope(sectors=("elderly_home_care",)))),
        paths=PATHS,
    )
    elderly = OUTLOOK.supply_inputs.series["sector_code"].to_numpy() == "elderly_home_care"
    years_ahead = np.arange(1, OUTLOOK.months + 1) / 12
    np.testing.assert_allclose(
        faster.demand_mean[elderly], baseline.demand_mean[elderly] * 0.98**years_ahead
    )
    np.testing.assert_array_equal(faster.demand_mean[~elderly], baseline.demand_mean[~elderly])


def test_lever_effects_show_each_lever_the_combination_and_their_interaction() -> None:
    scenario = scenario_of("s", Lever("retention", 10), Lever("intake", 30), Lever("hours", 2))
    effects = lever_effects(OUTLOOK, scenario, paths=PATHS)
    region = effects.filter(pl.col("level") == "region_code", pl.col("year") == 2032)
    by_lever = dict(region.select("lever", "reduction_fte").iter_rows())
    singles = sum(by_lever[lever.label] for lever in scenario.levers)
    assert by_lever["interaction"] == pytest.approx(by_lever["combined"] - singles)
    assert by_lever["interaction"] > 0, "extra hours multiply the extra people of other levers"
    assert all(by_lever[lever.label] > 0 for lever in scenario.levers)


def test_the_lever_table_has_the_region_and_every_profession_per_scenario() -> None:
    scenarios = [scenario_of("a", Lever("retention", 10)), scenario_of("b", Lever("hours", 2))]
    table = lever_table(OUTLOOK, scenarios, horizon_year=2030, paths=PATHS)
    assert table.height == 2 * 3
    total = table.filter(pl.col("profession_code").is_null())
    parts = (
        table.filter(pl.col("profession_code").is_not_null())
        .group_by("scenario")
        .agg(pl.col("reduction_fte", "baseline_shortage_fte").sum())
    )
    joined = total.join(parts, on="scenario", suffix="_sum")
    assert np.allclose(joined["reduction_fte"], joined["reduction_fte_sum"])
    assert np.allclose(joined["baseline_shortage_fte"], joined["baseline_shortage_fte_sum"])
    assert (table["month"] == dt.date(2030, 12, 1)).all()
    assert (table["reduction_fte_lo_80"] <= table["reduction_fte_hi_80"]).all()


def test_a_horizon_outside_the_projection_is_a_clear_error() -> None:
    with pytest.raises(ScenarioError, match="outside the projection"):
        horizon_index(OUTLOOK, 2050)


def test_parse_scenario_accepts_a_dict_from_any_source() -> None:
    raw = {"name": "n", "version": 2, "author": "a", "date": "2026-02-01", "rationale": "r"}
    scenario = parse_scenario(raw, load_reference(), where="dashboard")
    assert scenario.version == "2"
    assert scenario.date == dt.date(2026, 2, 1)


# -- the seed-42 region -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def region_outlook(region_forecast: Path) -> Outlook:
    return Outlook.load(region_forecast / "forecasts" / "outlook")


def test_the_baseline_file_reproduces_the_forecasts_shortage_mart(
    region_forecast: Path, own_copy: Callable[[Path], Path]
) -> None:
    region_forecast = own_copy(region_forecast)  # the run writes scenarios/baseline
    result = CliRunner().invoke(
        app,
        [
            "scenario",
            "run",
            str(SCENARIOS / "baseline.toml"),
            "--data-dir",
            str(region_forecast),
            "--paths",
            "200",
            "--no-save",
        ],
    )
    assert result.exit_code == 0, result.output
    scenario = pl.read_parquet(region_forecast / "scenarios" / "baseline" / "shortage.parquet")
    forecast = pl.read_parquet(region_forecast / "forecasts" / "shortage.parquet").filter(
        pl.col("resolution") == "year"
    )
    assert_frame_equal(scenario.select(forecast.columns), forecast)
    assert (scenario["reduction_fte"] == 0).all()


def test_the_standard_lever_table_on_the_region(
    region_forecast: Path, tmp_path: Path, own_copy: Callable[[Path], Path]
) -> None:
    region_forecast = own_copy(region_forecast)  # the comparison writes its scenarios
    out = tmp_path / "levers.csv"
    result = CliRunner().invoke(
        app,
        [
            "scenario",
            "compare",
            *map(str, sorted(SCENARIOS.glob("*.toml"))),
            "--standard",
            "--data-dir",
            str(region_forecast),
            "--paths",
            "100",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out)
    total = dict(
        table.filter(pl.col("profession_code").is_null())
        .select("scenario", "reduction_fte")
        .iter_rows()
    )
    assert total["baseline"] == 0
    assert total["combined"] > total["retention"] > 0
    assert total["retention_10pct"] == pytest.approx(total["retention"])
    for name in ("retention_10pct", "dropout_10pct", "intake_15pct", "hours_plus_2"):
        assert total[name] > 0, name
    pillars = dict(table.select("scenario", "pillar").unique().iter_rows())
    assert pillars["upskilling_3pct"] == "blijven leren"
    assert pillars["task_shift_5pct"] == "anders werken"
    assert pillars["career_changers_10pct"] == "kiezen voor de zorg"
    assert set(table["horizon_year"]) == {2030}
    assert "Reduction of the shortage in 2030" in result.output


def test_scoped_retention_moves_only_its_profession_on_the_region(
    region_outlook: Outlook,
) -> None:
    lever = Lever("retention", 10, Scope(professions=("nurse_bachelor",)))
    table = lever_table(region_outlook, [scenario_of("nurses", lever)], paths=50)
    others = table.filter(
        pl.col("profession_code").is_not_null() & (pl.col("profession_code") != "nurse_bachelor")
    )
    nurses = table.filter(pl.col("profession_code") == "nurse_bachelor")
    assert (others["reduction_fte"] == 0).all()
    assert nurses["reduction_fte"][0] > 0


def test_the_dashboard_recompute_gives_the_marts_numbers_for_its_nodes() -> None:
    scenario = scenario_of(
        "s", Lever("retention", 10), Lever("demand_growth", 20), Lever("regional_pool", 30)
    )
    fast = ScenarioEngine(OUTLOOK, paths=PATHS).recompute(scenario)
    marts = scenario_marts(OUTLOOK, scenario, paths=PATHS)["shortage"]
    assert set(fast["level"]) == {"region_code", "region_code/profession_code"}
    joined = fast.join(marts, on=["node_id", "month"], suffix="_mart")
    assert joined.height == fast.height
    for column in ("shortage_fte", "shortage_fte_lo_80", "shortage_fte_hi_95", "shortage_persons"):
        np.testing.assert_allclose(joined[column], joined[f"{column}_mart"], atol=1e-9)


def test_upskilling_moves_care_staff_one_step_up_the_ladder(region_outlook: Outlook) -> None:
    lever = Lever("upskilling", 3)
    table = lever_table(region_outlook, [scenario_of("up", lever)], paths=50).filter(
        pl.col("profession_code").is_not_null()
    )
    gain = dict(table.select("profession_code", "reduction_persons").iter_rows())
    assert gain["care_helper"] < 0 < gain["nurse_bachelor"], "the bottom loses, the top gains"
    helpers = region_outlook.supply_inputs.series["profession_code"] == "care_helper"
    moved = 0.03 * region_outlook.supply_inputs.stock[helpers.to_numpy()].sum() * 5
    assert 0.5 * moved < -gain["care_helper"] < 1.1 * moved, "3 % a year over five years"
    others = [p for p in gain if p not in CARE_LADDER]
    assert all(gain[p] == 0 for p in others)


def test_task_shifting_moves_work_and_keeps_the_total(region_outlook: Outlook) -> None:
    lever = Lever("task_shift", 10, Scope(professions=("nurse_bachelor",)))
    table = lever_table(region_outlook, [scenario_of("shift", lever)], paths=50)
    fte = dict(table.select("profession_code", "reduction_fte").iter_rows())
    assert fte["nurse_bachelor"] > 0 > fte["nurse_vocational"]
    assert fte["nurse_bachelor"] == pytest.approx(-fte["nurse_vocational"], rel=1e-6)
    assert abs(fte[None]) < 1e-6 * fte["nurse_bachelor"]


def test_the_standard_levers_serve_the_three_pillars(region_outlook: Outlook) -> None:
    pillars = {pillar_of(s) for s in standard_levers(region_outlook)}
    assert pillars == set(PILLARS)
    kinds = {lever.kind for s in standard_levers(region_outlook) for lever in s.levers}
    assert {"upskilling", "inflow", "intake", "hours", "task_shift", "demand_growth"} <= kinds
