"""Loading raw files: every bad-input kind, conservation of rows, idempotency and supersede."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from tests.contract_rows import COHORT, STAFF, VACANCY, as_text
from tests.raw_files import write_csv, write_xlsx
from workforce.cli import app
from workforce.ingest.load import (
    FileOutcome,
    Staging,
    effective_rows,
    extract_date_of,
    file_id_of,
    ingest_paths,
)

EXTRACT = dt.date(2025, 12, 31)


def staff(index: int, **changes: str) -> dict[str, str]:
    """A valid staff spell of employer E1 with its own person_key."""
    return {**as_text(STAFF), "person_key": f"{index:016x}", **changes}


def vacancy(index: int, **changes: str) -> dict[str, str]:
    return {**as_text(VACANCY), "vacancy_id": f"V-{index}", **changes}


def ingest_one(path: Path, data_dir: Path) -> FileOutcome:
    """Ingest one file and check that every row read was kept or quarantined, nothing else."""
    (outcome,) = ingest_paths([path], data_dir, extract_date=EXTRACT).outcomes
    assert_conserved(data_dir, outcome)
    return outcome


def assert_conserved(data_dir: Path, outcome: FileOutcome) -> None:
    staging = Staging(data_dir)
    files = staging.files().filter(pl.col("path") == str(outcome.path))
    (row,) = files.to_dicts()
    assert row["rows_read"] == row["rows_kept"] + row["rows_quarantined"]
    if outcome.status == "refused":
        assert row["rows_kept"] == row["rows_quarantined"] == 0
        assert not list(data_dir.glob(f"staging/*/{row['file_id']}.parquet"))
        return
    staged = pl.read_parquet(staging.rows_path(outcome.source or "", row["file_id"]))
    assert staged.height == row["rows_kept"] == outcome.rows_kept
    quarantine = staging.quarantine_path(outcome.source or "", outcome.path, row["file_id"])
    if row["rows_quarantined"]:
        rejected = pl.read_csv(quarantine, infer_schema=False)
        assert rejected["row_number"].n_unique() == row["rows_quarantined"]
        assert set(rejected["source_file"]) == {str(outcome.path)}
    else:
        assert not quarantine.exists()


def quarantined(data_dir: Path) -> pl.DataFrame:
    (path,) = data_dir.glob("quarantine/*/*.csv")
    return pl.read_csv(path, infer_schema=False)


# -- files refused whole -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"\r\n\r\n", "the file is empty"),
        ("tabs.csv", "\t".join(as_text(STAFF)).encode() + b"\n1\t2\n", "only one column"),
        ("utf16.csv", ",".join(as_text(STAFF)).encode("utf-16"), "not a text file"),
        ("binary.csv", bytes(range(256)) * 4, "not a text file"),
    ],
)
def test_unreadable_file_is_refused_whole(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    outcome = ingest_one(path, tmp_path / "data")
    assert outcome.status == "refused"
    assert message in (outcome.problem or "")


def test_missing_column_is_refused_and_named(tmp_path: Path) -> None:
    rows = [{k: v for k, v in staff(1).items() if k != "birth_year"}]
    outcome = ingest_one(write_csv(tmp_path / "E1_2025-12-31.csv", rows), tmp_path / "data")
    assert outcome.status == "refused"
    assert "misses columns: birth_year" in (outcome.problem or "")


def test_truncated_file_is_refused_not_half_loaded(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "E1_2025-12-31.csv", [staff(i) for i in range(5)])
    complete = path.read_bytes()
    path.write_bytes(complete[: complete.rindex(b",") - 3])
    outcome = ingest_one(path, tmp_path / "data")
    assert outcome.status == "refused"
    assert "looks cut off" in (outcome.problem or "")
    assert "row 6" in (outcome.problem or "")


# -- rows quarantined, the rest loaded ----------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "rule"),
    [
        ({"contract_hours_week": "veel"}, "bad number in contract_hours_week"),
        ({"birth_year": "1987.5"}, "bad whole number in birth_year"),
        ({"profession_code": "astronaut"}, "unknown profession_code"),
        ({"municipality_code": "GM9999"}, "unknown municipality_code"),
        ({"end_date": "2019-01-01"}, "end_date before start_date"),
        ({"start_date": "2026-02-01", "end_date": ""}, "start_date after the extract date"),
        ({"person_key": "123456782"}, "person_key not a pseudonym"),
        ({"contract_hours_week": "-8"}, "contract_hours_week outside (0, 60]"),
    ],
)
def test_bad_staff_row_is_quarantined_with_its_rule(
    tmp_path: Path, bad: dict[str, str], rule: str
) -> None:
    rows = [staff(1), staff(2, **bad), staff(3)]
    if bad.get("end_date") == "":
        rows[1]["leave_reason"] = ""
    outcome = ingest_one(write_csv(tmp_path / "E1_2025-12-31.csv", rows), tmp_path / "data")
    assert (outcome.rows_kept, outcome.rows_quarantined) == (2, 1)
    failure = quarantined(tmp_path / "data").row(0, named=True)
    assert failure["row_number"] == "3"
    assert failure["rule"].startswith(rule)
    assert failure["person_key"] == rows[1]["person_key"]


def test_duplicates_are_quarantined_both(tmp_path: Path) -> None:
    rows = [staff(1), staff(2), staff(2)]
    outcome = ingest_one(write_csv(tmp_path / "E1_2025-12-31.csv", rows), tmp_path / "data")
    assert (outcome.rows_kept, outcome.rows_quarantined) == (1, 2)
    assert set(quarantined(tmp_path / "data")["rule"]) == {
        "duplicate employer_id + person_key + start_date"
    }


def test_negative_counts_are_quarantined(tmp_path: Path) -> None:
    rows = [as_text(COHORT), {**as_text(COHORT), "cohort_year": "2022", "dropouts": "-3"}]
    outcome = ingest_one(write_csv(tmp_path / "25LH_2025-10-01.csv", rows), tmp_path / "data")
    assert (outcome.source, outcome.rows_kept, outcome.rows_quarantined) == ("education", 1, 1)
    assert "negative dropouts" in set(quarantined(tmp_path / "data")["rule"])


def test_vacancy_closed_after_extract_is_quarantined(tmp_path: Path) -> None:
    rows = [vacancy(1), vacancy(2, closed_on="2026-01-15")]
    outcome = ingest_one(write_csv(tmp_path / "E1_2025-12-31.csv", rows), tmp_path / "data")
    assert (outcome.rows_kept, outcome.rows_quarantined) == (1, 1)
    (rule,) = quarantined(tmp_path / "data")["rule"]
    assert rule == "closed_on after the extract date (2025-12-31)"


# -- dialects that load cleanly ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("separator", "encoding", "changes"),
    [
        (",", "utf-8-sig", {}),  # BOM
        (",", "latin-1", {"vacancy_id": "Vacature-Zoë"}),
        (";", "utf-8", {"hours_week": "31,5"}),  # semicolons and a decimal comma
        (",", "utf-8", {"opened_on": "12-02-2024", "closed_on": "03-04-2024"}),  # dd-mm-yyyy
    ],
)
def test_export_dialects_load_every_row(
    tmp_path: Path, separator: str, encoding: str, changes: dict[str, str]
) -> None:
    rows = [vacancy(1), vacancy(2, **changes)]
    path = write_csv(tmp_path / "E1_2025-12-31.csv", rows, separator=separator, encoding=encoding)
    outcome = ingest_one(path, tmp_path / "data")
    assert (outcome.status, outcome.rows_kept, outcome.rows_quarantined) == ("loaded", 2, 0)
    loaded = effective_rows(tmp_path / "data", "vacancies").collect().sort("vacancy_id")
    second = loaded.row(1, named=True)
    if "vacancy_id" in changes:
        assert second["vacancy_id"] == "Vacature-Zoë"
    if "hours_week" in changes:
        assert second["hours_week"] == 31.5
    if "opened_on" in changes:
        assert (second["opened_on"], second["closed_on"]) == (
            dt.date(2024, 2, 12),
            dt.date(2024, 4, 3),
        )


def test_extra_column_is_ignored_and_rows_kept(tmp_path: Path) -> None:
    rows = [{**staff(1), "remarks": "ok"}, {**staff(2), "remarks": ""}]
    outcome = ingest_one(write_csv(tmp_path / "E1_2025-12-31.csv", rows), tmp_path / "data")
    assert (outcome.rows_kept, outcome.rows_quarantined) == (2, 0)
    assert "remarks" not in effective_rows(tmp_path / "data", "staff").collect_schema()


def test_excel_with_title_rows_counts_rows_as_excel_shows_them(tmp_path: Path) -> None:
    header = list(as_text(COHORT))
    good = ["25LH", "25655", "MBO4", "BOL", "GM0344", 2021, 120, 40, 62, 18]
    bad = ["25LH", "25655", "MBO4", "BOL", "GM0344", 2022, 100, 40, 62, -2]
    sheet = [["Instroom zorgopleidingen 2025"], [], header, good, bad]
    path = write_xlsx(tmp_path / "25LH_2025-10-01.xlsx", sheet)
    outcome = ingest_one(path, tmp_path / "data")
    assert (outcome.rows_kept, outcome.rows_quarantined) == (1, 1)
    failure = quarantined(tmp_path / "data").row(0, named=True)
    assert (failure["row_number"], failure["rule"]) == ("5", "negative dropouts")


# -- idempotent and incremental -----------------------------------------------------------------


def test_loading_the_same_content_twice_changes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = write_csv(tmp_path / "E1_2025-12-31.csv", [staff(1), staff(2)])
    ingest_paths([path], data)
    before = Staging(data).files()
    copy = tmp_path / "copy" / "E1_2025-12-31.csv"
    copy.parent.mkdir()
    copy.write_bytes(path.read_bytes())
    report = ingest_paths([path, copy], data)
    assert [outcome.status for outcome in report.outcomes] == ["unchanged", "unchanged"]
    assert Staging(data).files().equals(before)
    assert effective_rows(data, "staff").collect().height == 2


def test_newer_extract_replaces_older_for_the_period_it_covers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    early = dict(start_date="2015-03-01", end_date="2016-05-31", leave_reason="unknown")
    old_rows = [
        staff(1, **early),  # ended before the new extract's window: kept from the old file
        staff(2, start_date="2018-01-01", end_date="2024-03-31"),  # replaced
        staff(3, start_date="2019-01-01", end_date="", leave_reason=""),  # replaced
    ]
    new_rows = [
        staff(2, start_date="2018-01-01", end_date="2024-02-29"),  # corrected end date
        staff(3, start_date="2019-01-01", end_date="2025-09-30", leave_reason="retirement"),
        staff(4, start_date="2025-10-01", end_date="", leave_reason=""),
    ]
    ingest_paths([write_csv(tmp_path / "E1_2025-06-30.csv", old_rows)], data)
    ingest_paths([write_csv(tmp_path / "E1_2025-12-31.csv", new_rows)], data)
    kept = effective_rows(data, "staff").collect().sort("person_key")
    assert kept["person_key"].to_list() == [f"{i:016x}" for i in (1, 2, 3, 4)]
    assert kept["end_date"].to_list()[1:3] == [dt.date(2024, 2, 29), dt.date(2025, 9, 30)]
    # Loading the older extract again, later, does not bring its rows back.
    ingest_paths([tmp_path / "E1_2025-06-30.csv"], data)
    assert effective_rows(data, "staff").collect().sort("person_key").equals(kept)


def test_other_employers_are_not_replaced(tmp_path: Path) -> None:
    data = tmp_path / "data"
    other = [staff(9, employer_id="E2", start_date="2019-01-01", end_date="", leave_reason="")]
    ingest_paths([write_csv(tmp_path / "E2_2025-06-30.csv", other)], data)
    ingest_paths([write_csv(tmp_path / "E1_2025-12-31.csv", [staff(1)])], data)
    assert set(effective_rows(data, "staff").collect()["employer_id"]) == {"E1", "E2"}


def test_extract_date_comes_from_the_file_name() -> None:
    default = dt.date(2030, 1, 1)
    assert extract_date_of(Path("VVT-03_2025-12-31.csv"), default) == (
        dt.date(2025, 12, 31),
        "file name",
    )
    assert extract_date_of(Path("export.csv"), default) == (default, "default")
    assert extract_date_of(Path("E_2025-13-45.csv"), default) == (default, "default")


def test_file_id_depends_on_content_only(tmp_path: Path) -> None:
    first = tmp_path / "a.csv"
    second = tmp_path / "b.csv"
    first.write_bytes(b"x,y\n1,2\n")
    second.write_bytes(b"x,y\n1,2\n")
    assert file_id_of(first) == file_id_of(second)
    second.write_bytes(b"x,y\n1,3\n")
    assert file_id_of(first) != file_id_of(second)


# -- the command --------------------------------------------------------------------------------


def test_ingest_command_reports_and_exits_by_outcome(tmp_path: Path) -> None:
    good = write_csv(tmp_path / "E1_2025-12-31.csv", [staff(1), staff(2)])
    bad = write_csv(tmp_path / "E2_2025-12-31.csv", [staff(3, profession_code="astronaut")])
    data = str(tmp_path / "data")
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(good), "--data-dir", data])
    assert first.exit_code == 0, first.output
    assert "1 files loaded" in first.output
    second = runner.invoke(app, ["ingest", str(good), str(bad), "--data-dir", data])
    assert second.exit_code == 1
    assert "1 unchanged" in second.output
    assert "unknown profession_code" in second.output
    missing = runner.invoke(app, ["ingest", str(tmp_path / "nope.csv"), "--data-dir", data])
    assert missing.exit_code == 2
    assert "Not found" in missing.output
