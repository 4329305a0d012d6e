"""The marts of a chosen set of labour-market regions, seen as one regional employer.

Moves between employers of the chosen regions are flows inside "the region as one employer";
a move to (or from) an employer in a region that is not chosen is outflow (or inflow), as a move
to a care employer outside the region is. So the same move between Amersfoort and Midden-Utrecht
is internal mobility when the three regions are chosen together, and a leaver of Midden-Utrecht
(and a hire from outside for Amersfoort) when one region is chosen.

:func:`for_regions` keeps the rows of the chosen regions and reclassifies those moves in the
``spells`` and ``workforce_monthly`` marts; every total of hires and leavers stays the same,
only the origin or destination of a move across the scope's border changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from workforce.reference import Reference, load_reference
from workforce.regional.data import MissingMartsError, RegionalMarts

MOVE_ORIGINS = ("internal", "other_care_employer")
"""Hire origins and leaver destinations that are moves between employers (or within one)."""
SCOPE_LEAVER_DESTINATION = "care_outside_region"
"""Where a move out of the chosen regions goes: another care employer outside the region."""
SCOPE_HIRE_ORIGIN = "outside"
"""Where a move into the chosen regions comes from: outside the region."""
_STAFF_CELL = ["month", "employer_id", "sector_code", "municipality_code", "profession_code"]


def municipality_regions(reference: Reference | None = None) -> pl.DataFrame:
    """``municipality_code`` with its ``region_code``."""
    reference = reference or load_reference()
    return reference.municipalities.select("municipality_code", "region_code")


def _in(column: str, regions: Sequence[str]) -> pl.Expr:
    return pl.col(column).is_in(list(regions)).fill_null(False)


REGION_LINK_COLUMNS = ("previous_region_code", "next_region_code")
"""Columns of the ``spells`` mart that tell where a move came from or went to."""


def _check_linked(spells: pl.DataFrame) -> None:
    missing = [c for c in REGION_LINK_COLUMNS if c not in spells.columns]
    if missing and spells.height:
        raise MissingMartsError(
            f"the spells mart has no {', '.join(missing)}: it was built by an older version; "
            "run `workforce build` again"
        )


def _crossing(regions: Sequence[str]) -> tuple[pl.Expr, pl.Expr]:
    """(leaves the scope to a care employer, joins it from one) for a spell of the scope."""
    leaves = pl.col("leaver_destination").is_in(MOVE_ORIGINS) & ~_in("next_region_code", regions)
    joins = pl.col("hire_origin").is_in(MOVE_ORIGINS) & ~_in("previous_region_code", regions)
    return leaves.fill_null(False), joins.fill_null(False)


def scoped_spells(spells: pl.DataFrame, regions: Sequence[str]) -> pl.DataFrame:
    """Spells worked in ``regions``, with moves across the scope's border as outflow/inflow
    (and the employer on the other side dropped, as for any employer outside the region)."""
    _check_linked(spells)
    leaves, joins = _crossing(regions)
    return (
        spells.filter(_in("region_code", regions))
        .with_columns(_leaves=leaves, _joins=joins)
        .with_columns(
            leaver_destination=pl.when("_leaves")
            .then(pl.lit(SCOPE_LEAVER_DESTINATION))
            .otherwise("leaver_destination"),
            hire_origin=pl.when("_joins").then(pl.lit(SCOPE_HIRE_ORIGIN)).otherwise("hire_origin"),
            **{
                column: pl.when("_leaves").then(None).otherwise(column)
                for column in (
                    "next_employer_id",
                    "next_sector_code",
                    "next_profession_code",
                    "next_start_date",
                    "next_region_code",
                )
            },
            **{
                column: pl.when("_joins").then(None).otherwise(column)
                for column in ("previous_employer_id", "previous_region_code")
            },
        )
        .drop("_leaves", "_joins")
    )


def _moves_across(spells: pl.DataFrame, regions: Sequence[str]) -> pl.DataFrame:
    """Per staff cell and month, the counted moves that cross the scope's border, by the
    mart column they leave and the one they join."""
    leaves, joins = _crossing(regions)
    month = pl.col("month")
    first, last = pl.col("first_month"), pl.col("last_month")
    inside = spells.filter(_in("region_code", regions))
    out = inside.filter(leaves & pl.col("end_date").is_not_null()).with_columns(
        month=pl.col("end_date").dt.truncate("1mo"),
        old=pl.format("leavers_{}", "leaver_destination"),
        new=pl.lit(f"leavers_{SCOPE_LEAVER_DESTINATION}"),
    )
    into = inside.filter(joins).with_columns(
        month=pl.col("start_date").dt.truncate("1mo"),
        old=pl.format("hires_{}", "hire_origin"),
        new=pl.lit(f"hires_{SCOPE_HIRE_ORIGIN}"),
    )
    return (
        pl.concat([out, into])
        .filter(month.is_between(first, last))
        .group_by(*_STAFF_CELL, "old", "new")
        .agg(moves=pl.len().cast(pl.Int64))
    )


def scoped_workforce(
    workforce_monthly: pl.DataFrame,
    spells: pl.DataFrame,
    regions: Sequence[str],
    reference: Reference | None = None,
) -> pl.DataFrame:
    """``workforce_monthly`` of the staff cells in ``regions``, with the hires and leavers of
    moves across the scope's border counted as from outside and to care outside the region."""
    places = municipality_regions(reference).filter(_in("region_code", regions))
    cells = workforce_monthly.join(places.select("municipality_code"), on="municipality_code")
    across = _moves_across(spells, regions)
    if across.is_empty():
        return cells
    for old, new in across.select("old", "new").unique().sort("old").iter_rows():
        moved = across.filter((pl.col("old") == old) & (pl.col("new") == new)).select(
            *_STAFF_CELL, pl.col("moves")
        )
        cells = (
            cells.join(moved, on=_STAFF_CELL, how="left")
            .with_columns(pl.col("moves").fill_null(0))
            .with_columns(
                (pl.col(old) - pl.col("moves")).cast(cells.schema[old]).alias(old),
                (pl.col(new) + pl.col("moves")).cast(cells.schema[new]).alias(new),
            )
            .drop("moves")
        )
    return cells


def for_regions(
    marts: RegionalMarts, regions: Sequence[str], reference: Reference | None = None
) -> RegionalMarts:
    """The marts of ``regions`` as one regional employer (see the module docstring)."""
    regions = list(regions)
    _check_linked(marts.spells)
    places = municipality_regions(reference).filter(_in("region_code", regions))
    mobility = marts.mobility
    if "from_region_code" in mobility.columns:
        mobility = mobility.filter(
            _in("from_region_code", regions) & _in("to_region_code", regions)
        )
    return RegionalMarts(
        workforce_monthly=scoped_workforce(
            marts.workforce_monthly, marts.spells, regions, reference
        ),
        vacancies_monthly=marts.vacancies_monthly.join(
            places.select("municipality_code"), on="municipality_code"
        ),
        mobility=mobility,
        spells=scoped_spells(marts.spells, regions),
        demand=marts.demand.filter(_in("region_code", regions))
        if "region_code" in marts.demand.columns
        else marts.demand,
    )


def moves_between_regions(mobility: pl.DataFrame, *, since: dt.date | None = None) -> pl.DataFrame:
    """Moves per pair of regions (``from_region_code``, ``to_region_code``), both directions,
    arrivals from ``since`` (a date; default all)."""
    frame = mobility
    if since is not None:
        frame = frame.filter(pl.col("quarter") >= since)
    return (
        frame.group_by("from_region_code", "to_region_code")
        .agg(pl.sum("moves"))
        .sort("from_region_code", "to_region_code")
    )
