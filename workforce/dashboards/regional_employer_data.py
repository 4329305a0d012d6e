"""The regional-employer page's numbers without widgets: files, headlines, nodes, scenarios, views.

Reads what ``workforce forecast`` and ``workforce regional`` wrote; a view for one employer is
computed by the package's disclosure-controlled functions (``Viewer(employer_id)``), never by
filtering a table here. Missing files give ``None`` or empty frames (shown as "geen gegevens").
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from workforce.dashboards.data import ALL, read_forecast
from workforce.dashboards.shortage_ranking import one_employer_nodes
from workforce.privacy import DEFAULT_K, SUPPRESSED, TOTAL, Viewer
from workforce.regional.data import MissingMartsError, RegionalMarts, load_marts
from workforce.scenario.spec import Lever, Scenario, scenario_of, within_regions
from workforce.store import Store

REGIONAL_FILES = (
    "kpis",
    "retention",
    "retirement_wave",
    "sector_flows",
    "employer_flows",
    "flex_pool",
    "benchmarks",
    "sick_leave",
    "pooled_vacancies",
    "employer_regions",
)
SICK_LEAVE_ALL = "other_care_welfare"
"""The sector whose sick-leave branch is all of care and welfare (SBI Q): shown for all sectors."""
SHORTAGE_YEARS = (1, 3, 5)
"""Years ahead of the headline shortage tiles."""
MONTHLY_HORIZON = 36
"""The outlook is monthly for its first 36 months, yearly after."""
SHORTAGE_COLUMNS = (
    "shortage_fte",
    "shortage_fte_lo_80",
    "shortage_fte_hi_80",
    "shortage_fte_lo_95",
    "shortage_fte_hi_95",
)
NODE_SCHEMA = {"month": pl.Date, "horizon": pl.Int64, **dict.fromkeys(SHORTAGE_COLUMNS, pl.Float64)}

LEVERS: dict[str, tuple[float, float, float]] = {
    "retention": (0, 30, 1),
    "hours": (-2, 4, 0.5),
    "intake": (0, 50, 5),
    "inflow": (0, 2000, 100),
    "regional_pool": (0, 100, 5),
    "dropout": (0, 50, 5),
    "upskilling": (0, 10, 1),
    "task_shift": (0, 20, 1),
    "demand_growth": (0, 50, 5),
}
"""Scenario sliders: lever kind -> (minimum, maximum, step); zero is the baseline. Together they
cover the three pillars: blijven leren (upskilling), kiezen voor de zorg (retention, intake,
dropout, career changers), anders werken (hours, task shifting, technology, regional pool)."""


@dataclass(frozen=True)
class RegionalFiles:
    """``<data>/regional/*.parquet`` (``None`` when absent) and ``regional.json``'s headline."""

    tables: dict[str, pl.DataFrame | None] = field(default_factory=dict)
    headline: dict[str, object] = field(default_factory=dict)
    regions: dict[str, dict[str, object]] = field(default_factory=dict)
    """Each region's headline when ``workforce regional`` split the figures by region."""
    region: str | None = None
    """The region these files show (``None``: the regions together)."""
    _kpi_cells: dict[tuple[str, str], pl.DataFrame] = field(
        default_factory=dict, compare=False, repr=False
    )

    def get(self, name: str) -> pl.DataFrame | None:
        return self.tables.get(name)

    def kpi_cell(self, sector: str | None, profession: str | None) -> pl.DataFrame:
        """The published KPI rows of one sector x profession (``None``: the total).

        The table is split by cell once, on first use: a filter change then looks its cell up
        instead of scanning every cell's rows again.
        """
        if not self._kpi_cells:
            frame = published(self.get("kpis"))
            if frame.is_empty():
                return frame
            self._kpi_cells.update(
                ((str(key[0]), str(key[1])), part)
                for key, part in frame.partition_by(
                    "sector_code", "profession_code", as_dict=True
                ).items()
            )
        key = (sector or TOTAL, profession or TOTAL)
        return self._kpi_cells.get(key, self._kpi_cells[next(iter(self._kpi_cells))].clear())

    def for_region(self, region: str | None) -> RegionalFiles:
        """The files of one region (``None``: the regions together): the rows of the tables
        split by region, those per employer included (each region computed alone)."""
        if region is None and self.region is None and not self.regions:
            return self
        tables = {name: region_rows(frame, region) for name, frame in self.tables.items()}
        headline = dict(self.regions.get(region, {})) if region is not None else self.headline
        if "k" not in headline and "k" in self.headline:
            headline["k"] = self.headline["k"]
        return RegionalFiles(tables=tables, headline=headline, regions={}, region=region)

    @property
    def region_codes(self) -> list[str]:
        """The regions the figures are split by (none for one region)."""
        return sorted(self.regions)

    @property
    def k(self) -> int:
        value = self.headline.get("k", DEFAULT_K)
        return int(value) if isinstance(value, int | float) else DEFAULT_K


def read_regional(data_dir: Path) -> RegionalFiles:
    """What ``workforce regional`` wrote under ``data_dir``; empty when it has not run."""
    folder = Store(data_dir).regional
    tables: dict[str, pl.DataFrame | None] = {}
    for name in REGIONAL_FILES:
        path = folder / f"{name}.parquet"
        try:
            tables[name] = pl.read_parquet(path) if path.is_file() else None
        except (OSError, pl.exceptions.PolarsError):
            tables[name] = None
    headline: dict[str, object] = {}
    regions: dict[str, dict[str, object]] = {}
    try:
        manifest = json.loads((folder / "regional.json").read_text(encoding="utf-8"))
        headline = dict(manifest.get("headline") or {})
        regions = {str(c): dict(h) for c, h in (manifest.get("regions") or {}).items()}
    except (OSError, ValueError, AttributeError):
        pass
    return RegionalFiles(tables=tables, headline=headline, regions=regions)


def region_rows(frame: pl.DataFrame | None, region: str | None) -> pl.DataFrame | None:
    """A table's rows of ``region`` (``None``: the regions together) without ``region_code``;
    tables not split by region unchanged."""
    if frame is None or "region_code" not in frame.columns:
        return frame
    return frame.filter(pl.col("region_code") == (region or TOTAL)).drop("region_code")


def read_marts(data_dir: Path) -> RegionalMarts | None:
    """The marts a per-employer view is computed from, or ``None`` when they are not built."""
    try:
        return load_marts(data_dir)
    except (MissingMartsError, OSError, pl.exceptions.PolarsError):
        return None


def read_shortage(data_dir: Path) -> pl.DataFrame | None:
    """``forecasts/shortage.parquet`` or ``None``."""
    return read_forecast(data_dir, "shortage")


# Outlook nodes -----------------------------------------------------------------------------


def node_key(sector: str | None, profession: str | None) -> tuple[str, str]:
    """The key of a node: sector and profession codes, :data:`ALL` for a total."""
    return (sector or ALL, profession or ALL)


def region_outlook(shortage: pl.DataFrame | None, region: str | None) -> pl.DataFrame | None:
    """The outlook rows of one region (``None``: the regions together, or the one region)."""
    if shortage is None or region is None:
        return shortage
    return shortage.filter(pl.col("region_code") == region)


def partition_nodes(
    shortage: pl.DataFrame | None, region: str | None = None
) -> dict[tuple[str, str], pl.DataFrame]:
    """The shortage outlook per node key, monthly for 36 months and yearly after, by horizon;
    of ``region``, or with several regions and no choice, of all of them together."""
    shortage = region_outlook(shortage, region)
    if shortage is None or shortage.is_empty():
        return {}
    frame = (
        one_employer_nodes(shortage)
        .filter((pl.col("resolution") == "month") | (pl.col("horizon") > MONTHLY_HORIZON))
        .with_columns(
            pl.col("sector_code").fill_null(ALL).alias("_sector"),
            pl.col("profession_code").fill_null(ALL).alias("_profession"),
        )
    )
    parts = frame.partition_by("_sector", "_profession", as_dict=True)
    return {
        (str(key[0]), str(key[1])): part.sort("horizon").select(
            pl.col("month").cast(pl.Date),
            pl.col("horizon").cast(pl.Int64),
            *(pl.col(c).cast(pl.Float64) for c in SHORTAGE_COLUMNS),
        )
        for key, part in parts.items()
    }


def empty_node() -> pl.DataFrame:
    return pl.DataFrame(schema=NODE_SCHEMA)


@dataclass(frozen=True)
class ShortageAt:
    """The expected shortage (FTE) of a node ``years`` ahead, with its 80 % interval."""

    years: int
    month: dt.date | None
    fte: float | None
    lo_80: float | None
    hi_80: float | None


def shortage_at(node: pl.DataFrame, years: int) -> ShortageAt:
    """The node's shortage ``years`` after the origin (horizon ``12 * years``)."""
    row = node.filter(pl.col("horizon") == 12 * years)
    if row.is_empty():
        return ShortageAt(years, None, None, None, None)
    first = row.row(0, named=True)
    return ShortageAt(
        years,
        first["month"],
        first["shortage_fte"],
        first["shortage_fte_lo_80"],
        first["shortage_fte_hi_80"],
    )


def until_horizon(node: pl.DataFrame, years: int) -> pl.DataFrame:
    """The node's rows up to ``years`` ahead."""
    return node.filter(pl.col("horizon") <= 12 * years)


@dataclass(frozen=True)
class RegionalHeadlines:
    """The numbers of the headline tiles (from ``workforce regional`` and the outlook)."""

    month: str | None
    headcount: float | None
    fte: float | None
    open: float | None
    vacancy_rate: float | None
    turnover_rate_12m: float | None
    internal_mobility_rate_12m: float | None
    shortage: tuple[ShortageAt, ...]


def _number(headline: dict[str, object], key: str) -> float | None:
    value = headline.get(key)
    return float(value) if isinstance(value, int | float) else None


def node_headline(
    kpis: pl.DataFrame | None, sector: str | None, profession: str | None
) -> dict[str, object]:
    """The headline figures of one sector x profession from the published KPIs: staff, FTE,
    vacancies and vacancy rate in the latest month, turnover and mobility over its last year.

    Empty for a suppressed cell.
    """
    frame = published(kpis)
    if frame.is_empty():
        return {}
    cell = frame.filter(
        (pl.col("sector_code") == (sector or TOTAL))
        & (pl.col("profession_code") == (profession or TOTAL))
    )
    monthly = cell.filter(pl.col("period_type") == "month").sort("period")
    if monthly.is_empty():
        return {}
    last = monthly.row(-1, named=True)
    month = last["period"]
    year = monthly.filter(pl.col("period") > month.replace(year=month.year - 1))
    hires_leavers = year.select(
        pl.col("regional_leavers").sum(),
        pl.col("internal_moves").sum(),
        pl.col("avg_headcount").mean(),
    ).row(0, named=True)
    average = hires_leavers["avg_headcount"] or 0
    return {
        "month": f"{month:%Y-%m}",
        "headcount": last["headcount"],
        "fte": last["fte"],
        "open": last["open"],
        "vacancy_rate": last["vacancy_rate"],
        "turnover_rate_12m": hires_leavers["regional_leavers"] / average if average else None,
        "internal_mobility_rate_12m": (
            hires_leavers["internal_moves"] / average if average else None
        ),
    }


def regional_headlines(
    headline: dict[str, object],
    node: pl.DataFrame,
    years: tuple[int, ...] = SHORTAGE_YEARS,
) -> RegionalHeadlines:
    """Headline figures of the node shown (``headline``) and its shortage ``years`` ahead."""
    month = headline.get("month")
    return RegionalHeadlines(
        month=str(month) if month else None,
        headcount=_number(headline, "headcount"),
        fte=_number(headline, "fte"),
        open=_number(headline, "open"),
        vacancy_rate=_number(headline, "vacancy_rate"),
        turnover_rate_12m=_number(headline, "turnover_rate_12m"),
        internal_mobility_rate_12m=_number(headline, "internal_mobility_rate_12m"),
        shortage=tuple(shortage_at(node, n) for n in years),
    )


# Scenarios ----------------------------------------------------------------------------------


def levers_scenario(values: dict[str, float], region: str | None = None) -> Scenario:
    """A scenario of the slider values (zero values left out): for the whole area, or with
    every lever that can be scoped to a region kept inside ``region``."""
    levers = [Lever(kind, float(value)) for kind, value in values.items() if value]
    scenario = scenario_of("dashboard", *levers)
    return within_regions(scenario, [region]) if region is not None else scenario


def scenario_node(
    view: pl.DataFrame, sector: str | None, profession: str | None, region: str | None = None
) -> pl.DataFrame:
    """One node's rows of a :meth:`ScenarioEngine.recompute` result (``month``, shortage);
    of ``region``, or with several regions and no choice, of all of them together."""
    view = (
        view.filter(pl.col("region_code") == region)
        if region is not None
        else one_employer_nodes(view)
    )
    sector_match = (
        pl.col("sector_code").is_null() if sector is None else pl.col("sector_code") == sector
    )
    profession_match = (
        pl.col("profession_code").is_null()
        if profession is None
        else pl.col("profession_code") == profession
    )
    return view.filter(sector_match & profession_match).sort("month")


# Regional tables ----------------------------------------------------------------------------


def published(frame: pl.DataFrame | None) -> pl.DataFrame:
    """Rows that are not suppressed (all rows of a table without the flag)."""
    if frame is None:
        return pl.DataFrame()
    return frame.filter(~pl.col(SUPPRESSED)) if SUPPRESSED in frame.columns else frame


def retention_trend(retention: pl.DataFrame | None, profession: str | None) -> pl.DataFrame:
    """Retention after 12 months of new hires per cohort year (published cells only)."""
    frame = published(retention)
    if frame.is_empty():
        return pl.DataFrame(schema={"cohort_year": pl.Int64, "retention_12": pl.Float64})
    return (
        frame.filter(
            (pl.col("cohort") == "new_hires")
            & (pl.col("profession_code") == (profession or TOTAL))
            & pl.col("retention_12").is_not_null()
        )
        .select(pl.col("cohort_year").cast(pl.Int64), pl.col("retention_12").cast(pl.Float64))
        .sort("cohort_year")
    )


def yearly_kpis(
    kpis: pl.DataFrame | None, sector: str | None, profession: str | None
) -> pl.DataFrame:
    """Per year: regional turnover, internal mobility and median days to fill of a node."""
    schema = {
        "year": pl.Int64,
        "turnover_rate": pl.Float64,
        "internal_mobility_rate": pl.Float64,
        "median_days_to_fill": pl.Float64,
    }
    frame = published(kpis)
    if frame.is_empty():
        return pl.DataFrame(schema=schema)
    return (
        frame.filter(
            (pl.col("period_type") == "year")
            & (pl.col("sector_code") == (sector or TOTAL))
            & (pl.col("profession_code") == (profession or TOTAL))
        )
        .select(
            year=pl.col("period").dt.year().cast(pl.Int64),
            turnover_rate=pl.col("turnover_rate").cast(pl.Float64),
            internal_mobility_rate=pl.col("internal_mobility_rate").cast(pl.Float64),
            median_days_to_fill=pl.col("median_days_to_fill").cast(pl.Float64),
        )
        .sort("year")
    )


def retirement_rows(wave: pl.DataFrame | None, profession: str | None) -> pl.DataFrame:
    """The retirement wave of a profession (or all): per year, people reaching 67."""
    frame = published(wave)
    schema = {"year": pl.Int64, "reaching_pension_age": pl.Int64, "cumulative_share": pl.Float64}
    if frame.is_empty():
        return pl.DataFrame(schema=schema)
    return (
        frame.filter(pl.col("profession_code") == (profession or TOTAL))
        .select(
            pl.col("year").cast(pl.Int64),
            pl.col("reaching_pension_age").cast(pl.Int64),
            pl.col("cumulative_share").cast(pl.Float64),
        )
        .sort("year")
    )


def sick_leave_rows(
    sick_leave: pl.DataFrame | None, sector: str | None, *, years: int = 8
) -> pl.DataFrame:
    """Sick leave per quarter (``period, sbi_label, sick_leave_pct``) of the CBS branch nearest
    ``sector`` (all care and welfare, SBI Q, for every sector), the last ``years`` years."""
    schema = {"period": pl.Date, "sbi_label": pl.String, "sick_leave_pct": pl.Float64}
    if sick_leave is None or sick_leave.is_empty():
        return pl.DataFrame(schema=schema)
    code = sector or SICK_LEAVE_ALL
    rows = (
        sick_leave.filter((pl.col("sector_code") == code) & pl.col("sick_leave_pct").is_not_null())
        .select(
            pl.col("period").cast(pl.Date),
            pl.col("sbi_label").cast(pl.String),
            pl.col("sick_leave_pct").cast(pl.Float64),
        )
        .sort("period")
    )
    if rows.is_empty():
        return pl.DataFrame(schema=schema)
    last = rows["period"].max()
    assert isinstance(last, dt.date)
    return rows.filter(pl.col("period") > last.replace(year=last.year - years))


def flex_rows(flex: pl.DataFrame | None, *, top: int = 15) -> pl.DataFrame:
    """The published professions with the largest separate flex pools (without the total)."""
    flex = published(flex)
    if flex.is_empty():
        return pl.DataFrame(
            schema={
                "profession_code": pl.String,
                "separate_fte": pl.Float64,
                "pooled_fte": pl.Float64,
            }
        )
    return (
        flex.filter(pl.col("profession_code") != TOTAL)
        .sort("separate_fte", descending=True)
        .head(top)
        .select("profession_code", "separate_fte", "pooled_fte")
    )


def flex_total(flex: pl.DataFrame | None) -> dict[str, float] | None:
    """The region's total flex pool row (separate, pooled, gain), or ``None`` (also when
    it is hidden)."""
    total = published(flex)
    if total.is_empty():
        return None
    total = total.filter(pl.col("profession_code") == TOTAL)
    if total.is_empty():
        return None
    row = total.row(0, named=True)
    return {key: float(row[key]) for key in ("separate_fte", "pooled_fte", "pooling_gain_fte")}


# Views per viewer ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewerTables:
    """What one viewer may see of the tables that compare employers (all disclosure-controlled)."""

    viewer: Viewer
    employer_flows: pl.DataFrame | None
    benchmarks: pl.DataFrame | None

    def of_region(self, region: str | None) -> ViewerTables:
        """The tables of one region (``None``: the regions together)."""
        return ViewerTables(
            self.viewer,
            region_rows(self.employer_flows, region),
            region_rows(self.benchmarks, region),
        )


def viewer_tables(
    viewer: Viewer,
    files: RegionalFiles,
    marts: RegionalMarts | None,
) -> ViewerTables:
    """The public tables from ``workforce regional``, or an employer's own view from the marts.

    An employer's view comes from
    :func:`~workforce.regional.employer_split.employer_flows_by_region` and
    :func:`~workforce.regional.employer_split.benchmarks_by_region` with ``viewer``: its own
    cells in full, other employers' small cells hidden, each region alone and the regions
    together disclosed as one (pick one with :meth:`ViewerTables.of_region`).
    """
    if viewer.employer_id is None:
        return ViewerTables(viewer, files.get("employer_flows"), files.get("benchmarks"))
    if marts is None:
        return ViewerTables(viewer, None, None)
    from workforce.regional.employer_split import benchmarks_by_region, employer_flows_by_region

    k = files.k
    return ViewerTables(
        viewer,
        employer_flows_by_region(marts, k=k, viewer=viewer),
        benchmarks_by_region(marts, k=k, viewer=viewer),
    )


def sankey_tables(matrix: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Nodes and links of a disclosed flow matrix (published flows only), or two empty frames."""
    if matrix is None or matrix.is_empty():
        return (
            pl.DataFrame(schema={"index": pl.Int64, "node_id": pl.String, "side": pl.String}),
            pl.DataFrame(schema={"source": pl.Int64, "target": pl.Int64, "value": pl.Int64}),
        )
    from workforce.regional import sankey

    return sankey(matrix)


def benchmark_rows(
    benchmarks: pl.DataFrame | None, metric: str
) -> tuple[pl.DataFrame, float | None]:
    """Published employers' values of ``metric`` (sorted) and the region's value."""
    frame = published(benchmarks)
    if frame.is_empty():
        return pl.DataFrame(schema={"employer_id": pl.String, "value": pl.Float64}), None
    rows = frame.filter((pl.col("metric") == metric) & pl.col("value").is_not_null())
    region = rows.filter(pl.col("employer_id") == TOTAL)
    employers = (
        rows.filter(pl.col("employer_id") != TOTAL)
        .select("employer_id", pl.col("value").cast(pl.Float64))
        .sort("value", "employer_id")
    )
    return employers, (float(region["value"][0]) if region.height else None)


def hidden_count(frame: pl.DataFrame | None) -> int:
    """How many cells of a disclosed table are hidden."""
    if frame is None or SUPPRESSED not in frame.columns:
        return 0
    return int(frame[SUPPRESSED].sum())
