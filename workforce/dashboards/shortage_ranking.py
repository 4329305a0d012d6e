"""Where is the shortage largest? Professions x sectors ranked by their expected shortage.

One row per profession within a sector at a horizon: the shortage in FTE and in persons, its
share of demand, the tension band and whether the shortage grows or shrinks over the year
before. The tension band is the outlook's (``tension_band`` of ``forecasts/shortage.parquet``):
UWV's published bands of its tension indicator (open vacancies per job seeker out of work for
less than six months: below 0.25 zeer ruim, below 0.67 ruim, below 1.5 gemiddeld, below 4
krap, else zeer krap), applied to the persons short per person expected to enter the
profession in a quarter (graduates and other inflow).
"""

from __future__ import annotations

import polars as pl

from workforce.dashboards.format import Language

DETAIL_LEVEL = "region_code/sector_code/profession_code"
"""The outlook level of one profession within one sector."""
AREA_DETAIL_LEVEL = "sector_code/profession_code"
"""The same across all regions, when the outlook holds several."""


def one_employer_nodes(shortage: pl.DataFrame) -> pl.DataFrame:
    """The nodes of "the region as one employer": the region's, or, when the outlook holds
    several regions, those of all of them together (``region_code`` null)."""
    regions = shortage.filter(pl.col("level") == "region_code")["region_code"].n_unique()
    return shortage.filter(pl.col("region_code").is_null()) if regions > 1 else shortage


MONTHLY_HORIZON = 36
"""The outlook is monthly for its first 36 months, yearly after."""

STEADY = 0.05
"""A change smaller than this share of the earlier shortage (and at least 1 FTE) is steady."""

TREND_ARROWS = {"up": "\u2191", "down": "\u2193", "steady": "\u2192"}

BANDS: dict[str, dict[Language, str]] = {
    "zeer ruim": {Language.nl: "zeer ruim", Language.en: "very slack"},
    "ruim": {Language.nl: "ruim", Language.en: "slack"},
    "gemiddeld": {Language.nl: "gemiddeld", Language.en: "balanced"},
    "krap": {Language.nl: "krap", Language.en: "tight"},
    "zeer krap": {Language.nl: "zeer krap", Language.en: "very tight"},
}
"""UWV's band names and their English translations."""

RANKING_SCHEMA = {
    "region_code": pl.String,
    "sector_code": pl.String,
    "profession_code": pl.String,
    "month": pl.Date,
    "shortage_fte": pl.Float64,
    "shortage_persons": pl.Float64,
    "shortage_share": pl.Float64,
    "tension_band": pl.String,
    "change_fte": pl.Float64,
    "trend": pl.String,
}


def _periods(shortage: pl.DataFrame) -> pl.DataFrame:
    """Detail rows, one per node and horizon: monthly to 36 months, yearly after."""
    return one_employer_nodes(shortage).filter(
        pl.col("level").is_in([DETAIL_LEVEL, AREA_DETAIL_LEVEL])
        & ((pl.col("resolution") == "month") | (pl.col("horizon") > MONTHLY_HORIZON))
    )


def shortage_ranking(
    shortage: pl.DataFrame | None,
    *,
    horizon_months: int,
    sector: str | None = None,
    top: int = 10,
) -> pl.DataFrame:
    """The ``top`` professions x sectors by expected shortage (FTE) ``horizon_months`` ahead.

    ``sector`` keeps one sector. ``trend`` says whether the shortage grew (``up``), shrank
    (``down``) or held (``steady``: a change below :data:`STEADY` of the earlier shortage) over
    the twelve months before the horizon (from the first month for a one-year horizon).
    """
    empty = pl.DataFrame(schema=RANKING_SCHEMA)
    if shortage is None or shortage.is_empty() or "level" not in shortage.columns:
        return empty
    rows = _periods(shortage)
    if sector is not None:
        rows = rows.filter(pl.col("sector_code") == sector)
    keys = ["region_code", "sector_code", "profession_code"]
    at = rows.filter(pl.col("horizon") == horizon_months)
    before = (
        rows.filter(pl.col("horizon") == max(horizon_months - 12, 1))
        .select(*keys, before_fte=pl.col("shortage_fte"))
        .unique(subset=keys)
    )
    ranked = (
        at.join(before, on=keys, how="left", nulls_equal=True)
        .with_columns(change_fte=pl.col("shortage_fte") - pl.col("before_fte"))
        .with_columns(
            trend=pl.when(pl.col("change_fte").is_null())
            .then(pl.lit("steady"))
            .when(
                pl.col("change_fte").abs()
                < pl.max_horizontal(pl.lit(1.0), STEADY * pl.col("before_fte").abs())
            )
            .then(pl.lit("steady"))
            .when(pl.col("change_fte") > 0)
            .then(pl.lit("up"))
            .otherwise(pl.lit("down"))
        )
        .sort(["shortage_fte", *keys], descending=[True, False, False, False], nulls_last=True)
        .head(top)
    )
    return ranked.select(*(pl.col(name).cast(dtype) for name, dtype in RANKING_SCHEMA.items()))


def band_label(band: str | None, language: Language = Language.nl) -> str:
    """UWV's band name in ``language`` (a dash when there is no band)."""
    if band is None or band not in BANDS:
        return "\u2013"
    return BANDS[band][language]
