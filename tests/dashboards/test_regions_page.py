"""The regions page as an App: filters redraw every chart, Dutch without codes, no small cells."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from workforce.dashboards.app import shown_figure
from workforce.dashboards.regions import RegionsApp
from workforce.dashboards.regions.app import ALL
from workforce.dashboards.regions.texts import say
from workforce.privacy import SUPPRESSED, TOTAL
from workforce.regional.municipalities import MEASURES

CODES = re.compile(r"\b(AM1[234]|GM\d{4})\b|nurse_|_worker|elderly_home_care")
"""Codes a Dutch page must not show: region and municipality codes, profession/sector keys."""
FIGURES = (
    "comparison_figure",
    "map_figure",
    "municipality_figure",
    "tension_figure",
    "moves_figure",
)


@pytest.fixture(scope="module")
def app(area_data: Path) -> RegionsApp:
    return RegionsApp.from_data_dir(area_data)


def _shown_text(app: RegionsApp) -> str:
    """Everything a user can read: chart titles, axes, names, hover texts, tiles and tables."""
    parts = [app.table.value, app.context.value, *(t.value for t in app.tiles.values())]
    for name in FIGURES:
        figure = json.loads(getattr(app, name).to_json())
        parts.append(figure["layout"].get("title", {}).get("text", ""))
        for trace in figure["data"]:
            for key in ("name", "text", "x", "y"):
                value = trace.get(key)
                if isinstance(value, list) and value and isinstance(value[0], str | list):
                    parts.append(json.dumps(value, ensure_ascii=False))
                elif isinstance(value, str):
                    parts.append(value)
    return "\n".join(parts)


def test_every_choice_redraws_the_charts_and_tiles(app: RegionsApp) -> None:
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for scope in [value for _, value in app.scope.options]:
        for measure in MEASURES:
            app.scope.value, app.measure.value = scope, measure
            title = app.map_figure.layout.title.text
            assert say(measure, app.language) in title
            assert shown_figure(app.map_plot) == json.loads(json.dumps(shown_figure(app.map_plot)))
            seen[(scope, measure)] = (title, app.tiles["staff"].value)
    assert len({title for title, _ in seen.values()}) == len(seen)
    # The tiles follow the region, not what the map shows.
    assert len({tile for _, tile in seen.values()}) == len(app.scope.options)


def test_the_page_speaks_dutch_without_codes(app: RegionsApp) -> None:
    for scope in [value for _, value in app.scope.options]:
        app.scope.value = scope
        text = _shown_text(app)
        assert not CODES.search(text), CODES.search(text)
    assert "Gooi en Vechtstreek" in text
    assert "Bron:" in app.table.value
    assert "1.350.000" in app.context.value


def test_the_page_says_its_sources_and_that_its_data_are_the_demo(app: RegionsApp) -> None:
    """As every page: the yellow banner on generated data and the source line with its date,
    first in the layout and in the preview."""
    assert "Demonstratiegegevens" in app.banner.value
    source = app.source_line.value
    assert "Bron: personeels- en vacaturebestanden van" in source
    assert "prognose 2022 van de werkgeversorganisatie" in source
    assert "peildatum 31 dec. 2025" in source
    assert list(app.container.children[:3]) == [app.title, app.banner, app.source_line]


def test_the_charts_never_show_a_hidden_cell(app: RegionsApp) -> None:
    app.scope.value, app.measure.value = ALL, "inflow"
    figures = app.municipal()
    hidden = figures.filter(pl.col(SUPPRESSED) & (pl.col("municipality_code") != TOTAL))
    assert hidden.height > 0, "the generated area has small municipalities"
    names = {app.municipality_names[code] for code in hidden["municipality_code"]}
    bars = app.municipality_figure.data[0]
    assert not names & set(bars.y)
    assert min(bars.x) >= app.k
    hover = {trace.text for trace in app.map_figure.data if trace.text}
    assert {f"{name}: {say('hidden', app.language)}" for name in names} <= hover


def test_one_region_shows_its_own_row_and_moves_across_its_border(app: RegionsApp) -> None:
    app.scope.value = "AM12"
    comparison = app.comparison
    assert comparison is not None
    row = comparison.table.filter(pl.col("region_code") == "AM12").row(0, named=True)
    assert f"{row['headcount']:,.0f}".replace(",", ".") in app.tiles["staff"].value
    regions = {trace.name for trace in app.moves_figure.data}
    assert len(regions) == 3  # to Gooi en Vechtstreek from the others, and from it to each


def test_without_marts_the_page_says_so(tmp_path: Path) -> None:
    empty = RegionsApp.from_data_dir(tmp_path)
    assert empty.comparison is None
    assert "wf-empty" in empty.notice.value
    assert shown_figure(empty.map_plot) is None


def test_marts_of_an_older_build_ask_for_a_rebuild(area_data: Path) -> None:
    from dataclasses import replace

    from workforce.regional import load_marts

    marts = load_marts(area_data)
    old = replace(marts, spells=marts.spells.drop("next_region_code"))
    page = RegionsApp(marts=old)
    assert page.comparison is None
    assert "workforce build" in page.notice.value


def test_the_projected_shortage_shows_its_80_percent_interval(area_data: Path) -> None:
    import datetime as dt

    from workforce.regional import load_marts
    from workforce.regional.projection import ProjectedShortage
    from workforce.regional.published import AREA_REGIONS

    forecasts = pl.DataFrame(
        [
            {"level": "region_code", "region_code": code, "resolution": "year",
             "month": dt.date(2031, 12, 1), "shortage_persons": persons,
             "shortage_persons_lo_80": persons - 100.0, "shortage_persons_hi_80": persons + 150.0,
             "shortage_fte": persons * 0.7}
            for code, persons in zip(AREA_REGIONS, (5000.0, 1800.0, 1900.0), strict=True)
        ]
    )  # fmt: skip
    together = ProjectedShortage(
        regions=AREA_REGIONS, year=2031, persons=8700, persons_lo_80=8450, persons_hi_80=9010, fte=1
    )
    app = RegionsApp(marts=load_marts(area_data), forecasts=forecasts, together=together)
    table = app.table.value
    assert "Verwacht tekort 2031: 80 %-interval" in table
    assert "4.900 tot 5.150" in table, "Midden-Utrecht's own interval"
    assert "8.450 tot 9.010" in table, "the three together: the simulated sum, not 8.400 tot 8.800"


def test_a_page_built_without_charts_shows_its_tiles_first(
    app: RegionsApp, area_data: Path
) -> None:
    first = RegionsApp.from_data_dir(area_data, charts=False)
    app.scope.value, app.measure.value = ALL, MEASURES[0]
    assert [t.value for t in first.tiles.values()] == [t.value for t in app.tiles.values()]
    assert all(
        output.outputs == ()
        for output in (first.comparison_plot, first.map_plot, first.tension_plot)
    )  # no chart built yet
    first.scope.value = "AM14"  # the tiles follow the choice before the charts are drawn
    assert first.tiles["staff"].value != app.tiles["staff"].value
    first.scope.value = ALL
    first.draw_charts()
    for name in FIGURES:
        assert getattr(first, name).to_dict() == getattr(app, name).to_dict(), name
    assert first.table.value == app.table.value


def test_the_map_shows_where_the_staff_live_and_the_page_states_the_commuting(
    app: RegionsApp, area_data: Path
) -> None:
    from workforce.store import Store

    residence = Store(area_data).read_mart("staff_residence")
    assert [value for _, value in app.place.options] == ["work", "home"]
    assert [label for label, _ in app.place.options] == ["Werkplaats", "Woonplaats"]
    app.scope.value, app.measure.value, app.place.value = "AM14", "headcount", "work"
    at_work = app.map_figure.to_dict()
    app.place.value = "home"
    assert app.measure.disabled
    assert "woonplaats" in app.map_figure.layout.title.text
    assert "Amersfoort" in app.map_figure.layout.title.text
    assert app.map_figure.to_dict() != at_work
    shown = app.municipal()
    published = residence.filter(
        (pl.col("work_region_code") == "AM14")
        & ~pl.col(SUPPRESSED)
        & pl.col("residence_municipality_code").str.starts_with("GM")
    )
    people = dict(shown.select("municipality_code", "people").iter_rows())
    for code, persons in published.select("residence_municipality_code", "persons").iter_rows():
        assert people[code] == persons
    # Amersfoort's staff live in the other regions too: commuters.
    assert set(shown.filter(pl.col("people") > 0)["region_code"]) == {"AM12", "AM13", "AM14"}
    app.place.value = "work"
    assert not app.measure.disabled
    note = app.commuting_note.value
    assert "Woon-werkverkeer" in note
    for name in ("Midden-Utrecht", "Amersfoort", "Gooi en Vechtstreek"):
        assert f"{name}: " in note
    assert "woont in een andere regio" in note
    assert not CODES.search(note)


def test_without_residences_the_map_offers_the_place_of_work_only(area_data: Path) -> None:
    from workforce.regional import load_marts

    page = RegionsApp(marts=load_marts(area_data))
    assert [value for _, value in page.place.options] == ["work"]
    assert "geen woonplaats" in page.commuting_note.value


def test_the_map_and_municipality_counts_read_as_dutch_whole_numbers(app: RegionsApp) -> None:
    """Thousands as 2.000 (the Dutch separator), not Plotly's default 2k."""
    app.scope.value = ALL
    assert app.municipality_figure.layout.xaxis.tickformat == ","
    assert app.municipality_figure.layout.separators == ",."
    colourbars = [t.marker.colorbar for t in app.map_figure.data if t.marker and t.marker.showscale]
    assert colourbars
    assert all(bar.tickformat == "," for bar in colourbars)
    assert app.map_figure.layout.separators == ",."


def test_the_page_opens_on_the_stored_comparison_only_while_it_is_current(
    area_forecast: Path, tmp_path: Path
) -> None:
    import shutil

    from workforce.regional.stored_comparison import write_comparison
    from workforce.store import Store

    data_dir = tmp_path / "data"
    shutil.copytree(area_forecast, data_dir, symlinks=True, ignore=shutil.ignore_patterns("models"))
    folder = write_comparison(data_dir)
    fresh = RegionsApp.from_data_dir(data_dir, charts=False)
    # A stored figure the marts do not hold shows that the page reads what was stored.
    table = pl.read_parquet(folder / "table.parquet")
    table.with_columns(headcount=pl.lit(123_456, table["headcount"].dtype)).write_parquet(
        folder / "table.parquet"
    )
    assert "123.456" in RegionsApp.from_data_dir(data_dir, charts=False).tiles["staff"].value

    # A new forecast: the stored comparison is stale, the page computes its own.
    path = Store(data_dir).forecast_path("shortage")
    shortage = pl.read_parquet(path)
    shortage.with_columns(pl.col("shortage_persons") * 1.5).write_parquet(path)
    page = RegionsApp.from_data_dir(data_dir, charts=False)
    assert [t.value for t in page.tiles.values()] == [t.value for t in fresh.tiles.values()]
    assert page.comparison is not None
    assert fresh.comparison is not None
    projected = "projected_shortage_persons"
    assert page.comparison.table[projected].to_list() != fresh.comparison.table[projected].to_list()


def test_the_page_switches_to_english_and_back_keeping_the_choice(area_data: Path) -> None:
    page = RegionsApp.from_data_dir(area_data)
    page.scope.value = "AM14"
    dutch = _shown_text(page)
    labels = [page.scope.description, page.measure.description, page.place.description]
    page.language_switch.value = "en"
    english = _shown_text(page)
    assert page.scope.value == "AM14", "the choice stays"
    assert "The three labour-market regions side by side" in page.title.value
    assert "Demonstration data" in page.banner.value
    assert page.scope.description == "Region"
    for dutch_word in ("Medewerkers", "Tekort", "regio's samen", "woonplaats", "Spanning"):
        assert dutch_word not in english, dutch_word
    page.language_switch.value = "nl"
    assert _shown_text(page) == dutch
    assert [page.scope.description, page.measure.description, page.place.description] == labels
