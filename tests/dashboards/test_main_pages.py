"""The regional-employer and training-alignment pages through the real server in Chromium.

One Voila server (started as ``workforce dashboard`` starts it) on the whole-region forecast
with its regional outputs, one Chromium, one page per dashboard reused by every test.
Without ``/usr/bin/chromium`` the tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from tests.dashboards.dutch_page import codes_shown
from tests.dashboards.main_pages import MainPagesData, main_pages_data
from tests.support.browser import (
    ERROR_TEXTS,
    LOADS,
    RENDERED,
    TRACE_CHANGED,
    PageSpec,
    chosen_label,
    chromium_available,
    follow_every_filter,
    screenshot_page,
)
from tests.support.ports import server_port
from workforce.alignment import Advice
from workforce.alignment.stored import DefaultAdvice
from workforce.dashboards.access import issue_token, revoke_tokens
from workforce.dashboards.data import load_names
from workforce.dashboards.employers import employer_labels, read_employer_sectors
from workforce.dashboards.format import (
    format_interval,
    format_interval_words,
    format_number,
    format_percent,
    signed_amount,
)
from workforce.dashboards.identity import PUBLIC_IDENTITY
from workforce.dashboards.regional_employer_figures import FAN_TRACES
from workforce.dashboards.server import DashboardServer, ServerSettings
from workforce.outlook.outlook import Outlook
from workforce.privacy import DEFAULT_K

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
RENDER_TIMEOUT_MS = 180_000
CHANGE_TIMEOUT_MS = 60_000
SHOWN_TIMEOUT_MS = 5_000
"""A filter's new chart data reaches the page within a few seconds (measured: well under one)."""

pytestmark = pytest.mark.browser

if not chromium_available():
    if os.environ.get("CI"):
        raise RuntimeError(
            "CI needs /usr/bin/chromium for the browser tests (apt-get install chromium)"
        )
    pytest.skip("no /usr/bin/chromium: apt-get install -y chromium", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")

SANKEY = """() => {
  const plot = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .find(p => p.data && p.data[0] && p.data[0].type === 'sankey');
  const trace = plot.data[0];
  const ids = Array.from(trace.node.customdata || []);
  const link = trace.link;
  return Array.from(link.value || []).map(
    (v, i) => [ids[link.source[i]], ids[link.target[i]], v]);
}"""
"""The published flows of the Sankey as the browser holds them: [source, target, moves]."""

SANKEY_SHOWS = """(employer) => {
  const plot = Array.from(document.querySelectorAll('.js-plotly-plot'))
    .find(p => p.data && p.data[0] && p.data[0].type === 'sankey');
  return Array.from(plot.data[0].node.customdata || []).includes(employer);
}"""

SHOWS = """([plot, trace, x, y]) => {
  const data = document.querySelectorAll('.js-plotly-plot')[plot].data[trace];
  const same = (v, w) => typeof v === 'number' && typeof w === 'number'
    ? Math.abs(v - w) < 1e-9 : v === w;
  const xs = Array.from(data.x || []), ys = Array.from(data.y || []);
  return xs.length === x.length && xs.every((v, i) => same(v, x[i]))
    && ys.length === y.length && ys.every((v, i) => same(v, y[i]));
}"""
"""True once trace ``trace`` of graph ``plot`` holds exactly the values ``x`` and ``y``."""

FAN_CHANGED = f"""([plot, trace, before]) => {{
  try {{ return ({TRACE_CHANGED})([plot, trace, before]); }} catch (e) {{ return false; }}
}}"""
"""``TRACE_CHANGED`` through a redraw: a chart shown whole in an ``Output`` is briefly gone."""

DOWNLOAD = """(suffix) => Array.from(document.querySelectorAll('a.wf-download'))
  .find(a => a.getAttribute('download').endsWith(suffix)).getAttribute('href')"""


@pytest.fixture(scope="session")
def main_data(region_forecast: Path, tmp_path_factory: pytest.TempPathFactory) -> MainPagesData:
    return main_pages_data(region_forecast, tmp_path_factory)


@pytest.fixture(scope="module")
def server(
    main_data: MainPagesData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerSettings]:
    settings = ServerSettings(
        data_dir=main_data.data_dir,
        models_dir=main_data.data_dir / "models",
        port=server_port(),
    )
    log = (tmp_path_factory.mktemp("voila_main") / "voila.log").open("wb")
    with DashboardServer(settings, log=log):
        yield settings
    log.close()


def _open(browser: Any, url: str, plots: int) -> Any:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url, timeout=RENDER_TIMEOUT_MS)
    page.wait_for_function(RENDERED, arg=plots, timeout=RENDER_TIMEOUT_MS)
    return page


@pytest.fixture(scope="module")
def regional_page(server: ServerSettings, browser: Any) -> Iterator[Any]:
    page = _open(browser, server.url("regional_employer.ipynb"), 7)
    yield page
    page.close()


@pytest.fixture(scope="module")
def training_page(server: ServerSettings, browser: Any) -> Iterator[Any]:
    page = _open(browser, server.url("training_alignment.ipynb"), 3)
    yield page
    page.close()


@pytest.fixture(scope="module")
def outlook(main_data: MainPagesData) -> Outlook:
    return Outlook.load(main_data.data_dir / "forecasts" / "outlook")


def _plot(page: Any, index: int, trace: int) -> list[float]:
    return list(
        page.evaluate(
            "([i, t]) => Array.from(document.querySelectorAll('.js-plotly-plot')[i].data[t].y"
            " || [])",
            [index, trace],
        )
    )


# Regional employer ------------------------------------------------------------------------------


def test_regional_page_renders_the_packages_headlines(
    regional_page: Any, main_data: MainPagesData
) -> None:
    text = regional_page.inner_text("body")
    assert "De regio als één werkgever" in text
    for error in ERROR_TEXTS:
        assert error not in text
    headline = main_data.regional.headline
    tiles = regional_page.locator(".wf-tile-value").all_inner_texts()
    assert tiles[:5] == [
        f"{format_number(headline['headcount'])} personen",
        f"{format_number(headline['fte'])} fte",
        format_number(headline["open"]),
        format_percent(headline["vacancy_rate"]),
        f"{format_percent(headline['turnover_rate_12m'])} / "
        f"{format_percent(headline['internal_mobility_rate_12m'])}",
    ]
    shortage = pl.read_parquet(main_data.data_dir / "forecasts" / "shortage.parquet").filter(
        (pl.col("level") == "region_code") & (pl.col("resolution") == "year")
    )
    notes = regional_page.locator(".wf-tile").all_inner_texts()
    for years, tile, note in zip((1, 3, 5), tiles[5:8], notes[5:8], strict=True):
        row = shortage.filter(pl.col("horizon") == 12 * years).row(0, named=True)
        assert tile == signed_amount(row["shortage_fte"], "fte")
        interval = format_interval_words(
            row["shortage_fte_lo_80"], row["shortage_fte_hi_80"], "fte"
        )
        assert interval in note
    text = regional_page.inner_text("body")
    assert "Demonstratiegegevens" in text
    assert "Bron:" in text
    assert "Waar is het tekort het grootst?" in text
    screenshot_page(regional_page, SCREENSHOTS / "regional_employer.png")


PLOT_HEIGHTS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .map(p => Math.round(p.getBoundingClientRect().height))"""


def test_charts_keep_their_height_when_the_window_is_resized(regional_page: Any) -> None:
    before = regional_page.evaluate(PLOT_HEIGHTS)
    regional_page.set_viewport_size({"width": 1200, "height": 900})
    regional_page.wait_for_timeout(1500)
    after = regional_page.evaluate(PLOT_HEIGHTS)
    regional_page.set_viewport_size({"width": 1400, "height": 1000})
    assert min(before) > 100
    assert after == before


def test_a_sector_filter_changes_the_fan_chart(
    regional_page: Any, main_data: MainPagesData
) -> None:
    shortage_trace = FAN_TRACES.index("shortage")
    before = _plot(regional_page, 0, shortage_trace)
    sector = regional_page.locator(".widget-dropdown select").nth(1)
    sector.select_option(index=1)
    regional_page.wait_for_function(
        FAN_CHANGED, arg=[0, shortage_trace, before], timeout=CHANGE_TIMEOUT_MS
    )
    code = sector.evaluate("el => el.options[el.selectedIndex].text")
    assert code  # a sector name, in Dutch
    after = _plot(regional_page, 0, shortage_trace)
    shortage = pl.read_parquet(main_data.data_dir / "forecasts" / "shortage.parquet")
    sectors = shortage.filter(
        (pl.col("level") == "region_code/sector_code")
        & ((pl.col("resolution") == "month") | (pl.col("horizon") > 36))
        & (pl.col("horizon") <= 60)
    )
    candidates = [
        part.sort("horizon")["shortage_fte"].to_list()
        for part in sectors.partition_by("sector_code")
    ]
    assert any(after == pytest.approx(values) for values in candidates)
    sector.select_option(index=0)
    regional_page.wait_for_function(
        FAN_CHANGED, arg=[0, shortage_trace, after], timeout=CHANGE_TIMEOUT_MS
    )


def test_a_scenario_slider_recomputes_the_shortage(regional_page: Any, outlook: Outlook) -> None:
    from workforce.scenario import Lever, ScenarioEngine, scenario_of

    scenario_trace = FAN_TRACES.index("scenario")
    before = _plot(regional_page, 0, scenario_trace)
    assert before == []
    handle = regional_page.locator(".widget-slider .noUi-handle").first
    handle.focus()
    for _ in range(5):
        handle.press("ArrowRight")
    regional_page.wait_for_function(
        FAN_CHANGED, arg=[0, scenario_trace, before], timeout=CHANGE_TIMEOUT_MS
    )
    regional_page.wait_for_timeout(3000)  # the last key press's update
    shown = _plot(regional_page, 0, scenario_trace)
    retention = float(regional_page.locator(".widget-slider .widget-readout").first.inner_text())
    expected = (
        ScenarioEngine(outlook)
        .recompute(scenario_of("retention", Lever("retention", retention)))
        .filter(pl.col("level") == "region_code")
        .sort("month")["shortage_fte"]
        .to_list()
    )
    assert retention > 0
    assert shown == pytest.approx(expected[: len(shown)])
    assert len(shown) == 5


def _show_package_trace(page: Any, plot: int, trace: Any) -> None:
    """Wait until graph ``plot``'s first traces hold the data of the package's ``trace``s."""
    for index, expected in enumerate(trace):
        x = [str(v) if not isinstance(v, (int, float)) else v for v in expected.x]
        y = [str(v) if not isinstance(v, (int, float)) else v for v in expected.y]
        page.wait_for_function(SHOWS, arg=[plot, index, x, y], timeout=SHOWN_TIMEOUT_MS)


def test_the_benchmark_metric_changes_the_benchmark_chart(
    regional_page: Any, main_data: MainPagesData
) -> None:
    from workforce.dashboards.regional_employer import RegionalEmployerApp

    selects = regional_page.locator(".widget-dropdown select")
    viewer, metric = selects.nth(0), selects.nth(selects.count() - 1)
    plot = regional_page.locator(".js-plotly-plot").count() - 1  # the benchmark, last
    app = RegionalEmployerApp.from_data_dir(main_data.data_dir)
    for index in (1, 2):
        metric.select_option(index=index)
        app.viewer.label = chosen_label(viewer)
        app.metric.label = chosen_label(metric)
        assert app.metric.index == index
        bars, region = app.benchmark_figure.data
        assert bars.x
        assert bars.y
        _show_package_trace(regional_page, plot, (bars, region))
    metric.select_option(index=0)


def _open_as(browser: Any, url: str) -> Any:
    """A fresh browser context (no cookie of an earlier sign-in) on the regional page."""
    return _open(browser, url, 7)


def _viewer_options(page: Any) -> list[str]:
    select = page.locator(".widget-dropdown select").nth(0)
    return [
        str(o).replace("\xa0", " ")
        for o in select.evaluate("el => Array.from(el.options).map(o => o.text)")
    ]


def _employer_flows(page: Any) -> list[list[Any]]:
    page.get_by_role("button", name="Werkgevers").click()
    page.wait_for_function(
        "() => { const p = Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".find(p => p.data && p.data[0] && p.data[0].type === 'sankey');"
        " return p && (p.data[0].node.customdata || []).some(i => i.includes('-')); }",
        timeout=CHANGE_TIMEOUT_MS,
    )
    return list(page.evaluate(SANKEY))


def test_views_follow_the_credential_in_the_browser(
    server: ServerSettings, browser: Any, main_data: MainPagesData
) -> None:
    """The shared token reaches no employer view; an employer's token reaches its own view
    and never another employer's small flow; a revoked token is back to the public view."""
    public = _open_as(browser, server.url("regional_employer.ipynb"))
    try:
        assert _viewer_options(public) == ["Regio (openbaar)"]
        public_flows = _employer_flows(public)
        assert public_flows
        assert min(value for _, _, value in public_flows) >= DEFAULT_K
    finally:
        public.close()
    shown = {s for s, _, _ in public_flows} | {t for _, t, _ in public_flows}
    employers = sorted(
        pl.read_parquet(main_data.data_dir / "marts" / "workforce_monthly.parquet")["employer_id"]
        .unique()
        .to_list()
    )
    employer = next((e for e in employers if e not in shown), employers[0])
    issued = issue_token(main_data.data_dir, employer)
    try:
        url = server.url("regional_employer.ipynb", with_token=False) + f"?token={issued.token}"
        page = _open_as(browser, url)
        try:
            label = employer_labels(read_employer_sectors(main_data.data_dir))[employer]
            assert _viewer_options(page) == ["Regio (openbaar)", label]
            page.locator(".widget-dropdown select").nth(0).select_option(label=label)
            flows = _employer_flows(page)
            page.wait_for_function(SANKEY_SHOWS, arg=employer, timeout=CHANGE_TIMEOUT_MS)
            flows = list(page.evaluate(SANKEY))
            assert any(employer in (s, t) for s, t, _ in flows)
            for source, target, value in flows:
                if value < DEFAULT_K:
                    assert employer in (source, target), (source, target, value)
        finally:
            page.close()
    finally:
        revoke_tokens(main_data.data_dir, employer)
    revoked = browser.new_page()
    try:
        revoked.goto(url, timeout=RENDER_TIMEOUT_MS)
        assert "De regio als één werkgever" not in revoked.inner_text("body")
    finally:
        revoked.close()


# Training alignment -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_advice(main_data: MainPagesData, outlook: Outlook) -> Advice:
    """The training page's default advice computed afresh (the page reads it as stored)."""
    return DefaultAdvice.of(main_data.data_dir, outlook).compute()


def test_training_page_renders_the_packages_advice(training_page: Any, page_advice: Advice) -> None:
    text = training_page.inner_text("body")
    assert "instroomadvies" in text.lower()
    for error in ERROR_TEXTS:
        assert error not in text
    advice = page_advice
    table = advice.table
    tiles = training_page.locator(".wf-tile-value").all_inner_texts()
    assert tiles[0] == signed_amount(advice.gaps["gap_persons"].clip(0, None).sum(), "persons")
    assert tiles[1] == f"{format_number(table['first_year_extra_intake'].sum())} studenten"
    feasible = table.filter(pl.col("status") == "feasible").height
    assert tiles[2] == f"{format_number(feasible)} van {format_number(table.height)}"
    first = table.row(0, named=True)
    row = training_page.locator("table.wf-advice tbody tr").first.inner_text()
    assert f"{format_number(first['first_year_extra_intake'])} ({first['first_cohort']})" in row
    assert format_number(first["extra_intake_per_year"]) in row
    assert (
        format_interval(first["extra_intake_per_year_lo_80"], first["extra_intake_per_year_hi_80"])
        in row
    )
    assert codes_shown(training_page) == [], "names, not codes, on the Dutch page"
    screenshot_page(training_page, SCREENSHOTS / "training_alignment.png")


def test_choosing_a_profession_changes_the_graduates_chart(
    training_page: Any, page_advice: Advice
) -> None:
    advice = page_advice
    before = _plot(training_page, 1, 1)
    profession = str(advice.table["profession_code"][0])
    select = training_page.locator(".widget-dropdown select").nth(2)
    select.select_option(label=load_names().get(profession))  # options show Dutch names
    training_page.wait_for_function(TRACE_CHANGED, arg=[1, 1, before], timeout=CHANGE_TIMEOUT_MS)
    rows = advice.table.filter(pl.col("profession_code") == profession)
    by_year = advice.by_year.join(
        rows.select("programme_code", "institution_code"),
        on=["programme_code", "institution_code"],
    ).filter(pl.col("graduation_year") <= advice.horizon_year)
    assert sum(_plot(training_page, 1, 1)) == pytest.approx(by_year["extra_graduates"].sum())
    tiles = training_page.locator(".wf-tile-value").all_inner_texts()
    gap = advice.gaps.filter(pl.col("profession_code") == profession)["gap_persons"][0]
    assert tiles[0] == signed_amount(gap, "persons")


def test_the_advice_downloads_from_the_page(training_page: Any, page_advice: Advice) -> None:
    href = training_page.evaluate(DOWNLOAD, ".csv")
    assert href.startswith("data:text/csv;charset=utf-8;base64,")
    payload = base64.b64decode(href.split(",", 1)[1])
    assert payload.startswith(b"\xef\xbb\xbf")
    table = pl.read_csv(payload, separator=";", infer_schema_length=None)
    assert table["Rang"].to_list() == page_advice.table["rank"].to_list()
    xlsx = training_page.evaluate(DOWNLOAD, ".xlsx")
    assert base64.b64decode(xlsx.split(",", 1)[1])[:2] == b"PK"


def test_an_institution_changes_the_graduates_chart(
    training_page: Any, main_data: MainPagesData
) -> None:
    from workforce.dashboards.training_alignment import TrainingAlignmentApp

    selects = training_page.locator(".widget-dropdown select")
    profession, institution = selects.nth(2), selects.nth(3)
    app = TrainingAlignmentApp.from_data_dir(main_data.data_dir)
    profession.select_option(index=0)  # every profession
    app.profession.label = chosen_label(profession)
    _show_package_trace(training_page, 1, app.figure.data)
    for index in (1, 2):
        institution.select_option(index=index)
        app.institution.label = chosen_label(institution)
        assert app.institution.index == index
        expected, extra = app.figure.data
        assert expected.x
        _show_package_trace(training_page, 1, (expected, extra))


# Every chart follows every filter, on fresh page loads ------------------------------------------

REGIONAL: PageSpec = (
    "regional_employer.ipynb",
    ("viewer", "sector", "profession", "horizon", "metric"),
    ("flow_level", "language_switch"),
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
TRAINING: PageSpec = (
    "training_alignment.ipynb",
    ("horizon_year", "target", "profession", "institution"),
    ("language_switch",),
    ("gap_figure", "figure", "pipeline_figure", "destinations_figure"),
)


@pytest.mark.parametrize("load", range(LOADS))
def test_regional_charts_follow_every_filter(
    server: ServerSettings, browser: Any, main_data: MainPagesData, load: int
) -> None:
    from workforce.dashboards.regional_employer import RegionalEmployerApp

    app = RegionalEmployerApp.from_data_dir(main_data.data_dir, identity=PUBLIC_IDENTITY)
    follow_every_filter(browser, server.url(REGIONAL[0]), app, REGIONAL, load, RENDER_TIMEOUT_MS)


@pytest.mark.parametrize("load", range(LOADS))
def test_training_charts_follow_every_filter(
    server: ServerSettings, browser: Any, main_data: MainPagesData, load: int
) -> None:
    from workforce.dashboards.training_alignment import TrainingAlignmentApp

    app = TrainingAlignmentApp.from_data_dir(main_data.data_dir)
    follow_every_filter(browser, server.url(TRAINING[0]), app, TRAINING, load, RENDER_TIMEOUT_MS)
