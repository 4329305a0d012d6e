"""The regions page, and the regional-employer page on the three regions, through the real server
in a real browser: they render, and their charts and tiles follow every filter."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import (
    ERROR_TEXTS,
    FIRST_TILES,
    FOLLOW_TIMEOUT_MS,
    LOADS,
    RENDERED,
    SCROLL_HEIGHT,
    PageSpec,
    chosen_label,
    chromium_available,
    follow_every_filter,
    screenshot_page,
)
from tests.support.browser import _wait_shown as wait_shown
from tests.support.ports import server_port
from workforce.dashboards.format import format_number
from workforce.dashboards.server import DashboardServer, ServerSettings, dashboards_dir
from workforce.regional.outputs import RegionalOutputs, write_regional

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
RENDER_TIMEOUT_MS = 180_000
REGIONS: PageSpec = (
    "regions.ipynb",
    ("scope", "measure", "place"),
    (),
    ("comparison_figure", "map_figure", "municipality_figure", "tension_figure", "moves_figure"),
)
REGIONAL: PageSpec = (
    "regional_employer.ipynb",
    ("region", "viewer", "sector", "profession", "horizon", "metric"),
    (),
    (
        "figure",
        "sankey_figure",
        "trends_figure",
        "retirement_figure",
        "sick_leave_figure",
        "flex_figure",
        "benchmark_figure",
    ),
)

pytestmark = pytest.mark.browser

if not chromium_available():
    if os.environ.get("CI"):
        raise RuntimeError(
            "CI needs /usr/bin/chromium for the browser tests (apt-get install chromium)"
        )
    pytest.skip("no /usr/bin/chromium: apt-get install -y chromium", allow_module_level=True)

pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def data_dir(area_forecast: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the three regions' marts, forecast and models, to which the ``regional``
    fixture adds ``workforce regional``'s figures."""
    folder = tmp_path_factory.mktemp("regions_page") / "data"
    shutil.copytree(area_forecast, folder, symlinks=True)
    return folder


@pytest.fixture(scope="module")
def regional(data_dir: Path) -> RegionalOutputs:
    return write_regional(data_dir)


@pytest.fixture(scope="module")
def server(data_dir: Path, regional: RegionalOutputs) -> Iterator[ServerSettings]:
    """``workforce dashboard``'s server on the area's data, serving these two pages alone."""
    folder = data_dir.parent
    notebooks = folder / "dashboards"
    notebooks.mkdir()
    for notebook in (REGIONS[0], REGIONAL[0]):
        shutil.copy(dashboards_dir() / notebook, notebooks / notebook)
    settings = ServerSettings(
        data_dir=data_dir, models_dir=data_dir / "models", port=server_port(),
        notebooks=notebooks,
    )  # fmt: skip
    log = (folder / "voila.log").open("wb")
    with DashboardServer(settings, log=log):
        yield settings
    log.close()


def test_the_regions_tiles_show_before_the_charts(
    server: ServerSettings, browser: Any, data_dir: Path
) -> None:
    from workforce.dashboards.regions import RegionsApp

    expected = RegionsApp.from_data_dir(data_dir, charts=False)
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    try:
        page.goto(server.url(REGIONS[0]), timeout=RENDER_TIMEOUT_MS, wait_until="commit")
        first = page.wait_for_function(
            FIRST_TILES, timeout=RENDER_TIMEOUT_MS, polling="raf"
        ).json_value()
        assert first["preview"]
        assert first["drawn"] == 0  # no chart yet: the page is still being built
        shown = [tile.value for tile in expected.tiles.values()]
        assert len(first["tiles"]) == len(shown)
        for value, html in zip(first["tiles"], shown, strict=True):
            assert f">{value}</div>" in html
        page.wait_for_function(RENDERED, arg=len(REGIONS[3]), timeout=RENDER_TIMEOUT_MS)
        page.wait_for_function("() => document.getElementById('wf-preview') === null")
        assert page.locator(".wf-tile").count() == len(expected.tiles)  # the page's own, once
    finally:
        page.close()


def test_regions_page_renders_in_dutch_with_its_map(server: ServerSettings, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 4200})
    try:
        page.goto(server.url(REGIONS[0]), timeout=RENDER_TIMEOUT_MS)
        page.wait_for_function(RENDERED, arg=len(REGIONS[3]), timeout=RENDER_TIMEOUT_MS)
        text = page.inner_text("body")
        for error in ERROR_TEXTS:
            assert error not in text
        for expected in ("naast elkaar", "Midden-Utrecht", "Amersfoort", "Gooi en Vechtstreek",
                         "Landelijke context", "Bron: CBS / PDOK"):  # fmt: skip
            assert expected in text
        shapes = page.evaluate(
            "() => document.querySelectorAll('.js-plotly-plot')[1].data"
            ".filter(t => t.fill === 'toself').length"
        )
        assert shapes >= 28  # one filled shape (or more) per municipality
        page.set_viewport_size({"width": 1440, "height": 900})
        tiles_bottom = page.evaluate(
            "() => Math.max(...Array.from(document.querySelectorAll('.wf-tile'))"
            ".map(tile => tile.getBoundingClientRect().bottom))"
        )
        assert 0 < tiles_bottom <= 900, "the tiles are on the first screen, as on the other pages"
        screenshot_page(page, SCREENSHOTS / "regions.png")
        # The whole page in one view before the change, so that no resize redraws the charts.
        height = min(int(page.evaluate(SCROLL_HEIGHT)), 9000)
        page.set_viewport_size({"width": 1440, "height": max(900, height)})
        page.wait_for_timeout(1500)
        page.locator(".widget-dropdown select").nth(2).select_option(label="Woonplaats")
        page.wait_for_function(
            "() => [1, 2].every(i => document.querySelectorAll('.js-plotly-plot')[i]"
            ".layout.title.text.includes('woonplaats'))",
            timeout=FOLLOW_TIMEOUT_MS,
        )
        assert "woont in een andere regio" in page.inner_text("body")
        page.wait_for_timeout(1500)  # the map's shapes are drawn after its title
        page.screenshot(path=str(SCREENSHOTS / "regions_residence.png"), full_page=True)
    finally:
        page.close()


@pytest.mark.parametrize("load", range(LOADS))
def test_regions_charts_follow_every_filter(
    server: ServerSettings, browser: Any, data_dir: Path, load: int
) -> None:
    from workforce.dashboards.regions import RegionsApp

    app = RegionsApp.from_data_dir(data_dir)
    follow_every_filter(browser, server.url(REGIONS[0]), app, REGIONS, load, RENDER_TIMEOUT_MS)


TILE_SHOWS = """([index, text]) => {
  const tiles = document.querySelectorAll('.wf-tile-value');
  return tiles.length > index && tiles[index].innerText.trim() === text;
}"""


def test_the_region_choice_changes_the_regional_tiles_and_charts(
    server: ServerSettings, browser: Any, regional: RegionalOutputs
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(server.url(REGIONAL[0]), timeout=RENDER_TIMEOUT_MS)
        page.wait_for_function(RENDERED, arg=len(REGIONAL[3]), timeout=RENDER_TIMEOUT_MS)
        together = f"{format_number(regional.headline['headcount'])} personen"
        page.wait_for_function(TILE_SHOWS, arg=[0, together], timeout=FOLLOW_TIMEOUT_MS)
        region = page.locator(".widget-dropdown select").nth(0)
        options = [t.replace("\xa0", " ") for t in region.locator("option").all_inner_texts()]
        assert options[0] == "Alle regio's"
        assert "Amersfoort" in options
        region.select_option(label="Amersfoort")
        own = f"{format_number(regional.regions['AM14']['headcount'])} personen"
        page.wait_for_function(TILE_SHOWS, arg=[0, own], timeout=FOLLOW_TIMEOUT_MS)
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".some(p => (p.layout.title.text || '').includes('Amersfoort'))",
            timeout=FOLLOW_TIMEOUT_MS,
        )
        text = page.inner_text("body")
        for error in ERROR_TEXTS:
            assert error not in text
        assert "AM14" not in text
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 1440, "height": 900})
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SCREENSHOTS / "regional_employer_region.png"))
    finally:
        page.close()


def test_every_regional_chart_and_tile_follows_the_region_within_5_seconds(
    server: ServerSettings, browser: Any, data_dir: Path
) -> None:
    """Each region in turn, and back to all of them: every chart's title and data and the
    first tiles show what the App computes for that region (the other filters are tested on
    the one-region page)."""
    from workforce.dashboards.identity import PUBLIC_IDENTITY
    from workforce.dashboards.regional_employer import RegionalEmployerApp

    app = RegionalEmployerApp.from_data_dir(data_dir, identity=PUBLIC_IDENTITY)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(server.url(REGIONAL[0]), timeout=RENDER_TIMEOUT_MS)
        page.wait_for_function(RENDERED, arg=len(REGIONAL[3]), timeout=RENDER_TIMEOUT_MS)
        expected = wait_shown(page, app, REGIONAL[3], "loading")
        select = page.locator(".widget-dropdown select").nth(0)
        for index in (1, 2, 3, 0):
            select.select_option(index=index)
            app.region.label = chosen_label(select)
            now = wait_shown(page, app, REGIONAL[3], f"region = {app.region.label}")
            assert now != expected
            expected = now
            tiles = [tile.value for tile in app.tiles.values()][:5]
            for position, html in enumerate(tiles):
                value = html.split('class="wf-tile-value"')[1].split(">", 1)[1].split("</div>")[0]
                page.wait_for_function(TILE_SHOWS, arg=[position, value], timeout=FOLLOW_TIMEOUT_MS)
    finally:
        page.close()
