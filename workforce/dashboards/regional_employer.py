"""The regional-employer dashboard: the region's care employers seen as one employer.

For HR directors. Headline tiles (staff, FTE, vacancies, regional turnover against internal
mobility, the expected shortage in 1, 3 and 5 years with its 80 % interval), the shortage fan
chart per sector and profession, scenario sliders recomputed live by the scenario engine's fast
path (no model is refitted), the mobility Sankey between sectors or employers, retention and
time-to-fill trends, the retirement wave, the flex pool and an employer benchmark. The viewer
dropdown offers what the signed-in identity may see (:mod:`workforce.dashboards.identity`): the
public view always, and an employer's own view only to that employer: its own cells in full,
never another employer's small cells (disclosure control of :mod:`workforce.privacy`).

The notebook ``dashboards/regional_employer.ipynb`` is::

    from workforce.dashboards.regional_employer import RegionalEmployerApp
    app = RegionalEmployerApp.from_data_dir(); app.container
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import polars as pl

from workforce.dashboards.app import App
from workforce.dashboards.data import ALL, Names, data_dir_from_env, latest_run, load_names
from workforce.dashboards.employers import (
    employer_label,
    employer_labels,
    read_employer_sectors,
)
from workforce.dashboards.format import (
    Language,
    format_interval_words,
    format_month,
    format_number,
    format_percent,
    format_quarter,
    signed_amount,
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
    LEVERS,
    RegionalFiles,
    RegionalHeadlines,
    ViewerTables,
    empty_node,
    flex_total,
    levers_scenario,
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
from workforce.dashboards.widgets import (
    dropdown,
    empty_state_html,
    headline_tile,
    language_switch,
    set_tile,
)
from workforce.privacy import PUBLIC, Viewer
from workforce.regional.data import RegionalMarts
from workforce.scenario.recompute import ScenarioEngine
from workforce.store import Store

SHORTAGE_TILES = ("shortage_1", "shortage_3", "shortage_horizon")
"""The shortage 1 and 3 years ahead and at the horizon chosen (1, 2 and 3 years for a horizon
of three years or less)."""
TILES = (
    "headcount",
    "fte",
    "open_vacancies",
    "vacancy_rate",
    "turnover",
    *SHORTAGE_TILES,
    "scenario_at_horizon",
    "flex_gain",
)
DEFAULT_HORIZON_YEARS = 5

EngineFactory = Callable[[], ScenarioEngine | None]


def _all_levels_engine(data_dir: Path) -> EngineFactory:
    """A factory that loads the outlook once, on the first slider move."""

    def make() -> ScenarioEngine | None:
        from workforce.forecast.outlook import Outlook

        folder = Store(data_dir).outlook
        if not folder.is_dir():
            return None
        try:
            outlook = Outlook.load(folder)
        except (OSError, ValueError, KeyError):
            return None
        return engine_for(outlook)

    return make


SCENARIO_PATHS = 100
"""Simulated paths per slider setting: the chart shows the scenario's point shortage, which does
not depend on the paths; fewer paths keep a slider update near a quarter of a second."""


def engine_for(outlook: Any, *, paths: int = SCENARIO_PATHS) -> ScenarioEngine:
    """The scenario engine over every level of the hierarchy, one period per projected year."""
    levels = tuple(dict.fromkeys(outlook.hierarchy.nodes["level"].to_list()))
    return ScenarioEngine(outlook, paths=paths, levels=levels)


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
        self.files = regional or RegionalFiles()
        self.marts = marts
        self._nodes = partition_nodes(shortage)
        self._engine_factory = engine
        self._engine: ScenarioEngine | None = None
        self._scenarios: dict[tuple[tuple[str, float], ...], pl.DataFrame] = {}
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
        self.viewer = dropdown(text("viewer", language), self._viewer_options())
        self.sector = dropdown(text("sector", language), [])
        self.profession = dropdown(text("profession", language), [])
        self.sector.add_class("wf-filter")  # the filter benchmarks/dashboards.py changes
        self.horizon = dropdown(
            text("horizon", language),
            [(f"{n} {text('years', language)}", str(n)) for n in range(1, 11)],
        )
        self.horizon.value = str(DEFAULT_HORIZON_YEARS)
        self.levers = {
            kind: widgets.FloatSlider(
                value=0,
                min=low,
                max=high,
                step=step,
                description=text(f"lever_{kind}", language),
                continuous_update=False,
                readout_format=".0f" if float(step).is_integer() else ".1f",
                style={"description_width": "300px"},
                layout=widgets.Layout(width="600px"),
            )
            for kind, (low, high, step) in LEVERS.items()
        }
        self.tiles = {name: headline_tile("", "") for name in TILES}
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
            engine=_all_levels_engine(data_dir),
            names=load_names(),
            language=language,
            provenance=read_provenance(data_dir),
            run_id=latest_run(Store(data_dir).models).run_id,
            employer_sectors=read_employer_sectors(data_dir),
            charts=charts,
        )

    # State -----------------------------------------------------------------------------------

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
        """The employer-comparing tables as the chosen viewer may see them."""
        viewer = self.current_viewer
        if viewer.employer_id not in self._views:
            self._views[viewer.employer_id] = viewer_tables(viewer, self.files, self.marts)
        return self._views[viewer.employer_id]

    def scenario(self) -> pl.DataFrame | None:
        """The scenario engine's shortage per node and year for the sliders (None at baseline)."""
        values = self.lever_values()
        if not any(values.values()):
            return None
        key = tuple(sorted(values.items()))
        if key not in self._scenarios:
            if self._engine is None and self._engine_factory is not None:
                self._engine = self._engine_factory()
                self._engine_factory = None
            if self._engine is None:
                return None
            self._scenarios[key] = self._engine.recompute(levers_scenario(values))
        return self._scenarios[key]

    # Options ---------------------------------------------------------------------------------

    def _name(self, code: str, column: str) -> str:
        if code == ALL:
            return text(f"all_{column}", self.language)
        return self.names.get(code, self.language.value)

    def employer_labels(self) -> dict[str, str]:
        """Every employer's label in the page's language ("VVT-instelling 04")."""
        if self._employer_sectors is None:
            return {}
        return employer_labels(self._employer_sectors, self.language)

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
        for control, key in (
            (self.viewer, "viewer"),
            (self.sector, "sector"),
            (self.profession, "profession"),
            (self.horizon, "horizon"),
        ):
            control.description = text(key, language)
        for kind, slider in self.levers.items():
            slider.description = text(f"lever_{kind}", language)
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
            employers=self._labels.get(self.language) or self._cache_labels(),
        )

    def _cache_labels(self) -> dict[str, str]:
        self._labels[self.language] = self.employer_labels()
        return self._labels[self.language]

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
            else scenario_node(view, self.sector_code, self.profession_code).filter(
                pl.col("month") <= self._horizon_month()
            )
        )
        self.shortage_panel.draw_scenario(self.selection(), self.scenario_view)
        self._show_scenario_tile()

    def _horizon_month(self) -> Any:
        node = until_horizon(self.node(), self.horizon_years)
        return node["month"].max() if node.height else None

    def _show_scenario_tile(self) -> None:
        language = self.language
        title = text("scenario_at_horizon", language)
        node = until_horizon(self.node(), self.horizon_years)
        rows = self.scenario_view
        if rows is None or rows.is_empty() or node.is_empty():
            set_tile(self.tiles["scenario_at_horizon"], title, "\u2013", "")
            return
        end = rows.row(-1, named=True)
        baseline = node.filter(pl.col("month") == end["month"])
        note = format_month(end["month"], language)
        if baseline.height:
            reduction = float(baseline["shortage_fte"][0]) - float(end["shortage_fte"])
            note += " · " + text(
                "reduction", language, value=format_number(reduction, language=language)
            )
        set_tile(
            self.tiles["scenario_at_horizon"],
            title,
            signed_amount(end["shortage_fte"], "fte", language),
            note,
        )

    def _show_headlines(self, headlines: RegionalHeadlines) -> None:
        language = self.language
        scope = self.selection().node_title
        month = f"{_month_text(headlines.month, language)} · {scope}"
        set_tile(
            self.tiles["headcount"],
            text("headcount", language),
            f"{format_number(headlines.headcount, language=language)} "
            f"{text('persons_unit', language)}",
            month,
        )
        per_person = (
            headlines.fte / headlines.headcount
            if headlines.fte is not None and headlines.headcount
            else None
        )
        set_tile(
            self.tiles["fte"],
            text("fte", language),
            f"{format_number(headlines.fte, language=language)} {text('fte_unit', language)}",
            text(
                "fte_per_person",
                language,
                value=format_number(per_person, digits=2, language=language),
            ),
        )
        set_tile(
            self.tiles["open_vacancies"],
            text("open_vacancies", language),
            format_number(headlines.open, language=language),
            month,
        )
        set_tile(
            self.tiles["vacancy_rate"],
            text("vacancy_rate", language),
            format_percent(headlines.vacancy_rate, language=language),
            text("vacancy_rate_note", language),
        )
        set_tile(
            self.tiles["turnover"],
            text("turnover", language),
            f"{format_percent(headlines.turnover_rate_12m, language=language)} / "
            f"{format_percent(headlines.internal_mobility_rate_12m, language=language)}",
            text("last_12_months", language),
        )
        for name, at in zip(SHORTAGE_TILES, headlines.shortage, strict=True):
            title = (
                text("shortage_in_1", language)
                if at.years == 1
                else text("shortage_in", language, n=at.years)
            )
            note = format_interval_words(at.lo_80, at.hi_80, "fte", language=language)
            if at.month is not None:
                note = f"{format_month(at.month, language)} · {note}"
            set_tile(self.tiles[name], title, signed_amount(at.fte, "fte", language), note)
        total = flex_total(self.files.get("flex_pool"))
        set_tile(
            self.tiles["flex_gain"],
            text("flex_gain", language),
            signed_amount(total["pooling_gain_fte"] if total else None, "fte", language),
            (
                f"{format_number(total['separate_fte'], language=language)} \u2192 "
                f"{format_number(total['pooled_fte'], language=language)} "
                f"{text('fte_unit', language)}"
                if total
                else ""
            ),
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
            [self.viewer, self.sector, self.profession, self.horizon, self.language_switch],
            layout=row,
        )
        tiles = widgets.HBox(list(self.tiles.values()), layout=row)
        sliders = widgets.VBox(
            [self.scenario_heading]
            + [
                widgets.HBox(list(self.levers.values())[i : i + 2])
                for i in range(0, len(self.levers), 2)
            ]
        )
        return widgets.VBox(
            [
                self.title,
                self.banner,
                self.source,
                controls,
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


def _month_text(month: str | None, language: Language) -> str:
    """``2025-12`` (as ``workforce regional`` writes it) as ``dec. 2025``."""
    if not month:
        return ""
    try:
        return format_month(dt.date.fromisoformat(f"{month}-01"), language)
    except ValueError:
        return month
