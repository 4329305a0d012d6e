"""Checks that hold a newer extract which would rewrite an employer's history.

A newer extract replaces the older ones of its employer for the period it covers. That is right
for a corrected re-delivery, and wrong for a current-staff-only snapshot (every ended contract
would disappear), for a re-delivery whose current rows were all quarantined (the headcount would
fall to zero), or for an employer sent under a new spelling (its staff would be counted twice).
Such a file is held whole, with a message saying what it would remove or add, until the user
accepts it (``workforce ingest --accept-changes``).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

REMOVAL_SHARE = 0.01
"""A file may drop this share of an employer's earlier rows (corrections) without being held."""

REMOVAL_MINIMUM = 3
"""Fewer removed rows than this are always taken as corrections."""

ONGOING_FALL_SHARE = 0.5
"""A file that leaves fewer than this share of the ongoing rows (current staff) is held."""

SHARED_STAFF_SHARE = 0.5
"""A new employer whose current staff are for this share already current staff of another
employer is taken for that employer under another name."""

SHARED_STAFF_MINIMUM = 3
"""Fewer current staff than this are never compared."""

ONGOING_COLUMN = {"staff": "end_date", "vacancies": "closed_on"}
_NOUNS = {"staff": "contracts", "vacancies": "vacancies", "education": "cohort rows"}
_ONGOING_NOUNS = {"staff": "current staff", "vacancies": "open vacancies"}


def removal_problem(
    source: str, party: str, before: pl.DataFrame, after: pl.DataFrame, key: list[str]
) -> str | None:
    """What loading a file would remove from one party's rows, when more than a correction.

    ``before`` and ``after`` are the party's effective rows without and with the new file.
    """
    if before.is_empty():
        return None
    noun = _NOUNS[source]
    removed = before.join(after.select(key).unique(), on=key, how="anti", nulls_equal=True)
    problems = []
    if removed.height >= max(REMOVAL_MINIMUM, REMOVAL_SHARE * before.height):
        detail = ""
        if source in ONGOING_COLUMN:
            ended = removed[ONGOING_COLUMN[source]].is_not_null().sum()
            detail = f" ({ended:,} ended, {removed.height - ended:,} ongoing)"
        problems.append(
            f"it would remove {removed.height:,} of the {before.height:,} {noun} of {party} "
            f"delivered earlier{detail}"
        )
    if source in ONGOING_COLUMN:
        column = ONGOING_COLUMN[source]
        ongoing_before = before[column].null_count()
        ongoing_after = after[column].null_count()
        if (
            ongoing_before >= REMOVAL_MINIMUM
            and ongoing_after < ONGOING_FALL_SHARE * ongoing_before
        ):
            problems.append(
                f"{_ONGOING_NOUNS[source]} of {party} would fall from {ongoing_before:,} "
                f"to {ongoing_after:,}"
            )
    return "; ".join(problems) if problems else None


def shared_staff_problem(party: str, current: pl.DataFrame, others: pl.DataFrame) -> str | None:
    """A new employer whose current staff are mostly current staff of one other employer.

    ``current`` holds the new employer's ``person_key`` of ongoing contracts; ``others`` the
    ``employer_id, person_key`` of every other employer's ongoing contracts.
    """
    people = current["person_key"].unique()
    if people.len() < SHARED_STAFF_MINIMUM or others.is_empty():
        return None
    shared = (
        others.filter(pl.col("person_key").is_in(people.implode()))
        .group_by("employer_id")
        .agg(pl.col("person_key").n_unique().alias("shared"))
        .sort(["shared", "employer_id"], descending=[True, False])
    )
    if shared.is_empty():
        return None
    other, count = shared.row(0)
    if count < SHARED_STAFF_SHARE * people.len():
        return None
    return (
        f"{count:,} of the {people.len():,} current staff of {party} are current staff of "
        f"{other} too: loading it would count them twice (is {party} {other} under another "
        "name? then correct employer_id)"
    )


def extract_date_problem(name_date: str | None, today: dt.date) -> str | None:
    """Why the date in a file name cannot be its extract date, or None when it can.

    ``name_date`` is the ``YYYY-MM-DD`` text found in the file name.
    """
    if name_date is None:
        return None
    try:
        date = dt.date.fromisoformat(name_date)
    except ValueError:
        return (
            f"the date {name_date} in the file name is not a real date; rename the file with "
            "its extract date as YYYY-MM-DD"
        )
    if date > today:
        return (
            f"the extract date {name_date} in the file name lies in the future (today is "
            f"{today.isoformat()}); rename the file with its real extract date"
        )
    return None
