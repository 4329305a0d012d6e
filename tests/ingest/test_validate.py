"""Validating raw files: reading, contract detection, per-row failures, report and exit codes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.contract_rows import COHORT as TYPED_COHORT
from tests.contract_rows import STAFF as TYPED_STAFF
from tests.contract_rows import VACANCY as TYPED_VACANCY
from tests.contract_rows import as_text
from tests.raw_files import write_csv, write_xlsx
from workforce.cli import app
from workforce.ingest.readers import RawFileError, read_raw
from workforce.ingest.validate import (
    FAILURE_COLUMNS,
    ContractMismatchError,
    ValidationResult,
    collect_files,
    detect_contract,
    validate_file,
    validate_frame,
)
from workforce.schemas import EducationCohort, StaffSpell, Vacancy, contract_columns

STAFF = as_text(TYPED_STAFF)
VACANCY = as_text(TYPED_VACANCY) | {"closed_on": "", "outcome": "open"}
COHORT = as_text(TYPED_COHORT)
RENAMED = {"municipality_code": "municipality"}
BAD_DATE = "bad date in {}: expected YYYY-MM-DD or dd-mm-yyyy"


def staff(index: int = 0, **changes: str) -> dict[str, str]:
    """A valid staff spell with its own person_key, changed where asked."""
    return {**STAFF, "person_key": f"{index:016x}", **changes}


def checked(result: ValidationResult) -> ValidationResult:
    """The result, after asserting that its counts add up."""
    assert result.rows_read == result.rows_valid + result.rows_rejected
    assert result.rows_rejected == result.rejected["row_number"].n_unique()
    return result


def check_rows(rows: list[dict[str, str]], contract: Any = StaffSpell) -> ValidationResult:
    raw = pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))
    return checked(validate_frame(raw, contract, source_file="rows.csv"))


# --- rows ------------------------------------------------------------------------------------


def test_clean_rows_come_back_typed() -> None:
    result = check_rows([staff(1), staff(2, end_date="", leave_reason="")])
    assert result.is_clean
    assert result.contract == "StaffSpell"
    assert result.valid.schema == pl.Schema(contract_columns(StaffSpell))
    assert result.valid["start_date"].to_list() == [dt.date(2019, 9, 1)] * 2
    assert result.valid["end_date"].to_list() == [dt.date(2023, 6, 30), None]
    assert result.valid["contract_hours_week"].to_list() == [28.5, 28.5]
    assert result.rule_counts == {}


def test_row_numbers_count_the_header_as_row_one() -> None:
    result = check_rows([staff(1), staff(2), staff(3, municipality_code="GM9999")])
    assert result.failures.to_dicts() == [
        {
            "source_file": "rows.csv",
            "row_number": 4,
            "column": "municipality_code",
            "rule": "unknown municipality_code",
            "value": "GM9999",
        }
    ]


def test_rejected_rows_keep_their_original_text() -> None:
    broken = staff(1, contract_hours_week=" 70 ", end_date="30-06-2023")
    result = check_rows([broken])
    assert result.rejected.columns == [*FAILURE_COLUMNS, *STAFF]
    row = result.rejected.row(0, named=True)
    assert row["value"] == " 70 "
    assert {name: row[name] for name in STAFF} == broken


def test_row_failing_two_rules_is_one_rejected_row_under_both_rules() -> None:
    result = check_rows([staff(1), staff(2, municipality_code="GM9999", contract_hours_week="70")])
    assert (result.rows_valid, result.rows_rejected, result.rejected.height) == (1, 1, 2)
    assert result.rule_counts == {
        "contract_hours_week outside (0, 60]": 1,
        "unknown municipality_code": 1,
    }


def test_duplicates_name_every_copy() -> None:
    result = check_rows([staff(1), staff(1), staff(2), staff(1)])
    assert result.failures["row_number"].to_list() == [2, 3, 5]
    assert set(result.failures["rule"]) == {"duplicate employer_id + person_key + start_date"}
    assert set(result.failures["column"]) == {"employer_id + person_key + start_date"}
    assert result.failures["value"][0] == "E1 | 0000000000000001 | 2019-09-01"
    assert result.rows_valid == 1


@pytest.mark.parametrize(
    ("column", "text", "rule"),
    [
        ("start_date", "2019/09/01", BAD_DATE.format("start_date")),
        ("start_date", "1 sept 2019", BAD_DATE.format("start_date")),
        ("end_date", "31-02-2020", BAD_DATE.format("end_date")),
        ("end_date", "20230630", BAD_DATE.format("end_date")),
        ("contract_hours_week", "veel", "bad number in contract_hours_week"),
        ("contract_hours_week", "NaN", "bad number in contract_hours_week"),
        ("contract_hours_week", "1.234,5", "bad number in contract_hours_week"),
        ("birth_year", "1987.5", "bad whole number in birth_year"),
        ("birth_year", "'87", "bad whole number in birth_year"),
        ("employer_id", "  ", "missing employer_id"),
        ("municipality_code", "", "missing municipality_code"),
    ],
)
def test_unreadable_or_empty_value_fails_its_row(column: str, text: str, rule: str) -> None:
    result = check_rows([staff(1), staff(2, **{column: text})])
    assert result.failures.select("row_number", "column", "rule").to_dicts() == [
        {"row_number": 3, "column": column, "rule": rule}
    ]


def test_accepted_spellings() -> None:
    row = staff(
        1,
        start_date="01-09-2019",
        end_date="2023-6-30",
        contract_hours_week="28,5",
        birth_year="1987.0",
        municipality_code=" GM0344 ",
    )
    result = check_rows([row])
    assert result.is_clean
    assert result.valid.row(0, named=True) | {"person_key": None} == TYPED_STAFF | {
        "person_key": None,
        "residence_municipality_code": None,  # optional, not in this extract
    }


@pytest.mark.parametrize(
    ("contract", "rows"),
    [(Vacancy, [VACANCY]), (EducationCohort, [COHORT])],
    ids=["Vacancy", "EducationCohort"],
)
def test_other_contracts_accept_valid_text(contract: Any, rows: list[dict[str, str]]) -> None:
    result = check_rows(rows, contract)
    assert result.is_clean
    assert result.valid.schema == pl.Schema(contract_columns(contract))


def test_header_only_is_clean_and_empty() -> None:
    raw = pl.DataFrame(schema=dict.fromkeys(STAFF, pl.String))
    result = checked(validate_frame(raw, StaffSpell, source_file="empty.csv"))
    assert (result.rows_read, result.is_clean) == (0, True)


def test_counts_that_do_not_add_up_are_refused() -> None:
    with pytest.raises(ValueError, match="rows read"):
        ValidationResult(
            source_file="x.csv",
            contract="StaffSpell",
            rows_read=3,
            valid=pl.DataFrame({"a": [1]}),
            rejected=pl.DataFrame({"row_number": [2]}),
        )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(
            [
                {},
                {"municipality_code": "GM9999"},
                {"end_date": "2019-01-01"},
                {"birth_year": "negentig"},
                {"contract_hours_week": "0", "leave_reason": ""},
            ]
        ),
        min_size=1,
        max_size=30,
    )
)
def test_every_row_is_either_valid_or_rejected(changes: list[dict[str, str]]) -> None:
    result = check_rows([staff(i, **change) for i, change in enumerate(changes)])
    broken = [i + 2 for i, change in enumerate(changes) if change]
    assert sorted(result.rejected["row_number"].unique().to_list()) == broken
    assert result.rows_valid == len(changes) - len(broken)


# --- contracts by header ---------------------------------------------------------------------


@pytest.mark.parametrize("contract", [StaffSpell, Vacancy, EducationCohort])
def test_header_selects_the_contract(contract: Any) -> None:
    assert detect_contract([*contract_columns(contract), "note"]) is contract


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["employer_id;vacancy_id;outcome"], "only one column found"),
        ([c for c in VACANCY if c != "closed_on"], "Vacancy file but misses columns: closed_on"),
        (
            [c if c != "birth_year" else "Birth_Year" for c in STAFF],
            "'Birth_Year' should be 'birth_year'",
        ),
        (["name", "salary", "bsn"], "columns match no contract"),
        ([c.upper() for c in COHORT], "'INTAKE' should be 'intake'"),
    ],
)
def test_header_matching_no_contract_says_what_is_missing(columns: list[str], message: str) -> None:
    with pytest.raises(ContractMismatchError, match=message):
        detect_contract(columns)


# --- reading files ---------------------------------------------------------------------------


def test_semicolon_file_with_decimal_commas(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "staff.csv", [staff(1, contract_hours_week="28,5")], separator=";")
    result = checked(validate_file(path))
    assert result.is_clean
    assert result.valid["contract_hours_week"].item() == 28.5


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "staff.csv", [staff(1)], encoding="utf-8-sig")
    assert read_raw(path).columns[0] == "employer_id"
    assert checked(validate_file(path)).is_clean


def test_latin1_falls_back(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "staff.csv", [staff(1, employer_id="Zorggroep Zoë")], encoding="latin-1"
    )
    result = checked(validate_file(path))
    assert result.valid["employer_id"].item() == "Zorggroep Zoë"


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    typed = check_rows([staff(1), staff(2, end_date="", leave_reason="")]).valid
    typed.with_columns(pl.col("birth_year").cast(pl.Float64)).write_parquet(tmp_path / "s.parquet")
    result = checked(validate_file(tmp_path / "s.parquet"))
    assert result.valid.equals(typed)


def test_xlsx_with_date_cells(tmp_path: Path) -> None:
    header = list(COHORT)
    good = ["25LH", 25655, "MBO4", "BOL", "GM0344", 2021, 120, 40, 62, 18]
    bad = ["25LH", 25655, "MBO4", "BBL", "GM0344", "twintig", 120, 40, 62, 18]
    path = write_xlsx(tmp_path / "cohorts.xlsx", [header, good, bad])
    result = checked(validate_file(path))
    assert result.failures.select("row_number", "rule").to_dicts() == [
        {"row_number": 3, "rule": "bad whole number in cohort_year"}
    ]
    vacancy = [*VACANCY.values()]
    vacancy[5], vacancy[4] = dt.date(2024, 2, 12), 32
    path = write_xlsx(tmp_path / "vacancies.xlsx", [list(VACANCY), vacancy])
    assert checked(validate_file(path)).valid["opened_on"].item() == dt.date(2024, 2, 12)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"\r\n  \r\n", "the file is empty"),
        ("binary.csv", b"PK\x03\x04\x00\x00", "not a text file"),
        ("broken.parquet", b"not parquet", "cannot be read as Parquet"),
        ("broken.xlsx", b"not a workbook", "cannot be read as Excel"),
        ("notes.txt", b"employer_id", "unsupported file type .txt"),
        ("ragged.csv", b"a,b\n1,2,3\n", "as many fields as the header"),
        ("twice.csv", b"a,b, a\n1,2,3\n", "columns named more than once: a"),
    ],
)
def test_unreadable_file_is_a_file_level_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(RawFileError, match=message) as caught:
        validate_file(tmp_path / name)
    assert str(tmp_path / name) in str(caught.value)


def test_folders_are_searched_for_data_files_only(tmp_path: Path) -> None:
    for name in [
        "staff/b.csv",
        "staff/a.parquet",
        "vacancies/deep/c.xlsx",
        "manifest.json",
        "staff/.hidden.csv",
        "staff/~$c.xlsx",
        "notes.txt",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    single = tmp_path / "notes.txt"
    assert collect_files([tmp_path, single]) == [
        tmp_path / "staff/a.parquet",
        tmp_path / "staff/b.csv",
        tmp_path / "vacancies/deep/c.xlsx",
        single,
    ]


def test_a_region_sized_file_counts_every_failure(tmp_path: Path) -> None:
    rows = 150_000
    frame = pl.DataFrame([STAFF]).select(pl.all().repeat_by(rows).explode())
    frame = frame.with_columns(
        person_key=(pl.int_range(rows) + 10**15).cast(pl.String),
        municipality_code=pl.when(pl.int_range(rows) % 100 == 0)
        .then(pl.lit("GM9999"))
        .otherwise(pl.col("municipality_code")),
    )
    frame.write_csv(tmp_path / "staff.csv")
    result = checked(validate_file(tmp_path / "staff.csv"))
    assert result.rule_counts == {"unknown municipality_code": 1_500}


# --- the command -----------------------------------------------------------------------------

runner = CliRunner()


def run(*paths: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["validate", *map(str, paths)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("rows", "write", "code", "expected"),
    [
        (
            [{RENAMED.get(name, name): value for name, value in staff(1).items()}],
            {},
            1,
            ["looks like a StaffSpell file but misses columns: municipality_code"],
        ),
        (
            [{**COHORT, "dropouts": "-3", "graduates": "83"}],
            {},
            1,
            ["1 row, 0 valid, 1 rejected", "row 2, dropouts = '-3': negative dropouts"],
        ),
        (
            [staff(1), staff(2, municipality_code="GM9999")],
            {},
            1,
            ["row 3, municipality_code = 'GM9999': unknown municipality_code"],
        ),
        (
            [staff(1, end_date="2019-08-31")],
            {},
            1,
            ["row 2, end_date = '2019-08-31': end_date before start_date"],
        ),
        (
            [staff(1, end_date="2023-06-31")],
            {},
            1,
            [f"row 2, end_date = '2023-06-31': {BAD_DATE.format('end_date')}"],
        ),
        ([staff(1)], {"separator": ";"}, 0, ["(StaffSpell): 1 row, all valid"]),
        ([staff(1)], {"encoding": "utf-8-sig"}, 0, ["all valid"]),
        ([staff(1, employer_id="Zoë")], {"encoding": "latin-1"}, 0, ["all valid"]),
        ([staff(1, contract_hours_week="28,5")], {"separator": ";"}, 0, ["all valid"]),
        ([staff(1)], {"separator": "\t"}, 1, ["only one column found"]),
    ],
    ids=[
        "wrong-column-name",
        "negative-count",
        "unknown-municipality",
        "end-before-start",
        "bad-date",
        "semicolon",
        "bom",
        "latin-1",
        "decimal-comma",
        "single-column",
    ],
)
def test_command_reports_hand_broken_files(
    tmp_path: Path,
    rows: list[dict[str, str]],
    write: dict[str, str],
    code: int,
    expected: list[str],
) -> None:
    path = write_csv(tmp_path / "extract.csv", rows, **write)
    exit_code, output = run(path)
    assert exit_code == code, output
    assert str(path) in output
    for text in expected:
        assert text in output


def test_command_on_empty_file(tmp_path: Path) -> None:
    (tmp_path / "staff.csv").write_bytes(b"")
    exit_code, output = run(tmp_path / "staff.csv")
    assert exit_code == 1
    assert "the file is empty" in output
    assert "1 file could not be checked" in output


def test_command_on_folder_totals_every_file(tmp_path: Path) -> None:
    (tmp_path / "staff").mkdir()
    write_csv(tmp_path / "staff" / "a.csv", [staff(1), staff(2)])
    write_csv(
        tmp_path / "vacancies.csv", [VACANCY, {**VACANCY, "vacancy_id": "V-2", "hours_week": "0"}]
    )
    (tmp_path / "manifest.json").write_text("{}")
    exit_code, output = run(tmp_path)
    assert exit_code == 1
    assert "Checked 2 files, 4 rows: 3 valid, 1 rejected." in output
    assert "vacancies.csv row 3, hours_week = '0': hours_week outside (0, 60]" in output
    assert "manifest.json" not in output


def test_command_clean_folder_exits_zero(tmp_path: Path) -> None:
    write_csv(tmp_path / "staff.csv", [staff(1)])
    write_csv(tmp_path / "cohorts.csv", [COHORT])
    exit_code, output = run(tmp_path)
    assert exit_code == 0, output
    assert "Checked 2 files, 2 rows: 2 valid, 0 rejected." in output


def test_command_missing_path_exits_two(tmp_path: Path) -> None:
    exit_code, output = run(tmp_path / "nowhere.csv")
    assert exit_code == 2
    assert "Not found" in output


def test_command_folder_without_data_files_fails(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{}")
    exit_code, output = run(tmp_path)
    assert exit_code == 1
    assert "No .csv, .parquet, .xlsx files found" in output


# --- the optional residence column ---------------------------------------------------------------


def test_an_extract_without_a_residence_column_still_loads() -> None:
    result = check_rows([staff(1), staff(2)])
    assert result.is_clean
    assert "residence_municipality_code" not in STAFF
    assert result.valid["residence_municipality_code"].to_list() == [None, None]


def test_a_residence_is_a_known_municipality_code_or_empty() -> None:
    result = check_rows(
        [
            staff(1, residence_municipality_code="GM0307"),
            staff(2, residence_municipality_code="gm0344"),
            staff(3, residence_municipality_code=""),
            staff(4, residence_municipality_code="GM9999"),
        ]
    )
    assert result.valid["residence_municipality_code"].to_list() == ["GM0307", "GM0344", None]
    assert result.failures.to_dicts() == [
        {
            "source_file": "rows.csv",
            "row_number": 5,
            "column": "residence_municipality_code",
            "rule": "unknown residence_municipality_code",
            "value": "GM9999",
        }
    ]


def test_an_unknown_residence_is_one_line_naming_file_row_and_column(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "staff.csv",
        [staff(1, residence_municipality_code="GM0307"), staff(2, residence_municipality_code="X")],
    )
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    line = next(line for line in result.output.splitlines() if "row 3" in line)
    assert "staff.csv" in line
    assert "residence_municipality_code = 'X'" in line
    assert "unknown residence_municipality_code" in line
