"""The regional-employer dashboard without a browser: headlines, filters, levers, viewers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import polars as pl
import pytest

from tests.dashboards.main_pages import MainPagesData, main_pages_data
from workforce.dashboards.format import (
    format_interval_words,
    format_number,
    format_percent,
    signed_amount,
)
from workforce.dashboards.identity import Identity
from workforce.dashboards.regional_employer import RegionalEmployerApp
from workforce.dashboards.regional_employer_data import read_marts
from workforce.dashboards.regional_employer_figures import FAN_TRACES
from workforce.dashboards.regional_employer_scenario import ScenarioResults, engine_for
from workforce.dashboards.regional_employer_tiles import SHORTAGE_TILES
from workforce.outlook.outlook import Outlook
from workforce.privacy import DEFAULT_K, SUPPRESSED, TOTAL
from workforce.scenario import Lever, ScenarioEngine, scenario_of

SHORTAGE = FAN_TRACES.index("shortage")
SCENARIO = FAN_TRACES.index("scenario")


@pytest.fixture(scope="session")
def main_data(region_forecast: Path, tmp_path_factory: pytest.TempPathFactory) -> MainPagesData:
    return main_pages_data(region_forecast, tmp_path_factory)


@pytest.fixture(scope="module")
def outlook(main_data: MainPagesData) -> Outlook:
    return Outlook.load(main_data.data_dir / "forecasts" / "outlook")


@pytest.fixture(scope="module")
def shared_engine(outlook: Outlook) -> ScenarioEngine:
    return engine_for(outlook)


@pytest.fixture
def app(main_data: MainPagesData, shared_engine: ScenarioEngine) -> RegionalEmployerApp:
    app = RegionalEmployerApp.from_data_dir(main_data.data_dir)
    app._scenarios = ScenarioResults(lambda: shared_engine)
    return app


def test_a_page_built_without_charts_shows_its_tiles_first(main_data: MainPagesData) -> None:
    full = RegionalEmployerApp.from_data_dir(main_data.data_dir)
    app = RegionalEmployerApp.from_data_dir(main_data.data_dir, charts=False)
    assert [t.value for t in app.tiles.values()] == [t.value for t in full.tiles.values()]
    assert "Bron:" in app.source.value
    assert app.fan_plot.outputs == ()  # no chart built yet
    assert app.benchmark_plot.outputs == ()
    app.draw_charts()
    assert app.fan_plot.outputs == full.fan_plot.outputs
    assert app.benchmark_plot.outputs == full.benchmark_plot.outputs
    assert app.source.value == full.source.value  # now with the sick-leave period


def _shortage(data_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(data_dir / "forecasts" / "shortage.parquet")


def _node_rows(shortage: pl.DataFrame, sector: str | None, years: int) -> pl.DataFrame:
    """The node's rows as the outlook documents them: monthly for 36 months, yearly after."""
    level = "region_code" if sector is None else "region_code/sector_code"
    rows = shortage.filter(pl.col("level") == level)
    if sector is not None:
        rows = rows.filter(pl.col("sector_code") == sector)
    return rows.filter(
        ((pl.col("resolution") == "month") | (pl.col("horizon") > 36))
        & (pl.col("horizon") <= 12 * years)
    ).sort("horizon")


def test_headlines_are_the_packages_numbers(
    app: RegionalEmployerApp, main_data: MainPagesData
) -> None:
    regional = main_data.regional.headline
    headlines = app.headlines
    assert headlines is not None
    assert headlines.headcount == regional["headcount"]
    assert headlines.fte == pytest.approx(regional["fte"])
    assert headlines.open == regional["open"]
    assert headlines.turnover_rate_12m == pytest.approx(regional["turnover_rate_12m"])
    region = _shortage(main_data.data_dir).filter(
        (pl.col("level") == "region_code") & (pl.col("resolution") == "year")
    )
    for at in headlines.shortage:
        row = region.filter(pl.col("horizon") == 12 * at.years).row(0, named=True)
        assert at.fte == pytest.approx(row["shortage_fte"])
        assert (at.lo_80, at.hi_80) == pytest.approx(
            (row["shortage_fte_lo_80"], row["shortage_fte_hi_80"])
        )
    for name, at in zip(SHORTAGE_TILES, headlines.shortage, strict=True):
        row = region.filter(pl.col("horizon") == 12 * at.years).row(0, named=True)
        tile = app.tiles[name].value
        assert signed_amount(row["shortage_fte"], "fte") in tile
        interval = format_interval_words(
            row["shortage_fte_lo_80"], row["shortage_fte_hi_80"], "fte"
        )
        assert interval in tile
    assert format_number(regional["headcount"]) in app.tiles["headcount"].value
    assert format_percent(regional["vacancy_rate"]) in app.tiles["vacancy_rate"].value


def test_sector_and_horizon_filters_change_the_fan_chart(
    app: RegionalEmployerApp, main_data: MainPagesData
) -> None:
    shortage = _shortage(main_data.data_dir)
    region = _node_rows(shortage, None, 5)
    assert list(app.figure.data[SHORTAGE].y) == pytest.approx(region["shortage_fte"].to_list())

    sector = app.sector.options[1][1]
    app.sector.value = sector
    wanted = _node_rows(shortage, sector, 5)
    assert list(app.figure.data[SHORTAGE].y) == pytest.approx(wanted["shortage_fte"].to_list())
    assert list(app.figure.data[FAN_TRACES.index("hi_80")].y) == pytest.approx(
        wanted["shortage_fte_hi_80"].to_list()
    )
    assert app.headlines is not None
    assert app.headlines.shortage[0].fte == pytest.approx(
        wanted.filter(pl.col("horizon") == 12)["shortage_fte"][0]
    )

    app.horizon.value = "2"
    assert len(app.figure.data[SHORTAGE].y) == _node_rows(shortage, sector, 2).height
    app.horizon.value = "10"
    assert len(app.figure.data[SHORTAGE].y) == _node_rows(shortage, sector, 10).height


def test_profession_options_follow_the_sector(app: RegionalEmployerApp) -> None:
    sector = app.sector.options[1][1]
    app.sector.value = sector
    offered = {value for _, value in app.profession.options} - {"*"}
    profession = sorted(offered)[0]
    app.profession.value = profession
    assert app.profession_code == profession
    assert app.node().height > 0


def test_a_lever_recomputes_the_shortage_as_the_scenario_engine(
    app: RegionalEmployerApp, outlook: Outlook
) -> None:
    assert list(app.figure.data[SCENARIO].y) == []
    app.levers["retention"].value = 10
    scenario = list(app.figure.data[SCENARIO].y)
    expected = (
        ScenarioEngine(outlook)
        .recompute(scenario_of("retention", Lever("retention", 10)))
        .filter(pl.col("level") == "region_code")
        .sort("month")
        .head(len(scenario))
    )
    assert len(scenario) == 5  # one point per projected year up to the five-year horizon
    assert scenario == pytest.approx(expected["shortage_fte"].to_list())
    baseline = dict(zip(app.figure.data[SHORTAGE].x, app.figure.data[SHORTAGE].y, strict=True))
    for month, value in zip(app.figure.data[SCENARIO].x, scenario, strict=True):
        assert value < baseline[month]  # keeping leavers closes part of the gap
    assert "minder tekort" in app.tiles["scenario_at_horizon"].value

    app.levers["hours"].value = 1
    assert list(app.figure.data[SCENARIO].y) != pytest.approx(scenario)
    app.levers["hours"].value = 0
    app.levers["retention"].value = 0
    assert list(app.figure.data[SCENARIO].y) == []


def _sankey_links(app: RegionalEmployerApp) -> list[tuple[str, str, int]]:
    sankey = app.sankey_figure.data[0]
    ids = list(sankey.node.customdata)
    return [
        (ids[s], ids[t], v)
        for s, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value, strict=True)
    ]


def test_public_view_shows_no_small_flow_or_benchmark(app: RegionalEmployerApp) -> None:
    app.flow_level.value = "employer"
    links = _sankey_links(app)
    assert links
    assert min(value for _, _, value in links) >= DEFAULT_K
    benchmarks = app.view().benchmarks
    assert benchmarks is not None
    bars = app.benchmark_figure.data[0]
    shown = set(bars.customdata)
    # Employers by their kind of organisation and number, never by their bare code.
    labels = app.employer_labels()
    assert list(bars.y) == [labels[e] for e in bars.customdata]
    assert not shown & set(bars.y)
    assert any(label.startswith("VVT-instelling ") for label in bars.y)
    nodes = app.sankey_figure.data[0].node
    assert list(nodes.label) == [labels[e] for e in nodes.customdata]
    hidden = set(benchmarks.filter(pl.col(SUPPRESSED))["employer_id"].to_list())
    published = benchmarks.filter(~pl.col(SUPPRESSED) & (pl.col("metric") == app.metric.value))
    assert shown <= set(published["employer_id"].to_list()) - {TOTAL}
    assert published.filter(pl.col("employer_id") != TOTAL)["people"].min() >= DEFAULT_K
    assert hidden  # the region has small employers: something is hidden


def test_an_employer_sees_its_own_small_cells_never_anothers(
    app: RegionalEmployerApp, main_data: MainPagesData
) -> None:
    assert app.marts is None  # the public view never reads the marts
    marts = read_marts(main_data.data_dir)
    assert marts is not None
    employers = sorted(marts.workforce_monthly["employer_id"].unique().to_list())
    seen_own_small = False
    for employer in employers[:: max(1, len(employers) // 4)]:
        app = RegionalEmployerApp(
            shortage=None,
            regional=app.files,
            marts=marts,
            identity=Identity(employer, "employer token"),
        )
        app.flow_level.value = "employer"
        app.viewer.value = employer
        links = _sankey_links(app)
        for source, target, value in links:
            if value < DEFAULT_K:
                assert employer in (source, target), (employer, source, target, value)
                seen_own_small = True
        benchmarks = app.view().benchmarks
        assert benchmarks is not None
        others = benchmarks.filter(
            ~pl.col(SUPPRESSED) & ~pl.col("employer_id").is_in([employer, TOTAL])
        )
        assert others["people"].min() >= DEFAULT_K
        colours = list(app.benchmark_figure.data[0].marker.color)
        employers = list(app.benchmark_figure.data[0].customdata)
        assert len(set(colours)) == (2 if employer in employers else 1)
    assert seen_own_small  # an employer's own flows are shown in full, small ones too


def test_missing_files_show_geen_gegevens(tmp_path: Path) -> None:
    app = RegionalEmployerApp.from_data_dir(tmp_path)
    assert "geen gegevens" in app.notice.value
    assert app.figure.layout.title.text == "geen gegevens"
    assert app.sankey_figure.layout.title.text == "geen gegevens"
    assert "geen gegevens" in app.sankey_note.value
    app.levers["retention"].value = 10  # no outlook: nothing to recompute, no error
    assert list(app.figure.data[SCENARIO].y) == []
    assert [o for _, o in app.viewer.options] == [""]


def _shown(output: widgets.Output) -> dict[str, Any]:
    """The Plotly figure an ``Output`` shows (its one display_data)."""
    (shown,) = output.outputs
    return dict(shown["data"]["application/vnd.plotly.v1+json"])


def test_charts_are_shown_whole_and_follow_each_change(
    app: RegionalEmployerApp,
) -> None:
    plots = {
        "fan": (app.fan_plot, lambda: app.figure),
        "sankey": (app.sankey_plot, lambda: app.sankey_figure),
        "trends": (app.trends_plot, lambda: app.trends_figure),
        "retirement": (app.retirement_plot, lambda: app.retirement_figure),
        "flex": (app.flex_plot, lambda: app.flex_figure),
        "benchmark": (app.benchmark_plot, lambda: app.benchmark_figure),
    }
    for output, figure in plots.values():
        assert _shown(output)["data"] == json.loads(figure().to_json())["data"]
    before = _shown(app.sankey_plot)["data"][0]["node"]["customdata"]
    app.flow_level.value = "employer"
    after = _shown(app.sankey_plot)["data"][0]["node"]["customdata"]
    assert after != before
    assert after == list(app.sankey_figure.data[0].node.customdata)
    trends = _shown(app.trends_plot)["data"][1]["y"]
    app.sector.index = 1
    assert _shown(app.trends_plot)["data"][1]["y"] != trends
    assert _shown(app.trends_plot)["data"][1]["y"] == list(app.trends_figure.data[1].y)
    assert _shown(app.fan_plot)["data"][SHORTAGE]["y"] == list(app.figure.data[SHORTAGE].y)
    assert _shown(app.fan_plot)["data"][SCENARIO].get("y", []) == []
    app.levers["retention"].value = 10
    scenario = _shown(app.fan_plot)["data"][SCENARIO]["y"]
    assert scenario
    assert scenario == list(app.figure.data[SCENARIO].y)


def test_the_pillar_sliders_move_the_gap_their_way(app: RegionalEmployerApp) -> None:
    """Dropout and technology close part of the region's gap; task shifting moves work
    between professions and leaves the region's FTE gap as it was."""
    baseline = dict(zip(app.figure.data[SHORTAGE].x, app.figure.data[SHORTAGE].y, strict=True))

    def scenario() -> list[tuple[Any, float]]:
        return list(zip(app.figure.data[SCENARIO].x, app.figure.data[SCENARIO].y, strict=True))

    for kind in ("dropout", "demand_growth", "upskilling"):
        app.levers[kind].value = 10
        last_month, last = scenario()[-1]
        assert last < baseline[last_month], kind
        app.levers[kind].value = 0
    app.levers["task_shift"].value = 10
    for month, value in scenario():
        assert value == pytest.approx(baseline[month], rel=1e-9)


# What a board reads first: scope, units, ranking, sick leave, sources -----------------------


def _text(html: str) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_tile_follows_the_sector_and_profession(
    app: RegionalEmployerApp, main_data: MainPagesData
) -> None:
    kpis = pl.read_parquet(main_data.data_dir / "regional" / "kpis.parquet")
    region = app.headlines
    assert region is not None
    sector = app.sector.options[1][1]
    app.sector.value = sector
    cell = (
        kpis.filter(
            (pl.col("period_type") == "month")
            & (pl.col("sector_code") == sector)
            & (pl.col("profession_code") == TOTAL)
        )
        .sort("period")
        .row(-1, named=True)
    )
    headlines = app.headlines
    assert headlines is not None
    assert headlines.headcount == cell["headcount"]
    assert headlines.open == cell["open"]
    assert headlines.headcount != region.headcount
    assert f"{format_number(cell['headcount'])} personen" in app.tiles["headcount"].value
    assert app.selection().node_title in _text(app.tiles["headcount"].value)


def test_the_horizon_moves_the_last_shortage_tile(app: RegionalEmployerApp) -> None:
    app.horizon.value = "8"
    assert "over 8 jaar" in app.tiles["shortage_horizon"].value
    assert [at.years for at in app.headlines.shortage] == [1, 3, 8]  # type: ignore[union-attr]
    app.horizon.value = "2"
    assert [at.years for at in app.headlines.shortage] == [1, 2, 3]  # type: ignore[union-attr]


def test_every_shortage_tile_has_its_unit_and_says_surplus_in_words(
    app: RegionalEmployerApp,
) -> None:
    for name in SHORTAGE_TILES:
        value = _text(app.tiles[name].value)
        assert " fte" in value
        assert "-" not in value.replace("\u2013", "")  # a surplus is a word, not a minus sign


def test_the_ranking_lists_the_largest_shortages_at_the_horizon(
    app: RegionalEmployerApp, main_data: MainPagesData
) -> None:
    shortage = _shortage(main_data.data_dir).filter(
        (pl.col("level") == "region_code/sector_code/profession_code")
        & (pl.col("horizon") == 60)
        & (pl.col("resolution") == "year")
    )
    largest = shortage.sort("shortage_fte", descending=True).row(0, named=True)
    rows = app.ranking_panel.rows
    assert rows.height == 10
    assert rows["shortage_fte"].to_list() == sorted(rows["shortage_fte"].to_list(), reverse=True)
    assert rows["shortage_fte"][0] == pytest.approx(largest["shortage_fte"])
    table = _text(app.ranking_panel.table.value)
    assert app.names.get(largest["profession_code"]) in table
    assert largest["tension_band"] in table
    app.sector.value = largest["sector_code"]
    assert set(app.ranking_panel.rows["sector_code"]) == {largest["sector_code"]}
    app.horizon.value = "2"
    assert "Over 2 jaar" in app.ranking_panel.table.value


def test_sick_leave_follows_the_sector_with_its_cbs_source(app: RegionalEmployerApp) -> None:
    from workforce.regional.kpis import sick_leave

    figure = app.sick_leave_figure
    assert "Q Gezondheids" in figure.layout.title.text
    app.sector.value = "hospitals"
    cbs = sick_leave().filter(pl.col("sector_code") == "hospitals").sort("period")
    assert figure.data[0].y[-1] == pytest.approx(cbs["sick_leave_pct"][-1] / 100)
    assert str(cbs["sbi_label"][0]) in figure.layout.title.text
    assert "CBS, tabel Ziekteverzuimpercentage" in app.source.value
    assert "80072ned" not in app.source.value, "the table by its title, not its code"


def test_the_page_says_its_source_date_and_that_the_data_are_a_demo(
    app: RegionalEmployerApp,
) -> None:
    assert "Bron:" in app.source.value
    assert "peildatum" in app.source.value
    assert "Demonstratiegegevens" in app.banner.value
    assert "Hoe lees ik deze cijfers?" in app.help.value


def test_without_a_generated_region_there_is_no_demo_banner() -> None:
    app = RegionalEmployerApp(shortage=None)
    assert app.banner.value == ""
    assert "peildatum onbekend" in app.source.value


def test_the_english_switch_relabels_the_page_and_keeps_the_choices(
    app: RegionalEmployerApp,
) -> None:
    app.sector.value = "hospitals"
    app.horizon.value = "8"
    app.language_switch.value = "en"
    assert (app.sector.value, app.horizon.value) == ("hospitals", "8")
    assert app.sector.label == app.names.get("hospitals", "en")
    assert app.horizon.label == "8 years"
    assert "Shortage in FTE" in app.figure.layout.title.text
    assert "Where is the shortage largest? In 8 years" in app.ranking_panel.table.value
    assert " FTE" in app.tiles["shortage_horizon"].value
    assert "Source:" in app.source.value
    assert app.flow_level.options[0][0] == "Sectors"
    assert app.sick_leave_figure.layout.title.text.startswith("Sick leave")
