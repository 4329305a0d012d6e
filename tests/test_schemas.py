"""The raw contracts: every rule accepts a valid row and names itself on a broken one."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pandera.errors
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.contract_rows import COHORT, POPULATION, STAFF, VACANCY
from workforce.schemas import (
    CONTRACTS,
    PERSON_KEY_PATTERN,
    Contract,
    EducationCohort,
    PopulationCount,
    StaffSpell,
    Vacancy,
    contract_columns,
    nullable_columns,
    optional_columns,
    required_columns,
    unique_key,
)

VALID: dict[Contract, dict[str, Any]] = {
    StaffSpell: STAFF,
    Vacancy: VACANCY,
    EducationCohort: COHORT,
    PopulationCount: POPULATION,
}
ONGOING = {"end_date": None, "leave_reason": None}
KEY_COLUMN = {
    StaffSpell: "employer_id",
    Vacancy: "employer_id",
    EducationCohort: "institution_code",
    PopulationCount: "municipality_code",
}
OTHER_KEY = {StaffSpell: "E0", Vacancy: "E0", EducationCohort: "30LZ", PopulationCount: "GM0310"}

# (contract, changes to the valid row, column named, rule named)
BROKEN: list[tuple[Contract, dict[str, Any], str, str]] = [
    (StaffSpell, {"employer_id": None}, "employer_id", "not_nullable"),
    (StaffSpell, {"person_key": "123456789"}, "person_key", "person_key not a pseudonym"),
    (StaffSpell, {"person_key": "Jan de Vries"}, "person_key", "person_key not a pseudonym"),
    (StaffSpell, {"person_key": "3F1C9A7BE4D2086C"}, "person_key", "person_key not a pseudonym"),
    (StaffSpell, {"person_key": "ab" * 33}, "person_key", "person_key not a pseudonym"),
    (StaffSpell, {"profession_code": "astronaut"}, "profession_code", "unknown profession_code"),
    (StaffSpell, {"sector_code": "bakery"}, "sector_code", "unknown sector_code"),
    (StaffSpell, {"municipality_code": "GM9999"}, "municipality_code", "unknown municipality_code"),
    (
        StaffSpell,
        {"residence_municipality_code": "GM9999"},
        "residence_municipality_code",
        "unknown residence_municipality_code",
    ),
    (
        StaffSpell,
        {"start_date": dt.date(1959, 12, 31)},
        "start_date",
        "start_date outside 1960-01-01..2035-12-31",
    ),
    (
        StaffSpell,
        {"start_date": dt.date(2036, 1, 1), **ONGOING},
        "start_date",
        "start_date outside 1960-01-01..2035-12-31",
    ),
    (StaffSpell, {"end_date": dt.date(2019, 8, 31)}, "end_date", "end_date before start_date"),
    (StaffSpell, {"end_date": dt.date(9999, 12, 31)}, "end_date", "end_date after 2035-12-31"),
    (
        StaffSpell,
        {"contract_hours_week": 0.0},
        "contract_hours_week",
        "contract_hours_week outside (0, 60]",
    ),
    (
        StaffSpell,
        {"contract_hours_week": 60.5},
        "contract_hours_week",
        "contract_hours_week outside (0, 60]",
    ),
    (StaffSpell, {"birth_year": 1939}, "birth_year", "birth_year outside 1940..2010"),
    (
        StaffSpell,
        {"birth_year": 2011, "start_date": dt.date(2030, 1, 1), **ONGOING},
        "birth_year",
        "birth_year outside 1940..2010",
    ),
    (
        StaffSpell,
        {"birth_year": 2006, "start_date": dt.date(2020, 1, 1)},
        "birth_year",
        "younger than 15 at start_date",
    ),
    (StaffSpell, {"leave_reason": "fired"}, "leave_reason", "unknown leave_reason"),
    (
        StaffSpell,
        {"leave_reason": None},
        "leave_reason",
        "leave_reason missing for an ended contract",
    ),
    (
        StaffSpell,
        {"end_date": None},
        "leave_reason",
        "leave_reason given for an ongoing contract",
    ),
    (Vacancy, {"vacancy_id": None}, "vacancy_id", "not_nullable"),
    (Vacancy, {"profession_code": "astronaut"}, "profession_code", "unknown profession_code"),
    (Vacancy, {"municipality_code": "GM9999"}, "municipality_code", "unknown municipality_code"),
    (Vacancy, {"hours_week": 0.0}, "hours_week", "hours_week outside (0, 60]"),
    (Vacancy, {"hours_week": 61.0}, "hours_week", "hours_week outside (0, 60]"),
    (
        Vacancy,
        {"opened_on": dt.date(1999, 12, 31)},
        "opened_on",
        "opened_on outside 2000-01-01..2035-12-31",
    ),
    (
        Vacancy,
        {"closed_on": dt.date(2036, 1, 1)},
        "closed_on",
        "closed_on outside 2000-01-01..2035-12-31",
    ),
    (Vacancy, {"closed_on": dt.date(2024, 2, 11)}, "closed_on", "closed_on before opened_on"),
    (Vacancy, {"outcome": "cancelled"}, "outcome", "unknown outcome"),
    (
        Vacancy,
        {"closed_on": None},
        "closed_on",
        "closed_on missing for a filled or withdrawn vacancy",
    ),
    (
        Vacancy,
        {"outcome": "withdrawn", "closed_on": None},
        "closed_on",
        "closed_on missing for a filled or withdrawn vacancy",
    ),
    (Vacancy, {"outcome": "open"}, "closed_on", "closed_on given for an open vacancy"),
    (EducationCohort, {"intake": None}, "intake", "not_nullable"),
    (EducationCohort, {"institution_code": "99XX"}, "institution_code", "unknown institution_code"),
    (EducationCohort, {"programme_code": "12345"}, "programme_code", "unknown programme_code"),
    (EducationCohort, {"level": "MBO5"}, "level", "unknown level"),
    (EducationCohort, {"level": "MBO3"}, "level", "level differs from the programme's level"),
    (EducationCohort, {"route": "online"}, "route", "unknown route"),
    (EducationCohort, {"route": "voltijd"}, "route", "route does not fit level"),
    (
        EducationCohort,
        {"programme_code": "34560", "level": "HBO", "route": "BBL"},
        "route",
        "route does not fit level",
    ),
    (
        EducationCohort,
        {"municipality_code": "GM9999"},
        "municipality_code",
        "unknown municipality_code",
    ),
    (EducationCohort, {"cohort_year": 1989}, "cohort_year", "cohort_year outside 1990..2035"),
    (EducationCohort, {"cohort_year": 2036}, "cohort_year", "cohort_year outside 1990..2035"),
    (
        EducationCohort,
        {"intake": -1, "enrolled": 0, "graduates": 0, "dropouts": -1},
        "intake",
        "negative intake",
    ),
    (EducationCohort, {"enrolled": -2, "graduates": 104}, "enrolled", "negative enrolled"),
    (EducationCohort, {"graduates": -2, "enrolled": 104}, "graduates", "negative graduates"),
    (EducationCohort, {"dropouts": -2, "graduates": 82}, "dropouts", "negative dropouts"),
    (
        EducationCohort,
        {"enrolled": 41},
        "intake",
        "enrolled + graduates + dropouts differ from intake",
    ),
    (PopulationCount, {"persons": None}, "persons", "not_nullable"),
    (
        PopulationCount,
        {"municipality_code": "GM9999"},
        "municipality_code",
        "unknown municipality_code",
    ),
    (PopulationCount, {"year": 1989}, "year", "year outside 1990..2100"),
    (PopulationCount, {"sex": "x"}, "sex", "unknown sex"),
    (PopulationCount, {"age_from": -1}, "age_from", "age_from outside 0..120"),
    (PopulationCount, {"age_to": 70}, "age_to", "age_to below age_from"),
    (PopulationCount, {"kind": "estimate"}, "kind", "unknown kind"),
    (PopulationCount, {"vintage": 2101}, "vintage", "vintage outside 1990..2100"),
    (
        PopulationCount,
        {"kind": "history", "vintage": 2029, "persons_lo": None, "persons_hi": None},
        "vintage",
        "history vintage before its year",
    ),
    (
        PopulationCount,
        {"persons": -1.0, "persons_lo": None, "persons_hi": None},
        "persons",
        "negative persons",
    ),
    (PopulationCount, {"persons_lo": 1900.0}, "persons_lo", "persons_lo outside 0..persons"),
    (PopulationCount, {"persons_hi": 1800.0}, "persons_hi", "persons_hi below persons"),
]


def frame(contract: Contract, *rows: dict[str, Any]) -> pl.DataFrame:
    """Typed rows of a contract."""
    return pl.DataFrame(list(rows), schema=contract_columns(contract), orient="row")


def failure_cases(contract: Contract, data: pl.DataFrame) -> pl.DataFrame:
    """The pandera failure cases of a frame, or an empty frame when it passes."""
    try:
        contract.validate(data, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        return exc.failure_cases
    return pl.DataFrame(schema={"column": pl.String, "check": pl.String, "index": pl.Int32})


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda contract: contract.__name__)
def test_valid_row_passes(contract: Contract) -> None:
    data = frame(contract, VALID[contract])
    assert contract.validate(data).equals(data)


@pytest.mark.parametrize(
    ("contract", "changes", "column", "rule"),
    BROKEN,
    ids=[f"{case[0].__name__}-{case[3]}-{'-'.join(map(str, case[1].values()))}" for case in BROKEN],
)
def test_broken_row_fails_naming_rule_row_and_column(
    contract: Contract, changes: dict[str, Any], column: str, rule: str
) -> None:
    valid = VALID[contract]
    other = {**valid, KEY_COLUMN[contract]: OTHER_KEY[contract]}  # so the key stays unique
    cases = failure_cases(contract, frame(contract, other, {**valid, **changes}))
    assert cases.filter(pl.col("index") == 0).is_empty()
    named = cases.filter((pl.col("index") == 1) & (pl.col("column") == column))
    assert rule in named["check"].to_list()


def test_every_rule_has_a_broken_case() -> None:
    tested = {(case[0], case[3]) for case in BROKEN}
    for contract in CONTRACTS:
        columns = contract.to_schema().columns.values()
        rules = {check.error for column in columns for check in column.checks}
        assert {(contract, rule) for rule in rules} <= tested, contract.__name__
        assert (contract, "not_nullable") in tested


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda contract: contract.__name__)
def test_duplicate_key_fails_on_every_copy(contract: Contract) -> None:
    valid = VALID[contract]
    cases = failure_cases(contract, frame(contract, valid, valid, valid))
    duplicates = cases.filter(pl.col("check") == "multiple_fields_uniqueness")
    assert sorted(duplicates["index"].to_list()) == [0, 1, 2]


def test_previous_programme_code_is_accepted() -> None:
    previous = {**COHORT, "programme_code": "25480"}  # an earlier crebo of 25655
    assert failure_cases(EducationCohort, frame(EducationCohort, previous)).is_empty()


def test_higher_education_routes() -> None:
    rows = [
        {**COHORT, "programme_code": "34560", "level": "HBO", "route": route}
        for route in ("voltijd", "deeltijd", "duaal")
    ]
    assert failure_cases(EducationCohort, frame(EducationCohort, *rows)).is_empty()


def test_ongoing_spell_and_open_vacancy_pass() -> None:
    assert failure_cases(StaffSpell, frame(StaffSpell, {**STAFF, **ONGOING})).is_empty()
    open_vacancy = {**VACANCY, "outcome": "open", "closed_on": None}
    assert failure_cases(Vacancy, frame(Vacancy, open_vacancy)).is_empty()


def test_unknown_outcome_is_not_also_a_closing_error() -> None:
    cases = failure_cases(Vacancy, frame(Vacancy, {**VACANCY, "outcome": "opn", "closed_on": None}))
    assert cases["check"].to_list() == ["unknown outcome"]


def test_boundaries_are_inclusive() -> None:
    edge = {
        **STAFF,
        "contract_hours_week": 60.0,
        "birth_year": 1945,
        "start_date": dt.date(1960, 1, 1),
        "end_date": dt.date(1960, 1, 1),
    }
    assert failure_cases(StaffSpell, frame(StaffSpell, edge)).is_empty()


@given(st.text(alphabet="0123456789abcdef", min_size=16, max_size=64))
def test_any_lowercase_hex_pseudonym_of_16_to_64_characters_passes(key: str) -> None:
    assert pl.Series([key]).str.contains(PERSON_KEY_PATTERN).item()


@given(
    st.one_of(
        st.text(alphabet="0123456789abcdef", max_size=15),
        st.text(alphabet="0123456789abcdef", min_size=65, max_size=80),
        st.text(min_size=16, max_size=64).filter(lambda key: set(key) - set("0123456789abcdef")),
    )
)
def test_anything_else_is_not_a_pseudonym(key: str) -> None:
    assert not pl.Series([key]).str.contains(PERSON_KEY_PATTERN).item()


def test_contract_shapes() -> None:
    assert list(contract_columns(StaffSpell)) == [*STAFF, "residence_municipality_code"]
    assert list(required_columns(StaffSpell)) == list(STAFF)
    assert optional_columns(StaffSpell) == {"residence_municipality_code"}
    assert optional_columns(Vacancy) == set()
    assert list(contract_columns(Vacancy)) == list(VACANCY)
    assert list(contract_columns(EducationCohort)) == list(COHORT)
    assert list(contract_columns(PopulationCount)) == list(POPULATION)
    assert nullable_columns(PopulationCount) == {"age_to", "persons_lo", "persons_hi"}
    assert nullable_columns(StaffSpell) == {
        "end_date",
        "leave_reason",
        "residence_municipality_code",
    }
    assert nullable_columns(Vacancy) == {"closed_on"}
    assert nullable_columns(EducationCohort) == set()
    assert unique_key(StaffSpell) == ["employer_id", "person_key", "start_date"]
    assert unique_key(Vacancy) == ["employer_id", "vacancy_id"]
    assert unique_key(EducationCohort) == [
        "institution_code",
        "programme_code",
        "route",
        "cohort_year",
    ]


def test_documented_examples_pass() -> None:
    """The example row of each contract in its field metadata is itself valid."""
    from workforce.ingest.validate import validate_frame

    for contract in CONTRACTS:
        columns = contract.to_schema().columns
        example = pl.DataFrame(
            {name: [column.metadata["example"]] for name, column in columns.items()}
        )
        result = validate_frame(example, contract, source_file="example")
        assert result.is_clean, result.failures


def test_import_does_not_load_reference() -> None:
    code = (
        "import workforce.schemas, workforce.reference as r; print(r._load.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_data_contracts_document_is_rendered_from_the_schemas() -> None:
    from workforce.docs_gen.data_contracts import DOCUMENT, render

    assert DOCUMENT.read_text(encoding="utf-8") == render(), (
        "docs/data-contracts.md is out of date: run `python -m workforce.docs_gen.data_contracts`"
    )
    rows = {line.split("|")[1].strip() for line in render().splitlines() if line.startswith("| `")}
    for contract in CONTRACTS:
        for column in contract_columns(contract):
            assert f"`{column}`" in rows
