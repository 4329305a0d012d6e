"""``workforce pseudonymise``: the tool employers run before sending an HR extract."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from tests.raw_files import write_xlsx
from workforce.cli import app
from workforce.pseudonymise import KEY_ENV, normalise_identifier
from workforce.schemas import PERSON_KEY_PATTERN

runner = CliRunner()
REGIONAL_KEY = "a-secret-regional-key-of-at-least-32-bytes"

HOSPITAL = """BSN,Naam,E-mail,Telefoonnummer,Geboortedatum,profession_code,start_date,Adres
123456782,Anna de Vries,anna@example.nl,0612345678,14-03-1987,nurse_bachelor,2019-09-01,Dorp 1
012345672,Bram Jansen,bram@example.nl,0687654321,02-11-1990,care_helper,2020-01-01,Kerkweg 2
"""
# The same two people at a nursing home, in a spreadsheet: a BSN as a number (its leading
# zero lost), another with dots, birth dates as Excel dates.
NURSING_HOME = [
    ["bsn", "first_name", "last_name", "date_of_birth", "profession_code", "start_date"],
    [12345672, "Bram", "Jansen", dt.date(1990, 11, 2), "nurse_vocational", "2023-05-01"],
    ["123.456.782", "Anna", "de Vries", dt.date(1987, 3, 14), "nurse_bachelor", "2024-02-01"],
]


@pytest.fixture
def extracts(tmp_path: Path) -> tuple[Path, Path, Path]:
    hospital = tmp_path / "hospital.csv"
    hospital.write_text(HOSPITAL, encoding="utf-8")
    nursing_home = tmp_path / "nursing_home.xlsx"
    write_xlsx(nursing_home, NURSING_HOME)
    key = tmp_path / "regional.key"
    key.write_text(REGIONAL_KEY + "\n", encoding="utf-8")
    key.chmod(0o600)
    return hospital, nursing_home, key


def run(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["pseudonymise", *map(str, args)], env=env)
    return result.exit_code, result.output


def keys_by_profession(path: Path) -> dict[str, str]:
    frame = pl.read_csv(path)
    return dict(zip(frame["profession_code"], frame["person_key"], strict=True))


def test_same_person_same_key_at_two_employers(
    extracts: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    hospital, nursing_home, key = extracts

    code_a, _ = run(hospital, "--id-column", "BSN", "--key-file", key, "--out", tmp_path / "a.csv")
    code_b, _ = run(
        nursing_home, "--id-column", "bsn", "--key-file", key, "--out", tmp_path / "b.csv"
    )

    assert code_a == code_b == 0
    a = keys_by_profession(tmp_path / "a.csv")
    b = keys_by_profession(tmp_path / "b.csv")
    assert a["nurse_bachelor"] == b["nurse_bachelor"]  # Anna
    assert a["care_helper"] == b["nurse_vocational"]  # Bram
    assert a["nurse_bachelor"] != a["care_helper"]
    expected = hmac.new(REGIONAL_KEY.encode(), b"123456782", hashlib.sha256).hexdigest()
    assert a["nurse_bachelor"] == expected


def test_another_regional_key_gives_other_keys(
    extracts: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    hospital, _, key = extracts

    run(hospital, "--id-column", "BSN", "--key-file", key, "--out", tmp_path / "a.csv")
    code, _ = run(
        hospital,
        "--id-column",
        "BSN",
        "--out",
        tmp_path / "other.csv",
        env={KEY_ENV: "another-region-with-its-own-32-byte-key"},
    )

    assert code == 0
    ours = set(keys_by_profession(tmp_path / "a.csv").values())
    theirs = set(keys_by_profession(tmp_path / "other.csv").values())
    assert not ours & theirs


def test_no_identifier_survives_and_birth_date_becomes_a_year(
    extracts: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    hospital, nursing_home, key = extracts
    for source, id_column in ((hospital, "BSN"), (nursing_home, "bsn")):
        out = tmp_path / f"{source.stem}.pseudonymised.csv"

        code, output = run(source, "--id-column", id_column, "--key-file", key, "--out", out)

        assert code == 0, output
        frame = pl.read_csv(out, infer_schema=False)
        assert set(frame.columns) == {"person_key", "profession_code", "start_date", "birth_year"}
        text = out.read_text(encoding="utf-8")
        for secret in ("123456782", "12345672", "Anna", "Jansen", "example.nl", "0612", "Zeist"):
            assert secret not in text
        assert REGIONAL_KEY not in text
        assert sorted(frame["birth_year"].to_list()) == ["1987", "1990"]
        keys = frame["person_key"]
        assert keys.str.contains(r"^[0-9a-f]{64}$").all()
        assert keys.str.contains(PERSON_KEY_PATTERN).all()  # accepted by the staff contract


def test_extra_drop_column(extracts: tuple[Path, Path, Path], tmp_path: Path) -> None:
    hospital, _, key = extracts
    out = tmp_path / "a.csv"

    code, _ = run(
        hospital, "--id-column", "BSN", "--key-file", key, "--out", out, "--drop", "start_date"
    )

    assert code == 0
    assert "start_date" not in pl.read_csv(out).columns


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--id-column", "personnel"], "personnel"),
        (["--id-column", "BSN", "--drop", "salary"], "salary"),
    ],
)
def test_missing_column_names_file_and_column(
    extracts: tuple[Path, Path, Path], tmp_path: Path, arguments: list[str], message: str
) -> None:
    hospital, _, key = extracts

    code, output = run(hospital, *arguments, "--key-file", key, "--out", tmp_path / "a.csv")

    assert code == 2
    assert message in output
    assert "hospital.csv" in output
    assert "Traceback" not in output
    assert not (tmp_path / "a.csv").exists()


def test_empty_key_and_unreadable_file_exit_2(
    extracts: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    hospital, _, _ = extracts
    empty = tmp_path / "empty.key"
    empty.write_text("\n", encoding="utf-8")

    code, output = run(
        hospital, "--id-column", "BSN", "--key-file", empty, "--out", tmp_path / "a.csv"
    )
    assert code == 2
    assert "empty.key" in output

    code, output = run(
        hospital, "--id-column", "BSN", "--out", tmp_path / "a.csv", env={KEY_ENV: ""}
    )
    assert code == 2
    assert KEY_ENV in output

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a spreadsheet")
    code, output = run(
        broken, "--id-column", "BSN", "--out", tmp_path / "a.csv", env={KEY_ENV: "k"}
    )
    assert code == 2
    assert "broken.xlsx" in output


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("012.345.672", "012345672"),
        (" 12345672 ", "012345672"),
        ("12345672.0", "012345672"),
        ("012-345-672", "012345672"),
        ("AB 1234", "ab1234"),
    ],
)
def test_identifier_formatting_does_not_change_the_key(written: str, normalised: str) -> None:
    assert normalise_identifier(written) == normalised


def test_a_pseudonymised_hr_extract_passes_the_staff_contract(region: Path, tmp_path: Path) -> None:
    extract = sorted((region / "staff").glob("*.csv"))[0]
    hr = (
        pl.read_csv(extract, infer_schema=False)
        .with_row_index("number", offset=100_000_000)
        .with_columns(
            BSN=pl.col("number").cast(pl.String),
            Naam=pl.lit("Anna de Vries"),
            Geboortedatum=pl.col("birth_year") + "-05-01",
        )
        .drop("number", "person_key", "birth_year")
    )
    source = tmp_path / "hr_system_export.csv"
    hr.write_csv(source)
    out = tmp_path / "staff" / extract.name

    code, output = run(source, "--id-column", "BSN", "--out", out, env={KEY_ENV: REGIONAL_KEY})

    assert code == 0, output
    checked = runner.invoke(app, ["validate", str(out)])
    assert checked.exit_code == 0, checked.output
    assert pl.read_csv(out)["person_key"].n_unique() == hr["BSN"].n_unique()
