"""The regional-employer page on the three regions: the region choice scopes tiles and charts."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from workforce.dashboards.format import format_number, format_percent
from workforce.dashboards.identity import Identity
from workforce.dashboards.regional_employer import RegionalEmployerApp
from workforce.dashboards.regional_employer_data import (
    levers_scenario,
    published,
    read_regional,
    scenario_node,
)
from workforce.privacy import DEFAULT_K, SUPPRESSED, TOTAL
from workforce.regional import load_marts
from workforce.regional.benchmarks import benchmark_table
from workforce.regional.data import RegionalMarts
from workforce.regional.kpis import regional_kpis
from workforce.regional.outputs import RegionalOutputs, write_regional
from workforce.regional.published import AREA_REGIONS
from workforce.regional.scope import for_regions

NAMES = {"AM12": "Gooi en Vechtstreek", "AM13": "Midden-Utrecht", "AM14": "Amersfoort"}


@pytest.fixture(scope="module")
def area_regional(area_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the three regions' marts with ``workforce regional`` written beside them."""
    folder = tmp_path_factory.mktemp("area_regional")
    shutil.copytree(area_data / "marts", folder / "marts")
    return folder


@pytest.fixture(scope="module")
def written(area_regional: Path) -> RegionalOutputs:
    return write_regional(area_regional)


@pytest.fixture
def app(area_regional: Path, written: RegionalOutputs) -> RegionalEmployerApp:
    return RegionalEmployerApp.from_data_dir(area_regional)


def _tile_values(app: RegionalEmployerApp) -> dict[str, str]:
    return {name: tile.value for name, tile in app.tiles.items()}


def test_the_region_choice_offers_all_regions_and_each_by_its_dutch_name(
    app: RegionalEmployerApp,
) -> None:
    labels = [label for label, _ in app.region.options]
    assert labels[0] == "Alle regio's"
    assert sorted(labels[1:]) == sorted(NAMES.values())
    assert not any(code in label for label in labels for code in AREA_REGIONS)
    assert app.region in app.container.children[3].children  # shown among the filters


def test_a_chosen_region_shows_its_own_figures_on_every_tile(
    app: RegionalEmployerApp, written: RegionalOutputs
) -> None:
    together = _tile_values(app)
    assert format_number(written.headline["headcount"]) in together["headcount"]
    for code in AREA_REGIONS:
        app.region.value = code
        region = written.regions[code]
        tiles = _tile_values(app)
        assert format_number(region["headcount"]) in tiles["headcount"]
        assert format_number(region["fte"]) in tiles["fte"]
        assert format_number(region["open"]) in tiles["open_vacancies"]
        assert format_percent(region["vacancy_rate"]) in tiles["vacancy_rate"]
        assert tiles["headcount"] != together["headcount"]
    app.region.value = "*"
    assert _tile_values(app) == together


def test_a_regions_tiles_equal_the_kpis_of_that_region_alone(
    app: RegionalEmployerApp, area_regional: Path
) -> None:
    """Computed straight from the marts with the region alone: moves to the other regions
    are regional turnover there, not internal mobility."""
    marts = load_marts(area_regional)
    for code in ("AM12", "AM14"):
        kpis = regional_kpis(for_regions(marts, [code])).filter(
            (pl.col("sector_code") == TOTAL) & (pl.col("profession_code") == TOTAL)
        )
        last = kpis.sort("period").tail(12)
        turnover = last["regional_leavers"].sum() / last["avg_headcount"].mean()
        mobility = last["internal_moves"].sum() / last["avg_headcount"].mean()
        app.region.value = code
        headlines = app.headlines
        assert headlines is not None
        assert headlines.headcount == last["headcount"][-1]
        assert headlines.fte == pytest.approx(last["fte"][-1])
        assert headlines.turnover_rate_12m == pytest.approx(turnover)
        assert headlines.internal_mobility_rate_12m == pytest.approx(mobility)
        tile = app.tiles["turnover"].value
        assert format_percent(turnover) in tile
        assert format_percent(mobility) in tile


def test_the_charts_follow_the_region(app: RegionalEmployerApp) -> None:
    together_trends = app.trends_figure.to_dict()["data"]
    together_sankey = app.sankey_figure.to_dict()["data"]
    together_retirement = app.retirement_figure.to_dict()["data"]
    app.region.value = "AM12"
    assert "Gooi en Vechtstreek" in app.trends_figure.layout.title.text
    assert app.trends_figure.to_dict()["data"] != together_trends
    assert app.sankey_figure.to_dict()["data"] != together_sankey
    assert app.retirement_figure.to_dict()["data"] != together_retirement
    assert "uitstroom" in app.region_note.value
    app.region.value = "*"
    assert app.region_note.value == ""


def _crossing_leavers(marts: RegionalMarts, region: str, employer: str, since: dt.date) -> int:
    """Staff of ``employer`` in ``region`` who left for a care employer in another region."""
    return marts.spells.filter(
        (pl.col("employer_id") == employer)
        & (pl.col("region_code") == region)
        & (pl.col("end_date") >= since)
        & pl.col("leaver_destination").is_in(["internal", "other_care_employer"])
        & (pl.col("next_region_code") != region)
    ).height


def test_a_chosen_regions_benchmark_is_computed_from_that_region_alone(
    app: RegionalEmployerApp, area_regional: Path
) -> None:
    """With Amersfoort chosen, an employer's benchmark figures and the reference line are
    those of Amersfoort alone, where a move to another region is outflow."""
    region = "AM14"
    marts = load_marts(area_regional)
    alone = benchmark_table(for_regions(marts, [region]))
    together = benchmark_table(marts)
    since = dt.date(2025, 1, 1)  # the benchmark's 12 months up to the marts' last month
    assert marts.workforce_monthly["month"].max() == dt.date(2025, 12, 1)
    app.metric.value = "turnover_rate"
    app.region.value = region
    shown = published(app.view().benchmarks).filter(pl.col("metric") == "turnover_rate")
    employers = shown.filter(pl.col("employer_id") != TOTAL)
    assert employers.height > 0
    expected = alone.filter(pl.col("metric") == "turnover_rate")
    joined = employers.join(expected, on="employer_id", suffix="_alone")
    assert joined.height == employers.height
    assert joined["value"].to_list() == pytest.approx(joined["value_alone"].to_list())
    # The reference line is Amersfoort's own value, not the regions together's.
    region_value = expected.filter(pl.col("employer_id") == TOTAL)["value"].item()
    line = app.benchmark_figure.data[1]
    assert len(line.x) == employers.height
    assert line.x[0] == pytest.approx(region_value)
    # An employer whose staff moved to another region: each such move is outflow here.
    rates = joined.join(
        together.filter(pl.col("metric") == "turnover_rate").select(
            "employer_id", together="value"
        ),
        on="employer_id",
    ).with_columns(
        crossing=pl.col("employer_id").map_elements(
            lambda e: _crossing_leavers(marts, region, e, since), return_dtype=pl.Int64
        )
    )
    movers = rates.filter(pl.col("crossing") > 0)
    assert movers.height > 0
    for row in movers.iter_rows(named=True):
        extra = (row["value"] - row["together"]) * row["people"]
        assert extra == pytest.approx(row["crossing"], abs=0.5), row["employer_id"]
    app.region.value = "*"
    assert app.benchmark_figure.data[1].x[0] == pytest.approx(
        together.filter((pl.col("metric") == "turnover_rate") & (pl.col("employer_id") == TOTAL))[
            "value"
        ].item()
    )


def test_the_sliders_act_on_the_chosen_region_and_show_its_node() -> None:
    scenario = levers_scenario({"retention": 10.0, "intake": 5.0}, "AM14")
    by_kind = {lever.kind: lever.scope.regions for lever in scenario.levers}
    assert by_kind["retention"] == ("AM14",)
    assert by_kind["intake"] == ()  # schools train for every region
    month = dt.date(2027, 1, 1)
    view = pl.DataFrame(
        {
            "level": ["region_code", "region_code", "region_code", "all"],
            "region_code": ["AM12", "AM13", "AM14", None],
            "sector_code": [None] * 4,
            "profession_code": [None] * 4,
            "month": [month] * 4,
            "shortage_fte": [10.0, 20.0, 30.0, 60.0],
        }
    )
    assert scenario_node(view, None, None, "AM14")["shortage_fte"].to_list() == [30.0]
    assert scenario_node(view, None, None)["shortage_fte"].to_list() == [60.0]


def test_the_command_reports_each_region_alone_beside_the_regions_together(
    written: RegionalOutputs,
) -> None:
    text = written.describe()
    assert text.startswith("The regions together as one employer")
    for code in AREA_REGIONS:
        line = next(line for line in text.splitlines() if line.strip().startswith(code))
        assert f"{written.regions[code]['headcount']:,} staff" in line
        assert "outflow" in line
    manifest = json.loads((written.folder / "regional.json").read_text(encoding="utf-8"))
    assert set(manifest["regions"]) == set(AREA_REGIONS)


def test_one_region_in_the_data_shows_no_region_choice(
    region_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("one_region")
    shutil.copytree(region_data / "marts", folder / "marts")
    outputs = write_regional(folder)
    assert outputs.regions == {}
    app = RegionalEmployerApp.from_data_dir(folder)
    assert [value for _, value in app.region.options] == ["*"]
    controls = app.container.children[3].children
    assert app.region not in controls
    assert app.selection().region_name == ""
    assert format_number(outputs.headline["headcount"]) in app.tiles["headcount"].value


def _outlook_row(level: str, region: str | None, profession: str | None, fte: float) -> dict:
    return {
        "level": level,
        "region_code": region,
        "sector_code": None if profession is None else "hospitals",
        "profession_code": profession,
        "resolution": "month",
        "horizon": 12,
        "month": dt.date(2026, 12, 1),
        "shortage_fte": fte,
        "shortage_fte_lo_80": fte - 5,
        "shortage_fte_hi_80": fte + 5,
        "shortage_fte_lo_95": fte - 9,
        "shortage_fte_hi_95": fte + 9,
        "shortage_persons": fte * 1.4,
        "shortage_share": 0.05,
        "tension_band": "krap",
    }


def test_the_ranking_and_the_fan_follow_the_chosen_region() -> None:
    """An outlook of two regions and their area node: a region's ranking and fan are its own."""
    detail = "region_code/sector_code/profession_code"
    shortage = pl.DataFrame(
        [
            _outlook_row("region_code", "AM13", None, 100.0),
            _outlook_row("region_code", "AM14", None, 40.0),
            _outlook_row("total", None, None, 140.0),
            _outlook_row(detail, "AM13", "nurse_vocational", 70.0),
            _outlook_row(detail, "AM13", "physician", 30.0),
            _outlook_row(detail, "AM14", "nurse_vocational", 15.0),
            _outlook_row(detail, "AM14", "physician", 25.0),
            _outlook_row("sector_code/profession_code", None, "nurse_vocational", 85.0),
            _outlook_row("sector_code/profession_code", None, "physician", 55.0),
        ]
    )
    app = RegionalEmployerApp(shortage=shortage)
    app.horizon.value = "1"  # the outlook above reaches one year ahead
    assert [value for _, value in app.region.options] == ["*", "AM13", "AM14"]
    assert app.headlines is not None
    assert app.headlines.shortage[0].fte == 140.0  # the regions together
    ranked = app.ranking_panel.rows
    assert ranked["shortage_fte"].to_list() == [85.0, 55.0]
    app.region.value = "AM14"
    assert app.headlines.shortage[0].fte == 40.0
    ranked = app.ranking_panel.rows
    assert ranked["profession_code"].to_list() == ["physician", "nurse_vocational"]
    assert ranked["shortage_fte"].to_list() == [25.0, 15.0]
    assert "Amersfoort" in app.ranking_panel.table.value
    assert "Amersfoort" in app.figure.layout.title.text


def test_the_sliders_of_a_chosen_region_move_that_region_only(
    area_forecast: Path, own_copy: Callable[[Path], Path]
) -> None:
    """On the three regions' forecast: with Amersfoort chosen, the tiles are its outlook and a
    slider recomputes its shortage with the levers kept inside it; Midden-Utrecht is untouched."""
    from workforce.dashboards.regional_employer_scenario import all_levels_engine

    area_forecast = own_copy(area_forecast)  # the regional outputs are written into it
    write_regional(area_forecast)
    app = RegionalEmployerApp.from_data_dir(area_forecast)
    shortage = pl.read_parquet(area_forecast / "forecasts" / "shortage.parquet")
    app.region.value = "AM14"
    own = shortage.filter(
        (pl.col("level") == "region_code")
        & (pl.col("region_code") == "AM14")
        & (pl.col("horizon") == 12)
        & (pl.col("resolution") == "month")
    )
    assert app.headlines is not None
    assert app.headlines.shortage[0].fte == pytest.approx(own["shortage_fte"][0])
    app.levers["retention"].value = 20
    engine = all_levels_engine(area_forecast)()
    assert engine is not None
    inside = engine.recompute(levers_scenario({"retention": 20.0}, "AM14"))
    elsewhere = engine.recompute(levers_scenario({"retention": 20.0}, "AM12"))
    shown = app.scenario_view
    assert shown is not None
    expected = scenario_node(inside, None, None, "AM14").filter(
        pl.col("month") <= shown["month"].max()
    )
    assert shown["shortage_fte"].to_list() == pytest.approx(expected["shortage_fte"].to_list())
    untouched = scenario_node(elsewhere, None, None, "AM14")["shortage_fte"]
    assert shown["shortage_fte"][-1] < untouched[len(shown) - 1]  # same month, levers elsewhere
    mu_inside = scenario_node(inside, None, None, "AM13")["shortage_fte"].to_list()
    mu_elsewhere = scenario_node(elsewhere, None, None, "AM13")["shortage_fte"].to_list()
    assert mu_inside == pytest.approx(mu_elsewhere)


def test_an_employers_own_view_of_a_chosen_region_is_of_that_region_alone(
    area_regional: Path, written: RegionalOutputs
) -> None:
    """Signed in as an Amersfoort employer with Amersfoort chosen: its own figures are those
    of Amersfoort alone, in full; another employer's figure is shown only for k people."""
    marts = load_marts(area_regional)
    regions = pl.read_parquet(written.folder / "employer_regions.parquet")
    employer = regions.filter(pl.col("region_code") == "AM14")["employer_id"].sort()[0]
    app = RegionalEmployerApp(
        shortage=None,
        regional=read_regional(area_regional),
        marts=marts,
        identity=Identity(employer, "employer token"),
    )
    app.viewer.value = employer
    app.region.value = "AM14"
    benchmarks = app.view().benchmarks
    assert benchmarks is not None
    own = benchmarks.filter(pl.col("employer_id") == employer)
    assert own.height > 0
    assert not own[SUPPRESSED].any()
    alone = benchmark_table(for_regions(marts, ["AM14"])).filter(pl.col("employer_id") == employer)
    joined = own.join(alone, on="metric", suffix="_alone")
    assert joined.height == own.height
    assert joined["value"].to_list() == pytest.approx(joined["value_alone"].to_list())
    others = benchmarks.filter(
        ~pl.col(SUPPRESSED) & ~pl.col("employer_id").is_in([employer, TOTAL])
    )
    assert others.height > 0
    assert others["people"].min() >= DEFAULT_K
    flows = app.view().employer_flows
    assert flows is not None
    small = flows.filter(~pl.col(SUPPRESSED) & (pl.col("moves") < DEFAULT_K))
    assert small.filter(
        (pl.col("source_id") != employer) & (pl.col("target_id") != employer)
    ).is_empty()
