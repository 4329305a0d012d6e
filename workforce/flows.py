"""Where hires come from and where leavers go, by following ``person_key`` across employers.

Each staff spell is linked to the same person's previous and next spell (ordered by start
date). Two consecutive spells form a *move* when the second starts no earlier than
``OVERLAP_DAYS`` before and no later than ``GAP_DAYS`` after the first ends. The link is
symmetric: a spell's next spell is linked exactly when that spell's previous spell is, so the
leavers of employer A towards B always equal the hires of B from A.

Hire origin (``hire_origin``):
- ``internal``: a move within the same employer (new contract, other profession or location);
- ``other_care_employer``: a move from another employer of the region;
- ``education``: the person's first spell in the region, starting within
  ``GRADUATE_YEARS`` years of the profession's entry age (a likely new graduate);
- ``outside``: everyone else (other sectors, other regions, returners).

Leaver destination (``leaver_destination``; null while the spell is ongoing):
- ``internal`` and ``other_care_employer``: a move as above, seen in the data;
- ``care_outside_region``: the employer recorded another care employer but none in the region
  took the person on;
- ``outside_sector`` (recorded ``outside_sector`` or ``study``), ``retirement`` and ``unknown``.
"""

from __future__ import annotations

import polars as pl

from workforce.reference import Reference, entry_age

OVERLAP_DAYS = 31
GAP_DAYS = 183
GRADUATE_YEARS = 5

HIRE_ORIGINS = ("internal", "other_care_employer", "education", "outside")
LEAVER_DESTINATIONS = (
    "internal",
    "other_care_employer",
    "care_outside_region",
    "outside_sector",
    "retirement",
    "unknown",
)


def entry_ages(reference: Reference) -> pl.DataFrame:
    """``profession_code`` with the youngest plausible age to work in it."""
    return reference.professions.select(
        "profession_code",
        entry_age=pl.col("education_level")
        .map_elements(entry_age, return_dtype=pl.Int32)
        .cast(pl.Int32),
    )


def link_spells(spells: pl.LazyFrame, reference: Reference) -> pl.LazyFrame:
    """Add ``hire_origin``, ``leaver_destination`` and the linked neighbours of each spell.

    The neighbours are ``previous_employer_id`` and ``next_employer_id``, ``next_sector_code``,
    ``next_profession_code``, ``next_start_date``: null unless the two spells form a move.

    ``spells`` follows the staff contract (``person_key``, ``employer_id``, ``start_date``,
    ``end_date``, ``leave_reason``, ``birth_year``, ``profession_code``).
    """
    ordered = spells.sort(["person_key", "start_date", "employer_id", "end_date"], nulls_last=True)
    # Sorted by person, so a neighbour row is the same person's when its key is the same:
    # a plain shift, much cheaper than a window over person_key.
    same_as_next = (pl.col("person_key").shift(-1) == pl.col("person_key")).fill_null(False)
    same_as_previous = (pl.col("person_key").shift(1) == pl.col("person_key")).fill_null(False)

    def following(column: str) -> pl.Expr:
        return pl.when(same_as_next).then(pl.col(column).shift(-1))

    def preceding(column: str) -> pl.Expr:
        return pl.when(same_as_previous).then(pl.col(column).shift(1))

    neighbours = ordered.with_columns(
        next_start=following("start_date"),
        next_employer_id=following("employer_id"),
        next_sector_code=following("sector_code"),
        next_profession_code=following("profession_code"),
        previous_end=preceding("end_date"),
        previous_employer_id=preceding("employer_id"),
        first_in_region=~same_as_previous,
    )
    to_next = _is_move(pl.col("end_date"), pl.col("next_start"))
    from_previous = _is_move(pl.col("previous_end"), pl.col("start_date"))
    age_at_start = pl.col("start_date").dt.year() - pl.col("birth_year")
    graduate_age = pl.col("entry_age") + GRADUATE_YEARS
    linked = neighbours.join(
        entry_ages(reference).lazy(), on="profession_code", how="left"
    ).with_columns(
        hire_origin=pl.when(
            from_previous & (pl.col("previous_employer_id") == pl.col("employer_id"))
        )
        .then(pl.lit("internal"))
        .when(from_previous)
        .then(pl.lit("other_care_employer"))
        .when(pl.col("first_in_region") & (age_at_start <= graduate_age))
        .then(pl.lit("education"))
        .otherwise(pl.lit("outside")),
        leaver_destination=pl.when(pl.col("end_date").is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(to_next & (pl.col("next_employer_id") == pl.col("employer_id")))
        .then(pl.lit("internal"))
        .when(to_next)
        .then(pl.lit("other_care_employer"))
        .when(pl.col("leave_reason") == "retirement")
        .then(pl.lit("retirement"))
        .when(pl.col("leave_reason").is_in(["outside_sector", "study"]))
        .then(pl.lit("outside_sector"))
        .when(pl.col("leave_reason") == "other_care_employer")
        .then(pl.lit("care_outside_region"))
        .otherwise(pl.lit("unknown")),
        next_employer_id=pl.when(to_next).then(pl.col("next_employer_id")),
        next_sector_code=pl.when(to_next).then(pl.col("next_sector_code")),
        next_profession_code=pl.when(to_next).then(pl.col("next_profession_code")),
        next_start_date=pl.when(to_next).then(pl.col("next_start")),
        previous_employer_id=pl.when(from_previous).then(pl.col("previous_employer_id")),
    )
    return linked.drop("next_start", "previous_end", "first_in_region", "entry_age")


def _is_move(end: pl.Expr, next_start: pl.Expr) -> pl.Expr:
    gap = (next_start - end).dt.total_days()
    return (
        end.is_not_null() & next_start.is_not_null() & gap.is_between(-OVERLAP_DAYS, GAP_DAYS)
    ).fill_null(False)


def moves(linked: pl.LazyFrame) -> pl.LazyFrame:
    """One row per move between two employers of the region, from :func:`link_spells` output.

    Columns: ``person_key``, ``from_employer_id``, ``from_sector_code``, ``from_profession_code``,
    ``left_on`` (last day of the old spell), ``to_employer_id``, ``to_sector_code``,
    ``to_profession_code``, ``started_on`` (first day at the new employer).
    """
    return linked.filter(pl.col("leaver_destination") == "other_care_employer").select(
        "person_key",
        from_employer_id="employer_id",
        from_sector_code="sector_code",
        from_profession_code="profession_code",
        left_on="end_date",
        to_employer_id="next_employer_id",
        to_sector_code="next_sector_code",
        to_profession_code="next_profession_code",
        started_on="next_start_date",
    )
