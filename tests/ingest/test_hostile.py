"""Hostile input: extracts as real HR systems and schools send them, broken the ways they break.

Every case runs the real ``workforce ingest`` command on real files and checks four things:
no traceback; every row read ends kept, quarantined, or in a file refused or held whole and
listed (nothing is lost between the file and the data folder); the exit code; and a message
that names the cause.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from typer.testing import CliRunner

from tests.contract_rows import COHORT, STAFF, VACANCY, as_text
from tests.raw_files import write_csv
from workforce.cli import app
from workforce.ingest.load import Staging, effective_rows, file_id_of
from workforce.ingest.readers import SUPPORTED_SUFFIXES, UNSUPPORTED_TYPES

runner = CliRunner()
HEADER = list(as_text(STAFF))


def staff(index: int, **changes: str) -> dict[str, str]:
    """A valid spell of employer E1, ended in 2023, with its own person_key."""
    return {**as_text(STAFF), "person_key": f"{index:016x}", **changes}


def ongoing(index: int, **changes: str) -> dict[str, str]:
    """A valid spell of employer E1 that has not ended."""
    return staff(index, start_date="2012-03-01", end_date="", leave_reason="", **changes)


def ended(index: int, year: int, **changes: str) -> dict[str, str]:
    return staff(index, start_date=f"{year - 3}-01-01", end_date=f"{year}-06-30", **changes)


def csv_bytes(rows: list[dict[str, str]], *, separator: str = ",", line_end: str = "\n") -> str:
    lines = [separator.join(rows[0])] + [separator.join(row.values()) for row in rows]
    return line_end.join(lines) + line_end


@dataclass(frozen=True)
class Run:
    code: int
    output: str
    data: Path

    def files(self) -> pl.DataFrame:
        return Staging(self.data).files()

    def outcome(self, name: str) -> dict[str, object]:
        (row,) = self.files().filter(pl.col("path").str.ends_with(name)).to_dicts()
        return row


def ingest(data: Path, *paths: Path, options: tuple[str, ...] = ()) -> Run:
    """Run ``workforce ingest`` and check that it neither crashed nor lost a row."""
    result = runner.invoke(app, ["ingest", *map(str, paths), "--data-dir", str(data), *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    run = Run(result.exit_code, result.output, data)
    assert_nothing_lost(run, paths)
    return run


def assert_nothing_lost(run: Run, paths: tuple[Path, ...]) -> None:
    """Every row read is kept or quarantined; every file is in the manifest or listed."""
    staging = Staging(run.data)
    files = run.files()
    for row in files.iter_rows(named=True):
        assert row["rows_read"] == row["rows_kept"] + row["rows_quarantined"], row
        if row["status"] in ("refused", "held"):
            assert row["problem"]
        if row["status"] == "loaded":
            staged = pl.read_parquet(staging.rows_path(row["source"], row["file_id"]))
            assert staged.height == row["rows_kept"]
        if row["rows_quarantined"]:
            quarantine = staging.quarantine_path(row["source"], Path(row["path"]), row["file_id"])
            rejected = pl.read_csv(quarantine, infer_schema=False)
            assert rejected["row_number"].n_unique() == row["rows_quarantined"]
    in_manifest = set(files["path"].to_list())
    known = set(files.filter(pl.col("status") == "loaded")["file_id"].to_list())
    for given in paths:
        candidates = [p for p in given.rglob("*") if not p.is_dir()] if given.is_dir() else []
        for candidate in candidates:
            if str(candidate) in in_manifest or (
                candidate.is_file() and file_id_of(candidate) in known
            ):
                continue  # loaded, or the same content as a file loaded before
            harmless_type = (
                candidate.suffix.lower() not in SUPPORTED_SUFFIXES
                and candidate.suffix.lower() not in UNSUPPORTED_TYPES
                and not candidate.name.startswith((".", "~$"))
            )
            listed = any(f"{where}:" in run.output for where in (candidate, *candidate.parents))
            assert harmless_type or listed, candidate


def written(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """An .xlsx written by xlsxwriter, one sheet per entry; '=' starts a formula."""
    with xlsxwriter.Workbook(path) as book:
        for name, rows in sheets.items():
            sheet = book.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if isinstance(value, str) and value.startswith("="):
                        sheet.write_formula(r, c, value)
                    elif value is not None:
                        sheet.write(r, c, value)
    return path


def without_saved_results(path: Path) -> Path:
    """The workbook as a program without a calculation engine saves it: formulas, no values."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for name in parts:
        if name.startswith("xl/worksheets/"):
            parts[name] = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1", parts[name])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def rows_of(data: Path, source: str = "staff") -> pl.DataFrame:
    return effective_rows(data, source).collect()


# -- encodings, separators, line ends ------------------------------------------------------------


def test_utf16_with_bom_is_refused_naming_the_encoding(tmp_path: Path) -> None:
    path = written(tmp_path / "E1_2025-12-31.csv", csv_bytes([staff(1), staff(2)]), "utf-16")
    run = ingest(tmp_path / "data", path)
    assert run.code == 1
    assert "it is UTF-16 text" in run.output
    assert run.outcome("E1_2025-12-31.csv")["status"] == "refused"
    assert "Nothing was loaded" in run.output


def test_windows_1252_text_reads_every_character(tmp_path: Path) -> None:
    rows = [{**staff(1), "opmerking": "€ 12,- vergoed \u2013 \u201cnacht\u201d"}, staff(2)]
    rows[1]["opmerking"] = "Zoë"
    text = csv_bytes(rows, separator=";")
    run = ingest(tmp_path / "data", written(tmp_path / "E1_2025-12-31.csv", text, "cp1252"))
    assert run.code == 0, run.output
    assert run.outcome("E1_2025-12-31.csv")["rows_kept"] == 2


def test_bom_semicolons_crlf_and_quoted_separators_load_every_row(tmp_path: Path) -> None:
    rows = [{**staff(i), "opmerking": '"ploeg; nacht"'} for i in range(3)]
    text = "\ufeff" + csv_bytes(rows, separator=";", line_end="\r\n")
    run = ingest(tmp_path / "data", written(tmp_path / "E1_2025-12-31.csv", text))
    assert run.code == 0, run.output
    assert run.outcome("E1_2025-12-31.csv")["rows_kept"] == 3


def test_old_mac_line_ends_are_read_as_line_ends(tmp_path: Path) -> None:
    text = csv_bytes([staff(1), staff(2), staff(3)], line_end="\r")
    run = ingest(tmp_path / "data", written(tmp_path / "E1_2025-12-31.csv", text))
    assert run.code == 0, run.output
    assert run.outcome("E1_2025-12-31.csv")["rows_kept"] == 3


def test_dutch_decimal_comma_with_semicolons(tmp_path: Path) -> None:
    rows = [staff(1, contract_hours_week="31,5"), staff(2, contract_hours_week="36,0")]
    run = ingest(
        tmp_path / "data",
        written(tmp_path / "E1_2025-12-31.csv", csv_bytes(rows, separator=";")),
    )
    assert run.code == 0, run.output
    assert sorted(rows_of(run.data)["contract_hours_week"].to_list()) == [31.5, 36.0]


def test_thousands_separator_is_quarantined_not_misread(tmp_path: Path) -> None:
    rows = [staff(1), staff(2, contract_hours_week="1.234,5")]
    run = ingest(
        tmp_path / "data", written(tmp_path / "E1_2025-12-31.csv", csv_bytes(rows, separator=";"))
    )
    assert run.code == 1
    assert "bad number in contract_hours_week" in run.output
    assert run.outcome("E1_2025-12-31.csv")["rows_quarantined"] == 1


# -- files refused whole, and the run goes on ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a_zero.csv", b"", "the file is empty"),
        ("a_png.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "not a text file"),
        ("a_zip.csv", b"PK\x03\x04" + b"\x00" * 64, "a ZIP archive"),
        ("a_gzip.csv", gzip.compress(b"employer_id,person_key\n" * 50, mtime=0), "not a text file"),
        ("a_quote.csv", (",".join(HEADER) + '\nE1,"unclosed\n').encode(), "quotes are closed"),
        ("a_broken.parquet", b"PAR1 not really", "cannot be read as Parquet"),
        ("a_broken.xlsx", b"PK\x03\x04 not really", "cannot be read as Excel"),
    ],
)
def test_a_broken_file_is_refused_and_the_next_one_still_loads(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    folder = tmp_path / "delivery"
    written(folder / name, content)
    write_csv(folder / "z_E1_2025-12-31.csv", [staff(1), staff(2)])
    run = ingest(tmp_path / "data", folder)
    assert run.code == 1
    assert message in run.outcome(name)["problem"]  # type: ignore[operator]
    assert f"REFUSED {folder / name}" in run.output
    assert run.outcome("z_E1_2025-12-31.csv")["rows_kept"] == 2


def test_parquet_with_a_nested_column_loads_its_rows(tmp_path: Path) -> None:
    frame = pl.DataFrame([STAFF, {**STAFF, "person_key": "00000000000000aa"}]).with_columns(
        teams=pl.Series([["nacht", "weekend"], []]),
        adres=pl.Series([{"straat": "Dorp", "nummer": 1}, None]),
    )
    path = tmp_path / "E1_2025-12-31.parquet"
    frame.write_parquet(path)
    run = ingest(tmp_path / "data", path)
    assert run.code == 0, run.output
    assert run.outcome(path.name)["rows_kept"] == 2


def test_parquet_with_a_nested_contract_column_quarantines_its_rows(tmp_path: Path) -> None:
    frame = pl.DataFrame([STAFF]).with_columns(contract_hours_week=pl.Series([[28.5, 4.0]]))
    path = tmp_path / "E1_2025-12-31.parquet"
    frame.write_parquet(path)
    run = ingest(tmp_path / "data", path)
    assert run.code == 1
    assert "bad number in contract_hours_week" in run.output


def test_validate_does_not_crash_on_a_nested_column(tmp_path: Path) -> None:
    path = tmp_path / "E1.parquet"
    pl.DataFrame([STAFF]).with_columns(teams=pl.Series([["nacht"]])).write_parquet(path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "ignored columns not in the contract: teams" in result.output


def test_header_only_file_loads_nothing_and_says_so(tmp_path: Path) -> None:
    path = written(tmp_path / "E1_2025-12-31.csv", ",".join(HEADER) + "\n")
    run = ingest(tmp_path / "data", path)
    assert run.outcome(path.name)["rows_read"] == 0
    assert "0 rows kept" in run.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_refused_and_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "E1_2025-12-31.csv", [staff(1)])
    path.chmod(0)
    run = ingest(tmp_path / "data", path)
    assert run.code == 1
    assert "cannot be opened: Permission denied" in run.output


# -- misleading messages, now naming the real cause ----------------------------------------------


def test_two_blank_header_names_from_trailing_separators(tmp_path: Path) -> None:
    text = ",".join(HEADER) + ",,\n" + "\n".join(",".join(staff(i).values()) + ",," for i in (1, 2))
    run = ingest(tmp_path / "data", written(tmp_path / "E1_2025-12-31.csv", text + "\n"))
    assert run.code == 0, run.output
    assert run.outcome("E1_2025-12-31.csv")["rows_kept"] == 2


def test_blank_header_names_over_values_are_named_by_position(tmp_path: Path) -> None:
    text = ",".join(HEADER) + ",,\n" + ",".join(staff(1).values()) + ",x,y\n"
    path = written(tmp_path / "E1.csv", text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "(unnamed column 11), (unnamed column 12)" in result.output


def test_nul_byte_in_an_ignored_column_does_not_refuse_the_file(tmp_path: Path) -> None:
    rows = [{**staff(1), "opmerking": "nacht\x00dienst"}, {**staff(2), "opmerking": "dag"}]
    run = ingest(tmp_path / "data", written(tmp_path / "E1_2025-12-31.csv", csv_bytes(rows)))
    assert run.code == 0, run.output
    assert run.outcome("E1_2025-12-31.csv")["rows_kept"] == 2


def test_nul_byte_in_a_contract_column_fails_that_row_only(tmp_path: Path) -> None:
    rows = [staff(1), staff(2, profession_code="nurse\x00vocational")]
    run = ingest(tmp_path / "data", written(tmp_path / "E1_2025-12-31.csv", csv_bytes(rows)))
    assert run.code == 1
    assert "unknown profession_code" in run.output
    assert (run.outcome("E1_2025-12-31.csv")["rows_kept"]) == 1


def test_formulas_without_saved_results_are_named(tmp_path: Path) -> None:
    row = [*as_text(STAFF).values()]
    row[7] = "=32*0.9"
    path = without_saved_results(
        workbook(tmp_path / "E1_2025-12-31.xlsx", {"Blad1": [HEADER, row]})
    )
    run = ingest(tmp_path / "data", path)
    assert run.code == 1
    assert "1 cells hold a formula without a saved result (H2)" in run.output


def test_formulas_with_saved_results_load(tmp_path: Path) -> None:
    row: list[object] = [*as_text(STAFF).values()]
    row[7] = "=24+4.5"
    path = workbook(tmp_path / "E1_2025-12-31.xlsx", {"Blad1": [HEADER, row]})
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"<v>0</v>", b"<v>28.5</v>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    run = ingest(tmp_path / "data", path)
    assert run.code == 0, run.output
    assert rows_of(run.data)["contract_hours_week"].to_list() == [28.5]


# -- Excel: every sheet that holds data ----------------------------------------------------------


def test_a_second_sheet_with_data_is_refused_not_skipped(tmp_path: Path) -> None:
    first = [HEADER, *([*staff(i).values()] for i in range(10))]
    second = [HEADER, *([*staff(i).values()] for i in range(10, 20))]
    path = workbook(tmp_path / "E1_2025-12-31.xlsx", {"Jan-Jun": first, "Jul-Dec": second})
    run = ingest(tmp_path / "data", path)
    assert run.code == 1
    assert "holds a table on 2 sheets ('Jan-Jun': 10 rows, 'Jul-Dec': 10 rows)" in run.output
    assert rows_of(run.data).is_empty()


def test_data_on_the_second_sheet_behind_a_cover_sheet_is_read(tmp_path: Path) -> None:
    cover = [["Personeelsbestand E1"], ["Peildatum 31-12-2025"]]
    data = [HEADER, *([*staff(i).values()] for i in range(4))]
    path = workbook(tmp_path / "E1_2025-12-31.xlsx", {"Voorblad": cover, "Data": data})
    run = ingest(tmp_path / "data", path)
    assert run.code == 0, run.output
    assert run.outcome(path.name)["rows_kept"] == 4


def test_duplicate_header_names_in_a_sheet_are_named(tmp_path: Path) -> None:
    rows = [[*HEADER, "profession_code"], [*staff(1).values(), "care_helper"]]
    run = ingest(tmp_path / "data", workbook(tmp_path / "E1_2025-12-31.xlsx", {"Blad1": rows}))
    assert run.code == 1
    assert "sheet 'Blad1': columns named more than once: profession_code" in run.output


def test_excel_date_serials_in_a_csv_are_quarantined_with_the_value(tmp_path: Path) -> None:
    rows = [staff(1), staff(2, start_date="43709")]
    run = ingest(tmp_path / "data", write_csv(tmp_path / "E1_2025-12-31.csv", rows))
    assert run.code == 1
    assert "bad date in start_date" in run.output
    (quarantine,) = (run.data / "quarantine" / "staff").iterdir()
    assert pl.read_csv(quarantine, infer_schema=False)["value"].to_list() == ["43709"]


# -- files in a delivered folder that are not read ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason", "code"),
    [
        ("E2_2025-12-31.tsv", "unsupported file type .tsv: tab-separated text is not read", 1),
        ("E2_2025-12-31.xlsm", "unsupported file type .xlsm: a workbook with macros", 1),
        ("E2_2025-12-31.xls", "unsupported file type .xls: the old Excel format", 1),
        (".E2_2025-12-31.csv", "hidden file (its name starts with a dot)", 0),
        ("~$E2_2025-12-31.xlsx", "Excel lock file", 0),
    ],
)
def test_files_not_read_are_listed_with_the_reason(
    tmp_path: Path, name: str, reason: str, code: int
) -> None:
    folder = tmp_path / "delivery"
    written(folder / name, "employer_id\tperson_key\nE2\tx\n")
    write_csv(folder / "E1_2025-12-31.csv", [staff(1)])
    run = ingest(tmp_path / "data", folder)
    assert run.code == code, run.output
    assert f"NOT READ {folder / name}: {reason}" in run.output
    assert run.outcome("E1_2025-12-31.csv")["rows_kept"] == 1


def test_hidden_folders_and_broken_links_are_listed(tmp_path: Path) -> None:
    folder = tmp_path / "delivery"
    written(folder / ".oud" / "E1_2020-12-31.csv", "x")
    write_csv(folder / "E1_2025-12-31.csv", [staff(1)])
    (folder / "E3_2025-12-31.csv").symlink_to(tmp_path / "gone.csv")
    run = ingest(tmp_path / "data", folder)
    assert run.code == 1
    assert f"NOT READ {folder / '.oud'}: hidden folder, not searched" in run.output
    assert f"NOT READ {folder / 'E3_2025-12-31.csv'}: broken link to" in run.output


def test_a_link_to_a_file_loads_once(tmp_path: Path) -> None:
    folder = tmp_path / "delivery"
    original = write_csv(written(folder / "x", "").parent / "E1_2025-12-31.csv", [staff(1)])
    (folder / "x").unlink()
    (folder / "E1_copy_2025-12-31.csv").symlink_to(original)
    run = ingest(tmp_path / "data", folder)
    assert run.code == 0, run.output
    assert "1 files loaded, 1 unchanged" in run.output
    assert rows_of(run.data).height == 1


@pytest.mark.parametrize("content", [None, "notes.md", "E1_2025-12-31.tsv"])
def test_nothing_loaded_exits_non_zero(tmp_path: Path, content: str | None) -> None:
    folder = tmp_path / "delivery"
    folder.mkdir()
    if content:
        written(folder / content, "employer_id\tperson_key\n")
    run = ingest(tmp_path / "data", folder)
    assert run.code == 1
    assert "Nothing was loaded." in run.output


def test_names_with_spaces_and_non_ascii_load(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "Zorggroep Zuidoost \u2013 Ede é_2025-12-31.csv", [staff(1)])
    run = ingest(tmp_path / "data", path)
    assert run.code == 0, run.output
    assert run.outcome(path.name)["extract_date"] == dt.date(2025, 12, 31)


# -- extract dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("E1_2999-12-31.csv", "the extract date 2999-12-31 in the file name lies in the future"),
        ("E1_2025-02-30.csv", "the date 2025-02-30 in the file name is not a real date"),
        ("E1_2025-13-01.csv", "the date 2025-13-01 in the file name is not a real date"),
    ],
)
def test_impossible_or_future_extract_dates_are_refused(
    tmp_path: Path, name: str, message: str
) -> None:
    run = ingest(tmp_path / "data", write_csv(tmp_path / name, [staff(1)]))
    assert run.code == 1
    assert message in run.output
    assert rows_of(run.data).is_empty()


def test_a_future_extract_date_option_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "E1.csv", [staff(1)])
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    run = ingest(tmp_path / "data", path, options=("--extract-date", future))
    assert run.code == 1
    assert f"the extract date {future} lies in the future" in run.output


# -- rows HR systems get wrong: quarantined, the rest kept -----------------------------------------


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        ({"employer_id": "Totaal", "person_key": "", "start_date": ""}, "missing"),  # totals row
        ({"start_date": "31/02/2019"}, "bad date in start_date"),
        ({"contract_hours_week": "36 uur"}, "bad number in contract_hours_week"),
        ({"birth_year": "'87"}, "bad whole number in birth_year"),
        ({"leave_reason": "pensioen"}, "leave_reason"),
        ({"sector_code": "x" * 100_000}, "unknown sector_code"),  # a huge field
        ({"person_key": "Anna de Vries"}, "person_key not a pseudonym"),
        ({"contract_hours_week": "99"}, "contract_hours_week outside (0, 60]"),
    ],
)
def test_bad_rows_are_quarantined_and_the_rest_kept(
    tmp_path: Path, bad: dict[str, str], rule: str
) -> None:
    rows = [staff(1), staff(2, **bad), staff(3)]
    run = ingest(tmp_path / "data", write_csv(tmp_path / "E1_2025-12-31.csv", rows))
    assert run.code == 1
    outcome = run.outcome("E1_2025-12-31.csv")
    assert (outcome["rows_kept"], outcome["rows_quarantined"]) == (2, 1)
    assert rule in run.output


def test_a_title_line_above_the_header_keeps_row_numbers_right(tmp_path: Path) -> None:
    text = "Personeelsbestand E1 per 31-12-2025\n" + csv_bytes(
        [staff(1), staff(2, profession_code="astronaut")]
    )
    run = ingest(tmp_path / "data", written(tmp_path / "E1_2025-12-31.csv", text))
    assert run.code == 1
    (quarantine,) = (run.data / "quarantine" / "staff").iterdir()
    assert pl.read_csv(quarantine, infer_schema=False)["row_number"].to_list() == ["4"]


def test_case_and_space_variants_of_codes_are_read_as_the_code(tmp_path: Path) -> None:
    rows = [
        staff(1, municipality_code=" gm0344 ", profession_code="Nurse_Vocational"),
        staff(2, sector_code="ELDERLY_HOME_CARE", leave_reason="Retirement"),
        staff(3, person_key="00000000000000AB"),
    ]
    run = ingest(tmp_path / "data", write_csv(tmp_path / "E1_2025-12-31.csv", rows))
    assert run.code == 0, run.output
    loaded = rows_of(run.data).sort("person_key")
    assert set(loaded["municipality_code"]) == {"GM0344"}
    assert set(loaded["profession_code"]) == {"nurse_vocational"}
    assert loaded["leave_reason"].to_list()[1] == "retirement"
    assert "00000000000000ab" in loaded["person_key"].to_list()


def test_one_employer_spelled_two_ways_in_one_file_is_one_employer(tmp_path: Path) -> None:
    rows = [staff(1), staff(2), staff(3, employer_id="e1 "), staff(2, employer_id=" E1")]
    run = ingest(tmp_path / "data", write_csv(tmp_path / "E1_2025-12-31.csv", rows))
    assert run.code == 1  # the same spell twice, once under each spelling
    assert "duplicate employer_id + person_key + start_date" in run.output
    assert set(rows_of(run.data)["employer_id"]) == {"E1"}


def test_duplicate_rows_and_mixed_sources_in_one_folder(tmp_path: Path) -> None:
    folder = tmp_path / "delivery"
    write_csv(written(folder / "x", "").parent / "E1_2025-12-31.csv", [staff(1), staff(1)])
    (folder / "x").unlink()
    write_csv(folder / "E1_vac_2025-12-31.csv", [as_text(VACANCY)])
    write_csv(folder / "25LH_2025-10-01.csv", [as_text(COHORT)])
    run = ingest(tmp_path / "data", folder)
    assert run.code == 1
    assert "3 files loaded" in run.output
    assert "2 quarantined" in run.output


# -- a newer extract that would rewrite history ---------------------------------------------------


def history(tmp_path: Path) -> Path:
    """E1 delivered at the end of 2024: six contracts that ended, four current staff."""
    data = tmp_path / "data"
    rows = [ended(i, 2016 + i) for i in range(6)] + [ongoing(i) for i in range(6, 10)]
    run = ingest(data, write_csv(tmp_path / "E1_2024-12-31.csv", rows))
    assert run.code == 0, run.output
    return data


def test_a_current_staff_only_snapshot_is_held_then_accepted(tmp_path: Path) -> None:
    data = history(tmp_path)
    snapshot = write_csv(
        tmp_path / "E1_2025-12-31.csv", [ongoing(i) for i in range(6, 10)] + [ongoing(11)]
    )
    held = ingest(data, snapshot)
    assert held.code == 1
    assert "HELD" in held.output
    assert "it would remove 6 of the 10 contracts of E1 delivered earlier (6 ended" in held.output
    assert "--accept-changes" in held.output
    assert held.outcome(snapshot.name)["status"] == "held"
    assert rows_of(data).height == 10  # history untouched

    accepted = ingest(data, snapshot, options=("--accept-changes",))
    assert accepted.code == 0, accepted.output
    assert rows_of(data).height == 5
    assert not list((data / "quarantine").rglob("*.csv"))


def test_a_redelivery_whose_current_staff_are_all_quarantined_is_held(tmp_path: Path) -> None:
    data = history(tmp_path)
    rows = [ended(i, 2016 + i) for i in range(6)] + [
        ongoing(i, profession_code="verpleegkundige") for i in range(6, 10)
    ]
    run = ingest(data, write_csv(tmp_path / "E1_2025-12-31.csv", rows))
    assert run.code == 1
    assert "current staff of E1 would fall from 4 to 0" in run.output
    assert rows_of(data).filter(pl.col("end_date").is_null()).height == 4
    held = run.outcome("E1_2025-12-31.csv")
    assert (held["rows_read"], held["rows_quarantined"]) == (10, 10)


def test_a_newer_extract_in_another_case_replaces_not_doubles(tmp_path: Path) -> None:
    data = history(tmp_path)
    rows = [ended(i, 2016 + i, employer_id="e1") for i in range(6)] + [
        ongoing(i, employer_id=" e1") for i in range(6, 11)
    ]
    run = ingest(data, write_csv(tmp_path / "e1_2025-12-31.csv", rows))
    assert run.code == 0, run.output
    loaded = rows_of(data)
    assert set(loaded["employer_id"]) == {"E1"}
    assert loaded.height == 11


def test_an_employer_under_a_new_name_with_the_same_staff_is_held(tmp_path: Path) -> None:
    data = history(tmp_path)
    rows = [ongoing(i, employer_id="E-1") for i in range(6, 10)]
    run = ingest(data, write_csv(tmp_path / "E-1_2025-12-31.csv", rows))
    assert run.code == 1
    assert "4 of the 4 current staff of E-1 are current staff of E1 too" in run.output
    assert set(rows_of(data)["employer_id"]) == {"E1"}


def test_a_corrected_redelivery_still_replaces_silently(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = [ended(i, 2015 + i % 10) for i in range(150)] + [ongoing(i) for i in range(150, 200)]
    ingest(data, write_csv(tmp_path / "E1_2024-12-31.csv", old))
    corrected = old[1:]  # one contract entered by mistake, removed
    run = ingest(data, write_csv(tmp_path / "E1_2025-12-31.csv", corrected))
    assert run.code == 0, run.output
    assert rows_of(data).height == 199


def test_quarantine_cells_cannot_run_as_formulas(tmp_path: Path) -> None:
    attack = "=cmd|' /C calc'!A0"
    rows = [staff(1), staff(2, profession_code=attack)]
    run = ingest(tmp_path / "data", write_csv(tmp_path / "E1_2025-12-31.csv", rows))
    assert run.code == 1
    (quarantine,) = (run.data / "quarantine" / "staff").iterdir()
    cells = pl.read_csv(quarantine, infer_schema=False)
    assert cells["profession_code"].to_list() == ["'" + attack]
    assert not any(
        str(value).startswith(("=", "+", "@"))
        for column in cells.columns
        for value in cells[column].to_list()
        if value is not None
    )


# -- layouts: merged header rows, trailing empty rows, special files -------------------------------


def test_a_merged_group_row_above_the_csv_header_is_skipped(tmp_path: Path) -> None:
    group = ";".join(["Werkgever", "Persoon", "", "", "", "Contract", "", "", "", ""])
    text = group + "\n" + csv_bytes([staff(1), staff(2, birth_year="1887")], separator=";")
    run = ingest(tmp_path / "data", written(tmp_path / "E1_2025-12-31.csv", text))
    assert run.code == 1
    (quarantine,) = (run.data / "quarantine" / "staff").iterdir()
    assert pl.read_csv(quarantine, infer_schema=False)["row_number"].to_list() == ["4"]
    assert run.outcome("E1_2025-12-31.csv")["rows_kept"] == 1


def test_a_merged_group_row_above_the_sheet_header_is_skipped(tmp_path: Path) -> None:
    group: list[object] = ["Werkgever", "Persoon", None, None, None, "Contract"]
    rows = [["Personeelsbestand"], group, HEADER, [*staff(1).values()], [*staff(2).values()]]
    run = ingest(tmp_path / "data", workbook(tmp_path / "E1_2025-12-31.xlsx", {"Blad1": rows}))
    assert run.code == 0, run.output
    assert run.outcome("E1_2025-12-31.xlsx")["rows_kept"] == 2


def test_empty_rows_an_export_leaves_at_the_end_are_not_rows(tmp_path: Path) -> None:
    text = csv_bytes([staff(1), staff(2)], separator=";") + ";" * 9 + "\n" + ";" * 9 + "\n"
    run = ingest(tmp_path / "data", written(tmp_path / "E1_2025-12-31.csv", text))
    assert run.code == 0, run.output
    assert run.outcome("E1_2025-12-31.csv")["rows_read"] == 2


def test_an_empty_row_between_rows_is_quarantined_in_its_place(tmp_path: Path) -> None:
    text = csv_bytes([staff(1)]) + "," * 9 + "\n" + csv_bytes([staff(1), staff(2)]).split("\n")[2]
    run = ingest(tmp_path / "data", written(tmp_path / "E1_2025-12-31.csv", text + "\n"))
    assert run.code == 1
    (quarantine,) = (run.data / "quarantine" / "staff").iterdir()
    assert set(pl.read_csv(quarantine, infer_schema=False)["row_number"]) == {"3"}
    assert run.outcome("E1_2025-12-31.csv")["rows_kept"] == 2


def test_a_named_pipe_is_listed_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "delivery"
    write_csv(written(folder / "x", "").parent / "E1_2025-12-31.csv", [staff(1)])
    (folder / "x").unlink()
    os.mkfifo(folder / "E2_2025-12-31.csv")
    run = ingest(tmp_path / "data", folder)
    assert run.code == 1
    assert f"NOT READ {folder / 'E2_2025-12-31.csv'}: not a regular file" in run.output
    direct = ingest(tmp_path / "data2", folder / "E2_2025-12-31.csv")
    assert direct.code == 1
    assert "cannot be opened: not a regular file" in direct.output


# -- found by mutating good files: each once stopped the reader with an unexpected error ----------


def test_parquet_with_binary_and_duration_columns_loads_its_rows(tmp_path: Path) -> None:
    frame = pl.DataFrame([STAFF]).with_columns(
        foto=pl.lit(b"\xff\xd8\xff\x00"), pauze=pl.lit(dt.timedelta(minutes=30))
    )
    path = tmp_path / "E1_2025-12-31.parquet"
    frame.write_parquet(path)
    run = ingest(tmp_path / "data", path)
    assert run.code == 0, run.output
    assert run.outcome(path.name)["rows_kept"] == 1


def test_a_whole_number_too_large_is_a_bad_value_not_a_missing_one(tmp_path: Path) -> None:
    frame = pl.DataFrame([STAFF]).with_columns(birth_year=pl.lit(1e30))
    path = tmp_path / "E1_2025-12-31.parquet"
    frame.write_parquet(path)
    run = ingest(tmp_path / "data", path)
    assert run.code == 1
    assert "bad whole number in birth_year" in run.output


def test_a_damaged_workbook_is_refused_and_named(tmp_path: Path) -> None:
    path = workbook(tmp_path / "E1_2025-12-31.xlsx", {"Blad1": [HEADER, [*staff(1).values()]]})
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = member.header_offset + 30 + len(member.filename) + len(member.extra)
    data[start + 20 : start + 40] = b"\xff" * 20  # damaged in transfer
    path.write_bytes(bytes(data))
    run = ingest(tmp_path / "data", path)
    assert run.code == 1
    assert "cannot be read as Excel (.xlsx)" in run.outcome(path.name)["problem"]  # type: ignore[operator]


def test_a_workbook_without_sheets_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path / "E1_2025-12-31.xlsx", {"Blad1": [HEADER]})
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/workbook.xml"] = re.sub(
        rb"<sheets>.*</sheets>", b"<sheets/>", parts["xl/workbook.xml"]
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    run = ingest(tmp_path / "data", path)
    assert run.code == 1
    assert "cannot be read as Excel (.xlsx)" in run.output


def test_file_names_that_look_like_console_markup_are_printed_as_they_are(tmp_path: Path) -> None:
    path = written(tmp_path / "[red]E1[/red]_2025-12-31.csv", b"")
    run = ingest(tmp_path / "data", path)
    assert run.code == 1
    assert f"REFUSED {path}: the file is empty" in run.output
    missing = ingest(tmp_path / "data", tmp_path / "[bold]gone.csv")
    assert missing.code == 2
    assert f"Not found: {tmp_path / '[bold]gone.csv'}" in missing.output
