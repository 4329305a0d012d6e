"""The regional-employer dashboard: the region's care employers seen as one employer.

(Over 500 lines because the page's widgets and their wiring live in one App class; its
numbers, tiles, panels and scenario are in the modules beside it.)

For HR directors. Headline tiles (staff, FTE, vacancies, regional turnover against internal
mobility, the expected shortage in 1, 3 and 5 years with its 80 % interval), the shortage fan
chart per sector and profession, scenario sliders recomputed live by the scenario engine's fast
path (no model is refitted), the mobility Sankey between sectors or employers, retention and
time-to-fill trends, the retirement wave, the flex pool and an employer benchmark. The viewer
dropdown offers what the signed-in identity may see (:mod:`workforce.dashboards.identity`): the
public view always, and an employer's own view only to that employer: its own cells in full,
never another employer's small cells (disclosure control of :mod:`workforce.privacy`).

The page's parts live beside it: its numbers in ``regional_employer_data``, its charts in
``regional_employer_panels`` (figures in ``regional_employer_figures``), its tiles in
``regional_employer_tiles`` and its scenario sliders in ``regional_employer_scenario``.

The notebook ``dashboards/regional_employer.ipynb`` shows the tiles first (see
:mod:`workforce.dashboards.preview`)::

    from workforce.dashboards.regional_employer import RegionalEmployerApp
    app = RegionalEmployerApp.from_data_dir(charts=False); app.show_preview()
    # next cell
    app.draw_charts(); app.container
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import polars as pl

from workforce.dashboards.app import App
from workforce.dashboards.data import ALL, Names, data_dir_from_env, forecast_run_id, load_names
from workforce.dashboards.employers import (
    employer_label,
    employer_labels,
    read_employer_sectors,
)
from workforce.dashboards.format import (
    Language,
    format_quarter,
)
from workforce.dashboards.identity import PUBLIC_IDENTITY, Identity, signed_in
from workforce.dashboards.page_text import help_html, section_title, text
from workforce.dashboards.preview import show_preview
from workforce.dashboards.provenance import (
    UNKNOWN,
    Provenance,
    demo_banner_html,
    forecast_source,
    read_provenance,
    source_html,
    staff_source,
)
from workforce.dashboards.regional_employer_data import (
    RegionalFiles,
    RegionalHeadlines,
    ViewerTables,
    empty_node,
    node_headline,
    node_key,
    partition_nodes,
    read_marts,
    read_regional,
    read_shortage,
    regional_headlines,
    scenario_node,
    until_horizon,
    viewer_tables,
)
from workforce.dashboards.regional_employer_panels import (
    BenchmarkPanel,
    FlexPanel,
    FlowsPanel,
    RankingPanel,
    RetirementPanel,
    Selection,
    ShortagePanel,
    SickLeavePanel,
    TrendsPanel,
)
from workforce.dashboards.regional_employer_scenario import (
    EngineFactory,
    ScenarioResults,
    all_levels_engine,
    label_sliders,
    lever_sliders,
    slider_rows,
)
from workforce.dashboards.regional_employer_tiles import HeadlineTiles
from workforce.dashboards.widgets import (
    dropdown,
    empty_state_html,
    language_switch,
)
from workforce.privacy import PUBLIC, Viewer
from workforce.regional.data import RegionalMarts
from workforce.regional.published import REGION_NAMES

DEFAULT_HORIZON_YEARS = 5

REGION_TEXTS: dict[str, dict[Language, str]] = {
    "region": {Language.nl: "Regio", Language.en: "Region"},
    "all_regions": {Language.nl: "Alle regio's", Language.en: "All regions"},
    "region_note": {
        Language.nl: "Eén regio gekozen: wie naar een werkgever in een andere regio gaat, telt "
        "als uitstroom; met alle regio's samen is dat doorstroom binnen de regio.",
        Language.en: "One region chosen: staff moving to an employer in another region count "
        "as leavers; with all regions together that is mobility within the region.",
    },
}
"""Texts of the region choice."""


class RegionalEmployerApp(App):
    """Filters (viewer, sector, profession, horizon), scenario sliders, tiles and figures.

    State lives in the widgets: set ``app.sector.value``, ``app.profession.value``,
    ``app.horizon.value``, ``app.viewer.value`` or a slider in ``app.levers`` and the figures
    follow. Figures are plain figures (the shortage fan :attr:`figure`, ``sankey_figure``,
    ``trends_figure``, ``retirement_figure``, ``flex_figure``, ``benchmark_figure``) shown whole
    in their ``Output`` (``fan_plot``, ``sankey_plot``, ...) on every change, so the page does
    not carry Plotly's script once per chart.
    :attr:`headlines` holds the numbers behind the tiles.
    """

    def __init__(
        self,
        *,
        shortage: pl.DataFrame | None,
        regional: RegionalFiles | None = None,
        marts: RegionalMarts | None = None,
        engine: EngineFactory | None = None,
        names: Names | None = None,
        language: Language = Language.nl,
        identity: Identity = PUBLIC_IDENTITY,
        provenance: Provenance = UNKNOWN,
        run_id: str = "",
        employer_sectors: pl.DataFrame | None = None,
        charts: bool = True,
    ) -> None:
        super().__init__()
        self.identity = identity
        self._employer_sectors = employer_sectors
        self._labels: dict[Language, dict[str, str]] = {}
        self.provenance = provenance
        self._shortage = shortage
        self.names = names or Names()
        self.language = language
        self.all_files = regional or RegionalFiles()
        self.marts = marts
        self._files: dict[str | None, RegionalFiles] = {}
        self._node_sets: dict[str | None, dict[tuple[str, str], pl.DataFrame]] = {}
        self._scenarios = ScenarioResults(engine)
        self._views: dict[str | None, ViewerTables] = {}
        self.headlines: RegionalHeadlines | None = None
        self.scenario_view: pl.DataFrame | None = None

        self.title = widgets.HTML()
        self.banner = widgets.HTML()
        self.help = widgets.HTML()
        self.scenario_heading = widgets.HTML()
        self.language_switch = language_switch(language)
        self.source = widgets.HTML()
        self._run_id = run_id
        self.region = dropdown(REGION_TEXTS["region"][language], self._region_options())
        self.region_note = widgets.HTML()
        self.viewer = dropdown(text("viewer", language), self._viewer_options())
        self.sector = dropdown(text("sector", language), [])
        self.profession = dropdown(text("profession", language), [])
        self.sector.add_class("wf-filter")  # the filter benchmarks/dashboards.py changes
        self.horizon = dropdown(
            text("horizon", language),
            [(f"{n} {text('years', language)}", str(n)) for n in range(1, 11)],
        )
        self.horizon.value = str(DEFAULT_HORIZON_YEARS)
        self.levers = lever_sliders(language)
        self.headline_tiles = HeadlineTiles()
        self.tiles = self.headline_tiles.tiles
        self.notice = widgets.HTML()
        self.shortage_panel = ShortagePanel()
        self.flows_panel = FlowsPanel(language)
        self.trends_panel = TrendsPanel()
        self.retirement_panel = RetirementPanel()
        self.flex_panel = FlexPanel()
        self.benchmark_panel = BenchmarkPanel(language)
        self.ranking_panel = RankingPanel()
        self.sick_leave_panel = SickLeavePanel()
        self.sick_leave_figure = self.sick_leave_panel.figure
        self.flex_note = widgets.HTML()
        self._label_page()
        # The panels' parts by the names tests and the benchmark use.
        self.figure, self.fan_plot = self.shortage_panel.figure, self.shortage_panel.plot
        self.sankey_figure, self.sankey_plot = self.flows_panel.figure, self.flows_panel.plot
        self.flow_level, self.sankey_note = self.flows_panel.level, self.flows_panel.note
        self.trends_figure, self.trends_plot = self.trends_panel.figure, self.trends_panel.plot
        self.retirement_figure = self.retirement_panel.figure
        self.retirement_plot = self.retirement_panel.plot
        self.flex_figure, self.flex_plot = self.flex_panel.figure, self.flex_panel.plot
        self.benchmark_figure = self.benchmark_panel.figure
        self.benchmark_plot = self.benchmark_panel.plot
        self.metric, self.benchmark_note = self.benchmark_panel.metric, self.benchmark_panel.note
        self._fill_options()

        self.charts_drawn = False
        self._show_node_tiles()
        if charts:
            self.draw_charts()

        self.on_change(self.region, self._on_region)
        self.on_change(self.sector, self._on_sector)
        self.on_change(self.profession, self._draw_node)
        self.on_change(self.horizon, self._draw_node)
        self.on_change(self.viewer, self._draw_viewer_panels)
        self.on_change(self.flow_level, self._draw_flows)
        self.on_change(self.metric, self._draw_benchmark)
        for slider in self.levers.values():
            self.on_change(slider, self._draw_scenario)
        self.on_change(self.language_switch, self._on_language)
        self.container = self._layout()

    @classmethod
    def from_data_dir(
        cls,
        data_dir: Path | None = None,
        *,
        language: Language = Language.nl,
        identity: Identity | None = None,
        charts: bool = True,
    ) -> RegionalEmployerApp:
        """The dashboard on ``data_dir`` (default ``$WORKFORCE_DATA``) for ``identity``
        (default: who signed in to this page, see :func:`~workforce.dashboards.identity.signed_in`).
        ``charts=False`` shows the tiles only, until :meth:`draw_charts`.
        """
        data_dir = data_dir or data_dir_from_env()
        identity = signed_in() if identity is None else identity
        return cls(
            identity=identity,
            shortage=read_shortage(data_dir),
            regional=read_regional(data_dir),
            # The public view reads published tables only; an employer's own view needs the marts.
            marts=None if identity.is_public else read_marts(data_dir),
            engine=all_levels_engine(data_dir),
            names=load_names(),
            language=language,
            provenance=read_provenance(data_dir),
            run_id=forecast_run_id(data_dir),
            employer_sectors=read_employer_sectors(data_dir),
            charts=charts,
        )

    # State -----------------------------------------------------------------------------------

    @property
    def region_code(self) -> str | None:
        """The region chosen (``None``: the regions together, or the data's one region)."""
        return None if self.region.value in (None, ALL) else str(self.region.value)

    @property
    def files(self) -> RegionalFiles:
        """What ``workforce regional`` wrote, of the region chosen."""
        region = self.region_code
        if region not in self._files:
            self._files[region] = self.all_files.for_region(region)
        return self._files[region]

    @property
    def _nodes(self) -> dict[tuple[str, str], pl.DataFrame]:
        region = self.region_code
        if region not in self._node_sets:
            self._node_sets[region] = partition_nodes(self._shortage, region)
        return self._node_sets[region]

    def region_codes(self) -> list[str]:
        """The regions to choose from: those the figures or the outlook are split by."""
        codes = set(self.all_files.region_codes)
        if self._shortage is not None and "level" in self._shortage.columns:
            outlook = self._shortage.filter(pl.col("level") == "region_code")
            codes |= set(outlook["region_code"].drop_nulls().unique().to_list())
        return sorted(codes) if len(codes) > 1 else []

    @property
    def sector_code(self) -> str | None:
        return None if self.sector.value in (None, ALL) else str(self.sector.value)

    @property
    def profession_code(self) -> str | None:
        return None if self.profession.value in (None, ALL) else str(self.profession.value)

    @property
    def horizon_years(self) -> int:
        return int(self.horizon.value or DEFAULT_HORIZON_YEARS)

    @property
    def current_viewer(self) -> Viewer:
        """The view chosen, if the signed-in identity may see it; else the public view."""
        value = self.viewer.value
        if value in (None, "") or value not in self.permitted_employers():
            return PUBLIC
        return Viewer(str(value))

    def permitted_employers(self) -> tuple[str, ...]:
        """Employers whose own view the signed-in identity may open: its own, if in the data."""
        own = self.identity.employer_id
        if own is None or self.marts is None:
            return ()
        known = self.marts.workforce_monthly["employer_id"].unique().to_list()
        return (own,) if own in known else ()

    def node(self) -> pl.DataFrame:
        """The outlook of the node shown (all horizons)."""
        return self._nodes.get(node_key(self.sector_code, self.profession_code), empty_node())

    def lever_values(self) -> dict[str, float]:
        return {kind: float(slider.value) for kind, slider in self.levers.items()}

    def view(self) -> ViewerTables:
        """The employer-comparing tables of the region chosen as the chosen viewer may see
        them (an employer's own view is computed once for every region)."""
        viewer = self.current_viewer
        if viewer.employer_id is None:
            return viewer_tables(viewer, self.files, None)
        if viewer.employer_id not in self._views:
            self._views[viewer.employer_id] = viewer_tables(viewer, self.all_files, self.marts)
        return self._views[viewer.employer_id].of_region(self.region_code)

    def scenario(self) -> pl.DataFrame | None:
        """The scenario engine's shortage per node and year for the sliders (None at baseline),
        the levers kept inside the region chosen."""
        return self._scenarios.recompute(self.lever_values(), self.region_code)

    # Options ---------------------------------------------------------------------------------

    def _name(self, code: str, column: str) -> str:
        if code == ALL:
            return text(f"all_{column}", self.language)
        return self.names.get(code, self.language.value)

    def employer_labels(self) -> dict[str, str]:
        """Every employer's label in the page's language ("VVT-instelling 04")."""
        if self.language not in self._labels:
            sectors = self._employer_sectors
            self._labels[self.language] = (
                {} if sectors is None else employer_labels(sectors, self.language)
            )
        return self._labels[self.language]

    def region_name(self, code: str | None) -> str:
        """A region's screen name ("Alle regio's" for the regions together), never its code."""
        if code in (None, ALL):
            return REGION_TEXTS["all_regions"][self.language]
        name = self.names.get(str(code), self.language.value)
        return REGION_NAMES.get(str(code), name) if name == code else name

    def _region_options(self) -> list[tuple[str, str]]:
        codes = self.region_codes()
        if not codes:
            return [(self.region_name(None), ALL)]
        return [(self.region_name(None), ALL)] + [(self.region_name(c), c) for c in codes]

    def _viewer_options(self) -> list[tuple[str, str]]:
        options = [(text("viewer_public", self.language), "")]
        labels = self.employer_labels()
        return options + [
            (employer_label(labels, employer, self.language), employer)
            for employer in self.permitted_employers()
        ]

    def _node_options(self, column: str, sector: str | None = None) -> list[tuple[str, str]]:
        keys = list(self._nodes)
        if column == "sector":
            codes = {s for s, _ in keys}
        else:
            codes = {p for s, p in keys if s == (sector or ALL)}
        return sorted(
            ((self._name(c, column), c) for c in codes),
            key=lambda option: (option[1] != ALL, option[0].lower()),
        )

    def _fill_options(self) -> None:
        self.fill(self.sector, self._node_options("sector"))
        self.fill(self.profession, self._node_options("profession", self.sector_code))

    # Events ----------------------------------------------------------------------------------

    def _label_page(self) -> None:
        """Every label, option name and fixed text in the current language."""
        language = self.language
        self.title.value = (
            f"<h2 style='font-family:sans-serif'>{text('regional_title', language)}</h2>"
        )
        self.banner.value = demo_banner_html(self.provenance, language)
        self.help.value = help_html(("help_interval", "help_fte", "help_demand"), language)
        self.scenario_heading.value = section_title(text("scenario_title", language))
        self.flex_note.value = (
            "<div style='font-family:sans-serif;font-size:12px;color:#57606a'>"
            f"{html.escape(text('flex_note', language))}</div>"
        )
        self.region.description = REGION_TEXTS["region"][language]
        self.fill(self.region, self._region_options())
        self.region_note.value = (
            "<div style='font-family:sans-serif;font-size:12px;color:#57606a'>"
            f"{html.escape(REGION_TEXTS['region_note'][language])}</div>"
            if self.region_code is not None
            else ""
        )
        for control, key in (
            (self.viewer, "viewer"),
            (self.sector, "sector"),
            (self.profession, "profession"),
            (self.horizon, "horizon"),
        ):
            control.description = text(key, language)
        label_sliders(self.levers, language)
        self.fill(self.horizon, [(f"{n} {text('years', language)}", str(n)) for n in range(1, 11)])
        self.fill(self.viewer, self._viewer_options())
        with self.quietly():
            self.flows_panel.label(language)
            self.benchmark_panel.label(language)
            self._fill_options()

    def _on_language(self) -> None:
        self.language = Language(self.language_switch.value)
        self._label_page()
        self._draw_node()
        if self.charts_drawn:
            self._draw_viewer_panels()
            self.flex_panel.draw(self.selection())

    def _on_region(self) -> None:
        self._label_page()  # the region note
        self._fill_options()
        self._draw_node()
        if self.charts_drawn:
            self._draw_viewer_panels()
            self.flex_panel.draw(self.selection())

    def _on_sector(self) -> None:
        self.fill(self.profession, self._node_options("profession", self.sector_code))
        self._draw_node()

    # Drawing ---------------------------------------------------------------------------------

    def selection(self) -> Selection:
        """What the panels draw: language, names, files and the chosen sector and profession."""
        return Selection(
            language=self.language,
            names=self.names,
            files=self.files,
            sector=self.sector_code,
            profession=self.profession_code,
            employers=self.employer_labels(),
            region=self.region_code,
            region_name=self.region_name(self.region_code) if self.region_codes() else "",
        )

    def _draw_viewer_panels(self) -> None:
        self._draw_flows()
        self._draw_benchmark()

    def _draw_flows(self) -> None:
        self.flows_panel.draw(self.selection(), self.view(), self.current_viewer.employer_id)

    def _draw_benchmark(self) -> None:
        self.benchmark_panel.draw(self.selection(), self.view(), self.current_viewer.employer_id)

    def draw_charts(self) -> None:
        """Draw every chart (a page built with ``charts=False`` shows its tiles first)."""
        self.charts_drawn = True
        self._draw_node_charts()
        self._draw_viewer_panels()
        self.flex_panel.draw(self.selection())

    def show_preview(self) -> None:
        """Show the title, banner, source line and tiles as the page's first screen."""
        show_preview([self.title, self.banner, self.source], list(self.tiles.values()))

    def _draw_node(self) -> None:
        self._show_node_tiles()
        if self.charts_drawn:
            self._draw_node_charts()

    def _show_node_tiles(self) -> None:
        node = self.node()
        headline = node_headline(
            self.files.kpi_cell(self.sector_code, self.profession_code),
            self.sector_code,
            self.profession_code,
        ) or dict(self.files.headline)
        years = (1, 3, self.horizon_years) if self.horizon_years > 3 else (1, 2, 3)
        self.headlines = regional_headlines(headline, node, years)
        self._show_headlines(self.headlines)
        self._show_scenario_tile()
        self._show_source()
        self._show_notice()

    def _draw_node_charts(self) -> None:
        selection = self.selection()
        self.shortage_panel.draw(selection, until_horizon(self.node(), self.horizon_years))
        self._draw_scenario()
        self.ranking_panel.draw(selection, self._shortage, self.horizon_years)
        self.trends_panel.draw(selection)
        self.retirement_panel.draw(selection)
        self.sick_leave_panel.draw(selection)
        self._show_source()  # with the sick-leave period the chart found

    def _show_source(self) -> None:
        language = self.language
        sources = [
            staff_source(self.provenance, language),
            forecast_source(self._run_id, language),
            text("source_tension", language),
        ]
        latest = self.sick_leave_panel.latest
        if latest is not None:
            period = format_quarter(latest["period"], language)  # type: ignore[arg-type]
            sources.append(text("source_sick_leave", language, period=period))
        self.source.value = source_html(sources, self.provenance, language)

    def _draw_scenario(self) -> None:
        view = self.scenario()
        self.scenario_view = (
            None
            if view is None
            else scenario_node(
                view, self.sector_code, self.profession_code, self.region_code
            ).filter(pl.col("month") <= self._horizon_month())
        )
        self.shortage_panel.draw_scenario(self.selection(), self.scenario_view)
        self._show_scenario_tile()

    def _horizon_month(self) -> Any:
        node = until_horizon(self.node(), self.horizon_years)
        return node["month"].max() if node.height else None

    def _show_scenario_tile(self) -> None:
        node = until_horizon(self.node(), self.horizon_years)
        self.headline_tiles.show_scenario(node, self.scenario_view, self.language)

    def _show_headlines(self, headlines: RegionalHeadlines) -> None:
        self.headline_tiles.show(
            headlines,
            scope=self.selection().node_title,
            flex_pool=self.files.get("flex_pool"),
            language=self.language,
        )

    def _show_notice(self) -> None:
        hints = []
        if not self._nodes:
            hints.append(text("forecast_hint", self.language))
        if not self.files.headline:
            hints.append(text("regional_hint", self.language))
        self.notice.value = empty_state_html(self.language, " ".join(hints)) if hints else ""

    def _layout(self) -> widgets.VBox:
        row = widgets.Layout(flex_flow="row wrap")
        controls = widgets.HBox(
            # the region choice only when the data hold several regions
            [self.region] * (len(self.region.options) > 1)
            + [
                self.viewer,
                self.sector,
                self.profession,
                self.horizon,
                self.language_switch,
            ],
            layout=row,
        )
        tiles = widgets.HBox(list(self.tiles.values()), layout=row)
        sliders = slider_rows(self.scenario_heading, self.levers)
        return widgets.VBox(
            [
                self.title,
                self.banner,
                self.source,
                controls,
                self.region_note,
                self.notice,
                tiles,
                self.help,
                self.fan_plot,
                self.ranking_panel.table,
                sliders,
                self.flow_level,
                self.sankey_plot,
                self.sankey_note,
                self.trends_plot,
                widgets.HBox([self.retirement_plot, self.sick_leave_panel.plot], layout=row),
                self.flex_plot,
                self.flex_note,
                self.metric,
                self.benchmark_plot,
                self.benchmark_note,
            ]
        )
