"""Scenarios scoped to some of the labour-market regions, and the lever table per region and for
the regions together (:mod:`workforce.scenario.regions`), on a small literal outlook of three
regions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from tests.scenario_frames import small_outlook
from workforce.cli import app
from workforce.reference import load_reference
from workforce.scenario import (
    Lever,
    ScenarioEngine,
    ScenarioError,
    Scope,
    lever_effects,
    lever_table,
    parse_scenario,
    scenario_marts,
    scenario_of,
)
from workforce.scenario.effects import lever_table_wide, standard_levers
from workforce.scenario.regions import choose_regions, report_nodes
from workforce.scenario.spec import within_regions
from workforce.store import Store

PATHS = 40
SIZES = {"AM13": 1.0, "AM14": 0.5, "AM12": 0.3}
OUTLOOK = small_outlook(regions=SIZES)
HEADER = 'name = "test"\nversion = "1"\nauthor = "me"\ndate = 2026-01-01\nrationale = "why"\n'


def test_the_regions_together_sum_each_level_over_the_regions() -> None:
    report = report_nodes(OUTLOOK, choose_regions(OUTLOOK, None))
    nodes = report.nodes.with_row_index("row")
    hierarchy = OUTLOOK.hierarchy
    for level, own in (
        ("total", "region_code"),
        ("profession_code", "region_code/profession_code"),
    ):
        together = nodes.filter(pl.col("level") == level)
        regional = nodes.filter(pl.col("level") == own)
        assert together["region_code"].is_null().all()
        for row in together.iter_rows(named=True):
            members = regional.filter(
                pl.lit(True)
                if row["profession_code"] is None
                else pl.col("profession_code") == row["profession_code"]
            )
            summed = report.summing[members["row"].to_numpy()].sum(axis=0)
            np.testing.assert_array_equal(report.summing[row["row"]], summed)
    assert nodes.filter(pl.col("level") == "total")["node_id"].to_list() == ["*"]
    assert report.summing[: hierarchy.n_nodes].shape == hierarchy.summing.shape


def test_two_of_three_regions_are_named_in_their_node_ids() -> None:
    report = report_nodes(OUTLOOK, choose_regions(OUTLOOK, ["AM14", "AM13"]), ["region_code"])
    assert report.nodes["node_id"].to_list() == ["AM13", "AM14", "AM13+AM14"]
    np.testing.assert_array_equal(report.summing[2], report.summing[0] + report.summing[1])


def test_one_region_has_no_rows_together() -> None:
    report = report_nodes(OUTLOOK, ("AM14",), ["region_code", "region_code/profession_code"])
    assert (report.nodes["region_code"] == "AM14").all()
    assert report.nodes.height == 1 + 2


def test_an_unknown_region_is_a_clear_error() -> None:
    with pytest.raises(ScenarioError, match="region AM99 is not in this forecast; it has AM12"):
        choose_regions(OUTLOOK, ["AM99"])


def test_the_lever_table_shows_each_region_and_the_three_together() -> None:
    scenarios = [
        scenario_of("keep", Lever("retention", 10)),
        scenario_of("hours", Lever("hours", 2)),
    ]
    table = lever_table(OUTLOOK, scenarios, horizon_year=2030, paths=PATHS)
    per_scenario = 4 * (1 + 2)  # three regions and together: the total and two professions
    assert table.height == 2 * per_scenario
    regional = table.filter(pl.col("region_code").is_not_null())
    together = table.filter(pl.col("region_code").is_null())
    summed = regional.group_by("scenario", "profession_code").agg(
        pl.col("reduction_fte", "baseline_shortage_fte", "reduction_persons").sum()
    )
    joined = together.join(
        summed, on=["scenario", "profession_code"], suffix="_sum", nulls_equal=True
    )
    assert joined.height == together.height
    for column in ("reduction_fte", "baseline_shortage_fte", "reduction_persons"):
        np.testing.assert_allclose(joined[column], joined[f"{column}_sum"], rtol=1e-9)
    assert (table["reduction_fte_lo_80"] <= table["reduction_fte"] + 1e-9).all()
    assert (table["reduction_fte"] <= table["reduction_fte_hi_80"] + 1e-9).all()
    assert (table.filter(pl.col("scenario") == "keep")["reduction_fte"] > 0).all()


def test_a_lever_in_one_region_closes_only_that_regions_gap() -> None:
    lever = Lever("retention", 10)
    everywhere = lever_table(OUTLOOK, [scenario_of("keep", lever)], horizon_year=2030, paths=PATHS)
    amersfoort = lever_table(
        OUTLOOK, [scenario_of("keep", lever)], horizon_year=2030, paths=PATHS, regions=["AM14"]
    )
    assert set(amersfoort["region_code"]) == {"AM14"}, "one region: its rows, none together"
    both = everywhere.filter(pl.col("region_code") == "AM14").join(
        amersfoort, on="profession_code", suffix="_scoped", nulls_equal=True
    )
    np.testing.assert_allclose(both["reduction_fte"], both["reduction_fte_scoped"], rtol=1e-9)
    # Scoped to Amersfoort but reported for all three: the other regions do not move.
    scoped = within_regions(scenario_of("keep", lever), ["AM14"])
    table = lever_table(OUTLOOK, [scoped], horizon_year=2030, paths=PATHS)
    others = table.filter(pl.col("region_code").is_in(["AM13", "AM12"]))
    assert (others["reduction_fte"] == 0).all()
    total = table.filter(pl.col("region_code").is_null() & pl.col("profession_code").is_null())
    region = table.filter((pl.col("region_code") == "AM14") & pl.col("profession_code").is_null())
    assert total["reduction_fte"][0] == pytest.approx(region["reduction_fte"][0])


def test_a_lever_with_its_own_regions_outside_the_choice_is_refused() -> None:
    lever = Lever("hours", 2, Scope(regions=("AM13",)))
    with pytest.raises(ScenarioError, match="its regions AM13 are not among the chosen regions"):
        within_regions(scenario_of("s", lever), ["AM14"])


def test_education_levers_act_on_institutions_whatever_the_region() -> None:
    scenario = within_regions(scenario_of("s", Lever("intake", 15)), ["AM12"])
    assert scenario.levers[0].scope.regions == ()


def test_a_scenario_file_scopes_a_lever_to_regions() -> None:
    raw = {
        "name": "n",
        "version": 1,
        "author": "a",
        "date": "2026-02-01",
        "rationale": "r",
        "lever": [{"kind": "retention", "percent": 10, "regions": ["AM14"]}],
    }
    scenario = parse_scenario(raw, load_reference(), where="file.toml")
    assert scenario.levers[0].scope.regions == ("AM14",)
    raw["lever"] = [{"kind": "retention", "percent": 10, "regions": ["AM99"]}]
    with pytest.raises(ScenarioError, match=r"file.toml: lever 1 \(retention\): unknown regions"):
        parse_scenario(raw, load_reference(), where="file.toml")


def test_lever_effects_add_up_over_the_regions() -> None:
    scenario = scenario_of("s", Lever("retention", 10), Lever("hours", 2))
    effects = lever_effects(OUTLOOK, scenario, paths=PATHS)
    year = effects.filter(pl.col("year") == 2031)
    for label in ("combined", "interaction", scenario.levers[0].label):
        rows = year.filter(pl.col("lever") == label)
        regions = rows.filter(pl.col("level") == "region_code")["reduction_fte"].sum()
        assert rows.filter(pl.col("level") == "total")["reduction_fte"][0] == pytest.approx(regions)


def test_scenario_marts_of_one_region_hold_only_that_region() -> None:
    marts = scenario_marts(
        OUTLOOK, scenario_of("s", Lever("hours", 2)), paths=PATHS, regions=["AM12"]
    )
    for name in ("shortage", "decomposition", "supply", "effects"):
        assert set(marts[name]["region_code"]) == {"AM12"}, name


def test_the_dashboard_recompute_of_one_region_matches_its_marts() -> None:
    scenario = scenario_of("s", Lever("retention", 10), Lever("demand_growth", 20))
    fast = ScenarioEngine(OUTLOOK, paths=PATHS, regions=["AM14"]).recompute(scenario)
    marts = scenario_marts(OUTLOOK, scenario, paths=PATHS, regions=["AM14"])["shortage"]
    assert set(fast["region_code"]) == {"AM14"}
    joined = fast.join(marts, on=["node_id", "month"], suffix="_mart")
    assert joined.height == fast.height
    for column in ("shortage_fte", "shortage_fte_lo_80", "shortage_persons"):
        np.testing.assert_allclose(joined[column], joined[f"{column}_mart"], atol=1e-9)


def test_the_standard_career_changers_follow_the_chosen_region() -> None:
    def inflow(regions: list[str] | None) -> float:
        (lever,) = [s for s in standard_levers(OUTLOOK, regions) if s.name.startswith("career")]
        return lever.levers[0].value

    assert inflow(["AM12"]) < inflow(["AM14"]) < inflow(None)


def test_the_wide_table_has_a_region_column_only_with_several_regions() -> None:
    scenarios = [scenario_of("keep", Lever("retention", 10))]
    all_three = lever_table_wide(lever_table(OUTLOOK, scenarios, horizon_year=2030, paths=PATHS))
    assert all_three.columns[:2] == ["region", "profession"]
    assert all_three["region"].to_list()[-3:] == ["(together)"] * 3
    one = lever_table(OUTLOOK, scenarios, horizon_year=2030, paths=PATHS, regions=["AM13"])
    assert lever_table_wide(one).columns[0] == "profession"


# -- the command ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the three-region outlook, as ``workforce forecast`` saves it."""
    folder = tmp_path_factory.mktemp("regions_outlook")
    OUTLOOK.save(Store(folder).outlook)
    return folder


def test_workforce_scenario_compare_for_one_region_and_for_all(data_dir: Path) -> None:
    runner = CliRunner()
    common = ["scenario", "compare", "--data-dir", str(data_dir), "--paths", "40"]
    result = runner.invoke(app, [*common, "--horizon-year", "2030"])
    assert result.exit_code == 0, result.output
    table = pl.read_csv(Store(data_dir).scenarios / "lever_table.csv")
    assert set(table["region_code"].drop_nulls()) == set(SIZES)
    assert table["region_code"].is_null().any()
    assert "Regions together: reduction per lever" in result.output
    result = runner.invoke(app, [*common, "--region", "am14", "--horizon-year", "2030"])
    assert result.exit_code == 0, result.output
    table = pl.read_csv(Store(data_dir).scenarios / "lever_table.csv")
    assert set(table["region_code"]) == {"AM14"}


def test_workforce_scenario_run_for_one_region(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "keep.toml"
    path.write_text(HEADER + '[[lever]]\nkind = "retention"\npercent = 10\n')
    result = CliRunner().invoke(
        app,
        [
            *("scenario", "run", str(path), "--data-dir", str(data_dir)),
            *("--paths", "40", "--no-save", "--region", "AM12"),
        ],
    )
    assert result.exit_code == 0, result.output
    shortage = pl.read_parquet(Store(data_dir).scenarios / "test" / "shortage.parquet")
    assert set(shortage["region_code"]) == {"AM12"}
    assert (shortage.filter(pl.col("year") > 2026)["reduction_fte"] > 0).all()


def test_an_unknown_region_on_the_command_line_is_one_line(data_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["scenario", "compare", "--data-dir", str(data_dir), "--region", "AM99"]
    )
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "region AM99 is not in this forecast; it has AM12, AM13, AM14" in lines[0]


LADDER = ("nurse_bachelor", "nurse_vocational")


def test_task_shifting_moves_work_within_each_region() -> None:
    """Nurses' work moves to the rung below in the same region and sector: each region's total
    stays (a nurse in Gooi en Vechtstreek is never replaced in Amersfoort)."""
    outlook = small_outlook(regions=SIZES, professions=LADDER)
    lever = Lever("task_shift", 10, Scope(professions=("nurse_bachelor",)))
    table = lever_table(outlook, [scenario_of("s", lever)], horizon_year=2031, paths=PATHS)
    fte = {
        (r, p): v
        for r, p, v in table.select("region_code", "profession_code", "reduction_fte").rows()
    }
    for code in SIZES:
        assert fte[(code, "nurse_bachelor")] > 1, code
        assert fte[(code, "nurse_vocational")] == pytest.approx(-fte[(code, "nurse_bachelor")])
        assert abs(fte[(code, None)]) < 1e-6 * fte[(code, "nurse_bachelor")], code


def test_upskilling_moves_staff_up_within_each_region() -> None:
    outlook = small_outlook(regions=SIZES, professions=LADDER)
    table = lever_table(
        outlook, [scenario_of("s", Lever("upskilling", 5))], horizon_year=2031, paths=PATHS
    )
    persons = {
        (r, p): v
        for r, p, v in table.select("region_code", "profession_code", "reduction_persons").rows()
    }
    for code, size in SIZES.items():
        gained, lost = persons[(code, "nurse_bachelor")], -persons[(code, "nurse_vocational")]
        assert gained > 0, code
        assert lost > 0, code
        assert gained / persons[("AM13", "nurse_bachelor")] == pytest.approx(size, rel=0.05)


def test_a_hierarchy_holding_the_regions_together_reports_its_own_nodes_once() -> None:
    """A forecast may hold the regions together itself (``region_code`` null): the lever table,
    the effects and the dashboard recompute report those nodes, once, with the same numbers."""
    with_area = small_outlook(regions=SIZES, area_levels=True)
    assert with_area.hierarchy.nodes["region_code"].is_null().any()
    scenario = scenario_of("s", Lever("retention", 10), Lever("hours", 2))
    for regions in (None, ["AM13", "AM14"]):
        plain = lever_table(OUTLOOK, [scenario], horizon_year=2030, paths=PATHS, regions=regions)
        own = lever_table(with_area, [scenario], horizon_year=2030, paths=PATHS, regions=regions)
        assert own.height == plain.height
        for column in ("reduction_fte", "reduction_fte_lo_80", "baseline_shortage_persons"):
            np.testing.assert_allclose(own[column], plain[column], rtol=1e-9)
    effects = lever_effects(with_area, scenario, paths=PATHS)
    assert not effects.select("node_id", "year", "lever").is_duplicated().any()
    assert set(effects.filter(pl.col("region_code").is_null())["level"]) == {
        "total",
        "sector_code",
        "profession_code",
        "sector_code/profession_code",
    }
    levels = tuple(dict.fromkeys(with_area.hierarchy.nodes["level"].to_list()))
    every = ScenarioEngine(with_area, paths=PATHS, levels=levels).recompute(scenario)
    assert "total" in set(every["level"])
    one = ScenarioEngine(with_area, paths=PATHS, levels=levels, regions=["AM12"]).recompute(
        scenario
    )
    assert set(one["region_code"]) == {"AM12"}
    marts = scenario_marts(with_area, scenario, paths=PATHS)
    assert marts["shortage"]["region_code"].is_null().any(), "the regions together, with intervals"
