"""The regions page: the three regions side by side, a municipality map and drill-down.

For HR directors who compare regions before anything else. A region selector chooses one
region or the three together (moves between chosen regions are then internal, not in- or
outflow); a second selector chooses what the map shows. Numbers come from
:func:`workforce.regional.compare_regions` and :func:`workforce.regional.municipality_figures`
on the marts (and the shortage forecast when there is one); nothing is computed here.

The notebook ``dashboards/regions.ipynb`` shows the tiles first (see
:mod:`workforce.dashboards.preview`)::

    from workforce.dashboards.regions import RegionsApp
    app = RegionsApp.from_data_dir(charts=False); app.show_preview()
    # next cell
    app.draw_charts(); app.container
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets
import plotly.graph_objects as go
import polars as pl

from workforce.dashboards.app import App, figure_output
from workforce.dashboards.data import data_dir_from_env, forecast_run_id, load_names
from workforce.dashboards.format import Language, format_month, format_number, format_percent
from workforce.dashboards.page_text import html_table, section_title
from workforce.dashboards.provenance import (
    UNKNOWN,
    Provenance,
    demo_banner_html,
    forecast_source,
    read_provenance,
    source_html,
    staff_source,
)
from workforce.dashboards.regions.figures import (
    comparison_figure,
    map_figure,
    moves_figure,
    municipality_figure,
    tension_figure,
)
from workforce.dashboards.regions.texts import say
from workforce.dashboards.widgets import (
    dropdown,
    empty_state_html,
    headline_tile,
    language_switch,
    set_tile,
)
from workforce.marts.residence import RESIDENCE_MARTS, UNKNOWN_RESIDENCE
from workforce.privacy import DEFAULT_K
from workforce.reference import load_reference
from workforce.regional.comparison import AREA, RegionComparison, compare_regions
from workforce.regional.data import MissingMartsError, RegionalMarts, load_marts
from workforce.regional.geo import BOUNDARY_SOURCE, municipality_shapes, region_shapes
from workforce.regional.municipalities import MEASURES, municipality_figures
from workforce.regional.published import (
    AREA_REGIONS,
    NATIONAL_EMPLOYEES_2020,
    NATIONAL_SHORTAGE_IN_TEN_YEARS,
    NATIONAL_SOURCE_EMPLOYEES,
    NATIONAL_SOURCE_SHORTAGE,
    PUBLISHED_AREA_SHORTAGE_2022,
    PUBLISHED_AREA_SHORTAGE_2031,
    REGION_NAMES,
    REGIONAL_SOURCE,
)
from workforce.regional.residence import commuting_shares, residence_figures
from workforce.regional.stored_comparison import (
    PROJECTED_YEAR,
    comparison_key,
    compute_comparison,
    marts_regions,
    read_comparison,
)
from workforce.store import Store, StoreError

if TYPE_CHECKING:
    from workforce.regional.projection import ProjectedShortage

TILES = ("staff", "shortage_now", "share_now", "retention", "time_to_fill", "moves_out")
ALL = "all"
"""The selector's value for the three regions together."""
WORK, HOME = "work", "home"
"""The map's places: where the staff work, or where they live."""


def read_residence(data_dir: Path) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """The marts of staff by residence and of commuting, or ``None`` (built before them)."""
    store = Store(data_dir)
    frames: list[pl.DataFrame | None] = []
    for name in RESIDENCE_MARTS:
        try:
            frames.append(store.read_mart(name) if store.mart_path(name).is_file() else None)
        except (StoreError, OSError, pl.exceptions.PolarsError):
            frames.append(None)
    residence, commuting = frames
    if (
        residence is not None
        and residence.filter(pl.col("residence_municipality_code") != UNKNOWN_RESIDENCE)
        .filter(pl.col("residence_municipality_code") != "total")
        .is_empty()
    ):
        return None, None  # the extracts name no residence
    return residence, commuting


class RegionsApp(App):
    """Region (one or all three) and map measure; tiles, the comparison table and five charts.

    State lives in the widgets: set ``app.scope.value`` (``all`` or a region code) or
    ``app.measure.value`` and the figures (``comparison_figure``, ``map_figure``,
    ``municipality_figure``, ``tension_figure``, ``moves_figure``) follow, each shown whole
    in its ``Output``. :attr:`comparison` is the package's comparison shown: ``comparison``
    when given (the stored one, see :meth:`from_data_dir`), else computed from ``marts`` with
    ``forecasts`` and ``together``.
    """

    def __init__(
        self,
        *,
        marts: RegionalMarts | None,
        forecasts: pl.DataFrame | None = None,
        together: ProjectedShortage | None = None,
        comparison: RegionComparison | None = None,
        provenance: Provenance = UNKNOWN,
        run_id: str = "",
        language: Language = Language.nl,
        k: int = DEFAULT_K,
        charts: bool = True,
        residence: pl.DataFrame | None = None,
        commuting: pl.DataFrame | None = None,
    ) -> None:
        super().__init__()
        self.marts, self.language, self.k = marts, language, k
        self.residence, self.commuting = residence, commuting
        reference = load_reference()
        self._names = load_names()
        self._profession_codes = reference.profession_codes()
        self.region_names = {
            code: REGION_NAMES.get(code, self._names.get(code)) for code in AREA_REGIONS
        }
        self.municipality_names = dict(
            reference.municipalities.select("municipality_code", "municipality_name").iter_rows()
        )
        self.profession_names: dict[str, str] = {}
        self.regions = marts_regions(marts) if marts is not None else list(AREA_REGIONS)
        self.comparison: RegionComparison | None = comparison
        self.problem = "workforce build"
        if marts is not None and comparison is None:
            try:
                self.comparison = compare_regions(
                    marts,
                    regions=self.regions,
                    forecasts=forecasts,
                    projected_year=PROJECTED_YEAR,
                    together=together,
                    k=k,
                )
            except MissingMartsError as error:
                self.problem = str(error)
        self.shapes = municipality_shapes()
        self.region_outlines = {
            code: shape for code, shape in region_shapes().items() if code in self.regions
        }
        self._municipal: dict[tuple[str, str], pl.DataFrame] = {}

        self._provenance, self._run_id = provenance, run_id
        self._has_residence = residence is not None
        self.title = widgets.HTML()
        self.language_switch = language_switch(language)
        self.scope = dropdown("", [])
        self.measure = dropdown("", [])
        self.place = dropdown("", [])
        self.commuting_note = widgets.HTML()
        self.tiles = {name: headline_tile("", "") for name in TILES}
        self.table = widgets.HTML()
        self.context = widgets.HTML()
        self.notice = widgets.HTML()
        self.banner = widgets.HTML()
        self.source_line = widgets.HTML()
        self._label_page()
        self.comparison_figure = go.Figure()
        self.map_figure = go.Figure()
        self.municipality_figure = go.Figure()
        self.tension_figure = go.Figure()
        self.moves_figure = go.Figure()
        self.comparison_plot = figure_output()
        self.map_plot = figure_output()
        self.municipality_plot = figure_output()
        self.tension_plot = figure_output()
        self.moves_plot = figure_output()
        self.charts_drawn = False
        self._draw()  # the tiles; the charts too once drawn
        if charts:
            self.draw_charts()
        self.on_change(self.scope, self._draw)
        self.on_change(self.measure, self._draw)
        self.on_change(self.place, self._draw)
        self.on_change(self.language_switch, self._on_language)
        self.container = self._layout()

    def _label_page(self) -> None:
        """Every fixed text, label and option name in the current language; the choices stay."""
        language = self.language
        self.region_names[AREA] = say("total", language)
        self.profession_names = {
            code: self._names.get(code, language.value) for code in self._profession_codes
        }
        self.title.value = (
            f"<h2 style='font-family:sans-serif'>{html.escape(say('title', language))}</h2>"
        )
        self.banner.value = demo_banner_html(self._provenance, language)
        sources = [
            staff_source(self._provenance, language),
            REGIONAL_SOURCE.removeprefix("Bron: "),
        ]
        if self._run_id:
            sources.append(forecast_source(self._run_id, language))
        self.source_line.value = source_html(sources, self._provenance, language)
        scopes = [(say("all_regions", language), ALL)] if len(self.regions) > 1 else []
        scopes += [(self.region_names[code], code) for code in self.regions]
        places = [(say("place_work", language), WORK)]
        if self._has_residence:
            places.append((say("place_home", language), HOME))
        for control, key, options in (
            (self.scope, "scope", scopes),
            (self.measure, "measure", [(say(name, language), name) for name in MEASURES]),
            (self.place, "place", places),
        ):
            control.description = say(key, language)
            self.fill(control, options)

    def _on_language(self) -> None:
        self.language = Language(self.language_switch.value)
        self._label_page()
        if self.charts_drawn:
            self._draw_fixed()
        self._draw()

    @classmethod
    def from_data_dir(
        cls, data_dir: Path | None = None, *, language: Language = Language.nl, charts: bool = True
    ) -> RegionsApp:
        """The page on ``data_dir`` (default ``$WORKFORCE_DATA``): its marts and the
        comparison of its regions with the shortage forecast, as ``workforce forecast`` or
        ``workforce regional`` stored it (computed afresh when stale or missing).
        ``charts=False`` shows the tiles only, until :meth:`draw_charts`."""
        data_dir = data_dir or data_dir_from_env()
        try:
            marts: RegionalMarts | None = load_marts(data_dir)
        except MissingMartsError:
            marts = None
        residence, commuting = read_residence(data_dir)
        comparison = None
        if marts is not None:
            regions = marts_regions(marts)
            comparison = read_comparison(data_dir, comparison_key(data_dir, regions))
            if comparison is None:
                try:
                    comparison = compute_comparison(data_dir, marts, regions)
                except MissingMartsError:
                    comparison = None  # the page names what is missing
        return cls(
            marts=marts,
            comparison=comparison,
            provenance=read_provenance(data_dir),
            run_id=forecast_run_id(data_dir),
            language=language,
            charts=charts,
            residence=residence,
            commuting=commuting,
        )

    # State -------------------------------------------------------------------------------------

    @property
    def chosen(self) -> list[str]:
        """The region codes the selector chooses."""
        return list(self.regions) if self.scope.value == ALL else [str(self.scope.value)]

    @property
    def scope_code(self) -> str:
        """The comparison row of the choice: a region code, or :data:`AREA`."""
        return AREA if self.scope.value == ALL else str(self.scope.value)

    def municipal(self) -> pl.DataFrame:
        """Municipality figures of the choice (disclosed), computed once per choice."""
        if self.place.value == HOME and self.residence is not None:
            key = (str(self.scope.value), HOME)
            if key not in self._municipal:
                self._municipal[key] = residence_figures(
                    self.residence,
                    self.chosen,
                    together=self.scope.value == ALL,
                    area=self.regions,
                )
            return self._municipal[key]
        key = (str(self.scope.value), str(self.measure.value))
        if key not in self._municipal and self.marts is not None:
            self._municipal[key] = municipality_figures(
                self.marts, regions=self.chosen, measure=key[1], k=self.k
            )
        return self._municipal[key]

    # Drawing -----------------------------------------------------------------------------------

    def draw_charts(self) -> None:
        """Draw the comparison, its table and every chart (a page built with ``charts=False``
        shows its tiles first)."""
        self.charts_drawn = True
        self._draw_fixed()
        self._draw()

    def show_preview(self) -> None:
        """Show the title and the tiles as the page's first screen."""
        from workforce.dashboards.preview import show_preview

        show_preview(
            [self.title, self.banner, self.source_line, self.notice], list(self.tiles.values())
        )

    def _draw_fixed(self) -> None:
        """What does not depend on the selectors: the comparison chart, table and context."""
        language = self.language
        if self.comparison is None:
            self.notice.value = empty_state_html(language, self.problem)
            return
        month = format_month(self.comparison.month, language)
        self.comparison_figure = comparison_figure(
            self.comparison.table, self.region_names, month, language
        )
        self.show(self.comparison_plot, self.comparison_figure)
        self.table.value = self._table_html()
        self.context.value = self._context_html()
        self.commuting_note.value = self._commuting_html()

    def _draw(self) -> None:
        if self.comparison is None:
            self.notice.value = empty_state_html(self.language, self.problem)
            return
        self._show_tiles()
        if not self.charts_drawn:
            return
        language = self.language
        scope_name = (
            say("all_regions", language)
            if self.scope_code == AREA
            else self.region_names[self.scope_code]
        )
        home = self.place.value == HOME
        self.measure.disabled = home  # by residence the map shows staff only
        measure = say("residence" if home else str(self.measure.value), language)
        figures = self.municipal()
        self.map_figure = map_figure(
            self.shapes,
            self.region_outlines,
            figures,
            title=say("map_title", language, measure=measure, scope=scope_name),
            names=self.municipality_names,
            language=language,
        )
        self.municipality_figure = municipality_figure(
            figures,
            title=say("municipality_title", language, measure=measure, scope=scope_name),
            names=self.municipality_names,
            language=language,
        )
        self.tension_figure = tension_figure(
            self.comparison.tension,
            self.chosen,
            title=say("tension_title", language, scope=scope_name),
            region_names=self.region_names,
            profession_names=self.profession_names,
            language=language,
        )
        self.moves_figure = moves_figure(
            self.comparison.moves,
            self.chosen,
            self.regions,
            title=say("moves_title", language, scope=scope_name),
            region_names=self.region_names,
            language=language,
        )
        for output, figure in (
            (self.map_plot, self.map_figure),
            (self.municipality_plot, self.municipality_figure),
            (self.tension_plot, self.tension_figure),
            (self.moves_plot, self.moves_figure),
        ):
            self.show(output, figure)

    def _row(self) -> dict[str, object]:
        assert self.comparison is not None
        table = self.comparison.table
        return table.filter(pl.col("region_code") == self.scope_code).row(0, named=True)

    def _show_tiles(self) -> None:
        language = self.language
        row = self._row()

        def number(value: object, digits: int = 0) -> str:
            return format_number(value if isinstance(value, int | float) else None, digits=digits,
                                 language=language)  # fmt: skip

        def percent(value: object) -> str:
            return format_percent(value if isinstance(value, float) else None, language=language)

        published = row.get("published_share_2022")
        set_tile(self.tiles["staff"], say("staff", language), number(row["headcount"]))
        set_tile(
            self.tiles["shortage_now"],
            say("shortage_now", language),
            number(row["shortage_persons"]),
            f"{number(row['shortage_fte'])} fte",
        )
        set_tile(
            self.tiles["share_now"],
            say("share_now", language),
            percent(row["shortage_share"]),
            f"{say('share_2022', language)}: {percent(row['shortage_share_2022'])}"
            + (f" / {percent(published)}" if isinstance(published, float) else ""),
        )
        set_tile(self.tiles["retention"], say("retention", language), percent(row["retention_12"]))
        set_tile(
            self.tiles["time_to_fill"],
            say("time_to_fill", language),
            number(row["median_days_to_fill"]),
        )
        set_tile(
            self.tiles["moves_out"],
            say("moves_out", language),
            number(row["moves_out"]),
            f"{say('moves_in', language)}: {number(row['moves_in'])}",
        )

    def _table_html(self) -> str:
        """Every region and the three together, one column each, with the source lines."""
        assert self.comparison is not None
        language = self.language
        table = self.comparison.table
        rows = table.iter_rows(named=True)
        columns = list(rows)

        def fmt(value: object, kind: str) -> str:
            if not isinstance(value, int | float):
                return "-"
            if kind == "percent":
                return format_percent(float(value), language=language)
            return format_number(float(value), digits=1 if kind == "rate" else 0, language=language)

        year = next((r["projected_year"] for r in columns if r.get("projected_year")), None)
        lines = [
            ("staff", "headcount", "number"),
            ("shortage_now", "shortage_persons", "number"),
            ("shortage_fte", "shortage_fte", "number"),
            ("share_now", "shortage_share", "percent"),
            ("data_2022", "shortage_share_2022", "percent"),
            ("published_2022", "published_share_2022", "percent"),
            ("vacancy_rate", "vacancies_per_1000_jobs", "rate"),
            ("time_to_fill", "median_days_to_fill", "number"),
            ("turnover", "turnover_rate", "percent"),
            ("retention", "retention_12", "percent"),
            ("moves_out", "moves_out", "number"),
            ("moves_in", "moves_in", "number"),
            ("published_2031", "published_shortage_2031", "number"),
        ]
        body = [
            [say(key, language, year=year or "")] + [fmt(r.get(column), kind) for r in columns]
            for key, column, kind in lines
        ]
        body.append(
            [say("projected", language, year=year or "2031")]
            + [
                fmt(r.get("projected_shortage_persons"), "number")
                if year
                else say("no_forecast", language)
                for r in columns
            ]
        )
        if year:
            body.append(
                [say("projected_interval", language, year=year)]
                + [
                    say(
                        "interval_value",
                        language,
                        lo=fmt(r.get("projected_shortage_persons_lo_80"), "number"),
                        hi=fmt(r.get("projected_shortage_persons_hi_80"), "number"),
                    )
                    if r.get("projected_shortage_persons_lo_80") is not None
                    else "-"
                    for r in columns
                ]
            )
        headers = [say("figure", language)] + [
            self.region_names.get(str(r["region_code"]), str(r["region_code"])) for r in columns
        ]
        note = html.escape(say("data_note", language, k=self.k))
        return (
            html_table(headers, body, numeric=[False] + [True] * len(columns))
            + f"<div style='font-family:sans-serif;font-size:11px;color:#57606a'>{note}<br>"
            + f"{html.escape(REGIONAL_SOURCE)}</div>"
        )

    def _commuting_html(self) -> str:
        """One line per region: the share of its staff living in another region, and where."""
        language = self.language
        title = section_title(say("commuting_title", language))
        if self.commuting is None:
            return title + empty_state_html(language, say("commuting_none", language))
        shares = commuting_shares(self.commuting)
        lines = []
        for region in self.regions:
            rows = shares.filter(pl.col("work_region_code") == region)
            others = rows.filter(pl.col("residence_region_code") != region)
            elsewhere = others.filter(pl.col("residence_region_code") != UNKNOWN_RESIDENCE)
            if rows.is_empty() or elsewhere["suppressed"].any():
                continue
            parts = [
                say(
                    "commuting_other",
                    language,
                    n=format_number(n, language=language),
                    region=self.region_names.get(code, code),
                )
                for code, n in elsewhere.select("residence_region_code", "persons").iter_rows()
            ]
            unknown = others.filter(pl.col("residence_region_code") == UNKNOWN_RESIDENCE)
            if unknown.height and not unknown["suppressed"].any():
                n = format_number(unknown["persons"][0], language=language)
                parts.append(say("commuting_unknown", language, n=n))
            share = elsewhere["share"].sum()
            lines.append(
                say(
                    "commuting_line",
                    language,
                    region=self.region_names.get(region, region),
                    share=format_percent(float(share), language=language),
                    others=", ".join(parts),
                )
            )
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        return title + f"<ul style='font-family:sans-serif;font-size:13px'>{items}</ul>"

    def _context_html(self) -> str:
        language = self.language

        def number(value: int) -> str:
            return format_number(value, language=language)

        items = [
            (say("context_employees", language, value=number(NATIONAL_EMPLOYEES_2020)),
             NATIONAL_SOURCE_EMPLOYEES),
            (say("context_shortage", language, value=number(NATIONAL_SHORTAGE_IN_TEN_YEARS)),
             NATIONAL_SOURCE_SHORTAGE),
            (say("context_area", language, value=number(PUBLISHED_AREA_SHORTAGE_2022),
                 value_2031=number(PUBLISHED_AREA_SHORTAGE_2031)), REGIONAL_SOURCE),
        ]  # fmt: skip
        lines = "".join(
            f"<li>{html.escape(statement)} <span style='color:#57606a;font-size:11px'>"
            f"({html.escape(source)})</span></li>"
            for statement, source in items
        )
        return (
            section_title(say("context_title", language))
            + f"<ul style='font-family:sans-serif;font-size:13px'>{lines}</ul>"
        )

    def _layout(self) -> widgets.Box:
        row = widgets.Layout(flex_flow="row wrap")
        source = widgets.HTML(
            f"<div style='font-family:sans-serif;font-size:11px;color:#57606a'>"
            f"{html.escape(BOUNDARY_SOURCE)}</div>"
        )
        return widgets.VBox(
            [
                self.title,
                self.banner,
                self.source_line,
                self.language_switch,
                self.notice,
                # The choice and its tiles first, as on the other pages; the regions side by
                # side below them, then the map and the charts that follow the choice.
                widgets.HBox([self.scope, self.measure, self.place], layout=row),
                widgets.HBox(list(self.tiles.values()), layout=row),
                self.comparison_plot,
                self.table,
                self.context,
                widgets.HBox([self.map_plot, self.municipality_plot], layout=row),
                source,
                self.commuting_note,
                self.tension_plot,
                self.moves_plot,
            ]
        )
