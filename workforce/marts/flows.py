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

The spells are linked once, on compact keys (:mod:`workforce.marts.codes`): a person is a 64-bit
number read from ``person_key``, text codes are small integers, and the sort by person, start
date, employer and end date sorts two 64-bit words (the person; start, employer and end packed
together), after which a neighbour is a plain shift. The linked spells are then put in employer
order (employer and start date packed in one word, the person in the other), the order of the
``spells`` mart and of the blocks of employers the monthly marts are computed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from workforce.marts.codes import Dictionary, person_codes, sort_order
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
CODED_COLUMNS = ("employer_id", "sector_code", "municipality_code", "profession_code")
"""Text columns of a staff spell held as dictionary codes while the marts are computed."""
STAFF_COLUMNS = (
    "person_key",
    *CODED_COLUMNS,
    "start_date",
    "end_date",
    "contract_hours_week",
    "birth_year",
    "leave_reason",
)
"""Columns of the staff contract the marts read."""

_RECORDED = {
    "retirement": "retirement",
    "outside_sector": "outside_sector",
    "study": "outside_sector",
    "other_care_employer": "care_outside_region",
}


def _origin(name: str) -> pl.Expr:
    return pl.lit(HIRE_ORIGINS.index(name), dtype=pl.UInt8)


def _destination(name: str) -> pl.Expr:
    return pl.lit(LEAVER_DESTINATIONS.index(name), dtype=pl.UInt8)


@dataclass(frozen=True)
class LinkedSpells:
    """Linked staff spells in employer order, with the dictionaries of their codes.

    ``frame`` holds ``row`` (the spell's position in the input, where ``person_keys`` holds its
    ``person_key``), ``person`` (a 64-bit number per person, in the order of their keys), the
    ``CODED_COLUMNS`` and
    ``previous_employer_id``, ``previous_municipality_code``, ``next_employer_id``,
    ``next_sector_code``, ``next_profession_code``, ``next_municipality_code`` as codes into
    ``dictionaries``, ``hire_origin`` as a position in
    ``HIRE_ORIGINS`` and ``leaver_destination`` in ``LEAVER_DESTINATIONS``; the other columns
    as in the staff contract, plus ``next_start_date``. Rows are sorted by employer code, start
    date and person; codes sort as their text does.
    """

    frame: pl.DataFrame
    dictionaries: dict[str, Dictionary]
    person_keys: pl.Series

    def decode(self, column: str, codes: pl.Series) -> pl.Series:
        """Text of the codes of ``column`` (one of ``CODED_COLUMNS``)."""
        return self.dictionaries[column].decode(codes)


def entry_ages(reference: Reference) -> pl.DataFrame:
    """``profession_code`` with the youngest plausible age to work in it."""
    return reference.professions.select(
        "profession_code",
        entry_age=pl.col("education_level")
        .map_elements(entry_age, return_dtype=pl.Int32)
        .cast(pl.Int32),
    )


def encode_staff(staff: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, Dictionary]]:
    """Staff rows (``STAFF_COLUMNS``) with compact keys, and the dictionaries of the codes.

    ``person`` is a 64-bit number per person, in the order of their keys
    (:func:`workforce.marts.codes.person_codes`); ``row`` is the input position;
    ``recorded_destination`` is where a leaver goes when no move is seen, from ``leave_reason``.
    """
    dictionaries = {column: Dictionary.of(staff[column]) for column in CODED_COLUMNS}
    recorded = pl.lit(LEAVER_DESTINATIONS.index("unknown"), dtype=pl.UInt8)
    for reason, destination in _RECORDED.items():
        recorded = (
            pl.when(pl.col("leave_reason") == reason)
            .then(_destination(destination))
            .otherwise(recorded)
        )
    coded = staff.select(
        row=pl.int_range(pl.len(), dtype=pl.UInt32),
        person=person_codes(staff["person_key"]),
        **{column: dictionaries[column].encode(staff[column]) for column in CODED_COLUMNS},
        start_date="start_date",
        end_date="end_date",
        contract_hours_week="contract_hours_week",
        birth_year="birth_year",
        recorded_destination=recorded,
    )
    return coded, dictionaries


def link_spells(spells: pl.LazyFrame, reference: Reference) -> LinkedSpells:
    """Link each spell to the same person's neighbours; see the module docstring.

    ``spells`` follows the staff contract (at least ``STAFF_COLUMNS``); only
    ``STAFF_COLUMNS`` are read, and only ``person_key`` is kept as text.
    """
    staff = spells.select(STAFF_COLUMNS).collect()
    coded, dictionaries = encode_staff(staff)
    coded = coded.rechunk()
    person_keys = staff["person_key"].rechunk()
    del staff
    professions = pl.DataFrame({"profession_code": dictionaries["profession_code"].values})
    ages = professions.join(
        entry_ages(reference), on="profession_code", how="left", maintain_order="left"
    )
    coded = coded.with_columns(entry_age=ages["entry_age"].gather(coded["profession_code"]))
    ordered = coded[sort_order(coded, ["person", "start_date", "employer_id", "end_date"])]
    # Sorted by person, so a neighbour row is the same person's when its key is the same:
    # a plain shift, much cheaper than a window over person.
    same_as_next = (pl.col("person").shift(-1) == pl.col("person")).fill_null(False)
    same_as_previous = (pl.col("person").shift(1) == pl.col("person")).fill_null(False)

    def following(column: str) -> pl.Expr:
        return pl.when(same_as_next).then(pl.col(column).shift(-1))

    def preceding(column: str) -> pl.Expr:
        return pl.when(same_as_previous).then(pl.col(column).shift(1))

    neighbours = ordered.with_columns(
        next_start=following("start_date"),
        next_employer_id=following("employer_id"),
        next_sector_code=following("sector_code"),
        next_profession_code=following("profession_code"),
        next_municipality_code=following("municipality_code"),
        previous_end=preceding("end_date"),
        previous_employer_id=preceding("employer_id"),
        previous_municipality_code=preceding("municipality_code"),
        first_in_region=~same_as_previous,
    )
    to_next = _is_move(pl.col("end_date"), pl.col("next_start"))
    from_previous = _is_move(pl.col("previous_end"), pl.col("start_date"))
    age_at_start = pl.col("start_date").dt.year() - pl.col("birth_year")
    graduate_age = pl.col("entry_age") + GRADUATE_YEARS
    linked = neighbours.select(
        "row",
        "person",
        *CODED_COLUMNS,
        "start_date",
        "end_date",
        "contract_hours_week",
        "birth_year",
        hire_origin=pl.when(
            from_previous & (pl.col("previous_employer_id") == pl.col("employer_id"))
        )
        .then(_origin("internal"))
        .when(from_previous)
        .then(_origin("other_care_employer"))
        .when(pl.col("first_in_region") & (age_at_start <= graduate_age))
        .then(_origin("education"))
        .otherwise(_origin("outside")),
        leaver_destination=pl.when(pl.col("end_date").is_null())
        .then(pl.lit(None, dtype=pl.UInt8))
        .when(to_next & (pl.col("next_employer_id") == pl.col("employer_id")))
        .then(_destination("internal"))
        .when(to_next)
        .then(_destination("other_care_employer"))
        .otherwise(pl.col("recorded_destination")),
        previous_employer_id=pl.when(from_previous).then(pl.col("previous_employer_id")),
        previous_municipality_code=pl.when(from_previous).then(
            pl.col("previous_municipality_code")
        ),
        next_employer_id=pl.when(to_next).then(pl.col("next_employer_id")),
        next_municipality_code=pl.when(to_next).then(pl.col("next_municipality_code")),
        next_sector_code=pl.when(to_next).then(pl.col("next_sector_code")),
        next_profession_code=pl.when(to_next).then(pl.col("next_profession_code")),
        next_start_date=pl.when(to_next).then(pl.col("next_start")),
    )
    by_employer = linked[sort_order(linked, ["employer_id", "start_date", "person"])]
    return LinkedSpells(by_employer, dictionaries, person_keys)


def _is_move(end: pl.Expr, next_start: pl.Expr) -> pl.Expr:
    gap = (next_start - end).dt.total_days()
    return (
        end.is_not_null() & next_start.is_not_null() & gap.is_between(-OVERLAP_DAYS, GAP_DAYS)
    ).fill_null(False)


def moves(linked: LinkedSpells) -> pl.DataFrame:
    """One row per move between two employers of the region, as codes of ``linked``.

    Columns: ``from_employer_id``, ``from_sector_code``, ``from_profession_code``,
    ``from_municipality_code``, ``left_on`` (last day of the old spell), ``to_employer_id``,
    ``to_sector_code``, ``to_profession_code``, ``to_municipality_code``, ``started_on`` (first
    day at the new employer). The municipalities are the work locations, so a move between
    labour-market regions shows as one between municipalities of two regions.
    """
    moving = _destination("other_care_employer")
    return linked.frame.filter(pl.col("leaver_destination") == moving).select(
        from_employer_id="employer_id",
        from_sector_code="sector_code",
        from_profession_code="profession_code",
        from_municipality_code="municipality_code",
        left_on="end_date",
        to_employer_id="next_employer_id",
        to_sector_code="next_sector_code",
        to_profession_code="next_profession_code",
        to_municipality_code="next_municipality_code",
        started_on="next_start_date",
    )
