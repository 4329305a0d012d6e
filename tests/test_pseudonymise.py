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
from workforce.pseudonymise import KEY_ENV, normalise_identifier, passes_elfproef
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


# -- nothing identifying leaves the employer -----------------------------------------------------

SPELL_COLUMNS = "profession_code,sector_code,municipality_code,start_date,end_date"
SPELL = "nurse_vocational,elderly_home_care,GM0344,2019-09-01,"


def hr_export(tmp_path: Path, extra_header: str, *extra_values: str) -> Path:
    """An HR export: an identifier, the contract's columns and one more column per row."""
    lines = [f"BSN,{SPELL_COLUMNS},{extra_header}"]
    quoted = ['"' + value.replace('"', '""') + '"' for value in extra_values]
    lines += [f"{100000000 + i},{SPELL},{value}" for i, value in enumerate(quoted)]
    path = tmp_path / "hr_export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def key_file(tmp_path: Path, key: str = REGIONAL_KEY, mode: int = 0o600) -> Path:
    path = tmp_path / "regional.key"
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("column", ["BSN-nummer", "Personeelsnr", "Opmerking", "Salaris"])
def test_columns_outside_the_contract_are_never_sent(tmp_path: Path, column: str) -> None:
    source = hr_export(tmp_path, column, "111222333", "kept secret")
    out = tmp_path / "out.csv"

    code, output = run(source, "--id-column", "BSN", "--key-file", key_file(tmp_path), "--out", out)

    assert code == 0, output
    assert column not in pl.read_csv(out).columns
    assert "111222333" not in out.read_text()
    assert "kept secret" not in out.read_text()
    assert f"columns not sent: {column}" in output


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("BSN 123456782 (zie dossier)", "BSN"),
        ("123.456.782", "BSN"),
        ("mail anna@example.nl", "e-mail address"),
        ("bel 06-12345678", "phone number"),
        ("+31 6 1234 5678", "phone number"),
        ("030 - 123 45 67", "phone number"),
    ],
)
def test_a_kept_column_holding_an_identifier_is_refused(
    tmp_path: Path, value: str, kind: str
) -> None:
    source = hr_export(tmp_path, "remarks", "nachtdienst", value)
    out = tmp_path / "out.csv"

    code, output = run(
        source, "--id-column", "BSN", "--key-file", key_file(tmp_path), "--out", out,
        "--keep", "remarks",
    )  # fmt: skip

    assert code == 2
    assert f"column 'remarks', row 3: looks like a{'n' if kind[0] in 'e' else ''} " in output
    assert kind in output
    assert value not in output  # the identifier is not repeated on the screen
    assert not out.exists()
    assert "Traceback" not in output


@pytest.mark.parametrize(
    "value", ["nachtdienst 2019-09-01", "123456789", "contract 36 uur", "fte 0,8889", "2025"]
)
def test_ordinary_values_are_not_taken_for_identifiers(tmp_path: Path, value: str) -> None:
    # 123456789 fails the elfproef (9*1+8*2+...+2*8-9 = 156, not divisible by 11).
    source = hr_export(tmp_path, "remarks", value)
    out = tmp_path / "out.csv"

    code, output = run(
        source, "--id-column", "BSN", "--key-file", key_file(tmp_path), "--out", out,
        "--keep", "remarks",
    )  # fmt: skip

    assert code == 0, output
    assert pl.read_csv(out, infer_schema=False)["remarks"].to_list() == [value]


@pytest.mark.parametrize(
    ("key", "mode", "message"),
    [
        ("x", 0o600, "is 1 bytes; it must be at least 32 bytes"),
        ("k" * 31, 0o600, "is 31 bytes; it must be at least 32 bytes"),
        (REGIONAL_KEY, 0o644, "can be read by other users (mode 644)"),
        (REGIONAL_KEY, 0o640, "chmod 600"),
    ],
)
def test_weak_keys_and_readable_key_files_are_refused(
    tmp_path: Path, key: str, mode: int, message: str
) -> None:
    source = hr_export(tmp_path, "remarks", "ok")
    out = tmp_path / "out.csv"

    code, output = run(source, "--id-column", "BSN", "--key-file", key_file(tmp_path, key, mode),
                       "--out", out)  # fmt: skip

    assert code == 2
    assert message in output
    assert "regional.key" in output
    assert not out.exists()


def test_a_short_key_in_the_environment_is_refused(tmp_path: Path) -> None:
    source = hr_export(tmp_path, "remarks", "ok")

    code, output = run(
        source, "--id-column", "BSN", "--out", tmp_path / "o.csv", env={KEY_ENV: "short"}
    )

    assert code == 2
    assert f"${KEY_ENV} is 5 bytes" in output


def test_an_input_with_a_person_key_column_is_refused_clearly(tmp_path: Path) -> None:
    source = hr_export(tmp_path, "person_key", "3f1c9a7be4d2086c")

    code, output = run(
        source, "--id-column", "BSN", "--key-file", key_file(tmp_path), "--out", tmp_path / "o.csv"
    )

    assert code == 2
    assert "already has a column 'person_key'" in output
    assert "Traceback" not in output


def test_kept_cells_cannot_become_spreadsheet_formulas(tmp_path: Path) -> None:
    source = hr_export(tmp_path, "remarks", '=HYPERLINK("http://example.org","klik")')
    out = tmp_path / "out.csv"

    code, output = run(
        source, "--id-column", "BSN", "--key-file", key_file(tmp_path), "--out", out,
        "--keep", "remarks",
    )  # fmt: skip

    assert code == 0, output
    (remark,) = pl.read_csv(out, infer_schema=False)["remarks"].to_list()
    assert remark.startswith("'=")


def test_elfproef() -> None:
    assert passes_elfproef("123456782")
    assert passes_elfproef("012345672")
    assert not passes_elfproef("123456789")
    assert not passes_elfproef("000000000")
    assert not passes_elfproef("12345678")
