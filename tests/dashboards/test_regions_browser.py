"""The regions page through the real server in a real browser: renders, follows both filters."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import (
    ERROR_TEXTS,
    RENDERED,
    PageSpec,
    chromium_available,
    follow_every_filter,
)
from workforce.dashboards.server import DashboardServer, ServerSettings, dashboards_dir, free_port

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
RENDER_TIMEOUT_MS = 180_000
REGIONS: PageSpec = (
    "regions.ipynb",
    ("scope", "measure"),
    (),
    ("comparison_figure", "map_figure", "municipality_figure", "tension_figure", "moves_figure"),
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
def server(area_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerSettings]:
    """``workforce dashboard``'s server on a copy of the area's marts, serving this page alone."""
    folder = tmp_path_factory.mktemp("regions_page")
    shutil.copytree(area_data / "marts", folder / "data" / "marts")
    notebooks = folder / "dashboards"
    notebooks.mkdir()
    shutil.copy(dashboards_dir() / REGIONS[0], notebooks / REGIONS[0])
    settings = ServerSettings(
        data_dir=folder / "data", models_dir=folder / "models", port=free_port(),
        notebooks=notebooks,
    )  # fmt: skip
    log = (folder / "voila.log").open("wb")
    with DashboardServer(settings, log=log):
        yield settings
    log.close()


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
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "regions.png"))
    finally:
        page.close()


@pytest.mark.parametrize("load", range(2))
def test_regions_charts_follow_every_filter(
    server: ServerSettings, browser: Any, area_data: Path, load: int
) -> None:
    from workforce.dashboards.regions import RegionsApp

    app = RegionsApp.from_data_dir(area_data)
    follow_every_filter(browser, server.url(REGIONS[0]), app, REGIONS, load, RENDER_TIMEOUT_MS)
