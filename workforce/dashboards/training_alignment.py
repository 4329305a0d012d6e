"""The training-alignment dashboard: how many students to take in, per programme and institution.

(Over 500 lines because the page's widgets, their wiring and its texts live in one App class;
its numbers and figures are in the modules beside it.)

For education institutions. Per profession the forecast gap at the horizon year (when today's
intake graduates), the graduates expected from today's intake against those the advice asks
for, the advised extra intake per programme and institution with its 80 % interval, placement
cap and assumptions, completion and dropout trends of the education pipeline, and the advice
as a CSV or Excel download. Numbers come from :func:`workforce.alignment.advise_intake` on the
outlook of ``workforce forecast``; nothing is fitted.

The notebook ``dashboards/training_alignment.ipynb`` shows the tiles first (see
:mod:`workforce.dashboards.preview`)::

    from workforce.dashboards.training_alignment import TrainingAlignmentApp
    app = TrainingAlignmentApp.from_data_dir(charts=False); app.show_preview()
    # next cell
    app.draw_charts(); app.container
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets
import plotly.graph_objects as go
import polars as pl

from workforce.alignment import Advice
from workforce.alignment.spreadsheet import advice_csv, advice_xlsx
from workforce.alignment.stored import placements_of
from workforce.alignment.wording import FEASIBLE, FEASIBLE_LATER, NOT_BY_TRAINING, status_text
from workforce.dashboards.app import App, figure_output
from workforce.dashboards.data import (
    ALL,
    Names,
    data_dir_from_env,
    forecast_run_id,
    load_names,
    read_mart,
)
from workforce.dashboards.format import (
    Language,
    format_interval,
    format_interval_words,
    format_number,
    format_percent,
    signed_amount,
)
from workforce.dashboards.page_text import (
    download_link,
    help_html,
    html_table,
    section_title,
    text,
)
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
from workforce.dashboards.training_alignment_data import (
    AdviceSource,
    TrainingHeadlines,
    destination_rows,
    destinations_of,
    gap_rows,
    graduates_by_year,
    pipeline_trend,
    selected,
    training_headlines,
)
from workforce.dashboards.training_alignment_figures import (
    destinations_template,
    gap_template,
    graduates_template,
    pipeline_template,
)
from workforce.dashboards.widgets import (
    COLOURS,
    OWN_COLOUR,
    dropdown,
    empty_state_html,
    headline_tile,
    language_switch,
    set_separators,
    set_tile,
)

TILES = ("gap", "first_step", "status", "remaining_gap")
TABLE_ROWS = 60
"""Advice rows shown on the page (the download holds them all)."""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TrainingAlignmentApp(App):
    """Horizon year, target, profession and institution; tiles, three figures, the advice table.

    State lives in the widgets: set ``app.profession.value`` (or ``horizon_year``, ``target``,
    ``institution``) and the figures (``gap_figure``, ``figure`` for the graduates,
    ``pipeline_figure``, each shown whole in its ``Output``), tiles, table and downloads
    follow. :attr:`advice` is the package's :class:`~workforce.alignment.Advice` shown;
    :attr:`headlines` the tiles' numbers.
    """

    def __init__(
        self,
        *,
        source: AdviceSource | None,
        pipeline: pl.DataFrame | None = None,
        graduations: pl.DataFrame | None = None,
        placements: pl.DataFrame | None = None,
        names: Names | None = None,
        language: Language = Language.nl,
        destinations: pl.DataFrame | None = None,
        provenance: Provenance = UNKNOWN,
        run_id: str = "",
        charts: bool = True,
    ) -> None:
        super().__init__()
        self.charts_drawn = charts
        self.provenance = provenance
        self.names = names or Names()
        self.language = language
        self.source = source
        self.pipeline = pipeline
        self.graduations = graduations
        self.placements = placements
        self.destinations = destinations
        self.advice: Advice | None = None
        self.headlines: TrainingHeadlines | None = None

        self._run_id = run_id
        self.title = widgets.HTML()
        years = list(source.years) if source else []
        self.banner = widgets.HTML()
        self.source_line = widgets.HTML()
        self.help = widgets.HTML()
        self.language_switch = language_switch(language)
        self.horizon_year = dropdown(
            text("horizon_year", language), [(str(y), str(y)) for y in years]
        )
        if source is not None:
            self.horizon_year.value = str(source.default_year)
        self.target = dropdown(
            text("target", language),
            [
                (text("target_median", language), "median"),
                (text("target_probability", language), "probability"),
            ],
        )
        self.profession = dropdown(text("profession", language), [])
        self.institution = dropdown(text("institution", language), [])
        self.tiles = {name: headline_tile("", "") for name in TILES}
        self.notice = widgets.HTML()
        self.table = widgets.HTML()
        self.downloads = widgets.HTML()
        self.placement_note = widgets.HTML()
        self.gap_figure: go.Figure = gap_template()
        self.figure: go.Figure = graduates_template()
        self.pipeline_figure: go.Figure = pipeline_template()
        self.gap_plot = figure_output()
        self.graduates_plot = figure_output()
        self.pipeline_plot = figure_output()
        self.destinations_figure: go.Figure = destinations_template()
        self.destinations_plot = figure_output()
        self._label_page()
        self._load_advice()
        self._draw()

        for control in (self.horizon_year, self.target):
            self.on_change(control, self._on_advice)
        for control in (self.profession, self.institution):
            self.on_change(control, self._draw)
        self.on_change(self.language_switch, self._on_language)
        self.container = self._layout()

    @classmethod
    def from_data_dir(
        cls,
        data_dir: Path | None = None,
        *,
        language: Language = Language.nl,
        charts: bool = True,
    ) -> TrainingAlignmentApp:
        """The dashboard on ``data_dir`` (default ``$WORKFORCE_DATA``); ``charts=False`` shows
        the tiles only, until :meth:`draw_charts`."""
        data_dir = data_dir or data_dir_from_env()
        placements = placements_of(data_dir)
        source = AdviceSource.from_data_dir(data_dir)
        return cls(
            source=source,
            destinations=destinations_of(data_dir, source.origin_year) if source else None,
            pipeline=read_mart(data_dir, "education_pipeline"),
            graduations=read_mart(data_dir, "graduations"),
            placements=placements,
            names=load_names(),
            language=language,
            provenance=read_provenance(data_dir),
            run_id=forecast_run_id(data_dir),
            charts=charts,
        )

    # State -----------------------------------------------------------------------------------

    @property
    def profession_code(self) -> str | None:
        return None if self.profession.value in (None, ALL) else str(self.profession.value)

    @property
    def institution_code(self) -> str | None:
        return None if self.institution.value in (None, ALL) else str(self.institution.value)

    def advice_rows(self) -> pl.DataFrame:
        """The advice rows of the selection (ranked as the package ranks them)."""
        if self.advice is None:
            return pl.DataFrame()
        return selected(self.advice.table, self.profession_code, self.institution_code)

    def _load_advice(self) -> None:
        if self.source is None or self.horizon_year.value is None:
            self.advice = None
        else:
            self.advice = self.source.advise(int(self.horizon_year.value), str(self.target.value))
        self._fill_options()
        if self.charts_drawn:
            self._show_downloads()

    def _fill_options(self) -> None:
        language = self.language
        professions: list[tuple[str, str]] = [(text("all_profession", language), ALL)]
        institutions: list[tuple[str, str]] = [(text("all_institution", language), ALL)]
        if self.advice is not None:
            codes = self.advice.gaps["profession_code"].unique().to_list()
            professions += sorted(
                ((self.names.get(c, language.value), c) for c in codes),
                key=lambda option: option[0].lower(),
            )
            pairs = self.advice.table.select("institution_code", "institution_name").unique()
            institutions += sorted(
                ((str(name or code), str(code)) for code, name in pairs.iter_rows()),
                key=lambda option: option[0].lower(),
            )
        self.fill(self.profession, professions)
        self.fill(self.institution, institutions)

    # Events ----------------------------------------------------------------------------------

    def _label_page(self) -> None:
        """Every label, option name and fixed text in the current language."""
        language = self.language
        self.title.value = (
            f"<h2 style='font-family:sans-serif'>{text('training_title', language)}</h2>"
        )
        self.banner.value = demo_banner_html(self.provenance, language)
        self.source_line.value = source_html(
            [
                text("source_education", language),
                staff_source(self.provenance, language),
                forecast_source(self._run_id, language),
            ],
            self.provenance,
            language,
        )
        self.help.value = help_html(("help_feasible", "help_interval", "help_fte"), language)
        for control, key in (
            (self.horizon_year, "horizon_year"),
            (self.target, "target"),
            (self.profession, "profession"),
            (self.institution, "institution"),
        ):
            control.description = text(key, language)
        self.fill(
            self.target,
            [
                (text("target_median", language), "median"),
                (text("target_probability", language), "probability"),
            ],
        )

    def _on_language(self) -> None:
        self.language = Language(self.language_switch.value)
        self._label_page()
        self._fill_options()
        if self.charts_drawn:
            self._show_downloads()
        self._draw()

    def _on_advice(self) -> None:
        self._load_advice()
        self._draw()

    # Drawing ---------------------------------------------------------------------------------

    def draw_charts(self) -> None:
        """Draw the charts and the table (a page built with ``charts=False`` shows its tiles
        first). The downloads (an xlsx takes a second to write) come with them."""
        self.charts_drawn = True
        self._show_downloads()
        self._draw()

    def show_preview(self) -> None:
        """Show the title, banner, source line and tiles as the page's first screen."""
        show_preview([self.title, self.banner, self.source_line], list(self.tiles.values()))

    def _draw(self) -> None:
        """Tiles, the three charts, the table and the notice for the current filters."""
        self.headlines = training_headlines(
            self.advice, self.profession_code, self.institution_code
        )
        self._show_headlines(self.headlines)
        self._show_notice()
        if not self.charts_drawn:
            return
        self._draw_gaps(self.gap_figure)
        self._draw_graduates(self.figure)
        self._draw_pipeline(self.pipeline_figure)
        self._draw_destinations(self.destinations_figure)
        self.show(self.gap_plot, self.gap_figure)
        self.show(self.graduates_plot, self.figure)
        self.show(self.pipeline_plot, self.pipeline_figure)
        self.show(self.destinations_plot, self.destinations_figure)
        self._show_table()

    def _show_headlines(self, headlines: TrainingHeadlines) -> None:
        language = self.language
        year = headlines.horizon_year or ""
        set_tile(
            self.tiles["gap"],
            text("gap_at_horizon", language, year=year),
            signed_amount(headlines.gap_persons, "persons", language),
            format_interval_words(
                headlines.gap_lo_80, headlines.gap_hi_80, "persons", language=language
            ),
        )
        need = format_number(headlines.extra_intake, language=language)
        interval = format_interval(
            headlines.extra_intake_lo_80, headlines.extra_intake_hi_80, language=language
        )
        set_tile(
            self.tiles["first_step"],
            text("first_step", language, cohort=headlines.first_cohort or ""),
            f"{format_number(headlines.first_step, language=language)} "
            f"{text('students_unit', language)}",
            text("whole_need", language, need=f"{need} {interval}".strip()),
        )
        statuses = headlines.statuses
        set_tile(
            self.tiles["status"],
            text("status_tile", language),
            text(
                "status_of",
                language,
                feasible=format_number(statuses.get(FEASIBLE, 0), language=language),
                rows=format_number(headlines.advised_rows, language=language),
            ),
            text(
                "status_rest",
                language,
                later=format_number(statuses.get(FEASIBLE_LATER, 0), language=language),
                short=format_number(statuses.get(NOT_BY_TRAINING, 0), language=language),
            ),
        )
        growth = self.advice.growth_limit if self.advice is not None else 0.2
        set_tile(
            self.tiles["remaining_gap"],
            text("remaining_gap", language, year=year),
            signed_amount(headlines.remaining_gap, "persons", language),
            (text("remaining_levers", language) if headlines.remaining_gap else "")
            if self.placements is not None
            else text(
                "no_placements",
                language,
                growth=format_percent(growth, digits=0, language=language),
            ),
        )

    def _draw_gaps(self, figure: go.Figure) -> None:
        language = self.language
        rows = gap_rows(self.advice)
        codes = rows["profession_code"].to_list()
        gaps = rows["gap_persons"].to_list()
        lows, highs = rows["gap_persons_lo_80"].to_list(), rows["gap_persons_hi_80"].to_list()
        chosen = self.profession_code
        with figure.batch_update():
            set_separators(figure, language)
            bars = figure.data[0]
            bars.y = [self.names.get(c, language.value) for c in codes]
            bars.x = gaps
            bars.error_x = {
                "type": "data",
                "symmetric": False,
                "array": [h - g for g, h in zip(gaps, highs, strict=True)],
                "arrayminus": [g - lo for g, lo in zip(gaps, lows, strict=True)],
                "color": "#57606a",
            }
            bars.marker.color = [OWN_COLOUR if c == chosen else COLOURS["bar"] for c in codes]
            bars.customdata = [
                [
                    format_number(g, language=language),
                    format_interval(lo, h, language=language),
                ]
                for g, lo, h in zip(gaps, lows, highs, strict=True)
            ]
            bars.hovertemplate = "%{y}: %{customdata[0]} (%{customdata[1]})<extra></extra>"
            # One line per profession, so that every bar keeps its label.
            figure.layout.height = max(360, 24 * len(codes) + 140)
            figure.layout.yaxis.dtick = 1
            figure.layout.title = (
                f"{text('gap_title', language, year=self.advice.horizon_year)}: "
                f"{self._profession_title()}"
                if self.advice is not None and codes
                else text("no_data", language)
            )

    def _draw_graduates(self, figure: go.Figure) -> None:
        language = self.language
        rows = graduates_by_year(
            self.graduations, self.advice, self.profession_code, self.institution_code
        )
        years = rows["graduation_year"].to_list()
        with figure.batch_update():
            set_separators(figure, language)
            expected, extra = figure.data
            expected.x, expected.y = years, rows["expected"].to_list()
            expected.name = text("graduates_expected", language)
            extra.x, extra.y = years, rows["extra"].to_list()
            extra.name = text("graduates_extra", language)
            figure.layout.title = (
                f"{text('graduates_title', language)}: {self._selection_title()}"
                if years
                else text("no_data", language)
            )

    def _draw_pipeline(self, figure: go.Figure) -> None:
        language = self.language
        programmes = None
        if self.profession_code is not None and self.advice is not None:
            programmes = (
                self.advice.table.filter(pl.col("profession_code") == self.profession_code)[
                    "programme_code"
                ]
                .unique()
                .to_list()
            )
        rows = pipeline_trend(self.pipeline, programmes, self.institution_code)
        with figure.batch_update():
            set_separators(figure, language)
            completion, dropout = figure.data
            completion.x, completion.y = (
                rows["cohort_year"].to_list(),
                rows["completion_rate"].to_list(),
            )
            completion.name = text("completion_rate", language)
            dropout.x, dropout.y = rows["cohort_year"].to_list(), rows["dropout_rate"].to_list()
            dropout.name = text("dropout_rate", language)
            figure.layout.title = (
                f"{text('pipeline_title', language)}: {self._selection_title()}"
                if rows.height
                else text("no_data", language)
            )

    def _draw_destinations(self, figure: go.Figure) -> None:
        language = self.language
        rows = destination_rows(
            self.destinations, self.advice, self.profession_code, self.institution_code
        )
        names = (
            dict(self.advice.table.select("programme_code", "programme_name").iter_rows())
            if self.advice is not None
            else {}
        )
        labels = [str(names.get(code) or code) for code in rows["programme_code"]]
        with figure.batch_update():
            set_separators(figure, language)
            hired, kept = figure.data
            hired.y, hired.x = labels, rows["hired_per_100"].to_list()
            hired.name = text("destinations_hired", language)
            kept.y, kept.x = labels, rows["kept_per_100"].to_list()
            kept.name = text("destinations_kept", language)
            figure.layout.height = max(360, 26 * len(labels) + 160)
            figure.layout.yaxis.dtick = 1
            figure.layout.title = (
                text("destinations_title", language) if rows.height else text("no_data", language)
            )

    def _profession_title(self) -> str:
        if self.profession_code is None:
            return text("all_profession", self.language)
        return self.names.get(self.profession_code, self.language.value)

    def _selection_title(self) -> str:
        institution = self.institution.label or text("all_institution", self.language)
        return f"{self._profession_title()} · {institution}"

    def _show_table(self) -> None:
        language = self.language
        rows = self.advice_rows()
        if rows.is_empty():
            self.table.value = empty_state_html(language)
            return
        year = self.advice.horizon_year if self.advice is not None else ""
        headers = [
            text(f"col_{c}", language, year=year)
            for c in (
                "rank",
                "programme",
                "level",
                "institution",
                "profession",
                "status",
                "current_intake",
                "step",
                "closed",
                "earliest",
                "extra",
                "interval",
                "assumptions",
            )
        ]
        body = []
        for row in rows.head(TABLE_ROWS).iter_rows(named=True):
            body.append(
                [
                    str(row["rank"]),
                    str(row["programme_name"] or ""),
                    str(row["level"] or ""),
                    str(
                        row["institution_name"]
                        or row["institution_code"]
                        or text("region", language)
                    ),
                    self.names.get(row["profession_code"], language.value),
                    status_text(row["status"], row["years_to_close"], language.value),
                    format_number(row["current_intake"], language=language),
                    f"{format_number(row['first_year_extra_intake'], language=language)} "
                    f"({row['first_cohort']})",
                    format_percent(row["closed_share"], digits=0, language=language),
                    str(row["earliest_year"] or "\u2013"),
                    format_number(row["extra_intake_per_year"], language=language),
                    format_interval(
                        row["extra_intake_per_year_lo_80"],
                        row["extra_intake_per_year_hi_80"],
                        language=language,
                    ),
                    # The sentence only: the growth limit is on the tiles, the other levers'
                    # numbers in the download.
                    str(row["advice_nl" if language == Language.nl else "advice_en"]),
                ]
            )
        numeric = [
            True,
            False,
            False,
            False,
            False,
            False,
            True,
            True,
            True,
            False,
            True,
            True,
            False,
        ]
        self.table.value = (
            section_title(text("advice_title", language))
            + "<div style='max-height:80vh;overflow:auto'>"
            + html_table(headers, body, css_class="wf-advice", numeric=numeric)
            + "</div>"
        )

    def _show_downloads(self) -> None:
        language = self.language
        if self.advice is None or self.advice.table.is_empty():
            self.downloads.value = ""
            return
        name = f"instroomadvies_{self.advice.horizon_year}_{self.target.value}"
        self.downloads.value = (
            "<div class='wf-downloads' style='margin:8px 0'>"
            + download_link(
                text("download_csv", language),
                advice_csv(self.advice.table, language),
                filename=f"{name}.csv",
                mime="text/csv;charset=utf-8",
            )
            + download_link(
                text("download_xlsx", language),
                advice_xlsx(self.advice, language),
                filename=f"{name}.xlsx",
                mime=XLSX,
            )
            + "</div>"
        )

    def _show_notice(self) -> None:
        language = self.language
        hints = []
        if self.source is None or self.advice is None:
            hints.append(text("education_hint", language))
        if self.pipeline is None:
            hints.append(text("education_hint", language))
        self.notice.value = (
            empty_state_html(language, " ".join(dict.fromkeys(hints))) if hints else ""
        )

    def _layout(self) -> widgets.VBox:
        row = widgets.Layout(flex_flow="row wrap")
        controls = widgets.HBox(
            [
                self.horizon_year,
                self.target,
                self.profession,
                self.institution,
                self.language_switch,
            ],
            layout=row,
        )
        return widgets.VBox(
            [
                self.title,
                self.banner,
                self.source_line,
                controls,
                self.notice,
                widgets.HBox(list(self.tiles.values()), layout=row),
                self.help,
                self.gap_plot,
                self.graduates_plot,
                self.pipeline_plot,
                self.destinations_plot,
                self.downloads,
                self.table,
            ]
        )
