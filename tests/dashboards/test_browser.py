"""The dashboards through the real server in a real browser: render, numbers, filters, auth.

One Voila server (started as ``workforce dashboard`` starts it) and one Chromium serve every
test here. Without ``/usr/bin/chromium`` the tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from tests.dashboards.dutch_page import codes_shown
from tests.support.browser import (
    ERROR_TEXTS,
    FIRST_TILES,
    LOADS,
    PLOT_DATA,
    PLOTS_DRAWN,
    TRACE_CHANGED,
    PageSpec,
    chromium_available,
    follow_every_filter,
)
from tests.support.demo import DemoData
from tests.support.ports import server_port
from workforce.dashboards.data import read_forecast
from workforce.dashboards.explorer import TRACES, ForecastExplorerApp
from workforce.dashboards.explorer_data import forecast_frame, series_key
from workforce.dashboards.format import format_number, format_percent
from workforce.dashboards.server import (
    DashboardServer,
    ServerSettings,
    dashboards_dir,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
EXPLORER = "forecast_explorer.ipynb"
RENDER_TIMEOUT_MS = 120_000

pytestmark = pytest.mark.browser

if not chromium_available():
    if os.environ.get("CI"):
        raise RuntimeError(
            "CI needs /usr/bin/chromium for the browser tests (apt-get install chromium)"
        )
    pytest.skip("no /usr/bin/chromium: apt-get install -y chromium", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def server(
    dashboard_data: DemoData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerSettings]:
    """``workforce dashboard``'s server, serving the explorer alone (no other page's preheating)."""
    folder = tmp_path_factory.mktemp("voila")
    notebooks = folder / "dashboards"
    notebooks.mkdir()
    shutil.copy(dashboards_dir() / EXPLORER, notebooks / EXPLORER)
    settings = ServerSettings(
        data_dir=dashboard_data.data_dir,
        models_dir=dashboard_data.models_dir,
        port=server_port(),
        notebooks=notebooks,
    )
    log = (folder / "voila.log").open("wb")
    with DashboardServer(settings, log=log):
        yield settings
    log.close()


@pytest.fixture(scope="module")
def explorer_page(server: ServerSettings, browser: Any) -> Iterator[Any]:
    """The explorer, loaded once and fully drawn (both figures)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(server.url(EXPLORER), timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(PLOTS_DRAWN, arg=2, timeout=RENDER_TIMEOUT_MS)
    yield page
    page.close()


@pytest.fixture(scope="module")
def expected(dashboard_data: DemoData) -> ForecastExplorerApp:
    """The same App in this process: what the page must show for its first series."""
    return ForecastExplorerApp.from_data_dir(
        dashboard_data.data_dir, models_dir=dashboard_data.models_dir
    )


def _forecast_trace(page: Any) -> dict[str, Any]:
    figures = page.evaluate(PLOT_DATA)
    return figures[0][TRACES.index("forecast")]


def test_explorer_renders_without_errors(explorer_page: Any) -> None:
    text = explorer_page.inner_text("body")
    assert "Prognoseverkenner" in text
    for error in ERROR_TEXTS:
        assert error not in text
    assert "Demonstratiegegevens" in text
    assert "Bron:" in text
    assert "the best" not in text  # the model choice's reason, in Dutch
    assert codes_shown(explorer_page) == [], "models said by what they do, not by name"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    explorer_page.set_viewport_size({"width": 1440, "height": 900})
    explorer_page.wait_for_timeout(1500)  # the charts redraw for the new width
    explorer_page.screenshot(path=str(SCREENSHOTS / "forecast_explorer.png"))
    explorer_page.set_viewport_size({"width": 1440, "height": 1500})
    explorer_page.wait_for_timeout(1500)
    explorer_page.screenshot(path=str(SCREENSHOTS / "forecast_explorer_full.png"))
    explorer_page.set_viewport_size({"width": 1400, "height": 1100})


def test_explorer_shows_the_packages_headlines_dutch_style(
    explorer_page: Any, expected: ForecastExplorerApp
) -> None:
    headlines = expected.headlines
    assert headlines is not None
    tiles = explorer_page.locator(".wf-tile-value").all_inner_texts()
    assert tiles[:3] == [
        f"{format_number(headlines.last_actual)} fte",
        f"{format_number(headlines.forecast_end)} fte",
        format_percent(headlines.change, signed=True),
    ]
    assert format_number(headlines.mase_chosen, digits=2) in tiles


def test_the_headline_tiles_show_before_the_charts(
    server: ServerSettings, browser: Any, expected: ForecastExplorerApp
) -> None:
    headlines = expected.headlines
    assert headlines is not None
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(server.url(EXPLORER), timeout=RENDER_TIMEOUT_MS, wait_until="commit")
    first = page.wait_for_function(
        FIRST_TILES, timeout=RENDER_TIMEOUT_MS, polling="raf"
    ).json_value()
    assert first["preview"]
    assert first["drawn"] == 0  # no chart yet: the page is still being built
    assert first["tiles"][:2] == [
        f"{format_number(headlines.last_actual)} fte",
        f"{format_number(headlines.forecast_end)} fte",
    ]
    page.wait_for_function(PLOTS_DRAWN, arg=2, timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function("() => document.getElementById('wf-preview') === null")
    assert page.locator(".wf-tile").count() == len(expected.tiles)  # the page's own, once
    page.close()


def test_chart_holds_the_forecast_of_the_chosen_series(
    explorer_page: Any, expected: ForecastExplorerApp
) -> None:
    trace = _forecast_trace(explorer_page)
    assert trace["y"] == pytest.approx(list(expected.figure.data[TRACES.index("forecast")].y))


def test_changing_the_profession_changes_the_chart_data(
    explorer_page: Any, dashboard_data: DemoData, expected: ForecastExplorerApp
) -> None:
    before = _forecast_trace(explorer_page)["y"]
    name, other = expected.profession.options[1]
    explorer_page.locator(".widget-dropdown select").nth(2).select_option(label=name)
    explorer_page.wait_for_function(
        TRACE_CHANGED, arg=[0, TRACES.index("forecast"), before], timeout=30_000
    )
    forecasts = forecast_frame(read_forecast(dashboard_data.data_dir, "demand"))
    wanted = forecasts.filter(
        pl.col("series") == series_key(expected.region.value, expected.sector.value, other)
    )
    assert _forecast_trace(explorer_page)["y"] == pytest.approx(wanted["yhat"].to_list())


def _status(url: str) -> int:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_requests_without_the_token_are_refused(server: ServerSettings) -> None:
    page = server.url(EXPLORER, with_token=False)
    assert _status(page) in (302, 403)
    assert _status(page + "?token=wrong") in (302, 403)
    assert _status(server.url(with_token=False)) in (302, 403)


EXPLORER_PAGE: PageSpec = (
    EXPLORER,
    ("region", "sector", "profession"),
    ("language",),
    ("figure", "backtest_figure"),
)


@pytest.mark.parametrize("load", range(LOADS))
def test_explorer_charts_follow_every_filter(
    server: ServerSettings, browser: Any, dashboard_data: DemoData, load: int
) -> None:
    """The forecast and the backtest chart follow region, sector, profession and language."""
    app = ForecastExplorerApp.from_data_dir(
        dashboard_data.data_dir, models_dir=dashboard_data.models_dir
    )
    follow_every_filter(browser, server.url(EXPLORER), app, EXPLORER_PAGE, load, RENDER_TIMEOUT_MS)
