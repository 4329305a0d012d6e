"""``workforce regional``: every regional output computed and written for the dashboards.

Files go to ``<data>/regional/*.parquet``, each written to a temporary name and renamed, with
``regional.json`` listing them (rows, suppressed cells, threshold, last month). Every table
that holds employers, or small groups of people, has passed
:func:`~workforce.privacy.disclose`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from workforce.ingest.cbs import OpenDataError
from workforce.privacy import DEFAULT_K, SUPPRESSED, TOTAL
from workforce.regional.contributions import (
    flex_pool_contributions,
    kpi_contributions,
    retention_contributions,
    retirement_contributions,
)
from workforce.regional.data import MissingMartsError, RegionalMarts, last_month, load_marts
from workforce.regional.employer_split import (
    benchmarks_by_region,
    employer_flows_by_region,
    pooled_vacancies_by_region,
)
from workforce.regional.flexpool import flex_pool_sizing
from workforce.regional.kpis import DETAIL, regional_kpis, retention, retirement_wave, sick_leave
from workforce.regional.network import (
    DEFAULT_WINDOW_MONTHS,
    employer_net_flows,
    net_flows_of_matrix,
    sankey,
)
from workforce.regional.split import (
    REGIONS_TOGETHER,
    by_region,
    disclose_by_region,
    employer_regions,
    region_part,
    sector_flows_by_region,
    split_regions,
)
from workforce.regional.stored_comparison import STORED_COMPARISON, write_comparison
from workforce.store import Store, holds_lock, write_frame, write_json

__all__ = ["MissingMartsError", "RegionalOutputs", "compute_regional", "write_regional"]


def disclosed_kpis(
    marts: RegionalMarts, *, k: int = DEFAULT_K, regions: Sequence[str] = ()
) -> pl.DataFrame:
    """Regional KPIs per month, quarter and year under disclosure control, per region of
    ``regions`` and for the regions together (``region_code``, see :mod:`.split`).

    Hidden: cells with fewer than k staff, cells of two employers one of which has fewer
    than k (each would find the other), and the cells that would reveal them.
    """
    parts = []
    for period in ("month", "quarter", "year"):
        parts.append(
            disclose_by_region(
                by_region(marts, functools.partial(regional_kpis, period=period), regions),
                by_region(marts, functools.partial(kpi_contributions, period=period), regions),
                dims=DETAIL,
                by=["period", "period_type"],
                count="headcount",
                k=k,
            )
        )
    return pl.concat(parts)


def disclosed_retention(
    marts: RegionalMarts, *, k: int = DEFAULT_K, regions: Sequence[str] = ()
) -> pl.DataFrame:
    """Retention per cohort, profession and region; fewer than k hires (or two employers)
    hidden."""
    return disclose_by_region(
        by_region(marts, retention, regions),
        by_region(marts, retention_contributions, regions),
        dims=["profession_code"],
        by=["cohort_year", "cohort"],
        count="hires",
        k=k,
    )


def disclosed_retirement_wave(
    marts: RegionalMarts, *, k: int = DEFAULT_K, regions: Sequence[str] = ()
) -> pl.DataFrame:
    """Retirement wave per profession and region; fewer than k staff (or two employers)
    hidden."""
    return disclose_by_region(
        by_region(marts, retirement_wave, regions),
        by_region(marts, retirement_contributions, regions),
        dims=["profession_code"],
        by=["year"],
        count="stock",
        k=k,
    )


FLEX_POOL_VALUES = (
    "units",
    "months",
    "separate_fte",
    "pooled_fte",
    "pooling_gain_fte",
    "pooling_gain_share",
    "vacancies",
)
"""Columns of the flex pool hidden with a cell (its coverage is a setting, not data)."""


def disclosed_flex_pool(
    marts: RegionalMarts, *, k: int = DEFAULT_K, regions: Sequence[str] = ()
) -> pl.DataFrame:
    """Flex pool per profession and region; a cell of fewer than k vacancies opened in the
    window (or of two employers, one with fewer) hidden, with every cell that would reveal it
    (a profession against the region's total, a region against the regions together)."""
    return disclose_by_region(
        by_region(marts, flex_pool_sizing, regions),
        by_region(marts, flex_pool_contributions, regions),
        dims=["profession_code"],
        by=[],
        count="vacancies",
        k=k,
        values=FLEX_POOL_VALUES,
    )


def compute_regional(
    marts: RegionalMarts, *, k: int = DEFAULT_K, sick_leave_path: Path | None = None
) -> dict[str, pl.DataFrame]:
    """Every regional output, by file name (without ``.parquet``).

    With several regions in the marts, the KPIs, retention, retirement wave, sector flows,
    flex pool and the tables per employer (flows, benchmarks, pooled vacancies) hold each
    region alone and the regions together (``region_code``, see :mod:`.split` and
    :mod:`.employer_split`); ``employer_regions`` says where each employer works.
    """
    regions = split_regions(marts)
    employer_flows = employer_flows_by_region(marts, k=k, regions=regions)
    sector_flows = sector_flows_by_region(marts, regions, k=k)
    sector_together = region_part(sector_flows)
    employer_nodes, employer_links = sankey(region_part(employer_flows))
    sector_nodes, sector_links = sankey(sector_together)
    outputs = {
        "kpis": disclosed_kpis(marts, k=k, regions=regions),
        "retention": disclosed_retention(marts, k=k, regions=regions),
        "retirement_wave": disclosed_retirement_wave(marts, k=k, regions=regions),
        "employer_flows": employer_flows,
        "sector_flows": sector_flows,
        "employer_net_flows": employer_net_flows(marts, k=k),
        "sector_net_flows": net_flows_of_matrix(sector_together),
        "sankey_employer_nodes": employer_nodes,
        "sankey_employer_links": employer_links,
        "sankey_sector_nodes": sector_nodes,
        "sankey_sector_links": sector_links,
        "pooled_vacancies": pooled_vacancies_by_region(marts, k=k, regions=regions),
        "flex_pool": disclosed_flex_pool(marts, k=k, regions=regions),
        "benchmarks": benchmarks_by_region(marts, k=k, regions=regions),
        "employer_regions": employer_regions(marts),
    }
    with contextlib.suppress(OpenDataError):  # the open-data copy is optional
        outputs["sick_leave"] = sick_leave(sick_leave_path)
    return outputs


@dataclass(frozen=True)
class RegionalOutputs:
    """What ``workforce regional`` wrote and the headline figures of the last month."""

    folder: Path
    rows: dict[str, int]
    suppressed: dict[str, int]
    headline: dict[str, float | int | str | None] = field(default_factory=dict)
    regions: dict[str, dict[str, float | int | str | None]] = field(default_factory=dict)
    """The headline of each region alone, by region code (empty for one region)."""

    def describe(self) -> str:
        """A short summary for the terminal."""
        h = self.headline
        together = "The regions together" if self.regions else "Region"
        lines = [
            f"{together} as one employer, {h['month']}: {h['headcount']:,} staff, "
            f"{h['fte']:,.0f} FTE, {h['contract_hours_avg']:.1f} contract hours on average.",
            f"  Last 12 months: regional turnover {_pct(h['turnover_rate_12m'])}, internal "
            f"mobility {_pct(h['internal_mobility_rate_12m'])}; "
            f"{_pct(h['stay_in_region_share_12m'])} of leavers stayed in regional care.",
            f"  Open vacancies {h['open']:,} (vacancy rate {_pct(h['vacancy_rate'])}, "
            f"hard to fill {_pct(h['hard_to_fill_share'])}); retention of "
            f"{h['retention_cohort']} new hires after 12 months {_pct(h['retention_12'])}.",
            f"  Flex pool at 90% cover: {_fte(h['flex_separate_fte'])} FTE if each employer "
            f"covers its own peaks, {_fte(h['flex_pooled_fte'])} FTE pooled "
            f"(gain {_fte(h['flex_gain_fte'])} FTE).",
            *(
                f"  {code} alone (moves to the other regions are outflow): {r['headcount']:,} "
                f"staff, regional turnover {_pct(r['turnover_rate_12m'])}, internal mobility "
                f"{_pct(r['internal_mobility_rate_12m'])}."
                for code, r in self.regions.items()
            ),
            f"Wrote {len(self.rows)} files to {self.folder} (k = {h['k']}; "
            f"{sum(self.suppressed.values()):,} cells suppressed), and the regions page's "
            f"comparison to {self.folder / STORED_COMPARISON}.",
        ]
        return "\n".join(lines)


def _pct(value: object) -> str:
    return f"{value:.1%}" if isinstance(value, float) else "n/a"


def _fte(value: object) -> str:
    """An FTE figure, or "hidden" for a cell under disclosure control."""
    return f"{value:,.0f}" if isinstance(value, int | float) else "hidden"


def headline(
    outputs: dict[str, pl.DataFrame],
    marts: RegionalMarts,
    k: int,
    region: str = REGIONS_TOGETHER,
) -> dict[str, float | int | str | None]:
    """Headline KPIs of the last month (and the 12 months up to it) of ``region`` (default
    the regions together)."""
    month = last_month(marts)
    kpis = region_part(outputs["kpis"], region).filter(
        (pl.col("sector_code") == TOTAL) & (pl.col("profession_code") == TOTAL)
    )
    now = kpis.filter((pl.col("period_type") == "month") & (pl.col("period") == month)).row(
        0, named=True
    )
    last_year = kpis.filter(pl.col("period_type") == "month").sort("period").tail(12)
    avg = float(last_year.select(pl.col("avg_headcount").cast(pl.Float64).mean()).item() or 0)
    regional_leavers = int(last_year["regional_leavers"].sum())
    internal_moves = int(last_year["internal_moves"].sum())
    retention_total = (
        region_part(outputs["retention"], region)
        .filter(
            (pl.col("cohort") == "new_hires")
            & (pl.col("profession_code") == TOTAL)
            & pl.col("retention_12").is_not_null()
        )
        .sort("cohort_year")
        .tail(1)
    )
    pool = (
        region_part(outputs["flex_pool"], region)
        .filter(pl.col("profession_code") == TOTAL)
        .row(0, named=True)
    )
    has_retention = retention_total.height > 0
    return {
        "k": k,
        "month": month.strftime("%Y-%m"),
        "headcount": now["headcount"],
        "fte": now["fte"],
        "contract_hours_avg": now["contract_hours_avg"],
        "open": now["open"],
        "vacancy_rate": now["vacancy_rate"],
        "hard_to_fill_share": now["hard_to_fill_share"],
        "turnover_rate_12m": regional_leavers / avg if avg else None,
        "internal_mobility_rate_12m": internal_moves / avg if avg else None,
        "stay_in_region_share_12m": internal_moves / (internal_moves + regional_leavers)
        if internal_moves + regional_leavers
        else None,
        "retention_cohort": int(retention_total["cohort_year"].item()) if has_retention else None,
        "retention_12": float(retention_total["retention_12"].item()) if has_retention else None,
        "flex_separate_fte": pool["separate_fte"],
        "flex_pooled_fte": pool["pooled_fte"],
        "flex_gain_fte": pool["pooling_gain_fte"],
        "flow_window_months": DEFAULT_WINDOW_MONTHS,
    }


@holds_lock("regional")
def write_regional(
    data_dir: Path, *, k: int = DEFAULT_K, sick_leave_path: Path | None = None
) -> RegionalOutputs:
    """Compute every regional output from ``<data>/marts`` and write ``<data>/regional``."""
    marts = load_marts(data_dir)
    outputs = compute_regional(marts, k=k, sick_leave_path=sick_leave_path)
    store = Store(data_dir)
    folder = store.regional
    for name, frame in outputs.items():
        write_frame(frame, store.regional_path(name), what=f"regional {name}")
    rows = {name: frame.height for name, frame in outputs.items()}
    suppressed = {
        name: int(frame[SUPPRESSED].sum())
        for name, frame in outputs.items()
        if SUPPRESSED in frame.columns
    }
    figures = headline(outputs, marts, k)
    by_region = {region: headline(outputs, marts, k, region) for region in split_regions(marts)}
    manifest = {
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "k": k,
        "files": {
            name: {"rows": rows[name], "suppressed": suppressed.get(name)} for name in outputs
        },
        "headline": figures,
        "regions": by_region,
    }
    write_json(manifest, folder / "regional.json")
    write_comparison(data_dir, k=k, marts=marts)
    return RegionalOutputs(
        folder=folder, rows=rows, suppressed=suppressed, headline=figures, regions=by_region
    )
