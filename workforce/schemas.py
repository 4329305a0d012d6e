"""Contracts of the raw sources: pandera models for staff spells, vacancies, education cohorts
and population counts.

Each model is the named contract between an extract and the pipeline. Every rule carries a short
human name (``"end_date before start_date"``) that reports and quarantine files show. Rules that
need the code lists of ``data/reference/`` load them when the check runs, so importing this module
stays cheap. Values are checked on a collected ``DataFrame`` in :mod:`workforce.ingest.validate`; a
``LazyFrame`` is only checked for column names and types.

Over 500 lines because each raw source's model lists every column with its rules and their
human names; the models share the rule helpers at the top.
"""

import datetime as dt
from collections.abc import Callable

import pandera.polars as pa
import polars as pl

from workforce.reference import load_reference

LEAVE_REASONS = ("other_care_employer", "outside_sector", "retirement", "study", "unknown")
OUTCOMES = ("filled", "withdrawn", "open")
LEVELS = ("MBO1", "MBO2", "MBO3", "MBO4", "HBO", "WO")
MBO_ROUTES = ("BOL", "BBL")
HIGHER_ROUTES = ("voltijd", "deeltijd", "duaal")
PERSON_KEY_PATTERN = r"^[0-9a-f]{16,64}$"
SEX_VALUES = ("male", "female")
POPULATION_KINDS = ("history", "projection")
MINIMUM_AGE_AT_START = 15
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y")
"""Date formats accepted in text files: ISO (``2024-03-01``) and Dutch (``01-03-2024``)."""

_Condition = Callable[[], pl.Expr]


def missing_rule(column: str) -> str:
    """Rule name for an empty value in a column that must be filled."""
    return f"missing {column}"


def duplicate_rule(key: list[str]) -> str:
    """Rule name for rows sharing a unique key."""
    return f"duplicate {' + '.join(key)}"


def bad_value_rule(column: str, dtype: pl.DataType) -> str:
    """Rule name for a text value that cannot be read as the column's type."""
    if dtype == pl.Date:
        return f"bad date in {column}: expected YYYY-MM-DD or dd-mm-yyyy"
    if dtype == pl.Int64:
        return f"bad whole number in {column}"
    if dtype == pl.Float64:
        return f"bad number in {column}"
    return f"bad value in {column}"


def _rule(column: str, name: str, condition: _Condition, description: str) -> classmethod:
    """A named column check; ``condition`` is a boolean expression over the whole row.

    Rows where the condition is null (an empty input) pass: emptiness is the nullable rule's job.
    """

    def check(cls: type, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(condition().alias(column))

    check.__name__ = f"check_{name.replace(' ', '_')}"
    return pa.check(column, name=name, error=name, description=description)(check)


def _known(column: str, codes: Callable[[], list[str]], table: str) -> classmethod:
    return _rule(
        column,
        f"unknown {column}",
        lambda: pl.col(column).is_in(codes()),
        f"{column} must be listed in data/reference/{table}.csv",
    )


def _one_of(column: str, allowed: tuple[str, ...]) -> classmethod:
    return _rule(
        column,
        f"unknown {column}",
        lambda: pl.col(column).is_in(list(allowed)),
        f"{column} must be one of {', '.join(allowed)}",
    )


def _date_between(column: str, first: dt.date, last: dt.date) -> classmethod:
    return _rule(
        column,
        f"{column} outside {first.isoformat()}..{last.isoformat()}",
        lambda: pl.col(column).is_between(first, last),
        f"{column} must lie between {first.isoformat()} and {last.isoformat()}",
    )


def _hours(column: str) -> classmethod:
    return _rule(
        column,
        f"{column} outside (0, 60]",
        lambda: (pl.col(column) > 0) & (pl.col(column) <= 60),
        f"{column} must be above 0 and at most 60",
    )


def _count(column: str) -> classmethod:
    return _rule(
        column, f"negative {column}", lambda: pl.col(column) >= 0, f"{column} must be 0 or more"
    )


def _municipality() -> classmethod:
    return _known(
        "municipality_code", lambda: load_reference().municipality_codes(), "municipalities"
    )


def _profession() -> classmethod:
    return _known("profession_code", lambda: load_reference().profession_codes(), "professions")


class StaffSpell(pa.DataFrameModel):
    """One row per employment contract, from an employer's HR system."""

    employer_id: str = pa.Field(
        description="The employer's identifier, the same in every extract of that employer.",
        metadata={"example": "umc-utrecht", "allowed": "any text"},
    )
    person_key: str = pa.Field(
        description=(
            "Pseudonym of the employee: a keyed hash made before the data leaves the employer, "
            "with the one regional key, so the same person has the same key at every employer."
        ),
        metadata={
            "example": "3f1c9a7be4d2086c5a9e1f3b7d2c4e6a",
            "allowed": "16 to 64 lowercase hexadecimal characters (0-9, a-f)",
        },
    )
    profession_code: str = pa.Field(
        description="The profession of this contract.",
        metadata={"example": "nurse_vocational", "allowed": "data/reference/professions.csv"},
    )
    sector_code: str = pa.Field(
        description="The care branch of the employer (one of the 10 AZW branches).",
        metadata={"example": "elderly_home_care", "allowed": "data/reference/sectors.csv"},
    )
    municipality_code: str = pa.Field(
        description="CBS municipality code of the work location.",
        metadata={"example": "GM0344", "allowed": "data/reference/municipalities.csv"},
    )
    start_date: dt.date = pa.Field(
        description="First day of the contract.",
        metadata={"example": "2019-09-01", "allowed": "1960-01-01 to 2035-12-31"},
    )
    end_date: dt.date = pa.Field(
        nullable=True,
        description="Last day of the contract; empty while the contract is ongoing.",
        metadata={"example": "2023-06-30", "allowed": "on or after start_date, at most 2035-12-31"},
    )
    contract_hours_week: float = pa.Field(
        description="Contracted hours per week (FTE = hours / 36).",
        metadata={"example": "28.5", "allowed": "above 0 and at most 60"},
    )
    birth_year: int = pa.Field(
        description="Year of birth only (never the full birth date).",
        metadata={
            "example": "1987",
            "allowed": "1940 to 2010; at least 15 years before start_date",
        },
    )
    leave_reason: str = pa.Field(
        nullable=True,
        description="Where the employee went after the contract ended; empty while ongoing.",
        metadata={"example": "other_care_employer", "allowed": ", ".join(LEAVE_REASONS)},
    )
    residence_municipality_code: str = pa.Field(
        nullable=True,
        required=False,
        description=(
            "CBS municipality code of where the employee lives (optional column: extracts "
            "without it still load; an empty cell means not known)."
        ),
        metadata={"example": "GM0307", "allowed": "data/reference/municipalities.csv"},
    )

    _person_key = _rule(
        "person_key",
        "person_key not a pseudonym",
        lambda: pl.col("person_key").str.contains(PERSON_KEY_PATTERN),
        "person_key must be 16 to 64 lowercase hex characters; a BSN, staff number or name "
        "is rejected as a possible direct identifier",
    )
    _profession_code = _profession()
    _sector_code = _known("sector_code", lambda: load_reference().sector_codes(), "sectors")
    _municipality_code = _municipality()
    _residence_municipality_code = _known(
        "residence_municipality_code",
        lambda: load_reference().municipality_codes(),
        "municipalities",
    )
    _start_date = _date_between("start_date", dt.date(1960, 1, 1), dt.date(2035, 12, 31))
    _end_after_start = _rule(
        "end_date",
        "end_date before start_date",
        lambda: pl.col("end_date") >= pl.col("start_date"),
        "end_date must be on or after start_date",
    )
    _end_date = _rule(
        "end_date",
        "end_date after 2035-12-31",
        lambda: pl.col("end_date") <= dt.date(2035, 12, 31),
        "end_date must be at most 2035-12-31; leave it empty for an ongoing contract "
        "instead of writing a far-future date such as 9999-12-31",
    )
    _hours = _hours("contract_hours_week")
    _birth_year = _rule(
        "birth_year",
        "birth_year outside 1940..2010",
        lambda: pl.col("birth_year").is_between(1940, 2010),
        "birth_year must lie between 1940 and 2010",
    )
    _minimum_age = _rule(
        "birth_year",
        f"younger than {MINIMUM_AGE_AT_START} at start_date",
        lambda: pl.col("start_date").dt.year() - pl.col("birth_year") >= MINIMUM_AGE_AT_START,
        f"the year of start_date minus birth_year must be at least {MINIMUM_AGE_AT_START}",
    )
    _leave_reason = _one_of("leave_reason", LEAVE_REASONS)
    _reason_when_ended = _rule(
        "leave_reason",
        "leave_reason missing for an ended contract",
        lambda: pl.col("end_date").is_null() | pl.col("leave_reason").is_not_null(),
        "a contract with an end_date must have a leave_reason (use unknown when not known)",
    )
    _no_reason_when_ongoing = _rule(
        "leave_reason",
        "leave_reason given for an ongoing contract",
        lambda: pl.col("end_date").is_not_null() | pl.col("leave_reason").is_null(),
        "a contract without an end_date must have an empty leave_reason",
    )

    class Config:
        name = "StaffSpell"
        title = "Staff spells"
        unique = ["employer_id", "person_key", "start_date"]  # noqa: RUF012


class Vacancy(pa.DataFrameModel):
    """One row per vacancy an employer opened."""

    employer_id: str = pa.Field(
        description="The employer's identifier, as in the staff spells.",
        metadata={"example": "umc-utrecht", "allowed": "any text"},
    )
    vacancy_id: str = pa.Field(
        description="The employer's own identifier of the vacancy.",
        metadata={"example": "V-2024-0117", "allowed": "any text, unique per employer"},
    )
    profession_code: str = pa.Field(
        description="The profession asked for.",
        metadata={"example": "nurse_vocational", "allowed": "data/reference/professions.csv"},
    )
    municipality_code: str = pa.Field(
        description="CBS municipality code of the work location.",
        metadata={"example": "GM0344", "allowed": "data/reference/municipalities.csv"},
    )
    hours_week: float = pa.Field(
        description="Hours per week offered.",
        metadata={"example": "32", "allowed": "above 0 and at most 60"},
    )
    opened_on: dt.date = pa.Field(
        description="Day the vacancy was opened.",
        metadata={"example": "2024-02-12", "allowed": "2000-01-01 to 2035-12-31"},
    )
    closed_on: dt.date = pa.Field(
        nullable=True,
        description="Day the vacancy was filled or withdrawn; empty while it is open.",
        metadata={"example": "2024-04-03", "allowed": "on or after opened_on, at most 2035-12-31"},
    )
    outcome: str = pa.Field(
        description="State of the vacancy at the extract date.",
        metadata={"example": "filled", "allowed": ", ".join(OUTCOMES)},
    )

    _profession_code = _profession()
    _municipality_code = _municipality()
    _hours = _hours("hours_week")
    _opened_on = _date_between("opened_on", dt.date(2000, 1, 1), dt.date(2035, 12, 31))
    _closed_on = _date_between("closed_on", dt.date(2000, 1, 1), dt.date(2035, 12, 31))
    _closed_after_opened = _rule(
        "closed_on",
        "closed_on before opened_on",
        lambda: pl.col("closed_on") >= pl.col("opened_on"),
        "closed_on must be on or after opened_on",
    )
    _closed_when_done = _rule(
        "closed_on",
        "closed_on missing for a filled or withdrawn vacancy",
        lambda: (
            ~pl.col("outcome").is_in(["filled", "withdrawn"]) | pl.col("closed_on").is_not_null()
        ),
        "a filled or withdrawn vacancy must have a closed_on date",
    )
    _open_not_closed = _rule(
        "closed_on",
        "closed_on given for an open vacancy",
        lambda: (pl.col("outcome") != "open") | pl.col("closed_on").is_null(),
        "an open vacancy must have an empty closed_on",
    )
    _outcome = _one_of("outcome", OUTCOMES)

    class Config:
        name = "Vacancy"
        title = "Vacancies"
        unique = ["employer_id", "vacancy_id"]  # noqa: RUF012


def _programme_level() -> pl.Expr:
    reference = load_reference()
    levels = dict(
        zip(
            reference.programmes["programme_code"].to_list(),
            reference.programmes["level"].to_list(),
            strict=True,
        )
    )
    current = reference.programme_of(pl.col("programme_code"))
    return current.replace_strict(levels, default=None, return_dtype=pl.String)


def _route_fits_level() -> pl.Expr:
    is_mbo = pl.col("level").str.starts_with("MBO")
    return (
        pl.when(is_mbo)
        .then(pl.col("route").is_in(list(MBO_ROUTES)))
        .otherwise(pl.col("route").is_in(list(HIGHER_ROUTES)))
    )


class EducationCohort(pa.DataFrameModel):
    """One row per institution x programme x route x cohort year (DUO open-data shape)."""

    institution_code: str = pa.Field(
        description="BRIN code of the institution.",
        metadata={"example": "25LH", "allowed": "data/reference/institutions.csv"},
    )
    programme_code: str = pa.Field(
        description=(
            "Crebo code (MBO) or croho code (HBO/WO); a previous code of a programme is accepted."
        ),
        metadata={
            "example": "25655",
            "allowed": "data/reference/programme_codes.csv (column code)",
        },
    )
    level: str = pa.Field(
        description="Education level; must equal the programme's level in the reference table.",
        metadata={"example": "MBO4", "allowed": ", ".join(LEVELS)},
    )
    route: str = pa.Field(
        description=(
            "School-based (BOL) or work-based (BBL) for MBO; full-time (voltijd), part-time "
            "(deeltijd) or dual (duaal) for HBO/WO."
        ),
        metadata={
            "example": "BOL",
            "allowed": f"{', '.join(MBO_ROUTES)} (MBO); {', '.join(HIGHER_ROUTES)} (HBO, WO)",
        },
    )
    municipality_code: str = pa.Field(
        description="CBS municipality code of the study location.",
        metadata={"example": "GM0344", "allowed": "data/reference/municipalities.csv"},
    )
    cohort_year: int = pa.Field(
        description="Year the cohort started.",
        metadata={"example": "2021", "allowed": "1990 to 2035"},
    )
    intake: int = pa.Field(
        description="Students who started in this cohort.",
        metadata={"example": "120", "allowed": "0 or more; equals enrolled + graduates + dropouts"},
    )
    enrolled: int = pa.Field(
        description="Students of the cohort still enrolled at the extract date.",
        metadata={"example": "40", "allowed": "0 or more"},
    )
    graduates: int = pa.Field(
        description="Students of the cohort who graduated.",
        metadata={"example": "62", "allowed": "0 or more"},
    )
    dropouts: int = pa.Field(
        description="Students of the cohort who left without a diploma.",
        metadata={"example": "18", "allowed": "0 or more"},
    )

    _institution_code = _known(
        "institution_code", lambda: load_reference().institution_codes(), "institutions"
    )
    _programme_code = _known(
        "programme_code", lambda: load_reference().education_codes(), "programme_codes"
    )
    _level = _one_of("level", LEVELS)
    _level_of_programme = _rule(
        "level",
        "level differs from the programme's level",
        lambda: pl.col("level") == _programme_level(),
        "level must equal the level of the programme in data/reference/programmes.csv",
    )
    _route = _one_of("route", MBO_ROUTES + HIGHER_ROUTES)
    _route_fits_level = _rule(
        "route",
        "route does not fit level",
        _route_fits_level,
        "MBO levels take BOL or BBL; HBO and WO take voltijd, deeltijd or duaal",
    )
    _municipality_code = _municipality()
    _cohort_year = _rule(
        "cohort_year",
        "cohort_year outside 1990..2035",
        lambda: pl.col("cohort_year").is_between(1990, 2035),
        "cohort_year must lie between 1990 and 2035",
    )
    _intake = _count("intake")
    _enrolled = _count("enrolled")
    _graduates = _count("graduates")
    _dropouts = _count("dropouts")
    _cohort_adds_up = _rule(
        "intake",
        "enrolled + graduates + dropouts differ from intake",
        lambda: pl.col("enrolled") + pl.col("graduates") + pl.col("dropouts") == pl.col("intake"),
        "enrolled + graduates + dropouts must equal intake",
    )

    class Config:
        name = "EducationCohort"
        title = "Education cohorts"
        unique = ["institution_code", "programme_code", "route", "cohort_year"]  # noqa: RUF012


def _year_between(column: str) -> classmethod:
    return _rule(
        column,
        f"{column} outside 1990..2100",
        lambda: pl.col(column).is_between(1990, 2100),
        f"{column} must lie between 1990 and 2100",
    )


class PopulationCount(pa.DataFrameModel):
    """Persons on 1 January per municipality x sex x age band x year, counted or projected."""

    municipality_code: str = pa.Field(
        description="CBS municipality code where the persons live.",
        metadata={"example": "GM0344", "allowed": "data/reference/municipalities.csv"},
    )
    year: int = pa.Field(
        description="The year whose 1 January the count or projection is for.",
        metadata={"example": "2030", "allowed": "1990 to 2100"},
    )
    sex: str = pa.Field(
        description="Sex of the persons counted.",
        metadata={"example": "female", "allowed": ", ".join(SEX_VALUES)},
    )
    age_from: int = pa.Field(
        description="Youngest age of the band, in completed years.",
        metadata={"example": "75", "allowed": "0 to 120"},
    )
    age_to: int = pa.Field(
        nullable=True,
        description="Oldest age of the band; empty for an open band such as 85 and over.",
        metadata={"example": "79", "allowed": "empty, or age_from to 120"},
    )
    kind: str = pa.Field(
        description="Counted population (history) or a projection.",
        metadata={"example": "projection", "allowed": ", ".join(POPULATION_KINDS)},
    )
    vintage: int = pa.Field(
        description=(
            "Year the figures were published: a projection counts as known from 1 July of its "
            "vintage, so a forecast made before then cannot use it."
        ),
        metadata={"example": "2024", "allowed": "1990 to 2100; for history at least year"},
    )
    persons: float = pa.Field(
        description="Persons (counted or projected central value).",
        metadata={"example": "1834.5", "allowed": "0 or more"},
    )
    persons_lo: float = pa.Field(
        nullable=True,
        description="Lower bound of the projection interval where published.",
        metadata={"example": "1790.2", "allowed": "empty, or 0 to persons"},
    )
    persons_hi: float = pa.Field(
        nullable=True,
        description="Upper bound of the projection interval where published.",
        metadata={"example": "1880.0", "allowed": "empty, or persons or more"},
    )

    _municipality_code = _municipality()
    _year = _year_between("year")
    _sex = _one_of("sex", SEX_VALUES)
    _age_from = _rule(
        "age_from",
        "age_from outside 0..120",
        lambda: pl.col("age_from").is_between(0, 120),
        "age_from must lie between 0 and 120",
    )
    _age_to = _rule(
        "age_to",
        "age_to below age_from",
        lambda: pl.col("age_to").is_between(pl.col("age_from"), 120),
        "age_to must lie between age_from and 120",
    )
    _kind = _one_of("kind", POPULATION_KINDS)
    _vintage = _year_between("vintage")
    _history_published = _rule(
        "vintage",
        "history vintage before its year",
        lambda: (pl.col("kind") != "history") | (pl.col("vintage") >= pl.col("year")),
        "a counted population cannot be published before its year",
    )
    _persons = _count("persons")
    _lo = _rule(
        "persons_lo",
        "persons_lo outside 0..persons",
        lambda: pl.col("persons_lo").is_between(0, pl.col("persons")),
        "persons_lo must lie between 0 and persons",
    )
    _hi = _rule(
        "persons_hi",
        "persons_hi below persons",
        lambda: pl.col("persons_hi") >= pl.col("persons"),
        "persons_hi must be persons or more",
    )

    class Config:
        name = "PopulationCount"
        title = "Population"
        unique = ["municipality_code", "year", "sex", "age_from", "kind", "vintage"]  # noqa: RUF012


class PlacementCapacity(pa.DataFrameModel):
    """Placement capacity (BPV / stage places) per programme x institution x cohort year.

    Read by ``workforce align --placements``; it caps the intake advice.
    """

    programme_code: str = pa.Field(
        description="Crebo code (MBO) or croho code (HBO/WO) of the programme.",
        metadata={
            "example": "25656",
            "allowed": "data/reference/programme_codes.csv (column code)",
        },
    )
    institution_code: str = pa.Field(
        description="BRIN code of the institution.",
        metadata={"example": "25LH", "allowed": "data/reference/institutions.csv"},
    )
    year: int = pa.Field(
        description="Cohort year the places are for.",
        metadata={"example": "2027", "allowed": "1990 to 2060"},
    )
    placements: float = pa.Field(
        description="Students of that cohort the placements can take (the cohort's most intake).",
        metadata={"example": "240", "allowed": "0 or more"},
    )

    _institution_code = _known(
        "institution_code", lambda: load_reference().institution_codes(), "institutions"
    )
    _programme_code = _known(
        "programme_code", lambda: load_reference().education_codes(), "programme_codes"
    )
    _year = _rule(
        "year",
        "year outside 1990..2060",
        lambda: pl.col("year").is_between(1990, 2060),
        "year must lie between 1990 and 2060",
    )
    _placements = _count("placements")

    class Config:
        name = "PlacementCapacity"
        title = "Placement capacity"
        unique = ["programme_code", "institution_code", "year"]  # noqa: RUF012


Contract = type[pa.DataFrameModel]

CONTRACTS: tuple[Contract, ...] = (StaffSpell, Vacancy, EducationCohort, PopulationCount)
"""Every raw contract, in the order reports and documents list them."""


def contract_columns(contract: Contract) -> dict[str, pl.DataType]:
    """Column names of a contract, in order, with their Polars types."""
    columns = contract.to_schema().columns
    return {name: _instance(column.dtype.type) for name, column in columns.items()}


def _instance(dtype: pl.DataType | type[pl.DataType]) -> pl.DataType:
    return dtype() if isinstance(dtype, type) else dtype


def required_columns(contract: Contract) -> dict[str, pl.DataType]:
    """The columns a file must have to follow ``contract`` (its optional ones left out)."""
    optional = optional_columns(contract)
    return {n: t for n, t in contract_columns(contract).items() if n not in optional}


def optional_columns(contract: Contract) -> set[str]:
    """Columns a file may leave out; they are read as empty then."""
    return {name for name, column in contract.to_schema().columns.items() if not column.required}


def nullable_columns(contract: Contract) -> set[str]:
    """Columns that may be empty."""
    return {name for name, column in contract.to_schema().columns.items() if column.nullable}


def unique_key(contract: Contract) -> list[str]:
    """Columns that together identify a row of the contract."""
    key = contract.to_schema().unique
    return list(key) if key else []
