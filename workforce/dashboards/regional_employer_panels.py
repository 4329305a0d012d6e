"""The regional-employer page's panels: each chart with its own controls, figure and ``Output``.

A panel draws from a :class:`Selection` (language, names, the regional files and the chosen
sector and profession) and, for the panels that compare employers, from the disclosure-
controlled :class:`~workforce.dashboards.regional_employer_data.ViewerTables` of the viewer the
signed-in identity may use. The page (:mod:`workforce.dashboards.regional_employer`) owns the
filters and tells each panel when to redraw.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import ipywidgets as widgets
import plotly.graph_objects as go
import polars as pl

from workforce.dashboards.app import figure_output, show_figure
from workforce.dashboards.data import ALL, Names
from workforce.dashboards.employers import employer_label
from workforce.dashboards.format import (
    Language,
    format_month,
    format_number,
    format_percent,
    format_quarter,
    signed_amount,
)
from workforce.dashboards.page_text import html_table, section_title, text
from workforce.dashboards.regional_employer_data import (
    MONTHLY_HORIZON,
    RegionalFiles,
    ViewerTables,
    benchmark_rows,
    flex_rows,
    hidden_count,
    region_outlook,
    retention_trend,
    retirement_rows,
    sankey_tables,
    sick_leave_rows,
    yearly_kpis,
)
from workforce.dashboards.regional_employer_figures import (
    FAN_TRACES,
    benchmark_template,
    fan_template,
    flex_template,
    retirement_template,
    sankey_template,
    sick_leave_template,
    trends_template,
)
from workforce.dashboards.shortage_ranking import TREND_ARROWS, band_label, shortage_ranking
from workforce.dashboards.widgets import (
    COLOURS,
    OWN_COLOUR,
    dropdown,
    empty_state_html,
    set_separators,
)
from workforce.regional.benchmarks import METRICS

COUNT_METRICS = ("median_days_to_fill", "contract_hours_avg")
"""Benchmark metrics shown as numbers; the others are shares."""


@dataclass(frozen=True)
class Selection:
    """What the page shows now: language, names, the regional files and the chosen node."""

    language: Language
    names: Names
    files: RegionalFiles
    sector: str | None = None
    profession: str | None = None
    employers: dict[str, str] = field(default_factory=dict)
    """Employers' labels by code (:mod:`workforce.dashboards.employers`)."""
    region: str | None = None
    """The labour-market region shown (``None``: the regions together, or the one region)."""
    region_name: str = ""
    """Its screen name; empty when the data hold one region."""

    def employer(self, code: str) -> str:
        """An employer's label ("VVT-instelling 04"), never its bare code."""
        return employer_label(self.employers, code, self.language)

    def name(self, code: str | None, column: str) -> str:
        """The name of a sector or profession code ("Alle ..." for a total)."""
        if code in (None, ALL):
            return text(f"all_{column}", self.language)
        return self.names.get(str(code), self.language.value)

    @property
    def node_title(self) -> str:
        parts = (self.name(self.sector, "sector"), self.name(self.profession, "profession"))
        return " · ".join((self.region_name, *parts) if self.region_name else parts)


def _half_row() -> widgets.Layout:
    """Half a row that wraps below 480 px (two charts side by side)."""
    return widgets.Layout(flex="1 1 480px", min_width="480px")


class Panel:
    """One chart: a figure kept here and shown whole in :attr:`plot` after each drawing."""

    def __init__(self, figure: go.Figure, layout: widgets.Layout | None = None) -> None:
        self.figure = figure
        self.plot = figure_output(layout)

    def show(self) -> None:
        show_figure(self.plot, self.figure)


class ShortagePanel(Panel):
    """The shortage fan (FTE, 80 % and 95 % bands) of the chosen node, and the scenario line."""

    def __init__(self) -> None:
        super().__init__(fan_template())

    def draw(self, sel: Selection, node: pl.DataFrame) -> None:
        language = sel.language
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
        with self.figure.batch_update():
            set_separators(self.figure, language)
            for trace, key in zip(self.figure.data, FAN_TRACES, strict=True):
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
                    # Monthly for three years, then one point a year: the yearly points show.
                    trace.mode = "lines+markers"
                    trace.marker.size = [
                        0 if h <= MONTHLY_HORIZON else 7 for h in node["horizon"].to_list()
                    ]
            yearly = bool(node.filter(pl.col("horizon") > MONTHLY_HORIZON).height)
            self.figure.layout.title = (
                f"{text('fan_title', language)}: {sel.node_title}"
                + (f" ({text('fan_yearly', language)})" if yearly else "")
                if node.height
                else text("no_data", language)
            )

    def draw_scenario(self, sel: Selection, rows: pl.DataFrame | None) -> None:
        """The scenario's shortage beside the forecast (``None``: the sliders are at zero)."""
        trace = self.figure.data[FAN_TRACES.index("scenario")]
        with self.figure.batch_update():
            trace.x = [] if rows is None else rows["month"].to_list()
            trace.y = [] if rows is None else rows["shortage_fte"].to_list()
            trace.name = text("scenario", sel.language)
        self.show()


class FlowsPanel(Panel):
    """The mobility Sankey between sectors, or between the employers the viewer may see."""

    def __init__(self, language: Language) -> None:
        super().__init__(sankey_template())
        self.level = widgets.ToggleButtons(
            options=[
                (text("flow_sectors", language), "sector"),
                (text("flow_employers", language), "employer"),
            ],
            value="sector",
            description=text("flow_level", language),
        )
        self.note = widgets.HTML()

    def label(self, language: Language) -> None:
        """The toggle's labels in ``language`` (the choice stays)."""
        value = self.level.value
        self.level.options = [
            (text("flow_sectors", language), "sector"),
            (text("flow_employers", language), "employer"),
        ]
        self.level.value = value
        self.level.description = text("flow_level", language)

    def draw(self, sel: Selection, view: ViewerTables, own: str | None) -> None:
        language = sel.language
        level = self.level.value
        matrix = sel.files.get("sector_flows") if level == "sector" else view.employer_flows
        nodes, links = sankey_tables(matrix)
        ids = nodes["node_id"].to_list()
        labels = [sel.name(i, "sector") if level == "sector" else sel.employer(i) for i in ids]
        node_colours = [OWN_COLOUR if i == own else COLOURS["history"] for i in ids]
        sources, targets = links["source"].to_list(), links["target"].to_list()
        link_colours = [
            "rgba(217, 72, 15, 0.45)"
            if own is not None and own in (ids[s], ids[t])
            else "rgba(138, 161, 193, 0.45)"
            for s, t in zip(sources, targets, strict=True)
        ]
        with self.figure.batch_update():
            set_separators(self.figure, language)
            sankey = self.figure.data[0]
            sankey.node.label = labels
            sankey.node.customdata = ids
            sankey.node.color = node_colours
            sankey.link.source = sources
            sankey.link.target = targets
            sankey.link.value = links["value"].to_list()
            sankey.link.color = link_colours
            # Plotly cannot draw a Sankey without links ("Invalid array length"): hide it.
            sankey.visible = bool(links.height)
            left, right = self.figure.layout.annotations
            left.text = text("flow_from", language)
            right.text = text("flow_to", language)
            level_name = text(f"flow_{level}s" if level == "sector" else "flow_employers", language)
            self.figure.layout.title = (
                f"{text('sankey_title', language, k=sel.files.k)}: {level_name}"
                if links.height
                else text("no_data", language)
            )
        hidden = hidden_count(matrix)
        self.note.value = (
            f"<div style='font-family:sans-serif;font-size:12px;color:#57606a'>"
            f"{text('hidden_cells', language, n=hidden, k=sel.files.k)}</div>"
            if matrix is not None
            else empty_state_html(language, text("regional_hint", language))
        )
        self.show()


class TrendsPanel(Panel):
    """Retention of new hires, turnover against mobility, days to fill: of the chosen node."""

    def __init__(self) -> None:
        super().__init__(trends_template())

    def draw(self, sel: Selection) -> None:
        language = sel.language
        retention = retention_trend(sel.files.get("retention"), sel.profession)
        yearly = yearly_kpis(
            sel.files.kpi_cell(sel.sector, sel.profession), sel.sector, sel.profession
        )
        series = {
            0: (retention["cohort_year"], retention["retention_12"], "retention_12"),
            1: (yearly["year"], yearly["turnover_rate"], "turnover_rate"),
            2: (yearly["year"], yearly["internal_mobility_rate"], "mobility_rate"),
            3: (yearly["year"], yearly["median_days_to_fill"], "days_to_fill"),
        }
        with self.figure.batch_update():
            set_separators(self.figure, language)
            for index, (x, y, key) in series.items():
                trace = self.figure.data[index]
                trace.x = x.to_list()
                trace.y = y.to_list()
                trace.name = text(key, language)
            self.figure.layout.title = (
                f"{text('trends_title', language)}: {sel.node_title}"
                if retention.height or yearly.height
                else text("no_data", language)
            )
        self.show()


class RetirementPanel(Panel):
    """People reaching pension age per year, and the cumulative share of today's staff."""

    def __init__(self) -> None:
        super().__init__(retirement_template(), _half_row())

    def draw(self, sel: Selection) -> None:
        language = sel.language
        rows = retirement_rows(sel.files.get("retirement_wave"), sel.profession)
        with self.figure.batch_update():
            set_separators(self.figure, language)
            bars, line = self.figure.data
            bars.x = rows["year"].to_list()
            bars.y = rows["reaching_pension_age"].to_list()
            bars.name = text("reaching_pension", language)
            line.x = rows["year"].to_list()
            line.y = rows["cumulative_share"].to_list()
            line.name = text("cumulative_share", language)
            profession = sel.name(sel.profession, "profession")
            self.figure.layout.title = (
                f"{text('retirement_title', language)}: {profession}"
                if rows.height
                else text("no_data", language)
            )
        self.show()


class FlexPanel(Panel):
    """Separate pools per employer against one regional flex pool, per profession."""

    def __init__(self) -> None:
        super().__init__(flex_template())

    def draw(self, sel: Selection) -> None:
        language = sel.language
        rows = flex_rows(sel.files.get("flex_pool"))
        labels = [sel.name(c, "profession") for c in rows["profession_code"].to_list()]
        with self.figure.batch_update():
            set_separators(self.figure, language)
            separate, pooled = self.figure.data
            separate.y, separate.x = labels, rows["separate_fte"].to_list()
            separate.name = text("flex_separate", language)
            pooled.y, pooled.x = labels, rows["pooled_fte"].to_list()
            pooled.name = text("flex_pooled", language)
            self.figure.layout.title = (
                text("flex_title", language) if rows.height else text("no_data", language)
            )
        self.show()


class BenchmarkPanel(Panel):
    """Every published employer on one metric, the viewer's own bar highlighted."""

    def __init__(self, language: Language) -> None:
        super().__init__(benchmark_template())
        self.metric = dropdown(
            text("metric", language), [(text(f"metric_{m}", language), m) for m in METRICS]
        )
        self.note = widgets.HTML()

    def label(self, language: Language) -> None:
        """The metric dropdown in ``language`` (the choice stays)."""
        value = self.metric.value
        self.metric.options = [(text(f"metric_{m}", language), m) for m in METRICS]
        self.metric.value = value
        self.metric.description = text("metric", language)

    def draw(self, sel: Selection, view: ViewerTables, own: str | None) -> None:
        language = sel.language
        metric = str(self.metric.value)
        benchmarks = view.benchmarks
        rows, region = benchmark_rows(benchmarks, metric)
        employers = rows["employer_id"].to_list()
        values = rows["value"].to_list()
        is_count = metric in COUNT_METRICS

        def shown(value: float | None) -> str:
            if is_count:
                return format_number(value, digits=0, language=language)
            return format_percent(value, language=language)

        with self.figure.batch_update():
            set_separators(self.figure, language)
            bars = self.figure.data[0]
            bars.y = [sel.employer(e) for e in employers]
            bars.customdata = employers
            bars.x = values
            bars.marker.color = [OWN_COLOUR if e == own else COLOURS["bar"] for e in employers]
            bars.text = [shown(v) for v in values]
            bars.hovertemplate = "%{y} (%{customdata}): %{text}<extra></extra>"
            self.figure.layout.xaxis.tickformat = "," if is_count else ".0%"
            self.figure.layout.height = max(360, 18 * len(employers) + 140)
            line = self.figure.data[1]
            line.y = [sel.employer(e) for e in employers] if region is not None else []
            line.x = [region] * len(employers) if region is not None else []
            line.name = text("region_value", language)
            metric_name = text(f"metric_{metric}", language)
            self.figure.layout.title = (
                f"{text('benchmark_title', language, metric=metric_name)} "
                f"({text('region_value', language)}: {shown(region)})"
                if employers
                else text("no_data", language)
            )
        self.note.value = (
            f"<div style='font-family:sans-serif;font-size:12px;color:#57606a'>"
            f"{text('hidden_cells', language, n=hidden_count(benchmarks), k=sel.files.k)}</div>"
            if benchmarks is not None
            else empty_state_html(language, text("regional_hint", language))
        )
        self.show()


class RankingPanel:
    """ "Waar is het tekort het grootst?": professions x sectors ranked at the chosen horizon."""

    def __init__(self) -> None:
        self.table = widgets.HTML()
        self.rows: pl.DataFrame = shortage_ranking(None, horizon_months=12)
        self._rankings: dict[tuple[str | None, str | None, int], pl.DataFrame] = {}

    def draw(self, sel: Selection, shortage: pl.DataFrame | None, years: int) -> None:
        language = sel.language
        # the ranking does not follow the profession: computed once per region and sector
        key = (sel.region, sel.sector, years)
        if key not in self._rankings:
            self._rankings[key] = shortage_ranking(
                region_outlook(shortage, sel.region), horizon_months=12 * years, sector=sel.sector
            )
        self.rows = self._rankings[key]
        scope = sel.name(sel.sector, "sector")
        if sel.region_name:
            scope = f"{sel.region_name} · {scope}"
        title = text("ranking_title", language, n=years, scope=scope)
        if self.rows.is_empty():
            self.table.value = section_title(title) + empty_state_html(
                language, text("forecast_hint", language)
            )
            return
        headers = [
            text("col_rank", language),
            text("col_profession", language),
            text("sector", language),
            text("ranking_fte", language),
            text("ranking_persons", language),
            text("ranking_share", language),
            text("ranking_band", language),
            text("ranking_trend", language),
        ]
        body = []
        for rank, row in enumerate(self.rows.iter_rows(named=True), start=1):
            body.append(
                [
                    str(rank),
                    sel.name(row["profession_code"], "profession"),
                    sel.name(row["sector_code"], "sector"),
                    signed_amount(row["shortage_fte"], "fte", language),
                    signed_amount(row["shortage_persons"], "persons", language),
                    format_percent(row["shortage_share"], language=language),
                    band_label(row["tension_band"], language),
                    f"{TREND_ARROWS[row['trend']]} {text('trend_' + row['trend'], language)}",
                ]
            )
        numeric = [True, False, False, True, True, True, False, False]
        self.table.value = (
            section_title(title)
            + html_table(headers, body, css_class="wf-ranking", numeric=numeric)
            + f"<div style='font-family:sans-serif;font-size:12px;color:#57606a;margin-top:4px'>"
            f"{html.escape(text('ranking_note', language))}</div>"
        )


class SickLeavePanel(Panel):
    """Sick leave (CBS 80072ned, national) of the CBS branch nearest the chosen sector."""

    def __init__(self) -> None:
        super().__init__(sick_leave_template(), _half_row())
        self.latest: dict[str, object] | None = None

    def draw(self, sel: Selection) -> None:
        language = sel.language
        rows = sick_leave_rows(sel.files.get("sick_leave"), sel.sector)
        self.latest = rows.row(-1, named=True) if rows.height else None
        with self.figure.batch_update():
            set_separators(self.figure, language)
            line = self.figure.data[0]
            line.x = rows["period"].to_list()
            line.y = (rows["sick_leave_pct"] / 100).to_list()
            line.name = text("sick_leave", language)
            line.customdata = [
                [format_quarter(p, language), format_percent(v / 100, language=language)]
                for p, v in zip(
                    rows["period"].to_list(), rows["sick_leave_pct"].to_list(), strict=True
                )
            ]
            line.hovertemplate = "%{customdata[0]}: %{customdata[1]}<extra></extra>"
            label = str(rows["sbi_label"][0]) if rows.height else ""
            self.figure.layout.title = (
                f"{text('sick_leave_title', language)}: {sel.name(sel.sector, 'sector')}"
                f"<br><sup>{text('sick_leave_branch', language)}: {label}</sup>"
                if rows.height
                else text("no_data", language)
            )
        self.show()
