"""Where the staff of the chosen regions live: the map's "woonplaats" and commuting.

Reads the disclosed marts of :mod:`workforce.marts.residence` (``staff_residence`` and
``commuting``); a hidden cell stays hidden here, and nothing is summed over hidden cells.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from workforce.privacy import SUPPRESSED, TOTAL
from workforce.reference import Reference
from workforce.regional.scope import municipality_regions


def residence_figures(
    staff_residence: pl.DataFrame,
    regions: Sequence[str],
    *,
    together: bool,
    area: Sequence[str] | None = None,
    reference: Reference | None = None,
) -> pl.DataFrame:
    """Staff working in one region (``regions`` holds it) or in ``regions`` together, per
    municipality of residence in ``area`` (default ``regions``; every one, 0 where none of them
    lives): ``region_code`` (of the residence), ``municipality_code``, ``people``,
    ``suppressed``, as :func:`~workforce.regional.municipality_figures` gives them."""
    if not together and len(regions) != 1:
        raise ValueError("choose one region, or the regions together")
    work = TOTAL if together else regions[0]
    area = list(area if area is not None else regions)
    cells = staff_residence.filter(pl.col("work_region_code") == work).select(
        municipality_code="residence_municipality_code",
        people=pl.col("persons"),
        suppressed=pl.col(SUPPRESSED),
    )
    places = municipality_regions(reference).filter(pl.col("region_code").is_in(area))
    shown = places.join(cells, on="municipality_code", how="left").with_columns(
        pl.col("people").fill_null(0).cast(pl.Int64),
        pl.col(SUPPRESSED).fill_null(False),
    )
    return shown.select("region_code", "municipality_code", "people", SUPPRESSED).sort(
        "region_code", "municipality_code"
    )


def commuting_shares(commuting: pl.DataFrame) -> pl.DataFrame:
    """Per region of work and region of residence: ``persons`` and their ``share`` of the
    region's staff (null where hidden); the regions together and unknown residences left out."""
    totals = commuting.filter(pl.col("residence_region_code") == TOTAL).select(
        "work_region_code", total=pl.col("persons")
    )
    return (
        commuting.filter(
            (pl.col("work_region_code") != TOTAL) & (pl.col("residence_region_code") != TOTAL)
        )
        .join(totals, on="work_region_code", how="left")
        .with_columns(share=pl.col("persons") / pl.col("total"))
        .select("work_region_code", "residence_region_code", "persons", "share", SUPPRESSED)
        .sort("work_region_code", "residence_region_code")
    )
