"""The regional marts, computed from the loaded extracts with Polars lazy queries.

Stocks come from events, never from expanding people into months: a spell adds +1 in the month
it starts and -1 in the month it ends, and the monthly stock is the cumulative sum of those
events over a month grid per cell. A person counts in a month's headcount when the spell has
started by the last day of the month and has not ended by it, so that in every cell

    headcount(t) = headcount(t-1) + hires(t) - leavers(t).

Age bands follow the same idea: a person changes band in January of the year they reach the
band's lowest age, which is one more pair of events (-1 old band, +1 new band).

Marts (``<data>/marts/*.parquet``):

- ``workforce_monthly``: month x employer x sector x municipality x profession: headcount, fte,
  hires by origin, leavers by destination (see :mod:`workforce.flows`), headcount per age band;
- ``vacancies_monthly``: month x employer x profession x municipality: open, open_fte, opened,
  filled, withdrawn, hard_to_fill (open more than 90 days), mean_days_open,
  median_days_to_fill;
- ``mobility``: quarter x from employer x to employer x profession: moves;
- ``education_pipeline``: cohort year x programme x institution: intake, enrolled, graduates,
  dropouts, completion rate and expected graduates with their expected graduation year;
- ``demand``: month x region x sector x profession: filled_fte + open_vacancy_fte = required_fte;
- ``spells``: one row per staff spell of a covered employer, linked across employers
  (:func:`workforce.flows.link_spells`), with the region and the employer's covered months: the
  person-level input of the leaving model and the supply projection. ``person_key`` is the
  regional pseudonym; no other personal field than ``birth_year`` is kept.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from workforce.flows import HIRE_ORIGINS, LEAVER_DESTINATIONS, link_spells, moves
from workforce.reference import AGE_BANDS, Reference

FTE_HOURS = 36.0
"""Contract hours of one FTE: the standard Dutch care week."""

HARD_TO_FILL_DAYS = 90
"""A vacancy open longer than this is hard to fill (moeilijk vervulbaar)."""

FINISHED_COHORTS_FOR_RATE = 5
"""Completion rates are estimated from this many most recent finished cohorts."""

STAFF_CELL = ["employer_id", "sector_code", "municipality_code", "profession_code"]
VACANCY_CELL = ["employer_id", "profession_code", "municipality_code"]
MART_NAMES = (
    "workforce_monthly",
    "vacancies_monthly",
    "mobility",
    "education_pipeline",
    "demand",
    "spells",
)
SPELL_COLUMNS = (
    "person_key",
    "employer_id",
    "sector_code",
    "municipality_code",
    "region_code",
    "profession_code",
    "start_date",
    "end_date",
    "contract_hours_week",
    "birth_year",
    "hire_origin",
    "leaver_destination",
    "previous_employer_id",
    "next_employer_id",
    "next_sector_code",
    "next_profession_code",
    "next_start_date",
    "first_month",
    "last_month",
)


def band_column(label: str) -> str:
    """``headcount_25_34`` for band ``25-34``; ``headcount_65_plus`` for ``65+``."""
    return "headcount_" + label.replace("-", "_").replace("+", "_plus")


BAND_COLUMNS = tuple(band_column(label) for label, _, _ in AGE_BANDS)
_BOUNDARY_AGES = [low for _, low, _ in AGE_BANDS[1:]]


@dataclass(frozen=True)
class MartInputs:
    """What the marts are computed from: effective rows per source and each party's coverage.

    ``staff_months`` and ``vacancy_months`` hold per employer the first and last month
    (``first_month``, ``last_month``) for which its extracts are complete;
    ``education_extract`` holds per institution the date of its latest extract.
    """

    staff: pl.LazyFrame
    vacancies: pl.LazyFrame
    education: pl.LazyFrame
    staff_months: pl.DataFrame
    vacancy_months: pl.DataFrame
    education_extract: pl.DataFrame
    reference: Reference


def compute_marts(inputs: MartInputs) -> dict[str, pl.LazyFrame]:
    """Every mart as a lazy query over the inputs."""
    linked = link_spells(inputs.staff, inputs.reference)
    staff_monthly = workforce_monthly(linked, inputs.staff_months)
    vacancy_monthly = vacancies_monthly(inputs.vacancies, inputs.vacancy_months)
    return {
        "workforce_monthly": staff_monthly,
        "vacancies_monthly": vacancy_monthly,
        "mobility": mobility(linked, inputs.staff_months),
        "education_pipeline": education_pipeline(
            inputs.education, inputs.education_extract, inputs.reference
        ),
        "demand": demand(staff_monthly, vacancy_monthly, inputs.staff, inputs.reference),
        "spells": spells(linked, inputs.staff_months, inputs.reference),
    }


def spells(linked: pl.LazyFrame, months: pl.DataFrame, reference: Reference) -> pl.LazyFrame:
    """Linked spells of employers with complete extracts, with region and covered months.

    ``first_month`` and ``last_month`` bound the months the employer's extracts cover: a spell
    is observed (for leaving and tenure) only within them.
    """
    regions = reference.municipalities.select("municipality_code", "region_code").lazy()
    return (
        linked.join(months.lazy(), on="employer_id", how="inner")
        .join(regions, on="municipality_code", how="left")
        .select(SPELL_COLUMNS)
        .sort("employer_id", "start_date", "person_key")
    )


# -- workforce_monthly -----------------------------------------------------------------------


def workforce_monthly(linked: pl.LazyFrame, months: pl.DataFrame) -> pl.LazyFrame:
    """Stock and flows per month and staff cell, from linked spells (:func:`link_spells`)."""
    spells = linked.join(months.lazy(), on="employer_id", how="inner").with_columns(
        pl.col(STAFF_CELL).cast(pl.Categorical),
        start_month=pl.col("start_date").dt.truncate("1mo"),
        end_month=pl.col("end_date").dt.truncate("1mo"),
        fte=pl.col("contract_hours_week") / FTE_HOURS,
    )
    spells = spells.filter(
        (pl.col("start_month") <= pl.col("last_month"))
        & (pl.col("end_month").is_null() | (pl.col("end_month") >= pl.col("first_month")))
    )
    opening = pl.col("start_month") < pl.col("first_month")
    entry_month = pl.max_horizontal("start_month", "first_month")
    starts = spells.select(
        *STAFF_CELL,
        month=entry_month,
        headcount=pl.lit(1, pl.Int64),
        fte=pl.col("fte"),
        **{
            f"hires_{origin}": (~opening & (pl.col("hire_origin") == origin)).cast(pl.Int64)
            for origin in HIRE_ORIGINS
        },
        **_band_deltas(_age_at(entry_month), 1),
    )
    ended = spells.filter(pl.col("end_month") <= pl.col("last_month"))
    ends = ended.select(
        *STAFF_CELL,
        month="end_month",
        headcount=pl.lit(-1, pl.Int64),
        fte=-pl.col("fte"),
        **{
            f"leavers_{destination}": (pl.col("leaver_destination") == destination).cast(pl.Int64)
            for destination in LEAVER_DESTINATIONS
        },
        **_band_deltas(_age_at(pl.col("end_month")), -1),
    )
    events = pl.concat([starts, ends, _band_crossings(spells)], how="diagonal").fill_null(0)
    flows = [f"hires_{origin}" for origin in HIRE_ORIGINS] + [
        f"leavers_{destination}" for destination in LEAVER_DESTINATIONS
    ]
    per_month = events.group_by([*STAFF_CELL, "month"]).agg(
        pl.sum("headcount", "fte", *flows, *BAND_COLUMNS)
    )
    grid = _month_grid(spells.select(STAFF_CELL).unique(), months)
    stocks = ["headcount", "fte", *BAND_COLUMNS]
    monthly = (
        grid.join(per_month, on=[*STAFF_CELL, "month"], how="left")
        .with_columns(pl.col("headcount", "fte", *flows, *BAND_COLUMNS).fill_null(0))
        .sort([*STAFF_CELL, "month"])
        .with_columns(pl.col(stocks).cum_sum().over(STAFF_CELL))
        .with_columns(pl.col("fte").round(4))
    )
    hires = pl.sum_horizontal(f"hires_{origin}" for origin in HIRE_ORIGINS)
    leavers = pl.sum_horizontal(f"leavers_{destination}" for destination in LEAVER_DESTINATIONS)
    active = (pl.col("headcount") != 0) | (hires != 0) | (leavers != 0)
    return monthly.filter(active).select(
        "month",
        pl.col(STAFF_CELL).cast(pl.String),
        "headcount",
        "fte",
        hires=hires,
        **{name: pl.col(name) for name in flows[: len(HIRE_ORIGINS)]},
        leavers=leavers,
        **{name: pl.col(name) for name in flows[len(HIRE_ORIGINS) :]},
        **{name: pl.col(name) for name in BAND_COLUMNS},
    )


def _age_at(month: pl.Expr) -> pl.Expr:
    return month.dt.year() - pl.col("birth_year")


def _band_of(age: pl.Expr) -> pl.Expr:
    """The band label for an age (ages below the first band count in it)."""
    label = pl.lit(AGE_BANDS[-1][0])
    for name, _, high in reversed(AGE_BANDS[:-1]):
        label = pl.when(age <= high).then(pl.lit(name)).otherwise(label)
    return label


def _band_deltas(age: pl.Expr, sign: int) -> dict[str, pl.Expr]:
    band = _band_of(age)
    return {
        band_column(label): pl.when(band == label).then(sign).otherwise(0).cast(pl.Int64)
        for label, _, _ in AGE_BANDS
    }


def _band_crossings(spells: pl.LazyFrame) -> pl.LazyFrame:
    """-1 old band, +1 new band in January of each year a person reaches a band boundary."""
    crossing_month = pl.date(pl.col("birth_year") + pl.col("boundary"), 1, 1)
    entry_month = pl.max_horizontal("start_month", "first_month")
    stays_until = pl.min_horizontal(
        pl.col("end_month").fill_null(pl.col("last_month")), pl.col("last_month")
    )
    crossings = (
        spells.with_columns(boundary=pl.lit(_BOUNDARY_AGES, dtype=pl.List(pl.Int32)))
        .explode("boundary")
        .filter((crossing_month > entry_month) & (crossing_month <= stays_until))
    )
    new_band = _band_of(pl.col("boundary"))
    old_band = _band_of(pl.col("boundary") - 1)
    return crossings.select(
        *STAFF_CELL,
        month=crossing_month,
        **{
            band_column(label): (
                pl.when(new_band == label).then(1).otherwise(0)
                - pl.when(old_band == label).then(1).otherwise(0)
            ).cast(pl.Int64)
            for label, _, _ in AGE_BANDS
        },
    )


def _month_grid(cells: pl.LazyFrame, months: pl.DataFrame) -> pl.LazyFrame:
    """Every month from the employer's first to its last covered month, per cell."""
    employer_months = months.lazy().with_columns(pl.col("employer_id").cast(pl.Categorical))
    return (
        cells.join(employer_months, on="employer_id")
        .with_columns(
            month=pl.date_ranges("first_month", "last_month", interval="1mo", closed="both")
        )
        .explode("month")
        .drop("first_month", "last_month")
    )


# -- vacancies_monthly -----------------------------------------------------------------------


def vacancies_monthly(vacancies: pl.LazyFrame, months: pl.DataFrame) -> pl.LazyFrame:
    """Open stock and flows of vacancies per month, employer, profession and municipality."""
    day = pl.col("opened_on").cast(pl.Int64)
    hard_from = pl.col("opened_on") + dt.timedelta(days=HARD_TO_FILL_DAYS + 1)
    items = vacancies.join(months.lazy(), on="employer_id", how="inner").with_columns(
        pl.col(VACANCY_CELL).cast(pl.Categorical),
        open_month=pl.col("opened_on").dt.truncate("1mo"),
        close_month=pl.col("closed_on").dt.truncate("1mo"),
        hard_month=pl.when(pl.col("closed_on").is_null() | (pl.col("closed_on") >= hard_from))
        .then(hard_from.dt.truncate("1mo"))
        .otherwise(None),
        fte=pl.col("hours_week") / FTE_HOURS,
    )
    items = items.filter(
        (pl.col("open_month") <= pl.col("last_month"))
        & (pl.col("close_month").is_null() | (pl.col("close_month") >= pl.col("first_month")))
    )
    entry_month = pl.max_horizontal("open_month", "first_month")
    before = pl.col("open_month") < pl.col("first_month")
    in_range = pl.col("month") <= pl.col("last_month")
    opened = items.select(
        *VACANCY_CELL,
        "last_month",
        month=entry_month,
        open=pl.lit(1, pl.Int64),
        open_fte="fte",
        opened=(~before).cast(pl.Int64),
        opened_day_sum=day,
    )
    closed = items.filter(pl.col("close_month").is_not_null()).select(
        *VACANCY_CELL,
        "last_month",
        month="close_month",
        open=pl.lit(-1, pl.Int64),
        open_fte=-pl.col("fte"),
        filled=(pl.col("outcome") == "filled").cast(pl.Int64),
        withdrawn=(pl.col("outcome") == "withdrawn").cast(pl.Int64),
        opened_day_sum=-day,
    )
    hard = items.filter(pl.col("hard_month").is_not_null())
    hard_in = hard.select(
        *VACANCY_CELL,
        "last_month",
        month=pl.max_horizontal("hard_month", "first_month"),
        hard_to_fill=pl.lit(1, pl.Int64),
    )
    hard_out = hard.filter(pl.col("close_month").is_not_null()).select(
        *VACANCY_CELL, "last_month", month="close_month", hard_to_fill=pl.lit(-1, pl.Int64)
    )
    counts = ["open", "open_fte", "opened", "filled", "withdrawn", "hard_to_fill", "opened_day_sum"]
    events = (
        pl.concat([opened, closed, hard_in, hard_out], how="diagonal")
        .filter(in_range)
        .group_by([*VACANCY_CELL, "month"])
        .agg(pl.col(counts).fill_null(0).sum())
    )
    fill_days = (
        items.filter(
            (pl.col("outcome") == "filled")
            & pl.col("close_month").is_between(pl.col("first_month"), pl.col("last_month"))
        )
        .group_by([*VACANCY_CELL, pl.col("close_month").alias("month")])
        .agg(
            median_days_to_fill=(pl.col("closed_on") - pl.col("opened_on")).dt.total_days().median()
        )
    )
    stocks = ["open", "open_fte", "hard_to_fill", "opened_day_sum"]
    grid = _month_grid(items.select(VACANCY_CELL).unique(), months)
    month_end_day = pl.col("month").dt.month_end().cast(pl.Int64)
    monthly = (
        grid.join(events, on=[*VACANCY_CELL, "month"], how="left")
        .with_columns(pl.col(counts).fill_null(0))
        .sort([*VACANCY_CELL, "month"])
        .with_columns(pl.col(stocks).cum_sum().over(VACANCY_CELL))
        .join(fill_days, on=[*VACANCY_CELL, "month"], how="left", maintain_order="left")
    )
    mean_days = (
        pl.when(pl.col("open") > 0)
        .then((pl.col("open") * month_end_day - pl.col("opened_day_sum")) / pl.col("open"))
        .otherwise(None)
    )
    active = (pl.col("open") != 0) | (pl.col("opened") != 0) | (pl.col("filled") != 0)
    return monthly.filter(active | (pl.col("withdrawn") != 0)).select(
        "month",
        pl.col(VACANCY_CELL).cast(pl.String),
        "open",
        open_fte=pl.col("open_fte").round(4),
        opened="opened",
        filled="filled",
        withdrawn="withdrawn",
        hard_to_fill="hard_to_fill",
        mean_days_open=mean_days.round(1),
        median_days_to_fill="median_days_to_fill",
    )


# -- mobility, education, demand ---------------------------------------------------------------


def mobility(linked: pl.LazyFrame, months: pl.DataFrame) -> pl.LazyFrame:
    """Moves between employers per quarter of arrival, employer pair and profession.

    Only arrivals in a month the new employer's extracts cover count, as in its hires.
    """
    arrival_months = months.lazy().rename({"employer_id": "to_employer_id"})
    arrival = pl.col("started_on").dt.truncate("1mo")
    return (
        moves(linked)
        .join(arrival_months, on="to_employer_id", how="inner")
        .filter(arrival.is_between(pl.col("first_month"), pl.col("last_month")))
        .with_columns(quarter=pl.col("started_on").dt.truncate("3mo"))
        .group_by(
            "quarter",
            "from_employer_id",
            "from_sector_code",
            "to_employer_id",
            "to_sector_code",
            pl.col("from_profession_code").alias("profession_code"),
            "to_profession_code",
        )
        .agg(moves=pl.len().cast(pl.Int64))
        .sort("quarter", "from_employer_id", "to_employer_id", "profession_code")
    )


def education_pipeline(
    education: pl.LazyFrame, extracts: pl.DataFrame, reference: Reference
) -> pl.LazyFrame:
    """Cohorts per programme and institution with completion and expected graduates.

    A cohort is finished when nobody is enrolled any more; its completion rate is graduates /
    intake. Expected graduates of a running cohort = intake x the completion rate of the
    programme's last finished cohorts at that institution (or of all institutions, or of the
    level when there are none), kept between the graduates so far and graduates + enrolled.
    They are expected in the nominal graduation year, or the year after the extract when the
    cohort is already past it.
    """
    programmes = reference.programmes.select("programme_code", "nominal_years")
    cohorts = (
        education.with_columns(programme_code=reference.programme_of(pl.col("programme_code")))
        .group_by("cohort_year", "programme_code", "institution_code", "level")
        .agg(pl.sum("intake", "enrolled", "graduates", "dropouts"))
        .join(extracts.lazy(), on="institution_code", how="left")
        .join(programmes.lazy(), on="programme_code", how="left")
        .with_columns(finished=pl.col("enrolled") == 0)
    )
    rate = _completion_rates(cohorts)
    observed = pl.when(pl.col("finished") & (pl.col("intake") > 0)).then(
        pl.col("graduates") / pl.col("intake")
    )
    expected = (pl.col("intake") * pl.col("projected_completion_rate")).clip(
        pl.col("graduates"), pl.col("graduates") + pl.col("enrolled")
    )
    extract_year = pl.col("extract_date").dt.year()
    nominal_year = pl.col("cohort_year") + pl.col("nominal_years").round().cast(pl.Int64)
    return (
        rate.with_columns(
            completion_rate=observed.round(4),
            expected_graduates=pl.when(pl.col("finished"))
            .then(pl.col("graduates").cast(pl.Float64))
            .otherwise(expected)
            .round(2),
        )
        .with_columns(
            expected_graduation_year=pl.when(pl.col("finished"))
            .then(None)
            .otherwise(pl.max_horizontal(nominal_year, extract_year + 1))
        )
        .select(
            "cohort_year",
            "programme_code",
            "institution_code",
            "level",
            "intake",
            "enrolled",
            "graduates",
            "dropouts",
            "finished",
            "completion_rate",
            pl.col("projected_completion_rate").round(4),
            "expected_graduates",
            "expected_graduation_year",
        )
        .sort("programme_code", "institution_code", "cohort_year")
    )


def _completion_rates(cohorts: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``projected_completion_rate``: the pooled rate of recent finished cohorts."""
    finished = cohorts.filter(pl.col("finished") & (pl.col("intake") > 0))

    def pooled(keys: list[str], name: str) -> pl.LazyFrame:
        recent = finished.filter(
            pl.col("cohort_year").rank("ordinal", descending=True).over(keys)
            <= FINISHED_COHORTS_FOR_RATE
        )
        return recent.group_by(keys).agg(
            (pl.col("graduates").sum() / pl.col("intake").sum()).alias(name)
        )

    return (
        cohorts.join(
            pooled(["programme_code", "institution_code"], "_own"),
            on=["programme_code", "institution_code"],
            how="left",
        )
        .join(pooled(["programme_code"], "_programme"), on="programme_code", how="left")
        .join(pooled(["level"], "_level"), on="level", how="left")
        .with_columns(projected_completion_rate=pl.coalesce("_own", "_programme", "_level"))
        .drop("_own", "_programme", "_level")
    )


def demand(
    staff_monthly: pl.LazyFrame,
    vacancy_monthly: pl.LazyFrame,
    staff: pl.LazyFrame,
    reference: Reference,
) -> pl.LazyFrame:
    """Required FTE = filled FTE + open vacancy FTE, per month, region, sector and profession.

    A vacancy takes its employer's sector (the sector most of its staff spells carry).
    ``employers`` counts the employers with staff in the cell that month.
    """
    regions = reference.municipalities.select("municipality_code", "region_code").lazy()
    employer_sector = (
        staff.group_by("employer_id", "sector_code")
        .agg(spells=pl.len())
        .sort(["employer_id", "spells", "sector_code"], descending=[False, True, False])
        .group_by("employer_id", maintain_order=True)
        .first()
        .select("employer_id", "sector_code")
    )
    keys = ["month", "region_code", "sector_code", "profession_code"]
    filled = (
        staff_monthly.join(regions, on="municipality_code", how="left")
        .group_by(keys)
        .agg(
            filled_fte=pl.sum("fte"),
            headcount=pl.sum("headcount"),
            employers=pl.col("employer_id").filter(pl.col("headcount") > 0).n_unique(),
        )
    )
    vacant = (
        vacancy_monthly.join(employer_sector, on="employer_id", how="left")
        .join(regions, on="municipality_code", how="left")
        .group_by(keys)
        .agg(open_vacancy_fte=pl.sum("open_fte"), open_vacancies=pl.sum("open"))
    )
    return (
        filled.join(vacant, on=keys, how="full", coalesce=True)
        .with_columns(
            pl.col("filled_fte", "open_vacancy_fte").fill_null(0.0),
            pl.col("headcount", "open_vacancies", "employers").fill_null(0),
        )
        .with_columns(required_fte=(pl.col("filled_fte") + pl.col("open_vacancy_fte")).round(4))
        .select(
            *keys,
            pl.col("filled_fte").round(4),
            pl.col("open_vacancy_fte").round(4),
            "required_fte",
            "headcount",
            "open_vacancies",
            "employers",
        )
        .sort(keys)
    )
