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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import plotly.graph_objects as go
import polars as pl
from plotly.basedatatypes import BaseFigure

from workforce.dashboards.app import App, figure_output, show_figure
from workforce.dashboards.data import ALL, Names, data_dir_from_env, load_names
from workforce.dashboards.format import (
    Language,
    format_interval,
    format_month,
    format_number,
    format_percent,
)
from workforce.dashboards.identity import PUBLIC_IDENTITY, Identity, signed_in
from workforce.dashboards.page_text import section_title, text
from workforce.dashboards.regional_employer_data import (
    LEVERS,
    SHORTAGE_YEARS,
    RegionalFiles,
    RegionalHeadlines,
    ViewerTables,
    benchmark_rows,
    empty_node,
    flex_rows,
    flex_total,
    hidden_count,
    levers_scenario,
    node_key,
    partition_nodes,
    read_marts,
    read_regional,
    read_shortage,
    regional_headlines,
    retention_trend,
    retirement_rows,
    sankey_tables,
    scenario_node,
    until_horizon,
    viewer_tables,
    yearly_kpis,
)
from workforce.dashboards.regional_employer_figures import (
    FAN_TRACES,
    benchmark_template,
    fan_template,
    flex_template,
    retirement_template,
    sankey_template,
    trends_template,
)
from workforce.dashboards.widgets import (
    COLOURS,
    OWN_COLOUR,
    dropdown,
    empty_state_html,
    headline_tile,
    set_separators,
    set_tile,
)
from workforce.privacy import PUBLIC, Viewer
from workforce.regional.benchmarks import METRICS
from workforce.regional.data import RegionalMarts
from workforce.scenario.recompute import ScenarioEngine

TILES = (
    "headcount",
    "fte",
    "open_vacancies",
    "vacancy_rate",
    "turnover",
    *(f"shortage_{years}" for years in SHORTAGE_YEARS),
    "scenario_at_horizon",
    "flex_gain",
)
DEFAULT_HORIZON_YEARS = 5
COUNT_METRICS = ("median_days_to_fill", "contract_hours_avg")
"""Benchmark metrics shown as numbers; the others are shares."""

EngineFactory = Callable[[], ScenarioEngine | None]


def _all_levels_engine(data_dir: Path) -> EngineFactory:
    """A factory that loads the outlook once, on the first slider move."""

    def make() -> ScenarioEngine | None:
        from workforce.forecast.outlook import Outlook

        folder = data_dir / "forecasts" / "outlook"
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
    ) -> None:
        super().__init__()
        self.identity = identity
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

        self.title = widgets.HTML(
            f"<h2 style='font-family:sans-serif'>{text('regional_title', language)}</h2>"
        )
        self.viewer = dropdown(text("viewer", language), self._viewer_options())
        self.sector = dropdown(text("sector", language), [])
        self.profession = dropdown(text("profession", language), [])
        self.horizon = dropdown(
            text("horizon", language),
            [(f"{n} {text('years', language)}", str(n)) for n in range(1, 11)],
        )
        self.horizon.value = str(DEFAULT_HORIZON_YEARS)
        self.flow_level = widgets.ToggleButtons(
            options=[
                (text("flow_sectors", language), "sector"),
                (text("flow_employers", language), "employer"),
            ],
            value="sector",
            description=text("flow_level", language),
        )
        self.metric = dropdown(
            text("metric", language),
            [(text(f"metric_{m}", language), m) for m in METRICS],
        )
        self.levers = {
            kind: widgets.FloatSlider(
                value=0,
                min=low,
                max=high,
                step=step,
                description=text(f"lever_{kind}", language),
                continuous_update=False,
                style={"description_width": "210px"},
                layout=widgets.Layout(width="480px"),
            )
            for kind, (low, high, step) in LEVERS.items()
        }
        self.tiles = {name: headline_tile("", "") for name in TILES}
        self.notice = widgets.HTML()
        self.sankey_note = widgets.HTML()
        self.benchmark_note = widgets.HTML()
        self.fan_plot = figure_output()
        self.sankey_plot = figure_output()
        self.trends_plot = figure_output()
        self.retirement_plot = figure_output(_half_row())
        self.flex_plot = figure_output(_half_row())
        self.benchmark_plot = figure_output()
        self._fill_options()

        figures = {
            "figure": fan_template(),
            "sankey_figure": sankey_template(),
            "trends_figure": trends_template(),
            "retirement_figure": retirement_template(),
            "flex_figure": flex_template(),
            "benchmark_figure": benchmark_template(),
        }
        self._draw_node(figures["figure"], figures["trends_figure"], figures["retirement_figure"])
        self._draw_flows(figures["sankey_figure"])
        self._draw_benchmark(figures["benchmark_figure"])
        self._draw_flex(figures["flex_figure"])
        self.figure: go.Figure = figures["figure"]
        self.sankey_figure: go.Figure = figures["sankey_figure"]
        self.trends_figure: go.Figure = figures["trends_figure"]
        self.retirement_figure: go.Figure = figures["retirement_figure"]
        self.flex_figure: go.Figure = figures["flex_figure"]
        self.benchmark_figure: go.Figure = figures["benchmark_figure"]

        self.sector.observe(self._on_sector, names="value")
        self.profession.observe(self._on_node, names="value")
        self.horizon.observe(self._on_node, names="value")
        self.viewer.observe(self._on_viewer, names="value")
        self.flow_level.observe(self._on_flows, names="value")
        self.metric.observe(self._on_metric, names="value")
        for slider in self.levers.values():
            slider.observe(self._on_lever, names="value")
        self.container = self._layout()

    @classmethod
    def from_data_dir(
        cls,
        data_dir: Path | None = None,
        *,
        language: Language = Language.nl,
        identity: Identity | None = None,
    ) -> RegionalEmployerApp:
        """The dashboard on ``data_dir`` (default ``$WORKFORCE_DATA``) for ``identity``
        (default: who signed in to this page, see :func:`~workforce.dashboards.identity.signed_in`).
        """
        data_dir = data_dir or data_dir_from_env()
        return cls(
            identity=signed_in() if identity is None else identity,
            shortage=read_shortage(data_dir),
            regional=read_regional(data_dir),
            marts=read_marts(data_dir),
            engine=_all_levels_engine(data_dir),
            names=load_names(),
            language=language,
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

    def _viewer_options(self) -> list[tuple[str, str]]:
        options = [(text("viewer_public", self.language), "")]
        return options + [(employer, employer) for employer in self.permitted_employers()]

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

    def _on_sector(self, _: dict[str, Any]) -> None:
        if self._updating:
            return
        self.fill(self.profession, self._node_options("profession", self.sector_code))
        self._draw_node(self.figure, self.trends_figure, self.retirement_figure)

    def _on_node(self, _: dict[str, Any]) -> None:
        if not self._updating:
            self._draw_node(self.figure, self.trends_figure, self.retirement_figure)

    def _on_lever(self, _: dict[str, Any]) -> None:
        self._draw_scenario(self.figure)

    def _on_viewer(self, _: dict[str, Any]) -> None:
        self._draw_flows(self.sankey_figure)
        self._draw_benchmark(self.benchmark_figure)

    def _on_flows(self, _: dict[str, Any]) -> None:
        self._draw_flows(self.sankey_figure)

    def _on_metric(self, _: dict[str, Any]) -> None:
        self._draw_benchmark(self.benchmark_figure)

    # Drawing ---------------------------------------------------------------------------------

    def _node_title(self) -> str:
        return " · ".join(
            (
                self._name(self.sector.value or ALL, "sector"),
                self._name(self.profession.value or ALL, "profession"),
            )
        )

    def _draw_node(self, fan: BaseFigure, trends: BaseFigure, retirement: BaseFigure) -> None:
        node = self.node()
        self.headlines = regional_headlines(self.files.headline, node)
        self._show_headlines(self.headlines)
        self._draw_fan(fan, until_horizon(node, self.horizon_years))
        self._draw_scenario(fan)
        self._draw_trends(trends)
        self._draw_retirement(retirement)
        self._show_notice()

    def _draw_fan(self, figure: BaseFigure, node: pl.DataFrame) -> None:
        language = self.language
        sources = {
            "lo_95": "shortage_fte_lo_95",
            "hi_95": "shortage_fte_hi_95",
            "lo_80": "shortage_fte_lo_80",
            "hi_80": "shortage_fte_hi_80",
            "shortage": "shortage_fte",
        }
        names = {
            "lo_95": text("interval_95", language),
            "hi_95": text("interval_95", language),
            "lo_80": text("interval_80", language),
            "hi_80": text("interval_80", language),
            "shortage": text("shortage", language),
        }
        months = node["month"].to_list()
        with figure.batch_update():
            set_separators(figure, language)
            for trace, key in zip(figure.data, FAN_TRACES, strict=True):
                if key == "scenario":
                    trace.name = text("scenario", language)
                    continue
                values = node[sources[key]].to_list()
                trace.x = months
                trace.y = values
                trace.name = names[key]
                if key == "shortage":
                    trace.customdata = [
                        [format_month(m, language), format_number(v, language=language)]
                        for m, v in zip(months, values, strict=True)
                    ]
                    trace.hovertemplate = (
                        "%{customdata[0]}: %{customdata[1]} fte<extra>%{fullData.name}</extra>"
                    )
            figure.layout.title = (
                f"{text('fan_title', language)}: {self._node_title()}"
                if node.height
                else text("no_data", language)
            )

    def _draw_scenario(self, figure: BaseFigure) -> None:
        language = self.language
        view = self.scenario()
        self.scenario_view = (
            None
            if view is None
            else scenario_node(view, self.sector_code, self.profession_code).filter(
                pl.col("month") <= self._horizon_month()
            )
        )
        trace = figure.data[FAN_TRACES.index("scenario")]
        rows = self.scenario_view
        with figure.batch_update():
            trace.x = [] if rows is None else rows["month"].to_list()
            trace.y = [] if rows is None else rows["shortage_fte"].to_list()
            trace.name = text("scenario", language)
        self._show_scenario_tile()
        show_figure(self.fan_plot, figure)

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
            format_number(end["shortage_fte"], language=language),
            note,
        )

    def _show_headlines(self, headlines: RegionalHeadlines) -> None:
        language = self.language
        month = _month_text(headlines.month, language)
        set_tile(
            self.tiles["headcount"],
            text("headcount", language),
            format_number(headlines.headcount, language=language),
            month,
        )
        set_tile(
            self.tiles["fte"],
            text("fte", language),
            format_number(headlines.fte, language=language),
            month,
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
            month,
        )
        set_tile(
            self.tiles["turnover"],
            text("turnover", language),
            f"{format_percent(headlines.turnover_rate_12m, language=language)} / "
            f"{format_percent(headlines.internal_mobility_rate_12m, language=language)}",
            text("last_12_months", language),
        )
        for at in headlines.shortage:
            title = (
                text("shortage_in_1", language)
                if at.years == 1
                else text("shortage_in", language, n=at.years)
            )
            note = format_interval(at.lo_80, at.hi_80, language=language)
            if at.month is not None:
                note = f"{format_month(at.month, language)} · {note}"
            set_tile(
                self.tiles[f"shortage_{at.years}"],
                title,
                format_number(at.fte, language=language),
                note,
            )
        total = flex_total(self.files.get("flex_pool"))
        set_tile(
            self.tiles["flex_gain"],
            text("flex_gain", language),
            format_number(total["pooling_gain_fte"] if total else None, language=language),
            (
                f"{format_number(total['separate_fte'], language=language)} \u2192 "
                f"{format_number(total['pooled_fte'], language=language)} fte"
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

    def _draw_trends(self, figure: BaseFigure) -> None:
        language = self.language
        retention = retention_trend(self.files.get("retention"), self.profession_code)
        yearly = yearly_kpis(self.files.get("kpis"), self.sector_code, self.profession_code)
        series = {
            0: (retention["cohort_year"], retention["retention_12"], "retention_12"),
            1: (yearly["year"], yearly["turnover_rate"], "turnover_rate"),
            2: (yearly["year"], yearly["internal_mobility_rate"], "mobility_rate"),
            3: (yearly["year"], yearly["median_days_to_fill"], "days_to_fill"),
        }
        with figure.batch_update():
            set_separators(figure, language)
            for index, (x, y, key) in series.items():
                trace = figure.data[index]
                trace.x = x.to_list()
                trace.y = y.to_list()
                trace.name = text(key, language)
            figure.layout.title = (
                f"{text('trends_title', language)}: {self._node_title()}"
                if retention.height or yearly.height
                else text("no_data", language)
            )
        show_figure(self.trends_plot, figure)

    def _draw_retirement(self, figure: BaseFigure) -> None:
        language = self.language
        rows = retirement_rows(self.files.get("retirement_wave"), self.profession_code)
        with figure.batch_update():
            set_separators(figure, language)
            bars, line = figure.data
            bars.x = rows["year"].to_list()
            bars.y = rows["reaching_pension_age"].to_list()
            bars.name = text("reaching_pension", language)
            line.x = rows["year"].to_list()
            line.y = rows["cumulative_share"].to_list()
            line.name = text("cumulative_share", language)
            profession = self._name(self.profession.value or ALL, "profession")
            figure.layout.title = (
                f"{text('retirement_title', language)}: {profession}"
                if rows.height
                else text("no_data", language)
            )
        show_figure(self.retirement_plot, figure)

    def _draw_flex(self, figure: BaseFigure) -> None:
        language = self.language
        rows = flex_rows(self.files.get("flex_pool"))
        labels = [self._name(c, "profession") for c in rows["profession_code"].to_list()]
        with figure.batch_update():
            set_separators(figure, language)
            separate, pooled = figure.data
            separate.y, separate.x = labels, rows["separate_fte"].to_list()
            separate.name = text("flex_separate", language)
            pooled.y, pooled.x = labels, rows["pooled_fte"].to_list()
            pooled.name = text("flex_pooled", language)
            figure.layout.title = (
                text("flex_title", language) if rows.height else text("no_data", language)
            )
        show_figure(self.flex_plot, figure)

    def _draw_flows(self, figure: BaseFigure) -> None:
        language = self.language
        level = self.flow_level.value
        view = self.view()
        matrix = self.files.get("sector_flows") if level == "sector" else view.employer_flows
        nodes, links = sankey_tables(matrix)
        own = self.current_viewer.employer_id
        ids = nodes["node_id"].to_list()
        labels = [self._name(i, "sector") if level == "sector" else i for i in ids]
        node_colours = [OWN_COLOUR if i == own else COLOURS["history"] for i in ids]
        sources, targets = links["source"].to_list(), links["target"].to_list()
        link_colours = [
            "rgba(217, 72, 15, 0.45)"
            if own is not None and own in (ids[s], ids[t])
            else "rgba(138, 161, 193, 0.45)"
            for s, t in zip(sources, targets, strict=True)
        ]
        with figure.batch_update():
            set_separators(figure, language)
            sankey = figure.data[0]
            sankey.node.label = labels
            sankey.node.customdata = ids
            sankey.node.color = node_colours
            sankey.link.source = sources
            sankey.link.target = targets
            sankey.link.value = links["value"].to_list()
            sankey.link.color = link_colours
            figure.layout.title = (
                text("sankey_title", language, k=self.files.k)
                if links.height
                else text("no_data", language)
            )
        hidden = hidden_count(matrix)
        self.sankey_note.value = (
            f"<div style='font-family:sans-serif;font-size:12px;color:#57606a'>"
            f"{text('hidden_cells', language, n=hidden, k=self.files.k)}</div>"
            if matrix is not None
            else empty_state_html(language, text("regional_hint", language))
        )
        show_figure(self.sankey_plot, figure)

    def _draw_benchmark(self, figure: BaseFigure) -> None:
        language = self.language
        metric = str(self.metric.value)
        benchmarks = self.view().benchmarks
        rows, region = benchmark_rows(benchmarks, metric)
        own = self.current_viewer.employer_id
        employers = rows["employer_id"].to_list()
        values = rows["value"].to_list()
        is_count = metric in COUNT_METRICS

        def shown(value: float | None) -> str:
            if is_count:
                return format_number(value, digits=1, language=language)
            return format_percent(value, language=language)

        with figure.batch_update():
            set_separators(figure, language)
            bars = figure.data[0]
            bars.x = employers
            bars.y = values
            bars.marker.color = [OWN_COLOUR if e == own else COLOURS["bar"] for e in employers]
            bars.text = [shown(v) for v in values]
            bars.hovertemplate = "%{x}: %{text}<extra></extra>"
            figure.layout.yaxis.tickformat = "," if is_count else ".0%"
            line = figure.data[1]
            line.x = employers if region is not None else []
            line.y = [region] * len(employers) if region is not None else []
            line.name = text("region_value", language)
            metric_name = text(f"metric_{metric}", language)
            figure.layout.title = (
                f"{text('benchmark_title', language, metric=metric_name)} "
                f"({text('region_value', language)}: {shown(region)})"
                if employers
                else text("no_data", language)
            )
        self.benchmark_note.value = (
            f"<div style='font-family:sans-serif;font-size:12px;color:#57606a'>"
            f"{text('hidden_cells', language, n=hidden_count(benchmarks), k=self.files.k)}</div>"
            if benchmarks is not None
            else empty_state_html(language, text("regional_hint", language))
        )
        show_figure(self.benchmark_plot, figure)

    def _layout(self) -> widgets.VBox:
        row = widgets.Layout(flex_flow="row wrap")
        controls = widgets.HBox(
            [self.viewer, self.sector, self.profession, self.horizon], layout=row
        )
        tiles = widgets.HBox(list(self.tiles.values()), layout=row)
        sliders = widgets.VBox(
            [widgets.HTML(section_title(text("scenario_title", self.language)))]
            + [widgets.HBox(list(self.levers.values())[i : i + 2]) for i in range(0, 5, 2)]
        )
        return widgets.VBox(
            [
                self.title,
                controls,
                self.notice,
                tiles,
                self.fan_plot,
                sliders,
                self.flow_level,
                self.sankey_plot,
                self.sankey_note,
                self.trends_plot,
                widgets.HBox([self.retirement_plot, self.flex_plot], layout=row),
                self.metric,
                self.benchmark_plot,
                self.benchmark_note,
            ]
        )


def _half_row() -> widgets.Layout:
    """Half a row that wraps below 480 px (two charts side by side)."""
    return widgets.Layout(flex="1 1 480px", min_width="480px")


def _month_text(month: str | None, language: Language) -> str:
    """``2025-12`` (as ``workforce regional`` writes it) as ``dec. 2025``."""
    if not month:
        return ""
    try:
        return format_month(dt.date.fromisoformat(f"{month}-01"), language)
    except ValueError:
        return month
